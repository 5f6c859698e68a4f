#!/usr/bin/env bats
# logbook news: what the others did since this admin last looked

load lib

# bob's commands N days ago on HOST (default web1), through an imported history
cmds_days_ago() {
	local days=$1 host=${3:-web1} t
	t=$(($(date +%s) - days * 86400))
	printf '#%s\n%s\n' "$t" "$2" >"$BATS_TEST_TMPDIR/h.$days"
	LOGBOOK_HOST=$host LOGBOOK_USER=bob lb import --bash-history "$BATS_TEST_TMPDIR/h.$days" >/dev/null
}

@test "the first run shows the last 7 days of the others, grouped by day and host, notes first" {
	new_journal
	cmds_days_ago 9 'echo nine days ago'
	cmds_days_ago 5 'systemctl reload nginx'
	cmds_days_ago 5 'nginx -t'
	LOGBOOK_HOST=db1 LOGBOOK_USER=carol lb note $'vacuumed the database\nit had grown to 40 GB'
	LOGBOOK_HOST=web1 LOGBOOK_USER=bob lb note "moved the cron job to a timer"
	lb note "my own note is not news to me"
	run --separate-stderr lb news --no-pager
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" != *"nine days ago"* ]] || fail "older than 7 days: $output"
	[[ "$output" != *"my own note"* ]] || fail "own record shown: $output"
	local five today
	five=$(date -u -d @$(($(date +%s) - 5 * 86400)) +%Y_%m_%d)
	today=$(today)
	# day pages in order, hosts in order, notes before the commands
	[ "${lines[0]}" = "$five" ]
	[ "${lines[1]}" = "  web1" ]
	[[ "${lines[2]}" == "    bob ran 2 commands, "*": systemctl reload nginx; nginx -t" ]]
	[ "${lines[3]}" = "$today" ]
	[ "${lines[4]}" = "  db1" ]
	[[ "${lines[5]}" == "    "??:??:??" carol: vacuumed the database" ]]
	[ "${lines[6]}" = "               it had grown to 40 GB" ]
	[ "${lines[7]}" = "  web1" ]
	[[ "${lines[8]}" == "    "??:??:??" bob: moved the cron job to a timer" ]]
	[ "${#lines[@]}" -eq 9 ]
}

@test "the next run shows only what came since; --peek does not move the place, --all ignores it" {
	new_journal
	LOGBOOK_USER=bob lb note "first"
	run lb news --no-pager
	[[ "$output" == *"bob: first"* ]]
	run lb news --no-pager
	[ "$status" -eq 0 ]
	[[ "$output" == "nothing new since you last looked ("*")" ]]
	LOGBOOK_USER=bob lb note "second"
	run lb news --no-pager --peek
	[[ "$output" == *"bob: second"* ]] && [[ "$output" != *"first"* ]]
	run lb news --no-pager
	[[ "$output" == *"bob: second"* ]]
	run lb news --no-pager
	[[ "$output" == "nothing new since"* ]]
	run lb news --no-pager --all
	[[ "$output" == *"bob: first"* ]] && [[ "$output" == *"bob: second"* ]]
	# each admin has a place of their own
	run env LOGBOOK_USER=carol "$LOGBOOK" news --no-pager
	[[ "$output" == *"bob: first"* ]] && [[ "$output" == *"bob: second"* ]]
}

@test "records that arrive late, filed under an old day, are still news when they arrive" {
	new_journal
	LOGBOOK_USER=bob lb note "today's note"
	run lb news --no-pager
	[[ "$output" == *"today's note"* ]]
	# bob's history of three days ago reaches this replica only now
	cmds_days_ago 3 'zpool scrub tank' db1
	run lb news --no-pager
	[ "$status" -eq 0 ]
	[[ "$output" == *"bob ran 1 command, "*": zpool scrub tank"* ]] || fail "$output"
	[[ "$output" != *"today's note"* ]]
}

@test "a deleted or rebuilt index loses no news: the time of the last run stands in" {
	new_journal
	LOGBOOK_USER=bob lb note "before"
	lb news --no-pager >/dev/null
	sleep 0.01
	LOGBOOK_USER=bob lb note "after"
	rm -f "$LOGBOOK_DIR/.state/index.sqlite"
	run lb news --no-pager
	[ "$status" -eq 0 ]
	[[ "$output" == *"bob: after"* ]] || fail "$output"
	[[ "$output" != *"bob: before"* ]] || fail "$output"
	# and the place is kept in the new index's terms
	run lb news --no-pager
	[[ "$output" == "nothing new since"* ]]
}

@test "file changes come before commands, and nobody's changes say so" {
	new_journal
	mkdir -p "$BATS_TEST_TMPDIR/srv"
	printf 'a\n' >"$BATS_TEST_TMPDIR/srv/app.conf"
	lb watch add "$BATS_TEST_TMPDIR/srv" >/dev/null
	printf 'b\n' >"$BATS_TEST_TMPDIR/srv/app.conf"
	LOGBOOK_USER=bob lb commit -m "changed the app" >/dev/null
	printf 'c\n' >"$BATS_TEST_TMPDIR/srv/app.conf"
	lb scan --grace 0 >/dev/null
	run --separate-stderr lb news --no-pager
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"bob: changed the app"*"bob changed $BATS_TEST_TMPDIR/srv/app.conf (content)"*"unattributed changed $BATS_TEST_TMPDIR/srv/app.conf (content): nobody committed it"* ]] || fail "$output"
}

@test "control characters in records are shown escaped" {
	new_journal
	LOGBOOK_USER=bob lb note $'evil \e[2J title'
	run lb news --no-pager
	[[ "$output" == *'bob: evil \e[2J title'* ]] || fail "$output"
}

@test "a damaged place file is reported and replaced; an unwritable one is a warning" {
	new_journal
	LOGBOOK_USER=bob lb note "a note"
	mkdir -p "$LOGBOOK_DIR/.state/news"
	printf 'garbage\n' >"$LOGBOOK_DIR/.state/news/alice"
	run --separate-stderr lb news --no-pager
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"not a news marker"* ]] || fail "$stderr"
	[[ "$output" == *"bob: a note"* ]]
	run lb news --no-pager
	[[ "$output" == "nothing new since"* ]]
	# a place that cannot be written (even by root: a file where the directory goes)
	rm -rf "$LOGBOOK_DIR/.state/news"
	printf 'not a directory\n' >"$LOGBOOK_DIR/.state/news"
	run --separate-stderr lb news --no-pager
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"cannot keep your place"* ]] || fail "$stderr"
	[[ "$output" == *"bob: a note"* ]]
}

@test "news: usage errors exit 2, --help exits 0" {
	new_journal
	run lb news --bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: logbook news"* ]]
	run lb news --since nonsense
	[ "$status" -eq 2 ]
	run lb news extra
	[ "$status" -eq 2 ]
	run lb news --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook news"* ]]
}

@test "events are news, critical first, even from a script that ran under your name" {
	new_journal
	LOGBOOK_HOST=backup1 lb event --source backup --level info "nightly backup done: 12 GB"
	LOGBOOK_HOST=backup1 LOGBOOK_USER=root lb event --source smartd --level critical "/dev/sdb: 8 reallocated sectors"
	LOGBOOK_HOST=backup1 LOGBOOK_USER=bob lb note "ordered a new disk for backup1"
	run --separate-stderr lb news --no-pager
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[1]}" = "  backup1" ]
	[[ "${lines[2]}" == *" bob: ordered a new disk for backup1" ]] || fail "$output"
	[[ "${lines[3]}" == *" event [critical] smartd: /dev/sdb: 8 reallocated sectors" ]] || fail "$output"
	[[ "${lines[4]}" == *" event [info] backup: nightly backup done: 12 GB" ]] || fail "$output"
}

@test "a mail filed by ingest-mail shows its subject" {
	new_journal
	printf 'From: root@db1\nTo: root\nSubject: Cron <root@db1> /usr/local/bin/dump\nMessage-ID: <n1@db1>\n\npg_dump: error: connection refused\n' |
		LOGBOOK_HOST=db1 lb ingest-mail
	run lb news --no-pager
	[[ "$output" == *"event ["*"] mail: Cron <root@db1> /usr/local/bin/dump"* ]] || fail "$output"
}

@test "a sync that brings more records of a host shows only the new ones" {
	replicas_with_hub web1 db1
	LOGBOOK_HOST=db1 LOGBOOK_USER=bob lb -C "$BATS_TEST_TMPDIR/db1" note "first from db1"
	LOGBOOK_HOST=db1 lb -C "$BATS_TEST_TMPDIR/db1" sync >/dev/null
	lb -C "$BATS_TEST_TMPDIR/web1" sync >/dev/null
	run lb -C "$BATS_TEST_TMPDIR/web1" news --no-pager
	[[ "$output" == *"bob: first from db1"* ]] || fail "$output"
	LOGBOOK_HOST=db1 LOGBOOK_USER=bob lb -C "$BATS_TEST_TMPDIR/db1" note "second from db1"
	LOGBOOK_HOST=db1 lb -C "$BATS_TEST_TMPDIR/db1" sync >/dev/null
	lb -C "$BATS_TEST_TMPDIR/web1" sync >/dev/null
	run lb -C "$BATS_TEST_TMPDIR/web1" news --no-pager
	[ "$status" -eq 0 ]
	[[ "$output" == *"bob: second from db1"* ]] || fail "$output"
	[[ "$output" != *"first from db1"* ]] || fail "shown again: $output"
}

@test "a host whose clock runs ahead is not news again once the index is rebuilt" {
	new_journal
	# db1's clock is ten minutes ahead of this one
	printf '#%s\n%s\n' "$(($(date +%s) + 600))" 'systemctl restart postgresql' >"$BATS_TEST_TMPDIR/h"
	LOGBOOK_HOST=db1 LOGBOOK_USER=bob lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	run lb news --no-pager
	[[ "$output" == *"restart postgresql"* ]] || fail "$output"
	rm -f "$LOGBOOK_DIR/.state/index.sqlite"
	LOGBOOK_HOST=db1 LOGBOOK_USER=bob lb note "moved the dumps"
	run lb news --no-pager
	[ "$status" -eq 0 ]
	[[ "$output" == *"bob: moved the dumps"* ]] || fail "$output"
	[[ "$output" != *"restart postgresql"* ]] || fail "shown again: $output"
}

@test "commands are counted from their rows; the last three with text are shown, first lines only" {
	new_journal
	d=$(date -u +%Y-%m-%d)
	c() { jsonl append "$LOGBOOK_DIR" db1 "${d}T00:00:0$1" cmd "{\"admin\":\"bob\",\"session\":\"s1\"$2}" >/dev/null; }
	c 1 ',"cmd":"echo a"'
	c 2 ',"cmd":"echo b"'
	# shellcheck disable=SC2016 # a command text, as typed
	c 3 ',"cmd":"for i in 1 2\ndo echo $i\ndone"'
	c 4 ",\"cmd_b64\":\"$(printf 'cat caf\351' | base64)\""
	c 5 ',"exit":0'
	c 6 ',"cmd":"echo z"'
	run --separate-stderr lb news --no-pager
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"    bob ran 6 commands, 00:00:01-00:00:06, the last: for i in 1 2 ...; cat caf\xe9; echo z"* ]] || fail "$output"
}
