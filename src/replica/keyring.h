/*
 * keyring: the team ref (refs/heads/team, which carries team.conf, its
 * admins, keys and settings) as an authenticated history.
 *
 * Every commit on the team ref after the first signed one carries an SSH
 * signature in git's own format (a gpgsig header made with namespace
 * "git", so `git verify-commit` with gpg.format=ssh checks it too), made
 * by a key that the commit's parent's team.conf lists as valid at the
 * commit's time.  The first signed commit is signed by the replica's
 * root of trust, pinned in .git/logbook-trust: the owner of .git writes
 * the pin when it takes the first signed change (the signer of a team
 * whose keyring was empty, or one of the keys it listed), or at clone
 * time from --trust.  A replica with a pin takes a team commit, fetched
 * or pushed, only along such a history; anything else is quarantined
 * (replica.h).  Without a pin nothing changes: a team that does not sign
 * shares team.conf as before.
 *
 * Who writes what: an admin's own process (team add, rm, revoke, watch,
 * team sign) builds the commit and signs it through the admin's agent,
 * reading the ref without running git, and leaves it as a proposal in
 * .state/team/; the owner of .git (sync, run as the user logbook) checks
 * and writes it.  Admins never run git in the journal, and the owner
 * never holds an admin's key.
 */
#ifndef LOGBOOK_KEYRING_H
#define LOGBOOK_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "journal/journal.h"
#include "journal/sig.h"
#include "base/conf.h"

#define KEYRING_NAMESPACE "git"
#define KEYRING_TRUST JOURNAL_TRUST
#define KEYRING_PROPOSALS JOURNAL_STATE "/team"
#define KEYRING_OID_LEN 40

/* git's object id (SHA-1, hex) of an object of type ("blob", "tree", "commit") holding data */
void keyring_object_id(const char *type, const void *data, size_t len, char out[KEYRING_OID_LEN + 1]);
/* the raw tree that holds team.conf as the blob blob_id */
void keyring_tree(const char *blob_id, struct buf *out);
/* the commit text, unsigned: team.conf's tree on parent (NULL: a root commit), by admin at when */
void keyring_payload(const char *tree_id, const char *parent, const char *admin, int64_t when, struct buf *out);
/* payload with armored (an SSHSIG) as its gpgsig header, as git writes a signed commit */
void keyring_signed(const struct buf *payload, const struct buf *armored, struct buf *out);
/*
 * A commit's parts: its payload (without gpgsig), its signature (empty
 * when unsigned), its tree and its only parent ("" for none).  -1 and
 * errget() when it is not a commit logbook takes (two parents, no tree).
 */
int keyring_parse(const char *commit, size_t len, struct buf *payload, struct buf *armored,
		  char tree[KEYRING_OID_LEN + 1], char parent[KEYRING_OID_LEN + 1], int64_t *when);

/* what refs/heads/team points to, read from .git without git (NULL: none); -1 and errget() */
int keyring_read_ref(const char *dir, char out[KEYRING_OID_LEN + 1], bool *found);
/* the pinned root of trust ("SHA256:..."), or NULL when this replica has none (allocated) */
char *keyring_pinned(const char *dir);
/* pin fp as this replica's root of trust (the owner of .git only); -1 and errget() */
int keyring_pin(const char *dir, const char *fp);
/*
 * Keep conf, the team.conf of the team ref's head once the owner of .git
 * checked the history up to it, as JOURNAL_KEYRING: the keyring that
 * verify, sign and ident read (journal_keyring), whichever account runs
 * them.  The owner of .git only; -1 and errget().
 */
int keyring_save(const char *dir, const void *conf, size_t len);

/*
 * Leave team.conf's content conf as a signed proposal on the team ref,
 * from the admin's process: parent read from .git, signed through the
 * agent with a key of admin that before (the keyring before the change;
 * the new one when before lists no key) lists as valid now, or with
 * keyfile.  id is the commit's.  -1 and errget() when it cannot be
 * signed (the change then stays on this replica).
 */
int keyring_propose(struct journal *j, const struct conf *before, const char *admin, const void *conf, size_t len,
		    const char *keyfile, char id[KEYRING_OID_LEN + 1]);

/*
 * Whether commit (its text) may follow a keyring: it is signed, the
 * signature verifies, and its key is valid at the commit's time in
 * keyring (the parent's team.conf), or, when root is not NULL (no pin
 * yet, or the first signed commit), is the key root names
 * ("SHA256:...").  0 yes (fp says whose), 1 no (*why, allocated).
 */
int keyring_check(const char *commit, size_t len, const struct conf *keyring, const char *root,
		  char fp[SIG_FINGERPRINT_SIZE], char **why);

#endif
