/*
 * render: the day page as terminal text.
 *
 *   2026_11_24  Tuesday 24 November 2026  (Europe/Paris, 32 records)
 *
 *   web1
 *     alice (root)  09:01-09:12  session 8c1e5f3a  shell opened: bash on /dev/pts/1
 *       09:12:00  note  Restarted nginx after the config change.
 *       09:02:30  $ nginx -t  [exit 1]  (in /etc/nginx)
 *       09:03:00  $ systemctl restart nginx
 *       3 routine commands not shown
 *       09:12:01  ~ /etc/nginx/nginx.conf  1 line changed
 *                   --- a/etc/nginx/nginx.conf ...
 *       Signed by alice (SHA256:q7Zl0vSg3XoQ8k1dRrVfWbYcH4sE2aN9mTuJxLpK5iA)
 *     messages
 *       09:01:01  [warning] backup: disk /srv/backup 91% full  (3 times, last at 09:09:07)
 *
 * render_day_page walks the page model (page.h); render_record shows one
 * record under a heading printed whenever the host, admin, account or
 * session differs from the record before, and the page uses it for
 * notes, changes and kinds it does not know.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/ref.h"
#include "view/render.h"
#include "view/threads.h"
#include "base/banned.h"

#define C_RESET "\033[m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"

void render_escape(struct buf *out, const char *s, size_t len, bool keep_newlines)
{
	utf8_escape(out, s, len, keep_newlines);
}

static void color(struct render *r, struct buf *out, const char *code)
{
	if (r->color)
		buf_adds(out, code);
}

static void escaped_str(struct buf *out, const char *s)
{
	render_escape(out, s, strlen(s), false);
}

void render_day_header(struct render *r, struct buf *out, const char *day, const char *tz, size_t records)
{
	char title[64];

	day_title(day, title, sizeof title);
	color(r, out, C_BOLD);
	buf_addf(out, "%s  %s", day, title);
	color(r, out, C_RESET);
	color(r, out, C_DIM);
	buf_addf(out, "  (%s, %zu record%s)", tz, records, records == 1 ? "" : "s");
	color(r, out, C_RESET);
	buf_addc(out, '\n');
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void set(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* "alice", or "alice (root)" when the account is another */
static void admin_account(struct render *r, struct buf *out, const char *admin, const char *account)
{
	color(r, out, C_BOLD C_GREEN);
	escaped_str(out, admin);
	color(r, out, C_RESET);
	if (strcmp(admin, account)) {
		buf_adds(out, " (");
		escaped_str(out, account);
		buf_addc(out, ')');
	}
}

static void heading(struct render *r, struct buf *out, const struct record *rec)
{
	if (same(r->host, rec->host) && same(r->admin, rec->admin) &&
	    same(r->account, rec->account) && same(r->session, rec->session))
		return;
	buf_addc(out, '\n');
	color(r, out, C_BOLD C_CYAN);
	escaped_str(out, rec->host);
	color(r, out, C_RESET);
	buf_adds(out, "  ");
	admin_account(r, out, rec->admin, rec->account);
	if (*rec->session) {
		color(r, out, C_DIM);
		buf_adds(out, "  session ");
		escaped_str(out, rec->session);
		color(r, out, C_RESET);
	}
	buf_addc(out, '\n');
	set(&r->host, rec->host);
	set(&r->admin, rec->admin);
	set(&r->account, rec->account);
	set(&r->session, rec->session);
}

/* text over several lines, each continuation indented to column indent */
static void body(struct buf *out, const char *s, size_t len, size_t indent)
{
	const char *end = s + len;

	/* trailing newlines would only add empty lines */
	while (end > s && end[-1] == '\n')
		end--;
	for (const char *line = s; line <= end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *stop = nl ? nl : end;

		if (line != s) {
			buf_addc(out, '\n');
			for (size_t i = 0; i < indent; i++)
				buf_addc(out, ' ');
		}
		render_escape(out, line, (size_t)(stop - line), false);
		if (!nl)
			break;
		line = nl + 1;
	}
}

/* the field that says what a record of a kind this version does not know is about */
static const char *summary_field(const struct record *rec)
{
	static const char *const keys[] = { "text", "message", "subject", "path", "cmd", "summary", "ref" };

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (rec_get_str(rec, keys[i], NULL))
			return keys[i];
	return NULL;
}

/* "shell opened: bash on /dev/pts/1 from 192.0.2.7", "shell closed: 12 commands" */
static void session_line(struct render *r, struct buf *out, const struct record *rec)
{
	const char *event = rec_get_str(rec, "event", NULL);
	const char *how = rec_get_str(rec, "how", NULL);
	struct buf v = BUF_INIT;
	int64_t n = 0;

	color(r, out, C_DIM);
	if (!strcmp(event, "open")) {
		buf_adds(out, "shell opened");
		if (rec_get_text(rec, "shell", &v) == 0 && v.len) {
			buf_adds(out, ": ");
			render_escape(out, v.data, v.len, false);
		}
		buf_reset(&v);
		if (rec_get_text(rec, "tty", &v) == 0 && v.len) {
			buf_adds(out, " on ");
			render_escape(out, v.data, v.len, false);
		}
		buf_reset(&v);
		if (rec_get_text(rec, "ssh", &v) == 0 && v.len) {
			buf_adds(out, " from ");
			render_escape(out, v.data, v.len, false);
		}
	} else if (!strcmp(event, "close")) {
		buf_adds(out, "shell closed");
		if (rec_get_int(rec, "commands", &n))
			buf_addf(out, ": %lld command%s", (long long)n, n == 1 ? "" : "s");
		if (how && !strcmp(how, "lost"))
			buf_adds(out, " (the shell ended without its exit hook)");
	} else {
		buf_adds(out, "session ");
		render_escape(out, event, strlen(event), false);
	}
	color(r, out, C_RESET);
	buf_release(&v);
}

void render_diff(struct render *r, struct buf *out, const char *diff, size_t len, size_t indent)
{
	const char *end = diff + len;

	for (const char *line = diff; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *stop = nl ? nl : end;
		const char *code = NULL;

		for (size_t i = 0; i < indent; i++)
			buf_addc(out, ' ');
		if (stop - line >= 3 && (!memcmp(line, "---", 3) || !memcmp(line, "+++", 3)))
			code = C_BOLD;
		else if (stop > line && *line == '+')
			code = C_GREEN;
		else if (stop > line && *line == '-')
			code = C_RED;
		else if (stop - line >= 2 && !memcmp(line, "@@", 2))
			code = C_CYAN;
		else if (stop > line && *line == '\\')
			code = C_DIM;
		if (code)
			color(r, out, code);
		render_escape(out, line, (size_t)(stop - line), false);
		if (code)
			color(r, out, C_RESET);
		buf_addc(out, '\n');
		line = nl ? nl + 1 : end;
	}
}

/* "~ /etc/hosts  content, mode 0644 -> 0600", then the diff or why there is none */
static void change_lines(struct render *r, struct buf *out, const struct record *rec)
{
	struct buf v = BUF_INIT;

	color(r, out, C_YELLOW);
	buf_adds(out, "~ ");
	if (rec_get_text(rec, "path", &v) == 0)
		render_escape(out, v.data ? v.data : "", v.len, false);
	color(r, out, C_RESET);
	buf_reset(&v);
	if (rec_get_text(rec, "summary", &v) == 0 && v.len) {
		buf_adds(out, "  ");
		color(r, out, C_DIM);
		render_escape(out, v.data, v.len, false);
		color(r, out, C_RESET);
	}
	buf_reset(&v);
	if (rec_get_text(rec, "note", &v) == 0 && v.len) {
		buf_adds(out, " (");
		render_escape(out, v.data, v.len, false);
		buf_addc(out, ')');
	}
	buf_reset(&v);
	if (rec_get_text(rec, "diff", &v) == 0 && v.len) {
		buf_addc(out, '\n');
		render_diff(r, out, v.data, v.len, 14 + r->indent);
		/* render_record ends the record with its own newline */
		buf_truncate(out, out->len - 1);
	}
	buf_release(&v);
}

/* "[critical] backup: first line (12 lines)"; a mail by its sender and subject */
static void event_line(struct render *r, struct buf *out, const struct record *rec)
{
	const char *level = rec_get_str(rec, "level", NULL), *source = rec_get_str(rec, "source", NULL);
	json_t *mail = rec_get_json(rec, "mail");
	const char *key = summary_field(rec), *text = key ? rec_get_str(rec, key, NULL) : NULL, *nl;
	const char *code = !level || !strcmp(level, "info") ? C_DIM : !strcmp(level, "warning") ? C_YELLOW : C_RED;

	color(r, out, code);
	buf_adds(out, "[");
	escaped_str(out, level ? level : "?");
	buf_adds(out, "] ");
	escaped_str(out, source ? source : "event");
	color(r, out, C_RESET);
	buf_adds(out, ": ");
	if (json_is_object(mail)) {
		const char *from = json_string_value(json_object_get(mail, "from"));
		const char *subject = json_string_value(json_object_get(mail, "subject"));
		escaped_str(out, subject && *subject ? subject : "(no subject)");
		color(r, out, C_DIM);
		buf_adds(out, "  from ");
		escaped_str(out, from && *from ? from : "(unknown)");
		color(r, out, C_RESET);
	} else if (text) {
		struct buf first = BUF_INIT;
		/* the first line that holds a letter or a digit, not a row of dashes */
		page_message_summary(rec, &first);
		nl = strchr(text, '\n');
		if (first.len)
			render_escape(out, first.data, first.len, false);
		else
			render_escape(out, text, nl ? (size_t)(nl - text) : strlen(text), false);
		buf_release(&first);
		if (nl) {
			size_t lines = 1;
			for (; nl; nl = strchr(nl + 1, '\n'))
				lines++;
			color(r, out, C_DIM);
			buf_addf(out, "  (%zu lines)", lines);
			color(r, out, C_RESET);
		}
	}
}

/* "  web1:42", dim: the reference a reply, a todo done or an ack names */
static void ref_suffix(struct render *r, struct buf *out, const struct record *rec)
{
	char ref[REF_MAX + 1];
	const char *reply = rec_get_str(rec, "reply", NULL);

	/* a record not from a chain (seq 0) has no reference */
	if (rec->seq < 1)
		return;
	ref_format(rec->host, rec->seq, ref);
	color(r, out, C_DIM);
	if (!strcmp(rec->kind, "note") && reply) {
		buf_adds(out, "  (in reply to ");
		escaped_str(out, reply);
		buf_addc(out, ')');
	}
	buf_adds(out, "  ");
	escaped_str(out, ref);
	color(r, out, C_RESET);
}

/* under a record: who took it (ack), then its replies, each with its day when another */
static void thread_lines(struct render *r, struct buf *out, const struct record *rec)
{
	char ref[REF_MAX + 1], day[DAY_LEN + 1], rday[DAY_LEN + 1], clock[9];
	const struct thread_ack *ack;
	size_t *v, n;

	if (!r->threads || rec->seq < 1)
		return;
	ref_format(rec->host, rec->seq, ref);
	if ((ack = threads_ack_of(r->threads, ref))) {
		buf_addf(out, "%*s", (int)(r->indent + 14), "");
		color(r, out, C_YELLOW);
		buf_adds(out, "taken by ");
		escaped_str(out, ack->admin);
		color(r, out, C_RESET);
		buf_addc(out, '\n');
	}
	n = threads_replies_to(r->threads, ref, &v);
	/* the record's day only for its replies: a page asks for every record, few have any */
	if (n)
		day_of(rec->time, day);
	for (size_t i = 0; i < n; i++) {
		const struct thread_reply *rp = &r->threads->replies[v[i]];
		day_of(rp->time, rday);
		day_clock(rp->time, clock);
		buf_addf(out, "%*s", (int)(r->indent + 14), "");
		color(r, out, C_DIM);
		buf_adds(out, "> ");
		if (strcmp(rday, day))
			buf_addf(out, "%s ", rday);
		buf_addf(out, "%s ", clock);
		color(r, out, C_RESET);
		escaped_str(out, rp->admin);
		buf_adds(out, ": ");
		body(out, rp->text ? rp->text : "", rp->text ? strlen(rp->text) : 0, r->indent + 16);
		color(r, out, C_DIM);
		buf_adds(out, "  ");
		escaped_str(out, rp->ref);
		color(r, out, C_RESET);
		buf_addc(out, '\n');
	}
	free(v);
}

void render_record(struct render *r, struct buf *out, const struct record *rec)
{
	char clock[9];
	struct buf text = BUF_INIT;
	size_t indent;
	int64_t n = 0, f = 0;

	heading(r, out, rec);
	day_clock(rec->time, clock);
	for (size_t i = 0; i < r->indent; i++)
		buf_addc(out, ' ');
	buf_adds(out, "  ");
	color(r, out, C_DIM);
	buf_adds(out, clock);
	color(r, out, C_RESET);
	buf_adds(out, "  ");
	if (!strcmp(rec->kind, "cmd")) {
		int64_t status = 0;
		rec_get_text(rec, "cmd", &text);
		buf_adds(out, "$ ");
		body(out, text.data ? text.data : "", text.len, 14 + r->indent);
		if (rec_get_int(rec, "exit", &status) && status != 0) {
			buf_adds(out, "  ");
			color(r, out, C_RED);
			buf_addf(out, "[exit %lld]", (long long)status);
			color(r, out, C_RESET);
		}
	} else if (!strcmp(rec->kind, "change")) {
		change_lines(r, out, rec);
	} else if (!strcmp(rec->kind, "session") && rec_get_str(rec, "event", NULL)) {
		session_line(r, out, rec);
	} else if (!strcmp(rec->kind, "event")) {
		event_line(r, out, rec);
	} else if (!strcmp(rec->kind, "package") || !strcmp(rec->kind, "inventory")) {
		struct buf details = BUF_INIT;
		page_package_summary(rec, &text, &details);
		color(r, out, C_YELLOW);
		buf_adds(out, "packages");
		color(r, out, C_RESET);
		buf_adds(out, "  ");
		render_escape(out, text.data ? text.data : "", text.len, false);
		if (details.len) {
			/* one line per package, under the summary */
			buf_addc(out, '\n');
			for (size_t i = 0; i < r->indent + 14; i++)
				buf_addc(out, ' ');
			color(r, out, C_DIM);
			body(out, buf_str(&details), details.len, r->indent + 14);
			color(r, out, C_RESET);
		}
		buf_release(&details);
	} else {
		const char *key = !strcmp(rec->kind, "note") ? "text" : summary_field(rec);
		color(r, out, C_YELLOW);
		escaped_str(out, rec->kind);
		color(r, out, C_RESET);
		buf_adds(out, "  ");
		indent = r->indent + 2 + 8 + 2 + strlen(rec->kind) + 2;
		if (key && rec_get_text(rec, key, &text) == 0)
			body(out, buf_str(&text), text.len, indent);
		/* an entry written by commit says how many commands it covers */
		if (!strcmp(rec->kind, "note") && ((int)rec_get_int(rec, "commands", &n) | (int)rec_get_int(rec, "files", &f))) {
			buf_adds(out, "  ");
			color(r, out, C_DIM);
			buf_adds(out, "(entry for ");
			if (n > 0)
				buf_addf(out, "%lld command%s%s", (long long)n, n == 1 ? "" : "s", f > 0 ? ", " : "");
			if (f > 0)
				buf_addf(out, "%lld file%s", (long long)f, f == 1 ? "" : "s");
			buf_addc(out, ')');
			color(r, out, C_RESET);
		}
	}
	ref_suffix(r, out, rec);
	buf_addc(out, '\n');
	thread_lines(r, out, rec);
	buf_release(&text);
}

void render_release(struct render *r)
{
	/* the headings printed are forgotten; the settings stay for the next page */
	free(r->host);
	free(r->admin);
	free(r->account);
	free(r->session);
	r->host = r->admin = r->account = r->session = NULL;
}

/* ---- the page ---- */

/* "09:14" or "09:14-09:40" */
static void span(struct buf *out, int64_t first, int64_t last)
{
	char a[9], b[9];

	day_clock(first, a);
	day_clock(last, b);
	buf_add(out, a, 5);
	if (memcmp(a, b, 5)) {
		buf_addc(out, '-');
		buf_add(out, b, 5);
	}
}

static void stretch_heading(struct render *r, struct buf *out, const struct page *pg, const struct page_stretch *s)
{
	struct record *open = s->opened != SIZE_MAX ? page_record(pg, s->opened) : NULL;
	struct record *close = s->closed != SIZE_MAX ? page_record(pg, s->closed) : NULL;

	buf_adds(out, "  ");
	admin_account(r, out, s->admin, s->account);
	buf_adds(out, "  ");
	span(out, s->first, s->last);
	color(r, out, C_DIM);
	if (*s->session) {
		buf_adds(out, "  session ");
		escaped_str(out, s->session);
	}
	if (open) {
		buf_adds(out, "  ");
		session_line(r, out, open);
		color(r, out, C_DIM);
	}
	if (close) {
		buf_adds(out, open ? ", " : "  ");
		session_line(r, out, close);
		color(r, out, C_DIM);
	}
	color(r, out, C_RESET);
	buf_addc(out, '\n');
	rec_free(open);
	rec_free(close);
}

/* "    09:14:03  ": a line of a stretch or of the messages */
static void page_clock(struct render *r, struct buf *out, int64_t time)
{
	char clock[9];

	day_clock(time, clock);
	buf_adds(out, "    ");
	color(r, out, C_DIM);
	buf_adds(out, clock);
	color(r, out, C_RESET);
	buf_adds(out, "  ");
}

/* "09:14:03  $ cmd  [exit 1]  (in /etc)": the directory when it changed */
static void page_cmd(struct render *r, struct buf *out, const struct record *rec, struct buf *cwd)
{
	struct buf text = BUF_INIT, dir = BUF_INIT;
	int64_t status = 0;

	page_clock(r, out, rec->time);
	buf_adds(out, "$ ");
	rec_get_text(rec, "cmd", &text);
	body(out, buf_str(&text), text.len, 16);
	if (rec_get_int(rec, "exit", &status) && status != 0) {
		buf_adds(out, "  ");
		color(r, out, C_RED);
		buf_addf(out, "[exit %lld]", (long long)status);
		color(r, out, C_RESET);
	}
	if (rec_get_text(rec, "cwd", &dir) == 0 && dir.len &&
	    (dir.len != cwd->len || memcmp(dir.data, cwd->data, dir.len))) {
		color(r, out, C_DIM);
		buf_adds(out, "  (in ");
		render_escape(out, dir.data, dir.len, false);
		buf_addc(out, ')');
		color(r, out, C_RESET);
		buf_reset(cwd);
		buf_add(cwd, dir.data, dir.len);
	}
	buf_addc(out, '\n');
	/* a command shows no reference (list and search give it), only its replies */
	r->indent = 2;
	thread_lines(r, out, rec);
	r->indent = 0;
	buf_release(&text);
	buf_release(&dir);
}

/* "Signed by alice (SHA256:...)" */
static void page_sign(struct render *r, struct buf *out, const struct record *rec)
{
	const char *key = rec_get_str(rec, "key", NULL);

	buf_adds(out, "    ");
	color(r, out, C_GREEN);
	buf_adds(out, "Signed by ");
	escaped_str(out, rec->admin);
	if (key) {
		buf_adds(out, " (");
		escaped_str(out, key);
		buf_addc(out, ')');
	}
	color(r, out, C_RESET);
	buf_addc(out, '\n');
}

#define MAIL_LINES 3

static void page_message(struct render *r, struct buf *out, const struct page_message *m, const struct record *rec)
{
	json_t *mail = rec_get_json(rec, "mail");
	struct buf v = BUF_INIT;

	page_clock(r, out, rec->time);
	if (page_boot_line(rec, &v)) {
		color(r, out, page_boot_unclean(rec) ? C_RED : C_DIM);
		render_escape(out, v.data, v.len, false);
		color(r, out, C_RESET);
		buf_addc(out, '\n');
		buf_release(&v);
		return;
	}
	event_line(r, out, rec);
	color(r, out, C_DIM);
	if (m->count > 1) {
		char last[9];
		day_clock(m->last, last);
		buf_addf(out, "  (%zu times, last at %s)", m->count, last);
	}
	color(r, out, C_RESET);
	ref_suffix(r, out, rec);
	buf_addc(out, '\n');
	thread_lines(r, out, rec);
	if (json_is_object(mail)) {
		size_t more;
		buf_reset(&v);
		more = page_mail_lines(rec, MAIL_LINES, &v);
		for (const char *p = buf_str(&v), *end = p + v.len; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			buf_adds(out, "              | ");
			render_escape(out, p, (size_t)(nl - p), false);
			buf_addc(out, '\n');
			p = nl + 1;
		}
		if (more) {
			color(r, out, C_DIM);
			buf_addf(out, "              | (%zu more line%s)\n", more, more == 1 ? "" : "s");
			color(r, out, C_RESET);
		}
	}
	buf_release(&v);
}

static void mark(struct render *r, const struct buf *out, size_t line)
{
	if (r->mark)
		r->mark(r->mark_arg, line, out->len);
}

void render_day_page(struct render *r, struct buf *out, const struct page *pg)
{
	if (pg->threads)
		r->threads = pg->threads;
	for (size_t h = 0; h < pg->nhosts; h++) {
		const struct page_host *host = &pg->hosts[h];

		buf_addc(out, '\n');
		color(r, out, C_BOLD C_CYAN);
		escaped_str(out, host->name);
		color(r, out, C_RESET);
		buf_addc(out, '\n');
		for (size_t k = 0; k < host->nstretches; k++) {
			const struct page_stretch *s = &host->stretches[k];
			const struct page_list *parts[] = { &s->notes, &s->cmds, &s->changes, &s->other, &s->signs };
			struct buf cwd = BUF_INIT;

			stretch_heading(r, out, pg, s);
			for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
				if (parts[p] == &s->changes && s->noise) {
					color(r, out, C_DIM);
					buf_addf(out, "    %zu routine command%s not shown\n", s->noise,
						 s->noise == 1 ? "" : "s");
					color(r, out, C_RESET);
				}
				for (size_t i = 0; i < parts[p]->n; i++) {
					struct record *rec = page_record(pg, parts[p]->v[i]);
					if (!rec)
						continue;
					mark(r, out, parts[p]->v[i]);
					if (parts[p] == &s->cmds) {
						page_cmd(r, out, rec, &cwd);
					} else if (parts[p] == &s->signs) {
						page_sign(r, out, rec);
					} else {
						/* notes, changes and others as records, under the stretch's heading */
						set(&r->host, rec->host);
						set(&r->admin, rec->admin);
						set(&r->account, rec->account);
						set(&r->session, rec->session);
						r->indent = 2;
						render_record(r, out, rec);
						r->indent = 0;
					}
					rec_free(rec);
				}
			}
			buf_release(&cwd);
		}
		if (host->nmessages) {
			buf_adds(out, "  ");
			color(r, out, C_BOLD);
			buf_adds(out, "messages");
			color(r, out, C_RESET);
			buf_addc(out, '\n');
		}
		for (size_t m = 0; m < host->nmessages; m++) {
			struct record *rec = page_record(pg, host->messages[m].line);
			if (rec) {
				mark(r, out, host->messages[m].line);
				page_message(r, out, &host->messages[m], rec);
			}
			rec_free(rec);
		}
	}
}
