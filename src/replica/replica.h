/*
 * The replicas: every server holds the whole journal, kept in step over
 * git.  Each host's files live on a ref of their own,
 *
 *   refs/heads/hosts/<host>   YYYY/YYYY_MM_DD/<host>.jsonl, only <host> commits it
 *   refs/heads/team           team.conf
 *
 * so a fetched ref either extends ours (fast-forward, and its files are
 * written into the work tree) or is behind it (ignored): integration
 * never merges and never needs a human.  A ref another replica pushed
 * here is written the same way; one that does not extend the files
 * already written (history rewritten) is reported and never written,
 * and a host's record file is only ever replaced by one that extends it.
 * A host's ref is committed from its files by one git fast-import, in one
 * commit per sync; the work tree is written
 * before a ref moves, so a sync killed anywhere is redone by the next one.  This module never writes this
 * host's own record files and never deletes a file; it never prints:
 * what it finds goes into a struct store_warnings for the caller.
 */
#ifndef LOGBOOK_REPLICA_H
#define LOGBOOK_REPLICA_H

#include <stdbool.h>

#include "journal/journal.h"
#include "journal/store.h"

#define REPLICA_HOSTS_REF "refs/heads/hosts/"
#define REPLICA_TEAM_REF "refs/heads/team"
/* refs/logbook/written/<host>: the commit of <host>'s files in the work tree */
#define REPLICA_WRITTEN_REF "refs/logbook/written/"
#define REPLICA_STATE JOURNAL_STATE "/sync"
/*
 * Another host's history that may not replace what this replica holds
 * (a record file rewritten, cut or removed, a file over the size limit,
 * a ref that does not descend from ours) is kept aside, never written:
 * its commit under REPLICA_QUARANTINE_REF<source>/<host> (source: the
 * remote's name, or "pushed"), and why in .state/quarantine/<source>.<host>.
 */
#define REPLICA_QUARANTINE_REF "refs/logbook/quarantine/"
#define REPLICA_QUARANTINE JOURNAL_STATE "/quarantine"
/* the size limit of a host's file from a replica, unless team.conf's sync.maxfilesize says otherwise */
#define REPLICA_MAX_FILE_SIZE (64 * 1024 * 1024)

/* a remote name: [A-Za-z0-9._-]+, not starting with '.' or '-' */
bool replica_valid_remote(const char *name);
/* url as git will find it from the journal's directory: a relative local path made absolute (allocated) */
char *replica_url(const char *url);
/* the remotes of the journal's repository, sorted; -1 and errget() */
int replica_remotes(struct journal *j, char ***names, size_t *n);
void replica_names_free(char **names, size_t n);

/* take the sync lock of the journal (waits for another sync); the lock's fd, or -1 and errget() */
int replica_lock(struct journal *j);
/*
 * From begin to end (a sync, under the lock), j's refs are read by one
 * git for all of them, again only after this module moved one, instead
 * of a git process a ref (replica.c, "the refs of one sync").
 */
void replica_refs_begin(struct journal *j);
/*
 * After begin: start that git, and "git remote -v", now and side by
 * side (sync needs the remotes first, the refs once its fetch has
 * started); without it each runs when first needed.
 */
void replica_refs_prefetch(struct journal *j);
/* fn(arg) runs once, before the first file of another host is written (replica_refs_end forgets it) */
void replica_before_write(void (*fn)(void *), void *arg);
void replica_refs_end(void);

/* commit host's files onto its ref: 1 committed, 0 nothing new, -1 and errget() */
int replica_commit_host(struct journal *j, const char *host, struct store_warnings *w);
/*
 * The journal's own git view, for an admin who types git commands in it
 * (as the owner of .git): HEAD, when it still names git's unborn default
 * branch, becomes host's ref; git's default index follows that ref after
 * a commit (committed: replica_commit_host said 1), so `git log` shows
 * this host's commits and `git status` what is not committed yet; and
 * .git/info/exclude hides what no ref of this host holds (the other
 * hosts' files, team.conf).  Never fails a sync: -1 and errget() to warn.
 */
int replica_git_view(struct journal *j, const char *host, bool committed);
/* commit team.conf onto the team ref when it changed: 1, 0 or -1 */
int replica_commit_team(struct journal *j, struct store_warnings *w);

/* fetch remote's host and team refs into refs/remotes/<remote>/; -1 and errget() when unreachable */
int replica_fetch(struct journal *j, const char *remote);
/*
 * The same, with meanwhile(arg) run while git fetches: sync commits this
 * host's records then, on the other CPU, instead of before the fetch.
 * meanwhile must not fetch, push, or move refs/remotes/.  It runs even
 * when git could not be started.
 */
int replica_fetch_while(struct journal *j, const char *remote, void (*meanwhile)(void *), void *arg);
/*
 * Take what was fetched from remote: every host ref that extends ours
 * (own_host's excepted, NULL: none) is written into the work tree, then
 * moved; the team ref likewise.  Diverged refs are reported in w.
 * -1 and errget() on a local failure.
 */
int replica_integrate(struct journal *j, const char *remote, const char *own_host, struct store_warnings *w);
/* what replica_integrate and replica_integrate_local return when they kept something aside */
#define REPLICA_QUARANTINED 1

/* one entry of .state/quarantine/: its fields escaped for a terminal */
struct replica_kept {
	char *name;	/* <source>.<host> */
	char *ref;	/* where the commit is kept */
	char *why;
};
/* the entries of .state/quarantine/, sorted; none when it is missing; -1 and errget() */
int replica_quarantined(struct journal *j, struct replica_kept **v, size_t *n);
void replica_kept_free(struct replica_kept *v, size_t n);
/*
 * Take what other replicas pushed into this repository: every host ref
 * (own_host's excepted) that extends the files written here is written
 * into the work tree, then team.conf likewise; a ref that does not
 * (history rewritten) is reported in w and not written.  No network.
 * -1 and errget() on a local failure.
 */
int replica_integrate_local(struct journal *j, const char *own_host, struct store_warnings *w);

/* a host whose ref here is not the commit its files were written from */
struct replica_host {
	char *host;
	bool rewritten;		/* the ref does not extend the files: integration refuses it */
};
/*
 * The hosts (own_host's excepted) whose refs are ahead of their files, in
 * pending, and how many host refs there are besides own_host's in nhosts.
 * -1 and errget().
 */
int replica_pending(struct journal *j, const char *own_host, struct replica_host **pending, size_t *npending,
		    size_t *nhosts);
void replica_hosts_free(struct replica_host *v, size_t n);

/*
 * Push the host refs and the team ref to remote.  0 when own_host's ref
 * went through (or had nothing to push), 1 when it was rejected (someone
 * pushed meanwhile: fetch and try again), -1 and errget() when the remote
 * could not be reached.  Rejected refs of other hosts are not errors.
 */
int replica_push(struct journal *j, const char *remote, const char *own_host);
/* the same, with meanwhile(arg) run while git pushes (sync brings its search index up to date then) */
int replica_push_while(struct journal *j, const char *remote, const char *own_host, void (*meanwhile)(void *),
		       void *arg);

/*
 * A hub on this machine (a path or file:// URL): remote.NAME.uploadpack
 * and receivepack name the pinned commands of git_pack_command, for the
 * admins' own git in the journal; sync passes them on its command line
 * whatever the repository says.
 */
int replica_local_packs(struct journal *j, const char *name, const char *url);
/*
 * "--upload-pack=..." (push: "--receive-pack=...") for remote, for every
 * git that talks to it: what remote.<remote>.uploadpack says never counts
 * (allocated)
 */
char *replica_pack_option(struct journal *j, const char *remote, bool push);

/*
 * Ask the owner of the journal's .git for a sync: write .state/sync/request,
 * which logbook-sync.path watches.  For an account that may not run git
 * there (see git.h).  -1 and errget().
 */
int replica_request_sync(struct journal *j);
/*
 * A new replica's root of trust (replica/keyring.h), from the team ref
 * rev it fetched: the key that signed its first signed commit, which
 * must be trust when given ("SHA256:..."), and the whole history must
 * check from there.  Pinned in .git/logbook-trust; *pinned says which
 * (allocated; NULL when the team signs nothing and trust was not given).
 * -1 and errget() when the history does not check or trust differs.
 */
int replica_trust_team(struct journal *j, const char *rev, const char *trust, char **pinned);
/*
 * The keyring's history, oldest first, one entry per commit of the team
 * ref: when, the commit, who signed it (the admin the keyring before it
 * names, and the key's fingerprint) or "unsigned", and the keyring
 * changes it made (keys added, revoked, admins removed), escaped.
 * Runs git: the owner of .git (or root, as the owner) only.  -1 and errget().
 */
int replica_team_log(struct journal *j, struct buf *out);
/*
 * Replay the keyring's history as a new replica would check it: from
 * the first signed commit of the team ref, which the pinned root of
 * trust must have signed, to the head, each change signed by a key the
 * keyring before it lists as valid then.  0 it checks (*changes: how
 * many signed changes), 1 it does not (*why, allocated), -1 and errget()
 * on failure.  Runs git: the owner of .git only.
 */
int replica_check_team(struct journal *j, size_t *changes, char **why);

#endif
