/*
 * newsmark: the news marker's file (view/newsmark.h).
 *
 *     logbook-news 1 GENERATION LAST_ID TIME
 *     head HOST SEQ
 *     ...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "view/newsmark.h"
#include "base/banned.h"

#define NEWSMARK_MAGIC "logbook-news 1"

static char *mark_path(struct journal *j, const char *admin)
{
	struct buf name = BUF_INIT;
	char *rel, *path;

	/* an admin name may hold any UTF-8 but '/': keep file names plain */
	for (const char *p = admin; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.')
			buf_addc(&name, (char)c);
		else
			buf_addf(&name, "%%%02X", c);
	}
	rel = xasprintf(NEWSMARK_DIR "/%s", buf_str(&name));
	path = journal_path(j, rel);
	free(rel);
	buf_release(&name);
	return path;
}

int newsmark_read(struct journal *j, const char *admin, struct newsmark *m)
{
	char *path = mark_path(j, admin);
	struct buf b = BUF_INIT;
	long long id, t;
	int rc = 0;

	memset(m, 0, sizeof *m);
	if (fs_read_regular(path, &b) == 0 &&
	    sscanf(buf_str(&b), NEWSMARK_MAGIC " %63s %lld %lld", m->generation, &id, &t) == 3 && id >= 0 && t > 0) {
		const char *p = strchr(buf_str(&b), '\n');
		m->last_id = id;
		m->time = t;
		m->valid = true;
		for (; p && *++p; p = strchr(p, '\n')) {
			struct store_head h = { .seq = 0 };
			long long seq;
			char fmt[32];
			snprintf(fmt, sizeof fmt, "head %%%ds %%lld", STORE_HOST_MAX);
			if (sscanf(p, fmt, h.host, &seq) != 2 || seq < 0)
				continue;
			h.seq = seq;
			m->heads = xreallocarray(m->heads, m->nheads + 1, sizeof *m->heads);
			m->heads[m->nheads++] = h;
		}
	} else if (b.len) {
		errset("%s: not a news marker", path);
		rc = -1;
	}
	buf_release(&b);
	free(path);
	return rc;
}

int64_t newsmark_head(const struct newsmark *m, const char *host)
{
	for (size_t i = 0; i < m->nheads; i++)
		if (!strcmp(m->heads[i].host, host))
			return m->heads[i].seq;
	return -1;
}

int newsmark_write(struct journal *j, const char *admin, const struct index_position *pos, int64_t now,
		   const struct store_head *heads, size_t nheads)
{
	char *path = mark_path(j, admin);
	const char *rel = path + strlen(j->dir);	/* mark_path joined it to the journal's directory */
	struct buf b = BUF_INIT;
	int rc = 0;

	buf_addf(&b, NEWSMARK_MAGIC " %s %" PRId64 " %" PRId64 "\n", pos->generation[0] ? pos->generation : "-",
		 pos->last_id, now);
	for (size_t i = 0; i < nheads; i++)
		buf_addf(&b, "head %s %" PRId64 "\n", heads[i].host, heads[i].seq);
	if (journal_mkdirs(j, NEWSMARK_DIR) < 0 ||
	    fs_write_atomic_below(j->dir, rel + strspn(rel, "/"), b.data, b.len, 0600, 0) < 0) {
		errprefix("cannot keep your place in %s", path);
		rc = -1;
	}
	buf_release(&b);
	free(path);
	return rc;
}
