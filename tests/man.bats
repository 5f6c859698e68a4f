#!/usr/bin/env bats
# man/logbook.1: documents every command and option that exists, and is clean roff

load lib

MAN=$BATS_TEST_DIRNAME/../man/logbook.1

listed_commands() {
	"$LOGBOOK" help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

# the page as plain text
man_text() {
	groff -man -Tascii -P-cbou "$MAN" 2>/dev/null
}

@test "the man page has a subsection for every command listed by 'logbook help'" {
	[ -f "$MAN" ] || skip "man/logbook.1 is not written yet"
	local cmds
	cmds=$(listed_commands)
	[ -n "$cmds" ]
	for c in $cmds; do
		grep -qxF ".SS \"logbook $c\"" "$MAN" || fail "no .SS \"logbook $c\" in man/logbook.1"
	done
}

@test "the man page documents no command that does not exist" {
	[ -f "$MAN" ] || skip "man/logbook.1 is not written yet"
	local c
	for c in $(sed -n 's/^\.SS "logbook \([a-z-]*\)"$/\1/p' "$MAN"); do
		listed_commands | grep -qxF "$c" || fail "man/logbook.1 documents '$c', which 'logbook help' does not list"
	done
}

@test "every long option of every command's --help is in the man page" {
	[ -f "$MAN" ] || skip "man/logbook.1 is not written yet"
	local text c o
	text=$(man_text)
	for c in $(listed_commands); do
		for o in $(lb "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			[[ "$text" == *"$o"* ]] || fail "$c: $o is not in man/logbook.1"
		done
	done
	for o in $(lb --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		[[ "$text" == *"$o"* ]] || fail "logbook $o is not in man/logbook.1"
	done
}

@test "groff formats the man page without a warning" {
	[ -f "$MAN" ] || skip "man/logbook.1 is not written yet"
	command -v groff >/dev/null || skip "groff is not installed"
	run --separate-stderr groff -man -Tutf8 -ww -z "$MAN"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ] || fail "$stderr"
}

@test "the man page names the version it documents, or none" {
	[ -f "$MAN" ] || skip "man/logbook.1 is not written yet"
	local th
	th=$(grep -m1 '^\.TH' "$MAN")
	[ -n "$th" ]
	local v
	v=$(lb --version | cut -d' ' -f2)
	if [[ "$th" =~ [0-9]+\.[0-9]+\.[0-9]+ ]]; then
		[[ "$th" == *"$v"* ]] || fail "man page is for ${BASH_REMATCH[0]}, logbook is $v"
	fi
}

@test "the man page and the README say what the package and setup do" {
	local readme=$BATS_TEST_DIRNAME/../README.md
	# every command and machine report exists today
	run ! grep -n 'later versions' "$MAN"
	# setup shares the journal with the group logbook, never adm
	run ! grep -nE -- '-g adm\b|group (\\fB|\.BR? )?adm\b|^\.BR? adm( |,|$)' "$MAN" "$readme"
	run ! grep -nE 'shared by the group adm' "$readme"
	# the package installs /usr/bin/logbook: an alias line names it, or says make install
	run ! grep -nE '^echo .*/usr/local/bin/logbook' "$MAN"
	run ! grep -nE '^#.*"\|/usr/local/bin/logbook[^"]*"$' "$readme"
	# the docs it points at are where the package puts them
	run ! grep -nE '^\.I[RB]? docs/' "$MAN"
	grep -q '/usr/share/doc/logbook/docs/redaction.md' "$MAN"
	grep -qx 'docs' "$BATS_TEST_DIRNAME/../debian/logbook.docs"
	grep -qx 'README.md' "$BATS_TEST_DIRNAME/../debian/logbook.docs"
}
