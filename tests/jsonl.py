#!/usr/bin/env python3
"""Checks on a logbook journal's record files, for the shell tests.

Independent of logbook's own code on purpose: it reads the files the way a
compatible reader in another language would (docs/format.md).

  jsonl.py files DIR            every YYYY/YYYY_MM_DD/*.jsonl is valid UTF-8,
                                ends with a newline, and each line is a JSON
                                object; prints the number of lines
  jsonl.py chain DIR HOST       HOST's records, over all its files, have seq
                                1..N and each prev is the SHA-256 of the line
                                before (64 zeros for the first); prints N
  jsonl.py text FILE [LINE]     the exact bytes of a record's text (text_b64
                                when present), last line by default
  jsonl.py field FILE LINE KEY  a field of line LINE (1-based, -1 = last)
  jsonl.py sorted FILE...       the lines of the files sorted by time, host
                                and seq (what show --json prints)
  jsonl.py append DIR HOST TIME KIND JSON
                                append a record of KIND with the fields of the
                                JSON object to HOST's file of TIME's day
                                (TIME: YYYY-MM-DDTHH:MM:SS, UTC), continuing
                                HOST's chain as logbook would; prints its seq
"""
import base64
import glob
import hashlib
import json
import os
import re
import sys

DAY_FILE = re.compile(r"^(\d{4})/(\d{4}_\d{2}_\d{2})/([A-Za-z0-9][A-Za-z0-9._-]*)\.jsonl$")


def die(msg):
    sys.stderr.write("jsonl.py: %s\n" % msg)
    sys.exit(1)


def record_files(top):
    out = []
    for path in sorted(glob.glob(os.path.join(top, "*", "*", "*.jsonl"))):
        rel = os.path.relpath(path, top)
        m = DAY_FILE.match(rel)
        if m and m.group(2).startswith(m.group(1)):
            out.append((path, m.group(3)))
    return out


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        die("%s: last line has no newline" % path)
    try:
        data.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        die("%s: not valid UTF-8: %s" % (path, e))
    return data.split(b"\n")[:-1] if data else []


def parse(path, n, line):
    try:
        obj = json.loads(line.decode("utf-8"))
    except ValueError as e:
        die("%s:%d: not JSON: %s" % (path, n, e))
    if not isinstance(obj, dict):
        die("%s:%d: not a JSON object" % (path, n))
    return obj


def cmd_files(top):
    total = 0
    for path, _host in record_files(top):
        for n, line in enumerate(lines_of(path), 1):
            parse(path, n, line)
            total += 1
    print(total)


def cmd_chain(top, host):
    recs = []
    for path, h in record_files(top):
        if h != host:
            continue
        for n, line in enumerate(lines_of(path), 1):
            obj = parse(path, n, line)
            if obj.get("host") != host:
                die("%s:%d: host %r in the file of %r" % (path, n, obj.get("host"), host))
            recs.append((obj["seq"], obj["prev"], line, "%s:%d" % (path, n)))
    recs.sort(key=lambda r: r[0])
    prev_hash = "0" * 64
    for i, (seq, prev, line, where) in enumerate(recs, 1):
        if seq != i:
            die("%s: seq %s where %d was expected" % (where, seq, i))
        if prev != prev_hash:
            die("%s: prev %s, but the line before hashes to %s" % (where, prev, prev_hash))
        prev_hash = hashlib.sha256(line).hexdigest()
    print(len(recs))


def cmd_text(path, lineno="-1"):
    lines = lines_of(path)
    obj = parse(path, int(lineno), lines[int(lineno) if int(lineno) < 0 else int(lineno) - 1])
    if "text_b64" in obj:
        data = base64.b64decode(obj["text_b64"], validate=True)
    else:
        data = obj["text"].encode("utf-8")
    sys.stdout.buffer.write(data)


def cmd_field(path, lineno, key):
    lines = lines_of(path)
    n = int(lineno)
    obj = parse(path, n, lines[n if n < 0 else n - 1])
    if key not in obj:
        die("%s:%s: no field %r" % (path, lineno, key))
    v = obj[key]
    print(v if isinstance(v, str) else json.dumps(v))


def cmd_sorted(*paths):
    recs = []
    for path in paths:
        for n, line in enumerate(lines_of(path), 1):
            obj = parse(path, n, line)
            recs.append((obj["time"], obj["host"], obj["seq"], line))
    recs.sort(key=lambda r: r[:3])
    for r in recs:
        sys.stdout.buffer.write(r[3] + b"\n")


class DayWriter:
    """Writes records of one day into TOP as logbook would: each host's seq and
    prev chained, one line each, appended to YYYY/YYYY_MM_DD/HOST.jsonl.  The
    record's time is the day at HOUR plus SECOND seconds (for the tests'
    generators: page-day.py, wiki-corpus.py)."""

    def __init__(self, top, day, hour, admin, session):
        self.top, self.day, self.hour = top, day, hour
        self.admin, self.session = admin, session
        self.chains = {}

    def add(self, host, second, kind, fields, admin=None, account="root", session=None):
        seq, prev = self.chains.get(host, (0, "0" * 64))
        seq += 1
        rec = {"v": 1, "kind": kind,
               "time": "%sT%02d:%02d:%02d.000000Z" % (self.day.replace("_", "-"), self.hour, second // 60,
                                                       second % 60),
               "host": host, "admin": self.admin if admin is None else admin, "account": account,
               "session": self.session if session is None else session, "seq": seq, "prev": prev}
        rec.update(fields)
        line = json.dumps(rec, separators=(",", ":"), ensure_ascii=False).encode()
        d = os.path.join(self.top, self.day[:4], self.day)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, host + ".jsonl"), "ab") as f:
            f.write(line + b"\n")
        self.chains[host] = (seq, hashlib.sha256(line).hexdigest())
        return seq


def chain_head(top, host):
    """The seq and line hash of HOST's last record, over all its files."""
    head = (0, "0" * 64)
    for path, h in record_files(top):
        if h != host:
            continue
        for n, line in enumerate(lines_of(path), 1):
            obj = parse(path, n, line)
            if obj["seq"] > head[0]:
                head = (obj["seq"], hashlib.sha256(line).hexdigest())
    return head


def cmd_append(top, host, when, kind, fields):
    seq, prev = chain_head(top, host)
    rec = {"v": 1, "kind": kind, "time": when + ".000000Z", "host": host, "admin": "root",
           "account": "root", "session": "", "seq": seq + 1, "prev": prev}
    rec.update(json.loads(fields))
    line = json.dumps(rec, separators=(",", ":"), ensure_ascii=False).encode()
    day = when[:10].replace("-", "_")
    d = os.path.join(top, day[:4], day)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, host + ".jsonl"), "ab") as f:
        f.write(line + b"\n")
    print(seq + 1)


def main():
    cmds = {"files": cmd_files, "chain": cmd_chain, "text": cmd_text,
            "field": cmd_field, "sorted": cmd_sorted, "append": cmd_append}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        die("usage: jsonl.py files|chain|text|field|sorted|append ARGS")
    try:
        cmds[sys.argv[1]](*sys.argv[2:])
    except TypeError as e:
        die("%s: %s" % (sys.argv[1], e))


if __name__ == "__main__":
    main()
