/*
 * sig-tool: the signature module from the shell, for tests/sig.bats and
 * by hand.  Built into build/tests/, never installed.
 *
 *   sig-tool fingerprint PUBFILE           what ssh-keygen -lf prints
 *   sig-tool agent-keys [-L]               what ssh-add -l (-L) prints
 *   sig-tool sign-agent [-n NS] PUBFILE    sign stdin through $SSH_AUTH_SOCK
 *   sig-tool sign-keyfile [-n NS] KEYFILE  sign stdin with ssh-keygen -Y sign
 *   sig-tool verify [-n NS] SIGFILE        verify the signature of stdin
 *
 * The namespace NS is "logbook" unless given.  Signatures go to stdout,
 * armored.  verify prints the signer's key and fingerprint.  Exit 0 when
 * done (a good signature), 1 when not (the reason on stderr), 2 for a
 * wrong command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "journal/sig.h"
#include "base/banned.h"

static const char usage[] =
	"usage: sig-tool fingerprint PUBFILE\n"
	"       sig-tool agent-keys [-L]\n"
	"       sig-tool sign-agent [-n NAMESPACE] PUBFILE < MESSAGE\n"
	"       sig-tool sign-keyfile [-n NAMESPACE] KEYFILE < MESSAGE\n"
	"       sig-tool verify [-n NAMESPACE] SIGFILE < MESSAGE\n";

static int failed(void)
{
	fprintf(stderr, "sig-tool: %s\n", errget());
	return 1;
}

/* the short name ssh-keygen -l shows in parentheses */
static const char *short_type(const struct sig_key *k)
{
	const char *t = sig_key_type(k);

	if (!strcmp(t, "ssh-ed25519"))
		return "ED25519";
	if (!strcmp(t, "ssh-rsa"))
		return "RSA";
	return "ECDSA";
}

/* "<bits> <fingerprint> <comment> (<TYPE>)", as ssh-keygen -l and ssh-add -l */
static void print_listing(const struct sig_key *k)
{
	char fp[SIG_FINGERPRINT_SIZE];
	const char *comment = sig_key_comment(k);

	sig_key_fingerprint(k, fp);
	printf("%u %s %s (%s)\n", sig_key_bits(k), fp, *comment ? comment : "no comment", short_type(k));
}

static struct sig_key *read_key(const char *path)
{
	struct buf text = BUF_INIT;
	struct sig_key *k = NULL;

	if (fs_read_file(path, &text) == 0 && !(k = sig_key_parse(text.data ? text.data : "", text.len)))
		errprefix("%s", path);
	buf_release(&text);
	return k;
}

static int read_stdin(struct buf *msg)
{
	if (fs_read_fd(0, msg, 0) < 0) {
		errset_sys("reading standard input");
		return -1;
	}
	return 0;
}

static int write_out(const struct buf *b)
{
	if (fs_write_all(1, b->data, b->len) < 0) {
		errset_sys("writing standard output");
		return -1;
	}
	return 0;
}

static int agent_keys(int argc, char **argv)
{
	struct sig_key **keys;
	size_t n;
	bool full = argc == 2 && !strcmp(argv[1], "-L");

	if (argc > 2 || (argc == 2 && !full)) {
		fputs(usage, stderr);
		return 2;
	}
	if (sig_agent_keys(&keys, &n) < 0)
		return failed();
	for (size_t i = 0; i < n; i++) {
		if (full) {
			struct buf line = BUF_INIT;
			sig_key_format(keys[i], &line);
			printf("%s\n", line.data);
			buf_release(&line);
		} else {
			print_listing(keys[i]);
		}
	}
	sig_keys_free(keys, n);
	return 0;
}

static int sign_or_verify(const char *cmd, const char *ns, const char *path)
{
	struct buf msg = BUF_INIT, out = BUF_INIT, sig = BUF_INIT;
	struct sig_key *k = NULL;
	int rc = -1;

	if (!strcmp(cmd, "sign-agent")) {
		if ((k = read_key(path)) && read_stdin(&msg) == 0 &&
		    sig_sign_agent(k, ns, msg.data, msg.len, &out) == 0)
			rc = write_out(&out);
	} else if (!strcmp(cmd, "sign-keyfile")) {
		if (read_stdin(&msg) == 0 && sig_sign_keyfile(path, ns, msg.data, msg.len, &out) == 0)
			rc = write_out(&out);
	} else {
		if (fs_read_file(path, &sig) == 0 && read_stdin(&msg) == 0 &&
		    sig_verify(sig.data ? sig.data : "", sig.len, ns, msg.data, msg.len, &k) == 0) {
			char fp[SIG_FINGERPRINT_SIZE];
			sig_key_fingerprint(k, fp);
			sig_key_format(k, &out);
			printf("good signature by %s\n%s\n", fp, out.data);
			rc = 0;
		}
	}
	sig_key_free(k);
	buf_release(&msg);
	buf_release(&out);
	buf_release(&sig);
	return rc < 0 ? failed() : 0;
}

int main(int argc, char **argv)
{
	const char *cmd, *ns = SIG_NAMESPACE;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	cmd = argv[1];
	argc--;
	argv++;
	if (!strcmp(cmd, "agent-keys"))
		return agent_keys(argc, argv);
	if (!strcmp(cmd, "fingerprint") && argc == 2) {
		struct sig_key *k = read_key(argv[1]);
		if (!k)
			return failed();
		print_listing(k);
		sig_key_free(k);
		return 0;
	}
	if (strcmp(cmd, "sign-agent") && strcmp(cmd, "sign-keyfile") && strcmp(cmd, "verify")) {
		fputs(usage, stderr);
		return 2;
	}
	if (argc == 4 && !strcmp(argv[1], "-n")) {
		ns = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 2) {
		fputs(usage, stderr);
		return 2;
	}
	return sign_or_verify(cmd, ns, argv[1]);
}
