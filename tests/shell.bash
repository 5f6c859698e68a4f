# Driving real interactive shells for the hook tests: each shell runs in
# its own tmux server, with an rc file that sets a known prompt, evals the
# hook like /etc/bash.bashrc would (and reads no system rc file: see
# tests/lib.bash), and counts prompts in a file so a test
# can wait for a command to finish without sleeping blindly.

# start_shell bash|zsh [RC-LINES...]: the lines go before the hook's eval
# (rc_after lines after it)
start_shell() {
	local shell=$1
	shift
	SHELL_KIND=$shell
	TMUX_SOCK="$BATS_TEST_TMPDIR/tmux.sock"
	PROMPTS="$BATS_TEST_TMPDIR/prompts"
	: >"$PROMPTS"
	local rc="$BATS_TEST_TMPDIR/rc.$shell" line
	{
		# (the shell reads no system rc file: see tests/lib.bash)
		[ "$shell" = bash ] && echo "$BASH_RC_HEAD"
		echo "PS1='PROMPT> '"
		for line in "$@"; do
			echo "$line"
		done
		echo "${HOOK_LINE:-eval \"\$(\"$LOGBOOK\" hook $shell)\"}"
		for line in "${RC_AFTER[@]}"; do
			echo "$line"
		done
		if [ "$shell" = bash ]; then
			echo "PROMPT_COMMAND+=('echo >>\"$PROMPTS\"')"
		else
			echo "__t_prompt() { echo >>\"$PROMPTS\"; }; precmd_functions+=(__t_prompt)"
		fi
	} >"$rc"
	case $shell in
	bash) tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 200 -y 50 \
		"ENV='$rc' bash --posix -i; echo gone >'$BATS_TEST_TMPDIR/ended'" ;;
	zsh)
		mkdir -p "$BATS_TEST_TMPDIR/zdot"
		cp "$rc" "$BATS_TEST_TMPDIR/zdot/.zshrc"
		tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 200 -y 50 \
			"ZDOTDIR='$BATS_TEST_TMPDIR/zdot' zsh -d -i; echo gone >'$BATS_TEST_TMPDIR/ended'" ;;
	esac
	wait_prompts 1
}

# wait until N prompts were shown (at most 10 s)
wait_prompts() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(wc -l <"$PROMPTS")" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "the shell did not come back to its prompt ($1 expected):" >&2
	screen >&2
	return 1
}

# type lines (each followed by Enter) and wait for the prompt after them
type_lines() {
	local n line
	n=$(wc -l <"$PROMPTS")
	for line in "$@"; do
		tmux -S "$TMUX_SOCK" send-keys -t 0 -l -- "$line"
		tmux -S "$TMUX_SOCK" send-keys -t 0 Enter
	done
	wait_prompts $((n + 1))
}

# one command line per call
type_cmd() {
	type_lines "$1"
}

screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p -t 0 -S -200
}

# exit the shell and wait for its exit hook to finish
end_shell() {
	local i
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l -- "${1:-exit}"
	tmux -S "$TMUX_SOCK" send-keys -t 0 Enter
	for ((i = 0; i < 200; i++)); do
		[ -e "$BATS_TEST_TMPDIR/ended" ] && break
		sleep 0.05
	done
	[ -e "$BATS_TEST_TMPDIR/ended" ] || { echo "the shell did not exit" >&2; return 1; }
}

# plant_system_rc LINE: append LINE to /etc/bash.bashrc and /etc/zsh/zshrc
# (root only), keeping copies that restore_system_rc (and teardown) put back
plant_system_rc() {
	RC_SAVED=$BATS_TEST_TMPDIR/etc-saved
	mkdir -p "$RC_SAVED"
	cp /etc/bash.bashrc "$RC_SAVED/bash.bashrc"
	cp /etc/zsh/zshrc "$RC_SAVED/zshrc"
	printf '%s\n' "$1" >>/etc/bash.bashrc
	printf '%s\n' "$1" >>/etc/zsh/zshrc
}

# put the system rc files back byte for byte (same inode, owner and mode)
restore_system_rc() {
	[ -n "${RC_SAVED:-}" ] || return 0
	cat "$RC_SAVED/bash.bashrc" >/etc/bash.bashrc
	cat "$RC_SAVED/zshrc" >/etc/zsh/zshrc
	cmp -s "$RC_SAVED/bash.bashrc" /etc/bash.bashrc && cmp -s "$RC_SAVED/zshrc" /etc/zsh/zshrc &&
		RC_SAVED=
}

teardown() {
	local i
	restore_system_rc
	[ -n "${TMUX_SOCK:-}" ] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	# a shell killed here still runs its exit hook, which writes into the
	# journal: let it finish before bats removes the directory
	for ((i = 0; i < 100; i++)); do
		[ -n "${TMUX_SOCK:-}" ] && pgrep -f "$BATS_TEST_TMPDIR/(rc\.|zdot)" >/dev/null || break
		sleep 0.05
	done
	# (lazily: the shell may still be leaving it)
	mountpoint -q "$BATS_TEST_TMPDIR/disk" 2>/dev/null && umount -l "$BATS_TEST_TMPDIR/disk"
	return 0
}

# the cmd records of today's page as "exit<TAB>cwd<TAB>cmd" lines (cmd with \n kept as \n)
cmds() {
	lb show --json | py -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["kind"] == "cmd":
        print("%s\t%s\t%s" % (r.get("exit"), r.get("cwd"), r["cmd"].replace("\n", "\\n")))
'
}

# the JSON records of a kind on today page, one per line
records_of() {
	lb show --json | py -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["kind"] == sys.argv[1]:
        print(line, end="")
' "$1"
}
