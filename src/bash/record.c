/*
 * logbook-bash.so: the builtin __lb_record, which bash loads with
 * enable -f to record a command at each prompt without a process, an
 * open or fc (src/capture/hook.bash loads it and falls back to the same
 * work in shell code without it).
 *
 * It is the hot path of __lb_precmd in C, run first in PROMPT_COMMAND:
 * when everything is as usual (a new history line, no pause, no earlier
 * failure, the user's history settings unchanged, the account's spool
 * directory its own), it appends the command's C record (spool.h) in
 * one write through a descriptor it keeps close-on-exec, and updates the
 * hook's variables as __lb_precmd would.  In every other case it runs
 * the shell function __lb_precmd, which does what the hook always did:
 * so the spool gets the same bytes either way (tests/hook.bats compares
 * them), and the rare paths (history emulation, warnings, a spool gone
 * or taken over) stay in one place.
 *
 * It never prints, never reads standard input and returns the status of
 * the user's command, whatever happens.  The descriptor is opened below
 * a directory checked to be this account's own (O_DIRECTORY|O_NOFOLLOW,
 * owner), the file without following a symlink; before each write the
 * directory is checked again (lstat: this account's, not a symlink, as
 * the shell hook's -O and ! -L) and the descriptor must still be the
 * file named $__lb_spool and close-on-exec: a user's exec 9>&- or
 * exec 9>file, or a spool removed or replaced, makes it open again
 * (or leave the command to the shell code).
 *
 * Only bash's own headers are included, and spoolfd (the descriptor,
 * shared with the zsh module): this file is linked into no logbook
 * program (scripts/check-layers: layer "bash").
 */
#include <loadables.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <execute_cmd.h>
#include <readline/history.h>

#include "hookfd/spoolfd.h"

extern int remember_on_history;

/*
 * The descriptor is one of 3..9, the highest free.  Not 10 or above:
 * bash takes a close-on-exec descriptor from 10 up for one of its own
 * and keeps it through a user's exec 10>file, which would then write
 * into the spool.  Below 10, a user's exec 9>file or 9>&- replaces or
 * closes it as the user means, and the next prompt opens another.
 */
static struct spoolfd spool = SPOOLFD_INIT(3, 9);

/* the variable's value, "" when unset */
static const char *var(const char *name)
{
	const char *v = get_string_value(name);

	return v ? v : "";
}

static bool digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* the shell function name, with arg when there is one; its status */
static int run_function(const char *name, const char *arg)
{
	SHELL_VAR *f = find_function(name);
	WORD_LIST *words;
	int st;

	if (!f)
		return -1;
	words = arg ? make_word_list(make_word(arg), NULL) : NULL;
	words = make_word_list(make_word(name), words);
	st = execute_shell_function(f, words);
	dispose_words(words);
	return st;
}

/* the C record of the last history line, as __lb_precmd's printf and fc -ln -0 write it */
static char *record(const char *n, const char *t0, const char *t1, int status, const char *pwd,
		    const HIST_ENTRY *h, size_t *len)
{
	const char *mark = posixly_correct ? "" : h->data ? "*" : " ";
	size_t cap = strlen(n) + strlen(t0) + strlen(t1) + strlen(pwd) + strlen(h->line) + 64;
	char *buf = malloc(cap);
	int w;

	if (!buf)
		return NULL;
	w = snprintf(buf, cap, "C%c%s%c%s%c%s%c%d%c%s%c\t%s%s\n%c\n", 0, n, 0, t0, 0, t1, 0, status, 0, pwd, 0,
		     mark, h->line, 0);
	if (w < 0 || (size_t)w >= cap) {
		free(buf);
		return NULL;
	}
	*len = (size_t)w;
	return buf;
}

/* the usual case of __lb_precmd; false when the shell function must decide */
static bool record_fast(int status)
{
	const char *h = var("__lb_h"), *dir = var("__lb_sdir"), *path = var("__lb_spool");
	const char *ps0_part = var("__lb_ps0"), *ps0 = var("PS0"), *n = var("__lb_n");
	HIST_ENTRY **list;
	struct timeval tv;
	char next[24], t0[48], t1[48], *rec, *dot;
	size_t count, len;
	long long num;
	int fd, ok;

	/* what __lb_precmd tests, in the same terms */
	if (!*var("__lb_cno") || !strcmp(h, var("__lb_hprev")) || *var("__lb_emulate") || *var("__lb_fail") ||
	    !strcmp(var("LOGBOOK_OFF"), "1"))
		return false;
	if (strcmp(var("HISTCONTROL"), var("__lb_hc_set")) || *var("HISTIGNORE") || !*ps0_part ||
	    !strstr(ps0, ps0_part))
		return false;
	/* fc -ln -0 from PROMPT_COMMAND (history off while it runs): the last line */
	if (remember_on_history || !digits(n) || strlen(n) > 18 || strlen(var("__lb_t0")) >= 48)
		return false;
	/* (history_length: fc counts the list, which costs HISTSIZE pointers a prompt) */
	list = history_list();
	if (!list || history_length <= 0)
		return false;
	count = (size_t)history_length;
	if (!list[count - 1] || list[count] || !list[count - 1]->line)
		return false;
	if (!spoolfd_own_dir(dir) || (fd = spoolfd_get(&spool, dir, path)) < 0)
		return false;

	num = strtoll(n, NULL, 10) + 1;
	snprintf(next, sizeof next, "%lld", num);
	gettimeofday(&tv, NULL);
	snprintf(t1, sizeof t1, "%lld%06ld", (long long)tv.tv_sec, (long)tv.tv_usec);
	/* PS0 noted $EPOCHREALTIME: seconds, the locale's decimal point, microseconds (${__lb_t0/[.,]/}) */
	snprintf(t0, sizeof t0, "%s", var("__lb_t0"));
	if ((dot = strpbrk(t0, ".,")))
		memmove(dot, dot + 1, strlen(dot));
	rec = record(next, t0, t1, status, var("PWD"), list[count - 1], &len);
	if (!rec)
		return false;
	/* __lb_precmd moves these before it writes, whatever the write does */
	bind_variable("__lb_hprev", (char *)h, 0);
	bind_variable("__lb_n", next, 0);
	ok = spoolfd_write(fd, rec, len) == 0;
	free(rec);
	if (!ok)
		run_function("__lb_failed", path);
	unbind_variable("__lb_cno");
	unbind_variable("__lb_t0");
	unbind_variable("__lb_h");
	return true;
}

static int lb_record_builtin(WORD_LIST *list)
{
	int status = last_command_exit_value;

	(void)list;
	if (!record_fast(status))
		run_function("__lb_precmd", NULL);
	return status;
}

static char *lb_record_doc[] = {
	"Record the last command in the logbook spool.",
	"",
	"Run by the logbook hook at each prompt; returns the status of the",
	"last command.",
	NULL,
};

struct builtin __lb_record_struct = {
	"__lb_record", lb_record_builtin, BUILTIN_ENABLED, lb_record_doc, "__lb_record", 0,
};

void __lb_record_builtin_unload(char *name);
void __lb_record_builtin_unload(char *name)
{
	(void)name;
	spoolfd_close(&spool);
}
