/*
 * logbook-browse: the program `logbook browse` runs (execs, see
 * src/cmd/cmd-browse.c), so that ncurses stays out of every other
 * logbook process.  The logbook as a console application over ssh or on
 * a rescue console: the day list, a day page folded and unfolded, search
 * as you type, the news since the last look, an incident's timeline and
 * a record's thread of replies.
 *
 *     logbook-browse [-C DIR] [--color=WHEN] [DAY]
 *
 * -C comes first when given (logbook always passes the journal it
 * resolved); the rest are the options of `logbook browse`, whose name the
 * messages keep.
 *
 * What it shows is what show, search, news and incident show print: the
 * same page model (view/page.h), the same renderer (view/render.h: every
 * byte of a record through render_escape), the same hit lines
 * (view/hitline.h).  The only escape sequences in those texts are the
 * renderer's own colours (a record's ESC is shown as \e), which this
 * program reads back into curses attributes; nothing else reaches the
 * terminal but what curses draws and OSC 52 (y: copy a reference).
 *
 * Read-only: it never writes a record, ingests no spool (show and news
 * do, browse does not) and keeps no cache of its own.  It brings the
 * search index and the incident cache in .state/ up to date (derived
 * data, as search and incident list do) and moves the news marker
 * (.state/news/ADMIN) when the news screen is opened, as news does.
 *
 * The terminal is given back on every way out: q, the end of input, a
 * fatal error (endwin before the message), and SIGTERM, SIGINT, SIGHUP,
 * SIGQUIT and the crash signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT), whose handler writes the terminal's own strings to leave the
 * alternate screen and show the cursor, puts back the terminal modes
 * saved at the start (tcsetattr: both async-signal-safe) and dies of the
 * signal.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <term.h>
/* term.h names every capability as a macro: the two that are words here */
#undef lines
#undef columns

#include "base/base64.h"
#include "base/buf.h"
#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "journal/ident.h"
#include "journal/incident.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/ref.h"
#include "journal/store.h"
#include "view/hitline.h"
#include "view/index.h"
#include "view/newsmark.h"
#include "view/page.h"
#include "view/render.h"
#include "view/threads.h"
#include "view/timeline.h"
#include "base/banned.h"

/* the first run of news shows this many days (cmd-news.c's NEWS_DAYS) */
#define NEWS_DAYS 7
/* results a search shows: the newest; a screenful many times over */
#define SEARCH_LIMIT 500
/* the search starts at this many characters: the index's trigrams */
#define SEARCH_MIN 3

static const char usage[] =
	"usage: logbook browse [--color=WHEN] [DAY]\n"
	"\n"
	"The logbook as a console application, for a terminal (ssh, a rescue\n"
	"console): the days, newest first, with their records per host, warnings,\n"
	"open incidents and what is new since your last look; a day page as show\n"
	"prints it, its diffs, mail bodies and long commands folded; search as\n"
	"you type; the news; an incident's timeline; a record's replies.  DAY\n"
	"opens that day's page first (today, yesterday, -N, YYYY_MM_DD).\n"
	"\n"
	"Keys: j/k or arrows move, PgDn/space and PgUp page, g/G first/last,\n"
	"Enter opens (a day, a result, an incident) or folds and unfolds (on a\n"
	"page), z unfolds or folds the whole page, [ and ] the previous and next\n"
	"day, / searches as you type (from 3 characters; Enter opens the page\n"
	"at the record), n/N the next and previous match, u the news since your\n"
	"last look, t the thread of replies of a record, y copies the record's\n"
	"reference (HOST:SEQ) to the clipboard through the terminal (OSC 52) and\n"
	"shows it, q or Esc goes back, ? shows the keys.\n"
	"\n"
	"Browsing writes no record and ingests nothing: it only brings the\n"
	"search index and the incident cache in .state/ up to date and, when\n"
	"you open the news, moves your news place (.state/news/), as logbook\n"
	"news does.\n"
	"\n"
	"  --color=WHEN   colour: auto (unless $NO_COLOR is set or the terminal\n"
	"                 has none), always or never\n"
	"  -h, --help     show this help\n"
	"\n"
	"Exit status: 0 when quit, 1 when the journal cannot be read or there\n"
	"is no terminal, 2 usage.\n";

static const char *const help_text[] = {
	"logbook browse: keys",
	"",
	"  j, Down         next line             k, Up          previous line",
	"  space, PgDn     next screen           PgUp, b        previous screen",
	"  g, Home         first line            G, End         last line",
	"  Enter           open the day, result or incident; on a page: fold/unfold",
	"  z               unfold (or fold again) every record of the page",
	"  [  ]            previous (older) and next (newer) day",
	"  /               search as you type (3 characters or more); Enter opens",
	"                  the page at the record, Esc stops typing",
	"  n  N            next and previous match of the search",
	"  u               news: what the others did since you last looked",
	"  t               the thread: the record and its replies",
	"  y               copy the record's reference (HOST:SEQ): shown on the",
	"                  status line and sent to the terminal's clipboard (OSC 52)",
	"  q, Esc          back; quit from the day list",
	"  ?               this help",
	"",
	"Read-only: browsing never writes a record and ingests nothing.  It",
	"brings the search index and the incident cache (.state/) up to date",
	"and, when you open the news, moves your place in it (.state/news/),",
	"as logbook news does.",
	NULL,
};

enum kind { DAYS, PAGE, SEARCH, NEWS, TIMELINE, THREAD, HELP };

struct line {
	char *text;		/* escaped, with the renderer's colour sequences */
	size_t len;
	int indent;		/* blanks before the text; a blank line: 0 */
	bool blank, folded;
	size_t rec;		/* a page's record: index into page.lines; SIZE_MAX: none */
	size_t target;		/* what Enter opens: a day, a hit, an incident; SIZE_MAX: nothing */
};

struct screen {
	enum kind kind;
	char title[256];
	struct line *lines;
	size_t n;
	size_t *vis;		/* the lines shown (folds closed hide lines) */
	size_t nvis;
	size_t cur, top;	/* in vis */
	/* a page */
	char day[DAY_LEN + 1];
	struct store_day_lines dl;
	struct page pg;
	bool has_page;
	/* search and news */
	struct hitlines hits;
	struct buf query;
	bool typing;
	bool stale;		/* the query changed since the results were found */
};

/*
 * A day of the list: its hosts' record files, listed at the start (no
 * file read: 10 years are 55,000 files), counted when the day is first
 * drawn, as its warnings are.
 */
struct day {
	char name[DAY_LEN + 1];
	char **hosts, **paths;
	size_t *counts;
	size_t n;
	bool counted;
	size_t warnings;	/* warning and critical events, once counted */
	bool unread;		/* news since the last look */
};

struct app {
	struct journal *j;
	struct ident id;
	bool color;
	struct day *days;	/* newest first */
	size_t ndays;
	struct threads threads;
	bool has_threads;
	struct incidents incidents;
	bool indexed;
	struct index_position pos;
	struct store_head *heads;	/* every host's head at the start, for the news marker */
	size_t nheads;
	struct newsmark mark;
	int64_t news_since;	/* records before this are not news (0: any), for hosts the marker has no head of */
	struct hitlines news;	/* since the last look, newest first */
	struct screen *stack[16];
	size_t depth;
	char status[512];
	char *last_query;	/* for n and N on a page */
};

static struct app app;

/* ---- the terminal, given back on every way out ---- */

static struct termios saved_tty;
static bool have_saved_tty, curses_on;
static char leave_seq[256];	/* what the handler writes: leave the alternate screen, show the cursor, reset */
static size_t leave_len;

static void add_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t len;

	if (!s || s == (char *)-1)
		return;
	len = strlen(s);
	if (leave_len + len < sizeof leave_seq) {
		memcpy(leave_seq + leave_len, s, len);
		leave_len += len;
	}
}

static void on_fatal_signal(int sig)
{
	if (curses_on) {
		ssize_t w = write(STDOUT_FILENO, leave_seq, leave_len);
		(void)w;
	}
	if (have_saved_tty)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void curses_stop(void)
{
	if (curses_on) {
		endwin();
		curses_on = false;
	}
}

static void handle_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

static void curses_start(void)
{
	if (tcgetattr(STDIN_FILENO, &saved_tty) == 0)
		have_saved_tty = true;
	/* Esc alone goes back at once, not after a second */
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	if (!initscr())
		die("browse: cannot start the terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
	curses_on = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* no mousemask: the terminal keeps its own selection and scrolling */
	leave_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	handle_signals();
	if (app.color) {
		start_color();
		if (use_default_colors() == ERR)
			assume_default_colors(COLOR_WHITE, COLOR_BLACK);
		init_pair(1, COLOR_RED, -1);
		init_pair(2, COLOR_GREEN, -1);
		init_pair(3, COLOR_YELLOW, -1);
		init_pair(4, COLOR_CYAN, -1);
	}
}

/* ---- lines ---- */

/* the blanks a line starts with, the renderer's colour sequences skipped */
static int line_indent(const char *s, size_t len, bool *blank)
{
	int n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\033' && i + 1 < len && s[i + 1] == '[') {
			for (i += 2; i < len && s[i] != 'm'; i++)
				;
			continue;
		}
		if (s[i] != ' ') {
			*blank = false;
			return n;
		}
		n++;
	}
	*blank = true;
	return 0;
}

static void screen_add(struct screen *s, const char *text, size_t len, size_t rec, size_t target)
{
	struct line *l;

	s->lines = xreallocarray(s->lines, s->n + 1, sizeof *s->lines);
	l = &s->lines[s->n++];
	memset(l, 0, sizeof *l);
	l->text = xstrndup(text, len);
	l->len = len;
	l->indent = line_indent(text, len, &l->blank);
	l->rec = rec;
	l->target = target;
}

/* every line of text (its last newline optional), none a record's */
static void screen_add_text(struct screen *s, const char *text, size_t len)
{
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		screen_add(s, p, (size_t)(stop - p), SIZE_MAX, SIZE_MAX);
		p = nl ? nl + 1 : end;
	}
}

/*
 * Whether line i of a page has lines under it: a heading or a record's
 * line (indented less than FOLD_INDENT) followed by deeper ones.  A
 * record's body (a diff, whose context lines start with blanks) is never
 * folded within itself.
 */
#define FOLD_INDENT 8
static bool has_children(const struct screen *s, size_t i)
{
	return s->kind == PAGE && i + 1 < s->n && !s->lines[i].blank && !s->lines[i + 1].blank &&
	       s->lines[i].indent < FOLD_INDENT && s->lines[i + 1].indent > s->lines[i].indent;
}

/* the lines under line i */
static size_t children_end(const struct screen *s, size_t i)
{
	size_t k = i + 1;

	while (k < s->n && !s->lines[k].blank && s->lines[k].indent > s->lines[i].indent)
		k++;
	return k;
}

static void screen_layout(struct screen *s)
{
	size_t keep = s->nvis ? s->vis[s->cur] : 0;

	free(s->vis);
	s->vis = xcalloc(s->n ? s->n : 1, sizeof *s->vis);
	s->nvis = 0;
	for (size_t i = 0; i < s->n;) {
		s->vis[s->nvis++] = i;
		i = s->lines[i].folded && has_children(s, i) ? children_end(s, i) : i + 1;
	}
	s->cur = 0;
	for (size_t v = 0; v < s->nvis && s->vis[v] <= keep; v++)
		s->cur = v;
}

/* open every fold that hides line i */
static void unfold_to(struct screen *s, size_t i)
{
	int indent = s->lines[i].indent;

	for (size_t k = i; k-- > 0 && !s->lines[k].blank;) {
		if (s->lines[k].indent < indent) {
			s->lines[k].folded = false;
			indent = s->lines[k].indent;
		}
	}
}

static void screen_goto(struct screen *s, size_t line)
{
	unfold_to(s, line);
	screen_layout(s);
	for (size_t v = 0; v < s->nvis; v++)
		if (s->vis[v] == line) {
			s->cur = v;
			s->top = v > 2 ? v - 2 : 0;
		}
}

static struct screen *screen_new(enum kind kind)
{
	struct screen *s = xcalloc(1, sizeof *s);

	s->kind = kind;
	s->query = (struct buf)BUF_INIT;
	return s;
}

static void screen_free(struct screen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i].text);
	free(s->lines);
	free(s->vis);
	if (s->has_page) {
		page_release(&s->pg);
		store_day_lines_free(&s->dl);
	}
	hitlines_release(&s->hits);
	buf_release(&s->query);
	free(s);
}

static void push(struct screen *s)
{
	if (app.depth == sizeof app.stack / sizeof *app.stack) {
		screen_free(app.stack[1]);
		memmove(app.stack + 1, app.stack + 2, (app.depth - 2) * sizeof *app.stack);
		app.depth--;
	}
	screen_layout(s);
	app.stack[app.depth++] = s;
}

static struct screen *top_screen(void)
{
	return app.stack[app.depth - 1];
}

static void say(const char *fmt, const char *arg)
{
	snprintf(app.status, sizeof app.status, fmt, arg);
}

/* ---- drawing ---- */

/* the attributes of one of the renderer's colour sequences (the parameters between "ESC[" and "m") */
static attr_t sgr_attr(attr_t a, const char *p, size_t len)
{
	long v = 0;
	bool any = false;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && p[i] >= '0' && p[i] <= '9') {
			v = v * 10 + (p[i] - '0');
			any = true;
			continue;
		}
		if (!any || v == 0)
			a = A_NORMAL;
		else if (v == 1)
			a |= A_BOLD;
		else if (v == 2)
			a |= A_DIM;
		else if (app.color && v == 31)
			a = (a & ~A_COLOR) | COLOR_PAIR(1);
		else if (app.color && v == 32)
			a = (a & ~A_COLOR) | COLOR_PAIR(2);
		else if (app.color && v == 33)
			a = (a & ~A_COLOR) | COLOR_PAIR(3);
		else if (app.color && v == 36)
			a = (a & ~A_COLOR) | COLOR_PAIR(4);
		v = 0;
		any = false;
	}
	return a;
}

/* text at row from column col, at most width columns, in attribute base plus its own colours; the columns used */
static int draw_text(int row, int col, int width, const char *s, size_t len, attr_t base)
{
	mbstate_t st;
	attr_t a = A_NORMAL;
	int used = 0;

	memset(&st, 0, sizeof st);
	move(row, col);
	for (size_t i = 0; i < len && used < width;) {
		wchar_t wc;
		size_t n;
		int w;

		if (s[i] == '\033' && i + 1 < len && s[i + 1] == '[') {
			size_t k = i + 2;
			while (k < len && s[k] != 'm')
				k++;
			a = sgr_attr(a, s + i + 2, k - i - 2);
			i = k + 1;
			continue;
		}
		attrset(base | a);
		if (s[i] == '\t') {
			do
				addch(' ');
			while (++used % 8 && used < width);
			i++;
			continue;
		}
		n = mbrtowc(&wc, s + i, len - i, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* render_escape lets no such byte through; should one come, it is shown, not sent */
			memset(&st, 0, sizeof st);
			wc = L'?';
			n = 1;
		}
		w = wcwidth(wc);
		if (w < 0) {
			wc = L'?';
			w = 1;
		}
		if (used + w > width)
			break;
		addnwstr(&wc, 1);
		used += w;
		i += n;
	}
	attrset(A_NORMAL);
	return used;
}

static size_t hidden_count(const struct screen *s, size_t i)
{
	return s->lines[i].folded && has_children(s, i) ? children_end(s, i) - i - 1 : 0;
}

static void draw(void)
{
	struct screen *s = top_screen();
	int rows = LINES - 2;
	char pos[64];

	if (rows < 1)
		rows = 1;
	if (s->cur < s->top)
		s->top = s->cur;
	if (s->cur >= s->top + (size_t)rows)
		s->top = s->cur - (size_t)rows + 1;
	erase();
	attrset(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	draw_text(0, 1, COLS - 2, s->title, strlen(s->title), A_REVERSE);
	for (int r = 0; r < rows && s->top + (size_t)r < s->nvis; r++) {
		size_t v = s->top + (size_t)r, i = s->vis[v];
		const struct line *l = &s->lines[i];
		attr_t base = v == s->cur ? A_REVERSE : A_NORMAL;
		size_t hidden = hidden_count(s, i);
		int used;

		if (v == s->cur) {
			attrset(A_REVERSE);
			mvhline(r + 1, 0, ' ', COLS);
		}
		used = draw_text(r + 1, 0, COLS, l->text, l->len, base);
		if (hidden && used + 4 < COLS) {
			char more[32];
			snprintf(more, sizeof more, " [+%zu]", hidden);
			draw_text(r + 1, used, COLS - used, more, strlen(more), base | A_BOLD);
		}
	}
	/* the status line: what was said, or the search being typed; where we are */
	attrset(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	snprintf(pos, sizeof pos, " %zu/%zu ", s->nvis ? s->cur + 1 : 0, s->nvis);
	if (s->typing) {
		struct buf q = BUF_INIT;
		buf_addc(&q, '/');
		render_escape(&q, buf_str(&s->query), s->query.len, false);
		draw_text(LINES - 1, 0, COLS - (int)strlen(pos) - 1, buf_str(&q), q.len, A_REVERSE);
		buf_release(&q);
	} else {
		const char *msg = app.status[0] ? app.status : "q back  ? help  / search  u news";
		draw_text(LINES - 1, 0, COLS - (int)strlen(pos) - 1, msg, strlen(msg), A_REVERSE);
	}
	if ((int)strlen(pos) < COLS)
		mvaddstr(LINES - 1, COLS - (int)strlen(pos), pos);
	attrset(A_NORMAL);
	refresh();
}

/* ---- the screens ---- */

struct day_count {
	size_t lines, warnings;
};

/* a line of a day's file: a record, and maybe an event at warning or critical */
static int count_line(const char *line, size_t len, size_t lineno, void *arg)
{
	struct day_count *c = arg;
	struct record *r;
	const char *level;

	(void)lineno;
	c->lines++;
	/* only the lines that may be events are parsed */
	if (index_find(line, len, "\"event\"", 7) < 0 || !(r = rec_parse(line, len, false)))
		return 0;
	level = !strcmp(r->kind, "event") ? rec_get_str(r, "level", NULL) : NULL;
	if (level && (!strcmp(level, "warning") || !strcmp(level, "critical")))
		c->warnings++;
	rec_free(r);
	return 0;
}

/* day i's records per host and its warnings, counted from its files when it is first shown */
static struct day *day_counted(size_t i)
{
	struct day *d = &app.days[i];

	if (!d->counted) {
		d->counted = true;
		for (size_t h = 0; h < d->n; h++) {
			struct day_count c = { 0 };
			if (store_scan_file(d->paths[h], count_line, &c) < 0)
				continue;
			d->counts[h] = c.lines;
			d->warnings += c.warnings;
		}
	}
	return d;
}

static int add_day_file(const char *day, const char *host, const char *path, void *arg)
{
	struct day *d;

	(void)arg;
	if (!app.ndays || strcmp(app.days[app.ndays - 1].name, day)) {
		app.days = xreallocarray(app.days, app.ndays + 1, sizeof *app.days);
		d = &app.days[app.ndays++];
		memset(d, 0, sizeof *d);
		snprintf(d->name, sizeof d->name, "%s", day);
	}
	d = &app.days[app.ndays - 1];
	d->hosts = xreallocarray(d->hosts, d->n + 1, sizeof *d->hosts);
	d->paths = xreallocarray(d->paths, d->n + 1, sizeof *d->paths);
	d->counts = xreallocarray(d->counts, d->n + 1, sizeof *d->counts);
	d->hosts[d->n] = xstrdup(host);
	d->paths[d->n] = xstrdup(path);
	d->counts[d->n++] = 0;
	return 0;
}

static void days_release(void)
{
	for (size_t i = 0; i < app.ndays; i++) {
		for (size_t h = 0; h < app.days[i].n; h++) {
			free(app.days[i].hosts[h]);
			free(app.days[i].paths[h]);
		}
		free(app.days[i].hosts);
		free(app.days[i].paths);
		free(app.days[i].counts);
	}
	free(app.days);
}

/* whether an open incident covers day */
static bool day_in_incident(const char *day)
{
	for (size_t i = 0; i < app.incidents.n; i++) {
		const struct incident *in = &app.incidents.v[i];
		char first[DAY_LEN + 1];
		if (in->ncloses || day_of(in->opened, first) < 0)
			continue;
		if (strcmp(day, first) >= 0)
			return true;
	}
	return false;
}

static void day_line(struct buf *out, size_t i)
{
	const struct day *d = day_counted(i);
	const char *bold = app.color ? "\033[1m" : "", *reset = app.color ? "\033[m" : "";
	size_t total = 0;
	char title[64];

	for (size_t h = 0; h < d->n; h++)
		total += d->counts[h];
	day_title(d->name, title, sizeof title);
	buf_addf(out, "%s%s %s%s %-3.3s %7zu ", d->unread ? bold : "", d->unread ? "*" : " ", d->name, reset, title,
		 total);
	for (size_t h = 0; h < d->n; h++) {
		buf_addc(out, ' ');
		render_escape(out, d->hosts[h], strlen(d->hosts[h]), false);
		buf_addf(out, ":%zu", d->counts[h]);
	}
	if (d->warnings)
		buf_addf(out, "  %s%zu warning%s%s", app.color ? "\033[33m" : "", d->warnings,
			 d->warnings == 1 ? "" : "s", reset);
	if (day_in_incident(d->name))
		buf_addf(out, "  %sincident%s", app.color ? "\033[31m" : "", reset);
}

/* the day list: open incidents first (Enter: their timeline), then the days */
static struct screen *days_screen(void)
{
	struct screen *s = screen_new(DAYS);
	struct buf b = BUF_INIT;

	snprintf(s->title, sizeof s->title, "logbook browse: %zu days (* new since your last look)", app.ndays);
	for (size_t i = 0; i < app.incidents.n; i++) {
		if (app.incidents.v[i].ncloses)
			continue;
		buf_reset(&b);
		buf_adds(&b, app.color ? "\033[31mincident\033[m " : "incident ");
		timeline_incident_line(&b, &app.incidents.v[i]);
		screen_add(s, b.data, b.len, SIZE_MAX, SIZE_MAX - 1 - i);
	}
	for (size_t i = 0; i < app.ndays; i++) {
		/* the warnings are counted when the line is first drawn */
		screen_add(s, "", 0, SIZE_MAX, i);
	}
	buf_release(&b);
	return s;
}

/* fill in the day lines about to be drawn (each costs a look in the index) */
static void days_fill(struct screen *s)
{
	struct buf b = BUF_INIT;
	int rows = LINES > 2 ? LINES - 2 : 1;
	size_t from = s->cur > (size_t)rows ? s->cur - (size_t)rows : 0;

	for (size_t v = from; v < s->nvis && v <= s->cur + (size_t)rows; v++) {
		struct line *l = &s->lines[s->vis[v]];
		if (l->len || l->target >= app.ndays)
			continue;
		buf_reset(&b);
		day_line(&b, l->target);
		free(l->text);
		l->text = xstrndup(buf_str(&b), b.len);
		l->len = b.len;
	}
	buf_release(&b);
}

struct marks {
	size_t *line, *offset;
	size_t n;
};

static void on_mark(void *arg, size_t line, size_t offset)
{
	struct marks *m = arg;

	m->line = xreallocarray(m->line, m->n + 1, sizeof *m->line);
	m->offset = xreallocarray(m->offset, m->n + 1, sizeof *m->offset);
	m->line[m->n] = line;
	m->offset[m->n++] = offset;
}

/* day's page, as show renders it, its records' bodies folded; NULL when the day cannot be read */
static struct screen *page_screen(const char *day)
{
	struct screen *s = screen_new(PAGE);
	struct render rd = { .color = app.color };
	struct marks m = { 0 };
	struct buf out = BUF_INIT;
	size_t k = 0;

	snprintf(s->day, sizeof s->day, "%s", day);
	if (store_day_lines_load(app.j, day, &s->dl) < 0) {
		say("browse: %s", errget());
		free(s);
		return NULL;
	}
	s->has_page = true;
	page_init(&s->pg, day, app.j->tz, conf_get(app.j->conf, "show", NULL, "noise"));
	for (size_t i = 0; i < s->dl.n; i++) {
		const char *line, *path;
		size_t len, lineno;
		store_day_line(&s->dl, i, &line, &len, &path, &lineno);
		page_add(&s->pg, line, len, path, lineno);
	}
	page_finish(&s->pg);
	if (app.has_threads)
		s->pg.threads = &app.threads;
	rd.mark = on_mark;
	rd.mark_arg = &m;
	render_day_header(&rd, &out, day, app.j->tz, s->pg.records);
	render_day_page(&rd, &out, &s->pg);
	render_release(&rd);
	if (!s->pg.records)
		buf_adds(&out, "\n  no records\n");
	for (const char *p = buf_str(&out), *end = p + out.len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		size_t at = (size_t)(p - buf_str(&out)), rec = SIZE_MAX;
		while (k < m.n && m.offset[k] <= at)
			k++;
		/* a line belongs to the record marked last before it, unless it is a heading (indent under 4) */
		if (k > 0)
			rec = m.line[k - 1];
		screen_add(s, p, (size_t)(stop - p), rec, SIZE_MAX);
		if (s->lines[s->n - 1].indent < 4 || s->lines[s->n - 1].blank)
			s->lines[s->n - 1].rec = SIZE_MAX;
		p = nl ? nl + 1 : end;
	}
	/* a record's body (a diff, a mail, a long command, replies) is folded; a stretch's records are not */
	for (size_t i = 0; i < s->n; i++)
		s->lines[i].folded = s->lines[i].indent >= 4 && has_children(s, i);
	snprintf(s->title, sizeof s->title, "%s  (%zu records)   Enter fold/unfold  z all  [ ] days  t thread  y copy",
		 day, s->pg.records);
	if (s->dl.warnings.n)
		say("browse: %s", s->dl.warnings.msgs[0]);
	free(m.line);
	free(m.offset);
	buf_release(&out);
	return s;
}

/* the first line of record host:seq on page s, else the first record at or after time; SIZE_MAX when none */
static size_t page_find(const struct screen *s, const char *host, int64_t seq, int64_t time)
{
	size_t after = SIZE_MAX;
	size_t last = SIZE_MAX;

	for (size_t i = 0; i < s->n; i++) {
		struct record *r;
		if (s->lines[i].rec == SIZE_MAX || s->lines[i].rec == last)
			continue;
		last = s->lines[i].rec;
		if (!(r = page_record(&s->pg, last)))
			continue;
		if (!strcmp(r->host, host) && r->seq == seq) {
			rec_free(r);
			return i;
		}
		if (after == SIZE_MAX && r->time >= time)
			after = i;
		rec_free(r);
	}
	return after;
}

/* whether line i shows text (as shown: escaped, the colours aside; ASCII case ignored) */
static bool line_has(const struct screen *s, size_t i, const char *text)
{
	const struct line *l = &s->lines[i];
	struct buf plain = BUF_INIT, esc = BUF_INIT;
	bool found;

	for (size_t k = 0; k < l->len; k++) {
		if (l->text[k] == '\033' && k + 1 < l->len && l->text[k + 1] == '[') {
			while (k < l->len && l->text[k] != 'm')
				k++;
			continue;
		}
		buf_addc(&plain, l->text[k]);
	}
	render_escape(&esc, text, strlen(text), false);
	found = index_find(buf_str(&plain), plain.len, buf_str(&esc), esc.len) >= 0;
	buf_release(&plain);
	buf_release(&esc);
	return found;
}

/* the next line (forward, or backward) from the cursor holding text, unfolded; false when none */
static bool page_next_match(struct screen *s, const char *text, bool forward)
{
	size_t from = s->nvis ? s->vis[s->cur] : 0, n = s->n;

	if (!text || !*text || !n)
		return false;
	for (size_t step = 1; step <= n; step++) {
		size_t i = forward ? (from + step) % n : (from + n - step) % n;
		if (line_has(s, i, text)) {
			screen_goto(s, i);
			return true;
		}
	}
	return false;
}

static void open_page_at(const char *day, const char *host, int64_t seq, int64_t time, const char *query)
{
	struct screen *s = page_screen(day);
	size_t at;

	if (!s)
		return;
	push(s);
	at = page_find(s, host, seq, time);
	if (at == SIZE_MAX)
		return;
	/* the line of the record that holds the match: a line of its diff, of its mail */
	for (size_t i = at; query && *query && i < s->n && s->lines[i].rec == s->lines[at].rec; i++) {
		if (line_has(s, i, query)) {
			at = i;
			break;
		}
	}
	screen_goto(s, at);
}

static void fill_hits(struct screen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i].text);
	s->n = 0;
	for (size_t i = 0; i < s->hits.n; i++)
		screen_add(s, s->hits.v[i].text, strlen(s->hits.v[i].text), SIZE_MAX, i);
	s->nvis = 0;
	s->top = 0;
	screen_layout(s);
}

/* what one key of a search as you type does: the newest SEARCH_LIMIT records holding the query */
static void search_run(struct screen *s)
{
	struct index_query q = { .limit = SEARCH_LIMIT };
	char msg[128];

	size_t chars = 0;

	s->stale = false;
	hitlines_release(&s->hits);
	for (size_t i = 0; i < s->query.len; i++)
		chars += ((unsigned char)s->query.data[i] & 0xc0) != 0x80;
	/* fewer than 3 characters: no trigram to look up, a scan of every record's text (seconds at 10M) */
	if (chars >= SEARCH_MIN) {
		q.text = buf_str(&s->query);
		if (hitline_search(app.j, &q, app.color, NULL, NULL, &s->hits) < 0)
			say("search: %s", errget());
	}
	fill_hits(s);
	if (chars < SEARCH_MIN)
		snprintf(s->title, sizeof s->title, "search: type %d characters or more", SEARCH_MIN);
	else
		snprintf(s->title, sizeof s->title, "search: %zu%s record%s, newest first   Enter opens its page",
			 s->hits.n, s->hits.n == SEARCH_LIMIT ? "+" : "", s->hits.n == 1 ? "" : "s");
	snprintf(msg, sizeof msg, "%s", s->hits.n || chars < SEARCH_MIN ? "" : "nothing matches");
	say("%s", msg);
}

static struct screen *search_screen(void)
{
	struct screen *s = screen_new(SEARCH);

	s->typing = true;
	snprintf(s->title, sizeof s->title, "search as you type: Enter opens the page, Esc goes back");
	return s;
}

/* news as cmd-news.c takes it: not this admin's own doings but the machines', no session nor signature */
static bool keep_news(const struct index_hit *hit, void *arg)
{
	int64_t head;

	(void)arg;
	if (!strcmp(hit->admin, app.id.admin) && strcmp(hit->kind, "event"))
		return false;
	/* a host the marker knows: its chain says what was here; others: the time (when it stands in) */
	if (app.mark.valid && (head = newsmark_head(&app.mark, hit->host)) >= 0 ? hit->seq <= head
										   : hit->time < app.news_since)
		return false;
	return strcmp(hit->kind, "session") && strcmp(hit->kind, "sign");
}

/* what is new since the last look, newest first, and the days it is on */
static void news_load(void)
{
	struct index_query q = { .limit = 0 };
	char since[DAY_LEN + 1], spec[16];
	int64_t now = day_now_us();

	snprintf(spec, sizeof spec, "-%d", NEWS_DAYS - 1);
	day_parse(spec, now, since);
	q.since = since;
	if (app.mark.valid && app.indexed && !strcmp(app.mark.generation, app.pos.generation)) {
		q.after_id = app.mark.last_id;
		q.since = NULL;
	} else if (app.mark.valid) {
		/* the index was rebuilt: the heads say what was here, the time of the last look for hosts without */
		app.news_since = app.mark.time;
		if (!app.mark.nheads)
			day_of(app.mark.time, since);
	}
	if (hitline_search(app.j, &q, app.color, keep_news, NULL, &app.news) < 0)
		say("news: %s", errget());
	for (size_t i = 0; i < app.news.n; i++) {
		/* the list is newest first: a binary search */
		size_t lo = 0, hi = app.ndays;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(app.days[mid].name, app.news.v[i].day);
			if (!c) {
				app.days[mid].unread = true;
				break;
			}
			if (c > 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
}

static struct screen *news_screen(void)
{
	struct screen *s = screen_new(NEWS);

	for (size_t i = 0; i < app.news.n; i++)
		screen_add(s, app.news.v[i].text, strlen(app.news.v[i].text), SIZE_MAX, i);
	if (!app.news.n)
		screen_add_text(s, "nothing new since you last looked", 33);
	snprintf(s->title, sizeof s->title, "news: %zu record%s since your last look, newest first", app.news.n,
		 app.news.n == 1 ? "" : "s");
	/* looking is what moves the place, as logbook news does */
	if (app.indexed && newsmark_write(app.j, app.id.admin, &app.pos, day_now_us(), app.heads, app.nheads) < 0)
		say("news: %s", errget());
	for (size_t d = 0; d < app.ndays; d++)
		app.days[d].unread = false;
	/* the day list's lines are made again, without their marks */
	for (size_t i = 0; i < app.stack[0]->n; i++)
		if (app.stack[0]->lines[i].target < app.ndays)
			app.stack[0]->lines[i].len = 0;
	return s;
}

/* an incident's timeline, as incident show prints it */
static struct screen *timeline_screen(const struct incident *in)
{
	struct screen *s = screen_new(TIMELINE);
	struct timeline t = { .incident = in, .tz = app.j->tz };
	int64_t end = in->ncloses ? in->closes[0].time : day_now_us();
	char day[DAY_LEN + 1], last[DAY_LEN + 1];
	struct store_day *days = NULL;
	size_t ndays = 0;
	struct buf out = BUF_INIT;

	if (day_of(in->opened, day) == 0 && day_of(end, last) == 0) {
		for (;;) {
			struct store_day *d;
			days = xreallocarray(days, ndays + 1, sizeof *days);
			d = &days[ndays++];
			if (store_load_day(app.j, day, d, true) < 0) {
				say("incident: %s", errget());
				memset(d, 0, sizeof *d);
			}
			for (size_t i = 0; i < d->n; i++) {
				struct record *rec = d->recs[i];
				if (rec->time < in->opened || rec->time > end || !timeline_wants(rec))
					continue;
				t.recs = xreallocarray(t.recs, t.n + 1, sizeof *t.recs);
				t.recs[t.n++] = rec;
			}
			if (!strcmp(day, last) || !day_next(day, day))
				break;
		}
	}
	timeline_text(&out, &t, app.color);
	screen_add_text(s, buf_str(&out), out.len);
	snprintf(s->title, sizeof s->title, "incident %s: timeline", in->id);
	for (size_t i = 0; i < ndays; i++)
		store_day_free(&days[i]);
	free(days);
	free(t.recs);
	buf_release(&out);
	return s;
}

/* the record at the cursor of a page, parsed; NULL when the line is no record's */
static struct record *page_cursor_record(const struct screen *s)
{
	size_t rec;

	if (s->kind != PAGE || !s->nvis || (rec = s->lines[s->vis[s->cur]].rec) == SIZE_MAX)
		return NULL;
	return page_record(&s->pg, rec);
}

/* the thread of the record at the cursor: what it answers (when a reply), then the replies under it */
static struct screen *thread_screen(struct record *rec)
{
	struct screen *s;
	struct render rd = { .color = app.color, .threads = app.has_threads ? &app.threads : NULL };
	const char *reply = rec_get_str(rec, "reply", NULL);
	struct record *target = NULL;
	struct rec_ref ref;
	struct buf out = BUF_INIT;
	char name[REF_MAX + 1];

	if (reply && ref_parse(reply, strlen(reply), &ref) == 0 && threads_find(app.j, &ref, &target, NULL) == 1)
		rec = target;
	ref_format(rec->host, rec->seq, name);
	s = screen_new(THREAD);
	render_record(&rd, &out, rec);
	render_release(&rd);
	screen_add_text(s, buf_str(&out), out.len);
	snprintf(s->title, sizeof s->title, "thread of %s: the record and its replies", name);
	rec_free(target);
	buf_release(&out);
	return s;
}

static struct screen *help_screen(void)
{
	struct screen *s = screen_new(HELP);

	for (size_t i = 0; help_text[i]; i++)
		screen_add(s, help_text[i], strlen(help_text[i]), SIZE_MAX, SIZE_MAX);
	snprintf(s->title, sizeof s->title, "help: q goes back");
	return s;
}

/* ---- keys ---- */

/* OSC 52: the terminal (or tmux, or the terminal ssh runs in) puts it on the clipboard */
static void copy_ref(const char *ref)
{
	struct buf seq = BUF_INIT;
	ssize_t w;

	buf_adds(&seq, "\033]52;c;");
	base64_encode(&seq, ref, strlen(ref));
	buf_adds(&seq, "\a");
	refresh();
	w = write(STDOUT_FILENO, seq.data, seq.len);
	(void)w;
	buf_release(&seq);
	say("copied %s (the terminal's clipboard, OSC 52)", ref);
}

static void act_copy(struct screen *s)
{
	char ref[REF_MAX + 1];
	struct record *r;

	if ((s->kind == SEARCH || s->kind == NEWS) && s->nvis && s->lines[s->vis[s->cur]].target != SIZE_MAX) {
		const struct hitlines *hs = s->kind == NEWS ? &app.news : &s->hits;
		const struct hitline *h = &hs->v[s->lines[s->vis[s->cur]].target];
		ref_format(h->host, h->seq, ref);
		copy_ref(ref);
	} else if ((r = page_cursor_record(s))) {
		if (r->seq > 0) {
			ref_format(r->host, r->seq, ref);
			copy_ref(ref);
		} else {
			say("%s", "this record has no reference (it is in no host's chain)");
		}
		rec_free(r);
	} else {
		say("%s", "no record here: move to one to copy its reference");
	}
}

/* [ and ]: the day before or after the page's, among the days that have records */
static void act_day(struct screen *s, int dir)
{
	struct screen *n;

	for (size_t i = 0; i < app.ndays; i++) {
		if (strcmp(app.days[i].name, s->day))
			continue;
		/* the list is newest first: the older day is the next one */
		if ((dir < 0 && i + 1 >= app.ndays) || (dir > 0 && i == 0)) {
			say("%s", dir < 0 ? "no older day" : "no newer day");
			return;
		}
		if ((n = page_screen(app.days[dir < 0 ? i + 1 : i - 1].name))) {
			app.depth--;
			screen_free(s);
			push(n);
		}
		return;
	}
	say("%s", "no other day");
}

static void act_enter(struct screen *s)
{
	const struct line *l;

	if (!s->nvis)
		return;
	l = &s->lines[s->vis[s->cur]];
	switch (s->kind) {
	case DAYS:
		if (l->target < app.ndays) {
			struct screen *p = page_screen(app.days[l->target].name);
			if (p)
				push(p);
		} else if (l->target != SIZE_MAX) {
			push(timeline_screen(&app.incidents.v[SIZE_MAX - 1 - l->target]));
		}
		break;
	case PAGE:
		if (has_children(s, s->vis[s->cur])) {
			size_t i = s->vis[s->cur], last;
			int rows = LINES > 2 ? LINES - 2 : 1;
			s->lines[i].folded = !l->folded;
			screen_layout(s);
			/* what was unfolded comes into view, the line itself kept on the screen */
			last = s->cur + (children_end(s, i) - i - 1);
			if (!s->lines[i].folded && last >= s->top + (size_t)rows)
				s->top = last - (size_t)rows + 1 < s->cur ? last - (size_t)rows + 1 : s->cur;
		}
		break;
	case SEARCH:
	case NEWS:
		if (l->target != SIZE_MAX) {
			const struct hitline *h = &(s->kind == NEWS ? &app.news : &s->hits)->v[l->target];
			if (s->kind == SEARCH) {
				free(app.last_query);
				app.last_query = xstrdup(buf_str(&s->query));
			}
			open_page_at(h->day, h->host, h->seq, h->time, s->kind == SEARCH ? buf_str(&s->query) : NULL);
		}
		break;
	default:
		break;
	}
}

static void move_by(struct screen *s, long d)
{
	long c = (long)s->cur + d;

	if (c >= (long)s->nvis)
		c = (long)s->nvis - 1;
	if (c < 0)
		c = 0;
	s->cur = (size_t)c;
}

/* false: quit */
static bool pop(void)
{
	if (app.depth <= 1)
		return false;
	screen_free(app.stack[--app.depth]);
	return true;
}

/* a key while a search is typed: true when taken */
static bool act_typing(struct screen *s, int rc, wint_t k)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n;

	if (rc == KEY_CODE_YES) {
		/* arrows and pages move in the results */
		if (k != KEY_BACKSPACE && k != KEY_ENTER)
			return false;
		k = k == KEY_BACKSPACE ? 127 : '\r';
	}
	switch (k) {
	case 27:
		/* the results stay: Esc or q again goes back */
		s->typing = false;
		return true;
	case '\r':
	case '\n':
		s->typing = false;
		/* keys typed faster than the search: the results of the query as it is */
		if (s->stale)
			search_run(s);
		act_enter(s);
		return true;
	case 127:
	case 8:
		/* one character, however many bytes */
		while (s->query.len && ((unsigned char)s->query.data[s->query.len - 1] & 0xc0) == 0x80)
			buf_truncate(&s->query, s->query.len - 1);
		if (s->query.len)
			buf_truncate(&s->query, s->query.len - 1);
		break;
	case 21:	/* ^U */
		buf_reset(&s->query);
		break;
	default:
		if (k < 32)
			return true;
		memset(&st, 0, sizeof st);
		n = wcrtomb(mb, (wchar_t)k, &st);
		if (n == (size_t)-1)
			return true;
		buf_add(&s->query, mb, n);
	}
	s->stale = true;
	return true;
}

static int read_key(wint_t *k)
{
	return get_wch(k);
}

static void loop(void)
{
	for (;;) {
		struct screen *s = top_screen();
		wint_t k;
		int rc;

		if (s->kind == DAYS)
			days_fill(s);
		draw();
		rc = read_key(&k);
		if (rc == ERR) {
			if (errno == EINTR)
				continue;
			return;	/* no more input: the terminal went away */
		}
		app.status[0] = '\0';
		if (rc == KEY_CODE_YES && k == KEY_RESIZE)
			continue;
		if (s->typing) {
			size_t depth = app.depth;
			if (act_typing(s, rc, k)) {
				if (app.depth == depth && s->typing) {
					/* the keys typed meanwhile first, then one search for them all */
					nodelay(stdscr, TRUE);
					while ((rc = read_key(&k)) != ERR) {
						if (!act_typing(s, rc, k)) {
							/* not for the query (an arrow): read it next */
							if (rc == KEY_CODE_YES)
								ungetch((int)k);
							else
								unget_wch((wchar_t)k);
							break;
						}
						if (app.depth != depth || !s->typing)
							break;
					}
					nodelay(stdscr, FALSE);
					if (app.depth == depth && s->stale)
						search_run(s);
				}
				continue;
			}
		}
		if (rc == KEY_CODE_YES) {
			switch (k) {
			case KEY_DOWN:
				move_by(s, 1);
				break;
			case KEY_UP:
				move_by(s, -1);
				break;
			case KEY_NPAGE:
				move_by(s, LINES - 3);
				break;
			case KEY_PPAGE:
				move_by(s, -(LINES - 3));
				break;
			case KEY_HOME:
				s->cur = 0;
				break;
			case KEY_END:
				move_by(s, (long)s->nvis);
				break;
			case KEY_ENTER:
				act_enter(s);
				break;
			}
			continue;
		}
		switch (k) {
		case 'j':
			move_by(s, 1);
			break;
		case 'k':
			move_by(s, -1);
			break;
		case ' ':
		case 6:		/* ^F */
			move_by(s, LINES - 3);
			break;
		case 'b':
		case 2:		/* ^B */
			move_by(s, -(LINES - 3));
			break;
		case 'g':
			s->cur = 0;
			break;
		case 'G':
			move_by(s, (long)s->nvis);
			break;
		case '\r':
		case '\n':
			act_enter(s);
			break;
		case 'q':
		case 27:
			if (!pop())
				return;
			break;
		case '?':
			push(help_screen());
			break;
		case '/':
			if (s->kind == SEARCH) {
				s->typing = true;
			} else {
				push(search_screen());
			}
			break;
		case 'n':
		case 'N':
			if (s->kind == SEARCH || s->kind == NEWS)
				move_by(s, k == 'n' ? 1 : -1);
			else if (s->kind == PAGE && !page_next_match(s, app.last_query, k == 'n'))
				say("%s", app.last_query ? "no match on this page" : "no search yet: / searches");
			break;
		case 'u':
			push(news_screen());
			break;
		case 'y':
			act_copy(s);
			break;
		case 't': {
			struct record *r = page_cursor_record(s);
			if (r) {
				push(thread_screen(r));
				rec_free(r);
			} else {
				say("%s", "no record here: t shows a record's thread");
			}
			break;
		}
		case 'z':
			if (s->kind == PAGE) {
				bool any = false;
				for (size_t i = 0; i < s->n; i++)
					any |= s->lines[i].folded && has_children(s, i);
				for (size_t i = 0; i < s->n; i++)
					s->lines[i].folded = any ? false : s->lines[i].indent >= 4 && has_children(s, i);
				screen_layout(s);
			}
			break;
		case '[':
		case ']':
			if (s->kind == PAGE)
				act_day(s, k == '[' ? -1 : 1);
			break;
		case 12:	/* ^L */
			clearok(stdscr, TRUE);
			break;
		}
	}
}

/* the locale's characters, UTF-8 (a record is UTF-8; the tests run in the C locale) */
static void utf8_locale(void)
{
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") && !setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "C.utf8");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "color", required_argument, NULL, 'c' },
		{ "colour", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char name[] = "browse";
	struct store_warnings warnings = { 0 };
	const char *dir = NULL, *when = "auto", *spec = NULL, *term;
	char day[DAY_LEN + 1];
	int c;

	/* -C DIR first, as logbook passes it */
	if (argc > 2 && !strcmp(argv[1], "-C")) {
		dir = argv[2];
		argv += 2;
		argc -= 2;
	}
	/* the messages name the command, as logbook's own do */
	argv[0] = name;
	/* a day given as "-3" (3 days ago) is no option: taken out before getopt sees it, as show does */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9' &&
		    strspn(argv[i] + 1, "0123456789") == strlen(argv[i] + 1)) {
			if (spec)
				cli_usage_exit(usage, "browse: one day, not '%s' and '%s'", spec, argv[i]);
			spec = argv[i];
			memmove(argv + i, argv + i + 1, (size_t)(argc - i) * sizeof *argv);
			argc--;
			i--;
		}
	}
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
				cli_usage_exit(usage, "browse: --color takes auto, always or never, not '%s'", optarg);
			when = optarg;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (argc - optind > (spec ? 0 : 1))
		cli_usage_exit(usage, "browse: too many arguments");
	if (optind < argc)
		spec = argv[optind];
	if (spec && day_parse(spec, day_now_us(), day) < 0)
		cli_usage_exit(usage, "browse: %s", errget());
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		die("browse: needs a terminal (show, search and news print to a pipe)");
	utf8_locale();
	term = getenv("TERM");
	app.color = !strcmp(when, "always") ||
		    (!strcmp(when, "auto") && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb")));

	if (!(app.j = journal_open(journal_locate(dir))))
		die_err();
	if (ident_resolve_in(&app.id, app.j) < 0)
		die_err();
	if (store_each_file(app.j, 0, add_day_file, NULL) < 0)
		die("browse: %s", errget());
	/* every host's head before the index's position, as news takes them */
	if (store_heads(app.j, "", &app.heads, &app.nheads) < 0)
		app.nheads = 0;
	app.indexed = index_update(app.j, NULL) == 0 && index_position(&app.pos) == 0;
	if (newsmark_read(app.j, app.id.admin, &app.mark) < 0)
		warn_msg("browse: %s", errget());
	app.has_threads = threads_load(app.j, THREADS_CACHED, &app.threads) == 0;
	/* the incident cache brought up to date (derived data, as the index): 10M records are not read at each start */
	if (incidents_load(app.j, &app.incidents, &warnings, true) < 0)
		memset(&app.incidents, 0, sizeof app.incidents);
	store_warnings_free(&warnings);
	news_load();

	curses_start();
	if (app.color && !has_colors())
		app.color = false;
	push(days_screen());
	if (spec) {
		struct screen *p = page_screen(day);
		if (p)
			push(p);
	}
	loop();
	curses_stop();

	while (app.depth)
		screen_free(app.stack[--app.depth]);
	hitlines_release(&app.news);
	free(app.last_query);
	free(app.heads);
	free(app.mark.heads);
	incidents_release(&app.incidents);
	if (app.has_threads)
		threads_release(&app.threads);
	days_release();
	ident_release(&app.id);
	index_close();
	journal_close(app.j);
	return EXIT_OK;
}
