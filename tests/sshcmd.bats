#!/usr/bin/env bats
# ssh HOST CMD through a real sshd: the bash sshd starts reads
# /etc/bash.bashrc, whose block (as logbook setup --root writes it, above
# Debian's return for non-interactive shells) records the one command,
# attributed by the ssh key it came with, and changes nothing of what the
# client sees: output, input, exit status, scp and sftp.
#
# The sshd runs in a private mount namespace (unshare -m) where
# /etc/bash.bashrc is Debian's stock file (tests/debian-bash.bashrc, bash
# 5.2's of Debian 12) with setup's block, and /usr/local/bin holds only
# the logbook under test: the machine's own /etc/bash.bashrc is never
# read, and nothing outside the namespace changes.  The account is a real
# unprivileged user with bash as its shell; its key is admin carol's.

load lib

setup() {
	[ "$(id -u)" -eq 0 ] || skip "a real sshd and a test user need root"
	command -v /usr/sbin/sshd >/dev/null || skip "openssh-server is not installed"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	export TZ=UTC LC_ALL=C
	unset LOGBOOK_SESSION LOGBOOK_DIR LOGBOOK_HOST LOGBOOK_USER SSH_USER_AUTH SUDO_USER SUDO_UID SSH_AUTH_SOCK \
		SSH_CONNECTION SSH_CLIENT VISUAL EDITOR PAGER NO_COLOR LESS
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	export LOGBOOK_SECRETS=/nonexistent/logbook-secrets
	W=$(mktemp -d /tmp/lbssh.XXXXXX)
	chmod 755 "$W"
	export HOME="$W/root-home"
	mkdir -m 700 "$HOME"
	# the admin's account on the server: bash, a key of its own in ~/.ssh/authorized_keys
	ACCOUNT=lbs$$-$BATS_TEST_NUMBER
	AH="$W/home"
	useradd --no-user-group --gid nogroup --home-dir "$AH" --create-home --shell /bin/bash "$ACCOUNT"
	# sshd (without PAM) lets no one into a locked account ("!" in shadow)
	usermod -p '*' "$ACCOUNT"
	chmod 755 "$AH"
	ssh-keygen -q -t ed25519 -N '' -f "$W/carol" -C carol@laptop
	as_account mkdir -m 700 "$AH/.ssh"
	as_account cp "$W/carol.pub" "$AH/.ssh/authorized_keys"
	# the journal, the account's own; carol's key in team.conf
	J="$W/journal"
	mkdir -m 700 "$J"
	chown "$ACCOUNT" "$J"
	as_account "$LOGBOOK" init --timezone UTC "$J" >/dev/null
	as_account "$LOGBOOK" -C "$J" team add carol --key "$W/carol.pub" >/dev/null
	# Debian's bash.bashrc with the block setup writes
	ROOT="$W/root"
	mkdir -p "$ROOT/etc"
	cp "$BATS_TEST_DIRNAME/debian-bash.bashrc" "$ROOT/etc/bash.bashrc"
	"$LOGBOOK" -C "$J" setup --root "$ROOT" >"$W/setup.out" || fail "$(cat "$W/setup.out")"
	start_namespaced_sshd
}

teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	stop_sshd
	pkill -u "${ACCOUNT:-nobody-here}" 2>/dev/null || true
	[ -n "${ACCOUNT:-}" ] && userdel "$ACCOUNT" 2>/dev/null
	[ -n "${W:-}" ] && rm -rf "$W"
}

as_account() {
	setpriv --reuid="$ACCOUNT" --regid=nogroup --init-groups -- env HOME="$AH" "$@"
}

# sshd on a loopback port ($PORT), its files in $S, in a mount namespace
# of its own: /etc/bash.bashrc is $ROOT's, /usr/local/bin a tmpfs with
# the logbook under test; the namespace goes with sshd
start_namespaced_sshd() {
	S="$W/sshd"
	mkdir -p "$S" /run/sshd
	chmod 700 "$S"
	ssh-keygen -q -t ed25519 -N '' -f "$S/host_key"
	PORT=$((20000 + RANDOM % 20000))
	cat >"$S/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $S/host_key
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
StrictModes yes
UsePAM no
ExposeAuthInfo yes
Subsystem sftp /usr/lib/openssh/sftp-server
PidFile $S/sshd.pid
CONF
	# shellcheck disable=SC2016
	unshare -m --propagation private sh -ec '
		mount --bind "$1" /etc/bash.bashrc
		mount -t tmpfs -o mode=755 logbook-test /usr/local/bin
		cp "$2" /usr/local/bin/logbook
		exec /usr/sbin/sshd -f "$3" -E "$4"' sh "$ROOT/etc/bash.bashrc" "$LOGBOOK" "$S/sshd_config" "$S/sshd.log"
	for ((i = 0; i < 50; i++)); do
		[ -s "$S/sshd.pid" ] && break
		sleep 0.1
	done
	[ -s "$S/sshd.pid" ] || fail "sshd did not start: $(cat "$S/sshd.log")"
}

# ssh to the account with carol's key, the machine's ssh_config left out
to_server() {
	ssh -F /dev/null -i "$W/carol" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 "$ACCOUNT@127.0.0.1" "$@"
}

# the records of the journal of a kind, one JSON object a line, in file order
records() {
	py - "$J" "$1" <<'PY'
import glob, json, sys
for path in sorted(glob.glob(sys.argv[1] + "/[0-9]*/*/*.jsonl")):
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        if r.get("kind") == sys.argv[2]:
            print(json.dumps(r, sort_keys=True))
PY
}

# every spool was ingested and removed
no_spool_left() {
	local left
	left=$(find "$J/.state/spool" -type f)
	[ -z "$left" ] || fail "spools left: $left"
}

# a field of the last record of a kind
last_of() {
	records "$1" | tail -n 1 | py -c 'import json, sys; v = json.loads(sys.stdin.read()).get(sys.argv[1]); print("" if v is None else v)' "$2"
}

@test "the server reads the test's bash.bashrc: Debian's with setup's block at the top" {
	grep -q "hook in $ROOT/etc/bash.bashrc: added" "$W/setup.out"
	head -n 1 "$ROOT/etc/bash.bashrc" | grep -q '^# >>> logbook >>>'
	run to_server md5sum /etc/bash.bashrc
	[ "$status" -eq 0 ] || fail "$output"
	[ "${output%% *}" = "$(md5sum <"$ROOT/etc/bash.bashrc" | cut -d' ' -f1)" ]
	[ "${output%% *}" != "$(md5sum </etc/bash.bashrc | cut -d' ' -f1)" ]
}

@test "ssh HOST 'touch FILE' is a cmd record of the admin whose key it came with" {
	run to_server "touch $AH/x"
	[ "$status" -eq 0 ] || fail "$output"
	[ -z "$output" ]
	[ -e "$AH/x" ]
	[ "$(records cmd | wc -l)" -eq 1 ] || fail "$(records cmd)"
	[ "$(last_of cmd cmd)" = "touch $AH/x" ]
	[ "$(last_of cmd admin)" = carol ]
	[ "$(last_of cmd account)" = "$ACCOUNT" ]
	[ "$(last_of cmd exit)" = 0 ]
	[ "$(last_of cmd cwd)" = "$AH" ]
	[ "$(last_of cmd tty)" = "" ]
	# the session opened and closed around it, said non-interactive
	[ "$(records session | head -n 1 | py -c 'import json,sys; r=json.load(sys.stdin); print(r["event"], r["shell"], r["admin_by"], r["ssh"])')" = "open bash -c ssh key 127.0.0.1" ]
	[ "$(last_of session event)" = close ]
	[ "$(last_of session how)" = exit ]
	[ "$(last_of session commands)" = 1 ]
	# nothing left in the spool directory
	no_spool_left
}

@test "the exit status, standard input and output pass through untouched" {
	run to_server 'exit 3'
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$(last_of cmd exit)" = 3 ]
	run to_server 'echo out; echo err >&2; false'
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'out\nerr')" ]
	[ "$(echo hi | to_server cat)" = hi ]
	# a binary stream, both ways
	head -c 300000 /dev/urandom >"$W/blob"
	to_server cat <"$W/blob" >"$W/blob.back"
	cmp "$W/blob" "$W/blob.back"
	to_server "cat $W/blob" >"$W/blob.read"
	cmp "$W/blob" "$W/blob.read"
	[ "$(records cmd | wc -l)" -eq 5 ]
}

@test "scp and sftp work and their files arrive byte for byte: one record per transfer" {
	head -c 100000 /dev/urandom >"$W/file"
	chmod 644 "$W/file"
	scp_opts=(-F /dev/null -i "$W/carol" -P "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
	scp -q "${scp_opts[@]}" "$W/file" "$ACCOUNT@127.0.0.1:$AH/by-sftp"
	cmp "$W/file" "$AH/by-sftp"
	# the scp protocol of old (scp -t on the server)
	scp -q -O "${scp_opts[@]}" "$W/file" "$ACCOUNT@127.0.0.1:$AH/by-scp"
	cmp "$W/file" "$AH/by-scp"
	scp -q -O "${scp_opts[@]}" "$ACCOUNT@127.0.0.1:$AH/by-scp" "$W/back"
	cmp "$W/file" "$W/back"
	printf 'get %s %s\n' "$AH/by-sftp" "$W/by-sftp-back" |
		sftp -q -b - -F /dev/null -i "$W/carol" -P "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
			-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$ACCOUNT@127.0.0.1" >/dev/null
	cmp "$W/file" "$W/by-sftp-back"
	run records cmd
	[ "${#lines[@]}" -eq 4 ] || fail "$output"
	[[ "${lines[0]}" == *'"cmd": "/usr/lib/openssh/sftp-server"'* ]] || fail "$output"
	[[ "${lines[1]}" == *"\"cmd\": \"scp -t $AH/by-scp\""* ]] || fail "$output"
	[[ "${lines[2]}" == *"\"cmd\": \"scp -f $AH/by-scp\""* ]] || fail "$output"
}

@test "git over ssh works and is one record; a multi-line command keeps its newlines" {
	git init -q --bare "$W/repo.git"
	chown -R "$ACCOUNT" "$W/repo.git"
	GIT_SSH_COMMAND="ssh -F /dev/null -i $W/carol -p $PORT -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR" \
		git clone -q "$ACCOUNT@127.0.0.1:$W/repo.git" "$W/clone" 2>"$W/clone.err" || fail "$(cat "$W/clone.err")"
	[ "$(last_of cmd cmd)" = "git-upload-pack '$W/repo.git'" ]
	run to_server $'echo one\necho two'
	[ "$output" = "$(printf 'one\ntwo')" ]
	[ "$(last_of cmd cmd)" = "$(printf 'echo one\necho two')" ]
}

@test "a leading space keeps a command out; secrets in a command are redacted" {
	run to_server ' echo not-recorded'
	[ "$output" = not-recorded ]
	run to_server 'mysql --password=hunter2 -e "select 1" 2>/dev/null; true'
	[ "$status" -eq 0 ]
	run records cmd
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	[[ "$output" != *not-recorded* ]]
	[[ "$output" != *hunter2* ]]
	[[ "$output" == *'[REDACTED]'* ]] || fail "$output"
	# the session of the unrecorded command still opened and closed
	[ "$(records session | wc -l)" -eq 4 ]
}

@test "a command that replaces the shell, or its EXIT trap, is still recorded, without a status" {
	run to_server "exec touch $AH/e"
	[ "$status" -eq 0 ]
	[ -e "$AH/e" ]
	run to_server 'trap "echo bye" EXIT; echo hi; exit 6'
	[ "$status" -eq 6 ]
	[ "$output" = "$(printf 'hi\nbye')" ]
	# an ingest on the way (any logbook command) leaves the begun command for later
	run to_server "logbook -C $J ingest -q; exec true"
	[ "$status" -eq 0 ]
	# the shells are gone without their exit hook: the next ingest files what they began
	as_account "$LOGBOOK" -C "$J" ingest -q
	run records cmd
	[ "${#lines[@]}" -eq 3 ] || fail "$output"
	[[ "${lines[2]}" == *"\"cmd\": \"logbook -C $J ingest -q; exec true\""* ]] || fail "$output"
	[[ "${lines[0]}" == *"\"cmd\": \"exec touch $AH/e\""* ]] || fail "$output"
	[[ "${lines[1]}" == *'"cmd": "trap \"echo bye\" EXIT; echo hi; exit 6"'* ]] || fail "$output"
	[[ "$output" != *'"exit"'* && "$output" != *'"end"'* ]] || fail "$output"
	[ "$(last_of cmd admin)" = carol ]
	[ "$(last_of session how)" = lost ]
	[ "$(last_of session commands)" = 1 ]
	no_spool_left
}

@test "an ingest while the command runs records it once, with its status" {
	run to_server "logbook -C $J ingest -q; logbook -C $J ingest -q; exit 7"
	[ "$status" -eq 7 ]
	[ -z "$output" ]
	run records cmd
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	[ "$(last_of cmd exit)" = 7 ]
	[ "$(records session | wc -l)" -eq 2 ]
	[ "$(last_of session how)" = exit ]
}

@test "a bash started by the command, or by anything but sshd, records nothing" {
	# a script the command runs: its bash is not the connection's first shell
	run to_server "bash -c 'touch $AH/inner'; echo done"
	[ "$output" = "done" ]
	[ "$(records cmd | wc -l)" -eq 1 ]
	# a bash that reads the block (BASH_ENV) from cron or a script: no ssh, or not the first shell
	as_account env -u SSH_CONNECTION SHLVL=0 BASH_ENV="$ROOT/etc/bash.bashrc" \
		PATH="$(dirname "$LOGBOOK"):$PATH" bash -c "touch $AH/cron"
	as_account env SSH_CONNECTION='127.0.0.1 1 127.0.0.1 22' SHLVL=1 BASH_ENV="$ROOT/etc/bash.bashrc" \
		PATH="$(dirname "$LOGBOOK"):$PATH" bash -c "touch $AH/script"
	[ -e "$AH/cron" ] && [ -e "$AH/script" ]
	[ "$(records cmd | wc -l)" -eq 1 ]
	[ "$(records session | wc -l)" -eq 2 ]
	no_spool_left
}

@test "a broken or missing logbook does not break ssh HOST CMD" {
	# the journal gone: the hook says nothing, the command runs
	mv "$J" "$J.away"
	run to_server 'echo still-works; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = still-works ]
	mv "$J.away" "$J"
	# a logbook that fails and prints: nothing of it reaches the client
	nsenter --mount --target "$(cat "$S/sshd.pid")" -- sh -c \
		'printf "#!/bin/sh\necho garbage; echo noise >&2; exit 1\n" >/usr/local/bin/logbook'
	run to_server 'echo still-works; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = still-works ]
	# no logbook at all
	nsenter --mount --target "$(cat "$S/sshd.pid")" -- rm /usr/local/bin/logbook
	run to_server 'echo still-works'
	[ "$status" -eq 0 ]
	[ "$output" = still-works ]
	[ "$(records cmd | wc -l)" -eq 0 ]
}

@test "a spool directory swapped for a symlink during the command gets no write, and nothing is printed" {
	uid=$(id -u "$ACCOUNT")
	d="$J/.state/spool/$uid"
	# (here the account swaps its own; in a shared journal another member could)
	run to_server "mv $d $d.real && ln -s $d.real $d && echo swapped-marker"
	[ "$status" -eq 0 ]
	[ "$output" = swapped-marker ]
	spool=$(find "$d.real" -name '*.spool')
	[ -n "$spool" ]
	# what the shell wrote before the swap (H, P, B), nothing after it (C, X)
	run grep -c -E '^(C|X)[|]' <(tr '\0' '|' <"$spool")
	[ "$output" = 0 ] || fail "the shell wrote through the symlink: $(cat -v "$spool")"
	[ "$(records cmd | wc -l)" -eq 0 ]
}
