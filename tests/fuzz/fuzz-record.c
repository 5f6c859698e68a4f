/*
 * fuzz-record: the record format on arbitrary bytes.
 *
 * 1. rec_parse of the bytes as a line never crashes.  When it accepts
 *    them, rec_encode of the record is one line of valid UTF-8 that
 *    rec_parse accepts again, with the same common fields, and that
 *    encodes to the same bytes: the encoding is stable after one round.
 *    The text, the hash and the rendering of an accepted record are
 *    computed too, for ASan and UBSan to watch.
 * 2. The bytes as the text of a new note: after rec_set_text, rec_encode
 *    and rec_parse, rec_get_text gives back exactly the bytes, whatever
 *    they are (NUL, invalid UTF-8, controls).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/utf8.h"
#include "journal/record.h"
#include "view/markup.h"
#include "view/page.h"
#include "view/render.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (day_set_tz("UTC") < 0)
		abort();
	return 0;
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void reencode(const char *line, size_t len)
{
	struct record *r = rec_parse(line, len, true), *again;
	struct buf first = BUF_INIT, second = BUF_INIT, text = BUF_INIT, page = BUF_INIT;
	struct render rd = { .color = true };
	char hash[REC_HASH_LEN + 1];

	if (!r)
		return;
	if (r->line_len != len || memcmp(r->line, line, len))
		abort();
	if (rec_encode(r, &first) < 0)
		abort();
	if (memchr(first.data, '\n', first.len) || !utf8_valid(first.data, first.len))
		abort();
	again = rec_parse(first.data, first.len, false);
	if (!again)
		abort();
	if (!same(r->kind, again->kind) || !same(r->host, again->host) ||
	    !same(r->admin, again->admin) || !same(r->account, again->account) ||
	    !same(r->session, again->session) || !same(r->prev, again->prev) ||
	    r->seq != again->seq || r->time != again->time)
		abort();
	if (rec_encode(again, &second) < 0 || second.len != first.len ||
	    memcmp(first.data, second.data, first.len))
		abort();
	rec_get_text(r, "text", &text);
	rec_hash(line, len, hash);
	render_record(&rd, &page, r);
	render_release(&rd);
	{
		/* the day page of this one record, in the three forms: any record makes one */
		struct page pg;
		struct render rp = { .color = true };
		page_init(&pg, "2026_11_20", "UTC", NULL);
		page_add(&pg, line, len, "x.jsonl", 1);
		page_finish(&pg);
		render_day_page(&rp, &page, &pg);
		render_release(&rp);
		markup_page_write(MARKUP_DOKUWIKI, &page, &pg);
		markup_page_write(MARKUP_MARKDOWN, &page, &pg);
		page_release(&pg);
	}
	buf_release(&page);
	buf_release(&text);
	buf_release(&first);
	buf_release(&second);
	rec_free(again);
	rec_free(r);
}

static void text_round_trip(const char *data, size_t len)
{
	struct record *r = rec_new("note", 1795508043123456, "web1", "alice", "root", "s");
	struct record *back;
	struct buf line = BUF_INIT, text = BUF_INIT;

	rec_set_chain(r, 1, rec_genesis);
	rec_set_text(r, "text", data, len);
	if (rec_encode(r, &line) < 0)
		abort();
	back = rec_parse(line.data, line.len, false);
	if (!back)
		abort();
	if (rec_get_text(back, "text", &text) < 0 || text.len != len ||
	    (len && memcmp(text.data, data, len)))
		abort();
	buf_release(&text);
	/* and before the round trip */
	if (rec_get_text(r, "text", &text) < 0 || text.len != len ||
	    (len && memcmp(text.data, data, len)))
		abort();
	buf_release(&text);
	buf_release(&line);
	rec_free(back);
	rec_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reencode((const char *)data, size);
	text_round_trip((const char *)data, size);
	return 0;
}
