/*
 * redact: what redacting a typed command costs, per command, on a
 * realistic mix of admin commands (most without a secret).
 *
 *   redact [--runs K] [--commands N] [--seed S]
 *
 * The N commands (default 1000) are made from templates of what admins
 * type (systemctl, journalctl, apt, docker, git, ssh, vim, mysql -p …),
 * with hosts, users, paths and numbers drawn from a splitmix64 stream
 * seeded with S, so the mix is the same on any machine; about one in
 * fifteen holds a secret.  Rows, each the median of K runs over all N
 * commands (rows interleaved in every run, so other load falls on all):
 *   redact_command          every command (the figure for RESULTS.md)
 *     without a secret      the commands no rule fires on
 *     with a secret         the others (they are looked at twice)
 *   + 1000 known secrets    redact_command, then secrets_redact with
 *                           1000 known values (journal/secrets.h: what
 *                           the store adds for every text it writes)
 *     known secrets alone   secrets_redact alone
 *   reference: copy         buf_add of the command: no redaction at all
 *   reference: one regex    one PCRE2 JIT search per command for
 *                           password|token|secret, a naive redactor
 * and the time of redact_new (once per process).  The known values are
 * random printable strings of 8 to 24 bytes drawn from the same stream.  Times are in
 * microseconds per command.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "capture/redact.h"
#include "journal/secrets.h"
#include "base/banned.h"

static const char usage[] = "usage: redact [--runs K] [--commands N] [--seed S]\n";

/* %h host, %u user, %p path, %s service, %n number, %w word (a secret) */
static const char *const plain[] = {
	"ls -la", "ls -lh %p", "cd %p", "cd", "pwd", "df -h", "free -m", "uptime", "w",
	"top", "htop", "ps aux | grep %s", "ps -ef --forest", "sudo -i",
	"systemctl status %s", "systemctl restart %s", "sudo systemctl reload %s",
	"systemctl list-units --failed", "journalctl -u %s --since '1 hour ago'",
	"journalctl -xe", "journalctl -fu %s", "tail -f /var/log/%s/error.log",
	"tail -n %n /var/log/syslog", "less /var/log/%s.log", "grep -r 'error' /var/log/%s",
	"grep -i password /etc/%s/%s.conf", "zgrep -c timeout /var/log/%s.log.%n.gz",
	"vim /etc/%s/%s.conf", "nano /etc/hosts", "cat /etc/%s/%s.conf",
	"cp /etc/%s/%s.conf /etc/%s/%s.conf.bak", "mv %p %p.old", "rm -rf /tmp/%s-%n",
	"mkdir -p /srv/%s/%n", "chown -R %u:%u /srv/%s", "chmod 640 /etc/%s/%s.conf",
	"find /var/log -name '*.gz' -mtime +%n -delete", "du -sh /var/lib/* | sort -h | tail",
	"apt update", "apt upgrade -y", "apt install -y %s", "apt-cache policy %s",
	"dpkg -l | grep %s", "docker ps -a", "docker logs --tail %n -f %s",
	"docker compose -f /srv/%s/docker-compose.yml up -d", "docker exec -it %s bash",
	"docker image prune -af", "docker stats --no-stream", "git status", "git pull",
	"git log --oneline -n %n", "git diff HEAD~1 -- etc/%s.conf",
	"git commit -am 'update %s config'", "git push origin main",
	"ssh %u@%h", "ssh -p 2222 %h uptime", "scp %p %u@%h:/tmp/", "rsync -avz %p %h:%p",
	"ping -c 3 %h", "dig +short %h", "host %h", "curl -I https://%h/", "curl -s https://%h/health",
	"wget -q https://%h/%s.tar.gz", "ip a", "ip route", "ss -tlnp", "netstat -tulpn",
	"iptables -L -n -v", "nft list ruleset", "ufw status", "mount | grep %s",
	"lsblk", "fdisk -l", "smartctl -a /dev/sd%w", "zpool status", "btrfs fi usage /",
	"xl list", "xl console %s", "virsh list --all", "crontab -l", "crontab -e -u %u",
	"mysql -u root -p", "mysql -u root -p %s", "mysqldump -u root -p %s > /backup/%s.sql",
	"psql -U postgres -d %s", "sudo -u postgres psql", "redis-cli ping",
	"redis-cli -h %h info memory", "nginx -t", "apachectl configtest",
	"certbot renew --dry-run", "openssl x509 -in /etc/ssl/certs/%s.pem -noout -dates",
	"openssl s_client -connect %h:443 -servername %h", "tar czf /backup/%s-%n.tgz /etc/%s",
	"borg list /backup/repo", "id %u", "passwd %u", "usermod -aG sudo %u", "last -n %n",
	"who", "history | tail -n %n", "for h in web1 web2 db1; do ssh $h uptime; done",
	"echo $PATH", "export EDITOR=vim", "sed -i 's/max_conn = %n/max_conn = %n/' /etc/%s.conf",
	"awk '{print $1}' /var/log/%s/access.log | sort | uniq -c | sort -rn | head",
	"watch -n %n 'df -h /'", "kubectl get pods -n %s", "kubectl logs -f deploy/%s -n %s",
	"ansible all -m ping", "ansible-playbook -i inventory site.yml --limit %h",
	"fail2ban-client status sshd", "logrotate -f /etc/logrotate.d/%s",
};

static const char *const secret[] = {
	"mysql -u root -p%w %s", "mysqldump -uroot -p'%w' --all-databases > /backup/all.sql",
	"export DB_PASSWORD=%w", "PGPASSWORD=%w psql -h %h -U %u %s",
	"curl -u %u:%w https://%h/api/status", "git clone https://%u:%w@%h/%s.git",
	"redis-cli -a %w info", "sshpass -p %w ssh %u@%h",
	"echo '%u:%w' | chpasswd", "htpasswd -b /etc/nginx/.htpasswd %u %w",
	"curl -H 'Authorization: Bearer %w' https://%h/v1/%s",
	"docker login -u %u -p %w registry.%h", "ldapsearch -x -D cn=admin -w %w -b dc=%s",
	"mysql -u root -p%w -e \"CREATE USER '%u'@'%%' IDENTIFIED BY '%w'\"",
	"openssl pkcs12 -export -in %s.pem -passout pass:%w -out %s.p12",
};

static const char *const hosts[] = { "web1", "web2", "db1", "gitlab", "irc", "vps.example.org", "backup" };
static const char *const users[] = { "root", "alice", "bob", "carol", "www-data", "deploy" };
static const char *const services[] = { "nginx", "mysql", "postgresql", "redis", "gitlab", "php8.2-fpm", "sshd", "postfix" };
static const char *const paths[] = { "/etc/nginx", "/var/www/html", "/srv/wiki", "/root/scripts", "/tmp/x", "/var/backups" };

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define PICK(a) (a[next() % (sizeof a / sizeof a[0])])

static void expand(struct buf *b, const char *t)
{
	for (; *t; t++) {
		if (*t != '%' || !t[1]) {
			buf_addc(b, *t);
			continue;
		}
		switch (*++t) {
		case 'h': buf_adds(b, PICK(hosts)); break;
		case 'u': buf_adds(b, PICK(users)); break;
		case 's': buf_adds(b, PICK(services)); break;
		case 'p': buf_adds(b, PICK(paths)); break;
		case 'n': buf_addf(b, "%u", (unsigned)(next() % 500)); break;
		case 'w':
			for (int i = 0; i < 12; i++)
				buf_addc(b, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[next() % 57]);
			break;
		default: buf_addc(b, *t);
		}
	}
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum { ROW_ALL, ROW_PLAIN, ROW_SECRET, ROW_KNOWN, ROW_KNOWN_ONLY, ROW_COPY, ROW_REGEX, NROWS };
#define NKNOWN 1000

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'k' },
		{ "commands", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	size_t runs = 21, ncmd = 1000, nsecret = 0, bytes = 0, found = 0;
	struct buf *cmds;
	bool *has;
	double *t[NROWS], t0, t_new;
	struct redactor *r;
	struct secrets *known;
	pcre2_code *naive;
	pcre2_match_data *md;
	int opt, err;
	PCRE2_SIZE erroff;

	rng = 3;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': runs = strtoul(optarg, NULL, 10); break;
		case 'n': ncmd = strtoul(optarg, NULL, 10); break;
		case 's': rng = strtoull(optarg, NULL, 10); break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc || runs == 0 || ncmd == 0) {
		fputs(usage, stderr);
		return 2;
	}

	cmds = xcalloc(ncmd, sizeof *cmds);
	has = xcalloc(ncmd, sizeof *has);
	for (size_t i = 0; i < ncmd; i++) {
		has[i] = next() % 15 == 0;
		expand(&cmds[i], has[i] ? PICK(secret) : PICK(plain));
		nsecret += has[i];
		bytes += cmds[i].len;
	}
	for (int k = 0; k < NROWS; k++)
		t[k] = xcalloc(runs, sizeof *t[k]);

	t0 = now_us();
	r = redact_new(NULL);
	t_new = now_us() - t0;
	if (!r) {
		fprintf(stderr, "redact: %s\n", errget());
		return 1;
	}
	known = secrets_new();
	if (!known) {
		fprintf(stderr, "redact: %s\n", errget());
		return 1;
	}
	for (size_t i = 0; i < NKNOWN; i++) {
		char v[32];
		size_t len = 8 + next() % 17;
		for (size_t k = 0; k < len; k++)
			v[k] = (char)(33 + next() % 94);
		secrets_add(known, v, len);
	}
	naive = pcre2_compile((PCRE2_SPTR)"(?i)password|token|secret", PCRE2_ZERO_TERMINATED, 0,
			      &err, &erroff, NULL);
	pcre2_jit_compile(naive, PCRE2_JIT_COMPLETE);
	md = pcre2_match_data_create(1, NULL);

	for (size_t run = 0; run < runs; run++) {
		struct buf out = BUF_INIT;
		for (int row = 0; row < NROWS; row++) {
			t0 = now_us();
			for (size_t i = 0; i < ncmd; i++) {
				buf_reset(&out);
				switch (row) {
				case ROW_ALL:
					found += redact_command(r, cmds[i].data, cmds[i].len, &out);
					break;
				case ROW_PLAIN:
				case ROW_SECRET:
					if (has[i] == (row == ROW_SECRET))
						redact_command(r, cmds[i].data, cmds[i].len, &out);
					break;
				case ROW_KNOWN: {
					struct buf k = BUF_INIT;
					redact_command(r, cmds[i].data, cmds[i].len, &k);
					secrets_redact(known, k.data, k.len, &out);
					buf_release(&k);
					break;
				}
				case ROW_KNOWN_ONLY:
					secrets_redact(known, cmds[i].data, cmds[i].len, &out);
					break;
				case ROW_COPY:
					buf_add(&out, cmds[i].data, cmds[i].len);
					break;
				case ROW_REGEX:
					buf_add(&out, cmds[i].data, cmds[i].len);
					pcre2_match(naive, (PCRE2_SPTR)cmds[i].data, cmds[i].len, 0, 0, md, NULL);
					break;
				}
			}
			t[row][run] = now_us() - t0;
		}
		buf_release(&out);
	}

	printf("redact: %zu commands (%zu with a secret, %.0f bytes on average), median of %zu runs\n",
	       ncmd, nsecret, (double)bytes / ncmd, runs);
	printf("%-28s %10s\n", "", "us/command");
	printf("%-28s %10.2f\n", "redact_command", median(t[ROW_ALL], runs) / ncmd);
	printf("%-28s %10.2f\n", "  without a secret", median(t[ROW_PLAIN], runs) / (ncmd - nsecret ? ncmd - nsecret : 1));
	printf("%-28s %10.2f\n", "  with a secret", median(t[ROW_SECRET], runs) / (nsecret ? nsecret : 1));
	printf("%-28s %10.2f\n", "  + 1000 known secrets", median(t[ROW_KNOWN], runs) / ncmd);
	printf("%-28s %10.2f\n", "    known secrets alone", median(t[ROW_KNOWN_ONLY], runs) / ncmd);
	printf("%-28s %10.2f\n", "reference: copy", median(t[ROW_COPY], runs) / ncmd);
	printf("%-28s %10.2f\n", "reference: one regex", median(t[ROW_REGEX], runs) / ncmd);
	printf("redact_new: %.0f us; secrets replaced per run: %zu\n", t_new, found / runs);

	for (size_t i = 0; i < ncmd; i++)
		buf_release(&cmds[i]);
	for (int k = 0; k < NROWS; k++)
		free(t[k]);
	free(cmds);
	free(has);
	pcre2_match_data_free(md);
	pcre2_code_free(naive);
	redact_free(r);
	secrets_free(known);
	return 0;
}
