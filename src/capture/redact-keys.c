/*
 * redact-keys: the rules that go by the name of a key, whatever the
 * program.  A key names a secret when its last component says so
 * (DB_PASSWORD, client-secret, dbPassword: key_class).  Every word is
 * checked for key=value items whose key names a secret (DB_PASSWORD=x,
 * --client-secret=x, mount -o user=a,password=x) and for NAME = "x"
 * anywhere inside it; heredoc bodies and text that commands write are
 * read as configuration lines (KEY=VALUE, key: value, export KEY=…, and
 * "key value" where that is unambiguous), through struct flat.  The
 * team adds names that say secret ([redact] secretname).
 *
 * Invariants: a value that only refers to a variable ($PASS, $(cat f)) is
 * kept, and so is a path where the key names a key or credential file
 * (SSL_KEY=/etc/…).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "capture/redact-int.h"
#include "base/banned.h"

/* last components that say secret */
static const char *const secret_words[] = {
	"password", "passwd", "pass", "secret", "token", "apikey", "auth",
	"passphrase", "psk", NULL
};
/* the same, but a value naming a file is no secret (SSL_KEY=/etc/…) */
static const char *const secret_file_words[] = {
	"key", "credential", "credentials", "privatekey", NULL
};
/* a one-word key ending like this is a secret too (PGPASSWORD, AUTHTOKEN) */
static const char *const secret_suffixes[] = {
	"password", "passwd", "secret", "token", "apikey", "passphrase", NULL
};
/* one-word configuration keys that hold a password (redis, slapd) */
static const char *const secret_keys[] = {
	"requirepass", "masterauth", "rootpw", "olcrootpw", NULL
};
/* "--token X": only these take a secret as the next word ("--key FILE",
 * "--ask-pass" do not) */
static const char *const arg_words[] = {
	"password", "passwd", "secret", "token", "apikey", "passphrase", "psk", NULL
};
/* first words of options that are switches: --no-password, --show-token */
static const char *const switch_verbs[] = {
	"no", "ask", "show", "print", "use", "with", "without", "prompt",
	"generate", "gen", "random", "empty", "allow", "skip", "disable",
	"enable", "require", "save", "store", "reset", "clear", "expire",
	"forget", "remember", "check", "verify", "list", "revoke", "rotate",
	"delete", "remove", "create", "read", "stdin", "insecure", "ignore",
	"keep", "force", "send", "include", "exclude", "change", "lock",
	"unlock", NULL
};

static bool has_suffix(const char *s, const char *const *list)
{
	size_t n = strlen(s);
	for (; *list; list++) {
		size_t l = strlen(*list);
		if (n > l && !strcmp(s + n - l, *list))
			return true;
	}
	return false;
}

/* a name of the team's: the last component, or the end of all of them
 * joined (secretname = vaultpin: VAULT_PIN, vaultPin, --vault-pin) */
static bool team_name(const struct redactor *r, const char *last, const char *joined)
{
	size_t nj = strlen(joined);

	for (size_t i = 0; r && i < r->nnames; i++) {
		size_t l = strlen(r->names[i]);
		if (!strcmp(last, r->names[i]) || (nj >= l && !strcmp(joined + nj - l, r->names[i])))
			return true;
	}
	return false;
}

/*
 * Split the key into components on _ - . and lower-to-upper case changes
 * (DB_PASSWORD, client-secret, dbPassword), ignoring numbers (KEY2), and
 * judge by the last one.  Only the part after the last '/' or ':' counts
 * (npm's "//registry/:_authToken").  arg_form: the key of "--key VALUE".
 */
enum keyclass key_class(const struct redactor *r, const char *k, size_t n, bool arg_form)
{
	char first[24] = "", last[24] = "", joined[48] = "";
	size_t s = 0, ncomp = 0, i, nj = 0;

	for (i = 0; i < n; i++)
		if (k[i] == '/' || k[i] == ':')
			s = i + 1;
	i = s;
	while (i < n) {
		size_t b, e, l;
		while (i < n && (k[i] == '_' || k[i] == '-' || k[i] == '.'))
			i++;
		if (i >= n)
			break;
		b = i++;
		while (i < n && k[i] != '_' && k[i] != '-' && k[i] != '.' &&
		       !(is_lower((unsigned char)k[i - 1]) && is_upper((unsigned char)k[i])))
			i++;
		e = i;
		while (e > b && is_digit((unsigned char)k[e - 1]))
			e--;
		if (e == b)
			continue;
		l = e - b;
		if (l > sizeof last - 1) {	/* keep the tail: suffixes still match */
			b = e - (sizeof last - 1);
			l = sizeof last - 1;
		}
		for (size_t j = 0; j < l; j++)
			last[j] = (char)to_lower((unsigned char)k[b + j]);
		last[l] = '\0';
		if (nj + l >= sizeof joined)	/* keep the tail of the joined name */
			nj = 0;
		memcpy(joined + nj, last, l + 1);
		nj += l;
		if (ncomp++ == 0)
			memcpy(first, last, sizeof first);
	}
	if (ncomp == 0)
		return KEY_PLAIN;
	if (arg_form) {
		if (ncomp > 1 && in_list(first, switch_verbs))
			return KEY_PLAIN;
		return in_list(last, arg_words) || has_suffix(last, secret_suffixes) ||
		       team_name(r, last, joined) ? KEY_SECRET : KEY_PLAIN;
	}
	if (!strcmp(last, "pwd") || !strcmp(last, "pw"))	/* MYSQL_PWD, but PWD=/x is a directory */
		return ncomp > 1 ? KEY_SECRET : KEY_PLAIN;
	if (in_list(last, secret_file_words) || has_suffix(last, (const char *const[]){ "privatekey", NULL }))
		return KEY_SECRET_FILE;
	if (in_list(last, secret_words) || has_suffix(last, secret_suffixes) ||
	    (ncomp == 1 && in_list(last, secret_keys)) || team_name(r, last, joined))
		return KEY_SECRET;
	return KEY_PLAIN;
}

bool secret_name(const struct redactor *r, const char *k, size_t n)
{
	return key_class(r, k, n, false) != KEY_PLAIN;
}

/* a key naming a command that prints a secret: --password-command,
 * BORG_PASSCOMMAND, RESTIC_PASSWORD_COMMAND, passcmd */
bool command_key(const struct redactor *r, const char *k, size_t n)
{
	size_t m;

	if (n > 7 && mem_ieq(k + n - 7, 7, "command"))
		m = n - 7;
	else if (n > 3 && mem_ieq(k + n - 3, 3, "cmd"))
		m = n - 3;
	else
		return false;
	while (m > 0 && (k[m - 1] == '-' || k[m - 1] == '_' || k[m - 1] == '.'))
		m--;
	return m > 0 && key_class(r, k, m, false) == KEY_SECRET;
}

/* [redact] secretname = NAME: letters and digits, any case, 1 to 23 */
int load_names(struct redactor *r, const struct conf *team)
{
	for (size_t i = 0; team && i < team->n; i++) {
		const struct conf_entry *e = &team->entries[i];
		const char *v = e->value;
		size_t n;
		char *name;
		if (strcmp(e->section, "redact") || e->subsection || strcmp(e->key, "secretname"))
			continue;
		n = v ? strlen(v) : 0;
		if (n == 0 || n > 23 || strspn_n(v, n, "abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n) {
			errset("%s:%d: bad redact secretname: \"%s\" (letters and digits, 1 to 23)",
			       team->path, e->line, v ? v : "");
			return -1;
		}
		name = xstrdup(v);
		for (size_t j = 0; j < n; j++)
			name[j] = (char)to_lower((unsigned char)name[j]);
		r->names = xreallocarray(r->names, r->nnames + 1, sizeof *r->names);
		r->names[r->nnames++] = name;
	}
	return 0;
}

/*
 * key=value items in a word: the word itself (--password=x, DB_PASS=x),
 * and items after , & ; or a blank that start with an identifier and =
 * (mount -o user=a,password=x; "host=db password=x"; a=1&token=x).  An
 * item's value runs to the next item; after a blank, to the next blank.
 */
struct item {
	size_t key, keyend, val;
	bool blank;
};

static bool parse_item(const char *v, size_t n, size_t p, struct item *it)
{
	size_t k = p;
	while (k < n && k - p < 2 && v[k] == '-')
		k++;
	if (k >= n || !(is_alpha((unsigned char)v[k]) || v[k] == '_'))
		return false;
	it->key = k;
	while (k < n && (is_ident((unsigned char)v[k]) || v[k] == '.' || v[k] == '-'))
		k++;
	it->keyend = k;
	if (k < n && v[k] == '+')
		k++;
	if (k >= n || v[k] != '=')
		return false;
	it->val = k + 1;
	return true;
}

static void kv_value(struct ctx *c, const struct scan *sc, size_t w, const char *v,
		     const struct item *it, size_t end, int nested)
{
	enum keyclass kc = key_class(c->r, v + it->key, it->keyend - it->key, false);
	size_t s = it->val;

	if (kc == KEY_PLAIN && command_key(c->r, v + it->key, it->keyend - it->key)) {
		if (it->key == 0 || v[0] == '-')	/* BORG_PASSCOMMAND='echo X' */
			secret_output(c, sc, w, s);
		return;
	}
	if (kc == KEY_PLAIN) {
		struct item in;
		/* kubectl --from-literal=password=x, but --from-file=password=PATH */
		if (nested < 1 && parse_item(v, end, s, &in) && v[s] != '-' &&
		    !(it->keyend - it->key >= 4 && mem_ieq(v + it->keyend - 4, 4, "file")))
			kv_value(c, sc, w, v, &in, end, nested + 1);
		return;
	}
	if (s < end && v[s] == '=')	/* httpie's token==x */
		s++;
	if (end - s > 2 && v[s] == '@' && strchr("/.~", v[s + 1]))
		return;		/* vault's and httpie's password=@/path: a file */
	if (kc == KEY_SECRET_FILE && s < end &&
	    (v[s] == '/' || mem_starts(v + s, end - s, "~/") || mem_starts(v + s, end - s, "./") ||
	     mem_starts(v + s, end - s, "../")))
		return;
	/* sort --key=2,3n: a field, not a key */
	if (kc == KEY_SECRET_FILE && mem_ieq(v + it->key, it->keyend - it->key, "key") &&
	    end - s <= 12 && s < end && is_digit((unsigned char)v[s]) &&
	    strspn_n(v + s, end - s, "0123456789.,bdfghinMRrV") == end - s)
		return;
	mark_value(c, sc, w, s, end);
}

void kv_word(struct ctx *c, const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	const struct vbyte *vb = sc->vb + sc->words[w].v;
	size_t n = wlen(sc, w);
	struct item cur, next;
	bool have;

	if (mem_find(v, n, '=', 0) == NONE)
		return;
	have = parse_item(v, n, 0, &cur);
	cur.blank = false;
	for (size_t p = 0; p <= n; p++) {
		bool sep = p + 1 < n && !vb[p].raw && !vb[p + 1].raw &&
			   (v[p] == ',' || v[p] == '&' || v[p] == ';' || is_blank((unsigned char)v[p]));
		bool found = sep && parse_item(v, n, p + 1, &next);
		if (p == n || found) {
			if (have) {
				size_t end = p;
				if (cur.blank)	/* free text: the value is one word */
					for (end = cur.val; end < p && (vb[end].raw || !is_blank((unsigned char)v[end])); end++)
						;
				/* "… password='x')": the quotes inside are the value's bounds */
				if (cur.blank && cur.val < end && (v[cur.val] == '\'' || v[cur.val] == '"') &&
				    !vb[cur.val].raw && mem_find(v, end, v[cur.val], cur.val + 1) != NONE) {
					end = mem_find(v, end, v[cur.val], cur.val + 1);
					cur.val++;
				}
				/* "a=1; b=2": the ; is the list's, not the value's */
				while (end < n && end > cur.val && !vb[end - 1].raw &&
				       (v[end - 1] == ';' || v[end - 1] == ',' || v[end - 1] == '&'))
					end--;
				kv_value(c, sc, w, v, &cur, end, 0);
			}
			if (found) {
				next.blank = is_blank((unsigned char)v[p]);
				cur = next;
				have = true;
				p = next.val - 1;
			}
		}
	}
}

/*
 * NAME = "VALUE" anywhere in a word, not only at its start: inside a
 * quoted config line or an expression (jq '.password = "x"',
 * "conn(password='x')", 'Password = "x"').  The name ends at the '=' (with
 * blanks between only when the value is quoted) and starts after a byte
 * that cannot be part of it; an unquoted value ends at a blank, a quote
 * or ; , & ) } ].  Raw bytes ($(…) text) are the business of the commands
 * they hold.
 */
void kv_inside(struct ctx *c, const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	const struct vbyte *vb = sc->vb + sc->words[w].v;
	size_t n = wlen(sc, w);

	for (size_t eq = mem_find(v, n, '=', 1); eq != NONE && eq < n; eq = mem_find(v, n, '=', eq + 1)) {
		size_t ke = eq, ks, vs = eq + 1, ve;
		bool spaced = false;
		if (vb[eq].raw || (eq + 1 < n && v[eq + 1] == '=') || v[eq - 1] == '=' || v[eq - 1] == '!' ||
		    v[eq - 1] == '<' || v[eq - 1] == '>')
			continue;	/* ==, !=, <=: a comparison */
		while (ke > 0 && (v[ke - 1] == ' ' || v[ke - 1] == '\t'))
			ke--;
		if (ke > 0 && (v[ke - 1] == '+' || v[ke - 1] == ':'))	/* += and := assign too */
			ke--;
		spaced = ke < eq;
		ks = ke;
		while (ks > 0 && !vb[ks - 1].raw && (is_ident((unsigned char)v[ks - 1]) || v[ks - 1] == '-' ||
						   v[ks - 1] == '.'))
			ks--;
		if (ks == ke)
			continue;
		while (vs < n && (v[vs] == ' ' || v[vs] == '\t'))
			vs++;
		if (vs < n && (v[vs] == '"' || v[vs] == '\'') && !vb[vs].raw) {
			ve = mem_find(v, n, v[vs], vs + 1);
			if (ve == NONE)
				continue;
			vs++;
		} else {
			if (spaced || vs > eq + 1 || ks == 0 || v[ks - 1] == '$')
				continue;	/* NAME=x at the start is kv_word's; ${X=y} */
			for (ve = vs; ve < n && !vb[ve].raw && !is_blank((unsigned char)v[ve]) &&
			     !strchr("\"'`;,&)}]|<>", v[ve]) &&
			     !(v[ve] == '\\' && ve + 1 < n && strchr("ntr", v[ve + 1])); ve++)
				;	/* printf's \n ends a line */
			if ((ve < n && vb[ve].raw && ve == vs) || (vs < n && strchr("/.~@", v[vs])))
				continue;	/* password=$(…), =./file, =@/file */
		}
		if (ve > vs && secret_name(c->r, v + ks, ke - ks) &&
		    !(key_class(c->r, v + ks, ke - ks, false) == KEY_SECRET_FILE &&
		      (v[vs] == '/' || v[vs] == '~' || v[vs] == '.')))
			mark_value(c, sc, w, vs, ve);
	}
}

/* ------------------------------------------------------------------ */
/* text written somewhere, as lines */

void flat_free(struct flat *f)
{
	free(f->b);
	free(f->w);
	free(f->off);
	memset(f, 0, sizeof *f);
}

void flat_push(struct flat *f, char ch, size_t w, size_t off)
{
	if (f->n == f->a) {
		f->a = f->a ? 2 * f->a : 64;
		f->b = xreallocarray(f->b, f->a, 1);
		f->w = xreallocarray(f->w, f->a, sizeof *f->w);
		f->off = xreallocarray(f->off, f->a, sizeof *f->off);
	}
	f->b[f->n] = ch;
	f->w[f->n] = w;
	f->off[f->n++] = off;
}

/* the value of word w, its "\n" escapes made newlines (echo -e, printf) */
void flat_word(struct flat *f, const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w);

	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\\' && i + 1 < n && v[i + 1] == 'n') {
			flat_push(f, '\n', NONE, 0);
			i++;
		} else {
			flat_push(f, v[i], w, i);
		}
	}
}

/* mark flat bytes [s, e): one mark_value per run from one word */
void flat_mark(struct ctx *c, const struct scan *sc, const struct flat *f, size_t s, size_t e)
{
	while (s < e) {
		size_t j = s + 1;
		if (f->w[s] == NONE) {
			s++;
			continue;
		}
		while (j < e && f->w[j] == f->w[s] && f->off[j] == f->off[j - 1] + 1)
			j++;
		mark_value(c, sc, f->w[s], f->off[s], f->off[j - 1] + 1);
		s = j;
	}
}

static bool key_byte(const char *v, size_t k, size_t le)
{
	return is_ident((unsigned char)v[k]) || v[k] == '.' || v[k] == '-' || v[k] == '/' || v[k] == '@' ||
	       (v[k] == ':' && k + 1 < le && (is_ident((unsigned char)v[k + 1]) || v[k + 1] == '/'));
}

/* "auth required pam_x.so", "password [success=1] pam_unix.so": a PAM
 * rule's type is no key, whatever it is called */
static bool pam_control(const char *v, size_t n)
{
	static const char *const controls[] = {
		"required", "requisite", "sufficient", "optional", "include", "substack", NULL
	};
	size_t e = 0;

	while (e < n && !is_blank((unsigned char)v[e]))
		e++;
	if (e > 0 && v[0] == '[' && mem_find(v, e, '=', 0) != NONE)
		return true;	/* [success=1 default=ignore], not a marker */
	for (const char *const *p = controls; *p; p++)
		if (mem_is(v, e, *p))
			return true;
	return false;
}

/* config lines: KEY=VALUE, KEY = VALUE, key: value, export KEY=…, and
 * with L_SPACED "key value"; a quoted value loses only what is inside */
void flat_lines(struct ctx *c, const struct scan *sc, const struct flat *f, unsigned how)
{
	const char *v = f->b;
	size_t n = f->n, p = 0;
	bool first = true;

	while (p < n) {
		size_t le = p, k, ks, ke, vs, ve;
		bool assign = false, skip = (how & L_AFTER_FIRST) && first;
		while (le < n && v[le] != '\n')
			le++;
		first = false;
		k = p;
		while (k < le && (v[k] == ' ' || v[k] == '\t'))
			k++;
		if (le - k > 7 && memcmp(v + k, "export ", 7) == 0)
			k += 7;
		if (k < le && (v[k] == '"' || v[k] == '\''))
			k++;
		ks = k;
		while (k < le && key_byte(v, k, le))
			k++;
		ke = k;
		if (k < le && (v[k] == '"' || v[k] == '\''))
			k++;
		vs = k;
		while (k < le && (v[k] == ' ' || v[k] == '\t'))
			k++;
		if (ke > ks && k < le && (v[k] == '=' || v[k] == ':') && secret_name(c->r, v + ks, ke - ks)) {
			assign = true;
			k++;
		} else if (ke > ks && k + 1 < le && !is_blank((unsigned char)v[le - 1]) &&
			   (v[k] == '=' || (v[k] == ':' && v[k + 1] == ' '))) {
			skip = true;	/* user=bob, name: x: not a secret's */
		} else if ((how & L_SPACED) && ke > ks && k > vs && k < le &&
			   key_class(c->r, v + ks, ke - ks, false) == KEY_SECRET && !pam_control(v + k, le - k)) {
			assign = true;
		}
		if (assign && !skip) {
			while (k < le && (v[k] == ' ' || v[k] == '\t'))
				k++;
			vs = k;
			ve = le;
			while (ve > vs && is_blank((unsigned char)v[ve - 1]))
				ve--;
			if (ve > vs + 1 && (v[vs] == '"' || v[vs] == '\'') && v[ve - 1] == v[vs]) {
				vs++;
				ve--;
			} else if (ve > vs && v[ve - 1] == ',' && v[vs] == '"') {
				vs++;	/* a JSON line is the JSON rule's */
				ve = vs;
			}
			if (ve > vs && !is_reference(v + vs, NULL, ve - vs))
				flat_mark(c, sc, f, vs, ve);
		} else if ((how & L_WHOLE) && !skip) {
			size_t s = p, e = le;
			while (s < e && is_blank((unsigned char)v[s]))
				s++;
			while (e > s && is_blank((unsigned char)v[e - 1]))
				e--;
			if (s < e && v[s] != '#' && v[s] != ';' && !(v[s] == '[' && v[e - 1] == ']') &&
			    !mem_starts(v + s, e - s, "-----") &&	/* PEM armour: the body is the key */
			    !is_reference(v + s, NULL, e - s))
				flat_mark(c, sc, f, s, e);
		} else if ((how & L_AFTER_FIRST) && !skip) {
			flat_mark(c, sc, f, p, le);
		}
		p = le + 1;
	}
}

/* config lines in a heredoc body */
void body_lines(struct ctx *c, const struct scan *sc, size_t w)
{
	struct flat f = { 0 };

	for (size_t i = 0; i < wlen(sc, w); i++)
		flat_push(&f, wval(sc, w)[i], w, i);
	flat_lines(c, sc, &f, 0);
	flat_free(&f);
}
