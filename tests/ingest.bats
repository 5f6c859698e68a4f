#!/usr/bin/env bats
# logbook ingest: spools into records, exactly once, whatever the spool
# holds.  The spools here are made by the real `logbook hook` and then
# written the way the shell hooks write them (printf with NUL fields).

load lib

# a spool made by `logbook hook bash`; its path in $SPOOL, the session in $SESSION
new_spool() {
	local code
	code=$(lb hook bash)
	SPOOL=$(sed -n "s/^__lb_new_spool='\(.*\)'$/\1/p" <<<"$code")
	SESSION=$(sed -n "s/^__lb_new_session='\(.*\)'$/\1/p" <<<"$code")
	[ -f "$SPOOL" ]
}

# the shell's pid line: a live process unless told otherwise
spool_pid() {
	printf 'P\0%s\0\n' "${1:-$$}" >>"$SPOOL"
}

# spool_cmd N STATUS CWD TEXT: a command record as the hooks write it
spool_cmd() {
	local t=$(($(date +%s) * 1000000 + $1))
	printf 'C\0%s\0%s\0%s\0%s\0%s\0%s\0\n' "$1" "$t" "$((t + 10))" "$2" "$3" "$4" >>"$SPOOL"
}

spool_exit() {
	printf 'X\0%s\0%s\0\n' "$(($(date +%s) * 1000000 + 999999))" "$1" >>"$SPOOL"
}

# the "cmd" texts of today's page, one per line
texts() {
	lb show --json | py -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["kind"] == "cmd":
        print(r["cmd"])
'
}

@test "a live shell's spool is ingested up to its last whole record, and the rest later" {
	new_journal
	new_spool
	spool_pid
	spool_cmd 1 0 /root 'apt-get update'
	printf 'C\0002\0' >>"$SPOOL"	# a record the shell is still writing
	run lb ingest
	[ "$status" -eq 0 ]
	[[ "$output" == "1 command ingested from 1 spool; 0 ended sessions removed" ]]
	[ "$(texts)" = "apt-get update" ]
	# the shell finishes its record
	t=$(($(date +%s) * 1000000 + 100))
	printf '%s\0%s\0%s\0/root\0systemctl restart nginx\0\n' "$t" "$((t + 5))" 0 >>"$SPOOL"
	run lb ingest
	[[ "$output" == "1 command ingested from 1 spool"* ]]
	[ "$(texts)" = $'apt-get update\nsystemctl restart nginx' ]
	[ -f "$SPOOL" ]		# the shell lives on
}

@test "ingesting again records nothing twice" {
	new_journal
	new_spool
	spool_pid
	spool_cmd 1 0 /root 'uptime'
	lb ingest -q
	lb ingest -q
	lb show >/dev/null
	[ "$(texts)" = uptime ]
	jsonl chain "$LOGBOOK_DIR" web1
}

@test "every other command ingests first: show, days, note" {
	new_journal
	new_spool
	spool_pid
	spool_cmd 1 0 /root 'df -h'
	run lb show
	[[ "$output" == *'$ df -h'* ]]
	spool_cmd 2 0 /root 'free -m'
	lb note "checked memory"
	[ "$(texts)" = $'df -h\nfree -m' ]
}

@test "a record torn by a failed write does not hide the next one" {
	new_journal
	new_spool
	spool_pid
	spool_cmd 1 0 /root 'first'
	printf 'C\0002\0001795658000000\0' >>"$SPOOL"	# torn: the disk was full
	printf '\n' >>"$SPOOL"				# the hook's newline after a failed write
	spool_cmd 3 0 /root 'third'
	run lb ingest
	[ "$status" -eq 0 ]
	[[ "$output" == *"$SPOOL: bytes "*" skipped: "* ]]
	[ "$(texts)" = $'first\nthird' ]
}

@test "a spool edited by hand: the damaged bytes are reported, the records around them kept" {
	new_journal
	new_spool
	spool_pid
	spool_cmd 1 0 /root 'before'
	printf 'this line was typed in an editor\n' >>"$SPOOL"
	printf 'C\0x\0y\0\n' >>"$SPOOL"
	spool_cmd 2 0 /root 'after'
	run lb ingest
	[ "$status" -eq 0 ]
	[ "$(grep -c 'skipped' <<<"$output")" -ge 1 ]
	[[ "$output" == *"2 commands ingested"* ]]
	[ "$(texts)" = $'before\nafter' ]
}

@test "a pasted command of several megabytes is kept up to 64 KiB with its full size noted" {
	new_journal
	new_spool
	spool_pid
	big=$(head -c 3000000 /dev/zero | tr '\0' 'x')
	spool_cmd 1 0 /root "echo $big"
	spool_cmd 2 0 /root 'echo next'
	run lb ingest
	[ "$status" -eq 0 ]
	lb show --json | py -c '
import json, sys
rs = [json.loads(l) for l in sys.stdin if "\"kind\":\"cmd\"" in l]
assert len(rs[0]["cmd"].encode()) == 65536, len(rs[0]["cmd"])
assert rs[0]["cmd_size"] == 3000005, rs[0]
assert rs[1]["cmd"] == "echo next"
'
	jsonl chain "$LOGBOOK_DIR" web1
}

@test "invalid UTF-8, control characters and multi-line commands round-trip byte for byte" {
	new_journal
	new_spool
	spool_pid
	spool_cmd 1 0 $'/tmp/d\xffir' $'printf "\\e[2J" \x01\x7f caf\xe9\nsecond line'
	lb ingest -q
	lb show --json | py -c '
import json, sys, base64
r = [json.loads(l) for l in sys.stdin if "\"kind\":\"cmd\"" in l][0]
assert base64.b64decode(r["cmd_b64"]) == b"printf \"\\e[2J\" \x01\x7f caf\xe9\nsecond line", r
assert base64.b64decode(r["cwd_b64"]) == b"/tmp/d\xffir", r
'
	run lb show
	[[ "$output" == *'$ printf "\e[2J" \x01\x7f caf\xe9'* ]]
}

@test "a shell that exited: its close record, then its spool is removed" {
	new_journal
	new_spool
	spool_pid
	spool_cmd 1 0 /root 'true'
	spool_exit 1
	lb ingest -q
	[ ! -e "$SPOOL" ]
	[ -z "$(ls "$LOGBOOK_DIR/.state/spool/$(id -u)")" ]
	lb show --json | grep -q '"event":"close","commands":1,"how":"exit"'
}

@test "a shell that died without its exit hook is closed as lost by the next run" {
	new_journal
	new_spool
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	spool_pid "$dead"
	spool_cmd 1 0 /root 'vi /etc/hosts'
	printf 'C\0002\0' >>"$SPOOL"	# killed while writing
	run lb ingest
	[ "$status" -eq 0 ]
	[[ "$output" == *"unfinished 'C' record (torn)"* ]]
	lb show --json | grep -q '"event":"close","commands":1,"how":"lost"'
	[ ! -e "$SPOOL" ]
	run lb show
	[[ "$output" == *"shell closed: 1 command (the shell ended without its exit hook)"* ]]
}

@test "killed at any point and run again, ingestion records every command exactly once" {
	new_journal
	new_spool
	spool_pid
	for ((i = 1; i <= 10000; i++)); do
		printf 'C\0%d\0%d\0%d\0%d\0/srv\0echo %d\0\n' "$i" "$((1795600000000000 + i))" \
			"$((1795600000000000 + i + 1))" 0 "$i"
	done >>"$SPOOL"
	spool_exit 10000
	kills=0
	for ((round = 0; round < 60; round++)); do
		[ -e "$SPOOL" ] || break
		"$LOGBOOK" ingest -q 2>/dev/null &
		pid=$!
		sleep "0.0$((RANDOM % 4))$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
		wait "$pid" 2>/dev/null || true
	done
	lb ingest -q
	echo "killed $kills times" >&3
	[ ! -e "$SPOOL" ]
	lb -C "$LOGBOOK_DIR" show --json 2026-11-24 >/dev/null
	cat "$LOGBOOK_DIR"/*/*/web1.jsonl | py -c '
import json, sys
ns = [json.loads(l)["n"] for l in sys.stdin if "\"kind\":\"cmd\"" in l]
assert sorted(ns) == list(range(1, 10001)), (len(ns), len(set(ns)))
'
	[ "$(cat "$LOGBOOK_DIR"/*/*/web1.jsonl | grep -c '"event":"close"')" -eq 1 ]
	[ "$(cat "$LOGBOOK_DIR"/*/*/web1.jsonl | grep -c '"event":"open"')" -eq 1 ]
	jsonl chain "$LOGBOOK_DIR" web1
}

@test "another user's spool is left for its owner; readers do not complain" {
	new_journal
	new_spool
	spool_pid
	spool_cmd 1 0 /root 'secret work'
	chmod -R g+rwX,o+rwX "$LOGBOOK_DIR"
	chmod 700 "${SPOOL%/*}"
	chmod 600 "$SPOOL"
	let_others_in
	run as_nobody "$LOGBOOK" show
	[ "$status" -eq 0 ]
	[[ "$output" != *"secret work"* ]]
	[[ "$output" != *"logbook:"* ]]
	run as_nobody "$LOGBOOK" ingest
	[ "$status" -eq 1 ]
	[[ "$output" == *"some spools could not be ingested"* ]]
	lb ingest -q
	[ "$(texts)" = "secret work" ]
}

@test "a file in the spool directory that is not a spool is set aside once" {
	new_journal
	new_spool
	printf 'not a spool\n' >"${SPOOL%/*}/stray.spool"
	run lb ingest
	[[ "$output" == *"stray.spool"*"set aside"* ]]
	[ -e "${SPOOL%/*}/stray.spool.bad" ]
	run lb ingest
	[[ "$output" != *"stray"* ]]
}

@test "ingest: help and usage errors" {
	run lb ingest --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"exactly once"* || "$output" == *"records nothing twice"* ]]
	run lb ingest extra
	[ "$status" -eq 2 ]
	run lb ingest --bogus
	[ "$status" -eq 2 ]
}

@test "root's ingest never catches up the machine's APT logs, even where the machine has logbook's APT hook" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	unshare -m true 2>/dev/null || skip "needs a mount namespace"
	new_journal
	# the machine as a server set up with logbook would be: the APT hook's file
	# in apt.conf.d and a run in history.log (bind-mounted in a namespace of
	# this test only)
	local etc="$BATS_TEST_TMPDIR/apt.conf.d" log="$BATS_TEST_TMPDIR/log-apt" dlog="$BATS_TEST_TMPDIR/dpkg.log"
	mkdir -p "$etc" "$log"
	echo '// logbook' >"$etc/05logbook"
	printf '\nStart-Date: 2026-12-01  09:00:00\nCommandline: apt-get install bar\nInstall: bar:amd64 (2.1-1)\nEnd-Date: 2026-12-01  09:00:05\n' >"$log/history.log"
	: >"$dlog"
	in_machine() {
		unshare -m sh -c 'mount --bind "$1" /etc/apt/apt.conf.d && mount --bind "$2" /var/log/apt &&
			mount --bind "$3" /var/log/dpkg.log && shift 3 && exec "$@"' sh "$etc" "$log" "$dlog" "$@"
	}
	# as make check runs it
	run in_machine "$LOGBOOK" ingest -q
	[ "$status" -eq 0 ] || fail "$output"
	run ! grep -rqE '"kind":"(package|inventory)"' "$LOGBOOK_DIR"/20*
	# the same without the tests' root: the machine's log is caught up (what the
	# line above keeps out)
	run in_machine env -u LOGBOOK_ROOT "$LOGBOOK" ingest -q
	[ "$status" -eq 0 ] || fail "$output"
	grep -rq '"command":"apt-get install bar"' "$LOGBOOK_DIR"/20*
}
