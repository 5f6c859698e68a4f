/*
 * logbook todo add|done|list: the things someone left to do, as records
 * (kind todo, docs/format.md).  A todo is open while no done record of
 * any replica names its add record; the list is derived when read
 * (view/threads.h), never kept.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "journal/ident.h"
#include "journal/record.h"
#include "journal/ref.h"
#include "journal/store.h"
#include "view/index.h"
#include "view/render.h"
#include "view/threads.h"
#include "base/banned.h"

/* a todo is one line or a few: what is left, not how */
#define TODO_MAX 4096

static const char usage[] =
	"usage: logbook todo add [--host HOST] [--due DAY] [--] TEXT...\n"
	"       logbook todo done REF\n"
	"       logbook todo list [--all] [--host HOST] [--json]\n"
	"\n"
	"Things left to do (\"remove nginx.conf.orig next week\"), as records\n"
	"of the journal: every replica sees the same ones after a sync.\n"
	"\n"
	"'todo add' files one, about this host or --host HOST, optionally due\n"
	"on DAY (today, tomorrow is +1, -N, +N, YYYY_MM_DD).  It prints its\n"
	"reference, HOST:SEQ.  'todo done REF' marks it done (a record, signed\n"
	"like the rest); a todo is done on every replica once one done record\n"
	"reaches it.  'todo list' shows the open ones, oldest first.  Open\n"
	"todos also appear in news, in the digest, and when a shell starts on\n"
	"the host they are about.\n"
	"\n"
	"  --host HOST  add: the host it is about (default this host);\n"
	"               list: only those about HOST\n"
	"  --due DAY    add: the day it should be done by\n"
	"  --all        list: the done ones too, with who did them\n"
	"  --json       list: one JSON array\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 done, 1 failed (an unknown REF, a REF that is not an open\n"
	"todo), 2 usage.\n";

enum { OPT_HOST = 256, OPT_DUE, OPT_ALL, OPT_JSON };

/* "+N" is N days ahead (day_parse counts back with -N) */
static void due_day(const char *spec, char out[DAY_LEN + 1])
{
	char *end;
	long n;

	if (spec[0] == '+' && spec[1] >= '0' && spec[1] <= '9' && (n = strtol(spec + 1, &end, 10)) <= 3660 && !*end) {
		day_of(day_now_us() + n * INT64_C(86400000000), out);
		return;
	}
	if (day_parse(spec, day_now_us(), out) < 0)
		cli_usage_exit(usage, "todo add: --due: %s", errget());
}

static int todo_add(int argc, char **argv, const char *host, const char *due)
{
	struct buf text = BUF_INIT;
	char day[DAY_LEN + 1], ref[REF_MAX + 1];
	struct journal *j;
	struct ident id;
	struct record *r;

	for (int i = 0; i < argc; i++) {
		if (i)
			buf_addc(&text, ' ');
		buf_adds(&text, argv[i]);
	}
	cmd_trim(&text);
	if (!text.len)
		cli_usage_exit(usage, "todo add: say what is left to do");
	if (text.len > TODO_MAX)
		die("todo add: the text is %zu bytes, more than %d", text.len, TODO_MAX);
	if (host && !store_valid_host(host))
		cli_usage_exit(usage, "todo add: --host: '%s' is not a host name", host);
	/* every usage error before anything is made: nothing is left behind by the exit */
	if (due)
		due_day(due, day);
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	r = rec_new("todo", day_now_us(), id.host, id.admin, id.account, id.session);
	rec_set_text(r, "event", "add", 3);
	rec_set_text(r, "text", text.data, text.len);
	rec_set_text(r, "about", host ? host : id.host, strlen(host ? host : id.host));
	if (due)
		rec_set_text(r, "due", day, strlen(day));
	cmd_file_record(j, &id, r, "todo add");
	ref_format(r->host, r->seq, ref);
	printf("todo %s\n", ref);
	rec_free(r);
	buf_release(&text);
	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}

static int todo_done(const char *arg)
{
	char ref[REF_MAX + 1];
	const struct thread_todo *td;
	struct rec_ref parsed;
	struct threads t;
	struct journal *j;
	struct ident id;
	struct record *add, *r;
	const char *event;

	if (ref_parse(arg, strlen(arg), &parsed) < 0)
		cli_usage_exit(usage, "todo done: '%s': %s", arg, errget());
	ref_format(parsed.host, parsed.seq, ref);
	j = cmd_journal();
	cmd_ingest_first(j);
	if (ident_resolve_in(&id, j) < 0)
		die_err();
	add = cmd_find_ref(j, ref, "todo done", NULL);
	if (strcmp(add->kind, "todo") || !(event = rec_get_str(add, "event", NULL)) || strcmp(event, "add"))
		die("todo done: %s is a %s record, not a todo (logbook todo list shows them)", ref, add->kind);
	if (threads_load(j, THREADS_UPDATE, &t) < 0)
		die("todo done: %s", errget());
	if ((td = threads_todo(&t, ref)) && td->done_by)
		die("todo done: %s was done already, by %s", ref, td->done_by);
	threads_release(&t);
	r = rec_new("todo", day_now_us(), id.host, id.admin, id.account, id.session);
	rec_set_text(r, "event", "done", 4);
	rec_set_text(r, "ref", ref, strlen(ref));
	cmd_file_record(j, &id, r, "todo done");
	printf("done %s\n", ref);
	rec_free(r);
	rec_free(add);
	index_close();
	ident_release(&id);
	journal_close(j);
	return cli_finish_output();
}

static void json_text(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

static int todo_list(bool all, const char *host, bool json)
{
	struct journal *j = cmd_journal();
	struct buf out = BUF_INIT;
	json_t *arr = json_array();
	struct threads t;

	cmd_ingest_first(j);
	if (threads_load(j, THREADS_UPDATE, &t) < 0)
		die("todo list: %s", errget());
	for (size_t i = 0; i < t.ntodos; i++) {
		const struct thread_todo *td = &t.todos[i];
		char when[DAY_TIME_LEN + 1];
		if ((td->done_by && !all) || (host && strcmp(host, td->about)))
			continue;
		day_time_format(td->time, when);
		if (json) {
			json_t *o = json_object();
			json_text(o, "ref", td->ref);
			json_text(o, "host", td->about);
			json_text(o, "admin", td->admin);
			json_text(o, "time", when);
			json_text(o, "text", td->text);
			json_text(o, "due", td->due);
			json_text(o, "done_by", td->done_by);
			json_array_append_new(arr, o);
			continue;
		}
		render_escape(&out, td->ref, strlen(td->ref), false);
		buf_addf(&out, "  %.10s  %s  ", when, td->about);
		render_escape(&out, td->text, strlen(td->text), false);
		buf_adds(&out, "  (");
		render_escape(&out, td->admin, strlen(td->admin), false);
		if (td->due)
			buf_addf(&out, ", due %s", td->due);
		if (td->done_by) {
			buf_adds(&out, ", done by ");
			render_escape(&out, td->done_by, strlen(td->done_by), false);
		}
		buf_adds(&out, ")\n");
	}
	if (json) {
		char *s = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
		buf_adds(&out, s);
		buf_addc(&out, '\n');
		free(s);
	}
	cli_out(out.data, out.len);
	json_decref(arr);
	buf_release(&out);
	threads_release(&t);
	index_close();
	journal_close(j);
	return cli_finish_output();
}

int cmd_todo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "due", required_argument, NULL, OPT_DUE },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host = NULL, *due = NULL, *sub;
	bool all = false, json = false;
	int c;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		cli_help_exit(usage);
	if (argc < 2)
		cli_usage_exit(usage, "todo: say add, done or list");
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HOST:
			host = optarg;
			break;
		case OPT_DUE:
			due = optarg;
			break;
		case OPT_ALL:
			all = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option_in_text(usage, c, argv);
		}
	}
	if (!strcmp(sub, "add")) {
		if (all || json)
			cli_usage_exit(usage, "todo add: --all and --json are for list");
		return todo_add(argc - optind, argv + optind, host, due);
	}
	if (host && strcmp(sub, "list"))
		cli_usage_exit(usage, "todo %s: --host is for add and list", sub);
	if (due || ((all || json) && strcmp(sub, "list")))
		cli_usage_exit(usage, "todo %s: unexpected option", sub);
	if (!strcmp(sub, "done")) {
		if (optind + 1 != argc)
			cli_usage_exit(usage, "todo done: name one todo by its reference (HOST:SEQ)");
		return todo_done(argv[optind]);
	}
	if (!strcmp(sub, "list")) {
		if (optind != argc)
			cli_usage_exit(usage, "todo list: unexpected argument '%s'", argv[optind]);
		return todo_list(all, host, json);
	}
	cli_usage_exit(usage, "todo: '%s' is not add, done or list", sub);
}
