/*
 * team: admins and keys from team.conf (see team.h).
 */
#include <stdlib.h>
#include <string.h>

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

bool team_keys_has(const struct team_keys *k, const char *admin, const struct sig_key *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].admin, admin) && sig_key_equal(k->v[i].key, key))
			return true;
	return false;
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
	status = run_capture(argv, NULL, NULL);
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
		if (git_config(j, args) < 0)
			goto out;
	}
	rc = journal_reload_conf(j);
out:
	free(key_name);
	free(email_name);
	return rc;
}
