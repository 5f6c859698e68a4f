#!/usr/bin/env python3
"""Plant a day an admin team would have, for the tests of the day page.

    page-day.py JOURNAL [DAY]     write the records (DAY: YYYY_MM_DD, default 2026_11_24)

On web1, alice (as root) opens a shell, types 20 commands (three of them
routine: cd, ls, clear; one fails), changes /etc/nginx/nginx.conf, writes
why and signs, in one session; backup reports the same warning three
times; cron mails "No space left on device"; a security announcement
arrives whose body starts with a row of dashes.  On db1, bob runs two
commands.  Valid chains, as another logbook would have written them.
"""
import json
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in tests/
import jsonl  # noqa: E402

COMMANDS = [
    ("cd /etc/nginx", 0, "/root"),
    ("ls", 0, "/etc/nginx"),
    ("nginx -t", 1, "/etc/nginx"),
    ("journalctl -u nginx --since today | tail -n 20", 0, "/etc/nginx"),
    ("vi nginx.conf", 0, "/etc/nginx"),
    ("nginx -t", 0, "/etc/nginx"),
    ("systemctl reload nginx", 0, "/etc/nginx"),
    ("systemctl status nginx --no-pager", 0, "/etc/nginx"),
    ("curl -sI http://localhost/ | head -n 1", 0, "/etc/nginx"),
    ("df -h /var", 0, "/etc/nginx"),
    ("du -sh /var/log/nginx", 0, "/etc/nginx"),
    ("find /var/log/nginx -name '*.gz' -mtime +30 -delete", 0, "/var/log/nginx"),
    ("df -h /var", 0, "/var/log/nginx"),
    ("clear", 0, "/var/log/nginx"),
    ("tail -n 5 /var/log/nginx/error.log", 0, "/var/log/nginx"),
    ("grep -c ' 502 ' /var/log/nginx/access.log", 0, "/var/log/nginx"),
    ("systemctl restart php8.2-fpm", 0, "/var/log/nginx"),
    ("curl -sI http://localhost/wiki/ | head -n 1", 0, "/var/log/nginx"),
    ("apt-get install --only-upgrade openssl", 0, "/root"),
    ("needrestart -r l", 0, "/root"),
]

DIFF = """--- a/etc/nginx/nginx.conf
+++ b/etc/nginx/nginx.conf
@@ -12,7 +12,7 @@
 	sendfile on;
 	tcp_nopush on;
-	keepalive_timeout 65;
+	keepalive_timeout 15;
 	types_hash_max_size 2048;
 	server_tokens off;
"""

BODY_CRON = "/etc/cron.daily/logrotate:\nerror: error creating output file /var/log/nginx/access.log.1: No space left on device\nrun-parts: /etc/cron.daily/logrotate exited with return code 1\n"
BODY_DSA = ("-" * 73 + "\nDebian Security Advisory DSA-5555-1                   security@debian.org\n"
            "https://www.debian.org/security/                       Salvatore Bonaccorso\n" + "-" * 73 + "\n\n"
            "Package        : openssl\nCVE ID         : CVE-2026-0001\n\nSeveral vulnerabilities were discovered in OpenSSL.\n")


def main():
    top = sys.argv[1]
    day = sys.argv[2] if len(sys.argv) > 2 else "2026_11_24"
    add = jsonl.DayWriter(top, day, 9, "alice", "s-web1-1").add

    t = 60
    add("web1", t, "session", {"event": "open", "shell": "bash", "tty": "/dev/pts/1", "ssh": "192.0.2.7",
                               "admin_by": "ssh-key", "pid": 4242})
    add("web1", t + 1, "event", {"source": "backup", "level": "warning", "text": "disk /srv/backup 91% full"},
        session="")
    for i, (cmd, status, cwd) in enumerate(COMMANDS):
        t += 30
        add("web1", t, "cmd", {"cmd": cmd, "exit": status, "cwd": cwd, "tty": "/dev/pts/1", "n": i + 1})
        if i == 8:
            add("web1", t + 5, "event", {"source": "mail", "level": "critical", "text": BODY_CRON,
                                         "mail": {"from": "Cron Daemon <root@web1>", "to": "root@web1",
                                                  "subject": "Cron <root@web1> test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily",
                                                  "date": "x", "message_id": "c1@web1", "size": 300, "body": "text/plain",
                                                  "attachments": [], "problems": []}}, admin="mail", session="")
        if i in (5, 15):
            add("web1", t + 7, "event", {"source": "backup", "level": "warning", "text": "disk /srv/backup 91% full"},
                session="")
    add("web1", t + 40, "event", {"source": "mail", "level": "warning", "text": BODY_DSA,
                                  "mail": {"from": "Salvatore Bonaccorso <carnil@debian.org>", "to": "root@web1",
                                           "subject": "[SECURITY] [DSA 5555-1] openssl security update",
                                           "date": "x", "message_id": "d1@debian.org", "size": 900, "body": "text/plain",
                                           "attachments": [], "problems": []}}, admin="mail", session="")
    t += 60
    add("web1", t, "note", {"text": "nginx answered 502 under load: keepalive down to 15 s.\nAlso cleaned old logs, /var was full.",
                            "commands": 20, "files": 1})
    seq = add("web1", t + 1, "change", {"path": "/etc/nginx/nginx.conf", "what": ["content"],
                                        "summary": "1 line changed", "diff": DIFF, "by": "commit"})
    add("web1", t + 2, "sign", {"covers": seq, "key": "SHA256:q7Zl0vSg3XoQ8k1dRrVfWbYcH4sE2aN9mTuJxLpK5iA",
                                "signature": "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----"})
    add("web1", t + 30, "session", {"event": "close", "commands": 20, "how": "exit"})
    add("db1", 65, "cmd", {"cmd": "systemctl status postgresql", "exit": 0, "cwd": "/root"}, admin="bob", session="s-db1-1")
    add("db1", 70, "cmd", {"cmd": "psql -c 'select 1'", "exit": 0, "cwd": "/root"}, admin="bob", account="postgres",
        session="s-db1-2")


main()
