#!/usr/bin/env bats
# logbook hook bash|zsh: real interactive shells (in tmux) record what an
# admin types, and nothing breaks when logbook cannot.

load lib
load shell

# tests/hook-fallback.bats is this file again (a symlink), with the bash
# hook's builtin (logbook-bash.so) and the zsh hook's module
# (logbook_zsh.so) left out: the shell code alone must do everything they do.
if [[ $BATS_TEST_FILENAME == */hook-fallback.bats ]]; then
	export LOGBOOK_BASH_BUILTIN=no LOGBOOK_ZSH_MODULE=no
	HOOK_FALLBACK=1
	eval "lib_$(declare -f setup)"
	setup() {
		lib_setup
		export LOGBOOK_BASH_BUILTIN=no LOGBOOK_ZSH_MODULE=no
	}
fi

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
	printf '%s\n' "$BASH_RC_HEAD" "eval \"\$(\"$LOGBOOK\" hook bash)\"" \
		'echo "$__lb_pc" >"$BATS_TEST_TMPDIR/pc"' >"$BATS_TEST_TMPDIR/rc"
	p50=$(count_processes 50)
	p100=$(count_processes 100)
	# the builtin (hook-fallback: the shell code) did the recording
	[ "$(cat "$BATS_TEST_TMPDIR/pc")" = "$([ -n "${HOOK_FALLBACK-}" ] && echo __lb_precmd || echo __lb_record)" ]
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

# ---- the builtin (logbook-bash.so) ----

@test "bash: the hook loads its builtin from beside logbook (hook-fallback: it does not)" {
	new_journal
	start_shell bash
	type_cmd 'enable -a >"$BATS_TEST_TMPDIR/enabled"; echo "${PROMPT_COMMAND[0]}" >"$BATS_TEST_TMPDIR/pc"'
	if [ -n "${HOOK_FALLBACK-}" ]; then
		run -1 grep -x 'enable __lb_record' "$BATS_TEST_TMPDIR/enabled"
		[ "$(cat "$BATS_TEST_TMPDIR/pc")" = __lb_precmd ]
	else
		grep -qx 'enable __lb_record' "$BATS_TEST_TMPDIR/enabled"
		[ "$(cat "$BATS_TEST_TMPDIR/pc")" = __lb_record ]
	fi
	run cmds
	[ "${#lines[@]}" -eq 1 ]
}

# a copy of logbook with the builtin and the module beside it, in a directory of the
# build tree (not under /tmp, which everyone may write): $TRUST/bin,
# removed by teardown whatever the test did
eval "shell_$(declare -f teardown)"
teardown() {
	shell_teardown
	[ -z "${TRUST-}" ] || rm -rf "$TRUST"
}
trusted_copy() {
	TRUST=$(realpath "$(mktemp -d -p "$BATS_TEST_DIRNAME/../build")")
	chmod 755 "$TRUST"
	mkdir "$TRUST/bin"
	cp "$LOGBOOK" "$BATS_TEST_DIRNAME/../logbook-ingest-mail" "$TRUST/bin/"
	install -m 0644 "$BATS_TEST_DIRNAME/../logbook-bash.so" "$BATS_TEST_DIRNAME/../logbook_zsh.so" "$TRUST/bin/"
}

# the builtin (the module) the hook of bash (of the shell given) printed by
# $TRUST/bin/logbook names, "" when none; its stderr in $BATS_TEST_TMPDIR/err
printed_builtin() {
	"$TRUST/bin/logbook" hook "${1:-bash}" 2>"$BATS_TEST_TMPDIR/err" | sed -n "s/^__lb_new_so=//p"
}

# $TRUST/payload.so: what a member would plant, a shared object that leaves
# a mark when loaded, with the lines given (what the shell looks up in it)
payload_so() {
	printf '%s\n' '#include <stdio.h>' '__attribute__((constructor)) static void mark(void)' '{' \
		"	FILE *f = fopen(\"$BATS_TEST_TMPDIR/payload-ran\", \"w\");" '	if (f)' '		fclose(f);' '}' "$@" \
		>"$TRUST/payload.c"
	cc -shared -fPIC -o "$TRUST/payload.so" "$TRUST/payload.c"
}

# the payload in place of $TRUST/bin/NAME, made writable by the group (HOW
# group), by everyone (other), owned by another account (owner), or in a
# directory others may write (dir)
plant_payload() {
	install -m 0644 "$TRUST/payload.so" "$TRUST/bin/$2"
	chmod 755 "$TRUST/bin"
	case $1 in
	group) chmod 0664 "$TRUST/bin/$2" ;;
	other) chmod 0646 "$TRUST/bin/$2" ;;
	owner) chown nobody "$TRUST/bin/$2" ;;
	dir) chmod 0777 "$TRUST/bin" ;;
	esac
}

@test "bash: a builtin others could change is never loaded, and the hook records without it" {
	[ "$(id -u)" -eq 0 ] || skip "changes owners: root only"
	new_journal
	trusted_copy
	# the member's payload: a builtin that leaves a mark when loaded
	payload_so 'int __lb_record_struct[8];'
	# the control: root's own file in root's own directories is loaded
	[ "$(printed_builtin)" = "'$TRUST/bin/logbook-bash.so'" ]
	# the payload in place of the builtin, writable by the group, by
	# everyone, owned by another account, or in a directory others may write
	for how in group other owner dir; do
		plant_payload $how logbook-bash.so
		[ "$(printed_builtin)" = "''" ] || fail "$how: the hook would load $(printed_builtin)"
		grep -q "hook: not loading $TRUST/bin/logbook-bash.so" "$BATS_TEST_TMPDIR/err"
		# and a root shell that evals the hook runs no payload, and still records
		bash -c 'eval "$("$1" hook bash 2>/dev/null)"; enable -a' _ "$TRUST/bin/logbook" >"$BATS_TEST_TMPDIR/enabled"
		run -1 grep __lb_record "$BATS_TEST_TMPDIR/enabled"
		[ ! -e "$BATS_TEST_TMPDIR/payload-ran" ]
	done
}

# ENV rc file for a bash -i reading commands from a file (tests/lib.bash:
# BASH_RC_HEAD): the lines given, then the hook, whose exit leaves the spool
piped_rc() {
	printf '%s\n' "$BASH_RC_HEAD" "PS1='> '" "$@" "eval \"\$(\"$LOGBOOK\" hook bash)\"" '__lb_bin=true' \
		>"$BATS_TEST_TMPDIR/rc.piped"
}

# the spools of $LOGBOOK_DIR, each record on a line (python repr), times,
# pids, sessions and headers left out: what must agree byte for byte
spool_shape() {
	cat "$LOGBOOK_DIR"/.state/spool/*/*.spool | py -c '
import sys
data = sys.stdin.buffer.read()
nfields = {"H": 11, "P": 1, "B": 4, "C": 6, "X": 2}
p = 0
while p < len(data):
    kind = chr(data[p])
    assert data[p + 1] == 0, (p, data[p:p + 40])
    q = p + 2
    fields = []
    for i in range(nfields[kind]):
        e = data.index(b"\0", q)
        fields.append(data[q:e])
        q = e + 1
    assert data[q:q + 1] == b"\n", (q, data[p:q + 1])
    p = q + 1
    if kind == "H":
        continue
    if kind == "P":
        fields = [b"PID"]
    if kind == "C":
        assert fields[1].isdigit() and fields[2].isdigit() and int(fields[1]) <= int(fields[2]), fields
        fields[1:3] = [b"T0", b"T1"]
    if kind == "X":
        fields[0] = b"T"
    print(kind, repr(fields))
'
}

@test "bash: the builtin and the shell code write the same spool bytes" {
	[ -z "${HOOK_FALLBACK-}" ] || skip "compares both: tests/hook.bats runs it"
	cat >"$BATS_TEST_TMPDIR/cmds" <<-'EOF'
		echo "a  b"   |   cat
		false

		cd /tmp
		(exit 7)
		for i in 1 2
		do echo "$i"; done
		echo 'caf\xe9' $'\t' "$(printf 'caf\xe9')"
		 echo leading-space
		echo one
		echo one
		HISTSIZE=3
		echo the history is stifled
		set -o posix
		echo in posix mode
		set +o posix
		export LOGBOOK_OFF=1
		echo paused
		unset LOGBOOK_OFF
		for fd in 3 4 5 6 7 8 9 10 11 100; do eval "exec $fd>&-"; done
		echo after closing fds
		exec 9>"$BATS_TEST_TMPDIR/mine.9" 100>"$BATS_TEST_TMPDIR/mine.100"
		echo $((6 * 7))-for-fd-9 >&9; echo $((6 * 7))-for-fd-100 >&100
		ls -l /proc/self/fd >"$BATS_TEST_TMPDIR/child-fds"; ls -l /proc/$$/fd >"$BATS_TEST_TMPDIR/shell-fds"
		exec 9>&- 100>&-
		HISTCONTROL=ignoredups
		echo two
		echo two
		HISTCONTROL=
		cd -
		echo last
	EOF
	for mode in fallback builtin; do
		rm -rf "$LOGBOOK_DIR"
		new_journal
		if [ $mode = builtin ]; then
			piped_rc
		else
			piped_rc 'LOGBOOK_BASH_BUILTIN=no'
		fi
		ENV="$BATS_TEST_TMPDIR/rc.piped" bash --posix -i <"$BATS_TEST_TMPDIR/cmds" >/dev/null 2>"$BATS_TEST_TMPDIR/err.$mode"
		spool_shape >"$BATS_TEST_TMPDIR/shape.$mode"
	done
	# the builtin kept the spool open (the shell's own descriptors, after
	# the user's were opened), and a command the shell started did not inherit it
	grep -q '\.spool$' "$BATS_TEST_TMPDIR/shell-fds"
	run -1 grep '\.spool$' "$BATS_TEST_TMPDIR/child-fds"
	diff "$BATS_TEST_TMPDIR/shape.builtin" "$BATS_TEST_TMPDIR/shape.fallback"
	[ "$(grep -c '^C ' "$BATS_TEST_TMPDIR/shape.builtin")" -ge 20 ]
	grep -q "in posix mode" "$BATS_TEST_TMPDIR/shape.builtin"
	# the user's descriptors are the user's: what went to them is in their files, not in the spool
	[ "$(cat "$BATS_TEST_TMPDIR/mine.9")" = 42-for-fd-9 ]
	[ "$(cat "$BATS_TEST_TMPDIR/mine.100")" = 42-for-fd-100 ]
	run -1 grep -q 42-for-fd "$BATS_TEST_TMPDIR/shape.builtin"
	# nothing more on the terminal either
	diff "$BATS_TEST_TMPDIR/err.fallback" "$BATS_TEST_TMPDIR/err.builtin"
}

# ---- the module (logbook_zsh.so) ----

@test "zsh: the hook loads its module from beside logbook (hook-fallback: it does not)" {
	new_journal
	start_shell zsh
	type_cmd 'zmodload >"$BATS_TEST_TMPDIR/modules"; print -rl -- $precmd_functions >"$BATS_TEST_TMPDIR/pc"'
	if [ -n "${HOOK_FALLBACK-}" ]; then
		run -1 grep -x logbook_zsh "$BATS_TEST_TMPDIR/modules"
		[ "$(head -1 "$BATS_TEST_TMPDIR/pc")" = __lb_precmd ]
	else
		grep -qx logbook_zsh "$BATS_TEST_TMPDIR/modules"
		# the module records: no shell function at the prompt
		run -1 grep -x __lb_precmd "$BATS_TEST_TMPDIR/pc"
	fi
	run cmds
	[ "${#lines[@]}" -eq 1 ]
}

# ZDOTDIR (with its .zshrc) for a zsh -i reading commands from a file: the
# lines given, then the hook, whose exit leaves the spool, then the lines
# of ZSH_RC_AFTER
zsh_piped_rc() {
	mkdir -p "$BATS_TEST_TMPDIR/zpiped"
	printf '%s\n' "PS1='> '" "$@" "eval \"\$(\"$LOGBOOK\" hook zsh)\"" '__lb_bin=true' "${ZSH_RC_AFTER[@]}" \
		>"$BATS_TEST_TMPDIR/zpiped/.zshrc"
}

zsh_piped() {
	ZDOTDIR="$BATS_TEST_TMPDIR/zpiped" zsh -d -i
}

@test "zsh: the module and the shell code write the same spool bytes" {
	[ -z "${HOOK_FALLBACK-}" ] || skip "compares both: tests/hook.bats runs it"
	T=$BATS_TEST_TMPDIR
	# the user's own hooks, after logbook's, plain and through add-zsh-hook (one
	# that fails under err_exit ends the shell before the module's turn, and
	# before any exit hook: the line typed last would be lost, see hook.zsh)
	ZSH_RC_AFTER=('autoload -Uz add-zsh-hook'
		'mine_precmd() { print -r -- "precmd saw $? in $PWD" >>"$T/precmd.$mode"; [[ -o err_exit ]] || return 3 }'
		'mine_preexec() { print -r -- "preexec saw $1" >>"$T/preexec.$mode" }'
		'add-zsh-hook precmd mine_precmd' 'add-zsh-hook preexec mine_preexec'
		'TRAPDEBUG() { : }')
	{
		echo 'echo "a  b"   |   cat'
		echo 'false'
		echo
		echo 'cd /tmp'
		echo '(exit 7)'
		echo 'for i in 1 2'
		echo 'do echo "$i"; done'
		# Latin-1, a byte zsh stores metafied (0x83) and UTF-8
		printf 'echo caf\xe9 \x83\xa0 "\xc3\xbcn\xc3\xafc\xc3\xb6d\xc3\xa9 \xe2\x9c\x93"\n'
		echo ' echo leading-space'
		echo 'echo one'
		echo 'echo one'
		echo 'export LOGBOOK_OFF=1'
		echo 'echo paused'
		echo 'unset LOGBOOK_OFF'
		echo 'echo mysql -u root -phunter2-secret'
		for o in no_unset err_return ksh_arrays xtrace; do
			echo "setopt $o"
			echo "echo under $o"
			echo "unsetopt $o"
		done
		echo 'exec 9>"$T/mine.9"'
		echo 'echo $((6 * 7))-for-fd-9 >&9'
		echo 'ls -l /proc/self/fd >"$T/child-fds.$mode"; ls -l /proc/$$/fd >"$T/shell-fds.$mode"'
		echo 'exec 9>&-'
		# the module's descriptor (none for the shell code), closed by the user
		echo 'm=$(for f in /proc/$$/fd/*; do [[ ${f:t} != $__lb_fd && $(readlink $f) == *.spool ]] && echo ${f:t}; done)'
		echo 'print -r -- "$m" >"$T/module-fd.$mode"; [[ -z $m ]] || exec {m}>&-'
		echo 'echo after closing'
		# and closed again, its number taken at once by a descriptor of the user's
		echo 'm=$(for f in /proc/$$/fd/*; do [[ ${f:t} != $__lb_fd && $(readlink $f) == *.spool ]] && echo ${f:t}; done)'
		echo '[[ -z $m ]] || exec {m}>&-; exec {u}>"$T/mine.u.$mode"; print -r -- "$m $u" >"$T/user-fd.$mode"'
		echo 'echo after reuse'
		echo 'echo $((6 * 7))-for-u >&$u'
		echo 'exec {u}>&-'
		echo 'cd -'
		echo 'setopt err_exit'
		echo 'echo under err_exit'
	} >"$T/cmds"
	for mode in fallback module; do
		rm -rf "$LOGBOOK_DIR"
		new_journal
		if [ $mode = module ]; then
			zsh_piped_rc
		else
			zsh_piped_rc 'LOGBOOK_ZSH_MODULE=no'
		fi
		T=$T mode=$mode zsh_piped <"$T/cmds" >/dev/null 2>"$T/err.$mode" || true
		spool_shape >"$T/shape.$mode"
	done
	diff "$T/shape.fallback" "$T/shape.module"
	[ "$(grep -c '^C ' "$T/shape.module")" -ge 25 ]
	grep -q 'under ksh_arrays' "$T/shape.module"
	grep -q 'under err_exit' "$T/shape.module"
	grep -q 'after reuse' "$T/shape.module"
	grep -q "b'7'" "$T/shape.module"
	run -1 grep -e paused -e leading-space "$T/shape.module"
	# the users' hooks saw the same, the commands' status among it
	diff "$T/precmd.fallback" "$T/precmd.module"
	grep -qx 'precmd saw 7 in /tmp' "$T/precmd.module"
	diff "$T/preexec.fallback" "$T/preexec.module"
	# the module kept a descriptor of its own, 10 or above, that a command the shell started did not inherit
	[ "$(cat "$T/module-fd.module")" -ge 10 ]
	[ -z "$(cat "$T/module-fd.fallback")" ]
	grep -q " $(cat "$T/module-fd.module") -> .*\.spool$" "$T/shell-fds.module"
	run -1 grep '\.spool$' "$T/child-fds.module"
	run -1 grep '\.spool$' "$T/child-fds.fallback"
	# the user's descriptors are the user's
	[ "$(cat "$T/mine.9")" = 42-for-fd-9 ]
	[ "$(cat "$T/mine.u.module")" = 42-for-u ]
	# (zsh gave the user the number the module had)
	read -r m u <"$T/user-fd.module"
	[ "$m" = "$u" ]
	run -1 grep -q 42-for "$T/shape.module"
	# nothing more on the terminal either (but the trace of the hook's functions)
	diff <(grep -v '^+' "$T/err.fallback") <(grep -v '^+' "$T/err.module")
}

@test "zsh: a command left over by a failing precmd function of the user's is still recorded" {
	new_journal
	ZSH_RC_AFTER=('mine() { setopt localoptions no_unset; : $no_such_parameter }' 'precmd_functions+=(mine)')
	zsh_piped_rc
	printf '%s\n' 'echo one' '(exit 3)' 'echo three' | zsh_piped >/dev/null 2>&1
	lb ingest -q
	run cmds
	[ "${lines[0]}" = $'0\t'"$PWD"$'\techo one' ]
	[ "${lines[1]}" = $'3\t'"$PWD"$'\t(exit 3)' ]
	[ "${lines[2]}" = $'0\t'"$PWD"$'\techo three' ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "zsh: under strace, 100 commands start no more processes than 50 do" {
	command -v strace >/dev/null || skip "strace is not installed"
	new_journal
	ZSH_RC_AFTER=('print -r -- "${__lb_mod:-none}" >"$BATS_TEST_TMPDIR/mod"')
	zsh_piped_rc
	local n p50 p100
	for n in 50 100; do
		for ((i = 0; i < n; i++)); do echo ": cmd$i"; done >"$BATS_TEST_TMPDIR/cmds.$n"
		strace -f -qq -e trace=fork,vfork,clone,clone3,execve -o "$BATS_TEST_TMPDIR/trace.$n" \
			env ZDOTDIR="$BATS_TEST_TMPDIR/zpiped" zsh -d -i <"$BATS_TEST_TMPDIR/cmds.$n" >/dev/null 2>&1
	done
	p50=$(grep -cE '(clone|clone3|fork|vfork)\(' "$BATS_TEST_TMPDIR/trace.50" || true)
	p100=$(grep -cE '(clone|clone3|fork|vfork)\(' "$BATS_TEST_TMPDIR/trace.100" || true)
	# the module (hook-fallback: the shell code) did the recording
	[ "$(cat "$BATS_TEST_TMPDIR/mod")" = "$([ -n "${HOOK_FALLBACK-}" ] && echo none || echo 1)" ]
	echo "processes: 50 commands: $p50, 100 commands: $p100" >&3
	[ "$p100" -le "$p50" ]
	lb ingest -q
	[ "$(records_of cmd | wc -l)" -eq 150 ]
}

@test "zsh: a module others could change is never loaded, and the hook records without it" {
	[ "$(id -u)" -eq 0 ] || skip "changes owners: root only"
	new_journal
	trusted_copy
	# the member's payload: a module that leaves a mark when loaded
	payload_so 'int setup_(void *m) { (void)m; return 0; }'
	# the control: root's own file in root's own directories is loaded
	[ "$(printed_builtin zsh)" = "'$TRUST/bin/logbook_zsh.so'" ]
	for how in group other owner dir; do
		plant_payload $how logbook_zsh.so
		so=$(printed_builtin zsh)
		[ "$so" = "''" ] || fail "$how: the hook would load $so"
		grep -q "hook: not loading $TRUST/bin/logbook_zsh.so" "$BATS_TEST_TMPDIR/err"
		# and a root shell that evals the hook runs no payload, and still records
		zsh -fc 'eval "$("$1" hook zsh 2>/dev/null)"; zmodload; print -rl -- $precmd_functions' _ "$TRUST/bin/logbook" \
			>"$BATS_TEST_TMPDIR/loaded"
		run -1 grep logbook_zsh "$BATS_TEST_TMPDIR/loaded"
		grep -qx __lb_precmd "$BATS_TEST_TMPDIR/loaded"
		[ ! -e "$BATS_TEST_TMPDIR/payload-ran" ]
	done
}
