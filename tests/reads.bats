#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats's run sets stderr and stderr_lines
# The read commands that answer from caches and the search index instead
# of reading every record file (days, packages, advisories, ack's check of
# an advisory id, list in time order): the same bytes, warnings and exit
# codes as the files' answer, which they still give when the index cannot
# be used.

load lib

CORPUS=$BATS_TEST_DIRNAME/mail

pkg() {
	jsonl append "$LOGBOOK_DIR" "$@" >/dev/null
}

# a journal with package, inventory and advisory records over several
# days and hosts, an ack, notes, a foreign line and a damaged line that
# names no package (which no reader of packages reports)
varied_journal() {
	new_journal
	lb note "a first note" >/dev/null
	pkg web1 2026-10-02T09:00:00 package '{"tool":"apt","from":"apt","changes":[{"name":"apache2","arch":"amd64","action":"install","new":"2.4.57-2","source":"apache2","source_version":"2.4.57-2"}]}'
	pkg web1 2026-11-20T10:00:00 inventory '{"reason":"first","release":"bookworm","packages":[["libnginx-mod-http-geoip","amd64","1.22.1-9","nginx","1.22.1-9"],["nginx","all","1.22.1-9","nginx","1.22.1-9"],["openssl","amd64","3.0.11-1~deb12u2","openssl","3.0.11-1~deb12u2"]]}'
	pkg db1 2026-11-20T10:00:01 inventory '{"reason":"first","release":"bookworm","packages":[["nginx","all","1.22.1-9+deb12u1","nginx","1.22.1-9+deb12u1"],["postgresql-15","amd64","15.5-0+deb12u1","postgresql-15","15.5-0+deb12u1"]]}'
	pkg old1 2026-11-20T10:00:02 inventory '{"reason":"first","release":"buster","packages":[["nginx","all","1.14.2-2+deb10u5","nginx","1.14.2-2+deb10u5"]]}'
	pkg web1 2026-11-21T10:00:00 package '{"tool":"apt","from":"apt","release":"bookworm","changes":[{"name":"curl","arch":"amd64","action":"install","new":"7.88.1-10","source":"curl","source_version":"7.88.1-10"},{"name":"x"}]}'
	pkg old1 2026-11-22T10:00:00 package '{"tool":"dpkg","from":"dpkg","changes":[{"name":"nginx","arch":"all","action":"remove","old":"1.14.2-2+deb10u5"}]}'
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	LOGBOOK_HOST=db1 lb ingest-mail <"$CORPUS/dla-openssl.eml"
	lb ack DSA-5678-1 >/dev/null
	# a line that is no record, and one of db1 in web1's file
	echo 'not a record at all' >>"$LOGBOOK_DIR/2026/2026_11_20/web1.jsonl"
	tail -n 1 "$LOGBOOK_DIR/2026/2026_11_20/db1.jsonl" >>"$LOGBOOK_DIR/2026/2026_11_21/web1.jsonl"
	lb note "a record through the store after them" >/dev/null
}

# what a command printed, on which stream, and its status
answer() {
	local out err rc=0
	out=$(lb "$@" 2>"$BATS_TEST_TMPDIR/err") || rc=$?
	err=$(cat "$BATS_TEST_TMPDIR/err")
	printf 'status %s\n-- out\n%s\n-- err\n%s\n' "$rc" "$out" "$err"
}

# the same command with the index refused (a link in its place: root never
# opens one), so that the records come from the files
answer_from_files() {
	local index=$LOGBOOK_DIR/.state/index.sqlite
	mv "$index" "$index.away"
	ln -s "$BATS_TEST_TMPDIR/nowhere" "$index"
	answer "$@"
	rm "$index"
	mv "$index.away" "$index"
}

READS=("days" "packages" "packages nginx" "packages --json" "packages --host web1" "packages apache2"
	"advisories" "advisories --all" "advisories --json" "advisories DSA-5678-1" "advisories DSA-0000-1"
	"list --no-pager" "list --no-pager --json" "list --no-pager --limit 3" "list --no-pager --since 2026-11-21"
	"list --no-pager --until 2026-11-21 --json" "search --no-pager nginx")

# every command of READS answers the same through the index and from the files
same_answers() {
	local c fast files
	for c in "${READS[@]}"; do
		# shellcheck disable=SC2086 # the words of the command
		fast=$(answer $c)
		# shellcheck disable=SC2086
		files=$(answer_from_files $c)
		[ "$fast" = "$files" ] || fail "logbook $c:
through the index:
$fast
from the files:
$files"
	done
}

# days as ls and wc would say it: newest day first, hosts by name, complete lines
days_by_hand() {
	local d f n total line
	for d in $(cd "$LOGBOOK_DIR" && printf '%s\n' [0-9][0-9][0-9][0-9]/[0-9]*_[0-9]*_[0-9]* | sort -r); do
		total=0 line=""
		for f in $(cd "$LOGBOOK_DIR/$d" && printf '%s\n' *.jsonl | sort); do
			n=$(wc -l <"$LOGBOOK_DIR/$d/$f")
			total=$((total + n))
			line+=" ${f%.jsonl}:$n"
		done
		printf '%s %7d %s\n' "${d#*/}" "$total" "$line"
	done
}

@test "packages, advisories, ack and list take the records from the index, and answer as the files do" {
	varied_journal
	same_answers
	# the fast path was taken: the caches it keeps are there
	[ -f "$LOGBOOK_DIR/.state/lines/0" ] || fail "no line cache"
	[ -f "$LOGBOOK_DIR/.state/pkgrecs/0" ] || fail "no records cache"
	run lb advisories
	[[ "$output" == *"DLA-3456-1  "*"open on 1 host"* ]] || fail "$output"
	[[ "$output" == *"2026_11_21/web1.jsonl:1: package record: change 2 has no name, arch or action; skipped"* ]] ||
		fail "$output"
	# ack: an id the journal does not hold, then one it does
	run --separate-stderr lb ack DSA-0000-1
	[ "$status" -eq 1 ]
	[ "$stderr" = "logbook: ack: DSA-0000-1: no such advisory in this journal (logbook advisories lists them)" ]
	run lb ack DLA-3456-1
	[ "$status" -eq 0 ] || fail "$output"
	# appends after the caches were kept: through the store, and by hand to an old day
	pkg db1 2026-11-21T11:00:00 package '{"tool":"apt","from":"history","changes":[{"name":"postgresql-15","arch":"amd64","action":"upgrade","old":"15.5-0+deb12u1","new":"15.6-0+deb12u1","source":"postgresql-15","source_version":"15.6-0+deb12u1"}]}'
	lb note "one more" >/dev/null
	same_answers
	run --separate-stderr lb packages postgresql-15
	[ "$output" = "db1          postgresql-15 amd64 15.6-0+deb12u1" ] || fail "$output"
}

@test "days counts each host's lines as wc -l does, through its cache, appends and new days included" {
	varied_journal
	[ "$(lb days)" = "$(days_by_hand)" ]
	[ -f "$LOGBOOK_DIR/.state/lines/0" ] || fail "no line cache"
	# a torn last line is not counted, a line added to an old day is
	printf '{"torn' >>"$LOGBOOK_DIR/2026/2026_11_22/old1.jsonl"
	echo 'another damaged line' >>"$LOGBOOK_DIR/2026/2026_10_02/web1.jsonl"
	pkg db1 2025-01-05T10:00:00 package '{"tool":"apt","from":"history","changes":[]}'
	lb note "today again" >/dev/null
	[ "$(lb days)" = "$(days_by_hand)" ]
	# a file replaced by a shorter one, another removed
	head -n 1 "$LOGBOOK_DIR/2026/2026_11_20/web1.jsonl" >"$BATS_TEST_TMPDIR/short"
	mv "$BATS_TEST_TMPDIR/short" "$LOGBOOK_DIR/2026/2026_11_20/web1.jsonl"
	rm "$LOGBOOK_DIR/2026/2026_11_20/old1.jsonl"
	[ "$(lb days)" = "$(days_by_hand)" ]
	# a damaged cache is read as none
	echo garbage >>"$LOGBOOK_DIR/.state/lines/0"
	[ "$(lb days)" = "$(days_by_hand)" ]
	grep -q '^logbook-lines 1$' "$LOGBOOK_DIR/.state/lines/0" || fail "not rebuilt"
	if grep -q garbage "$LOGBOOK_DIR/.state/lines/0"; then fail "not rebuilt"; fi
}

@test "a file that does not open is reported by days, packages and advisories as before" {
	varied_journal
	lb days >/dev/null
	ln -s /dev/zero "$LOGBOOK_DIR/2026/2026_11_22/evil1.jsonl"
	mkdir "$LOGBOOK_DIR/2026/2026_11_22/dir1.jsonl"
	run --separate-stderr lb days
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"2026_11_22/evil1.jsonl: a symbolic link, not a record file; skipped"* ]] || fail "$stderr"
	[[ "$stderr" == *"2026_11_22/dir1.jsonl: not a regular file; skipped"* ]] || fail "$stderr"
	[[ "$output" == *" dir1:0 evil1:0 old1:"* ]] || fail "$output"
	# (list and search from the files are left out: their scan reads the link's /dev/zero)
	READS=("days" "packages" "packages --json" "advisories --all" "advisories DSA-0000-1")
	same_answers
}

@test "a damaged package, inventory or advisory line in an old day is still reported by each command" {
	varied_journal
	lb packages >/dev/null
	lb advisories >/dev/null
	# after the caches were kept: a damaged line naming a package in an old
	# day's file that packages reads (after web1's inventory), one naming an
	# advisory in a file before it (advisories reads every file)
	echo '{"kind":"package","broken' >>"$LOGBOOK_DIR/2026/2026_11_21/web1.jsonl"
	echo '{"kind":"event","advisory":{"id":"DSA-1-1"}' >>"$LOGBOOK_DIR/2026/2026_10_02/web1.jsonl"
	for c in packages advisories "advisories --all"; do
		# shellcheck disable=SC2086
		run --separate-stderr lb $c
		[[ "$stderr" == *"2026_11_21/web1.jsonl:3: "* ]] || fail "$c: $stderr"
		[[ "$c" == packages || "$stderr" == *"2026_10_02/web1.jsonl:2: "* ]] || fail "$c: $stderr"
	done
	same_answers
	run lb ack DSA-0000-1
	[ "$status" -eq 1 ]
}
