/*
 * Who and where: the host name, the admin behind a record, the unix
 * account and the session.  The admin is resolved in this order (the
 * man page's WHO WROTE IT says why): $LOGBOOK_USER; the ssh key the session logged in with
 * (sshd's ExposeAuthInfo, $SSH_USER_AUTH) matched against the keys of
 * the keyring (team_keys_trusted); the kernel's login uid (which survives su and sudo);
 * $SUDO_USER; the account name.  This module reads the environment and
 * the system; it never writes.
 */
#ifndef LOGBOOK_IDENT_H
#define LOGBOOK_IDENT_H

#include "journal/journal.h"
#include "journal/team.h"

struct ident {
	char *host;
	char *admin;
	const char *admin_source;	/* which rule gave admin, e.g. "LOGBOOK_USER" */
	char *account;
	char *session;
};

/* keys may be NULL (no key matching); -1 and errget() when a value is unusable */
int ident_resolve(struct ident *id, const struct team_keys *keys);
/*
 * ident_resolve with the keys of journal j that say who logged in
 * (team_keys_trusted: the signed keyring on a replica that has one, so
 * that a key added to team.conf here without a signature names nobody).
 * When the signed keyring cannot be read, no key names anybody.
 */
int ident_resolve_in(struct ident *id, const struct journal *j);
void ident_release(struct ident *id);
/* this host's name alone ($LOGBOOK_HOST, else the system's); NULL and errget() when unusable */
char *ident_host(void);

#endif
