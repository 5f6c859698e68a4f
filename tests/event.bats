#!/usr/bin/env bats
# logbook event: what scripts and machines report

load lib

@test "an event given as words is filed with its source and level, and shown with them" {
	new_journal
	run lb event --source backup --level warning backup of /srv took 3 hours
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(last_field kind)" = event ]
	[ "$(last_field source)" = backup ]
	[ "$(last_field level)" = warning ]
	[ "$(last_field text)" = "backup of /srv took 3 hours" ]
	run lb show --no-pager
	[[ "$output" == *"[warning] backup: backup of /srv took 3 hours"* ]]
}

@test "an event without options is an info from the source 'event'" {
	new_journal
	lb event disk check done
	[ "$(last_field source)" = event ]
	[ "$(last_field level)" = info ]
	[ "$(last_field admin)" = alice ]
}

@test "an event read from standard input keeps its lines, and show prints one line for it" {
	new_journal
	printf 'rsync failed\nexit 23\nsome files vanished\n\n' | lb event -l critical -s backup
	[ "$(last_field text)" = $'rsync failed\nexit 23\nsome files vanished' ]
	run lb show --no-pager
	[[ "$output" == *"[critical] backup: rsync failed  (3 lines)"* ]]
	[[ "$output" != *"exit 23"* ]]
}

@test "search and list find events by their text" {
	new_journal
	lb event -s monitoring "load average above 20 on gitlab"
	run lb search "load average"
	[ "$status" -eq 0 ]
	[[ "$output" == *"load average above 20"* ]]
	run lb list --kind event
	[[ "$output" == *"load average above 20"* ]]
}

@test "a long message keeps its first 64 KiB, cut at a character boundary, and notes its size" {
	new_journal
	# 70000 bytes of 'é' (2 bytes each) plus a newline
	py -c 'import sys; sys.stdout.write("\u00e9" * 35000 + "\n")' | lb event -s big
	local t
	t=$(last_field text)
	[ "$(printf '%s' "$t" | wc -c)" -eq 65536 ]
	[ "$(last_field text_size)" -eq 70001 ]
	jsonl chain "$LOGBOOK_DIR" web1
}

@test "a huge standard input is read to its end in bounded memory" {
	new_journal
	head -c 50000000 /dev/zero | tr '\0' 'x' | lb event -s flood
	[ "$(last_field text_size)" -eq 50000000 ]
}

@test "bytes that are not UTF-8 are kept exactly" {
	new_journal
	printf 'caf\xe9 \xff\x00end' | lb event
	[ "$(jsonl field "$(day_file)" -1 text_b64 | base64 -d | od -An -tx1 | tr -d ' \n')" = "636166e920ff00656e64" ]
}

@test "a bad level or source is a usage error and writes nothing" {
	new_journal
	run lb event --level urgent x
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad level 'urgent'"* ]]
	run lb event --source 'a b' x
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad source"* ]]
	[ ! -e "$(day_file)" ]
}

@test "an empty event exits 1 and writes nothing" {
	new_journal
	run lb event </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"empty message"* ]]
	[ ! -e "$(day_file)" ]
}

@test "event --help describes the options" {
	run lb event --help
	[ "$status" -eq 0 ]
	[[ "$output" == *--source* && "$output" == *--level* ]]
}
