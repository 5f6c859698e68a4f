#!/usr/bin/env bats
# logbook export --dokuwiki in a real DokuWiki (Debian's package, served by
# php -S on a loopback port from a temporary copy with its own config and
# data directory), rendered by a real browser (headless Chromium): the
# hostile records of tests/wiki-corpus.py must come out as text, and the
# page must have the same elements as the page of the same records with
# plain words instead (tests/wiki-dom.py).  Screenshots are kept in
# build/artifacts/.

load lib

DOKUWIKI=/usr/share/dokuwiki
ARTIFACTS=$BATS_TEST_DIRNAME/../build/artifacts

# the tools must be there: scripts/deps check installs them on Debian; skip
# only where they cannot be installed at all
need_tools() {
	local missing=
	[ -f "$DOKUWIKI/doku.php" ] || missing="$missing dokuwiki"
	command -v php >/dev/null || missing="$missing php-cli"
	command -v chromium >/dev/null || missing="$missing chromium"
	[ -z "$missing" ] && return 0
	if ! command -v apt-cache >/dev/null; then
		skip "not Debian: needs$missing"
	fi
	for p in $missing; do
		apt-cache show "$p" >/dev/null 2>&1 || skip "$p cannot be installed here"
	done
	fail "missing:$missing (scripts/deps check installs them)"
}

# a DokuWiki of our own in $WIKI: code copied (DOKU_INC is where doku.php
# really is), DOKU_CONF and savedir pointing into the test's directory, read
# access for everyone and no editing, raw HTML and PHP off as shipped
make_wiki() {
	WIKI=$BATS_TEST_TMPDIR/wiki
	mkdir -p "$WIKI/data"
	cp -rL "$DOKUWIKI" "$WIKI/dw"
	# the ACL and user files are links into /var/lib/dokuwiki/acl, which
	# only www-data reads: copied as links, then replaced
	cp -r /etc/dokuwiki "$WIKI/conf"
	rm -f "$WIKI/conf/acl.auth.php" "$WIKI/conf/users.auth.php"
	: >"$WIKI/conf/users.auth.php"
	for d in pages attic meta media media_attic media_meta cache index locks tmp log; do
		mkdir -p "$WIKI/data/$d"
	done
	printf "<?php\nif (!defined('DOKU_CONF')) define('DOKU_CONF', '%s/conf/');\n" "$WIKI" >"$WIKI/dw/inc/preload.php"
	cat >"$WIKI/conf/local.php" <<-EOF
	<?php
	\$conf['title'] = 'logbook test wiki';
	\$conf['savedir'] = '$WIKI/data';
	\$conf['useacl'] = 1;
	\$conf['htmlok'] = 0;
	\$conf['phpok'] = 0;
	EOF
	printf '*\t@ALL\t1\n' >"$WIKI/conf/acl.auth.php"
	PORT=$(py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	php -S "127.0.0.1:$PORT" -t "$WIKI/dw" >"$WIKI/php.log" 2>&1 3>&- &
	PHP_PID=$!
	py - "$PORT" <<-'EOF'
	import socket, sys, time
	for _ in range(100):
	    try:
	        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
	        sys.exit(0)
	    except OSError:
	        time.sleep(0.1)
	sys.exit("php -S did not start")
	EOF
}

teardown() {
	if [ -n "${PHP_PID:-}" ]; then
		kill "$PHP_PID" 2>/dev/null || true
		wait "$PHP_PID" 2>/dev/null || true
	fi
}

# chromium OUT ARGS...: a headless Chromium with a fresh profile, at most 60 s
chromium_run() {
	local out=$1
	shift
	rm -rf "$BATS_TEST_TMPDIR/profile"
	timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$BATS_TEST_TMPDIR/profile" "$@" >"$out" 2>"$BATS_TEST_TMPDIR/chromium.log" </dev/null
}

# the DOM of wiki page ID after Chromium rendered it
dom() {
	chromium_run "$2" --dump-dom "http://127.0.0.1:$PORT/doku.php?id=$1" ||
		fail "chromium on $1: exit $?: $(tail -n 5 "$BATS_TEST_TMPDIR/chromium.log")"
	grep -q 'wikipage start' "$2" || fail "$1: not a DokuWiki page: $(head -c 300 "$2")"
}

wiki_dom() {
	py "$BATS_TEST_DIRNAME/wiki-dom.py" "$@"
}

@test "hostile records exported into a real DokuWiki render as text in Chromium, with no element of their own" {
	need_tools
	make_wiki
	local j=$BATS_TEST_TMPDIR/hostile b=$BATS_TEST_TMPDIR/benign out=$BATS_TEST_TMPDIR
	lb init --timezone UTC "$j" >/dev/null
	lb init --timezone UTC "$b" >/dev/null
	py "$BATS_TEST_DIRNAME/wiki-corpus.py" "$j" hostile
	py "$BATS_TEST_DIRNAME/wiki-corpus.py" "$b" benign
	# and a note through the real command, filed today
	lb -C "$j" note "$(printf '%s\n' '[[http://evil.example/|today]] <html><b>x</b></html>' '  * not a list')"
	lb -C "$b" note "$(printf '%s\n' 'plain today' '  plain item')"
	# an event and a cron mail through the real commands
	lb -C "$j" event --source backup --level warning '[[http://evil.example/|ev]] {{x.png}} <html><b>e</b></html> ~~NOCACHE~~'
	lb -C "$b" event --source backup --level warning 'plain event words here'
	printf 'From: "[[x]]" <root@db1>\nTo: root\nSubject: <html><script>alert(1)</script></html> [[http://evil.example/|s]] ~~NOTOC~~\nMessage-ID: <n1@db1>\n\n</code> body [[y]]\n<php>echo 1;</php>\n' |
		lb -C "$j" ingest-mail
	printf 'From: "plain" <root@db1>\nTo: root\nSubject: plain subject words\nMessage-ID: <n1@db1>\n\nplain body\nplain line\n' |
		lb -C "$b" ingest-mail

	run --separate-stderr lb -C "$j" export --dokuwiki "$WIKI/data/pages"
	[ "$status" -eq 0 ] || fail "export: $stderr"
	[ -z "$stderr" ] || fail "$stderr"
	dom journal:2026_11_20 "$out/hostile-day.html"
	dom journal:start "$out/hostile-start.html"
	dom "journal:$(today)" "$out/hostile-today.html"
	mkdir -p "$ARTIFACTS"
	chromium_run /dev/null --screenshot="$ARTIFACTS/export-wiki-day.png" --window-size=1280,6000 \
		"http://127.0.0.1:$PORT/doku.php?id=journal:2026_11_20" || fail "screenshot: exit $?"
	chromium_run /dev/null --screenshot="$ARTIFACTS/export-wiki-start.png" --window-size=1280,800 \
		"http://127.0.0.1:$PORT/doku.php?id=journal:start" || fail "screenshot: exit $?"
	[ -s "$ARTIFACTS/export-wiki-day.png" ]

	# the same records with plain words, into the same pages
	run --separate-stderr lb -C "$b" export --dokuwiki "$WIKI/data/pages"
	[ "$status" -eq 0 ] || fail "export: $stderr"
	dom journal:2026_11_20 "$out/benign-day.html"
	dom journal:start "$out/benign-start.html"
	dom "journal:$(today)" "$out/benign-today.html"

	for p in day start today; do
		# no script, image, form or outside link anywhere in the content
		wiki_dom check "$out/hostile-$p.html"
		# and the same elements as the plain page: nothing came from a record
		wiki_dom skeleton "$out/hostile-$p.html" >"$out/hostile-$p.skel"
		wiki_dom skeleton "$out/benign-$p.html" >"$out/benign-$p.skel"
		diff -u "$out/benign-$p.skel" "$out/hostile-$p.skel" || fail "$p: the hostile page has other elements"
	done
	# (and the comparison saw the pages' elements)
	[ "$(grep -c . "$out/hostile-day.skel")" -gt 40 ] || fail "$(grep -c . "$out/hostile-day.skel") elements"
	[ "$(grep -c '^ *a class="wikilink1"' "$out/hostile-start.skel")" -eq 2 ]
	# the day page has every part: headings per host and session, code, diff, events, signature
	grep -q '<pre class="code bash">' "$out/hostile-day.html"
	grep -q '<pre class="code diff">' "$out/hostile-day.html"
	[ "$(grep -c '<h2' "$out/hostile-day.html")" -ge 2 ]

	# every hostile string is on the page as text (blanks aside: lines of a
	# note are joined by <br>, and a text holding both </code> and </file>
	# is cut into two code blocks)
	wiki_dom text "$out/hostile-day.html" | tr -d ' \n\t' >"$out/text"
	py "$BATS_TEST_DIRNAME/wiki-corpus.py" --strings | py -c '
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
missing = [s for s in (json.loads(l) for l in sys.stdin) if re.sub(r"\s+", "", s) not in text]
for s in missing:
    print("not on the page as text: %r" % s)
sys.exit(1 if missing else 0)' "$out/text"
	# the signature's closing line names the admin and the key
	grep -q 'Signed by</em> carol (SHA256:' "$out/hostile-day.html"
	wiki_dom text "$out/hostile-today.html" | grep -qF '[[http://evil.example/|today]] <html><b>x</b></html>'
	wiki_dom text "$out/hostile-today.html" | grep -qF 'warning from backup: [[http://evil.example/|ev]] {{x.png}} <html><b>e</b></html> ~~NOCACHE~~'
	wiki_dom text "$out/hostile-today.html" | grep -qF ': <html><script>alert(1)</script></html> [[http://evil.example/|s]] ~~NOTOC~~'
	wiki_dom text "$out/hostile-today.html" | grep -qF '</code> body [[y]] <php>echo 1;</php>'
	wiki_dom text "$out/hostile-start.html" | grep -qF 'eve [[http://evil.example/|click me]] and'
}

@test "the page checker sees markup that does not come from logbook" {
	need_tools
	make_wiki
	mkdir -p "$WIKI/data/pages/journal"
	printf '%s\n' '====== x ======' '' 'plain words and more words' >"$WIKI/data/pages/journal/plain.txt"
	printf '%s\n' '====== x ======' '' 'plain [[http://evil.example/|words]] {{wiki:dokuwiki-128.png}}' >"$WIKI/data/pages/journal/marked.txt"
	dom journal:plain "$BATS_TEST_TMPDIR/plain.html"
	dom journal:marked "$BATS_TEST_TMPDIR/marked.html"
	run wiki_dom check "$BATS_TEST_TMPDIR/marked.html"
	[ "$status" -ne 0 ]
	[[ "$output" == *"<a href='http://evil.example/'>"* ]]
	[[ "$output" == *"<img>"* ]]
	wiki_dom check "$BATS_TEST_TMPDIR/plain.html"
	[ "$(wiki_dom skeleton "$BATS_TEST_TMPDIR/plain.html")" != "$(wiki_dom skeleton "$BATS_TEST_TMPDIR/marked.html")" ]
}

@test "a stretch of work in the wiki: the note above one block of the commands, the signature below" {
	need_tools
	make_wiki
	local j=$BATS_TEST_TMPDIR/day out=$BATS_TEST_TMPDIR
	lb init --timezone UTC "$j" >/dev/null
	py "$BATS_TEST_DIRNAME/page-day.py" "$j" 2026_11_24
	run --separate-stderr lb -C "$j" export --dokuwiki "$WIKI/data/pages"
	[ "$status" -eq 0 ] || fail "export: $stderr"
	dom journal:2026_11_24 "$out/day.html"
	mkdir -p "$ARTIFACTS"
	chromium_run /dev/null --screenshot="$ARTIFACTS/export-wiki-page.png" --window-size=1280,2400 \
		"http://127.0.0.1:$PORT/doku.php?id=journal:2026_11_24" || fail "screenshot: exit $?"
	[ -s "$ARTIFACTS/export-wiki-page.png" ]
	wiki_dom check "$out/day.html"
	# web1's stretch, in the order the browser shows it
	wiki_dom outline "$out/day.html" >"$out/outline"
	py - "$out/outline" <<-'EOF'
	import sys
	items = open(sys.argv[1], encoding="utf-8").read().split("\n")
	web1 = items.index("h2 web1")
	db1 = items.index("h2 db1")
	part = items[web1:db1]
	def where(pred, what):
	    hits = [i for i, x in enumerate(part) if pred(x)]
	    if len(hits) != 1:
	        sys.exit("%s: %d times in %r" % (what, len(hits), part))
	    return hits[0]
	note = where(lambda x: x.startswith("p ") and "nginx answered 502" in x, "the note")
	code = where(lambda x: x.startswith("pre code bash"), "one code block of commands")
	diff = where(lambda x: x.startswith("pre code diff"), "the diff")
	sign = where(lambda x: x.startswith("p Signed by alice (SHA256:"), "the signature")
	if not note < code < diff < sign:
	    sys.exit("out of order: note %d, commands %d, diff %d, signature %d in %r" % (note, code, diff, sign, part))
	block = part[code]
	if block.count("$ ") != 17 or "$ ls" in block or "$ clear" in block:
	    sys.exit("the block holds %d commands: %r" % (block.count("$ "), block))
	EOF
	# the table of contents: the day, then one entry per host
	[ "$(wiki_dom toc "$out/day.html")" = "$(printf '%s\n' '2026_11_24: Tuesday 24 November 2026' web1 db1)" ] ||
		fail "toc: $(wiki_dom toc "$out/day.html")"
	wiki_dom text "$out/day.html" | grep -qF '3 routine commands not shown'
	wiki_dom text "$out/day.html" | grep -qF 'disk /srv/backup 91% full (3 times, last at 09:09:07)'
	wiki_dom text "$out/day.html" | grep -qF 'No space left on device'
}
