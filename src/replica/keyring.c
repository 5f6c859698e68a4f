/*
 * keyring: signed team commits, built and checked without git (see
 * keyring.h).  The commit format is git's (git's Documentation, "signature
 * format"): "tree", "parent", "author", "committer" lines, then "gpgsig"
 * whose value is the armored signature with every line after the first
 * indented by one space, a blank line, the message.  The signed payload
 * is the commit without the gpgsig header.  This module writes exactly
 * that, and reads back only commits of that shape: one tree, at most one
 * parent, no other header logbook does not know how to check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/day.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "journal/sign.h"
#include "journal/team.h"
#include "replica/git.h"
#include "replica/keyring.h"
#include "base/banned.h"

void keyring_object_id(const char *type, const void *data, size_t len, char out[KEYRING_OID_LEN + 1])
{
	git_object_id(type, data, len, out);
}

void keyring_tree(const char *blob_id, struct buf *out)
{
	/* "<mode> <name>\0<20 bytes of id>" */
	buf_adds(out, "100644 " JOURNAL_CONF);
	buf_addc(out, '\0');
	for (int i = 0; i < KEYRING_OID_LEN; i += 2) {
		unsigned v;
		sscanf(blob_id + i, "%2x", &v);
		buf_addc(out, (char)v);
	}
}

void keyring_payload(const char *tree_id, const char *parent, const char *admin, int64_t when, struct buf *out)
{
	long long secs = (long long)(when / 1000000);

	struct buf name = BUF_INIT;

	/* git's ident takes no '<' or '>' in a name (team_check_admin allows them): '_' instead */
	for (const char *p = admin; *p; p++)
		buf_addc(&name, *p == '<' || *p == '>' ? '_' : *p);
	buf_addf(out, "tree %s\n", tree_id);
	if (parent && *parent)
		buf_addf(out, "parent %s\n", parent);
	buf_addf(out, "author %s <logbook@localhost> %lld +0000\n", buf_str(&name), secs);
	buf_addf(out, "committer %s <logbook@localhost> %lld +0000\n", buf_str(&name), secs);
	buf_addf(out, "\nlogbook: team.conf, signed by %s\n", buf_str(&name));
	buf_release(&name);
}

void keyring_signed(const struct buf *payload, const struct buf *armored, struct buf *out)
{
	const char *p = buf_str(payload), *blank = strstr(p, "\n\n");
	const char *s = buf_str(armored);
	size_t headers = blank ? (size_t)(blank - p) + 1 : payload->len;

	buf_add(out, p, headers);
	buf_adds(out, "gpgsig ");
	/* the armored text's lines, every one after the first indented by a space */
	for (const char *line = s; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (line != s)
			buf_addc(out, ' ');
		buf_add(out, line, n);
		buf_addc(out, '\n');
		line = nl ? nl + 1 : line + n;
	}
	buf_add(out, p + headers, payload->len - headers);
}

static bool is_oid(const char *s, size_t n)
{
	return n == KEYRING_OID_LEN && strspn(s, "0123456789abcdef") >= n;
}

int keyring_parse(const char *commit, size_t len, struct buf *payload, struct buf *armored,
		  char tree[KEYRING_OID_LEN + 1], char parent[KEYRING_OID_LEN + 1], int64_t *when)
{
	const char *p = commit, *end = commit + len;
	bool in_sig = false, have_tree = false;
	int parents = 0;

	tree[0] = parent[0] = '\0';
	*when = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n == 0) {
			/* the blank line: the message follows, part of the payload */
			buf_add(payload, p, (size_t)(end - p));
			break;
		}
		if (in_sig && p[0] == ' ') {
			buf_add(armored, p + 1, n - 1);
			buf_addc(armored, '\n');
		} else if (n > 7 && !memcmp(p, "gpgsig ", 7)) {
			in_sig = true;
			buf_add(armored, p + 7, n - 7);
			buf_addc(armored, '\n');
		} else {
			in_sig = false;
			if (n > 5 && !memcmp(p, "tree ", 5) && is_oid(p + 5, n - 5) && !have_tree) {
				memcpy(tree, p + 5, KEYRING_OID_LEN);
				tree[KEYRING_OID_LEN] = '\0';
				have_tree = true;
			} else if (n > 7 && !memcmp(p, "parent ", 7) && is_oid(p + 7, n - 7)) {
				memcpy(parent, p + 7, KEYRING_OID_LEN);
				parent[KEYRING_OID_LEN] = '\0';
				parents++;
			} else if (n > 10 && !memcmp(p, "committer ", 10)) {
				/* "... <email> <seconds> <zone>" */
				const char *gt = memrchr(p, '>', n);
				if (gt)
					*when = strtoll(gt + 1, NULL, 10) * 1000000;
			} else if (!(n > 7 && !memcmp(p, "author ", 7)) && !(n > 9 && !memcmp(p, "encoding ", 9))) {
				errset("a team commit with a header logbook does not check: %.*s", (int)(n > 40 ? 40 : n), p);
				return -1;
			}
			buf_add(payload, p, n);
			buf_addc(payload, '\n');
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!have_tree || parents > 1) {
		errset("not a team commit logbook takes (%s)", have_tree ? "a merge" : "no tree");
		return -1;
	}
	return 0;
}

int keyring_read_ref(const char *dir, char out[KEYRING_OID_LEN + 1], bool *found)
{
	static const char ref[] = "refs/heads/team";
	char *path = xasprintf("%s/.git/%s", dir, ref);
	struct buf b = BUF_INIT;
	int rc = 0;

	*found = false;
	/* a loose ref first: it wins over packed-refs, as in git */
	if (fs_read_file(path, &b) == 0) {
		if (b.len >= KEYRING_OID_LEN && is_oid(b.data, KEYRING_OID_LEN)) {
			memcpy(out, b.data, KEYRING_OID_LEN);
			out[KEYRING_OID_LEN] = '\0';
			*found = true;
		} else {
			errset("%s: not an object id", path);
			rc = -1;
		}
		goto out;
	}
	free(path);
	path = xasprintf("%s/.git/packed-refs", dir);
	buf_reset(&b);
	if (fs_read_file(path, &b) < 0)
		goto out;
	for (const char *p = buf_str(&b); p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n == KEYRING_OID_LEN + 1 + strlen(ref) && is_oid(p, KEYRING_OID_LEN) &&
		    !memcmp(p + KEYRING_OID_LEN + 1, ref, strlen(ref))) {
			memcpy(out, p, KEYRING_OID_LEN);
			out[KEYRING_OID_LEN] = '\0';
			*found = true;
			break;
		}
		p = nl ? nl + 1 : NULL;
	}
out:
	buf_release(&b);
	free(path);
	return rc;
}

char *keyring_pinned(const char *dir)
{
	return journal_pinned(dir);
}

int keyring_pin(const char *dir, const char *fp)
{
	char *line = xasprintf("%s\n", fp);
	/* in .git, which only its owner writes: a member cannot move the root of trust */
	int rc = fs_write_atomic_below(dir, KEYRING_TRUST, line, strlen(line), 0644, 0);

	free(line);
	return rc;
}

int keyring_save(const char *dir, const void *conf, size_t len)
{
	/* in .git, as the pin: the readers refuse a copy that is not the owner's alone (journal.h) */
	return fs_write_atomic_below(dir, JOURNAL_KEYRING, conf, len, 0644, 0);
}

int keyring_propose(struct journal *j, const struct conf *before, const char *admin, const void *conf, size_t len,
		    const char *keyfile, char id[KEYRING_OID_LEN + 1])
{
	struct buf tree = BUF_INIT, payload = BUF_INIT, armored = BUF_INIT, commit = BUF_INIT, file = BUF_INIT;
	char blob_id[KEYRING_OID_LEN + 1], tree_id[KEYRING_OID_LEN + 1], parent[KEYRING_OID_LEN + 1];
	struct team_keys keys;
	struct sig_key *key = NULL;
	struct conf *own = NULL;
	bool has_parent;
	char *rel = NULL;
	int rc = -1;

	/* the keyring that must vouch for the change: the one in force, or the new one when none was */
	team_keys_load(before, &keys);
	if (keys.n == 0) {
		team_keys_free(&keys);
		if (!(own = conf_parse(JOURNAL_CONF, conf, len)))
			return -1;
		team_keys_load(own, &keys);
	}
	if (keyring_read_ref(j->dir, parent, &has_parent) < 0)
		goto out;
	keyring_object_id("blob", conf, len, blob_id);
	keyring_tree(blob_id, &tree);
	keyring_object_id("tree", tree.data, tree.len, tree_id);
	keyring_payload(tree_id, has_parent ? parent : NULL, admin, day_now_us(), &payload);
	if (keyfile) {
		if (sig_sign_keyfile(keyfile, KEYRING_NAMESPACE, payload.data, payload.len, &armored) < 0)
			goto out;
	} else {
		if (!(key = sign_agent_key(&keys, admin)) ||
		    sig_sign_agent(key, KEYRING_NAMESPACE, payload.data, payload.len, &armored) < 0)
			goto out;
	}
	keyring_signed(&payload, &armored, &commit);
	keyring_object_id("commit", commit.data, commit.len, id);
	/* "logbook-team 1\n<commit size>\n<commit><team.conf>": the owner recomputes every id */
	buf_addf(&file, "logbook-team 1\n%zu\n", commit.len);
	buf_add(&file, commit.data, commit.len);
	buf_add(&file, conf, len);
	rel = xasprintf("%s/%s", KEYRING_PROPOSALS, id);
	if (journal_mkdirs(j, KEYRING_PROPOSALS) < 0 ||
	    fs_write_atomic_below(j->dir, rel, file.data, file.len, journal_file_mode(j), 0) < 0)
		goto out;
	rc = 0;
out:
	free(rel);
	sig_key_free(key);
	team_keys_free(&keys);
	conf_free(own);
	buf_release(&tree);
	buf_release(&payload);
	buf_release(&armored);
	buf_release(&commit);
	buf_release(&file);
	return rc;
}

int keyring_check(const char *commit, size_t len, const struct conf *keyring, const char *root,
		  char fp[SIG_FINGERPRINT_SIZE], char **why)
{
	struct buf payload = BUF_INIT, armored = BUF_INIT;
	char tree[KEYRING_OID_LEN + 1], parent[KEYRING_OID_LEN + 1];
	struct sig_key *signer = NULL;
	struct team_keys keys = { 0 };
	const struct team_key *tk;
	int64_t when;
	int rc = 1;

	*why = NULL;
	fp[0] = '\0';
	if (keyring_parse(commit, len, &payload, &armored, tree, parent, &when) < 0) {
		*why = xstrdup(errget());
		goto out;
	}
	if (!armored.len) {
		*why = xstrdup("not signed");
		goto out;
	}
	if (sig_verify(armored.data, armored.len, KEYRING_NAMESPACE, payload.data, payload.len, &signer) < 0) {
		*why = xasprintf("bad signature: %s", errget());
		goto out;
	}
	sig_key_fingerprint(signer, fp);
	if (root) {
		if (strcmp(fp, root))
			*why = xasprintf("signed by %s, not by the root of trust %s", fp, root);
		else
			rc = 0;
		goto out;
	}
	team_keys_load(keyring, &keys);
	if (!(tk = team_keys_find_valid(&keys, signer, when)))
		*why = xasprintf("signed by %s, which the keyring before it does not list as valid then", fp);
	else
		rc = 0;
out:
	team_keys_free(&keys);
	sig_key_free(signer);
	buf_release(&payload);
	buf_release(&armored);
	return rc;
}
