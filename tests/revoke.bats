#!/usr/bin/env bats
# team rm and team revoke: a key stops being good from a time on, on
# every replica; what it signed before stays good.

load lib

setup_keys() {
	new_journal
	K="$BATS_TEST_TMPDIR/keys"
	mkdir -p "$K"
	ssh-keygen -q -t ed25519 -N '' -f "$K/alice" -C alice@laptop
	ssh-keygen -q -t ed25519 -N '' -f "$K/alice2" -C alice@desk
	ssh-keygen -q -t ed25519 -N '' -f "$K/bob" -C bob@laptop
	unset SSH_AUTH_SOCK
	lb team add alice --email alice@example.org --key "$K/alice.pub" --key "$K/alice2.pub" >/dev/null
	lb team add bob --key "$K/bob.pub" >/dev/null
	FP=$(ssh-keygen -lf "$K/alice.pub" | cut -d' ' -f2)
}

# the time of the n-th sign record of today's file, plus one microsecond: a
# moment between that signature and the next
after_sign() {
	py - "$(day_file)" "$1" <<'PY'
import json, sys, datetime
rs = [json.loads(l) for l in open(sys.argv[1]) if '"kind":"sign"' in l]
t = datetime.datetime.strptime(rs[int(sys.argv[2])]["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
print((t + datetime.timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
PY
}

@test "team revoke: signatures made before stay good, a later one is reported, sign refuses the key" {
	setup_keys
	lb note "before the revocation" >/dev/null
	lb sign --key "$K/alice" >/dev/null
	lb note "signed with the key that will be revoked" >/dev/null
	lb sign --key "$K/alice" >/dev/null
	run lb verify
	[ "$status" -eq 0 ] || fail "$output"
	# the key was stolen between the two signatures: revoked from then on
	git config -f "$LOGBOOK_DIR/team.conf" --add admin.alice.revoked "$FP $(after_sign 0)"
	run lb verify
	[ "$status" -eq 1 ] || fail "verify exited $status: $output"
	[[ "$output" == *"signed with $FP of alice, revoked since "* ]] || fail "$output"
	[[ "$output" != *":2: "*"revoked"* ]] || fail "the signature before the revocation was reported: $output"
	# sign refuses it, naming the keys that still sign
	lb note "after" >/dev/null
	before=$(sha256sum "$(day_file)")
	run lb sign --key "$K/alice"
	[ "$status" -eq 1 ]
	[[ "$output" == "logbook: sign: $FP of alice is revoked in team.conf (alice's keys: $(ssh-keygen -lf "$K/alice2.pub" | cut -d' ' -f2))" ]] ||
		fail "$output"
	[ "$(sha256sum "$(day_file)")" = "$before" ]
	run lb sign --key "$K/alice2"
	[ "$status" -eq 0 ] || fail "$output"
}

@test "team revoke through the command: list and allowed-signers say so, ssh-keygen honours it, twice is refused" {
	setup_keys
	run lb team revoke "$FP"
	[ "$status" -eq 0 ]
	[ "$output" = "$FP of alice: revoked from now on; the signatures made with it before stay good" ]
	run lb team list
	[[ "$output" == *"$FP (revoked "*" UTC)"* ]] || fail "$output"
	run lb team allowed-signers
	[[ "$output" == *'alice namespaces="logbook" valid-before="'*'Z" ssh-ed25519 '* ]] || fail "$output"
	# OpenSSH reads the file: the revoked key's signature made now is refused, the other key's is not
	lb team allowed-signers >"$BATS_TEST_TMPDIR/allowed"
	echo msg >"$BATS_TEST_TMPDIR/m"
	for k in alice alice2; do
		ssh-keygen -q -Y sign -n logbook -f "$K/$k" "$BATS_TEST_TMPDIR/m"
		mv "$BATS_TEST_TMPDIR/m.sig" "$BATS_TEST_TMPDIR/$k.sig"
	done
	run ssh-keygen -Y verify -f "$BATS_TEST_TMPDIR/allowed" -I alice -n logbook -s "$BATS_TEST_TMPDIR/alice.sig" <"$BATS_TEST_TMPDIR/m"
	[ "$status" -ne 0 ] || fail "OpenSSH took the revoked key: $output"
	run ssh-keygen -Y verify -f "$BATS_TEST_TMPDIR/allowed" -I alice -n logbook -s "$BATS_TEST_TMPDIR/alice2.sig" <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ] || fail "$output"
	run lb team revoke "$FP"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is revoked already, since "* ]]
	run lb team revoke SHA256:nosuchkey
	[ "$status" -eq 1 ]
	[[ "$output" == *"no admin in team.conf has the key SHA256:nosuchkey"* ]]
	run lb team revoke alice
	[ "$status" -eq 2 ]
}

@test "team rm: the admin's keys stop signing and naming who logged in; earlier signatures stay good" {
	setup_keys
	printf 'publickey %s\n' "$(cat "$K/bob.pub")" >"$BATS_TEST_TMPDIR/auth"
	env -u LOGBOOK_USER SSH_USER_AUTH="$BATS_TEST_TMPDIR/auth" "$LOGBOOK" note "bob was here" 2>/dev/null
	[ "$(last_field admin)" = bob ]
	LOGBOOK_USER=bob lb sign --key "$K/bob" >/dev/null
	run lb team rm bob
	[ "$status" -eq 0 ]
	[ "$output" = "bob: removed from now on; their earlier signatures stay good" ]
	run lb verify
	[ "$status" -eq 0 ] || fail "$output"
	run lb team list
	[[ "$output" == *"bob "*"(revoked "* ]] || fail "$output"
	# the key of a removed admin no longer says who logged in to a shared account
	env -u LOGBOOK_USER SSH_USER_AUTH="$BATS_TEST_TMPDIR/auth" "$LOGBOOK" note "who am i" 2>/dev/null
	[ "$(last_field admin)" != bob ] || fail "a removed admin's key still names bob"
	lb note "after bob left" >/dev/null
	run env LOGBOOK_USER=bob "$LOGBOOK" sign --key "$K/bob"
	[ "$status" -eq 1 ]
	[[ "$output" == *"of bob is revoked in team.conf (bob has none)"* ]] || fail "$output"
	run lb team rm bob
	[ "$status" -eq 1 ]
	run lb team rm nobody
	[ "$status" -eq 1 ]
	[[ "$output" == *"no admin nobody in team.conf"* ]]
}

@test "a revocation made on one replica holds on the others after sync" {
	setup_keys
	git config -f "$LOGBOOK_DIR/team.conf" sync.auto false
	git init -q --bare "$BATS_TEST_TMPDIR/hub.git"
	lb remote add hub "$BATS_TEST_TMPDIR/hub.git" >/dev/null
	lb sync >/dev/null
	LOGBOOK_HOST=db1 lb clone "$BATS_TEST_TMPDIR/hub.git" "$BATS_TEST_TMPDIR/db1" >/dev/null
	lb team revoke "$FP" >/dev/null
	lb sync >/dev/null
	LOGBOOK_HOST=db1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/db1" lb sync >/dev/null || true
	run env LOGBOOK_DIR="$BATS_TEST_TMPDIR/db1" "$LOGBOOK" team list
	[[ "$output" == *"$FP (revoked "* ]] || fail "$output"
	LOGBOOK_HOST=db1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/db1" lb note "on db1" >/dev/null
	run env LOGBOOK_HOST=db1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/db1" "$LOGBOOK" sign --key "$K/alice"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is revoked in team.conf"* ]] || fail "$output"
}

@test "news and the digest tell of keyring changes, news of what sync kept aside" {
	setup_keys
	lb note "a first note" >/dev/null
	run lb news --no-pager
	[[ "$output" == *"Keyring (team.conf):"*"key $FP of alice added"* ]] || fail "$output"
	# seen: the next news does not repeat it
	run lb news --no-pager
	[[ "$output" != *"Keyring"* ]] || fail "$output"
	lb team revoke "$FP" >/dev/null
	lb team rm bob >/dev/null
	run lb news --no-pager
	[[ "$output" == *"Keyring (team.conf):"*"key $FP of alice revoked"*"admin bob removed, with every key"* ]] ||
		fail "$output"
	[[ "$output" != *"added"* ]] || fail "$output"
	run lb digest today
	[ "$status" -eq 0 ]
	[[ "$output" == *"Keyring (team.conf)"*"key $FP of alice added"*"key $FP of alice revoked"*"admin bob removed"* ]] ||
		fail "$output"
	# a time that is not one, or a fingerprint with something else in it, is left out
	git config -f "$LOGBOOK_DIR/team.conf" --add admin.alice.revoked "SHA256:$(printf 'x\033]52;c;eA==\a') 2026-12-06T00:00:00.000000Z"
	git config -f "$LOGBOOK_DIR/team.conf" --add admin.alice.removed "yesterday"
	run lb news --no-pager --all
	[[ "$output" != *$'\033'* ]] || fail "$output"
	[[ "$output" != *"yesterday"* ]] || fail "$output"
}
