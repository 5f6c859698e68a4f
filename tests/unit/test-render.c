/*
 * render: the day page as terminal text.  Every byte of a record goes
 * through render_escape (utf8_escape, whose cases test-utf8.c holds), so
 * the tests feed the page what a terminal would act on and compare it
 * with the exact text expected.
 */
#include "unit.h"

#include "base/day.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"
#include "view/markup.h"
#include "view/page.h"
#include "view/render.h"
#include "view/threads.h"

#define S 1000000LL
#define T0 (1795508043 * S + 123456)	/* 2026-11-24T08:14:03.123456Z */

/* the colours of render.c, spelled out */
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"

/* the view escapes with utf8_escape (its cases are in test-utf8.c) */
static void render_escape_shows_what_utf8_escape_shows(void **state)
{
	static const char in[] = "\x1b]52;c;eA==\a\n\xc2\x9b\xe2\x80\xae\xff ok";
	struct buf a = BUF_INIT, b = BUF_INIT;

	(void)state;
	for (int keep = 0; keep < 2; keep++) {
		buf_reset(&a);
		buf_reset(&b);
		render_escape(&a, in, sizeof in - 1, keep);
		utf8_escape(&b, in, sizeof in - 1, keep);
		assert_string_equal(buf_str(&a), buf_str(&b));
	}
	assert_string_equal(buf_str(&a), "\\e]52;c;eA==\\x07\n\\u009b\\u202e\\xff ok");
	buf_release(&a);
	buf_release(&b);
}

/* a page of five records: a heading when who, where or the session changes */
static struct record **page(size_t *n)
{
	static struct record *recs[5];
	static const char note[] = "Restarted nginx after the config change.\nSecond line of the note.\n";

	recs[0] = rec_new("note", T0, "web1", "alice", "root", "329f1e35-1169-3638");
	rec_set_text(recs[0], "text", note, strlen(note));
	recs[1] = rec_new("note", T0 + 368 * S, "web1", "alice", "root", "329f1e35-1169-3638");
	rec_set_text(recs[1], "text", "One more.", 9);
	recs[2] = rec_new("note", T0 + 2757 * S, "web1", "bob", "bob", "");
	rec_set_text(recs[2], "text", "x", 1);
	recs[3] = rec_new("cmd", T0 + 2758 * S, "web1", "bob", "bob", "");
	rec_set_text(recs[3], "cmd", "systemctl restart nginx\nsystemctl status nginx", 46);
	rec_set_int(recs[3], "exit", 1);
	recs[4] = rec_new("event", T0 + 2759 * S, "web1", "bob", "bob", "");
	rec_set_text(recs[4], "source", "monitoring", 10);
	rec_set_text(recs[4], "level", "critical", 8);
	rec_set_text(recs[4], "text", "disk full", 9);
	*n = 5;
	return recs;
}

static char *render_page(bool color)
{
	struct render rd = { 0 };
	struct buf out = BUF_INIT;
	size_t n;
	struct record **recs = page(&n);

	if (day_set_tz("UTC") < 0)
		fail_msg("%s", errget());
	rd.color = color;
	render_day_header(&rd, &out, "2026_11_24", "UTC", n);
	for (size_t i = 0; i < n; i++) {
		render_record(&rd, &out, recs[i]);
		rec_free(recs[i]);
	}
	render_release(&rd);
	assert_null(rd.host);
	return buf_detach(&out, NULL);
}

static void a_page_without_color_is_plain_text(void **state)
{
	static const char expected[] =
		"2026_11_24  Tuesday 24 November 2026  (UTC, 5 records)\n"
		"\n"
		"web1  alice (root)  session 329f1e35-1169-3638\n"
		"  08:14:03  note  Restarted nginx after the config change.\n"
		"                  Second line of the note.\n"
		"  08:20:11  note  One more.\n"
		"\n"
		"web1  bob\n"
		"  09:00:00  note  x\n"
		"  09:00:01  $ systemctl restart nginx\n"
		"              systemctl status nginx  [exit 1]\n"
		"  09:00:02  [critical] monitoring: disk full\n";
	char *got = render_page(false);

	(void)state;
	assert_string_equal(got, expected);
	free(got);
}

static void color_adds_escapes_around_headings_only(void **state)
{
	static const char expected[] =
		BOLD "2026_11_24  Tuesday 24 November 2026" RESET DIM "  (UTC, 5 records)" RESET "\n"
		"\n"
		BOLD CYAN "web1" RESET "  " BOLD GREEN "alice" RESET " (root)"
		DIM "  session 329f1e35-1169-3638" RESET "\n"
		"  " DIM "08:14:03" RESET "  " YELLOW "note" RESET "  Restarted nginx after the config change.\n"
		"                  Second line of the note.\n"
		"  " DIM "08:20:11" RESET "  " YELLOW "note" RESET "  One more.\n"
		"\n"
		BOLD CYAN "web1" RESET "  " BOLD GREEN "bob" RESET "\n"
		"  " DIM "09:00:00" RESET "  " YELLOW "note" RESET "  x\n"
		"  " DIM "09:00:01" RESET "  $ systemctl restart nginx\n"
		"              systemctl status nginx  " RED "[exit 1]" RESET "\n"
		"  " DIM "09:00:02" RESET "  " RED "[critical] monitoring" RESET ": disk full\n";
	char *got = render_page(true);

	(void)state;
	assert_string_equal(got, expected);
	free(got);
}

/* the day page of the five records, from their lines; parsed: the records handed to the page, not parsed again */
static char *render_day(bool parsed)
{
	struct render rd = { 0 };
	struct buf out = BUF_INIT, lines[5];
	struct record *kept[5];
	struct page pg;
	size_t n;
	struct record **recs = page(&n);

	if (day_set_tz("UTC") < 0)
		fail_msg("%s", errget());
	page_init(&pg, "2026_11_24", "UTC", NULL);
	for (size_t i = 0; i < n; i++) {
		lines[i] = (struct buf)BUF_INIT;
		rec_set_chain(recs[i], (int64_t)i + 1, rec_genesis);
		assert_int_equal(rec_encode(recs[i], &lines[i]), 0);
		kept[i] = rec_parse(lines[i].data, lines[i].len, false);
		assert_non_null(kept[i]);
		if (parsed)
			page_add_record(&pg, kept[i], lines[i].data, lines[i].len, "f.jsonl", i + 1);
		else
			page_add(&pg, lines[i].data, lines[i].len, "f.jsonl", i + 1);
		rec_free(recs[i]);
	}
	page_finish(&pg);
	render_day_page(&rd, &out, &pg);
	render_release(&rd);
	page_release(&pg);
	for (size_t i = 0; i < n; i++) {
		rec_free(kept[i]);
		buf_release(&lines[i]);
	}
	return buf_detach(&out, NULL);
}

static void a_page_of_records_parsed_once_renders_as_one_of_lines(void **state)
{
	char *again = render_day(false), *once = render_day(true);

	(void)state;
	assert_non_null(strstr(again, "systemctl restart nginx"));
	assert_string_equal(once, again);
	free(again);
	free(once);
}

static void a_day_header_counts_one_record(void **state)
{
	struct render rd = { 0 };
	struct buf out = BUF_INIT;

	(void)state;
	render_day_header(&rd, &out, "2024_02_29", "Europe/Paris", 1);
	assert_string_equal(out.data, "2024_02_29  Thursday 29 February 2024  (Europe/Paris, 1 record)\n");
	render_release(&rd);
	buf_release(&out);
}

/* what is left when the colours render.c writes are taken out */
static void strip_colors(char *s)
{
	static const char *const codes[] = { BOLD, DIM, RESET, RED, GREEN, YELLOW, CYAN };
	char *w = s;

	while (*s) {
		size_t skip = 0;
		for (size_t i = 0; i < sizeof codes / sizeof *codes && !skip; i++)
			if (!strncmp(s, codes[i], strlen(codes[i])))
				skip = strlen(codes[i]);
		if (skip) {
			s += skip;
			continue;
		}
		*w++ = *s++;
	}
	*w = '\0';
}

static void no_byte_of_a_record_reaches_the_terminal_unescaped(void **state)
{
	static const char text[] = "\x1b]0;pwned\x07 ok\n\xe2\x80\xae" "evil\xff\r\n";
	static const char expected[] =
		"\n"
		BOLD CYAN "web\\e[2J1" RESET "  " BOLD GREEN "al\\u009bice" RESET " (root\\r)"
		DIM "  session s\\x07\\u202e" RESET "\n"
		"  " DIM "08:14:03" RESET "  " YELLOW "note" RESET "  \\e]0;pwned\\x07 ok\n"
		"                  \\u202eevil\\xff\\r\n";
	struct record *r = rec_new("note", T0, "web\x1b[2J1", "al\xc2\x9bice", "root\r", "s\x07\xe2\x80\xae");
	struct render rd = { .color = true };
	struct buf out = BUF_INIT;

	(void)state;
	if (day_set_tz("UTC") < 0)
		fail_msg("%s", errget());
	rec_set_text(r, "text", text, sizeof text - 1);
	render_record(&rd, &out, r);
	assert_string_equal(out.data, expected);
	/* and in general: without the colours, no control character but the newline */
	strip_colors(out.data);
	for (const unsigned char *p = (const unsigned char *)out.data; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("byte 0x%02x at %td", *p, (const char *)p - out.data);
	assert_null(strstr(out.data, "\xc2\x9b"));
	assert_null(strstr(out.data, "\xe2\x80\xae"));
	buf_release(&out);
	render_release(&rd);
	rec_free(r);
}

/* the day of tests/light-day/ (tests/light-day.py says what it holds) */
#define LIGHT_DAY "2026_11_24"

/*
 * The page of that day as show prints it, in one of four ways (0 text,
 * 1 colour, 2 DokuWiki, 3 Markdown), its warnings first: from records
 * read light as show reads a day (light), or from each line parsed by
 * jansson as a day too big to keep parsed is shown.
 */
static char *show_light_day(struct journal *j, const struct threads *t, bool light, int how)
{
	struct store_day_lines d;
	struct buf out = BUF_INIT;
	struct render rd = { .color = how == 1 };
	struct page pg;
	size_t read_light = 0;

	assert_int_equal(light ? store_day_lines_load_parsed(j, LIGHT_DAY, 100000, &d) :
			 store_day_lines_load(j, LIGHT_DAY, &d), 0);
	for (size_t i = 0; i < d.warnings.n; i++)
		buf_addf(&out, "warning: %s\n", d.warnings.msgs[i]);
	page_init(&pg, LIGHT_DAY, "UTC", NULL);
	for (size_t i = 0; i < d.n; i++) {
		const char *line, *path;
		size_t len, lineno;

		store_day_line(&d, i, &line, &len, &path, &lineno);
		if (light) {
			assert_non_null(store_day_line_record(&d, i));
			read_light += !!store_day_line_record(&d, i)->light;
			page_add_record(&pg, store_day_line_record(&d, i), line, len, path, lineno);
		} else {
			page_add(&pg, line, len, path, lineno);
		}
	}
	/* all but the lines record-scan declines went the light way */
	if (light && read_light < d.n - 8)
		fail_msg("%zu of %zu records read light", read_light, d.n);
	page_finish(&pg);
	pg.threads = t;
	if (how >= 2) {
		markup_page_write(how == 2 ? MARKUP_DOKUWIKI : MARKUP_MARKDOWN, &out, &pg);
	} else {
		render_day_header(&rd, &out, LIGHT_DAY, "UTC", d.n);
		render_day_page(&rd, &out, &pg);
		render_release(&rd);
	}
	page_release(&pg);
	store_day_lines_free(&d);
	return buf_detach(&out, NULL);
}

static void a_day_read_light_shows_as_one_read_with_jansson(void **state)
{
	char *dir = unit_journal(), *from, *to;
	static const char *const files[] = { "db1.jsonl", "mon1.jsonl", "web1.jsonl" };
	struct threads t = { 0 };
	struct journal *j;

	(void)state;
	to = xasprintf("%s/2026", dir);
	assert_int_equal(mkdir(to, 0750), 0);
	free(to);
	to = xasprintf("%s/2026/" LIGHT_DAY, dir);
	assert_int_equal(mkdir(to, 0750), 0);
	free(to);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		struct buf b = BUF_INIT;
		FILE *f;
		char chunk[4096];
		size_t n;

		from = xasprintf("tests/light-day/%s", files[i]);
		to = xasprintf("%s/2026/" LIGHT_DAY "/%s", dir, files[i]);
		assert_non_null(f = fopen(from, "rb"));
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&b, chunk, n);
		fclose(f);
		unit_write(to, b.data, b.len, 0);
		buf_release(&b);
		free(from);
		free(to);
	}
	assert_non_null(j = journal_open(dir));
	if (day_set_tz("UTC") < 0)
		fail_msg("%s", errget());
	assert_int_equal(threads_load(j, THREADS_UPDATE, &t), 0);
	for (int how = 0; how < 4; how++) {
		char *jansson = show_light_day(j, &t, false, how), *light = show_light_day(j, &t, true, how);

		/* what the day holds, so that agreeing is not agreeing on nothing */
		assert_non_null(strstr(jansson, "caf"));
		assert_non_null(strstr(jansson, "old-tool"));
		assert_non_null(strstr(jansson, "openssl security update"));
		assert_non_null(strstr(jansson, "mon1.jsonl:25: "));
		/* the replies and acks of the day's records, from the threads */
		assert_non_null(strstr(jansson, "carol"));
		if (how < 2)
			assert_non_null(strstr(jansson, "taken by carol"));
		assert_string_equal(light, jansson);
		free(jansson);
		free(light);
	}
	threads_release(&t);
	journal_close(j);
	unit_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(render_escape_shows_what_utf8_escape_shows),
		cmocka_unit_test(a_page_without_color_is_plain_text),
		cmocka_unit_test(color_adds_escapes_around_headings_only),
		cmocka_unit_test(a_day_header_counts_one_record),
		cmocka_unit_test(a_page_of_records_parsed_once_renders_as_one_of_lines),
		cmocka_unit_test(no_byte_of_a_record_reaches_the_terminal_unescaped),
		cmocka_unit_test(a_day_read_light_shows_as_one_read_with_jansson),
	};
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
