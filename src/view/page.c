/*
 * page: the day page's model (see page.h).
 *
 * Stretches: a record of a host joins the newest stretch of that host
 * with its admin, account and session that no signature has closed yet;
 * a signature joins it and closes it.  A session's "close" record joins
 * the newest stretch of its session, closed or not, so a shell that
 * signed before leaving does not open a stretch of its own.
 *
 * Messages (events, mails) are keyed by the SHA-256 of what an admin
 * sees of them (source, level, mail sender and subject, text): the same
 * key folds into the first one.
 */
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/hex.h"
#include "base/xalloc.h"
#include "view/page.h"
#include "base/banned.h"

/* room for item n of an array grown by doubling (its size the smallest power of two above n) */
static void *grow(void *v, size_t n, size_t size)
{
	return n & (n - 1) ? v : xreallocarray(v, n ? 2 * n : 1, size);
}

static void list_add(struct page_list *l, size_t i)
{
	l->v = grow(l->v, l->n, sizeof *l->v);
	l->v[l->n++] = i;
}

static void list_release(struct page_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

void page_init(struct page *pg, const char *day, const char *tz, const char *noise)
{
	const char *p;

	memset(pg, 0, sizeof *pg);
	pg->day = xstrdup(day);
	pg->tz = xstrdup(tz);
	for (p = noise ? noise : PAGE_NOISE_DEFAULT; *p;) {
		size_t n;
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (!n)
			break;
		pg->noise = xreallocarray(pg->noise, pg->nnoise + 1, sizeof *pg->noise);
		pg->noise[pg->nnoise++] = xstrndup(p, n);
		p += n;
	}
}

bool page_is_noise(const struct page *pg, const char *cmd, size_t len, int64_t status)
{
	/* one simple command: no list, pipe, redirection, substitution or second line */
	static const bool not_simple[256] = {
		[';'] = 1, ['|'] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1, ['$'] = 1, ['`'] = 1, ['('] = 1, [')'] = 1,
		['\n'] = 1, ['\r'] = 1, ['\0'] = 1,
	};
	size_t i = 0, w;

	if (status != 0)
		return false;
	for (size_t k = 0; k < len; k++)
		if (not_simple[(unsigned char)cmd[k]])
			return false;
	while (i < len && (cmd[i] == ' ' || cmd[i] == '\t'))
		i++;
	for (w = i; w < len && cmd[w] != ' ' && cmd[w] != '\t';)
		w++;
	for (size_t k = 0; k < pg->nnoise; k++)
		if (strlen(pg->noise[k]) == w - i && !memcmp(pg->noise[k], cmd + i, w - i))
			return w > i;
	return false;
}

static struct page_host *host_of(struct page *pg, const char *name)
{
	for (size_t i = 0; i < pg->nhosts; i++)
		if (!strcmp(pg->hosts[i].name, name))
			return &pg->hosts[i];
	pg->hosts = xreallocarray(pg->hosts, pg->nhosts + 1, sizeof *pg->hosts);
	memset(&pg->hosts[pg->nhosts], 0, sizeof *pg->hosts);
	pg->hosts[pg->nhosts].name = xstrdup(name);
	return &pg->hosts[pg->nhosts++];
}

static bool same_key(const struct page_stretch *s, const struct record *rec)
{
	return !strcmp(s->admin, rec->admin) && !strcmp(s->account, rec->account) && !strcmp(s->session, rec->session);
}

/* the stretch rec belongs to; closed: a signed one may do */
static struct page_stretch *stretch_of(struct page_host *h, const struct record *rec, bool closed)
{
	struct page_stretch *s;

	for (size_t i = h->nstretches; i-- > 0;) {
		s = &h->stretches[i];
		if (same_key(s, rec)) {
			if (!s->signed_ || closed)
				return s;
			break;
		}
	}
	h->stretches = xreallocarray(h->stretches, h->nstretches + 1, sizeof *h->stretches);
	s = &h->stretches[h->nstretches++];
	memset(s, 0, sizeof *s);
	s->admin = xstrdup(rec->admin);
	s->account = xstrdup(rec->account);
	s->session = xstrdup(rec->session);
	s->first = rec->time;
	s->opened = s->closed = SIZE_MAX;
	return s;
}

/* "03:12", or "2026_12_05 23:50" when it is not the day of other */
static void boot_clock(struct buf *out, int64_t us, int64_t other)
{
	char day[DAY_LEN + 1], other_day[DAY_LEN + 1], clock[9];

	if (day_of(us, day) == 0 && day_of(other, other_day) == 0 && strcmp(day, other_day))
		buf_addf(out, "%s ", day);
	day_clock(us, clock);
	buf_add(out, clock, 5);
}

bool page_boot_unclean(const struct record *rec)
{
	json_t *prev = rec_get_json(rec, "previous");
	const char *event = rec_get_str(rec, "event", NULL);

	return !strcmp(rec->kind, "boot") && event && !strcmp(event, "up") && json_is_object(prev) &&
	       json_is_false(json_object_get(prev, "clean"));
}

bool page_boot_line(const struct record *rec, struct buf *out)
{
	const char *event = rec_get_str(rec, "event", NULL), *kernel = rec_get_str(rec, "kernel", NULL);
	json_t *prev = rec_get_json(rec, "previous");
	const char *down = json_string_value(json_object_get(prev, "down"));
	const char *evidence = json_string_value(json_object_get(prev, "evidence"));
	int64_t down_us;

	if (strcmp(rec->kind, "boot") || !event)
		return false;
	if (strcmp(event, "up")) {
		buf_addf(out, "shut down (%s)", kernel ? kernel : "?");
		return true;
	}
	buf_adds(out, "rebooted: ");
	if (down && day_time_parse(down, strlen(down), &down_us) == 0) {
		buf_adds(out, "down ");
		boot_clock(out, down_us, rec->time);
		buf_adds(out, ", ");
	}
	buf_adds(out, "up ");
	boot_clock(out, rec->time, rec->time);
	buf_addf(out, ", %s", kernel ? kernel : "?");
	if (json_is_object(prev)) {
		if (page_boot_unclean(rec))
			buf_addf(out, "; previous boot ended uncleanly (%s)", evidence ? evidence : "?");
		else
			buf_adds(out, "; previous boot ended cleanly");
	}
	return true;
}

void page_message_summary(const struct record *rec, struct buf *out)
{
	json_t *mail = rec_get_json(rec, "mail");
	const char *subject = json_string_value(json_object_get(mail, "subject"));
	const char *text = rec_get_str(rec, "text", NULL);

	if (page_boot_line(rec, out))
		return;
	if (subject && *subject) {
		buf_adds(out, subject);
		return;
	}
	if (!text)
		text = rec_get_str(rec, "message", NULL);
	for (const char *line = text; line && *line;) {
		size_t n = strcspn(line, "\n");
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)line[k];
			if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
				goto found;
			if ((c >= '0' && c <= '9') || c >= 0x80)
				goto found;
		}
		line += n + (line[n] == '\n');
		continue;
found:
		buf_add(out, line, n);
		return;
	}
}

size_t page_mail_lines(const struct record *rec, size_t max, struct buf *out)
{
	const char *text = rec_get_str(rec, "text", NULL);
	size_t taken = 0, more = 0;

	for (const char *line = text; line && *line;) {
		size_t n = strcspn(line, "\n");
		bool blank = true;

		/* a line without a letter or digit (blank, or a row of dashes) says nothing */
		for (size_t k = 0; k < n && blank; k++) {
			unsigned char c = (unsigned char)line[k];
			blank = !(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c >= 0x80);
		}
		if (!blank) {
			if (taken < max) {
				buf_add(out, line, n);
				buf_addc(out, '\n');
				taken++;
			} else {
				more++;
			}
		}
		line += n + (line[n] == '\n');
	}
	return more;
}

static void message_key(const struct record *rec, char key[REC_HASH_LEN + 1])
{
	static const char *const fields[] = { "source", "level", "text" };
	/* a failed unit: its log lines differ each time, the failure is the same */
	static const char *const unit_fields[] = { "source", "level", "unit", "result" };
	static const char *const boot_fields[] = { "event", "boot_id" };
	const char *const *f = fields;
	size_t nf = sizeof fields / sizeof *fields;
	json_t *mail = rec_get_json(rec, "mail");
	struct buf b = BUF_INIT;

	if (!strcmp(rec->kind, "boot")) {
		f = boot_fields;
		nf = sizeof boot_fields / sizeof *boot_fields;
	} else if (rec_get_str(rec, "unit", NULL)) {
		f = unit_fields;
		nf = sizeof unit_fields / sizeof *unit_fields;
	}
	buf_adds(&b, rec->kind);
	buf_addc(&b, '\0');
	buf_adds(&b, rec->admin);
	for (size_t i = 0; i < nf; i++) {
		const char *v = rec_get_str(rec, f[i], NULL);
		buf_addc(&b, '\0');
		buf_adds(&b, v ? v : "");
	}
	buf_addc(&b, '\0');
	buf_adds(&b, json_string_value(json_object_get(mail, "from")) ? json_string_value(json_object_get(mail, "from")) : "");
	buf_addc(&b, '\0');
	buf_adds(&b, json_string_value(json_object_get(mail, "subject")) ? json_string_value(json_object_get(mail, "subject")) : "");
	rec_hash(buf_str(&b), b.len, key);
	buf_release(&b);
}

static size_t slot_hash(const char *key, size_t nslots)
{
	size_t v = 0;

	/* the key is a hash already: its first hex digits spread well */
	for (size_t i = 0; i < 12; i++)
		v = v << 4 | (size_t)hex_digit(key[i]);
	return v & (nslots - 1);
}

static void slots_grow(struct page_host *h)
{
	size_t n = h->nslots ? h->nslots * 2 : 64;

	free(h->slots);
	h->slots = xcalloc(n, sizeof *h->slots);
	h->nslots = n;
	for (size_t m = 0; m < h->nmessages; m++) {
		size_t s = slot_hash(h->messages[m].key, n);
		while (h->slots[s])
			s = (s + 1) & (n - 1);
		h->slots[s] = m + 1;	/* 0: empty */
	}
}

static void add_message(struct page_host *h, const struct record *rec, size_t line)
{
	char key[REC_HASH_LEN + 1];
	size_t s;

	message_key(rec, key);
	if (h->nmessages * 2 >= h->nslots)
		slots_grow(h);
	for (s = slot_hash(key, h->nslots); h->slots[s]; s = (s + 1) & (h->nslots - 1)) {
		struct page_message *m = &h->messages[h->slots[s] - 1];
		if (!strcmp(m->key, key)) {
			m->count++;
			m->last = rec->time;
			return;
		}
	}
	h->messages = xreallocarray(h->messages, h->nmessages + 1, sizeof *h->messages);
	h->messages[h->nmessages] = (struct page_message){ .line = line, .count = 1, .last = rec->time };
	memcpy(h->messages[h->nmessages].key, key, sizeof key);
	h->slots[s] = ++h->nmessages;
}

/* each host and admin once: a day's records interleave the hosts, so nearly every record changes the pair */
static void add_who(struct page *pg, struct page_host *h, const char *admin)
{
	for (size_t k = h->who.n; k-- > 0;)
		if (!strcmp(pg->who[h->who.v[k]].admin, admin))
			return;
	pg->who = grow(pg->who, pg->nwho, sizeof *pg->who);
	pg->who[pg->nwho].host = xstrdup(h->name);
	pg->who[pg->nwho].admin = xstrdup(admin);
	list_add(&h->who, pg->nwho++);
}

/* rec, parsed from line, into the page; kept: rec itself stays alive as long as the page (else NULL) */
static void add_record(struct page *pg, const struct record *rec, const struct record *kept, const char *line,
		       size_t len, const char *path, size_t lineno)
{
	struct page_host *h;
	struct page_stretch *s;
	size_t i;

	pg->records++;
	i = pg->nlines;
	pg->lines = grow(pg->lines, i, sizeof *pg->lines);
	pg->lines[pg->nlines++] = (struct page_line){ line, len, path, lineno };
	/* parsed as big as lines, its slots of the lines before NULL */
	if (kept && !pg->parsed)
		pg->parsed = xcalloc(i ? 2 * i : 1, sizeof *pg->parsed);
	else if (pg->parsed)
		pg->parsed = grow(pg->parsed, i, sizeof *pg->parsed);
	if (pg->parsed)
		pg->parsed[i] = kept;
	h = host_of(pg, rec->host);
	add_who(pg, h, rec->admin);
	if (!strcmp(rec->kind, "event") || !strcmp(rec->kind, "boot")) {
		add_message(h, rec, i);
		return;
	}
	if (!strcmp(rec->kind, "session")) {
		const char *event = rec_get_str(rec, "event", NULL);
		s = stretch_of(h, rec, event && !strcmp(event, "close"));
		if (event && !strcmp(event, "open") && s->opened == SIZE_MAX)
			s->opened = i;
		else if (event && !strcmp(event, "close") && s->closed == SIZE_MAX)
			s->closed = i;
		else
			list_add(&s->other, i);
	} else {
		s = stretch_of(h, rec, false);
		if (!strcmp(rec->kind, "note")) {
			list_add(&s->notes, i);
		} else if (!strcmp(rec->kind, "cmd")) {
			size_t n = 0;
			const char *cmd = rec_get_str(rec, "cmd", &n);
			int64_t status = 0;
			rec_get_int(rec, "exit", &status);
			if (cmd && page_is_noise(pg, cmd, n, status))
				s->noise++;
			else
				list_add(&s->cmds, i);
		} else if (!strcmp(rec->kind, "change")) {
			list_add(&s->changes, i);
		} else if (!strcmp(rec->kind, "sign")) {
			list_add(&s->signs, i);
			s->signed_ = true;
		} else {
			list_add(&s->other, i);
		}
	}
	if (rec->time > s->last)
		s->last = rec->time;
}

void page_add(struct page *pg, const char *line, size_t len, const char *path, size_t lineno)
{
	struct record *rec = rec_parse(line, len, false);

	if (rec)
		add_record(pg, rec, NULL, line, len, path, lineno);
	rec_free(rec);
}

void page_add_record(struct page *pg, const struct record *rec, const char *line, size_t len, const char *path,
		     size_t lineno)
{
	add_record(pg, rec, rec, line, len, path, lineno);
}

static int who_cmp(const void *a, const void *b)
{
	const struct page_who *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	return c ? c : strcmp(x->admin, y->admin);
}

void page_finish(struct page *pg)
{
	size_t n = 0;

	if (pg->nwho)
		qsort(pg->who, pg->nwho, sizeof *pg->who, who_cmp);
	for (size_t i = 0; i < pg->nwho; i++) {
		if (n && !who_cmp(&pg->who[n - 1], &pg->who[i])) {
			free(pg->who[i].host);
			free(pg->who[i].admin);
			continue;
		}
		pg->who[n++] = pg->who[i];
	}
	pg->nwho = n;
}

struct record *page_record(const struct page *pg, size_t i)
{
	struct record *r = pg->parsed && pg->parsed[i] ? rec_dup(pg->parsed[i]) :
			   rec_parse(pg->lines[i].data, pg->lines[i].len, false);

	if (r) {
		r->path = pg->lines[i].path;
		r->lineno = pg->lines[i].lineno;
	}
	return r;
}

void page_release(struct page *pg)
{
	for (size_t i = 0; i < pg->nhosts; i++) {
		struct page_host *h = &pg->hosts[i];
		for (size_t k = 0; k < h->nstretches; k++) {
			struct page_stretch *s = &h->stretches[k];
			free(s->admin);
			free(s->account);
			free(s->session);
			list_release(&s->notes);
			list_release(&s->cmds);
			list_release(&s->changes);
			list_release(&s->signs);
			list_release(&s->other);
		}
		free(h->stretches);
		list_release(&h->who);
		free(h->messages);
		free(h->slots);
		free(h->name);
	}
	free(pg->hosts);
	free(pg->lines);
	free(pg->parsed);
	for (size_t i = 0; i < pg->nnoise; i++)
		free(pg->noise[i]);
	free(pg->noise);
	for (size_t i = 0; i < pg->nwho; i++) {
		free(pg->who[i].host);
		free(pg->who[i].admin);
	}
	free(pg->who);
	free(pg->day);
	free(pg->tz);
	memset(pg, 0, sizeof *pg);
}

bool page_package_summary(const struct record *rec, struct buf *line, struct buf *details)
{
	static const char *const actions[][2] = { { "install", "installed" }, { "upgrade", "upgraded" },
						  { "downgrade", "downgraded" }, { "reinstall", "reinstalled" },
						  { "remove", "removed" }, { "purge", "purged" } };
	json_t *changes = rec_get_json(rec, "changes"), *c;
	size_t counts[6] = { 0 }, i;
	const char *command, *tool;
	bool any = false;

	if (!strcmp(rec->kind, "inventory")) {
		const char *reason = rec_get_str(rec, "reason", NULL);
		size_t n = json_array_size(rec_get_json(rec, "packages"));
		buf_addf(line, "inventory (%s): %zu package%s", reason ? reason : "?", n, n == 1 ? "" : "s");
		return true;
	}
	if (strcmp(rec->kind, "package"))
		return false;
	command = rec_get_str(rec, "command", NULL);
	tool = rec_get_str(rec, "tool", NULL);
	/* "alice: apt-get install nginx", "dpkg" for dpkg alone */
	buf_adds(line, rec->admin);
	if (command || (tool && strcmp(tool, rec->admin)))
		buf_addf(line, ": %s", command ? command : tool);
	json_array_foreach(changes, i, c) {
		const char *action = json_string_value(json_object_get(c, "action"));
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *arch = json_string_value(json_object_get(c, "arch"));
		const char *old = json_string_value(json_object_get(c, "old"));
		const char *new_version = json_string_value(json_object_get(c, "new"));

		for (size_t k = 0; action && k < 6; k++)
			if (!strcmp(action, actions[k][0]))
				counts[k]++;
		buf_addf(details, "%s %s:%s", action ? action : "?", name ? name : "?", arch ? arch : "?");
		if (old && new_version && strcmp(old, new_version))
			buf_addf(details, " %s -> %s", old, new_version);
		else if (new_version || old)
			buf_addf(details, " %s", new_version ? new_version : old);
		buf_addc(details, '\n');
	}
	for (size_t k = 0; k < 6; k++)
		if (counts[k]) {
			buf_addf(line, "%s %zu %s", any ? "," : ":", counts[k], actions[k][1]);
			any = true;
		}
	if (!any)
		buf_adds(line, ": nothing changed");
	if (details->len)
		buf_truncate(details, details->len - 1);
	return true;
}
