#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2030 # bats's run sets stderr, status and output in each test
# logbook todo: things left to do, as records; open ones in todo list,
# news, the digest and at shell start on their host; replicas agree

load lib

@test "todo add files a record and prints its reference; list shows it open" {
	new_journal
	run lb todo add remove nginx.conf.orig next week
	[ "$status" -eq 0 ]
	[ "$output" = "todo web1:1" ]
	[ "$(last_field kind)" = todo ]
	[ "$(last_field event)" = add ]
	[ "$(last_field text)" = "remove nginx.conf.orig next week" ]
	[ "$(last_field about)" = web1 ]
	run lb todo list
	[ "$status" -eq 0 ]
	[[ "$output" == "web1:1  $(date -u +%F)  web1  remove nginx.conf.orig next week  (alice)" ]] || fail "$output"
}

@test "--host says which host it is about, --due when; list --host narrows" {
	new_journal
	lb todo add --host db1 --due 2026-12-24 check the backups >/dev/null
	[ "$(last_field about)" = db1 ]
	[ "$(last_field due)" = 2026_12_24 ]
	lb todo add --due +7 something here >/dev/null
	[ "$(last_field due)" = "$(date -u -d '+7 days' +%Y_%m_%d)" ]
	run lb todo list --host db1
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"db1  check the backups  (alice, due 2026_12_24)" ]] || fail "$output"
	run lb todo add --host 'bad/host' x
	[ "$status" -eq 2 ]
	run lb todo add --due tomorrowish x
	[ "$status" -eq 2 ]
	run lb todo add
	[ "$status" -eq 2 ]
}

@test "todo done closes it with a record of its own; list --all shows who; twice is refused" {
	new_journal
	lb todo add remove nginx.conf.orig >/dev/null
	run env LOGBOOK_USER=bob "$LOGBOOK" todo "done" web1:1
	[ "$status" -eq 0 ]
	[ "$output" = "done web1:1" ]
	[ "$(last_field event)" = "done" ]
	[ "$(last_field ref)" = web1:1 ]
	[ "$(last_field admin)" = bob ]
	run lb todo list
	[ -z "$output" ]
	run lb todo list --all
	[[ "$output" == *"remove nginx.conf.orig  (alice, done by bob)" ]] || fail "$output"
	run lb todo "done" web1:1
	[ "$status" -eq 1 ]
	[[ "$output" == *"web1:1 was done already, by bob"* ]]
}

@test "todo done refuses what is not a todo, and references it cannot read" {
	new_journal
	lb note hello >/dev/null
	run lb todo "done" web1:1
	[ "$status" -eq 1 ]
	[[ "$output" == *"web1:1 is a note record, not a todo"* ]]
	run lb todo "done" web1:5
	[ "$status" -eq 1 ]
	run lb todo "done" web1
	[ "$status" -eq 2 ]
	run lb todo "done"
	[ "$status" -eq 2 ]
	run lb todo frobnicate
	[ "$status" -eq 2 ]
	[ "$(last_field seq)" = 1 ]
}

@test "todo list --json is one array of the open todos" {
	new_journal
	lb todo add one >/dev/null
	lb todo add --host db1 --due 2026-12-24 two >/dev/null
	lb todo "done" web1:1 >/dev/null
	run lb todo list --json
	[ "$status" -eq 0 ]
	run py -c 'import sys, json; d = json.loads(sys.argv[1]); print(len(d), d[0]["ref"], d[0]["host"], d[0]["text"], d[0]["due"])' "$output"
	[ "$output" = "1 web1:2 db1 two 2026_12_24" ]
}

@test "open todos are in news and in the digest until done" {
	new_journal
	LOGBOOK_USER=bob lb todo add remove nginx.conf.orig >/dev/null
	run lb news --no-pager
	[[ "$output" == *$'Left to do (logbook todo list):\n  web1:1 remove nginx.conf.orig (bob, on web1)'* ]] || fail "$output"
	[[ "$output" == *"bob left to do on web1: remove nginx.conf.orig  (web1:1)"* ]] || fail "$output"
	run lb digest today
	[[ "$output" == *$'Left to do (logbook todo list):\n  web1:1 remove nginx.conf.orig (bob, on web1)'* ]] || fail "$output"
	lb todo "done" web1:1 >/dev/null
	run lb news --no-pager --all
	[[ "$output" != *"Left to do"* ]] || fail "$output"
	run lb digest today
	[[ "$output" != *"Left to do"* ]] || fail "$output"
}

@test "a shell starting on the host a todo is about lists it; on another host it does not" {
	new_journal
	lb todo add --host db1 check the backups >/dev/null
	lb todo add rotate the logs >/dev/null
	run --separate-stderr lb hook bash
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"left to do on web1"*"web1:2 rotate the logs (alice)"* ]] || fail "$stderr"
	[[ "$stderr" != *"check the backups"* ]] || fail "$stderr"
	# standard output stays the code for eval
	bash -n <<<"$output"
	run --separate-stderr env LOGBOOK_HOST=db1 "$LOGBOOK" hook bash
	[[ "$stderr" == *"web1:1 check the backups"* ]] || fail "$stderr"
	# the code for ssh HOST CMD prints nothing, anywhere
	run --separate-stderr lb hook --command bash
	[ -z "$stderr" ]
	lb todo "done" web1:2 >/dev/null
	run --separate-stderr lb hook bash
	[[ "$stderr" != *"left to do"* ]] || fail "$stderr"
}

@test "a shell start never builds the index: without one it lists what the cache has, and reads no older record file" {
	new_journal
	lb todo add rotate the logs >/dev/null
	rm -f "$LOGBOOK_DIR/.state/index.sqlite"* "$LOGBOOK_DIR/.state/threads"
	run --separate-stderr lb hook bash
	[[ "$stderr" != *"left to do"* ]] || fail "$stderr"
	[ ! -e "$LOGBOOK_DIR/.state/index.sqlite" ]
	command -v strace >/dev/null || skip "strace is not installed"
	lb todo list >/dev/null
	# (its status is not the point: under ASan, LeakSanitizer cannot run under ptrace)
	strace -f -qq -e trace=openat -o "$BATS_TEST_TMPDIR/trace" "$LOGBOOK" hook bash >/dev/null 2>&1 || true
	grep -q "threads" "$BATS_TEST_TMPDIR/trace"
	# only the newest day file of each host, whose tail the incident reminder
	# reads (src/journal/incident.h); the todos come from the cache alone
	run grep -c '\.jsonl"' "$BATS_TEST_TMPDIR/trace"
	[ "$output" -le 2 ] || fail "$(grep jsonl "$BATS_TEST_TMPDIR/trace")"
	run grep '\.jsonl"' "$BATS_TEST_TMPDIR/trace"
	for l in "${lines[@]}"; do
		[[ $l == *"/$(today)/web1.jsonl"* ]] || fail "$l"
	done
}

# ---- replicas: the same todos and replies everywhere after a sync ----

replica() {
	local h=$1
	[ -d "$HUB" ] || git init -q --bare "$HUB"
	LOGBOOK_HOST=$h "$LOGBOOK" init --timezone UTC "$BATS_TEST_TMPDIR/$h" >/dev/null
	LOGBOOK_HOST=$h "$LOGBOOK" -C "$BATS_TEST_TMPDIR/$h" remote add hub "$HUB"
}

on() {
	local h=$1
	shift
	LOGBOOK_HOST=$h LOGBOOK_DIR="$BATS_TEST_TMPDIR/$h" "$LOGBOOK" "$@"
}

# shellcheck disable=SC2030,SC2031 # run sets status and output here, where they are read
sync_all() {
	for _ in 1 2; do
		for h in "$@"; do
			run on "$h" sync
			[ "$status" -eq 0 ] || fail "$h: $output"
		done
	done
}

@test "a todo added on one replica is done on another; after sync both agree, replies too" {
	export HUB="$BATS_TEST_TMPDIR/hub.git"
	replica web1
	replica db1
	on web1 todo add --host db1 check the backups >/dev/null
	on web1 note "moved the backups to /srv" >/dev/null
	sync_all web1 db1
	# the shell start on db1 lists it, from what sync kept (it builds no index itself)
	run --separate-stderr on db1 hook bash
	[[ "$stderr" == *"web1:1 check the backups"* ]] || fail "$stderr"
	run on db1 todo list
	[[ "$output" == "web1:1  "*"  db1  check the backups  (alice)" ]] || fail "$output"
	LOGBOOK_USER=bob on db1 todo "done" web1:1 >/dev/null
	LOGBOOK_USER=bob on db1 note --reply web1:2 "the old path is still in the cron job" >/dev/null
	sync_all web1 db1
	for h in web1 db1; do
		run on $h todo list
		[ -z "$output" ] || fail "$h: $output"
		run on $h todo list --all --json
		echo "$output" >"$BATS_TEST_TMPDIR/todos.$h"
		run on $h show --color=never
		[[ "$output" == *"> "*" bob: the old path is still in the cron job  db1:"* ]] || fail "$h: $output"
	done
	cmp "$BATS_TEST_TMPDIR/todos.web1" "$BATS_TEST_TMPDIR/todos.db1"
	# alice on web1 hears of the reply
	run on web1 news --no-pager
	[ "${lines[0]}" = "Replies to you:" ] || fail "$output"
}

@test "what sync keeps for the shells' start follows a todo written in the same second as the last sync" {
	# shellcheck disable=SC2031 # each test sets its own hub
	export HUB="$BATS_TEST_TMPDIR/hub.git"
	replica web1
	replica db1
	sync_all web1 db1
	on web1 todo add --host db1 check the backups >/dev/null
	run on web1 sync
	run on db1 sync
	# at once: the store rewrites web1's chain head, sync db1's ref of web1, within the same tick
	on web1 todo add --host db1 rotate the keys >/dev/null
	run on web1 sync
	run on db1 sync
	run --separate-stderr on db1 hook bash
	[[ "$stderr" == *"web1:2 rotate the keys"* ]] || fail "$stderr"
	# a sync with nothing new leaves the cache as an update of the index would
	run on db1 sync
	cp "$BATS_TEST_TMPDIR/db1/.state/threads" "$BATS_TEST_TMPDIR/threads.sync"
	on db1 todo list >/dev/null
	cmp "$BATS_TEST_TMPDIR/threads.sync" "$BATS_TEST_TMPDIR/db1/.state/threads"
}

@test "--help of todo and ack, and the man page lists both" {
	run lb todo --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook todo add"* ]]
	run lb ack --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook ack REF"* ]]
	grep -q '^\.SS "logbook todo' "$BATS_TEST_DIRNAME/../man/logbook.1"
	grep -q '^\.SS "logbook ack' "$BATS_TEST_DIRNAME/../man/logbook.1"
}
