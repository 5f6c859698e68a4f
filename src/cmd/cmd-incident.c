/*
 * logbook incident open|close|show|list: an outage as one story across
 * days, hosts and admins (journal/incident.h for the records,
 * view/timeline.h for how it reads).  Also the one-line reminders of open
 * incidents that show, news, who and the shell hook print, and the
 * incident a note names by default.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/incident.h"
#include "journal/record.h"
#include "journal/store.h"
#include "view/render.h"
#include "view/timeline.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook incident open [-q] [--host HOST]... [--] TITLE...\n"
	"       logbook incident close [-q] [-m TEXT] ID\n"
	"       logbook incident show [--format text|markdown | --json] [--color WHEN] ID\n"
	"       logbook incident list [--all] [--json]\n"
	"\n"
	"An incident is an outage told as one story across days, hosts and\n"
	"admins.  'open' starts one and prints its id, HOST:SEQ of the record\n"
	"that opened it (web1:42), which every replica knows it by.  While it is\n"
	"open, show, news, who and every new shell say so, and notes name it\n"
	"(logbook note --incident ID; by default the incident, when exactly one\n"
	"is open).  'close' asks for a summary in $VISUAL or $EDITOR (cause, fix,\n"
	"follow-ups), or takes it from -m or standard input.  Any admin on any\n"
	"host may close an incident opened elsewhere.\n"
	"\n"
	"'show' is the timeline: notes, changes, packages, reboots, events and\n"
	"commands of every host and admin from the opening to the close (or\n"
	"now), in time order, the summary on top; --format markdown is a\n"
	"post-mortem draft for a blog post or a GitLab issue; --json prints the\n"
	"incident as one JSON object, then the timeline's records as stored.\n"
	"'list' shows the open incidents, with --all the closed ones too.\n"
	"\n"
	"  --host HOST     open: an affected host (repeat for several)\n"
	"  -m, --message TEXT  close: the summary\n"
	"  --format FORMAT show: text (default) or markdown\n"
	"  --json          show, list: JSON instead of text\n"
	"  --color WHEN    show: always, never or auto (default)\n"
	"  -a, --all       list: closed incidents too\n"
	"  -q, --quiet     open, close: print nothing when all went well\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 done, 1 failed (no such incident, already closed, the\n"
	"journal cannot be read or written), 2 usage.\n";

enum { OPT_HOST = 400, OPT_FORMAT, OPT_JSON, OPT_COLOR };

/* the incidents of the journal, or exit 1; warnings printed */
static void load(const struct journal *j, struct incidents *list)
{
	struct store_warnings w = { 0 };

	if (incidents_load(j, list, &w, true) < 0)
		die("incident: %s", errget());
	cli_print_warnings(&w);
}

void cmd_incidents_remind(const struct journal *j, struct buf *out, bool keep_cache)
{
	struct incidents list;
	struct store_warnings w = { 0 };

	if (incidents_load(j, &list, &w, keep_cache) < 0) {
		store_warnings_free(&w);
		return;
	}
	store_warnings_free(&w);
	for (size_t i = 0; i < list.n; i++) {
		if (list.v[i].ncloses)
			continue;
		buf_adds(out, "incident ");
		timeline_incident_line(out, &list.v[i]);
		buf_addc(out, '\n');
	}
	incidents_release(&list);
}

char *cmd_incident_for_note(const struct journal *j, const char *given)
{
	struct incidents list;
	const struct incident *in = NULL;
	char *id = NULL;

	if (given && !strcmp(given, "none"))
		return NULL;
	load(j, &list);
	if (given) {
		if (!incidents_find(&list, given))
			die("note: no incident %s in this journal (logbook incident list --all)", given);
		id = xstrdup(given);
	} else if (incidents_open(&list, &in) == 1) {
		id = xstrdup(in->id);
	}
	incidents_release(&list);
	return id;
}

/* add r to this host's chain and commit, or exit 1 */
static void append(struct journal *j, const struct ident *id, struct record *r, const char *what)
{
	struct store_warnings warnings = { 0 };
	struct store_txn *t = store_begin(j, id->host, &warnings);

	cli_print_warnings(&warnings);
	if (!t)
		die("incident %s: %s", what, errget());
	if (store_add(t, r) < 0) {
		store_abort(t);
		die("incident %s: %s", what, errget());
	}
	cmd_autosign(t, j, id);
	if (store_commit(t) < 0)
		die("incident %s: %s", what, errget());
}

static int incident_open(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct buf title = BUF_INIT;
	char **hosts = NULL;
	size_t nhosts = 0;
	bool quiet = false;
	struct journal *j;
	struct ident id;
	struct record *r;
	int c;

	while ((c = getopt_long(argc, argv, ":hq", opts, NULL)) != -1) {
		if (c == OPT_HOST) {
			if (!store_valid_host(optarg))
				cli_usage_exit(usage, "incident open: '%s' is not a host name", optarg);
			hosts = xreallocarray(hosts, nhosts + 1, sizeof *hosts);
			hosts[nhosts++] = optarg;
		} else if (c == 'q') {
			quiet = true;
		} else if (c == 'h') {
			cli_help_exit(usage);
		} else {
			cli_bad_option_in_text(usage, c, argv);
		}
	}
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			buf_addc(&title, ' ');
		buf_adds(&title, argv[i]);
	}
	if (!title.len)
		cli_usage_exit(usage, "incident open: give the incident a title");
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	r = incident_open_record(day_now_us(), id.host, id.admin, id.account, id.session, title.data, hosts, nhosts);
	if (!r)
		die("incident open: %s", errget());
	append(j, &id, r, "open");
	if (!quiet)
		printf("opened incident %s:%lld\n", id.host, (long long)r->seq);
	cmd_background_sync(j);
	rec_free(r);
	free(hosts);
	buf_release(&title);
	ident_release(&id);
	journal_close(j);
	return EXIT_OK;
}

static void summary_from_editor(struct journal *j, const struct incident *in, struct buf *text)
{
	struct buf tmpl = BUF_INIT;

	buf_addf(&tmpl, "\n# Summary of incident %s: ", in->id);
	render_escape(&tmpl, in->title, strlen(in->title), false);
	buf_adds(&tmpl, "\n# Say what caused it, what fixed it and what is left to do (follow-ups).\n"
			"# Lines starting with '#' are left out; an empty summary aborts.\n");
	if (cmd_edit(j, "INCIDENT_EDITMSG", &tmpl, text) < 0)
		die("incident close: %s", errget());
	buf_release(&tmpl);
}

static int incident_close(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct buf text = BUF_INIT;
	const char *message = NULL;
	const struct incident *in;
	struct incidents list;
	bool quiet = false;
	struct journal *j;
	struct ident id;
	struct record *r;
	int c;

	while ((c = getopt_long(argc, argv, ":hm:q", opts, NULL)) != -1) {
		if (c == 'm')
			message = optarg;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h')
			cli_help_exit(usage);
		else
			cli_bad_option(usage, c, argv);
	}
	if (optind + 1 != argc)
		cli_usage_exit(usage, "incident close: name one incident (logbook incident list)");
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	load(j, &list);
	in = incidents_find(&list, argv[optind]);
	if (!in)
		die("incident close: no incident %s in this journal (logbook incident list)", argv[optind]);
	if (in->ncloses)
		die("incident close: %s was closed by %s on %s", in->id, in->closes[0].admin, in->closes[0].host);
	if (message)
		buf_adds(&text, message);
	else if (!isatty(0)) {
		if (fs_read_fd(0, &text, INCIDENT_SUMMARY_MAX + 1) < 0)
			die("incident close: standard input: %s",
			    errno == EFBIG ? "longer than the summary may be" : strerror(errno));
	} else
		summary_from_editor(j, in, &text);
	cmd_trim(&text);
	if (!text.len)
		die("incident close: empty summary; %s stays open", in->id);
	if (text.len > INCIDENT_SUMMARY_MAX)
		die("incident close: the summary is %zu bytes, more than %d", text.len, INCIDENT_SUMMARY_MAX);
	r = incident_close_record(day_now_us(), id.host, id.admin, id.account, id.session, in->id, text.data,
				  text.len);
	append(j, &id, r, "close");
	if (!quiet)
		printf("closed incident %s\n", in->id);
	cmd_background_sync(j);
	rec_free(r);
	incidents_release(&list);
	buf_release(&text);
	ident_release(&id);
	journal_close(j);
	return EXIT_OK;
}

static json_t *incident_json(const struct incident *in)
{
	char t[DAY_TIME_LEN + 1];
	json_t *o = json_object(), *hosts = json_array(), *closes = json_array();

	json_object_set_new(o, "id", json_string(in->id));
	json_object_set_new(o, "title", json_string(in->title));
	json_object_set_new(o, "host", json_string(in->host));
	json_object_set_new(o, "admin", json_string(in->admin));
	day_time_format(in->opened, t);
	json_object_set_new(o, "opened", json_string(t));
	for (size_t i = 0; i < in->nhosts; i++)
		json_array_append_new(hosts, json_string(in->hosts[i]));
	json_object_set_new(o, "hosts", hosts);
	json_object_set_new(o, "open", json_boolean(!in->ncloses));
	for (size_t i = 0; i < in->ncloses; i++) {
		json_t *c = json_object();

		day_time_format(in->closes[i].time, t);
		json_object_set_new(c, "time", json_string(t));
		json_object_set_new(c, "host", json_string(in->closes[i].host));
		json_object_set_new(c, "admin", json_string(in->closes[i].admin));
		/* readable copy: a summary that is not UTF-8 is in its record's summary_b64 */
		json_object_set_new(c, "summary", json_string(in->closes[i].summary));
		json_array_append_new(closes, c);
	}
	json_object_set_new(o, "closes", closes);
	return o;
}

static void json_line(struct buf *out, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);

	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
	json_decref(o);
}

/* the records of every host from the opening of in to its close (or now), in time order */
static void collect(struct journal *j, const struct incident *in, struct store_day **days, size_t *ndays,
		    struct timeline *t)
{
	int64_t end = in->ncloses ? in->closes[0].time : day_now_us();
	char day[DAY_LEN + 1], last[DAY_LEN + 1];

	if (day_of(in->opened, day) < 0 || day_of(end, last) < 0)
		die("incident show: %s", errget());
	*days = NULL;
	*ndays = 0;
	for (;;) {
		struct store_day *d;

		*days = xreallocarray(*days, *ndays + 1, sizeof **days);
		d = &(*days)[(*ndays)++];
		if (store_load_day(j, day, d, true) < 0)
			die("incident show: %s: %s", day, errget());
		cli_print_warnings(&d->warnings);
		for (size_t i = 0; i < d->n; i++) {
			struct record *rec = d->recs[i];

			if (rec->time < in->opened || rec->time > end || !timeline_wants(rec))
				continue;
			t->recs = xreallocarray(t->recs, t->n + 1, sizeof *t->recs);
			t->recs[t->n++] = rec;
		}
		if (!strcmp(day, last) || !day_next(day, day))
			break;
	}
}

static int incident_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text", *when = "auto";
	struct timeline t = { 0 };
	struct store_day *days;
	struct buf out = BUF_INIT;
	struct incidents list;
	bool json = false;
	struct journal *j;
	size_t ndays;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == OPT_FORMAT) {
			if (strcmp(optarg, "text") && strcmp(optarg, "markdown"))
				cli_usage_exit(usage, "incident show: --format takes text or markdown, not '%s'", optarg);
			format = optarg;
		} else if (c == OPT_JSON) {
			json = true;
		} else if (c == OPT_COLOR) {
			when = cmd_color_when(usage, "incident show", optarg);
		} else if (c == 'h') {
			cli_help_exit(usage);
		} else {
			cli_bad_option(usage, c, argv);
		}
	}
	if (json && strcmp(format, "text"))
		cli_usage_exit(usage, "incident show: --json and --format exclude each other");
	if (optind + 1 != argc)
		cli_usage_exit(usage, "incident show: name one incident (logbook incident list --all)");
	j = cmd_journal();
	cmd_ingest_first(j);
	load(j, &list);
	t.incident = incidents_find(&list, argv[optind]);
	if (!t.incident)
		die("incident show: no incident %s in this journal (logbook incident list --all)", argv[optind]);
	t.tz = j->tz;
	collect(j, t.incident, &days, &ndays, &t);
	if (json) {
		json_line(&out, incident_json(t.incident));
		for (size_t i = 0; i < t.n; i++) {
			buf_add(&out, t.recs[i]->line, t.recs[i]->line_len);
			buf_addc(&out, '\n');
		}
	} else if (!strcmp(format, "markdown")) {
		timeline_markdown(&out, &t);
	} else {
		timeline_text(&out, &t, cmd_use_color(when));
	}
	cli_out(out.data, out.len);
	buf_release(&out);
	free(t.recs);
	for (size_t i = 0; i < ndays; i++)
		store_day_free(&days[i]);
	free(days);
	incidents_release(&list);
	journal_close(j);
	return cli_finish_output();
}

static int incident_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct buf out = BUF_INIT;
	struct incidents list;
	bool all = false, json = false;
	size_t shown = 0;
	struct journal *j;
	int c;

	while ((c = getopt_long(argc, argv, ":ah", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == OPT_JSON)
			json = true;
		else if (c == 'h')
			cli_help_exit(usage);
		else
			cli_bad_option(usage, c, argv);
	}
	if (optind != argc)
		cli_usage_exit(usage, "incident list: too many arguments");
	j = cmd_journal();
	cmd_ingest_first(j);
	load(j, &list);
	/* newest first, as news and list show what is recent first */
	for (size_t i = list.n; i-- > 0;) {
		const struct incident *in = &list.v[i];

		if (in->ncloses && !all)
			continue;
		shown++;
		if (json) {
			json_line(&out, incident_json(in));
			continue;
		}
		timeline_incident_line(&out, in);
		buf_addc(&out, '\n');
	}
	if (!shown && !json)
		buf_adds(&out, all ? "no incidents\n" : "no open incidents\n");
	cli_out(out.data, out.len);
	buf_release(&out);
	incidents_release(&list);
	journal_close(j);
	return cli_finish_output();
}

int cmd_incident(int argc, char **argv)
{
	const char *sub;

	if (argc < 2)
		cli_usage_exit(usage, "incident: open, close, show or list?");
	sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help"))
		cli_help_exit(usage);
	if (!strcmp(sub, "open"))
		return incident_open(argc - 1, argv + 1);
	if (!strcmp(sub, "close"))
		return incident_close(argc - 1, argv + 1);
	if (!strcmp(sub, "show"))
		return incident_show(argc - 1, argv + 1);
	if (!strcmp(sub, "list"))
		return incident_list(argc - 1, argv + 1);
	cli_usage_exit(usage, "incident: '%s' is not open, close, show or list", sub);
}
