/*
 * fuzz-markup: the DokuWiki and Markdown escapers, and whole pages, on
 * arbitrary record text, read back with a model of DokuWiki's lexer
 * (dokuwiki-model.h).
 *
 * - markup_dokuwiki_text: the output is nothing but <nowiki> runs whose
 *   text is exactly what render_escape shows of the input;
 * - markup_dokuwiki_code: nothing but code or file blocks with the
 *   language as their only parameter, whose text is exactly what
 *   render_escape shows (newlines kept);
 * - a page of a note, a command, a change, an event with a mail subject
 *   and a signature, each holding the input in every text field and the
 *   admin, account and session holding it too: no markup token of
 *   DokuWiki ([[, {{, <html>, <php>, ~~, %%, ((, stray nowiki, code or
 *   file tags) outside nowiki runs, code blocks and headings; the same
 *   records as a day page (page.h, markup_page_write) likewise, and its
 *   terminal form (render_day_page) without a control byte;
 * - markup_markdown_text: every ASCII punctuation character is preceded
 *   by a backslash that escapes it, and no line starts with a blank;
 * - markup_markdown_code: the fence is longer than any backtick run of the
 *   code, and the code comes back from between the fences.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "journal/record.h"
#include "view/markup.h"
#include "view/page.h"
#include "view/render.h"

#include "dokuwiki-model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t len)
{
	struct buf out = BUF_INIT, lit = BUF_INIT, want = BUF_INIT;

	markup_dokuwiki_text(&out, s, len);
	render_escape(&want, s, len, false);
	if (!dwm_only_nowiki(buf_str(&out), out.len, &lit) || lit.len != want.len ||
	    memcmp(buf_str(&lit), buf_str(&want), want.len) || dwm_leak(buf_str(&out), out.len))
		abort();
	buf_release(&out);
	buf_release(&lit);
	buf_release(&want);
}

static void check_code(const char *s, size_t len, const char *lang)
{
	struct buf out = BUF_INIT, lit = BUF_INIT, want = BUF_INIT;

	markup_dokuwiki_code(&out, lang, s, len);
	render_escape(&want, s, len, true);
	if (!dwm_only_blocks(buf_str(&out), out.len, lang, &lit) || lit.len != want.len ||
	    memcmp(buf_str(&lit), buf_str(&want), want.len) || dwm_leak(buf_str(&out), out.len))
		abort();
	buf_release(&out);
	buf_release(&lit);
	buf_release(&want);
}

static bool md_punct(unsigned char c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

static void check_markdown(const char *s, size_t len)
{
	struct buf out = BUF_INIT, code = BUF_INIT, want = BUF_INIT;
	size_t run = 0, longest = 0, fence = 0, i;

	markup_markdown_text(&out, s, len);
	/* leading blanks are references, then every punctuation character is escaped */
	i = 0;
	while (i < out.len && (!strncmp(out.data + i, "&#32;", 5) || !strncmp(out.data + i, "&#9;", 4)))
		i += out.data[i + 2] == '3' ? 5 : 4;
	if (i < out.len && (out.data[i] == ' ' || out.data[i] == '\t'))
		abort();
	for (; i < out.len; i++) {
		unsigned char c = (unsigned char)out.data[i];
		if (c == '\n' || c == '\r')
			abort();
		if (c == '\\') {
			if (i + 1 == out.len || !md_punct((unsigned char)out.data[i + 1]))
				abort();
			i++;
		} else if (md_punct(c)) {
			abort();
		}
	}
	markup_markdown_code(&code, "bash", s, len);
	render_escape(&want, s, len, true);
	for (i = 0; i < want.len; i++) {
		run = want.data[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	while (fence < code.len && code.data[fence] == '`')
		fence++;
	if (fence < 3 || fence <= longest || code.len < fence * 2 + 6 || code.data[code.len - 1] != '\n')
		abort();
	/* "FENCEbash\n" CODE ["\n"] "FENCE\n" */
	{
		const char *body = code.data + fence + 5;
		size_t blen = code.len - (fence + 5) - (fence + 1);
		if (memcmp(code.data + fence, "bash\n", 5) || blen < want.len || memcmp(body, want.data, want.len))
			abort();
		for (size_t k = 0; k < fence; k++)
			if (code.data[code.len - 1 - fence + k] != '`')
				abort();
	}
	buf_release(&out);
	buf_release(&code);
	buf_release(&want);
}

static void check_page(const char *s, size_t len)
{
	struct markup_page p = { .format = MARKUP_DOKUWIKI };
	struct buf out = BUF_INIT, who = BUF_INIT;
	static const char *const kinds[] = { "note", "cmd", "change", "event", "sign", "session", "future" };
	enum { nkinds = sizeof kinds / sizeof *kinds };
	struct buf lines[nkinds] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct page pg;
	struct render rd = { 0 };
	static const char *const fields[] = { "text", "cmd", "cwd", "path", "summary", "note", "diff", "level",
					       "source", "key", "shell", "tty", "ssh", "message", "event" };
	char *text = malloc(len + 1);

	memcpy(text, s, len);
	text[len] = '\0';	/* admin, account and session are C strings in a parsed record */
	buf_add(&who, text, strlen(text));
	if (!who.len)
		buf_adds(&who, "x");
	markup_day_header(&p, &out, "2026_11_20", "UTC", 1);
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		struct record *r = rec_new(kinds[k], INT64_C(1795608001000000), "web1", buf_str(&who), buf_str(&who),
					   text);
		json_t *mail = json_object();
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
			rec_set_text(r, fields[f], s, len);
		rec_set_int(r, "exit", 1);
		rec_set_int(r, "covers", 1);
		json_object_set_new(mail, "subject", json_stringn_nocheck(s, len));
		json_object_set_new(mail, "from", json_stringn_nocheck(s, len));
		rec_set_json(r, "mail", mail);
		markup_record(&p, &out, r);
		rec_set_chain(r, (int64_t)k + 1, rec_genesis);
		/* a record the store would not write (an admin name that JSON cannot hold) is left out */
		if (rec_encode(r, &lines[k]) < 0)
			buf_reset(&lines[k]);
		rec_free(r);
	}
	if (dwm_leak(buf_str(&out), out.len))
		abort();
	/* the same records as a day page (page.h): DokuWiki without a leak, the terminal without a control byte */
	page_init(&pg, "2026_11_20", "UTC", NULL);
	for (size_t k = 0; k < nkinds; k++)
		page_add(&pg, buf_str(&lines[k]), lines[k].len, "web1.jsonl", k + 1);
	page_finish(&pg);
	buf_reset(&out);
	markup_page_write(MARKUP_DOKUWIKI, &out, &pg);
	if (dwm_leak(buf_str(&out), out.len))
		abort();
	buf_reset(&out);
	render_day_page(&rd, &out, &pg);
	for (size_t i = 0; i < out.len; i++) {
		unsigned char c = (unsigned char)out.data[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			abort();
	}
	render_release(&rd);
	page_release(&pg);
	for (size_t k = 0; k < nkinds; k++)
		buf_release(&lines[k]);
	markup_release(&p);
	buf_release(&out);
	buf_release(&who);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	static bool tz;

	if (!tz) {
		day_set_tz("UTC");
		tz = true;
	}
	check_text(s, size);
	check_code(s, size, "bash");
	check_code(s, size, NULL);
	check_markdown(s, size);
	check_page(s, size);
	return 0;
}
