/*
 * Fuzz the spool parser (src/capture/spool.c) on arbitrary bytes, fed whole and in
 * two pieces: it never reads outside the buffer, always makes progress,
 * and the records it finds are the same whether the bytes came at once or
 * in two reads (what ingestion does with a live shell's spool).  Each
 * record's fields hold no NUL and lie inside the record's byte range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/spool.h"

struct found {
	uint64_t offset[4096], end[4096];
	char kind[4096];
	size_t n;
};

/* parse data[from..len) the way ingest does, appending records to f; returns where it stopped */
static size_t parse(const char *data, size_t len, size_t from, bool at_eof, struct found *f)
{
	size_t pos = from;

	while (pos < len) {
		struct spool_rec rec;
		size_t before = pos;
		enum spool_step step = spool_next(data, len, &pos, 0, at_eof, &rec);

		if (step == SPOOL_MORE)
			break;
		if (pos <= before)
			abort();	/* no progress */
		if (step == SPOOL_RECORD) {
			if (rec.offset < before || rec.end > len)
				abort();
			for (size_t i = 0; i < rec.nfields; i++) {
				if (rec.field[i] < data + rec.offset || rec.field[i] + rec.len[i] > data + rec.end)
					abort();
				if (memchr(rec.field[i], '\0', rec.len[i]))
					abort();
			}
			if (f->n < 4096) {
				f->offset[f->n] = rec.offset;
				f->end[f->n] = rec.end;
				f->kind[f->n++] = rec.kind;
			}
		}
	}
	return pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct found whole, split;
	const char *d = (const char *)data;
	size_t cut, stop;

	if (size < 1)
		return 0;
	memset(&whole, 0, sizeof whole);
	memset(&split, 0, sizeof split);
	parse(d, size, 0, true, &whole);

	/* the first byte chooses where the first read ended */
	cut = (size_t)data[0] * size / 256;
	stop = parse(d, cut, 0, false, &split);
	parse(d, size, stop, true, &split);

	/* whole records seen in the first read are whole records in the file too */
	for (size_t i = 0, k = 0; i < split.n; i++) {
		while (k < whole.n && whole.offset[k] < split.offset[i])
			k++;
		if (split.end[i] <= cut && (k >= whole.n || whole.offset[k] != split.offset[i] ||
					    whole.end[k] != split.end[i] || whole.kind[k] != split.kind[i]))
			abort();
	}
	return 0;
}
