#!/usr/bin/env bats
# logbook note: what an admin writes, as they would write it

load lib

@test "a note given as words is stored and shown on today's page" {
	new_journal
	run lb note Restarted nginx after the config change
	[ "$status" -eq 0 ]
	[ "$output" = "noted in $(today) (web1, seq 1)" ] || fail "$output"
	run lb show
	[ "$status" -eq 0 ]
	[[ "$output" == *"Restarted nginx after the config change"* ]]
	[[ "$output" == *web1*alice* ]]
}

# an editor script for $EDITOR/$VISUAL: writes its text into the file it is given
make_editor() {
	local name=$1 text=$2
	printf '%s' "$text" >"$BATS_TEST_TMPDIR/$name.text"
	printf '#!/bin/sh\ncat "%s" >"$1"\n' "$BATS_TEST_TMPDIR/$name.text" >"$BATS_TEST_TMPDIR/$name"
	chmod +x "$BATS_TEST_TMPDIR/$name"
	echo "$BATS_TEST_TMPDIR/$name"
}

@test "the words of a note are joined with single spaces, and spaces inside a word are kept" {
	new_journal
	lb note Restarted   nginx "after  the" change
	[ "$(last_field text)" = "Restarted nginx after  the change" ]
}

@test "a note is read from standard input when no text is given" {
	new_journal
	run lb note <<<"rotated the TLS certificate"
	[ "$status" -eq 0 ]
	[ "$(last_field text)" = "rotated the TLS certificate" ]
}

@test "a multi-line note from standard input keeps its lines and indentation" {
	new_journal
	printf 'Moved the wiki to the new VM.\n\n  steps:\n\t1. rsync\n\t2. dns\n' | lb note
	jsonl text "$(day_file)" >"$BATS_TEST_TMPDIR/got"
	printf 'Moved the wiki to the new VM.\n\n  steps:\n\t1. rsync\n\t2. dns' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	run lb show
	[[ "$output" == *"Moved the wiki to the new VM."* ]]
	[[ "$output" == *"2. dns"* ]]
}

@test "lines starting with '#' are kept in a note from standard input" {
	# only the editor's template lines are comments; a pasted root prompt is not
	new_journal
	printf '# apt-get upgrade\n#2 done\n' | lb note
	[ "$(last_field text)" = "# apt-get upgrade"$'\n'"#2 done" ]
}

@test "trailing newlines and blanks, and leading empty lines, are trimmed" {
	new_journal
	printf '\n\n  \nfirst line\nlast line  \n\n\n' | lb note
	[ "$(last_field text)" = "first line"$'\n'"last line" ]
	[ "$(last_field text | wc -l)" -eq 2 ]
}

@test "without text on a terminal, the note is written in \$EDITOR" {
	new_journal
	export EDITOR
	EDITOR=$(make_editor ed $'Replaced the disk of the backup server\n# a comment, left out\nsecond line\n')
	run on_tty "$LOGBOOK" note
	[ "$status" -eq 0 ]
	[ "$(last_field text)" = "Replaced the disk of the backup server"$'\n'"second line" ]
	# the message file is not left behind
	[ -z "$(find "$LOGBOOK_DIR/.state" -name '*EDITMSG*')" ]
}

@test "the editor is given a template that names the admin and host" {
	new_journal
	cat >"$BATS_TEST_TMPDIR/ed" <<-EOS
	#!/bin/sh
	cp "\$1" "$BATS_TEST_TMPDIR/template"
	echo "a note" >"\$1"
	EOS
	chmod +x "$BATS_TEST_TMPDIR/ed"
	EDITOR=$BATS_TEST_TMPDIR/ed on_tty "$LOGBOOK" note
	grep -q '^#.*alice' "$BATS_TEST_TMPDIR/template"
	grep -q '^#.*web1' "$BATS_TEST_TMPDIR/template"
	[ "$(last_field text)" = "a note" ]
}

@test "an edited note of comments only aborts with exit 1 and writes nothing" {
	new_journal
	export EDITOR
	EDITOR=$(make_editor ed $'# only a comment\n#another\n\n')
	run on_tty "$LOGBOOK" note
	[ "$status" -eq 1 ]
	[[ "$output" == *"logbook: note: "*empty* ]]
	[ ! -e "$(day_file)" ]
	[ -z "$(find "$LOGBOOK_DIR/.state" -name '*EDITMSG*')" ]
}

@test "an editor that fails aborts the note" {
	new_journal
	printf '#!/bin/sh\necho "would be a note" >"$1"\nexit 3\n' >"$BATS_TEST_TMPDIR/ed"
	chmod +x "$BATS_TEST_TMPDIR/ed"
	EDITOR=$BATS_TEST_TMPDIR/ed run on_tty "$LOGBOOK" note
	[ "$status" -eq 1 ]
	[[ "$output" == *"logbook: note: "*editor* ]]
	[ ! -e "$(day_file)" ]
}

@test "\$VISUAL beats \$EDITOR" {
	new_journal
	export VISUAL EDITOR
	VISUAL=$(make_editor visual "from visual")
	EDITOR=$(make_editor editor "from editor")
	run on_tty "$LOGBOOK" note
	[ "$status" -eq 0 ]
	[ "$(last_field text)" = "from visual" ]
}

@test "\$EDITOR may carry arguments, as in git" {
	new_journal
	printf '#!/bin/sh\n[ "$1" = --wait ] || exit 1\necho "with an argument" >"$2"\n' >"$BATS_TEST_TMPDIR/ed"
	chmod +x "$BATS_TEST_TMPDIR/ed"
	EDITOR="$BATS_TEST_TMPDIR/ed --wait" run on_tty "$LOGBOOK" note
	[ "$status" -eq 0 ]
	[ "$(last_field text)" = "with an argument" ]
}

@test "an empty note is refused with exit 1 and nothing is written" {
	new_journal
	for text in "" "   " $'\n\n' $'\t \n'; do
		run --separate-stderr lb note "$text"
		[ "$status" -eq 1 ] || fail "note '$text': exit $status"
		[[ "$stderr" == "logbook: note: "*empty* ]]
		run lb note <<<"$text"
		[ "$status" -eq 1 ] || fail "note <<<'$text': exit $status"
	done
	run lb note </dev/null
	[ "$status" -eq 1 ]
	[ ! -e "$(day_file)" ]
}

@test "a note of exactly 1 MiB is stored, one byte more is refused and nothing is written" {
	new_journal
	head -c 1048577 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
	run --separate-stderr lb note <"$BATS_TEST_TMPDIR/big"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: note: "* ]]
	[ ! -e "$(day_file)" ]
	head -c 1048576 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/max"
	run lb note <"$BATS_TEST_TMPDIR/max"
	[ "$status" -eq 0 ]
	jsonl text "$(day_file)" | cmp - "$BATS_TEST_TMPDIR/max"
}

@test "a note given as words over 1 MiB is refused" {
	new_journal
	local word
	word=$(head -c 100000 /dev/zero | tr '\0' y)
	run --separate-stderr lb note "$word" "$word" "$word" "$word" "$word" "$word" "$word" "$word" "$word" "$word" "$word"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: note: "* ]]
	[ ! -e "$(day_file)" ]
}

@test "'--' lets a note start with '-'; without it that is an unknown option" {
	new_journal
	run lb note -- -x is what fixed it
	[ "$status" -eq 0 ]
	[ "$(last_field text)" = "-x is what fixed it" ]
	run --separate-stderr lb note -x is what fixed it
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"-x"* ]]
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 1 ]
}

@test "valid UTF-8 is stored as text, without a base64 copy" {
	new_journal
	lb note "café ✓ 日本語 😀"
	[ "$(last_field text)" = "café ✓ 日本語 😀" ]
	run jsonl field "$(day_file)" -1 text_b64
	[ "$status" -ne 0 ]
}

@test "invalid UTF-8 round-trips exactly and the file stays valid UTF-8 JSON" {
	new_journal
	printf 'latin-1 caf\xe9, truncated \xe2\x82, overlong \xc0\xaf, surrogate \xed\xa0\x80, \xff\xfe' >"$BATS_TEST_TMPDIR/bytes"
	lb note <"$BATS_TEST_TMPDIR/bytes"
	jsonl text "$(day_file)" | cmp - "$BATS_TEST_TMPDIR/bytes"
	jsonl files "$LOGBOOK_DIR"
	# the readable copy has U+FFFD where the bytes were
	[[ "$(last_field text)" == "latin-1 caf"$'\xef\xbf\xbd'", truncated"* ]]
	# and show --json gives the same line as the file
	lb show --json | cmp - "$(day_file)"
}

@test "every byte 1..255 round-trips, from standard input and as words" {
	new_journal
	py -c 'import sys; sys.stdout.buffer.write(bytes(range(1, 256)))' >"$BATS_TEST_TMPDIR/all"
	lb note <"$BATS_TEST_TMPDIR/all"
	jsonl text "$(day_file)" | cmp - "$BATS_TEST_TMPDIR/all"
	local all
	all=$(cat "$BATS_TEST_TMPDIR/all")
	lb note "$all"
	jsonl text "$(day_file)" | cmp - "$BATS_TEST_TMPDIR/all"
	jsonl files "$LOGBOOK_DIR"
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 2 ]
}

@test "a NUL byte from standard input is kept" {
	new_journal
	printf 'before\0after' >"$BATS_TEST_TMPDIR/nul"
	lb note <"$BATS_TEST_TMPDIR/nul"
	jsonl text "$(day_file)" | cmp - "$BATS_TEST_TMPDIR/nul"
	run lb show
	[[ "$output" == *'before\x00after'* ]]
}

@test "escape sequences and BEL in a note are shown escaped, never sent raw" {
	new_journal
	printf 'red \033[31mALERT\033[0m bell\a title\033]0;pwned\007 csi\xc2\x9b2J' | lb note
	run lb show --color=never
	[ "$status" -eq 0 ]
	[[ "$output" == *'red \e[31mALERT\e[0m bell\x07 title\e]0;pwned\x07 csi\u009b2J'* ]]
	# no ESC, BEL or C1 CSI at all without colour
	lb show --color=never >"$BATS_TEST_TMPDIR/never"
	run -1 grep $'[\033\007]' "$BATS_TEST_TMPDIR/never"
	run -1 env LC_ALL=C grep $'\xc2\x9b' "$BATS_TEST_TMPDIR/never"
	# with colour, the only ESCs are logbook's own SGR sequences
	lb show --color=always >"$BATS_TEST_TMPDIR/always"
	grep -q $'\033\\[' "$BATS_TEST_TMPDIR/always"
	sed $'s/\033\\[[0-9;]*m//g' "$BATS_TEST_TMPDIR/always" >"$BATS_TEST_TMPDIR/stripped"
	run -1 grep $'[\033\007]' "$BATS_TEST_TMPDIR/stripped"
	cmp "$BATS_TEST_TMPDIR/never" "$BATS_TEST_TMPDIR/stripped"
}

@test "a carriage return cannot hide text on the terminal" {
	new_journal
	lb note $'rm -rf /srv/data\rharmless'
	run lb show --color=always
	[[ "$output" == *'rm -rf /srv/data\rharmless'* ]]
	[[ "$output" != *$'\r'* ]]
}

@test "bidi overrides and zero-width characters are shown escaped" {
	new_journal
	lb note $'abc\u202edcba\u200bx'
	run lb show
	[[ "$output" == *'abc\u202edcba\u200bx'* ]]
}

@test "a huge single-line note (900 KB) is stored and shown" {
	new_journal
	head -c 900000 /dev/zero | tr '\0' z >"$BATS_TEST_TMPDIR/huge"
	lb note <"$BATS_TEST_TMPDIR/huge"
	jsonl text "$(day_file)" | cmp - "$BATS_TEST_TMPDIR/huge"
	lb show >"$BATS_TEST_TMPDIR/page"
	# one line of the page ends with the whole note
	[ "$(grep -o 'note  z*  web1:1$' "$BATS_TEST_TMPDIR/page" | awk '{ print length($2) }')" -eq 900000 ]
}

@test "a note records version, kind, time, host, admin, account, session and the chain" {
	new_journal
	lb note fields
	local f
	f=$(day_file)
	[ "$(jsonl field "$f" 1 v)" = 1 ]
	[ "$(jsonl field "$f" 1 kind)" = note ]
	[[ "$(jsonl field "$f" 1 time)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$ ]]
	[ "$(jsonl field "$f" 1 host)" = web1 ]
	[ "$(jsonl field "$f" 1 admin)" = alice ]
	[ "$(jsonl field "$f" 1 account)" = "$(id -un)" ]
	[ -n "$(jsonl field "$f" 1 session)" ]
	[ "$(jsonl field "$f" 1 seq)" = 1 ]
	[ "$(jsonl field "$f" 1 prev)" = "$(printf '0%.0s' {1..64})" ]
	[ "$(jsonl field "$f" 1 text)" = fields ]
	# the common fields come first and in this order, for grep and less
	[[ "$(head -n1 "$f")" == '{"v":1,"kind":"note","time":"'*'","host":"web1","admin":"alice","account":"'*'","session":"'*'","seq":1,"prev":"'*'","text":"fields"}' ]]
}

@test "the time of a note is now" {
	new_journal
	local before after t
	before=$(date -u +%s)
	lb note timed
	after=$(date -u +%s)
	t=$(date -u -d "$(last_field time)" +%s)
	[ "$t" -ge "$before" ] && [ "$t" -le "$after" ]
}

@test "\$LOGBOOK_SESSION names the session; two notes of one shell share it" {
	new_journal
	LOGBOOK_SESSION=sess-42 lb note one
	[ "$(last_field session)" = sess-42 ]
	lb note two
	lb note three
	[ "$(jsonl field "$(day_file)" 2 session)" = "$(jsonl field "$(day_file)" 3 session)" ]
}

@test "\$LOGBOOK_USER names the admin and \$LOGBOOK_HOST the host and its file" {
	new_journal
	LOGBOOK_USER=bob LOGBOOK_HOST=db1 lb note from bob
	[ "$(last_field admin db1)" = bob ]
	[ "$(last_field host db1)" = db1 ]
	[ ! -e "$(day_file web1)" ]
}

@test "a host name that cannot be a file name is refused" {
	new_journal
	for h in ../etc x/y .hidden "a b" "$(printf 'h%.0s' {1..65})"; do
		run --separate-stderr env LOGBOOK_HOST="$h" "$LOGBOOK" note hello
		[ "$status" -eq 1 ] || fail "LOGBOOK_HOST='$h': exit $status"
		[[ "$stderr" == "logbook: "*LOGBOOK_HOST* ]] || fail "LOGBOOK_HOST='$h': $stderr"
	done
	[ "$(jsonl files "$LOGBOOK_DIR")" -eq 0 ]
	[ -z "$(find "$LOGBOOK_DIR" -name '*.jsonl')" ]
}

@test "an admin name with control characters is refused" {
	new_journal
	run --separate-stderr env LOGBOOK_USER=$'ev\033[2Jil' "$LOGBOOK" note hello
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: "*LOGBOOK_USER* ]]
	[ ! -e "$(day_file)" ]
}

@test "successive notes form a hash chain" {
	new_journal
	for i in 1 2 3 4 5; do
		lb note "note $i"
	done
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 5 ]
	local h
	h=$(head -n2 "$(day_file)" | tail -n1 | tr -d '\n' | sha256sum | cut -d' ' -f1)
	[ "$(jsonl field "$(day_file)" 3 prev)" = "$h" ]
}

@test "note says where the note went in one line; -q and --quiet say nothing" {
	new_journal
	run --separate-stderr lb note first
	[ "$status" -eq 0 ]
	[ "$output" = "noted in $(today) (web1, seq 1)" ] || fail "$output"
	run --separate-stderr lb note -q second
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ] || fail "$output $stderr"
	run --separate-stderr lb note --quiet third
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "$output"
	run lb note fourth
	[ "$output" = "noted in $(today) (web1, seq 4)" ] || fail "$output"
	[ "$(lb show --json | grep -c '"kind":"note"')" -eq 4 ]
}
