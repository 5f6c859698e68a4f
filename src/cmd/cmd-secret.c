/*
 * logbook secret add|import|count|rm: the values root knows to be
 * secret, redacted from every record this host writes (journal/secrets.h).
 * A value is read on standard input or from a file, never from the
 * command line (argv is visible to every account in ps and lands in the
 * shell's history, which the hook records), and never printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/secrets.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook secret add\n"
	"       logbook secret import FILE\n"
	"       logbook secret count\n"
	"       logbook secret rm\n"
	"\n"
	"Values this host knows to be secret (the team's passwords), replaced by\n"
	"[REDACTED] wherever they appear in a record: a command, a note, a diff,\n"
	"a mail, an event.  The file keeps a keyed hash and the length of each\n"
	"value, never the value; it is root's alone and never leaves the host\n"
	"(" SECRETS_PATH ", or $LOGBOOK_SECRETS).\n"
	"\n"
	"  add          read one value on standard input (asked for without echo\n"
	"               on a terminal, twice), never from the command line\n"
	"  import FILE  one value per line (a password manager's export; '-' for\n"
	"               standard input); prints how many were added, already\n"
	"               known or refused, and the line of each refused one\n"
	"  count        how many values, by length; never a value\n"
	"  rm           forget the value read on standard input\n"
	"\n"
	"A value has 6 to 4096 bytes and no newline; a final carriage return is\n"
	"dropped.  Root only.\n"
	"\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 done; 1 not root, a file that cannot be read or written,\n"
	"a value refused (import: any line refused, the others are kept), rm of a\n"
	"value not known; 2 usage.\n";

/* one line of input: without its newline and a final CR; -1 and errget() when more than one */
static int one_value(struct buf *in, const char *what)
{
	char *nl;

	if (in->len && in->data[in->len - 1] == '\n')
		buf_truncate(in, in->len - 1);
	if (in->len && in->data[in->len - 1] == '\r')
		buf_truncate(in, in->len - 1);
	nl = in->len ? memchr(in->data, '\n', in->len) : NULL;
	if (nl) {
		errset("%s: one value, one line (several: logbook secret import -)", what);
		return -1;
	}
	return 0;
}

static int read_tty_line(const char *prompt, struct buf *out)
{
	struct termios old, quiet;
	char c;
	ssize_t n;
	int rc = 0;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(0, &old) < 0) {
		errset_sys("standard input");
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	if (tcsetattr(0, TCSAFLUSH, &quiet) < 0) {
		errset_sys("standard input: cannot turn echo off");
		return -1;
	}
	while ((n = read(0, &c, 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errset_sys("standard input");
			rc = -1;
			break;
		}
		if (c == '\n')
			break;
		if (out->len >= SECRETS_MAX_LEN + 1)
			continue;
		buf_addc(out, c);
	}
	tcsetattr(0, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* the value of add and rm: from the terminal without echo (twice when confirm), else all of standard input */
static int read_value(struct buf *v, bool confirm)
{
	if (isatty(0)) {
		struct buf again = BUF_INIT;
		int rc = read_tty_line("Secret: ", v);
		if (rc == 0 && confirm && (rc = read_tty_line("Again: ", &again)) == 0 &&
		    (again.len != v->len || (v->len && CRYPTO_memcmp(again.data, v->data, v->len)))) {
			errset("the two values differ");
			rc = -1;
		}
		if (again.data)
			OPENSSL_cleanse(again.data, again.cap);
		buf_release(&again);
		return rc;
	}
	if (fs_read_fd(0, v, SECRETS_MAX_LEN + 2) < 0) {
		errset_sys("standard input (at most %d bytes)", SECRETS_MAX_LEN);
		return -1;
	}
	return one_value(v, "standard input");
}

static void wipe(struct buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	buf_release(b);
}

/* the file as it is, or a new one when there is none; NULL after a warning */
static struct secrets *open_secrets(const char *path)
{
	struct secrets *s;
	int rc = secrets_load(path, &s);

	if (rc == 1 && !(s = secrets_new()))
		rc = -1;
	if (rc < 0)
		warn_msg("secret: %s", errget());
	return rc < 0 ? NULL : s;
}

static int save(struct secrets *s, const char *path)
{
	int rc = secrets_save(s, path);

	if (rc < 0)
		warn_msg("secret: %s", errget());
	secrets_free(s);
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

static int secret_add_or_rm(const char *path, bool add)
{
	struct buf v = BUF_INIT;
	struct secrets *s;
	int rc;

	if (read_value(&v, add) < 0) {
		warn_msg("secret %s: %s", add ? "add" : "rm", errget());
		wipe(&v);
		return EXIT_FAIL;
	}
	if (!(s = open_secrets(path))) {
		wipe(&v);
		return EXIT_FAIL;
	}
	rc = add ? secrets_add(s, v.data ? v.data : "", v.len) : secrets_remove(s, v.data ? v.data : "", v.len);
	wipe(&v);
	if (rc < 0) {
		warn_msg("secret add: refused: %s", errget());
	} else if (rc == 1) {
		printf(add ? "already known\n" : "not known\n");
	} else {
		printf(add ? "added (%zu known)\n" : "removed (%zu known)\n", secrets_count(s));
		return save(s, path);
	}
	secrets_free(s);
	return rc == 1 && add ? EXIT_OK : EXIT_FAIL;
}

static int secret_import(const char *path, const char *file)
{
	struct buf in = BUF_INIT;
	const char *shown = strcmp(file, "-") ? file : "standard input";
	size_t added = 0, known = 0, refused = 0, lineno = 0;
	struct secrets *s;
	int rc;

	if (strcmp(file, "-")) {
		rc = fs_read_file(file, &in);
	} else {
		rc = fs_read_fd(0, &in, 0);
		if (rc < 0)
			errset_sys("standard input");
	}
	if (rc < 0) {
		warn_msg("secret import: %s", errget());
		wipe(&in);
		return EXIT_FAIL;
	}
	if (!(s = open_secrets(path))) {
		wipe(&in);
		return EXIT_FAIL;
	}
	for (size_t at = 0; at < in.len;) {
		char *nl = memchr(in.data + at, '\n', in.len - at);
		size_t end = nl ? (size_t)(nl - in.data) : in.len, len = end - at;
		lineno++;
		if (len && in.data[end - 1] == '\r')
			len--;
		if (len == 0) {
			/* an empty line is no value */
		} else if ((rc = secrets_add(s, in.data + at, len)) < 0) {
			warn_msg("secret import: %s:%zu: refused: %s", shown, lineno, errget());
			refused++;
		} else {
			*(rc ? &known : &added) += 1;
		}
		at = end + 1;
	}
	wipe(&in);
	printf("%zu added, %zu already known, %zu refused (%zu known)\n", added, known, refused, secrets_count(s));
	if (added && save(s, path) != EXIT_OK)
		return EXIT_FAIL;
	if (!added)
		secrets_free(s);
	return refused ? EXIT_FAIL : EXIT_OK;
}

static int secret_count(const char *path)
{
	struct secrets *s;
	size_t n, *by_len;
	int rc = secrets_load(path, &s);

	if (rc < 0) {
		warn_msg("secret: %s", errget());
		return EXIT_FAIL;
	}
	n = s ? secrets_count(s) : 0;
	printf("%zu known secret%s in %s%s\n", n, n == 1 ? "" : "s", path, rc == 1 ? " (no file yet)" : "");
	by_len = xcalloc(SECRETS_MAX_LEN + 1, sizeof *by_len);
	for (size_t i = 0; i < n; i++)
		by_len[secrets_length(s, i)]++;
	for (size_t len = 0; len <= SECRETS_MAX_LEN; len++)
		if (by_len[len])
			printf("%6zu of %zu bytes\n", by_len[len], len);
	free(by_len);
	secrets_free(s);
	return cli_finish_output();
}

int cmd_secret(int argc, char **argv)
{
	const char *sub, *path = secrets_path();

	optind = cli_only_help(usage, argc, argv);
	if (optind >= argc)
		cli_usage_exit(usage, "secret: say add, import, count or rm");
	sub = argv[optind++];
	if (strcmp(sub, "add") && strcmp(sub, "import") && strcmp(sub, "count") && strcmp(sub, "rm"))
		cli_usage_exit(usage, "secret: '%s' is not add, import, count or rm", sub);
	if (argc - optind != !strcmp(sub, "import"))
		cli_usage_exit(usage, "secret %s: %s", sub,
			       !strcmp(sub, "import") ? "needs FILE (or - for standard input)" :
			       "takes no argument: the value is read on standard input, never from the command line");
	if (geteuid() != 0) {
		warn_msg("secret: only root keeps the known secrets (%s): run it as root", path);
		return EXIT_FAIL;
	}
	if (!strcmp(sub, "import"))
		return secret_import(path, argv[optind]);
	if (!strcmp(sub, "count"))
		return secret_count(path);
	return secret_add_or_rm(path, !strcmp(sub, "add"));
}
