# Shared setup of the shell tests (loaded with "load lib" from each .bats).
# Every test runs in a fixed world: UTC, the C locale, a temporary HOME,
# and a journal of its own under $BATS_TEST_TMPDIR; host and admin are set
# through LOGBOOK_HOST and LOGBOOK_USER, as the tests simulate a team.

bats_require_minimum_version 1.5.0

setup() {
	export TZ=UTC LC_ALL=C
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/journal"
	export LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER VISUAL EDITOR PAGER NO_COLOR LESS
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	# not the machine's /etc/logbook/secrets (tests/secret.bats makes its own)
	export LOGBOOK_SECRETS=/nonexistent/logbook-secrets
	# not the machine's own root either: a root's logbook ingest catches up
	# APT's logs where the machine has logbook's APT hook (setup and doctor
	# tests name their scratch root with --root)
	export LOGBOOK_ROOT=/nonexistent/logbook-root
}

# the binary under test
lb() {
	"$LOGBOOK" "$@"
}

# a fresh journal in $LOGBOOK_DIR, in UTC unless a zone is given
# a bare hub ($BATS_TEST_TMPDIR/hub.git) and a replica of each HOST
# syncing with it, in $BATS_TEST_TMPDIR/HOST
replicas_with_hub() {
	local h
	git init -q --bare "$BATS_TEST_TMPDIR/hub.git"
	for h in "$@"; do
		LOGBOOK_HOST=$h lb init --timezone UTC "$BATS_TEST_TMPDIR/$h" >/dev/null
		LOGBOOK_HOST=$h lb -C "$BATS_TEST_TMPDIR/$h" remote add hub "$BATS_TEST_TMPDIR/hub.git"
	done
}

new_journal() {
	"$LOGBOOK" init --timezone "${1:-UTC}" "$LOGBOOK_DIR" >/dev/null
}

# today's day page name, in UTC (the tests' team time zone)
today() {
	date -u +%Y_%m_%d
}

# the record file of a host for today
day_file() {
	local d
	d=$(today)
	echo "$LOGBOOK_DIR/${d:0:4}/$d/${1:-$LOGBOOK_HOST}.jsonl"
}

# run a command as an unprivileged user when the tests run as root,
# so that permission checks apply (root bypasses them)
as_nobody() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

# ed25519 keys $K/NAME and $K/NAME.pub for each NAME, and an ssh-agent
# (its pid in AGENT_PID, for teardown to kill) that holds the first
agent_with_keys() {
	K="$BATS_TEST_TMPDIR/keys"
	mkdir -p "$K"
	for k in "$@"; do ssh-keygen -q -t ed25519 -N '' -f "$K/$k" -C "$k@laptop"; done
	eval "$(ssh-agent -s)" >/dev/null
	AGENT_PID=$SSH_AGENT_PID
	ssh-add -q "$K/$1" 2>/dev/null
}

# fail with a message (bats prints it)
fail() {
	echo "$@" >&2
	return 1
}

# python3 for JSON checks: Debian's own when there is one, since a version
# manager's shim (pyenv) costs more than the command under test
py() {
	if [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 "$@"
	else
		python3 "$@"
	fi
}

# checks on the record files, independent of logbook (see tests/jsonl.py):
#   jsonl files DIR | chain DIR HOST | text FILE [LINE] | field FILE LINE KEY | sorted FILE...
jsonl() {
	py "$BATS_TEST_DIRNAME/jsonl.py" "$@"
}

# a field of the last record of a host's file for today
last_field() {
	jsonl field "$(day_file "${2:-$LOGBOOK_HOST}")" -1 "$1"
}

# the day page name of now in a time zone
today_in() {
	TZ=$1 date +%Y_%m_%d
}

# run a command with a terminal on its standard input and output (script(1)
# from util-linux gives it a pseudo-terminal); what it prints is on stdout
on_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	SHELL=/bin/bash script -qec "$cmd" /dev/null </dev/null
}

# let other users (as_nobody) reach $BATS_TEST_TMPDIR: bats makes its
# temporary directories private
let_others_in() {
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# let group and others enter $BATS_TEST_TMPDIR and the directories above
# it, as they enter /etc: bats makes its directories private, and a
# watched file under a directory they cannot enter is tracked by hash only
open_test_dirs() {
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod go+x "$d"
		d=$(dirname "$d")
	done
}

# a listing of a tree (names, types, modes, sizes, contents' checksums) to
# show that a command changed nothing
snapshot() {
	(cd "$1" && find . -printf '%p %y %m %s\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0r sha256sum)
}

# The shells the tests start read only the rc file the test writes, never
# the machine's /etc/bash.bashrc or /etc/zsh/zshrc: where `logbook setup`
# ran, those eval the installed logbook's hook, which would load first and
# record (and be timed) instead of the hook under test.
#
# bash: Debian's bash reads /etc/bash.bashrc (SYS_BASHRC) before the file of
# --rcfile, and --norc skips both.  But an interactive bash started with
# --posix reads only the file named by $ENV, so the tests run
#     ENV=RC bash --posix -i
# with $BASH_RC_HEAD as the first line of RC: it leaves POSIX mode, turns off
# inherit_errexit which POSIX mode turned on, and unsets ENV, so the shell
# then is an ordinary bash (same set -o and shopt as bash --norc -i).
# zsh: -d (--no-globalrcs) skips /etc/zsh/zshrc, zprofile, zlogin and zlogout
# and ZDOTDIR names the directory of the test's .zshrc:
#     ZDOTDIR=DIR zsh -d -i
# Every zsh still reads /etc/zsh/zshenv; Debian's only sets PATH when it is
# empty or /bin:/usr/bin, and logbook setup does not edit it.
# (A private mount namespace hiding the /etc files needs root, or a user
# namespace mapped to root, which changes the uid the tests run as.)
# A test that means to read a system file sources it from its rc file:
# tests/deb.bats the real /etc/bash.bashrc after setup, tests/setup.bats the
# files setup edited under its scratch root.
BASH_RC_HEAD='set +o posix; shopt -u inherit_errexit; unset ENV'

# ---- a member of the journal's group, played against root ----
# The privsep suites make a real unprivileged account in a group of its
# own (removed again by member_remove in teardown), run its side of an
# attack with as_member, and check with root_only_intact that a planted
# root-only directory kept every byte and mode and that no payload ran.

# member_add: $MEMBER in $MEMBER_GROUP (root only: the test skips otherwise)
member_add() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to play a member of the journal's group against root"
	MEMBER_GROUP=lbg$$-$BATS_TEST_NUMBER
	MEMBER=lbm$$-$BATS_TEST_NUMBER
	groupadd --system "$MEMBER_GROUP"
	useradd --system --no-create-home --shell /usr/sbin/nologin -g "$MEMBER_GROUP" "$MEMBER"
	let_others_in
}

member_remove() {
	[ -n "${MEMBER:-}" ] || return 0
	pkill -u "$MEMBER" 2>/dev/null || true
	userdel "$MEMBER" 2>/dev/null || true
	groupdel "$MEMBER_GROUP" 2>/dev/null || true
	MEMBER=
}

# run a command as the member, in the journal's group
as_member() {
	setpriv --reuid="$MEMBER" --regid="$MEMBER_GROUP" --init-groups -- "$@"
}

# a root-only directory outside the journal ($ROOT_ONLY), with the kinds of
# file an attack aims at; $MARKER is what a member's payload would create
plant_root_only() {
	ROOT_ONLY="$BATS_TEST_TMPDIR/root-only"
	MARKER="$BATS_TEST_TMPDIR/pwned"
	mkdir -m 0700 "$ROOT_ONLY" "$ROOT_ONLY/cron.d"
	echo 'root:$6$secret' >"$ROOT_ONLY/shadow"
	echo 'ssh-ed25519 AAAA root@admin' >"$ROOT_ONLY/authorized_keys"
	: >"$ROOT_ONLY/empty"
	echo 'the real baseline index' >"$ROOT_ONLY/index"
	echo "keep me" >"$ROOT_ONLY/target"
	echo '0 3 * * * root /usr/sbin/backup' >"$ROOT_ONLY/cron.d/backup"
	chmod 0600 "$ROOT_ONLY/shadow" "$ROOT_ONLY/authorized_keys" "$ROOT_ONLY/empty" \
		"$ROOT_ONLY/index" "$ROOT_ONLY/target"
	printf '\177ELF setuid' >"$ROOT_ONLY/su"
	chmod 4755 "$ROOT_ONLY/su"
	ROOT_ONLY_BEFORE=$(snapshot "$ROOT_ONLY")
}

# the root-only directory is as it was, and no payload of the member ran
root_only_intact() {
	local now
	now=$(snapshot "$ROOT_ONLY")
	[ "$now" = "$ROOT_ONLY_BEFORE" ] || fail "root-only files changed: $(diff <(echo "$ROOT_ONLY_BEFORE") <(echo "$now"))"
	[ ! -e "$MARKER" ] || fail "root ran the member's payload: $(cat "$MARKER")"
	[ ! -e "$BATS_TEST_TMPDIR/payload-ran" ] || fail "the member's payload ran"
}

# a real sshd on a loopback port, its own host key and config ($S, $PORT).
# Without arguments it lets in $S/client_key as anyone (GIT_SSH_COMMAND uses
# it); with "accounts" it reads each account's ~/.ssh/authorized_keys and
# checks their modes as Debian's sshd does (StrictModes yes).
start_sshd() {
	command -v /usr/sbin/sshd >/dev/null || skip "openssh-server is not installed"
	[ "$(id -u)" -eq 0 ] || skip "sshd in the tests runs as root"
	S="$BATS_TEST_TMPDIR/sshd"
	mkdir -p "$S" /run/sshd
	chmod 700 "$S"
	ssh-keygen -q -t ed25519 -N '' -f "$S/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$S/client_key"
	cp "$S/client_key.pub" "$S/authorized_keys"
	PORT=$((20000 + RANDOM % 20000))
	cat >"$S/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $S/host_key
AuthorizedKeysFile $([ "${1:-}" = accounts ] && echo .ssh/authorized_keys || echo "$S/authorized_keys")
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes $([ "${1:-}" = accounts ] && echo yes || echo no)
UsePAM no
PidFile $S/sshd.pid
CONF
	/usr/sbin/sshd -f "$S/sshd_config" -E "$S/sshd.log"
	for ((i = 0; i < 50; i++)); do
		[ -s "$S/sshd.pid" ] && break
		sleep 0.1
	done
	[ "${1:-}" = accounts ] && return 0
	export GIT_SSH_COMMAND="ssh -i $S/client_key -p $PORT -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5"
}

stop_sshd() {
	[ -n "${S:-}" ] && [ -s "$S/sshd.pid" ] || return 0
	kill "$(cat "$S/sshd.pid")" 2>/dev/null
	# sshd forks per connection: let the listener go away
	for ((i = 0; i < 50; i++)); do
		kill -0 "$(cat "$S/sshd.pid")" 2>/dev/null || break
		sleep 0.1
	done
	return 0
}
