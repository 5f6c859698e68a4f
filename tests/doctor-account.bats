#!/usr/bin/env bats
# logbook doctor on the account that runs git (the user logbook after
# setup; here a temporary system user, the keeper, with a home under the
# test's directory): its home and ~/.ssh as sshd's StrictModes wants them,
# its key, the keys it lets in (each with restrict), git-shell as its
# shell and no ~/git-shell-commands; and the wiki directory it writes
# after root's export drops to it.

load lib

setup() {
	member_add
	export TZ=UTC LC_ALL=C
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER SUDO_UID VISUAL EDITOR PAGER NO_COLOR LESS SSH_AUTH_SOCK
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	W=$(mktemp -d /tmp/lbacct.XXXXXX)
	chmod 755 "$W"
	export HOME="$W/root-home"
	mkdir -m 700 "$HOME"
	# an empty scratch root: no system rc file, alias or timer of this machine is looked at
	ROOT="$W/root"
	mkdir -p "$ROOT/etc"
	echo 'eval "$(logbook hook bash)"' >"$ROOT/etc/bash.bashrc"
	# the keeper plays the user logbook, as setup makes it
	KEEPER=lbk$$-$BATS_TEST_NUMBER
	KH="$W/keeper"
	useradd --system --gid "$MEMBER_GROUP" --home-dir "$KH" --create-home --shell /usr/bin/git-shell "$KEEPER"
	chmod 755 "$KH"
	as_keeper mkdir -m 700 "$KH/.ssh"
	as_keeper ssh-keygen -q -t ed25519 -N '' -f "$KH/.ssh/id_ed25519" -C "$KEEPER@web1"
	# another replica's key, let in as setup --accept-replica writes it
	ssh-keygen -q -t ed25519 -N '' -f "$W/replica" -C logbook@db1
	echo "restrict $(cat "$W/replica.pub")" | as_keeper tee "$KH/.ssh/authorized_keys" >/dev/null
	as_keeper chmod 600 "$KH/.ssh/authorized_keys"
	J="$W/journal"
	mkdir "$J"
	chown "$KEEPER:$MEMBER_GROUP" "$J"
	chmod 2770 "$J"
	export LOGBOOK_DIR="$J" LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	as_keeper "$LOGBOOK" init --timezone UTC "$J" >/dev/null
	as_keeper git config -f "$J/team.conf" sync.auto false
}

teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	pkill -u "${KEEPER:-nobody-here}" 2>/dev/null || true
	[ -n "${KEEPER:-}" ] && userdel "$KEEPER" 2>/dev/null
	[ -n "${W:-}" ] && rm -rf "$W"
	member_remove
}

as_keeper() {
	setpriv --reuid="$KEEPER" --regid="$MEMBER_GROUP" --init-groups -- env HOME="$KH" "$@"
}

doctor() {
	run "$LOGBOOK" doctor --root "$ROOT"
}

# doctor's line for a check (the FAIL line and its fix line)
line_of() {
	grep -A1 -E "^(ok  |FAIL|--  ) $1:" <<<"$output" || fail "no line for '$1' in: $output"
}

@test "the account that owns .git, as setup makes it: ok" {
	doctor
	[ "$status" -eq 0 ] || fail "$output"
	line_of "git account" | grep -q "^ok   git account: $KEEPER: home $KH, ~/.ssh 0700 with its key, 1 key let in with restrict, shell /usr/bin/git-shell\$" ||
		fail "$output"
}

@test "a home the group can write: FAIL, sshd would refuse every key" {
	chmod g+w "$KH"
	doctor
	[ "$status" -eq 1 ]
	line_of "git account" | grep -qx "FAIL git account: $KEEPER: its home $KH is writable by group or others: sshd (StrictModes) lets no key in" ||
		fail "$output"
	line_of "git account" | grep -qx "  fix: chmod go-w $KH" || fail "$output"
	chmod go-w "$KH"
	doctor
	line_of "git account" | grep -q "^ok   git account" || fail "$output"
}

@test "~/.ssh open to others: FAIL with the chmod" {
	chmod 755 "$KH/.ssh"
	doctor
	[ "$status" -eq 1 ]
	line_of "git account" | grep -qx "FAIL git account: $KEEPER: $KH/.ssh is not 0700 and its own (0755, $KEEPER)" || fail "$output"
	line_of "git account" | grep -qx "  fix: chown $KEEPER $KH/.ssh && chmod 700 $KH/.ssh" || fail "$output"
}

@test "a key line without restrict: FAIL naming the line, fix with setup --accept-replica" {
	ssh-keygen -q -t ed25519 -N '' -f "$W/other" -C admin@laptop
	{ echo "# let in by hand"; cat "$W/other.pub"; } | as_keeper tee -a "$KH/.ssh/authorized_keys" >/dev/null
	doctor
	[ "$status" -eq 1 ]
	line_of "git account" | grep -qx "FAIL git account: $KEEPER: line 3 of $KH/.ssh/authorized_keys lets a key in without restrict (a terminal and forwarding for whoever holds it)" ||
		fail "$output"
	line_of "git account" | grep -qx "  fix: delete line 3 of $KH/.ssh/authorized_keys, then let that replica in with: logbook setup --accept-replica 'KEY'" ||
		fail "$output"
}

@test "an authorized_keys the group can write: FAIL" {
	chmod g+w "$KH/.ssh/authorized_keys"
	doctor
	[ "$status" -eq 1 ]
	line_of "git account" | grep -qx "  fix: chown $KEEPER $KH/.ssh/authorized_keys && chmod go-w $KH/.ssh/authorized_keys" || fail "$output"
}

@test "~/git-shell-commands: FAIL, git-shell would give a shell to every key let in" {
	as_keeper mkdir "$KH/git-shell-commands"
	doctor
	[ "$status" -eq 1 ]
	line_of "git account" | grep -qx "FAIL git account: $KEEPER: $KH/git-shell-commands exists: git-shell gives an interactive shell to every key let in" ||
		fail "$output"
	line_of "git account" | grep -qx "  fix: rm -r $KH/git-shell-commands" || fail "$output"
}

@test "no key of its own: FAIL, fix logbook setup" {
	rm "$KH/.ssh/id_ed25519.pub"
	doctor
	[ "$status" -eq 1 ]
	line_of "git account" | grep -qx "FAIL git account: $KEEPER: no $KH/.ssh/id_ed25519.pub: the other replicas have no key of this one to let in" ||
		fail "$output"
	line_of "git account" | grep -qx "  fix: logbook setup" || fail "$output"
}

@test "a shell other than git-shell while keys are let in: FAIL with the usermod" {
	usermod --shell /bin/sh "$KEEPER"
	doctor
	[ "$status" -eq 1 ]
	line_of "git account" | grep -qx "FAIL git account: $KEEPER: its shell is /bin/sh: a replica let in runs whatever that shell runs, not only git" ||
		fail "$output"
	line_of "git account" | grep -qx "  fix: usermod --shell /usr/bin/git-shell $KEEPER" || fail "$output"
	# with no key let in and no ssh remote, nobody logs in through it
	rm "$KH/.ssh/authorized_keys"
	doctor
	line_of "git account" | grep -q "^ok   git account: $KEEPER: .*no key let in, shell /bin/sh\$" || fail "$output"
	# an ssh remote: the replicas there push back in through that shell
	as_keeper git -C "$J" remote add db1 logbook@db1.example.org:/var/lib/logbook
	doctor
	line_of "git account" | grep -q "^FAIL git account: $KEEPER: its shell is /bin/sh" || fail "$output"
}

@test "an account outside the journal's group: FAIL with the usermod that lets it in, not setup" {
	local outsider=lbo$$-$BATS_TEST_NUMBER
	useradd --system --no-create-home --shell /usr/sbin/nologin -U "$outsider"
	run setpriv --reuid="$outsider" --regid="$outsider" --init-groups -- env HOME="$W" "$LOGBOOK" doctor --root "$ROOT"
	userdel "$outsider"
	[ "$status" -eq 1 ]
	line_of "journal" | grep -qx "FAIL journal: $outsider cannot enter $J: not in its group" || fail "$output"
	line_of "journal" | grep -qx "  fix: usermod -aG $MEMBER_GROUP $outsider, then log in again" || fail "$output"
	[[ "$output" != *"fix: logbook setup"* ]] || fail "$output"
}

@test "doctor run by another account: the home is not read, not checked and why" {
	run as_member env HOME="$W" "$LOGBOOK" doctor --root "$ROOT"
	line_of "git account" | grep -qx -- "--   git account: $KEEPER: $KH/.ssh cannot be read by $MEMBER (Permission denied): run doctor as root or $KEEPER" ||
		fail "$output"
}

@test "a root's journal: no account to check" {
	R="$W/root-journal"
	LOGBOOK_DIR="$R" "$LOGBOOK" init --timezone UTC "$R" >/dev/null
	run env LOGBOOK_DIR="$R" "$LOGBOOK" doctor --root "$ROOT"
	line_of "git account" | grep -q -- "^--   git account: root owns $R/.git" || fail "$output"
}

@test "a wiki directory only root can write: FAIL with the chgrp and chmod; after them, ok and export writes" {
	WIKI="$W/wiki"
	mkdir -m 0755 "$WIKI"
	as_keeper git config -f "$J/team.conf" export.dokuwiki "$WIKI"
	"$LOGBOOK" note "for the wiki" >/dev/null
	doctor
	[ "$status" -eq 1 ]
	line_of wiki | grep -qx "FAIL wiki: $KEEPER, who writes the pages for root's export and sync, cannot create files in $WIKI (export.dokuwiki)" ||
		fail "$output"
	line_of wiki | grep -qx "  fix: chgrp $MEMBER_GROUP $WIKI && chmod g+ws $WIKI" || fail "$output"
	fix=$(line_of wiki | sed -n 's/^  fix: //p')
	# what doctor says is what export meets
	run "$LOGBOOK" export --dokuwiki "$WIKI"
	[ "$status" -eq 1 ] || fail "$output"
	eval "$fix"
	doctor
	line_of wiki | grep -qx "ok   wiki: $KEEPER can create files in $WIKI (export.dokuwiki)" || fail "$output"
	run "$LOGBOOK" export --dokuwiki "$WIKI"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(stat -c %U "$WIKI/journal/start.txt")" = "$KEEPER" ]
}

@test "a wiki directory whose namespace directory root made: that directory is the one to fix" {
	WIKI="$W/wiki"
	mkdir -m 2775 "$WIKI" && chgrp "$MEMBER_GROUP" "$WIKI"
	mkdir -m 0755 "$WIKI/ops"
	as_keeper git config -f "$J/team.conf" export.dokuwiki "$WIKI"
	as_keeper git config -f "$J/team.conf" export.namespace ops
	doctor
	[ "$status" -eq 1 ]
	line_of wiki | grep -qx "  fix: chgrp $MEMBER_GROUP $WIKI/ops && chmod g+ws $WIKI/ops" || fail "$output"
}
