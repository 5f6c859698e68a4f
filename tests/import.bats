#!/usr/bin/env bats
# logbook import: existing shell histories into the journal

load lib

# "<time>\t<cmd with \n as \\n>" for every cmd record of the journal, by time
imported() {
	cat "$LOGBOOK_DIR"/*/*/*.jsonl | py -c '
import json, sys
rs = sorted((json.loads(l) for l in sys.stdin if "\"kind\":\"cmd\"" in l), key=lambda r: r["time"])
for r in rs:
    print("%s\t%s" % (r["time"], r["cmd"].replace("\n", "\\n")))
'
}

@test "a bash history with timestamps keeps its times and its multi-line commands" {
	new_journal
	printf '#1700000000\nls -l /etc\n#1700000060\nfor i in 1 2\ndo echo $i\ndone\n#1700000120\nsystemctl status nginx\n' >"$BATS_TEST_TMPDIR/h"
	run lb import --bash-history "$BATS_TEST_TMPDIR/h"
	[ "$status" -eq 0 ]
	[ "$output" = "3 commands imported from $BATS_TEST_TMPDIR/h" ]
	run imported
	[ "${lines[0]}" = $'2023-11-14T22:13:20.000000Z\tls -l /etc' ]
	[ "${lines[1]}" = $'2023-11-14T22:14:20.000000Z\tfor i in 1 2\\ndo echo $i\\ndone' ]
	[ "${lines[2]}" = $'2023-11-14T22:15:20.000000Z\tsystemctl status nginx' ]
	jsonl chain "$LOGBOOK_DIR" web1
	# the day page lists them (ls is a routine command: counted, not listed)
	run lb show 2023_11_14
	[[ "$output" == *'$ systemctl status nginx'* ]]
	[[ "$output" == *'1 routine command not shown'* ]]
}

@test "a bash history without timestamps is filed at the file's modification time" {
	new_journal
	printf 'uptime\ndf -h\n' >"$BATS_TEST_TMPDIR/h"
	touch -d '2024-02-29 12:00:00 UTC' "$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h"
	run imported
	[ "${lines[0]}" = $'2024-02-29T12:00:00.000000Z\tuptime' ]
	[ "${lines[1]}" = $'2024-02-29T12:00:00.000000Z\tdf -h' ]
}

@test "a zsh extended history: times, durations, multi-line and metafied bytes" {
	new_journal
	# zsh writes some bytes (0x83 itself among them) as 0x83 then the byte xor 0x20
	printf ': 1700000100:3;apt update\n: 1700000200:0;echo first\\\nsecond\n: 1700000300:0;echo \x83\xa3x\n' >"$BATS_TEST_TMPDIR/z"
	lb import --zsh-history "$BATS_TEST_TMPDIR/z"
	cat "$LOGBOOK_DIR"/*/*/web1.jsonl | py -c '
import json, sys, base64
rs = [json.loads(l) for l in sys.stdin]
assert rs[0]["cmd"] == "apt update" and rs[0]["end"] == "2023-11-14T22:15:03.000000Z", rs[0]
assert rs[1]["cmd"] == "echo first\nsecond", rs[1]
assert base64.b64decode(rs[2]["cmd_b64"]) == b"echo \x83x", rs[2]
assert all(r["import"] == "zsh-history" for r in rs)
'
}

@test "importing the same file twice adds nothing; a grown file adds only what is new" {
	new_journal
	printf '#1700000000\nls\n#1700000000\nls\n#1700000001\npwd\n' >"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h"
	run lb import --bash-history "$BATS_TEST_TMPDIR/h"
	[ "$output" = "0 commands imported from $BATS_TEST_TMPDIR/h (3 already in the journal)" ]
	printf '#1700000500\nwho\n' >>"$BATS_TEST_TMPDIR/h"
	run lb import --bash-history "$BATS_TEST_TMPDIR/h"
	[ "$output" = "1 command imported from $BATS_TEST_TMPDIR/h (3 already in the journal)" ]
	# the same command twice at the same second is two commands
	[ "$(imported | grep -c $'\tls$')" -eq 2 ]
}

@test "import leaves out commands typed with a leading space" {
	new_journal
	printf '#1700000000\n echo hidden-secret\n#1700000001\necho shown\n' >"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h"
	run -1 grep -r hidden-secret "$LOGBOOK_DIR"
	[ "$(imported | cut -f2)" = "echo shown" ]
}

@test "import: bad input and usage" {
	new_journal
	run lb import
	[ "$status" -eq 2 ]
	run lb import --bash-history a --zsh-history b
	[ "$status" -eq 2 ]
	run lb import --bash-history "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 1 ]
	[[ "$output" == *"missing: No such file or directory"* ]]
	run lb import --bash-history "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a regular file"* ]]
	run lb import --help
	[ "$status" -eq 0 ]
	# binary junk is read as commands, never a crash
	head -c 100000 /dev/urandom | tr -d '\0' >"$BATS_TEST_TMPDIR/junk"
	run lb import --zsh-history "$BATS_TEST_TMPDIR/junk"
	[ "$status" -eq 0 ]
	jsonl files "$LOGBOOK_DIR"
}
