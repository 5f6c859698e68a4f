#!/usr/bin/env bats
# Signatures next to the real OpenSSH: a real ssh-agent holding the keys,
# ssh-keygen -Y verify checking what logbook signs, and logbook checking
# what ssh-keygen -Y sign made.  build/tests/sig-tool drives src/journal/sig.c.

load lib

SIG_TOOL="$BATS_TEST_DIRNAME/../build/tests/sig-tool"

# one set of keys for the whole file: RSA keys take a while to make
setup_file() {
	local k=$BATS_FILE_TMPDIR/keys
	mkdir -p "$k"
	ssh-keygen -q -t ed25519 -N '' -C 'alice@laptop' -f "$k/ed25519"
	ssh-keygen -q -t ecdsa -b 256 -N '' -C 'alice p256' -f "$k/ecdsa-p256"
	ssh-keygen -q -t ecdsa -b 384 -N '' -C '' -f "$k/ecdsa-p384"
	ssh-keygen -q -t ecdsa -b 521 -N '' -C 'p521' -f "$k/ecdsa-p521"
	ssh-keygen -q -t rsa -b 3072 -N '' -C 'alice rsa' -f "$k/rsa"
	ssh-keygen -q -t ed25519 -N 'secret words' -C 'locked' -f "$k/locked"
	printf 'head 4f1a0c2e of web1, 2026-11-26\n' >"$BATS_FILE_TMPDIR/msg"
}

teardown() {
	if [ -n "${SSH_AGENT_PID:-}" ]; then
		kill "$SSH_AGENT_PID"
	fi
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
}

K() {
	echo "$BATS_FILE_TMPDIR/keys/$1"
}

MSG() {
	echo "$BATS_FILE_TMPDIR/msg"
}

sig_tool() {
	"$SIG_TOOL" "$@"
}

# a real agent for this test (killed by teardown), holding the keys named
start_agent() {
	eval "$(ssh-agent -s)" >/dev/null
	local k
	for k in "$@"; do
		ssh-add -q "$(K "$k")" 2>/dev/null
	done
}

# ssh-keygen -Y verify of a signature file by a key, as alice, under namespace logbook
keygen_verify() {
	local sig=$1 key=$2 ns=${3:-logbook}
	printf 'alice namespaces="logbook" %s\n' "$(cat "$(K "$key").pub")" >"$BATS_TEST_TMPDIR/allowed_signers"
	ssh-keygen -Y verify -f "$BATS_TEST_TMPDIR/allowed_signers" -I alice -n "$ns" -s "$sig" <"$(MSG)"
}

# a process that takes connections on a socket and never answers (or, with
# "dead", a socket file nobody listens on)
fake_agent() {
	local path=$1 kind=${2:-mute} python=/usr/bin/python3
	[ -x "$python" ] || python=python3
	# python itself in the background (so $! is its pid), off bats' descriptors
	"$python" - "$path" "$kind" >/dev/null 2>&1 3>&- <<-'EOF' &
	import socket, sys, time
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.bind(sys.argv[1])
	if sys.argv[2] == "dead":
	    sys.exit(0)
	s.listen(4)
	time.sleep(60)
	EOF
	FAKE_PID=$!
	local i
	for i in $(seq 100); do
		[ -S "$path" ] && break
		sleep 0.05
	done
	if [ "$kind" = dead ]; then
		wait "$FAKE_PID"
		FAKE_PID=
	fi
}

@test "fingerprints are those ssh-keygen -l prints, for every key type" {
	local k
	for k in ed25519 ecdsa-p256 ecdsa-p384 ecdsa-p521 rsa locked; do
		diff <(ssh-keygen -lf "$(K $k).pub") <(sig_tool fingerprint "$(K $k).pub")
	done
}

@test "the agent's keys are listed as ssh-add -l and -L list them" {
	start_agent ed25519 ecdsa-p256 rsa
	diff <(ssh-add -l) <(sig_tool agent-keys)
	diff <(ssh-add -L) <(sig_tool agent-keys -L)
	[ "$(sig_tool agent-keys | wc -l)" -eq 3 ]
}

@test "an agent without keys lists none, and that is no error" {
	start_agent
	run sig_tool agent-keys
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "signatures made through the agent pass ssh-keygen -Y verify" {
	start_agent ed25519 ecdsa-p256 rsa
	local k
	for k in ed25519 ecdsa-p256 rsa; do
		sig_tool sign-agent "$(K $k).pub" <"$(MSG)" >"$BATS_TEST_TMPDIR/$k.sig"
		run keygen_verify "$BATS_TEST_TMPDIR/$k.sig" "$k"
		[ "$status" -eq 0 ]
		[[ "$output" == "Good \"logbook\" signature for alice with "*" key $(ssh-keygen -lf "$(K $k).pub" | cut -d' ' -f2)" ]]
		# and with sig-tool itself
		sig_tool verify "$BATS_TEST_TMPDIR/$k.sig" <"$(MSG)"
	done
}

@test "an Ed25519 signature through the agent is byte for byte ssh-keygen's" {
	start_agent ed25519
	sig_tool sign-agent "$(K ed25519).pub" <"$(MSG)" >"$BATS_TEST_TMPDIR/agent.sig"
	ssh-keygen -Y sign -f "$(K ed25519)" -n logbook <"$(MSG)" >"$BATS_TEST_TMPDIR/keygen.sig" 2>/dev/null
	cmp "$BATS_TEST_TMPDIR/agent.sig" "$BATS_TEST_TMPDIR/keygen.sig"
}

@test "signatures of ssh-keygen -Y sign verify with sig-tool, and name their key" {
	local k
	for k in ed25519 ecdsa-p256 ecdsa-p384 ecdsa-p521 rsa; do
		ssh-keygen -Y sign -f "$(K $k)" -n logbook <"$(MSG)" >"$BATS_TEST_TMPDIR/$k.sig" 2>/dev/null
		run sig_tool verify "$BATS_TEST_TMPDIR/$k.sig" <"$(MSG)"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "good signature by $(ssh-keygen -lf "$(K $k).pub" | cut -d' ' -f2)" ]
		[ "${lines[1]}" = "$(cut -d' ' -f1-2 "$(K $k).pub")" ]
	done
	# RSA over a SHA-256 message hash
	ssh-keygen -Y sign -f "$(K rsa)" -n logbook -O hashalg=sha256 <"$(MSG)" >"$BATS_TEST_TMPDIR/rsa256.sig" 2>/dev/null
	sig_tool verify "$BATS_TEST_TMPDIR/rsa256.sig" <"$(MSG)"
}

@test "ssh-keygen -Y sign through the agent, verified by sig-tool" {
	start_agent ecdsa-p256
	ssh-keygen -Y sign -f "$(K ecdsa-p256).pub" -n logbook <"$(MSG)" >"$BATS_TEST_TMPDIR/p256.sig" 2>/dev/null
	sig_tool verify "$BATS_TEST_TMPDIR/p256.sig" <"$(MSG)"
}

@test "sign-keyfile signs with a key file through ssh-keygen, and ssh-keygen agrees" {
	local k
	for k in ed25519 ecdsa-p521 rsa; do
		sig_tool sign-keyfile "$(K $k)" <"$(MSG)" >"$BATS_TEST_TMPDIR/$k.sig"
		keygen_verify "$BATS_TEST_TMPDIR/$k.sig" "$k"
	done
}

@test "a key file with a passphrase and no terminal fails with ssh-keygen's reason" {
	run sig_tool sign-keyfile "$(K locked)" </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == "sig-tool: ssh-keygen -Y sign -f $(K locked): "* ]]
	run setsid -w "$SIG_TOOL" sign-keyfile "$(K locked)" <"$(MSG)"
	[ "$status" -eq 1 ]
}

@test "a signature under another namespace fails, here and in ssh-keygen" {
	start_agent ed25519
	sig_tool sign-agent -n git "$(K ed25519).pub" <"$(MSG)" >"$BATS_TEST_TMPDIR/git.sig"
	run keygen_verify "$BATS_TEST_TMPDIR/git.sig" ed25519
	[ "$status" -ne 0 ]
	run sig_tool verify "$BATS_TEST_TMPDIR/git.sig" <"$(MSG)"
	[ "$status" -eq 1 ]
	[ "$output" = "sig-tool: the signature is for namespace 'git', not 'logbook'" ]
	sig_tool verify -n git "$BATS_TEST_TMPDIR/git.sig" <"$(MSG)"
}

@test "a changed message fails, here and in ssh-keygen" {
	start_agent rsa
	sig_tool sign-agent "$(K rsa).pub" <"$(MSG)" >"$BATS_TEST_TMPDIR/rsa.sig"
	run sig_tool verify "$BATS_TEST_TMPDIR/rsa.sig" <<<"head 4f1a0c2f of web1, 2026-11-26"
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not match"* ]]
	printf 'allowed %s\n' "$(cat "$(K rsa).pub")" >"$BATS_TEST_TMPDIR/allowed_signers"
	run ssh-keygen -Y verify -f "$BATS_TEST_TMPDIR/allowed_signers" -I allowed -n logbook \
		-s "$BATS_TEST_TMPDIR/rsa.sig" <<<"head 4f1a0c2f of web1, 2026-11-26"
	[ "$status" -ne 0 ]
}

@test "an agent without the key says which key it lacks" {
	start_agent ed25519
	run sig_tool sign-agent "$(K rsa).pub" <"$(MSG)"
	[ "$status" -eq 1 ]
	[ "$output" = "sig-tool: the ssh-agent does not hold the key ssh-rsa $(ssh-keygen -lf "$(K rsa).pub" | cut -d' ' -f2): add it with ssh-add" ]
}

@test "without SSH_AUTH_SOCK, signing says there is no agent" {
	unset SSH_AUTH_SOCK
	run sig_tool sign-agent "$(K ed25519).pub" <"$(MSG)"
	[ "$status" -eq 1 ]
	[[ "$output" == "sig-tool: no ssh-agent: SSH_AUTH_SOCK is not set"* ]]
	run sig_tool agent-keys
	[ "$status" -eq 1 ]
}

@test "a dead agent's socket is a clear error, at once" {
	start_agent ed25519
	kill "$SSH_AGENT_PID"
	SSH_AGENT_PID=
	run timeout 10 "$SIG_TOOL" sign-agent "$(K ed25519).pub" <"$(MSG)"
	[ "$status" -eq 1 ]
	[ "$output" = "sig-tool: no ssh-agent at $SSH_AUTH_SOCK (SSH_AUTH_SOCK): No such file or directory" ]
	# a socket file left behind, nobody listening
	export SSH_AUTH_SOCK=$BATS_TEST_TMPDIR/stale.sock
	fake_agent "$SSH_AUTH_SOCK" dead
	run timeout 10 "$SIG_TOOL" agent-keys
	[ "$status" -eq 1 ]
	[ "$output" = "sig-tool: no ssh-agent at $SSH_AUTH_SOCK (SSH_AUTH_SOCK): Connection refused" ]
}

@test "an agent that never answers times out instead of hanging" {
	export SSH_AUTH_SOCK=$BATS_TEST_TMPDIR/mute.sock LOGBOOK_AGENT_TIMEOUT=1
	fake_agent "$SSH_AUTH_SOCK"
	local start=$SECONDS
	run timeout 20 "$SIG_TOOL" sign-agent "$(K ed25519).pub" <"$(MSG)"
	[ "$status" -eq 1 ]
	[ "$output" = "sig-tool: ssh-agent at $SSH_AUTH_SOCK: no answer in 1 s" ]
	[ $((SECONDS - start)) -le 5 ]
}
