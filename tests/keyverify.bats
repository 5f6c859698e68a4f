#!/usr/bin/env bats
# On a replica whose keyring is signed, whose keys are whose is what the
# signed keyring says (.git/logbook-keyring, written by the owner of .git
# as it takes each checked change), not what team.conf in the work tree
# says: a member who adds a key of their own under alice there, or takes
# a revocation out, gets no signature taken for alice's and no session
# named alice's.  web1 is a journal alice's signed change pinned.

load lib

setup() {
	T=$BATS_TEST_TMPDIR
	agent_with_keys alice bob mallory
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER
	export TZ=UTC LC_ALL=C LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	export LOGBOOK_DIR="$T/web1" LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	"$LOGBOOK" init --timezone UTC "$T/web1" >/dev/null
	git config -f "$T/web1/team.conf" sync.auto false
	"$LOGBOOK" team add alice --key "$K/alice.pub" >/dev/null
	"$LOGBOOK" sync >/dev/null
	ALICE=$(ssh-keygen -lf "$K/alice.pub" | cut -d' ' -f2)
	MALLORY=$(ssh-keygen -lf "$K/mallory.pub" | cut -d' ' -f2)
	[ "$(cat "$T/web1/.git/logbook-trust")" = "$ALICE" ]
}

teardown() {
	[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
	member_remove
	return 0
}

# a sign record by key $1 for admin $LOGBOOK_USER, made as if the keyring were not signed (what a member who
# writes the record by hand gets)
forge_sign() {
	mv "$T/web1/.git/logbook-trust" "$T/pin"
	SSH_AUTH_SOCK= "$LOGBOOK" sign --key "$K/$1" >/dev/null
	local rc=$?
	mv "$T/pin" "$T/web1/.git/logbook-trust"
	return $rc
}

@test "a key added under alice in team.conf here without a signature signs nothing for her" {
	SSH_AUTH_SOCK= "$LOGBOOK" note "before" >/dev/null 2>&1
	# the member's edit: their key under alice, unsigned
	git config -f "$T/web1/team.conf" --add admin.alice.key "$(cat "$K/mallory.pub")"
	run "$LOGBOOK" sign --key "$K/mallory"
	[ "$status" -ne 0 ] || fail "sign took mallory's key for alice: $output"
	[[ "$output" == *"$MALLORY is not a key of alice"*"the signed keyring counts here"* ]] || fail "$output"
	forge_sign mallory || fail "no record to verify"
	run "$LOGBOOK" verify
	[ "$status" -eq 1 ] || fail "verify took mallory's signature for alice's: $output"
	[[ "$output" == *"sign record of alice: signed by a key not in team.conf ($MALLORY)"* ]] || fail "$output"
	[[ "$output" == *"team.conf here has keyring changes nobody signed (signatures are checked against the signed keyring, 'logbook team log'):"$'\n'"  key $MALLORY for alice"* ]] ||
		fail "$output"
}

@test "a key added under alice in team.conf here does not name her sessions" {
	printf 'publickey %s\n' "$(cat "$K/alice.pub")" >"$T/auth-alice"
	printf 'publickey %s\n' "$(cat "$K/mallory.pub")" >"$T/auth-mallory"
	git config -f "$T/web1/team.conf" --add admin.alice.key "$(cat "$K/mallory.pub")"
	# alice's own key still names her: the signed keyring is read
	SSH_AUTH_SOCK= SSH_USER_AUTH="$T/auth-alice" env -u LOGBOOK_USER "$LOGBOOK" note "alice here" >/dev/null 2>&1
	[ "$(last_field admin)" = alice ] || fail "alice's key named $(last_field admin)"
	SSH_AUTH_SOCK= SSH_USER_AUTH="$T/auth-mallory" env -u LOGBOOK_USER "$LOGBOOK" note "mallory here" >/dev/null 2>&1
	[ "$(last_field text)" = "mallory here" ]
	[ "$(last_field admin)" != alice ] || fail "mallory's session was recorded as alice's"
}

@test "taking a revocation out of team.conf here does not make the key's later signatures good" {
	"$LOGBOOK" team add bob --key "$K/bob.pub" >/dev/null
	"$LOGBOOK" sync >/dev/null
	BOB=$(ssh-keygen -lf "$K/bob.pub" | cut -d' ' -f2)
	"$LOGBOOK" team revoke "$BOB" >/dev/null
	"$LOGBOOK" sync >/dev/null
	# the member's edit: the revocation gone, unsigned
	git config -f "$T/web1/team.conf" --unset admin.bob.revoked
	SSH_AUTH_SOCK= "$LOGBOOK" note "bob again" >/dev/null 2>&1
	run env LOGBOOK_USER=bob "$LOGBOOK" sign --key "$K/bob"
	[ "$status" -ne 0 ] || fail "sign took bob's revoked key: $output"
	LOGBOOK_USER=bob forge_sign bob || fail "no record to verify"
	run "$LOGBOOK" verify
	[ "$status" -eq 1 ] || fail "verify took a revoked key's signature: $output"
	[[ "$output" == *"sign record of bob: signed with $BOB of bob, revoked since "* ]] || fail "$output"
	[[ "$output" == *"  key $BOB of bob not revoked"* ]] || fail "$output"
}

@test "a revocation in team.conf here holds at once for sign, before it is signed" {
	git config -f "$T/web1/team.conf" --add admin.alice.revoked "$ALICE 2020-01-01T00:00:00.000000Z"
	SSH_AUTH_SOCK= "$LOGBOOK" note "after" >/dev/null 2>&1
	run "$LOGBOOK" sign --key "$K/alice"
	[ "$status" -ne 0 ] || fail "sign took a key team.conf here revokes: $output"
	[[ "$output" == *"$ALICE of alice is revoked"* ]] || fail "$output"
}

@test "a signed keyring another account could have written is refused" {
	SSH_AUTH_SOCK= "$LOGBOOK" note "before" >/dev/null 2>&1
	"$LOGBOOK" sign >/dev/null
	cp "$T/web1/team.conf" "$T/web1/.git/logbook-keyring.new"
	git config -f "$T/web1/.git/logbook-keyring.new" --add admin.alice.key "$(cat "$K/mallory.pub")"
	mv "$T/web1/.git/logbook-keyring.new" "$T/web1/.git/logbook-keyring"
	chmod 0664 "$T/web1/.git/logbook-keyring"
	run "$LOGBOOK" verify
	[ "$status" -eq 1 ] || fail "$output"
	[[ "$output" == *"$T/web1/.git/logbook-keyring: writable by the group (mode 0664): refused: no signature can be checked"* ]] ||
		fail "$output"
	SSH_AUTH_SOCK= "$LOGBOOK" note "after" >/dev/null 2>&1
	run "$LOGBOOK" sign --key "$K/mallory"
	[ "$status" -ne 0 ] || fail "$output"
	[[ "$output" == *"logbook-keyring: writable by the group (mode 0664): refused"* ]] || fail "$output"
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the file to another account"
	chmod 0644 "$T/web1/.git/logbook-keyring"
	chown nobody "$T/web1/.git/logbook-keyring"
	run "$LOGBOOK" verify
	[ "$status" -eq 1 ] || fail "$output"
	[[ "$output" == *"logbook-keyring: owned by uid $(id -u nobody), not by the owner of .git (uid 0): refused"* ]] ||
		fail "$output"
	# a symbolic link is not followed
	rm "$T/web1/.git/logbook-keyring"
	ln -s "$T/web1/team.conf" "$T/web1/.git/logbook-keyring"
	run "$LOGBOOK" verify
	[ "$status" -eq 1 ] || fail "$output"
	[[ "$output" == *"logbook-keyring: "*"no signature can be checked"* ]] || fail "$output"
}

@test "verify replays the keyring's history as the owner of .git; a member is told who did" {
	run "$LOGBOOK" verify
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"team keyring: 1 signed change, its history checks from the root of trust $ALICE"* ]] ||
		fail "$output"
	# the team ref moved to an unsigned change behind sync's back (a push that no sync checked yet)
	tree=$(git -C "$T/web1" rev-parse 'refs/heads/team^{tree}')
	forged=$(git -C "$T/web1" -c user.name=m -c user.email=m@x commit-tree "$tree" -p refs/heads/team -m more)
	git -C "$T/web1" update-ref refs/heads/team "$forged"
	run "$LOGBOOK" verify
	[ "$status" -eq 1 ] || fail "$output"
	[[ "$output" == *"team keyring: its history does not check: ${forged:0:12} changes team.conf without a signature"* ]] ||
		fail "$output"
	# a member cannot run git there: verify says who replays it
	member_add
	chmod -R o+rX "$T/web1"
	run as_member env LOGBOOK_DIR="$T/web1" LOGBOOK_HOST=web1 LOGBOOK_USER=bob "$LOGBOOK" verify
	[[ "$output" == *"team keyring: root of trust $ALICE; its history is replayed by the owner of .git at each sync"* ]] ||
		fail "$output"
}

@test "a replica pinned before the signed keyring was kept in .git gets it at its next sync" {
	rm "$T/web1/.git/logbook-keyring"
	run "$LOGBOOK" verify
	[ "$status" -eq 1 ] || fail "$output"
	[[ "$output" == *"logbook-keyring: missing: the owner of .git writes it at the next sync: no signature can be checked"* ]] ||
		fail "$output"
	"$LOGBOOK" sync >/dev/null
	cmp "$T/web1/team.conf" "$T/web1/.git/logbook-keyring"
	[ "$(stat -c %a "$T/web1/.git/logbook-keyring")" = 644 ]
	run "$LOGBOOK" verify
	[ "$status" -eq 0 ] || fail "$output"
}

@test "a key added by team add is one of the signed keyring's once sync took the signed change" {
	"$LOGBOOK" team add bob --key "$K/bob.pub" >/dev/null
	run "$LOGBOOK" verify
	[ "$status" -eq 1 ] || fail "$output"
	[[ "$output" == *"; 1 signed change in .state/team waits for the next sync):"$'\n'"  key $(ssh-keygen -lf "$K/bob.pub" | cut -d' ' -f2) for bob"* ]] ||
		fail "$output"
	SSH_AUTH_SOCK= "$LOGBOOK" note "bob's" >/dev/null 2>&1
	run env LOGBOOK_USER=bob "$LOGBOOK" sign --key "$K/bob"
	[ "$status" -ne 0 ] || fail "$output"
	"$LOGBOOK" sync >/dev/null
	run env LOGBOOK_USER=bob "$LOGBOOK" sign --key "$K/bob"
	[ "$status" -eq 0 ] || fail "$output"
	run "$LOGBOOK" verify
	[ "$status" -eq 0 ] || fail "$output"
}

@test "root's verify replays the history as the owner of .git, never running git as root" {
	member_add
	chmod -R o+rX "$T/web1"
	# as setup leaves it: the journal and its .git the owner's (the system user logbook)
	chown -R "$MEMBER:$MEMBER_GROUP" "$T/web1/.git"
	chown "$MEMBER:$MEMBER_GROUP" "$T/web1"
	run "$LOGBOOK" verify
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"team keyring: 1 signed change, its history checks from the root of trust $ALICE"* ]] ||
		fail "$output"
}
