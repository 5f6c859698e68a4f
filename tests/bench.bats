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
