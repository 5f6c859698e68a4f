/*
 * change: records and terminal text for watched files' changes (see
 * change.h).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "files/change.h"
#include "files/diff.h"
#include "base/banned.h"

static const struct {
	unsigned bit;
	const char *name;
} whats[] = {
	{ CH_ADDED, "added" }, { CH_DELETED, "deleted" }, { CH_CONTENT, "content" }, { CH_MODE, "mode" },
	{ CH_OWNER, "owner" }, { CH_TYPE, "type" }, { CH_TARGET, "target" },
};

static void owner_name(struct buf *out, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		buf_adds(out, pw->pw_name);
	else
		buf_addf(out, "%lu", (unsigned long)uid);
}

static void group_name(struct buf *out, gid_t gid)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		buf_adds(out, gr->gr_name);
	else
		buf_addf(out, "%lu", (unsigned long)gid);
}

/*
 * "a/etc/hosts", or in double quotes with C escapes when the name holds
 * a control character, a quote or a backslash, as git and GNU diff quote
 * names: a newline in a name must not end the "---" line
 */
static char *label(char side, const char *path)
{
	struct buf b = BUF_INIT;
	bool plain = true;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			plain = false;
	if (plain) {
		buf_addf(&b, "%c%s", side, path);
		return buf_detach(&b, NULL);
	}
	buf_addf(&b, "\"%c", side);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '\n')
			buf_adds(&b, "\\n");
		else if (*p == '\t')
			buf_adds(&b, "\\t");
		else if (*p == '"' || *p == '\\')
			buf_addf(&b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_addf(&b, "\\%03o", *p);
		else
			buf_addc(&b, (char)*p);
	}
	buf_addc(&b, '"');
	return buf_detach(&b, NULL);
}

static const char *type_name(char type)
{
	return type == 'l' ? "symlink" : "file";
}

/* "content, mode 0644 -> 0600, owner root:root -> www-data:root" */
static void summarize(const struct change *c, struct buf *out)
{
	bool first = true;

	for (size_t i = 0; i < sizeof whats / sizeof *whats; i++) {
		if (!(c->what & whats[i].bit))
			continue;
		if (!first)
			buf_adds(out, ", ");
		first = false;
		buf_adds(out, whats[i].name);
		switch (whats[i].bit) {
		case CH_ADDED:
			buf_addf(out, " %s", type_name(c->new.type));
			break;
		case CH_DELETED:
			buf_addf(out, " %s", type_name(c->old.type));
			break;
		case CH_MODE:
			buf_addf(out, " %04o -> %04o", (unsigned)(c->old.mode & 07777), (unsigned)(c->new.mode & 07777));
			break;
		case CH_OWNER:
			buf_addc(out, ' ');
			owner_name(out, c->old.uid);
			buf_addc(out, ':');
			group_name(out, c->old.gid);
			buf_adds(out, " -> ");
			owner_name(out, c->new.uid);
			buf_addc(out, ':');
			group_name(out, c->new.gid);
			break;
		case CH_TYPE:
			buf_addf(out, " %s -> %s", type_name(c->old.type), type_name(c->new.type));
			break;
		case CH_TARGET:
			buf_addf(out, " %s -> %s", c->old.target ? c->old.target : "", c->new.target ? c->new.target : "");
			break;
		}
	}
}

static void size_note(struct buf *out, const struct change *c)
{
	bool old = !(c->what & CH_ADDED) && c->old.type == 'f', new = !(c->what & CH_DELETED) && c->new.type == 'f';

	if (old && new)
		buf_addf(out, ", %lld -> %lld bytes", (long long)c->old.size, (long long)c->new.size);
	else if (old)
		buf_addf(out, ", %lld bytes", (long long)c->old.size);
	else if (new)
		buf_addf(out, ", %lld bytes", (long long)c->new.size);
}

static size_t markers(const struct buf *b)
{
	size_t n = 0, m = strlen(REDACT_MARKER);
	const char *p = b->data, *end;

	if (b->len == 0)
		return 0;
	end = b->data + b->len;
	while ((p = memmem(p, (size_t)(end - p), REDACT_MARKER, m))) {
		n++;
		p += m;
	}
	return n;
}

/*
 * A line whose secret changed and nothing else reads the same on both
 * sides once redacted.  The line tags (baseline.h) tell them apart: the
 * diff compares each redacted line with TAG_SEP and its tag appended,
 * and the tags are taken out of what it prints, so the line shows as
 * "-password = [REDACTED]" / "+password = [REDACTED]" and no value, nor
 * a tag, reaches the record.
 */
#define TAG_SEP '\x1f'

/* the diff's lines without their tags */
static void without_tags(struct buf *diff)
{
	struct buf out = BUF_INIT;
	size_t i = 0;

	while (i < diff->len) {
		const char *nl = memchr(diff->data + i, '\n', diff->len - i);
		size_t e = nl ? (size_t)(nl - diff->data) : diff->len, keep = e;
		if (e - i > BASELINE_TAG_HEX && diff->data[e - BASELINE_TAG_HEX - 1] == TAG_SEP &&
		    strspn(diff->data + e - BASELINE_TAG_HEX, "0123456789abcdef") >= BASELINE_TAG_HEX)
			keep = e - BASELINE_TAG_HEX - 1;
		buf_add(&out, diff->data + i, keep - i);
		if (nl)
			buf_addc(&out, '\n');
		i = e + 1;
	}
	buf_release(diff);
	*diff = out;
}

/* both sides' tagged forms, when this process has the tag key and both
 * sides have tags (an object written without the key has none) */
static bool tag_sides(struct journal *j, const struct buf *old, const struct buf *new, const struct buf *rold,
		      const struct buf *rnew, struct buf *otags, bool has_old, struct buf *mold, struct buf *mnew)
{
	unsigned char key[BASELINE_TAG_KEY_LEN];
	struct buf ntags = BUF_INIT;

	/* a separator in the text itself could pass for a tag: no tags then */
	if ((rold->len && memchr(rold->data, TAG_SEP, rold->len)) ||
	    (rnew->len && memchr(rnew->data, TAG_SEP, rnew->len)) ||
	    (has_old && otags->len && otags->data[0] != 't') || baseline_tag_key(j, false, key) < 0)
		return false;
	if (has_old && otags->len == 0)	/* the object is the content itself */
		baseline_line_tags(key, old->data ? old->data : "", old->len, rold->data ? rold->data : "", rold->len, otags);
	baseline_line_tags(key, new->data ? new->data : "", new->len, rnew->data ? rnew->data : "", rnew->len, &ntags);
	explicit_bzero(key, sizeof key);
	baseline_tagged_text(rold->data ? rold->data : "", rold->len, otags->len ? buf_str(otags) : "t", TAG_SEP, mold);
	baseline_tagged_text(rnew->data ? rnew->data : "", rnew->len, buf_str(&ntags), TAG_SEP, mnew);
	buf_release(&ntags);
	return true;
}

int change_text(struct journal *j, const struct redactor *red, const struct change *c, struct change_text *t)
{
	struct buf old = BUF_INIT, new = BUF_INIT, rold = BUF_INIT, rnew = BUF_INIT;
	struct buf otags = BUF_INIT, mold = BUF_INIT, mnew = BUF_INIT;
	const struct buf *a = &rold, *b = &rnew;
	int hunks;
	bool has_old = !(c->what & CH_ADDED) && c->old.type == 'f';
	bool has_new = !(c->what & CH_DELETED) && c->new.type == 'f';
	char *label_old = NULL, *label_new = NULL;
	struct diff_opts o = { .context = 3 };

	memset(t, 0, sizeof *t);
	summarize(c, &t->summary);
	if (!(c->what & (CH_CONTENT | CH_ADDED | CH_DELETED | CH_TYPE)) || (!has_old && !has_new))
		goto out;
	if ((has_old && c->old.sensitive) || (has_new && c->new.sensitive)) {
		buf_adds(&t->note, "sensitive file: hash only");
		size_note(&t->note, c);
		goto out;
	}
	if ((has_old && c->old.size > CHANGE_FILE_MAX) || (has_new && c->new.size > CHANGE_FILE_MAX)) {
		buf_addf(&t->note, "large file");
		size_note(&t->note, c);
		goto out;
	}
	if ((has_old && baseline_old_content(j, c, &old, &otags) < 0) ||
	    (has_new && baseline_new_content(c, CHANGE_FILE_MAX, &new) < 0)) {
		buf_addf(&t->note, "contents not available");
		size_note(&t->note, c);
		goto out;
	}
	if (diff_is_binary(old.data ? old.data : "", old.len) || diff_is_binary(new.data ? new.data : "", new.len)) {
		buf_adds(&t->note, "binary file");
		size_note(&t->note, c);
		goto out;
	}
	/* by the file's syntax, line for line.  The old side comes from an
	 * object, redacted already (redacting it again changes nothing), so
	 * its secrets are counted as the markers it holds */
	redact_file(red, c->path, old.data ? old.data : "", old.len, &rold);
	t->redacted = markers(&rold) + redact_file(red, c->path, new.data ? new.data : "", new.len, &rnew);
	if (has_old)
		label_old = label('a', c->path);
	if (has_new)
		label_new = label('b', c->path);
	o.old_label = label_old;
	o.new_label = label_new;
	if (tag_sides(j, &old, &new, &rold, &rnew, &otags, has_old, &mold, &mnew)) {
		a = &mold;
		b = &mnew;
	}
	hunks = diff_unified(a->data ? a->data : "", a->len, b->data ? b->data : "", b->len, &o, &t->diff);
	if (hunks > 0 && a == &mold)
		without_tags(&t->diff);
	if (hunks < 0) {
		buf_reset(&t->diff);
		buf_addf(&t->note, "no diff: %s", errget());
		size_note(&t->note, c);
	} else if (t->diff.len == 0 && (old.len != new.len || memcmp(old.data ? old.data : "", new.data ? new.data : "", old.len))) {
		/* what differs is only what redaction hides */
		buf_adds(&t->note, "only redacted values changed");
	} else if (t->diff.len > CHANGE_DIFF_MAX) {
		/* cut at a line end, and say so */
		size_t cut = CHANGE_DIFF_MAX;
		while (cut > 0 && t->diff.data[cut - 1] != '\n')
			cut--;
		buf_truncate(&t->diff, cut);
		t->cut = true;
	}
out:
	free(label_old);
	free(label_new);
	buf_release(&old);
	buf_release(&new);
	buf_release(&rold);
	buf_release(&rnew);
	buf_release(&otags);
	buf_release(&mold);
	buf_release(&mnew);
	return 0;
}

void change_text_release(struct change_text *t)
{
	buf_release(&t->diff);
	buf_release(&t->summary);
	buf_release(&t->note);
}

static json_t *state_json(const struct fstate *s)
{
	struct buf owner = BUF_INIT, group = BUF_INIT;
	char mode[8];
	json_t *o = json_object();

	owner_name(&owner, s->uid);
	group_name(&group, s->gid);
	snprintf(mode, sizeof mode, "%04o", (unsigned)(s->mode & 07777));
	json_object_set_new(o, "type", json_string(type_name(s->type)));
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "owner", json_stringn_nocheck(owner.data, owner.len));
	json_object_set_new(o, "group", json_stringn_nocheck(group.data, group.len));
	if (s->type == 'l') {
		struct buf lossy = BUF_INIT;
		rec_lossy(&lossy, s->target ? s->target : "", s->target ? strlen(s->target) : 0);
		json_object_set_new(o, "target", json_stringn_nocheck(lossy.data ? lossy.data : "", lossy.len));
		buf_release(&lossy);
	} else {
		json_object_set_new(o, "size", json_integer((json_int_t)s->size));
		json_object_set_new(o, "sha256", json_string(s->hash));
	}
	if (s->sensitive)
		json_object_set_new(o, "sensitive", json_true());
	buf_release(&owner);
	buf_release(&group);
	return o;
}

struct record *change_record(const struct change *c, const struct change_text *t, int64_t time,
			     const char *host, const char *admin, const char *account, const char *session,
			     const char *by)
{
	struct record *r = rec_new("change", time, host, admin, account, session);
	json_t *what = json_array();

	rec_set_text(r, "path", c->path, strlen(c->path));
	for (size_t i = 0; i < sizeof whats / sizeof *whats; i++)
		if (c->what & whats[i].bit)
			json_array_append_new(what, json_string(whats[i].name));
	rec_set_json(r, "what", what);
	if (!(c->what & CH_ADDED))
		rec_set_json(r, "old", state_json(&c->old));
	if (!(c->what & CH_DELETED))
		rec_set_json(r, "new", state_json(&c->new));
	rec_set_text(r, "summary", t->summary.data ? t->summary.data : "", t->summary.len);
	if (t->diff.len > 0)
		rec_set_text(r, "diff", t->diff.data, t->diff.len);
	if (t->note.len > 0)
		rec_set_text(r, "note", t->note.data, t->note.len);
	if (t->cut)
		rec_set_json(r, "diff_cut", json_true());
	if (t->redacted > 0)
		rec_set_int(r, "redacted", (int64_t)t->redacted);
	rec_set_text(r, "by", by, strlen(by));
	return r;
}
