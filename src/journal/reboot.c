/*
 * reboot: build boot records and read the evidence of a clean shutdown
 * (see reboot.h).
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "journal/reboot.h"
#include "journal/team.h"
#include "base/banned.h"

/* the most of journalctl's output read: its last lines of a boot are short */
#define JOURNAL_TAIL_MAX 65536

bool reboot_due(const char *cached_boot, const char *boot, int64_t head_time, int64_t btime)
{
	if (!*boot || !*cached_boot || !strcmp(cached_boot, boot) || head_time < 0)
		return false;
	return btime >= 0 && head_time < btime;
}

char *reboot_account(void)
{
	uid_t uid = geteuid();
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name && *pw->pw_name && team_check_admin(pw->pw_name) == 0)
		return xstrdup(pw->pw_name);
	return xasprintf("%lu", (unsigned long)uid);
}

static void set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, json_string(s));
}

struct record *reboot_up_record(const char *host, const char *account, const char *boot, int64_t up,
				const char *kernel, const struct reboot_previous *prev)
{
	struct record *r = rec_new("boot", up, host, SYSTEM_ADMIN, account, "");
	char t[DAY_TIME_LEN + 1];

	rec_set_text(r, "event", "up", 2);
	rec_set_text(r, "boot_id", boot, strlen(boot));
	day_time_format(up, t);
	rec_set_text(r, "up", t, strlen(t));
	rec_set_text(r, "kernel", kernel, strlen(kernel));
	if (prev) {
		json_t *o = json_object();
		set_str(o, "boot_id", prev->boot_id);
		day_time_format(prev->down, t);
		set_str(o, "down", t);
		json_object_set_new(o, "clean", json_boolean(prev->clean));
		set_str(o, "evidence", prev->evidence);
		rec_set_json(r, "previous", o);
	}
	return r;
}

struct record *reboot_down_record(int64_t now, const char *host, const char *account, const char *boot,
				  const char *kernel)
{
	struct record *r = rec_new("boot", now, host, SYSTEM_ADMIN, account, "");

	rec_set_text(r, "event", "down", 4);
	rec_set_text(r, "boot_id", boot, strlen(boot));
	rec_set_text(r, "kernel", kernel, strlen(kernel));
	return r;
}

bool reboot_is(const struct record *r, const char *event, const char *boot)
{
	const char *e, *b;

	if (strcmp(r->kind, "boot") || !(e = rec_get_str(r, "event", NULL)) || strcmp(e, event))
		return false;
	return !boot || ((b = rec_get_str(r, "boot_id", NULL)) && !strcmp(b, boot));
}

/* what systemd and journald write last when a boot ends on purpose */
static const char *const shutdown_marks[] = {
	"Reached target System Power Off",
	"Reached target System Reboot",
	"Reached target System Halt",
	"Reached target Power-Off",
	"Reached target Reboot",
	"Reached target Halt",
	"Reached target Kexec",
	"Reached target System Shutdown",
	"Journal stopped",
};

int reboot_journal_verdict(const char *text, size_t len)
{
	bool any = false;

	for (size_t i = 0; i < len; i++)
		if (text[i] != '\n' && text[i] != ' ') {
			any = true;
			break;
		}
	if (!any)
		return -1;
	for (size_t m = 0; m < sizeof shutdown_marks / sizeof *shutdown_marks; m++)
		if (memmem(text, len, shutdown_marks[m], strlen(shutdown_marks[m])))
			return 1;
	return 0;
}

int reboot_ask_journal(void)
{
	static const char *const argv[] = { "journalctl", "--no-pager", "--quiet", "-b", "-1", "-n", "30",
					    "-o", "cat", NULL };
	struct buf out = BUF_INIT;
	size_t total = 0;
	int verdict = -1;

	if (run_capture_bounded(argv, JOURNAL_TAIL_MAX, &out, &total) == 0)
		verdict = reboot_journal_verdict(out.data ? out.data : "", out.len);
	buf_release(&out);
	return verdict;
}
