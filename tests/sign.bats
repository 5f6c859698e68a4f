#!/usr/bin/env bats
# Signatures with real OpenSSH keys through a real ssh-agent, checked by
# logbook verify and by ssh-keygen -Y verify; and verify against tampering.

load lib

# keys of the admins: alice ed25519 + rsa, bob ecdsa p-256; an agent holding alice's and bob's
setup_team() {
	new_journal
	K="$BATS_TEST_TMPDIR/keys"
	mkdir -p "$K"
	ssh-keygen -q -t ed25519 -N '' -f "$K/alice_ed" -C alice@laptop
	ssh-keygen -q -t rsa -b 2048 -N '' -f "$K/alice_rsa"
	ssh-keygen -q -t ecdsa -b 256 -N '' -f "$K/bob_ec"
	ssh-keygen -q -t ed25519 -N '' -f "$K/mallory"
	eval "$(ssh-agent -s)" >/dev/null
	AGENT_PID=$SSH_AGENT_PID
	ssh-add -q "$K/alice_ed" "$K/alice_rsa" "$K/bob_ec" 2>/dev/null
	lb team add alice --email alice@example.org --key "$K/alice_ed.pub" --key "$K/alice_rsa.pub" >/dev/null
	lb team add bob --key "$K/bob_ec.pub" >/dev/null
}

teardown() {
	[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
	return 0
}

# the n-th sign record's signature and message into $BATS_TEST_TMPDIR/sig and /msg
extract_sign() {
	cat "$(day_file)" | py -c '
import json, sys
rs = [json.loads(l) for l in sys.stdin if "\"kind\":\"sign\"" in l]
r = rs[int(sys.argv[1])]
open(sys.argv[2] + "/sig", "w").write(r["signature"])
open(sys.argv[2] + "/msg", "w").write("logbook-sign 1\nhost %s\nseq %d\nhead %s\n" % (r["host"], r["covers"], r["prev"]))
print(r["admin"])
' "$1" "$BATS_TEST_TMPDIR"
}

@test "team add, list and allowed-signers" {
	setup_team
	run lb team list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "alice"*"alice@example.org"*"ssh-ed25519 SHA256:"* ]]
	[[ "${lines[1]}" == "alice"*"ssh-rsa SHA256:"* ]]
	[[ "${lines[2]}" == "bob"*"ecdsa-sha2-nistp256 SHA256:"* ]]
	fp=$(ssh-keygen -lf "$K/alice_ed.pub" | cut -d' ' -f2)
	[[ "${lines[0]}" == *"$fp" ]]
	run lb team allowed-signers
	[ "${lines[0]}" = "alice namespaces=\"logbook\" $(cat "$K/alice_ed.pub")" ]
	git config -f "$LOGBOOK_DIR/team.conf" --get-all admin.alice.key | grep -q "^ssh-rsa "
	run lb team add carol --key "not a key"
	[ "$status" -eq 1 ]
	echo 'carol@laptop' >"$K/carol.pub"
	run --separate-stderr lb team add carol --key "$K/carol.pub"
	[ "$status" -eq 1 ]
	[ "$stderr" = "logbook: team add: --key $K/carol.pub: ssh public key: not an ssh public key (expected \"<type> <base64> [comment]\")" ]
	run lb team add 'bad name'
	[ "$status" -eq 2 ]
	run lb team
	[ "$status" -eq 2 ]
}

@test "team add --key names a key file it cannot read, with the system's reason" {
	new_journal
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr lb team add alice --key missing.pub
	[ "$status" -eq 1 ]
	[ "$stderr" = "logbook: team add: --key missing.pub: No such file or directory" ]
	run --separate-stderr lb team add alice --key "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	[ "$stderr" = "logbook: team add: --key $BATS_TEST_TMPDIR: Is a directory" ]
	run lb team list
	[ -z "$output" ]
}

@test "notes are signed through the agent with ed25519, rsa and ecdsa keys; ssh-keygen -Y verify agrees" {
	setup_team
	lb note "one"
	ssh-add -q -d "$K/alice_ed.pub" 2>/dev/null	# alice's rsa key signs the next
	lb note "two"
	LOGBOOK_USER=bob lb note "three"
	run lb verify
	[ "$status" -eq 0 ]
	[[ "$output" == *"6 records in 1 file; 6 signed (last signature: seq 6 by bob"* ]]
	[[ "$output" == *"0 unsigned at the end; chain intact"* ]]
	lb team allowed-signers >"$BATS_TEST_TMPDIR/allowed"
	for i in 0 1 2; do
		who=$(extract_sign $i)
		ssh-keygen -Y verify -f "$BATS_TEST_TMPDIR/allowed" -I "$who" -n logbook \
			-s "$BATS_TEST_TMPDIR/sig" <"$BATS_TEST_TMPDIR/msg"
	done
	grep -c '"key":"SHA256:' "$(day_file)" | grep -qx 3
}

@test "a signature made by ssh-keygen -Y sign (logbook sign --key) verifies with logbook" {
	setup_team
	unset SSH_AUTH_SOCK
	lb note "written without an agent" 2>/dev/null
	run lb sign --key "$K/alice_ed"
	[ "$status" -eq 0 ]
	[ "$output" = "signed web1 up to seq 1" ]
	run lb sign --key "$K/alice_ed"
	[[ "$output" == "nothing to sign on web1"* ]]
	run lb verify
	[ "$status" -eq 0 ]
	[[ "$output" == *"2 signed"* ]]
}

@test "without a usable key the note is written, unsigned, with one warning" {
	setup_team
	unset SSH_AUTH_SOCK
	run lb note -q "no agent here"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "logbook: not signed: "*"'logbook sign' signs later" ]]
	[ "$(last_field text)" = "no agent here" ]
	run lb verify
	[ "$status" -eq 0 ]
	[[ "$output" == *"0 signed, 1 unsigned at the end"* ]]
}

@test "a team that signs nothing hears nothing about signatures" {
	new_journal
	run lb note -q "quiet"
	[ -z "$output" ]
}

# three signed notes to tamper with
signed_journal() {
	setup_team
	lb note "first"
	lb note "second"
	lb note "third"
	F=$(day_file)
	lb verify >/dev/null
}

@test "verify finds one changed byte in an old record, and names the place" {
	signed_journal
	sed -i '1s/"first"/"fir5t"/' "$F"
	run lb verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"$(basename "$F"):2: broken link: prev is not the hash of seq 1"* ]]
}

@test "verify finds a deleted line" {
	signed_journal
	sed -i '3d' "$F"
	run lb verify
	[ "$status" -eq 1 ]
	[[ "$output" == *":3: records 3-3 are missing before this one"* ]]
}

@test "verify finds two swapped lines" {
	signed_journal
	py -c '
import sys
ls = open(sys.argv[1]).read().splitlines(True)
ls[2], ls[3] = ls[3], ls[2]
open(sys.argv[1], "w").write("".join(ls))
' "$F"
	run lb verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"lines out of order"* ]]
}

@test "verify finds a truncated file" {
	signed_journal
	size=$(stat -c %s "$F")
	truncate -s $((size - 40)) "$F"
	run lb verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"the last line is torn"* ]]
}

@test "verify finds a signature replaced by one from a key not in team.conf" {
	signed_journal
	line=$(grep -n '"kind":"sign"' "$F" | tail -1 | cut -d: -f1)
	extract_sign 2 >/dev/null
	ssh-keygen -q -Y sign -f "$K/mallory" -n logbook "$BATS_TEST_TMPDIR/msg"
	py -c '
import json, sys
f, n, sig = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read()
ls = open(f).read().splitlines(True)
r = json.loads(ls[n - 1]); r["signature"] = sig
ls[n - 1] = json.dumps(r, separators=(",", ":")) + "\n"
open(f, "w").write("".join(ls))
' "$F" "$line" "$BATS_TEST_TMPDIR/msg.sig"
	run lb verify
	[ "$status" -eq 1 ]
	[[ "$output" == *":$line: sign record of alice: signed by a key not in team.conf (SHA256:"* ]]
}

@test "verify --host and --since, and usage" {
	signed_journal
	LOGBOOK_HOST=db1 lb note "on db1" 2>/dev/null
	run lb verify --host db1
	[ "$status" -eq 0 ]
	[[ "$output" == "db1:"* ]]
	[[ "$output" != *web1* ]]
	run lb verify --since today
	[ "$status" -eq 0 ]
	run lb verify --since someday
	[ "$status" -eq 2 ]
	run lb verify --help
	[ "$status" -eq 0 ]
}

# "SHA256:..." of a public key file
fingerprint() {
	ssh-keygen -lf "$1" | cut -d' ' -f2
}

@test "sign refuses a key file that is not the admin's in team.conf, names it and alice's keys, and writes nothing" {
	setup_team
	unset SSH_AUTH_SOCK
	lb note "written without an agent" 2>/dev/null
	before=$(sha256sum "$(day_file)")
	keys="alice's keys: $(fingerprint "$K/alice_ed.pub"), $(fingerprint "$K/alice_rsa.pub")"
	run lb sign --key "$K/mallory"
	[ "$status" -eq 1 ]
	[ "$output" = "logbook: sign: $(fingerprint "$K/mallory.pub") is not a key of alice in team.conf ($keys)" ]
	[ "$(sha256sum "$(day_file)")" = "$before" ]
	# a key of another admin is not alice's either
	run lb sign --key "$K/bob_ec"
	[ "$status" -eq 1 ]
	[ "$output" = "logbook: sign: $(fingerprint "$K/bob_ec.pub") is not a key of alice in team.conf ($keys)" ]
	[ "$(sha256sum "$(day_file)")" = "$before" ]
	run lb verify
	[[ "$output" == *"0 signed, 1 unsigned at the end"* ]]
}

@test "sign by an admin without a key in team.conf is refused when the team signs" {
	setup_team
	unset SSH_AUTH_SOCK
	LOGBOOK_USER=carol lb note "carol has no key" 2>/dev/null
	before=$(sha256sum "$(day_file)")
	run env LOGBOOK_USER=carol "$LOGBOOK" sign --key "$K/mallory"
	[ "$status" -eq 1 ]
	[ "$output" = "logbook: sign: $(fingerprint "$K/mallory.pub") is not a key of carol in team.conf (carol has none)" ]
	[ "$(sha256sum "$(day_file)")" = "$before" ]
}

@test "a team that lists no key signs with any key file, as before" {
	new_journal
	K="$BATS_TEST_TMPDIR/keys"
	mkdir -p "$K"
	ssh-keygen -q -t ed25519 -N '' -f "$K/own"
	lb note "no team keys"
	run lb sign --key "$K/own"
	[ "$status" -eq 0 ]
	[ "$output" = "signed web1 up to seq 1" ]
}

@test "an agent holding only a key that is not the admin's: sign refuses, note warns, both list the admin's keys" {
	setup_team
	ssh-add -q -D 2>/dev/null
	ssh-add -q "$K/mallory" 2>/dev/null
	keys="alice's keys: $(fingerprint "$K/alice_ed.pub"), $(fingerprint "$K/alice_rsa.pub")"
	run lb note -q "agent holds mallory"
	[ "$status" -eq 0 ]
	[ "$output" = "logbook: not signed: the ssh-agent holds no key of alice listed in team.conf ($keys); 'logbook sign' signs later" ]
	before=$(sha256sum "$(day_file)")
	run lb sign
	[ "$status" -eq 1 ]
	[ "$output" = "logbook: sign: the ssh-agent holds no key of alice listed in team.conf ($keys)" ]
	[ "$(sha256sum "$(day_file)")" = "$before" ]
	run grep -c '"kind":"sign"' "$(day_file)"
	[ "$output" = 0 ]
}
