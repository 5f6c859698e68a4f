#!/usr/bin/env bats
# logbook browse, the console application, driven as an admin drives it:
# the real binary in a real terminal (tmux, its own server and socket),
# keys sent with send-keys, the screen read back with capture-pane.  The
# terminal's modes (stty -g) are compared before and after in the pane
# itself, on every way out: q, and the signals.

load lib

W=80
H=24

# a tmux server of each test's own
SOCK="lb-browse-$$-${BATS_TEST_NUMBER:-0}"

teardown() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
}

# the day of tests/page-day.py (a diff of /etc/nginx/nginx.conf, mails, warnings)
world() {
	new_journal
	py "$BATS_TEST_DIRNAME/page-day.py" "$LOGBOOK_DIR" 2026_11_24
	lb note "today's note on web1" >/dev/null
}

# start browse ARGS... in a pane of W x H; the pane's shell notes the
# terminal's modes before and after, and browse's exit status
start() {
	local script=$BATS_TEST_TMPDIR/pane.bash
	OUT=$BATS_TEST_TMPDIR/pane
	mkdir -p "$OUT"
	rm -f "$OUT"/*
	{
		printf 'export TERM=%q\n' "${BROWSE_TERM:-xterm-256color}"
		[ -n "${BROWSE_NO_COLOR:-}" ] && echo 'export NO_COLOR=1'
		echo "stty -g >$OUT/before"
		printf '%q browse' "$LOGBOOK"
		[ $# -eq 0 ] || printf ' %q' "$@"
		echo " 2>$OUT/stderr"
		echo "echo \$? >$OUT/rc"
		echo "stty -g >$OUT/after"
		echo 'sleep 600'
	} >"$script"
	LC_ALL=C.UTF-8 tmux -u -L "$SOCK" -f /dev/null new-session -d -x "$W" -y "$H" "bash $script"
	shows 'q back' || fail "$(cat "$OUT"/stderr "$OUT"/rc 2>&1)"
}

screen() {
	tmux -L "$SOCK" capture-pane -p -t 0
}

keys() {
	tmux -L "$SOCK" send-keys -t 0 "$@"
}

# wait until the screen holds $1 (a fixed string)
shows() {
	for _ in $(seq 100); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	fail "not on the screen: '$1'
$(screen)"
}

# wait until the screen no longer holds $1
gone() {
	for _ in $(seq 100); do
		screen | grep -qF -- "$1" || return 0
		sleep 0.05
	done
	fail "still on the screen: '$1'
$(screen)"
}

# the line the cursor is on (drawn in reverse video), as text
cursor_line() {
	tmux -L "$SOCK" capture-pane -p -e -t 0 | sed -n '2,$p' | grep -m1 $'\033\\[7m' | sed 's/\x1b\[[0-9;]*m//g'
}

# the position on the status line, "N/M"
position() {
	screen | tail -n 1 | grep -o '[0-9]*/[0-9]*' | tail -n 1
}

# move the cursor down (j) to the first line holding $1, a redraw after each key
move_to() {
	local pos
	for _ in $(seq 60); do
		cursor_line | grep -qF -- "$1" && return 0
		pos=$(position)
		keys j
		for _ in $(seq 40); do
			[ "$(position)" != "$pos" ] && break
			sleep 0.05
		done
	done
	fail "no line '$1' under the cursor: $(screen)"
}

# wait for browse to end; its exit status, and the terminal as it was
ended() {
	for _ in $(seq 100); do
		[ -s "$OUT/after" ] && break
		sleep 0.05
	done
	[ -s "$OUT/after" ] || fail "browse did not end: $(screen)"
	[ "$(cat "$OUT/before")" = "$(cat "$OUT/after")" ] ||
		fail "terminal modes differ: $(cat "$OUT/before") / $(cat "$OUT/after")"
}

# the pid of browse in the pane (logbook execs logbook-browse: the pane's child)
browse_pid() {
	pgrep -P "$(tmux -L "$SOCK" display -p -t 0 '#{pane_pid}')"
}

# a day, a diff unfolded, a search for the planted path, its page, back, a resize, quit
walk() {
	world
	start
	shows '2026_11_24 Tue'
	shows "  $(today) "	# not new: alice's own note (11_24 is older than the news' first week)
	keys j Enter
	shows 'Tuesday 24 November 2026'
	# to the change, folded, and open it
	move_to '~ /etc/nginx/nginx.conf'
	shows '~ /etc/nginx/nginx.conf  1 line changed [+'
	screen | grep -qF 'keepalive_timeout 15' && fail "the diff is not folded: $(screen)"
	keys Enter
	shows '+       keepalive_timeout 15;'
	keys Enter
	gone '+       keepalive_timeout 15;'
	# search as you type: each key narrows; Enter opens the page at the line of the match
	keys /
	keys -l 'keepalive_timeout 1'
	shows '/keepalive_timeout 1'
	shows 'web1:28 alice change /etc/nginx/nginx.conf: +       keepaliv'
	keys Enter
	shows '2026_11_24  (32 records)'
	cursor_line | grep -qF '+       keepalive_timeout 15;' || fail "not at the match: $(cursor_line) / $(screen)"
	# back to the results, resize, back to the list
	keys q
	shows 'search: 1 record'
	tmux -L "$SOCK" resize-window -t 0 -x 100 -y 30
	shows 'search: 1 record'
	[ "$(tmux -L "$SOCK" capture-pane -p -t 0 | wc -l)" -eq 30 ]
	keys Escape
	shows '2026_11_24  (32 records)'
	keys q
	shows '2026_11_24 Tue'
	# the status line stays the last line
	[ "$(screen | tail -n 1 | cut -c1-6)" = "q back" ] || fail "$(screen)"
	keys q
	ended
	[ "$(cat "$OUT/rc")" -eq 0 ]
	[ ! -s "$OUT/stderr" ] || fail "$(cat "$OUT/stderr")"
}

@test "80x24: a day, a diff unfolded, a search opened at its record, back, resize, quit; the terminal as before" {
	walk
}

@test "200x50: the same walk" {
	W=200 H=50 walk
}

@test "[ and ] go to the day before and after; g and G; help; y shows and sends the reference" {
	world
	start -1
	shows "$(date -u -d yesterday +%Y_%m_%d)  (0 records)"
	keys q q
	ended
	tmux -L "$SOCK" kill-server
	start 2026_11_24
	shows 'Tuesday 24 November 2026'
	keys ']'
	shows "today's note on web1"
	keys '['
	shows 'Tuesday 24 November 2026'
	keys '['
	shows 'no older day'
	keys G
	cursor_line | grep -qF "psql -c 'select 1'" || fail "$(cursor_line)"
	keys g
	keys '?'
	shows 'Read-only: browsing never writes a record'
	keys q
	keys /
	keys -l 'nginx -t'
	shows 'web1:5 alice cmd: nginx -t'
	keys Escape
	keys Down
	keys y
	shows 'copied web1:5'
	keys q q q
	ended
}

@test "a hostile record: escape sequences, bidi controls and a 1 MB line are shown escaped, the screen intact" {
	world
	# a valid chain of host evil, its note's text too long for an argument
	py - "$BATS_TEST_DIRNAME" "$LOGBOOK_DIR" >/dev/null <<-'EOF'
	import json, sys
	sys.path.insert(0, sys.argv[1])
	sys.dont_write_bytecode = True
	import jsonl
	text = "evil \x1b[31mRED\x1b]0;owned\x07 \x1b[2J\u202egnp.exe\u202c \x9b6n " + "A" * (1 << 20) + " tail"
	jsonl.cmd_append(sys.argv[2], "evil", "2026-11-24T10:00:00", "note", json.dumps({"text": text}))
	EOF
	start
	keys /
	keys -l owned
	shows 'evil:1 root note: evil \e[31mRED\e]0;owned\x07 \e[2J\u202e'
	keys Enter
	shows 'note  evil \e[31mRED\e]0;owned\x07 \e[2J\u202egnp.exe\u202c'
	# what the terminal got: no colour the record asked for, nothing past the line's end, the status line last
	run tmux -L "$SOCK" capture-pane -p -e -t 0
	line=$(grep -F 'evil \e[31m' <<<"$output")
	[[ "$line" != *$'\033[31m'* ]] || fail "$line"
	[ "$(tmux -L "$SOCK" display -p -t 0 '#{pane_title}')" != owned ] || fail "the title was set"
	[ "$(screen | wc -l)" -eq 24 ]
	[ "$(screen | tail -n 1 | cut -c1-6)" = "q back" ] || fail "$(screen)"
	[ "$(screen | head -n 1 | cut -c1-11)" = " 2026_11_24" ] || fail "$(screen)"
	cursor_line | grep -qF 'evil \e[31mRED' || fail "not at the record: $(screen)"
	grep -qF ' tail' <<<"$(screen)" && fail "the 1 MB line was not cut at the edge"
	# the same bytes show prints for it
	run lb show --color=never 2026_11_24
	[[ "$output" == *'evil \e[31mRED\e]0;owned\x07 \e[2J\u202egnp.exe\u202c \u009b6n AAAA'* ]] || fail "${output:0:2000}"
	keys q q q
	ended
}

@test "colour without NO_COLOR, none with it; TERM=vt100 and TERM=linux work" {
	world
	start 2026_11_24
	shows 'alice (root)'
	tmux -L "$SOCK" capture-pane -p -e -t 0 | grep -qE $'\033\\[([0-9;]*;)?(3[1-7]|38;5;[0-9]+)(;[0-9;]*)?m' || fail "no colour: $(tmux -L "$SOCK" capture-pane -p -e -t 0)"
	keys q q
	ended
	tmux -L "$SOCK" kill-server
	BROWSE_NO_COLOR=1 start 2026_11_24
	shows 'alice (root)'
	run tmux -L "$SOCK" capture-pane -p -e -t 0
	if grep -qE $'\033\\[([0-9;]*;)?(3[1-7]|38;5;[0-9]+)(;[0-9;]*)?m' <<<"$output"; then
		fail "colour with NO_COLOR: $output"
	fi
	keys q q
	ended
	for term in vt100 linux; do
		tmux -L "$SOCK" kill-server
		BROWSE_TERM=$term start 2026_11_24
		shows 'alice (root)'
		keys q q
		ended
		[ "$(cat "$OUT/rc")" -eq 0 ]
	done
}

@test "the terminal is given back on SIGTERM, SIGINT, SIGHUP and SIGQUIT" {
	world
	for sig in TERM INT HUP QUIT; do
		tmux -L "$SOCK" kill-server 2>/dev/null || true
		start
		kill -s "$sig" "$(browse_pid)"
		ended
		[ "$(cat "$OUT/rc")" -ne 0 ]
	done
}

@test "read-only: no file of the journal changes but the news marker" {
	world
	LOGBOOK_USER=bob lb note "bob was here" >/dev/null
	# the index and the incident cache up to date (browse brings them up to
	# date as search and incident list do: derived data); the index keeps
	# what it read only once its directories are 2 s old (index-scan.c)
	sleep 2.1
	lb search nginx >/dev/null
	lb incident list >/dev/null
	# SQLite's shared memory beside the index is written by every reader (its read marks)
	snapshot "$LOGBOOK_DIR" | grep -v -e '\./\.state/news' -e 'index\.sqlite-shm' >"$BATS_TEST_TMPDIR/before"
	start
	shows "* $(today) "
	keys Enter
	shows 'bob was here'
	keys q
	keys /
	keys -l nginx
	shows 'search: '
	keys Enter
	keys q q u
	shows 'news: 1 record since your last look'
	shows 'bob note: bob was here'
	keys q
	gone "* $(today) "
	keys q
	ended
	snapshot "$LOGBOOK_DIR" | grep -v -e '\./\.state/news' -e 'index\.sqlite-shm' >"$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ -s "$LOGBOOK_DIR/.state/news/alice" ]
	# the place moved: news has nothing new for alice
	run lb news --no-pager
	[[ "$output" == *"nothing new since you last looked"* ]] || fail "$output"
}

@test "an open incident leads the day list and opens its timeline; t shows a record's replies" {
	world
	lb incident open "web1 down" >"$BATS_TEST_TMPDIR/open"
	id=$(grep -o 'web1:[0-9]*' "$BATS_TEST_TMPDIR/open" | head -n 1)
	[ -n "$id" ] || fail "$(cat "$BATS_TEST_TMPDIR/open")"
	LOGBOOK_USER=bob lb note --reply "$id" "on it" >/dev/null
	start
	shows "incident $id"
	shows 'incident'
	keys g Enter
	shows "incident $id: timeline"
	shows 'on it'
	keys q
	keys j Enter
	shows "today's note on web1"
	move_to 'on it'
	keys t
	shows "thread of $id"
	shows '> '
	shows 'bob: on it'
	keys q q q
	ended
}

@test "browse needs a terminal; --help; a bad day is a usage error" {
	world
	run lb browse </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"browse: needs a terminal"* ]]
	run lb browse --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook browse"* ]]
	[[ "$output" == *"writes no record"* ]]
	run lb browse nosuchday
	[ "$status" -eq 2 ]
	run lb browse -1 -2
	[ "$status" -eq 2 ]
	[[ "$output" == *"one day, not '-1' and '-2'"* ]]
}
