#!/usr/bin/env bats
# Witnessed heads: a sign record carries the heads (host, seq, hash) of
# the other hosts' chains its replica held, under the signature, so that
# verify on any replica, a fresh clone of the hub included, finds a host
# whose history was cut or rewritten below a head someone else signed.
# web1 and db1 sync through a bare hub; "evil" is whoever can push into it.

load lib

setup() {
	export TZ=UTC LC_ALL=C
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER VISUAL EDITOR PAGER NO_COLOR LESS LOGBOOK_DIR LOGBOOK_HOST
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	T=$BATS_TEST_TMPDIR
	K="$T/keys"
	mkdir -p "$K"
	ssh-keygen -q -t ed25519 -N '' -f "$K/alice" -C alice@laptop
	eval "$(ssh-agent -s)" >/dev/null
	AGENT_PID=$SSH_AGENT_PID
	ssh-add -q "$K/alice" 2>/dev/null
	git init -q --bare "$T/hub.git"
	on web1 init --timezone UTC "$T/web1" >/dev/null
	git config -f "$T/web1/team.conf" sync.auto false
	on web1 team add alice --key "$K/alice.pub" >/dev/null
	on web1 remote add hub "$T/hub.git" >/dev/null
	on web1 note "first note of web1" >/dev/null
	on web1 sync >/dev/null
	on db1 clone "$T/hub.git" "$T/db1" >/dev/null
	# db1's admin has no key: db1's records are unsigned, so only the witness can tell
	for i in 1 2 3; do
		LOGBOOK_USER=dbadmin on db1 note "genuine record $i of db1" >/dev/null 2>&1
	done
	on db1 sync >/dev/null
	on web1 sync >/dev/null
	day=$(date -u +%Y_%m_%d)
	DBREL="${day:0:4}/$day/db1.jsonl"
	WEBREL="${day:0:4}/$day/web1.jsonl"
	grep -q "genuine record 3 of db1" "$T/web1/$DBREL"
	# alice's note on web1 is signed, witnessing db1's head: seq 3
	on web1 note "db1 looked fine" >/dev/null
	on web1 sync >/dev/null
	SIGNLINE=$(grep -c '' "$T/web1/$WEBREL")
	DBHASH=$(tail -n 1 "$T/web1/$DBREL" | tr -d '\n' | sha256sum | cut -d' ' -f1)
}

teardown() {
	[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
	return 0
}

# logbook as host $1 in journal $T/$1, by alice
on() {
	local host=$1
	shift
	LOGBOOK_HOST=$host LOGBOOK_USER=${LOGBOOK_USER:-alice} LOGBOOK_DIR="$T/$host" "$LOGBOOK" "$@"
}

# a checkout of db1's ref as the hub has it, to forge from
evil_checkout() {
	rm -rf "$T/evil"
	git init -q "$T/evil"
	git -C "$T/evil" fetch -q "$T/hub.git" refs/heads/hosts/db1:refs/heads/hosts/db1
	git -C "$T/evil" checkout -q hosts/db1
}

# force-push a history of db1 that does not contain what web1 saw
evil_push() {
	git -C "$T/evil" checkout -q --orphan forged
	git -C "$T/evil" add -A
	git -C "$T/evil" -c user.name=m -c user.email=m@x commit -q -m forged
	git -C "$T/evil" push -q -f "$T/hub.git" HEAD:refs/heads/hosts/db1
}

@test "a sign record carries the other hosts' heads, under a signature ssh-keygen -Y verify checks" {
	run jsonl field "$T/web1/$WEBREL" -1 witness
	[ "$output" = "[{\"host\": \"db1\", \"seq\": 3, \"hash\": \"$DBHASH\"}]" ] || fail "witness: $output"
	# web1's first signature saw no other host: no witness, the message of before
	run ! jsonl field "$T/web1/$WEBREL" 2 witness
	[[ "$output" == *"no field 'witness'"* ]] || fail "first witness: $output"
	LOGBOOK_DIR="$T/web1" "$LOGBOOK" team allowed-signers >"$T/allowed"
	tail -n 1 "$T/web1/$WEBREL" | py -c '
import json, sys
r = json.loads(sys.stdin.read())
open(sys.argv[1] + "/sig", "w").write(r["signature"])
msg = "logbook-sign 1\nhost %s\nseq %d\nhead %s\n" % (r["host"], r["covers"], r["prev"])
msg += "".join("witness %s %d %s\n" % (w["host"], w["seq"], w["hash"]) for w in r["witness"])
open(sys.argv[1] + "/msg", "w").write(msg)
' "$T"
	ssh-keygen -Y verify -f "$T/allowed" -I alice -n logbook -s "$T/sig" <"$T/msg"
	run on web1 verify
	[ "$status" -eq 0 ] || fail "$output"
}

@test "a witness taken out of a sign record breaks its signature" {
	tail -n 1 "$T/web1/$WEBREL" | py -c '
import json, sys
r = json.loads(sys.stdin.read())
del r["witness"]
print(json.dumps(r, separators=(",", ":")))' >"$T/line"
	sed -i '$d' "$T/web1/$WEBREL"
	cat "$T/line" >>"$T/web1/$WEBREL"
	run -1 on web1 verify
	[[ "$output" == *"$WEBREL:$SIGNLINE: sign record of alice: bad signature"* ]] || fail "$output"
}

@test "a fresh clone of a hub whose db1 was rewound below a head web1 signed reports it in verify" {
	evil_checkout
	head -n 1 "$T/evil/$DBREL" >"$T/evil/x" && mv "$T/evil/x" "$T/evil/$DBREL"
	evil_push
	on fresh clone "$T/hub.git" "$T/fresh" >/dev/null
	[ "$(grep -c '' "$T/fresh/$DBREL")" -eq 1 ]
	run -1 on fresh verify
	[[ "$output" == *"$WEBREL:$SIGNLINE: alice's signature (web1 seq 4) witnessed db1 seq 3 (hash ${DBHASH:0:12}"*"), but db1's chain here ends at seq 1"* ]] ||
		fail "verify said: $output"
	# the problem is counted against db1, whose chain alone looks intact
	[[ "$output" == *"db1:"*"PROBLEMS above"* ]] || fail "verify said: $output"
	# and a replica that never saw db1 at all says so too
	evil_checkout
	git -C "$T/evil" rm -q "$DBREL"
	echo forged >"$T/evil/README"
	evil_push
	on fresh2 clone "$T/hub.git" "$T/fresh2" >/dev/null
	run -1 on fresh2 verify
	[[ "$output" == *"$WEBREL:$SIGNLINE: alice's signature (web1 seq 4) witnessed db1 seq 3 (hash ${DBHASH:0:12}"*"), but db1 has no records here"* ]] ||
		fail "verify said: $output"
}

@test "a fresh clone of a hub whose db1 was rewritten and re-chained reports the witnessed hash that changed" {
	evil_checkout
	# record 2 changed, record 3 linked to it anew: db1's chain alone is intact
	py -c '
import hashlib, json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
r = json.loads(lines[1])
r["text"] = "forged record 2 of db1"
lines[1] = json.dumps(r, separators=(",", ":")).encode()
r = json.loads(lines[2])
r["prev"] = hashlib.sha256(lines[1]).hexdigest()
lines[2] = json.dumps(r, separators=(",", ":")).encode()
open(sys.argv[1], "wb").write(b"\n".join(lines) + b"\n")
' "$T/evil/$DBREL"
	evil_push
	on fresh clone "$T/hub.git" "$T/fresh" >/dev/null
	grep -q "forged record 2 of db1" "$T/fresh/$DBREL"
	newhash=$(tail -n 1 "$T/fresh/$DBREL" | tr -d '\n' | sha256sum | cut -d' ' -f1)
	run -1 on fresh verify
	[[ "$output" == *"db1:"*"3 records in 1 file"* ]] || fail "verify said: $output"
	[[ "$output" == *"$WEBREL:$SIGNLINE: alice's signature (web1 seq 4) witnessed db1 seq 3 (hash ${DBHASH:0:12}"*"), but db1 seq 3 here has hash ${newhash:0:12}"* ]] ||
		fail "verify said: $output"
}
