/*
 * sig-agent: the ssh-agent at $SSH_AUTH_SOCK, in-process, with the agent
 * protocol of draft-miller-ssh-agent: listing the keys it holds and
 * signing with one of them.
 *
 * Each exchange is one new connection, one request and one answer, under
 * one deadline of $LOGBOOK_AGENT_TIMEOUT seconds, so a stuck agent is an
 * error and never a hang.  The agent is not trusted more than a journal:
 * its answers are parsed through a reader, keys of types we do not take
 * are left out, and a signature it makes is verified before it is used.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/sig-int.h"
#include "journal/sig.h"
#include "base/banned.h"

#define AGENT_MAX_LEN (256 * 1024)	/* what OpenSSH's agent accepts and sends */
#define AGENT_TIMEOUT_DEFAULT 30
enum {
	AGENT_FAILURE = 5,
	AGENTC_REQUEST_IDENTITIES = 11,
	AGENT_IDENTITIES_ANSWER = 12,
	AGENTC_SIGN_REQUEST = 13,
	AGENT_SIGN_RESPONSE = 14,
	AGENT2_FAILURE = 30,		/* older agents' failures, as OpenSSH reads them */
	AGENT_COM_FAILURE = 102,
	AGENT_RSA_SHA2_512 = 4,		/* sign flag */
};

struct agent {
	int fd;
	const char *path;
	int timeout;		/* seconds */
	struct timespec deadline;
};

static int agent_timeout(void)
{
	const char *s = getenv("LOGBOOK_AGENT_TIMEOUT");
	char *end;
	long v;

	if (!s || !*s)
		return AGENT_TIMEOUT_DEFAULT;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 3600)
		return AGENT_TIMEOUT_DEFAULT;
	return (int)v;
}

/* milliseconds to the deadline, 0 when past */
static int ms_left(const struct agent *a)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(a->deadline.tv_sec - now.tv_sec) * 1000 +
	     (a->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* wait until the socket is ready for events, or the deadline */
static int agent_wait(struct agent *a, short events)
{
	for (;;) {
		struct pollfd pfd = { a->fd, events, 0 };
		int left = ms_left(a), n;

		if (left == 0)
			return sig_fail("ssh-agent at %s: no answer in %d s", a->path, a->timeout);
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR) {
			errset_sys("ssh-agent at %s: poll", a->path);
			return -1;
		}
	}
}

static int agent_open(struct agent *a)
{
	struct sockaddr_un sa;
	size_t path_len;

	a->fd = -1;
	a->path = getenv("SSH_AUTH_SOCK");
	if (!a->path || !*a->path)
		return sig_fail("no ssh-agent: SSH_AUTH_SOCK is not set "
			    "(log in with ssh -A, or start one with eval \"$(ssh-agent)\" and ssh-add)");
	a->timeout = agent_timeout();
	clock_gettime(CLOCK_MONOTONIC, &a->deadline);
	a->deadline.tv_sec += a->timeout;
	path_len = strlen(a->path);
	memset(&sa, 0, sizeof sa);
	if (path_len >= sizeof sa.sun_path)
		return sig_fail("ssh-agent at %s: socket path too long", a->path);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, a->path, path_len + 1);
	a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (a->fd < 0) {
		errset_sys("socket");
		return -1;
	}
	if (connect(a->fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return 0;
	if (errno == EINPROGRESS || errno == EINTR) {
		int err = 0;
		socklen_t err_len = sizeof err;
		if (agent_wait(a, POLLOUT) < 0)
			goto fail;
		if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 && err == 0)
			return 0;
		errno = err;
	}
	if (errno == EAGAIN)
		sig_fail("ssh-agent at %s (SSH_AUTH_SOCK): too busy to take a connection", a->path);
	else
		errset_sys("no ssh-agent at %s (SSH_AUTH_SOCK)", a->path);
fail:
	close(a->fd);
	a->fd = -1;
	return -1;
}

static int agent_send(struct agent *a, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(a->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (agent_wait(a, POLLOUT) < 0)
					return -1;
				continue;
			}
			errset_sys("ssh-agent at %s", a->path);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int agent_recv(struct agent *a, void *data, size_t len)
{
	char *p = data;

	while (len) {
		ssize_t n = recv(a->fd, p, len, 0);
		if (n == 0)
			return sig_fail("ssh-agent at %s closed the connection", a->path);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (agent_wait(a, POLLIN) < 0)
					return -1;
				continue;
			}
			errset_sys("ssh-agent at %s", a->path);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* send req (type byte and contents) on a new connection; its answer into reply */
static int agent_call(const struct buf *req, struct buf *reply)
{
	struct agent a;
	unsigned char head[4];
	struct buf msg = BUF_INIT;
	struct reader r = { head, 4 };
	uint32_t len;
	int rc = -1;

	if (agent_open(&a) < 0)
		return -1;
	wire_put_string(&msg, req->data, req->len);
	if (agent_send(&a, msg.data, msg.len) < 0 || agent_recv(&a, head, 4) < 0)
		goto out;
	wire_get_u32(&r, &len);
	if (len == 0 || len > AGENT_MAX_LEN) {
		sig_fail("ssh-agent at %s: bad answer of %" PRIu32 " bytes", a.path, len);
		goto out;
	}
	buf_reset(reply);
	buf_grow(reply, len);
	if (agent_recv(&a, reply->data, len) < 0)
		goto out;
	reply->len = len;
	reply->data[len] = '\0';
	rc = 0;
out:
	close(a.fd);
	buf_release(&msg);
	return rc;
}

static bool agent_failed(unsigned type)
{
	return type == AGENT_FAILURE || type == AGENT2_FAILURE || type == AGENT_COM_FAILURE;
}

int sig_agent_keys(struct sig_key ***keys, size_t *n)
{
	struct buf req = BUF_INIT, reply = BUF_INIT;
	struct reader r;
	struct sig_key **list = NULL;
	size_t count = 0;
	uint32_t nkeys;
	unsigned type = 0;
	int rc = -1;

	*keys = NULL;
	*n = 0;
	buf_addc(&req, AGENTC_REQUEST_IDENTITIES);
	if (agent_call(&req, &reply) < 0)
		goto out;
	r = (struct reader){ (const unsigned char *)reply.data, reply.len };
	wire_get_u8(&r, &type);
	if (agent_failed(type)) {
		sig_fail("the ssh-agent refused to list its keys");
		goto out;
	}
	/* a key and its comment take 8 bytes at least */
	if (type != AGENT_IDENTITIES_ANSWER || !wire_get_u32(&r, &nkeys) || nkeys > r.left / 8) {
		sig_fail("the ssh-agent sent a bad list of keys");
		goto out;
	}
	list = xcalloc(nkeys ? nkeys : 1, sizeof *list);
	for (uint32_t i = 0; i < nkeys; i++) {
		struct span blob, comment;
		struct sig_key *k;

		if (!wire_get_string(&r, &blob) || !wire_get_string(&r, &comment)) {
			sig_fail("the ssh-agent sent a bad list of keys");
			goto out;
		}
		if (!(k = sig_key_from_blob(blob.p, blob.len)))
			continue;	/* a type we do not sign with */
		free(k->comment);
		k->comment = xstrndup((const char *)comment.p, comment.len);
		/* a comment stays on the key's line, as in a .pub file */
		for (char *c = k->comment; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		list[count++] = k;
	}
	*keys = list;
	*n = count;
	list = NULL;
	rc = 0;
out:
	if (list)
		sig_keys_free(list, count);
	buf_release(&req);
	buf_release(&reply);
	return rc;
}

/* why the agent did not sign: it does not hold the key, or it refused */
static int agent_refused(const struct sig_key *key)
{
	struct sig_key **keys;
	size_t n;
	bool held = true;
	char fp[SIG_FINGERPRINT_SIZE];

	sig_key_fingerprint(key, fp);
	if (sig_agent_keys(&keys, &n) == 0) {
		held = false;
		for (size_t i = 0; i < n && !held; i++)
			held = sig_key_equal(keys[i], key);
		sig_keys_free(keys, n);
	}
	if (!held)
		return sig_fail("the ssh-agent does not hold the key %s %s: add it with ssh-add",
			    key->type, fp);
	return sig_fail("the ssh-agent refused to sign with %s %s (declined confirmation?)", key->type, fp);
}


int sig_sign_agent(const struct sig_key *key, const char *namespace,
		   const void *msg, size_t len, struct buf *armored)
{
	struct buf tbs = BUF_INIT, req = BUF_INIT, reply = BUF_INIT;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned h_len, type = 0;
	struct reader r;
	struct span sig, alg;
	int rc = -1;

	if (sshsig_check_namespace(namespace) < 0)
		return -1;
	sshsig_hash(EVP_sha512(), msg, len, h, &h_len);
	sshsig_signed_data(&tbs, namespace, "sha512", h, h_len);
	buf_addc(&req, AGENTC_SIGN_REQUEST);
	wire_put_string(&req, key->blob, key->blob_len);
	wire_put_string(&req, tbs.data, tbs.len);
	wire_put_u32(&req, key->kind == KEY_RSA ? AGENT_RSA_SHA2_512 : 0);
	if (agent_call(&req, &reply) < 0)
		goto out;
	r = (struct reader){ (const unsigned char *)reply.data, reply.len };
	wire_get_u8(&r, &type);
	if (agent_failed(type)) {
		agent_refused(key);
		goto out;
	}
	if (type != AGENT_SIGN_RESPONSE || !wire_get_string(&r, &sig) || r.left) {
		sig_fail("the ssh-agent sent a bad answer (type %u) to a signing request", type);
		goto out;
	}
	/* an old agent may ignore the flag and sign with SHA-1 */
	{
		struct reader sr = { sig.p, sig.len };
		if (key->kind == KEY_RSA && wire_get_string(&sr, &alg) && !span_is(alg, "rsa-sha2-512")) {
			char s[SIG_SHOWN_SIZE];
			sig_fail("the ssh-agent signed with '%s', not rsa-sha2-512: it is too old", sig_shown(alg, s));
			goto out;
		}
	}
	if (sshsig_verify_raw(key, sig, (const unsigned char *)tbs.data, tbs.len) < 0) {
		errprefix("the ssh-agent's signature is wrong");
		goto out;
	}
	sshsig_armored(key, namespace, sig, armored);
	rc = 0;
out:
	buf_release(&tbs);
	buf_release(&req);
	buf_release(&reply);
	return rc;
}
