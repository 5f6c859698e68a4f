/*
 * fuzz-mail: the whole path from a message's bytes to an event record
 * (src/mail/mail.c, with GMime and iconv underneath), as ingest-mail runs it,
 * with the default rules and a team.conf rule on every field.
 *
 * Properties: mail_record never fails and never crashes; the record,
 * given a chain position, encodes to one line of valid UTF-8 that
 * rec_parse accepts; it has every field of docs/format.md's mail object
 * (a string that was not UTF-8 would be missing: jansson refuses it);
 * text is at most EVENT_TEXT_MAX bytes, text_size present exactly when
 * the body was longer; the level is one of three; size is the size given.
 * The bytes also go through mail_html_to_text, whose output of a valid
 * UTF-8 input must be valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/utf8.h"
#include "journal/event.h"
#include "journal/record.h"
#include "mail/mail.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mail_rules rules;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char team[] = "[mail \"all\"]\n\tfrom = x\n\tto = y\n\tsubject = (a|b)+c\n\tlist = l\n"
				   "\tbody = ^z\n\tlevel = warning\n";
	struct conf *c = conf_parse("team.conf", team, sizeof team - 1);
	struct buf errors = BUF_INIT;

	(void)argc;
	(void)argv;
	mail_rules_load(c, &rules, &errors);
	if (errors.len)
		abort();
	buf_release(&errors);
	/* the rules keep no pointer into the conf */
	conf_free(c);
	return 0;
}

static void check_string(json_t *o, const char *key)
{
	if (!json_is_string(json_object_get(o, key)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record *r = mail_record((const char *)data, size, size, &rules, 1795668803000000, "web1", "nobody", "");
	struct buf line = BUF_INIT, html = BUF_INIT;
	struct record *back;
	json_t *mail;
	const char *text, *level;
	size_t len;
	int64_t text_size;

	if (!r)
		abort();
	mail = rec_get_json(r, "mail");
	if (!json_is_object(mail))
		abort();
	check_string(mail, "from");
	check_string(mail, "to");
	check_string(mail, "subject");
	check_string(mail, "date");
	check_string(mail, "message_id");
	check_string(mail, "body");
	if (!json_is_array(json_object_get(mail, "attachments")) || !json_is_array(json_object_get(mail, "problems")))
		abort();
	if (json_integer_value(json_object_get(mail, "size")) != (json_int_t)size)
		abort();
	text = rec_get_str(r, "text", &len);
	if (!text || len > EVENT_TEXT_MAX || rec_get_json(r, "text_b64"))
		abort();
	/* cut only when full (a character boundary may leave up to 3 bytes out) */
	if (rec_get_int(r, "text_size", &text_size) ? text_size <= (int64_t)len || len + 4 <= EVENT_TEXT_MAX : false)
		abort();
	level = rec_get_str(r, "level", NULL);
	if (!level || event_level_parse(level) < 0)
		abort();

	rec_set_chain(r, 1, rec_genesis);
	if (rec_encode(r, &line) < 0 || memchr(line.data, '\n', line.len) || !utf8_valid(line.data, line.len))
		abort();
	back = rec_parse(line.data, line.len, false);
	if (!back || strcmp(back->kind, "event"))
		abort();
	rec_free(back);
	rec_free(r);

	mail_html_to_text((const char *)data, size, &html);
	if (utf8_valid((const char *)data, size) && !utf8_valid(buf_str(&html), html.len))
		abort();
	buf_release(&html);
	buf_release(&line);
	return 0;
}
