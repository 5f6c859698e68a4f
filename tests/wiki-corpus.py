#!/usr/bin/env python3
"""Plant a day of hostile records in a journal, for the export tests.

    wiki-corpus.py JOURNAL hostile|benign     write the records
    wiki-corpus.py --strings                  print the hostile strings, one JSON string a line

Every kind of record logbook writes (note, cmd, change, event with and
without mail, session, sign, and a kind this version does not know) on
2026-11-20, on hosts mon1 and web2, in valid chains, as another logbook
would have written them.  Each text field holds wiki or HTML syntax that
must come out of an export as literal text.

"benign" writes the same records with each hostile string replaced by
plain words (line for line, so notes keep their number of lines, and
distinct strings stay distinct, so headings change at the same records):
the export of both must have the same HTML elements, and only then did
no element come from a record.
"""
import json
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in tests/
import jsonl  # noqa: E402

HOSTILE = [
    "[[http://evil.example/|click me]] and [[start]]",
    "{{http://evil.example/x.png}} {{:wiki:dokuwiki-128.png}} {{rss>http://evil.example/feed}}",
    "<html><script>alert(1)</script><b>bold</b></html>",
    "<php>echo 'pwned';</php> <PHP>phpinfo();</PHP> <HTML><i>x</i></HTML>",
    "~~NOCACHE~~ ~~NOTOC~~",
    "</code><html><img src=x onerror=alert(1)></html><code>",
    "</file> </nowiki> %% **bold** //italic// __under__ ''mono''",
    "<nowiki>[[inside]]</nowiki> %%[[percent]]%% <code>x</code> <file>y</file>",
    "https://evil.example/autolink alice@example.org \\\\server\\share",
    ":-) 8-) LOL FIXME DELETEME -> <=> (c) \"quoted\" 640x480",
    "((footnote)) <del>del</del> <sub>sub</sup> <sup>sup</sup> &lt;b&gt; &amp;",
    "~~DISCUSSION~~ {{tag>evil}} <WRAP>box</WRAP> [[wp>Evil]] [[doku>x]]",
]

# multi-line texts: lines that would start a block in DokuWiki or Markdown
MULTI = [
    "first line\n====== a heading ======\n  * a list item\n  - a numbered item\n> a quote\n^ table ^ head ^\n| table | cell |\n----\n  preformatted by indent\n\n\\\\ forced break",
    "<code bash>\nrm -rf /\n</code>\nafter </file> and </code> and </nowiki>\n```\nfence\n```",
]


def benign(s, i):
    if s in MULTI:
        i = MULTI.index(s) + 100
    return "\n".join(("plain%d x%d" % (i, k)) if line else "" for k, line in enumerate(s.split("\n")))


def main():
    if sys.argv[1:] == ["--strings"]:
        for s in HOSTILE + MULTI:
            print(json.dumps(s))
        return
    top, mode = sys.argv[1], sys.argv[2]
    strings = HOSTILE + MULTI
    if mode == "benign":
        h = lambda i: benign(strings[i], i)
    else:
        h = lambda i: strings[i]
    day = "2026_11_20"
    add = jsonl.DayWriter(top, day, 10, "carol", "s-1").add

    n = len(HOSTILE)
    add("mon1", 1, "session", {"event": "open", "shell": "bash", "tty": h(4), "ssh": h(0), "admin_by": "LOGBOOK_USER", "pid": 42})
    add("mon1", 2, "note", {"text": h(n)})
    for i in range(n):
        add("mon1", 3 + i, "note", {"text": h(i)})
    for i in range(n):
        add("mon1", 20 + i, "cmd", {"cmd": h(i), "exit": i % 3, "cwd": h((i + 1) % n), "tty": "/dev/pts/1",
                                    "end": "2026-11-20T10:59:00.000000Z", "n": i + 1})
    add("mon1", 40, "cmd", {"cmd": h(n + 1), "exit": 0, "cwd": "/root", "n": 99})
    add("mon1", 41, "change", {"path": "/etc/" + h(1), "what": ["content"], "summary": h(6), "note": h(2),
                               "diff": "--- a/etc/x\n+++ b/etc/x\n@@ -1,2 +1,2 @@\n-" + h(5) + "\n+" + h(3) + "\n " + h(7) + "\n",
                               "by": "commit"})
    add("mon1", 42, "event", {"source": "backup", "level": "warning", "text": h(8)})
    add("mon1", 43, "event", {"source": "mail", "level": "critical", "text": h(n),
                              "mail": {"from": h(9), "to": "root@mon1", "subject": h(10), "date": "x",
                                       "message_id": h(11), "size": 10, "body": "text/plain",
                                       "attachments": [], "problems": []}}, admin="mail")
    add("mon1", 44, "event", {"source": "monitor", "level": h(2), "text": h(4)})
    add("mon1", 45, "future", {"message": h(0)})
    seq = add("mon1", 46, "note", {"text": h(5)})
    add("mon1", 47, "sign", {"covers": seq, "key": "SHA256:" + h(1),
                             "signature": "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----"})
    add("mon1", 48, "session", {"event": "close", "commands": 13, "how": "exit"})
    # a hostile admin, account and session: they go in headings
    add("web2", 50, "note", {"text": h(6)}, admin="eve " + h(0)[:40], account=h(7)[:30], session=h(3))
    add("web2", 51, "cmd", {"cmd": h(n + 1), "exit": 1, "cwd": h(2)}, admin="eve " + h(0)[:40], account=h(7)[:30], session=h(3))


main()
