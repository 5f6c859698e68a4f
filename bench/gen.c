/*
 * gen: a synthetic but realistic journal for the benchmarks (and a shell
 * test that keeps this tool from rotting).
 *
 *   gen [--hosts N] [--admins M] [--days D] [--per-day R] [--seed S]
 *       [--start YYYY-MM-DD] [--batch B] [--logbook PATH] DIR
 *
 * DIR is created by the real "logbook init DIR --timezone UTC", so the
 * layout cannot drift from what logbook writes, and every record goes
 * through the store's transaction API (store_begin, store_add,
 * store_commit, B records per transaction), so seq, prev and the chain
 * cache are the real ones.  Each host gets R records on each of D days:
 * mostly "cmd" records (command text, exit status, working directory,
 * tty, end time), a few "note" records, grouped in sessions of 5 to 200
 * records by one admin, at strictly increasing times within working
 * hours (08:00 to 20:00 UTC).
 *
 * Invariant: the record files depend only on the options.  All choices
 * come from one splitmix64 stream seeded with S (never rand(), whose
 * sequence is the C library's business), and the times from --start, so
 * the same options give byte-identical files on any machine.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "journal/ident.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/sign.h"
#include "journal/store.h"
#include "journal/team.h"
#include "base/banned.h"

static const char usage[] =
	"usage: gen [options] DIR\n"
	"\n"
	"Create a journal in DIR (with 'logbook init DIR --timezone UTC') and\n"
	"fill it with synthetic records through the store, deterministically.\n"
	"\n"
	"  --hosts N          hosts writing records (default 4)\n"
	"  --admins M         admins working on them (default 6)\n"
	"  --days D           consecutive days of records (default 1)\n"
	"  --per-day R        records per host and day (default 1000)\n"
	"  --seed S           seed of the pseudo-random choices (default 1)\n"
	"  --start YYYY-MM-DD the first day (default 2026-01-05)\n"
	"  --batch B          records per transaction (default 1000)\n"
	"  --logbook PATH     the logbook binary that runs init\n"
	"                     (default $LOGBOOK, else ./logbook)\n"
	"  --team-key FILE    list this public key in team.conf for every admin\n"
	"  --sign-every N     a sign record after every N records of a host, made\n"
	"                     through the ssh-agent (which must hold the key)\n"
	"  -h, --help         show this help\n";

/* ---- pseudo-random numbers: splitmix64 (Steele, Lea, Flood 2014) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, n); the modulo bias is irrelevant for n this small */
static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

/* lo..hi inclusive */
static int64_t between(int64_t lo, int64_t hi)
{
	return lo + (int64_t)below((uint64_t)(hi - lo + 1));
}

/* true with probability per_mille / 1000 */
static int chance(unsigned per_mille)
{
	return below(1000) < per_mille;
}

#define PICK(a) ((a)[below(sizeof(a) / sizeof *(a))])

/* ---- what admins type ---- */

static const char *const host_names[] = {
	"web1", "db1", "git1", "irc1", "game1", "backup1", "vps1", "mail1",
};
static const char *const admin_names[] = {
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
};
static const char *const units[] = {
	"nginx", "apache2", "postgresql", "mariadb", "gitlab-runner", "ssh", "cron", "postfix",
	"docker", "minetest-server", "inspircd", "php8.2-fpm", "fail2ban", "borgmatic.timer",
	"systemd-networkd", "unattended-upgrades",
};
static const char *const packages[] = {
	"nginx", "htop", "tmux", "borgbackup", "postgresql-15", "certbot", "python3-certbot-nginx",
	"fail2ban", "zfsutils-linux", "iotop", "ncdu", "strace", "tcpdump", "rsync", "mariadb-server",
	"php8.2-gd", "openssh-server", "linux-image-amd64",
};
static const char *const etc_files[] = {
	"nginx/sites-available/wiki", "nginx/nginx.conf", "ssh/sshd_config", "fstab", "hosts",
	"network/interfaces", "postfix/main.cf", "aliases", "crontab", "apt/sources.list",
	"default/grub", "xen/xl.conf", "sysctl.d/99-local.conf", "fail2ban/jail.local",
	"logrotate.d/nginx", "resolv.conf", "systemd/system/backup.service", "borgmatic/config.yaml",
	"php/8.2/fpm/php.ini", "postgresql/15/main/pg_hba.conf",
};
static const char *const editors[] = { "vim", "vim", "vim", "vi", "nano", "sudoedit" };
static const char *const systemctl_verbs[] = {
	"status", "status", "restart", "reload", "stop", "start", "enable --now", "is-active",
};
static const char *const plain_cmds[] = {
	"ls -la", "ls", "df -h", "free -m", "uptime", "top -bn1 | head -20", "ps aux | grep nginx",
	"htop", "ip a", "ip route", "ss -tlnp", "cd /etc", "cd", "cd /var/log", "tail -f /var/log/syslog",
	"less /var/log/nginx/error.log", "dmesg -T | tail", "who", "last -n 10", "sudo -i", "exit",
	"history | tail", "xl list", "xl console web", "docker ps", "docker compose logs --tail 50",
	"certbot renew --dry-run", "nginx -t", "apachectl configtest", "mailq", "postqueue -f",
	"crontab -l", "du -sh /var/* | sort -h", "find /var/log -name '*.gz' -mtime +30 -delete",
	"rsync -a /srv/www/ backup1:/srv/www/", "borg list backup1:/srv/borg/web",
	"openssl x509 -noout -dates -in /etc/ssl/certs/wiki.pem", "ping -c 3 10.0.2.1",
	"mtr -rw 1.1.1.1", "dig +short wiki.example.org", "tcpdump -ni eth0 port 53 -c 20",
	"fail2ban-client status sshd", "grep -r upload_max /etc/php", "chown -R www-data: /srv/www/wiki/data",
	"chmod 640 /etc/postfix/sasl_passwd", "newaliases", "update-grub", "reboot",
	"cat /proc/mdstat", "smartctl -a /dev/sda", "lsblk", "mount -a", "sensors",
};
static const char *const zfs_cmds[] = {
	"zpool status", "zpool status -x", "zfs list", "zfs list -t snapshot", "zpool scrub tank",
	"zfs snapshot tank/vm/web@before-upgrade", "zfs destroy tank/backup@weekly-old",
	"zpool iostat -v 5 3", "zfs get compressratio tank", "zfs rollback tank/vm/irc@daily",
};
static const char *const git_cmds[] = {
	"git status", "git diff", "git log --oneline -5", "git pull", "git add -p",
	"git commit -m 'wiki: raise the upload limit'", "git push", "git stash", "git stash pop",
	"etckeeper commit 'before the upgrade'", "git -C /srv/ansible pull --rebase",
};
static const char *const apt_cmds[] = {
	"apt update", "apt upgrade -y", "apt list --upgradable", "apt autoremove",
	"unattended-upgrade --dry-run -d", "dpkg -l | grep linux-image",
};
static const char *const multi_line[] = {
	"for h in web1 db1 git1; do\n  ssh $h uptime\ndone",
	"cat >/etc/apt/apt.conf.d/99proxy <<'EOF'\nAcquire::http::Proxy \"http://10.0.2.1:3142\";\nEOF",
	"git commit -m 'nginx: stop logging health checks\n\nThey filled /var/log in two days.'",
	"while ! systemctl is-active --quiet postgresql; do\n  sleep 1\ndone; systemctl start gitlab-runner",
	"psql -U postgres <<'SQL'\nSELECT pid, state, query FROM pg_stat_activity\nWHERE state <> 'idle';\nSQL",
};
/* file names from the old Samba share, in Latin-1: not UTF-8 */
static const char *const latin1_cmds[] = {
	"ls -l '/srv/share/Caf\xe9 r\xe9sum\xe9.pdf'",
	"mv /srv/share/\xc9t\xe9-2019 /srv/share/ete-2019",
	"cat /home/bob/notes-\xe9t\xe9.txt",
	"rm '/tmp/\xff\xfe broken name.log'",
};
static const char *const cwds[] = {
	"/root", "/root", "/etc", "/etc/nginx/sites-available", "/var/log", "/srv/www", "/srv/www/wiki",
	"/opt/gitlab", "/var/lib/docker", "/srv/ansible", "/tmp",
};
static const char *const notes[] = {
	"Upgraded nginx; the reload failed on a stale pid file, removed it.",
	"Moved the IRC VM to 10.0.2.0/24: it clashed with the VPN.",
	"Restored /etc/fstab from backup; the new disk was missing.",
	"Raised php upload_max_filesize to 64M for the wiki (users asked for bigger images).",
	"Scrubbed tank: 0 errors. The SMART warning on sdb is still there, ordering a disk.",
	"Rotated the TLS certificate of the forum by hand: certbot's hook was missing.",
	"gitlab-runner was stuck on a job from last week; killed it and cleared the cache.",
	"Game server crashed again after the mod update.\nRolled back to the snapshot of yesterday;\nplayers lost 2 hours.",
	"Disabled password logins in sshd_config, keys only. Tested from the VPS before logging out.",
	"Postfix queue full of bounces to a dead list; flushed it and fixed the alias.",
	"Kernel upgrade on the host, rebooted at a quiet hour, all VMs came back.",
	"Backups to backup1 failed since Tuesday (disk full); pruned old archives, now 40% free.",
};

struct opts {
	long hosts, admins, days, per_day, batch;
	long sign_every;	/* a sign record after every N records of a host (0: none) */
	const char *team_key;	/* public key file listed in team.conf for every admin */
	uint64_t seed;
	int64_t start;		/* microseconds, 00:00 UTC of the first day */
	const char *logbook;
	const char *dir;
};

static const char *host_name(long i, char *tmp, size_t size)
{
	if ((size_t)i < sizeof host_names / sizeof *host_names)
		return host_names[i];
	snprintf(tmp, size, "host%ld", i + 1);
	return tmp;
}

static const char *admin_name(long i, char *tmp, size_t size)
{
	if ((size_t)i < sizeof admin_names / sizeof *admin_names)
		return admin_names[i];
	snprintf(tmp, size, "admin%ld", i + 1);
	return tmp;
}

static void command_text(struct buf *b)
{
	unsigned k = (unsigned)below(1000);

	buf_reset(b);
	if (k < 400)
		buf_adds(b, PICK(plain_cmds));
	else if (k < 550)
		buf_addf(b, "systemctl %s %s", PICK(systemctl_verbs), PICK(units));
	else if (k < 620) {
		switch (below(4)) {
		case 0:
			buf_addf(b, "journalctl -u %s --since '%d min ago'", PICK(units), (int)between(5, 120));
			break;
		case 1:
			buf_addf(b, "journalctl -u %s -f", PICK(units));
			break;
		case 2:
			buf_adds(b, "journalctl -xe");
			break;
		default:
			buf_adds(b, "journalctl -p err -b");
		}
	} else if (k < 700) {
		switch (below(4)) {
		case 0:
			buf_addf(b, "apt-get install -y %s", PICK(packages));
			break;
		case 1:
			buf_addf(b, "apt-cache policy %s", PICK(packages));
			break;
		case 2:
			buf_addf(b, "apt purge %s", PICK(packages));
			break;
		default:
			buf_adds(b, PICK(apt_cmds));
		}
	} else if (k < 800) {
		const char *f = PICK(etc_files);
		if (chance(150))
			buf_addf(b, "diff -u /etc/%s.bak /etc/%s", f, f);
		else if (chance(150))
			buf_addf(b, "cp /etc/%s /etc/%s.bak", f, f);
		else
			buf_addf(b, "%s /etc/%s", PICK(editors), f);
	} else if (k < 850)
		buf_adds(b, PICK(zfs_cmds));
	else if (k < 930)
		buf_adds(b, PICK(git_cmds));
	else if (k < 990)
		buf_addf(b, "ssh %s", PICK(host_names));
	else if (k < 998)
		buf_adds(b, PICK(multi_line));
	else
		buf_adds(b, PICK(latin1_cmds));
}

static int64_t exit_status(void)
{
	unsigned k = (unsigned)below(1000);

	if (k < 920)
		return 0;
	if (k < 970)
		return 1;
	if (k < 980)
		return 2;
	if (k < 990)
		return 130;
	if (k < 995)
		return 3;
	return 127;
}

/* how long a command ran, in microseconds: mostly milliseconds, sometimes minutes */
static int64_t duration(void)
{
	unsigned k = (unsigned)below(100);

	if (k < 70)
		return between(2000, 300000);
	if (k < 95)
		return between(300000, 5000000);
	return between(5000000, 120000000);
}

/* lengths of the sessions of one host-day, summing to n */
static size_t plan_sessions(size_t n, size_t **lens)
{
	size_t count = 0, left = n;

	*lens = NULL;
	while (left > 0) {
		/* 5 to 200, short ones more often: the smaller of two draws */
		size_t a = (size_t)between(5, 200), b = (size_t)between(5, 200);
		size_t len = a < b ? a : b;
		if (len > left)
			len = left;
		*lens = xreallocarray(*lens, count + 1, sizeof **lens);
		(*lens)[count++] = len;
		left -= len;
	}
	return count;
}

/*
 * Times of one host-day: gaps of a few seconds inside a session and of
 * minutes to an hour between sessions, scaled to fit working hours.
 */
static void plan_times(int64_t day_start, const size_t *lens, size_t nsessions, size_t n, int64_t *times)
{
	const int64_t from = day_start + 8 * 3600 * INT64_C(1000000);
	const int64_t span = 12 * 3600 * INT64_C(1000000);
	double total = 0, cum = 0;
	double *gaps = xcalloc(n ? n : 1, sizeof *gaps);
	size_t i = 0;

	for (size_t s = 0; s < nsessions; s++) {
		for (size_t c = 0; c < lens[s]; c++, i++) {
			gaps[i] = c == 0 ? (double)between(300, 3600) : (double)between(1, 60);
			total += gaps[i];
		}
	}
	/* the last record ends a gap before 20:00, the first starts one after 08:00 */
	total += (double)between(300, 3600);
	for (i = 0; i < n; i++) {
		int64_t t;
		cum += gaps[i];
		t = from + (int64_t)(cum / total * (double)span);
		times[i] = i > 0 && t <= times[i - 1] ? times[i - 1] + 1 : t;
	}
	free(gaps);
}

struct writer {
	struct journal *j;
	const struct opts *o;
	struct store_txn *txn;
	const char *host;
	long in_txn;
	size_t records;
	long since_sign;
	size_t signatures;
};

static int add(struct writer *w, struct record *r)
{
	if (!w->txn) {
		struct store_warnings warnings = { 0 };
		w->txn = store_begin(w->j, w->host, &warnings);
		store_warnings_free(&warnings);
		if (!w->txn)
			return -1;
	}
	if (store_add(w->txn, r) < 0)
		return -1;
	w->records++;
	if (w->o->sign_every && ++w->since_sign == w->o->sign_every) {
		/* signed by the admin of the record just written, through the agent */
		struct ident id = { .host = (char *)r->host, .admin = (char *)r->admin,
				    .account = (char *)r->account, .session = (char *)r->session };
		w->since_sign = 0;
		if (sign_add(w->txn, w->j, &id, NULL) != SIGN_DONE) {
			fprintf(stderr, "gen: sign: %s\n", errget());
			return -1;
		}
		w->signatures++;
		w->records++;
	}
	if (++w->in_txn == w->o->batch) {
		struct store_txn *t = w->txn;
		w->txn = NULL;
		w->in_txn = 0;
		return store_commit(t);
	}
	return 0;
}

static int finish(struct writer *w)
{
	struct store_txn *t = w->txn;

	w->txn = NULL;
	w->in_txn = 0;
	return t ? store_commit(t) : 0;
}

static void session_id(char out[32])
{
	uint64_t v = rnd();

	snprintf(out, 32, "%08x-%04x-%04x", (unsigned)(v >> 32), (unsigned)(v >> 16) & 0xffff,
		 (unsigned)v & 0xffff);
}

/* one host's day: its sessions, each by one admin, in time order */
static int host_day(struct writer *w, int64_t day_start)
{
	size_t n = (size_t)w->o->per_day, *lens, nsessions, i = 0;
	int64_t *times = xcalloc(n, sizeof *times);
	struct buf text = BUF_INIT, cwd = BUF_INIT;
	char t[DAY_TIME_LEN + 1], sid[32], tty[16], tmp[32];
	int rc = 0;

	nsessions = plan_sessions(n, &lens);
	plan_times(day_start, lens, nsessions, n, times);
	for (size_t s = 0; s < nsessions && rc == 0; s++) {
		const char *admin = admin_name((long)below((uint64_t)w->o->admins), tmp, sizeof tmp);
		const char *account = chance(800) ? "root" : admin;

		session_id(sid);
		snprintf(tty, sizeof tty, "pts/%d", (int)below(8));
		buf_reset(&cwd);
		if (strcmp(account, "root"))
			buf_addf(&cwd, "/home/%s", admin);
		else
			buf_adds(&cwd, "/root");
		for (size_t c = 0; c < lens[s] && rc == 0; c++, i++) {
			struct record *r;

			if (chance(30)) {
				r = rec_new("note", times[i], w->host, admin, account, sid);
				buf_reset(&text);
				buf_adds(&text, PICK(notes));
				rec_set_text(r, "text", text.data, text.len);
			} else {
				int64_t end = times[i] + duration();
				/* a shell runs one command at a time: it ends before the next starts */
				if (c + 1 < lens[s] && end >= times[i + 1])
					end = times[i + 1] - 1;
				if (chance(100)) {
					buf_reset(&cwd);
					buf_adds(&cwd, PICK(cwds));
				}
				r = rec_new("cmd", times[i], w->host, admin, account, sid);
				command_text(&text);
				rec_set_text(r, "cmd", text.data, text.len);
				rec_set_int(r, "exit", exit_status());
				rec_set_text(r, "cwd", cwd.data, cwd.len);
				rec_set_text(r, "tty", tty, strlen(tty));
				day_time_format(end, t);
				rec_set_text(r, "end", t, strlen(t));
			}
			rc = add(w, r);
			rec_free(r);
		}
	}
	free(lens);
	free(times);
	buf_release(&text);
	buf_release(&cwd);
	return rc;
}

static long number(const char *name, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "gen: --%s takes a number from %ld to %ld, not '%s'\n%s", name, min, max, s, usage);
		exit(EXIT_USAGE);
	}
	return v;
}

static void parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "hosts", required_argument, NULL, 'H' },
		{ "admins", required_argument, NULL, 'A' },
		{ "days", required_argument, NULL, 'D' },
		{ "per-day", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' },
		{ "start", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'B' },
		{ "logbook", required_argument, NULL, 'L' },
		{ "sign-every", required_argument, NULL, 'G' },
		{ "team-key", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *start = "2026-01-05", *env = getenv("LOGBOOK");
	char stamp[DAY_TIME_LEN + 1];
	int c;

	o->hosts = 4;
	o->admins = 6;
	o->days = 1;
	o->per_day = 1000;
	o->batch = 1000;
	o->seed = 1;
	o->logbook = env && *env ? env : "./logbook";
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			o->hosts = number("hosts", optarg, 1, 10000);
			break;
		case 'A':
			o->admins = number("admins", optarg, 1, 10000);
			break;
		case 'D':
			o->days = number("days", optarg, 1, 100000);
			break;
		case 'R':
			o->per_day = number("per-day", optarg, 1, 10000000);
			break;
		case 'S':
			o->seed = (uint64_t)number("seed", optarg, 0, 0x7fffffffL);
			break;
		case 's':
			start = optarg;
			break;
		case 'B':
			o->batch = number("batch", optarg, 1, 100000000);
			break;
		case 'L':
			o->logbook = optarg;
			break;
		case 'G':
			o->sign_every = number("sign-every", optarg, 1, 100000000);
			break;
		case 'K':
			o->team_key = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_OK);
		default:
			fputs(usage, stderr);
			exit(EXIT_USAGE);
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "gen: %s\n%s", optind < argc ? "too many arguments" : "DIR is missing", usage);
		exit(EXIT_USAGE);
	}
	o->dir = argv[optind];
	/* the record time form at midnight checks the date for us */
	snprintf(stamp, sizeof stamp, "%.10sT00:00:00.000000Z", start);
	if (strlen(start) != 10 || day_time_parse(stamp, strlen(stamp), &o->start) < 0) {
		fprintf(stderr, "gen: --start takes a date YYYY-MM-DD from 1970, not '%s'\n", start);
		exit(EXIT_USAGE);
	}
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };	/* --team-key and --sign-every are optional: NULL and 0 unless given */
	struct journal *j;
	struct buf out = BUF_INIT;
	const int64_t day_us = 86400 * INT64_C(1000000);
	double t0 = now_seconds();
	size_t records = 0, files = 0;
	long long bytes = 0;
	int rc;

	parse_options(argc, argv, &o);
	rng_state = o.seed;
	{
		const char *const init[] = { o.logbook, "init", "--timezone", "UTC", o.dir, NULL };
		rc = run_capture(init, NULL, &out);
		buf_release(&out);
		if (rc != 0) {
			fprintf(stderr, "gen: %s init %s: %s\n", o.logbook, o.dir,
				rc < 0 ? errget() : "failed");
			return EXIT_FAIL;
		}
	}
	j = journal_open(o.dir);
	if (!j) {
		fprintf(stderr, "gen: %s\n", errget());
		return EXIT_FAIL;
	}
	if (o.team_key) {
		struct buf key = BUF_INIT;
		if (fs_read_file(o.team_key, &key) < 0) {
			fprintf(stderr, "gen: %s: %s\n", o.team_key, strerror(errno));
			return EXIT_FAIL;
		}
		while (key.len && key.data[key.len - 1] == '\n')
			buf_truncate(&key, key.len - 1);
		for (long a = 0; a < o.admins; a++) {
			char tmp[32];
			if (team_add(j, admin_name(a, tmp, sizeof tmp), NULL, key.data) < 0) {
				fprintf(stderr, "gen: team.conf: %s\n", errget());
				return EXIT_FAIL;
			}
		}
		buf_release(&key);
	}
	/* host by host, so each host's chain is written in time order */
	for (long h = 0; h < o.hosts; h++) {
		char tmp[32];
		struct writer w = { j, &o, NULL, host_name(h, tmp, sizeof tmp), 0, 0, 0, 0 };

		for (long d = 0; d < o.days; d++) {
			if (host_day(&w, o.start + d * day_us) < 0) {
				char *msg = xstrdup(errget());
				store_abort(w.txn);
				errset("%s", msg);
				free(msg);
				goto fail;
			}
		}
		if (finish(&w) < 0)
			goto fail;
		records += w.records;
	}
	for (long d = 0; d < o.days; d++) {
		char day[DAY_LEN + 1];

		if (day_of(o.start + d * day_us + day_us / 2, day) < 0)
			goto fail;
		for (long h = 0; h < o.hosts; h++) {
			char tmp[32];
			char *rel = store_file_rel(day, host_name(h, tmp, sizeof tmp));
			char *path = journal_path(j, rel);
			struct stat st;

			if (stat(path, &st) == 0) {
				files++;
				bytes += (long long)st.st_size;
			}
			free(path);
			free(rel);
		}
	}
	printf("gen: %zu records, %zu files, %lld bytes, %.2f s: %s\n",
	       records, files, bytes, now_seconds() - t0, o.dir);
	journal_close(j);
	return EXIT_OK;
fail:
	fprintf(stderr, "gen: %s\n", errget());
	journal_close(j);
	return EXIT_FAIL;
}
