/* spool: the format hooked shells write, and its parser */
#include "unit.h"
#include "capture/spool.h"

#define S(lit) lit, sizeof(lit) - 1

/* parse all of data as ingestion does; kinds of the records found, '!' for damage */
static void parse_all(const char *data, size_t len, bool at_eof, char *kinds, size_t *stop)
{
	size_t pos = 0, k = 0;
	struct spool_rec rec;

	while (pos < len) {
		enum spool_step step = spool_next(data, len, &pos, 0, at_eof, &rec);
		if (step == SPOOL_MORE)
			break;
		kinds[k++] = step == SPOOL_RECORD ? rec.kind : '!';
	}
	kinds[k] = '\0';
	*stop = pos;
}

static void a_command_record_gives_its_fields(void **state)
{
	static const char data[] = "C\0" "7\0" "100\0" "250\0" "1\0" "/etc\0" "\t vi a\nb\n\0\n";
	struct spool_rec rec;
	size_t pos = 0;
	int64_t n;
	(void)state;

	assert_int_equal(spool_next(data, sizeof data - 1, &pos, 1000, false, &rec), SPOOL_RECORD);
	assert_int_equal(rec.kind, 'C');
	assert_int_equal(rec.nfields, 6);
	assert_int_equal(pos, sizeof data - 1);
	assert_int_equal(rec.offset, 1000);
	assert_int_equal(rec.end, 1000 + sizeof data - 1);
	assert_true(spool_field_int(&rec, SC_N, &n));
	assert_int_equal(n, 7);
	assert_true(spool_field_int(&rec, SC_END, &n));
	assert_int_equal(n, 250);
	assert_int_equal(rec.len[SC_CWD], 4);
	assert_memory_equal(rec.field[SC_TEXT], "\t vi a\nb\n", 9);
}

static void a_begun_command_record_gives_its_fields(void **state)
{
	static const char data[] = "B\0" "1\0" "100\0" "/root\0" "\t scp -t /tmp\n\0\n";
	struct spool_rec rec;
	size_t pos = 0;
	int64_t n;
	(void)state;

	assert_int_equal(spool_next(data, sizeof data - 1, &pos, 0, true, &rec), SPOOL_RECORD);
	assert_int_equal(rec.kind, 'B');
	assert_int_equal(rec.nfields, 4);
	assert_true(spool_field_int(&rec, SB_N, &n));
	assert_int_equal(n, 1);
	assert_true(spool_field_int(&rec, SB_START, &n));
	assert_int_equal(n, 100);
	assert_memory_equal(rec.field[SB_CWD], "/root", 5);
	assert_memory_equal(rec.field[SB_TEXT], "\t scp -t /tmp\n", 14);
	/* its start is a number, never empty */
	pos = 0;
	assert_int_equal(spool_next("B\0" "1\0" "\0" "/\0" "x\0\n", 11, &pos, 0, true, &rec), SPOOL_DAMAGED);
}

static void an_empty_start_is_allowed_and_not_a_number(void **state)
{
	static const char data[] = "C\0" "1\0" "\0" "5\0" "0\0" "/\0" "\t x\n\0\n";
	struct spool_rec rec;
	size_t pos = 0;
	int64_t n;
	(void)state;

	assert_int_equal(spool_next(data, sizeof data - 1, &pos, 0, true, &rec), SPOOL_RECORD);
	assert_false(spool_field_int(&rec, SC_START, &n));
}

static void an_unfinished_record_waits_for_more_unless_at_the_end(void **state)
{
	static const char data[] = "P\0" "42\0" "\n" "C\0" "1\0" "10\0";
	char kinds[16];
	size_t stop;
	(void)state;

	parse_all(data, sizeof data - 1, false, kinds, &stop);
	assert_string_equal(kinds, "P");
	assert_int_equal(stop, 6);
	parse_all(data, sizeof data - 1, true, kinds, &stop);
	assert_string_equal(kinds, "P!");
	assert_int_equal(stop, sizeof data - 1);
}

static void damage_is_skipped_up_to_the_next_whole_record(void **state)
{
	/* a torn C, the newline a hook writes after a failed write, a whole C */
	static const char data[] = "C\0" "1\0" "10\0" "1"
				   "\n"
				   "C\0" "2\0" "20\0" "21\0" "0\0" "/\0" "\t ok\n\0\n";
	struct spool_rec rec;
	size_t pos = 0;
	(void)state;

	assert_int_equal(spool_next(data, sizeof data - 1, &pos, 0, true, &rec), SPOOL_DAMAGED);
	assert_int_equal(rec.offset, 0);
	assert_int_equal(rec.end, 9);	/* the newline before the next record included */
	assert_int_equal(spool_next(data, sizeof data - 1, &pos, 0, true, &rec), SPOOL_RECORD);
	assert_memory_equal(rec.field[SC_TEXT], "\t ok\n", 5);
}

static void a_hand_edited_line_does_not_hide_the_records_around_it(void **state)
{
	static const char data[] = "P\0" "1\0" "\n"
				   "some text typed in an editor\n"
				   "C\0" "x\0" "y\0" "\n"
				   "X\0" "30\0" "0\0" "\n";
	char kinds[16];
	size_t stop;
	(void)state;

	parse_all(data, sizeof data - 1, true, kinds, &stop);
	assert_string_equal(kinds, "P!X");
}

static void a_field_that_looks_like_a_record_start_is_not_one(void **state)
{
	/* a command whose last line is "X": "\nX\0" inside a record is no resync point */
	static const char data[] = "C\0" "1\0" "1\0" "2\0" "0\0" "/\0" "\t a\nX\0" "\n"
				   "C\0" "2\0" "3\0" "4\0" "0\0" "/\0" "\t b\n\0\n";
	char kinds[16];
	size_t stop;
	(void)state;

	parse_all(data, sizeof data - 1, true, kinds, &stop);
	assert_string_equal(kinds, "CC");
}

static void fields_are_checked_by_kind(void **state)
{
	struct spool_rec rec;
	size_t pos;
	(void)state;

	pos = 0;	/* a letter in a number */
	assert_int_equal(spool_next(S("P\0" "4x\0" "\n"), &pos, 0, true, &rec), SPOOL_DAMAGED);
	pos = 0;	/* a header of another version */
	assert_int_equal(spool_next(S("H\0" "2\0"), &pos, 0, true, &rec), SPOOL_DAMAGED);
	pos = 0;	/* more fields than its kind has */
	assert_int_equal(spool_next(S("X\0" "1\0" "2\0" "3\0" "\n"), &pos, 0, true, &rec), SPOOL_DAMAGED);
	pos = 0;	/* an unknown kind */
	assert_int_equal(spool_next(S("Q\0" "1\0" "\n"), &pos, 0, true, &rec), SPOOL_DAMAGED);
	pos = 0;	/* a 20-digit number */
	assert_int_equal(spool_next(S("P\0" "12345678901234567890\0" "\n"), &pos, 0, true, &rec),
			 SPOOL_DAMAGED);
}

static void blank_lines_before_a_record_are_not_damage(void **state)
{
	static const char data[] = "\n\n" "P\0" "9\0" "\n" "\n";
	char kinds[16];
	size_t stop;
	(void)state;

	parse_all(data, sizeof data - 1, true, kinds, &stop);
	assert_string_equal(kinds, "P");
	assert_int_equal(stop, sizeof data - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_command_record_gives_its_fields),
		cmocka_unit_test(a_begun_command_record_gives_its_fields),
		cmocka_unit_test(an_empty_start_is_allowed_and_not_a_number),
		cmocka_unit_test(an_unfinished_record_waits_for_more_unless_at_the_end),
		cmocka_unit_test(damage_is_skipped_up_to_the_next_whole_record),
		cmocka_unit_test(a_hand_edited_line_does_not_hide_the_records_around_it),
		cmocka_unit_test(a_field_that_looks_like_a_record_start_is_not_one),
		cmocka_unit_test(fields_are_checked_by_kind),
		cmocka_unit_test(blank_lines_before_a_record_are_not_damage),
	};
	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}
