/* complete: a command's --help parsed into its options and the shape of its arguments */
#include "unit.h"

#include "base/buf.h"
#include "view/complete.h"

static const char remote_help[] =
	"usage: logbook remote add NAME URL\n"
	"       logbook remote rm NAME\n"
	"       logbook remote list\n"
	"\n"
	"The other replicas, see --here-in-prose, which is no option.\n"
	"\n"
	"  -h, --help   show this help\n";

static const char search_help[] =
	"usage: logbook search [--host HOST] [--user ADMIN] [--kind KIND] [--since DAY]\n"
	"                      [--until DAY] [--limit N] [--json] [--color=WHEN]\n"
	"                      [--no-pager] QUERY\n"
	"\n"
	"Find records.\n"
	"\n"
	"  --host HOST      only records of HOST\n"
	"  --root DIR       the root (default: $LOGBOOK_ROOT, else /), then\n"
	"                   --root; is prose here\n"
	"  -q, --quiet      say less\n";

static const char watch_help[] =
	"usage: logbook watch add PATH|!PATTERN...\n"
	"       logbook watch rm PATH|!PATTERN...\n"
	"       logbook watch list\n";

static const char team_help[] =
	"usage: logbook team add NAME [--email ADDRESS] [--key FILE|KEYTEXT]...\n"
	"       logbook team list\n";

/* complete_args on words (the last is the current word) */
static void args(const char *help, const char *const *words, size_t n, struct buf *lits, unsigned *kinds)
{
	buf_reset(lits);
	*kinds = 0;
	complete_args(help, words, n - 1, lits, kinds);
}

static void options_come_from_the_synopsis_and_the_option_lines(void **state)
{
	struct complete_options o;
	struct buf names = BUF_INIT;

	(void)state;
	complete_options_parse(search_help, &o);
	for (size_t i = 0; i < o.n; i++)
		buf_addf(&names, "%s%s%s%s ", o.names[i], o.values[i] ? (o.eq[i] ? "=" : " ") : "",
			 o.values[i] ? o.values[i] : "", "");
	assert_string_equal(buf_str(&names), "--host HOST --user ADMIN --kind KIND --since DAY --until DAY --limit N "
					     "--json --color=WHEN --no-pager --root DIR -q --quiet ");
	complete_options_free(&o);
	buf_release(&names);
	complete_options_parse(remote_help, &o);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.names[0], "-h");
	assert_string_equal(o.names[1], "--help");
	complete_options_free(&o);
}

static void literal_words_and_placeholders_by_position(void **state)
{
	struct buf lits = BUF_INIT;
	unsigned kinds;

	(void)state;
	args(remote_help, (const char *[]){ "remote", "" }, 2, &lits, &kinds);
	assert_string_equal(buf_str(&lits), "add\nrm\nlist\n");
	assert_int_equal(kinds, 0);
	args(remote_help, (const char *[]){ "remote", "rm", "" }, 3, &lits, &kinds);
	assert_string_equal(buf_str(&lits), "");
	assert_int_equal(kinds, 1u << COMPLETE_REMOTES);
	args(remote_help, (const char *[]){ "remote", "list", "" }, 3, &lits, &kinds);
	assert_int_equal(kinds, 0);
	args(team_help, (const char *[]){ "team", "add", "" }, 3, &lits, &kinds);
	assert_int_equal(kinds, 1u << COMPLETE_ADMINS);
	buf_release(&lits);
}

static void option_values_and_repeated_arguments(void **state)
{
	struct buf lits = BUF_INIT;
	unsigned kinds;

	(void)state;
	args(search_help, (const char *[]){ "search", "--host", "" }, 3, &lits, &kinds);
	assert_int_equal(kinds, 1u << COMPLETE_HOSTS);
	args(search_help, (const char *[]){ "search", "--color=a" }, 2, &lits, &kinds);
	assert_int_equal(kinds, 1u << COMPLETE_WHEN);
	/* an option's value is not an argument: QUERY (nothing) comes next */
	args(search_help, (const char *[]){ "search", "--since", "2026_01_01", "" }, 4, &lits, &kinds);
	assert_int_equal(kinds, 0);
	args(watch_help, (const char *[]){ "watch", "add", "/etc", "" }, 4, &lits, &kinds);
	assert_int_equal(kinds, 1u << COMPLETE_FILES);
	args(team_help, (const char *[]){ "team", "add", "x", "--key", "" }, 5, &lits, &kinds);
	assert_int_equal(kinds, 1u << COMPLETE_FILES);
	buf_release(&lits);
}

static void placeholders_name_kinds(void **state)
{
	(void)state;
	assert_int_equal(complete_placeholder("show", "DAY"), COMPLETE_DAYS);
	assert_int_equal(complete_placeholder("remote", "NAME"), COMPLETE_REMOTES);
	assert_int_equal(complete_placeholder("team", "NAME"), COMPLETE_ADMINS);
	assert_int_equal(complete_placeholder("x", "NAME"), COMPLETE_NONE);
	assert_int_equal(complete_placeholder("sign", "FILE|KEYTEXT"), COMPLETE_FILES);
	assert_int_equal(complete_placeholder("note", "TEXT"), COMPLETE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_come_from_the_synopsis_and_the_option_lines),
		cmocka_unit_test(literal_words_and_placeholders_by_position),
		cmocka_unit_test(option_values_and_repeated_arguments),
		cmocka_unit_test(placeholders_name_kinds),
	};
	return cmocka_run_group_tests_name("complete", tests, NULL, NULL);
}
