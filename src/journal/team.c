/*
 * team: admins and keys from team.conf (see team.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/err.h"
#include "base/run.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "journal/team.h"
#include "base/banned.h"

int team_check_admin(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > TEAM_NAME_MAX || !utf8_valid(name, n) ||
	    name[0] == ' ' || name[n - 1] == ' ') {
		errset("bad admin name '%s': 1 to %d bytes of UTF-8 text", name, TEAM_NAME_MAX);
		return -1;
	}
	if (utf8_has_control(name)) {
		errset("bad admin name: control characters are not allowed");
		return -1;
	}
	return 0;
}

/* a time as team.conf writes it, or 0 when it is not one */
static int64_t conf_time(const char *s)
{
	int64_t us;

	return s && day_time_parse(s, strlen(s), &us) == 0 ? us : 0;
}

/*
 * When key of admin stops being valid: the earliest of its "revoked =
 * FP TIME" lines and the admin's "removed = TIME"; 0 when never.
 * A line that does not parse revokes nothing (and says so nowhere:
 * team list shows what counts).
 */
static int64_t revoked_at(const struct conf *team, const char *admin, const struct sig_key *key)
{
	char fp[SIG_FINGERPRINT_SIZE];
	int64_t when = 0;

	sig_key_fingerprint(key, fp);
	for (size_t i = 0; i < team->n; i++) {
		const struct conf_entry *e = &team->entries[i];
		int64_t t = 0;
		size_t n = strlen(fp);

		if (strcmp(e->section, "admin") || !e->subsection || strcmp(e->subsection, admin) || !e->value)
			continue;
		if (!strcmp(e->key, "removed"))
			t = conf_time(e->value);
		else if (!strcmp(e->key, "revoked") && !strncmp(e->value, fp, n) && e->value[n] == ' ')
			t = conf_time(e->value + n + 1);
		if (t && (!when || t < when))
			when = t;
	}
	return when;
}

void team_keys_load(const struct conf *team, struct team_keys *out)
{
	memset(out, 0, sizeof *out);
	if (!team)
		return;
	out->v = xcalloc(team->n ? team->n : 1, sizeof *out->v);
	for (size_t i = 0; i < team->n; i++) {
		const struct conf_entry *e = &team->entries[i];
		struct sig_key *k;

		if (strcmp(e->section, "admin") || !e->subsection || strcmp(e->key, "key") || !e->value ||
		    team_check_admin(e->subsection) < 0)
			continue;
		if ((k = sig_key_parse(e->value, strlen(e->value)))) {
			out->v[out->n].admin = e->subsection;
			out->v[out->n].email = conf_get(team, "admin", e->subsection, "email");
			out->v[out->n].line = e->line;
			out->v[out->n].revoked = revoked_at(team, e->subsection, k);
			out->v[out->n++].key = k;
		}
	}
}

const struct team_key *team_keys_find(const struct team_keys *k, const struct sig_key *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (sig_key_equal(k->v[i].key, key))
			return &k->v[i];
	return NULL;
}

/* the entry of k for admin's key, NULL when none */
static const struct team_key *entry_of(const struct team_keys *k, const char *admin, const struct sig_key *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].admin, admin) && sig_key_equal(k->v[i].key, key))
			return &k->v[i];
	return NULL;
}

bool team_keys_has(const struct team_keys *k, const char *admin, const struct sig_key *key)
{
	return entry_of(k, admin, key) != NULL;
}

bool team_key_valid_at(const struct team_key *k, int64_t us)
{
	return !k->revoked || us < k->revoked;
}

const struct team_key *team_keys_find_valid(const struct team_keys *k, const struct sig_key *key, int64_t us)
{
	for (size_t i = 0; i < k->n; i++)
		if (sig_key_equal(k->v[i].key, key) && team_key_valid_at(&k->v[i], us))
			return &k->v[i];
	return NULL;
}

int team_keys_trusted(const struct journal *j, struct team_keys *out)
{
	const struct conf *keyring = journal_keyring(j);
	struct team_keys here;
	size_t kept = 0;

	team_keys_load(keyring, out);
	if (!keyring)
		return -1;
	if (keyring == j->conf)
		return 0;
	team_keys_load(j->conf, &here);
	for (size_t i = 0; i < out->n; i++) {
		struct team_key k = out->v[i];
		const struct team_key *h = entry_of(&here, k.admin, k.key);

		if (!h) {
			sig_key_free(k.key);
			continue;
		}
		if (h->revoked && (!k.revoked || h->revoked < k.revoked))
			k.revoked = h->revoked;
		out->v[kept++] = k;
	}
	out->n = kept;
	team_keys_free(&here);
	return 0;
}

/* the keys of a that b does not hold alike, as lines of team_keys_diff; added: a is the work tree's */
static size_t keys_missing(const struct team_keys *a, const struct team_keys *b, bool added, struct buf *out)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct team_key *other = entry_of(b, a->v[i].admin, a->v[i].key);
		char fp[SIG_FINGERPRINT_SIZE];

		if (other && (!added || other->revoked == a->v[i].revoked))
			continue;
		sig_key_fingerprint(a->v[i].key, fp);
		buf_addf(out, "  key %s ", fp);
		if (!other)
			buf_addf(out, added ? "for %s" : "of %s dropped", a->v[i].admin);
		else if (a->v[i].revoked && (!other->revoked || a->v[i].revoked < other->revoked))
			buf_addf(out, "of %s revoked", a->v[i].admin);
		else if (a->v[i].revoked)
			buf_addf(out, "of %s revoked later", a->v[i].admin);
		else
			buf_addf(out, "of %s not revoked", a->v[i].admin);
		buf_addc(out, '\n');
		n++;
	}
	return n;
}

size_t team_keys_diff(const struct team_keys *signed_keys, const struct team_keys *here, struct buf *out)
{
	return keys_missing(here, signed_keys, true, out) + keys_missing(signed_keys, here, false, out);
}

void team_keys_free(struct team_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		sig_key_free(k->v[i].key);
	free(k->v);
	memset(k, 0, sizeof *k);
}

static int git_config(struct journal *j, const char *const *args)
{
	char *conf = journal_path(j, JOURNAL_CONF);
	const char *argv[12] = { "git", "config", "-f", conf };
	size_t n = 4;
	int status;

	for (; *args && n < 11; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	status = run_capture_env(argv, NULL, journal_conf_git_env, NULL);
	free(conf);
	if (status != 0) {
		errset("git config failed (status %d): team.conf was not changed", status);
		return -1;
	}
	return 0;
}

int team_add(struct journal *j, const char *admin, const char *email, const char *key_text)
{
	char *key_name = xasprintf("admin.%s.key", admin), *email_name = xasprintf("admin.%s.email", admin);
	int rc = -1;

	if (email && (strchr(email, '\n') || !*email)) {
		errset("bad email address");
		goto out;
	}
	if (email && !conf_get(j->conf, "admin", admin, "email")) {
		const char *args[] = { "--add", email_name, email, NULL };
		if (git_config(j, args) < 0)
			goto out;
	} else if (email) {
		const char *args[] = { email_name, email, NULL };
		if (git_config(j, args) < 0)
			goto out;
	}
	if (key_text) {
		const char *args[] = { "--add", key_name, key_text, NULL };
		struct sig_key *k = sig_key_parse(key_text, strlen(key_text));
		if (git_config(j, args) < 0) {
			sig_key_free(k);
			goto out;
		}
		/* when, for news and the digest: team.conf has no other clock */
		if (k) {
			char fp[SIG_FINGERPRINT_SIZE], now[DAY_TIME_LEN + 1], *name = xasprintf("admin.%s.added", admin);
			char *value;
			sig_key_fingerprint(k, fp);
			day_time_format(day_now_us(), now);
			value = xasprintf("%s %s", fp, now);
			{
				const char *args2[] = { "--add", name, value, NULL };
				int grc = git_config(j, args2);
				free(name);
				free(value);
				sig_key_free(k);
				if (grc < 0)
					goto out;
			}
		}
	}
	rc = journal_reload_conf(j);
out:
	free(key_name);
	free(email_name);
	return rc;
}

int team_revoke(struct journal *j, const char *fp, char **admin)
{
	struct team_keys keys;
	const struct team_key *found = NULL;
	char now[DAY_TIME_LEN + 1], *name = NULL, *value = NULL;
	int rc = -1;

	*admin = NULL;
	team_keys_load(j->conf, &keys);
	for (size_t i = 0; i < keys.n && !found; i++) {
		char kfp[SIG_FINGERPRINT_SIZE];
		sig_key_fingerprint(keys.v[i].key, kfp);
		if (!strcmp(kfp, fp))
			found = &keys.v[i];
	}
	if (!found) {
		errset("no admin in team.conf has the key %s (logbook team list shows the fingerprints)", fp);
		goto out;
	}
	if (found->revoked) {
		day_time_format(found->revoked, now);
		errset("%s of %s is revoked already, since %s", fp, found->admin, now);
		goto out;
	}
	day_time_format(day_now_us(), now);
	name = xasprintf("admin.%s.revoked", found->admin);
	value = xasprintf("%s %s", fp, now);
	{
		const char *args[] = { "--add", name, value, NULL };
		if (git_config(j, args) < 0)
			goto out;
	}
	*admin = xstrdup(found->admin);
	rc = journal_reload_conf(j);
out:
	free(name);
	free(value);
	team_keys_free(&keys);
	return rc;
}

int team_remove(struct journal *j, const char *admin)
{
	char now[DAY_TIME_LEN + 1], *name;
	bool known = false;
	int rc;

	for (size_t i = 0; i < j->conf->n && !known; i++) {
		const struct conf_entry *e = &j->conf->entries[i];
		known = !strcmp(e->section, "admin") && e->subsection && !strcmp(e->subsection, admin);
	}
	if (!known) {
		errset("no admin %s in team.conf", admin);
		return -1;
	}
	if (conf_get(j->conf, "admin", admin, "removed")) {
		errset("%s was removed already, on %s", admin, conf_get(j->conf, "admin", admin, "removed"));
		return -1;
	}
	day_time_format(day_now_us(), now);
	name = xasprintf("admin.%s.removed", admin);
	{
		const char *args[] = { name, now, NULL };
		rc = git_config(j, args);
	}
	free(name);
	return rc < 0 ? -1 : journal_reload_conf(j);
}

static int cmp_change(const void *a, const void *b)
{
	const struct team_change *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

void team_changes(const struct conf *team, struct team_change **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	if (!team)
		return;
	for (size_t i = 0; i < team->n; i++) {
		const struct conf_entry *e = &team->entries[i];
		const char *sp, *what;
		int64_t t;

		if (strcmp(e->section, "admin") || !e->subsection || !e->value || team_check_admin(e->subsection) < 0)
			continue;
		if (!strcmp(e->key, "removed")) {
			if (!(t = conf_time(e->value)))
				continue;
			*v = xreallocarray(*v, *n + 1, sizeof **v);
			(*v)[*n].time = t;
			(*v)[(*n)++].text = xasprintf("admin %s removed, with every key", e->subsection);
			continue;
		}
		if (!strcmp(e->key, "revoked"))
			what = "revoked";
		else if (!strcmp(e->key, "added"))
			what = "added";
		else
			continue;
		/* "SHA256:<43 base64 digits> TIME" */
		if (strncmp(e->value, "SHA256:", 7) || !(sp = strchr(e->value, ' ')) || !(t = conf_time(sp + 1)) ||
		    strspn(e->value + 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") !=
			    (size_t)(sp - e->value - 7))
			continue;
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[*n].time = t;
		(*v)[(*n)++].text = xasprintf("key %.*s of %s %s", (int)(sp - e->value), e->value, e->subsection, what);
	}
	if (*n > 1)
		qsort(*v, *n, sizeof **v, cmp_change);
}

void team_changes_free(struct team_change *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}
