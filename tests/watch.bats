#!/usr/bin/env bats
# logbook watch add|rm|list: the watch list in team.conf, and the baseline that follows it

load lib

# a tree to watch whose files group and others can reach (bats makes its
# temporary directories private, which would make every file sensitive)
make_tree() {
	TREE=$BATS_TEST_TMPDIR/tree
	mkdir -p "$TREE/nginx"
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
		chmod go+x "$d"
		d=$(dirname "$d")
	done
	chmod 755 "$TREE" "$TREE/nginx"
	echo "worker_processes 4;" >"$TREE/nginx/nginx.conf"
	echo "127.0.0.1 localhost" >"$TREE/hosts"
	echo "root:\$y\$secret:19000::::::" >"$TREE/shadow"
	chmod 644 "$TREE/nginx/nginx.conf" "$TREE/hosts"
	chmod 600 "$TREE/shadow"
}

conf() {
	echo "$LOGBOOK_DIR/team.conf"
}

objects() {
	find "$LOGBOOK_DIR/.state/baseline/objects" -type f 2>/dev/null | wc -l
}

@test "watch add writes the entry with git config: comments stay, git reads the same list" {
	new_journal
	make_tree
	local before
	before=$(cat "$(conf)")
	run --separate-stderr lb watch add "$TREE" '!*.swp' '!/etc/ld.so.cache'
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"Watching $TREE on web1"* ]]
	[[ "$output" == *"Excluding *.swp on web1"* ]]
	# what init wrote is still there, comments included
	[[ "$(cat "$(conf)")" == "$before"* ]]
	grep -q '^# team.conf: the settings that every replica' "$(conf)"
	grep -q '^#\[watch "web1"\]' "$(conf)"
	[ "$(git config -f "$(conf)" --get-all watch.web1.path)" = "$TREE"$'\n!*.swp\n!/etc/ld.so.cache' ]
	[ "$(lb watch list)" = "$(git config -f "$(conf)" --get-all watch.web1.path)" ]
	git config -f "$(conf)" --list | grep -qx "team.timezone=UTC"
}

@test "watch list prints this host's entries as stored, one per line" {
	new_journal
	printf '[watch "web1"]\n\tpath = /etc/   # by hand\n\tpath = "!#*#"\n\tsensitive = *.key\n[watch "db1"]\n\tpath = /srv\n' >>"$(conf)"
	run --separate-stderr lb watch list
	[ "$status" -eq 0 ]
	[ "$output" = $'/etc/\n!#*#' ]
	run lb -C "$LOGBOOK_DIR" watch list
	[ "$output" = $'/etc/\n!#*#' ]
	LOGBOOK_HOST=db1 run lb watch list
	[ "$output" = /srv ]
	LOGBOOK_HOST=mail run lb watch list
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "watch add takes the baseline: contents kept once, a file others cannot read by hash only" {
	new_journal
	make_tree
	cp "$TREE/hosts" "$TREE/hosts.copy"
	run --separate-stderr lb watch add "$TREE"
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"Took the baseline of 4 files"* ]]
	local index=$LOGBOOK_DIR/.state/baseline/index
	[ "$(head -n1 "$index" | cut -d' ' -f1-2)" = "logbook-baseline-index 1" ]
	[ "$(grep -c " $TREE/" "$index")" -eq 4 ]
	# hosts and its copy share one object; shadow has none
	[ "$(objects)" -eq 2 ]
	run -1 grep -r 'secret' "$LOGBOOK_DIR/.state/baseline"
	grep -q "^f s .* $TREE/shadow\$" "$index"
	grep -q "$(sha256sum <"$TREE/shadow" | cut -d' ' -f1) $TREE/shadow\$" "$index"
	local h
	h=$(sha256sum <"$TREE/hosts" | cut -d' ' -f1)
	cmp "$LOGBOOK_DIR/.state/baseline/objects/${h:0:2}/${h:2}" "$TREE/hosts"
}

@test "watch add normalises the path without resolving symlinks" {
	new_journal
	make_tree
	ln -s "$TREE" "$BATS_TEST_TMPDIR/link"
	run --separate-stderr lb watch add "$TREE//nginx/./" "$BATS_TEST_TMPDIR/link/../tree/hosts" "$BATS_TEST_TMPDIR/link/"
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(lb watch list)" = "$TREE/nginx"$'\n'"$BATS_TEST_TMPDIR/tree/hosts"$'\n'"$BATS_TEST_TMPDIR/link" ]
	# the symlink itself is watched, by its target: nothing behind it is taken
	run -1 grep " $BATS_TEST_TMPDIR/link/" "$LOGBOOK_DIR/.state/baseline/index"
	grep -q "^l .* $BATS_TEST_TMPDIR/link $TREE\$" "$LOGBOOK_DIR/.state/baseline/index"
}

@test "a relative path is refused with exit 2 and nothing is written" {
	new_journal
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	for p in etc ./etc ../etc "~/x" ""; do
		run --separate-stderr lb watch add /srv "$p"
		[ "$status" -eq 2 ] || fail "'$p': exit $status"
		[[ "$stderr" == "logbook: watch: "*"absolute"* || "$stderr" == "logbook: watch: "*"empty"* ]] || fail "'$p': $stderr"
		[[ "$stderr" == *"usage: logbook watch"* ]]
	done
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
}

@test "a newline in a path or pattern is refused" {
	new_journal
	local before
	before=$(cat "$(conf)")
	run --separate-stderr lb watch add $'/etc/a\nb'
	[ "$status" -eq 2 ]
	[[ "$stderr" == "logbook: watch: /etc/a\\nb: "*newline* ]]
	run --separate-stderr lb watch add $'!a\nb'
	[ "$status" -eq 2 ]
	[ "$(cat "$(conf)")" = "$before" ]
}

@test "watch add of a path that does not exist yet is allowed with a note" {
	new_journal
	run --separate-stderr lb watch add /nonexistent/logbook-test
	[ "$status" -eq 0 ]
	[[ "$output" == *"Watching /nonexistent/logbook-test on web1"* ]]
	[[ "$stderr" == "logbook: watch: /nonexistent/logbook-test: does not exist (yet)"* ]]
	[ "$(lb watch list)" = /nonexistent/logbook-test ]
}

@test "watch add of an entry already there says so and adds nothing" {
	new_journal
	make_tree
	lb watch add "$TREE" >/dev/null
	run --separate-stderr lb watch add "$TREE/" '!*.swp' '!*.swp'
	[ "$status" -eq 0 ]
	[[ "$output" == *"$TREE: already in the watch list of web1"* ]]
	[ "$(lb watch list)" = "$TREE"$'\n!*.swp' ]
}

@test "an entry listed by hand in team.conf gets its baseline from watch add" {
	new_journal
	make_tree
	printf '[watch "web1"]\n\tpath = %s\n\tpath = !hosts\n' "$TREE" >>"$(conf)"
	run --separate-stderr lb watch add "$TREE"
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"Took the baseline of $TREE on web1: 2 files"* ]]
	[ "$(git config -f "$(conf)" --get-all watch.web1.path | wc -l)" -eq 2 ]
	run -1 grep " $TREE/hosts\$" "$LOGBOOK_DIR/.state/baseline/index"
}

@test "watch rm removes the entry and its baseline; a missing one is exit 1, naming it, and nothing changes" {
	new_journal
	make_tree
	lb watch add "$TREE/nginx" "$TREE/hosts" '!*.swp' >/dev/null
	grep -q " $TREE/nginx/nginx.conf\$" "$LOGBOOK_DIR/.state/baseline/index"
	local before
	before=$(cat "$(conf)")
	run --separate-stderr lb watch rm "$TREE/nginx" /etc/not-there
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: watch: /etc/not-there: not in the watch list of web1" ]]
	[ "$(cat "$(conf)")" = "$before" ]
	run --separate-stderr lb watch rm "$TREE/nginx/" '!*.swp'
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"Removed $TREE/nginx from the watch list of web1"* ]]
	[ "$(lb watch list)" = "$TREE/hosts" ]
	[ "$(git config -f "$(conf)" --get-all watch.web1.path)" = "$TREE/hosts" ]
	run -1 grep " $TREE/nginx/nginx.conf\$" "$LOGBOOK_DIR/.state/baseline/index"
	grep -q " $TREE/hosts\$" "$LOGBOOK_DIR/.state/baseline/index"
	# removing the last entry keeps the comments of the file
	lb watch rm "$TREE/hosts" >/dev/null
	grep -q '^#\[watch "web1"\]' "$(conf)"
	[ -z "$(lb watch list)" ]
}

@test "watch rm of an exclusion takes the baseline of what it hid" {
	new_journal
	make_tree
	echo "swap" >"$TREE/.hosts.swp"
	chmod 644 "$TREE/.hosts.swp"
	lb watch add "$TREE" '!*.swp' >/dev/null
	run -1 grep "swp" "$LOGBOOK_DIR/.state/baseline/index"
	run --separate-stderr lb watch rm '!*.swp'
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"Took the baseline of 1 file no longer excluded"* ]]
	grep -q " $TREE/.hosts.swp\$" "$LOGBOOK_DIR/.state/baseline/index"
}

@test "special files met by watch add are reported, never opened, and the rest is taken" {
	new_journal
	make_tree
	mkfifo "$TREE/initctl"
	run --separate-stderr lb watch add "$TREE"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"logbook: watch: $TREE/initctl: a FIFO: not tracked, never opened"* ]]
	[[ "$output" == *"Took the baseline of 3 files"* ]]
}

@test "patterns with spaces, '#' and ';' round-trip through team.conf" {
	new_journal
	run --separate-stderr lb watch add '!my file #1; x' '/srv/a b;c#d'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$(lb watch list)" = $'!my file #1; x\n/srv/a b;c#d' ]
	[ "$(git config -f "$(conf)" --get-all watch.web1.path)" = $'!my file #1; x\n/srv/a b;c#d' ]
	lb watch rm '/srv/a b;c#d' >/dev/null
	[ "$(lb watch list)" = '!my file #1; x' ]
}

@test "bad usage exits 2 with the usage on stderr" {
	new_journal
	for args in "" "frob" "add" "rm" "list extra" "add --frobnicate /etc" "--frobnicate" "add !"; do
		# shellcheck disable=SC2086
		run --separate-stderr lb watch $args
		[ "$status" -eq 2 ] || fail "watch $args: exit $status"
		[ -z "$output" ] || fail "watch $args: stdout: $output"
		[[ "$stderr" == "logbook: watch: "* ]] || fail "watch $args: $stderr"
		[[ "$stderr" == *"usage: logbook watch"* ]] || fail "watch $args: no usage"
	done
	[ -z "$(lb watch list)" ]
}

@test "watch add -- lets an entry follow the options" {
	new_journal
	run --separate-stderr lb watch add -- /srv
	[ "$status" -eq 0 ]
	[ "$(lb watch list)" = /srv ]
}

@test "a bad watch entry in team.conf is reported with its file and line" {
	new_journal
	printf '[watch "web1"]\n\tpath = /etc\n\tpath = etc\n' >>"$(conf)"
	local line
	line=$(grep -n '^	path = etc$' "$(conf)" | cut -d: -f1)
	run --separate-stderr lb watch add /srv
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: watch: $(conf):$line: "*"absolute"* ]]
}

@test "the commented section init writes, uncommented, is read the same by logbook and git" {
	new_journal
	grep -q '^#\[watch "web1"\]$' "$(conf)"
	grep -q '^#	path = /etc$' "$(conf)"
	sed -i -e 's/^#\[watch "web1"\]/[watch "web1"]/' -e '/^\[watch/,$ s/^#\t/\t/' "$(conf)"
	[ "$(lb watch list)" = "$(git config -f "$(conf)" --get-all watch.web1.path)" ]
	lb watch list | grep -qx '!/etc/ld.so.cache'
	lb watch list | grep -qx '!/etc/adjtime'
	lb watch list | grep -qx '!/etc/mtab'
	lb watch list | grep -qx '!\*.swp'
	lb watch list | grep -qx '!.#\*'
	[ "$(git config -f "$(conf)" --get-all watch.web1.sensitive)" = $'/etc/ssl/private/*\n*.key' ]
}

@test "watch works without a journal only for --help" {
	run --separate-stderr lb watch list
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: "*"no journal"* ]]
	run lb watch --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook watch add"* ]]
}

@test "bench/scan-api: after watch add a scan reads nothing; an edit is one change, read once" {
	local api=$BATS_TEST_DIRNAME/../build/bench/scan-api
	[ -x "$api" ] || skip "build/bench/scan-api is not built (make bench)"
	new_journal
	make_tree
	# times well in the past: no file is "racy" (changed in the tick its hash was taken),
	# which a loaded machine could otherwise make of a file written just before
	find "$TREE" -exec touch -h -d '-1 minute' {} +
	lb watch add "$TREE" >/dev/null
	run --separate-stderr "$api" --quiet "$LOGBOOK_DIR"
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == "files 3 hashed 0 changes 0 skipped 0 median_s "* ]] || fail "$output"
	echo "worker_processes 8;" >"$TREE/nginx/nginx.conf"
	touch -d '-30 seconds' "$TREE/nginx/nginx.conf"
	# touch sets the ctime to now: a scan in the same clock tick would rightly find
	# the file racy and read it again on the next scan (seen once in five loaded runs)
	sleep 0.1
	run "$api" --quiet "$LOGBOOK_DIR"
	[[ "$output" == "files 3 hashed 1 changes 1 skipped 0 "* ]] || fail "$output"
	# the pending change is not read again while it stays as it is
	run "$api" --quiet "$LOGBOOK_DIR"
	[[ "$output" == "files 3 hashed 0 changes 1 skipped 0 "* ]] || fail "$output"
	[ "$(wc -l <"$LOGBOOK_DIR/.state/baseline/seen")" -eq 2 ]
}
