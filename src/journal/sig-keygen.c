/*
 * sig-keygen: signing with a private key file, through "ssh-keygen -Y
 * sign", for admins whose key is not in an agent.
 *
 * The private key never enters this process: ssh-keygen reads it (and
 * asks for its passphrase on the terminal).  The message goes to it as a
 * file in a private temporary directory (mode 0700), removed with what is
 * in it whatever happens, and what ssh-keygen writes is verified before
 * it is returned.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "journal/sig-int.h"
#include "journal/sig.h"
#include "base/banned.h"

#define KEYGEN_OUTPUT_MAX (1024 * 1024)

/* a private temporary directory (mode 0700), its path malloc'd; NULL and errget() */
static char *temp_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	path = xasprintf("%s/logbook-sig.XXXXXX", tmp);
	if (!mkdtemp(path)) {
		errset_sys("%s", path);
		free(path);
		return NULL;
	}
	return path;
}

/* the last line of a file (what ssh-keygen said before it failed) into out */
static void last_line(const char *path, struct buf *out)
{
	struct buf all = BUF_INIT;
	char *line;

	if (fs_read_file(path, &all) == 0 && all.len) {
		while (all.len && is_space(all.data[all.len - 1]))
			all.len--;
		all.data[all.len] = '\0';
		line = strrchr(all.data, '\n');
		line = line ? line + 1 : all.data;
		/* the prompt it wrote when it could not ask */
		if (!strncmp(line, "Enter passphrase: ", 18))
			line += 18;
		buf_adds(out, line);
	}
	buf_release(&all);
}

/*
 * The message goes to ssh-keygen as a file, not on its standard input:
 * without a terminal, ssh-keygen reads a passphrase from standard input,
 * which would eat the message.  Its standard input is /dev/null instead,
 * so a passphrase it cannot ask for is a plain failure.
 */
int sig_sign_keyfile(const char *keyfile, const char *namespace,
		     const void *msg, size_t len, struct buf *armored)
{
	char *dir, *msg_path = NULL, *sig_path = NULL, *err_path = NULL;
	struct child c;
	struct buf out = BUF_INIT, why = BUF_INIT;
	int errfd = -1, status, rc = -1;

	if (sshsig_check_namespace(namespace) < 0 || !(dir = temp_dir()))
		return -1;
	msg_path = fs_join(dir, "message");
	sig_path = fs_join(dir, "message.sig");
	err_path = fs_join(dir, "stderr");
	{
		const char *argv[] = { "ssh-keygen", "-Y", "sign", "-f", keyfile, "-n", namespace, msg_path, NULL };
		int fd = open(msg_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || fs_write_all(fd, msg, len) < 0 || close(fd) < 0) {
			errset_sys("%s", msg_path);
			goto out;
		}
		errfd = open(err_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (errfd < 0) {
			errset_sys("%s", err_path);
			goto out;
		}
		memset(&c, 0, sizeof c);
		c.argv = argv;
		c.in = RUN_NULL;
		c.out = RUN_NULL;
		c.err = errfd;
		if (run_start(&c) < 0)
			goto out;
		status = run_finish(&c);
	}
	if (status != 0) {
		last_line(err_path, &why);
		if (why.len)
			sig_fail("ssh-keygen -Y sign -f %s: %s", keyfile, why.data);
		else
			sig_fail("ssh-keygen -Y sign -f %s failed (exit %d)", keyfile, status);
		goto out;
	}
	if (fs_read_file(sig_path, &out) < 0)
		goto out;
	if (out.len > KEYGEN_OUTPUT_MAX ||
	    sig_verify(out.data ? out.data : "", out.len, namespace, msg, len, NULL) < 0) {
		errprefix("the signature of ssh-keygen -Y sign -f %s", keyfile);
		goto out;
	}
	buf_add(armored, out.data, out.len);
	rc = 0;
out:
	if (errfd >= 0)
		close(errfd);
	unlink(msg_path);
	unlink(sig_path);
	unlink(err_path);
	rmdir(dir);
	free(msg_path);
	free(sig_path);
	free(err_path);
	free(dir);
	buf_release(&out);
	buf_release(&why);
	return rc;
}
