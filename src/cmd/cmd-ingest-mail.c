/*
 * logbook ingest-mail: a command that runs in a helper program of its
 * own, as git runs git-remote-https: it execs logbook-ingest-mail
 * (src/mail/), which alone links GMime and glib.  Every other logbook
 * process starts without them, and the only parser of mail from anyone
 * runs in a process that does nothing else.
 *
 * The helper gets the journal logbook resolved (-C, else $LOGBOOK_DIR,
 * else the default) as its first option and the command's arguments
 * unchanged; it prints, files and exits exactly as the command always
 * did.  execv, never a PATH lookup or a shell.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/journal.h"
#include "journal/secrets.h"
#include "replica/git.h"
#include "base/banned.h"

/* EX_TEMPFAIL: an MTA keeps the message and retries */
#define EX_TEMPFAIL 75

int cmd_ingest_mail(int argc, char **argv)
{
	char *path = cmd_helper_path("logbook-ingest-mail", X_OK);
	char **args = xcalloc((size_t)argc + 6, sizeof *args);
	char fdarg[16];
	int n = 0, fd;

	args[n++] = path;
	args[n++] = "-C";
	args[n++] = (char *)journal_locate(cmd_dir_option);
	/* the known secrets, read as root: the helper runs as the owner of .git, which cannot read them */
	if (secrets_process_state() == SECRETS_BROKEN) {
		warn_msg("ingest-mail: %s (known secrets cannot be redacted; the MTA will retry)",
			 secrets_process_error());
		free(args);
		free(path);
		return EX_TEMPFAIL;
	}
	if ((fd = secrets_process_fd()) >= 0) {
		snprintf(fdarg, sizeof fdarg, "%d", fd);
		args[n++] = "--secrets-fd";
		args[n++] = fdarg;
	}
	for (int i = 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	/* root's mail is filed as the owner of .git, as the MTA runs the alias */
	if (args[2] && git_become_owner(args[2]) < 0) {
		warn_msg("ingest-mail: %s (the MTA will retry)", errget());
		free(args);
		free(path);
		return EX_TEMPFAIL;
	}
	fflush(NULL);
	execv(path, args);
	warn_msg("ingest-mail: cannot run %s: %s (the MTA will retry)", path, strerror(errno));
	free(args);
	free(path);
	return EX_TEMPFAIL;
}
