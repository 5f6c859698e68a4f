/*
 * logbook browse: the console application, in a helper program of its
 * own, as ingest-mail is: it execs logbook-browse (src/browse/), which
 * alone links ncurses, so that no other logbook process loads it at
 * start (bench/start).  The helper gets the journal logbook resolved (-C,
 * else $LOGBOOK_DIR, else the default) as its first option and the
 * command's arguments unchanged; it prints and exits as the command.
 * execv, never a PATH lookup or a shell.
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
#include "base/banned.h"

int cmd_browse(int argc, char **argv)
{
	char *path = cmd_helper_path("logbook-browse", X_OK);
	char **args = xcalloc((size_t)argc + 4, sizeof *args);
	int n = 0;

	args[n++] = path;
	args[n++] = "-C";
	args[n++] = (char *)journal_locate(cmd_dir_option);
	for (int i = 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(NULL);
	execv(path, args);
	warn_msg("browse: cannot run %s: %s", path, strerror(errno));
	free(args);
	free(path);
	return EXIT_FAIL;
}
