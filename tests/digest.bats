#!/usr/bin/env bats
# logbook digest: a day's summary as a mail (tests/mta.bats sends one
# through a real postfix)

load lib

# a sendmail that keeps its arguments and the mail it is given
fake_sendmail() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/sendmail" <<-EOS
	#!/bin/sh
	printf '%s\n' "\$@" >"$BATS_TEST_TMPDIR/sendmail.args"
	cat >"$BATS_TEST_TMPDIR/sendmail.mail"
	exit \${FAKE_SENDMAIL_STATUS:-0}
	EOS
	chmod +x "$BATS_TEST_TMPDIR/bin/sendmail"
	export PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

a_day() {
	new_journal
	printf '[admin "alice"]\n\temail = alice@example.org\n[admin "bob"]\n\temail = bob@example.org\n' >>"$LOGBOOK_DIR/team.conf"
	lb note "Replaced the failing disk of storage1"
	LOGBOOK_USER=bob lb note "Rotated the TLS certificate"
	lb event -s backup -l info "backup done in 2h"
	lb event -s monitoring -l critical "gitlab is down"
	LOGBOOK_HOST=backup2 lb event -s smartd -l warning "pending sectors on sda"
	lb ingest-mail <"$BATS_TEST_DIRNAME/mail/cron.eml"
}

@test "the digest is a mail: headers, UTF-8 text/plain, one section per host" {
	a_day
	run lb digest today
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "From: logbook <logbook@web1>" ]]
	[[ "$output" == *$'\nTo: alice@example.org, bob@example.org\n'* ]]
	[[ "$output" == *"Subject: [logbook] $(today): 2 hosts, 1 critical, 2 warnings"* ]]
	[[ "$output" == *"Content-Type: text/plain; charset=UTF-8"* ]]
	[[ "$output" == *"== backup2 =="*"== web1 =="* ]]
	[[ "$output" == *"alice: Replaced the failing disk of storage1"* ]]
	[[ "$output" == *"bob: Rotated the TLS certificate"* ]]
}

@test "events are listed by level, the critical ones first" {
	a_day
	run lb digest today
	local web1=${output#*== web1 ==}
	[[ "$web1" == *"Events: 1 critical, 1 warning, 1 info"* ]]
	[[ "$web1" == *"critical"*"gitlab is down"*"warning"*"Cron <root@web1>"*"info"*"backup done"* ]]
}

@test "commands per admin and the unsigned ones are counted" {
	new_journal
	# commands as the hook spools them, ingested by the next logbook command
	lb import --help >/dev/null
	printf 'apt-get update\nsystemctl restart nginx\n' >"$BATS_TEST_TMPDIR/hist"
	lb import --bash "$BATS_TEST_TMPDIR/hist" >/dev/null 2>&1 || skip "import cannot file today's commands"
	run lb digest today
	[[ "$output" == *"Commands: alice"* ]] || skip "imported commands are not filed today"
	[[ "$output" == *"Unsigned work (commands no entry covers): alice"* ]]
}

@test "digest.to and digest.from of team.conf are used" {
	a_day
	printf '[digest]\n\tto = admins@example.org\n\tto = oncall@example.org\n\tfrom = Logbook <lb@example.org>\n' >>"$LOGBOOK_DIR/team.conf"
	run lb digest today
	[[ "$output" == *$'\nTo: admins@example.org, oncall@example.org\n'* ]]
	[[ "${lines[0]}" == "From: Logbook <lb@example.org>" ]]
}

@test "--send pipes the mail to sendmail -t" {
	a_day
	fake_sendmail
	run lb digest --send today
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -qx -- -t "$BATS_TEST_TMPDIR/sendmail.args"
	grep -q '^Subject: \[logbook\]' "$BATS_TEST_TMPDIR/sendmail.mail"
	grep -q 'gitlab is down' "$BATS_TEST_TMPDIR/sendmail.mail"
}

@test "--send fails when sendmail fails, or when there is no recipient" {
	a_day
	fake_sendmail
	FAKE_SENDMAIL_STATUS=75 run lb digest --send today
	[ "$status" -eq 1 ]
	[[ "$output" == *"sendmail -t exited with status 75"* ]]
	new_journal_again() { rm -rf "$LOGBOOK_DIR"; new_journal; }
	new_journal_again
	run lb digest --send today
	[ "$status" -eq 1 ]
	[[ "$output" == *"no recipient"* ]]
}

@test "a day without records is a short digest; the default day is yesterday" {
	new_journal
	run lb digest
	[ "$status" -eq 0 ]
	[[ "$output" == *"Subject: [logbook] $(date -u -d yesterday +%Y_%m_%d): 0 hosts"* ]]
}

@test "control characters in records do not reach the mail" {
	new_journal
	lb event $'evil\e[2Jtext\rmore'
	run lb digest today
	[[ "$output" == *'evil\e[2Jtext\rmore'* ]]
}

@test "digest --help and a bad day" {
	run lb digest --help
	[ "$status" -eq 0 ]
	[[ "$output" == *--send* ]]
	new_journal
	run lb digest notaday
	[ "$status" -eq 2 ]
}
