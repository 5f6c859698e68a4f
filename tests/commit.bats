#!/usr/bin/env bats
# logbook commit: the admin's entry for the commands no entry covers yet

load lib

# commands of the current admin through a real spool (see ingest.bats)
run_commands() {
	local code spool i=0 cmd t
	code=$(lb hook bash)
	spool=$(sed -n "s/^__lb_new_spool='\(.*\)'$/\1/p" <<<"$code")
	printf 'P\0%s\0\n' "$$" >>"$spool"
	for cmd in "$@"; do
		i=$((i + 1))
		t=$(($(date +%s) * 1000000 + i))
		printf 'C\0%s\0%s\0%s\0%s\0/etc\0%s\0\n' "$i" "$t" "$((t + 1))" $((i == 2)) "$cmd" >>"$spool"
	done
}

# an editor that puts $1 above the draft and keeps a copy of the draft
make_editor() {
	printf '#!/bin/sh\ncp "$1" "%s/draft"\n{ printf "%%s\\n" "%s"; cat "$1"; } >"$1.new" && mv "$1.new" "$1"\n' \
		"$BATS_TEST_TMPDIR" "$1" >"$BATS_TEST_TMPDIR/editor"
	chmod +x "$BATS_TEST_TMPDIR/editor"
	export EDITOR="$BATS_TEST_TMPDIR/editor"
}

@test "commit lists the uncovered commands in the editor and writes a note that covers them" {
	new_journal
	run_commands 'vi /etc/nginx/nginx.conf' 'nginx -t' 'systemctl reload nginx'
	make_editor "Raised worker_connections: the forum hit the limit"
	run lb commit
	[ "$status" -eq 0 ]
	[ "$output" = "entry written on web1: 3 commands covered" ]
	grep -q '^# This entry covers 3 commands of alice on web1:' "$BATS_TEST_TMPDIR/draft"
	grep -q 'vi /etc/nginx/nginx.conf$' "$BATS_TEST_TMPDIR/draft"
	grep -q '\[exit 1\] nginx -t$' "$BATS_TEST_TMPDIR/draft"
	[ "$(last_field text)" = "Raised worker_connections: the forum hit the limit" ]
	[ "$(last_field commands)" = 3 ]
	# seq 1 is the session's open record, the commands are 2-4
	[ "$(last_field covers)" = "[[2, 4]]" ]
	run lb commit -m again
	[ "$status" -eq 1 ]
	[[ "$output" == *"nothing to commit"* ]]
}

@test "commit -m writes the entry without an editor" {
	new_journal
	run_commands 'apt-get upgrade'
	run lb commit -m "monthly upgrades"
	[ "$status" -eq 0 ]
	[ "$(last_field text)" = "monthly upgrades" ]
	run lb show
	[[ "$output" == *"monthly upgrades"* ]]
}

@test "an empty message aborts and writes nothing" {
	new_journal
	run_commands 'rm -rf /tmp/cache'
	make_editor ""
	lb ingest -q
	before=$(cat "$(day_file)")
	run lb commit
	[ "$status" -eq 1 ]
	[[ "$output" == *"empty message"* ]]
	[ "$(cat "$(day_file)")" = "$before" ]
	run lb commit -m "   "
	[ "$status" -eq 1 ]
}

@test "commit covers only this admin's commands on this host" {
	new_journal
	run_commands 'alice-1'
	LOGBOOK_USER=bob run_commands 'bob-1'
	run_commands 'alice-2'
	LOGBOOK_HOST=db1 run_commands 'alice-on-db1'
	run lb commit -m "alice's work"
	[[ "$output" == *"2 commands covered"* ]]
	LOGBOOK_USER=bob run lb commit -m "bob's work"
	[[ "$output" == *"1 command covered"* ]]
	LOGBOOK_HOST=db1 run lb commit -m "db1 work"
	[[ "$output" == *"1 command covered"* ]]
	run lb commit -m more
	[ "$status" -eq 1 ]
}

@test "commands that arrive after an entry wait for the next one" {
	new_journal
	run_commands 'one'
	lb commit -m first
	run_commands 'two' 'three'
	run lb commit -m second
	[[ "$output" == *"2 commands covered"* ]]
}

@test "commit: help and usage errors" {
	run lb commit --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"-m, --message"* ]]
	run lb commit stray words
	[ "$status" -eq 2 ]
	run lb commit -m
	[ "$status" -eq 2 ]
}
