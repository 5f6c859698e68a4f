#!/usr/bin/env bats
# logbook init: creating a journal, alone or shared by a group

load lib

@test "init creates a git repository with team.conf and a .gitignore for .state/" {
	run --separate-stderr lb init --timezone Europe/Paris "$LOGBOOK_DIR"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$LOGBOOK_DIR"* ]]
	[ -d "$LOGBOOK_DIR/.git" ]
	[ "$(git -C "$LOGBOOK_DIR" rev-parse --is-inside-work-tree)" = true ]
	[ -f "$LOGBOOK_DIR/team.conf" ]
	[ -f "$LOGBOOK_DIR/.gitignore" ]
	git -C "$LOGBOOK_DIR" check-ignore -q .state/chain/web1
	run -1 git -C "$LOGBOOK_DIR" check-ignore 2026/2026_01_02/web1.jsonl
	run -1 git -C "$LOGBOOK_DIR" check-ignore team.conf
}

@test "team.conf holds the time zone given, readable by git config" {
	lb init --timezone Pacific/Kiritimati "$LOGBOOK_DIR"
	[ "$(git config -f "$LOGBOOK_DIR/team.conf" team.timezone)" = Pacific/Kiritimati ]
	# and every line but the settings is a comment, as "commented defaults"
	run git config -f "$LOGBOOK_DIR/team.conf" --list
	[ "$status" -eq 0 ]
	[ "$output" = "team.timezone=Pacific/Kiritimati" ]
}

@test "without --timezone, the system's time zone goes to team.conf" {
	TZ=Asia/Tokyo lb init "$LOGBOOK_DIR"
	[ "$(git config -f "$LOGBOOK_DIR/team.conf" team.timezone)" = Asia/Tokyo ]
}

@test "init without DIR uses -C, else \$LOGBOOK_DIR" {
	lb init --timezone UTC
	[ -f "$LOGBOOK_DIR/team.conf" ]
	lb -C "$BATS_TEST_TMPDIR/viaC" init --timezone UTC
	[ -f "$BATS_TEST_TMPDIR/viaC/team.conf" ]
}

@test "init creates missing parent directories" {
	lb init --timezone UTC "$BATS_TEST_TMPDIR/a/b/c"
	[ -f "$BATS_TEST_TMPDIR/a/b/c/team.conf" ]
}

@test "a new journal can be used at once, and git sees the records to commit" {
	new_journal
	lb note first
	run lb show
	[[ "$output" == *first* ]]
	run git -C "$LOGBOOK_DIR" status --porcelain --untracked-files=all
	[[ "$output" == *"$(today | cut -c1-4)/$(today)/web1.jsonl"* ]]
	[[ "$output" != *".state"* ]]
}

@test "init refuses an existing journal and changes nothing" {
	new_journal
	lb note already here
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	run --separate-stderr lb init --timezone Asia/Tokyo "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "logbook: "*"$LOGBOOK_DIR"* ]]
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
	[ "$(git config -f "$LOGBOOK_DIR/team.conf" team.timezone)" = UTC ]
}

@test "init on an existing journal says that a journal exists" {
	# whatever order readdir gives: .git, .gitignore or a year may come first
	new_journal
	run --separate-stderr lb init "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"journal already exists"* ]]
	lb note hello
	run --separate-stderr lb init "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"journal already exists"* ]]
}

@test "init refuses a directory that is not empty and changes nothing" {
	mkdir -p "$LOGBOOK_DIR/etc"
	echo precious >"$LOGBOOK_DIR/notes.txt"
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	run --separate-stderr lb init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: "*"$LOGBOOK_DIR"*"not empty"* ]]
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
}

@test "init refuses a directory holding only dot files" {
	mkdir -p "$LOGBOOK_DIR"
	touch "$LOGBOOK_DIR/.hidden"
	run lb init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[ ! -e "$LOGBOOK_DIR/team.conf" ]
	[ ! -e "$LOGBOOK_DIR/.git" ]
}

@test "init refuses a path that is a file" {
	echo data >"$LOGBOOK_DIR"
	run --separate-stderr lb init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: "*"$LOGBOOK_DIR"* ]]
	[ "$(cat "$LOGBOOK_DIR")" = data ]
}

@test "init works in an existing empty directory and keeps it" {
	mkdir -p "$LOGBOOK_DIR"
	chmod 0711 "$LOGBOOK_DIR"
	local ino
	ino=$(stat -c %i "$LOGBOOK_DIR")
	run lb init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 0 ]
	[ -f "$LOGBOOK_DIR/team.conf" ]
	[ "$(stat -c %i "$LOGBOOK_DIR")" = "$ino" ]
	lb note works
}

@test "init accepts a directory whose only entry is lost+found (a fresh file system)" {
	mkdir -p "$LOGBOOK_DIR/lost+found"
	run lb init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 0 ]
	[ -d "$LOGBOOK_DIR/lost+found" ]
}

@test "an unknown --timezone is refused and nothing is created" {
	run --separate-stderr lb init --timezone Mars/Olympus_Mons "$LOGBOOK_DIR"
	[ "$status" -ne 0 ]
	[ "$status" -le 2 ]
	[[ "$stderr" == "logbook: "*"Mars/Olympus_Mons"* ]]
	[ ! -e "$LOGBOOK_DIR" ]
}

@test "a --timezone that is a path is refused" {
	for tz in ../../../etc/passwd /etc/localtime "Europe/../UTC" "" "UTC;rm"; do
		run --separate-stderr lb init --timezone "$tz" "$LOGBOOK_DIR"
		[ "$status" -ne 0 ] && [ "$status" -le 2 ] || fail "--timezone '$tz': exit $status"
		[ ! -e "$LOGBOOK_DIR" ] || fail "--timezone '$tz' created the journal"
	done
}

@test "--timezone without a value is a usage error" {
	run --separate-stderr lb init --timezone
	[ "$status" -eq 2 ]
	[[ "$stderr" == *timezone* ]]
}

@test "a private journal is not group-writable and has no setgid directories" {
	umask 022
	new_journal
	lb note private
	[ "$(stat -c %a "$LOGBOOK_DIR/team.conf")" = 640 ]
	[ "$(stat -c %a "$(day_file)")" = 640 ]
	[ "$(stat -c %a "$(dirname "$(day_file)")")" = 750 ]
	run git -C "$LOGBOOK_DIR" config core.sharedRepository
	[ "$output" != group ] && [ "$output" != 1 ]
}

# a group the user running the tests is not in by default
other_group() {
	local g
	for g in adm users staff; do
		if getent group "$g" >/dev/null && [ "$(getent group "$g" | cut -d: -f3)" != "$(id -g)" ]; then
			echo "$g"
			return
		fi
	done
}

@test "a directory of another group makes a group-shared journal: setgid, 0660 files, even under umask 077" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to chgrp"
	local g
	g=$(other_group)
	[ -n "$g" ] || skip "no group to share with"
	mkdir -p "$LOGBOOK_DIR"
	chgrp "$g" "$LOGBOOK_DIR"
	run lb init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 0 ]
	[[ "$output" == *"shared with group $g"* ]]
	[ -g "$LOGBOOK_DIR" ]
	[ "$(stat -c %G "$LOGBOOK_DIR/team.conf")" = "$g" ]
	[ "$(stat -c %a "$LOGBOOK_DIR/team.conf")" = 660 ]
	# but .git is root's alone: git runs only as its owner (docs/security.md, "Who runs git")
	run git -C "$LOGBOOK_DIR" config core.sharedRepository
	[ "$output" = "" ] || [ "$output" = false ] || [ "$output" = 0 ]
	[ "$(( 0$(stat -c %a "$LOGBOOK_DIR/.git") & 022 ))" -eq 0 ]

	umask 077
	lb note shared with the team
	local f d
	f=$(day_file)
	d=$(dirname "$f")
	[ "$(stat -c %a "$f")" = 660 ]
	[ "$(stat -c %G "$f")" = "$g" ]
	[ "$(stat -c %a "$d")" = 2770 ]
	[ "$(stat -c %a "$(dirname "$d")")" = 2770 ]
	[ "$(stat -c %G "$d")" = "$g" ]
	# the lock and state files too, or the next admin could not write
	[ "$(stat -c %a "$LOGBOOK_DIR/.state/chain/web1")" = 660 ]
	[ "$(stat -c %a "$LOGBOOK_DIR/.state")" = 2770 ]
}

@test "another member of the shared group can add to the journal" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to chgrp and change user"
	local g
	g=$(other_group)
	[ -n "$g" ] || skip "no group to share with"
	let_others_in
	mkdir -p "$LOGBOOK_DIR"
	chgrp "$g" "$LOGBOOK_DIR"
	lb init --timezone UTC "$LOGBOOK_DIR" >/dev/null
	lb note from root
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --groups="$g" -- "$LOGBOOK" note from nobody
	[ "$status" -eq 0 ] || fail "nobody could not write: $stderr"
	lb note root again
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 3 ]
	[ "$(jsonl field "$(day_file)" 2 account)" = nobody ]
}

@test "a failed init (git missing) leaves no journal behind" {
	mkdir -p "$BATS_TEST_TMPDIR/nogit"
	run --separate-stderr env PATH="$BATS_TEST_TMPDIR/nogit" "$LOGBOOK" init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: "*git* ]]
	[ ! -e "$LOGBOOK_DIR" ]
}

@test "a failed init in an existing empty directory leaves it empty" {
	mkdir -p "$BATS_TEST_TMPDIR/nogit" "$LOGBOOK_DIR"
	run env PATH="$BATS_TEST_TMPDIR/nogit" "$LOGBOOK" init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[ -d "$LOGBOOK_DIR" ]
	[ -z "$(ls -A "$LOGBOOK_DIR")" ]
	# and a later init there works
	run lb init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 0 ]
}

@test "a failing git leaves no journal behind" {
	mkdir -p "$BATS_TEST_TMPDIR/badgit"
	printf '#!/bin/sh\necho "git: broken" >&2\nexit 3\n' >"$BATS_TEST_TMPDIR/badgit/git"
	chmod +x "$BATS_TEST_TMPDIR/badgit/git"
	run --separate-stderr env PATH="$BATS_TEST_TMPDIR/badgit:/usr/bin:/bin" "$LOGBOOK" init --timezone UTC "$LOGBOOK_DIR"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"logbook: "*git* ]]
	[ ! -e "$LOGBOOK_DIR" ]
}

@test "init in a directory it cannot write fails cleanly" {
	[ "$(id -u)" -eq 0 ] || skip "runs as nobody from root"
	let_others_in
	mkdir -p "$BATS_TEST_TMPDIR/ro"
	chmod 0755 "$BATS_TEST_TMPDIR/ro"
	run --separate-stderr as_nobody "$LOGBOOK" init --timezone UTC "$BATS_TEST_TMPDIR/ro/journal"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: "*"$BATS_TEST_TMPDIR/ro"* ]]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/ro")" ]
}
