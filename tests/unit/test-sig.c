/*
 * sig: ssh public keys and SSHSIG signatures, against the real OpenSSH.
 *
 * The group's setup makes fresh keys of every supported type with
 * ssh-keygen, and starts a real ssh-agent (ssh-agent -D on a socket of
 * its own) holding some of them; nothing is mocked.  Signatures to verify
 * come from ssh-keygen -Y sign, and from libcrypto directly for what
 * ssh-keygen cannot make (rsa-sha2-256, SHA-1) and for damaged ones, built
 * here with a writer of the wire form independent of src/journal/sig.c.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/run.h"
#include "base/xalloc.h"
#include "journal/sig.h"

struct test_key {
	const char *name;
	const char *const gen[5];	/* ssh-keygen's type options */
	const char *type;
	unsigned bits;
	const char *comment;
	bool in_agent;
};

static const struct test_key keys[] = {
	{ "ed25519", { "-t", "ed25519" }, "ssh-ed25519", 256, "alice@laptop", true },
	{ "p256", { "-t", "ecdsa", "-b", "256" }, "ecdsa-sha2-nistp256", 256, "alice ecdsa 256", true },
	{ "p384", { "-t", "ecdsa", "-b", "384" }, "ecdsa-sha2-nistp384", 384, "", false },
	{ "p521", { "-t", "ecdsa", "-b", "521" }, "ecdsa-sha2-nistp521", 521, "p521", true },
	{ "rsa", { "-t", "rsa", "-b", "2048" }, "ssh-rsa", 2048, "alice rsa", true },
	/* in PEM, which libcrypto reads, to sign what ssh-keygen will not */
	{ "rsapem", { "-t", "rsa", "-b", "2048", "-m" }, "ssh-rsa", 2048, "pem", false },
	{ "mallory", { "-t", "ed25519" }, "ssh-ed25519", 256, "mallory", false },
};
#define NKEYS (sizeof keys / sizeof *keys)

/* a message with what a C string cannot hold */
static const char msg[] = "chain head 3f2a9c\n\0\xff binary\n";
#define MSG_LEN (sizeof msg - 1)

static char *dir;
static pid_t agent_pid;
static char *agent_sock;

static char *path_of(const char *name, const char *ext)
{
	return xasprintf("%s/%s%s", dir, name, ext);
}

/* run argv with stdin from in_path (or /dev/null), stdout into out (or nowhere), stderr nowhere */
static int run_quiet(const char *const argv[], const char *in_path, struct buf *out)
{
	int in = in_path ? open(in_path, O_RDONLY | O_CLOEXEC) : RUN_NULL;
	struct child c;
	int rc;

	assert_true(in != -1);
	memset(&c, 0, sizeof c);
	c.argv = argv;
	c.in = in;
	c.out = out ? RUN_PIPE : RUN_NULL;
	c.err = RUN_NULL;
	assert_int_equal(run_start(&c), 0);
	if (out) {
		char chunk[4096];
		ssize_t n;
		while ((n = read(c.from_child, chunk, sizeof chunk)) > 0)
			buf_add(out, chunk, (size_t)n);
	}
	rc = run_finish(&c);
	if (in >= 0)
		close(in);
	return rc;
}

static char *read_text(const char *name, const char *ext, size_t *len)
{
	char *path = path_of(name, ext);
	char *text = unit_read(path, len);

	if (!text)
		fail_msg("cannot read %s", path);
	free(path);
	return text;
}

static struct sig_key *load_key(const char *name)
{
	size_t len;
	char *text = read_text(name, ".pub", &len);
	struct sig_key *k = sig_key_parse(text, len);

	if (!k)
		fail_msg("%s.pub: %s", name, errget());
	free(text);
	return k;
}

/* the armored signature ssh-keygen -Y sign makes of msg with key name; extra options before the file */
static char *keygen_sign(const char *name, const char *ns, const char *opt)
{
	char *key = path_of(name, ""), *file = path_of(name, ".msg");
	const char *argv[12] = { "ssh-keygen", "-Y", "sign", "-f", key, "-n", ns };
	size_t n = 7;
	char *sig;

	if (opt) {
		argv[n++] = "-O";
		argv[n++] = opt;
	}
	argv[n++] = file;
	argv[n] = NULL;
	unit_write(file, msg, MSG_LEN, 0);
	{
		char *old = path_of(name, ".msg.sig");
		unlink(old);
		free(old);
	}
	assert_int_equal(run_quiet(argv, NULL, NULL), 0);
	sig = read_text(name, ".msg.sig", NULL);
	free(key);
	free(file);
	return sig;
}

/* ---- the wire form, written and read here without src/journal/sig.c ---- */

static void w_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = { v >> 24, v >> 16, v >> 8, v };

	buf_add(b, p, 4);
}

static void w_str(struct buf *b, const void *p, size_t len)
{
	w_u32(b, (uint32_t)len);
	buf_add(b, p, len);
}

static void w_cstr(struct buf *b, const char *s)
{
	w_str(b, s, strlen(s));
}

static void b64(struct buf *out, const void *p, size_t len)
{
	buf_grow(out, (len + 2) / 3 * 4);
	out->len += (size_t)EVP_EncodeBlock((unsigned char *)out->data + out->len, p, (int)len);
	out->data[out->len] = '\0';
}

static void unb64(struct buf *out, const char *s, size_t len)
{
	struct buf clean = BUF_INIT;
	int n;

	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", s[i]))
			buf_addc(&clean, s[i]);
	assert_int_equal(clean.len % 4, 0);
	buf_grow(out, clean.len);
	n = EVP_DecodeBlock((unsigned char *)out->data + out->len, (unsigned char *)clean.data, (int)clean.len);
	assert_true(n >= 0);
	if (clean.len && clean.data[clean.len - 1] == '=')
		n--;
	if (clean.len > 1 && clean.data[clean.len - 2] == '=')
		n--;
	out->len += (size_t)n;
	out->data[out->len] = '\0';
	buf_release(&clean);
}

/* the armor ssh-keygen writes */
static void armor(struct buf *out, const struct buf *blob)
{
	struct buf text = BUF_INIT;

	b64(&text, blob->data, blob->len);
	buf_adds(out, "-----BEGIN SSH SIGNATURE-----\n");
	for (size_t i = 0; i < text.len; i += 70)
		buf_addf(out, "%.*s\n", (int)(text.len - i < 70 ? text.len - i : 70), text.data + i);
	buf_adds(out, "-----END SSH SIGNATURE-----\n");
	buf_release(&text);
}

static void unarmor(struct buf *blob, const char *armored)
{
	const char *begin = strchr(armored, '\n') + 1, *end = strstr(armored, "-----END");

	unb64(blob, begin, (size_t)(end - begin));
}

/* the parts of an SSHSIG blob */
struct sshsig {
	char magic[7];
	uint32_t version;
	struct buf key, ns, reserved, hash, sig, trailer;
};

static uint32_t r_u32(const unsigned char **p)
{
	uint32_t v = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 | (uint32_t)(*p)[2] << 8 | (*p)[3];

	*p += 4;
	return v;
}

static void r_str(const unsigned char **p, struct buf *out)
{
	uint32_t n = r_u32(p);

	buf_add(out, *p, n);
	*p += n;
}

static void split(const char *armored, struct sshsig *s)
{
	struct buf blob = BUF_INIT;
	const unsigned char *p;

	memset(s, 0, sizeof *s);
	unarmor(&blob, armored);
	p = (const unsigned char *)blob.data;
	memcpy(s->magic, p, 6);
	p += 6;
	s->version = r_u32(&p);
	r_str(&p, &s->key);
	r_str(&p, &s->ns);
	r_str(&p, &s->reserved);
	r_str(&p, &s->hash);
	r_str(&p, &s->sig);
	assert_ptr_equal(p, (const unsigned char *)blob.data + blob.len);
	buf_release(&blob);
}

static char *join(const struct sshsig *s)
{
	struct buf blob = BUF_INIT, out = BUF_INIT;

	buf_add(&blob, s->magic, 6);
	w_u32(&blob, s->version);
	w_str(&blob, s->key.data, s->key.len);
	w_str(&blob, s->ns.data, s->ns.len);
	w_str(&blob, s->reserved.data, s->reserved.len);
	w_str(&blob, s->hash.data, s->hash.len);
	w_str(&blob, s->sig.data, s->sig.len);
	buf_add(&blob, s->trailer.data, s->trailer.len);
	armor(&out, &blob);
	buf_release(&blob);
	return buf_detach(&out, NULL);
}

static void release(struct sshsig *s)
{
	buf_release(&s->key);
	buf_release(&s->ns);
	buf_release(&s->reserved);
	buf_release(&s->hash);
	buf_release(&s->sig);
	buf_release(&s->trailer);
}

/* the wire form of a key from its .pub file */
static void key_blob(const char *name, struct buf *out)
{
	char *text = read_text(name, ".pub", NULL);
	char *data = strchr(text, ' ') + 1;

	unb64(out, data, strcspn(data, " \n"));
	free(text);
}

/* an SSHSIG of msg by the PEM RSA key, under signature algorithm alg with md, msg hashed with hash */
static char *rsa_sshsig(const char *alg, const EVP_MD *md, const char *hash)
{
	char *path = path_of("rsapem", "");
	FILE *f = fopen(path, "r");
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char h[EVP_MAX_MD_SIZE], raw[1024];
	unsigned h_len;
	size_t raw_len = sizeof raw;
	struct buf tbs = BUF_INIT;
	struct sshsig s;
	char *out;

	assert_non_null(f);
	pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	assert_non_null(pkey);
	fclose(f);
	assert_int_equal(EVP_Digest(msg, MSG_LEN, h, &h_len, EVP_get_digestbyname(hash), NULL), 1);
	buf_adds(&tbs, "SSHSIG");
	w_cstr(&tbs, "logbook");
	w_cstr(&tbs, "");
	w_cstr(&tbs, hash);
	w_str(&tbs, h, h_len);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, raw, &raw_len, (unsigned char *)tbs.data, tbs.len), 1);
	memset(&s, 0, sizeof s);
	memcpy(s.magic, "SSHSIG", 6);
	s.version = 1;
	key_blob("rsapem", &s.key);
	buf_adds(&s.ns, "logbook");
	buf_adds(&s.hash, hash);
	w_cstr(&s.sig, alg);
	w_str(&s.sig, raw, raw_len);
	out = join(&s);
	release(&s);
	buf_release(&tbs);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	free(path);
	return out;
}

/* sig_verify fails and says something containing why */
static void refused(const char *armored, size_t len, const char *ns, const char *why)
{
	struct sig_key *signer = (struct sig_key *)1;

	if (sig_verify(armored, len, ns, msg, MSG_LEN, &signer) == 0)
		fail_msg("accepted, expected: %s", why);
	assert_null(signer);
	if (!strstr(errget(), why))
		fail_msg("'%s' does not say '%s'", errget(), why);
}

static void verifies_by(const char *armored, const char *name)
{
	struct sig_key *signer = NULL, *k = load_key(name);

	if (sig_verify(armored, strlen(armored), "logbook", msg, MSG_LEN, &signer) < 0)
		fail_msg("%s: %s", name, errget());
	assert_non_null(signer);
	assert_true(sig_key_equal(signer, k));
	assert_string_equal(sig_key_comment(signer), "");
	sig_key_free(signer);
	sig_key_free(k);
}

/* ---- the agent ---- */

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int start_agent(void)
{
	const char *argv[] = { "ssh-agent", "-D", "-a", agent_sock, NULL };
	struct child c;

	memset(&c, 0, sizeof c);
	c.argv = argv;
	c.in = RUN_NULL;
	c.out = RUN_NULL;
	c.err = RUN_NULL;
	if (run_start(&c) < 0)
		return -1;
	agent_pid = c.pid;
	for (int i = 0; i < 500 && !exists(agent_sock); i++)
		usleep(10000);
	if (!exists(agent_sock))
		return -1;
	setenv("SSH_AUTH_SOCK", agent_sock, 1);
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].in_agent) {
			char *key = path_of(keys[i].name, "");
			const char *add[] = { "ssh-add", key, NULL };
			int rc = run_quiet(add, NULL, NULL);
			free(key);
			if (rc != 0)
				return -1;
		}
	}
	unsetenv("SSH_AUTH_SOCK");
	return 0;
}

static int setup(void **state)
{
	(void)state;
	unsetenv("SSH_AUTH_SOCK");
	unsetenv("LOGBOOK_AGENT_TIMEOUT");
	dir = unit_tmpdir();
	for (size_t i = 0; i < NKEYS; i++) {
		char *file = path_of(keys[i].name, "");
		const char *argv[16] = { "ssh-keygen", "-q", "-N", "", "-C", keys[i].comment, "-f", file };
		size_t n = 8;
		for (size_t j = 0; j < 5 && keys[i].gen[j]; j++)
			argv[n++] = keys[i].gen[j];
		if (!strcmp(keys[i].name, "rsapem"))
			argv[n++] = "PEM";
		argv[n] = NULL;
		if (run_quiet(argv, NULL, NULL) != 0) {
			fprintf(stderr, "test-sig: ssh-keygen %s failed\n", keys[i].name);
			return -1;
		}
		free(file);
	}
	agent_sock = path_of("agent", ".sock");
	return start_agent();
}

static int teardown(void **state)
{
	(void)state;
	if (agent_pid > 0) {
		int status;
		kill(agent_pid, SIGTERM);
		waitpid(agent_pid, &status, 0);
	}
	unit_rmtree(dir);
	free(dir);
	free(agent_sock);
	return 0;
}

static int each_test(void **state)
{
	(void)state;
	unsetenv("SSH_AUTH_SOCK");
	unsetenv("LOGBOOK_AGENT_TIMEOUT");
	return 0;
}

/* ---- keys ---- */

static void keys_of_every_type_parse_with_their_type_size_and_comment(void **state)
{
	(void)state;
	for (size_t i = 0; i < NKEYS; i++) {
		struct sig_key *k = load_key(keys[i].name);
		assert_string_equal(sig_key_type(k), keys[i].type);
		assert_int_equal(sig_key_bits(k), keys[i].bits);
		assert_string_equal(sig_key_comment(k), keys[i].comment);
		sig_key_free(k);
	}
}

static void fingerprints_are_those_ssh_keygen_l_prints(void **state)
{
	(void)state;
	for (size_t i = 0; i < NKEYS; i++) {
		char *pub = path_of(keys[i].name, ".pub");
		const char *argv[] = { "ssh-keygen", "-lf", pub, NULL };
		struct buf out = BUF_INIT, want = BUF_INIT;
		char fp[SIG_FINGERPRINT_SIZE];
		struct sig_key *k = load_key(keys[i].name);

		assert_int_equal(run_quiet(argv, NULL, &out), 0);
		sig_key_fingerprint(k, fp);
		/* "2048 SHA256:... comment (RSA)" */
		buf_addf(&want, "%u %s ", sig_key_bits(k), fp);
		if (strncmp(out.data, want.data, want.len))
			fail_msg("ssh-keygen: %s ours: %s", out.data, want.data);
		assert_int_equal(strlen(fp), 7 + 43);
		buf_release(&out);
		buf_release(&want);
		sig_key_free(k);
		free(pub);
	}
}

static void the_text_form_is_the_one_ssh_keygen_writes(void **state)
{
	(void)state;
	for (size_t i = 0; i < NKEYS; i++) {
		size_t len;
		char *text = read_text(keys[i].name, ".pub", &len);
		struct sig_key *k = load_key(keys[i].name);
		struct buf out = BUF_INIT;

		sig_key_format(k, &out);
		/* ssh-keygen leaves a blank where an empty comment would be */
		while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
			text[--len] = '\0';
		assert_string_equal(out.data, text);
		buf_release(&out);
		sig_key_free(k);
		free(text);
	}
}

static void options_before_the_type_are_skipped(void **state)
{
	char *pub = read_text("ed25519", ".pub", NULL);
	char *ecdsa = read_text("p256", ".pub", NULL);
	struct sig_key *plain = load_key("ed25519"), *plain_ecdsa = load_key("p256");
	const char *prefixes[] = {
		"restrict ",
		"no-pty,no-agent-forwarding ",
		"from=\"10.0.0.1,10.0.0.2\",command=\"echo a b\",no-pty ",
		"command=\"echo \\\"quoted ssh-ed25519\\\" x\",environment=\"A=b c\" ",
		"  \tno-pty\t ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		for (int which = 0; which < 2; which++) {
			char *text = xasprintf("%s%s", prefixes[i], which ? ecdsa : pub);
			struct sig_key *k = sig_key_parse(text, strlen(text));
			if (!k)
				fail_msg("%s: %s", text, errget());
			assert_true(sig_key_equal(k, which ? plain_ecdsa : plain));
			assert_string_equal(sig_key_comment(k), which ? "alice ecdsa 256" : "alice@laptop");
			sig_key_free(k);
			free(text);
		}
	}
	sig_key_free(plain);
	sig_key_free(plain_ecdsa);
	free(pub);
	free(ecdsa);
}

static void blanks_line_endings_and_comments_around_a_key(void **state)
{
	char *pub = read_text("ed25519", ".pub", NULL);
	char *core = xstrndup(pub, strcspn(pub, " ") + 1 + strcspn(strchr(pub, ' ') + 1, " \n"));
	char *data = strchr(core, ' ') + 1;
	struct sig_key *plain = load_key("ed25519");
	struct {
		const char *fmt;	/* %s: the base64 */
		const char *comment;
	} cases[] = {
		{ "ssh-ed25519 %s", "" },
		{ "ssh-ed25519 %s\n", "" },
		{ "ssh-ed25519 %s \r\n", "" },
		{ "  ssh-ed25519\t%s  alice  at  home  \n\n \n", "alice  at  home" },
		{ "ssh-ed25519 %s a\tb\r\n", "a\tb" },
		{ "ssh-ed25519 %s Zo\xc3\xa9 (laptop) # =x", "Zo\xc3\xa9 (laptop) # =x" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf text = BUF_INIT;
		struct sig_key *k;

		buf_addf(&text, cases[i].fmt, data);
		k = sig_key_parse(text.data, text.len);
		if (!k)
			fail_msg("case %zu: %s", i, errget());
		assert_true(sig_key_equal(k, plain));
		assert_string_equal(sig_key_comment(k), cases[i].comment);
		sig_key_free(k);
		buf_release(&text);
	}
	sig_key_free(plain);
	free(core);
	free(pub);
}

/* the text form of a wire form made here */
static char *text_of(const char *type, const struct buf *blob)
{
	struct buf t = BUF_INIT;

	buf_adds(&t, type);
	buf_addc(&t, ' ');
	b64(&t, blob->data, blob->len);
	return buf_detach(&t, NULL);
}

static void key_refused(const char *text, size_t len, const char *why)
{
	struct sig_key *k = sig_key_parse(text, len);

	if (k)
		fail_msg("accepted '%.60s', expected: %s", text, why);
	if (strncmp(errget(), "ssh public key: ", 16) || !strstr(errget(), why))
		fail_msg("'%s' does not say '%s' (key '%.60s')", errget(), why, text);
}

static void garbage_and_damaged_keys_are_refused_with_a_reason(void **state)
{
	char *ed = read_text("ed25519", ".pub", NULL);
	char *ec = read_text("p256", ".pub", NULL);
	char *ed_data = strchr(ed, ' ') + 1;
	struct buf blob = BUF_INIT, b = BUF_INIT;
	char *t;
	unsigned char n[128];

	(void)state;
	*strchr(ed_data, ' ') = '\0';
	key_refused("", 0, "not an ssh public key");
	key_refused("hello", 5, "not an ssh public key");
	key_refused("ssh-ed25519", 11, "not an ssh public key");
	key_refused("ssh-ed25519 !!!!", 16, "not base64");
	key_refused("no-pty", 6, "not an ssh public key");
	key_refused("ssh-ed25519 AAAA\0AAAA", 21, "NUL");

	/* truncated base64: a whole group short is a truncated key, a digit short no base64 */
	t = xasprintf("ssh-ed25519 %.*s", (int)strlen(ed_data) - 4, ed_data);
	key_refused(t, strlen(t), "truncated");
	free(t);
	t = xasprintf("ssh-ed25519 %.*s", (int)strlen(ed_data) - 1, ed_data);
	key_refused(t, strlen(t), "not base64");
	free(t);
	t = xasprintf("ssh-ed25519 %.12s", ed_data);
	key_refused(t, strlen(t), "truncated");
	free(t);
	/* base64 whose padding leaves bits set: not the canonical form */
	t = xstrdup(ec);
	{
		char *eq = strchr(t, '=');
		assert_non_null(eq);
		eq[-1] = eq[-1] == 'A' ? 'B' : eq[-1] == 'E' ? 'F' : eq[-1] == 'I' ? 'J' : 'B';
	}
	key_refused(t, strlen(t), "not base64");
	free(t);

	/* the type must be the data's */
	t = xasprintf("ssh-rsa %s", ed_data);
	key_refused(t, strlen(t), "the type says 'ssh-rsa' but the key is ssh-ed25519");
	free(t);
	t = xasprintf("%s\n%s", ed, ed);
	key_refused(t, strlen(t), "more than one line");
	free(t);

	/* bytes after the key */
	unb64(&blob, ed_data, strlen(ed_data));
	buf_addc(&blob, 'x');
	t = text_of("ssh-ed25519", &blob);
	key_refused(t, strlen(t), "1 bytes after the ssh-ed25519 key");
	free(t);

	/* types that are refused */
	w_cstr(&b, "ssh-dss");
	t = text_of("ssh-dss", &b);
	key_refused(t, strlen(t), "DSA keys");
	free(t);
	buf_reset(&b);
	w_cstr(&b, "ssh-ed25519-cert-v01@openssh.com");
	t = text_of("ssh-ed25519-cert-v01@openssh.com", &b);
	key_refused(t, strlen(t), "certificates are not supported");
	free(t);
	buf_reset(&b);
	w_cstr(&b, "sk-ssh-ed25519@openssh.com");
	t = text_of("sk-ssh-ed25519@openssh.com", &b);
	key_refused(t, strlen(t), "security keys");
	free(t);
	buf_reset(&b);
	w_cstr(&b, "ssh-foo");
	t = text_of("ssh-foo", &b);
	key_refused(t, strlen(t), "unsupported key type 'ssh-foo'");
	free(t);

	/* Ed25519 of 31 bytes */
	buf_reset(&b);
	w_cstr(&b, "ssh-ed25519");
	w_str(&b, n, 31);
	t = text_of("ssh-ed25519", &b);
	key_refused(t, strlen(t), "Ed25519 key of 31 bytes");
	free(t);

	/* RSA: too small, even exponent, negative modulus */
	memset(n, 0xb5, sizeof n);
	buf_reset(&b);
	w_cstr(&b, "ssh-rsa");
	w_str(&b, "\x01\x00\x01", 3);
	w_u32(&b, 65);
	buf_addc(&b, '\0');
	buf_add(&b, n, 64);
	t = text_of("ssh-rsa", &b);
	key_refused(t, strlen(t), "RSA key of 512 bits is too small");
	free(t);
	buf_reset(&b);
	w_cstr(&b, "ssh-rsa");
	w_str(&b, "\x01\x00\x00", 3);
	w_u32(&b, 129);
	buf_addc(&b, '\0');
	buf_add(&b, n, 128);
	t = text_of("ssh-rsa", &b);
	key_refused(t, strlen(t), "RSA exponent is not an odd number");
	free(t);
	buf_reset(&b);
	w_cstr(&b, "ssh-rsa");
	w_str(&b, "\x01\x00\x01", 3);
	w_str(&b, n, 128);
	t = text_of("ssh-rsa", &b);
	key_refused(t, strlen(t), "negative RSA modulus");
	free(t);

	/* ECDSA: a point off the curve, a compressed one, a curve that is not the type's */
	buf_reset(&blob);
	t = strchr(ec, ' ') + 1;
	unb64(&blob, t, strcspn(t, " \n"));
	blob.data[blob.len - 1] ^= 1;
	t = text_of("ecdsa-sha2-nistp256", &blob);
	key_refused(t, strlen(t), "point of nistp256");
	free(t);
	blob.data[blob.len - 1] ^= 1;
	blob.data[blob.len - 65] = 2;
	t = text_of("ecdsa-sha2-nistp256", &blob);
	key_refused(t, strlen(t), "not an uncompressed point");
	free(t);
	buf_reset(&b);
	w_cstr(&b, "ecdsa-sha2-nistp256");
	w_cstr(&b, "nistp384");
	w_str(&b, blob.data + blob.len - 65, 65);
	t = text_of("ecdsa-sha2-nistp256", &b);
	key_refused(t, strlen(t), "on curve 'nistp384'");
	free(t);

	buf_release(&blob);
	buf_release(&b);
	free(ed);
	free(ec);
}

static void keys_are_equal_by_their_data_not_their_text(void **state)
{
	struct sig_key *a = load_key("rsa"), *b, *c = load_key("rsapem"), *d = load_key("ed25519");
	struct buf blob = BUF_INIT, padded = BUF_INIT;
	char *text = read_text("rsa", ".pub", NULL), *t;
	char fa[SIG_FINGERPRINT_SIZE], fb[SIG_FINGERPRINT_SIZE];
	const unsigned char *p;

	(void)state;
	/* the same key with an mpint written with an extra leading zero */
	t = strchr(text, ' ') + 1;
	unb64(&blob, t, strcspn(t, " \n"));
	p = (const unsigned char *)blob.data;
	r_str(&p, &padded);	/* "ssh-rsa" */
	buf_reset(&padded);
	w_cstr(&padded, "ssh-rsa");
	{
		uint32_t elen = r_u32(&p);
		w_u32(&padded, elen + 1);
		buf_addc(&padded, '\0');
		buf_add(&padded, p, elen);
		p += elen;
	}
	buf_add(&padded, p, blob.len - (size_t)(p - (const unsigned char *)blob.data));
	t = text_of("ssh-rsa", &padded);
	b = sig_key_parse(t, strlen(t));
	if (!b)
		fail_msg("%s", errget());
	assert_true(sig_key_equal(a, b));
	sig_key_fingerprint(a, fa);
	sig_key_fingerprint(b, fb);
	assert_string_equal(fa, fb);
	assert_false(sig_key_equal(a, c));
	assert_false(sig_key_equal(a, d));
	assert_true(sig_key_equal(d, d));
	free(t);
	free(text);
	buf_release(&blob);
	buf_release(&padded);
	sig_key_free(a);
	sig_key_free(b);
	sig_key_free(c);
	sig_key_free(d);
}

/* ---- verifying ---- */

static void signatures_of_ssh_keygen_verify_for_every_key_type(void **state)
{
	static const char *const names[] = { "ed25519", "p256", "p384", "p521", "rsa" };

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *sig = keygen_sign(names[i], "logbook", NULL);
		struct sshsig s;
		verifies_by(sig, names[i]);
		split(sig, &s);
		assert_int_equal(s.hash.len, 6);
		assert_memory_equal(s.hash.data, "sha512", 6);
		release(&s);
		free(sig);
	}
}

static void rsa_signatures_over_a_sha256_hash_verify(void **state)
{
	char *sig = keygen_sign("rsa", "logbook", "hashalg=sha256");
	struct sshsig s;

	(void)state;
	split(sig, &s);
	assert_int_equal(s.hash.len, 6);
	assert_memory_equal(s.hash.data, "sha256", 6);
	/* the signature algorithm is still rsa-sha2-512 */
	assert_memory_equal(s.sig.data + 4, "rsa-sha2-512", 12);
	release(&s);
	verifies_by(sig, "rsa");
	free(sig);
}

static void rsa_sha2_256_signatures_verify_here_and_in_ssh_keygen(void **state)
{
	char *sig = rsa_sshsig("rsa-sha2-256", EVP_sha256(), "sha512");
	char *allowed = path_of("rsapem", ".allowed"), *sigfile = path_of("rsapem", ".sig256");
	char *msgfile = path_of("rsapem", ".msg");
	char *pub = read_text("rsapem", ".pub", NULL), *line = xasprintf("alice namespaces=\"logbook\" %s", pub);
	const char *argv[] = { "ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "alice",
			       "-n", "logbook", "-s", sigfile, NULL };

	(void)state;
	verifies_by(sig, "rsapem");
	/* the same signature passes ssh-keygen: this test's SSHSIG writer is right */
	unit_write(allowed, line, strlen(line), 0);
	unit_write(sigfile, sig, strlen(sig), 0);
	unit_write(msgfile, msg, MSG_LEN, 0);
	assert_int_equal(run_quiet(argv, msgfile, NULL), 0);
	free(sig);
	/* and so does one over a SHA-256 hash */
	sig = rsa_sshsig("rsa-sha2-512", EVP_sha512(), "sha256");
	verifies_by(sig, "rsapem");
	free(sig);
	free(allowed);
	free(sigfile);
	free(msgfile);
	free(pub);
	free(line);
}

static void rsa_signatures_with_sha1_are_refused(void **state)
{
	char *sig = rsa_sshsig("ssh-rsa", EVP_sha1(), "sha512");

	(void)state;
	refused(sig, strlen(sig), "logbook", "SHA-1 (ssh-rsa) refused");
	free(sig);
	/* an algorithm name that does not go with the digest does not pass either */
	sig = rsa_sshsig("rsa-sha2-512", EVP_sha256(), "sha512");
	refused(sig, strlen(sig), "logbook", "does not match");
	free(sig);
}

static void a_signature_for_another_namespace_is_refused(void **state)
{
	char *sig = keygen_sign("ed25519", "git", NULL);

	(void)state;
	refused(sig, strlen(sig), "logbook", "the signature is for namespace 'git', not 'logbook'");
	refused(sig, strlen(sig), "gi", "namespace 'git'");
	refused(sig, strlen(sig), "", "no namespace");
	free(sig);
}

static void a_changed_message_is_refused(void **state)
{
	char *sig = keygen_sign("p256", "logbook", NULL);
	char changed[sizeof msg];
	struct sig_key *k = NULL;

	(void)state;
	for (size_t i = 0; i < MSG_LEN; i++) {
		memcpy(changed, msg, MSG_LEN);
		changed[i] ^= 0x01;
		assert_int_equal(sig_verify(sig, strlen(sig), "logbook", changed, MSG_LEN, &k), -1);
		assert_null(k);
		assert_non_null(strstr(errget(), "does not match"));
	}
	assert_int_equal(sig_verify(sig, strlen(sig), "logbook", msg, MSG_LEN - 1, NULL), -1);
	assert_int_equal(sig_verify(sig, strlen(sig), "logbook", msg, MSG_LEN + 1, NULL), -1);
	assert_int_equal(sig_verify(sig, strlen(sig), "logbook", NULL, 0, NULL), -1);
	assert_int_equal(sig_verify(sig, strlen(sig), "logbook", msg, MSG_LEN, NULL), 0);
	free(sig);
}

static void every_one_bit_change_of_a_signature_is_refused(void **state)
{
	static const char *const names[] = { "ed25519", "p256", "p521", "rsa" };

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *sig = keygen_sign(names[i], "logbook", NULL);
		struct buf blob = BUF_INIT, changed = BUF_INIT;

		unarmor(&blob, sig);
		for (size_t byte = 0; byte < blob.len; byte++) {
			for (int bit = 0; bit < 8; bit++) {
				blob.data[byte] ^= (char)(1 << bit);
				buf_reset(&changed);
				armor(&changed, &blob);
				if (sig_verify(changed.data, changed.len, "logbook", msg, MSG_LEN, NULL) == 0)
					fail_msg("%s: accepted with byte %zu bit %d changed", names[i], byte, bit);
				blob.data[byte] ^= (char)(1 << bit);
			}
		}
		/* every prefix, and one byte more */
		for (size_t len = 0; len < blob.len; len++) {
			struct buf cut = { blob.data, len, len };
			buf_reset(&changed);
			armor(&changed, &cut);
			assert_int_equal(sig_verify(changed.data, changed.len, "logbook", msg, MSG_LEN, NULL), -1);
		}
		buf_addc(&blob, '\0');
		buf_reset(&changed);
		armor(&changed, &blob);
		refused(changed.data, changed.len, "logbook", "1 bytes after the signature");
		buf_release(&blob);
		buf_release(&changed);
		free(sig);
	}
}

static void every_one_bit_change_of_the_armor_is_refused(void **state)
{
	static const char *const names[] = { "ed25519", "p384", "rsa" };

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *sig = keygen_sign(names[i], "logbook", NULL);
		size_t len = strlen(sig);

		for (size_t at = 0; at < len; at++) {
			for (int bit = 0; bit < 7; bit++) {
				sig[at] ^= (char)(1 << bit);
				if (sig_verify(sig, len, "logbook", msg, MSG_LEN, NULL) == 0)
					fail_msg("%s: accepted with '%c' at %zu changed", names[i], sig[at], at);
				sig[at] ^= (char)(1 << bit);
			}
		}
		assert_int_equal(sig_verify(sig, len, "logbook", msg, MSG_LEN, NULL), 0);
		free(sig);
	}
}

static void the_armor_may_be_wrapped_otherwise(void **state)
{
	char *sig = keygen_sign("ed25519", "logbook", NULL);
	struct buf blob = BUF_INIT, b64text = BUF_INIT, text = BUF_INIT;

	(void)state;
	unarmor(&blob, sig);
	b64(&b64text, blob.data, blob.len);
	/* one long line, CRLF, and blank lines around: what a copy through a mail gives */
	buf_addf(&text, "-----BEGIN SSH SIGNATURE-----\r\n%s\r\n-----END SSH SIGNATURE-----\r\n\r\n", b64text.data);
	if (sig_verify(text.data, text.len, "logbook", msg, MSG_LEN, NULL) < 0)
		fail_msg("%s", errget());
	/* 76 columns, as PROTOCOL.sshsig suggests, and no newline at the end */
	buf_reset(&text);
	buf_adds(&text, "-----BEGIN SSH SIGNATURE-----\n");
	for (size_t i = 0; i < b64text.len; i += 76)
		buf_addf(&text, "%.76s\n", b64text.data + i);
	buf_adds(&text, "-----END SSH SIGNATURE-----");
	if (sig_verify(text.data, text.len, "logbook", msg, MSG_LEN, NULL) < 0)
		fail_msg("%s", errget());
	buf_release(&blob);
	buf_release(&b64text);
	buf_release(&text);
	free(sig);
}

static void a_signature_by_another_key_names_that_key(void **state)
{
	char *sig = keygen_sign("mallory", "logbook", NULL);
	struct sig_key *alice = load_key("ed25519"), *signer = NULL;

	(void)state;
	assert_int_equal(sig_verify(sig, strlen(sig), "logbook", msg, MSG_LEN, &signer), 0);
	assert_false(sig_key_equal(signer, alice));
	verifies_by(sig, "mallory");
	sig_key_free(signer);
	sig_key_free(alice);
	free(sig);
}

static void malformed_signatures_are_refused_with_a_reason(void **state)
{
	char *good = keygen_sign("ed25519", "logbook", NULL), *t;
	char *rsa = keygen_sign("rsa", "logbook", NULL);
	struct sshsig s;

	(void)state;
	refused("", 0, "logbook", "does not start with -----BEGIN SSH SIGNATURE-----");
	refused(good + 1, strlen(good) - 1, "logbook", "does not start with");
	refused(good, strlen(good) - 2, "logbook", "no -----END SSH SIGNATURE----- line");
	refused("-----BEGIN SSH SIGNATURE-----", 29, "logbook", "no line break after");
	refused("-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n", 58, "logbook",
		"not an SSHSIG signature");
	t = xasprintf("%sx\n", good);
	refused(t, strlen(t), "logbook", "text after -----END SSH SIGNATURE-----");
	free(t);
	t = xstrdup(good);
	t[40] = '*';
	refused(t, strlen(t), "logbook", "not base64");
	free(t);
	t = xcalloc(1, 70 * 1024);
	memcpy(t, good, strlen(good));
	refused(t, 70 * 1024, "logbook", "too long for a signature");
	free(t);

#define MUTATED(change, why)                                   \
	do {                                                   \
		split(good, &s);                               \
		change;                                        \
		t = join(&s);                                  \
		refused(t, strlen(t), "logbook", why);         \
		free(t);                                       \
		release(&s);                                   \
	} while (0)

	MUTATED(memcpy(s.magic, "SSHSIH", 6), "not an SSHSIG signature");
	MUTATED(s.version = 2, "SSHSIG version 2 is not supported");
	MUTATED(s.version = 0, "SSHSIG version 0 is not supported");
	MUTATED((buf_reset(&s.hash), buf_adds(&s.hash, "sha1")), "unsupported hash algorithm 'sha1'");
	MUTATED((buf_reset(&s.hash), buf_adds(&s.hash, "sha256")), "does not match");
	MUTATED((buf_reset(&s.ns), buf_add(&s.ns, "logbook\0", 8)), "namespace 'logbook\\x00'");
	MUTATED(buf_reset(&s.ns), "namespace '', not 'logbook'");
	MUTATED(buf_adds(&s.trailer, "junk"), "4 bytes after the signature");
	MUTATED(buf_addc(&s.sig, 'x'), "1 bytes after the signature");
	MUTATED(buf_truncate(&s.key, 20), "the signature's key: truncated");
	MUTATED((buf_reset(&s.key), key_blob("p256", &s.key)), "a ecdsa-sha2-nistp256 key cannot make a 'ssh-ed25519' signature");
	MUTATED((buf_reset(&s.key), key_blob("mallory", &s.key)), "does not match");
	MUTATED((buf_reset(&s.sig), w_cstr(&s.sig, "ssh-ed25519"), w_str(&s.sig, "0123456789", 10)),
		"Ed25519 signature of 10 bytes, not 64");
	/* the reserved field is ignored, as PROTOCOL.sshsig says */
	split(good, &s);
	buf_adds(&s.reserved, "future");
	t = join(&s);
	assert_int_equal(sig_verify(t, strlen(t), "logbook", msg, MSG_LEN, NULL), 0);
	free(t);
	release(&s);

	/* ECDSA's r and s */
	free(good);
	good = keygen_sign("p256", "logbook", NULL);
	MUTATED((buf_reset(&s.sig), w_cstr(&s.sig, "ecdsa-sha2-nistp256"), w_u32(&s.sig, 8),
		 w_u32(&s.sig, 0), w_u32(&s.sig, 0)), "zero r or s");
	MUTATED((buf_reset(&s.sig), w_cstr(&s.sig, "ecdsa-sha2-nistp256"), w_u32(&s.sig, 4),
		 w_u32(&s.sig, 1)), "truncated ECDSA r");
	MUTATED((buf_reset(&s.sig), w_cstr(&s.sig, "ecdsa-sha2-nistp256"), w_u32(&s.sig, 7),
		 w_str(&s.sig, "\x01", 1), buf_add(&s.sig, "\0\0", 2)), "truncated ECDSA s");
	MUTATED((buf_reset(&s.sig), w_cstr(&s.sig, "ecdsa-sha2-nistp256"), w_u32(&s.sig, 10),
		 w_str(&s.sig, "\x80", 1), w_str(&s.sig, "\x01", 1)), "negative ECDSA r");
	MUTATED((buf_reset(&s.sig), w_cstr(&s.sig, "ecdsa-sha2-nistp256"), w_u32(&s.sig, 4 + 33 + 4 + 1),
		 w_u32(&s.sig, 33), buf_add(&s.sig, "\x7f" "23456789012345678901234567890123", 33),
		 w_str(&s.sig, "\x01", 1)), "ECDSA r of 33 bytes is too large");
	/* RSA signatures longer than the modulus */
	free(good);
	good = rsa;
	MUTATED((buf_reset(&s.sig), w_cstr(&s.sig, "rsa-sha2-512"), w_u32(&s.sig, 257),
		 buf_grow(&s.sig, 257), memset(s.sig.data + s.sig.len, 1, 257), s.sig.len += 257),
		"RSA signature of 257 bytes for a key of 256");
	MUTATED((buf_reset(&s.sig), w_cstr(&s.sig, "rsa-sha2-384"), w_str(&s.sig, "x", 1)),
		"a ssh-rsa key cannot make a 'rsa-sha2-384' signature");
#undef MUTATED
	free(good);
}

/* ---- signing ---- */

static void signatures_of_sig_sign_keyfile_verify(void **state)
{
	static const char *const names[] = { "ed25519", "p256", "p384", "p521", "rsa" };

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *key = path_of(names[i], "");
		struct buf out = BUF_INIT;

		buf_adds(&out, "kept:");
		if (sig_sign_keyfile(key, "logbook", msg, MSG_LEN, &out) < 0)
			fail_msg("%s: %s", names[i], errget());
		assert_memory_equal(out.data, "kept:", 5);
		verifies_by(out.data + 5, names[i]);
		/* Ed25519 signatures are deterministic: exactly what ssh-keygen itself writes */
		if (!strcmp(names[i], "ed25519")) {
			char *direct = keygen_sign("ed25519", "logbook", NULL);
			assert_string_equal(out.data + 5, direct);
			free(direct);
		}
		buf_release(&out);
		free(key);
	}
}

static void sig_sign_keyfile_says_why_ssh_keygen_failed(void **state)
{
	char *missing = path_of("missing", "");
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(sig_sign_keyfile(missing, "logbook", msg, MSG_LEN, &out), -1);
	assert_int_equal(out.len, 0);
	if (!strstr(errget(), "ssh-keygen -Y sign -f ") || !strstr(errget(), missing))
		fail_msg("%s", errget());
	assert_int_equal(sig_sign_keyfile(missing, "", msg, MSG_LEN, &out), -1);
	assert_non_null(strstr(errget(), "namespace"));
	free(missing);
}

static void the_agent_lists_the_keys_it_holds(void **state)
{
	struct sig_key **held;
	size_t n, want = 0;

	(void)state;
	setenv("SSH_AUTH_SOCK", agent_sock, 1);
	assert_int_equal(sig_agent_keys(&held, &n), 0);
	for (size_t i = 0; i < NKEYS; i++) {
		struct sig_key *k = load_key(keys[i].name);
		bool found = false;
		for (size_t j = 0; j < n; j++) {
			if (sig_key_equal(held[j], k)) {
				found = true;
				/* ssh-add gives the key's comment */
				assert_string_equal(sig_key_comment(held[j]), keys[i].comment);
			}
		}
		assert_int_equal(found, keys[i].in_agent);
		want += keys[i].in_agent;
		sig_key_free(k);
	}
	assert_int_equal(n, want);
	sig_keys_free(held, n);
}

static void the_agent_signs_for_every_key_type(void **state)
{
	(void)state;
	setenv("SSH_AUTH_SOCK", agent_sock, 1);
	for (size_t i = 0; i < NKEYS; i++) {
		struct sig_key *k;
		struct buf out = BUF_INIT;
		struct sshsig s;

		if (!keys[i].in_agent)
			continue;
		k = load_key(keys[i].name);
		if (sig_sign_agent(k, "logbook", msg, MSG_LEN, &out) < 0)
			fail_msg("%s: %s", keys[i].name, errget());
		verifies_by(out.data, keys[i].name);
		split(out.data, &s);
		if (!strcmp(keys[i].type, "ssh-rsa"))
			assert_memory_equal(s.sig.data + 4, "rsa-sha2-512", 12);
		release(&s);
		if (!strcmp(keys[i].name, "ed25519")) {
			char *direct = keygen_sign("ed25519", "logbook", NULL);
			assert_string_equal(out.data, direct);
			free(direct);
		}
		buf_release(&out);
		sig_key_free(k);
	}
}

static void a_key_the_agent_does_not_hold_is_named_in_the_error(void **state)
{
	struct sig_key *k = load_key("p384");
	struct buf out = BUF_INIT;
	char fp[SIG_FINGERPRINT_SIZE];

	(void)state;
	setenv("SSH_AUTH_SOCK", agent_sock, 1);
	sig_key_fingerprint(k, fp);
	assert_int_equal(sig_sign_agent(k, "logbook", msg, MSG_LEN, &out), -1);
	assert_int_equal(out.len, 0);
	assert_non_null(strstr(errget(), "does not hold the key ecdsa-sha2-nistp384"));
	assert_non_null(strstr(errget(), fp));
	assert_int_equal(sig_sign_agent(k, "", msg, MSG_LEN, &out), -1);
	sig_key_free(k);
}

static void without_an_agent_the_error_says_so(void **state)
{
	struct sig_key *k = load_key("ed25519"), **held;
	struct buf out = BUF_INIT;
	size_t n;
	char *dead = path_of("dead", ".sock");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	(void)state;
	assert_int_equal(sig_sign_agent(k, "logbook", msg, MSG_LEN, &out), -1);
	assert_non_null(strstr(errget(), "SSH_AUTH_SOCK is not set"));
	assert_int_equal(sig_agent_keys(&held, &n), -1);
	assert_non_null(strstr(errget(), "SSH_AUTH_SOCK is not set"));
	setenv("SSH_AUTH_SOCK", "", 1);
	assert_int_equal(sig_agent_keys(&held, &n), -1);
	assert_non_null(strstr(errget(), "SSH_AUTH_SOCK is not set"));

	setenv("SSH_AUTH_SOCK", "/nonexistent/agent.sock", 1);
	assert_int_equal(sig_sign_agent(k, "logbook", msg, MSG_LEN, &out), -1);
	assert_string_equal(errget(), "no ssh-agent at /nonexistent/agent.sock (SSH_AUTH_SOCK): No such file or directory");

	/* a socket nobody listens on any more, as a dead agent leaves it */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", dead);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd);
	setenv("SSH_AUTH_SOCK", dead, 1);
	assert_int_equal(sig_agent_keys(&held, &n), -1);
	assert_non_null(strstr(errget(), "Connection refused"));
	assert_int_equal(out.len, 0);
	sig_key_free(k);
	free(dead);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void an_agent_that_never_answers_times_out(void **state)
{
	struct sig_key *k = load_key("ed25519");
	struct buf out = BUF_INIT;
	char *path = path_of("mute", ".sock");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	double start;

	(void)state;
	/* it takes the connection (the kernel does, in the backlog) and never reads */
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 4), 0);
	setenv("SSH_AUTH_SOCK", path, 1);
	setenv("LOGBOOK_AGENT_TIMEOUT", "1", 1);
	start = now();
	assert_int_equal(sig_sign_agent(k, "logbook", msg, MSG_LEN, &out), -1);
	assert_true(now() - start >= 0.9);
	assert_true(now() - start < 5);
	assert_non_null(strstr(errget(), "no answer in 1 s"));
	close(fd);
	sig_key_free(k);
	free(path);
}

/*
 * A fake agent: a child that accepts one connection, reads a request and
 * sends reply (or closes when reply is NULL).
 */
static pid_t fake_agent(const char *path, const void *reply, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	unlink(path);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 4), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int c = accept(fd, NULL, NULL);
		char req[65536];
		if (c >= 0 && read(c, req, sizeof req) > 0 && reply)
			(void)!write(c, reply, len);
		_exit(0);
	}
	close(fd);
	return pid;
}

static void an_agent_that_answers_nonsense_is_an_error(void **state)
{
	struct {
		const char *reply;
		size_t len;
		const char *why;
	} cases[] = {
		{ NULL, 0, "closed the connection" },
		{ "\xff\xff\xff\xff", 4, "bad answer of 4294967295 bytes" },
		{ "\0\0\0\0", 4, "bad answer of 0 bytes" },
		{ "\0\0\0\x05\x0c\0\0", 7, "closed the connection" },
		{ "\0\0\0\x01\x63", 5, "bad list of keys" },
		{ "\0\0\0\x05\x0c\x7f\xff\xff\xff", 9, "bad list of keys" },
		{ "\0\0\0\x09\x0c\0\0\0\x01\0\0\0\x10", 13, "bad list of keys" },
		{ "\0\0\0\x01\x05", 5, "refused to list its keys" },
	};
	char *path = path_of("fake", ".sock");

	(void)state;
	setenv("SSH_AUTH_SOCK", path, 1);
	setenv("LOGBOOK_AGENT_TIMEOUT", "2", 1);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		pid_t pid = fake_agent(path, cases[i].reply, cases[i].len);
		struct sig_key **held;
		size_t n;
		int status;

		assert_int_equal(sig_agent_keys(&held, &n), -1);
		if (!strstr(errget(), cases[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, errget(), cases[i].why);
		waitpid(pid, &status, 0);
	}
	/* a signature the agent made with another key, or in SHA-1 */
	{
		struct sig_key *k = load_key("rsa");
		struct buf reply = BUF_INIT, body = BUF_INIT, sig = BUF_INIT, out = BUF_INIT;
		pid_t pid;
		int status;

		w_cstr(&sig, "ssh-rsa");
		w_str(&sig, "x", 1);
		buf_addc(&body, 14);
		w_str(&body, sig.data, sig.len);
		w_str(&reply, body.data, body.len);
		pid = fake_agent(path, reply.data, reply.len);
		assert_int_equal(sig_sign_agent(k, "logbook", msg, MSG_LEN, &out), -1);
		assert_non_null(strstr(errget(), "signed with 'ssh-rsa', not rsa-sha2-512"));
		waitpid(pid, &status, 0);
		buf_reset(&sig);
		buf_reset(&body);
		buf_reset(&reply);
		w_cstr(&sig, "rsa-sha2-512");
		w_u32(&sig, 256);
		buf_grow(&sig, 256);
		memset(sig.data + sig.len, 7, 256);
		sig.len += 256;
		buf_addc(&body, 14);
		w_str(&body, sig.data, sig.len);
		w_str(&reply, body.data, body.len);
		pid = fake_agent(path, reply.data, reply.len);
		assert_int_equal(sig_sign_agent(k, "logbook", msg, MSG_LEN, &out), -1);
		assert_non_null(strstr(errget(), "the ssh-agent's signature is wrong"));
		waitpid(pid, &status, 0);
		assert_int_equal(out.len, 0);
		buf_release(&sig);
		buf_release(&body);
		buf_release(&reply);
		sig_key_free(k);
	}
	free(path);
}

static void comments_from_the_agent_stay_on_one_line(void **state)
{
	struct buf blob = BUF_INIT, body = BUF_INIT, reply = BUF_INIT, line = BUF_INIT;
	char *path = path_of("fake", ".sock");
	struct sig_key **held, *k = load_key("ed25519");
	size_t n;
	pid_t pid;
	int status;

	(void)state;
	key_blob("ed25519", &blob);
	buf_addc(&body, 12);
	w_u32(&body, 1);
	w_str(&body, blob.data, blob.len);
	w_cstr(&body, "line one\nline two\r");
	w_str(&reply, body.data, body.len);
	setenv("SSH_AUTH_SOCK", path, 1);
	pid = fake_agent(path, reply.data, reply.len);
	assert_int_equal(sig_agent_keys(&held, &n), 0);
	waitpid(pid, &status, 0);
	assert_int_equal(n, 1);
	assert_true(sig_key_equal(held[0], k));
	assert_string_equal(sig_key_comment(held[0]), "line one line two ");
	/* so its text form is one line that parses back */
	sig_key_format(held[0], &line);
	assert_null(strchr(line.data, '\n'));
	sig_key_free(k);
	assert_non_null(k = sig_key_parse(line.data, line.len));
	assert_true(sig_key_equal(held[0], k));
	sig_keys_free(held, n);
	sig_key_free(k);
	buf_release(&blob);
	buf_release(&body);
	buf_release(&reply);
	buf_release(&line);
	free(path);
}

#define T(name) cmocka_unit_test_setup(name, each_test)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(keys_of_every_type_parse_with_their_type_size_and_comment),
		T(fingerprints_are_those_ssh_keygen_l_prints),
		T(the_text_form_is_the_one_ssh_keygen_writes),
		T(options_before_the_type_are_skipped),
		T(blanks_line_endings_and_comments_around_a_key),
		T(garbage_and_damaged_keys_are_refused_with_a_reason),
		T(keys_are_equal_by_their_data_not_their_text),
		T(signatures_of_ssh_keygen_verify_for_every_key_type),
		T(rsa_signatures_over_a_sha256_hash_verify),
		T(rsa_sha2_256_signatures_verify_here_and_in_ssh_keygen),
		T(rsa_signatures_with_sha1_are_refused),
		T(a_signature_for_another_namespace_is_refused),
		T(a_changed_message_is_refused),
		T(every_one_bit_change_of_a_signature_is_refused),
		T(every_one_bit_change_of_the_armor_is_refused),
		T(the_armor_may_be_wrapped_otherwise),
		T(a_signature_by_another_key_names_that_key),
		T(malformed_signatures_are_refused_with_a_reason),
		T(signatures_of_sig_sign_keyfile_verify),
		T(sig_sign_keyfile_says_why_ssh_keygen_failed),
		T(the_agent_lists_the_keys_it_holds),
		T(the_agent_signs_for_every_key_type),
		T(a_key_the_agent_does_not_hold_is_named_in_the_error),
		T(without_an_agent_the_error_says_so),
		T(an_agent_that_never_answers_times_out),
		T(an_agent_that_answers_nonsense_is_an_error),
		T(comments_from_the_agent_stay_on_one_line),
	};
	return cmocka_run_group_tests_name("sig", tests, setup, teardown);
}
