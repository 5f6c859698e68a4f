/*
 * fuzz-redact: any bytes through redact_command (libFuzzer; "make fuzz").
 * Besides the sanitizers' own checks it aborts when
 *   - the output is longer than the input plus one marker per secret, or
 *     the count is not the number of markers written;
 *   - a second pass over the output changes it or finds a secret: the
 *     redaction is idempotent (markers and shell syntax are never
 *     replaced), which the import path relies on when it redacts records
 *     that may already have been redacted.
 * A team pattern is loaded too, so that path is exercised; it is one
 * whose matches cannot touch a marker.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "capture/redact.h"

static struct redactor *r;

static size_t markers(const char *s, size_t n)
{
	size_t k = 0, m = strlen(REDACT_MARKER);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(s + i, REDACT_MARKER, m) == 0) {
			k++;
			i += m - 1;
		}
	return k;
}

static void setup(void)
{
	static const char team[] = "[redact]\n\tpattern = corp-[0-9a-f]{16}\n"
				   "\tpattern = \"vpn-psk=(\\\\w+)\"\n";
	struct conf *c = conf_parse("team.conf", team, sizeof team - 1);

	if (!c || !(r = redact_new(c))) {
		fprintf(stderr, "fuzz-redact: %s\n", errget());
		abort();
	}
	conf_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT, again = BUF_INIT;
	size_t m = strlen(REDACT_MARKER), n, n2;

	if (!r)
		setup();
	if (size > 64 * 1024)
		return 0;
	n = redact_command(r, (const char *)data, size, &out);
	if (out.len > size + n * (m - 1))
		abort();
	if (n && markers(out.data, out.len) < n)
		abort();
	n2 = redact_command(r, out.data, out.len, &again);
	if (n2 != 0 || again.len != out.len || (out.len && memcmp(again.data, out.data, out.len) != 0))
		abort();
	buf_release(&out);
	buf_release(&again);
	return 0;
}
