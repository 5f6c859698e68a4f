#!/usr/bin/env bats
# Who runs git: a member of the journal's group plays against root's sync.
# Root must never run what a member wrote into the journal's .git (config,
# hooks) nor the hooks of a hub the member owns; git runs in a journal only
# as the account that owns its .git.

load lib

# a member of a group of their own, a group-shared journal root made, a
# root-only directory that must come out of every attack unchanged
setup() {
	member_add
	export TZ=UTC LC_ALL=C
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER SUDO_UID VISUAL EDITOR PAGER NO_COLOR LESS
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	# a world the member can walk through but not write: markers land here only as root
	W=$(mktemp -d /tmp/lbgit.XXXXXX)
	chmod 755 "$W"
	export HOME="$W/home"
	mkdir -m 700 "$HOME"
	J="$W/journal"
	mkdir "$J"
	chgrp "$MEMBER_GROUP" "$J"
	chmod 2770 "$J"
	export LOGBOOK_DIR="$J" LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	"$LOGBOOK" init --timezone UTC "$J" >/dev/null
	git config -f "$J/team.conf" sync.auto false
	"$LOGBOOK" note "root's first note" >/dev/null
	plant_root_only
}

teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	[ -n "${W:-}" ] && rm -rf "$W"
	member_remove
}

# run a command as the member, in the journal's group
member() {
	as_member env HOME="$W" LOGBOOK_DIR="$J" LOGBOOK_HOST=web1 LOGBOOK_USER=bob "$@"
}

# a shell command that leaves a marker only root can write ($W is root's, 0755)
payload() {
	echo "id >>$W/pwned.$1; false"
}

# nothing of the member's ran as root, nothing outside the journal changed
nothing_ran() {
	local m
	for m in "$W"/pwned.*; do
		[ -e "$m" ] || continue
		fail "root ran the member's code: $m: $(cat "$m")"
	done
	root_only_intact
}

# a hub root owns, as the journal's remote
root_hub() {
	git init -q --bare "$W/hub.git"
	"$LOGBOOK" remote add hub "$W/hub.git" >/dev/null
}

# the journal as an older logbook left it: git init --shared=group
as_older_logbook() {
	git -C "$J" config core.sharedRepository group
	chmod -R g+w "$J/.git"
}

@test "a member's core.fsmonitor in .git/config does not run as root's sync" {
	root_hub
	member git config -f "$J/.git/config" core.fsmonitor "$(payload fsmonitor)" || true
	"$LOGBOOK" note "root's second note" >/dev/null
	run "$LOGBOOK" sync
	nothing_ran
}

@test "a member's hooks in .git/hooks do not run as root's sync" {
	root_hub
	for h in pre-commit post-commit reference-transaction pre-push post-checkout; do
		member sh -c "printf '#!/bin/sh\n%s\n' '$(payload "$h")' >'$J/.git/hooks/$h' && chmod 755 '$J/.git/hooks/$h'" ||
			true
	done
	"$LOGBOOK" note "root's second note" >/dev/null
	run "$LOGBOOK" sync
	nothing_ran
}

@test "a local hub the member owns: root's sync runs none of its hooks" {
	mkdir "$W/member"
	chown "$MEMBER:$MEMBER_GROUP" "$W/member"
	member git init -q --bare "$W/member/hub.git"
	for h in pre-receive update post-receive post-update reference-transaction; do
		member sh -c "printf '#!/bin/sh\n%s\n' '$(payload "$h")' >'$W/member/hub.git/hooks/$h' &&
			chmod 755 '$W/member/hub.git/hooks/$h'"
	done
	"$LOGBOOK" remote add mhub "$W/member/hub.git" >/dev/null
	"$LOGBOOK" note "root's second note" >/dev/null
	run "$LOGBOOK" sync
	nothing_ran
}

@test "a member's remote.NAME.uploadpack is not run by root's sync" {
	root_hub
	member git config -f "$J/.git/config" remote.hub.uploadpack "$(payload uploadpack)" || true
	member git config -f "$J/.git/config" remote.hub.receivepack "$(payload receivepack)" || true
	"$LOGBOOK" note "root's second note" >/dev/null
	run "$LOGBOOK" sync
	nothing_ran
}

@test "a journal an older logbook shared with the group: root's sync refuses, names the fix, and runs nothing" {
	root_hub
	as_older_logbook
	member git config -f "$J/.git/config" core.fsmonitor "$(payload fsmonitor)"
	member sh -c "printf '#!/bin/sh\n%s\n' '$(payload reference-transaction)' >'$J/.git/hooks/reference-transaction' &&
		chmod 755 '$J/.git/hooks/reference-transaction'"
	"$LOGBOOK" note "root's second note" >/dev/null
	run -1 "$LOGBOOK" sync
	[[ "$output" == *"$J/.git is writable by group $MEMBER_GROUP"* ]] || fail "$output"
	[[ "$output" == *"chmod g-w $J/.git"* ]] || fail "$output"
	nothing_ran
	# doctor says the same, as a failed check with its fix
	mkdir -p "$W/sysroot/etc"
	run "$LOGBOOK" doctor --root "$W/sysroot"
	[[ "$output" == *"FAIL git: $J/.git is writable by group $MEMBER_GROUP"* ]] || fail "$output"
	[[ "$output" == *"  fix: chmod g-w $J/.git"* ]] || fail "$output"
	# the fix as doctor gives it, path after path: what the member left behind still never runs
	chmod g-w "$J/.git"
	# git config rewrote the file: it is the member's now
	run -1 "$LOGBOOK" sync
	[[ "$output" == *"$J/.git/config belongs to $MEMBER, not to root"*"chown root $J/.git/config"* ]] || fail "$output"
	chown root "$J/.git/config"
	run -1 "$LOGBOOK" sync
	[[ "$output" == *"chmod g-w $J/.git/config"* ]] || fail "$output"
	chmod g-w "$J/.git/config" "$J/.git/hooks"
	run -0 "$LOGBOOK" sync
	nothing_ran
}

@test "what root's own .git says runs nothing either: hooks, fsmonitor and uploadpack are pinned by sync" {
	root_hub
	git -C "$J" config core.fsmonitor "$(payload fsmonitor)"
	git -C "$J" config remote.hub.uploadpack "$(payload uploadpack)"
	git -C "$J" config remote.hub.receivepack "$(payload receivepack)"
	for h in pre-commit post-commit reference-transaction pre-push; do
		printf '#!/bin/sh\n%s\n' "$(payload "$h")" >"$J/.git/hooks/$h"
		chmod 755 "$J/.git/hooks/$h"
	done
	"$LOGBOOK" note "root's second note" >/dev/null
	run -0 "$LOGBOOK" sync
	nothing_ran
	git -C "$W/hub.git" rev-parse -q --verify refs/heads/hosts/web1 >/dev/null
}

@test "a member's sync asks root for one, and root's sync takes the member's note" {
	root_hub
	"$LOGBOOK" sync >/dev/null
	before=$(git -C "$W/hub.git" rev-parse refs/heads/hosts/web1)
	member "$LOGBOOK" note "bob's note" >/dev/null
	run -0 member "$LOGBOOK" sync
	[[ "$output" == *"Only root runs sync in $J"* ]] || fail "$output"
	[ -f "$J/.state/sync/request" ]
	[ "$(git -C "$W/hub.git" rev-parse refs/heads/hosts/web1)" = "$before" ]
	run -0 "$LOGBOOK" sync
	git -C "$W/hub.git" show refs/heads/hosts/web1:"$(date -u +%Y)/$(date -u +%Y_%m_%d)/web1.jsonl" | grep -q "bob's note"
	nothing_ran
}

@test "a member's note asks for a sync instead of starting git" {
	root_hub
	git config -f "$J/team.conf" --unset sync.auto
	rm -f "$J/.state/sync/request"
	member "$LOGBOOK" note "bob's note" >/dev/null
	[ -f "$J/.state/sync/request" ]
	[ ! -e "$J/.state/sync/background.log" ]
	nothing_ran
}

@test "init and clone leave .git the owner's alone in a group-shared journal, even under umask 002" {
	umask 002
	for p in .git .git/config .git/hooks; do
		[ "$(( 0$(stat -c %a "$J/$p") & 022 ))" -eq 0 ] || fail "$p: $(stat -c %a "$J/$p")"
	done
	[ "$(stat -c %a "$J/.state")" = 2770 ]
	root_hub
	"$LOGBOOK" sync >/dev/null
	mkdir "$W/clone"
	chgrp "$MEMBER_GROUP" "$W/clone"
	chmod 2770 "$W/clone"
	LOGBOOK_HOST=db1 "$LOGBOOK" clone "$W/hub.git" "$W/clone" >/dev/null
	for p in .git .git/config .git/hooks; do
		[ "$(( 0$(stat -c %a "$W/clone/$p") & 022 ))" -eq 0 ] || fail "clone $p: $(stat -c %a "$W/clone/$p")"
	done
	[ "$(git -C "$W/clone" config remote.origin.uploadpack)" = \
		"git -c core.hooksPath=/dev/null -c core.fsmonitor=false upload-pack" ]
	[ -z "$(git -C "$W/clone" config --get-all safe.directory)" ]
}

@test "logbook-sync.path starts the sync on a request" {
	grep -qx 'PathModified=/var/lib/logbook/.state/sync/request' "$BATS_TEST_DIRNAME/../dist/logbook-sync.path"
	grep -qx 'Unit=logbook-sync.service' "$BATS_TEST_DIRNAME/../dist/logbook-sync.path"
}

@test "a git index a member puts in place of sync's private one: root's sync commits the files as they are" {
	# an older day of root's, committed to web1's ref
	printf '#1793786400\nthe-old-command\n' >"$W/history"
	"$LOGBOOK" import --bash-history "$W/history" >/dev/null
	"$LOGBOOK" sync -q >/dev/null
	local old=2026/2026_11_04/web1.jsonl today other forged
	today=$(date -u +%Y)/$(date -u +%Y_%m_%d)/web1.jsonl
	git -C "$J" cat-file -e "refs/heads/hosts/web1:$old" || fail "the old day is not committed"
	# another blob the repository holds: today's file as committed
	other=$(git -C "$J" rev-parse "refs/heads/hosts/web1:$today")
	# the member writes an index that names that blob for the old day, with its
	# stat data, where a private index of sync's once was (an index of the ref
	# as git would keep it, the files' stat data filled in)
	GIT_INDEX_FILE="$W/index.copy" git -c safe.directory='*' -C "$J" read-tree refs/heads/hosts/web1
	GIT_INDEX_FILE="$W/index.copy" git -c safe.directory='*' -C "$J" update-index -q --refresh
	python3 "$BATS_TEST_DIRNAME/git-index-forge.py" "$W/index.copy" "$old" "$other" "$W/forged"
	chmod 644 "$W/forged"
	as_member rm -f "$J/.state/sync/index.web1"
	as_member cp "$W/forged" "$J/.state/sync/index.web1"
	# root writes, then syncs: the old day's file in the ref is still the file
	"$LOGBOOK" note "a later note" >/dev/null
	"$LOGBOOK" sync -q >/dev/null
	[ "$(git -C "$J" rev-parse "refs/heads/hosts/web1:$old")" = "$(git -C "$J" hash-object "$J/$old")" ] ||
		fail "root's sync committed the member's index: $(git -C "$J" show "refs/heads/hosts/web1:$old")"
	nothing_ran
}

@test "a link or a FIFO a member puts in place of a record file: root's sync neither follows nor commits it" {
	"$LOGBOOK" sync -q >/dev/null
	local y d1 d2
	y=$(date -u +%Y)
	d1=$y/${y}_01_02 d2=$y/${y}_01_03
	member mkdir -p "$J/$d1" "$J/$d2"
	member ln -s "$ROOT_ONLY/shadow" "$J/$d1/web1.jsonl"
	member mkfifo "$J/$d2/web1.jsonl"
	"$LOGBOOK" note "a later note" >/dev/null
	run --separate-stderr timeout 20 "$LOGBOOK" sync -q
	[ "$status" -ne 124 ] || fail "root's sync hung on the member's FIFO"
	[ "$status" -eq 0 ] || fail "$status: $stderr"
	[[ "$stderr" == *"$d1/web1.jsonl: not a regular file"* ]] || fail "$stderr"
	[[ "$stderr" == *"$d2/web1.jsonl: not a regular file"* ]] || fail "$stderr"
	# neither is in the ref, in any form; the rest of the records are
	run git -c safe.directory='*' -C "$J" ls-tree -r refs/heads/hosts/web1
	[[ "$output" != *"${y}_01_02"* && "$output" != *"${y}_01_03"* ]] || fail "$output"
	run -1 git -c safe.directory='*' -C "$J" grep -q 'root:' refs/heads/hosts/web1
	git -c safe.directory='*' -C "$J" show "refs/heads/hosts/web1:$y/$(date -u +%Y_%m_%d)/web1.jsonl" |
		grep -q '"a later note"' || fail "today's records are not committed"
	nothing_ran
}
