/*
 * gitobj: the commit of a host's new records written by logbook itself.
 *
 * Such a commit touches a few objects: the blob of each file that
 * changed, the trees above it (its day's, its year's, the root) and the
 * commit.  They are written as loose objects in git's own format (zlib,
 * each named by the SHA-1 of "<type> <size>\0<data>"), the old trees
 * read from the trees this module wrote last (a cache, each tree checked
 * against its name before use) or, when they are not there, from one
 * git cat-file --batch; then git update-ref moves the ref from the old
 * commit (a compare-and-swap, with its reflog).  One git process for a
 * commit, where git fast-import needs two (it unpacks its pack with
 * unpack-objects) and the plumbing four.
 *
 * What it does not do it says (GITOBJ_NOT_HERE) and leaves to
 * git_commit_files: a first commit, a repository whose .git belongs to
 * another account (git runs there as that account, this process would
 * write objects as itself).  It never deletes an object or a ref and
 * never writes outside .git/objects but through git.
 */
#ifndef LOGBOOK_GITOBJ_H
#define LOGBOOK_GITOBJ_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define GITOBJ_RAW 20		/* a SHA-1 */
#define GITOBJ_NOT_HERE (-2)

/* one entry of a tree */
struct gitobj_entry {
	unsigned mode;		/* 0100644, 0100755, 040000 (a tree), 0120000, 0160000 */
	char *name;
	unsigned char id[GITOBJ_RAW];
};
struct gitobj_tree {
	struct gitobj_entry *v;
	size_t n;
};
/*
 * A tree object's content (without git's "tree <size>\0" header) into
 * t, which the caller releases with gitobj_tree_release.  -1 when it is
 * not one git would write: a mode that is not octal or has a leading
 * zero, an empty name, one with '/', ".", "..", ".git", a name out of
 * git's order or twice, an entry cut short.
 */
int gitobj_tree_parse(const void *raw, size_t len, struct gitobj_tree *t);
/* t's entries in git's order (a tree's name compared as if it ended with '/'), as a tree's content */
void gitobj_tree_format(struct gitobj_tree *t, struct buf *raw);
void gitobj_tree_release(struct gitobj_tree *t);
/*
 * The trees kept between syncs, as the file .git/logbook/trees.<host>
 * holds them: "logbook-trees 1\n", then for each "<id> <size>\n" and
 * the tree's content.  Read back, only trees whose content has the id
 * they are filed under are taken; the rest of a damaged file is
 * dropped.  gitobj_cache_get: the content of the tree id (hex), or NULL.
 */
struct gitobj_cache {
	char (*id)[2 * GITOBJ_RAW + 1];
	struct buf *raw;
	size_t n;
};
void gitobj_cache_parse(const void *data, size_t len, struct gitobj_cache *c);
void gitobj_cache_add(struct gitobj_cache *c, const char *id, const void *raw, size_t len);
const struct buf *gitobj_cache_get(const struct gitobj_cache *c, const char *id);
void gitobj_cache_format(const struct gitobj_cache *c, struct buf *out);
void gitobj_cache_release(struct gitobj_cache *c);

/*
 * The object data names, stored loose in gitdir/objects (the directory
 * made when missing, the file through a temporary one linked into
 * place: git's way); one already there is left as it is.  *id: its name
 * (hex).  -1 and errget().
 */
int gitobj_write(const char *gitdir, const char *type, const void *data, size_t len, char id[2 * GITOBJ_RAW + 1]);

/*
 * git_commit_files (git.h) done by this module: one commit onto ref,
 * old's tree (old_tree) with the regular files dir/paths[i] as they are
 * now.  cache: the path of the tree cache to read and to write (a file
 * in a directory only this account writes).  Returns what
 * git_commit_files would, or GITOBJ_NOT_HERE before anything is written.
 */
int gitobj_commit(const char *dir, const char *ref, const char *old, const char *old_tree, const char *const paths[],
		  size_t npaths, const char *message, const char *cache, char **made, char **made_tree,
		  struct buf *entries);

#endif
