/*
 * server: root prefix, hook lines, timers and tool runs shared by setup
 * and doctor (see server.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "journal/journal.h"
#include "journal/sig.h"
#include "setup/server.h"
#include "base/banned.h"

/* where systemd finds units, local ones first */
static const char *const unit_dirs[] = {
	"/etc/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system",
};

int server_init(struct server *s, const char *root, const char *journal_option)
{
	const char *env = getenv("LOGBOOK_ROOT");
	size_t len;

	memset(s, 0, sizeof *s);
	if (!root || !*root)
		root = env && *env ? env : "/";
	if (root[0] != '/') {
		errset("root %s: give an absolute path", root);
		return -1;
	}
	if (!fs_is_dir(root)) {
		errset_sys("root %s", root);
		return -1;
	}
	s->root = xstrdup(root);
	len = strlen(s->root);
	while (len > 1 && s->root[len - 1] == '/')
		s->root[--len] = '\0';
	s->real = !strcmp(s->root, "/");
	/* -C, else $LOGBOOK_DIR, as for every command; else the default under root */
	s->journal_given = (journal_option && *journal_option) || (getenv("LOGBOOK_DIR") && *getenv("LOGBOOK_DIR"));
	s->journal = s->journal_given ? xstrdup(journal_locate(journal_option)) : server_path(s, JOURNAL_DEFAULT_DIR);
	return 0;
}

void server_release(struct server *s)
{
	free(s->root);
	free(s->journal);
}

char *server_path(const struct server *s, const char *path)
{
	return s->real ? xstrdup(path) : xasprintf("%s%s", s->root, path);
}

/* "logbook [-C JOURNAL] hook ": the default journal is not named, moving it is -C's or $LOGBOOK_DIR's business */
static void hook_command(const struct server *s, struct buf *b)
{
	buf_adds(b, "logbook ");
	if (s->journal_given || !s->real) {
		buf_adds(b, "-C ");
		buf_add_shell_quoted(b, s->journal);
		buf_addc(b, ' ');
	}
	buf_adds(b, "hook ");
}

char *server_hook_body(const struct server *s, const char *shell)
{
	struct buf b = BUF_INIT;

	if (strcmp(shell, "bash")) {
		buf_adds(&b, "# the commands of interactive shells go into the team's logbook (man logbook)\n");
		buf_adds(&b, "case $- in *i*) command -v logbook >/dev/null 2>&1 && eval \"$(");
		hook_command(s, &b);
		buf_addf(&b, "%s)\" ;; esac\n", shell);
		return buf_detach(&b, NULL);
	}
	/*
	 * Above the file's return for non-interactive shells: the bash sshd starts for ssh HOST CMD
	 * reads it too.  Any other non-interactive bash that gets here (none on Debian: bash reads
	 * this file without -i only under sshd, in the connection's first shell) pays one test.
	 * The command's hook must never print (scp, sftp) nor read stdin (echo x | ssh HOST cat).
	 */
	buf_adds(&b, "# the commands of interactive shells, and of ssh HOST CMD, go into the team's logbook\n");
	buf_adds(&b, "# (man logbook); above any return for non-interactive shells\n");
	buf_adds(&b, "case $-${SSH_CONNECTION:+,ssh}${BASH_EXECUTION_STRING+,c}${SHLVL-} in\n");
	buf_adds(&b, "*i*) command -v logbook >/dev/null 2>&1 && eval \"$(");
	hook_command(s, &b);
	buf_adds(&b, "bash)\" ;;\n");
	buf_adds(&b, "*,ssh,c1) command -v logbook >/dev/null 2>&1 && eval \"$(");
	hook_command(s, &b);
	buf_adds(&b, "--command bash </dev/null 2>/dev/null)\" 2>/dev/null ;;\n");
	buf_adds(&b, "esac\n");
	return buf_detach(&b, NULL);
}

char *server_apt_conf_body(const struct server *s, const char *exe)
{
	struct buf cmd = BUF_INIT, b = BUF_INIT;
	const char *const steps[][2] = { { "Pre-Invoke", "pre" }, { "Post-Invoke", "post" } };

	/* an APT string ends at '"' and has no escapes */
	if (strpbrk(exe, "\"\n") || strpbrk(s->journal, "\"\n")) {
		errset("%s: a path with '\"' or a newline cannot go in an APT configuration string",
		       strpbrk(exe, "\"\n") ? exe : s->journal);
		return NULL;
	}
	buf_adds(&b, "// logbook: APT's package changes go into the team's logbook (man logbook,\n"
		     "// apt-hook).  Written by logbook setup, removed by logbook setup --undo.\n"
		     "// A missing or failing logbook never stops APT: each step ends in || true.\n");
	for (size_t i = 0; i < 2; i++) {
		buf_reset(&cmd);
		buf_adds(&cmd, "if [ -x ");
		buf_add_shell_quoted(&cmd, exe);
		buf_adds(&cmd, " ]; then ");
		buf_add_shell_quoted(&cmd, exe);
		if (s->journal_given || !s->real) {
			buf_adds(&cmd, " -C ");
			buf_add_shell_quoted(&cmd, s->journal);
		}
		buf_addf(&cmd, " apt-hook %s </dev/null || true; fi", steps[i][1]);
		buf_addf(&b, "DPkg::%s { \"%s\"; };\n", steps[i][0], buf_str(&cmd));
	}
	buf_release(&cmd);
	return buf_detach(&b, NULL);
}

bool server_systemd_running(void)
{
	return fs_is_dir("/run/systemd/system");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void server_timers(const struct server *s, const struct conf *team, char ***names, size_t *n, struct buf *skipped)
{
	char **v = NULL;
	size_t count = 0;
	bool digest_said = false;

	for (size_t i = 0; i < sizeof unit_dirs / sizeof *unit_dirs; i++) {
		char *dir = server_path(s, unit_dirs[i]);
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			bool seen = false;
			/* .path units: the sync the admins who may not run git ask for (logbook-sync.path), the
			   integration of what other servers push (logbook-receive.path) */
			if (fnmatch("logbook-*.timer", e->d_name, 0) != 0 && fnmatch("logbook-*.path", e->d_name, 0) != 0 &&
			    strcmp(e->d_name, "logbook-boot.service") && strcmp(e->d_name, "logbook-shutdown.service"))
				continue;
			for (size_t k = 0; k < count; k++)
				seen |= !strcmp(v[k], e->d_name);
			/* a unit found again (/lib is /usr/lib on a merged /usr) is said once */
			if (seen || (digest_said && !strcmp(e->d_name, "logbook-digest.timer")))
				continue;
			/* a digest needs someone to send it to */
			if (!strcmp(e->d_name, "logbook-digest.timer") &&
			    !(team && conf_get(team, "digest", NULL, "to"))) {
				if (skipped)
					buf_addf(skipped, "%s: not enabled: team.conf has no digest.to\n", e->d_name);
				digest_said = true;
				continue;
			}
			v = xreallocarray(v, count + 1, sizeof *v);
			v[count++] = xstrdup(e->d_name);
		}
		if (d)
			closedir(d);
		free(dir);
	}
	if (count)
		qsort(v, count, sizeof *v, cmp_names);
	*names = v;
	*n = count;
}

bool server_unit_installed(const struct server *s, const char *unit)
{
	bool found = false;

	for (size_t i = 0; i < sizeof unit_dirs / sizeof *unit_dirs && !found; i++) {
		char *dir = server_path(s, unit_dirs[i]);
		char *path = xasprintf("%s/%s", dir, unit);
		found = fs_exists(path);
		free(path);
		free(dir);
	}
	return found;
}

void server_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int server_run(const char *const argv[], struct buf *out)
{
	int p[2];
	struct child c = { argv, NULL, RUN_NULL, RUN_NULL, RUN_NULL, NULL, false, 0, -1, -1 };
	int rc;

	if (!out) {
		struct buf ignored = BUF_INIT;
		rc = server_run(argv, &ignored);
		buf_release(&ignored);
		return rc;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		errset_sys("pipe");
		return -1;
	}
	c.out = c.err = p[1];
	if (run_start(&c) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	if (fs_read_fd(p[0], out, 0) < 0)
		errset_sys("reading the output of %s", argv[0]);
	close(p[0]);
	rc = run_finish(&c);
	return rc;
}

bool server_have(const char *program)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (strchr(program, '/'))
		return access(program, X_OK) == 0;
	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = fs_join(*dir ? dir : ".", program);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

char *server_alias_line(const struct server *s, const char *exe)
{
	return xasprintf("logbook: \"|%s -C %s ingest-mail\"", exe, s->journal);
}

int server_alias_file_write(const char *path, const char *line, uid_t uid, gid_t gid)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	char *body;
	int rc = -1;

	if (slash && slash != dir)
		*slash = '\0';
	if (fs_mkdirs(dir, 0755) < 0)
		goto out;
	body = xasprintf("# written by logbook setup --mail-alias; postfix runs the command as the owner\n"
			 "# of this file (%s), which reads and writes the journal\n%s\n",
			 uid == (uid_t)-1 ? "root: default_privs" : SERVER_USER, line);
	rc = fs_write_atomic(path, body, strlen(body), 0644);
	free(body);
	if (rc == 0 && uid != (uid_t)-1 && chown(path, uid, gid) < 0) {
		errset_sys("chown %s", path);
		rc = -1;
	}
out:
	free(dir);
	return rc;
}

/* the entries of a postfix list, split at commas and blanks */
static size_t maps_split(const char *maps, char ***out)
{
	char *copy = xstrdup(maps ? maps : ""), *save = NULL;
	char **v = NULL;
	size_t n = 0;

	for (char *t = strtok_r(copy, ", \t\n", &save); t; t = strtok_r(NULL, ", \t\n", &save)) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = xstrdup(t);
	}
	free(copy);
	*out = v;
	return n;
}

static char *maps_join(char **v, size_t n, const char *skip, const char *add)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		if (!skip || strcmp(v[i], skip))
			buf_addf(&b, "%s%s", b.len ? ", " : "", v[i]);
	if (add)
		buf_addf(&b, "%s%s", b.len ? ", " : "", add);
	return buf_detach(&b, NULL);
}

char *server_maps_add(const char *maps, const char *entry)
{
	char **v;
	size_t n = maps_split(maps, &v);
	bool have = false;
	char *r = NULL;

	for (size_t i = 0; i < n; i++)
		have |= !strcmp(v[i], entry);
	if (!have)
		r = maps_join(v, n, NULL, entry);
	server_names_free(v, n);
	return r;
}

char *server_maps_remove(const char *maps, const char *entry)
{
	char **v;
	size_t n = maps_split(maps, &v);
	bool have = false;
	char *r = NULL;

	for (size_t i = 0; i < n; i++)
		have |= !strcmp(v[i], entry);
	if (have)
		r = maps_join(v, n, entry, NULL);
	server_names_free(v, n);
	return r;
}

bool server_postfix(const struct server *s)
{
	char *maincf = server_path(s, SERVER_POSTFIX_DIR "/main.cf");
	bool have = server_have("postconf") && fs_exists(maincf);

	free(maincf);
	return have;
}

char *server_replica_key_line(const char *key)
{
	struct sig_key *k = sig_key_parse(key, strlen(key));
	struct buf b = BUF_INIT;
	const char *comment;
	bool plain = true;

	if (!k) {
		errprefix("not an ssh public key");
		return NULL;
	}
	/* the comment names the server; one that is not plain text is left out */
	comment = sig_key_comment(k);
	for (const char *p = comment; *p; p++)
		plain &= *p > ' ' && *p < 0x7f;
	buf_adds(&b, "restrict ");
	if (plain) {
		sig_key_format(k, &b);
	} else {
		struct buf full = BUF_INIT;
		char *sp;
		sig_key_format(k, &full);
		/* "<type> <base64> <comment>": keep the first two words */
		sp = strchr(buf_str(&full), ' ');
		if (sp && (sp = strchr(sp + 1, ' ')))
			*sp = '\0';
		buf_adds(&b, buf_str(&full));
		buf_release(&full);
	}
	sig_key_free(k);
	return buf_detach(&b, NULL);
}
