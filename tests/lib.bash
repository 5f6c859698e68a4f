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
}

# the binary under test
lb() {
	"$LOGBOOK" "$@"
}

# a fresh journal in $LOGBOOK_DIR, in UTC unless a zone is given
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
