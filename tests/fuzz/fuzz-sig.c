/*
 * fuzz-sig: sig_verify and sig_key_parse on arbitrary bytes.
 *
 * The first byte says what the rest is (its value modulo 4):
 *   0  an armored signature, verified for a fixed message under "logbook"
 *   1  the SSHSIG blob itself, armored here, then verified the same way
 *      (so the fuzzer reaches the binary parser without learning base64)
 *   2  the text of a key ("ssh-ed25519 AAAA... comment", options first...)
 *   3  the wire form of a key, written here as "<its type> <base64>"
 *
 * Besides no crash, no leak and no read out of bounds (ASan, UBSan), it
 * checks: a refusal leaves a reason in errget() and no signer; a
 * signature that verifies names its signer, verifies again, and does not
 * verify for another message or namespace; an accepted key's text form
 * parses again to an equal key with the same type, size, fingerprint and
 * comment, and formats to the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char message[] = "logbook fuzz message\n";
#define MESSAGE_LEN (sizeof message - 1)

static void b64(struct buf *out, const uint8_t *p, size_t len)
{
	static const char d[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < len ? p[i + 2] : 0);
		buf_addc(out, d[v >> 18]);
		buf_addc(out, d[(v >> 12) & 63]);
		buf_addc(out, i + 1 < len ? d[(v >> 6) & 63] : '=');
		buf_addc(out, i + 2 < len ? d[v & 63] : '=');
	}
}

static void check_fingerprint(const struct sig_key *k)
{
	char fp[SIG_FINGERPRINT_SIZE];

	sig_key_fingerprint(k, fp);
	if (strlen(fp) != 7 + 43 || strncmp(fp, "SHA256:", 7))
		abort();
}

static void verify(const char *armored, size_t len)
{
	struct sig_key *signer = (struct sig_key *)&signer, *again = NULL;
	char other[sizeof message];

	if (sig_verify(armored, len, SIG_NAMESPACE, message, MESSAGE_LEN, &signer) < 0) {
		if (signer || !*errget())
			abort();
		return;
	}
	if (!signer)
		abort();
	check_fingerprint(signer);
	if (sig_verify(armored, len, SIG_NAMESPACE, message, MESSAGE_LEN, &again) < 0 ||
	    !sig_key_equal(signer, again))
		abort();
	memcpy(other, message, sizeof message);
	other[0] ^= 1;
	if (sig_verify(armored, len, SIG_NAMESPACE, other, MESSAGE_LEN, NULL) == 0 ||
	    sig_verify(armored, len, "logbooK", message, MESSAGE_LEN, NULL) == 0)
		abort();
	sig_key_free(signer);
	sig_key_free(again);
}

static void parse_key(const char *text, size_t len)
{
	struct sig_key *k = sig_key_parse(text, len), *back;
	struct buf once = BUF_INIT, twice = BUF_INIT;
	char fa[SIG_FINGERPRINT_SIZE], fb[SIG_FINGERPRINT_SIZE];

	if (!k) {
		if (!*errget())
			abort();
		return;
	}
	sig_key_format(k, &once);
	back = sig_key_parse(once.data, once.len);
	if (!back)
		abort();
	sig_key_format(back, &twice);
	sig_key_fingerprint(k, fa);
	sig_key_fingerprint(back, fb);
	check_fingerprint(k);
	if (!sig_key_equal(k, back) || strcmp(fa, fb) || strcmp(sig_key_type(k), sig_key_type(back)) ||
	    sig_key_bits(k) != sig_key_bits(back) || strcmp(sig_key_comment(k), sig_key_comment(back)) ||
	    once.len != twice.len || memcmp(once.data, twice.data, once.len))
		abort();
	buf_release(&once);
	buf_release(&twice);
	sig_key_free(k);
	sig_key_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	const uint8_t *rest = data + 1;
	size_t len = size ? size - 1 : 0;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0:
		verify((const char *)rest, len);
		break;
	case 1:
		buf_adds(&b, "-----BEGIN SSH SIGNATURE-----\n");
		b64(&b, rest, len);
		buf_adds(&b, "\n-----END SSH SIGNATURE-----\n");
		verify(b.data, b.len);
		break;
	case 2:
		parse_key((const char *)rest, len);
		break;
	case 3:
		/* the type the blob names, when it names one that fits on a line */
		if (len >= 4) {
			uint32_t n = (uint32_t)rest[0] << 24 | (uint32_t)rest[1] << 16 |
				     (uint32_t)rest[2] << 8 | rest[3];
			if (n <= len - 4 && n < 64 && !memchr(rest + 4, ' ', n) && !memchr(rest + 4, '\n', n))
				buf_add(&b, rest + 4, n);
		}
		if (!b.len)
			buf_adds(&b, "ssh-ed25519");
		buf_addc(&b, ' ');
		b64(&b, rest, len);
		parse_key(b.data, b.len);
		break;
	}
	buf_release(&b);
	return 0;
}
