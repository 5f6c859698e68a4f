#!/usr/bin/env bats
# logbook secret add|import|count|rm: values root knows to be secret are
# replaced by [REDACTED] in every record, whatever path brought them in;
# after each test the value is nowhere under the journal, its .state/ and
# its git objects included.

load lib
load shell

# shaped like nothing a rule knows: only its value can find it
SECRET='plover-Qz7-4411'
SECRET2='corvid_88_Mjx'

# keep the helpers' setup and teardown, and add the secrets file to them
eval "lib_$(declare -f setup)"
eval "shell_$(declare -f teardown)"

setup() {
	lib_setup
	[ "$(id -u)" -eq 0 ] || skip "logbook secret is root's"
	mkdir -m 0755 "$BATS_TEST_TMPDIR/etc"
	export LOGBOOK_SECRETS="$BATS_TEST_TMPDIR/etc/secrets"
}

teardown() {
	shell_teardown
	member_remove
}

known() {
	printf '%s\n' "$@" | lb secret import - >/dev/null
}

# the value is in no file under the journal (.state/ and .git/ too), in no
# git object (loose or packed, reachable or not), in no commit's diff
nowhere() {
	local v=$1
	lb sync >/dev/null
	# the search index and its text cache under .state/ are built from the records
	lb search "$v" >/dev/null || true
	compgen -G "$LOGBOOK_DIR/.state/index*" >/dev/null || fail "no index was built under .state/"
	grep -rlaF -- "$v" "$LOGBOOK_DIR" && fail "'$v' is in the files above"
	git -C "$LOGBOOK_DIR" log -p --all | grep -aF -- "$v" && fail "'$v' is in git log -p --all"
	git -C "$LOGBOOK_DIR" cat-file --batch-all-objects --batch | grep -aF -- "$v" &&
		fail "'$v' is in a git object"
	grep -aF -- "$v" "$LOGBOOK_SECRETS" && fail "'$v' is in the secrets file"
	true
}

# every text the journal holds for today, one per line
texts() {
	lb show --json | py -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    for k in ("cmd", "text", "diff"):
        if k in r:
            print("%s\t%s" % (r["kind"], r[k].replace("\n", "\\n")))
'
}

@test "secret add: one value on standard input, kept as a keyed hash in a 0600 file, never in clear" {
	new_journal
	run lb secret add <<<"$SECRET"
	[ "$status" -eq 0 ]
	[ "$output" = "added (1 known)" ]
	[ "$(stat -c %a "$LOGBOOK_SECRETS")" = 600 ]
	grep -q "^logbook-secrets 1 [0-9a-f]\{64\}$" "$LOGBOOK_SECRETS"
	grep -q "^15 [0-9a-f]\{4\} [0-9a-f]\{64\}$" "$LOGBOOK_SECRETS"
	run ! grep -aF "$SECRET" "$LOGBOOK_SECRETS"
	run lb secret add <<<"$SECRET"
	[ "$output" = "already known" ]
	run lb secret count
	[ "${lines[0]}" = "1 known secret in $LOGBOOK_SECRETS" ]
	[ "${lines[1]}" = "     1 of 15 bytes" ]
}

@test "secret add refuses a value on the command line, a short one, two lines; secret needs root" {
	run lb secret add "$SECRET"
	[ "$status" -eq 2 ]
	[[ "$output" == *"never from the command line"* ]]
	run lb secret add <<<"abc12"
	[ "$status" -eq 1 ]
	[[ "$output" == *"shorter than 6 bytes"* ]]
	run lb secret add <<<$'abcdefgh\nijklmnop'
	[ "$status" -eq 1 ]
	[[ "$output" == *"one value, one line"* ]]
	[ ! -e "$LOGBOOK_SECRETS" ]
	let_others_in
	run as_nobody "$LOGBOOK" secret count
	[ "$status" -eq 1 ]
	[[ "$output" == *"only root keeps the known secrets"* ]]
}

@test "secret add on a terminal asks twice without echo" {
	run on_tty bash -c "{ sleep 0.3; printf '%s\n' '$SECRET'; sleep 0.3; printf '%s\n' '$SECRET'; } | script -qec '$LOGBOOK secret add' /dev/null"
	[[ "$output" == *"added (1 known)"* ]] || fail "$output"
	[[ "$output" != *"$SECRET"* ]] || fail "echoed: $output"
}

@test "secret import: counts, the line of each refused value, never a value; rm forgets one" {
	new_journal
	printf '%s\n' "$SECRET" short "$SECRET" '' "$SECRET2" >"$BATS_TEST_TMPDIR/export.txt"
	run lb secret import "$BATS_TEST_TMPDIR/export.txt"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "logbook: secret import: $BATS_TEST_TMPDIR/export.txt:2: refused: shorter than 6 bytes: it would match ordinary text" ]
	[ "${lines[1]}" = "2 added, 1 already known, 1 refused (2 known)" ]
	[[ "$output" != *"$SECRET"* ]]
	[[ "$output" != *short,* ]]
	run lb secret rm <<<"$SECRET2"
	[ "$output" = "removed (1 known)" ]
	run lb secret rm <<<"$SECRET2"
	[ "$status" -eq 1 ]
	[ "$output" = "not known" ]
	lb note "still $SECRET2 and $SECRET"
	[ "$(texts)" = $'note\tstill '"$SECRET2"' and [REDACTED]' ]
}

@test "a note, an event and a mail keep no known value; redacted counts it" {
	new_journal
	known "$SECRET" "$SECRET2"
	lb note "rotated the db password: was $SECRET, now $SECRET2"
	echo "backup used $SECRET" | lb event --source backup
	printf 'From: cron@web1\nTo: root\nSubject: job %s\nMessage-ID: <k1@web1>\n\nthe password %s failed\n' \
		"$SECRET" "$SECRET2" | lb ingest-mail
	run texts
	[ "${lines[0]}" = $'note\trotated the db password: was [REDACTED], now [REDACTED]' ]
	[ "${lines[1]}" = $'event\tbackup used [REDACTED]' ]
	[ "${lines[2]}" = $'event\tthe password [REDACTED] failed' ]
	[ "$(lb show --json | py -c 'import json,sys; print([json.loads(l).get("redacted") for l in sys.stdin])')" = "[2, 1, 2]" ]
	lb show --json | grep -q '"subject":"job \[REDACTED\]"'
	nowhere "$SECRET"
	nowhere "$SECRET2"
}

@test "a value is redacted from a history import and from rules' output alike; redacting twice changes nothing" {
	new_journal
	known "$SECRET"
	printf '%s\n' "myapp connect db1 $SECRET" "mysql -p$SECRET app" "echo '[REDACTED]$SECRET'" >"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	run texts
	[ "${lines[0]}" = $'cmd\tmyapp connect db1 [REDACTED]' ]
	[ "${lines[1]}" = $'cmd\tmysql -p[REDACTED] app' ]
	[ "${lines[2]}" = $'cmd\techo \'[REDACTED][REDACTED]\'' ]
	# the journal's own text, imported again, is already redacted: nothing changes
	texts | cut -f2 >"$BATS_TEST_TMPDIR/h2"
	lb note "$(cat "$BATS_TEST_TMPDIR/h2")"
	[ "$(lb show --json | tail -1 | jsonl_text)" = "$(cat "$BATS_TEST_TMPDIR/h2")" ]
	nowhere "$SECRET"
}

jsonl_text() {
	py -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r["text"]); assert "redacted" not in r, r'
}

typed_in() {
	new_journal
	known "$SECRET"
	start_shell "$1"
	type_cmd "true $SECRET"
	type_cmd "myapp --db=db1:$SECRET && echo done"
	end_shell
	run texts
	[ "${lines[0]}" = $'cmd\ttrue [REDACTED]' ]
	[ "${lines[1]}" = $'cmd\tmyapp --db=db1:[REDACTED] && echo done' ]
	nowhere "$SECRET"
}

@test "bash: a value typed in a hooked shell is redacted" {
	typed_in bash
}

@test "zsh: a value typed in a hooked shell is redacted" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	typed_in zsh
}

@test "a watched file's diff keeps no known value" {
	local d=$BATS_TEST_TMPDIR
	# a file under a directory others cannot enter is private (hash only): open them
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod go+x "$d"
		d=$(dirname "$d")
	done
	umask 022
	new_journal
	known "$SECRET"
	mkdir -p "$BATS_TEST_TMPDIR/srv"
	printf 'host = db1\n' >"$BATS_TEST_TMPDIR/srv/app.ini"
	lb watch add "$BATS_TEST_TMPDIR/srv" >/dev/null
	printf 'host = db1\nmotd = welcome %s\n' "$SECRET" >"$BATS_TEST_TMPDIR/srv/app.ini"
	lb commit -m "motd" >/dev/null
	lb show --json | grep -qF '+motd = welcome [REDACTED]' || fail "$(lb show --json)"
	# the baseline now holds the value: kept by hash only, so the next change has no diff
	printf 'host = db2\nmotd = welcome %s\n' "$SECRET" >"$BATS_TEST_TMPDIR/srv/app.ini"
	lb commit -m "db2" >/dev/null
	lb show --json | grep -qF '"note":"contents not available' || fail "$(lb show --json)"
	nowhere "$SECRET"
}

@test "a member's own process cannot read the secrets: its spool waits for root's ingest, which redacts" {
	local code spool
	member_add
	mkdir -p "$LOGBOOK_DIR"
	chgrp "$MEMBER_GROUP" "$LOGBOOK_DIR"
	new_journal
	known "$SECRET"
	# the member's hooked shell wrote a command with the value in its spool
	code=$(as_member "$LOGBOOK" hook bash)
	spool=$(sed -n "s/^__lb_new_spool='\(.*\)'$/\1/p" <<<"$code")
	[ -n "$spool" ] || fail "the member got no spool: $code"
	as_member bash -c '
		t=$(date +%s)000000
		printf "P\0%s\0\nC\0%s\0%s\0%s\0%s\0%s\0%s\0\nX\0%s\0%s\0\n" 1 1 "$t" "$t" 0 / "myapp login $2" 1 "$t" >>"$1"
	' typed "$spool" "$SECRET"
	# the member's own logbook leaves it: it could not redact the value
	run --separate-stderr as_member "$LOGBOOK" ingest
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"1 spool left for root's ingest: $LOGBOOK_SECRETS holds known secrets this account cannot redact"* ]] ||
		fail "$stderr"
	as_member "$LOGBOOK" note "a member's note" 2>/dev/null
	run ! grep -aF "$SECRET" "$(day_file)"
	# root's ingest files it, redacted
	lb ingest -q
	[ "$(texts | grep '^cmd')" = $'cmd\tmyapp login [REDACTED]' ]
	nowhere "$SECRET"
}

@test "a secrets file others could change, or a link, stops every write rather than let a value through" {
	new_journal
	known "$SECRET"
	chmod 0644 "$LOGBOOK_SECRETS"
	run lb note "x $SECRET"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$LOGBOOK_SECRETS: owned by uid 0, mode 0644"*"nothing is written"* ]] || fail "$output"
	run lb ingest-mail <<<$'Subject: x\n\nbody'
	[ "$status" -eq 75 ]
	chmod 0600 "$LOGBOOK_SECRETS"
	mv "$LOGBOOK_SECRETS" "$LOGBOOK_SECRETS.real"
	ln -s "$LOGBOOK_SECRETS.real" "$LOGBOOK_SECRETS"
	run lb note "x $SECRET"
	[ "$status" -eq 1 ]
	rm "$LOGBOOK_SECRETS"
	mv "$LOGBOOK_SECRETS.real" "$LOGBOOK_SECRETS"
	chmod 0777 "$BATS_TEST_TMPDIR/etc"
	run lb note "x $SECRET"
	[ "$status" -eq 1 ]
	[[ "$output" == *"only root may write the directory of known secrets"* ]] || fail "$output"
	chmod 0755 "$BATS_TEST_TMPDIR/etc"
	echo "10 zzzz 00" >>"$LOGBOOK_SECRETS"
	run lb note "x $SECRET"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$LOGBOOK_SECRETS:3: want"* ]] || fail "$output"
	[ ! -e "$(day_file)" ]
}


@test "ingest-mail started as root files as the owner of .git, which cannot read the secrets: the helper gets them from logbook" {
	member_add
	new_journal
	known "$SECRET"
	# the journal belongs to the account that runs git (the logbook user after setup)
	chown -R "$MEMBER:$MEMBER_GROUP" "$LOGBOOK_DIR"
	run as_member cat "$LOGBOOK_SECRETS"
	[ "$status" -ne 0 ]
	printf 'From: cron@web1\nSubject: job\nMessage-ID: <k2@web1>\n\nthe password %s failed\n' "$SECRET" |
		lb ingest-mail
	[ "$(stat -c %U "$(day_file)")" = "$MEMBER" ]
	grep -qF 'the password [REDACTED] failed' "$(day_file)"
	run ! grep -aF "$SECRET" "$(day_file)"
}
