#!/usr/bin/env bats
# A real mail system: postfix, configured for local delivery only, with an
# alias that pipes to the logbook under test, as /etc/aliases would.  Mail
# sent with sendmail lands in a journal shared with the MTA's unprivileged
# user; digest --send comes back in a local mailbox.  The configuration of
# postfix is restored afterwards, and postfix stopped if it was not running.
#
# Needs root (postfix's configuration, and the pipe runs as nobody) and
# postfix (scripts/deps check installs it, "Local only").

load lib

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	command -v postfix >/dev/null || [ -x /usr/sbin/postfix ] || return 0
	export PATH="$PATH:/usr/sbin:/sbin"
	# a directory nobody can reach: bats' own temporary directories are private
	MTA_DIR=$(mktemp -d /tmp/logbook-mta.XXXXXX)
	chmod 0755 "$MTA_DIR"
	export MTA_DIR
	cp -p /etc/postfix/main.cf "$MTA_DIR/main.cf.orig"
	if postfix status >/dev/null 2>&1; then
		echo running >"$MTA_DIR/was-running"
	fi
	# the journal is shared with nobody's group, as the man page says to do
	install -d -g nogroup -m 2770 "$MTA_DIR/journal"
	TZ=UTC LOGBOOK_HOST=web1 LOGBOOK_USER=alice "$LOGBOOK" init --timezone UTC "$MTA_DIR/journal" >/dev/null
	printf '[digest]\n\tto = digest-box@localhost\n' >>"$MTA_DIR/journal/team.conf"
	# a mailbox file for the digest, writable by the alias owner
	install -m 0600 -o nobody -g nogroup /dev/null "$MTA_DIR/digest.mbox"
	cat >"$MTA_DIR/aliases" <<-EOF
	logbook-test: "|$LOGBOOK -C $MTA_DIR/journal ingest-mail --lock-timeout 2"
	digest-box: $MTA_DIR/digest.mbox
	EOF
	postalias "$MTA_DIR/aliases"
	# commands and files of an alias file run as its owner (root's: default_privs)
	chown nobody:nogroup "$MTA_DIR/aliases" "$MTA_DIR/aliases.db"
	[ -e /etc/aliases.db ] || newaliases
	postconf -e "inet_interfaces = loopback-only" "default_transport = error" "relay_transport = error" \
		"relayhost =" "mydestination = localhost, \$myhostname, localhost.localdomain" \
		"alias_maps = hash:/etc/aliases, hash:$MTA_DIR/aliases" "message_size_limit = 64000000" \
		"mailbox_size_limit = 0" "queue_run_delay = 1s" "minimal_backoff_time = 1s" \
		"maximal_backoff_time = 2s"
	if [ -e "$MTA_DIR/was-running" ]; then
		postfix reload >/dev/null 2>&1
	else
		postfix start >/dev/null 2>&1
	fi
	postfix status >/dev/null 2>&1 && echo ok >"$MTA_DIR/ready"
}

teardown_file() {
	[ -n "${MTA_DIR:-}" ] || return 0
	export PATH="$PATH:/usr/sbin:/sbin"
	# a message of these tests left in the queue (a failed run) would be
	# delivered into the next run's journal: drop those, and only those
	postqueue -j 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if any(r.get("address", "").split("@")[0] in ("logbook-test", "digest-box") for r in m.get("recipients", [])):
        print(m["queue_id"])' | postsuper -d - >/dev/null 2>&1 || true
	cp -p "$MTA_DIR/main.cf.orig" /etc/postfix/main.cf
	if [ -e "$MTA_DIR/was-running" ]; then
		postfix reload >/dev/null 2>&1 || true
	else
		postfix stop >/dev/null 2>&1 || true
	fi
	# the user and group logbook, when a test made them
	[ ! -e "$MTA_DIR/made-user" ] || userdel logbook || true
	[ ! -e "$MTA_DIR/made-group" ] || groupdel logbook || true
	rm -rf "$MTA_DIR"
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to configure postfix"
	[ -n "${MTA_DIR:-}" ] || skip "postfix is not installed (scripts/deps check installs it)"
	[ -e "$MTA_DIR/ready" ] || fail "postfix did not start (postfix start; see the mail log)"
	export TZ=UTC LC_ALL=C
	export PATH="$PATH:/usr/sbin:/sbin"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	J=$MTA_DIR/journal
	CORPUS=$BATS_TEST_DIRNAME/mail
}

# the records the MTA filed: the pipe runs without $LOGBOOK_HOST, as this host
mail_records() {
	cat "$J"/[0-9]*/*/*.jsonl 2>/dev/null | grep '"source":"mail"' || true
}

# wait (at most 60 s) until the journal holds n records with this text
wait_filed() {
	local text=$1 n=${2:-1} i
	for ((i = 0; i < 300; i++)); do
		[ "$(mail_records | grep -cF -- "$text")" -ge "$n" ] && return 0
		sleep 0.2
	done
	fail "not filed after 60 s: $text ($(mail_records | grep -cF -- "$text") of $n); queue: $(postqueue -p 2>&1 | tail -n 5)"
}

# wait until the queue is empty (every mail delivered, none deferred)
wait_queue_empty() {
	local i
	for ((i = 0; i < 300; i++)); do
		postqueue -p 2>/dev/null | grep -q 'Mail queue is empty' && return 0
		sleep 0.2
	done
	fail "the queue is not empty: $(postqueue -p 2>&1 | tail -n 10)"
}

@test "a mail sent with sendmail goes through postfix's pipe alias into the journal, written by nobody" {
	sendmail -i logbook-test@localhost <"$CORPUS/cron.eml"
	wait_filed 20261126040001.1A2B3C@web1.example.org
	local rec
	rec=$(mail_records | grep -F 20261126040001.1A2B3C)
	[[ "$rec" == *'"account":"nobody"'* ]]
	[[ "$rec" == *'"admin":"mail"'* ]]
	[[ "$rec" == *'"level":"warning"'* ]]
	[[ "$rec" == *'"subject":"Cron <root@web1> /usr/local/bin/backup-db"'* ]]
	# the files nobody created stay writable by the journal's group
	local f
	f=$(grep -lF 20261126040001.1A2B3C "$J"/[0-9]*/*/*.jsonl)
	[ "$(stat -c %G "$f")" = nogroup ]
	[ "$(( $(stat -c %#a "$f") & 020 ))" -ne 0 ]
	# and an admin reads it as usual
	run "$LOGBOOK" -C "$J" show --no-pager
	[[ "$output" == *"[warning] mail: Cron <root@web1>"* ]]
}

@test "the corpus and a 30 MB message go through postfix; each is filed, a resent one once" {
	local f n=0 before
	before=$(mail_records | wc -l)
	py - "$BATS_TEST_TMPDIR/big.eml" <<-'EOP'
	import base64, sys
	with open(sys.argv[1], "wb") as f:
	    f.write(b"From: backup@backup2\nTo: root\nSubject: thirty megabytes\nMessage-ID: <big-mta@backup2>\n"
	            b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=BB\n\n--BB\n"
	            b"Content-Type: text/plain\n\nthe dump is attached\n--BB\n"
	            b"Content-Type: application/octet-stream; name=dump.bin\n"
	            b"Content-Transfer-Encoding: base64\n\n")
	    f.write(base64.encodebytes(bytes(range(256)) * 90000))
	    f.write(b"--BB--\n")
	EOP
	for f in "$CORPUS"/*.eml "$BATS_TEST_TMPDIR/big.eml"; do
		# the cron mail was filed by the test before
		[ "$(basename "$f")" = cron.eml ] && continue
		sendmail -i logbook-test@localhost <"$f"
		n=$((n + 1))
	done
	# a resent message: the same Message-ID
	sendmail -i logbook-test@localhost <"$CORPUS/smartd.eml"
	wait_queue_empty
	wait_filed big-mta@backup2
	[ "$(mail_records | wc -l)" -eq $((before + n)) ]
	[ "$(mail_records | grep -c smartd-7@backup2)" -eq 1 ]
	mail_records | grep -F big-mta@backup2 | grep -q '"subject":"thirty megabytes"'
	mail_records | grep -F big-mta@backup2 | grep -q '"size":23040000'
	mail_records | grep -F 'Sauvegarde termin' | grep -q 'backup.log.gz'
	"$LOGBOOK" -C "$J" verify >/dev/null
}

@test "a locked journal makes postfix defer the mail (exit 75); it is filed once when the lock is released" {
	local host
	host=$(hostname)
	mkdir -p "$J/.state/chain"
	# hold this host's lock as a slow writer would
	(exec 9<>"$J/.state/chain/$host" && flock 9 && exec sleep 30) &
	local holder=$!
	sleep 0.3
	sendmail -i logbook-test@localhost <<-'EOF'
	From: backup@backup2
	To: root
	Subject: deferred while the journal is locked
	Message-ID: <deferred-1@backup2>

	the journal was locked
	EOF
	# postfix records the temporary failure in its queue (wait for its
	# reason: a bare "75" also matches a queue ID, as in 775AD1142C0)
	local i
	for ((i = 0; i < 150; i++)); do
		postqueue -p 2>/dev/null | grep -q 'temporary failure\|Command died' && break
		postqueue -j 2>/dev/null | grep -q '"delay_reason"' && break
		sleep 0.2
	done
	[ "$(mail_records | grep -c deferred-1@backup2)" -eq 0 ]
	postqueue -p | grep -q 'temporary failure' || fail "not deferred: $(postqueue -p)"
	kill "$holder"
	wait "$holder" || true
	postqueue -f
	wait_filed deferred-1@backup2
	wait_queue_empty
	[ "$(mail_records | grep -c deferred-1@backup2)" -eq 1 ]
}

@test "digest --send delivers through postfix to a local mailbox" {
	wait_filed 20261126040001.1A2B3C@web1.example.org
	run "$LOGBOOK" -C "$J" digest --send today
	[ "$status" -eq 0 ]
	local i
	for ((i = 0; i < 300; i++)); do
		grep -q '^Subject: \[logbook\]' "$MTA_DIR/digest.mbox" && break
		sleep 0.2
	done
	grep -q "^Subject: \[logbook\] $(date -u +%Y_%m_%d)" "$MTA_DIR/digest.mbox"
	grep -q '^To: digest-box@localhost' "$MTA_DIR/digest.mbox"
	grep -q 'Content-Type: text/plain; charset=UTF-8' "$MTA_DIR/digest.mbox"
	grep -q 'mail: Cron <root@web1> /usr/local/bin/backup-db' "$MTA_DIR/digest.mbox"
	grep -q 'Sauvegarde terminée' "$MTA_DIR/digest.mbox"
}

@test "setup --mail-alias: postfix runs the alias as the user logbook; the mail is filed once, doctor sees it" {
	# the user and group logbook as setup makes them on /, unless this system has them
	if ! getent group logbook >/dev/null; then
		groupadd --system logbook
		touch "$MTA_DIR/made-group"
	fi
	if ! getent passwd logbook >/dev/null; then
		useradd --system --gid logbook --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin logbook
		touch "$MTA_DIR/made-user"
	fi
	# setup on a root whose main.cf is this postfix's: what it writes, postfix then reads
	local root=$MTA_DIR/root maps
	mkdir -p "$root/etc/postfix"
	cp /etc/postfix/main.cf "$root/etc/postfix/main.cf"
	cp /etc/postfix/main.cf "$MTA_DIR/root-main.cf"
	maps=$(postconf -h alias_maps)
	run "$LOGBOOK" setup --root "$root" --mail-alias --timezone UTC
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"mail alias in $root/etc/logbook/aliases: written, owned by logbook"* ]] || fail "$output"
	[ "$(stat -c %U "$root/etc/logbook/aliases")" = logbook ]
	[ "$(stat -c %U "$root/etc/logbook/aliases.db")" = logbook ]
	grep -qxF "logbook: \"|$LOGBOOK -C $root/var/lib/logbook ingest-mail\"" "$root/etc/logbook/aliases" ||
		fail "$(cat "$root/etc/logbook/aliases")"
	# the entries there are kept, the alias file added after them
	[ "$(postconf -c "$root/etc/postfix" -h alias_maps 2>/dev/null)" = "$maps, hash:$root/etc/logbook/aliases" ]
	# on /, the journal is in the group logbook, which setup made
	J=$root/var/lib/logbook
	chgrp -R logbook "$J"
	postconf -e "alias_maps = $(postconf -c "$root/etc/postfix" -h alias_maps 2>/dev/null)"
	postfix reload >/dev/null 2>&1
	local i
	for i in 1 2; do
		sendmail -i logbook@localhost <<-'EOF'
		From: backup@backup2
		To: root
		Subject: through the alias of setup
		Message-ID: <setup-alias-1@backup2>

		filed as the user logbook
		EOF
	done
	wait_filed setup-alias-1@backup2
	wait_queue_empty
	[ "$(mail_records | grep -c setup-alias-1@backup2)" -eq 1 ]
	mail_records | grep -F setup-alias-1@backup2 | grep -qF '"account":"logbook"'
	run "$LOGBOOK" doctor --root "$root"
	[[ "$output" == *"ok   mail: a test message to logbook@localhost was filed"* ]] || fail "$output $(mail_records | grep doctor) $(postqueue -p)"
	# undo gives main.cf back as it was and removes the alias file
	postconf -e "alias_maps = $maps"
	postfix reload >/dev/null 2>&1
	run "$LOGBOOK" setup --root "$root" --undo
	[ "$status" -eq 0 ] || fail "$output"
	cmp "$MTA_DIR/root-main.cf" "$root/etc/postfix/main.cf" || fail "$(diff "$MTA_DIR/root-main.cf" "$root/etc/postfix/main.cf")"
	[ ! -e "$root/etc/logbook" ]
	# with the alias gone, doctor does not send
	run "$LOGBOOK" doctor --root "$root"
	[[ "$output" == *"--   mail: no alias for ingest-mail"* ]] || fail "$output"
}
