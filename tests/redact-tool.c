/*
 * redact-tool: the redactor from the shell (built into build/tests/,
 * never installed).
 *
 *   redact-tool table [CORPUS]   the error table of docs/redaction.md
 *   redact-tool lines            each line of standard input, redacted
 *   redact-tool one              all of standard input as one command
 *
 * "table" runs every case of CORPUS (default tests/redact-corpus.txt)
 * through redact_command and prints, per category, the secret-bearing
 * cases whose every secret was replaced and the benign cases left
 * byte-identical.  A case is secret-bearing when its expected output is
 * not its input, or when its section is "limit" (a secret the rules are
 * known to let through, its expected output being what they do);
 * benign otherwise, but "overreach" sections hold benign commands the
 * rules are known to change.  A "keep", "limit" or "overreach" section
 * counts in the category of the section named after it ("@ limit
 * shape-file"), else of the section before.  Cases whose output is not
 * the expected one are listed on standard error and make the exit code
 * 1; 2 is trouble (no corpus, a bad line).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "capture/redact.h"
#include "redact-corpus.h"
#include "base/banned.h"

static const char usage[] = "usage: redact-tool table [CORPUS]\n       redact-tool lines|one\n";

/* the categories, by the section names of the corpus */
static const struct { const char *prefix, *category; } categories[] = {
	{ "shape-quoted", "assignment inside quotes or an expression" },
	{ "shape-file", "written to a secret-named file" },
	{ "shape-prompt", "credential prompt fed by <(…), <<<, heredoc" },
	{ "stdin-password", "credential prompt fed by <(…), <<<, heredoc" },
	{ "tool-", "tools known partly or not at all before" },
	{ "key-value", "key names (NAME=VALUE, --name VALUE, heredoc)" },
	{ "option-secret", "key names (NAME=VALUE, --name VALUE, heredoc)" },
	{ "heredoc-assignment", "key names (NAME=VALUE, --name VALUE, heredoc)" },
	{ "team-", "key names (NAME=VALUE, --name VALUE, heredoc)" },
	{ "url-", "text rules (URLs, headers, JSON, SQL, tokens, keys)" },
	{ "http-", "text rules (URLs, headers, JSON, SQL, tokens, keys)" },
	{ "json-", "text rules (URLs, headers, JSON, SQL, tokens, keys)" },
	{ "sql-", "text rules (URLs, headers, JSON, SQL, tokens, keys)" },
	{ "netrc-", "text rules (URLs, headers, JSON, SQL, tokens, keys)" },
	{ "token-", "text rules (URLs, headers, JSON, SQL, tokens, keys)" },
	{ "pem-", "text rules (URLs, headers, JSON, SQL, tokens, keys)" },
	{ "", "known programs' options and operands" },
};
enum { NCAT = sizeof categories / sizeof categories[0] };

static const char *category(const char *section)
{
	for (size_t i = 0; i < NCAT; i++)
		if (!strncmp(section, categories[i].prefix, strlen(categories[i].prefix)))
			return categories[i].category;
	return categories[NCAT - 1].category;
}

struct tally {
	const char *cat;
	unsigned secret, found, benign, kept;
};

static int table(const struct redactor *r, const char *path)
{
	FILE *f = fopen(path, "r");
	struct tally t[NCAT + 1];
	struct buf in = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	char *line = NULL, section[64] = "none", owner[64] = "none";
	size_t cap = 0, nt = 0;
	ssize_t len;
	int ln = 0, bad = 0;
	bool have_in = false;

	if (!f) {
		perror(path);
		return 2;
	}
	memset(t, 0, sizeof t);
	while ((len = getline(&line, &cap, f)) != -1) {
		const char *cat;
		size_t i;
		bool secret, ok;
		ln++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (!strncmp(line, "@ ", 2)) {
			char *sp;
			snprintf(section, sizeof section, "%s", line + 2);
			sp = strchr(section, ' ');
			if (sp) {
				*sp = '\0';
				snprintf(owner, sizeof owner, "%s", sp + 1);
			} else if (strcmp(section, "keep")) {
				snprintf(owner, sizeof owner, "%s", section);
			}
			continue;
		}
		if (!strncmp(line, "< ", 2)) {
			buf_reset(&in);
			if (corpus_unescape(line + 2, (size_t)len - 2, &in))
				goto corrupt;
			have_in = true;
			continue;
		}
		if (!have_in)
			goto corrupt;
		buf_reset(&want);
		if (!strcmp(line, "="))
			buf_add(&want, in.data, in.len);
		else if (strncmp(line, "> ", 2) || corpus_unescape(line + 2, (size_t)len - 2, &want))
			goto corrupt;
		have_in = false;
		buf_reset(&got);
		redact_command(r, in.data, in.len, &got);
		ok = got.len == want.len && !memcmp(got.data, want.data, got.len);
		if (!ok) {
			fprintf(stderr, "%s:%d: not the expected output: %.*s\n", path, ln, (int)got.len, buf_str(&got));
			bad = 1;
		}
		secret = !strcmp(section, "limit") ||
			 (strcmp(section, "overreach") && (want.len != in.len || memcmp(want.data, in.data, in.len)));
		cat = category(owner);
		for (i = 0; i < nt && t[i].cat != cat; i++)
			;
		if (i == nt) {
			t[nt++].cat = cat;
		}
		if (secret) {
			t[i].secret++;
			t[i].found += ok && strcmp(section, "limit");
		} else {
			t[i].benign++;
			t[i].kept += got.len == in.len && !memcmp(got.data, in.data, in.len);
		}
	}
	fclose(f);
	free(line);
	buf_release(&in);
	buf_release(&want);
	buf_release(&got);
	{
		struct tally all = { "all", 0, 0, 0, 0 };
		printf("| category | secrets found | benign untouched |\n|---|---|---|\n");
		for (size_t c = 0; c < NCAT; c++)
			for (size_t i = 0; i < nt; i++)
				if (t[i].cat == categories[c].category) {
					printf("| %s | %u / %u | %u / %u |\n", t[i].cat, t[i].found, t[i].secret,
					       t[i].kept, t[i].benign);
					all.secret += t[i].secret;
					all.found += t[i].found;
					all.benign += t[i].benign;
					all.kept += t[i].kept;
					t[i].cat = NULL;
				}
		printf("| **all** | %u / %u | %u / %u |\n", all.found, all.secret, all.kept, all.benign);
	}
	return bad;
corrupt:
	fprintf(stderr, "%s:%d: not a corpus line\n", path, ln);
	fclose(f);
	free(line);
	return 2;
}

static int lines(const struct redactor *r)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) != -1) {
		struct buf out = BUF_INIT;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		redact_command(r, line, (size_t)len, &out);
		printf("%.*s\n", (int)out.len, buf_str(&out));
		buf_release(&out);
	}
	free(line);
	return 0;
}

static int one(const struct redactor *r)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		buf_add(&in, chunk, n);
	redact_command(r, in.data, in.len, &out);
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&in);
	buf_release(&out);
	return 0;
}

int main(int argc, char **argv)
{
	struct redactor *r;
	int rc;

	if (argc < 2 || (strcmp(argv[1], "table") && strcmp(argv[1], "lines") && strcmp(argv[1], "one")) ||
	    (strcmp(argv[1], "table") && argc != 2) || argc > 3) {
		fputs(usage, stderr);
		return 2;
	}
	r = redact_new(NULL);
	if (!r) {
		fprintf(stderr, "redact-tool: %s\n", errget());
		return 2;
	}
	if (!strcmp(argv[1], "table"))
		rc = table(r, argc == 3 ? argv[2] : "tests/redact-corpus.txt");
	else
		rc = !strcmp(argv[1], "lines") ? lines(r) : one(r);
	redact_free(r);
	return rc;
}
