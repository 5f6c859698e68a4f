#!/usr/bin/env bats
# build/bench/gen, the journal generator every benchmark starts from: it
# must keep writing journals that the real logbook reads, with whole
# chains, and the same files for the same seed.

load lib

GEN="$BATS_TEST_DIRNAME/../build/bench/gen"

# a small journal: 2 hosts x 50 records on each of 3 days
small() {
	"$GEN" --logbook "$LOGBOOK" --hosts 2 --admins 2 --days 3 --per-day 50 --seed "${2:-1}" "$1"
}

# every record file of a journal with its checksum
record_sums() {
	(cd "$1" && find ./[0-9][0-9][0-9][0-9] -type f | sort | xargs sha256sum)
}

@test "gen makes a journal that logbook days lists, 3 days of 2 hosts x 50" {
	run small "$BATS_TEST_TMPDIR/j"
	[ "$status" -eq 0 ]
	[[ "$output" == "gen: 300 records, 6 files, "*" bytes, "*" s: $BATS_TEST_TMPDIR/j" ]]
	run --separate-stderr lb -C "$BATS_TEST_TMPDIR/j" days
	[ "$status" -eq 0 ]
	[ -z "$stderr" ] || fail "$stderr"
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^2026_01_0[567]\ +100\ +db1:50\ web1:50$ ]] || fail "days: $l"
	done
}

@test "show --json of a generated day gives 100 valid records, and the chains are whole" {
	local j=$BATS_TEST_TMPDIR/j
	small "$j" >/dev/null
	run --separate-stderr lb -C "$j" show --json 2026-01-06
	[ "$status" -eq 0 ]
	[ -z "$stderr" ] || fail "$stderr"
	[ "${#lines[@]}" -eq 100 ]
	# each line parses, has the common fields, and is a cmd or a note
	printf '%s\n' "${lines[@]}" | py -c '
import json, sys
for n, line in enumerate(sys.stdin, 1):
    r = json.loads(line)
    for k in ("v", "kind", "time", "host", "admin", "account", "session", "seq", "prev"):
        assert k in r, "line %d: no %s" % (n, k)
    assert r["kind"] in ("cmd", "note"), r["kind"]
    assert ("cmd" in r and isinstance(r["exit"], int)) if r["kind"] == "cmd" else "text" in r
'
	[ "$(jsonl files "$j")" -eq 300 ]
	[ "$(jsonl chain "$j" web1)" -eq 150 ]
	[ "$(jsonl chain "$j" db1)" -eq 150 ]
}

@test "the same seed gives identical record files, another seed other ones" {
	small "$BATS_TEST_TMPDIR/a" 1 >/dev/null
	small "$BATS_TEST_TMPDIR/b" 1 >/dev/null
	small "$BATS_TEST_TMPDIR/c" 2 >/dev/null
	[ -n "$(record_sums "$BATS_TEST_TMPDIR/a")" ]
	[ "$(record_sums "$BATS_TEST_TMPDIR/a")" = "$(record_sums "$BATS_TEST_TMPDIR/b")" ]
	[ "$(record_sums "$BATS_TEST_TMPDIR/a")" != "$(record_sums "$BATS_TEST_TMPDIR/c")" ]
}

@test "gen refuses a directory that is already a journal, and bad options" {
	small "$BATS_TEST_TMPDIR/j" >/dev/null
	run small "$BATS_TEST_TMPDIR/j"
	[ "$status" -eq 1 ]
	run "$GEN" --per-day 0 "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 2 ]
	run "$GEN" --start 2026-02-30 "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 2 ]
	[ ! -e "$BATS_TEST_TMPDIR/k" ]
}

@test "bench/search runs on a small journal and prints every row" {
	run --separate-stderr env DAYS=20 RECORDS=2000 RUNS=1 LOGBOOK="$LOGBOOK" "$BATS_TEST_DIRNAME/../bench/search"
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"build: "*" records/s"* ]] || fail "$output"
	local q
	for q in quokka /opt/kiwi/rotate-keys.sh 203.0.113.77 systemctl zf; do
		[[ "$output" == *$'\n'"$q "* ]] || fail "no row for $q: $output"
	done
	# the planted records are found, 3 of each
	[[ "$output" =~ quokka\ +rare\ word\ +3\ +yes\ +3 ]] || fail "$output"
	[[ "$output" == *"after 100 new records:"* ]]
}

# bench/scale at a toy size: HOSTS x DAYS x PER_DAY, every sub-benchmark small
scale() {
	env HOSTS=2 DAYS=3 PER_DAY=20 ROUNDS=1 START_N=2 HOOK_N=5 VERIFY_RECORDS=2000 SIGN_EVERY=100 \
		LOGBOOK="$LOGBOOK" "$@" "$BATS_TEST_DIRNAME/../bench/scale"
}

@test "bench/scale runs every part on a toy journal and prints each target" {
	local j=$BATS_TEST_TMPDIR/j start
	# the journal ends today, as a team's does
	start=$(date -u -d 'today - 2 days' +%F)
	run --separate-stderr scale KEEP="$j"
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"generating: build/bench/gen --hosts 2 --admins 10 --days 3 --per-day 20 --start $start $j"* ]] ||
		fail "$output"
	local p
	for p in start search show news who reads hook verify sync disk; do
		[[ "$output" == *$'\n'"== $p (load "* ]] || fail "no part $p: $output"
		[[ "$output" =~ $'\n'"($p took "[0-9.]+" s)" ]] || fail "no time for $p: $output"
	done
	[[ "$output" == *$'\n'"== targets ("* ]] || fail "$output"
	# a row of the summary for each target; each says met or NOT MET
	local rows
	rows=$(sed -n '/^== targets/,$p' <<<"$output" | grep -cE ' (met|NOT MET)$')
	[ "$rows" -eq 30 ] || fail "$rows target rows: $output"
	# the planted records are found, 3 of each, and the words' shares printed
	local rare='
quokka +rare word +[0-9.]+% +3 +3 ' common='
systemctl +~15% +[0-9.]+% '
	[[ "$output" =~ $rare ]] || fail "$output"
	[[ "$output" =~ $common ]] || fail "$output"
	# the records are in git: one ref per host
	[ "$(git -C "$j" for-each-ref refs/heads/hosts | wc -l)" -eq 2 ]
	[[ "$output" == *"search index (.state/index.*)"* ]]
	# the sync part leaves no remote behind
	[ -z "$(lb -C "$j" remote list)" ]
}

@test "bench/scale reuses a journal only when gen made it with the same options" {
	local j=$BATS_TEST_TMPDIR/j
	scale KEEP="$j" PARTS=disk START=2017-01-01 >/dev/null
	# the first day comes from the stamp when START is not given
	run --separate-stderr scale KEEP="$j" PARTS=disk
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == "journal: $j, made by gen --hosts 2 --admins 10 --days 3 --per-day 20 --start 2017-01-01 (stamp)"* ]] ||
		fail "$output"
	[[ "$output" != *generating* ]]
	run --separate-stderr scale KEEP="$j" PARTS=disk DAYS=4
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"was made by 'gen --hosts 2 --admins 10 --days 3 "*"not 'gen --hosts 2 --admins 10 --days 4 "* ]] ||
		fail "$stderr"
	# copies of what gen writes, without the stamp: checked, then used
	"$GEN" --logbook "$LOGBOOK" --hosts 2 --admins 10 --days 3 --per-day 20 --start 2017-01-01 "$BATS_TEST_TMPDIR/k" >/dev/null
	run --separate-stderr scale KEEP="$BATS_TEST_TMPDIR/k" PARTS=disk START=2017-01-01
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == "journal: $BATS_TEST_TMPDIR/k, checked: what gen "*" writes"* ]] || fail "$output"
	# other admins, other records per day, another first day, other hosts: refused
	local opts
	for opts in "--admins 9 --per-day 20 --start 2017-01-01 --hosts 2" "--admins 10 --per-day 21 --start 2017-01-01 --hosts 2" \
		"--admins 10 --per-day 20 --start 2017-01-02 --hosts 2" "--admins 10 --per-day 20 --start 2017-01-01 --hosts 3"; do
		rm -rf "$BATS_TEST_TMPDIR/m"
		# shellcheck disable=SC2086
		"$GEN" --logbook "$LOGBOOK" --days 3 $opts "$BATS_TEST_TMPDIR/m" >/dev/null
		run --separate-stderr scale KEEP="$BATS_TEST_TMPDIR/m" PARTS=disk START=2017-01-01
		[ "$status" -eq 1 ] || fail "$opts: accepted: $output"
		[[ "$stderr" == "bench/scale: $BATS_TEST_TMPDIR/m"* ]] || fail "$opts: $stderr"
		[ ! -e "$BATS_TEST_TMPDIR/m/.state/bench-scale" ]
	done
}

@test "bench/reads runs on a small journal and prints every row" {
	run --separate-stderr env HOSTS=2 DAYS=10 PER_DAY=20 RUNS=1 LOGBOOK="$LOGBOOK" "$BATS_TEST_DIRNAME/../bench/reads"
	[ "$status" -eq 0 ] || fail "$stderr"
	local r
	for r in "cat DAY's files (reference)" "logbook show DAY" "logbook show OLD" "logbook who" \
		"logbook news, a week away" "logbook digest DAY"; do
		[[ "$output" == *$'\n'"$r "* ]] || fail "no row for $r: $output"
	done
	# the place a week back: news has the week's records to show
	[[ "$output" =~ a\ week\ away:\ since\ [0-9_]+\ 20:00\ \(280\ records\) ]] || fail "$output"
}

@test "bench/rare runs on a toy bench/scale journal, with an older build beside, and prints every row" {
	local j=$BATS_TEST_TMPDIR/j
	run --separate-stderr scale KEEP="$j" PARTS=disk
	[ "$status" -eq 0 ] || fail "$stderr"
	cp -a "$j" "$BATS_TEST_TMPDIR/before"
	run --separate-stderr env J="$j" BEFORE="$LOGBOOK" BEFORE_J="$BATS_TEST_TMPDIR/before" N=2 ROUNDS=1 \
		LOGBOOK="$LOGBOOK" "$BATS_TEST_DIRNAME/../bench/rare"
	[ "$status" -eq 0 ] || fail "$stderr"
	local q rows
	for q in quokka /opt/kiwi/rotate-keys.sh 203.0.113.77; do
		rows=$(grep -cE "^$q +(rare word|rare path|IP address) +.* [0-9.]+x +[0-9.]+x$" <<<"$output" || true)
		[ "$rows" -eq 3 ] || fail "$q: $rows rows: $output"
	done
	# BEFORE without a journal of its own is refused
	run --separate-stderr env J="$j" BEFORE="$LOGBOOK" "$BATS_TEST_DIRNAME/../bench/rare"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"BEFORE needs a journal of its own"* ]] || fail "$stderr"
}
