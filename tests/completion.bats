#!/usr/bin/env bats
# Shell completion: the real bash function (driven through COMP_WORDS
# as bash's completion calls it) and the real zsh function (compinit in
# an interactive zsh under tmux, Tab typed).  Candidates come from the
# binary: commands, options from --help, days, hosts, remotes, admins.

load lib
load shell

BASH_SCRIPT=$BATS_TEST_DIRNAME/../dist/completion/logbook.bash
ZSH_DIR=$BATS_TEST_DIRNAME/../dist/completion

# a journal with two days, two hosts, a remote and two admins
world() {
	new_journal
	export PATH="$(dirname "$LOGBOOK"):$PATH"
	lb note "today on web1"
	LOGBOOK_HOST=db2 lb note "today on db2"
	mkdir -p "$LOGBOOK_DIR/2026/2026_01_15"
	cp "$(day_file)" "$LOGBOOK_DIR/2026/2026_01_15/web1.jsonl"
	lb remote add backup /srv/nowhere
	lb team add alice --email alice@example.org >/dev/null
	lb team add bob --email bob@example.org >/dev/null
}

# the candidates bash's function gives for words (the last is the current one)
complete_bash() {
	bash -c '
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_logbook logbook "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$BASH_SCRIPT" "$@"
}

@test "bash: the script registers _logbook for logbook" {
	run bash -c "source '$BASH_SCRIPT'; complete -p logbook"
	[ "$output" = "complete -F _logbook logbook" ]
}

@test "bash: commands come from the binary, hidden ones are not offered" {
	world
	run complete_bash logbook s
	[ "$output" = "$(printf '%s\n' show search scan sign sync setup secret)" ]
	run complete_bash logbook ''
	[[ "$output" == *$'\ndoctor\n'* ]]
	[[ "$output" != *complete* ]]
	run complete_bash logbook -
	[ "$output" = "$(printf '%s\n' -C --version --help)" ]
}

@test "bash: options of a command come from its --help" {
	world
	run complete_bash logbook search --
	for o in --host --user --kind --since --until --limit --json --color= --no-pager --help; do
		grep -qx -- "$o" <<<"$output" || fail "$o missing: $output"
	done
	run complete_bash logbook setup --r
	[ "$output" = "--root" ]
}

@test "bash: days, hosts, remotes and admins come from the journal" {
	world
	run complete_bash logbook show ''
	[ "$output" = "$(printf '%s\n' today yesterday "$(today)" 2026_01_15)" ]
	run complete_bash logbook show 2026_0
	[ "$output" = 2026_01_15 ]
	run complete_bash logbook search --host ''
	[ "$output" = "$(printf '%s\n' web1 db2)" ]
	run complete_bash logbook list --user ''
	[ "$output" = "$(printf '%s\n' alice bob)" ]
	run complete_bash logbook remote rm ''
	[ "$output" = backup ]
	run complete_bash logbook remote ''
	[ "$output" = "$(printf '%s\n' add rm list)" ]
	run complete_bash logbook list --since 2026_01
	[ "$output" = 2026_01_15 ]
	# the range options of show, export and digest too (--since TIME: the days)
	run complete_bash logbook show --admin ''
	[ "$output" = "$(printf '%s\n' alice bob)" ]
	run complete_bash logbook digest --until 2026_0
	[ "$output" = 2026_01_15 ]
	run complete_bash logbook export --host ''
	[ "$output" = "$(printf '%s\n' web1 db2)" ]
	# -C on the line names the journal
	other="$BATS_TEST_TMPDIR/other"
	lb init --timezone UTC "$other" >/dev/null
	run env -u LOGBOOK_DIR bash -c "source '$BASH_SCRIPT'; COMP_WORDS=(logbook -C '$other' remote rm ''); COMP_CWORD=5; _logbook; printf '%s\n' \"\${COMPREPLY[@]}\""
	[ -z "$output" ]
}

@test "bash: a value after '=' (bash splits the word there), fixed words, files" {
	world
	run complete_bash logbook show --color = a
	[ "$output" = "$(printf '%s\n' always auto)" ]
	run complete_bash logbook show --color =
	[ "$output" = "$(printf '%s\n' always never auto)" ]
	run complete_bash logbook hook ''
	[ "$output" = "$(printf '%s\n' bash zsh exit)" ]
	run complete_bash logbook help doc
	[ "$output" = doctor ]
	mkdir -p "$BATS_TEST_TMPDIR/files"
	: >"$BATS_TEST_TMPDIR/files/history.txt"
	run complete_bash logbook import --bash-history "$BATS_TEST_TMPDIR/files/hi"
	[ "$output" = "$BATS_TEST_TMPDIR/files/history.txt" ]
	run complete_bash logbook setup --timezone Europe/Par
	[ "$output" = Europe/Paris ]
}

@test "bash: no journal, no error: fewer candidates" {
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/none"
	export PATH="$(dirname "$LOGBOOK"):$PATH"
	run --separate-stderr complete_bash logbook show ''
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "" ]
}

@test "bash: Tab in an interactive bash completes a command and a remote" {
	world
	HOOK_LINE=": no hook; source '$BASH_SCRIPT'"
	start_shell bash
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l 'logbook remo'
	tmux -S "$TMUX_SOCK" send-keys -t 0 Tab
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l 'rm b'
	tmux -S "$TMUX_SOCK" send-keys -t 0 Tab
	for i in $(seq 50); do
		screen | grep -q 'PROMPT> logbook remote rm backup' && break
		sleep 0.1
	done
	screen | grep -q 'PROMPT> logbook remote rm backup' || fail "$(screen)"
}

# wait until the screen shows $1
screen_shows() {
	local i
	for i in $(seq 50); do
		screen | grep -qxF -- "$1" && return 0
		sleep 0.1
	done
	fail "not on the screen: '$1'
$(screen)"
}

@test "zsh: Tab with compinit completes commands, options, values after '=' and remotes" {
	world
	HOOK_LINE="fpath=('$ZSH_DIR' \$fpath); autoload -U compinit; compinit -u -d '$BATS_TEST_TMPDIR/zcompdump'"
	start_shell zsh
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l 'logbook doc'
	tmux -S "$TMUX_SOCK" send-keys -t 0 Tab
	screen_shows 'PROMPT> logbook doctor'
	tmux -S "$TMUX_SOCK" send-keys -t 0 C-u
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l 'logbook show --col'
	tmux -S "$TMUX_SOCK" send-keys -t 0 Tab
	screen_shows 'PROMPT> logbook show --color='
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l 'ne'
	tmux -S "$TMUX_SOCK" send-keys -t 0 Tab
	screen_shows 'PROMPT> logbook show --color=never'
	tmux -S "$TMUX_SOCK" send-keys -t 0 C-u
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l 'logbook remote rm '
	tmux -S "$TMUX_SOCK" send-keys -t 0 Tab
	screen_shows 'PROMPT> logbook remote rm backup'
	tmux -S "$TMUX_SOCK" send-keys -t 0 C-u
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l 'logbook list --user b'
	tmux -S "$TMUX_SOCK" send-keys -t 0 Tab
	screen_shows 'PROMPT> logbook list --user bob'
	tmux -S "$TMUX_SOCK" send-keys -t 0 C-u
	tmux -S "$TMUX_SOCK" send-keys -t 0 -l 'logbook show 2026_01'
	tmux -S "$TMUX_SOCK" send-keys -t 0 Tab
	screen_shows 'PROMPT> logbook show 2026_01_15'
}

@test "make install puts the completion scripts where bash-completion and zsh look" {
	root="$BATS_TEST_TMPDIR/root"
	make -s -o logbook -C "$BATS_TEST_DIRNAME/.." install DESTDIR="$root" PREFIX=/usr \
		ZSHCOMPDIR=/usr/share/zsh/vendor-completions >/dev/null
	cmp "$root/usr/share/bash-completion/completions/logbook" "$BASH_SCRIPT"
	cmp "$root/usr/share/zsh/vendor-completions/_logbook" "$ZSH_DIR/_logbook"
	make -s -o logbook -C "$BATS_TEST_DIRNAME/.." uninstall DESTDIR="$root" PREFIX=/usr \
		ZSHCOMPDIR=/usr/share/zsh/vendor-completions >/dev/null
	[ -z "$(find "$root" -type f)" ]
}

@test "logbook complete: usage" {
	run lb complete
	[ "$status" -eq 2 ]
	run lb complete --help
	[ "$status" -eq 0 ]
	run lb complete 0 logbook
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run lb complete 9 logbook
	[ "$status" -eq 0 ]
}
