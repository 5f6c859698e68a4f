/*
 * logbook hook bash|zsh: print the shell code that records an interactive
 * shell's commands (src/capture/hook.bash, src/capture/hook.zsh), after making the
 * session's spool.  logbook hook --command bash: the code that records
 * the one command of the bash sshd starts for ssh HOST CMD
 * (src/capture/hook-command.bash).  logbook hook exit SESSION: what that
 * code runs when the shell exits: ingest the spool, and remind the admin
 * of commands no entry covers yet.
 *
 * The code is printed for eval in an rc file, which runs for every user
 * on the machine: a user who cannot write the journal gets a comment and
 * no hook, silently; a real failure gets one line on stderr (with
 * --command, a comment on stdout: scp and sftp would read stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/boot.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "capture/ingest.h"
#include "capture/spool.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/work.h"
#include "view/index.h"
#include "view/threads.h"
#include "base/banned.h"

/* the shell code, linked in from src/capture/hook.*, each ended by a NUL */
__asm__(".section .rodata\n"
	".global logbook_hook_bash\nlogbook_hook_bash:\n.incbin \"src/capture/hook.bash\"\n.byte 0\n"
	".global logbook_hook_zsh\nlogbook_hook_zsh:\n.incbin \"src/capture/hook.zsh\"\n.byte 0\n"
	".global logbook_hook_command_bash\nlogbook_hook_command_bash:\n"
	".incbin \"src/capture/hook-command.bash\"\n.byte 0\n"
	".previous\n");
extern const char logbook_hook_bash[], logbook_hook_zsh[], logbook_hook_command_bash[];

/* seconds the exit hook waits for the host's lock before leaving the spool for later */
#define EXIT_LOCK_TIMEOUT 2

static const char usage[] =
	"usage: logbook hook bash|zsh\n"
	"       logbook hook --command bash\n"
	"       logbook hook exit SESSION\n"
	"\n"
	"Print the shell code that records every command of an interactive\n"
	"shell into the journal, for eval in the shell's rc file.  For every\n"
	"user of a server, add to /etc/bash.bashrc:\n"
	"\n"
	"    command -v logbook >/dev/null && eval \"$(logbook hook bash)\"\n"
	"\n"
	"and to /etc/zsh/zshrc:\n"
	"\n"
	"    command -v logbook >/dev/null && eval \"$(logbook hook zsh)\"\n"
	"\n"
	"The hook starts no process per command: it appends each command, its\n"
	"times, exit status and directory to a spool file, which logbook\n"
	"commands ingest.  A command typed with a leading space is not\n"
	"recorded; LOGBOOK_OFF=1 pauses recording in a shell.  Users who\n"
	"cannot write the journal get no hook.\n"
	"\n"
	"With --command, the code for the bash that sshd starts to run the\n"
	"command of 'ssh HOST CMD' (scp, sftp, rsync included): it records\n"
	"that one command, its exit status and end time, and prints nothing.\n"
	"logbook setup puts both at the top of /etc/bash.bashrc, above the\n"
	"line that returns for non-interactive shells.\n"
	"\n"
	"When a shell starts, the things left to do about this host (logbook\n"
	"todo) are listed on standard error, from .state/threads while nothing\n"
	"was written since it was kept, else from the search index brought up\n"
	"to date; the hook never builds the index nor scans the record files.\n"
	"\n"
	"'hook exit' is what the hook runs when the shell exits: it ingests\n"
	"the session's spool and says how many commands no entry covers.\n"
	"\n"
	"  -c, --command  the code for the one command of ssh HOST CMD (bash only)\n"
	"  -h, --help     show this help\n";

static void assign(struct buf *b, const char *name, const char *value)
{
	buf_adds(b, name);
	buf_addc(b, '=');
	buf_add_shell_quoted(b, value);
	buf_addc(b, '\n');
}

/* "<boot>-<pid>-<time>": unique on this host, and a file name */
static char *new_session(void)
{
	return xasprintf("%.8s-%ld-%lld", strlen(boot_id()) >= 8 ? boot_id() : "00000000", (long)getppid(),
			 (long long)(day_now_us() / 1000));
}

/* open incidents, one printf builtin each at shell start (no process: the eval runs it) */
static void remind(struct buf *out, const struct journal *j)
{
	struct buf lines = BUF_INIT;

	cmd_incidents_remind(j, &lines, true);
	for (char *p = lines.data, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		buf_adds(out, "printf 'logbook: %s\\n' ");
		buf_add_shell_quoted(out, p);
		buf_adds(out, " >&2\n");
	}
	buf_release(&lines);
}

/* the open todos about this host, on stderr (stdout is the code for eval), never at the cost of building the index */
static void todo_reminder(struct journal *j, const char *host)
{
	struct buf lines = BUF_INIT;
	struct threads t;
	size_t n;

	if (threads_load(j, THREADS_QUICK, &t) == 0 && (n = threads_todo_lines(&t, host, "  ", &lines)) > 0)
		fprintf(stderr, "logbook: left to do on %s (logbook todo done REF when done):\n%s", host, buf_str(&lines));
	threads_release(&t);
	index_close();
	buf_release(&lines);
}

/*
 * What the hook of a shell loads into it (src/bash/record.c, a builtin
 * bash loads with enable -f; src/zsh/record.c, a module zsh loads with
 * zmodload), NULL when there is none or it is not safe to load: a shell
 * of root loads it too, so the file and every directory above it must
 * be root's (or this account's) and written by no one else, or a member
 * could run code in root's shell.  Refused with a line on stderr: the
 * hook records without it.
 */
static char *shell_helper(const char *name)
{
	char *path = cmd_helper_path(name, R_OK);

	if (access(path, R_OK) < 0) {
		free(path);
		return NULL;
	}
	if (!fs_trusted(path, geteuid())) {
		warn_msg("hook: not loading %s: %s (recording without it)", path, errget());
		free(path);
		return NULL;
	}
	return path;
}

/* the hook of shell (bash, zsh); with command, of the bash of ssh HOST CMD, which must print nothing */
static int hook_print(const char *shell, bool command)
{
	const char *code = command ? logbook_hook_command_bash
			   : !strcmp(shell, "bash") ? logbook_hook_bash : logbook_hook_zsh;
	const char *where = journal_locate(cmd_dir_option);
	struct journal *j = journal_open(where);
	struct buf out = BUF_INIT;
	struct ident id;
	char *bin, *spool, *last, *dir, *so = NULL;

	if (!j) {
		/* no journal here, or not one this user may use: no hook, and no noise */
		printf("# logbook: not recording this shell: %s\n", errget());
		return cli_finish_output();
	}
	if (ident_resolve_in(&id, j) < 0) {
		if (command)
			printf("# logbook: not recording this command: %s\n", errget());
		else
			warn_msg("hook: not recording this shell: %s", errget());
		journal_close(j);
		return command ? cli_finish_output() : EXIT_FAIL;
	}
	free(id.session);
	id.session = new_session();
	if (spool_create(j, &id, command ? "bash -c" : shell, day_now_us()) < 0) {
		int saved = errno;
		if (command) {
			printf("# logbook: not recording this command: %s\n", errget());
			ident_release(&id);
			journal_close(j);
			return cli_finish_output();
		}
		if (saved == EACCES || saved == EPERM || saved == EROFS)
			printf("# logbook: not recording this shell: %s\n", errget());
		else
			warn_msg("hook: not recording this shell: %s", errget());
		ident_release(&id);
		journal_close(j);
		return saved == EACCES || saved == EPERM || saved == EROFS ? cli_finish_output() : EXIT_FAIL;
	}
	/* the running binary, so the exit hook runs this logbook whatever PATH says then */
	bin = fs_self_exe();
	dir = spool_account_path(j, geteuid());
	spool = spool_path(j, geteuid(), id.session, "spool");
	last = spool_path(j, geteuid(), id.session, "last");
	assign(&out, "__lb_new_sdir", dir);
	assign(&out, "__lb_new_spool", spool);
	assign(&out, "__lb_new_last", last);
	assign(&out, "__lb_new_session", id.session);
	assign(&out, "__lb_new_bin", bin);
	assign(&out, "__lb_new_dir", j->dir);
	if (!command)
		so = shell_helper(!strcmp(shell, "bash") ? "logbook-bash.so" : "logbook_zsh.so");
	assign(&out, "__lb_new_so", so ? so : "");
	buf_adds(&out, code);
	if (!command) {
		remind(&out, j);
		todo_reminder(j, id.host);
	}
	cli_out(out.data, out.len);
	buf_release(&out);
	free(bin);
	free(dir);
	free(spool);
	free(last);
	free(so);
	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}

static int hook_exit(const char *session)
{
	struct journal *j = cmd_journal();
	struct ingest_opts opts = { .session = session, .ended = true, .lock_timeout = EXIT_LOCK_TIMEOUT };
	struct ingest_report rep;
	struct ident id;
	size_t pending = 0;

	if (ingest_spools(j, &opts, &rep) < 0)
		warn_msg("hook: %s", errget());
	cli_print_warnings(&rep.warnings);
	ingest_report_free(&rep);
	if (ident_resolve_in(&id, j) == 0) {
		if (work_count_uncovered(j, id.host, id.admin, &pending) == 0 && pending > 0)
			fprintf(stderr, "logbook: %zu command%s on %s not in an entry yet: run 'logbook commit' to say why\n",
				pending, pending == 1 ? "" : "s", id.host);
		ident_release(&id);
	}
	journal_close(j);
	return EXIT_OK;
}

int cmd_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "command", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool command = false;
	int c;

	while ((c = getopt_long(argc, argv, ":ch", opts, NULL)) != -1) {
		if (c == 'c') {
			command = true;
			continue;
		}
		if (c == 'h')
			cli_help_exit(usage);
		cli_bad_option(usage, c, argv);
	}
	if (optind >= argc)
		cli_usage_exit(usage, "hook: name a shell: bash or zsh");
	if (command && strcmp(argv[optind], "bash"))
		cli_usage_exit(usage, "hook: --command is for bash only");
	if (!strcmp(argv[optind], "bash") || !strcmp(argv[optind], "zsh")) {
		if (optind + 1 != argc)
			cli_usage_exit(usage, "hook: too many arguments");
		return hook_print(argv[optind], command);
	}
	if (!strcmp(argv[optind], "exit")) {
		if (optind + 2 != argc)
			cli_usage_exit(usage, "hook exit: name the session");
		return hook_exit(argv[optind + 1]);
	}
	cli_usage_exit(usage, "hook: '%s' is not a shell logbook knows (bash, zsh)", argv[optind]);
}
