#!/usr/bin/env python3
r"""Make the day of tests/light-day/, which test-render.c shows from records
read light and from records read by jansson, and compares.

    light-day.py JOURNAL OUTDIR    (JOURNAL: an empty directory to write into)

page-day.py's day (alice's stretch of work on web1, a diff, a signature,
mails, folded events), then every other kind the page knows (boot up and
down, package runs, ack, incident open and close, todo add and done, a
reply, a kind this version does not know, a unit's failure, a change
without a diff), then lines that test how records are read: \u escapes
everywhere (as ensure_ascii writes them), bytes that are not UTF-8 with
their _b64, control bytes, a NUL, big and real numbers, whitespace
between tokens, a duplicate key, invalid UTF-8, a foreign host's line, a
newer version, a torn and a non-JSON line, a lone surrogate, an escape in
a common field.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in tests/
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import jsonl  # noqa: E402

top, out = sys.argv[1], sys.argv[2]
day = "2026_11_24"
subprocess.run([sys.executable, os.path.join(here, "page-day.py"), top, day], check=True)
w = jsonl.DayWriter(top, day, 11, "carol", "s-mon1")
# chains of page-day.py's hosts go on in its files: continue them
for host in ("web1", "db1"):
    path = os.path.join(top, day[:4], day, host + ".jsonl")
    lines = open(path, "rb").read().splitlines()
    w.chains[host] = (len(lines), hashlib.sha256(lines[-1]).hexdigest())
add = w.add
add("web1", 1, "boot", {"event": "up", "boot_id": "00184be6-6ba4-4ba8-80f4-1491e48f27b4", "up": "2026-11-24T11:00:01.000000Z",
                        "kernel": "6.1.0-28-amd64", "previous": {"boot_id": "5b1e3c0a", "down": "2026-11-24T10:58:41.338012Z",
                                                                  "clean": False, "evidence": "no shutdown record"}},
    admin="system", session="")
add("web1", 2, "boot", {"event": "down", "boot_id": "00184be6", "kernel": "6.1.0-28-amd64"}, admin="system", session="")
add("web1", 3, "package", {"tool": "apt", "command": "apt-get install --only-upgrade openssl", "end": "2026-11-24T11:00:09.000000Z",
                           "changes": [{"name": "openssl", "arch": "amd64", "action": "upgrade", "old": "3.0.11-1~deb12u1",
                                        "new": "3.0.11-1~deb12u2", "source": "openssl", "source_version": "3.0.11-1~deb12u2"},
                                       {"name": "libssl3", "arch": "amd64", "action": "install", "new": "3.0.11-1~deb12u2"}]})
add("web1", 4, "package", {"tool": "dpkg", "changes": [{"name": "old-tool", "arch": "all", "action": "purge", "old": "1.0"}]},
    admin="dpkg", session="")
seq = add("mon1", 5, "event", {"source": "monitoring", "level": "critical", "text": "web1 down \u00e9t\u00e9 \U0001F600"})
add("mon1", 6, "ack", {"ref": "mon1:%d" % seq})
add("mon1", 7, "incident", {"event": "open", "title": "web1 down", "hosts": ["web1", "db1"]})
add("mon1", 8, "incident", {"event": "close", "incident": "mon1:3", "summary": "disk full\nlogs rotated"})
add("mon1", 9, "todo", {"event": "add", "text": "raise the disk alarm", "about": "web1", "due": "2026_11_30"})
add("mon1", 10, "todo", {"event": "done", "ref": "mon1:5"})
add("mon1", 11, "note", {"text": "answered: it was the disk", "reply": "web1:1"})
add("mon1", 12, "alert", {"message": "backup of gitlab finished", "source": "borg"})
add("mon1", 13, "session", {"future_field": [1, 2], "event": "open", "shell": "zsh", "tty": "/dev/tty1"})
add("mon1", 14, "cmd", {"cmd": "printf '\\033[2J'\t; echo \u202eevil", "exit": 130, "cwd": "/tmp/\u00e9"})
add("mon1", 15, "note", {"text": "caf\ufffd \ufffd\u0000x\u001b[31m\n", "text_b64": "Y2Fm6SD/AHg="})
add("mon1", 16, "cmd", {"cmd": "echo \ufffd", "cmd_b64": "ZWNobyD/", "exit": 0, "cwd": "/"})
add("mon1", 17, "note", {"text": "escaped \"quotes\" \\ back/slash \b\f\r\t and \u0001\u007f\u0085"})
add("mon1", 18, "cmd", {"cmd": "ls", "exit": 0, "cwd": "/root"})
add("mon1", 19, "cmd", {"cmd": "cd /etc && ls", "exit": 0, "cwd": "/root"})
add("mon1", 20, "event", {"source": "unit", "level": "error", "unit": "nginx.service", "result": "exit-code",
                          "text": "nginx.service: failed\nline two"})
add("mon1", 21, "change", {"path": "/etc/hosts", "what": ["mode", "owner"], "summary": "mode 0644 -> 0600", "by": "scan",
                           "note": "who did this?"})
add("mon1", 22, "note", {"text": "big numbers", "commands": 123456789012345678, "files": -0, "ratio": 1.5})
# the same lines ensure_ascii would write: \u escapes everywhere
path = os.path.join(top, day[:4], day, "mon1.jsonl")
seqn, prev = w.chains["mon1"]
rec = {"v": 1, "kind": "note", "time": "2026-11-24T11:00:30.000000Z", "host": "mon1", "admin": "carol", "account": "root",
       "session": "s-\u00e9", "seq": seqn + 1, "prev": prev, "text": "\u00e9\u4e2d\U0001F600 \u0000 \u2028"}
line = json.dumps(rec, separators=(",", ":"), ensure_ascii=True).encode()
raw = [line,
       b'{"v":1, "kind":"note","time":"2026-11-24T11:00:31.000000Z","host":"mon1","admin":"carol","account":"root","session":"s","seq":99,"prev":"' + b"0" * 64 + b'","text":"spaces between tokens"}',
       b'{"v":1,"kind":"note","time":"2026-11-24T11:00:32.000000Z","host":"mon1","admin":"carol","account":"root","session":"s","seq":100,"prev":"' + b"0" * 64 + b'","text":"a duplicate key","text":"twice"}',
       b'{"v":1,"kind":"note","time":"2026-11-24T11:00:33.000000Z","host":"mon1","admin":"carol","account":"root","session":"s","seq":101,"prev":"' + b"0" * 64 + b'","text":"bad \xff utf-8"}',
       b'{"v":1,"kind":"note","time":"2026-11-24T11:00:34.000000Z","host":"other","admin":"carol","account":"root","session":"s","seq":102,"prev":"' + b"0" * 64 + b'","text":"a foreign host\'s line"}',
       b'{"v":2,"kind":"note","time":"2026-11-24T11:00:35.000000Z","host":"mon1","admin":"carol","account":"root","session":"s","seq":103,"prev":"' + b"0" * 64 + b'","text":"version two"}',
       b'{"v":1,"kind":"note","time":"2026-11-24T11:00:36.000000Z","host":"mon1"',
       b'not json at all',
       b'{"v":1,"kind":"note","time":"2026-11-24T11:00:37.000000Z","host":"mon1","admin":"carol","account":"root","session":"s","seq":104,"prev":"' + b"0" * 64 + b'","text":"a lone \\ud800 half"}',
       b'{"v":1,"kind":"cmd","time":"2026-11-24T11:00:38.000000Z","host":"mon1","admin":"carol","account":"root","session":"s","seq":105,"prev":"' + b"0" * 64 + b'","cmd":"exit as a real","exit":1.0}',
       b'{"v":1,"kind":"note","time":"2026-11-24T11:00:39.000000Z","host":"mon1","admin":"carol","account":"root","session":"s","seq":106,"prev":"' + b"0" * 64 + b'","text":"\\u0041\\u00e9\\u20ac\\/"}',
       b'{"v":1,"kind":"note","time":"2026-11-24T11:00:40.000000Z","host":"mon1","admin":"c\\u0061rol","account":"root","session":"s","seq":107,"prev":"' + b"0" * 64 + b'","text":"an escape in a common field"}',
       ]
with open(path, "ab") as f:
    for l in raw:
        f.write(l + b"\n")
os.makedirs(out, exist_ok=True)
for name in sorted(os.listdir(os.path.join(top, day[:4], day))):
    shutil.copy(os.path.join(top, day[:4], day, name), os.path.join(out, name))
