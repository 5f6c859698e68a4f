/* buf: growable byte buffers that hold any bytes and stay NUL-terminated */
#include "unit.h"
#include "base/buf.h"
#include "base/run.h"

/* the invariant of buf.c: data[len] is a NUL inside the allocation */
static void assert_terminated(const struct buf *b)
{
	assert_non_null(b->data);
	assert_true(b->len < b->cap);
	assert_int_equal(b->data[b->len], '\0');
}

static void a_buf_never_added_to_reads_as_the_empty_string(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_release(&b);
	assert_string_equal(buf_str(&b), "");
}

static void add_keeps_nul_bytes_and_terminates(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_add(&b, "a\0b", 3);
	buf_adds(&b, "cd");
	buf_addc(&b, '\0');
	buf_addc(&b, 'e');
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "a\0bcd\0e", 7);
	assert_terminated(&b);
	buf_add(&b, NULL, 0);
	assert_int_equal(b.len, 7);
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void addf_formats_and_appends(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_adds(&b, ">");
	buf_addf(&b, "%s-%d-%05.1f", "x", -42, 3.5);
	assert_string_equal(b.data, ">x--42-003.5");
	assert_int_equal(b.len, 12);
	buf_addf(&b, "%s", "");
	assert_int_equal(b.len, 12);
	assert_terminated(&b);
	buf_release(&b);
}

/* the first vsnprintf is given what is left of the buffer; this output needs more */
static void addf_output_longer_than_the_free_space_is_complete(void **state)
{
	struct buf b = BUF_INIT;
	char *big = malloc(5001);

	(void)state;
	memset(big, 'y', 5000);
	big[5000] = '\0';
	buf_adds(&b, "head:");
	buf_addf(&b, "%s|%08d", big, 7);
	assert_int_equal(b.len, 5 + 5000 + 1 + 8);
	assert_memory_equal(b.data, "head:", 5);
	assert_memory_equal(b.data + 5, big, 5000);
	assert_string_equal(b.data + 5005, "|00000007");
	assert_terminated(&b);
	/* exactly the free space, and one byte more, at the current capacity */
	for (size_t extra = 0; extra < 3; extra++) {
		size_t before = b.len, fill = b.cap - b.len - 1 + extra;
		buf_addf(&b, "%0*d", (int)fill, 0);
		assert_int_equal(b.len, before + fill);
		for (size_t i = before; i < b.len; i++)
			assert_int_equal(b.data[i], '0');
		assert_terminated(&b);
	}
	free(big);
	buf_release(&b);
}

static void growth_over_many_kib_keeps_every_byte(void **state)
{
	struct buf b = BUF_INIT;
	const size_t total = 300 * 1024;
	char chunk[97];

	(void)state;
	/* bytes 0..250 repeating, added one at a time and in chunks of odd sizes */
	while (b.len < total) {
		size_t n = b.len % 3 ? sizeof chunk : 1;
		for (size_t i = 0; i < n; i++)
			chunk[i] = (char)((b.len + i) % 251);
		if (n == 1)
			buf_addc(&b, chunk[0]);
		else
			buf_add(&b, chunk, n);
		assert_terminated(&b);
	}
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] != i % 251)
			fail_msg("byte %zu is %d, expected %zu", i, (unsigned char)b.data[i], i % 251);
	buf_release(&b);
}

static void grow_makes_room_without_changing_the_contents(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_grow(&b, 0);
	assert_terminated(&b);
	assert_int_equal(b.len, 0);
	buf_adds(&b, "abc");
	buf_grow(&b, 100000);
	assert_true(b.cap >= 3 + 100000 + 1);
	assert_string_equal(b.data, "abc");
	assert_int_equal(b.len, 3);
	buf_release(&b);
}

static void truncate_shortens_and_never_lengthens(void **state)
{
	struct buf b = BUF_INIT;
	size_t cap;

	(void)state;
	buf_truncate(&b, 0);		/* nothing allocated: nothing to do */
	assert_null(b.data);
	buf_adds(&b, "hello world");
	buf_truncate(&b, 5);
	assert_string_equal(b.data, "hello");
	assert_int_equal(b.len, 5);
	buf_truncate(&b, 100);
	assert_string_equal(b.data, "hello");
	assert_int_equal(b.len, 5);
	buf_adds(&b, "!");
	assert_string_equal(b.data, "hello!");
	cap = b.cap;
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	buf_release(&b);
}

static void detach_hands_over_the_data_and_empties_the_buf(void **state)
{
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	buf_add(&b, "x\0y", 3);
	s = buf_detach(&b, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "x\0y", 4);	/* with its terminating NUL */
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(buf_str(&b), "");
	free(s);

	/* the buf can be used again afterwards */
	buf_adds(&b, "again");
	assert_string_equal(b.data, "again");
	buf_release(&b);
}

static void detach_of_an_empty_buf_gives_an_empty_string(void **state)
{
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	s = buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	s = buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
}

static char *shell_quoted(const char *s)
{
	struct buf b = BUF_INIT;

	buf_add_shell_quoted(&b, s);
	return buf_detach(&b, NULL);
}

static void shell_quoted_is_one_single_quoted_word(void **state)
{
	char *q;

	(void)state;
	q = shell_quoted("");
	assert_string_equal(q, "''");
	free(q);
	q = shell_quoted("plain");
	assert_string_equal(q, "'plain'");
	free(q);
	q = shell_quoted("it's");
	assert_string_equal(q, "'it'\\''s'");
	free(q);
	q = shell_quoted("''");
	assert_string_equal(q, "''\\'''\\'''");
	free(q);
	/* newlines, sh's specials and bytes >= 0x80 stay as they are */
	q = shell_quoted("a\nb $x `y` \\ \"z\" caf\xc3\xa9 \xff");
	assert_string_equal(q, "'a\nb $x `y` \\ \"z\" caf\xc3\xa9 \xff'");
	free(q);
}

/* what sh reads back from the word is exactly the string quoted */
static void shell_quoted_reads_back_in_sh_as_the_same_bytes(void **state)
{
	const char *const words[] = {
		"", "it's", "'", "''x''", "a\nb\n", " lead and trail ",
		"$HOME `id` $(id) \\n \"q\" ; | & *", "\xc3\xa9t\xc3\xa9 \x80\xfe\xff", "-n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		struct buf script = BUF_INIT, out = BUF_INIT;
		const char *argv[] = { "sh", "-c", NULL, NULL };

		buf_adds(&script, "printf %s ");
		buf_add_shell_quoted(&script, words[i]);
		argv[2] = script.data;
		assert_int_equal(run_capture(argv, NULL, &out), 0);
		assert_int_equal(out.len, strlen(words[i]));
		assert_memory_equal(buf_str(&out), words[i], out.len);
		buf_release(&script);
		buf_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_buf_never_added_to_reads_as_the_empty_string),
		cmocka_unit_test(add_keeps_nul_bytes_and_terminates),
		cmocka_unit_test(addf_formats_and_appends),
		cmocka_unit_test(addf_output_longer_than_the_free_space_is_complete),
		cmocka_unit_test(growth_over_many_kib_keeps_every_byte),
		cmocka_unit_test(grow_makes_room_without_changing_the_contents),
		cmocka_unit_test(truncate_shortens_and_never_lengthens),
		cmocka_unit_test(detach_hands_over_the_data_and_empties_the_buf),
		cmocka_unit_test(detach_of_an_empty_buf_gives_an_empty_string),
		cmocka_unit_test(shell_quoted_is_one_single_quoted_word),
		cmocka_unit_test(shell_quoted_reads_back_in_sh_as_the_same_bytes),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
