#!/usr/bin/env bats
# logbook export --dokuwiki, and show --format: the pages, which days are
# written again, the namespace, errors, and sync's export.  The pages in a
# real DokuWiki and browser: tests/export-wiki.bats.

load lib

GEN="$BATS_TEST_DIRNAME/../build/bench/gen"

setup() {
	export TZ=UTC LC_ALL=C
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/journal"
	export LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER VISUAL EDITOR PAGER NO_COLOR LESS
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	WIKI=$BATS_TEST_TMPDIR/pages
	mkdir -p "$WIKI"
}

# 3 days (2026_01_05 to _07) of 2 hosts, 20 records each
three_days() {
	"$GEN" --logbook "$LOGBOOK" --hosts 2 --admins 3 --days 3 --per-day 20 "$LOGBOOK_DIR" >/dev/null
}

# append a note of HOST to DAY (YYYY-MM-DD) at noon, as another logbook would:
# the next seq of the host's chain, its cache invalidated
append_note() {
	py - "$LOGBOOK_DIR" "$@" <<-'EOF'
	import glob, hashlib, json, os, sys
	top, host, day, text = sys.argv[1:5]
	best = None
	for path in glob.glob(os.path.join(top, "*", "*", host + ".jsonl")):
	    for line in open(path, "rb").read().split(b"\n"):
	        if line:
	            r = json.loads(line)
	            if best is None or r["seq"] > best[0]:
	                best = (r["seq"], line)
	seq, prev = (best[0] + 1, hashlib.sha256(best[1]).hexdigest()) if best else (1, "0" * 64)
	rec = {"v": 1, "kind": "note", "time": day + "T12:00:00.000000Z", "host": host, "admin": "zed",
	       "account": "root", "session": "", "seq": seq, "prev": prev, "text": text}
	d = day.replace("-", "_")
	os.makedirs(os.path.join(top, d[:4], d), exist_ok=True)
	with open(os.path.join(top, d[:4], d, host + ".jsonl"), "ab") as f:
	    f.write(json.dumps(rec, separators=(",", ":")).encode() + b"\n")
	cache = os.path.join(top, ".state", "chain", host)
	if os.path.exists(cache):
	    open(cache, "w").close()
	EOF
}

# inode and mtime of each page: which were written
pages_stamp() {
	(cd "$WIKI/journal" && stat -c '%n %i %Y.%y' ./*.txt)
}

@test "export writes one page per day and an index, newest first, with who worked on which host" {
	three_days
	run --separate-stderr lb export --dokuwiki "$WIKI"
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "Exported 3 days into $WIKI/journal: 3 pages written, and the index start.txt." ]
	[ "$(cd "$WIKI/journal" && ls)" = "$(printf '%s\n' 2026_01_05.txt 2026_01_06.txt 2026_01_07.txt start.txt)" ]
	# each page is what show --format dokuwiki prints for its day
	for d in 2026_01_05 2026_01_06 2026_01_07; do
		lb show --format dokuwiki "$d" | cmp - "$WIKI/journal/$d.txt"
	done
	run grep '^  \* ' "$WIKI/journal/start.txt"
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == "  * [[:journal:2026_01_07|2026_01_07]] Wednesday 7 January 2026: **<nowiki>db1</nowiki>** "*"; **<nowiki>web1</nowiki>** "* ]]
	[[ "${lines[2]}" == "  * [[:journal:2026_01_05|2026_01_05]] Monday 5 January 2026: "* ]]
	# the admins of each host, from the records
	local admins
	admins=$(lb show --json 2026_01_07 | py -c '
import json, sys
print(", ".join(sorted({json.loads(l)["admin"] for l in sys.stdin if json.loads(l)["host"] == "web1"})))')
	[[ "${lines[0]}" == *"**<nowiki>web1</nowiki>** <nowiki>${admins//, /</nowiki>, <nowiki>}</nowiki>" ]]
}

@test "a second export writes nothing; a new record rewrites only its day and the index" {
	three_days
	lb export --dokuwiki "$WIKI" >/dev/null
	local before
	before=$(pages_stamp)
	run lb export --dokuwiki "$WIKI"
	[ "$output" = "Exported 3 days into $WIKI/journal: 0 pages written." ]
	[ "$(pages_stamp)" = "$before" ]

	append_note db1 2026-01-06 "late note about the 6th"
	run lb export --dokuwiki "$WIKI"
	[ "$output" = "Exported 3 days into $WIKI/journal: 1 page written, and the index start.txt." ]
	diff <(echo "$before" | grep -v -e 2026_01_06 -e start) <(pages_stamp | grep -v -e 2026_01_06 -e start)
	grep -q 'late note about the 6th' "$WIKI/journal/2026_01_06.txt"
	grep -q 'zed' "$WIKI/journal/start.txt"
	# a day that was not there before
	append_note web1 2026-02-01 "a new day"
	run lb export --dokuwiki "$WIKI"
	[ "$output" = "Exported 4 days into $WIKI/journal: 1 page written, and the index start.txt." ]
	[ "$(grep '^  \* ' "$WIKI/journal/start.txt" | head -n 1)" = \
		"  * [[:journal:2026_02_01|2026_02_01]] Sunday 1 February 2026: **<nowiki>web1</nowiki>** <nowiki>zed</nowiki>" ]
}

@test "pages are replaced by rename, never rewritten in place, and no temporary file stays" {
	three_days
	lb export --dokuwiki "$WIKI" >/dev/null
	local ino
	ino=$(stat -c %i "$WIKI/journal/2026_01_05.txt")
	append_note web1 2026-01-05 "another"
	lb export --dokuwiki "$WIKI" >/dev/null
	[ "$(stat -c %i "$WIKI/journal/2026_01_05.txt")" != "$ino" ]
	[ -z "$(find "$WIKI" -name '*.tmp')" ]
	# only pages end in .txt: DokuWiki lists nothing else
	[ "$(cd "$WIKI/journal" && ls -A | grep -v '\.txt$')" = "$(printf '%s\n' .logbook-export.json .logbook-export.lock)" ]
}

@test "a page deleted or edited in the wiki is written again; --force writes every page" {
	three_days
	lb export --dokuwiki "$WIKI" >/dev/null
	rm "$WIKI/journal/2026_01_06.txt"
	echo "vandalised" >"$WIKI/journal/2026_01_07.txt"
	run lb export --dokuwiki "$WIKI"
	[ "$output" = "Exported 3 days into $WIKI/journal: 2 pages written." ]
	lb show --format dokuwiki 2026_01_07 | cmp - "$WIKI/journal/2026_01_07.txt"
	[ -f "$WIKI/journal/2026_01_06.txt" ]
	run lb export --dokuwiki "$WIKI" --force
	[ "$output" = "Exported 3 days into $WIKI/journal: 3 pages written, and the index start.txt." ]
	# a lost state file costs rendering every day again; pages that come
	# out the same are left alone (the wiki's cache of them stays good)
	local before
	before=$(pages_stamp)
	rm "$WIKI/journal/.logbook-export.json"
	run lb export --dokuwiki "$WIKI"
	[ "$output" = "Exported 3 days into $WIKI/journal: 0 pages written." ]
	echo "{not json" >"$WIKI/journal/.logbook-export.json"
	run lb export --dokuwiki "$WIKI"
	[ "$status" -eq 0 ]
	[ "$output" = "Exported 3 days into $WIKI/journal: 0 pages written." ]
	[ "$(pages_stamp)" = "$before" ]
	# and a day whose files were written again with the same records (a sync
	# checking them out) keeps its page
	touch "$WIKI/../journal/2026/2026_01_05/web1.jsonl"
	run lb export --dokuwiki "$WIKI"
	[ "$output" = "Exported 3 days into $WIKI/journal: 0 pages written." ]
	[ "$(pages_stamp)" = "$before" ]
}

@test "a new team time zone writes every page again" {
	three_days
	lb export --dokuwiki "$WIKI" >/dev/null
	git config -f "$LOGBOOK_DIR/team.conf" team.timezone Europe/Paris
	run lb export --dokuwiki "$WIKI"
	[ "$output" = "Exported 3 days into $WIKI/journal: 3 pages written." ]
	grep -q 'Europe/Paris' "$WIKI/journal/2026_01_05.txt"
}

@test "--namespace is cleaned as DokuWiki cleans page names, and nested with ':'" {
	three_days
	run lb export --dokuwiki "$WIKI" --namespace "Admin Log"
	[ "$status" -eq 0 ]
	[ -f "$WIKI/admin_log/2026_01_05.txt" ]
	grep -q '\[\[:admin_log:2026_01_05|' "$WIKI/admin_log/start.txt"
	lb export --dokuwiki "$WIKI" --namespace "ops:Journal" >/dev/null
	[ -f "$WIKI/ops/journal/start.txt" ]
	grep -q '\[\[:ops:journal:2026_01_05|' "$WIKI/ops/journal/start.txt"
	lb export --dokuwiki "$WIKI" --namespace "  ..Team/Log..__x  " >/dev/null
	[ -f "$WIKI/team_log.._x/start.txt" ]
	lb export --dokuwiki "$WIKI" --namespace "a;b:._c" >/dev/null
	[ -f "$WIKI/a/b/c/start.txt" ]
}

@test "namespaces are cleaned exactly as DokuWiki's own cleanID does" {
	[ -f /usr/share/dokuwiki/inc/pageutils.php ] && command -v php >/dev/null || skip "needs dokuwiki and php-cli"
	new_journal
	# hand-picked names, then random ones from the characters that matter
	py -c '
import random
names = ["Admin Log", "a;b:._c", ":::", "x//y", "A*B", "\"q\"", "a:_b_:c", "-a-", "a..:..b", "x/y;z", "__",
         "ops:Journal", "a-.-b", ". . .", "1:2:3", "a b\tc", "{x}[y]", "~~x~~", "a:-:b", "logbook@host"]
rnd = random.Random(8)
chars = "aZ09 _-.:;/*#%&?!|~@+=,\t"
for _ in range(150):
    names.append("".join(rnd.choice(chars) for _ in range(rnd.randint(1, 10))))
print("\n".join(names))' >"$BATS_TEST_TMPDIR/names"
	php "$BATS_TEST_DIRNAME/dokuwiki-cleanid.php" <"$BATS_TEST_TMPDIR/names" >"$BATS_TEST_TMPDIR/theirs"
	local name theirs ours n=0
	while IFS= read -r name && IFS= read -r theirs <&3; do
		run --separate-stderr lb export --dokuwiki "$WIKI" --namespace "$name"
		if [ -z "$theirs" ]; then
			[ "$status" -eq 2 ] || fail "'$name': DokuWiki makes nothing of it, logbook exported: $output"
			continue
		fi
		[ "$status" -eq 0 ] || fail "'$name': $stderr"
		ours=${output#"Exported 0 days into $WIKI/"}
		ours=${ours%%: *}
		[ "$ours" = "${theirs//://}" ] || fail "'$name': DokuWiki: $theirs, logbook: $ours"
		n=$((n + 1))
	done <"$BATS_TEST_TMPDIR/names" 3<"$BATS_TEST_TMPDIR/theirs"
	[ "$n" -gt 100 ]
}

@test "bad usage exits 2; a missing pages directory exits 1 naming it" {
	new_journal
	run --separate-stderr lb export
	[ "$status" -eq 2 ]
	[[ "$stderr" == "logbook: export: --dokuwiki DIR is required"* ]]
	run --separate-stderr lb export --dokuwiki "$WIKI" extra
	[ "$status" -eq 2 ]
	run --separate-stderr lb export --dokuwiki "$WIKI" --namespace ":::"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"namespace ':::'"* ]]
	run --separate-stderr lb export --dokuwiki "$WIKI" --namespace "café"
	[ "$status" -eq 2 ]
	run --separate-stderr lb export --dokuwiki "$WIKI" --bogus
	[ "$status" -eq 2 ]
	run --separate-stderr lb export --dokuwiki "$BATS_TEST_TMPDIR/nowhere"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: export: $BATS_TEST_TMPDIR/nowhere: not a directory"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/nowhere" ]
	run lb export --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook export --dokuwiki DIR"* ]]
}

@test "a pages directory that cannot be written is an error naming the file" {
	[ "$(id -u)" -eq 0 ] || skip "runs as nobody from root"
	new_journal
	lb note something
	chmod -R o+rX "$LOGBOOK_DIR"
	chmod 0555 "$WIKI"
	let_others_in
	run --separate-stderr as_nobody "$LOGBOOK" export --dokuwiki "$WIKI"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: export: $WIKI/journal: "* ]]
}

@test "a damaged line is reported with its file and line, and the rest of the day exported" {
	new_journal
	lb note before
	echo '{"broken json' >>"$(day_file)"
	lb note after
	run --separate-stderr lb export --dokuwiki "$WIKI"
	[ "$status" -eq 0 ]
	[[ "$stderr" == "logbook: $(day_file):2: "* ]]
	grep -q before "$WIKI/journal/$(today).txt"
	grep -q after "$WIKI/journal/$(today).txt"
}

@test "sync exports into team.conf's export.dokuwiki (relative: to the journal), in export.namespace" {
	new_journal
	lb note synced
	git config -f "$LOGBOOK_DIR/team.conf" export.dokuwiki "$WIKI"
	git config -f "$LOGBOOK_DIR/team.conf" export.namespace "Admin:Journal"
	run --separate-stderr lb sync
	[ "$status" -eq 0 ] || fail "$stderr"
	grep -q synced "$WIKI/admin/journal/$(today).txt"
	# a wiki that is gone is reported, the sync still done
	git config -f "$LOGBOOK_DIR/team.conf" export.dokuwiki "$BATS_TEST_TMPDIR/gone"
	run --separate-stderr lb sync
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"logbook: export: $BATS_TEST_TMPDIR/gone: not a directory"* ]]
	mkdir "$LOGBOOK_DIR/.state/wiki"
	git config -f "$LOGBOOK_DIR/team.conf" export.dokuwiki .state/wiki
	(cd / && lb sync >/dev/null)
	grep -q synced "$LOGBOOK_DIR/.state/wiki/admin/journal/$(today).txt"
}

@test "show --format text is show; dokuwiki is the exported page" {
	new_journal
	lb note "one **two**"
	printf 'a\nb' | lb note
	diff <(lb show) <(lb show --format text)
	diff <(lb show --color=always) <(lb show --format=text --color=always)
	lb export --dokuwiki "$WIKI" >/dev/null
	lb show --format dokuwiki | cmp - "$WIKI/journal/$(today).txt"
	run --separate-stderr lb show --format html
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--format takes text, dokuwiki or markdown, not 'html'"* ]]
	run --separate-stderr lb show --format markdown --json
	[ "$status" -eq 2 ]
}

@test "show --format markdown: notes escaped, commands fenced past any backtick run" {
	new_journal
	lb note '# not a heading *not em* [not](a link) <b>raw</b> `code`'
	py "$BATS_TEST_DIRNAME/wiki-corpus.py" "$LOGBOOK_DIR" hostile
	run lb show --format markdown 2026-11-20
	[ "$status" -eq 0 ]
	[[ "$output" == "# 2026_11_20: Friday 20 November 2026"* ]]
	[[ "$output" == *'```bash'* ]]
	# a command holding ``` gets a fence of four
	[[ "$output" == *$'````bash\n$ <code bash>'* ]]
	run lb show --format markdown
	[[ "$output" == *'\# not a heading \*not em\* \[not\]\(a link\) \<b\>raw\<\/b\> \`code\`'* ]]
}

# the HTML a CommonMark renderer makes of show --format markdown, raw HTML allowed
commonmark() {
	cmark-gfm --unsafe -e table -e strikethrough -e tasklist
}

@test "markdown of hostile records has the elements of the same records in plain words (cmark-gfm)" {
	command -v cmark-gfm >/dev/null || skip "cmark-gfm is not installed"
	local h=$BATS_TEST_TMPDIR/h b=$BATS_TEST_TMPDIR/b
	lb init --timezone UTC "$h" >/dev/null
	lb init --timezone UTC "$b" >/dev/null
	py "$BATS_TEST_DIRNAME/wiki-corpus.py" "$h" hostile
	py "$BATS_TEST_DIRNAME/wiki-corpus.py" "$b" benign
	lb -C "$h" show --format markdown 2026-11-20 | commonmark >"$h.html"
	lb -C "$b" show --format markdown 2026-11-20 | commonmark >"$b.html"
	py "$BATS_TEST_DIRNAME/wiki-dom.py" check "$h.html" --whole
	diff -u <(py "$BATS_TEST_DIRNAME/wiki-dom.py" skeleton "$b.html" --whole) \
		<(py "$BATS_TEST_DIRNAME/wiki-dom.py" skeleton "$h.html" --whole)
	py "$BATS_TEST_DIRNAME/wiki-dom.py" text "$h.html" --whole | tr -d ' \n\t' >"$h.text"
	py "$BATS_TEST_DIRNAME/wiki-corpus.py" --strings | py -c '
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
missing = [s for s in (json.loads(l) for l in sys.stdin) if re.sub(r"\s+", "", s) not in text]
for s in missing:
    print("not in the HTML as text: %r" % s)
sys.exit(1 if missing else 0)' "$h.text"
}

@test "the day page in DokuWiki and Markdown: per host, the note, one block of commands, the diff, the signature" {
	new_journal
	py "$BATS_TEST_DIRNAME/page-day.py" "$LOGBOOK_DIR" 2026_11_24
	run lb export --dokuwiki "$WIKI"
	[ "$status" -eq 0 ]
	local page=$WIKI/journal/2026_11_24.txt
	# a heading per host, none per session
	[ "$(grep -c '^===== ' "$page")" -eq 2 ]
	grep -qx '===== web1 =====' "$page"
	# web1's 17 commands in one block, as a history; routine ones counted
	[ "$(sed -n '/^===== web1/,/^===== db1/p' "$page" | grep -c '^<code bash>')" -eq 1 ]
	[ "$(sed -n '/^<code bash>/,/^<\/code>/p' "$page" | head -n 19 | grep -c '^\$ ')" -eq 17 ]
	grep -qx '\$ nginx -t  # exit 1, in /etc/nginx' "$page"
	grep -qx '//3 routine commands not shown//' "$page"
	local note code diff sign
	note=$(grep -n 'nginx answered 502' "$page" | cut -d: -f1)
	code=$(grep -n '^<code bash>' "$page" | head -n 1 | cut -d: -f1)
	diff=$(grep -n '^<code diff>' "$page" | cut -d: -f1)
	sign=$(grep -n '^//Signed by// <nowiki>alice</nowiki> (<nowiki>SHA256:q7Zl0vSg3XoQ8k1dRrVfWbYcH4sE2aN9mTuJxLpK5iA</nowiki>)$' "$page" | cut -d: -f1)
	[ "$note" -lt "$code" ] && [ "$code" -lt "$diff" ] && [ "$diff" -lt "$sign" ] || fail "$(cat "$page")"
	grep -q '(3 times, last at 09:09:07)' "$page"
	grep -q 'No space left on device' "$page"

	run lb show --format markdown 2026-11-24
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n## web1\n'* ]]
	[ "$(sed -n '/^## web1/,/^## db1/p' <<<"$output" | grep -c '^```bash')" -eq 1 ]
	[[ "$output" == *$'```bash\n$ nginx -t  # exit 1, in /etc/nginx\n$ journalctl'* ]]
	[[ "$output" == *'_Signed by_ alice (SHA256\:q7Zl0vSg3XoQ8k1dRrVfWbYcH4sE2aN9mTuJxLpK5iA)'* ]]
	[[ "$output" == *"_3 routine commands not shown_"* ]]
}
