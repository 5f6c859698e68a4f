#!/usr/bin/env bats
# Root never runs git in the journal: the account that owns .git does (the
# system user logbook, after setup; here a temporary system user playing
# it, in the journal's group with a member who is an admin without root).
# sync, export, digest --send and remote, started by root (the timers, an
# admin on shared root), become that account before they read another
# replica's data or start git; any other git root starts (doctor's) runs
# as that account too.  Every test records the uid of every git and
# sendmail that ran, through a wrapper first in PATH.
#
# The attacks of a member against root's files live in privsep-git.bats
# (what .git says), privsep-state.bats (links under .state and the wiki)
# and privsep-spool.bats (the spools); hub.bats holds the pushed refs.

load lib

setup() {
	member_add
	export TZ=UTC LC_ALL=C
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER SUDO_UID VISUAL EDITOR PAGER NO_COLOR LESS
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	W=$(mktemp -d /tmp/lbpriv.XXXXXX)
	chmod 755 "$W"
	export HOME="$W/root-home"
	mkdir -m 700 "$HOME"
	# the keeper plays the user logbook: a system user in the journal's group, a home of its own
	KEEPER=lbk$$-$BATS_TEST_NUMBER
	useradd --system --gid "$MEMBER_GROUP" --home-dir "$W/keeper" --create-home --shell /usr/sbin/nologin "$KEEPER"
	KEEPER_UID=$(id -u "$KEEPER")
	# a journal as setup makes it: the top directory and .git the keeper's, group-shared
	J="$W/journal"
	mkdir "$J"
	chown "$KEEPER:$MEMBER_GROUP" "$J"
	chmod 2770 "$J"
	export LOGBOOK_DIR="$J" LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	as_keeper "$LOGBOOK" init --timezone UTC "$J" >/dev/null
	as_keeper git config -f "$J/team.conf" sync.auto false
	"$LOGBOOK" note "root's first note" >/dev/null
	# every git and sendmail any test starts says who it ran as
	mkdir "$W/bin"
	for tool in git sendmail; do
		printf '#!/bin/sh\necho "%s $(id -u)" >>%s\nexec %s "$@"\n' "$tool" "$W/ran" "$(command -v "$tool" || echo /bin/false)" >"$W/bin/$tool"
		chmod 755 "$W/bin/$tool"
	done
	: >"$W/ran"
	chmod 666 "$W/ran"
	export PATH="$W/bin:$PATH"
	plant_root_only
}

teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	pkill -u "${KEEPER:-nobody-here}" 2>/dev/null || true
	[ -n "${KEEPER:-}" ] && userdel "$KEEPER" 2>/dev/null
	[ -n "${W:-}" ] && rm -rf "$W"
	member_remove
}

as_keeper() {
	setpriv --reuid="$KEEPER" --regid="$MEMBER_GROUP" --init-groups -- env HOME="$W/keeper" "$@"
}

# a hub the keeper owns, as the journal's remote
keeper_hub() {
	as_keeper git init -q --bare "$W/keeper/hub.git"
	"$LOGBOOK" remote add hub "$W/keeper/hub.git" >/dev/null
}

# every git (and sendmail) that ran was the keeper's, and some ran
ran_as_keeper() {
	local what=$1
	grep -q "^$what " "$W/ran" || fail "no $what ran: $(cat "$W/ran")"
	run -1 grep -v " $KEEPER_UID\$" "$W/ran"
	[ "$status" -eq 1 ] || fail "ran as another account than the keeper ($KEEPER_UID): $(cat "$W/ran")"
}

@test "root's sync becomes the owner of .git: it syncs, and every git runs as that account" {
	keeper_hub
	: >"$W/ran"
	"$LOGBOOK" note "root's second note" >/dev/null
	run "$LOGBOOK" sync
	[ "$status" -eq 0 ] || fail "$output"
	ran_as_keeper git
	# the hub has the records, and what sync wrote is the keeper's
	[ -n "$(as_keeper git -C "$W/keeper/hub.git" rev-parse --verify -q refs/heads/hosts/web1)" ]
	[ "$(stat -c %U "$J/.state/sync/ok.hub" "$J/.git/logbook/index.web1" | sort -u)" = "$KEEPER" ]
	# sync --local (the receive unit's) too
	: >"$W/ran"
	run "$LOGBOOK" sync --local
	[ "$status" -eq 0 ] || fail "$output"
	ran_as_keeper git
	root_only_intact
}

@test "root's remote, doctor and export run git as the owner of .git, never as root" {
	: >"$W/ran"
	run "$LOGBOOK" remote add hub "$W/keeper/hub.git"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(stat -c %U "$J/.git/config")" = "$KEEPER" ]
	as_keeper git init -q --bare "$W/keeper/hub.git"
	run "$LOGBOOK" doctor --root /
	[[ "$output" == *"ok   git: $J is a git work tree; logbook's git runs there as $KEEPER, never as root"* ]] ||
		fail "$output"
	[[ "$output" == *"ok   remote hub: reachable"* ]] || fail "$output"
	# the wiki directory is the keeper's: root's export writes it as the keeper
	as_keeper mkdir "$W/keeper/wiki"
	run "$LOGBOOK" export --dokuwiki "$W/keeper/wiki"
	[ "$status" -eq 0 ] || fail "$output"
	[ -z "$(find "$W/keeper/wiki" ! -user "$KEEPER")" ] || fail "$(find "$W/keeper/wiki" -ls)"
	ran_as_keeper git
	root_only_intact
}

@test "root's digest --send hands the mail to sendmail as the owner of .git" {
	command -v sendmail >/dev/null || skip "no sendmail on this machine"
	as_keeper git config -f "$J/team.conf" digest.to team@example.org
	# a sendmail that keeps the mail instead of sending it
	printf '#!/bin/sh\necho "sendmail $(id -u)" >>%s\ncat >%s\n' "$W/ran" "$W/keeper/mail" >"$W/bin/sendmail"
	: >"$W/ran"
	run "$LOGBOOK" digest --send today
	[ "$status" -eq 0 ] || fail "$output"
	grep -q "root's first note" "$W/keeper/mail"
	ran_as_keeper sendmail
}

@test "a .git whose owner has no account: root's sync runs no git and says why" {
	keeper_hub
	chown -R 4000123 "$J/.git"
	chown 4000123 "$J"
	: >"$W/ran"
	run "$LOGBOOK" sync
	[ "$status" -eq 1 ]
	[[ "$output" == *"$J/.git belongs to uid 4000123, which has no account"* ]] || fail "$output"
	run -1 grep -q . "$W/ran"
	root_only_intact
}

@test "a member's sync still asks instead of running git; root's own journal is root's to sync" {
	keeper_hub
	: >"$W/ran"
	run as_member env HOME="$W" LOGBOOK_DIR="$J" LOGBOOK_HOST=web1 LOGBOOK_USER=bob "$LOGBOOK" sync
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"Only $KEEPER runs sync in $J: asked for one"* ]] || fail "$output"
	run -1 grep -q "^git" "$W/ran"
	# a journal root made for itself: root runs git there as root, as before
	R="$W/root-journal"
	LOGBOOK_DIR="$R" "$LOGBOOK" init --timezone UTC "$R" >/dev/null
	: >"$W/ran"
	run env LOGBOOK_DIR="$R" "$LOGBOOK" sync
	[ "$status" -eq 0 ] || fail "$output"
	grep -q "^git 0$" "$W/ran"
}
