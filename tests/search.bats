#!/usr/bin/env bats
# logbook search and list: the index in .state/ and what it finds

load lib

# a command on web1 (2023-11-14), a note on db1 (today), a diff on web1 (today),
# a command of bob on db1 (2023-11-15)
plant() {
	new_journal
	printf '#1700000000\nsystemctl restart nginx-frontend\n' >"$BATS_TEST_TMPDIR/h1"
	lb import --bash-history "$BATS_TEST_TMPDIR/h1" >/dev/null
	printf '#1700090000\nvacuumdb --all --analyze\n' >"$BATS_TEST_TMPDIR/h2"
	LOGBOOK_HOST=db1 LOGBOOK_USER=bob lb import --bash-history "$BATS_TEST_TMPDIR/h2" >/dev/null
	LOGBOOK_HOST=db1 lb note "moved the backup script to /opt/backup-tool"
	mkdir -p "$BATS_TEST_TMPDIR/srv"
	# a file others can read (and reach) is not sensitive: its diff is kept
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != "$(dirname "$BATS_RUN_TMPDIR")" ]; do
		chmod go+x "$d"
		d=$(dirname "$d")
	done
	chmod 755 "$BATS_TEST_TMPDIR/srv"
	printf 'listen 80\n' >"$BATS_TEST_TMPDIR/srv/app.txt"
	lb watch add "$BATS_TEST_TMPDIR/srv" >/dev/null
	printf 'listen 8443 ssl_quokka\n' >"$BATS_TEST_TMPDIR/srv/app.txt"
	lb commit -m "moved the site to tls" >/dev/null
}

@test "a command, a note and a diff on different hosts and days are found by a substring" {
	plant
	run --separate-stderr lb search restart
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "2023_11_14 22:13:20 web1:1 alice cmd: systemctl restart nginx-frontend" ]
	run lb search BACKUP-T
	[ "$status" -eq 0 ]
	[[ "$output" == "$(today) "*" db1:2 alice note: moved the backup script to /opt/backup-tool" ]]
	run lb search ssl_quok
	[ "$status" -eq 0 ]
	[[ "$output" == "$(today) "*" web1:2 alice change $BATS_TEST_TMPDIR/srv/app.txt: +listen 8443 ssl_quokka" ]] || fail "$output"
	run lb search --kind change app.txt
	[ "$status" -eq 0 ]
	[[ "$output" == *" web1:"[0-9]*" alice change: $BATS_TEST_TMPDIR/srv/app.txt" ]]
}

@test "search lists newest first and exits 1 when nothing matches" {
	plant
	run lb search --no-pager a
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "2023_11_14 "*"nginx-frontend" ]]
	[[ "${lines[-2]}" == "2023_11_15 "*"vacuumdb"* ]]
	run lb search 'no such thing anywhere'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "filters narrow the answer" {
	plant
	run lb search --host db1 a
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	run lb search --user bob a
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *vacuumdb* ]]
	run lb search --kind cmd a
	[ "${#lines[@]}" -eq 2 ]
	run lb search --since 2023-11-15 --until 2023_11_15 a
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *vacuumdb* ]]
	run lb search --until 2023-11-14 a
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *nginx-frontend* ]]
	run lb search --limit 1 --kind cmd a
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *vacuumdb* ]]
	run lb search --limit 0 a
	[ "$status" -eq 2 ]
	run lb search --since nonsense a
	[ "$status" -eq 2 ]
}

@test "deleting .state/ and searching again gives the same results" {
	plant
	local q before
	for q in a restart /opt ssl_quokka '"' 'NEAR(' x; do
		before=$(lb search --json "$q" || true)
		rm -rf "$LOGBOOK_DIR/.state"
		[ "$(lb search --json "$q" || true)" = "$before" ] || fail "$q differs"
		[ -f "$LOGBOOK_DIR/.state/index.sqlite" ]
	done
	before=$(lb list --json)
	rm -rf "$LOGBOOK_DIR/.state"
	[ "$(lb list --json)" = "$before" ]
}

@test "an index made of garbage is rebuilt" {
	plant
	lb search a >/dev/null
	head -c 20000 /dev/urandom >"$LOGBOOK_DIR/.state/index.sqlite"
	run --separate-stderr lb search restart
	[ "$status" -eq 0 ]
	[[ "$output" == *nginx-frontend ]]
}

@test "--json prints the stored lines, newest first" {
	plant
	run lb search --json --host db1 a
	[ "$status" -eq 0 ]
	local f=$LOGBOOK_DIR/2023/2023_11_15/db1.jsonl
	[ "${lines[1]}" = "$(cat "$f")" ]
	[ "${lines[0]}" = "$(grep backup-tool "$(day_file db1)")" ]
}

@test "a query with FTS syntax is taken literally" {
	new_journal
	lb note 'say "hi" to a*b NEAR(x) OR y'
	local q
	for q in '"' '"hi"' 'a*b' '*' 'NEAR(' 'OR y' 'hi" to' '(' ')'; do
		run --separate-stderr lb search "$q"
		[ "$status" -eq 0 ] || fail "$q: exit $status: $stderr"
		[[ "$output" == *'say "hi"'* ]] || fail "$q: $output"
	done
	run lb search 'NEAR(y'
	[ "$status" -eq 1 ]
}

@test "control sequences and invalid UTF-8 in a found command are shown escaped" {
	new_journal
	printf '#1700000000\necho \033]0;owned\007 \377\376 marker\n' >"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	run lb search marker
	[ "$status" -eq 0 ]
	[[ "$output" == *'echo \e]0;owned\x07 \xff\xfe marker' ]] || fail "$output"
	[[ "$output" != *$'\033'* ]]
	run lb list
	[[ "$output" != *$'\033'* ]]
}

@test "the match is highlighted in colour only when asked or on a terminal" {
	new_journal
	lb note "the quokka is here"
	run lb search quokka
	[[ "$output" != *$'\033'* ]]
	run lb search --color=always QUOKKA
	[[ "$output" == *$'\033[1;31mquokka\033[m'* ]]
}

@test "list shows records oldest first with the same filters" {
	plant
	run lb list --no-pager
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "2023_11_14 22:13:20 web1:1 alice cmd: systemctl restart nginx-frontend" ]]
	[[ "${lines[1]}" == "2023_11_15 "*" db1:1 bob cmd: vacuumdb --all --analyze" ]]
	run lb list --host db1 --kind note
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *backup-tool ]]
	run lb list --limit 1 --json
	[ "$output" = "$(cat "$LOGBOOK_DIR/2023/2023_11_14/web1.jsonl")" ]
	run lb list extra
	[ "$status" -eq 2 ]
}

@test "a reader who cannot write .state/ searches the files" {
	[ "$(id -u)" -eq 0 ] || skip "runs as nobody from root"
	plant
	lb search a >/dev/null
	chmod -R o+rX "$LOGBOOK_DIR"
	let_others_in
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	run --separate-stderr as_nobody "$LOGBOOK" search --json a
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "$(lb search --json a)" ]
	rm -rf "$LOGBOOK_DIR/.state/index.sqlite"
	before=$(snapshot "$LOGBOOK_DIR")
	run --separate-stderr as_nobody "$LOGBOOK" search restart
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *nginx-frontend ]]
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
}

@test "every --method gives the same answer, non-UTF-8 bytes and two-letter queries included" {
	plant
	printf '#1700000100\nls /srv/share/Caf\xe9-r\xe9sum\xe9.pdf\n' >"$BATS_TEST_TMPDIR/h3"
	LOGBOOK_HOST=git1 lb import --bash-history "$BATS_TEST_TMPDIR/h3" >/dev/null
	run lb search --method files 'Caf'
	[[ "$output" == *'ls /srv/share/Caf\xe9-r\xe9sum\xe9.pdf' ]] || fail "$output"
	local q m ref
	for q in restart BACKUP-T ssl_quok ta /opt Caf 'sum' 'nothing-like-this' "'" '"' '*'; do
		local rc=0
		ref=$(lb search --method files --no-pager -- "$q") || rc=$?
		for m in auto trigram text; do
			run lb search --method "$m" --no-pager -- "$q"
			[ "$output" = "$ref" ] && [ "$status" -eq "$rc" ] || fail "$m '$q': $output ($status) vs $ref ($rc)"
		done
		ref=$(lb search --method files --json -- "$q") || true
		[ "$(lb search --method trigram --json -- "$q" || true)" = "$ref" ] || fail "json '$q'"
	done
	run lb search --method fast x
	[ "$status" -eq 2 ]
}

@test "a hit in a huge one-line command shows the part around the match" {
	new_journal
	local long
	long="echo $(printf 'a%.0s' {1..3000}) needle-here $(printf 'b%.0s' {1..3000})"
	printf '#1700000000\n%s\n' "$long" >"$BATS_TEST_TMPDIR/h"
	lb import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	run lb search --no-pager needle-here
	[ "$status" -eq 0 ]
	[ "${#output}" -lt 300 ] || fail "${#output} bytes"
	[[ "$output" == *"cmd: ...aaaa"*"needle-here bbb"*"bbb..." ]] || fail "$output"
	# a match at the start of the line: no dots before it
	run lb search --no-pager 'echo aaa'
	[[ "$output" == *"cmd: echo aaa"*"aaa..." ]] || fail "$output"
	# --json keeps the whole record
	run lb search --json needle-here
	[ "${#output}" -gt 6000 ]
}
