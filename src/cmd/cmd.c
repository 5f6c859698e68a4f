/*
 * cmd: helpers shared by the cmd-*.c files.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "capture/ingest.h"
#include "capture/packages.h"
#include "cmd/cmd.h"
#include "journal/record.h"
#include "journal/sign.h"
#include "journal/team.h"
#include "replica/git.h"
#include "replica/keyring.h"
#include "replica/replica.h"
#include "setup/server.h"
#include "view/hitline.h"
#include "view/index.h"
#include "view/page.h"
#include "view/advisories.h"
#include "view/inventory.h"
#include "view/render.h"
#include "view/threads.h"
#include "journal/ref.h"
#include "base/banned.h"

const char *cmd_dir_option;

struct journal *cmd_journal(void)
{
	struct journal *j = journal_open(journal_locate(cmd_dir_option));

	if (!j)
		die_err();
	return j;
}

/* what makes a directory not empty: all but lost+found (a fresh file system's mount point) */
static bool not_lost_found(const char *name, const void *arg)
{
	(void)arg;
	return strcmp(name, ".") && strcmp(name, "..") && strcmp(name, "lost+found");
}

int cmd_take_dir(const char *dir, const char *cmd, bool *existed, bool *shared, struct stat *st)
{
	char **names;
	size_t n;

	if (fs_list_dir(dir, not_lost_found, NULL, false, &names, &n) < 0)
		return -1;
	if (n) {
		errset("%s: directory is not empty (found '%s'); give %s a new or empty directory", dir, names[0], cmd);
		fs_free_names(names, n);
		return -1;
	}
	*existed = fs_is_dir(dir);
	if (!*existed && fs_mkdirs(dir, 0750) < 0)
		return -1;
	if (stat(dir, st) < 0) {
		errset_sys("%s", dir);
		return -1;
	}
	*shared = (st->st_mode & S_ISGID) || st->st_gid != getegid();
	return 0;
}

void cmd_trim(struct buf *b)
{
	size_t start = 0, end = b->len;

	while (end > 0 && strchr(" \t\r\n", b->data[end - 1]))
		end--;
	for (size_t i = 0; i < end; i++) {
		if (b->data[i] == '\n')
			start = i + 1;
		else if (b->data[i] != ' ' && b->data[i] != '\t' && b->data[i] != '\r')
			break;
	}
	if (b->len)
		memmove(b->data, b->data + start, end - start);
	buf_truncate(b, end - start);
}

static void strip_comments(struct buf *b)
{
	struct buf out = BUF_INIT;
	const char *p = buf_str(b), *end = p + b->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		if (*p != '#')
			buf_add(&out, p, (size_t)(next - p));
		p = next;
	}
	buf_release(b);
	*b = out;
}

int cmd_edit(struct journal *j, const char *name, const struct buf *template, struct buf *text)
{
	/*
	 * The editor opens the file by its name, following links: it lives in
	 * a directory of its own that only this account can write, never in
	 * the journal, where the group could swap it for a link while the
	 * editor runs.
	 */
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/logbook-edit.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	char *path = NULL;
	int rc = -1;

	(void)j;
	if (!mkdtemp(dir)) {
		errset_sys("%s", dir);
		free(dir);
		return -1;
	}
	path = fs_join(dir, name);
	if (fs_write_atomic(path, template->data, template->len, 0600) == 0 && run_editor(path) == 0 &&
	    fs_read_file(path, text) == 0) {
		strip_comments(text);
		cmd_trim(text);
		rc = 0;
	}
	fs_remove_tree(dir);
	free(path);
	free(dir);
	return rc;
}

void cmd_ingest_first(struct journal *j)
{
	struct ingest_opts opts = { .lock_timeout = 0 };
	struct ingest_report rep;

	if (ingest_spools(j, &opts, &rep) < 0)
		warn_msg("ingest: %s", errget());
	cli_print_warnings(&rep.warnings);
	ingest_report_free(&rep);
}

int cmd_packages_catch_up(struct journal *j, const char *tz, unsigned wait)
{
	struct pkg_opts o = { .system_tz = tz, .lock_timeout = wait, .admindir = getenv("LOGBOOK_DPKG_ADMINDIR") };
	struct pkg_report rep;
	struct server s;
	int rc;

	if (server_init(&s, NULL, NULL) < 0) {
		warn_msg("packages: %s", errget());
		return -1;
	}
	o.root = s.real ? "" : s.root;
	if (o.admindir && !*o.admindir)
		o.admindir = NULL;
	rc = pkg_catch_up(j, &o, &rep);
	if (rc < 0)
		warn_msg("packages: %s", errget());
	cli_print_warnings(&rep.warnings);
	pkg_report_free(&rep);
	server_release(&s);
	return rc;
}

bool cmd_packages_hooked(void)
{
	struct server s;
	char *path;
	bool have;

	if (server_init(&s, NULL, NULL) < 0)
		return false;
	path = server_path(&s, SERVER_APT_CONF);
	have = fs_exists(path);
	free(path);
	server_release(&s);
	return have;
}

bool cmd_use_color(const char *when)
{
	const char *term = getenv("TERM");

	return !strcmp(when, "always") ||
	       (!strcmp(when, "auto") && isatty(1) && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb")));
}

void cmd_threads_text(struct journal *j, const struct threads *t, struct buf *out)
{
	struct buf lines = BUF_INIT;
	struct inventory inv;
	struct advisories adv;
	size_t n = 0;

	if (threads_todo_lines(t, NULL, "  ", &lines))
		buf_addf(out, "Left to do (logbook todo list):\n%s", buf_str(&lines));
	if (!t->nacks) {
		buf_release(&lines);
		return;
	}
	if (advisories_load_quick(j, &inv, &adv) == 0) {
		for (size_t i = 0; i < adv.n; i++) {
			const struct thread_ack *a = threads_ack_of(t, adv.v[i].a.id);
			char day[DAY_LEN + 1];
			if (!a || adv_done(&adv.v[i]))
				continue;
			if (n++ == 0)
				buf_adds(out, "Advisories taken (logbook ack):\n");
			day_of(a->time, day);
			buf_addf(out, "  %s taken by ", adv.v[i].a.id);
			render_escape(out, a->admin, strlen(a->admin), false);
			buf_addf(out, " on %s\n", day);
		}
		advisories_release(&adv);
		inventory_release(&inv);
	}
	buf_release(&lines);
}

void cmd_taken_suffix(const struct threads *t, const struct record *r, struct buf *out)
{
	char ref[REF_MAX + 1];
	const struct thread_ack *a;
	json_t *adv = rec_get_json(r, "advisory");
	const char *id = json_string_value(json_object_get(adv, "id"));

	if (!t)
		return;
	ref_format(r->host, r->seq, ref);
	if (!(a = threads_ack_of(t, ref)) && id)
		a = threads_ack_of(t, id);
	if (!a)
		return;
	buf_adds(out, " (taken by ");
	render_escape(out, a->admin, strlen(a->admin), false);
	buf_addc(out, ')');
}

struct record *cmd_find_ref(struct journal *j, const char *ref, const char *what, char *day)
{
	struct rec_ref parsed;
	struct record *r;
	int found;

	if (ref_parse(ref, strlen(ref), &parsed) < 0)
		die("%s: %s: %s", what, ref, errget());
	found = threads_find(j, &parsed, &r, day);
	if (found < 0)
		die("%s: %s: %s", what, ref, errget());
	if (!found)
		die("%s: %s: no such record in this journal (a record of another host arrives with logbook sync)", what,
		    ref);
	return r;
}

void cmd_file_record(struct journal *j, const struct ident *id, struct record *r, const char *what)
{
	struct store_warnings warnings = { 0 };
	struct store_txn *t = store_begin(j, id->host, &warnings);

	cli_print_warnings(&warnings);
	if (!t)
		die("%s: %s", what, errget());
	if (store_add(t, r) < 0) {
		store_abort(t);
		die("%s: %s", what, errget());
	}
	cmd_autosign(t, j, id);
	if (store_commit(t) < 0)
		die("%s: %s", what, errget());
	/* show reads replies, todos and acks from the cache alone: bring it up to date */
	if (!strcmp(r->kind, "todo") || !strcmp(r->kind, "ack") || rec_get_str(r, "reply", NULL)) {
		struct threads th;
		threads_load(j, THREADS_UPDATE, &th);
		threads_release(&th);
	}
	cmd_background_sync(j);
}

void cmd_autosign(struct store_txn *t, struct journal *j, const struct ident *id)
{
	struct team_keys keys;
	bool team_signs;

	team_keys_load(j->conf, &keys);
	team_signs = keys.n > 0;
	team_keys_free(&keys);
	if (!team_signs)
		return;
	switch (sign_add(t, j, id, NULL)) {
	case SIGN_DONE:
		break;
	case SIGN_NO_KEY:
		warn_msg("not signed: %s; 'logbook sign' signs later", errget());
		break;
	case SIGN_FAILED:
		warn_msg("not signed: %s", errget());
		break;
	}
}

void cmd_become_git_owner(const char *dir, const char *what)
{
	if (git_become_owner(dir) < 0)
		die("%s: %s", what, errget());
}

struct conf *cmd_team_before(struct journal *j)
{
	char *path = journal_path(j, JOURNAL_CONF);
	struct conf *c = conf_load(path);

	free(path);
	return c;
}

int cmd_share_team(struct journal *j, struct conf *before, const char *keyfile, bool required, const char *what)
{
	struct team_keys old, new;
	struct ident id = { 0 };
	struct buf b = BUF_INIT;
	char cid[KEYRING_OID_LEN + 1], *path = journal_path(j, JOURNAL_CONF);
	int rc = 0;

	team_keys_load(before, &old);
	team_keys_load(j->conf, &new);
	if (old.n == 0 && new.n == 0) {
		if (required) {
			warn_msg("%s: team.conf lists no key: a team that does not sign shares it unsigned", what);
			rc = -1;
		}
		goto out;
	}
	rc = -1;
	if (ident_resolve_in(&id, j) < 0 || fs_read_file(path, &b) < 0 ||
	    keyring_propose(j, before, id.admin, b.data ? b.data : "", b.len, keyfile, cid) < 0) {
		char *pin = keyring_pinned(j->dir);
		/* before the keyring is signed, sync shares team.conf unsigned, as it always did */
		if (pin || keyfile || required)
			warn_msg("%s: team.conf changed on this replica only, not signed for the others (%s); "
				 "'logbook team sign' signs it", what, errget());
		else
			rc = 0;
		free(pin);
		goto out;
	}
	rc = 0;
	cmd_background_sync(j);
out:
	team_keys_free(&old);
	team_keys_free(&new);
	ident_release(&id);
	buf_release(&b);
	free(path);
	conf_free(before);
	return rc;
}

void cmd_background_sync(struct journal *j)
{
	const char *autosync = conf_get(j->conf, "sync", NULL, "auto");
	char **names = NULL, *self;
	size_t n = 0;
	int fd;

	if (autosync && (!strcmp(autosync, "false") || !strcmp(autosync, "no") || !strcmp(autosync, "off") ||
			 !strcmp(autosync, "0")))
		return;
	/* another account's .git: its owner's sync does it, on request */
	switch (git_check_dir(j->dir, NULL)) {
	case GIT_TRUSTED:
		break;
	case GIT_NOT_OWNER:
		if (replica_request_sync(j) < 0)
			warn_msg("background sync: asking for a sync: %s", errget());
		return;
	default:
		warn_msg("background sync: %s", errget());
		return;
	}
	if (replica_remotes(j, &names, &n) < 0 || n == 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	/*
	 * what it says goes to a log the admin can read, never to their
	 * terminal; a member's log is appended to, a link they planted refused
	 */
	if (journal_mkdirs(j, JOURNAL_STATE "/sync") < 0 ||
	    (fd = fs_open_below(j->dir, JOURNAL_STATE "/sync/background.log", O_WRONLY | O_CREAT | O_APPEND, 0600,
				FS_BELOW_ANY_OWNER)) < 0) {
		warn_msg("background sync: %s", errget());
		fd = -1;
	}
	self = xstrdup("/proc/self/exe");
	{
		const char *argv[] = { self, "-C", j->dir, "sync", NULL };
		struct child c = { .argv = argv, .in = RUN_NULL, .out = fd >= 0 ? fd : RUN_NULL,
				   .err = fd >= 0 ? fd : RUN_NULL, .detach = true };
		if (run_start(&c) < 0)
			warn_msg("background sync: %s", errget());
	}
	if (fd >= 0)
		close(fd);
	free(self);
}

bool cmd_range_option(int c, const char *arg, struct cmd_range *r, const char *usage, const char *cmd)
{
	struct day_point p;

	switch (c) {
	case CMD_OPT_SINCE:
	case CMD_OPT_UNTIL:
		/* the form now, before a missing journal is reported; the instant once its zone is known */
		if (day_point_parse(arg, day_now_us(), &p) < 0)
			cli_usage_exit(usage, "%s: %s %s", cmd, c == CMD_OPT_SINCE ? "--since" : "--until", errget());
		*(c == CMD_OPT_SINCE ? &r->since_spec : &r->until_spec) = arg;
		return true;
	case CMD_OPT_HOST:
		r->host = arg;
		return true;
	case CMD_OPT_USER:
	case CMD_OPT_ADMIN:
		r->admin = arg;
		return true;
	}
	return false;
}

void cmd_range_resolve(struct cmd_range *r, const char *usage, const char *cmd)
{
	int64_t now = day_now_us();
	struct day_point p;

	memset(&p, 0, sizeof p);
	r->whole_days = true;
	r->since = INT64_MIN;
	r->until = INT64_MAX;
	r->first_day[0] = r->last_day[0] = '\0';
	if (r->since_spec) {
		if (day_point_parse(r->since_spec, now, &p) < 0)
			cli_usage_exit(usage, "%s: --since %s", cmd, errget());
		r->since = p.us;
		r->whole_days = p.whole_day;
		memcpy(r->first_day, p.day, sizeof r->first_day);
	}
	if (r->until_spec) {
		if (day_point_parse(r->until_spec, now, &p) < 0)
			cli_usage_exit(usage, "%s: --until %s", cmd, errget());
		r->until = day_point_end(&p);
		r->whole_days = r->whole_days && p.whole_day;
		/* a time stops before it: the last day page is that of the instant before (at 1970: its own) */
		memcpy(r->last_day, p.day, sizeof r->last_day);
		if (!p.whole_day && day_of(r->until - 1, p.day) == 0)
			memcpy(r->last_day, p.day, sizeof r->last_day);
	}
	if (r->since_spec && r->until_spec && r->since >= r->until)
		cli_usage_exit(usage, "%s: --since %s is not before --until %s", cmd, r->since_spec, r->until_spec);
}

/*
 * The day pages that can hold the records of the range: a record's page
 * is its day in the zone team.conf named when it was written, and zones
 * are less than two days apart, so two more days on each side.
 */
#define PAGE_MARGIN (INT64_C(2) * 86400 * 1000000)
static void page_bounds(const struct cmd_range *r, char first[DAY_LEN + 1], char last[DAY_LEN + 1])
{
	memcpy(first, r->first_day, DAY_LEN + 1);
	memcpy(last, r->last_day, DAY_LEN + 1);
	if (r->since != INT64_MIN && r->since > INT64_MIN + PAGE_MARGIN && day_of(r->since - PAGE_MARGIN, first) < 0)
		first[0] = '\0';
	if (r->until != INT64_MAX && r->until < INT64_MAX - PAGE_MARGIN && day_of(r->until + PAGE_MARGIN, last) < 0)
		memcpy(last, r->last_day, DAY_LEN + 1);
}

void cmd_range_day(struct cmd_range *r, const char *day, const char *cmd)
{
	char next[DAY_LEN + 1];

	if (day_start(day, &r->since) < 0)
		die("%s: %s", cmd, errget());
	r->until = day_next(day, next) && day_start(next, &r->until) == 0 ? r->until : INT64_MAX;
	memcpy(r->first_day, day, sizeof r->first_day);
	memcpy(r->last_day, day, sizeof r->last_day);
	r->whole_days = true;
}

void cmd_range_days(struct journal *j, struct cmd_range *r, const char *cmd, char ***days, size_t *n)
{
	struct store_days all;
	char today[DAY_LEN + 1], first[DAY_LEN + 1], last[DAY_LEN + 1];

	if (!r->last_day[0]) {
		if (day_of(day_now_us(), today) < 0)
			die("%s: %s", cmd, errget());
		/* a since after today's date (a clock behind the records) still reaches its own day */
		memcpy(r->last_day, strcmp(today, r->first_day) < 0 ? r->first_day : today, sizeof today);
	}
	if (!r->first_day[0])
		memcpy(r->first_day, r->last_day, sizeof r->first_day);
	page_bounds(r, first, last);
	*days = NULL;
	*n = 0;
	/* the days of the range only, and no line counted */
	if (store_list_days_in(j, first[0] ? first : NULL, last, false, &all) < 0)
		die("%s: %s", cmd, errget());
	cli_print_warnings(&all.warnings);
	for (size_t i = all.n; i-- > 0;) {
		const struct store_day_hosts *h = &all.days[i];
		bool has_host = !r->host;

		if ((first[0] && strcmp(h->day, first) < 0) || strcmp(h->day, last) > 0)
			continue;
		for (size_t k = 0; k < h->n && !has_host; k++)
			has_host = !strcmp(h->hosts[k], r->host);
		if (!has_host)
			continue;
		*days = xreallocarray(*days, *n + 1, sizeof **days);
		(*days)[(*n)++] = xstrdup(h->day);
	}
	store_days_free(&all);
}

bool cmd_range_given(const struct cmd_range *r)
{
	return r->since_spec || r->until_spec || r->host || r->admin;
}

bool cmd_range_has(const struct cmd_range *r, int64_t time, const char *host, const char *admin)
{
	return time >= r->since && time < r->until && (!r->host || !strcmp(r->host, host)) &&
	       (!r->admin || !strcmp(r->admin, admin));
}

bool cmd_range_line(const struct cmd_range *r, const char *line, size_t len)
{
	struct record *rec = rec_parse(line, len, false);
	bool in = rec && cmd_range_has(r, rec->time, rec->host, rec->admin);

	rec_free(rec);
	return in;
}

void cmd_filter_query(struct cmd_range *r, struct index_query *q, const char *usage, const char *name)
{
	char first[DAY_LEN + 1], last[DAY_LEN + 1];

	cmd_range_resolve(r, usage, name);
	/* the query's day pages live in r */
	page_bounds(r, first, last);
	memcpy(r->first_day, first, sizeof first);
	memcpy(r->last_day, last, sizeof last);
	q->host = r->host;
	q->admin = r->admin;
	q->since = r->first_day[0] ? r->first_day : NULL;
	q->until = r->last_day[0] ? r->last_day : NULL;
	q->timed = r->since_spec || r->until_spec;
	q->since_us = r->since;
	q->until_us = r->until;
}

bool cmd_filter_option(int c, const char *arg, struct index_query *q, struct cmd_range *r, const char *usage,
		       const char *name)
{
	char *end;
	unsigned long n;

	if (cmd_range_option(c, arg, r, usage, name))
		return true;
	switch (c) {
	case CMD_OPT_KIND:
		q->kind = arg;
		return true;
	case CMD_OPT_LIMIT:
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || n == 0)
			cli_usage_exit(usage, "%s: --limit takes a positive number, not '%s'", name, arg);
		q->limit = n;
		return true;
	}
	return false;
}

struct printer {
	struct buf out;
	const char *text;
	bool json, color;
	size_t found;
};

/* a hit as printed: called by several threads at once, it only reads p */
static void format_hit(const struct index_hit *h, struct buf *out, const void *arg)
{
	const struct printer *p = arg;

	if (p->json) {
		buf_add(out, h->line, h->len);
		buf_addc(out, '\n');
	} else {
		hitline_format(out, h, p->text, p->color);
	}
}

static int print_hit(const struct index_hit *h, const char *text, size_t len, void *arg)
{
	struct printer *p = arg;

	(void)h;
	p->found++;
	buf_add(&p->out, text, len);
	if (p->out.len >= 65536) {
		bool ok = cli_out(p->out.data, p->out.len);
		buf_reset(&p->out);
		return !ok;
	}
	return 0;
}

size_t cmd_print_hits(struct journal *j, struct index_query *q, const char *text, bool json, const char *when,
		      bool pager, const char *cmd)
{
	struct printer p = { .out = BUF_INIT, .text = text, .json = json };

	/* an index that cannot be brought up to date is not used: the files answer */
	if (q->method != INDEX_FILES)
		index_update(j, NULL);
	q->lines = json;
	q->event_lines = !text;
	p.color = !json && cmd_use_color(when);
	if (pager && !json)
		run_pager_start();
	if (index_search_format(j, q, format_hit, &p, print_hit, &p) < 0)
		die("%s: %s", cmd, errget());
	cli_out(p.out.data, p.out.len);
	buf_release(&p.out);
	index_close();
	return p.found;
}

const char *cmd_take_days_ago(int *argc, char **argv, const char *usage, const char *cmd)
{
	const char *spec = NULL;

	for (int i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
		/* the value of --since -3 or --until -1 is the option's */
		if (!strcmp(argv[i - 1], "--since") || !strcmp(argv[i - 1], "--until"))
			continue;
		if (argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9' &&
		    strspn(argv[i] + 1, "0123456789") == strlen(argv[i] + 1)) {
			if (spec)
				cli_usage_exit(usage, "%s: too many arguments", cmd);
			spec = argv[i];
			memmove(argv + i, argv + i + 1, (size_t)(*argc - i) * sizeof *argv);
			(*argc)--;
			i--;
		}
	}
	return spec;
}

const char *cmd_color_when(const char *usage, const char *cmd, const char *arg)
{
	if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
		cli_usage_exit(usage, "%s: --color takes auto, always or never, not '%s'", cmd, arg);
	return arg;
}

#ifndef LOGBOOK_HELPERDIR
#error "LOGBOOK_HELPERDIR: the Makefile's $(LIBEXECDIR)/logbook"
#endif

char *cmd_helper_path(const char *name, int mode)
{
	char *self = fs_self_exe();
	char *slash = strrchr(self, '/');
	char *path;

	if (slash) {
		slash[1] = '\0';
		path = xasprintf("%s%s", self, name);
		if (access(path, mode) == 0) {
			free(self);
			return path;
		}
		free(path);
	}
	free(self);
	return xasprintf("%s/%s", LOGBOOK_HELPERDIR, name);
}
