#!/usr/bin/env bats
# The diff module (src/files/diff.c, through build/tests/diff-tool) on thousands
# of random pairs of files: GNU patch must turn old into new with every
# diff, exactly where the hunk headers say, and every diff must have the
# form of diff -u's.  Different but equally good diffs are allowed: the
# test counts how often GNU diff printed the very same hunks, and says so,
# but does not require it.  One process each for diff-tool (its -m form),
# GNU patch (one patch for all pairs, each pair's diff renamed to its own
# copy of old) and GNU diff, so that 3000 pairs take a few seconds.
#
# The pairs come from a seeded generator; a failure prints the seed, and
# DIFF_SEED=N bats tests/diff-property.bats replays it.

load lib

TOOL="$BATS_TEST_DIRNAME/../build/tests/diff-tool"

# property N_PAIRS: generate, diff, patch and check N_PAIRS pairs
property() {
	py - "$TOOL" "$BATS_TEST_TMPDIR" "${DIFF_SEED:-$(date +%s%N)}" "$1" <<'EOF'
import os, random, re, subprocess, sys

tool, tmp, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]) % 2**32, int(sys.argv[4])
rng = random.Random(seed)
HUNK = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
MARK = b"\\ No newline at end of file"

# small alphabets of lines, so that lines match often and in many ways
POOLS = [
    [b"a", b"b"],
    [b"a", b"b", b"c", b""],
    [b"server {", b"\tlisten 80;", b"\tlisten 443 ssl;", b"}", b"", b"# comment"],
    [b"x\r", b"y\r", b"x", b""],
    [b"\0", b"a\0b", b"\xff\xfe", b"\xc3(", b"caf\xc3\xa9", b"a"],
    [b"%d" % i for i in range(12)],
]

def lines_from(pool, n):
    return [rng.choice(pool) + b"\n" for _ in range(n)]

def edit(lines, pool):
    out = list(lines)
    for _ in range(rng.randint(0, 6)):
        op, at = rng.randrange(3), rng.randint(0, len(out))
        run = rng.randint(1, 5)
        if op == 0:
            out[at:at] = lines_from(pool, run)
        elif op == 1:
            del out[at:at + run]
        else:
            out[at:at + run] = lines_from(pool, rng.randint(1, 5))
    return out

def text(lines):
    data = b"".join(lines)
    if data and rng.random() < 0.3:
        data = data[:-1]    # no newline at the end
    return data

def make_pair(k):
    if k % 500 == 0:
        # big and unlike: the cost cap cuts in (production limits)
        pool = [b"a", b"b"]
        return text(lines_from(pool, rng.randint(2000, 4000))), text(lines_from(pool, rng.randint(2000, 4000)))
    pool = rng.choice(POOLS)
    old = lines_from(pool, rng.choice((0, rng.randint(1, 8), rng.randint(1, 60))))
    r = rng.random()
    if r < 0.05:
        new = list(old)                     # equal
    elif r < 0.1:
        new = lines_from(rng.choice(POOLS), rng.randint(0, 30))   # unrelated
    else:
        new = edit(old, pool)
    return text(old), text(new)

def split(data):
    parts = data.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines

def check_form(old, new, diff, context):
    """diff -u's form: headers, counts, prefixes, the no-newline marker"""
    if old == new:
        assert diff == b"", "output for equal inputs"
        return 0
    assert diff.startswith(b"--- a\n+++ b\n"), "header lines"
    assert diff.endswith(b"\n"), "last line without newline"
    a, b = split(old), split(new)
    rows = diff[:-1].split(b"\n")[2:]
    hunks, k, i, j = 0, 0, 0, 0     # i, j: lines of a and b before the current row
    prev_trail = 0
    while k < len(rows):
        m = HUNK.fullmatch(rows[k])
        assert m, "hunk header: %r" % rows[k]
        for n in (m.group(2), m.group(4)):
            assert n != b"1", "l,1 instead of l"
        al, ac = int(m.group(1)), int(m.group(2) or 1)
        bl, bc = int(m.group(3)), int(m.group(4) or 1)
        # an empty range names the line before it
        a0, b0 = (al if ac == 0 else al - 1), (bl if bc == 0 else bl - 1)
        assert a0 >= i and b0 - j == a0 - i, "hunk position"
        gap = a0 - i
        i, j = a0, b0
        k += 1
        sa = sb = 0
        lead = trail = 0
        changed = False
        while k < len(rows) and not rows[k].startswith(b"@@"):
            row = rows[k]
            p = row[:1]
            assert p in (b" ", b"-", b"+"), "line prefix: %r" % row
            marked = k + 1 < len(rows) and rows[k + 1] == MARK
            need = False
            if p in (b" ", b"-"):
                assert i < len(a), "past the end of old"
                need |= i == len(a) - 1 and not a[i].endswith(b"\n")
                i, sa = i + 1, sa + 1
            if p in (b" ", b"+"):
                assert j < len(b), "past the end of new"
                need |= j == len(b) - 1 and not b[j].endswith(b"\n")
                j, sb = j + 1, sb + 1
            assert need == marked, "no-newline marker %s after %r" % ("missing" if need else "misplaced", row)
            if p != b" ":
                changed, trail = True, 0
            elif changed:
                trail += 1
            else:
                lead += 1
            k += 2 if marked else 1
        assert (sa, sb) == (ac, bc), "hunk counts: header %d,%d, lines %d,%d" % (ac, bc, sa, sb)
        assert changed, "hunk without a change"
        # context lines: as many as asked for, unless a file starts or ends there
        assert lead == context or (lead < context and a0 == 0), "leading context %d" % lead
        assert trail == context or (trail < context and i == len(a)), "trailing context %d" % trail
        assert hunks == 0 or prev_trail + gap + lead > 2 * context, "hunks close enough to be one"
        prev_trail = trail
        hunks += 1
    return hunks

def read(*path):
    with open(os.path.join(tmp, *path), "rb") as f:
        return f.read()

def write(data, *path):
    with open(os.path.join(tmp, *path), "wb") as f:
        f.write(data)

# one directory per role, one file per pair: old, new, a copy of old for
# patch to change, our diffs; one process each for diff-tool, GNU diff and patch
pairs = [make_pair(k) for k in range(count)]
names = ["p%d" % k for k in range(count)]
for d in ("old", "new", "work", "ours"):
    os.mkdir(os.path.join(tmp, d))
for name, (old, new) in zip(names, pairs):
    write(old, "old", name)
    write(old, "work", name)
    write(new, "new", name)
r = subprocess.run([tool, "-m", "old", "new", "ours"] + names, cwd=tmp, capture_output=True)
assert r.returncode == 0, "diff-tool: %r" % r.stderr

failed = {}
patch = []
for name, (old, new) in zip(names, pairs):
    diff = read("ours", name)
    try:
        check_form(old, new, diff, 3)
    except AssertionError as e:
        failed[name] = str(e)
        continue
    if diff:
        # the same diff, with the names patch needs to find this pair's copy of old
        patch.append(b"--- work/%s\n+++ work/%s\n" % (name.encode(), name.encode()) + diff[12:])
write(b"".join(patch), "all.diff")
# strict: no fuzz, no CRLF guessing, no question about files that look
# reversed or created (-f), and no hunk found anywhere but where it says
p = subprocess.run(["patch", "-p0", "--binary", "-F0", "-f", "-i", "all.diff"], cwd=tmp, capture_output=True)
out = p.stdout.decode("utf-8", "replace")
for m in re.finditer(r"patching file work/(p\d+)\n((?:(?!patching file).*\n)*)", out):
    if "Hunk" in m.group(2) or "rej" in m.group(2):
        failed.setdefault(m.group(1), "patch: " + m.group(2).strip())
if p.returncode != 0 and not failed:
    failed["all"] = "patch exit %d: %s" % (p.returncode, (out + p.stderr.decode("utf-8", "replace"))[-2000:])
for name, (old, new) in zip(names, pairs):
    if name not in failed and read("work", name) != new:
        failed[name] = "patch gave another file than new"

# how often GNU diff printed the very same hunks (its header lines carry dates)
g = subprocess.run(["diff", "-r", "-u", "-a", "old", "new"], cwd=tmp, capture_output=True)
parts = re.split(rb"^diff -r -u -a old/(p\d+) new/p\d+\n", g.stdout, flags=re.M)
gnu = {parts[k].decode(): parts[k + 1].split(b"\n", 2)[2] for k in range(1, len(parts), 2)}
differing = [n for n, (old, new) in zip(names, pairs) if old != new]
same = sum(1 for n in differing if gnu.get(n) == read("ours", n)[12:])

if failed:
    for name in sorted(failed, key=lambda n: int(n[1:]) if n[1:].isdigit() else -1)[:5]:
        old, new = pairs[int(name[1:])] if name[1:].isdigit() else (b"", b"")
        print("pair %s: %s\n  old %r\n  new %r" % (name, failed[name], old[:300], new[:300]), file=sys.stderr)
    print("%d of %d pairs failed; seed %d (rerun with DIFF_SEED=%d)" % (len(failed), count, seed, seed), file=sys.stderr)
    sys.exit(1)
print("%d pairs, seed %d: %d of the %d diffs are byte for byte GNU diff's" % (count, seed, same, len(differing)))
EOF
}

@test "patch turns old into new with each of 3000 random diffs, all in diff -u's form" {
	command -v patch >/dev/null || fail "GNU patch is missing: scripts/deps check installs it"
	run --separate-stderr property 3000
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "# $output" >&3
}

@test "diff-tool exits like diff: 0 for equal files, 1 for different ones, 2 for a missing one" {
	printf 'a\nb\n' >"$BATS_TEST_TMPDIR/x"
	printf 'a\nc\n' >"$BATS_TEST_TMPDIR/y"
	run "$TOOL" "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	run "$TOOL" "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/y"
	[ "$status" -eq 1 ]
	[ "$output" = "$(diff -u --label a --label b "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/y")" ]
	run "$TOOL" "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 2 ]
}
