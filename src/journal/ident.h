/*
 * Who and where: the host name, the admin behind a record, the unix
 * account and the session.  The admin is resolved in this order (the
 * man page's WHO WROTE IT says why): $LOGBOOK_USER; the ssh key the session logged in with
 * (sshd's ExposeAuthInfo, $SSH_USER_AUTH) matched against the keys of
 * team.conf; the kernel's login uid (which survives su and sudo);
 * $SUDO_USER; the account name.  This module reads the environment and
 * the system; it never writes.
 */
#ifndef LOGBOOK_IDENT_H
#define LOGBOOK_IDENT_H

#include "base/conf.h"

struct ident {
	char *host;
	char *admin;
	const char *admin_source;	/* which rule gave admin, e.g. "LOGBOOK_USER" */
	char *account;
	char *session;
};

/* team may be NULL (no key matching); -1 and errget() when a value is unusable */
int ident_resolve(struct ident *id, const struct conf *team);
void ident_release(struct ident *id);
/* this host's name alone ($LOGBOOK_HOST, else the system's); NULL and errget() when unusable */
char *ident_host(void);

#endif
