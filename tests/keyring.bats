#!/usr/bin/env bats
# The keyring (team.conf's history on the team ref) is authenticated: a
# change is taken by another replica only when signed by a key the
# keyring before it lists; the first signed change pins the root of trust.
# web1 and db1 sync through a bare hub; "evil" is any repository that can
# push into the hub (a replica whose root was taken).

load lib

setup() {
	T=$BATS_TEST_TMPDIR
	agent_with_keys alice bob mallory
	git init -q --bare "$T/hub.git"
	on web1 init --timezone UTC "$T/web1" >/dev/null
	git config -f "$T/web1/team.conf" sync.auto false
	on web1 remote add hub "$T/hub.git" >/dev/null
	on web1 team add alice --key "$K/alice.pub" >/dev/null
	on web1 sync >/dev/null
	ALICE=$(ssh-keygen -lf "$K/alice.pub" | cut -d' ' -f2)
}

teardown() {
	[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
	return 0
}

# logbook as host $1 (admin alice unless LOGBOOK_USER says otherwise) in journal $T/$1
on() {
	local host=$1
	shift
	LOGBOOK_HOST=$host LOGBOOK_USER=${LOGBOOK_USER:-alice} LOGBOOK_DIR="$T/$host" "$LOGBOOK" "$@"
}

# team.conf on the hub's team ref with mallory's key added, unsigned or signed by $1, pushed
evil_push() {
	rm -rf "$T/evil"
	git init -q "$T/evil"
	git -C "$T/evil" fetch -q "$T/hub.git" refs/heads/team:refs/heads/team
	git -C "$T/evil" checkout -q team
	git config -f "$T/evil/team.conf" --add admin.alice.key "$(cat "$K/mallory.pub")"
	git -C "$T/evil" add team.conf
	if [ -n "${1:-}" ]; then
		git -C "$T/evil" -c gpg.format=ssh -c user.signingkey="$K/$1" -c user.name=m -c user.email=m@x \
			commit -q -S -m "more keys"
	else
		git -C "$T/evil" -c user.name=m -c user.email=m@x commit -q -m "more keys"
	fi
	git -C "$T/evil" push -q "$T/hub.git" HEAD:refs/heads/team
	FORGED=$(git -C "$T/evil" rev-parse HEAD)
}

@test "the first signed change pins the root of trust; git verify-commit agrees with the signature" {
	[ "$(cat "$T/web1/.git/logbook-trust")" = "$ALICE" ]
	run git -C "$T/web1" cat-file commit refs/heads/team
	[[ "$output" == *"gpgsig -----BEGIN SSH SIGNATURE-----"* ]] || fail "$output"
	printf 'alice namespaces="git" %s\n' "$(cat "$K/alice.pub")" >"$T/allowed"
	run git -C "$T/web1" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/allowed" verify-commit refs/heads/team
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *'Good "git" signature for alice'* ]] || fail "$output"
	# a clone pins the same key, and says which
	run on db1 clone "$T/hub.git" "$T/db1"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"this replica trusts $ALICE, the key that started it"* ]] || fail "$output"
	[ "$(cat "$T/db1/.git/logbook-trust")" = "$ALICE" ]
	# --trust with another key refuses the journal
	run on db2 clone --trust "$(ssh-keygen -lf "$K/mallory.pub" | cut -d' ' -f2)" "$T/hub.git" "$T/db2"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the team's keyring was first signed by $ALICE, not by SHA256:"* ]] || fail "$output"
	[ ! -e "$T/db2" ]
}

@test "a key added to the keyring without a signature is refused by the other replicas and flagged by verify" {
	on db1 clone "$T/hub.git" "$T/db1" >/dev/null
	before=$(sha256sum "$T/db1/team.conf")
	evil_push
	run --separate-stderr on db1 sync
	[ "$status" -eq 5 ] || fail "sync exited $status: $stderr"
	[[ "$stderr" == *"team.conf from origin: ${FORGED:0:12} changes team.conf without a signature"* ]] ||
		fail "sync said: $stderr"
	[ "$(sha256sum "$T/db1/team.conf")" = "$before" ]
	run -1 grep -q "$(cut -d' ' -f2 "$K/mallory.pub")" "$T/db1/team.conf"
	# a record signed with mallory's key, claiming alice, is not alice's on db1
	# web1's root was taken: its signed keyring set aside, it signs with what its team.conf says
	SSH_AUTH_SOCK= on web1 note "signed by the stolen root" >/dev/null 2>&1
	git config -f "$T/web1/team.conf" --add admin.alice.key "$(cat "$K/mallory.pub")"
	mv "$T/web1/.git/logbook-trust" "$T/pin"
	on web1 sign --key "$K/mallory" >/dev/null || fail "web1 did not sign with mallory"
	mv "$T/pin" "$T/web1/.git/logbook-trust"
	on web1 sync >/dev/null 2>&1 || true
	on db1 sync >/dev/null 2>&1 || true
	run on db1 verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"signed by a key not in team.conf ($(ssh-keygen -lf "$K/mallory.pub" | cut -d' ' -f2))"* ]] ||
		fail "$output"
}

@test "a keyring change signed by a key the keyring does not list is refused" {
	on db1 clone "$T/hub.git" "$T/db1" >/dev/null
	evil_push mallory
	run --separate-stderr on db1 sync
	[ "$status" -eq 5 ] || fail "sync exited $status: $stderr"
	[[ "$stderr" == *"${FORGED:0:12}: signed by $(ssh-keygen -lf "$K/mallory.pub" | cut -d' ' -f2), which the keyring before it does not list as valid then"* ]] ||
		fail "sync said: $stderr"
	run -1 grep -q "$(cut -d' ' -f2 "$K/mallory.pub")" "$T/db1/team.conf"
	# a fresh clone of the hub refuses the whole journal
	run on db2 clone "$T/hub.git" "$T/db2"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the team's keyring does not check"* ]] || fail "$output"
}

@test "signed changes travel: alice adds bob, bob adds carol on the other replica, a revocation holds everywhere" {
	on db1 clone "$T/hub.git" "$T/db1" >/dev/null
	on web1 team add bob --key "$K/bob.pub" >/dev/null
	on web1 sync >/dev/null
	run on db1 sync
	[ "$status" -eq 0 ] || fail "$output"
	grep -q "$(cut -d' ' -f2 "$K/bob.pub")" "$T/db1/team.conf"
	# bob, on db1, with his own key in the agent
	ssh-add -q -D 2>/dev/null
	ssh-add -q "$K/bob" 2>/dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$K/carol"
	LOGBOOK_USER=bob on db1 team add carol --key "$K/carol.pub" >/dev/null
	on db1 sync >/dev/null
	run on web1 sync
	[ "$status" -eq 0 ] || fail "$output"
	grep -q "$(cut -d' ' -f2 "$K/carol.pub")" "$T/web1/team.conf"
	# bob revokes alice's key on db1: web1 takes it
	LOGBOOK_USER=bob on db1 team revoke "$ALICE" >/dev/null
	on db1 sync >/dev/null
	on web1 sync >/dev/null
	run on web1 team list
	[[ "$output" == *"$ALICE (revoked "* ]] || fail "$output"
	# the keyring's history: who signed each change, and what it changed
	BOB=$(ssh-keygen -lf "$K/bob.pub" | cut -d' ' -f2)
	run on web1 team log
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"signed by alice ($ALICE), who starts the keyring"$'\n'"    key $ALICE of alice added"*"signed by alice ($ALICE)"$'\n'"    key $BOB of bob added"*"signed by bob ($BOB)"$'\n'"    key "*" of carol added"*"signed by bob ($BOB)"$'\n'"    key $ALICE of alice revoked"* ]] ||
		fail "$output"
	# each replica checks signatures against the keyring it took: the same as its team.conf
	for r in web1 db1; do
		cmp "$T/$r/team.conf" "$T/$r/.git/logbook-keyring" || fail "$r's signed keyring is not its team.conf"
		run on $r verify
		[ "$status" -eq 0 ] || fail "$r: $output"
	done
}

@test "an unsigned edit of team.conf stays on its replica, and team sign shares it" {
	on db1 clone "$T/hub.git" "$T/db1" >/dev/null
	git config -f "$T/web1/team.conf" digest.to team@example.org
	run --separate-stderr on web1 sync
	[[ "$stderr" == *"team.conf was changed on this replica without a signature: it stays here"* ]] || fail "$stderr"
	on db1 sync >/dev/null
	run -1 grep -q "team@example.org" "$T/db1/team.conf"
	run on web1 team sign
	[ "$status" -eq 0 ] || fail "$output"
	on web1 sync >/dev/null
	run on db1 sync
	[ "$status" -eq 0 ] || fail "$output"
	grep -q "team@example.org" "$T/db1/team.conf"
}

@test "setup --join --trust: a journal started by another key is not joined; the right key is pinned" {
	ROOT="$T/root"
	mkdir -p "$ROOT/etc"
	MALLORY=$(ssh-keygen -lf "$K/mallory.pub" | cut -d' ' -f2)
	run env -u LOGBOOK_DIR "$LOGBOOK" setup --root "$ROOT" --join "$T/hub.git" --trust "$MALLORY"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the team's keyring was first signed by $ALICE, not by $MALLORY"* ]] || fail "$output"
	[ ! -e "$ROOT/var/lib/logbook/team.conf" ]
	run env -u LOGBOOK_DIR "$LOGBOOK" setup --root "$ROOT" --join "$T/hub.git" --trust "$ALICE"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"journal: The team's keyring is signed; this replica trusts $ALICE, the key that started it (as --trust said)"* ]] ||
		fail "$output"
	[ "$(cat "$ROOT/var/lib/logbook/.git/logbook-trust")" = "$ALICE" ]
	run env -u LOGBOOK_DIR "$LOGBOOK" setup --root "$ROOT" --trust "$ALICE"
	[ "$status" -eq 2 ]
}
