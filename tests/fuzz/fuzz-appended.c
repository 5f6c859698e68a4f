/*
 * fuzz-appended: the tail another host appends (src/replica/appended.c),
 * on arbitrary bytes.  The first byte chooses the size of the pieces the
 * rest is fed in (1 to 256), as git's pipe may cut a blob anywhere.
 *
 * Properties: fed in pieces or whole, the bytes give the same verdict
 * (why) and the same records; when nothing is wrong, every line was a
 * record of the host, one per newline, each with the hash of its line;
 * records that follow each other and the genesis go 1, 2, 3...; the last
 * complete line found a piece at a time is the one found in the whole;
 * a head found in the bytes as cache text has a seq and a 64-digit hash.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal/record.h"
#include "replica/appended.h"

#define HOST "db-2.example.org"
#define COMMIT "0123456789abcdef0123456789abcdef01234567"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(struct appended *a, const char *p, size_t n, size_t step)
{
	appended_init(a, HOST, COMMIT);
	appended_file(a, "f", 0);
	for (size_t off = 0; off < n; off += step)
		appended_feed(a, p + off, off + step <= n ? step : n - off);
	appended_file_end(a);
}

static void last_line(const char *p, size_t n, size_t step)
{
	struct last_line l = LAST_LINE_INIT;
	const char *nl = n ? memrchr(p, '\n', n) : NULL, *before;

	for (size_t off = 0; off < n; off += step)
		appended_last_line_feed(&l, p + off, off + step <= n ? step : n - off);
	if (!nl) {
		if (l.any)
			abort();
	} else {
		before = memrchr(p, '\n', (size_t)(nl - p));
		before = before ? before + 1 : p;
		if (!l.any || l.last.len != (size_t)(nl - before) || memcmp(l.last.data ? l.last.data : "", before,
									     l.last.len))
			abort();
	}
	appended_last_line_release(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct appended whole, pieces;
	const char *p = (const char *)data + 1;
	size_t n, step;
	char *text;
	int64_t seq;
	char hash[REC_HASH_LEN + 1];

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	n = size - 1;
	run(&whole, p, n, n ? n : 1);
	run(&pieces, p, n, step);
	if (!whole.why != !pieces.why || (whole.why && strcmp(whole.why, pieces.why)) || whole.n != pieces.n)
		abort();
	for (size_t i = 0; i < whole.n; i++)
		if (whole.v[i].seq != pieces.v[i].seq || strcmp(whole.v[i].hash, pieces.v[i].hash) ||
		    whole.v[i].lineno != i + 1)
			abort();
	if (!whole.why) {
		const char *line = p;
		size_t lines = 0;
		for (const char *q = p; q < p + n; q++) {
			if (*q != '\n')
				continue;
			char h[REC_HASH_LEN + 1];
			rec_hash(line, (size_t)(q - line), h);
			if (lines >= whole.n || strcmp(h, whole.v[lines].hash))
				abort();
			lines++;
			line = q + 1;
		}
		if (lines != whole.n || line != p + n)
			abort();
		if (appended_in_order(&whole) && appended_continues(&whole, 0, rec_genesis, NULL))
			for (size_t i = 0; i < whole.n; i++)
				if (whole.v[i].seq != (int64_t)i + 1)
					abort();
	}
	appended_release(&whole);
	appended_release(&pieces);
	last_line(p, n, step);
	text = malloc(n + 1);
	if (!text)
		return 0;
	memcpy(text, p, n);
	text[n] = '\0';
	if (appended_cache_find(text, COMMIT, &seq, hash) &&
	    (strlen(hash) != REC_HASH_LEN || strspn(hash, "0123456789abcdef") != REC_HASH_LEN))
		abort();
	free(text);
	return 0;
}
