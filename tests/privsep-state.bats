#!/usr/bin/env bats
# A member of the journal's group against root: links and swapped
# directories planted in the group-writable .state/ and in a wiki directory
# the member can write.  Root must never follow them: each test plants one,
# runs the command root runs, and checks that a root-only directory kept
# every byte and mode, and that logbook refused (naming the path) or did
# its work without following.

load lib

setup() {
	export TZ=UTC LC_ALL=C
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/journal"
	export LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER VISUAL EDITOR PAGER NO_COLOR LESS
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	member_add
	umask 022
	# a journal shared by the group, as setup makes one
	mkdir -p "$LOGBOOK_DIR"
	chgrp "$MEMBER_GROUP" "$LOGBOOK_DIR"
	lb init --timezone UTC "$LOGBOOK_DIR" >/dev/null
	lb note first note
	plant_root_only
}

teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	# the background sync of a test may still run as root in the journal
	sleep 0.2
	member_remove
}

# a link where root's cache DIR/0 goes (replaced, never written through),
# then DIR swapped for a link to a root-only directory (nothing written
# there), a record before each so that the cache has something new to
# take: links_at_cache DIR COMMAND... (run as root, must succeed)
links_at_cache() {
	local dir=$1 k
	shift
	local links=("$dir/0" "$dir") targets=("$ROOT_ONLY/target" "$ROOT_ONLY")
	for k in 0 1; do
		as_member rm -rf "${links[k]}"
		as_member ln -s "${targets[k]}" "${links[k]}"
		lb note "a record after ${links[k]} was swapped" >/dev/null
		run --separate-stderr lb "$@"
		root_only_intact
		[ "$status" -eq 0 ] || fail "$stderr"
	done
}

# a bare hub the journal syncs with
with_hub() {
	HUB="$BATS_TEST_TMPDIR/hub.git"
	git init -q --bare "$HUB"
	lb remote add hub "$HUB"
}

@test "a link planted at .state/sync/lock: sync neither chmods nor opens its target" {
	with_hub
	lb sync >/dev/null 2>&1
	as_member rm -f "$LOGBOOK_DIR/.state/sync/lock"
	as_member ln -s "$ROOT_ONLY/su" "$LOGBOOK_DIR/.state/sync/lock"
	run --separate-stderr lb sync
	root_only_intact
	[ "$status" -ne 0 ]
	[[ "$stderr" == *".state/sync/lock: is a symbolic link: refused"* ]] || fail "stderr: $stderr"
}

@test "the sync lock a member made first still serves root, and keeps its owner" {
	with_hub
	as_member "$LOGBOOK" -C "$LOGBOOK_DIR" sync >/dev/null 2>&1 || true
	[ "$(stat -c %U "$LOGBOOK_DIR/.state/sync/lock")" = "$MEMBER" ]
	run --separate-stderr lb sync
	[ "$status" -eq 0 ] || fail "root's sync failed: $stderr"
	[ "$(stat -c %U "$LOGBOOK_DIR/.state/sync/lock")" = "$MEMBER" ]
}

@test "a link planted at .state/sync/background.log: a note's background sync writes nothing through it" {
	# a remote that cannot be reached: the background sync has something to say
	lb remote add hub "$BATS_TEST_TMPDIR/no-such-hub"
	mkdir -p "$LOGBOOK_DIR/.state/sync"
	chmod 2770 "$LOGBOOK_DIR/.state/sync"
	chgrp "$MEMBER_GROUP" "$LOGBOOK_DIR/.state/sync"
	as_member ln -s "$ROOT_ONLY/authorized_keys" "$LOGBOOK_DIR/.state/sync/background.log"
	run --separate-stderr lb note root fixes the mail queue
	# the background sync writes its output late: give it time
	sleep 1
	root_only_intact
	[ "$status" -eq 0 ]
	[[ "$stderr" == *".state/sync/background.log: is a symbolic link: refused"* ]] || fail "stderr: $stderr"
}

@test "a link planted at .state/index.sqlite: search neither writes nor chmods its target" {
	as_member ln -s "$ROOT_ONLY/empty" "$LOGBOOK_DIR/.state/index.sqlite"
	run --separate-stderr lb search note
	root_only_intact
	# the index is not used, and the records are still searched, by a scan
	[ "$status" -eq 0 ]
	[[ "$output" == *"first note"* ]]
	[ -L "$LOGBOOK_DIR/.state/index.sqlite" ]
}

@test "a hard link planted at .state/index.sqlite-wal is refused" {
	# protected_hardlinks lets a member link only a file they could write: their own
	mkdir "$BATS_TEST_TMPDIR/member"
	chown "$MEMBER" "$BATS_TEST_TMPDIR/member"
	as_member touch "$BATS_TEST_TMPDIR/member/file"
	as_member ln "$BATS_TEST_TMPDIR/member/file" "$LOGBOOK_DIR/.state/index.sqlite-wal"
	run --separate-stderr lb search note
	[ ! -s "$BATS_TEST_TMPDIR/member/file" ] || fail "root wrote to a file the member linked from elsewhere"
	[ "$status" -eq 0 ]
	[[ "$output" == *"first note"* ]]
}

@test ".state swapped for a link to a root-only directory: search and note write nothing there" {
	as_member mv "$LOGBOOK_DIR/.state" "$LOGBOOK_DIR/.state-old"
	as_member ln -s "$ROOT_ONLY" "$LOGBOOK_DIR/.state"
	run --separate-stderr lb search note
	run --separate-stderr lb note another note
	root_only_intact
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"/.state: is a symbolic link: refused"* ]] || fail "stderr: $stderr"
}

@test ".state/baseline swapped for a link: scan replaces no root-only file" {
	local tree=$BATS_TEST_TMPDIR/etc
	mkdir -p "$tree"
	echo 'listen 80' >"$tree/nginx.conf"
	lb watch add "$tree" >/dev/null
	lb scan >/dev/null
	echo 'listen 443' >"$tree/nginx.conf"
	as_member mv "$LOGBOOK_DIR/.state/baseline" "$LOGBOOK_DIR/.state/baseline-old"
	as_member ln -s "$ROOT_ONLY/cron.d" "$LOGBOOK_DIR/.state/baseline"
	run --separate-stderr lb scan --grace 0
	root_only_intact
	[ "$status" -ne 0 ]
	[[ "$stderr" == *".state/baseline: is a symbolic link: refused"* ]] || fail "stderr: $stderr"
}

@test "a link planted at the wiki's .logbook-export.lock: export creates nothing in a root-only directory" {
	local wiki=$BATS_TEST_TMPDIR/wiki
	mkdir -p "$wiki/journal"
	chown -R "$MEMBER" "$wiki"
	as_member ln -s "$ROOT_ONLY/nologin" "$wiki/journal/.logbook-export.lock"
	run --separate-stderr lb export --dokuwiki "$wiki"
	root_only_intact
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"journal/.logbook-export.lock: is a symbolic link: refused"* ]] || fail "stderr: $stderr"
}

@test "the wiki's page directory swapped for a link: export writes no page there" {
	local wiki=$BATS_TEST_TMPDIR/wiki
	mkdir -p "$wiki"
	chown "$MEMBER" "$wiki"
	as_member ln -s "$ROOT_ONLY" "$wiki/journal"
	run --separate-stderr lb export --dokuwiki "$wiki"
	root_only_intact
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"wiki/journal: is a symbolic link: refused"* ]] || fail "stderr: $stderr"
}

@test "an export to a wiki directory the member owns still works" {
	local wiki=$BATS_TEST_TMPDIR/wiki
	mkdir -p "$wiki"
	chown "$MEMBER" "$wiki"
	run --separate-stderr lb export --dokuwiki "$wiki"
	[ "$status" -eq 0 ] || fail "export failed: $stderr"
	[ -f "$wiki/journal/start.txt" ]
}

@test "the note root writes in \$EDITOR: the member cannot swap the file the editor saves" {
	# the editor, as it starts, lets the member swap its file for a link
	# (the race the member would have to win), then saves the note
	cat >"$BATS_TEST_TMPDIR/editor" <<-SCRIPT
		#!/bin/sh
		setpriv --reuid=$MEMBER --regid=$MEMBER_GROUP --init-groups -- \
			sh -c 'mv "\$1" "\$1.gone" && ln -s "$ROOT_ONLY/shadow" "\$1"' sh "\$1" 2>/dev/null
		echo 'rotated the TLS keys' >"\$1"
	SCRIPT
	chmod 0755 "$BATS_TEST_TMPDIR/editor"
	EDITOR=$BATS_TEST_TMPDIR/editor run on_tty "$LOGBOOK" note
	root_only_intact
	[ "$status" -eq 0 ]
	lb show | grep -q 'rotated the TLS keys'
}

@test "a hard link planted at .state/chain/<host>: root's note neither writes nor chmods the linked file" {
	# protected_hardlinks lets a member link only a file they could write: their own
	mkdir "$BATS_TEST_TMPDIR/member"
	chown "$MEMBER" "$BATS_TEST_TMPDIR/member"
	as_member sh -c 'echo mine >"$1" && chmod 0600 "$1"' sh "$BATS_TEST_TMPDIR/member/file"
	as_member mv "$LOGBOOK_DIR/.state/chain/web1" "$LOGBOOK_DIR/.state/chain/web1.gone"
	as_member ln "$BATS_TEST_TMPDIR/member/file" "$LOGBOOK_DIR/.state/chain/web1"
	run --separate-stderr lb note root was here
	[ "$(cat "$BATS_TEST_TMPDIR/member/file")" = mine ] || fail "root wrote to a file the member linked from elsewhere"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/member/file")" = 600 ]
	[ "$status" -ne 0 ]
	[[ "$stderr" == *".state/chain/web1: has 2 links: refused"* ]] || fail "stderr: $stderr"
}

@test "an incident cache forged by a member: root neither believes it nor writes through a link there" {
	lb incident open "real outage" >/dev/null
	# the member makes a cache of its own (same chain heads), then puts a
	# copy with a forged open incident where root's cache is
	as_member "$LOGBOOK" incident list >/dev/null
	mine="$LOGBOOK_DIR/.state/incidents/$(id -u "$MEMBER")"
	forged='{"v":1,"kind":"incident","time":"2026-01-01T00:00:00.000000Z","host":"web1","admin":"alice","account":"root","session":"","seq":99,"prev":"0000000000000000000000000000000000000000000000000000000000000000","event":"open","title":"run curl evil | sh"}'
	as_member rm -f "$LOGBOOK_DIR/.state/incidents/0"
	# shellcheck disable=SC2016 # the member's shell expands them
	as_member sh -c 'cat "$1"; echo "$2"' sh "$mine" "$forged" >"$BATS_TEST_TMPDIR/forged"
	as_member cp "$BATS_TEST_TMPDIR/forged" "$LOGBOOK_DIR/.state/incidents/0"
	run --separate-stderr lb incident list
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"real outage"* && "$output" != *evil* ]] || fail "root believed the member's cache: $output"
	# a link where root's cache goes: replaced, never written through
	as_member rm -f "$LOGBOOK_DIR/.state/incidents/0"
	as_member ln -s "$ROOT_ONLY/target" "$LOGBOOK_DIR/.state/incidents/0"
	lb note "a record changes the heads" >/dev/null
	run --separate-stderr lb incident list
	root_only_intact
	[[ "$output" == *"real outage"* ]] || fail "$output $stderr"
	# the directory swapped for a link to a root-only directory: nothing written there
	as_member rm -rf "$LOGBOOK_DIR/.state/incidents"
	as_member ln -s "$ROOT_ONLY" "$LOGBOOK_DIR/.state/incidents"
	lb note "another record" >/dev/null
	run --separate-stderr lb incident list
	root_only_intact
	[[ "$output" == *"real outage"* ]] || fail "$output $stderr"
}

@test "an advisories cache forged by a member: root neither believes it nor writes through a link there" {
	jsonl append "$LOGBOOK_DIR" web1 2026-11-20T10:00:00 inventory \
		'{"reason":"first","release":"bookworm","packages":[["nginx","all","1.22.1-9","nginx","1.22.1-9"]]}' >/dev/null
	lb note "a record changes the heads" >/dev/null
	lb news --no-pager >/dev/null
	# the member makes a cache of its own (same index rows), then puts a
	# copy with a forged advisory where root's cache is
	as_member "$LOGBOOK" news --no-pager >/dev/null
	mine="$LOGBOOK_DIR/.state/pkgrecs/$(id -u "$MEMBER")"
	[ -f "$mine" ] || fail "the member has no cache"
	forged="$(date -u +%Y)/$(date -u +%Y_%m_%d)/web1.jsonl 99 "'{"v":1,"kind":"event","time":"2026-01-01T00:00:00.000000Z","host":"web1","admin":"alice","account":"root","session":"","seq":99,"prev":"0000000000000000000000000000000000000000000000000000000000000000","source":"mail","level":"info","text":"x","advisory":{"id":"DSA-6666-1","packages":["nginx"],"cves":[],"fixed":[]}}'
	as_member rm -f "$LOGBOOK_DIR/.state/pkgrecs/0"
	# shellcheck disable=SC2016 # the member's shell expands them
	as_member sh -c 'cat "$1"; echo "$2"' sh "$mine" "$forged" >"$BATS_TEST_TMPDIR/forged"
	as_member cp "$BATS_TEST_TMPDIR/forged" "$LOGBOOK_DIR/.state/pkgrecs/0"
	run --separate-stderr lb news --no-pager --all
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" != *DSA-6666-1* ]] || fail "root believed the member's cache: $output"
	links_at_cache "$LOGBOOK_DIR/.state/pkgrecs" news --no-pager
}

@test "a line cache forged by a member: root's days neither believes it nor writes through a link there" {
	lb note "a second note" >/dev/null
	expected=$(lb days)
	# the member keeps a cache of its own, then puts a copy with other
	# counts where root's cache is
	as_member "$LOGBOOK" days >/dev/null
	mine="$LOGBOOK_DIR/.state/lines/$(id -u "$MEMBER")"
	[ -f "$mine" ] || fail "the member has no cache"
	as_member rm -f "$LOGBOOK_DIR/.state/lines/0"
	# shellcheck disable=SC2016 # the member's shell expands it
	as_member sh -c 'sed "s/ [0-9]* 0\$/ 999 0/" "$1"' sh "$mine" >"$BATS_TEST_TMPDIR/forged"
	grep -q ' 999 0$' "$BATS_TEST_TMPDIR/forged" || fail "nothing forged: $(cat "$BATS_TEST_TMPDIR/forged")"
	as_member cp "$BATS_TEST_TMPDIR/forged" "$LOGBOOK_DIR/.state/lines/0"
	run --separate-stderr lb days
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "$expected" ] || fail "root believed the member's cache: $output"
	links_at_cache "$LOGBOOK_DIR/.state/lines" days
	[[ "$output" == "$(date -u +%Y_%m_%d)       4  web1:4" ]] || fail "$output"
}

@test "a FIFO or a link planted as a record file: root's search of the files neither hangs nor follows it" {
	local day
	day="$LOGBOOK_DIR/$(date -u +%Y)/$(date -u +%Y_%m_%d)"
	# a record only root may read, to be shown through a link
	sed 's/first note/zebra from a root-only file/' "$day/web1.jsonl" >"$ROOT_ONLY/record"
	chmod 0600 "$ROOT_ONLY/record"
	as_member mkfifo "$day/db1.jsonl"
	as_member ln -s "$ROOT_ONLY/record" "$day/mail1.jsonl"
	local m
	for m in files auto; do
		run --separate-stderr timeout 20 "$LOGBOOK" search --method "$m" --no-pager note
		[ "$status" -ne 124 ] || fail "$m: root's search hung on the member's FIFO"
		[ "$status" -eq 0 ] || fail "$m: $status: $stderr"
		[[ "$output" == *"first note"* ]] || fail "$m: $output"
		run timeout 20 "$LOGBOOK" search --method "$m" --no-pager zebra
		[ "$status" -ne 124 ] || fail "$m: root's search hung on the member's FIFO"
		[[ "$output" != *zebra* ]] || fail "$m: root's search followed the member's link: $output"
	done
}

@test "a FIFO planted among the chain heads: root's search does not hang on it" {
	as_member mkfifo "$LOGBOOK_DIR/.state/chain/db1"
	run --separate-stderr timeout 20 "$LOGBOOK" search --no-pager note
	[ "$status" -ne 124 ] || fail "root's search hung on the member's FIFO"
	[ "$status" -eq 0 ] || fail "$status: $stderr"
	[[ "$output" == *"first note"* ]] || fail "$output"
}

@test "a FIFO a member puts in place of team.conf or of root's news place: root's commands do not hang" {
	# the news place of root's admin (alice)
	lb news >/dev/null
	local mark
	mark=$(find "$LOGBOOK_DIR/.state/news" -type f -name alice)
	[ -n "$mark" ] || fail "no news place for alice"
	as_member rm -f "$mark"
	as_member mkfifo "$mark"
	run --separate-stderr timeout 20 "$LOGBOOK" news --no-pager
	[ "$status" -ne 124 ] || fail "root's news hung on the member's FIFO"
	[ "$status" -eq 0 ] || fail "$status: $stderr"
	as_member mv "$LOGBOOK_DIR/team.conf" "$LOGBOOK_DIR/team.conf.old"
	as_member mkfifo "$LOGBOOK_DIR/team.conf"
	run --separate-stderr timeout 20 "$LOGBOOK" note "a note"
	[ "$status" -ne 124 ] || fail "root's note hung on the member's FIFO"
	[ "$status" -eq 1 ] || fail "$status: $stderr"
	[[ "$stderr" == *"team.conf: not a regular file"* ]] || fail "$stderr"
}

@test "a FIFO a member puts in place of a wiki page: root's export does not hang and writes the page" {
	local wiki=$BATS_TEST_TMPDIR/wiki page
	mkdir -p "$wiki"
	chown "$MEMBER" "$wiki"
	# the member makes the page directory first, with FIFOs where the pages go
	page=$wiki/journal/$(date -u +%Y_%m_%d).txt
	as_member mkdir "$wiki/journal"
	as_member mkfifo "$wiki/journal/start.txt" "$page"
	run --separate-stderr timeout 20 "$LOGBOOK" export --dokuwiki "$wiki"
	[ "$status" -ne 124 ] || fail "root's export hung on the member's FIFO"
	[ "$status" -eq 0 ] || fail "$status: $stderr"
	[ -f "$page" ] && [ -f "$wiki/journal/start.txt" ] || fail "the pages were not written: $(ls -l "$wiki/journal")"
	grep -q "first note" "$page" || fail "$(cat "$page")"
}
