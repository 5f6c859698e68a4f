#!/usr/bin/env bats
# The redaction corpus (tests/redact-corpus.txt) through the real paths a
# command takes into the journal: a hooked bash that reads the commands
# (without running them), a spool ingested by logbook, and an imported
# history.  Every case's journal text must be the corpus's expected text.

load lib

CORPUS="$BATS_TEST_DIRNAME/redact-corpus.txt"

# corpus MODE FILE: write the corpus inputs for MODE (spool|bash-history|typed)
# into FILE, and the expected texts, one JSON string per line, into FILE.expected
corpus() {
	py - "$CORPUS" "$1" "$2" <<'EOF'
import json, re, sys
corpus, mode, out = sys.argv[1], sys.argv[2], sys.argv[3]

def unescape(s):
    def one(m):
        c = m.group(1)
        return {b"n": b"\n", b"t": b"\t", b"\\": b"\\"}.get(c) or bytes([int(c[1:], 16)])
    return re.sub(rb"\\(n|t|\\|x[0-9a-fA-F]{2})", one, s)

cases, last = [], None
for raw in open(corpus, "rb").read().split(b"\n"):
    if raw.startswith(b"< "):
        last = unescape(raw[2:])
    elif raw.startswith(b"> ") and last is not None:
        cases.append((last, unescape(raw[2:]))); last = None
    elif raw == b"=" and last is not None:
        cases.append((last, last)); last = None
if mode != "bash-history":
    # a shell string cannot hold a NUL byte
    cases = [c for c in cases if b"\0" not in c[0]]
if mode == "typed":
    # one line each, as a terminal gives them, that bash reads as one whole
    # command: no unterminated quote (bash would read on), no "!" (history
    # expansion fails on some), no leading space (another test's business)
    import subprocess
    def whole(c):
        return subprocess.run(["/bin/bash", "-n", "-c", c], stderr=subprocess.DEVNULL).returncode == 0
    cases = [c for c in cases if b"\n" not in c[0] and b"!" not in c[0] and not c[0].startswith(b" ")
             and whole(c[0])]
with open(out, "wb") as f, open(out + ".expected", "w") as e:
    t = 1795600000
    for i, (inp, exp) in enumerate(cases, 1):
        t += 1
        if mode == "spool":
            f.write(b"C\0%d\0%d\0%d\0000\0/root\0\t %s\n\0\n" % (i, t * 10**6, t * 10**6 + 5, inp))
        elif mode == "bash-history":
            f.write(b"#%d\n%s\n" % (t, inp))
        else:
            f.write(inp + b"\n")
        if not inp.startswith(b" "):
            e.write(json.dumps(exp.decode("utf-8", "surrogateescape")) + "\n")
EOF
}

# the cmd texts of every day file of web1, in time order, one JSON string per line
journal_texts() {
	cat "$LOGBOOK_DIR"/*/*/web1.jsonl | py -c '
import base64, json, sys
rs = sorted((json.loads(l) for l in sys.stdin if "\"kind\":\"cmd\"" in l), key=lambda r: (r["time"], r["seq"]))
for r in rs:
    b = base64.b64decode(r["cmd_b64"]) if "cmd_b64" in r else r["cmd"].encode()
    print(json.dumps(b.decode("utf-8", "surrogateescape")))
'
}

@test "every corpus case holds through a spool ingested by logbook" {
	new_journal
	code=$(lb hook bash)
	spool=$(sed -n "s/^__lb_new_spool='\(.*\)'$/\1/p" <<<"$code")
	printf 'P\0%s\0\n' "$$" >>"$spool"
	corpus spool "$BATS_TEST_TMPDIR/cases"
	cat "$BATS_TEST_TMPDIR/cases" >>"$spool"
	lb ingest -q
	journal_texts >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/cases.expected" "$BATS_TEST_TMPDIR/got"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -gt 250 ]
}

@test "every corpus case holds through an imported bash history" {
	new_journal
	corpus bash-history "$BATS_TEST_TMPDIR/history"
	lb import --bash-history "$BATS_TEST_TMPDIR/history" >/dev/null
	journal_texts >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/history.expected" "$BATS_TEST_TMPDIR/got"
}

@test "every one-line corpus case holds when typed into a hooked bash (which runs none of them)" {
	new_journal
	corpus typed "$BATS_TEST_TMPDIR/typed"
	# extdebug: a DEBUG trap that fails skips the command, so the shell reads
	# and records them but runs none (and PATH finds no program either); the
	# hook's calls and everything inside functions go through
	cat >"$BATS_TEST_TMPDIR/rc" <<EOF
$BASH_RC_HEAD
eval "\$("$LOGBOOK" hook bash)"
shopt -s extdebug
trap '[[ -n \${FUNCNAME[0]-} || \$BASH_COMMAND == __lb_* ]]' DEBUG
EOF
	(cd "$BATS_TEST_TMPDIR" && ENV="$BATS_TEST_TMPDIR/rc" PATH=/nonexistent /bin/bash --posix -i \
		<"$BATS_TEST_TMPDIR/typed" >/dev/null 2>&1) || true
	lb ingest -q
	journal_texts >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/typed.expected" "$BATS_TEST_TMPDIR/got"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -gt 200 ]
}
