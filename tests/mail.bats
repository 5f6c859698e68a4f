#!/usr/bin/env bats
# logbook ingest-mail: mail piped in by an MTA, read from standard input
# (tests/mta.bats delivers through a real postfix)

load lib

CORPUS=$BATS_TEST_DIRNAME/mail

# a field of the mail object of the last record: mail_field KEY
mail_field() {
	py -c 'import json,sys; r=json.loads(open(sys.argv[1],"rb").read().splitlines()[-1]); v=r["mail"][sys.argv[2]]; print(v if isinstance(v,str) else json.dumps(v, ensure_ascii=False))' "$(day_file)" "$1"
}

@test "a cron mail is filed with its headers and body, as a warning by the default rule" {
	new_journal
	run lb ingest-mail <"$CORPUS/cron.eml"
	[ "$status" -eq 0 ]
	[ "$(last_field kind)" = event ]
	[ "$(last_field source)" = mail ]
	[ "$(last_field admin)" = mail ]
	[ "$(last_field level)" = warning ]
	[ "$(mail_field rule)" = default-cron ]
	[ "$(mail_field subject)" = "Cron <root@web1> /usr/local/bin/backup-db" ]
	[ "$(mail_field from)" = "root@web1.example.org (Cron Daemon)" ]
	[ "$(mail_field message_id)" = "20261126040001.1A2B3C@web1.example.org" ]
	[ "$(mail_field date)" = "Thu, 26 Nov 2026 04:00:01 +0000 (UTC)" ]
	[ "$(mail_field size)" -eq "$(wc -c <"$CORPUS/cron.eml")" ]
	[[ "$(last_field text)" == "pg_dump: error: connection"*"exit 1" ]]
	run lb show --no-pager
	[[ "$output" == *"[warning] mail: Cron <root@web1> /usr/local/bin/backup-db  from root@web1.example.org"* ]]
}

@test "multipart: text/plain is preferred, quoted-printable Latin-1 converted, attachments listed, encoded subject decoded" {
	new_journal
	lb ingest-mail <"$CORPUS/multipart-attach.eml"
	[ "$(mail_field subject)" = "Sauvegarde terminée ✓" ]
	[ "$(mail_field body)" = text/plain ]
	[ "$(last_field text)" = $'Sauvegarde du serveur terminée à 23:55.\nVolumes: 3, taille: 120 Go.' ]
	[ "$(mail_field attachments)" = '[{"name": "backup.log.gz", "type": "application/gzip", "size": 31}]' ]
	[ "$(mail_field problems)" = "[]" ]
}

@test "ISO-8859-1 encoded words and an 8-bit Latin-1 body become UTF-8" {
	new_journal
	lb ingest-mail <"$CORPUS/latin1-subject.eml"
	[ "$(mail_field from)" = "Jürgen Müller <jurgen@example.de>" ]
	[ "$(mail_field subject)" = "Präsentation über die Läste" ]
	[ "$(last_field text)" = "Grüße aus München" ]
}

@test "an HTML-only mail in base64 is reduced to text" {
	new_journal
	lb ingest-mail <"$CORPUS/html-only.eml"
	[ "$(mail_field body)" = text/html ]
	[ "$(last_field text)" = $'Disk /var is at 95% & growing.\nused 95%' ]
}

@test "the default rules: mdadm and smartd are critical, a DSA and a failed upgrade are warnings" {
	new_journal
	lb ingest-mail <"$CORPUS/broken-boundary.eml"
	[ "$(last_field level)" = critical ]
	[ "$(mail_field rule)" = default-mdadm ]
	lb ingest-mail <"$CORPUS/smartd.eml"
	[ "$(last_field level)" = critical ]
	lb ingest-mail <"$CORPUS/dsa.eml"
	[ "$(last_field level)" = warning ]
	[ "$(mail_field rule)" = default-security-list ]
	lb ingest-mail <"$CORPUS/uu.eml"
	[ "$(last_field level)" = warning ]
	[ "$(mail_field rule)" = default-apt-failure ]
}

@test "a team.conf rule sets the level, and replaces the default rule of the same name" {
	new_journal
	cat >>"$LOGBOOK_DIR/team.conf" <<-'EOC'
	[mail "nightly-backup"]
		from = ^.?Backup Report
		subject = Sauvegarde
		level = critical
	[mail "default-cron"]
		subject = ^Cron <
		level = info
	EOC
	lb ingest-mail <"$CORPUS/multipart-attach.eml"
	[ "$(last_field level)" = critical ]
	[ "$(mail_field rule)" = nightly-backup ]
	lb ingest-mail <"$CORPUS/cron.eml"
	[ "$(last_field level)" = info ]
	[ "$(mail_field rule)" = default-cron ]
}

@test "a broken rule is reported with its line and ignored; the mail is still filed" {
	new_journal
	printf '[mail "bad"]\n\tsubject = (unclosed\n\tlevel = critical\n' >>"$LOGBOOK_DIR/team.conf"
	run lb ingest-mail <"$CORPUS/smartd.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"team.conf:"*'mail rule "bad"'*"regular expression"* ]]
	[ "$(last_field level)" = critical ]
}

@test "the same Message-ID is filed once" {
	new_journal
	lb ingest-mail <"$CORPUS/cron.eml"
	run lb ingest-mail <"$CORPUS/cron.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"already filed"* ]]
	[ "$(grep -c 1A2B3C "$(day_file)")" -eq 1 ]
}

@test "a locked journal exits 75 (EX_TEMPFAIL) and files nothing; the retry files it once" {
	new_journal
	lb note first
	(exec 9<>"$LOGBOOK_DIR/.state/chain/web1" && flock 9 && exec sleep 10) &
	local holder=$!
	sleep 0.3
	run lb ingest-mail --lock-timeout 1 <"$CORPUS/smartd.eml"
	[ "$status" -eq 75 ]
	[[ "$output" == *"the MTA will retry"* ]]
	kill "$holder"
	wait "$holder" || true
	[ "$(grep -c smartd-7 "$(day_file)")" -eq 0 ]
	lb ingest-mail <"$CORPUS/smartd.eml"
	lb ingest-mail <"$CORPUS/smartd.eml"
	[ "$(grep -c smartd-7 "$(day_file)")" -eq 1 ]
	jsonl chain "$LOGBOOK_DIR" web1
}

@test "no journal exits 75, so that the MTA keeps the mail" {
	run lb -C "$BATS_TEST_TMPDIR/none" ingest-mail <"$CORPUS/cron.eml"
	[ "$status" -eq 75 ]
}

@test "logbook runs the helper beside it; without one there or installed it exits 75" {
	new_journal
	mkdir "$BATS_TEST_TMPDIR/bin"
	cp "$LOGBOOK" "$BATS_TEST_TMPDIR/bin/logbook"
	run --separate-stderr "$BATS_TEST_TMPDIR/bin/logbook" ingest-mail <"$CORPUS/cron.eml"
	[ "$status" -ne 0 ] || skip "logbook-ingest-mail is installed on this machine"
	[ "$status" -eq 75 ]
	[[ "$stderr" == "logbook: ingest-mail: cannot run /"*"/logbook/logbook-ingest-mail: No such file or directory (the MTA will retry)" ]] || fail "$stderr"
	[ ! -e "$(day_file)" ]
	cp "$(dirname "$LOGBOOK")/logbook-ingest-mail" "$BATS_TEST_TMPDIR/bin/"
	"$BATS_TEST_TMPDIR/bin/logbook" ingest-mail <"$CORPUS/cron.eml"
	[ "$(mail_field subject)" = "Cron <root@web1> /usr/local/bin/backup-db" ]
}

@test "a journal the user cannot write exits 75" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to nobody"
	new_journal
	let_others_in
	chmod -R o+rX "$LOGBOOK_DIR"
	run as_nobody "$LOGBOOK" ingest-mail <"$CORPUS/cron.eml"
	[ "$status" -eq 75 ]
}

@test "every message of the corpus is filed, exactly once, with valid UTF-8 and a chain that verifies" {
	new_journal
	local n=0 f
	for f in "$CORPUS"/*.eml; do
		run lb ingest-mail <"$f"
		[ "$status" -eq 0 ] || fail "$f: exit $status: $output"
		n=$((n + 1))
	done
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq "$n" ]
	iconv -f UTF-8 -t UTF-8 "$(day_file)" >/dev/null
	lb verify >/dev/null
}

@test "malformed input is kept and marked: no header, broken boundary, truncated, invalid UTF-8, binary junk" {
	new_journal
	lb ingest-mail <"$CORPUS/no-headers.eml"
	[ "$(last_field text)" = $'just some text piped in by mistake\nsecond line' ]
	[[ "$(mail_field problems)" == *"no mail header"* ]]
	lb ingest-mail <"$CORPUS/broken-boundary.eml"
	[ "$(mail_field body)" = raw ]
	[[ "$(last_field text)" == *"A DegradedArray event had been detected"* ]]
	lb ingest-mail <"$CORPUS/truncated.eml"
	[ "$(last_field text)" = "hello wor" ]
	[[ "$(mail_field problems)" == *truncated* ]]
	lb ingest-mail <"$CORPUS/invalid-utf8.eml"
	[[ "$(mail_field problems)" == *"not valid UTF-8"* ]]
	[[ "$(last_field text)" == "body "*" end" ]]
	head -c 100000 /dev/urandom | lb ingest-mail
	[ "$(mail_field size)" -eq 100000 ]
	iconv -f UTF-8 -t UTF-8 "$(day_file)" >/dev/null
}

@test "huge lines: a 2 MB Subject is cut to 1 KiB and a 10 MB body line to 64 KiB" {
	new_journal
	py -c 'import sys; sys.stdout.buffer.write(b"From: a@b\nSubject: " + b"S" * 2000000 + b"\nMessage-ID: <huge@b>\n\n" + b"x" * 10000000 + b"\n")' |
		lb ingest-mail
	[ "$(mail_field subject | wc -c)" -eq 1025 ]
	[[ "$(mail_field problems)" == *"Subject header of 2000000 bytes"* ]]
	[ "$(last_field text_size)" -eq 10000000 ]
	[ "$(tail -n 1 "$(day_file)" | wc -c)" -lt 70000 ]
}

@test "an empty message and a message of headers only are filed" {
	new_journal
	lb ingest-mail </dev/null
	[ "$(mail_field size)" -eq 0 ]
	printf 'From: a@b\nSubject: only headers\n' | lb ingest-mail
	[ "$(mail_field subject)" = "only headers" ]
	[ "$(mail_field body)" = none ]
}

@test "a 30 MB message with a large attachment is filed whole in size, its text bounded" {
	new_journal
	py - "$BATS_TEST_TMPDIR/big.eml" <<-'EOP'
	import base64, sys
	with open(sys.argv[1], "wb") as f:
	    f.write(b"From: backup@backup2\nTo: root\nSubject: dump\nMessage-ID: <big@backup2>\n"
	            b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=BB\n\n--BB\n"
	            b"Content-Type: text/plain\n\n" + b"log line\n" * 20000 +
	            b"--BB\nContent-Type: application/octet-stream; name=dump.bin\n"
	            b"Content-Transfer-Encoding: base64\n\n")
	    f.write(base64.encodebytes(bytes(range(256)) * 90000))
	    f.write(b"--BB--\n")
	EOP
	local size
	size=$(wc -c <"$BATS_TEST_TMPDIR/big.eml")
	[ "$size" -gt 30000000 ]
	lb ingest-mail <"$BATS_TEST_TMPDIR/big.eml"
	[ "$(mail_field size)" -eq "$size" ]
	[ "$(last_field text_size)" -eq 179999 ]
	[ "$(printf '%s' "$(last_field text)" | wc -c)" -le 65536 ]
	[[ "$(mail_field attachments)" == *'"size": 23040000'* ]]
	# the record stays a line of a reasonable size
	[ "$(tail -n 1 "$(day_file)" | wc -c)" -lt 131072 ]
}

@test "search finds a mail by its subject and its sender" {
	new_journal
	lb ingest-mail <"$CORPUS/dsa.eml"
	run lb search "DSA 5999"
	[[ "$output" == *openssl* || "$output" == *DSA* ]]
	run lb search "jmm@debian.org"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
}

@test "ingest-mail --help names the exit statuses" {
	run lb ingest-mail --help
	[ "$status" -eq 0 ]
	[[ "$output" == *75* && "$output" == *--lock-timeout* ]]
}
