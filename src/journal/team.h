/*
 * team: the admins of team.conf and their ssh public keys.
 *
 *     [admin "alice"]
 *         email = alice@example.org
 *         key = ssh-ed25519 AAAAC3Nz... alice@laptop
 *
 * The keys say who logged in to a shared account (ident.c) and whose
 * signatures are good (sign.c).  This module reads and, through
 * `git config -f` (comments and layout stay), edits that section; it
 * never signs.
 */
#ifndef LOGBOOK_TEAM_H
#define LOGBOOK_TEAM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/conf.h"
#include "journal/journal.h"
#include "journal/sig.h"

/* the longest admin name, in bytes */
#define TEAM_NAME_MAX 64

struct team_key {
	const char *admin;	/* points into the conf */
	const char *email;	/* the admin's, or NULL */
	struct sig_key *key;
	int line;		/* in team.conf */
};

struct team_keys {
	struct team_key *v;
	size_t n;
};

/* every parsable key of every admin (a key that does not parse names nobody) */
/* an admin name: 1 to TEAM_NAME_MAX bytes of UTF-8, no control characters, no spaces at the ends */
int team_check_admin(const char *name);

void team_keys_load(const struct conf *team, struct team_keys *out);
/* an admin of key (the first listed), NULL when none */
const struct team_key *team_keys_find(const struct team_keys *k, const struct sig_key *key);
/* whether key is one of admin's */
bool team_keys_has(const struct team_keys *k, const char *admin, const struct sig_key *key);
void team_keys_free(struct team_keys *k);

/* add admin's email and/or key (git config -f team.conf --add); reloads j->conf */
int team_add(struct journal *j, const char *admin, const char *email, const char *key_text);

#endif
