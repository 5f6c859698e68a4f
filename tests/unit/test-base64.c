/* base64: RFC 4648 encoding, and decoding in each mode exactly as its callers always accepted */
#include "unit.h"

#include <openssl/evp.h>

#include "base/base64.h"
#include "base/buf.h"

/* the test vectors of RFC 4648 section 10 */
static const struct {
	const char *plain, *encoded;
} rfc[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static const enum base64_mode modes[] = { BASE64_CANONICAL, BASE64_CANONICAL_LINES, BASE64_LAX };

/* decode s under mode after "x": 0 and the bytes in *out, or -1 and out still "x" */
static int decode(const char *s, size_t len, enum base64_mode mode, struct buf *out)
{
	int rc;

	buf_reset(out);
	buf_addc(out, 'x');
	rc = base64_decode(out, s, len, mode);
	assert_int_equal(out->data[out->len], '\0');
	if (rc < 0)
		assert_memory_equal(out->data, "x", out->len + 1);
	return rc;
}

static void accepted(const char *s, enum base64_mode mode, const void *want, size_t want_len)
{
	struct buf out = BUF_INIT;

	if (decode(s, strlen(s), mode, &out) != 0)
		fail_msg("'%s' refused in mode %d", s, mode);
	assert_int_equal(out.len, want_len + 1);
	assert_memory_equal(out.data + 1, want, want_len);
	buf_release(&out);
}

static void refused(const char *s, size_t len, enum base64_mode mode)
{
	struct buf out = BUF_INIT;

	if (decode(s, len, mode, &out) == 0)
		fail_msg("'%.*s' accepted in mode %d", (int)len, s, mode);
	buf_release(&out);
}

static void rfc_vectors_encode_and_decode_in_every_mode(void **state)
{
	struct buf out = BUF_INIT;
	(void)state;

	for (size_t i = 0; i < sizeof rfc / sizeof *rfc; i++) {
		buf_reset(&out);
		buf_adds(&out, "> ");
		base64_encode(&out, rfc[i].plain, strlen(rfc[i].plain));
		assert_string_equal(out.data + 2, rfc[i].encoded);
		assert_int_equal(out.len, 2 + strlen(rfc[i].encoded));
		for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
			accepted(rfc[i].encoded, modes[m], rfc[i].plain, strlen(rfc[i].plain));
	}
	buf_release(&out);
}

static void every_byte_value_round_trips(void **state)
{
	unsigned char all[256 + 2];
	struct buf enc = BUF_INIT, dec = BUF_INIT;
	(void)state;

	for (size_t i = 0; i < sizeof all; i++)
		all[i] = (unsigned char)(255 - i);
	for (size_t len = sizeof all - 2; len <= sizeof all; len++) {
		buf_reset(&enc);
		base64_encode(&enc, all, len);
		for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
			assert_int_equal(decode(enc.data, enc.len, modes[m], &dec), 0);
			assert_int_equal(dec.len, len + 1);
			assert_memory_equal(dec.data + 1, all, len);
		}
	}
	buf_release(&enc);
	buf_release(&dec);
}

/* what OpenSSH's decoder refuses, and so ssh keys and signatures */
static void canonical_refuses_all_but_canonical_base64(void **state)
{
	static const char *const bad[] = {
		"Zg", "Zm9", "Zm9vY",		/* not whole groups */
		"Z===", "====", "=g==",		/* '=' before the third digit */
		"Zm=v", "Zg=a",			/* a digit after '=' */
		"Zg==Zm9v", "Zm8=Zg==",		/* data after the padding */
		"Zh==", "Zm9=",			/* bits under the padding not zero */
		"Zm9v Zg==", " Zm9v", "Zm9v\n",	/* spaces */
		"Zm9*", "Zm-_", "Zm9v\x80\x80\x80\x80",	/* not the alphabet */
	};
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		refused(bad[i], strlen(bad[i]), BASE64_CANONICAL);
	refused("Zm\0v", 4, BASE64_CANONICAL);
}

/* the armor of a signature: lines of digits */
static void canonical_lines_skips_spaces_between_digits_only(void **state)
{
	static const char *const bad[] = {
		"Zg", "Zg=\n", "Z=\n==", "Zg==\nZm9v", "Zh==", "Zm9*", "Zm9v\f", "Zm9v\v",
	};
	(void)state;

	accepted("Zm9v\nYmFy\n", BASE64_CANONICAL_LINES, "foobar", 6);
	accepted(" \tZm\r\n9vY\ng==\r\n\n", BASE64_CANONICAL_LINES, "foob", 4);
	accepted("Zg=\n=", BASE64_CANONICAL_LINES, "f", 1);
	accepted(" \n", BASE64_CANONICAL_LINES, "", 0);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		refused(bad[i], strlen(bad[i]), BASE64_CANONICAL_LINES);
}

/* the "_b64" fields of records, read as they always were */
static void lax_takes_what_records_always_took(void **state)
{
	static const char *const bad[] = {
		"Zg", "Zm9", "Zm9vY",		/* the length is not a multiple of four */
		"Zm9v Zg==", "Zm\n9vYmFy",	/* spaces inside */
		"Zm9*", "Zm_v", "Zm9v\x80\x80\x80\x80",
		"  Zg", "Zg\n\n",		/* trimmed to less than a group */
	};
	(void)state;

	accepted("    Zm9v", BASE64_LAX, "foo", 3);		/* blanks before */
	accepted("\t \t Zm9vYg==", BASE64_LAX, "foob", 4);
	accepted("Zm9v\r\n-\t", BASE64_LAX, "foo", 3);		/* blanks, breaks, '-' after */
	accepted("Zh==", BASE64_LAX, "f", 1);			/* padding bits not checked */
	accepted("Zg==Zm9v", BASE64_LAX, "f\0\0foo", 6);	/* '=' is a zero digit */
	accepted("=AAA", BASE64_LAX, "\0\0\0", 3);
	accepted("Zg==\n\n\n\n", BASE64_LAX, "f\0\0", 3);	/* the padding counted at the end */
	accepted("    ", BASE64_LAX, "", 0);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		refused(bad[i], strlen(bad[i]), BASE64_LAX);
	refused("Zm\0v", 4, BASE64_LAX);
}

/* how records were read before BASE64_LAX: OpenSSL's decoder, the padding dropped */
static int evp_record_decode(struct buf *out, const char *s, size_t len)
{
	int n, pad;

	if (len % 4)
		return -1;
	if (len == 0)
		return 0;
	pad = (s[len - 1] == '=') + (s[len - 2] == '=');
	buf_grow(out, len / 4 * 3);
	n = EVP_DecodeBlock((unsigned char *)out->data + out->len, (const unsigned char *)s, (int)len);
	if (n < 0)
		return -1;
	out->len += (size_t)(n - pad);
	return 0;
}

static void lax_agrees_with_openssl_on_random_text(void **state)
{
	/* digits, '=', what OpenSSL skips, and anything else now and then */
	static const char common[] = "AZaz09+/QUJD=== \t\r\n-";
	struct buf want = BUF_INIT, got = BUF_INIT;
	char s[16];
	unsigned seed = 1;
	(void)state;

	for (int round = 0; round < 200000; round++) {
		size_t len = (size_t)(rand_r(&seed) % 4 == 0 ? rand_r(&seed) % 16 : rand_r(&seed) % 3 * 4 + 4);
		int want_rc, got_rc;

		for (size_t i = 0; i < len; i++)
			s[i] = rand_r(&seed) % 16 ? common[rand_r(&seed) % (sizeof common - 1)]
						  : (char)(rand_r(&seed) % 256);
		buf_reset(&want);
		buf_reset(&got);
		want_rc = evp_record_decode(&want, s, len);
		got_rc = base64_decode(&got, s, len, BASE64_LAX);
		if (want_rc != got_rc || (want_rc == 0 && (want.len != got.len ||
		    (want.len && memcmp(want.data, got.data, want.len)))))
			fail_msg("'%.*s': OpenSSL %d (%zu bytes), base64_decode %d (%zu bytes)",
				 (int)len, s, want_rc, want.len, got_rc, got.len);
	}
	buf_release(&want);
	buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_vectors_encode_and_decode_in_every_mode),
		cmocka_unit_test(every_byte_value_round_trips),
		cmocka_unit_test(canonical_refuses_all_but_canonical_base64),
		cmocka_unit_test(canonical_lines_skips_spaces_between_digits_only),
		cmocka_unit_test(lax_takes_what_records_always_took),
		cmocka_unit_test(lax_agrees_with_openssl_on_random_text),
	};

	return cmocka_run_group_tests_name("base64", tests, NULL, NULL);
}
