/*
 * fuzz-record-light: rec_parse_light (record.c, on record-scan.c) against
 * rec_parse, on arbitrary bytes.
 *
 * Both must accept or both reject the line.  When they accept, the
 * record read light must give what jansson's object gives: the common
 * fields, and for every key of the object the same string (every byte,
 * NULs too), the same integer, the same exact bytes of a text field (its
 * "_b64"), and a JSON value of the same type; and the object made on
 * demand from the light record must equal jansson's.  show renders from
 * these accessors: a field read differently would show a record other
 * than the one stored.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "journal/record.h"

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

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* key of jansson's object read the same from the light record */
static void same_field(const struct record *light, const struct record *tree, const char *key)
{
	size_t la = 0, lb = 0;
	const char *a = rec_get_str(light, key, &la), *b = rec_get_str(tree, key, &lb);
	int64_t ia = 0, ib = 0;
	bool ha = rec_get_int(light, key, &ia), hb = rec_get_int(tree, key, &ib);
	struct buf ta = BUF_INIT, tb = BUF_INIT;
	int ra = rec_get_text(light, key, &ta), rb = rec_get_text(tree, key, &tb);

	if (!a != !b || (a && (la != lb || memcmp(a, b, la) || a[la])))
		abort();
	if (ha != hb || ia != ib)
		abort();
	if (ra != rb || ta.len != tb.len || (ta.len && memcmp(ta.data, tb.data, ta.len)))
		abort();
	buf_release(&ta);
	buf_release(&tb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data, *key;
	struct record *light = rec_parse_light(line, size, true), *tree = rec_parse(line, size, true);
	struct record *copy;
	json_t *v;

	if (!light != !tree)
		abort();	/* one accepted what the other rejects */
	if (!light)
		return 0;
	if (!same_str(light->kind, tree->kind) || !same_str(light->host, tree->host) ||
	    !same_str(light->admin, tree->admin) || !same_str(light->account, tree->account) ||
	    !same_str(light->session, tree->session) || !same_str(light->prev, tree->prev) ||
	    light->seq != tree->seq || light->time != tree->time ||
	    light->line_len != tree->line_len || memcmp(light->line, tree->line, size))
		abort();
	/* a copy reads the same, and outlives the record it was made from */
	copy = rec_dup(light);
	rec_free(light);
	json_object_foreach(rec_obj(tree), key, v) {
		json_t *w = rec_get_json(copy, key);

		same_field(copy, tree, key);
		if (!w || json_typeof(w) != json_typeof(v))
			abort();
	}
	if (rec_get_json(copy, "no such key") || !json_equal(rec_obj(copy), rec_obj(tree)))
		abort();
	rec_free(copy);
	rec_free(tree);
	return 0;
}
