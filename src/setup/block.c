/*
 * block: add, replace and remove the marked block of a system file (see
 * block.h).  The text outside the block is never touched: everything is
 * done on byte offsets of whole lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "setup/block.h"
#include "base/banned.h"

#define BLOCK_WHY " added by 'logbook setup'; 'logbook setup --undo' removes it"
/* flags on the begin line: how to give back the file exactly */
#define FLAG_NOEOL " noeol"	/* a newline was added before the block */
#define FLAG_NEWFILE " newfile"	/* the file did not exist */

struct found {
	size_t begin, end;	/* byte range of the block's lines, end after the end line */
	bool has;
	bool noeol, newfile;
	bool crlf;		/* the block's lines end in CRLF */
};

/* whether the line [p, p+n) (its line end removed) starts with / is s */
static size_t content_len(const char *p, size_t n)
{
	if (n && p[n - 1] == '\n')
		n--;
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

static bool starts(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n >= l && !memcmp(p, s, l);
}

static int find_block(const char *text, size_t len, struct found *f)
{
	size_t pos = 0, lineno = 0, begin_line = 0;
	bool open = false;

	memset(f, 0, sizeof *f);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
		size_t c = content_len(text + pos, n);
		lineno++;
		if (starts(text + pos, c, BLOCK_BEGIN)) {
			if (open) {
				errset("line %zu: a second '%s' before the '%s' of line %zu; fix the file by hand",
				       lineno, BLOCK_BEGIN, BLOCK_END, begin_line);
				return -1;
			}
			if (f->has) {
				errset("line %zu: a second logbook block; remove one by hand", lineno);
				return -1;
			}
			open = true;
			begin_line = lineno;
			f->begin = pos;
			f->crlf = n >= 2 && text[pos + n - 2] == '\r';
			{
				/* the flags are words between the marker and "added by" */
				char *line = xstrndup(text + pos, c);
				char *why = strstr(line, " added by ");
				if (why)
					*why = '\0';
				f->noeol = strstr(line + strlen(BLOCK_BEGIN), FLAG_NOEOL) != NULL;
				f->newfile = strstr(line + strlen(BLOCK_BEGIN), FLAG_NEWFILE) != NULL;
				free(line);
			}
		} else if (c == strlen(BLOCK_END) && starts(text + pos, c, BLOCK_END)) {
			if (!open) {
				errset("line %zu: '%s' without its '%s'; fix the file by hand", lineno, BLOCK_END,
				       BLOCK_BEGIN);
				return -1;
			}
			open = false;
			f->has = true;
			f->end = pos + n;
		}
		pos += n;
	}
	if (open) {
		errset("line %zu: '%s' is never ended by '%s'; fix the file by hand", begin_line, BLOCK_BEGIN,
		       BLOCK_END);
		return -1;
	}
	return 0;
}

/* the block for body, with the flags and line ends given */
static void make_block(struct buf *out, const char *body, bool noeol, bool newfile, bool crlf)
{
	const char *eol = crlf ? "\r\n" : "\n";

	buf_adds(out, BLOCK_BEGIN);
	if (noeol)
		buf_adds(out, FLAG_NOEOL);
	if (newfile)
		buf_adds(out, FLAG_NEWFILE);
	buf_adds(out, BLOCK_WHY);
	buf_adds(out, eol);
	for (const char *p = body; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf_add(out, p, n);
		buf_adds(out, eol);
		p += n + (nl != NULL);
	}
	buf_adds(out, BLOCK_END);
	buf_adds(out, eol);
}

/* whether the file's lines end in CRLF: its first line says */
static bool text_crlf(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	return nl && nl > text && nl[-1] == '\r';
}

/* text without its block f (which it has), as it was before the block was added */
static void cut_block(const char *text, size_t len, const struct found *f, struct buf *out)
{
	size_t begin = f->begin;

	/* the newline added before the block goes too, when nothing follows it */
	if (f->noeol && f->end == len && begin > 0 && text[begin - 1] == '\n') {
		begin--;
		if (f->crlf && begin > 0 && text[begin - 1] == '\r')
			begin--;
	}
	buf_add(out, text, begin);
	buf_add(out, text + f->end, len - f->end);
}

/* the block for body added to text, which has none, at place */
static void add_block(const char *text, size_t len, const char *body, enum block_place place, bool newfile,
		      struct buf *out)
{
	bool crlf = text_crlf(text, len);

	if (place == BLOCK_AT_TOP) {
		make_block(out, body, false, newfile, crlf);
		buf_add(out, text, len);
	} else {
		bool noeol = len > 0 && text[len - 1] != '\n';
		buf_add(out, text, len);
		if (noeol)
			buf_adds(out, crlf ? "\r\n" : "\n");
		make_block(out, body, noeol, newfile, crlf);
	}
}

/* block_apply; *gone: the result is empty and the file was made by setup */
static int apply(const char *text, size_t len, const char *body, enum block_place place, bool newfile,
		 struct buf *out, bool *gone)
{
	struct found f;

	*gone = false;
	buf_reset(out);
	if (find_block(text, len, &f) < 0)
		return -1;
	if (!body) {
		if (!f.has) {
			buf_add(out, text, len);
			return 0;
		}
		cut_block(text, len, &f, out);
		*gone = f.newfile && out->len == 0;
		return 1;
	}
	if (f.has && place == BLOCK_AT_TOP && f.begin != 0) {
		/* where an older setup put it: taken out as undo would, then added at the top */
		struct buf without = BUF_INIT;
		cut_block(text, len, &f, &without);
		add_block(without.data ? without.data : "", without.len, body, place, f.newfile, out);
		buf_release(&without);
		return 1;
	}
	if (f.has) {
		struct buf block = BUF_INIT;
		bool same;
		make_block(&block, body, f.noeol, f.newfile, f.crlf);
		same = block.len == f.end - f.begin && !memcmp(block.data, text + f.begin, block.len);
		buf_add(out, text, f.begin);
		buf_add(out, block.data, block.len);
		buf_add(out, text + f.end, len - f.end);
		buf_release(&block);
		return same ? 0 : 1;
	}
	add_block(text, len, body, place, newfile, out);
	return 1;
}

int block_apply(const char *text, size_t len, const char *body, enum block_place place, struct buf *out)
{
	bool gone;
	return apply(text, len, body, place, false, out, &gone);
}

bool block_present(const char *text, size_t len)
{
	struct found f;
	return find_block(text, len, &f) == 0 && f.has;
}

bool block_at_top(const char *text, size_t len)
{
	struct found f;
	return find_block(text, len, &f) == 0 && f.has && f.begin == 0;
}

int block_edit_file(const char *path, const char *body, enum block_place place, bool *changed, char **backup)
{
	struct buf old = BUF_INIT, new = BUF_INIT, bak = BUF_INIT;
	char *real = NULL, *bakpath = NULL;
	struct stat st;
	bool missing = false, gone;
	int rc = -1, r;

	*changed = false;
	if (backup)
		*backup = NULL;
	/* a symlinked rc file: edit what it points to, keep the link */
	if (!(real = realpath(path, NULL))) {
		if (errno != ENOENT) {
			errset_sys("%s", path);
			return -1;
		}
		missing = true;
		real = xstrdup(path);
	}
	if (missing) {
		if (!body) {
			free(real);
			return 0;
		}
		st.st_mode = 0644;
		st.st_uid = geteuid();
		st.st_gid = getegid();
	} else if (stat(real, &st) < 0) {
		errset_sys("%s", real);
		goto out;
	} else if (fs_read_file(real, &old) < 0) {
		goto out;
	}
	if (!missing && !S_ISREG(st.st_mode)) {
		errset("%s: not a regular file", real);
		goto out;
	}
	r = apply(buf_str(&old), old.len, body, place, missing, &new, &gone);
	if (r < 0) {
		errprefix("%s", real);
		goto out;
	}
	if (r == 0) {
		rc = 0;
		goto out;
	}
	bakpath = xasprintf("%s%s", real, BLOCK_BACKUP_SUFFIX);
	if (!missing && !gone) {
		/* undo that gives back the backup made by setup needs it no more */
		if (!body && fs_read_file(bakpath, &bak) == 0 && bak.len == new.len &&
		    !memcmp(buf_str(&bak), buf_str(&new), new.len)) {
			if (unlink(bakpath) < 0) {
				errset_sys("%s", bakpath);
				goto out;
			}
			free(bakpath);
			bakpath = NULL;
		} else if (fs_write_atomic(bakpath, old.data ? old.data : "", old.len, st.st_mode & 07777) < 0) {
			errprefix("backup");
			goto out;
		}
	} else {
		free(bakpath);
		bakpath = NULL;
	}
	if (gone) {
		if (unlink(real) < 0) {
			errset_sys("%s", real);
			goto out;
		}
	} else {
		if (fs_write_atomic(real, new.data ? new.data : "", new.len, st.st_mode & 07777) < 0)
			goto out;
		if ((st.st_uid != geteuid() || st.st_gid != getegid()) && chown(real, st.st_uid, st.st_gid) < 0) {
			errset_sys("%s: chown", real);
			goto out;
		}
	}
	*changed = true;
	if (backup) {
		*backup = bakpath;
		bakpath = NULL;
	}
	rc = 0;
out:
	buf_release(&old);
	buf_release(&new);
	buf_release(&bak);
	free(real);
	free(bakpath);
	return rc;
}
