#!/usr/bin/env bats
# logbook incident: an outage as one story across days, hosts and admins,
# made of records only, the same on every replica after sync

load lib

# (lib's setup: UTC, a temporary HOME, web1 and alice unless said otherwise)

# a journal for host $1 in $BATS_TEST_TMPDIR/$1, with the hub as remote
replica() {
	local h=$1
	HUB="$BATS_TEST_TMPDIR/hub.git"
	[ -d "$HUB" ] || git init -q --bare "$HUB"
	LOGBOOK_HOST=$h "$LOGBOOK" init --timezone UTC "$BATS_TEST_TMPDIR/$h" >/dev/null
	LOGBOOK_HOST=$h "$LOGBOOK" -C "$BATS_TEST_TMPDIR/$h" remote add hub "$HUB"
}

# on HOST ADMIN TIME logbook-args...: run logbook as ADMIN on HOST's
# replica with the clock at TIME (faketime, UTC)
at() {
	local h=$1 admin=$2 when=$3
	shift 3
	# (a sanitizer build would refuse libfaketime loaded before its runtime)
	LOGBOOK_HOST=$h LOGBOOK_USER=$admin LOGBOOK_DIR="$BATS_TEST_TMPDIR/$h" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		faketime -f "@$when" "$LOGBOOK" "$@"
}

on() {
	local h=$1
	shift
	LOGBOOK_HOST=$h LOGBOOK_DIR="$BATS_TEST_TMPDIR/$h" "$LOGBOOK" "$@"
}

sync_all() {
	local h round
	for round in 1 2; do
		for h in web1 db1 irc1; do
			run on $h sync
			[ "$status" -eq 0 ] || fail "$h sync, round $round: $output"
		done
	done
}

need_faketime() {
	command -v faketime >/dev/null || skip "faketime is not installed (scripts/deps check)"
}

# the outage of the seed: alice opens on web1 on Thursday, bob works on
# db1 that night, carol on irc1 on Friday, bob closes it from db1
outage() {
	need_faketime
	for h in web1 db1 irc1; do
		replica $h
	done
	run at web1 alice "2026-11-26 09:00:00" incident open --host web1 --host db1 "forum down: *db* [unreachable](x)"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = "opened incident web1:1" ] || fail "$output"
	ID=web1:1
	sync_all
	run at db1 bob "2026-11-26 21:30:00" note "db1: postgres refuses connections, disk full"
	[ "$status" -eq 0 ] || fail "$output"
	# "noted in 2026_11_26 (db1, seq N, incident web1:1)": the reference of bob's note
	BOBS=db1:$(sed -n 's/.*(db1, seq \([0-9]*\),.*/\1/p' <<<"$output")
	[ "$BOBS" != db1: ] || fail "$output"
	printf '#%s\ndf -h\n#%s\nsystemctl restart postgresql\n' \
		"$(date -ud '2026-11-26 21:31:00' +%s)" "$(date -ud '2026-11-26 21:32:00' +%s)" >"$BATS_TEST_TMPDIR/hist"
	at db1 bob "2026-11-26 21:33:00" import --bash-history "$BATS_TEST_TMPDIR/hist" >/dev/null
	at irc1 carol "2026-11-27 08:15:00" event --level critical "irc1: bouncer lost its link" >/dev/null
	sync_all
	# carol answers bob's note from irc1, the next morning
	at irc1 carol "2026-11-27 08:20:00" note --reply "$BOBS" "Bob, your firewall rule still names the old range" >/dev/null
	at web1 alice "2026-11-27 10:00:00" note "web1: changed the internal network back" >/dev/null
	# and leaves something to do on db1
	at web1 alice "2026-11-27 10:05:00" todo add --host db1 --due 2026_12_04 remove nginx.conf.orig next week >/dev/null
	sync_all
	run at db1 bob "2026-11-27 18:00:00" incident close -m $'Cause: db1 disk full (logs)\nFix: rotated logs\nFollow-ups: alert on disk' $ID
	[ "$status" -eq 0 ] || fail "$output"
	# after the close: not part of the story
	at irc1 carol "2026-11-27 19:00:00" note "irc1: unrelated later work" >/dev/null
	at web1 alice "2026-11-26 08:59:00" note "web1: before the outage" >/dev/null
	sync_all
}

@test "three admins on three hosts over two days: the Markdown timeline has the summary on top, then every record in time order" {
	outage
	run on irc1 incident show --format markdown $ID
	[ "$status" -eq 0 ] || fail "$output"
	md=$output
	# the summary comes before the timeline
	summary_at=$(grep -n '^## Summary' <<<"$md" | cut -d: -f1)
	timeline_at=$(grep -n '^## Timeline' <<<"$md" | cut -d: -f1)
	[ -n "$summary_at" ] && [ -n "$timeline_at" ] && [ "$summary_at" -lt "$timeline_at" ] || fail "$md"
	grep -qxF "Cause\\: db1 disk full \\(logs\\)\\" <<<"$md" || fail "summary: $md"
	grep -q '^- Closed 2026_11_27 18:00:00 by bob on db1$' <<<"$md" || fail "$md"
	# every part of the story, in time order across hosts and days
	prev=0
	for want in 'incident opened' 'postgres refuses' 'df -h' 'systemctl restart postgresql' \
		'### 2026_11_27' 'bouncer lost its link' 'your firewall rule still names the old range' \
		'changed the internal network back' 'conf\.orig next week' 'incident web1\:1 closed'; do
		at=$(grep -n -F -- "$want" <<<"$md" | head -1 | cut -d: -f1)
		[ -n "$at" ] || fail "missing '$want': $md"
		[ "$at" -gt "$prev" ] || fail "'$want' out of order: $md"
		prev=$at
	done
	# the two commands of bob's session are one code block
	[ "$(grep -c '^```bash' <<<"$md")" -eq 1 ] || fail "$md"
	grep -q '2 commands on db1 by bob' <<<"$md" || fail "$md"
	# what came after the close is not in it
	run ! grep -q 'unrelated later work' <<<"$md"
	run ! grep -q 'before the outage' <<<"$md"
	# record text never becomes markup: the title's emphasis and link are escaped
	grep -qxF '# Incident web1:1: forum down\: \*db\* \[unreachable\]\(x\)' <<<"$md" || fail "$md"
	if command -v cmark-gfm >/dev/null; then
		html=$(cmark-gfm --unsafe -e table -e strikethrough -e tasklist <<<"$md")
		grep -qF '<h1>Incident web1:1: forum down: *db* [unreachable](x)</h1>' <<<"$html" || fail "$html"
		run ! grep -qE '<(em|a|strong) ' <<<"$(grep -F 'forum down' <<<"$html")"
	fi
}

@test "after sync every replica shows the same incident, list and timeline, replies and open todos" {
	outage
	for h in web1 db1 irc1; do
		on $h incident show --json $ID >"$BATS_TEST_TMPDIR/show.$h"
		on $h incident list --all --json >"$BATS_TEST_TMPDIR/list.$h"
		on $h incident show --format markdown $ID >"$BATS_TEST_TMPDIR/md.$h"
		on $h show 2026_11_26 --format markdown >"$BATS_TEST_TMPDIR/day.$h"
		on $h todo list --json >"$BATS_TEST_TMPDIR/todo.$h"
	done
	for h in db1 irc1; do
		cmp "$BATS_TEST_TMPDIR/show.web1" "$BATS_TEST_TMPDIR/show.$h" || fail "show differs on $h"
		cmp "$BATS_TEST_TMPDIR/list.web1" "$BATS_TEST_TMPDIR/list.$h" || fail "list differs on $h"
		cmp "$BATS_TEST_TMPDIR/md.web1" "$BATS_TEST_TMPDIR/md.$h" || fail "markdown differs on $h"
		cmp "$BATS_TEST_TMPDIR/day.web1" "$BATS_TEST_TMPDIR/day.$h" || fail "day page differs on $h"
		cmp "$BATS_TEST_TMPDIR/todo.web1" "$BATS_TEST_TMPDIR/todo.$h" || fail "todos differ on $h"
	done
	# bob's page of Thursday shows carol's answer of Friday under his note
	run grep -A8 -F 'postgres refuses connections' "$BATS_TEST_TMPDIR/day.irc1"
	[[ "$output" == *"carol"*"2026_11_27"*"your firewall rule still names the old range"* ]] || fail "$(cat "$BATS_TEST_TMPDIR/day.irc1")"
	# the todo is open on every replica, and reminded at a shell start on db1 only
	grep -qF 'remove nginx.conf.orig next week' "$BATS_TEST_TMPDIR/todo.db1" || fail "$(cat "$BATS_TEST_TMPDIR/todo.db1")"
	run --separate-stderr on db1 hook bash
	[[ "$stderr" == *"remove nginx.conf.orig next week"* ]] || fail "$stderr"
	run --separate-stderr on irc1 hook bash
	[[ "$stderr" != *"nginx.conf.orig"* ]] || fail "$stderr"
	# bob hears of the reply in his news
	run env LOGBOOK_USER=bob LOGBOOK_HOST=db1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/db1" "$LOGBOOK" news --since 2026_11_26
	[[ "$output" == *"Replies to you"*"your firewall rule"* ]] || fail "$output"
	run py -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); print(o["id"], o["open"], o["hosts"], o["closes"][0]["admin"])' "$BATS_TEST_TMPDIR/list.web1"
	[ "$output" = "web1:1 False ['web1', 'db1'] bob" ] || fail "$output"
	run on web1 incident list
	[ "$output" = "no open incidents" ] || fail "$output"
}

@test "two closes on two replicas before a sync merge the same way on every replica" {
	need_faketime
	for h in web1 db1; do
		replica $h
	done
	at web1 alice "2026-11-26 09:00:00" incident open "outage" >/dev/null
	for _ in 1 2; do on web1 sync >/dev/null; on db1 sync >/dev/null; done
	at db1 bob "2026-11-26 12:00:00" incident close -m "bob's summary" web1:1 >/dev/null
	at web1 alice "2026-11-26 11:00:00" incident close -m "alice's summary" web1:1 >/dev/null
	for _ in 1 2; do on web1 sync >/dev/null; on db1 sync >/dev/null; done
	on web1 incident list --all --json >"$BATS_TEST_TMPDIR/a"
	on db1 incident list --all --json >"$BATS_TEST_TMPDIR/b"
	cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" || fail "$(cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b")"
	# the earliest close is the close; both summaries are kept
	run py -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); print([c["admin"] for c in o["closes"]])' "$BATS_TEST_TMPDIR/a"
	[ "$output" = "['alice', 'bob']" ] || fail "$output"
	run on db1 incident show web1:1
	[[ "$output" == *"alice's summary"*"bob's summary"* ]] || fail "$output"
}

@test "while an incident is open, show, news, who and the shell hook say so; notes name it by default" {
	new_journal
	run lb incident open "mail queue stuck"
	[ "$status" -eq 0 ] && [ "$output" = "opened incident $LOGBOOK_HOST:1" ] || fail "$output"
	id=$LOGBOOK_HOST:1
	for cmd in show news who; do
		run lb $cmd
		[ "$status" -eq 0 ] || fail "$cmd: $output"
		[ "$(grep -c "^incident $id  open since .* by $LOGBOOK_USER on $LOGBOOK_HOST: mail queue stuck\$" <<<"$output")" -eq 1 ] ||
			fail "$cmd: $output"
	done
	# the hook prints it with a builtin when the shell starts
	run bash -c "eval \"\$('$LOGBOOK' hook bash)\"" 
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"logbook: incident $id  open since"*"mail queue stuck"* ]] || fail "$output"
	# exactly one open: notes name it; none opts out; an unknown id is refused
	run lb note "flushed the queue"
	[[ "$output" == "noted in $(today) ($LOGBOOK_HOST, seq "*", incident $id)" ]] || fail "$output"
	[ "$(last_field incident)" = "$id" ] || fail "$(last_field incident)"
	run lb note --incident none "unrelated"
	[[ "$output" != *incident* ]] || fail "$output"
	run lb note --incident nope:3 "x"
	[ "$status" -eq 1 ] || fail "$output"
	# two open: no default
	id2=$(lb incident open "second" | sed 's/^opened incident //')
	run lb note "which one?"
	[[ "$output" != *incident* ]] || fail "$output"
	run lb note --incident "$id" "this one"
	[[ "$output" == *"incident $id)" ]] || fail "$output"
	# closed: nothing is said any more
	lb incident close -m "all done" "$id" >/dev/null
	lb incident close -m "all done" "$id2" >/dev/null
	for cmd in show news who; do
		run lb $cmd
		[[ "$output" != *"incident "*"open since"* ]] || fail "$cmd: $output"
	done
	run bash -c "'$LOGBOOK' hook bash"
	[[ "$output" != *"open since"* ]] || fail "$output"
}

@test "the open incidents come from a cache kept up to date from the chain heads: records appended or synced later are seen" {
	new_journal
	lb incident open "first" >/dev/null
	run lb incident list
	[[ "$output" == *first* ]] || fail "$output"
	cache="$LOGBOOK_DIR/.state/incidents/$(id -u)"
	[ -f "$cache" ] || fail "no cache"
	grep -q "^head web1 $(today) [0-9]*\$" "$cache" || fail "$(cat "$cache")"
	# the host appends: only what came after the cached head is read, and found
	lb note "between" >/dev/null
	lb incident open "second" >/dev/null
	run lb incident list
	[[ "$output" == *second*first* ]] || fail "$output"
	# another host's open record arrives (as sync brings it): the heads change
	rec='{"v":1,"kind":"incident","time":"2026-01-01T00:00:00.000000Z","host":"other","admin":"zed","account":"root","session":"","seq":1,"prev":"0000000000000000000000000000000000000000000000000000000000000000","event":"open","title":"from elsewhere"}'
	mkdir -p "$LOGBOOK_DIR/$(today | cut -c1-4)/$(today)"
	echo "$rec" >"$LOGBOOK_DIR/$(today | cut -c1-4)/$(today)/other.jsonl"
	run lb incident list
	[[ "$output" == *"other:1  open since"*"from elsewhere"* ]] || fail "$output"
	# a cache someone else could have written is not believed; a damaged one is rebuilt
	echo garbage >"$cache"
	run lb incident list
	[[ "$output" == *first* && "$output" == *elsewhere* ]] || fail "$output"
}

@test "incident close: summary from the editor, errors and exit codes" {
	new_journal
	lb incident open "disk" >/dev/null
	id=$LOGBOOK_HOST:1
	cat >"$BATS_TEST_TMPDIR/ed" <<-'EOF'
	#!/bin/sh
	grep -q '^# Summary of incident' "$1" || exit 3
	printf 'Cause: full\nFix: cleaned\n' >>"$1"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/ed"
	EDITOR="$BATS_TEST_TMPDIR/ed" on_tty "$LOGBOOK" incident close "$id"
	run lb incident show "$id"
	[[ "$output" == *"Summary:"*"Cause: full"*"Fix: cleaned"* ]] || fail "$output"
	# without a terminal, standard input gives the summary
	id2=$(lb incident open "other" | sed 's/^opened incident //')
	printf 'from stdin\n' | lb incident close "$id2" >/dev/null
	run lb incident show --json "$id2"
	[[ "${lines[0]}" == *'"summary":"from stdin"'* ]] || fail "$output"
	run lb incident close -m again "$id"
	[ "$status" -eq 1 ] && [[ "$output" == *"was closed by"* ]] || fail "$output"
	run lb incident close -m x "$LOGBOOK_HOST:99"
	[ "$status" -eq 1 ] || fail "$output"
	run lb incident show "$LOGBOOK_HOST:99"
	[ "$status" -eq 1 ] || fail "$output"
	run lb incident open
	[ "$status" -eq 2 ] || fail "$output"
	run lb incident show --format dokuwiki "$id"
	[ "$status" -eq 2 ] || fail "$output"
	run lb incident frobnicate
	[ "$status" -eq 2 ] || fail "$output"
	run lb incident open --host 'bad/host' x
	[ "$status" -eq 2 ] || fail "$output"
	run lb incident open "$(printf 'two\nlines')"
	[ "$status" -eq 1 ] || fail "$output"
	id3=$(lb incident open "fine" | sed 's/^opened incident //')
	run lb incident close "$id3" </dev/null
	[ "$status" -eq 1 ] && [[ "$output" == *"empty summary"* ]] || fail "$output"
	lb incident --help | grep -q '^usage: logbook incident open'
}

@test "terminal timeline escapes control characters from records" {
	new_journal
	run lb incident open "$(printf 'evil \033[31mred')"
	[ "$status" -eq 1 ] && [[ "$output" == *"one line"* ]] || fail "$output"
	lb incident open "fine title" >/dev/null
	lb note "$(printf 'note \033]0;title\007')" >/dev/null
	run lb incident show --color never "$LOGBOOK_HOST:1"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" != *$'\033'* && "$output" != *$'\007'* ]] || fail "raw control characters: $output"
	run lb incident list
	[[ "$output" != *$'\033'* ]] || fail "$output"
}
