#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats's run sets stderr
# note --reply, ack and the references HOST:SEQ: records about records

load lib

# the reference of this host's last record, from its file
last_ref() {
	echo "$LOGBOOK_HOST:$(last_field seq)"
}

@test "every note on the page carries its reference, and list names it too" {
	new_journal
	lb note "first" >/dev/null
	LOGBOOK_HOST=db1 lb note "on db1" >/dev/null
	run lb show --color=never
	[[ "$output" == *"note  first  web1:1"* ]] || fail "$output"
	[[ "$output" == *"note  on db1  db1:1"* ]] || fail "$output"
	run lb list --kind note
	[[ "$output" == *" web1:1 alice note: first"* ]] || fail "$output"
}

@test "a reply is a note with the field reply, shown under what it answers and with what it answers" {
	new_journal
	lb note "opened the firewall for 10.0.0.0/8" >/dev/null
	LOGBOOK_USER=bob lb note --reply web1:1 "Alice, your firewall rule still names the old range" >/dev/null
	[ "$(last_field reply)" = "web1:1" ]
	[ "$(last_field text)" = "Alice, your firewall rule still names the old range" ]
	run lb show --color=never
	[[ "$output" == *$'note  opened the firewall for 10.0.0.0/8  web1:1\n'*"> "*" bob: Alice, your firewall rule still names the old range  web1:2"* ]] ||
		fail "$output"
	[[ "$output" == *"note  Alice, your firewall rule still names the old range  (in reply to web1:1)  web1:2"* ]] ||
		fail "$output"
	run lb digest today
	[[ "$output" == *"bob: Alice, your firewall rule still names the old range (in reply to web1:1)"* ]] || fail "$output"
	for f in markdown dokuwiki; do
		run lb show --format=$f
		[[ "$output" == *"reply by "*"bob"*"your firewall rule still names the old range"* ]] || fail "$f: $output"
	done
}

@test "a reply to another day's record shows under it on that day's page, with its own day" {
	new_journal
	printf '#1700000000\niptables -A INPUT -s 10.0.0.0/8 -j ACCEPT\n' >"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	LOGBOOK_USER=bob lb note --reply web1:1 "still the old range" >/dev/null
	run lb show --color=never 2023_11_14
	[[ "$output" == *$'$ iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT\n'*"> $(today) "*" bob: still the old range  web1:2"* ]] ||
		fail "$output"
	run lb show --color=never
	[[ "$output" == *"still the old range  (in reply to web1:1)  web1:2"* ]] || fail "$output"
}

@test "a reply to a record this replica does not hold, or to a bad reference, is refused" {
	new_journal
	lb note hello >/dev/null
	run lb note --reply web1:9 "to nothing"
	[ "$status" -eq 1 ]
	[[ "$output" == *"web1:9: no such record in this journal"* ]]
	run lb note --reply web1:01 "bad"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a record reference"* ]]
	run lb note --reply web1 "bad"
	[ "$status" -eq 2 ]
	# nothing was written
	[ "$(last_field seq)" = 1 ]
}

@test "news tells an admin first when someone replied to them" {
	new_journal
	lb note "rotated the backup key" >/dev/null
	LOGBOOK_USER=carol lb note "unrelated" >/dev/null
	lb news --no-pager >/dev/null
	LOGBOOK_USER=bob lb note --reply web1:1 "which key?" >/dev/null
	LOGBOOK_USER=bob lb note "something else" >/dev/null
	run lb news --no-pager
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Replies to you:" ] || fail "$output"
	[[ "${lines[1]}" == *"bob: which key?  (web1:3, in reply to web1:1)" ]] || fail "$output"
	# carol was not answered
	run env LOGBOOK_USER=carol "$LOGBOOK" news --no-pager --all
	[[ "$output" != *"Replies to you"* ]] || fail "$output"
}

@test "ack takes an event: news and the digest say who took it" {
	new_journal
	lb event --source smartd --level critical "/dev/sdb: 8 reallocated sectors" >/dev/null
	ref=$(last_ref)
	run env LOGBOOK_USER=bob "$LOGBOOK" ack "$ref"
	[ "$status" -eq 0 ]
	[ "$output" = "taken $ref" ]
	[ "$(last_field kind)" = ack ]
	[ "$(last_field ref)" = "$ref" ]
	run lb news --no-pager
	[[ "$output" == *"event [critical] smartd: /dev/sdb: 8 reallocated sectors (taken by bob)"* ]] || fail "$output"
	run lb digest today
	[[ "$output" == *"smartd: /dev/sdb: 8 reallocated sectors (taken by bob)"* ]] || fail "$output"
	run lb show --color=never
	[[ "$output" == *"taken by bob"* ]] || fail "$output"
	# the same admin twice is refused; another one is told
	run env LOGBOOK_USER=bob "$LOGBOOK" ack "$ref"
	[ "$status" -eq 1 ]
	run --separate-stderr lb ack "$ref"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"was taken by bob already"* ]]
}

@test "ack refuses what is not an event or an advisory of this journal" {
	new_journal
	lb note hello >/dev/null
	run lb ack web1:1
	[ "$status" -eq 1 ]
	[[ "$output" == *"web1:1 is a note record; ack takes an event or an advisory"* ]]
	run lb ack web1:7
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such record"* ]]
	run lb ack DSA-5555-1
	[ "$status" -eq 1 ]
	[[ "$output" == *"DSA-5555-1: no such advisory"* ]]
	run lb ack nonsense
	[ "$status" -eq 1 ]
	run lb ack
	[ "$status" -eq 2 ]
	[ "$(last_field seq)" = 1 ]
}

@test "ack takes an advisory by its id: news and the digest list it as taken while it is open" {
	new_journal
	# web1 has nginx below the fix of DSA-5678-1
	jsonl append "$LOGBOOK_DIR" web1 2026-11-20T10:00:00 inventory \
		'{"reason":"first","release":"bookworm","packages":[["nginx","all","1.22.1-9","nginx","1.22.1-9"]]}' >/dev/null
	lb ingest-mail <"$BATS_TEST_DIRNAME/mail/dsa-nginx.eml" >/dev/null
	run env LOGBOOK_USER=bob "$LOGBOOK" ack DSA-5678-1
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(last_field ref)" = DSA-5678-1 ]
	run lb digest today
	[[ "$output" == *$'Advisories taken (logbook ack):\n  DSA-5678-1 taken by bob on '"$(today)"* ]] || fail "$output"
	run lb news --no-pager
	[[ "$output" == *"DSA-5678-1 taken by bob"* ]] || fail "$output"
	# the advisory's own event shows it taken too
	[[ "$output" == *"(taken by bob)"* ]] || fail "$output"
}

@test "show writes nothing, even with replies and acks to show" {
	new_journal
	lb note hello >/dev/null
	LOGBOOK_USER=bob lb note --reply web1:1 hi >/dev/null
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	lb show >/dev/null
	lb show --format=markdown >/dev/null
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
}

@test "a reply whose text holds escape sequences reaches the terminal escaped" {
	new_journal
	lb note hello >/dev/null
	LOGBOOK_USER=bob lb note --reply web1:1 $'\e]0;pwned\a ok' >/dev/null
	run lb show --color=never
	[[ "$output" != *$'\e'* ]] || fail "$output"
	[[ "$output" == *'\e]0;pwned\x07 ok'* ]] || fail "$output"
}

@test "the cache of replies is disposable: deleted, it is built again the same" {
	new_journal
	lb note hello >/dev/null
	LOGBOOK_USER=bob lb note --reply web1:1 hi >/dev/null
	lb show --color=never >"$BATS_TEST_TMPDIR/before"
	rm -f "$LOGBOOK_DIR/.state/threads"
	lb todo list >/dev/null
	lb show --color=never >"$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# a cache of garbage is thrown away
	printf 'garbage\n{"v":1}\n' >"$LOGBOOK_DIR/.state/threads"
	lb todo list >/dev/null
	lb show --color=never >"$BATS_TEST_TMPDIR/again"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/again"
}

@test "a cache of replies cut short (written without an fsync, then a crash) is built again, not believed" {
	new_journal
	lb todo add rotate the logs >/dev/null
	lb todo done web1:1 >/dev/null
	lb event --source smartd --level critical "disk failing" >/dev/null
	lb ack web1:3 >/dev/null
	lb show --color=never >"$BATS_TEST_TMPDIR/before"
	run lb todo list
	[[ "$output" != *"rotate the logs"* ]] || fail "$output"
	local cache=$LOGBOOK_DIR/.state/threads
	[ "$(wc -l <"$cache")" -ge 3 ] || fail "$(cat "$cache")"
	# the header as written, the lines after it cut at a line's end: the ack and the done lost
	head -2 "$cache" >"$BATS_TEST_TMPDIR/cut"
	cat "$BATS_TEST_TMPDIR/cut" >"$cache"
	run lb todo list
	[[ "$output" != *"rotate the logs"* ]] || fail "a cut cache was believed: $output"
	lb show --color=never >"$BATS_TEST_TMPDIR/after"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# and cut in the middle of a line
	head -c -7 "$cache" >"$BATS_TEST_TMPDIR/cut"
	cat "$BATS_TEST_TMPDIR/cut" >"$cache"
	run lb todo list
	[[ "$output" != *"rotate the logs"* ]] || fail "a cut cache was believed: $output"
	lb show --color=never >"$BATS_TEST_TMPDIR/again"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/again"
}

# ---- a member of the journal's group against root (see tests/privsep-state.bats) ----

teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	sleep 0.2
	member_remove
}

shared_journal() {
	member_add
	umask 022
	mkdir -p "$LOGBOOK_DIR"
	chgrp "$MEMBER_GROUP" "$LOGBOOK_DIR"
	lb init --timezone UTC "$LOGBOOK_DIR" >/dev/null
}

@test "attack: a cache a member forged cannot make root see an alert taken or a todo done" {
	shared_journal
	lb event --source smartd --level critical "disk failing" >/dev/null
	lb todo add replace the disk >/dev/null
	lb show --color=never >/dev/null
	# the member writes a cache with an ack and a done no record file holds
	local gen body=$BATS_TEST_TMPDIR/forged-lines
	gen=$(head -1 "$LOGBOOK_DIR/.state/threads" | cut -d' ' -f3-5)
	cat >"$body" <<FORGED
$(sed -n 2p "$LOGBOOK_DIR/.state/threads")
{"v":1,"kind":"ack","time":"2026-12-06T10:00:00.000000Z","host":"web1","admin":"bob","account":"root","session":"","seq":90,"prev":"$(printf '0%.0s' {1..64})","ref":"web1:1"}
{"v":1,"kind":"todo","time":"2026-12-06T10:00:00.000000Z","host":"web1","admin":"bob","account":"root","session":"","seq":91,"prev":"$(printf '0%.0s' {1..64})","event":"done","ref":"web1:2"}
FORGED
	# a cache as the code writes it: header and length right, only its owner wrong
	{ echo "logbook-threads 2 $gen $(wc -c <"$body")"; cat "$body"; } >"$body.cache"
	chmod 644 "$body.cache"
	as_member sh -c "rm -f '$LOGBOOK_DIR/.state/threads' && cat >'$LOGBOOK_DIR/.state/threads'" <"$body.cache"
	[ "$(stat -c %U "$LOGBOOK_DIR/.state/threads")" = "$MEMBER" ]
	run lb show --color=never
	[[ "$output" != *"taken by bob"* ]] || fail "$output"
	run lb news --no-pager --all
	[[ "$output" != *"taken by bob"* ]] || fail "$output"
	run lb todo list
	[[ "$output" == *"replace the disk"* ]] || fail "$output"
	run --separate-stderr lb hook bash
	[[ "$stderr" == *"replace the disk"* ]] || fail "$stderr"
}

@test "a link planted at .state/threads: root neither reads nor writes its target" {
	shared_journal
	plant_root_only
	lb todo add rotate the logs >/dev/null
	as_member rm -f "$LOGBOOK_DIR/.state/threads"
	as_member ln -s "$ROOT_ONLY/target" "$LOGBOOK_DIR/.state/threads"
	lb todo add one more >/dev/null 2>&1
	lb show >/dev/null 2>&1
	lb news --no-pager >/dev/null 2>&1
	lb hook bash >/dev/null 2>&1
	root_only_intact
}

@test "a reply filed on a later day reaches the wiki page of the day it answers at the next export" {
	new_journal
	printf '#1700000000\niptables -A INPUT -s 10.0.0.0/8 -j ACCEPT\n' >"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	local wiki="$BATS_TEST_TMPDIR/wiki" page
	mkdir -p "$wiki"
	lb export --dokuwiki "$wiki" >/dev/null
	page="$wiki/journal/2023_11_14.txt"
	grep -qF 'iptables -A INPUT' "$page"
	run ! grep -qF 'still the old range' "$page"
	# today's reply changes no file of 2023_11_14: the page is written again all the same
	LOGBOOK_USER=bob lb note --reply web1:1 "still the old range" >/dev/null
	run lb export --dokuwiki "$wiki"
	[ "$status" -eq 0 ] || fail "$output"
	grep -qF 'still the old range' "$page" || fail "$(cat "$page")"
	# and once only: the next export finds nothing to write
	run lb export --dokuwiki "$wiki"
	[[ "$output" == *" 0 pages written"* ]] || fail "$output"
}
