#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats's run sets stderr and stderr_lines
# Ranges: --since, --until, --host and --admin on show, list, search,
# export and digest; days, times and ages in the team's time zone.

load lib

# commands planted at fixed instants (bash history timestamps), on two
# hosts by two admins; 2026-11-06 has none:
#   2026-11-04 10:00:00Z  web1 alice  four-web
#   2026-11-05 09:00:00Z  db1  bob    five-db-morning
#   2026-11-05 13:59:59Z  web1 alice  five-web-before
#   2026-11-05 14:00:00Z  web1 alice  five-web-at
#   2026-11-05 23:30:00Z  db1  bob    five-db-late
#   2026-11-07 08:00:00Z  web1 bob    seven-web
plant() {
	new_journal "${1:-UTC}"
	printf '#1793786400\nfour-web\n#1793887199\nfive-web-before\n#1793887200\nfive-web-at\n' >"$BATS_TEST_TMPDIR/h1"
	lb import --bash-history "$BATS_TEST_TMPDIR/h1" >/dev/null
	printf '#1793869200\nfive-db-morning\n#1793921400\nfive-db-late\n' >"$BATS_TEST_TMPDIR/h2"
	LOGBOOK_HOST=db1 LOGBOOK_USER=bob lb import --bash-history "$BATS_TEST_TMPDIR/h2" >/dev/null
	printf '#1794038400\nseven-web\n' >"$BATS_TEST_TMPDIR/h3"
	LOGBOOK_USER=bob lb import --bash-history "$BATS_TEST_TMPDIR/h3" >/dev/null
}

# the commands list prints, one per line, in its order
cmds() {
	lb list --no-pager "$@" | sed 's/.*cmd: //'
}

@test "list: a day as --until takes the whole day, a time stops before it" {
	plant
	run cmds --since 2026-11-05 --until 2026_11_05
	[ "$output" = "$(printf '%s\n' five-db-morning five-web-before five-web-at five-db-late)" ] || fail "$output"
	run cmds --until '2026-11-05 14:00'
	[ "$output" = "$(printf '%s\n' four-web five-db-morning five-web-before)" ] || fail "$output"
	run cmds --until '2026-11-05T14:00:01'
	[ "$output" = "$(printf '%s\n' four-web five-db-morning five-web-before five-web-at)" ] || fail "$output"
	run cmds --since '2026_11_05 14:00:00' --until 2026-11-06
	[ "$output" = "$(printf '%s\n' five-web-at five-db-late)" ] || fail "$output"
	# the seconds count
	run cmds --since '2026-11-05 13:59:59' --until '2026-11-05 14:00'
	[ "$output" = five-web-before ] || fail "$output"
}

@test "list and search: --host and --admin narrow, --user is --admin" {
	plant
	run cmds --host db1
	[ "$output" = "$(printf '%s\n' five-db-morning five-db-late)" ] || fail "$output"
	run cmds --admin bob
	[ "$output" = "$(printf '%s\n' five-db-morning five-db-late seven-web)" ] || fail "$output"
	run cmds --user bob --host web1
	[ "$output" = seven-web ] || fail "$output"
	run lb search --admin alice --since '2026-11-05 12:00' five --no-pager
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *five-web-at ]]
	[[ "${lines[1]}" == *five-web-before ]]
	# every way of answering stops at the same instant
	local m
	for m in files text trigram auto; do
		run lb search --method "$m" --since 2026-11-05 --until '2026-11-05 14:00' five --no-pager
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 2 ] || fail "$m: $output"
		[[ "${lines[0]}" == *five-web-before ]] || fail "$m: $output"
	done
	# --limit counts only the records in the range
	run cmds --since '2026-11-05 10:00' --limit 1
	[ "$output" = five-web-before ] || fail "$output"
}

@test "ages, HH:MM and day names count back from now" {
	new_journal
	local now
	now=$(date +%s)
	printf '#%s\nthree-hours-ago\n#%s\none-hour-ago\n' $((now - 3 * 3600)) $((now - 3600)) >"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	run cmds --since '2h ago'
	[ "$output" = one-hour-ago ] || fail "$output"
	run cmds --since '200 min ago' --until '90min ago'
	[ "$output" = three-hours-ago ] || fail "$output"
	run cmds --since '1d ago'
	[ "${#lines[@]}" -eq 2 ]
	run cmds --since '1w ago' --until '4h ago'
	[ -z "$output" ] || fail "$output"
	# HH:MM is today's: two hours ago, when that is still today
	if [ "$(date -u +%H)" -ge 3 ]; then
		run cmds --since "$(date -u -d "@$((now - 7200))" +%H:%M)"
		[ "$output" = one-hour-ago ] || fail "$output"
	fi
	run cmds --since yesterday
	[ "${#lines[@]}" -eq 2 ]
	run cmds --since -1 --until -1
	if [ "$(date -u +%H)" -ge 4 ]; then
		[ -z "$output" ] || fail "$output"
	fi
}

@test "a bad time and a since after the until are usage errors" {
	plant
	run --separate-stderr lb list --since '2h agoo'
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "logbook: list: --since '2h agoo': not a day or time (today, yesterday, -3, 2026-12-05, 2026-12-05 14:00, 2h ago)" ] || fail "$stderr"
	local c
	for c in show list digest "export --dokuwiki $BATS_TEST_TMPDIR"; do
		# shellcheck disable=SC2086 # the export's option is two words
		run --separate-stderr lb $c --until 25:00
		[ "$status" -eq 2 ] || fail "$c: $status"
		[[ "$stderr" == *"--until '25:00': not a day or time"* ]] || fail "$c: $stderr"
	done
	run --separate-stderr lb search --since 2026-11-06 --until 2026-11-05 x
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"search: --since 2026-11-06 is not before --until 2026-11-05"* ]] || fail "$stderr"
	run --separate-stderr lb show --since '2026-11-05 14:00' --until '2026-11-05 14:00'
	[ "$status" -eq 2 ]
	run lb show 2026-11-05 --since 2026-11-04
	[ "$status" -eq 2 ]
	[[ "$output" == *"a day or --since/--until, not both"* ]]
	run lb digest 2026-11-05 --until 2026-11-04
	[ "$status" -eq 2 ]
	# the form is checked before the journal is looked for
	LOGBOOK_DIR=$BATS_TEST_TMPDIR/none run --separate-stderr lb show --since nope
	[ "$status" -eq 2 ]
	[[ "$stderr" == "logbook: show: --since 'nope': not a day or time"* ]] || fail "$stderr"
}

@test "the team's time zone decides where a day starts and what a time means" {
	plant Europe/Paris
	# 23:30Z on the 5th is 00:30 on the 6th in Paris: the day of the 5th stops before it
	run cmds --since 2026-11-05 --until 2026-11-05
	[ "$output" = "$(printf '%s\n' five-db-morning five-web-before five-web-at)" ] || fail "$output"
	run cmds --since 2026-11-06 --until 2026-11-06
	[ "$output" = five-db-late ] || fail "$output"
	# 15:00 in Paris (UTC+1 in November) is 14:00Z
	run cmds --since '2026-11-05 15:00' --until 2026-11-05
	[ "$output" = five-web-at ] || fail "$output"
	# the zone changed to UTC: the late command is on the 5th, but its page stays the 6th's
	sed -i 's|timezone = Europe/Paris|timezone = UTC|' "$LOGBOOK_DIR/team.conf"
	run cmds --since '2026-11-05 15:00' --until '2026-11-05 23:59'
	[ "$output" = five-db-late ] || fail "$output"
	run lb show --since '2026-11-05 23:00' --until '2026-11-05 23:59' --no-pager
	[[ "$output" == "2026_11_06  "*five-db-late* ]] || fail "$output"
	run lb digest --since '2026-11-05 23:00' --until '2026-11-05 23:59'
	[[ "$output" == *"1 record on 1 host"* ]] || fail "$output"
}

@test "show: a range is its days one page after another, the days without records left out" {
	plant
	run --separate-stderr lb show --since 2026-11-04 --until 2026-11-07 --no-pager
	[ "$status" -eq 0 ] || fail "$stderr"
	run grep -E '^2026_11_0[0-9]  ' <<<"$output"
	[ "${lines[0]}" = "2026_11_04  Wednesday 4 November 2026  (UTC, 1 record)" ] || fail "$output"
	[ "${lines[1]}" = "2026_11_05  Thursday 5 November 2026  (UTC, 4 records)" ] || fail "$output"
	[ "${lines[2]}" = "2026_11_07  Saturday 7 November 2026  (UTC, 1 record)" ] || fail "$output"
	[ "${#lines[@]}" -eq 3 ]
	# the value of --since may be -N: it is not taken for the day operand
	run lb show --since -10000 --until 2026-11-04 --no-pager
	[ "$status" -eq 0 ]
	[[ "$output" == "2026_11_04  "* ]] || fail "$output"
	# a time narrows the records of its day
	run lb show --since '2026-11-05 13:00' --until '2026-11-05 23:00' --no-pager
	[[ "$output" == *five-web-before* && "$output" == *five-web-at* ]] || fail "$output"
	[[ "$output" != *five-db* ]] || fail "$output"
	[[ "$output" == *"(UTC, 2 records)"* ]] || fail "$output"
	# --host and --admin, on a range or on one day
	run lb show --since 2026-11-01 --host db1 --no-pager
	[[ "$output" == "2026_11_05  "*"(UTC, 2 records)"* ]] || fail "$output"
	[[ "$output" != *web1* ]] || fail "$output"
	run lb show 2026-11-07 --admin alice --no-pager
	[ "$output" = "2026_11_07: no records" ]
	run lb show --since 2026-11-04 --until 2026-11-07 --admin bob --no-pager
	[[ "$output" == *2026_11_05*2026_11_07* ]] || fail "$output"
	[[ "$output" != *2026_11_04* ]] || fail "$output"
	run lb show --since 2026-10-01 --until 2026-10-31
	[ "$status" -eq 0 ]
	[ "$output" = "2026_10_01 to 2026_10_31: no records" ]
}

@test "show: every page of a range is in colour with --color=always" {
	plant
	run --separate-stderr lb show --since 2026-11-04 --until 2026-11-07 --color=always --no-pager
	[ "$status" -eq 0 ] || fail "$stderr"
	# each day's records: the command of each page is coloured
	local c
	for c in four-web five-db-late seven-web; do
		grep -q $'\033\\[[0-9;]*m.*'"$c" <<<"$output" || fail "$c without colour: $output"
	done
	run lb show --since 2026-11-04 --until 2026-11-07 --color=never --no-pager
	[[ "$output" != *$'\033'* ]] || fail "$output"
}

@test "show: a range in markdown, dokuwiki and json keeps the days in order" {
	plant
	run lb show --since 2026-11-04 --until 2026-11-07 --format markdown
	run grep '^# ' <<<"$output"
	[ "$output" = "$(printf '%s\n' '# 2026_11_04: Wednesday 4 November 2026' '# 2026_11_05: Thursday 5 November 2026' '# 2026_11_07: Saturday 7 November 2026')" ] || fail "$output"
	run lb show --since 2026-11-04 --until 2026-11-07 --format dokuwiki
	run grep -c '^====== 2026_11_0' <<<"$output"
	[ "$output" = 3 ] || fail "$output"
	run lb show --json --since 2026-11-05 --until '2026-11-06 00:00' --host web1
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *'"cmd":"five-web-before"'* ]]
	[[ "${lines[1]}" == *'"cmd":"five-web-at"'* ]]
}

@test "digest: a range summarises its records, one day stays the digest it was" {
	plant
	run lb digest --since 2026-11-04 --until 2026-11-07
	[ "$status" -eq 0 ]
	[[ "$output" == *"Subject: [logbook] 2026_11_04 to 2026_11_07: 2 hosts"* ]] || fail "$output"
	[[ "$output" == *"Logbook of 2026_11_04 to 2026_11_07 (UTC): 6 records on 2 hosts."* ]] || fail "$output"
	[[ "$output" == *"Commands: alice 3, bob 1"* ]] || fail "$output"
	[[ "$output" == *"'logbook show --since 2026_11_04 --until 2026_11_07' shows the pages."* ]] || fail "$output"
	run lb digest --since '2026-11-05 14:00' --until 2026-11-05 --host web1
	[[ "$output" == *"Subject: [logbook] 2026_11_05: 1 host"* ]] || fail "$output"
	[[ "$output" == *"1 record on 1 host, only host web1."* ]] || fail "$output"
	[[ "$output" == *"From 2026_11_05 14:00 until 2026_11_06 00:00."* ]] || fail "$output"
	run lb digest --admin bob --since 2026-11-05
	[[ "$output" == *"3 records on 2 hosts, only admin bob."* ]] || fail "$output"
	run lb digest 2026_11_05
	[[ "$output" == *"Subject: [logbook] 2026_11_05: 2 hosts"* ]] || fail "$output"
	[[ "$output" == *"Logbook of 2026_11_05, Thursday 5 November 2026 (UTC): 4 records on 2 hosts."* ]] || fail "$output"
	[[ "$output" != *"From "* ]] || fail "$output"
}

@test "export: a range exports only its days, the index keeps the others" {
	plant
	local wiki=$BATS_TEST_TMPDIR/wiki
	mkdir "$wiki"
	run lb export --dokuwiki "$wiki" --since 2026-11-05 --until 2026-11-06
	[ "$status" -eq 0 ]
	[ "$output" = "Exported 1 day into $wiki/journal: 1 page written, and the index start.txt." ] || fail "$output"
	[ "$(ls "$wiki/journal")" = "$(printf '%s\n' 2026_11_05.txt start.txt)" ]
	# the page is the whole day, whatever the range
	run lb export --dokuwiki "$wiki" --admin bob --until 2026-11-05 --force
	[ "$output" = "Exported 1 day into $wiki/journal: 1 page written, and the index start.txt." ] || fail "$output"
	grep -q five-web-at "$wiki/journal/2026_11_05.txt"
	run lb export --dokuwiki "$wiki" --host db1
	[ "$output" = "Exported 1 day into $wiki/journal: 0 pages written." ] || fail "$output"
	run lb export --dokuwiki "$wiki"
	[ "$output" = "Exported 3 days into $wiki/journal: 2 pages written, and the index start.txt." ] || fail "$output"
	run grep -c '^  \* \[\[' "$wiki/journal/start.txt"
	[ "$output" = 3 ]
	# a range before that leaves the index whole
	run lb export --dokuwiki "$wiki" --since 2026-11-07 --force
	[ "$output" = "Exported 1 day into $wiki/journal: 1 page written, and the index start.txt." ] || fail "$output"
	run grep -c '^  \* \[\[' "$wiki/journal/start.txt"
	[ "$output" = 3 ]
}

@test "--help of each command names the range options" {
	local c o
	for c in show list search export digest; do
		run lb "$c" --help
		[ "$status" -eq 0 ]
		for o in --since --until --host --admin; do
			[[ "$output" == *"$o"* ]] || fail "$c --help: no $o"
		done
	done
}

@test "daylight saving in the team's zone: a skipped time is the jump, a doubled one its first" {
	new_journal Europe/Paris
	# 29 March 2026: 00:59:59Z is 01:59:59 CET, 01:00:00Z is 03:00:00 CEST
	# 25 October 2026: 00:30Z is 02:30 CEST, 01:30Z is 02:30 CET
	printf '#1774745999\nbefore-jump\n#1774746000\nafter-jump\n#1792888200\nfirst-0230\n#1792891800\nsecond-0230\n' \
		>"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	run cmds --since 2026-03-29 --until '2026-03-29 02:30'
	[ "$output" = before-jump ] || fail "$output"
	run cmds --since '2026-03-29 02:30' --until 2026-03-29
	[ "$output" = after-jump ] || fail "$output"
	run cmds --since '2026-10-25 02:30' --until 2026-10-25
	[ "$output" = "$(printf '%s\n' first-0230 second-0230)" ] || fail "$output"
	run cmds --since '2026-10-25 02:31' --until 2026-10-25
	[ "$output" = second-0230 ] || fail "$output"
	run cmds --until '2026-10-25 02:30' --since 2026-10-01
	[ -z "$output" ] || fail "$output"
}

@test "show, digest and export: a range across a new year lists the days of both years, and only those" {
	new_journal
	# 2025-12-30, 2025-12-31, 2026-01-01 and 2026-01-02 at noon UTC
	printf '#1767096000\ndec-thirty\n#1767182400\ndec-thirtyone\n#1767268800\njan-one\n#1767355200\njan-two\n' \
		>"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	run --separate-stderr lb show --no-pager --json --since 2025-12-31 --until 2026-01-01
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[[ "${lines[0]}" == *dec-thirtyone* && "${lines[1]}" == *jan-one* ]] || fail "$output"
	run --separate-stderr lb digest --since 2025-12-31 --until 2026-01-01
	[[ "$output" == *"2 records on 1 host"*"Commands: alice 2"* ]] || fail "$output"
	mkdir "$BATS_TEST_TMPDIR/wiki"
	lb export --dokuwiki "$BATS_TEST_TMPDIR/wiki" --since 2025-12-31 --until 2026-01-01 >/dev/null
	[ "$(find "$BATS_TEST_TMPDIR/wiki" -name '20*.txt' | sort | xargs -n1 basename | tr '\n' ' ')" = "2025_12_31.txt 2026_01_01.txt " ] ||
		fail "$(find "$BATS_TEST_TMPDIR/wiki")"
}
