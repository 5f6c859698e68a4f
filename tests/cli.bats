#!/usr/bin/env bats
# The command line as a whole: help, version, usage errors, finding the journal

load lib

# the command names "logbook help" lists, one a line
listed_commands() {
	"$LOGBOOK" help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

@test "--version prints the name and version and exits 0" {
	run --separate-stderr lb --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^logbook\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ -z "$stderr" ]
}

@test "help lists every command, with the same text as --help and -h" {
	run --separate-stderr lb help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	local help=$output
	for c in init note show days help; do
		[[ "$help" == *$'\n  '"$c "* ]] || fail "command $c is not listed"
	done
	run lb --help
	[ "$status" -eq 0 ]
	[ "$output" = "$help" ]
	run lb -h
	[ "$status" -eq 0 ]
	[ "$output" = "$help" ]
}

@test "help works without a journal" {
	export LOGBOOK_DIR=$BATS_TEST_TMPDIR/nowhere
	run lb help
	[ "$status" -eq 0 ]
	run lb note --help
	[ "$status" -eq 0 ]
	[ ! -e "$LOGBOOK_DIR" ]
}

@test "every command listed by help has --help, -h and 'help COMMAND', on stdout with exit 0" {
	local cmds
	cmds=$(listed_commands)
	[ "$(wc -l <<<"$cmds")" -ge 5 ] || fail "could not parse the command list: $cmds"
	for c in $cmds; do
		run --separate-stderr lb "$c" --help
		[ "$status" -eq 0 ] || fail "$c --help: exit $status"
		[ -z "$stderr" ] || fail "$c --help wrote on stderr: $stderr"
		[[ "$output" == "usage: logbook $c"* ]] || fail "$c --help: $output"
		local long=$output
		run lb "$c" -h
		[ "$status" -eq 0 ] && [ "$output" = "$long" ] || fail "$c -h differs from $c --help"
		run lb help "$c"
		[ "$status" -eq 0 ] && [ "$output" = "$long" ] || fail "help $c differs from $c --help"
	done
}

@test "--help does not touch the journal" {
	new_journal
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	for c in $(listed_commands); do
		run lb "$c" --help
		[ "$status" -eq 0 ]
	done
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
}

@test "an unknown command exits 2 with a message and the usage on stderr" {
	run --separate-stderr lb frobnicate
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "logbook: "*"'frobnicate'"* ]]
	[[ "$stderr" == *"usage: logbook"* ]]
	run --separate-stderr lb help frobnicate
	[ "$status" -eq 2 ]
	[[ "$stderr" == *frobnicate* ]]
}

@test "no command at all exits 2" {
	run --separate-stderr lb
	[ "$status" -eq 2 ]
	[[ "$stderr" == "logbook: "* ]]
	[[ "$stderr" == *"usage: logbook"* ]]
}

@test "an unknown global option exits 2 and names the option" {
	run --separate-stderr lb --frobnicate help
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "logbook: "*"--frobnicate"* ]]
	run --separate-stderr lb -Z help
	[ "$status" -eq 2 ]
	[[ "$stderr" == "logbook: "*"-Z"* ]]
}

@test "-C without a directory exits 2" {
	run --separate-stderr lb -C
	[ "$status" -eq 2 ]
	[[ "$stderr" == "logbook: "*"-C"* ]]
}

@test "an unknown option of any command exits 2 and names the option" {
	new_journal
	for c in $(listed_commands); do
		[ "$c" = help ] && continue	# help takes a command name, not options
		run --separate-stderr lb "$c" --frobnicate
		[ "$status" -eq 2 ] || fail "$c --frobnicate: exit $status"
		[ -z "$output" ] || fail "$c --frobnicate printed on stdout: $output"
		[[ "$stderr" == "logbook: $c: "*"--frobnicate"* ]] || fail "$c --frobnicate: $stderr"
		[[ "$stderr" == *"usage: logbook $c"* ]] || fail "$c --frobnicate: no usage: $stderr"
	done
	[ "$(jsonl files "$LOGBOOK_DIR")" -eq 0 ]
}

@test "extra arguments are usage errors" {
	new_journal
	run --separate-stderr lb days extra
	[ "$status" -eq 2 ]
	[[ "$stderr" == "logbook: days: "*extra* ]]
	run --separate-stderr lb show today extra
	[ "$status" -eq 2 ]
	run --separate-stderr lb init a b
	[ "$status" -eq 2 ]
	run --separate-stderr lb help note show
	[ "$status" -eq 2 ]
}

@test "-C DIR beats \$LOGBOOK_DIR" {
	new_journal
	local other=$BATS_TEST_TMPDIR/other
	run lb -C "$other" init --timezone UTC
	[ "$status" -eq 0 ]
	[ -f "$other/team.conf" ]
	run lb -C "$other" note -- written with -C
	[ "$status" -eq 0 ]
	[ -f "$other/$(today | cut -c1-4)/$(today)/web1.jsonl" ]
	[ ! -e "$(day_file)" ]
	run lb -C "$other" show
	[[ "$output" == *"written with -C"* ]]
	run lb show
	[[ "$output" != *"written with -C"* ]]
	[[ "$output" == *"no records"* ]]
}

@test "\$LOGBOOK_DIR names the journal when -C is absent" {
	new_journal
	lb note in the environment journal
	[ -f "$(day_file)" ]
}

@test "no journal: exit 1, the directory named and 'logbook init' suggested" {
	export LOGBOOK_DIR=$BATS_TEST_TMPDIR/missing
	for c in "note hello" "show" "days"; do
		run --separate-stderr lb $c
		[ "$status" -eq 1 ] || fail "$c: exit $status"
		[[ "$stderr" == "logbook: "*"$LOGBOOK_DIR"* ]] || fail "$c: $stderr"
		[[ "$stderr" == *"logbook init"* ]] || fail "$c: $stderr"
	done
	[ ! -e "$LOGBOOK_DIR" ]
}

@test "a directory without team.conf is not a journal" {
	mkdir -p "$LOGBOOK_DIR"
	run --separate-stderr lb note hello
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$LOGBOOK_DIR"* ]]
	[[ "$stderr" == *"logbook init"* ]]
	[ -z "$(ls -A "$LOGBOOK_DIR")" ]
}

@test "-C names the missing journal in the message" {
	run --separate-stderr lb -C "$BATS_TEST_TMPDIR/elsewhere" show
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/elsewhere"* ]]
	[[ "$stderr" == *"logbook init"* ]]
}

@test "errors are one line in the form 'logbook: <what>: <why>'" {
	run --separate-stderr lb note hello
	[ "$status" -eq 1 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ "$stderr" =~ ^logbook:\ [^:]+:\ .+ ]]
}

@test "a write error on standard output is a failure with a message" {
	new_journal
	lb note something
	for c in --version help "note --help" show "show --json" days; do
		run --separate-stderr lb $c
		[ "$status" -eq 0 ] || fail "$c: exit $status"
		run --separate-stderr bash -c '"$LOGBOOK" "$@" >/dev/full' _ $c
		[ "$status" -eq 1 ] || fail "$c >/dev/full: exit $status"
		[[ "$stderr" == "logbook: "*"standard output"* ]] || fail "$c >/dev/full: $stderr"
	done
}

# each line: a command with its operands; "--help" put after them must still be
# an option (exit 0, the usage on stdout), as in git and GNU tools
OPERANDS_THEN_OPTIONS='show today
digest yesterday
diff /etc/hosts
search nginx
note restarted nginx
clone /nowhere/journal dir
init dir
team add alice
team rm alice
team revoke SHA256:x
team sign
team log
team list
team allowed-signers
remote add origin /nowhere
remote rm origin
remote list
watch add /etc
watch rm /etc
watch list
secret import file
secret count
hook bash
hook exit 1234
help show'

@test "options after the operands, in every command that takes operands" {
	new_journal
	local before line
	before=$(snapshot "$LOGBOOK_DIR")
	while IFS= read -r line; do
		local -a words=($line)
		run --separate-stderr lb "${words[@]}" --help
		[ "$status" -eq 0 ] || fail "$line --help: exit $status: $stderr"
		[[ "$output" == "usage: logbook ${words[0]}"* ]] || fail "$line --help: $output"
	done <<<"$OPERANDS_THEN_OPTIONS"
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ] || fail "a --help after operands changed the journal"
}

@test "show DAY --json, search QUERY --json, note TEXT -h: the option counts wherever it stands" {
	new_journal
	lb note restarted nginx after the reload failed
	run --separate-stderr lb show today --json
	[ "$status" -eq 0 ] || fail "show today --json: $stderr"
	[[ "${lines[0]}" == "{"* ]]
	[[ "$output" == *'"restarted nginx after the reload failed"'* ]]
	run --separate-stderr lb search reload --json
	[ "$status" -eq 0 ] || fail "search reload --json: $stderr"
	[[ "${lines[0]}" == "{"*'"kind":"note"'* ]]
	run --separate-stderr lb list --json --kind note
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run --separate-stderr lb list today
	[ "$status" -eq 2 ]
	run lb note some words -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook note"* ]]
	[ "$(lb list --kind note | wc -l)" -eq 1 ] || fail "note ... -h wrote a note"
}

@test "'--' ends the options: a note or a watched path may start with '-'" {
	new_journal
	run --separate-stderr lb note disk at -5% of its quota
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown option '-5'"*"after '--'"* ]]
	[ "$(jsonl files "$LOGBOOK_DIR")" -eq 0 ]
	lb note -- disk at -5% of its quota
	[ "$(last_field text)" = "disk at -5% of its quota" ]
	run lb note -- -h
	[ "$status" -eq 0 ]
	[ "$(last_field text)" = "-h" ]
	run --separate-stderr lb show -- --json
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--json"* ]]
}

@test "event: options before MESSAGE only, the message's words are kept even when they start with '-'" {
	new_journal
	lb event --source backup -- rsync: -vv --delete failed
	[ "$(last_field text)" = "rsync: -vv --delete failed" ]
	lb event --source backup rsync: -vv --delete failed --level critical
	[ "$(last_field text)" = "rsync: -vv --delete failed --level critical" ]
	[ "$(last_field level)" = info ]
}
