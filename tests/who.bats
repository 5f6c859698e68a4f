#!/usr/bin/env bats
# logbook who: the shells open right now, from what the hooks recorded

load lib
load shell

@test "who shows an open hooked shell with its admin, terminal and last commands; not once it exits" {
	new_journal
	export SSH_CONNECTION="192.0.2.7 50022 192.0.2.1 22"
	start_shell bash
	type_cmd 'echo checking nginx'
	type_cmd 'true edited nginx.conf'
	run lb who
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "web1  alice ("*")  /dev/pts/"*" from 192.0.2.7  since "* ]]
	[ "${lines[1]}" = '    $ echo checking nginx' ]
	[ "${lines[2]}" = '    $ true edited nginx.conf' ]
	end_shell
	run lb who
	[ "$output" = "no shell open on any host" ]
}

@test "who: another host's open shell is listed too, a closed one is not" {
	new_journal
	LOGBOOK_HOST=db1 LOGBOOK_USER=bob start_shell bash
	type_cmd 'echo pg_lsclusters'
	# db1's spool is db1's to ingest (as its logbook commands and sync do)
	LOGBOOK_HOST=db1 lb ingest -q
	run lb who
	[[ "$output" == "db1  bob ("* ]]
	[[ "$output" == *'$ echo pg_lsclusters'* ]]
	run lb who extra
	[ "$status" -eq 2 ]
	run lb who --help
	[ "$status" -eq 0 ]
	end_shell
}
