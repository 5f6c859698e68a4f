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
if mode in ("typed", "typed-zsh"):
    # one line each, as a terminal gives them, that the shell reads as one
    # whole command: no unterminated quote (it would read on), no "!"
    # (history expansion fails on some), no leading space (another test's
    # business), no loop (the DEBUG trap skips its "read", so it would
    # never end)
    import subprocess
    shell = ["/bin/bash", "-n", "-c"] if mode == "typed" else ["zsh", "-f", "-n", "-c"]
    def whole(c):
        if mode == "typed-zsh":
            # zsh's line editor reads bytes that are not UTF-8 otherwise than zsh -n does
            try:
                c.decode("utf-8")
            except UnicodeDecodeError:
                return False
        return subprocess.run(shell + [c], stderr=subprocess.DEVNULL).returncode == 0
    cases = [c for c in cases if b"\n" not in c[0] and b"!" not in c[0] and not c[0].startswith(b" ")
             and not re.search(rb"\b(while|until)\b", c[0]) and whole(c[0])]
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

@test "every one-line corpus case holds when typed into a hooked zsh (which runs none of them)" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	new_journal
	corpus typed-zsh "$BATS_TEST_TMPDIR/typed"
	# a DEBUG trap that sets ERR_EXIT skips the command it comes before
	# (zshmisc, TRAPDEBUG): zsh reads and records each line (preexec runs)
	# and runs none; -d and ZDOTDIR keep the machine's zshrc out
	mkdir "$BATS_TEST_TMPDIR/zdot"
	cat >"$BATS_TEST_TMPDIR/zdot/.zshrc" <<EOF
eval "\$("$LOGBOOK" hook zsh)"
setopt interactive_comments
TRAPDEBUG() { [[ -n \${funcstack[2]-} || \$ZSH_DEBUG_CMD == __lb_* ]] || setopt errexit }
EOF
	(cd "$BATS_TEST_TMPDIR" && ZDOTDIR="$BATS_TEST_TMPDIR/zdot" PATH=/nonexistent "$(command -v zsh)" -d -i \
		<"$BATS_TEST_TMPDIR/typed" >/dev/null 2>&1) || true
	lb ingest -q
	journal_texts >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/typed.expected" "$BATS_TEST_TMPDIR/got"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -gt 200 ]
}

# the distinctive secrets of the corpus: what each marker of a secret-bearing
# case's expected output replaced in its input (not the "limit" sections,
# whose secrets are known to stay), 6 bytes or more, one line, found in no
# expected output and no benign input (a host name is no secret), one per line
corpus_secrets() {
	py - "$CORPUS" <<'EOF2'
import re, sys

def unescape(s):
    def one(m):
        c = m.group(1)
        return {b"n": b"\n", b"t": b"\t", b"\\": b"\\"}.get(c) or bytes([int(c[1:], 16)])
    return re.sub(rb"\\(n|t|\\|x[0-9a-fA-F]{2})", one, s)

cases, last, section = [], None, b""
for raw in open(sys.argv[1], "rb").read().split(b"\n"):
    if raw.startswith(b"@ "):
        section = raw[2:].split(b" ")[0]
    elif raw.startswith(b"< "):
        last = unescape(raw[2:])
    elif raw.startswith(b"> ") and last is not None:
        cases.append((section, last, unescape(raw[2:]))); last = None
    elif raw == b"=" and last is not None:
        cases.append((section, last, last)); last = None
public = [exp for _, _, exp in cases]
secrets = set()
for section, inp, exp in cases:
    if section == b"limit" or inp == exp:
        continue
    pieces = exp.split(b"[REDACTED]")
    m = re.fullmatch(b"(.*?)".join(re.escape(p) for p in pieces), inp, re.S)
    assert m, inp
    for s in m.groups():
        if len(s) >= 6 and b"\n" not in s and b"[REDACTED]" not in s and not any(s in p for p in public):
            secrets.add(s)
sys.stdout.buffer.write(b"".join(s + b"\n" for s in sorted(secrets)))
EOF2
}

@test "no corpus secret is left in the journal, its state or its git objects" {
	new_journal
	code=$(lb hook bash)
	spool=$(sed -n "s/^__lb_new_spool='\(.*\)'$/\1/p" <<<"$code")
	# a session whose shell has ended: a live one's spool keeps what the
	# shell appends until it exits (it is its account's alone, mode 0600)
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	printf 'P\0%s\0\n' "$dead" >>"$spool"
	corpus spool "$BATS_TEST_TMPDIR/cases"
	cat "$BATS_TEST_TMPDIR/cases" >>"$spool"
	lb ingest -q
	corpus bash-history "$BATS_TEST_TMPDIR/history"
	lb import --bash-history "$BATS_TEST_TMPDIR/history" >/dev/null
	lb sync >/dev/null 2>&1 || true
	[ ! -e "$spool" ] || fail "the ended session's spool is still there"
	git -C "$LOGBOOK_DIR" rev-parse -q --verify refs/heads/hosts/web1 >/dev/null || fail "nothing was committed"
	corpus_secrets >"$BATS_TEST_TMPDIR/secrets"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/secrets")" -gt 200 ]
	# every file under the journal (.state/ too, .git/ as its objects)
	find "$LOGBOOK_DIR" -path "$LOGBOOK_DIR/.git" -prune -o -type f -print0 |
		xargs -0 cat >"$BATS_TEST_TMPDIR/all"
	git -C "$LOGBOOK_DIR" log -p --all >>"$BATS_TEST_TMPDIR/all"
	git -C "$LOGBOOK_DIR" cat-file --batch-all-objects --batch >>"$BATS_TEST_TMPDIR/all"
	grep -c '"kind":"cmd"' "$BATS_TEST_TMPDIR/all" >/dev/null || fail "no record was read"
	py - "$BATS_TEST_TMPDIR/secrets" "$BATS_TEST_TMPDIR/all" <<'EOF2'
import sys
secrets = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
text = open(sys.argv[2], "rb").read()
left = [s for s in secrets if s in text]
for s in left:
    print("left:", s.decode("utf-8", "replace"))
sys.exit(1 if left else 0)
EOF2
}
