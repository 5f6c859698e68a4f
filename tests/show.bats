#!/usr/bin/env bats
# logbook show: reading a day page

load lib

# the page name of N days before today in a zone (default UTC)
days_ago() {
	date -u -d "$(TZ=${2:-UTC} date +%Y-%m-%d) 12:00 UTC - $1 days" +%Y_%m_%d
}

@test "show without a day shows today, with a heading naming the day and the zone" {
	new_journal
	lb note hello
	run lb show
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "$(today)  "*"(UTC, 1 record)" ]]
	[[ "$output" == *hello* ]]
}

@test "a day without records says so and exits 0" {
	new_journal
	run --separate-stderr lb show
	[ "$status" -eq 0 ]
	[ "$output" = "$(today): no records" ]
	[ -z "$stderr" ]
}

@test "show accepts YYYY-MM-DD and YYYY_MM_DD" {
	new_journal
	run lb show 2020-01-02
	[ "$status" -eq 0 ]
	[ "$output" = "2020_01_02: no records" ]
	run lb show 2020_01_02
	[ "$status" -eq 0 ]
	[ "$output" = "2020_01_02: no records" ]
	run lb show 2024-02-29
	[ "$status" -eq 0 ]
	[ "$output" = "2024_02_29: no records" ]
}

@test "show accepts today and yesterday" {
	new_journal
	run lb show today
	[ "$status" -eq 0 ]
	[ "$output" = "$(today): no records" ]
	run lb show yesterday
	[ "$status" -eq 0 ]
	[ "$output" = "$(days_ago 1): no records" ]
}

@test "show accepts -N for N days ago" {
	new_journal
	run --separate-stderr lb show -1
	[ "$status" -eq 0 ] || fail "show -1: exit $status: $stderr"
	[ "$output" = "$(days_ago 1): no records" ]
	run lb show -0
	[ "$output" = "$(today): no records" ]
	run lb show -40
	[ "$output" = "$(days_ago 40): no records" ]
	run lb show -400
	[ "$output" = "$(days_ago 400): no records" ]
	run lb show --json -2
	[ "$status" -eq 0 ]
}

@test "-- before -N also works" {
	new_journal
	run lb show -- -1
	[ "$status" -eq 0 ]
	[ "$output" = "$(days_ago 1): no records" ]
}

@test "today and yesterday are those of the team's time zone, not of \$TZ" {
	new_journal Pacific/Kiritimati
	run env TZ=Pacific/Pago_Pago "$LOGBOOK" show today
	[ "$output" = "$(today_in Pacific/Kiritimati): no records" ]
	run env TZ=Pacific/Pago_Pago "$LOGBOOK" show yesterday
	[ "$output" = "$(days_ago 1 Pacific/Kiritimati): no records" ]
}

@test "an unknown day is a usage error (exit 2)" {
	new_journal
	for day in tomorrow 2020-13-01 2021-02-29 2020_1_2 20200102 2020-01-02x -x -1x 1969-12-31 ""; do
		run --separate-stderr lb show "$day"
		[ "$status" -eq 2 ] || fail "show '$day': exit $status"
		[ -z "$output" ] || fail "show '$day' printed: $output"
		[[ "$stderr" == "logbook: show: "* ]] || fail "show '$day': $stderr"
	done
}

@test "--color takes auto, always or never" {
	new_journal
	run --separate-stderr lb show --color=sometimes
	[ "$status" -eq 2 ]
	[[ "$stderr" == *sometimes* ]]
}

@test "--json prints exactly the stored lines of a host" {
	new_journal
	lb note one
	printf 'two\nlines' | lb note
	lb note "$(printf 'bad \xff byte')"
	lb show --json >"$BATS_TEST_TMPDIR/json"
	cmp "$BATS_TEST_TMPDIR/json" "$(day_file)"
}

@test "--json of two hosts prints the union of their lines in time order" {
	new_journal
	lb note web one
	LOGBOOK_HOST=db1 lb note db one
	lb note web two
	LOGBOOK_HOST=db1 lb note db two
	LOGBOOK_HOST=db1 lb note db three
	lb show --json >"$BATS_TEST_TMPDIR/json"
	jsonl sorted "$(day_file web1)" "$(day_file db1)" | cmp - "$BATS_TEST_TMPDIR/json"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/json")" -eq 5 ]
	run py -c 'import json, sys; print(" / ".join(json.loads(l)["text"] for l in sys.stdin))' <"$BATS_TEST_TMPDIR/json"
	[ "$output" = "web one / db one / web two / db two / db three" ]
}

@test "--json of a day without records prints nothing on stdout and exits 0" {
	new_journal
	run --separate-stderr lb show --json 2020-01-02
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$stderr" == *"2020_01_02: no records"* ]]
}

@test "records are grouped by host, hosts in the order they first appear" {
	new_journal
	LOGBOOK_SESSION=s1 lb note first on web1
	LOGBOOK_SESSION=s2 LOGBOOK_HOST=db1 lb note then on db1
	LOGBOOK_SESSION=s1 lb note back on web1
	run lb show --color=never
	[ "$status" -eq 0 ]
	local page
	page=$(grep -v '^$' <<<"$output" | tail -n +2 | sed 's/  [0-9:-]*  session .*//; s/^    [0-9:]*  /    /')
	[ "$page" = "$(printf '%s\n' \
		"web1" "  alice ($(id -un))" "    note  first on web1  web1:1" "    note  back on web1  web1:2" \
		"db1" "  alice ($(id -un))" "    note  then on db1  db1:1")" ]
}

@test "each admin and session gets its own stretch of work; one for consecutive records" {
	new_journal
	LOGBOOK_SESSION=s1 lb note alice one
	LOGBOOK_SESSION=s1 lb note alice two
	LOGBOOK_SESSION=s2 LOGBOOK_USER=bob lb note bob one
	LOGBOOK_SESSION=s3 lb note alice again
	run lb show --color=never
	local headings
	headings=$(grep '^  [^ ]' <<<"$output" | sed 's/  [0-9:-]*  session/  session/')
	[ "$headings" = "$(printf '%s\n' \
		"  alice ($(id -un))  session s1" \
		"  bob ($(id -un))  session s2" \
		"  alice ($(id -un))  session s3")" ]
}

@test "each record shows its local time in the team's time zone" {
	new_journal Asia/Kolkata
	lb note timed
	local t
	t=$(TZ=Asia/Kolkata date -d "$(jsonl field "$(day_file_in Asia/Kolkata)" -1 time)" +%H:%M:%S)
	run lb show
	[[ "$output" == *"  $t  note  timed"* ]]
	[[ "${lines[0]}" == *"(Asia/Kolkata, 1 record)" ]]
}

# the record file of a host for today in a zone
day_file_in() {
	local d
	d=$(today_in "$1")
	echo "$LOGBOOK_DIR/${d:0:4}/$d/${2:-$LOGBOOK_HOST}.jsonl"
}

@test "the team's time zone decides the day page a note is filed under" {
	# UTC+14 and UTC-11: at any instant their dates differ
	local east=$BATS_TEST_TMPDIR/east west=$BATS_TEST_TMPDIR/west e1 w1 e2 w2
	lb init --timezone Pacific/Kiritimati "$east" >/dev/null
	lb init --timezone Pacific/Pago_Pago "$west" >/dev/null
	e1=$(today_in Pacific/Kiritimati)
	w1=$(today_in Pacific/Pago_Pago)
	lb -C "$east" note same instant
	lb -C "$west" note same instant
	e2=$(today_in Pacific/Kiritimati)
	w2=$(today_in Pacific/Pago_Pago)
	[ "$e1" != "$w1" ]
	local ef wf
	ef=$(cd "$east" && ls ????/*/web1.jsonl)
	wf=$(cd "$west" && ls ????/*/web1.jsonl)
	[ "$ef" = "${e1:0:4}/$e1/web1.jsonl" ] || [ "$ef" = "${e2:0:4}/$e2/web1.jsonl" ]
	[ "$wf" = "${w1:0:4}/$w1/web1.jsonl" ] || [ "$wf" = "${w2:0:4}/$w2/web1.jsonl" ]
	[ "$ef" != "$wf" ]
	# and each journal shows it on its own today, whatever $TZ says
	run env TZ=UTC "$LOGBOOK" -C "$east" show "$(basename "$(dirname "$ef")")"
	[[ "$output" == *"same instant"* ]]
}

@test "a note stays on the page it was filed under when the team's zone changes" {
	new_journal Pacific/Pago_Pago
	lb note filed in the west
	local f day
	f=$(cd "$LOGBOOK_DIR" && ls ????/*/web1.jsonl)
	day=$(basename "$(dirname "$f")")
	git config -f "$LOGBOOK_DIR/team.conf" team.timezone Pacific/Kiritimati
	lb note filed in the east
	run lb show "$day"
	[[ "$output" == *"filed in the west"* ]]
	[[ "$output" != *"filed in the east"* ]]
	run lb show
	[[ "$output" == *"filed in the east"* ]]
	# one chain across the two files
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 2 ]
}

@test "an unknown time zone in team.conf is an error naming the file and line" {
	new_journal
	git config -f "$LOGBOOK_DIR/team.conf" team.timezone Mars/Olympus_Mons
	run --separate-stderr lb show
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: "*"team.conf:"[0-9]*"Mars/Olympus_Mons"* ]]
}

@test "\$PAGER is used on a terminal" {
	new_journal
	lb note paged
	printf '#!/bin/sh\necho "LESS=$LESS" >>"%s"\ncat\n' "$BATS_TEST_TMPDIR/pager.log" >"$BATS_TEST_TMPDIR/pager"
	chmod +x "$BATS_TEST_TMPDIR/pager"
	PAGER=$BATS_TEST_TMPDIR/pager run on_tty "$LOGBOOK" show
	[ "$status" -eq 0 ]
	[[ "$output" == *paged* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/pager.log")" = "LESS=FRX" ]
	# the admin's own $LESS is kept
	LESS=-S PAGER=$BATS_TEST_TMPDIR/pager run on_tty "$LOGBOOK" show
	[ "$(tail -n1 "$BATS_TEST_TMPDIR/pager.log")" = "LESS=-S" ]
}

@test "an empty \$PAGER means no pager" {
	new_journal
	lb note unpaged
	PAGER= run on_tty "$LOGBOOK" show
	[ "$status" -eq 0 ]
	[[ "$output" == *unpaged* ]]
}

@test "\$PAGER is not used when standard output is not a terminal, nor with --no-pager" {
	new_journal
	lb note not paged
	printf '#!/bin/sh\necho ran >>"%s"\ncat\n' "$BATS_TEST_TMPDIR/pager.log" >"$BATS_TEST_TMPDIR/pager"
	chmod +x "$BATS_TEST_TMPDIR/pager"
	export PAGER=$BATS_TEST_TMPDIR/pager
	run lb show
	[[ "$output" == *"not paged"* ]]
	lb show | cat >/dev/null
	run on_tty "$LOGBOOK" show --no-pager
	[[ "$output" == *"not paged"* ]]
	run on_tty "$LOGBOOK" show --json
	[[ "$output" == *"not paged"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/pager.log" ]
}

@test "a pager that quits early is not an error" {
	new_journal
	for i in $(seq 200); do echo "line $i"; done | lb note
	PAGER="head -n 1" run on_tty "$LOGBOOK" show
	[ "$status" -eq 0 ]
	run bash -c '"$LOGBOOK" show | head -n 1'
	[ "$status" -eq 0 ]
	[[ "$output" != *logbook:* ]]
}

@test "--color=always adds colour, --color=never none" {
	new_journal
	lb note colourful
	run lb show --color=always
	[[ "$output" == *$'\033['*m* ]]
	run lb show --color=never
	[[ "$output" != *$'\033'* ]]
	# and auto: none into a pipe
	run lb show
	[[ "$output" != *$'\033'* ]]
}

@test "--color=auto colours a terminal, unless \$NO_COLOR or TERM=dumb" {
	new_journal
	lb note colourful
	PAGER=cat TERM=xterm run on_tty "$LOGBOOK" show
	[[ "$output" == *$'\033['* ]]
	PAGER=cat TERM=xterm NO_COLOR=1 run on_tty "$LOGBOOK" show
	[[ "$output" != *$'\033'* ]]
	PAGER=cat TERM=dumb run on_tty "$LOGBOOK" show
	[[ "$output" != *$'\033'* ]]
	PAGER=cat TERM=xterm run on_tty "$LOGBOOK" show --color=never
	[[ "$output" != *$'\033'* ]]
}

@test "a multi-line note is indented under its first line" {
	new_journal
	printf 'first\nsecond\nthird' | lb note
	run lb show --color=never
	local n=${#lines[@]}
	[[ "${lines[n - 3]}" =~ ^\ \ \ \ [0-9:]{8}\ \ note\ \ first$ ]]
	[ "${lines[n - 2]}" = "                    second" ]
	[ "${lines[n - 1]}" = "                    third  web1:1" ]
}

@test "show only reads: it writes nothing into the journal" {
	new_journal
	lb note something
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	lb show >/dev/null
	lb show --json >/dev/null
	lb show 2020-01-02 >/dev/null
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
}

@test "show works on a read-only journal" {
	[ "$(id -u)" -eq 0 ] || skip "runs as nobody from root"
	new_journal
	lb note readable by all
	chmod -R o+rX "$LOGBOOK_DIR"
	let_others_in
	run --separate-stderr as_nobody "$LOGBOOK" show
	[ "$status" -eq 0 ]
	[[ "$output" == *"readable by all"* ]]
}

# append records of a host by hand, as a newer logbook on another host would
# write them: a valid chain, each record given as JSON fields after the common ones
import_records() {
	py - "$LOGBOOK_DIR" "$@" <<-'EOF'
	import datetime, hashlib, json, os, sys
	top, host, extras = sys.argv[1], sys.argv[2], sys.argv[3:]
	prev = "0" * 64
	now = datetime.datetime.now(datetime.timezone.utc)
	for seq, extra in enumerate(extras, 1):
	    # early today (UTC): on today's page whatever the hour
	    t = now.replace(hour=0, minute=0, second=seq, microsecond=0).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
	    rec = {"v": 1, "kind": "note", "time": t, "host": host, "admin": "carol",
	           "account": "root", "session": "s", "seq": seq, "prev": prev}
	    rec.update(json.loads(extra))
	    line = json.dumps(rec, separators=(",", ":"), ensure_ascii=False).encode()
	    day = t[:10].replace("-", "_")
	    d = os.path.join(top, day[:4], day)
	    os.makedirs(d, exist_ok=True)
	    with open(os.path.join(d, host + ".jsonl"), "ab") as f:
	        f.write(line + b"\n")
	    prev = hashlib.sha256(line).hexdigest()
	EOF
}

@test "records of kinds this version does not know are shown by their summary and kept in --json" {
	new_journal
	import_records mon1 \
		'{"kind": "alert", "message": "backup of gitlab finished", "source": "borg"}' \
		'{"kind": "cmd", "cmd": "systemctl restart nginx", "exit": 1, "cwd": "/etc"}' \
		'{"kind": "session", "future_field": [1, 2]}'
	run --separate-stderr lb show --color=never
	[ "$status" -eq 0 ]
	[ -z "$stderr" ] || fail "$stderr"
	[[ "$output" == *"alert  backup of gitlab finished"* ]]
	[[ "$output" == *'$ systemctl restart nginx  [exit 1]'* ]]
	[[ "$output" == *"session"* ]]
	lb show --json | cmp - "$(day_file mon1)"
}

@test "a record of a newer format version is reported with file and line, the rest shown" {
	new_journal
	import_records mon1 '{"text": "version one"}' '{"v": 2, "text": "version two"}' '{"text": "one again"}'
	run --separate-stderr lb show
	[ "$status" -eq 0 ]
	[[ "$stderr" == "logbook: $(day_file mon1):2: "*version* ]]
	[[ "$output" == *"version one"* ]]
	[[ "$output" != *"version two"* ]]
	[[ "$output" == *"one again"* ]]
}

# the day of tests/page-day.py: on web1 alice's 20 commands (3 routine), a
# diff, her note and signature; backup's warning three times; two mails
page_day() {
	new_journal
	py "$BATS_TEST_DIRNAME/page-day.py" "$LOGBOOK_DIR" 2026_11_24
}

@test "a stretch of work reads: the note, the commands one a line together, the diff, the signature" {
	page_day
	run --separate-stderr lb show --color=never 2026-11-24
	[ "$status" -eq 0 ]
	[ -z "$stderr" ] || fail "$stderr"
	local note cmd1 cmdN diff sign
	note=$(grep -n 'note  nginx answered 502' <<<"$output" | cut -d: -f1)
	cmd1=$(grep -n '\$ nginx -t  \[exit 1\]  (in /etc/nginx)$' <<<"$output" | cut -d: -f1)
	cmdN=$(grep -n '\$ needrestart -r l$' <<<"$output" | cut -d: -f1)
	diff=$(grep -n '~ /etc/nginx/nginx.conf' <<<"$output" | cut -d: -f1)
	sign=$(grep -n 'Signed by' <<<"$output" | cut -d: -f1)
	[ -n "$note" ] && [ -n "$cmd1" ] && [ -n "$cmdN" ] && [ -n "$diff" ] && [ -n "$sign" ] || fail "$output"
	# 17 commands on the page (20 less 3 routine ones), on 17 lines in a row
	[ "$((cmdN - cmd1 + 1))" -eq 17 ] || fail "$output"
	[ "$(sed -n "${cmd1},${cmdN}p" <<<"$output" | grep -c '^    [0-9:]\{8\}  \$ ')" -eq 17 ]
	[ "$note" -lt "$cmd1" ] && [ "$cmdN" -lt "$diff" ] && [ "$diff" -lt "$sign" ] || fail "$output"
	# the directory only where it changes
	[ "$(grep -c '(in ' <<<"$output")" -eq 5 ]
}

@test "the whole day fits in fewer lines than one line per record and a heading per change" {
	page_day
	run lb show --color=never 2026-11-24
	[ "$status" -eq 0 ]
	# 32 records; before the page model this day took 69 lines
	[ "${#lines[@]}" -le 52 ] || fail "${#lines[@]} lines: $output"
}

@test "the signature shows its admin and key fingerprint" {
	page_day
	run lb show --color=never 2026-11-24
	[[ "$output" == *"    Signed by alice (SHA256:q7Zl0vSg3XoQ8k1dRrVfWbYcH4sE2aN9mTuJxLpK5iA)"* ]]
	[[ "$output" != *"  sign  "* ]]
}

@test "a mail shows its subject, sender and the first lines of its body" {
	page_day
	run lb show --color=never 2026-11-24
	[[ "$output" == *"[critical] mail: Cron <root@web1> test -x /usr/sbin/anacron"*"from Cron Daemon <root@web1>"* ]]
	[[ "$output" == *"| error: error creating output file /var/log/nginx/access.log.1: No space left on device"* ]]
	# rows of dashes say nothing: the announcement starts with its title
	[[ "$output" == *$'openssl security update  from Salvatore Bonaccorso <carnil@debian.org>  web1:'[0-9]*$'\n              | Debian Security Advisory DSA-5555-1'* ]]
}

@test "identical events are folded into one line with a count" {
	page_day
	run lb show --color=never 2026-11-24
	[ "$(grep -c 'disk /srv/backup 91% full' <<<"$output")" -eq 1 ]
	[[ "$output" == *"[warning] backup: disk /srv/backup 91% full  (3 times, last at 09:09:07)"* ]]
	# machine messages are under their host, after the admins' work
	[ "$(grep -n '^  messages$' <<<"$output" | cut -d: -f1)" -gt "$(grep -n 'Signed by' <<<"$output" | cut -d: -f1)" ]
}

@test "routine commands are counted, not listed, and stay in the journal" {
	page_day
	run lb show --color=never 2026-11-24
	[[ "$output" == *"    3 routine commands not shown"* ]]
	[[ "$output" != *'$ ls'* ]]
	[[ "$output" != *'$ clear'* ]]
	[[ "$output" != *'$ cd /etc/nginx'* ]]
	run lb show --json 2026-11-24
	[ "$(grep -c '"kind":"cmd"' <<<"$output")" -eq 22 ]
	[[ "$output" == *'"cmd":"ls"'* ]]
	[[ "$output" == *'"cmd":"clear"'* ]]
}

@test "team.conf's [show] noise replaces the list of routine commands" {
	page_day
	printf '[show]\n\tnoise = df clear\n' >>"$LOGBOOK_DIR/team.conf"
	run lb show --color=never 2026-11-24
	[[ "$output" == *"    3 routine commands not shown"* ]]
	[[ "$output" == *'$ ls'* ]]
	[[ "$output" != *'$ df -h /var'* ]]
	printf '[show]\n\tnoise =\n' >>"$LOGBOOK_DIR/team.conf"
	run lb show --color=never 2026-11-24
	[[ "$output" != *"routine command"* ]]
	[[ "$output" == *'$ clear'* ]]
}

@test "a failed or compound command is never routine" {
	new_journal
	import_records web1 '{"kind": "cmd", "cmd": "ls /nonexistent", "exit": 2}' \
		'{"kind": "cmd", "cmd": "cd /srv && rm -rf old", "exit": 0}' \
		'{"kind": "cmd", "cmd": "ls -l", "exit": 0}'
	run lb show --color=never
	[[ "$output" == *'$ ls /nonexistent  [exit 2]'* ]]
	[[ "$output" == *'$ cd /srv && rm -rf old'* ]]
	[[ "$output" == *"1 routine command not shown"* ]]
}

@test "list --kind event shows what an event is about: a mail's subject, never a row of dashes" {
	page_day
	run lb list --kind event --no-pager
	[ "$status" -eq 0 ]
	[[ "$output" == *"web1:"[0-9]*" mail event: [SECURITY] [DSA 5555-1] openssl security update"* ]]
	[[ "$output" == *"web1:"[0-9]*" mail event: Cron <root@web1> test -x"* ]]
	[[ "$output" != *"event: ---"* ]]
	[ "$(grep -c 'event: disk /srv/backup 91% full$' <<<"$output")" -eq 3 ]
}
