# Shared setup of the shell tests (loaded with "load lib" from each .bats).
# Every test runs in a fixed world: UTC, the C locale, a temporary HOME,
# and a journal of its own under $BATS_TEST_TMPDIR; host and admin are set
# through LOGBOOK_HOST and LOGBOOK_USER, as the tests simulate a team.

setup() {
	export TZ=UTC LC_ALL=C
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/journal"
	export LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER VISUAL EDITOR PAGER NO_COLOR LESS
	LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
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
