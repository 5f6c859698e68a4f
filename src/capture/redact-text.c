/*
 * redact-text: the rules that read the source as text, not as shell.
 * PCRE2 patterns (byte mode, JIT when available) run over the whole
 * source: URLs with a password, HTTP headers, JSON fields, SQL
 * "IDENTIFIED BY '…'", known token formats, PEM private keys and the
 * team's patterns from the [redact] section of team.conf.  For
 * configuration files (redact_text) the lines that assign a secret, too.
 *
 * Invariants: a rule marks through mark_span, so markers already in the
 * input are never touched; a rule with keep_refs keeps a value that only
 * refers to a variable; a match that hits the JIT stack limit is tried
 * again without the JIT, never given up.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "capture/redact-int.h"
#include "base/banned.h"

/* ------------------------------------------------------------------ */
/* rules on the text */

#define NOQ "[^\\s'\"`\\\\]"	/* a byte of an unquoted-looking value */

static const struct text_rule text_rules[] = {
	{ "url-userinfo",
	  "[A-Za-z][A-Za-z0-9+.-]*://[^\\s/?#@'\"`:]*:([^\\s/?#'\"`]+)@",
	  1, 0, true, false, false },
	{ "url-query",
	  "[?&]([A-Za-z0-9_.-]+)=([^\\s&'\"`#;|<>()]+)",
	  2, 1, true, false, true },
	{ "http-authorization",
	  "(?i)(?<![A-Za-z0-9_/-])(?:proxy-)?authorization[ \\t]*:[ \\t]*(?:[A-Za-z][\\w.~+/-]*[ \\t]+)?+(" NOQ "+)",
	  1, 0, true, false, false },
	{ "http-token-header",
	  "(?i)(?<![A-Za-z0-9_/-])(?:private-token|job-token|deploy-token|x-api-key|x-api-token|x-auth-token|"
	  "x-auth-key|x-vault-token|x-access-token|x-gitlab-token|x-consul-token|x-nomad-token|"
	  "x-registry-auth|x-goog-api-key|api-key|apikey)[ \\t]*:[ \\t]*(" NOQ "+)",
	  1, 0, true, false, false },
	{ "http-cookie",
	  "(?i)(?<![A-Za-z0-9_/-])(?:set-)?cookie[ \\t]*:[ \\t]*([^'\"`\\\\\\r\\n]*[^'\"`\\\\\\s])",
	  1, 0, true, false, false },
	{ "json-secret",
	  "\"([A-Za-z_][A-Za-z0-9_.-]*)\"\\s*:\\s*\"((?:[^\"\\\\\\n]|\\\\.)+)\"",
	  2, 1, true, false, false },
	{ "json-secret",
	  "\\\\\"([A-Za-z_][A-Za-z0-9_.-]*)\\\\\"\\s*:\\s*\\\\\"((?:[^\"\\\\\\n]|\\\\[^\"])+)\\\\\"",
	  2, 1, true, false, false },
	{ "sql-password",
	  "(?i)(?:\\bIDENTIFIED\\s+(?:WITH\\s+\\w+\\s+)?BY(?:\\s+PASSWORD)?|"
	  "\\b(?:WITH|LOGIN|ROLE\\s+\\S+|USER\\s+\\S+)\\s+(?:ENCRYPTED\\s+)?PASSWORD|"
	  "\\bSET\\s+PASSWORD\\b[^;=\\n]*=\\s*(?:PASSWORD\\s*\\(\\s*)?|\\bPASSWORD\\s*\\()"
	  "\\s*(?|'([^'\\n]+)'|\"([^\"\\n]+)\")",
	  1, 0, true, false, false },
	{ "netrc-password",
	  "(?<![\\w-])(?:machine\\s+\\S+|default)(?:\\s+(?:login|account|port)\\s+\\S+)*\\s+password\\s+(" NOQ "+)",
	  1, 0, true, false, false },
	{ "aws-access-key-id", "(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])", 0, 0, false, false, false },
	{ "github-token",
	  "(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})",
	  0, 0, false, false, false },
	{ "gitlab-token",
	  "(?<![A-Za-z0-9_-])(?:gl(?:pat|dt|rt|ptt|cbt|ft|imt|oas|soat|agent)-[A-Za-z0-9_.-]{20,}|"
	  "GR1348941[A-Za-z0-9_-]{20,})",
	  0, 0, false, false, false },
	{ "slack-token", "(?<![A-Za-z0-9_-])xox[abeoprs]-[A-Za-z0-9-]{10,}", 0, 0, false, false, false },
	{ "slack-webhook", "hooks\\.slack\\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_-]+)", 1, 0, false, false, false },
	{ "discord-webhook", "discord(?:app)?\\.com/api/webhooks/[0-9]+/([A-Za-z0-9_-]+)", 1, 0, false, false, false },
	{ "stripe-key", "(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|(?<![A-Za-z0-9_])whsec_[A-Za-z0-9]{20,}", 0, 0, false, false, false },
	{ "google-api-key", "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{33,}", 0, 0, false, false, false },
	{ "npm-token", "(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36,}", 0, 0, false, false, false },
	{ "sendgrid-key", "(?<![A-Za-z0-9_-])SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}", 0, 0, false, false, false },
	{ "twilio-api-key", "(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])", 0, 0, false, false, false },
	{ "openai-key", "(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{32,}", 0, 0, false, false, false },
	{ "jwt", "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*", 0, 0, false, false, false },
	{ "vault-token", "(?<![A-Za-z0-9_.-])hv[sbr]\\.[A-Za-z0-9_-]{24,}", 0, 0, false, false, false },
	{ "age-secret-key", "AGE-SECRET-KEY-1[0-9A-Z]{50,}", 0, 0, false, false, false },
	{ "telegram-bot-token", "(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{30,}", 0, 0, false, false, false },
	{ "pem-private-key",
	  "-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----([\\s\\S]*?)(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|\\z)",
	  1, 0, false, true, false },
};

static const struct text_rule team_rule = { "team-pattern", NULL, 0, 0, false, false, false };

/* the query parameters that carry secrets besides those key_class knows */
static bool query_name(const struct redactor *r, const char *s, size_t n)
{
	return mem_ieq(s, n, "sig") || (n >= 9 && mem_ieq(s + n - 9, 9, "signature")) ||
	       secret_name(r, s, n);
}

void run_text_rule(struct ctx *c, const struct compiled *cr, pcre2_match_data *md)
{
	const struct text_rule *rule = cr->rule;
	PCRE2_SIZE off = 0;

	while (off <= c->len) {
		int rc = pcre2_match(cr->code, (PCRE2_SPTR)c->src, c->len, off, 0, md, NULL);
		PCRE2_SIZE *ov, s, e;
		if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
			rc = pcre2_match(cr->code, (PCRE2_SPTR)c->src, c->len, off, PCRE2_NO_JIT, md, NULL);
		if (rc < 0)
			return;
		ov = pcre2_get_ovector_pointer(md);
		if (ov[1] <= off && ov[0] == ov[1]) {
			off = ov[1] + 1;	/* an empty match: move on */
			continue;
		}
		off = ov[1] > off ? ov[1] : off + 1;
		if (rule->name_group) {
			PCRE2_SIZE ns = ov[2 * rule->name_group], ne = ov[2 * rule->name_group + 1];
			bool ok = ns != PCRE2_UNSET &&
				  (rule->query ? query_name(c->r, c->src + ns, ne - ns) : secret_name(c->r, c->src + ns, ne - ns));
			if (!ok)
				continue;
		}
		if (cr->group >= rc)
			continue;
		s = ov[2 * cr->group];
		e = ov[2 * cr->group + 1];
		if (s == PCRE2_UNSET || e <= s)
			continue;
		if (rule->trim) {
			for (;;) {
				if (s < e && is_blank((unsigned char)c->src[s]))
					s++;
				else if (e - s >= 2 && c->src[s] == '\\' && (c->src[s + 1] == 'n' || c->src[s + 1] == 'r'))
					s += 2;
				else
					break;
			}
			for (;;) {
				if (e > s && is_blank((unsigned char)c->src[e - 1]))
					e--;
				else if (e - s >= 2 && c->src[e - 2] == '\\' && (c->src[e - 1] == 'n' || c->src[e - 1] == 'r'))
					e -= 2;
				else
					break;
			}
		}
		if (e <= s)
			continue;
		if (rule->keep_refs && is_reference(c->src + s, NULL, e - s))
			continue;
		mark_span(c, s, e);
	}
}

static pcre2_code *compile(const char *pattern, size_t len, int *err, PCRE2_SIZE *erroff)
{
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, len, 0, err, erroff, NULL);
	if (code)
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);	/* no JIT: interpreted */
	return code;
}

static void add_compiled(struct redactor *r, pcre2_code *code, const struct text_rule *rule, int group)
{
	uint32_t captures = 0;

	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
	r->rx = xreallocarray(r->rx, r->nrx + 1, sizeof *r->rx);
	r->rx[r->nrx++] = (struct compiled){ code, rule, group };
	if (captures + 1 > r->ovec)
		r->ovec = captures + 1;
}

/* compile the built-in rules, then the team's patterns: a pattern with a
 * capture group replaces group 1, one without the whole match */
int compile_rules(struct redactor *r, const struct conf *team)
{
	for (size_t i = 0; i < sizeof text_rules / sizeof text_rules[0]; i++) {
		int err;
		PCRE2_SIZE erroff;
		pcre2_code *code = compile(text_rules[i].pattern, PCRE2_ZERO_TERMINATED, &err, &erroff);
		if (!code) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof msg);
			errset("built-in redact rule %s: %s at offset %zu", text_rules[i].name,
			       (const char *)msg, (size_t)erroff);
			return -1;
		}
		add_compiled(r, code, &text_rules[i], text_rules[i].group);
	}
	for (size_t i = 0; team && i < team->n; i++) {
		const struct conf_entry *e = &team->entries[i];
		int err;
		PCRE2_SIZE erroff = 0;
		pcre2_code *code;
		uint32_t captures = 0;
		if (strcmp(e->section, "redact") || e->subsection || strcmp(e->key, "pattern"))
			continue;
		if (!e->value || !*e->value) {
			errset("%s:%d: bad redact pattern: empty pattern", team->path, e->line);
			return -1;
		}
		code = compile(e->value, strlen(e->value), &err, &erroff);
		if (!code) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof msg);
			errset("%s:%d: bad redact pattern: %s at offset %zu", team->path, e->line,
			       (const char *)msg, (size_t)erroff);
			return -1;
		}
		pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
		add_compiled(r, code, &team_rule, captures > 0 ? 1 : 0);
	}
	return 0;
}

/*
 * Configuration text: the text rules (token formats, URLs with passwords,
 * private key blocks, the team's patterns) and, on each line, the value of
 * an assignment whose key says secret ("password = x", "DBPassword=x",
 * "export API_TOKEN='x'", "secret: x").  No shell tokenizing: a file is
 * not a command line.  A quoted value keeps its quotes.
 */
void mark_assignments(struct ctx *c)
{
	const char *t = c->src;
	size_t len = c->len;

	for (size_t line = 0; line < len;) {
		size_t end = mem_find(t, len, '\n', line), i = line, ks, ke, vs, ve;
		if (end == NONE)
			end = len;
		while (i < end && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (end - i > 7 && !memcmp(t + i, "export ", 7))
			i += 7;
		ks = i;
		while (i < end && (is_alnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			i++;
		ke = i;
		while (i < end && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (ke > ks && i < end && (t[i] == '=' || t[i] == ':') && secret_name(c->r, t + ks, ke - ks)) {
			vs = i + 1;
			while (vs < end && (t[vs] == ' ' || t[vs] == '\t'))
				vs++;
			ve = end;
			while (ve > vs && (t[ve - 1] == ' ' || t[ve - 1] == '\t' || t[ve - 1] == '\r' ||
					   t[ve - 1] == ';' || t[ve - 1] == ','))
				ve--;
			if (ve - vs >= 2 && (t[vs] == '"' || t[vs] == '\'') && t[ve - 1] == t[vs]) {
				vs++;
				ve--;
			}
			if (ve > vs && !is_reference(t + vs, NULL, ve - vs))
				mark_span(c, vs, ve);
		}
		line = end + 1;
	}
}
