#!/usr/bin/env bats
# Watched files end to end: diff, commit with the files' changes, scan
# for the changes nobody committed.  The watched tree is a directory of
# the test, as /etc would be on a server.

load lib

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

# a watched tree with a few config files, its baseline taken.  A file
# under a directory others cannot enter is private (hash only), like one
# in /etc/ssl/private: bats makes its directories private, so open them.
watched_etc() {
	umask 022
	open_test_dirs
	new_journal
	ETC="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$ETC/nginx" "$ETC/app"
	printf 'worker_processes 2;\nevents {\n\tworker_connections 512;\n}\n' >"$ETC/nginx/nginx.conf"
	printf '127.0.0.1 localhost\n192.0.2.10 web1\n' >"$ETC/hosts"
	printf 'user = app\npassword = old-secret\n' >"$ETC/app/db.conf"
	chmod 644 "$ETC/app/db.conf"
	lb watch add "$ETC" >/dev/null
}

# the change records of today's page, as "admin<TAB>path<TAB>what" lines
changes() {
	lb show --json | py -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["kind"] == "change":
        print("%s\t%s\t%s" % (r["admin"], r["path"], ",".join(r["what"])))
'
}

@test "two edited files, then commit -m: both diffs on the page under the admin; a second commit has nothing" {
	watched_etc
	sed -i 's/512/4096/' "$ETC/nginx/nginx.conf"
	echo '192.0.2.11 web2' >>"$ETC/hosts"
	run lb commit -m "more connections for the forum; web2 joins"
	[ "$status" -eq 0 ]
	[ "$output" = "entry written on web1: 0 commands covered, 2 changed files" ]
	run changes
	[ "${lines[0]}" = $'alice\t'"$ETC"$'/hosts\tcontent' ]
	[ "${lines[1]}" = $'alice\t'"$ETC"$'/nginx/nginx.conf\tcontent' ]
	[ "${#lines[@]}" -eq 2 ]
	run lb show
	[[ "$output" == *"~ $ETC/nginx/nginx.conf  content"* ]]
	[[ "$output" == *"-	worker_connections 512;"* ]]
	[[ "$output" == *"+	worker_connections 4096;"* ]]
	[[ "$output" == *"+192.0.2.11 web2"* ]]
	[[ "$output" == *"more connections for the forum"*"(entry for 2 files)"* ]]
	run lb commit -m again
	[ "$status" -eq 1 ]
	[[ "$output" == *"nothing to commit"* ]]
	run lb diff
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the diff in the record applies with patch to the old file and gives the new one" {
	watched_etc
	cp "$ETC/nginx/nginx.conf" "$BATS_TEST_TMPDIR/old.conf"
	printf 'worker_processes auto;\nevents {\n\tworker_connections 4096;\n\tmulti_accept on;\n}\n' >"$ETC/nginx/nginx.conf"
	lb commit -m "tuning" >/dev/null
	lb show --json | py -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["kind"] == "change":
        sys.stdout.write(r["diff"])
' >"$BATS_TEST_TMPDIR/d.patch"
	patch -s -o "$BATS_TEST_TMPDIR/new.conf" "$BATS_TEST_TMPDIR/old.conf" <"$BATS_TEST_TMPDIR/d.patch"
	cmp "$BATS_TEST_TMPDIR/new.conf" "$ETC/nginx/nginx.conf"
}

@test "a change nobody committed: scan leaves it within the grace period, then records it unattributed" {
	watched_etc
	echo '10.0.2.0/24 irc' >>"$ETC/hosts"
	run lb scan
	[ "$status" -eq 0 ]
	[ "$output" = "0 unattributed changes recorded; 1 within the grace period, left for 'logbook commit'" ]
	[ -z "$(changes)" ]
	run lb scan --grace 0
	[ "$output" = "1 unattributed change recorded" ]
	[ "$(changes)" = $'unattributed\t'"$ETC"$'/hosts\tcontent' ]
	run lb show
	[[ "$output" == *"unattributed"*"~ $ETC/hosts  content"* ]]
	# recorded once: the baseline moved
	run lb scan --grace 0
	[ "$output" = "0 unattributed changes recorded" ]
	run lb commit -m nothing
	[ "$status" -eq 1 ]
}

@test "scan after the grace period, measured from when the change was first seen" {
	watched_etc
	echo 'x' >>"$ETC/hosts"
	lb scan -q
	sleep 2
	run lb scan --grace 1s
	[ "$output" = "1 unattributed change recorded" ]
}

@test "diff shows new, deleted, mode, symlink and binary changes, and exit codes for scripts" {
	watched_etc
	run lb diff --exit-code
	[ "$status" -eq 0 ]
	ln -s nginx.conf "$ETC/nginx/default"
	lb commit -m "link" >/dev/null
	echo 'new file' >"$ETC/motd"
	rm "$ETC/hosts"
	chmod 600 "$ETC/nginx/nginx.conf"
	ln -sfn /dev/null "$ETC/nginx/default"
	head -c 2000 /dev/urandom >"$ETC/app/blob.bin"
	printf '\0' >>"$ETC/app/blob.bin"
	run lb diff --name-only --exit-code
	[ "$status" -eq 1 ]
	[[ "$output" == *"$ETC/motd: added file"* ]]
	[[ "$output" == *"$ETC/hosts: deleted file"* ]]
	[[ "$output" == *"$ETC/nginx/nginx.conf: mode 0644 -> 0600"* ]]
	[[ "$output" == *"$ETC/nginx/default: target nginx.conf -> /dev/null"* ]]
	[[ "$output" == *"$ETC/app/blob.bin: added file (binary file, 2001 bytes)"* ]]
	run lb diff "$ETC/motd"
	[ "${lines[0]}" = "$ETC/motd: added file" ]
	[ "${lines[1]}" = "--- /dev/null" ]
	[ "${lines[2]}" = "+++ b$ETC/motd" ]
	[ "${lines[3]}" = "@@ -0,0 +1 @@" ]
	[ "${lines[4]}" = "+new file" ]
}

@test "secrets in a watched file's diff are redacted, in the output and in the journal" {
	watched_etc
	sed -i 's/old-secret/new-secret/' "$ETC/app/db.conf"
	run lb diff
	# the line whose secret changed shows, its value does not
	[ "${lines[0]}" = "$ETC/app/db.conf: content" ]
	[ "${lines[5]}" = "-password = [REDACTED]" ]
	[ "${lines[6]}" = "+password = [REDACTED]" ]
	[[ "$output" != *-secret* ]]
	printf 'user = app2\npassword = third-secret\n' >"$ETC/app/db.conf"
	run lb diff
	[[ "$output" == *"-user = app"* ]]
	[[ "$output" == *"+user = app2"* ]]
	[[ "$output" == *"+password = [REDACTED]"* ]]
	[[ "$output" != *-secret* ]]
	lb commit -m "rotated the app's database password" >/dev/null
	run -1 grep -r 'third-secret\|old-secret' "$LOGBOOK_DIR" --include='*.jsonl'
	run -1 grep -r -a 'third-secret\|old-secret' "$LOGBOOK_DIR/.state"
	lb show | grep -q 'password = \[REDACTED\]' 
}

@test "a file others cannot read is tracked by hash only: its content never reaches the journal or .state" {
	watched_etc
	printf 'root:$6$salt$hash:19000::::::\n' >"$ETC/shadow"
	chmod 600 "$ETC/shadow"
	lb commit -m "shadow appears" >/dev/null
	printf 'root:$6$other$hash2:19001::::::\n' >"$ETC/shadow"
	run lb diff
	[[ "$output" == *"$ETC/shadow: content (sensitive file: hash only"* ]]
	[[ "$output" != *'$6$'* ]]
	lb commit -m "root password changed" >/dev/null
	run -1 grep -r 'salt\|other' "$LOGBOOK_DIR" --include='*.jsonl'
	run -1 grep -ra 'salt\|other' "$LOGBOOK_DIR/.state"
	lb show --json | grep -q '"sensitive":true'
}

@test "commit --no-files leaves the files' changes for the next commit" {
	watched_etc
	echo '# tuned' >>"$ETC/nginx/nginx.conf"
	run lb commit --no-files -m "nothing of the files"
	[ "$status" -eq 1 ]
	[[ "$output" == *"nothing to commit"* ]]
	run lb diff --name-only
	[[ "$output" == *nginx.conf* ]]
	run lb commit -m "now with them"
	[[ "$output" == *"1 changed file"* ]]
}

@test "the editor's draft lists the changed files" {
	watched_etc
	echo 'x' >>"$ETC/hosts"
	printf '#!/bin/sh\ncp "$1" "%s/draft"\necho "why" >"$1"\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/ed"
	chmod +x "$BATS_TEST_TMPDIR/ed"
	EDITOR="$BATS_TEST_TMPDIR/ed" lb commit >/dev/null
	grep -q "^# and the changes of 1 watched file" "$BATS_TEST_TMPDIR/draft"
	grep -q "^#   $ETC/hosts\$" "$BATS_TEST_TMPDIR/draft"
}

# the output of "diff --name-only" is the one line of the changed nginx.conf
one_line_for_nginx_conf() {
	[ "${#lines[@]}" -eq 1 ] && [[ "$output" == "$ETC/nginx/nginx.conf: content"* ]] ||
		fail "not the one line of nginx.conf: $output"
}

@test "diff takes a relative PATH from the current directory, and --exit-code sees its change" {
	watched_etc
	printf 'worker_processes 4;\n' >"$ETC/nginx/nginx.conf"
	cd "$ETC/nginx"
	run --separate-stderr lb diff nginx.conf
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$ETC/nginx/nginx.conf: content" ] || fail "diff nginx.conf: $output"
	[ -z "$stderr" ]
	run lb diff --name-only .
	one_line_for_nginx_conf
	run lb diff ./nginx.conf --name-only
	one_line_for_nginx_conf
	run lb diff --exit-code nginx.conf
	[ "$status" -eq 1 ]
	run lb diff nginx.conf --exit-code --name-only
	[ "$status" -eq 1 ]
	run lb diff --exit-code ../hosts
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	cd "$ETC/app"
	run lb diff --name-only ../nginx
	one_line_for_nginx_conf
	# reached through a symbolic link: the shell's name of the directory works too
	ln -s "$ETC/nginx" "$BATS_TEST_TMPDIR/conf"
	cd "$BATS_TEST_TMPDIR/conf"
	run lb diff --name-only nginx.conf
	one_line_for_nginx_conf
}

@test "diff names a PATH that is not watched instead of printing nothing" {
	watched_etc
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr lb diff --exit-code nowhere.conf
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$stderr" = "logbook: diff: $BATS_TEST_TMPDIR/nowhere.conf is not watched (see 'logbook watch list')" ]
	run --separate-stderr lb diff etc/hosts .
	[ -z "$stderr" ]
}

@test "diff and scan: usage, and a host that watches nothing" {
	new_journal
	run lb diff
	[ "$status" -eq 1 ]
	[[ "$output" == *"watches no file"* ]]
	run lb scan --grace soon
	[ "$status" -eq 2 ]
	run lb scan --help
	[ "$status" -eq 0 ]
	run lb diff --color=sometimes
	[ "$status" -eq 2 ]
}

@test "a watched file whose name holds a newline: quoted diff labels, exact path in the record" {
	watched_etc
	name=$'odd\nname.conf'
	echo 'one' >"$ETC/$name"
	lb commit -m "odd file appears" >/dev/null
	echo 'two' >"$ETC/$name"
	run lb diff --no-pager
	[[ "$output" == *'--- "a'"$ETC"'/odd\nname.conf"'* ]]
	[[ "$output" == *'+++ "b'"$ETC"'/odd\nname.conf"'* ]]
	lb commit -m "odd file changed" >/dev/null
	lb show --json | py -c '
import json, sys
ps = [json.loads(l)["path"] for l in sys.stdin if "\"kind\":\"change\"" in l]
assert ps[-1].endswith("/odd\nname.conf"), ps
'
}
