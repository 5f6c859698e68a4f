/*
 * redact-int.h: what the pieces of the redactor share, and nothing any
 * other module may include (capture/redact.h is the contract).
 *
 * One redaction is a struct ctx: the source text and one flag byte per
 * source byte.  The tokenizer (redact-lex.c) fills a struct scan with
 * commands and words whose value bytes point back at the source bytes
 * they came from; the word rules (redact-keys.c, redact-opts.c,
 * redact-program.c, redact-command.c) and the text rules (redact-text.c)
 * only ever mark source bytes through mark_span and mark_value (redact.c),
 * which never mark shell syntax or a marker already in the input.  Nothing
 * here prints or fails: any bytes give a result.
 */
#ifndef LOGBOOK_REDACT_INT_H
#define LOGBOOK_REDACT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/buf.h"
#include "base/conf.h"

#define NONE SIZE_MAX

enum {
	MAX_NEST = 16,		/* $( ) and ` ` followed inside one text */
	MAX_DEPTH = 4,		/* command strings (bash -c, ssh host '…') re-tokenized */
	MAX_DISPATCH = 8,	/* wrappers (sudo, ssh, docker exec…) followed */
};

/* per source byte */
enum {
	B_SYNTAX = 1,		/* quote, operator, blank, terminator: never replaced */
	B_ESCAPE = 2,		/* a backslash escaping the next byte: replaced only with it */
	B_MARKER = 4,		/* part of a marker already in the input */
	B_SECRET = 8,		/* to be replaced */
};

/* ------------------------------------------------------------------ */
/* tokenizer results */

struct vbyte {
	size_t start, end;	/* the source bytes this value byte came from */
	bool lit;		/* quoted or escaped: a '$' here is not a reference */
	bool raw;		/* the text of a $( ), ` ` or ${ }: its commands are
				 * handled on their own, key=value items are not
				 * looked for inside */
};

enum {
	W_REDIR = 1,		/* target of a redirection */
	W_HERESTRING = 2,	/* after <<< */
	W_DELIM = 4,		/* heredoc delimiter */
	W_IONUM = 8,		/* the 2 of 2>&1 */
	W_COMMENT = 16,		/* # to the end of the line */
	W_BODY = 32,		/* a heredoc body */
	W_SCRIPT = 64,		/* a command string, tokenized again (bash -c '…') */
	W_EXPR = 128,		/* a sed script: only its replacements are read */
};

struct word {
	size_t v, len;		/* value: scan.val and scan.vb [v, v + len) */
	unsigned flags;
};

struct command {
	size_t w, n;		/* its words: scan.cw [w, w + n) */
	size_t prev, next;	/* neighbours in a pipeline, or NONE */
};

struct body {
	size_t cmd, word;
};

struct scan {
	char *val;
	struct vbyte *vb;
	size_t nv, av;
	struct word *words;
	size_t nw, aw;
	size_t *cw;
	size_t ncw, acw;
	struct command *cmds;
	size_t nc, ac;
	struct body *bodies;
	size_t nb, ab;
};

/* ------------------------------------------------------------------ */
/* the redactor and one call */

struct text_rule {
	const char *name;
	const char *pattern;
	int group;		/* the group replaced, 0: whole match */
	int name_group;		/* a group that must name a secret, 0: none */
	bool keep_refs;		/* a value that is only $VAR or $(…) is kept */
	bool trim;		/* trim blanks and \n escapes at both ends (PEM body) */
	bool query;		/* name_group is a URL query parameter (sig=, code=) */
};

struct compiled {
	pcre2_code *code;
	const struct text_rule *rule;
	int group;
};

struct family;
struct prog_name {
	const char *name;
	const struct family *fam;
};

struct redactor {
	struct compiled *rx;
	size_t nrx;
	uint32_t ovec;		/* pairs needed by the largest pattern */
	struct prog_name *progs;
	size_t nprogs;
	char **names;		/* the team's own secret names ([redact] secretname) */
	size_t nnames;
};

struct ctx {
	const struct redactor *r;
	const char *src;
	size_t len;
	unsigned char *flags;
	int depth;		/* command strings being re-tokenized */
	bool secret_out;	/* in a command string whose output is a secret
				 * (--password-command 'echo X') */
};

/* ------------------------------------------------------------------ */
/* bytes */

static inline bool is_lower(int c) { return c >= 'a' && c <= 'z'; }
static inline bool is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static inline bool is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha(int c) { return is_lower(c) || is_upper(c); }
static inline bool is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static inline bool is_ident(int c) { return is_alnum(c) || c == '_'; }
static inline bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static inline int to_lower(int c) { return is_upper(c) ? c + 32 : c; }

static inline bool mem_is(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n == l && memcmp(p, s, l) == 0;
}

static inline bool mem_ieq(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (n != l)
		return false;
	for (size_t i = 0; i < n; i++)
		if (to_lower((unsigned char)p[i]) != to_lower((unsigned char)s[i]))
			return false;
	return true;
}

static inline bool mem_starts(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n >= l && memcmp(p, s, l) == 0;
}

static inline bool mem_contains(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	for (size_t i = 0; i + l <= n; i++)
		if (memcmp(p + i, s, l) == 0)
			return true;
	return false;
}

/* how many of the first n bytes of p are in set */
static inline size_t strspn_n(const char *p, size_t n, const char *set)
{
	size_t i = 0;
	while (i < n && p[i] && strchr(set, p[i]))
		i++;
	return i;
}

static inline size_t mem_find(const char *p, size_t n, char c, size_t from)
{
	for (size_t i = from; i < n; i++)
		if (p[i] == c)
			return i;
	return NONE;
}

static inline bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static inline const struct word *word_at(const struct scan *sc, size_t w)
{
	return &sc->words[w];
}

static inline const char *wval(const struct scan *sc, size_t w)
{
	return sc->val + sc->words[w].v;
}

static inline size_t wlen(const struct scan *sc, size_t w)
{
	return sc->words[w].len;
}

/* ------------------------------------------------------------------ */
/* marking (redact.c) */

void mark_span(struct ctx *c, size_t s, size_t e);
bool is_reference(const char *v, const bool *lit, size_t n);
void mark_value(struct ctx *c, const struct scan *sc, size_t w, size_t from, size_t to);

/* ------------------------------------------------------------------ */
/* the shell tokenizer (redact-lex.c) */

void scan_free(struct scan *sc);
void tokenize(struct ctx *c, struct scan *sc, const char *s, size_t n,
	      const struct vbyte *map, size_t base);

/* ------------------------------------------------------------------ */
/* does a key name a secret? (redact-keys.c) */

enum keyclass {
	KEY_PLAIN,
	KEY_SECRET,
	KEY_SECRET_FILE,	/* a key or credential: a value that is a path is kept */
};

enum keyclass key_class(const struct redactor *r, const char *k, size_t n, bool arg_form);
bool secret_name(const struct redactor *r, const char *k, size_t n);

/*
 * One look at text: flag its secrets (flags zeroed, len of them), true
 * when it found any.  arg is the caller's (redact_file: the path).
 */
typedef bool (*redact_look)(const struct redactor *r, const void *arg, const char *text, size_t len,
			    unsigned char *flags, pcre2_match_data *md);
/*
 * text to out with what look finds replaced, looked at again until the
 * output is stable (redact.c says how); with lines, a newline is never
 * replaced.  Returns how many markers were written.
 */
size_t redact_settle(const struct redactor *r, redact_look look, const void *arg, bool lines, const char *text,
		     size_t len, struct buf *out);
bool command_key(const struct redactor *r, const char *k, size_t n);
/* the team's secret names from [redact] secretname; -1 and errset() on a bad one */
int load_names(struct redactor *r, const struct conf *team);
/* key=value items in a word; NAME = "value" anywhere in it */
void kv_word(struct ctx *c, const struct scan *sc, size_t w);
void kv_inside(struct ctx *c, const struct scan *sc, size_t w);

/*
 * Text written somewhere (echo and printf operands, a heredoc body, what
 * a <(…) feeds), flattened: byte i of b came from value byte off[i] of
 * word w[i] (NONE: a blank between two operands, or printf's own bytes
 * that hold no secret).
 */
struct flat {
	char *b;
	size_t *w, *off;
	size_t n, a;
};

enum {
	L_SPACED = 1,	/* "NAME VALUE" counts (a config line written to a file) */
	L_WHOLE = 2,	/* a line that is not an assignment is a secret itself */
	L_AFTER_FIRST = 4,	/* only lines after the first (user, then password) */
};

void flat_free(struct flat *f);
void flat_push(struct flat *f, char ch, size_t w, size_t off);
void flat_word(struct flat *f, const struct scan *sc, size_t w);
void flat_mark(struct ctx *c, const struct scan *sc, const struct flat *f, size_t s, size_t e);
/* config lines: NAME=VALUE, NAME: VALUE, NAME = "VALUE", export NAME=…;
 * with L_SPACED "NAME VALUE" too; with L_WHOLE every other line but a
 * [section] or a comment is marked whole */
void flat_lines(struct ctx *c, const struct scan *sc, const struct flat *f, unsigned how);
void body_lines(struct ctx *c, const struct scan *sc, size_t w);

/* ------------------------------------------------------------------ */
/* options, parsed as each program does (redact-opts.c) */

enum { A_NONE, A_REQ, A_ATTACHED, A_NODASH };
enum {
	K_NONE,
	K_WHOLE,	/* the argument */
	K_COLON,	/* after the first ':' (user:password), nothing without one */
	K_PERCENT,	/* after the first '%' (samba's user%password) */
	K_COMMA,	/* after the first ',' (lftp's user,password) */
	K_EQ,		/* after the first '=' (kubectl --from-literal=k=v) */
	K_COOKIE,	/* the values of name=value; pairs */
	K_OPENSSL,	/* after "pass:" */
	K_MACOPT,	/* after "key:" or "hexkey:" */
	K_HEADER,	/* "Name: value" when the name says secret */
	K_SHELL,	/* a command string */
};
enum {
	O_BUNDLE = 1,	/* -abc is -a -b -c; otherwise -abc is -a with "bc" */
	O_DASHLONG = 2,	/* -name is a long option (openssl, keytool) */
	O_POSIXSTOP = 4,	/* options end at the first operand */
	O_PREFIX = 8,	/* --pass= abbreviates --password= (mysql) */
};

struct opt {
	const char *name;	/* one letter: short option */
	unsigned char arg, kind;
};

struct optspec {
	const struct opt *opts;
	unsigned flags;
};

struct call {
	struct scan *sc;
	size_t cmd;
	const size_t *argv;	/* argv[0]: the program */
	size_t argc;
	bool at_command;
	int depth;
	size_t *pos;		/* operands (argv indexes) */
	size_t npos;
	bool seen[128];		/* short options seen */
};

static inline const char *av(const struct call *k, size_t i) { return wval(k->sc, k->argv[i]); }
static inline size_t al(const struct call *k, size_t i) { return wlen(k->sc, k->argv[i]); }
static inline bool arg_is(const struct call *k, size_t i, const char *s) { return i < k->argc && mem_is(av(k, i), al(k, i), s); }
static inline bool pos_is(const struct call *k, size_t j, const char *s) { return j < k->npos && arg_is(k, k->pos[j], s); }
static inline bool pos_ieq(const struct call *k, size_t j, const char *s)
{
	return j < k->npos && mem_ieq(av(k, k->pos[j]), al(k, k->pos[j]), s);
}

static inline bool has_arg(const struct call *k, const char *s)
{
	for (size_t i = 1; i < k->argc; i++)
		if (arg_is(k, i, s))
			return true;
	return false;
}

/* a header "Name: value" in word w from byte from: marks the value when
 * the name says secret or is Cookie, or Authorization (after its scheme) */
void header_value(struct ctx *c, const struct scan *sc, size_t w, size_t from);
void scan_opts(struct ctx *c, struct call *k, const struct optspec *spec, size_t from, bool mark);

/* ------------------------------------------------------------------ */
/* programs (redact-program.c) */

enum stdin_mode {
	IN_NONE,
	IN_PASSWORD,	/* every line is a password (passwd --stdin, sudo -S) */
	IN_CHPASSWD,	/* user:password lines */
	IN_NEWUSERS,	/* name:password:uid:… lines */
	IN_SHELL,	/* commands (bash <<EOF, ssh host <<EOF) */
};

enum {
	F_NO_ARG_SECRET = 1,	/* its --password takes no next word (mysql, psql) */
	F_PREFIX = 2,		/* a wrapper: the command follows its options */
};

struct family {
	const char *rule;
	int (*fn)(struct ctx *c, struct call *k);
	unsigned flags;
	size_t skip;		/* F_PREFIX: operands before the command (timeout 5) */
	int id;
};

enum {
	FAM_NONE, FAM_MYSQL, FAM_LIBPQ, FAM_REDIS, FAM_LDAP, FAM_LDAPPASSWD, FAM_SSHPASS,
	FAM_CURL, FAM_WGET, FAM_SMB, FAM_OPENSSL, FAM_REGISTRY, FAM_HTPASSWD,
	FAM_CHPASSWD, FAM_NEWUSERS, FAM_STDIN, FAM_USERADD, FAM_SSHKEYGEN, FAM_IPMITOOL,
	FAM_ZIP, FAM_7Z, FAM_MONGO, FAM_VAULT, FAM_KEYTOOL, FAM_MOSQUITTO, FAM_ORACLE,
	FAM_FREERDP, FAM_RDESKTOP, FAM_RABBITMQ, FAM_WPA, FAM_PAIRS, FAM_MKPASSWD,
	FAM_MINIO, FAM_CONFIG, FAM_COMPOSER, FAM_KUBECTL, FAM_HTTPIE, FAM_LOADTEST,
	FAM_LFTP, FAM_SHELL, FAM_SU, FAM_SSH, FAM_WATCH, FAM_EVAL,
	FAM_SED, FAM_AZ, FAM_SQLCMD, FAM_SNMP, FAM_RCLONE, FAM_VAULTSTR, FAM_NETDEV,
	FAM_SUDO, FAM_ENV, FAM_PREFIX, FAM_PREFIXF, FAM_PREFIX1, FAM_RESERVED, FAM_COUNT
};

/* the option spec of a family (NULL: none) */
const struct optspec *family_spec(int id);
/* fill r->progs with every known program name, sorted */
void index_programs(struct redactor *r);
const struct family *find_family(const struct ctx *c, const struct scan *sc, size_t w);

/* ------------------------------------------------------------------ */
/* commands (redact-command.c) */

void recurse_word(struct ctx *c, const struct scan *sc, size_t w, size_t from);
size_t command_argv(const struct scan *sc, size_t cmd, size_t *argv);
/* the program word of command cmd after assignments and wrappers, or NONE */
size_t program_word(struct ctx *c, const struct scan *sc, const size_t *argv, size_t argc, size_t *at);
void dispatch(struct ctx *c, struct scan *sc, size_t cmd, const size_t *argv, size_t argc, int depth);
void run_scan(struct ctx *c, struct scan *sc);

/* ------------------------------------------------------------------ */
/* what is written, and where (redact-shape.c) */

/* echo, printf, cat <<EOF, tee: the text a command writes, and the
 * secret-named file or credential prompt it goes to */
void shape_command(struct ctx *c, struct scan *sc, size_t cmd, const size_t *argv, size_t argc);
/* a word holding a command string whose output is a secret */
void secret_output(struct ctx *c, const struct scan *sc, size_t w, size_t from);
/* a sed script in word w from byte from: its replacements and a/i/c text
 * are config lines; the word is flagged W_EXPR (its patterns hold none) */
void sed_script(struct ctx *c, struct scan *sc, size_t w, size_t from);

/* ------------------------------------------------------------------ */
/* rules on the text (redact-text.c) */

/* compile the built-in rules and the team's patterns into r; -1 and
 * errset() on a pattern that does not compile */
int compile_rules(struct redactor *r, const struct conf *team);
void run_text_rule(struct ctx *c, const struct compiled *cr, pcre2_match_data *md);
void mark_assignments(struct ctx *c);

/* configuration syntax: by the file's name (path, may be NULL) and by each
 * line's shape (redact-config.c) */
void mark_config(struct ctx *c, const char *path);

#endif
