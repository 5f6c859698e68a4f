/*
 * sign: sign records, which vouch for a host's whole chain.
 *
 * A `sign` record covers the head of its host's chain when it was
 * written: the record just before it (seq - 1), whose line hash is the
 * sign record's own "prev".  Since every record links to the one before,
 * a good signature vouches for every earlier record of that host.  The
 * signed bytes (docs/format.md) are
 *
 *     logbook-sign 1\n
 *     host <host>\n
 *     seq <seq of the covered record>\n
 *     head <its line's SHA-256, hex>\n
 *     witness <other host> <seq> <its line's SHA-256, hex>\n   (0 or more)
 *
 * signed as an OpenSSH SSHSIG with namespace "logbook" (sig.h), so
 * `ssh-keygen -Y verify -n logbook` checks one by hand.
 *
 * The witness lines are the heads of the other hosts' chains as the
 * signing replica held them (store_heads), in the record's "witness"
 * field: a signature then also vouches that those records existed, so
 * a replica that holds less of one of those hosts (a history cut or
 * rewritten after the fact) is found by verify anywhere.  A record
 * without witnesses has the message of before, so older signatures
 * still verify.
 *
 * This module makes the message, finds a key of the admin (their keys in
 * team.conf that the ssh-agent holds, or a key file), writes the record
 * inside a store transaction, and checks one.  It never prints.
 */
#ifndef LOGBOOK_SIGN_H
#define LOGBOOK_SIGN_H

#include <stdint.h>

#include "base/buf.h"
#include "journal/ident.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"
#include "journal/team.h"

/*
 * The bytes a sign record of host signs, covering seq whose line hashes
 * to head, with n witnessed heads of other hosts (n may be 0).
 */
/*
 * A key of admin that team lists as valid now and the agent at
 * $SSH_AUTH_SOCK holds (the agent may hold anybody's); NULL and errget()
 * naming the admin's keys when there is none.
 */
struct team_keys;
struct sig_key *sign_agent_key(const struct team_keys *team, const char *admin);

void sign_message(const char *host, int64_t seq, const char *head, const struct store_head *witness, size_t n,
		  struct buf *out);
/*
 * The witnessed heads of a sign record, in the record's order (*v NULL
 * and *n 0 when it has none; the caller frees *v).  -1 and errget() when
 * the field is malformed: each must be another valid host, a seq of at
 * least 1 and a lowercase hex SHA-256.
 */
int sign_witnesses(const struct record *r, struct store_head **v, size_t *n);

enum sign_result {
	SIGN_DONE = 0,		/* a sign record was added */
	SIGN_NO_KEY = 1,	/* no key of the admin is available, or the key is not theirs: errget() says why */
	SIGN_FAILED = -1,	/* errget() */
};

/*
 * Add to t a sign record of id's admin covering t's current head and
 * witnessing the other hosts' heads in j's files (store_heads), made
 * with keyfile (a private key file, through ssh-keygen) when not NULL,
 * else with a key of the admin in team.conf that the ssh-agent holds.
 * When team.conf lists any key, a key that is not one of the admin's is
 * SIGN_NO_KEY, t unchanged, and errget() names it and the admin's keys.
 */
enum sign_result sign_add(struct store_txn *t, const struct journal *j, const struct ident *id, const char *keyfile);

/*
 * Check a sign record: its signature over its message, by a key of
 * team.conf that belongs to the record's admin.  0 good; -1 with errget()
 * = why (bad signature, unknown key, another admin's key, malformed).
 */
int sign_check(const struct record *r, const struct team_keys *keys);

#endif
