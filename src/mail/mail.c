/*
 * mail: a message to an event record, and the level rules (see mail.h).
 *
 * Why GMime and not a hand-written parser: mail in the wild breaks every
 * rule (missing boundaries, 8-bit headers, bad encoded words, nested
 * multiparts), and GMime is a well-kept Debian library that reads all of
 * it the way mail clients do and says what it found wrong (its parser
 * warnings become our "problems").  It costs glib; a parser of our own
 * would cost more code than the rest of this module, with less testing.
 * tests/fuzz/fuzz-mail.c fuzzes the whole path from bytes to record.
 *
 * Invariants of the record: every text field is valid UTF-8 (a charset we
 * cannot convert is read as ISO-8859-1, invalid bytes become U+FFFD, and
 * the problem is listed); text holds at most EVENT_TEXT_MAX bytes with the
 * readable body's full size in text_size; mail.size is the size received.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/advisory.h"
#include "mail/mail.h"
#include "base/banned.h"

/* ---- rules ---- */

enum { F_FROM, F_TO, F_SUBJECT, F_LIST, F_BODY, NFIELDS };
static const char *const field_names[NFIELDS] = { "from", "to", "subject", "list", "body" };

struct mail_rule {
	char *name;
	pcre2_code *re[NFIELDS];	/* NULL: any */
	enum event_level level;
	bool advisory;		/* read the text as a security advisory (journal/advisory.h) */
};

/*
 * The defaults: what a Debian server mails root about.  cron mails only
 * when a job printed something, which is worth a look; mdadm and smartd
 * mail when a disk or an array fails; unattended-upgrades and apticron
 * report upgrades; the security lists announce what to patch.
 */
static const struct {
	const char *name, *level, *from, *subject, *list, *body, *what;
	bool advisory;
} defaults[] = {
	{ "default-mdadm", "critical", NULL, "\\b(Fail|FailSpare|DegradedArray|DeviceDisappeared) event on\\b", NULL, NULL,
	  "mdadm: an array failed or degraded", false },
	{ "default-smartd", "critical", NULL, "SMART (error|failure)", NULL, NULL, "smartd: a disk reports errors", false },
	{ "default-cron", "warning", NULL, "^Cron <[^>]*>", NULL, "\\S", "a cron job printed something", false },
	{ "default-apt-failure", "warning", NULL, "unattended-upgrades result for .*: (FAILURE|ERROR|False)", NULL, NULL,
	  "unattended-upgrades failed", false },
	{ "default-apt", "info", NULL, "unattended-upgrades result for|package updates? for|apticron", NULL, NULL,
	  "unattended-upgrades and apticron reports", false },
	{ "default-security-list", "warning", NULL, NULL, "security-announce", NULL,
	  "security announcement lists (debian-security-announce), read as advisories", true },
	{ "default-security", "warning", NULL, "^\\[SECURITY\\]", NULL, NULL,
	  "[SECURITY] announcements (DSA, DLA), read as advisories", true },
};
#define NDEFAULTS (sizeof defaults / sizeof *defaults)

static pcre2_code *compile(const char *re, struct buf *why)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
				      PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE, &code, &off,
				      NULL);
	if (!c) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		buf_addf(why, "bad regular expression at offset %zu: %s", (size_t)off, (const char *)msg);
	}
	return c;
}

static void add_rule(struct mail_rules *out, struct mail_rule *r)
{
	out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
	out->v[out->n++] = *r;
}

static void free_rule(struct mail_rule *r)
{
	free(r->name);
	for (int f = 0; f < NFIELDS; f++)
		pcre2_code_free(r->re[f]);
}

static bool has_rule(const struct mail_rules *rules, const char *name)
{
	for (size_t i = 0; i < rules->n; i++)
		if (!strcmp(rules->v[i].name, name))
			return true;
	return false;
}

/* one [mail "name"] section of team.conf: its last value of each key */
static void load_conf_rule(const struct conf *team, const char *name, int line, struct mail_rules *out,
			   struct buf *errors)
{
	struct mail_rule r = { 0 };
	const char *level = conf_get(team, "mail", name, "level");
	const struct conf_entry *advisory;
	struct buf why = BUF_INIT;
	int l;

	r.name = xstrdup(name);
	if (!level || (l = event_level_parse(level)) < 0) {
		buf_addf(&why, "level must be info, warning or critical");
		goto bad;
	}
	r.level = (enum event_level)l;
	/* a rule that replaces a built-in one keeps its reading unless it says */
	for (size_t i = 0; i < NDEFAULTS; i++)
		if (!strcmp(defaults[i].name, name))
			r.advisory = defaults[i].advisory;
	if ((advisory = conf_lookup(team, "mail", name, "advisory"))) {
		const char *v = advisory->value ? advisory->value : "true";
		if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1")) {
			r.advisory = true;
		} else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0")) {
			r.advisory = false;
		} else {
			buf_addf(&why, "advisory must be true or false");
			line = advisory->line;
			goto bad;
		}
	}
	for (int f = 0; f < NFIELDS; f++) {
		const struct conf_entry *e = conf_lookup(team, "mail", name, field_names[f]);
		if (!e)
			continue;
		if (!e->value || !(r.re[f] = compile(e->value, &why))) {
			if (!e->value)
				buf_addf(&why, "%s needs a regular expression", field_names[f]);
			line = e->line;
			goto bad;
		}
	}
	add_rule(out, &r);
	return;
bad:
	buf_addf(errors, "%s:%d: mail rule \"%s\": %s; rule ignored\n", team->path ? team->path : "team.conf", line,
		 name, buf_str(&why));
	buf_release(&why);
	free_rule(&r);
}

void mail_rules_load(const struct conf *team, struct mail_rules *out, struct buf *errors)
{
	out->v = NULL;
	out->n = 0;
	for (size_t i = 0; team && i < team->n; i++) {
		const struct conf_entry *e = &team->entries[i];
		if (strcmp(e->section, "mail") || !e->subsection || has_rule(out, e->subsection))
			continue;
		load_conf_rule(team, e->subsection, e->line, out, errors);
		/* a broken rule is still a name taken: it does not fall back to a default */
		if (!has_rule(out, e->subsection)) {
			struct mail_rule none = { .name = xstrdup(e->subsection), .level = EVENT_INFO };
			none.re[F_FROM] = compile("(*FAIL)", errors);
			add_rule(out, &none);
		}
	}
	for (size_t i = 0; i < NDEFAULTS; i++) {
		struct mail_rule r = { 0 };
		const char *res[NFIELDS] = { defaults[i].from, NULL, defaults[i].subject, defaults[i].list,
					     defaults[i].body };
		if (has_rule(out, defaults[i].name))
			continue;
		r.name = xstrdup(defaults[i].name);
		r.level = (enum event_level)event_level_parse(defaults[i].level);
		r.advisory = defaults[i].advisory;
		for (int f = 0; f < NFIELDS; f++)
			if (res[f])
				r.re[f] = compile(res[f], errors);
		add_rule(out, &r);
	}
}

void mail_rules_free(struct mail_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		free_rule(&r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

void mail_rules_describe_defaults(struct buf *out)
{
	for (size_t i = 0; i < NDEFAULTS; i++)
		buf_addf(out, "%s\t%s\t%s\n", defaults[i].name, defaults[i].level, defaults[i].what);
}

static bool re_matches(pcre2_code *re, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	int rc;

	/* a team.conf expression must not hang the MTA on a large body */
	pcre2_set_match_limit(mc, 1000000);
	pcre2_set_depth_limit(mc, 10000);
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, mc);
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	return rc >= 0;
}

/* the first rule whose every expression matches, NULL when none does */
static const struct mail_rule *match_rules(const struct mail_rules *rules, const char *const values[NFIELDS],
					   const size_t lens[NFIELDS])
{
	for (size_t i = 0; rules && i < rules->n; i++) {
		const struct mail_rule *r = &rules->v[i];
		bool ok = true;
		for (int f = 0; f < NFIELDS && ok; f++)
			if (r->re[f])
				ok = re_matches(r->re[f], values[f], lens[f]);
		if (ok)
			return r;
	}
	return NULL;
}

/* ---- text ---- */

struct ctx {
	json_t *problems;
	GMimeParserOptions *opts;
	GMimePart *plain, *html;
	json_t *attachments;
	int depth;
};

static void problem(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct ctx *c, const char *fmt, ...)
{
	struct buf b = BUF_INIT, v = BUF_INIT;
	va_list ap;

	/* a flood of warnings (a crafted message) stays a readable list */
	if (json_array_size(c->problems) >= 32)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	rec_lossy(&v, b.data, b.len > 300 ? 300 : b.len);
	json_array_append_new(c->problems, json_stringn(buf_str(&v), v.len));
	buf_release(&b);
	buf_release(&v);
}

static const char *warning_text(GMimeParserWarning w)
{
	switch (w) {
	case GMIME_WARN_DUPLICATED_HEADER: return "duplicated header";
	case GMIME_WARN_DUPLICATED_PARAMETER: return "duplicated header parameter";
	case GMIME_WARN_UNENCODED_8BIT_HEADER: return "header with unencoded 8-bit characters";
	case GMIME_WARN_INVALID_CONTENT_TYPE: return "invalid content type, read as application/octet-stream";
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "invalid RFC 2047 encoded word";
	case GMIME_WARN_MALFORMED_MULTIPART: return "multipart without parts";
	case GMIME_WARN_TRUNCATED_MESSAGE: return "truncated message";
	case GMIME_WARN_MALFORMED_MESSAGE: return "malformed message";
	case GMIME_CRIT_INVALID_HEADER_NAME: return "invalid header name";
	case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting header";
	case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting header parameter";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "multipart without boundary";
	case GMIME_WARN_INVALID_PARAMETER: return "invalid header parameter";
	case GMIME_WARN_INVALID_ADDRESS_LIST: return "invalid address list";
	case GMIME_CRIT_NESTING_OVERFLOW: return "MIME nesting too deep";
	case GMIME_WARN_PART_WITHOUT_CONTENT: return "MIME part without content";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return "MIME part without headers or content";
	}
	return "malformed";
}

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
	struct ctx *c = data;

	if (offset < 0)
		problem(c, "%s%s%.80s", warning_text(code), item && *item ? ": " : "", item ? item : "");
	else
		problem(c, "%s at byte %lld%s%.80s", warning_text(code), (long long)offset, item && *item ? ": " : "",
			item ? item : "");
}

/* in (len bytes in charset) as UTF-8 in out; false when bytes had to be replaced */
static bool to_utf8(const char *charset, const char *in, size_t len, struct buf *out, struct ctx *c)
{
	const char *name = charset ? g_mime_charset_iconv_name(charset) : NULL;
	iconv_t cd;
	bool clean = true;

	if (!charset || !g_ascii_strcasecmp(name, "utf-8") || !g_ascii_strcasecmp(name, "us-ascii")) {
		if (utf8_valid(in, len)) {
			buf_add(out, in, len);
			return true;
		}
		if (charset && g_ascii_strcasecmp(name, "us-ascii")) {
			rec_lossy(out, in, len);
			problem(c, "text is not valid UTF-8: invalid bytes replaced by U+FFFD");
			return false;
		}
		/* undeclared or mislabelled 8-bit text: Latin-1 is the usual culprit */
		name = "ISO-8859-1";
		problem(c, "8-bit text without a charset (or declared us-ascii): read as ISO-8859-1");
	}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1) {
		problem(c, "unknown charset \"%s\": read as ISO-8859-1", charset);
		cd = iconv_open("UTF-8", "ISO-8859-1");
		if (cd == (iconv_t)-1) {
			rec_lossy(out, in, len);
			return false;
		}
	}
	{
		char *ip = (char *)in;
		size_t ileft = len;
		while (ileft > 0) {
			char chunk[8192], *op = chunk;
			size_t oleft = sizeof chunk;
			size_t rc = iconv(cd, &ip, &ileft, &op, &oleft);
			buf_add(out, chunk, sizeof chunk - oleft);
			if (rc != (size_t)-1)
				continue;
			if (errno == E2BIG)
				continue;
			/* EILSEQ or EINVAL (cut sequence at the end): one byte becomes U+FFFD */
			buf_adds(out, "\xef\xbf\xbd");
			ip++;
			ileft--;
			if (clean)
				problem(c, "bytes invalid in charset \"%s\" replaced by U+FFFD", charset ? charset : name);
			clean = false;
		}
		iconv(cd, NULL, NULL, NULL, NULL);
		iconv_close(cd);
	}
	/* a converter that let something odd through must not break the record */
	if (!utf8_valid(out->data ? out->data : "", out->len)) {
		struct buf v = BUF_INIT;
		rec_lossy(&v, buf_str(out), out->len);
		buf_reset(out);
		buf_add(out, buf_str(&v), v.len);
		buf_release(&v);
	}
	return clean;
}

/* the decoded content of a part (transfer encoding undone) */
static void part_bytes(GMimePart *part, struct buf *out)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GByteArray *arr;
	GMimeStream *s;

	if (!w)
		return;
	arr = g_byte_array_new();
	s = g_mime_stream_mem_new_with_byte_array(arr);
	g_mime_data_wrapper_write_to_stream(w, s);
	buf_add(out, arr->data, arr->len);
	g_object_unref(s);	/* owns arr */
}

static gint64 part_size(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *s;
	gint64 n;

	if (!w)
		return 0;
	s = g_mime_stream_null_new();
	n = g_mime_data_wrapper_write_to_stream(w, s);
	g_object_unref(s);
	return n < 0 ? 0 : n;
}

/* a string of the mail object: valid UTF-8, at most MAIL_FIELD_MAX bytes */
static json_t *utf8_string(const char *s)
{
	struct buf v = BUF_INIT;
	json_t *j;

	rec_lossy(&v, s ? s : "", s ? strlen(s) : 0);
	j = json_stringn(buf_str(&v), event_cut_utf8(buf_str(&v), v.len, MAIL_FIELD_MAX));
	buf_release(&v);
	return j;
}

static void visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct ctx *c = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *disp = g_mime_object_get_disposition(part);
	const char *name;
	char *type;
	bool attachment;

	(void)parent;
	if (!GMIME_IS_PART(part))
		return;	/* multiparts are walked into; a message/rfc822 part's own parts too */
	name = g_mime_part_get_filename(GMIME_PART(part));
	attachment = (disp && !g_ascii_strcasecmp(disp, "attachment")) || name;
	if (!attachment && GMIME_IS_TEXT_PART(part) && g_mime_content_type_is_type(ct, "text", "plain")) {
		if (!c->plain)
			c->plain = GMIME_PART(part);
		return;
	}
	if (!attachment && GMIME_IS_TEXT_PART(part) && g_mime_content_type_is_type(ct, "text", "html")) {
		if (!c->html)
			c->html = GMIME_PART(part);
		return;
	}
	if (!attachment && GMIME_IS_TEXT_PART(part))
		return;	/* text/calendar, text/enriched: the alternatives of a body */
	if (json_array_size(c->attachments) >= 256)
		return;
	type = g_mime_content_type_get_mime_type(ct);
	json_array_append_new(c->attachments,
			      json_pack("{s:o,s:o,s:I}", "name", utf8_string(name), "type", utf8_string(type), "size",
					(json_int_t)part_size(GMIME_PART(part))));
	g_free(type);
}

/* a header's value, RFC 2047 words decoded, folding undone, valid UTF-8; NULL when absent */
static char *header(struct ctx *c, GMimeObject *msg, const char *name)
{
	const char *raw = g_mime_object_get_header(msg, name);
	char *dec, *p;
	struct buf v = BUF_INIT;
	size_t len;

	if (!raw)
		return NULL;
	dec = g_mime_utils_header_decode_text(c->opts, raw);
	for (p = dec; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	g_strstrip(dec);
	len = strlen(dec);
	rec_lossy(&v, dec, len);
	g_free(dec);
	if (v.len > MAIL_FIELD_MAX)
		problem(c, "%s header of %zu bytes: its first %d kept", name, v.len, MAIL_FIELD_MAX);
	return buf_detach(&v, NULL);
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, utf8_string(v ? v : ""));
}

static bool initialized;

static void init_gmime(void)
{
	if (!initialized) {
		g_mime_init();
		initialized = true;
	}
}

/* the message without a leading mbox "From " line, as some MTAs add for a pipe */
static size_t skip_envelope(const char *data, size_t len)
{
	const char *nl;

	if (len < 5 || memcmp(data, "From ", 5))
		return 0;
	nl = memchr(data, '\n', len);
	return nl ? (size_t)(nl - data) + 1 : len;
}

/*
 * A message whose structure hides its text (a multipart whose boundary
 * never occurs, say): the bytes after the header, as they are, so that
 * nothing readable is lost.
 */
static void raw_body(struct ctx *c, const char *data, size_t len, struct buf *out)
{
	const char *lf = memmem(data, len, "\n\n", 2), *crlf = memmem(data, len, "\r\n\r\n", 4);
	const char *start = lf && (!crlf || lf < crlf) ? lf + 2 : crlf ? crlf + 4 : NULL;
	size_t n;

	if (!start)
		return;
	n = len - (size_t)(start - data);
	if (n > 4 * EVENT_TEXT_MAX)
		n = 4 * EVENT_TEXT_MAX;
	{
		size_t blank = 0;
		while (blank < n && (start[blank] == ' ' || start[blank] == '\t' || start[blank] == '\r' ||
				     start[blank] == '\n'))
			blank++;
		if (blank == n)
			return;
	}
	rec_lossy(out, start, n);
	problem(c, "no readable text part: the raw body is kept");
}

struct record *mail_record(const char *data, size_t len, size_t size, const struct mail_rules *rules,
			   int64_t time, const char *host, const char *account, const char *session)
{
	struct ctx c = { 0 };
	struct buf text = BUF_INIT, raw = BUF_INIT;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	json_t *mail = json_object();
	const char *body = "none", *mid = NULL;
	char *from = NULL, *to = NULL, *subject = NULL, *date = NULL, *list = NULL;
	const struct mail_rule *rule;
	struct record *r;
	size_t skip = skip_envelope(data, len);

	init_gmime();
	c.problems = json_array();
	c.attachments = json_array();
	c.opts = g_mime_parser_options_new();
	g_mime_parser_options_set_warning_callback(c.opts, on_warning, &c);
	/* raw 8-bit headers: UTF-8 when they are, else Latin-1 */
	g_mime_parser_options_set_fallback_charsets(c.opts, (const char *[]){ "utf-8", "iso-8859-1", NULL });
	if (size > len)
		problem(&c, "message of %zu bytes: only the first %zu were read", size, len);

	stream = g_mime_stream_mem_new_with_buffer(data + skip, len - skip);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, c.opts);
	if (msg && g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(msg))) == 0) {
		g_object_unref(msg);
		msg = NULL;
	}
	if (!msg) {
		/* not a message at all (no header): everything is the text */
		problem(&c, "no mail header: the whole input is kept as text");
		rec_lossy(&text, data + skip, len - skip);
		body = len > skip ? "text/plain" : "none";
	} else {
		GMimeObject *o = GMIME_OBJECT(msg);
		from = header(&c, o, "From");
		to = header(&c, o, "To");
		subject = header(&c, o, "Subject");
		date = header(&c, o, "Date");
		list = header(&c, o, "List-Id");
		mid = g_mime_message_get_message_id(msg);
		if (!from)
			problem(&c, "no From header");
		if (!date)
			problem(&c, "no Date header");
		if (!mid)
			problem(&c, "no Message-ID header");
		g_mime_message_foreach(msg, visit, &c);
		if (!g_mime_message_get_mime_part(msg))
			problem(&c, "no body");
		if (c.plain) {
			part_bytes(c.plain, &raw);
			to_utf8(g_mime_object_get_content_type_parameter(GMIME_OBJECT(c.plain), "charset"), buf_str(&raw),
				raw.len, &text, &c);
			body = "text/plain";
		} else if (c.html) {
			struct buf conv = BUF_INIT;
			part_bytes(c.html, &raw);
			to_utf8(g_mime_object_get_content_type_parameter(GMIME_OBJECT(c.html), "charset"), buf_str(&raw),
				raw.len, &conv, &c);
			mail_html_to_text(buf_str(&conv), conv.len, &text);
			buf_release(&conv);
			body = "text/html";
		} else if (json_array_size(c.attachments) == 0) {
			raw_body(&c, data + skip, len - skip, &text);
			if (text.len)
				body = "raw";
		}
	}

	/* the body's trailing blank lines say nothing */
	while (text.len > 0 && (text.data[text.len - 1] == '\n' || text.data[text.len - 1] == '\r' ||
				text.data[text.len - 1] == ' ' || text.data[text.len - 1] == '\t'))
		buf_truncate(&text, text.len - 1);
	if (text.len == 0)
		body = "none";
	{
		const char *values[NFIELDS] = { from ? from : "", to ? to : "", subject ? subject : "",
						list ? list : "", buf_str(&text) };
		size_t lens[NFIELDS];
		for (int f = 0; f < NFIELDS; f++)
			lens[f] = strlen(values[f]);
		lens[F_BODY] = text.len;
		rule = match_rules(rules, values, lens);
	}

	r = event_record(time, host, "mail", account, session, "mail", rule ? rule->level : EVENT_INFO,
			 buf_str(&text), text.len, text.len);
	set_str(mail, "from", from);
	set_str(mail, "to", to);
	set_str(mail, "subject", subject);
	set_str(mail, "date", date);
	set_str(mail, "message_id", mid);
	json_object_set_new(mail, "size", json_integer((json_int_t)size));
	set_str(mail, "body", body);
	if (rule && rule->advisory) {
		struct advisory adv;
		if (advisory_parse(buf_str(&text), text.len, &adv) == 0)
			rec_set_json(r, "advisory", advisory_to_json(&adv));
		else
			problem(&c, "rule %s: not read as a security advisory: %s", rule->name, errget());
		advisory_release(&adv);
	}
	json_object_set_new(mail, "attachments", c.attachments);
	json_object_set_new(mail, "problems", c.problems);
	if (rule)
		set_str(mail, "rule", rule->name);
	rec_set_json(r, "mail", mail);

	if (msg)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	g_mime_parser_options_free(c.opts);
	free(from);
	free(to);
	free(subject);
	free(date);
	free(list);
	buf_release(&text);
	buf_release(&raw);
	return r;
}

const char *mail_message_id(const struct record *r)
{
	json_t *mail = rec_get_json(r, "mail");
	const char *id = json_string_value(json_object_get(mail, "message_id"));

	return id && *id ? id : NULL;
}

/* ---- HTML ---- */

static bool tag_is(const char *tag, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && !g_ascii_strncasecmp(tag, name, n) &&
	       (len == n || tag[n] == ' ' || tag[n] == '>' || tag[n] == '/' || tag[n] == '\t' || tag[n] == '\n' ||
		tag[n] == '\r');
}

static void add_codepoint(struct buf *out, unsigned long cp)
{
	char u[8];
	int n;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	n = g_unichar_to_utf8((gunichar)cp, u);
	buf_add(out, u, (size_t)n);
}

/* one entity at s (after '&'): bytes consumed, 0 when it is not one */
static size_t entity(const char *s, size_t len, struct buf *out)
{
	static const struct { const char *name, *text; } named[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" }, { "apos;", "'" },
		{ "nbsp;", " " }, { "copy;", "\xc2\xa9" }, { "hellip;", "\xe2\x80\xa6" }, { "mdash;", "\xe2\x80\x94" },
		{ "ndash;", "\xe2\x80\x93" }, { "euro;", "\xe2\x82\xac" },
	};

	if (len > 1 && s[0] == '#') {
		size_t i = 1;
		unsigned long cp = 0;
		bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
		if (hex)
			i++;
		size_t start = i;
		for (; i < len && i < 12 && g_ascii_isxdigit(s[i]) && (hex || g_ascii_isdigit(s[i])); i++)
			cp = cp * (hex ? 16 : 10) + (unsigned long)(hex ? g_ascii_xdigit_value(s[i]) : s[i] - '0');
		if (i == start)
			return 0;
		add_codepoint(out, cp);
		return i < len && s[i] == ';' ? i + 1 : i;
	}
	for (size_t k = 0; k < sizeof named / sizeof *named; k++) {
		size_t n = strlen(named[k].name);
		if (len >= n && !memcmp(s, named[k].name, n)) {
			buf_adds(out, named[k].text);
			return n;
		}
	}
	return 0;
}

void mail_html_to_text(const char *html, size_t len, struct buf *out)
{
	size_t i = 0, start = out->len;
	bool space = false;	/* white space pending (collapsed to one) */

	while (i < len) {
		char ch = html[i];
		if (ch == '<') {
			const char *end = memchr(html + i, '>', len - i);
			const char *tag = html + i + 1;
			size_t tlen = end ? (size_t)(end - tag) : len - i - 1;
			bool closing = tlen > 0 && tag[0] == '/';
			const char *name = closing ? tag + 1 : tag;
			size_t nlen = closing ? tlen - 1 : tlen;

			if (tlen >= 3 && !memcmp(tag, "!--", 3)) {
				const char *c = g_strstr_len(html + i + 4, (gssize)(len - i - 4), "-->");
				i = c ? (size_t)(c - html) + 3 : len;
				continue;
			}
			i = end ? (size_t)(end - html) + 1 : len;
			if (!closing && (tag_is(name, nlen, "script") || tag_is(name, nlen, "style") ||
					 tag_is(name, nlen, "head"))) {
				/* their content is not text: skip to the closing tag */
				const char *close = tag_is(name, nlen, "script") ? "</script" :
						    tag_is(name, nlen, "style") ? "</style" : "</head";
				size_t cl = strlen(close), k;
				for (k = i; k + cl <= len && g_ascii_strncasecmp(html + k, close, cl); k++)
					;
				/* never closed: the rest is theirs (and not a character cut in two) */
				i = k + cl <= len ? k : len;
				continue;
			}
			if (tag_is(name, nlen, "br") || tag_is(name, nlen, "p") || tag_is(name, nlen, "div") ||
			    tag_is(name, nlen, "tr") || tag_is(name, nlen, "li") || tag_is(name, nlen, "h1") ||
			    tag_is(name, nlen, "h2") || tag_is(name, nlen, "h3") || tag_is(name, nlen, "table") ||
			    tag_is(name, nlen, "pre") || tag_is(name, nlen, "hr")) {
				if (out->len && out->data[out->len - 1] != '\n')
					buf_addc(out, '\n');
				space = false;
			} else if (tag_is(name, nlen, "td") || tag_is(name, nlen, "th")) {
				space = out->len && out->data[out->len - 1] != '\n';
			}
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f') {
			space = out->len && out->data[out->len - 1] != '\n';
			i++;
			continue;
		}
		if (space) {
			buf_addc(out, ' ');
			space = false;
		}
		if (ch == '&') {
			size_t n = entity(html + i + 1, len - i - 1, out);
			if (n) {
				i += 1 + n;
				continue;
			}
		}
		buf_addc(out, ch);
		i++;
	}
	/* a closing block tag leaves a line break nobody wants */
	while (out->len > start && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' '))
		buf_truncate(out, out->len - 1);
}
