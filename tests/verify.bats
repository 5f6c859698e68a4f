#!/usr/bin/env bats
# logbook verify on a generated file of 1000 records, tampered with where
# the fast reading of lines (src/journal/record-scan.c: no JSON tree) is
# what reads them: every kind of damage is still found, with the message
# and the line it always had.  The same suite passes with the binary of
# before the fast reading ($LOGBOOK=old-logbook tests/run tests/verify.bats).

load lib

GEN="$BATS_TEST_DIRNAME/../build/bench/gen"

# a journal of HOSTS hosts x DAYS days x PER_DAY records from 2026-01-05, made with SEED
gen_journal() {
	export LOGBOOK_DIR=$BATS_TEST_TMPDIR/j
	"$GEN" --logbook "$LOGBOOK" --hosts "$1" --admins 2 --days "$2" --per-day "$3" --seed "$4" "$LOGBOOK_DIR" >/dev/null
}

# 1000 records of web1 on 2026-01-05, mostly cmd records, in $F
setup_file_1000() {
	gen_journal 1 1 1000 3
	F=$LOGBOOK_DIR/2026/2026_01_05/web1.jsonl
	[ "$(wc -l <"$F")" -eq 1000 ]
}

# replace line n of $F by what the python expression makes of l (its bytes, without the newline)
edit_line() {
	py -c '
import sys
f, n, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ls = open(f, "rb").read().split(b"\n")
l = ls[n - 1]
ls[n - 1] = eval(expr)
open(f, "wb").write(b"\n".join(ls))
' "$F" "$1" "$2"
}

@test "1000 generated records verify intact" {
	setup_file_1000
	run lb verify
	[ "$status" -eq 0 ]
	[ "$output" = "web1:
  1000 records in 1 file; 0 signed, 1000 unsigned at the end; chain intact" ]
}

@test "one changed byte in a cmd record in the middle breaks the link of the next" {
	setup_file_1000
	grep -n '' "$F" | sed -n 500p | grep -q '"kind":"cmd".*"cwd":"/' || fail "line 500 is not a cmd"
	edit_line 500 'l.replace(b"\"cwd\":\"/", b"\"cwd\":\"_", 1)'
	run lb verify
	[ "$status" -eq 1 ]
	[ "$output" = "web1:
  2026/2026_01_05/web1.jsonl:501: broken link: prev is not the hash of seq 500 (2026/2026_01_05/web1.jsonl:500), which was changed, or this one was
  1000 records in 1 file; 0 signed, 1000 unsigned at the end; PROBLEMS above" ]
}

@test "a broken prev is found at its line" {
	setup_file_1000
	# one hex digit of prev changed: its own link breaks, and so does the next one's
	edit_line 600 '(i := l.index(b"\"prev\":\"") + 8) and l[:i] + (b"1" if l[i:i + 1] == b"0" else b"0") + l[i + 1:]'
	run lb verify
	[ "$status" -eq 1 ]
	[ "$output" = "web1:
  2026/2026_01_05/web1.jsonl:600: broken link: prev is not the hash of seq 599 (2026/2026_01_05/web1.jsonl:599), which was changed, or this one was
  2026/2026_01_05/web1.jsonl:601: broken link: prev is not the hash of seq 600 (2026/2026_01_05/web1.jsonl:600), which was changed, or this one was
  1000 records in 1 file; 0 signed, 1000 unsigned at the end; PROBLEMS above" ]
}

@test "a seq gap is found: a line taken out" {
	setup_file_1000
	sed -i 700d "$F"
	run lb verify
	[ "$status" -eq 1 ]
	[ "$output" = "web1:
  2026/2026_01_05/web1.jsonl:700: records 700-700 are missing before this one
  999 records in 1 file; 0 signed, 999 unsigned at the end; PROBLEMS above" ]
}

@test "a duplicated line is found twice: out of order, and the same seq twice" {
	setup_file_1000
	sed -i '800p' "$F"
	run lb verify
	[ "$status" -eq 1 ]
	[ "$output" = "web1:
  2026/2026_01_05/web1.jsonl:801: seq 800 after seq 800: lines out of order
  2026/2026_01_05/web1.jsonl:801: seq 800 appears twice (also 2026/2026_01_05/web1.jsonl:800)
  1001 records in 1 file; 0 signed, 1001 unsigned at the end; PROBLEMS above" ]
}

@test "lines the fast reading must not take are damaged records, with jansson's reason" {
	setup_file_1000
	# a key twice: two readers could see two records
	edit_line 300 'l.replace(b"\"kind\":", b"\"v\":1,\"kind\":", 1)'
	# a byte that is not UTF-8, in a string
	edit_line 400 'l.replace(b"\"session\":\"", b"\"session\":\"\xff", 1)'
	# a host not the file's
	edit_line 450 'l.replace(b"\"host\":\"web1\"", b"\"host\":\"web2\"", 1)'
	run lb verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"web1.jsonl:300: damaged record: invalid JSON at column "*": duplicate object key"* ]]
	[[ "$output" == *"web1.jsonl:400: damaged record: invalid JSON at column "*": unable to decode byte 0xff"* ]]
	[[ "$output" == *"web1.jsonl:450: a record of host web2 in the file of web1"* ]]
	[[ "$output" == *"web1.jsonl:301: records 300-300 are missing before this one"* ]]
	[[ "$output" == *"web1.jsonl:451: records 450-450 are missing before this one"* ]]
	[[ "$output" == *"997 records in 1 file"* ]]
}

@test "hosts read side by side are reported in name order, each with its own problems" {
	gen_journal 4 2 300 5
	for h in db1 git1 irc1 web1; do
		F=$LOGBOOK_DIR/2026/2026_01_06/$h.jsonl
		edit_line 100 'l.replace(b"\"kind\":", b"\"kind\": ", 1)'
	done
	sed -i 50d "$LOGBOOK_DIR/2026/2026_01_05/git1.jsonl"
	run lb verify
	[ "$status" -eq 1 ]
	[ "$output" = "db1:
  2026/2026_01_06/db1.jsonl:101: broken link: prev is not the hash of seq 400 (2026/2026_01_06/db1.jsonl:100), which was changed, or this one was
  600 records in 2 files; 0 signed, 600 unsigned at the end; PROBLEMS above
git1:
  2026/2026_01_05/git1.jsonl:50: records 50-50 are missing before this one
  2026/2026_01_06/git1.jsonl:101: broken link: prev is not the hash of seq 400 (2026/2026_01_06/git1.jsonl:100), which was changed, or this one was
  599 records in 2 files; 0 signed, 599 unsigned at the end; PROBLEMS above
irc1:
  2026/2026_01_06/irc1.jsonl:101: broken link: prev is not the hash of seq 400 (2026/2026_01_06/irc1.jsonl:100), which was changed, or this one was
  600 records in 2 files; 0 signed, 600 unsigned at the end; PROBLEMS above
web1:
  2026/2026_01_06/web1.jsonl:101: broken link: prev is not the hash of seq 400 (2026/2026_01_06/web1.jsonl:100), which was changed, or this one was
  600 records in 2 files; 0 signed, 600 unsigned at the end; PROBLEMS above" ]
}

@test "a record file that is a symbolic link or a fifo is reported as before, by the listing and by the reading" {
	gen_journal 2 2 10 5
	d=$LOGBOOK_DIR/2026/2026_01_06
	mv "$d/db1.jsonl" "$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$d/db1.jsonl"
	rm "$d/web1.jsonl"
	mkfifo "$d/web1.jsonl"
	run lb verify
	[ "$status" -eq 1 ]
	[ "$output" = "$d/db1.jsonl: a symbolic link, not a record file; skipped
$d/web1.jsonl: not a regular file; skipped
db1:
  2026/2026_01_06/db1.jsonl: cannot be read: $d/db1.jsonl: a symbolic link, not a record file; skipped
  10 records in 2 files; 0 signed, 10 unsigned at the end; PROBLEMS above
web1:
  2026/2026_01_06/web1.jsonl: cannot be read: $d/web1.jsonl: not a regular file; skipped
  10 records in 2 files; 0 signed, 10 unsigned at the end; PROBLEMS above" ]
}
