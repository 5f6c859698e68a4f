/*
 * fuzz-redact-file: any bytes through redact_file, the redaction of a
 * watched file's content by its syntax (libFuzzer; "make fuzz").  The
 * first byte picks the file's name (each syntax the name chooses, and
 * none), the rest is the content.  Besides the sanitizers' own checks it
 * aborts when
 *   - the output does not have the input's newlines, one for one (a diff
 *     of two redacted texts relies on it);
 *   - the count is not the number of markers the output gained;
 *   - a second pass over the output changes it or finds a secret:
 *     objects are redacted when written and again when diffed.
 * redact_text runs on the input too (the same rules without the name).
 * A team pattern is loaded, one whose matches cannot touch a marker.
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

static const char *const paths[] = {
	NULL, "/etc/ppp/chap-secrets", "/etc/ppp/pap-secrets", "/root/.pgpass", "/root/.netrc",
	"/etc/nginx/htpasswd", "/etc/shadow", "/etc/postfix/sasl_passwd", "/etc/app/config.yml",
	"/etc/nginx/nginx.conf", "/srv/app/.env", "/etc/pam.d/common-auth",
};

static size_t count(const char *s, size_t n, const char *what)
{
	size_t k = 0, m = strlen(what);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(s + i, what, m) == 0) {
			k++;
			i += m - 1;
		}
	return k;
}

static void setup(void)
{
	static const char team[] = "[redact]\n\tpattern = corp-[0-9a-f]{16}\n";
	struct conf *c = conf_parse("team.conf", team, sizeof team - 1);

	if (!c || !(r = redact_new(c))) {
		fprintf(stderr, "fuzz-redact-file: %s\n", errget());
		abort();
	}
	conf_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT, again = BUF_INIT, text = BUF_INIT;
	const char *path, *in = (const char *)data + 1;
	size_t n, len;

	if (!r)
		setup();
	if (size < 1 || size > 64 * 1024)
		return 0;
	path = paths[data[0] % (sizeof paths / sizeof *paths)];
	len = size - 1;
	n = redact_file(r, path, in, len, &out);
	if (count(out.data ? out.data : "", out.len, "\n") != count(in, len, "\n"))
		abort();
	if (count(out.data ? out.data : "", out.len, REDACT_MARKER) != count(in, len, REDACT_MARKER) + n)
		abort();
	if (redact_file(r, path, out.data ? out.data : "", out.len, &again) != 0 || again.len != out.len ||
	    (out.len && memcmp(again.data, out.data, out.len) != 0))
		abort();
	redact_text(r, in, len, &text);
	buf_reset(&again);
	if (redact_text(r, text.data ? text.data : "", text.len, &again) != 0)
		abort();
	buf_release(&out);
	buf_release(&again);
	buf_release(&text);
	return 0;
}
