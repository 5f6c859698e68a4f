#!/usr/bin/env bats
# Another host's history is append-only on every replica: a replica (or
# whoever can push into the hub) that rewrites, cuts, rewinds or bloats
# host B's records gets them kept aside, never written, and reported.
# A and B sync through a bare hub; "evil" is any repository that can push
# into the hub.

load lib

setup() {
	export TZ=UTC LC_ALL=C
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER VISUAL EDITOR PAGER NO_COLOR LESS
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	T=$BATS_TEST_TMPDIR
	git init -q --bare "$T/hub.git"
	on A init --timezone UTC "$T/A" >/dev/null
	git config -f "$T/A/team.conf" sync.auto false
	on A remote add hub "$T/hub.git" >/dev/null
	on A note "first note of A" >/dev/null
	on A sync >/dev/null
	on B clone "$T/hub.git" "$T/B" >/dev/null
	for i in 1 2 3; do on B note "genuine record $i of B" >/dev/null; done
	on B sync >/dev/null
	on A sync >/dev/null
	day=$(date -u +%Y_%m_%d)
	BREL="${day:0:4}/$day/B.jsonl"
	grep -q "genuine record 3 of B" "$T/A/$BREL"
	BEFORE=$(sha256sum "$T/A/$BREL")
	REF_BEFORE=$(git -C "$T/A" rev-parse refs/heads/hosts/B)
}

# logbook as host $1 in journal $T/$1
on() {
	local host=$1
	shift
	LOGBOOK_HOST=$host LOGBOOK_USER=admin-$host LOGBOOK_DIR="$T/$host" "$LOGBOOK" "$@"
}

# a checkout of B's ref as the hub has it, to forge from
evil_checkout() {
	rm -rf "$T/evil"
	git init -q "$T/evil"
	git -C "$T/evil" fetch -q "$T/hub.git" refs/heads/hosts/B:refs/heads/hosts/B
	git -C "$T/evil" checkout -q hosts/B
}

# commit what evil changed on top of B's ref and push it to $1 (default the hub)
evil_push() {
	git -C "$T/evil" add -A
	git -C "$T/evil" -c user.name=m -c user.email=m@x commit -q -m forged
	git -C "$T/evil" push -q -f "${1:-$T/hub.git}" HEAD:refs/heads/hosts/B
	FORGED=$(git -C "$T/evil" rev-parse HEAD)
}

# A kept B's records and ref as they were, and noted the forged commit aside
kept_aside() {
	[ "$(sha256sum "$T/A/$BREL")" = "$BEFORE" ] || fail "A's file of B changed: $(cat "$T/A/$BREL")"
	[ "$(git -C "$T/A" rev-parse refs/heads/hosts/B)" = "$REF_BEFORE" ] || fail "A's ref of B moved"
	[ "$(git -C "$T/A" rev-parse refs/logbook/quarantine/$1/B)" = "$FORGED" ]
	grep -q "^commit $FORGED\$" "$T/A/.state/quarantine/$1.B"
	run -1 grep -r forged "$T/A" --include='*.jsonl'
}

@test "a fetched fast-forward that rewrites a host's records is kept aside; the files stay byte-identical" {
	evil_checkout
	# the first two records kept, the third replaced by a forged one
	head -n 2 "$T/evil/$BREL" >"$T/evil/x" && mv "$T/evil/x" "$T/evil/$BREL"
	echo '{"kind":"note","text":"forged record of B"}' >>"$T/evil/$BREL"
	evil_push
	run --separate-stderr on A sync
	[ "$status" -eq 5 ] || fail "sync exited $status: $stderr"
	[[ "$stderr" == *"the records of B from hub: ${FORGED:0:12} rewrites '$BREL' (records are only ever appended); not written, kept aside"* ]] ||
		fail "sync said: $stderr"
	kept_aside hub
	# doctor says so, with the way to look at it
	run on A doctor
	[[ "$output" == *"FAIL quarantine hub.B: ${FORGED:0:12} rewrites '$BREL'"* ]] || fail "doctor said: $output"
	[[ "$output" == *"git -C $T/A log -p refs/logbook/quarantine/hub/B"* ]] || fail "doctor said: $output"
	# and verify, though A's files are intact
	run on A verify
	[ "$status" -eq 1 ] || fail "verify exited $status: $output"
	[[ "$output" == *".state/quarantine/hub.B: kept aside by sync, not in the files: ${FORGED:0:12} rewrites '$BREL'"* ]] ||
		fail "verify said: $output"
	# and news, every time until it is settled
	run on A news --no-pager
	[[ "$output" == *"Kept aside by sync, not in the files"*"hub.B: ${FORGED:0:12} rewrites '$BREL'"* ]] ||
		fail "news said: $output"
	# A's own records still go out
	on A note "second note of A" >/dev/null
	run on A sync
	[ "$status" -eq 5 ]
	git -C "$T/hub.git" log -p refs/heads/hosts/A | grep -q "second note of A"
}

@test "a fetched commit that cuts a host's file, or removes it, is kept aside" {
	evil_checkout
	head -n 1 "$T/evil/$BREL" >"$T/evil/x" && mv "$T/evil/x" "$T/evil/$BREL"
	evil_push
	run --separate-stderr on A sync
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"${FORGED:0:12} cuts '$BREL'"* ]] || fail "sync said: $stderr"
	kept_aside hub
	evil_checkout
	git -C "$T/evil" rm -q "$BREL"
	evil_push
	run --separate-stderr on A sync
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"${FORGED:0:12} removes '$BREL'"* ]] || fail "sync said: $stderr"
	kept_aside hub
}

@test "a rewound host ref (force-pushed history that does not descend from ours) is kept aside" {
	evil_checkout
	git -C "$T/evil" reset -q --hard HEAD~1 2>/dev/null || git -C "$T/evil" checkout -q --orphan other
	echo '{"kind":"note","text":"forged past of B"}' >>"$T/evil/$BREL"
	evil_push
	run --separate-stderr on A sync
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"${FORGED:0:12} does not descend from ${REF_BEFORE:0:12}"* ]] || fail "sync said: $stderr"
	kept_aside hub
}

@test "a host file over sync.maxfilesize is kept aside, not written" {
	git config -f "$T/A/team.conf" sync.maxfilesize 4K
	on B note "$(head -c 6000 /dev/zero | tr '\0' x)" >/dev/null
	on B sync >/dev/null
	FORGED=$(git -C "$T/hub.git" rev-parse refs/heads/hosts/B)
	run --separate-stderr on A sync
	[ "$status" -eq 5 ]
	[[ "$stderr" == *"makes '$BREL' "*" bytes, over the limit of 4096 (sync.maxfilesize)"* ]] || fail "sync said: $stderr"
	[ "$(sha256sum "$T/A/$BREL")" = "$BEFORE" ]
	[ "$(git -C "$T/A" rev-parse refs/logbook/quarantine/hub/B)" = "$FORGED" ]
	# an honest append under the limit still comes in
	git config -f "$T/A/team.conf" sync.maxfilesize 64M
	run on A sync
	[ "$status" -eq 0 ] || fail "$output"
	grep -q xxxxxxxx "$T/A/$BREL"
}

@test "a rewrite pushed into a replica is kept aside by sync --local, its ref moved back, a fresh clone gets the real history" {
	# A is the hub now: B pushes into A's own repository
	on B remote add a "$T/A" >/dev/null
	on B note "genuine record 4 of B" >/dev/null
	on B sync >/dev/null
	on A sync --local >/dev/null
	grep -q "genuine record 4 of B" "$T/A/$BREL"
	BEFORE=$(sha256sum "$T/A/$BREL")
	REF_BEFORE=$(git -C "$T/A" rev-parse refs/heads/hosts/B)
	rm -rf "$T/evil"
	git init -q "$T/evil"
	git -C "$T/evil" fetch -q "$T/A" refs/heads/hosts/B:refs/heads/hosts/B
	git -C "$T/evil" checkout -q hosts/B
	sed -i 's/genuine record 2 of B/forged record of B/' "$T/evil/$BREL"
	echo '{"kind":"note","text":"more forged"}' >>"$T/evil/$BREL"
	evil_push "$T/A"
	run --separate-stderr on A sync --local
	[ "$status" -eq 5 ] || fail "sync --local exited $status: $stderr"
	[[ "$stderr" == *"the records of B from pushed: ${FORGED:0:12} rewrites '$BREL'"* ]] || fail "said: $stderr"
	kept_aside pushed
	on C clone "$T/A" "$T/C" >/dev/null
	grep -q "genuine record 2 of B" "$T/C/$BREL"
	run -1 grep -r forged "$T/C" --include='*.jsonl'
}
