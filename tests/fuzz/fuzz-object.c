/*
 * fuzz-object: the baseline's redacted objects and their line tags
 * (src/files/baseline-object.c), on arbitrary bytes.  A member of a
 * shared journal's group can write .state/, so an object is read as
 * hostile input.
 *
 * The first byte chooses, by its value mod 3: 1, the rest is read as an
 * object file named by a fixed hash (so only the redacted form can pass)
 * and, when it passes, its tags are applied to its content; 2, the rest's
 * first line is a tag list (damaged, most of the time) applied to the
 * lines after it; 0, the rest is a file's content: redacted by
 * redact_file, tagged by baseline_line_tags, and the tags applied.  Reading must never crash; a tagged text must keep the
 * text's lines, and taking every tag out must give the text back.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "capture/redact.h"
#include "files/baseline-int.h"
#include "files/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct redactor *r;

static size_t lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* tagged must be text with "\x1f" and 16 hex digits after some lines */
static void check_tagged(const char *text, size_t len, const struct buf *tagged)
{
	struct buf back = BUF_INIT;

	if (lines(tagged->data ? tagged->data : "", tagged->len) != lines(text, len))
		abort();
	for (size_t i = 0; i < tagged->len; i++) {
		if (tagged->data[i] == '\x1f' && i + BASELINE_TAG_HEX < tagged->len &&
		    strspn(tagged->data + i + 1, "0123456789abcdef") >= BASELINE_TAG_HEX) {
			i += BASELINE_TAG_HEX;
			continue;
		}
		buf_addc(&back, tagged->data[i]);
	}
	if (back.len != len || (len && memcmp(back.data, text, len)))
		abort();
	buf_release(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[BASELINE_TAG_KEY_LEN] = "fuzz-object key, not a secret..";
	struct buf out = BUF_INIT, tags = BUF_INIT, tagged = BUF_INIT;
	const char *in = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;

	if (!r && !(r = redact_new(NULL)))
		abort();
	if (size < 1 || size > 64 * 1024 || memchr(in, '\x1f', len))
		return 0;
	if (data[0] % 3 == 2) {
		const char *nl = memchr(in, '\n', len);
		size_t tl = nl ? (size_t)(nl - in) : len;
		buf_add(&tags, in, tl);
		if (!memchr(in, '\0', tl)) {
			const char *text = nl ? nl + 1 : in + len;
			baseline_tagged_text(text, len - (size_t)(text - in), buf_str(&tags), '\x1f', &tagged);
			check_tagged(text, len - (size_t)(text - in), &tagged);
		}
	} else if (data[0] % 3 == 1) {
		int fd = memfd_create("object", 0), rc;
		if (fd < 0 || write(fd, in, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) < 0)
			abort();
		rc = baseline_object_read(fd, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "object",
					  &out, &tags);
		close(fd);
		if (rc != 0 && rc != 1)
			abort();
		if (rc == 0 && !memchr(out.data ? out.data : "", '\x1f', out.len)) {
			baseline_tagged_text(out.data ? out.data : "", out.len, buf_str(&tags), '\x1f', &tagged);
			check_tagged(out.data ? out.data : "", out.len, &tagged);
		}
	} else {
		redact_file(r, "/etc/app.conf", in, len, &out);
		baseline_line_tags(key, in, len, out.data ? out.data : "", out.len, &tags);
		if (!memchr(out.data ? out.data : "", '\x1f', out.len)) {
			baseline_tagged_text(out.data ? out.data : "", out.len, buf_str(&tags), '\x1f', &tagged);
			check_tagged(out.data ? out.data : "", out.len, &tagged);
		}
	}
	buf_release(&out);
	buf_release(&tags);
	buf_release(&tagged);
	return 0;
}
