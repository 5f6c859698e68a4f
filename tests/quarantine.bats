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
	run on A doctor --root /
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

# a record line for B after the last line of evil's copy of $BREL: seq $1, prev $2 ("chain": the last line's hash), text $3
forge_next() {
	local last prev
	last=$(tail -n 1 "$T/evil/$BREL")
	prev=$2
	[ "$prev" = chain ] && prev=$(printf '%s' "$last" | sha256sum | cut -c1-64)
	printf '%s' "$last" | sed -e "s/\"seq\":[0-9]*/\"seq\":$1/" -e "s/\"prev\":\"[0-9a-f]*\"/\"prev\":\"$prev\"/" \
		-e "s/\"text\":\"[^\"]*\"/\"text\":\"$3\"/"
}

# sync A from the hub: quarantined with $1 in the reason, A's copy of B's file the same bytes as before
refused_with() {
	cp "$T/A/$BREL" "$T/copy"
	run --separate-stderr on A sync
	[ "$status" -eq 5 ] || fail "sync exited $status: $stderr"
	[[ "$stderr" == *"the records of B from hub: ${FORGED:0:12} breaks B's chain: $1"*"not written, kept aside"* ]] ||
		fail "sync said: $stderr"
	cmp "$T/A/$BREL" "$T/copy"
	kept_aside hub
}

@test "an appended record whose prev is not the hash of the line before is kept aside" {
	evil_checkout
	forge_next 4 "$(printf '%064d' 7)" "forged record 4 of B" >>"$T/evil/$BREL"
	echo >>"$T/evil/$BREL"
	evil_push
	refused_with "line 4 of '$BREL' (seq 4) does not continue the chain: its prev is not the hash of seq 3"
}

@test "an appended record that reuses a seq the host's chain already holds is kept aside" {
	evil_checkout
	# a second seq 3 after seq 2: a fork of B's chain
	local second
	second=$(sed -n 2p "$T/evil/$BREL" | tr -d '\n' | sha256sum | cut -c1-64)
	forge_next 3 "$second" "forged second record 3 of B" >>"$T/evil/$BREL"
	echo >>"$T/evil/$BREL"
	evil_push
	refused_with "line 4 of '$BREL' has seq 3, which B's chain here already holds (it ends at seq 3)"
}

@test "a forged record that continues a line other than the head (an import went to a past day) is kept aside" {
	# B's seq 4 goes to a past day: today's file still ends at seq 3
	printf '#1709208000\nimported command\n' >"$T/h"
	on B import --bash-history "$T/h" >/dev/null
	on B sync >/dev/null
	on A sync >/dev/null
	BEFORE=$(sha256sum "$T/A/$BREL")
	REF_BEFORE=$(git -C "$T/A" rev-parse refs/heads/hosts/B)
	evil_checkout
	forge_next 4 chain "forged record 4 of B" >>"$T/evil/$BREL"
	echo >>"$T/evil/$BREL"
	evil_push
	refused_with "line 4 of '$BREL' has seq 4, which B's chain here already holds (it ends at seq 4)"
	# the same once this replica no longer knows where the chain ended: it reads every file's last line
	rm "$T/A/.state/sync/chain.B"
	refused_with "line 4 of '$BREL' has seq 4, which B's chain here already holds (it ends at seq 4)"
}

@test "an appended line that is not a record, or a record of another host, is kept aside" {
	evil_checkout
	echo 'forged: not a record at all' >>"$T/evil/$BREL"
	evil_push
	refused_with "line 4 of '$BREL' is not a record: invalid JSON"
	# from B's real history again, not the hub's forged one
	evil_checkout
	git -C "$T/evil" reset -q --hard "$REF_BEFORE"
	forge_next 4 chain "forged record of A" | sed 's/"host":"B"/"host":"A"/' >>"$T/evil/$BREL"
	echo >>"$T/evil/$BREL"
	evil_push
	refused_with "line 4 of '$BREL' is a record of host 'A'"
}

@test "an appended record without its newline (a partial line) is kept aside" {
	evil_checkout
	# a record that would continue the chain, but the line does not end
	forge_next 4 chain "forged record 4 of B" >>"$T/evil/$BREL"
	evil_push
	refused_with "line 4 of '$BREL' is not complete (no newline at its end)"
}

@test "honest appends across day files are taken: an import into a past day, then today's records" {
	local old="2024/2024_02_29/B.jsonl" i
	for i in 1 2 3; do
		printf '#%s\nimported command %s\n' "$((1709208000 + i))" "$i" >"$T/h$i"
	done
	# seq 4 in a new past day's file
	on B import --bash-history "$T/h1" >/dev/null
	on B sync >/dev/null
	run on A sync
	[ "$status" -eq 0 ] || fail "first import: $output"
	# seq 5 appended to that past day, seq 6 today: each continues the other's file
	on B import --bash-history "$T/h2" >/dev/null
	on B note "genuine record 6 of B" >/dev/null
	on B sync >/dev/null
	run on A sync
	[ "$status" -eq 0 ] || fail "import and note: $output"
	# seq 7 to the past day alone, taken; then seq 8 today, which continues a line of the past day's file
	on B import --bash-history "$T/h3" >/dev/null
	on B sync >/dev/null
	run on A sync
	[ "$status" -eq 0 ] || fail "import alone: $output"
	on B note "genuine record 8 of B" >/dev/null
	on B sync >/dev/null
	# as on a replica that has not checked B's history before: the head is looked for in every file
	rm "$T/A/.state/sync/chain.B"
	run on A sync
	[ "$status" -eq 0 ] || fail "note after the import: $output"
	cmp "$T/A/$old" "$T/B/$old"
	cmp "$T/A/$BREL" "$T/B/$BREL"
	[ ! -e "$T/A/.state/quarantine/hub.B" ]
	grep -q "imported command 3" "$T/A/$old"
	grep -q "genuine record 8 of B" "$T/A/$BREL"
}

@test "a file of B that another account made here, in a directory the group writes, is still brought up" {
	# a shared journal's day directories are the group's: a member may have
	# made (or replaced) A's copy of B's file; sync must not stop on it
	on B note "genuine record 4 of B" >/dev/null
	on B sync >/dev/null
	chgrp nogroup "$T/A/$(dirname "$BREL")"
	chmod g+w "$T/A/$(dirname "$BREL")"
	chown nobody "$T/A/$BREL"
	run on A sync
	[ "$status" -eq 0 ] || fail "$output"
	cmp "$T/A/$BREL" "$T/B/$BREL"
	grep -q "genuine record 4 of B" "$T/A/$BREL"
	# and a file of B that does not exist here yet is made
	rm "$T/A/$BREL"
	on B note "genuine record 5 of B" >/dev/null
	on B sync >/dev/null
	run on A sync
	[ "$status" -eq 0 ] || fail "$output"
}

@test "B's ref moved back in A's .git, with nothing new anywhere, is kept aside and moved forward again" {
	on B note "genuine record 4 of B" >/dev/null
	on B sync >/dev/null
	on A sync >/dev/null
	now=$(git -C "$T/A" rev-parse refs/heads/hosts/B)
	file=$(sha256sum "$T/A/$BREL")
	[ "$now" != "$REF_BEFORE" ]
	# a sync reads the refs once: a ref moved since the last must still be checked, not taken as written
	git -C "$T/A" update-ref refs/heads/hosts/B "$REF_BEFORE"
	run --separate-stderr on A sync --local
	[ "$status" -eq 5 ] || fail "sync --local: $status $stderr"
	[[ "$stderr" == *"${REF_BEFORE:0:12} does not descend from ${now:0:12}"* ]] || fail "sync said: $stderr"
	[ "$(git -C "$T/A" rev-parse refs/logbook/quarantine/pushed/B)" = "$REF_BEFORE" ]
	[ "$(git -C "$T/A" rev-parse refs/heads/hosts/B)" = "$now" ] || fail "the ref was not moved back"
	[ "$(sha256sum "$T/A/$BREL")" = "$file" ] || fail "A's file of B changed"
	run on A sync
	[ "$status" -eq 0 ] || fail "$output"
}
