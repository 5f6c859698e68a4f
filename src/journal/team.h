/*
 * team: the admins of team.conf and their ssh public keys.
 *
 *     [admin "alice"]
 *         email = alice@example.org
 *         key = ssh-ed25519 AAAAC3Nz... alice@laptop
 *         revoked = SHA256:... 2026-12-06T14:00:00.000000Z
 *     [admin "carol"]
 *         removed = 2026-12-06T14:00:00.000000Z
 *
 * A key is revoked from a time on (team revoke), and every key of an
 * admin who was removed (team rm) from the time of the removal: its
 * signatures made before stay good, later ones are reported by verify,
 * sign refuses it and it no longer says who logged in.  Keys and admins
 * are never deleted from team.conf, so the old signatures still verify.
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
#include <stdint.h>

#include "base/buf.h"
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
	int64_t revoked;	/* microseconds since the epoch from which it is not valid; 0: valid */
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
/* whether k is valid at time us (microseconds since the epoch) */
bool team_key_valid_at(const struct team_key *k, int64_t us);
/* an admin of key that is valid at us, NULL when none */
const struct team_key *team_keys_find_valid(const struct team_keys *k, const struct sig_key *key, int64_t us);

/*
 * The keys that sign and that say who logged in, on this replica: those
 * of the keyring journal_keyring gives, each only as far as team.conf in
 * the work tree agrees (a key it does not list for that admin is left
 * out, one it revokes is revoked from the earlier time).  An edit of the
 * work tree that is not signed yet can take a key away (a revocation
 * holds at once), never give one.  -1 and errget() when the signed
 * keyring cannot be read (out is then empty).
 */
int team_keys_trusted(const struct journal *j, struct team_keys *out);
/*
 * How the keyring part of here (admins' keys, revocations, removals)
 * differs from the signed one: a line "  key SHA256:... for alice" (or
 * "... of alice revoked" "... of alice not revoked", "... of alice
 * dropped") per difference, appended to out.  How many.
 */
size_t team_keys_diff(const struct team_keys *signed_keys, const struct team_keys *here, struct buf *out);

/*
 * Revoke the key whose fingerprint is fp ("SHA256:...") from now on
 * (the admin whose key it is gets "revoked = FP TIME"); *admin says
 * whose it was (allocated).  -1 and errget() when no admin has it or it
 * is revoked already.
 */
int team_revoke(struct journal *j, const char *fp, char **admin);
/* remove admin from now on: "removed = TIME", every key revoked with it; -1 and errget() */
int team_remove(struct journal *j, const char *admin);

/*
 * The keyring's changes that team.conf dates: keys added (team add notes
 * "added = FP TIME"), keys revoked, admins removed, oldest first.  text
 * is one line, "key SHA256:... of alice revoked", without the time.
 */
struct team_change {
	int64_t time;
	char *text;
};
void team_changes(const struct conf *team, struct team_change **v, size_t *n);
void team_changes_free(struct team_change *v, size_t n);

/* add admin's email and/or key (git config -f team.conf --add); reloads j->conf */
int team_add(struct journal *j, const char *admin, const char *email, const char *key_text);

#endif
