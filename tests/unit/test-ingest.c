/*
 * ingest: spools into records, exactly once.
 *
 * Every test writes spool bytes by hand into a fresh journal's
 * .state/spool/ and reads back what ingestion filed, all days and all
 * records of the session, as one text to compare.  A shell that is still
 * running is this test process (its pid, this boot, started now); an
 * ended one is a spool of another boot.  The crash points are the states
 * ingest.c leaves on disk between its steps: a .pos file saying
 * "pending" with none, some or all of the range's records in the journal.
 */
#include "unit.h"

#include <errno.h>
#include <pwd.h>
#include <sys/wait.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "capture/ingest.h"
#include "capture/spool.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"

#define HOST "web1"
#define SESSION "s-1"
#define OTHER_BOOT "00000000-0000-0000-0000-000000000000"

struct fixture {
	char *dir;
	struct journal *j;
	char *spool, *pos;
	char boot[64];
	char account[64];	/* the account the header names: the spool's owner */
	int64_t start;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *p;
	FILE *b;

	if (!f)
		return -1;
	setenv("TZ", "UTC", 1);
	setenv("LC_ALL", "C", 1);
	f->dir = unit_journal();
	f->j = journal_open(f->dir);
	if (!f->j) {
		fprintf(stderr, "journal_open: %s\n", errget());
		return -1;
	}
	/* ingestion files only spools of this host, in their account's own directory */
	setenv("LOGBOOK_HOST", HOST, 1);
	p = journal_path(f->j, SPOOL_DIR);
	if (mkdir(p, 01770) < 0)
		return -1;
	free(p);
	p = spool_account_path(f->j, geteuid());
	if (mkdir(p, 0700) < 0)
		return -1;
	free(p);
	f->spool = spool_path(f->j, geteuid(), SESSION, "spool");
	f->pos = spool_path(f->j, geteuid(), SESSION, "pos");
	{
		struct passwd *pw = getpwuid(geteuid());
		snprintf(f->account, sizeof f->account, "%s", pw ? pw->pw_name : "root");
	}
	b = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (!b || !fgets(f->boot, sizeof f->boot, b))
		return -1;
	fclose(b);
	f->boot[strcspn(f->boot, "\n")] = '\0';
	f->start = day_now_us() - 1000000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	journal_close(f->j);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f->spool);
	free(f->pos);
	free(f);
	return 0;
}

/* ---- spool bytes ---- */

static void field(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
	buf_addc(b, '\0');
}

/* the header and pid of a shell: alive (this process, this boot) or of another boot */
static void header(struct fixture *f, struct buf *b, bool alive)
{
	char num[32];

	field(b, "H");
	field(b, "1");
	field(b, SESSION);
	field(b, HOST);
	field(b, "alice");
	field(b, "alice");
	field(b, f->account);
	field(b, "pts/3");
	field(b, "");
	field(b, "bash");
	snprintf(num, sizeof num, "%lld", (long long)f->start);
	field(b, num);
	field(b, alive ? f->boot : OTHER_BOOT);
	buf_addc(b, '\n');
	field(b, "P");
	snprintf(num, sizeof num, "%ld", (long)getpid());
	field(b, num);
	buf_addc(b, '\n');
}

/* command n, ended n seconds after the shell started, as fc -ln prints it */
static void cmd(struct fixture *f, struct buf *b, int n, const char *text)
{
	buf_addf(b, "C%c%d%c%lld%c%lld%c0%c/root%c\t %s\n%c\n", 0, n, 0, (long long)(f->start + n * 1000000LL - 500000), 0,
		 (long long)(f->start + n * 1000000LL), 0, 0, 0, text, 0);
}

/* command n begun (the hook of ssh HOST CMD writes it when its shell starts) */
static void begun(struct fixture *f, struct buf *b, int n, const char *text)
{
	buf_addf(b, "B%c%d%c%lld%c/root%c\t %s\n%c\n", 0, n, 0, (long long)(f->start + 1000), 0, 0, text, 0);
}

static void shell_exit(struct fixture *f, struct buf *b, int commands)
{
	buf_addf(b, "X%c%lld%c%d%c\n", 0, (long long)(f->start + 100 * 1000000LL), 0, commands, 0);
}

static void spool_put(struct fixture *f, const struct buf *b, int append)
{
	unit_write(f->spool, b->data, b->len, append);
}

static size_t spool_size(struct fixture *f)
{
	struct stat st;

	assert_int_equal(stat(f->spool, &st), 0);
	return (size_t)st.st_size;
}

/* the .pos file as ingest writes it */
static void pos_put(struct fixture *f, size_t done, size_t pending, int commands, const char *flags)
{
	char *text = xasprintf("logbook-spool-pos 1 %zu %zu %d %s-\n", done, pending, commands, flags);

	unit_write(f->pos, text, strlen(text), 0);
	free(text);
}

/* ---- running and reading back ---- */

static struct ingest_report ingest(struct fixture *f)
{
	struct ingest_opts o = { .lock_timeout = 10 };
	struct ingest_report rep;

	if (ingest_spools(f->j, &o, &rep) < 0)
		fail_msg("ingest_spools: %s", errget());
	return rep;
}

/* one line per record of the session, in the journal's order: "open", "cmd 2 ls", "close exit 2" */
static char *journal_text(struct fixture *f)
{
	struct store_days days;
	struct buf out = BUF_INIT;

	assert_int_equal(store_list_days(f->j, &days), 0);
	/* newest first: read them oldest first */
	for (size_t i = days.n; i-- > 0;) {
		struct store_day d;
		assert_int_equal(store_load_day(f->j, days.days[i].day, &d, false), 0);
		assert_int_equal(d.warnings.n, 0);
		for (size_t k = 0; k < d.n; k++) {
			struct record *r = d.recs[k];
			int64_t n = -1;
			if (strcmp(r->session, SESSION))
				continue;
			if (!strcmp(r->kind, "cmd")) {
				rec_get_int(r, "n", &n);
				buf_addf(&out, "cmd %lld %s\n", (long long)n, rec_get_str(r, "cmd", NULL));
			} else if (!strcmp(rec_get_str(r, "event", NULL), "open")) {
				buf_adds(&out, "open\n");
			} else {
				rec_get_int(r, "commands", &n);
				buf_addf(&out, "close %s %lld\n", rec_get_str(r, "how", NULL), (long long)n);
			}
		}
		store_day_free(&d);
	}
	store_days_free(&days);
	if (!out.data)
		return xstrdup("");
	return buf_detach(&out, NULL);
}

static void assert_journal(struct fixture *f, const char *want)
{
	char *got = journal_text(f);

	assert_string_equal(got, want);
	free(got);
}

/* ---- tests ---- */

static void an_ended_shells_spool_becomes_its_records_once_and_is_removed(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	header(f, &b, false);
	cmd(f, &b, 1, "ls /etc");
	cmd(f, &b, 2, "systemctl restart nginx");
	shell_exit(f, &b, 2);
	spool_put(f, &b, 0);
	buf_release(&b);

	rep = ingest(f);
	assert_int_equal(rep.commands, 2);
	assert_int_equal(rep.removed, 1);
	assert_int_equal(rep.warnings.n, 0);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 ls /etc\ncmd 2 systemctl restart nginx\nclose exit 2\n");
	assert_int_equal(access(f->spool, F_OK), -1);
	assert_int_equal(access(f->pos, F_OK), -1);

	rep = ingest(f);
	assert_int_equal(rep.commands, 0);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 ls /etc\ncmd 2 systemctl restart nginx\nclose exit 2\n");
}

static void a_spool_is_ingested_exactly_once_when_ingest_runs_twice(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	header(f, &b, true);
	cmd(f, &b, 1, "uptime");
	cmd(f, &b, 2, "df -h");
	spool_put(f, &b, 0);
	buf_reset(&b);

	rep = ingest(f);
	assert_int_equal(rep.commands, 2);
	assert_int_equal(rep.removed, 0);
	ingest_report_free(&rep);
	rep = ingest(f);
	assert_int_equal(rep.commands, 0);
	assert_int_equal(rep.spools, 0);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 uptime\ncmd 2 df -h\n");

	/* the shell goes on: only the new command is taken */
	cmd(f, &b, 3, "free -m");
	spool_put(f, &b, 1);
	buf_release(&b);
	rep = ingest(f);
	assert_int_equal(rep.commands, 1);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 uptime\ncmd 2 df -h\ncmd 3 free -m\n");
	assert_int_equal(access(f->spool, F_OK), 0);
}

static void ingests_racing_record_every_command_once(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT, want = BUF_INIT;
	pid_t kids[4];
	int go[2];
	char *got;

	header(f, &b, true);
	buf_adds(&want, "open\n");
	for (int n = 1; n <= 40; n++) {
		char text[32];
		snprintf(text, sizeof text, "echo %d", n);
		cmd(f, &b, n, text);
		buf_addf(&want, "cmd %d %s\n", n, text);
	}
	spool_put(f, &b, 0);
	buf_release(&b);

	/* the children start together when the pipe closes */
	assert_int_equal(pipe(go), 0);
	for (int k = 0; k < 4; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			/* a process of its own: its own journal, never back into cmocka */
			struct journal *j = journal_open(f->dir);
			struct ingest_opts o = { .lock_timeout = 30 };
			struct ingest_report rep;
			char c;
			int rc = 1;
			close(go[1]);
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
			for (int i = 0; j && i < 3; i++)
				rc = ingest_spools(j, &o, &rep) < 0 ? 1 : 0, ingest_report_free(&rep);
			_exit(rc);
		}
	}
	close(go[0]);
	close(go[1]);
	for (int k = 0; k < 4; k++) {
		int status;
		while (waitpid(kids[k], &status, 0) < 0)
			assert_int_equal(errno, EINTR);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	got = journal_text(f);
	assert_string_equal(got, buf_str(&want));
	free(got);
	buf_release(&want);
}

static void a_run_killed_after_saying_pending_and_before_any_record_writes_them_all(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	header(f, &b, true);
	cmd(f, &b, 1, "id");
	cmd(f, &b, 2, "whoami");
	spool_put(f, &b, 0);
	buf_release(&b);
	/* the durable "pending" step done, nothing in the journal yet */
	pos_put(f, 0, spool_size(f), 0, "");

	rep = ingest(f);
	assert_int_equal(rep.commands, 2);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 id\ncmd 2 whoami\n");
}

static void a_run_killed_after_writing_some_records_writes_only_the_others(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	header(f, &b, true);
	cmd(f, &b, 1, "apt update");
	spool_put(f, &b, 0);
	buf_reset(&b);
	rep = ingest(f);
	ingest_report_free(&rep);

	/* a run that took the whole range, wrote open and command 1, then died */
	cmd(f, &b, 2, "apt upgrade");
	cmd(f, &b, 3, "reboot");
	spool_put(f, &b, 1);
	buf_reset(&b);
	pos_put(f, 0, spool_size(f), 0, "");

	rep = ingest(f);
	assert_int_equal(rep.commands, 2);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 apt update\ncmd 2 apt upgrade\ncmd 3 reboot\n");

	/* the commands found in the journal were counted too */
	shell_exit(f, &b, 3);
	spool_put(f, &b, 1);
	buf_release(&b);
	rep = ingest(f);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 apt update\ncmd 2 apt upgrade\ncmd 3 reboot\nclose exit 3\n");
}

static void a_run_killed_after_its_commit_before_marking_done_writes_nothing_again(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	header(f, &b, true);
	cmd(f, &b, 1, "vi /etc/hosts");
	cmd(f, &b, 2, "cat /etc/hosts");
	shell_exit(f, &b, 2);
	spool_put(f, &b, 0);
	buf_release(&b);
	rep = ingest(f);
	ingest_report_free(&rep);
	assert_int_equal(access(f->spool, F_OK), -1);

	/* the same spool again, its records committed but the .pos still "pending" */
	b = (struct buf)BUF_INIT;
	header(f, &b, true);
	cmd(f, &b, 1, "vi /etc/hosts");
	cmd(f, &b, 2, "cat /etc/hosts");
	shell_exit(f, &b, 2);
	spool_put(f, &b, 0);
	buf_release(&b);
	pos_put(f, 0, spool_size(f), 0, "");

	rep = ingest(f);
	assert_int_equal(rep.commands, 0);
	assert_int_equal(rep.removed, 1);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 vi /etc/hosts\ncmd 2 cat /etc/hosts\nclose exit 2\n");
}

static void secrets_are_redacted_before_the_record_is_written(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;
	struct store_day d;
	char day[DAY_LEN + 1];
	char *rel, *path, *bytes;
	int64_t n = 0;

	header(f, &b, false);
	cmd(f, &b, 1, "mysql -uroot -phunter2 app");
	shell_exit(f, &b, 1);
	spool_put(f, &b, 0);
	buf_release(&b);
	rep = ingest(f);
	assert_int_equal(rep.commands, 1);
	ingest_report_free(&rep);

	assert_int_equal(day_of(f->start + 1000000, day), 0);
	assert_int_equal(store_load_day(f->j, day, &d, false), 0);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.recs[1]->kind, "cmd");
	assert_string_equal(rec_get_str(d.recs[1], "cmd", NULL), "mysql -uroot -p" REDACT_MARKER " app");
	assert_true(rec_get_int(d.recs[1], "redacted", &n));
	assert_int_equal(n, 1);
	store_day_free(&d);
	/* not in the file's bytes either */
	rel = store_file_rel(day, HOST);
	path = journal_path(f->j, rel);
	bytes = unit_read(path, NULL);
	assert_non_null(bytes);
	assert_null(strstr(bytes, "hunter2"));
	free(bytes);
	free(path);
	free(rel);
}

static void a_command_typed_with_a_leading_space_is_not_recorded(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	header(f, &b, false);
	cmd(f, &b, 1, " export TOKEN=abc");
	cmd(f, &b, 2, "make deploy");
	shell_exit(f, &b, 2);
	spool_put(f, &b, 0);
	buf_release(&b);
	rep = ingest(f);
	assert_int_equal(rep.commands, 1);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 2 make deploy\nclose exit 1\n");
}

static void an_unfinished_last_record_waits_while_its_shell_lives(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT, two = BUF_INIT;
	struct ingest_report rep;
	size_t cut;

	header(f, &b, true);
	cmd(f, &b, 1, "ping -c1 db1");
	spool_put(f, &b, 0);
	buf_reset(&b);
	/* the hook is halfway through writing command 2 */
	cmd(f, &two, 2, "ssh db1");
	cut = two.len / 2;
	unit_write(f->spool, two.data, cut, 1);

	rep = ingest(f);
	assert_int_equal(rep.commands, 1);
	assert_int_equal(rep.warnings.n, 0);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 ping -c1 db1\n");

	unit_write(f->spool, two.data + cut, two.len - cut, 1);
	rep = ingest(f);
	assert_int_equal(rep.commands, 1);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 ping -c1 db1\ncmd 2 ssh db1\n");
	buf_release(&b);
	buf_release(&two);
}

static void a_begun_command_waits_for_its_end_while_its_shell_lives(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	header(f, &b, true);
	begun(f, &b, 1, "apt-get -y upgrade");
	spool_put(f, &b, 0);
	buf_reset(&b);
	rep = ingest(f);
	assert_int_equal(rep.commands, 0);
	ingest_report_free(&rep);
	assert_journal(f, "open\n");
	/* ingested again meanwhile: still waiting, nothing twice */
	rep = ingest(f);
	ingest_report_free(&rep);
	assert_journal(f, "open\n");

	cmd(f, &b, 1, "apt-get -y upgrade");
	shell_exit(f, &b, 1);
	spool_put(f, &b, 1);
	buf_release(&b);
	rep = ingest(f);
	assert_int_equal(rep.commands, 1);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 apt-get -y upgrade\nclose exit 1\n");
}

static void a_begun_command_of_a_gone_shell_is_recorded_alone_and_once(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	/* the command replaced the shell (exec) or its EXIT trap: no C, no X */
	header(f, &b, false);
	begun(f, &b, 1, "exec rsync --server -e. . /srv");
	spool_put(f, &b, 0);
	/* a killed run said pending and wrote it already */
	pos_put(f, 0, spool_size(f), 0, "");
	rep = ingest(f);
	assert_int_equal(rep.commands, 1);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 exec rsync --server -e. . /srv\nclose lost 1\n");
	assert_int_equal(access(f->spool, F_OK), -1);
	buf_release(&b);
}

static void a_begun_command_ended_by_its_c_is_recorded_once_even_without_the_exit(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	struct ingest_report rep;

	/* the shell said how the command ended, then died before its X */
	header(f, &b, false);
	begun(f, &b, 1, "uptime");
	cmd(f, &b, 1, "uptime");
	spool_put(f, &b, 0);
	buf_release(&b);
	rep = ingest(f);
	assert_int_equal(rep.commands, 1);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 uptime\nclose lost 1\n");
}

static void a_torn_record_is_skipped_with_a_warning_and_the_next_one_is_kept(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT, two = BUF_INIT;
	struct ingest_report rep;

	header(f, &b, false);
	cmd(f, &b, 1, "ls");
	/* a write that failed halfway, and the newline the hook puts before the next record */
	cmd(f, &two, 2, "rm -rf /tmp/x");
	buf_add(&b, two.data, two.len / 2);
	buf_addc(&b, '\n');
	cmd(f, &b, 3, "pwd");
	shell_exit(f, &b, 3);
	spool_put(f, &b, 0);

	rep = ingest(f);
	assert_int_equal(rep.commands, 2);
	assert_int_equal(rep.warnings.n, 1);
	assert_non_null(strstr(rep.warnings.msgs[0], "skipped"));
	assert_int_equal(rep.removed, 1);
	ingest_report_free(&rep);
	assert_journal(f, "open\ncmd 1 ls\ncmd 3 pwd\nclose exit 2\n");
	buf_release(&b);
	buf_release(&two);
}

static void a_file_that_is_not_a_spool_is_set_aside(void **state)
{
	struct fixture *f = *state;
	struct ingest_report rep;
	char *bad = xasprintf("%s.bad", f->spool);

	unit_write(f->spool, "not a spool\n", 12, 0);
	rep = ingest(f);
	assert_int_equal(rep.commands, 0);
	assert_int_equal(rep.warnings.n, 1);
	ingest_report_free(&rep);
	assert_int_equal(access(f->spool, F_OK), -1);
	assert_int_equal(access(bad, F_OK), 0);
	assert_journal(f, "");
	free(bad);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(an_ended_shells_spool_becomes_its_records_once_and_is_removed),
		T(a_spool_is_ingested_exactly_once_when_ingest_runs_twice),
		T(ingests_racing_record_every_command_once),
		T(a_run_killed_after_saying_pending_and_before_any_record_writes_them_all),
		T(a_run_killed_after_writing_some_records_writes_only_the_others),
		T(a_run_killed_after_its_commit_before_marking_done_writes_nothing_again),
		T(secrets_are_redacted_before_the_record_is_written),
		T(a_command_typed_with_a_leading_space_is_not_recorded),
		T(an_unfinished_last_record_waits_while_its_shell_lives),
		T(a_begun_command_waits_for_its_end_while_its_shell_lives),
	T(a_begun_command_of_a_gone_shell_is_recorded_alone_and_once),
	T(a_begun_command_ended_by_its_c_is_recorded_once_even_without_the_exit),
	T(a_torn_record_is_skipped_with_a_warning_and_the_next_one_is_kept),
		T(a_file_that_is_not_a_spool_is_set_aside),
	};
	return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}
