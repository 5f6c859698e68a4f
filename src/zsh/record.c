/*
 * logbook_zsh.so: the zsh module logbook_zsh, which the zsh hook loads
 * with zmodload to record a command at each prompt without a process,
 * an open or a shell function (src/capture/hook.zsh loads it and falls
 * back to the same work in shell code without it).
 *
 * zsh pays much for every shell function it calls at a prompt (a heap
 * of its own for each, mapped and unmapped), so the module's part is no
 * function: a C function zsh runs before each prompt (addprepromptfn,
 * as zsh/sched does), after the precmd functions.  It is the usual case
 * of the hook's __lb_precmd: when everything is as usual (a command
 * noted by __lb_preexec, typed without a leading space, no pause, no
 * earlier failure, the account's spool directory its own), it appends
 * the command's C record (spool.h) in one write through a descriptor
 * it keeps close-on-exec, and updates the hook's variables as
 * __lb_precmd would.  In every other case it runs the shell function
 * __lb_precmd, which does what the hook always did: so the spool gets
 * the same bytes either way (tests/hook.bats compares them), and the
 * rare paths (pause, warnings, a spool gone or taken over) stay in one
 * place.
 *
 * It never prints, never reads standard input and leaves $? alone.
 * The descriptor is opened below a directory checked to be this
 * account's own (O_DIRECTORY|O_NOFOLLOW, owner), the file without
 * following a symlink; before each write the directory is checked again
 * (lstat: this account's, not a symlink, as the shell hook's -O and
 * ! -L) and the descriptor must still be the file named $__lb_spool and
 * close-on-exec: a user's exec {fd}>&-, or a spool removed or replaced,
 * makes it open again (or leave the command to the shell code).
 *
 * Only zsh's own headers are included (Debian's zsh-dev), and spoolfd
 * (the descriptor, shared with the bash builtin): this file is linked
 * into no logbook program (scripts/check-layers: layer "zsh").
 */
#define MODULE
#include <zsh/zsh.mdh>
#include <zsh/version.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "hookfd/spoolfd.h"

/*
 * The descriptor is 10 or above, where zsh keeps its own: a user's
 * redirection names 0 to 9 only (exec 9>file), and zsh takes its own
 * descriptors with F_DUPFD from 10 up, never one that is open.  Only
 * exec {fd}>&- with the number itself closes it; the next prompt opens
 * another.
 */
static struct spoolfd spool = SPOOLFD_INIT(10, -1);

/* the variable's value, unmetafied on the heap zsh frees after the prompt; "" when unset */
static char *var(const char *name, int *len)
{
	char *v = getsparam((char *)name);
	int n = 0;

	v = v ? dupstring(v) : dupstring("");
	unmetafy(v, &n);
	if (len)
		*len = n;
	return v;
}

/* the shell function name, as a precmd hook runs it: $? is the command's, kept after */
static void run_function(const char *name)
{
	callhookfunc((char *)name, NULL, 0, NULL);
}

/* the C record, as __lb_precmd's syswrite writes it: "C" n t0 t1 status pwd "\t " cmd "\n" */
static char *record(zlong n, zlong t0, zlong t1, zlong status, const char *pwd, size_t pwdlen, const char *cmd,
		    size_t cmdlen, size_t *len)
{
	char head[128];
	int h = snprintf(head, sizeof head, "C%c%lld%c%lld%c%lld%c%lld%c", 0, (long long)n, 0, (long long)t0, 0,
			 (long long)t1, 0, (long long)status, 0);
	size_t cap;
	char *buf, *p;

	if (h < 0 || (size_t)h >= sizeof head)
		return NULL;
	cap = (size_t)h + pwdlen + cmdlen + 8;
	buf = malloc(cap);
	if (!buf)
		return NULL;
	p = buf;
	memcpy(p, head, (size_t)h);
	p += h;
	memcpy(p, pwd, pwdlen);
	p += pwdlen;
	memcpy(p, "\0\t ", 3);
	p += 3;
	memcpy(p, cmd, cmdlen);
	p += cmdlen;
	memcpy(p, "\n\0\n", 3);
	p += 3;
	*len = (size_t)(p - buf);
	return buf;
}

/* the usual case of __lb_precmd; false when the shell function must decide */
static bool record_fast(zlong status)
{
	char *cmd, *dir, *path, *pwd, *rec;
	int cmdlen, pwdlen, fd, ok;
	struct timeval tv;
	zlong n, t1;
	size_t len;

	/* what __lb_precmd tests, in the same terms */
	cmd = var("__lb_cmd", &cmdlen);
	if (cmd[0] == ' ' || !strcmp(var("LOGBOOK_OFF", NULL), "1") || *var("__lb_fail", NULL))
		return false;
	dir = var("__lb_sdir", NULL);
	path = var("__lb_spool", NULL);
	if (!spoolfd_own_dir(dir) || (fd = spoolfd_get(&spool, dir, path)) < 0)
		return false;
	pwd = var("PWD", &pwdlen);
	n = getiparam("__lb_n") + 1;
	gettimeofday(&tv, NULL);
	t1 = (zlong)tv.tv_sec * 1000000 + tv.tv_usec;
	rec = record(n, getiparam("__lb_t0"), t1, status, pwd, (size_t)pwdlen, cmd, (size_t)cmdlen, &len);
	if (!rec)
		return false;
	/* __lb_precmd counts the command before it writes, whatever the write does */
	setiparam("__lb_n", n);
	ok = spoolfd_write(fd, rec, len) == 0;
	free(rec);
	if (!ok)
		run_function("__lb_failed");
	setsparam("__lb_cmd", ztrdup(""));
	return true;
}

/* before each prompt, after the precmd functions (which keep $?) */
static void lb_prompt(void)
{
	zlong status = lastval;
	char *cmd = getsparam("__lb_cmd");

	/* (no command since the last prompt: __lb_precmd would do nothing) */
	if (!cmd || !*cmd)
		return;
	if (!record_fast(status))
		run_function("__lb_precmd");
	lastval = status;
}

/* the entry points zsh looks up by name (zsh.h: DYNAMIC_NAME_CLASH_OK) */
int setup_(Module m);
int features_(Module m, char ***features);
int enables_(Module m, int **enables);
int boot_(Module m);
int cleanup_(Module m);
int finish_(Module m);

static struct features module_features = {
	NULL, 0, NULL, 0, NULL, 0, NULL, 0, 0,
};

int setup_(UNUSED(Module m))
{
	/* built against this zsh's headers: another zsh's layout may differ (the hook then records without it) */
	char *v = getsparam("ZSH_VERSION");

	return v && !strcmp(v, ZSH_VERSION) ? 0 : 1;
}

int features_(Module m, char ***features)
{
	*features = featuresarray(m, &module_features);
	return 0;
}

int enables_(Module m, int **enables)
{
	return handlefeatures(m, &module_features, enables);
}

int boot_(UNUSED(Module m))
{
	addprepromptfn(lb_prompt);
	return 0;
}

int cleanup_(Module m)
{
	delprepromptfn(lb_prompt);
	spoolfd_close(&spool);
	return setfeatureenables(m, &module_features, NULL);
}

int finish_(UNUSED(Module m))
{
	return 0;
}
