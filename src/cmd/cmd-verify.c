/*
 * logbook verify [--host H] [--since DAY]: walk every host's chain across
 * all its day files and check every link and every signature.
 *
 * Each line is hashed as it is read (its common fields by rec_scan, without
 * a JSON tree; rec_parse for sign records and for any line rec_scan
 * declines, which says what is wrong with it); a host's records are then
 * put in seq order: seq must go 1, 2, 3... without gap or repeat, each "prev"
 * must be the hash of the record before, a file's lines must be in
 * increasing seq (the store only appends), and every sign record must
 * carry a good signature by a key of its admin in the keyring
 * (journal_keyring: the signed one when this replica has a pin; sign.h).
 * Records after a host's last good signature are its unsigned tail:
 * reported, not an error.  Memory: about 120 bytes per record.  Hosts
 * are read in parallel, one thread per CPU: their chains are independent,
 * and what is found stays with each host until all are read, so the
 * output does not depend on which thread read what.
 *
 * Every host is read before any is reported, because a good signature
 * also vouches for the heads of other hosts it witnessed (sign.h): each
 * witnessed record must be here with that hash, or the witnessed host's
 * history was cut or rewritten after someone signed it.  Such a problem
 * is reported at the sign record's file and line, in the section of the
 * host that lost it, whose own chain may well look intact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/each.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/record-scan.h"
#include "journal/record.h"
#include "journal/sign.h"
#include "journal/store.h"
#include "journal/team.h"
#include "replica/git.h"
#include "replica/keyring.h"
#include "replica/replica.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook verify [--host HOST] [--since DAY]\n"
	"\n"
	"Check the whole journal for tampering and damage: every host's hash\n"
	"chain across all its day files (seq without gap, each record linked\n"
	"to the one before, lines in order) and every signature (a good\n"
	"SSHSIG by a key of the record's admin in team.conf), and that the\n"
	"other hosts' heads a good signature witnessed are here with the\n"
	"hash it signed.  Reports per host the records, how many a signature\n"
	"vouches for, the unsigned tail, and each problem with its file and\n"
	"line.\n"
	"\n"
	"On a replica whose keyring is signed, the keys are those of the\n"
	"signed keyring (.git/logbook-keyring, what sync took along the signed\n"
	"history), not team.conf here: keyring changes in team.conf that\n"
	"nobody signed are a problem, and so is a signed keyring another\n"
	"account than the owner of .git could have written.  As root or as\n"
	"that owner, verify also replays the keyring's history from the root\n"
	"of trust (.git/logbook-trust) to the team ref's head; a member is\n"
	"told that each sync checked it.\n"
	"\n"
	"  --host HOST   only this host\n"
	"  --since DAY   only the day files from DAY on (the first record's\n"
	"                link to older files is not checked)\n"
	"  -h, --help    show this help\n"
	"\n"
	"Exit status: 0 nothing broken (unsigned records are not an error),\n"
	"1 something is broken or could not be read (the keyring problems\n"
	"above included), 2 bad usage.\n";

/* threads reading hosts at once, the calling one included */
#define READERS_MAX 8

struct entry {
	int64_t seq;
	unsigned char prev[32], hash[32];
	unsigned file, line;
	bool sign, good;	/* a sign record, and its signature is good */
	int64_t time;		/* time and admin: of sign records only */
	char admin[24];
};

struct host {
	char *name;
	char **files;		/* relative paths, oldest day first */
	size_t nfiles;
	struct entry *e;
	size_t n;
	size_t problems;
	struct buf out;		/* its problems, printed under its name */
	struct witness *w;	/* what its good signatures witnessed, in file and line order */
	size_t nw;
};

/* a head that a good signature witnessed */
struct witness {
	struct store_head head;
	size_t signer;		/* the host of the sign record, in run->h */
	unsigned file, line;
	int64_t seq;		/* of the sign record */
	char admin[24];
};

struct run {
	struct journal *j;
	struct team_keys keys;
	struct host *h;
	size_t nh;
	size_t problems;
	struct buf out;
	struct witness *w;
	size_t nw;
	bool partial;		/* --host or --since: not every record of every host is here */
};

/* 64 lowercase hex digits to 32 bytes; -1 on anything else */
static int unhex(const char *s, unsigned char out[32])
{
	/* a digit's value + 1, 0 for anything else */
	static const unsigned char val[256] = {
		['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
		['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	};
	bool bad = false;

	for (int i = 0; i < 32; i++) {
		unsigned hi = val[(unsigned char)s[2 * i]], lo = val[(unsigned char)s[2 * i + 1]];
		bad |= !hi || !lo;
		out[i] = (unsigned char)((hi - 1) << 4 | ((lo - 1) & 15));
	}
	return bad ? -1 : 0;
}

/* a problem of host h, under its name; counted in h only, as hosts are read in parallel */
static void problem(struct host *h, const char *file, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void problem(struct host *h, const char *file, size_t line, const char *fmt, ...)
{
	va_list ap;

	buf_addf(&h->out, "  %s", file);
	if (line)
		buf_addf(&h->out, ":%zu", line);
	buf_adds(&h->out, ": ");
	va_start(ap, fmt);
	buf_vaddf(&h->out, fmt, ap);
	va_end(ap);
	buf_addc(&h->out, '\n');
	h->problems++;
}

struct scan {
	struct run *run;
	struct host *h;
	size_t host;		/* h's index in run->h */
	unsigned file;
	const char *rel;
	int64_t last_seq;
};

/* the heads a good sign record r (at e) witnessed, checked once every host is read */
static void add_witnesses(struct scan *s, const struct record *r, const struct entry *e)
{
	struct host *h = s->h;
	struct store_head *v;
	size_t n;

	if (sign_witnesses(r, &v, &n) < 0 || n == 0)
		return;	/* sign_check took it, so it is well formed */
	h->w = xreallocarray(h->w, h->nw + n, sizeof *h->w);
	for (size_t i = 0; i < n; i++) {
		struct witness *w = &h->w[h->nw++];
		w->head = v[i];
		w->signer = s->host;
		w->file = e->file;
		w->line = e->line;
		w->seq = e->seq;
		memcpy(w->admin, e->admin, sizeof w->admin);
	}
	free(v);
}

/*
 * The entry of a record of host (host_len bytes) at lineno, after the
 * checks that need only this line; NULL when the record is not the
 * file's host's.
 */
static struct entry *add_entry(struct scan *s, size_t lineno, const char *host, size_t host_len, int64_t seq)
{
	struct host *h = s->h;
	struct entry *e;

	if (host_len != strlen(h->name) || memcmp(host, h->name, host_len)) {
		problem(h, s->rel, lineno, "a record of host %.*s in the file of %s", (int)host_len, host,
			h->name);
		return NULL;
	}
	if (seq <= s->last_seq)
		problem(h, s->rel, lineno, "seq %lld after seq %lld: lines out of order", (long long)seq,
			(long long)s->last_seq);
	s->last_seq = seq;
	if ((h->n & (h->n - 1)) == 0)	/* grow at powers of two */
		h->e = xreallocarray(h->e, h->n ? h->n * 2 : 1, sizeof *h->e);
	e = &h->e[h->n++];
	memset(e, 0, sizeof *e);
	e->seq = seq;
	e->file = s->file;
	e->line = (unsigned)lineno;
	return e;
}

static int verify_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct scan *s = arg;
	struct host *h = s->h;
	struct rec_fields f;
	struct record *r;
	struct entry *e;

	/* the common case, without a JSON tree; sign records need one for their signature */
	if (rec_scan(line, len, &f) && !(f.kind_len == 4 && !memcmp(f.kind, "sign", 4))) {
		if (!(e = add_entry(s, lineno, f.host, f.host_len, f.seq)))
			return 0;
		rec_digest(line, len, e->hash);
		unhex(f.prev, e->prev);
		return 0;
	}
	if (!(r = rec_parse(line, len, false))) {
		problem(h, s->rel, lineno, "damaged record: %s", errget());
		return 0;
	}
	if (!(e = add_entry(s, lineno, r->host, strlen(r->host), r->seq))) {
		rec_free(r);
		return 0;
	}
	e->time = r->time;
	snprintf(e->admin, sizeof e->admin, "%s", r->admin);
	rec_digest(line, len, e->hash);
	unhex(r->prev, e->prev);
	if (!strcmp(r->kind, "sign")) {
		e->sign = true;
		if (sign_check(r, &s->run->keys) == 0) {
			e->good = true;
			add_witnesses(s, r, e);
		} else {
			problem(h, s->rel, lineno, "sign record of %s: %s", r->admin, errget());
		}
	}
	rec_free(r);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

static struct host *host_of(struct run *run, const char *name)
{
	for (size_t i = 0; i < run->nh; i++)
		if (!strcmp(run->h[i].name, name))
			return &run->h[i];
	run->h = xreallocarray(run->h, run->nh + 1, sizeof *run->h);
	memset(&run->h[run->nh], 0, sizeof *run->h);
	run->h[run->nh].name = xstrdup(name);
	return &run->h[run->nh++];
}

/* read every file of host i: its records in seq order, its witnesses to h->w */
static void read_host(struct run *run, size_t i)
{
	struct host *h = &run->h[i];
	struct buf b = BUF_INIT;

	for (size_t f = 0; f < h->nfiles; f++) {
		char *path = journal_path(run->j, h->files[f]);
		struct scan s = { .run = run, .h = h, .host = i, .file = (unsigned)f, .rel = h->files[f] };
		/* a torn last line: readers skip it, but verify says so */
		if (store_scan_file_buf(path, &b, verify_line, &s) < 0)
			problem(h, h->files[f], 0, "cannot be read: %s", errget());
		else if (b.len > 0 && b.data[b.len - 1] != '\n')
			problem(h, h->files[f], 0, "the last line is torn (a crash mid-write; the next writer cuts it)");
		free(path);
	}
	buf_release(&b);
	/* files in day order hold seq in order unless something is wrong */
	for (size_t k = 1; k < h->n; k++) {
		if (h->e[k].seq < h->e[k - 1].seq) {
			qsort(h->e, h->n, sizeof *h->e, cmp_entry);
			break;
		}
	}
}

static void read_one(size_t i, void *run)
{
	read_host(run, i);
}

/*
 * Read every host, on every CPU: the hosts' chains are independent, and
 * each host's results stay in its struct host until all are read, so the
 * output is the same whatever the order.  The witnesses are then put in
 * host order, the order of a reading by one thread.
 */
static void read_hosts(struct run *run)
{
	each_on_cpus(run->nh, READERS_MAX, read_one, run);
	for (size_t i = 0; i < run->nh; i++) {
		struct host *h = &run->h[i];
		run->w = xreallocarray(run->w, run->nw + h->nw, sizeof *run->w);
		if (h->nw)
			memcpy(run->w + run->nw, h->w, h->nw * sizeof *h->w);
		run->nw += h->nw;
		free(h->w);
		h->w = NULL;
		h->nw = 0;
	}
}

static int cmp_host_name(const void *key, const void *h)
{
	return strcmp(key, ((const struct host *)h)->name);
}

/* the first entry of h with seq, or NULL */
static const struct entry *entry_of(const struct host *h, int64_t seq)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->e[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->n && h->e[lo].seq == seq ? &h->e[lo] : NULL;
}

static void hex(const unsigned char *v, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[v[i] >> 4];
		out[2 * i + 1] = digits[v[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * Each witnessed head must be here as it was signed.  With --host or
 * --since only what was read can be checked: a host or records not read
 * are passed over, not reported missing.
 */
static void check_witnesses(struct run *run)
{
	for (size_t i = 0; i < run->nw; i++) {
		const struct witness *w = &run->w[i];
		struct host *signer = &run->h[w->signer], *h;
		const char *rel = signer->files[w->file];
		const struct entry *e;
		unsigned char want[32];
		char short_hash[13], found[REC_HASH_LEN + 1];

		memcpy(short_hash, w->head.hash, 12);
		short_hash[12] = '\0';
		h = bsearch(w->head.host, run->h, run->nh, sizeof *run->h, cmp_host_name);
		if (!h) {
			if (!run->partial)
				problem(signer, rel, w->line, "%s's signature (%s seq %lld) witnessed %s seq %lld "
					"(hash %s...), but %s has no records here", w->admin, signer->name,
					(long long)w->seq, w->head.host, (long long)w->head.seq, short_hash, w->head.host);
			continue;
		}
		if (run->partial && (h->n == 0 || w->head.seq < h->e[0].seq))
			continue;
		unhex(w->head.hash, want);
		if (h->n == 0 || w->head.seq > h->e[h->n - 1].seq) {
			problem(h, rel, w->line, "%s's signature (%s seq %lld) witnessed %s seq %lld (hash %s...), "
				"but %s's chain here ends at seq %lld", w->admin, signer->name, (long long)w->seq,
				h->name, (long long)w->head.seq, short_hash, h->name,
				(long long)(h->n ? h->e[h->n - 1].seq : 0));
			continue;
		}
		if (!(e = entry_of(h, w->head.seq))) {
			problem(h, rel, w->line, "%s's signature (%s seq %lld) witnessed %s seq %lld (hash %s...), "
				"but %s has no seq %lld here", w->admin, signer->name, (long long)w->seq, h->name,
				(long long)w->head.seq, short_hash, h->name, (long long)w->head.seq);
			continue;
		}
		/* a repeated seq is reported by the chain check; any copy with the hash will do */
		while (e < h->e + h->n && e->seq == w->head.seq && memcmp(e->hash, want, 32))
			e++;
		if (e < h->e + h->n && e->seq == w->head.seq)
			continue;
		e = entry_of(h, w->head.seq);
		hex(e->hash, 32, found);
		found[12] = '\0';
		problem(h, rel, w->line, "%s's signature (%s seq %lld) witnessed %s seq %lld (hash %s...), "
			"but %s seq %lld here has hash %s... (%s:%u)", w->admin, signer->name, (long long)w->seq,
			h->name, (long long)w->head.seq, short_hash, h->name, (long long)w->head.seq, found,
			h->files[e->file], e->line);
	}
}

static void check_host(struct run *run, struct host *h, bool from_start)
{
	static const unsigned char genesis[32];
	int64_t signed_upto = 0;
	size_t nsigned = 0, last_good = (size_t)-1;
	char when[DAY_TIME_LEN + 1];

	buf_addf(&run->out, "%s:\n", h->name);
	for (size_t i = 0; i < h->n; i++) {
		struct entry *e = &h->e[i];
		const char *rel = h->files[e->file];

		if (i == 0) {
			if (from_start && e->seq != 1)
				problem(h, rel, e->line, "the chain starts at seq %lld: records 1-%lld are missing",
					(long long)e->seq, (long long)e->seq - 1);
			else if (e->seq == 1 && memcmp(e->prev, genesis, 32))
				problem(h, rel, e->line, "seq 1 does not start the chain (prev is not zeros)");
		} else if (e->seq == h->e[i - 1].seq) {
			problem(h, rel, e->line, "seq %lld appears twice (also %s:%u)", (long long)e->seq,
				h->files[h->e[i - 1].file], h->e[i - 1].line);
		} else if (e->seq != h->e[i - 1].seq + 1) {
			problem(h, rel, e->line, "records %lld-%lld are missing before this one",
				(long long)h->e[i - 1].seq + 1, (long long)e->seq - 1);
		} else if (memcmp(e->prev, h->e[i - 1].hash, 32)) {
			problem(h, rel, e->line, "broken link: prev is not the hash of seq %lld (%s:%u), "
				"which was changed, or this one was", (long long)h->e[i - 1].seq,
				h->files[h->e[i - 1].file], h->e[i - 1].line);
		}
		if (e->sign && e->good) {
			signed_upto = e->seq;
			last_good = i;
		}
	}
	for (size_t i = 0; i < h->n; i++)
		if (h->e[i].seq <= signed_upto)
			nsigned++;
	buf_add(&run->out, h->out.data, h->out.len);
	buf_addf(&run->out, "  %zu record%s in %zu file%s; %zu signed", h->n, h->n == 1 ? "" : "s", h->nfiles,
		 h->nfiles == 1 ? "" : "s", nsigned);
	if (last_good != (size_t)-1) {
		day_time_format(h->e[last_good].time, when);
		buf_addf(&run->out, " (last signature: seq %lld by %s, %s)", (long long)h->e[last_good].seq,
			 h->e[last_good].admin, when);
	}
	buf_addf(&run->out, ", %zu unsigned at the end; %s\n", h->n - nsigned,
		 h->problems ? "PROBLEMS above" : "chain intact");
}

/* the day files of every host, oldest day first */
static int collect(struct run *run, const char *only, const char *since)
{
	struct store_days days;

	if (store_list_day_files(run->j, &days) < 0)
		return -1;
	for (size_t d = days.n; d-- > 0;) {
		if (since && strcmp(days.days[d].day, since) < 0)
			continue;
		for (size_t k = 0; k < days.days[d].n; k++) {
			struct host *h;
			if (only && strcmp(only, days.days[d].hosts[k]))
				continue;
			h = host_of(run, days.days[d].hosts[k]);
			h->files = xreallocarray(h->files, h->nfiles + 1, sizeof *h->files);
			h->files[h->nfiles++] = store_file_rel(days.days[d].day, days.days[d].hosts[k]);
		}
	}
	for (size_t i = 0; i < days.warnings.n; i++) {
		buf_addf(&run->out, "%s\n", days.warnings.msgs[i]);
		run->problems++;
	}
	store_days_free(&days);
	return 0;
}

static int cmp_host(const void *a, const void *b)
{
	return strcmp(((const struct host *)a)->name, ((const struct host *)b)->name);
}

/*
 * What sync kept aside (replica.h) is a replica's attempt to rewrite a
 * host's history: every entry is a problem, though the files here are
 * intact.
 */
static void report_quarantine(struct run *run)
{
	struct replica_kept *v;
	size_t n;

	if (replica_quarantined(run->j, &v, &n) < 0) {
		warn_msg("verify: %s", errget());
		run->problems++;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		printf("%s/%s: kept aside by sync, not in the files: %s (git log -p %s)\n", REPLICA_QUARANTINE, v[i].name,
		       v[i].why, v[i].ref);
		run->problems++;
	}
	replica_kept_free(v, n);
}

/*
 * The keys signatures are checked against: on a replica whose keyring is
 * signed, the signed one (journal_keyring), so that a key added to
 * team.conf here, or a revocation taken out, without a signature, vouches
 * for nothing; what such an edit changes is reported.
 */
static void load_keys(struct run *run)
{
	const struct conf *keyring = journal_keyring(run->j);
	struct team_keys here;
	struct buf diff = BUF_INIT;

	if (!keyring) {
		printf("%s: no signature can be checked\n", errget());
		run->problems++;
		return;
	}
	team_keys_load(keyring, &run->keys);
	if (keyring == run->j->conf)
		return;
	team_keys_load(run->j->conf, &here);
	if (team_keys_diff(&run->keys, &here, &diff)) {
		char *dir = journal_path(run->j, KEYRING_PROPOSALS), **names = NULL;
		size_t waiting = 0;

		/* a change made here and signed waits for the owner's sync: not the same as nobody's */
		fs_list_dir(dir, NULL, NULL, false, &names, &waiting);
		printf("%s/%s here has keyring changes nobody signed (signatures are checked against the "
		       "signed keyring, 'logbook team log'",
		       run->j->dir, JOURNAL_CONF);
		if (waiting)
			printf("; %zu signed change%s in %s wait%s for the next sync", waiting, waiting == 1 ? "" : "s",
			       KEYRING_PROPOSALS, waiting == 1 ? "s" : "");
		printf("):\n%s", buf_str(&diff));
		run->problems++;
		fs_free_names(names, waiting);
		free(dir);
	}
	team_keys_free(&here);
	buf_release(&diff);
}

/*
 * Replay the keyring's history from the root of trust to the team ref's
 * head (replica_check_team), as the owner of .git: git runs as that
 * account only, so root forks a child that becomes it.  A member cannot
 * run git there: the owner's sync checked every change it took.
 */
static void check_keyring(struct run *run)
{
	char *pin = journal_pinned(run->j->dir), *why = NULL;
	struct buf out = BUF_INIT;
	size_t changes = 0;
	int fds[2], status, rc = -1;
	pid_t pid;

	if (!pin)
		return;
	if (geteuid() != 0 && git_check_dir(run->j->dir, NULL) != GIT_TRUSTED) {
		printf("team keyring: root of trust %s; its history is replayed by the owner of .git at each sync "
		       "(verify as root or as that account replays it here)\n", pin);
		free(pin);
		return;
	}
	fflush(stdout);
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		printf("team keyring: cannot replay its history: %s\n", strerror(errno));
		run->problems++;
		free(pin);
		return;
	}
	if (pid == 0) {
		/* "<changes>\n<why>": what the parent prints */
		close(fds[0]);
		if (git_become_owner(run->j->dir) < 0)
			rc = -1;
		else
			rc = replica_check_team(run->j, &changes, &why);
		buf_addf(&out, "%zu\n%s", changes, rc == 0 ? "" : rc > 0 ? why : errget());
		fs_write_all(fds[1], out.data, out.len);
		_exit(rc == 0 ? 0 : rc > 0 ? 1 : 2);
	}
	close(fds[1]);
	fs_read_fd(fds[0], &out, 64 * 1024);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
	changes = strtoul(buf_str(&out), NULL, 10);
	why = strchr(buf_str(&out), '\n');
	why = why ? why + 1 : "";
	if (rc == 0)
		printf("team keyring: %zu signed change%s, its history checks from the root of trust %s\n", changes,
		       changes == 1 ? "" : "s", pin);
	else
		printf("team keyring: %s%s\n", rc == 1 ? "its history does not check: " : "cannot replay its history: ",
		       *why ? why : "the child failed");
	if (rc)
		run->problems++;
	buf_release(&out);
	free(pin);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL, *since_spec = NULL;
	char since[DAY_LEN + 1];
	struct run run = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			only = optarg;
			break;
		case 's':
			since_spec = optarg;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (optind < argc)
		cli_usage_exit(usage, "verify: unexpected argument '%s'", argv[optind]);
	if (since_spec && day_parse(since_spec, day_now_us(), since) < 0)
		cli_usage_exit(usage, "verify: --since: %s", errget());
	run.j = cmd_journal();
	load_keys(&run);
	if (collect(&run, only, since_spec ? since : NULL) < 0)
		die("verify: %s", errget());
	if (run.nh > 1)
		qsort(run.h, run.nh, sizeof *run.h, cmp_host);
	if (run.nh == 0)
		buf_addf(&run.out, only ? "no records of host %s\n" : "no records%s\n", only ? only : "");
	run.partial = only || since_spec;
	read_hosts(&run);
	check_witnesses(&run);
	for (size_t i = 0; i < run.nh; i++) {
		check_host(&run, &run.h[i], !since_spec);
		cli_out(run.out.data, run.out.len);
		buf_reset(&run.out);
	}
	cli_out(run.out.data, run.out.len);
	check_keyring(&run);
	report_quarantine(&run);
	for (size_t i = 0; i < run.nh; i++) {
		run.problems += run.h[i].problems;
		for (size_t f = 0; f < run.h[i].nfiles; f++)
			free(run.h[i].files[f]);
		free(run.h[i].files);
		free(run.h[i].e);
		free(run.h[i].name);
		buf_release(&run.h[i].out);
	}
	free(run.h);
	free(run.w);
	buf_release(&run.out);
	team_keys_free(&run.keys);
	journal_close(run.j);
	c = cli_finish_output();
	return c != EXIT_OK ? c : run.problems ? EXIT_FAIL : EXIT_OK;
}
