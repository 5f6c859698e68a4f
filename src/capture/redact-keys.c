/*
 * redact-keys: the rules that go by the name of a key, whatever the
 * program.  A key names a secret when its last component says so
 * (DB_PASSWORD, client-secret, dbPassword: key_class).  Every word is
 * checked for key=value items whose key names a secret (DB_PASSWORD=x,
 * --client-secret=x, mount -o user=a,password=x), and every heredoc body
 * for configuration lines (KEY=VALUE, key: value, export KEY=…).
 *
 * Invariants: a value that only refers to a variable ($PASS, $(cat f)) is
 * kept, and so is a path where the key names a key or credential file
 * (SSL_KEY=/etc/…).
 */
#include <stdbool.h>
#include <string.h>

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

/*
 * Split the key into components on _ - . and lower-to-upper case changes
 * (DB_PASSWORD, client-secret, dbPassword), ignoring numbers (KEY2), and
 * judge by the last one.  Only the part after the last '/' or ':' counts
 * (npm's "//registry/:_authToken").  arg_form: the key of "--key VALUE".
 */
enum keyclass key_class(const char *k, size_t n, bool arg_form)
{
	char first[24] = "", last[24] = "";
	size_t s = 0, ncomp = 0, i;

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
		if (ncomp++ == 0)
			memcpy(first, last, sizeof first);
	}
	if (ncomp == 0)
		return KEY_PLAIN;
	if (arg_form) {
		if (ncomp > 1 && in_list(first, switch_verbs))
			return KEY_PLAIN;
		return in_list(last, arg_words) || has_suffix(last, secret_suffixes) ?
			KEY_SECRET : KEY_PLAIN;
	}
	if (!strcmp(last, "pwd"))	/* MYSQL_PWD, but PWD=/x is a directory */
		return ncomp > 1 ? KEY_SECRET : KEY_PLAIN;
	if (in_list(last, secret_file_words) || has_suffix(last, (const char *const[]){ "privatekey", NULL }))
		return KEY_SECRET_FILE;
	if (in_list(last, secret_words) || has_suffix(last, secret_suffixes))
		return KEY_SECRET;
	return KEY_PLAIN;
}

bool secret_name(const char *k, size_t n)
{
	return key_class(k, n, false) != KEY_PLAIN;
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
	enum keyclass kc = key_class(v + it->key, it->keyend - it->key, false);
	size_t s = it->val;

	if (kc == KEY_PLAIN) {
		struct item in;
		/* kubectl --from-literal=password=x */
		if (nested < 1 && parse_item(v, end, s, &in) && v[s] != '-')
			kv_value(c, sc, w, v, &in, end, nested + 1);
		return;
	}
	if (s < end && v[s] == '=')	/* httpie's token==x */
		s++;
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

/* config lines in a heredoc body: KEY=VALUE, KEY = VALUE, key: value, export KEY=… */
void body_lines(struct ctx *c, const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), p = 0;

	while (p < n) {
		size_t le = p, k, ks, ke, vs, ve;
		while (le < n && v[le] != '\n')
			le++;
		k = p;
		while (k < le && (v[k] == ' ' || v[k] == '\t'))
			k++;
		if (le - k > 7 && memcmp(v + k, "export ", 7) == 0)
			k += 7;
		if (k < le && (v[k] == '"' || v[k] == '\''))
			k++;
		ks = k;
		while (k < le && (is_ident((unsigned char)v[k]) || v[k] == '.' || v[k] == '-' ||
				  v[k] == '/' || v[k] == '@' ||
				  (v[k] == ':' && k + 1 < le && (is_ident((unsigned char)v[k + 1]) || v[k + 1] == '/'))))
			k++;
		ke = k;
		if (k < le && (v[k] == '"' || v[k] == '\''))
			k++;
		while (k < le && (v[k] == ' ' || v[k] == '\t'))
			k++;
		if (ke > ks && k < le && (v[k] == '=' || v[k] == ':') && secret_name(v + ks, ke - ks)) {
			k++;
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
				mark_value(c, sc, w, vs, ve);
		}
		p = le + 1;
	}
}
