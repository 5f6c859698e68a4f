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

@test "who parses only the commands of shells that may be open, whatever way a line spells its session" {
	new_journal
	d="$LOGBOOK_DIR/$(today | cut -c1-4)/$(today)"
	mkdir -p "$d"
	t() { date -u -d "@$(($(date +%s) - 600 + $1))" +%Y-%m-%dT%H:%M:%S.000000Z; }
	head='"v":1,"host":"ops1","admin":"carol","account":"carol","prev":"0000000000000000000000000000000000000000000000000000000000000000"'
	{
		echo "{$head,\"kind\":\"session\",\"time\":\"$(t 1)\",\"session\":\"s-open\",\"seq\":1,\"event\":\"open\",\"tty\":\"pts/1\"}"
		echo "{$head,\"kind\":\"session\",\"time\":\"$(t 2)\",\"session\":\"s-closed\",\"seq\":2,\"event\":\"open\",\"tty\":\"pts/2\"}"
		echo "{$head,\"kind\":\"cmd\",\"time\":\"$(t 3)\",\"session\":\"s-closed\",\"seq\":3,\"cmd\":\"echo closed\"}"
		echo "{$head,\"kind\":\"cmd\",\"time\":\"$(t 4)\",\"session\":\"s-open\",\"seq\":4,\"cmd\":\"echo first\"}"
		echo "{$head,\"kind\":\"cmd\",\"time\":\"$(t 5)\",\"session\":\"s-other\",\"seq\":5,\"cmd\":\"echo no open record\"}"
		echo "{$head,\"kind\":\"cmd\",\"time\":\"$(t 6)\",\"session\":\"s-open\",\"seq\":6,\"cmd\":\"echo canonical\"}"
		echo "{$head,\"kind\":\"cmd\",\"time\":\"$(t 7)\",\"session\":\"s\\u002dopen\",\"seq\":7,\"cmd\":\"echo escaped\"}"
		echo "{$head,\"kind\":\"cmd\",\"time\":\"$(t 8)\",\"seq\":8,\"cmd\":\"echo spaced\", \"session\": \"s-open\"}"
		echo "{$head,\"kind\":\"session\",\"time\":\"$(t 9)\",\"session\":\"s-closed\",\"seq\":9,\"event\":\"close\"}"
	} >"$d/ops1.jsonl"
	run lb who
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "ops1  carol (carol)  pts/1  since "* ]] || fail "$output"
	[ "${lines[1]}" = '    $ echo canonical' ] || fail "$output"
	[ "${lines[2]}" = '    $ echo escaped' ] || fail "$output"
	[ "${lines[3]}" = '    $ echo spaced' ] || fail "$output"
	[ "${#lines[@]}" -eq 4 ] || fail "$output"
}
