#!/usr/bin/env bats
# logbook hook bash|zsh: real interactive shells (in tmux) record what an
# admin types, and nothing breaks when logbook cannot.

load lib
load shell

@test "bash: commands are recorded exactly, with exit status and directory" {
	new_journal
	start_shell bash
	type_cmd 'cd /tmp'
	type_cmd 'echo "a  b"   |   cat'
	type_cmd 'false'
	type_cmd '(exit 7)'
	type_cmd 'cd /'
	run cmds
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'0\t/tmp\tcd /tmp' ]
	[ "${lines[1]}" = $'0\t/tmp\techo "a  b"   |   cat' ]
	[ "${lines[2]}" = $'1\t/tmp\tfalse' ]
	[ "${lines[3]}" = $'7\t/tmp\t(exit 7)' ]
	[ "${lines[4]}" = $'0\t/\tcd /' ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "zsh: commands are recorded exactly, with exit status and directory" {
	new_journal
	start_shell zsh
	type_cmd 'cd /tmp'
	type_cmd 'echo "a  b"   |   cat'
	type_cmd 'false'
	type_cmd '(exit 7)'
	type_cmd 'echo after the subshell'
	run cmds
	[ "${lines[0]}" = $'0\t/tmp\tcd /tmp' ]
	[ "${lines[1]}" = $'0\t/tmp\techo "a  b"   |   cat' ]
	[ "${lines[2]}" = $'1\t/tmp\tfalse' ]
	[ "${lines[3]}" = $'7\t/tmp\t(exit 7)' ]
	# a subshell's exit does not end the session
	[ "${lines[4]}" = $'0\t/tmp\techo after the subshell' ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "bash and zsh: a command typed with a leading space is not recorded anywhere" {
	for sh in bash zsh; do
		rm -rf "$LOGBOOK_DIR" "$BATS_TEST_TMPDIR/ended"
		new_journal
		start_shell "$sh"
		type_cmd 'echo visible'
		type_cmd ' echo hunter2-hidden'
		type_cmd 'echo after'
		run cmds
		[ "${lines[0]}" = $'0\t'"$PWD"$'\techo visible' ]
		[ "${lines[1]}" = $'0\t'"$PWD"$'\techo after' ]
		[ "${#lines[@]}" -eq 2 ]
		# nowhere in the journal, its git history or its state; bash's
		# spool of the live session may hold the line until the exit
		# ingests it (ingest drops it), so the spools are checked after exit
		run -1 grep -r --exclude-dir=spool hunter2 "$LOGBOOK_DIR"
		end_shell
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
		run -1 grep -r hunter2 "$LOGBOOK_DIR"
	done
}

@test "bash and zsh: the shells of the tests read neither /etc/bash.bashrc nor /etc/zsh/zshrc" {
	[ "$(id -u)" -eq 0 ] || skip "plants a line in /etc/bash.bashrc and /etc/zsh/zshrc: root only"
	[ -f /etc/bash.bashrc ] && [ -f /etc/zsh/zshrc ] || skip "no /etc/bash.bashrc or /etc/zsh/zshrc"
	new_journal
	# as a system hook would: run code and define a function; it leaves a
	# mark only in shells that have LOGBOOK_RC_PROBE, so that no other shell
	# on the machine notices it for the second it is there
	plant_system_rc '[ -z "${LOGBOOK_RC_PROBE-}" ] || echo "$0 read the system rc" >>"$LOGBOOK_RC_PROBE"; __lb_system_rc() { :; }'
	# the line works: a shell that reads the system files leaves the mark
	LOGBOOK_RC_PROBE=$BATS_TEST_TMPDIR/control bash -i -c true </dev/null >/dev/null 2>&1
	LOGBOOK_RC_PROBE=$BATS_TEST_TMPDIR/control zsh -i -c true </dev/null >/dev/null 2>&1
	[ "$(grep -c 'read the system rc' "$BATS_TEST_TMPDIR/control")" -eq 2 ]
	export LOGBOOK_RC_PROBE=$BATS_TEST_TMPDIR/probe
	for sh in bash zsh; do
		rm -f "$BATS_TEST_TMPDIR/ended"
		start_shell "$sh"
		type_cmd 'typeset -f __lb_system_rc >/dev/null && echo "$0 has __lb_system_rc" >>"$LOGBOOK_RC_PROBE"'
		end_shell
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	done
	restore_system_rc
	[ -z "$RC_SAVED" ]
	[ ! -e "$BATS_TEST_TMPDIR/probe" ] || fail "$(cat "$BATS_TEST_TMPDIR/probe")"
	# and the hook under test recorded both
	[ "$(cmds | grep -c __lb_system_rc)" -eq 2 ]
}

@test "bash: a multi-line command keeps its lines" {
	new_journal
	start_shell bash
	type_lines 'for i in 1 2' 'do echo "$i"' 'done'
	run cmds
	[ "${lines[0]}" = $'0\t'"$PWD"$'\tfor i in 1 2\\ndo echo "$i"\\ndone' ]
}

@test "zsh: a multi-line command keeps its lines" {
	new_journal
	start_shell zsh
	type_lines 'for i in 1 2' 'do echo "$i"' 'done'
	run cmds
	[ "${lines[0]}" = $'0\t'"$PWD"$'\tfor i in 1 2\\ndo echo "$i"\\ndone' ]
}

@test "bash: HISTCONTROL=ignoreboth still keeps repeats and spaces out of the history, and repeats are recorded" {
	new_journal
	start_shell bash 'HISTCONTROL=ignoreboth' 'HISTFILE=/dev/null'
	type_cmd 'echo one'
	type_cmd 'echo one'
	type_cmd ' echo secret-hidden'
	type_cmd 'echo two'
	type_cmd 'history > "$BATS_TEST_TMPDIR/history"'
	run cmds
	[ "${#lines[@]}" -eq 4 ]
	[ "$(cut -f3 <<<"$output" | head -3)" = $'echo one\necho one\necho two' ]
	# what bash itself kept: one "echo one", no secret
	[ "$(grep -c 'echo one' "$BATS_TEST_TMPDIR/history")" -eq 1 ]
	run -1 grep secret-hidden "$BATS_TEST_TMPDIR/history"
	grep -q 'echo two' "$BATS_TEST_TMPDIR/history"
}

@test "bash: HISTIGNORE patterns still keep commands out of the history, and they are recorded" {
	new_journal
	start_shell bash 'HISTIGNORE="ls*:pwd"' 'HISTFILE=/dev/null'
	type_cmd 'ls /'
	type_cmd 'pwd'
	type_cmd 'echo kept'
	type_cmd 'history > "$BATS_TEST_TMPDIR/history"'
	run cmds
	[ "$(cut -f3 <<<"$output" | head -3)" = $'ls /\npwd\necho kept' ]
	run -1 grep 'ls /' "$BATS_TEST_TMPDIR/history"
	grep -q 'echo kept' "$BATS_TEST_TMPDIR/history"
}

@test "bash: set -u, an existing PROMPT_COMMAND and PS0 keep working" {
	new_journal
	start_shell bash 'set -u' "PS0='[ps0]'" "PROMPT_COMMAND='echo pc-ran >>\"$BATS_TEST_TMPDIR/pc\"'"
	type_cmd 'echo hello'
	type_cmd 'false'
	[ "$(wc -l <"$BATS_TEST_TMPDIR/pc")" -ge 3 ]
	screen | grep -q '\[ps0\]hello'
	run screen
	[[ "$output" != *'unbound variable'* ]]
	run cmds
	[ "${lines[0]}" = $'0\t'"$PWD"$'\techo hello' ]
	[ "${lines[1]}" = $'1\t'"$PWD"$'\tfalse' ]
}

@test "bash: a prompt that puts its own PROMPT_COMMAND first (starship style) still sees the right status" {
	new_journal
	RC_AFTER=('__prompt_status() { __seen=$?; PS1="[$__seen] PROMPT> "; }'
		'PROMPT_COMMAND="__prompt_status;${PROMPT_COMMAND[0]}"')
	start_shell bash
	type_cmd 'false'
	type_cmd '(exit 3)'
	type_cmd 'true'
	run cmds
	[ "${lines[0]}" = $'1\t'"$PWD"$'\tfalse' ]
	[ "${lines[1]}" = $'3\t'"$PWD"$'\t(exit 3)' ]
	[ "${lines[2]}" = $'0\t'"$PWD"$'\ttrue' ]
	# and the prompt still shows the status of the command
	screen | grep -q '^\[3\] PROMPT> true'
	# the shell exits once, for good
	end_shell
	sleep 0.2
	run -1 pgrep -f "$BATS_TEST_TMPDIR/rc.bash"
	[ "$(records_of session | grep -c '"event":"close"')" -eq 1 ]
}

@test "bash: an EXIT trap set before the hook still runs, and the session closes once" {
	new_journal
	start_shell bash "trap 'echo bye >\"$BATS_TEST_TMPDIR/bye\"' EXIT"
	type_cmd 'true'
	end_shell
	sleep 0.2
	[ "$(cat "$BATS_TEST_TMPDIR/bye")" = bye ]
	[ "$(records_of session | grep -c '"event":"close"')" -eq 1 ]
	run -1 pgrep -f "$BATS_TEST_TMPDIR/rc.bash"
}

@test "bash and zsh: LOGBOOK_OFF=1 pauses recording (what runs while it is set is not recorded)" {
	for sh in bash zsh; do
		rm -rf "$LOGBOOK_DIR" "$BATS_TEST_TMPDIR/ended"
		new_journal
		start_shell "$sh"
		type_cmd 'echo before'
		type_cmd 'export LOGBOOK_OFF=1'
		type_cmd 'echo paused'
		type_cmd 'unset LOGBOOK_OFF'
		type_cmd 'echo resumed'
		run cmds
		[ "$(cut -f3 <<<"$output")" = $'echo before\nunset LOGBOOK_OFF\necho resumed' ]
		end_shell
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	done
}

@test "session records say who opened a shell where, and how many commands it ran" {
	new_journal
	export SSH_CONNECTION="192.0.2.7 50022 192.0.2.1 22"
	start_shell bash
	type_cmd 'true'
	type_cmd 'true'
	end_shell
	run records_of session
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *'"event":"open"'*'"shell":"bash"'*'"tty":"/dev/pts/'*'"ssh":"192.0.2.7"'* ]]
	[[ "${lines[0]}" == *'"admin":"alice"'* ]]
	# the typed "exit" is a command too
	[[ "${lines[1]}" == *'"event":"close","commands":3,"how":"exit"'* ]]
	run lb show
	[[ "$output" == *"shell opened: bash on /dev/pts/"*" from 192.0.2.7"* ]]
	[[ "$output" == *"shell closed: 3 commands"* ]]
	# the spool is gone once ingested
	[ -z "$(ls "$LOGBOOK_DIR/.state/spool/$(id -u)")" ]
}

@test "commit after a shell ended covers its commands, the typed exit included" {
	new_journal
	start_shell bash
	type_cmd 'true'
	end_shell
	run lb commit -m "checked"
	[ "$status" -eq 0 ]
	[[ "$output" == *"2 commands covered"* ]]
}

@test "the exit reminder is printed on the shell's terminal" {
	new_journal
	HOOK_LINE="eval \"\$(\"$LOGBOOK\" hook bash)\"; __t_exit() { :; }"
	start_shell bash
	type_cmd 'true'
	# keep the pane open after the shell exits to read it
	tmux -S "$TMUX_SOCK" set-option -t 0 remain-on-exit on
	end_shell
	sleep 0.2
	screen | grep -q "logbook: 2 commands on web1 not in an entry yet: run 'logbook commit'"
}

@test "the spool is private to the user and its directory keeps users from removing others' spools" {
	new_journal
	start_shell bash
	type_cmd 'true'
	spool=$(ls "$LOGBOOK_DIR"/.state/spool/*/*.spool)
	[ "$(stat -c %a "$spool")" = 600 ]
	# in the account's own directory, which no one else may enter
	[ "${spool%/*}" = "$LOGBOOK_DIR/.state/spool/$(id -u)" ]
	[ "$(stat -c %u "${spool%/*}")" = "$(id -u)" ]
	[ $(($(stat -c %#a "${spool%/*}") & 077)) -eq 0 ]
	[ "$(stat -c %a "$LOGBOOK_DIR/.state/spool")" -ge 1000 ]
}

# type "echo <word> ESC[31mred": the ESC after the line editor's quoted-insert (C-v)
type_escape_cmd() {
	local n
	n=$(wc -l <"$PROMPTS")
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l -- "echo $1 "
	tmux -S "$TMUX_SOCK" send-keys -t 0 C-v Escape
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l -- '[31mred'
	tmux -S "$TMUX_SOCK" send-keys -t 0 Enter
	wait_prompts $((n + 1))
}

# the first cmd record's exact bytes (base64 when not UTF-8) equal $1
first_cmd_is() {
	lb show --json | py -c '
import json, sys, base64
rs = [json.loads(l) for l in sys.stdin]
c = [r for r in rs if r["kind"] == "cmd"][0]
got = base64.b64decode(c["cmd_b64"]) if "cmd_b64" in c else c["cmd"].encode()
assert got == sys.argv[1].encode("utf-8", "surrogateescape"), (got, c)
' "$1"
}

@test "bash: invalid UTF-8 and escape sequences are recorded byte for byte and shown escaped" {
	new_journal
	start_shell bash
	type_escape_cmd $'caf\xe9'
	first_cmd_is $'echo caf\xe9 \e[31mred'
	run lb show
	[[ "$output" == *'$ echo caf\xe9 \e[31mred'* ]]
}

@test "zsh: escape sequences are recorded byte for byte and shown escaped" {
	# (zsh's line editor itself turns a typed invalid byte into '?' in the C locale)
	new_journal
	start_shell zsh
	type_escape_cmd 'plain'
	first_cmd_is $'echo plain \e[31mred'
	run lb show
	[[ "$output" == *'$ echo plain \e[31mred'* ]]
}

@test "a missing logbook at exit, or a spool that cannot be written, never breaks the shell" {
	new_journal
	start_shell bash
	type_cmd 'true'
	# the spool directory goes away under the shell (a full disk or an admin's rm -rf)
	mv "$LOGBOOK_DIR/.state/spool" "$LOGBOOK_DIR/.state/spool.away"
	type_cmd 'echo still-works'
	type_cmd 'echo again'
	screen | grep -q '^still-works'
	screen | grep -q '^again'
	# one warning, not one per command
	[ "$(screen | grep -c 'logbook: cannot write')" -eq 1 ]
	# the binary is gone too: the exit still ends the shell
	type_cmd '__lb_bin=/nonexistent/logbook'
	end_shell
}

@test "zsh: a spool that cannot be written gives one warning and the shell goes on" {
	new_journal
	start_shell zsh
	type_cmd 'true'
	mv "$LOGBOOK_DIR/.state/spool" "$LOGBOOK_DIR/.state/spool.away"
	type_cmd 'echo still-works'
	type_cmd 'echo again'
	screen | grep -q '^again'
	[ "$(screen | grep -c 'logbook: cannot write')" -eq 1 ]
	type_cmd '__lb_bin=/nonexistent/logbook'
	end_shell
}

@test "a user who cannot write the journal gets no hook and no message" {
	new_journal
	chmod 700 "$LOGBOOK_DIR"
	let_others_in
	run as_nobody "$LOGBOOK" hook bash
	[ "$status" -eq 0 ]
	[[ "$output" == "# logbook: not recording this shell:"* ]]
	[ "${#lines[@]}" -eq 1 ]
	run lb -C "$BATS_TEST_TMPDIR/none" hook bash
	[ "$status" -eq 0 ]
	[[ "$output" == "# logbook: not recording this shell:"* ]]
}

@test "the hook loaded twice in one shell records each command once" {
	new_journal
	HOOK_LINE="eval \"\$(\"$LOGBOOK\" hook bash)\"; eval \"\$(\"$LOGBOOK\" hook bash)\""
	start_shell bash
	type_cmd 'echo once'
	run cmds
	[ "${#lines[@]}" -eq 1 ]
	[ "$(ls "$LOGBOOK_DIR"/.state/spool/*/*.spool | wc -l)" -eq 1 ]
}

@test "hook: usage errors and help" {
	run lb hook
	[ "$status" -eq 2 ]
	run lb hook fish
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a shell logbook knows"* ]]
	run lb hook --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"/etc/bash.bashrc"* ]]
}

@test "bash -n and zsh -n accept the printed code" {
	new_journal
	lb hook bash >"$BATS_TEST_TMPDIR/h.bash"
	bash -n "$BATS_TEST_TMPDIR/h.bash"
	lb hook zsh >"$BATS_TEST_TMPDIR/h.zsh"
	zsh -n "$BATS_TEST_TMPDIR/h.zsh"
}

# strace counts the processes a shell starts; the hook must add none per command
count_processes() {
	local n=$1 f="$BATS_TEST_TMPDIR/cmds.$n"
	: >"$f"
	for ((i = 0; i < n; i++)); do echo ': cmd'"$i" >>"$f"; done
	strace -f -qq -e trace=fork,vfork,clone,clone3,execve -o "$BATS_TEST_TMPDIR/trace.$n" \
		env ENV="$BATS_TEST_TMPDIR/rc" bash --posix -i <"$f" >/dev/null 2>&1
	grep -cE '(clone|clone3|fork|vfork)\(' "$BATS_TEST_TMPDIR/trace.$n" || true
}

@test "under strace, 100 commands start no more processes than 50 do" {
	command -v strace >/dev/null || skip "strace is not installed"
	new_journal
	printf '%s\n' "$BASH_RC_HEAD" "eval \"\$(\"$LOGBOOK\" hook bash)\"" >"$BATS_TEST_TMPDIR/rc"
	p50=$(count_processes 50)
	p100=$(count_processes 100)
	echo "processes: 50 commands: $p50, 100 commands: $p100" >&3
	[ "$p100" -le "$p50" ]
	# and the commands were recorded, 50 + 100
	[ "$(records_of cmd | wc -l)" -eq 150 ]
}

# the journal on a small tmpfs of its own, to fill it up (needs root)
small_disk_journal() {
	[ "$(id -u)" -eq 0 ] || skip "mounting a small file system needs root"
	mkdir -p "$BATS_TEST_TMPDIR/disk"
	mount -t tmpfs -o size=2m tmpfs "$BATS_TEST_TMPDIR/disk" 2>/dev/null || skip "cannot mount a tmpfs here"
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/disk/journal"
	new_journal
}

# a full disk costs the commands typed meanwhile, one warning, nothing else
full_disk_case() {
	small_disk_journal
	start_shell "$1"
	type_cmd 'echo before'
	dd if=/dev/zero of="$BATS_TEST_TMPDIR/disk/filler" bs=64k 2>/dev/null || true
	# longer than what is left of the spool's last page
	type_cmd "echo while-full-1 $(printf '%05000d' 1)"
	type_cmd "echo while-full-2 $(printf '%05000d' 2)"
	rm "$BATS_TEST_TMPDIR/disk/filler"
	type_cmd 'echo after'
	screen | grep -q '^after'
	[ "$(screen | grep -c 'logbook: cannot write')" -eq 1 ]
	# what the full disk tore is reported and skipped, the rest kept
	run lb ingest
	[ "$status" -eq 0 ]
	run cmds
	[ "${lines[0]}" = $'0\t'"$PWD"$'\techo before' ]
	[ "${lines[${#lines[@]} - 1]}" = $'0\t'"$PWD"$'\techo after' ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "bash: a full disk costs the commands typed meanwhile, one warning, nothing else" {
	full_disk_case bash
}

@test "zsh: a full disk costs the commands typed meanwhile, one warning, nothing else" {
	full_disk_case zsh
}
