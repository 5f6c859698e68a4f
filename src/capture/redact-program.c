/*
 * redact-program: the rules of known programs.  Each family (mysql and its
 * kin, curl, sshpass, docker, chpasswd, …) has an option spec, parsed by
 * redact-opts.c, and maybe a function for what options cannot say: the
 * operands (htpasswd -b FILE USER PASSWORD, redis-cli AUTH pw), a command
 * that follows (sshpass -p X ssh …, docker exec db cmd), or secrets read
 * on standard input (chpasswd, passwd --stdin), returned as an enum
 * stdin_mode for redact-command.c to follow.  program_names maps the
 * names to families; redact_new sorts them into the redactor.
 *
 * Invariants: a family's id is its index in families[] and stays below
 * 64, because dispatch keeps the families it has run in a bit mask.  The
 * tables are constant: nothing here holds state between calls.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "capture/redact-int.h"
#include "base/banned.h"

/* the command that starts at operand j */
static void sub_command(struct ctx *c, struct call *k, size_t j)
{
	if (j < k->npos)
		dispatch(c, k->sc, k->cmd, k->argv + k->pos[j], k->argc - k->pos[j], k->depth + 1);
}

/* ssh host 'cmd', watch 'cmd': one word is a command string, several are a command */
static void sub_string_or_command(struct ctx *c, struct call *k, size_t j)
{
	if (j + 1 == k->npos && k->pos[j] == k->argc - 1)
		recurse_word(c, k->sc, k->argv[k->pos[j]], 0);
	else
		sub_command(c, k, j);
}

static void mark_pos(struct ctx *c, struct call *k, size_t j)
{
	if (j < k->npos)
		mark_value(c, k->sc, k->argv[k->pos[j]], 0, al(k, k->pos[j]));
}

#define OPTS(...) ((const struct opt[]){ __VA_ARGS__, { NULL, 0, 0 } })
#define SPEC(flags, ...) (&(const struct optspec){ OPTS(__VA_ARGS__), (flags) })

/* mysql family: -pX and --password=X; -p and --password alone prompt */
static const struct optspec *const mysql_spec = SPEC(O_BUNDLE | O_PREFIX,
	{ "D", A_REQ, 0 }, { "e", A_REQ, 0 }, { "h", A_REQ, 0 }, { "P", A_REQ, 0 },
	{ "S", A_REQ, 0 }, { "u", A_REQ, 0 }, { "p", A_ATTACHED, K_WHOLE },
	{ "password", A_ATTACHED, K_WHOLE }, { "user", A_REQ, 0 }, { "host", A_REQ, 0 },
	{ "port", A_REQ, 0 }, { "socket", A_REQ, 0 }, { "database", A_REQ, 0 },
	{ "execute", A_REQ, 0 });

static const struct optspec *const redis_spec = SPEC(0,
	{ "a", A_REQ, K_WHOLE }, { "pass", A_REQ, K_WHOLE }, { "user", A_REQ, 0 },
	{ "h", A_REQ, 0 }, { "p", A_REQ, 0 }, { "s", A_REQ, 0 }, { "u", A_REQ, 0 },
	{ "n", A_REQ, 0 }, { "r", A_REQ, 0 }, { "i", A_REQ, 0 }, { "d", A_REQ, 0 },
	{ "D", A_REQ, 0 }, { "rdb", A_REQ, 0 }, { "eval", A_REQ, 0 },
	{ "pipe-timeout", A_REQ, 0 }, { "cacert", A_REQ, 0 }, { "cacertdir", A_REQ, 0 },
	{ "cert", A_REQ, 0 }, { "key", A_REQ, 0 }, { "sni", A_REQ, 0 },
	{ "pattern", A_REQ, 0 }, { "count", A_REQ, 0 }, { "tls-ciphers", A_REQ, 0 });

/* redis-cli AUTH [user] pw, CONFIG SET requirepass pw, ACL SETUSER u >pw */
static int fn_redis(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	if (pos_ieq(k, 0, "auth") && k->npos >= 2)
		mark_pos(c, k, k->npos - 1);
	if (pos_ieq(k, 0, "config") && pos_ieq(k, 1, "set") &&
	    (pos_ieq(k, 2, "requirepass") || pos_ieq(k, 2, "masterauth")))
		mark_pos(c, k, 3);
	if (pos_ieq(k, 0, "acl") && pos_ieq(k, 1, "setuser"))
		for (size_t j = 3; j < k->npos; j++)
			if (al(k, k->pos[j]) > 1 && (av(k, k->pos[j])[0] == '>' || av(k, k->pos[j])[0] == '#'))
				mark_value(c, k->sc, k->argv[k->pos[j]], 1, al(k, k->pos[j]));
	return IN_NONE;
}

#define LDAP_OPTS \
	{ "b", A_REQ, 0 }, { "D", A_REQ, 0 }, { "d", A_REQ, 0 }, { "e", A_REQ, 0 }, \
	{ "E", A_REQ, 0 }, { "f", A_REQ, 0 }, { "h", A_REQ, 0 }, { "H", A_REQ, 0 }, \
	{ "o", A_REQ, 0 }, { "O", A_REQ, 0 }, { "p", A_REQ, 0 }, { "P", A_REQ, 0 }, \
	{ "R", A_REQ, 0 }, { "T", A_REQ, 0 }, { "U", A_REQ, 0 }, { "X", A_REQ, 0 }, \
	{ "y", A_REQ, 0 }, { "Y", A_REQ, 0 }, { "w", A_REQ, K_WHOLE }
static const struct optspec *const ldap_spec = SPEC(O_BUNDLE, LDAP_OPTS,
	{ "a", A_REQ, 0 }, { "s", A_REQ, 0 }, { "l", A_REQ, 0 }, { "z", A_REQ, 0 });
static const struct optspec *const ldappasswd_spec = SPEC(O_BUNDLE, LDAP_OPTS,
	{ "a", A_REQ, K_WHOLE }, { "s", A_REQ, K_WHOLE }, { "t", A_REQ, 0 });

static const struct optspec *const sshpass_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "p", A_REQ, K_WHOLE }, { "f", A_REQ, 0 }, { "d", A_REQ, 0 }, { "P", A_REQ, 0 },
	{ "e", A_ATTACHED, 0 });

static int fn_then_command(struct ctx *c, struct call *k)
{
	if (k->at_command)
		sub_command(c, k, 0);
	return IN_NONE;
}

static const struct optspec *const curl_spec = SPEC(O_BUNDLE,
	{ "u", A_REQ, K_COLON }, { "U", A_REQ, K_COLON }, { "E", A_REQ, K_COLON },
	{ "b", A_REQ, K_COOKIE }, { "H", A_REQ, K_HEADER },
	{ "A", A_REQ, 0 }, { "c", A_REQ, 0 }, { "C", A_REQ, 0 }, { "d", A_REQ, 0 },
	{ "D", A_REQ, 0 }, { "e", A_REQ, 0 }, { "F", A_REQ, 0 }, { "K", A_REQ, 0 },
	{ "m", A_REQ, 0 }, { "o", A_REQ, 0 }, { "P", A_REQ, 0 }, { "Q", A_REQ, 0 },
	{ "r", A_REQ, 0 }, { "t", A_REQ, 0 }, { "T", A_REQ, 0 }, { "w", A_REQ, 0 },
	{ "x", A_REQ, 0 }, { "X", A_REQ, 0 }, { "y", A_REQ, 0 }, { "Y", A_REQ, 0 },
	{ "z", A_REQ, 0 },
	{ "user", A_REQ, K_COLON }, { "proxy-user", A_REQ, K_COLON },
	{ "cert", A_REQ, K_COLON }, { "proxy-cert", A_REQ, K_COLON },
	{ "oauth2-bearer", A_REQ, K_WHOLE }, { "pass", A_REQ, K_WHOLE },
	{ "proxy-pass", A_REQ, K_WHOLE }, { "tlspassword", A_REQ, K_WHOLE },
	{ "proxy-tlspassword", A_REQ, K_WHOLE }, { "cookie", A_REQ, K_COOKIE },
	{ "header", A_REQ, K_HEADER }, { "proxy-header", A_REQ, K_HEADER },
	{ "data", A_REQ, 0 }, { "data-raw", A_REQ, 0 }, { "data-binary", A_REQ, 0 },
	{ "data-urlencode", A_REQ, 0 }, { "json", A_REQ, 0 }, { "form", A_REQ, 0 },
	{ "output", A_REQ, 0 }, { "request", A_REQ, 0 }, { "url", A_REQ, 0 },
	{ "proxy", A_REQ, 0 }, { "user-agent", A_REQ, 0 }, { "referer", A_REQ, 0 },
	{ "cacert", A_REQ, 0 }, { "key", A_REQ, 0 }, { "config", A_REQ, 0 },
	{ "resolve", A_REQ, 0 }, { "connect-to", A_REQ, 0 }, { "max-time", A_REQ, 0 },
	{ "write-out", A_REQ, 0 }, { "upload-file", A_REQ, 0 }, { "retry", A_REQ, 0 });

static const struct optspec *const wget_spec = SPEC(O_BUNDLE,
	{ "password", A_REQ, K_WHOLE }, { "http-password", A_REQ, K_WHOLE },
	{ "ftp-password", A_REQ, K_WHOLE }, { "proxy-password", A_REQ, K_WHOLE },
	{ "header", A_REQ, K_HEADER }, { "user", A_REQ, 0 }, { "http-user", A_REQ, 0 },
	{ "ftp-user", A_REQ, 0 }, { "proxy-user", A_REQ, 0 },
	{ "o", A_REQ, 0 }, { "a", A_REQ, 0 }, { "i", A_REQ, 0 }, { "B", A_REQ, 0 },
	{ "e", A_REQ, 0 }, { "O", A_REQ, 0 }, { "t", A_REQ, 0 }, { "T", A_REQ, 0 },
	{ "w", A_REQ, 0 }, { "Q", A_REQ, 0 }, { "P", A_REQ, 0 }, { "l", A_REQ, 0 },
	{ "A", A_REQ, 0 }, { "R", A_REQ, 0 }, { "D", A_REQ, 0 }, { "X", A_REQ, 0 },
	{ "I", A_REQ, 0 }, { "U", A_REQ, 0 });

static const struct optspec *const smb_spec = SPEC(O_BUNDLE,
	{ "U", A_REQ, K_PERCENT }, { "user", A_REQ, K_PERCENT },
	{ "password", A_REQ, K_WHOLE }, { "newpassword", A_REQ, K_WHOLE },
	{ "W", A_REQ, 0 }, { "I", A_REQ, 0 }, { "p", A_REQ, 0 }, { "c", A_REQ, 0 },
	{ "m", A_REQ, 0 }, { "s", A_REQ, 0 }, { "O", A_REQ, 0 }, { "n", A_REQ, 0 },
	{ "i", A_REQ, 0 }, { "R", A_REQ, 0 }, { "D", A_REQ, 0 }, { "L", A_REQ, 0 },
	{ "A", A_REQ, 0 }, { "t", A_REQ, 0 }, { "d", A_REQ, 0 },
	{ "workgroup", A_REQ, 0 }, { "authentication-file", A_REQ, 0 });

/* smbclient //server/share PASSWORD; samba-tool user create NAME PASSWORD */
static int fn_smb(struct ctx *c, struct call *k)
{
	const char *p = av(k, 0);
	size_t n = al(k, 0);

	if (!k->at_command)
		return IN_NONE;
	if (mem_is(p, n, "smbclient") && k->npos >= 2 &&
	    (mem_starts(av(k, k->pos[0]), al(k, k->pos[0]), "//") ||
	     mem_starts(av(k, k->pos[0]), al(k, k->pos[0]), "\\\\")))
		mark_pos(c, k, 1);
	if (mem_is(p, n, "samba-tool") && pos_is(k, 0, "user") &&
	    (pos_is(k, 1, "create") || pos_is(k, 1, "add")))
		mark_pos(c, k, 3);
	return IN_NONE;
}

static const struct optspec *const openssl_spec = SPEC(O_DASHLONG,
	{ "passin", A_REQ, K_OPENSSL }, { "passout", A_REQ, K_OPENSSL },
	{ "pass", A_REQ, K_OPENSSL }, { "password", A_REQ, K_OPENSSL },
	{ "k", A_REQ, K_WHOLE }, { "K", A_REQ, K_WHOLE }, { "macopt", A_REQ, K_MACOPT },
	{ "in", A_REQ, 0 }, { "out", A_REQ, 0 }, { "inform", A_REQ, 0 },
	{ "outform", A_REQ, 0 }, { "key", A_REQ, 0 }, { "cert", A_REQ, 0 },
	{ "CAfile", A_REQ, 0 }, { "CApath", A_REQ, 0 }, { "salt", A_REQ, 0 },
	{ "config", A_REQ, 0 }, { "subj", A_REQ, 0 }, { "days", A_REQ, 0 },
	{ "newkey", A_REQ, 0 }, { "name", A_REQ, 0 }, { "certfile", A_REQ, 0 },
	{ "inkey", A_REQ, 0 }, { "keyout", A_REQ, 0 }, { "signkey", A_REQ, 0 },
	{ "CA", A_REQ, 0 }, { "CAkey", A_REQ, 0 }, { "extfile", A_REQ, 0 },
	{ "extensions", A_REQ, 0 }, { "connect", A_REQ, 0 }, { "servername", A_REQ, 0 },
	{ "md", A_REQ, 0 }, { "iter", A_REQ, 0 }, { "iv", A_REQ, 0 }, { "S", A_REQ, 0 });

/* openssl passwd [-6] [-salt S] PASSWORD… */
static int fn_openssl(struct ctx *c, struct call *k)
{
	if (!k->at_command || !pos_is(k, 0, "passwd"))
		return IN_NONE;
	for (size_t j = 1; j < k->npos; j++)
		mark_pos(c, k, j);
	return has_arg(k, "-stdin") ? IN_PASSWORD : IN_NONE;
}

static const struct optspec *const registry_spec = SPEC(O_BUNDLE,
	{ "creds", A_REQ, K_COLON }, { "src-creds", A_REQ, K_COLON },
	{ "dest-creds", A_REQ, K_COLON }, { "H", A_REQ, 0 }, { "config", A_REQ, 0 },
	{ "context", A_REQ, 0 }, { "c", A_REQ, 0 }, { "l", A_REQ, 0 }, { "u", A_REQ, 0 },
	{ "username", A_REQ, 0 }, { "authfile", A_REQ, 0 }, { "n", A_REQ, 0 },
	{ "namespace", A_REQ, 0 }, { "kube-context", A_REQ, 0 });
static const struct optspec *const login_spec = SPEC(O_BUNDLE,
	{ "p", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE }, { "u", A_REQ, 0 },
	{ "username", A_REQ, 0 }, { "authfile", A_REQ, 0 }, { "H", A_REQ, 0 },
	{ "config", A_REQ, 0 }, { "context", A_REQ, 0 }, { "c", A_REQ, 0 });
static const struct optspec *const exec_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "e", A_REQ, 0 }, { "env", A_REQ, 0 }, { "env-file", A_REQ, 0 },
	{ "u", A_REQ, 0 }, { "user", A_REQ, 0 }, { "w", A_REQ, 0 }, { "workdir", A_REQ, 0 },
	{ "detach-keys", A_REQ, 0 });

/* docker login -p X; docker exec CONTAINER cmd…; helm registry login */
static int fn_registry(struct ctx *c, struct call *k)
{
	size_t j = pos_is(k, 0, "registry") || pos_is(k, 0, "auth") ? 1 : 0;

	if (pos_is(k, j, "login")) {
		scan_opts(c, k, login_spec, 1, true);
		return has_arg(k, "--password-stdin") ? IN_PASSWORD : IN_NONE;
	}
	if (k->at_command && pos_is(k, 0, "exec")) {
		scan_opts(c, k, exec_spec, k->pos[0] + 1, false);
		sub_command(c, k, 1);
	}
	return IN_NONE;
}

/* htpasswd -b[cmBd…] FILE USER PASSWORD, htpasswd -nb USER PASSWORD */
static int fn_htpasswd(struct ctx *c, struct call *k)
{
	if (k->seen['b'] && k->npos >= (k->seen['n'] ? 2u : 3u))
		mark_pos(c, k, k->npos - 1);
	return k->seen['i'] && k->at_command ? IN_PASSWORD : IN_NONE;
}

static int fn_chpasswd(struct ctx *c, struct call *k)
{
	(void)c;
	return k->at_command ? IN_CHPASSWD : IN_NONE;
}

static int fn_newusers(struct ctx *c, struct call *k)
{
	(void)c;
	return k->at_command ? IN_NEWUSERS : IN_NONE;
}

static int fn_stdin_password(struct ctx *c, struct call *k)
{
	(void)c;
	return k->at_command ? IN_PASSWORD : IN_NONE;
}

static const struct optspec *const useradd_spec = SPEC(O_BUNDLE,
	{ "p", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE },
	{ "b", A_REQ, 0 }, { "c", A_REQ, 0 }, { "d", A_REQ, 0 }, { "e", A_REQ, 0 },
	{ "f", A_REQ, 0 }, { "g", A_REQ, 0 }, { "G", A_REQ, 0 }, { "k", A_REQ, 0 },
	{ "K", A_REQ, 0 }, { "s", A_REQ, 0 }, { "u", A_REQ, 0 }, { "R", A_REQ, 0 },
	{ "P", A_REQ, 0 }, { "Z", A_REQ, 0 }, { "l", A_REQ, 0 }, { "comment", A_REQ, 0 },
	{ "home-dir", A_REQ, 0 }, { "shell", A_REQ, 0 }, { "groups", A_REQ, 0 });

static const struct optspec *const sshkeygen_spec = SPEC(O_BUNDLE,
	{ "N", A_REQ, K_WHOLE }, { "P", A_REQ, K_WHOLE },
	{ "C", A_REQ, 0 }, { "D", A_REQ, 0 }, { "E", A_REQ, 0 }, { "F", A_REQ, 0 },
	{ "I", A_REQ, 0 }, { "M", A_REQ, 0 }, { "O", A_REQ, 0 }, { "R", A_REQ, 0 },
	{ "V", A_REQ, 0 }, { "Y", A_REQ, 0 }, { "Z", A_REQ, 0 }, { "a", A_REQ, 0 },
	{ "b", A_REQ, 0 }, { "f", A_REQ, 0 }, { "j", A_REQ, 0 }, { "m", A_REQ, 0 },
	{ "n", A_REQ, 0 }, { "r", A_REQ, 0 }, { "s", A_REQ, 0 }, { "t", A_REQ, 0 },
	{ "w", A_REQ, 0 }, { "z", A_REQ, 0 });

static const struct optspec *const ipmitool_spec = SPEC(O_BUNDLE,
	{ "P", A_REQ, K_WHOLE }, { "k", A_REQ, K_WHOLE }, { "y", A_REQ, K_WHOLE },
	{ "I", A_REQ, 0 }, { "H", A_REQ, 0 }, { "p", A_REQ, 0 }, { "U", A_REQ, 0 },
	{ "L", A_REQ, 0 }, { "t", A_REQ, 0 }, { "b", A_REQ, 0 }, { "m", A_REQ, 0 },
	{ "T", A_REQ, 0 }, { "B", A_REQ, 0 }, { "A", A_REQ, 0 }, { "f", A_REQ, 0 },
	{ "R", A_REQ, 0 }, { "N", A_REQ, 0 }, { "C", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "O", A_REQ, 0 }, { "e", A_REQ, 0 });

static const struct optspec *const zip_spec = SPEC(O_BUNDLE,
	{ "P", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE }, { "d", A_REQ, 0 },
	{ "b", A_REQ, 0 }, { "n", A_REQ, 0 }, { "t", A_REQ, 0 });

/* 7z -pSECRET, rar -pSECRET -hpSECRET: attached only, -p alone prompts */
static int fn_7z(struct ctx *c, struct call *k)
{
	for (size_t i = 1; i < k->argc; i++) {
		const char *v = av(k, i);
		size_t n = al(k, i);
		if (mem_starts(v, n, "-p") && n > 2)
			mark_value(c, k->sc, k->argv[i], 2, n);
		else if (mem_starts(v, n, "-hp") && n > 3)
			mark_value(c, k->sc, k->argv[i], 3, n);
	}
	return IN_NONE;
}

static const struct optspec *const mongo_spec = SPEC(O_BUNDLE,
	{ "p", A_NODASH, K_WHOLE }, { "password", A_NODASH, K_WHOLE },
	{ "u", A_REQ, 0 }, { "username", A_REQ, 0 }, { "h", A_REQ, 0 }, { "host", A_REQ, 0 },
	{ "port", A_REQ, 0 }, { "d", A_REQ, 0 }, { "db", A_REQ, 0 }, { "c", A_REQ, 0 },
	{ "o", A_REQ, 0 }, { "out", A_REQ, 0 }, { "uri", A_REQ, 0 }, { "eval", A_REQ, 0 },
	{ "authenticationDatabase", A_REQ, 0 }, { "authenticationMechanism", A_REQ, 0 });

static const struct optspec *const vault_spec = SPEC(O_DASHLONG,
	{ "token", A_REQ, K_WHOLE }, { "method", A_REQ, 0 }, { "path", A_REQ, 0 },
	{ "address", A_REQ, 0 }, { "namespace", A_REQ, 0 }, { "format", A_REQ, 0 },
	{ "field", A_REQ, 0 }, { "ca-cert", A_REQ, 0 }, { "client-cert", A_REQ, 0 },
	{ "client-key", A_REQ, 0 }, { "mfa", A_REQ, 0 }, { "wrap-ttl", A_REQ, 0 });

/* vault login TOKEN (but vault login -method=userpass username=x) */
static int fn_vault(struct ctx *c, struct call *k)
{
	if (!k->at_command || !pos_is(k, 0, "login"))
		return IN_NONE;
	for (size_t j = 1; j < k->npos; j++)
		if (mem_find(av(k, k->pos[j]), al(k, k->pos[j]), '=', 0) == NONE)
			mark_pos(c, k, j);
	return pos_is(k, 1, "-") ? IN_PASSWORD : IN_NONE;
}

static const struct optspec *const keytool_spec = SPEC(O_DASHLONG,
	{ "storepass", A_REQ, K_WHOLE }, { "keypass", A_REQ, K_WHOLE },
	{ "srcstorepass", A_REQ, K_WHOLE }, { "deststorepass", A_REQ, K_WHOLE },
	{ "srckeypass", A_REQ, K_WHOLE }, { "destkeypass", A_REQ, K_WHOLE },
	{ "new", A_REQ, K_WHOLE }, { "alias", A_REQ, 0 }, { "keystore", A_REQ, 0 },
	{ "file", A_REQ, 0 }, { "dname", A_REQ, 0 }, { "keyalg", A_REQ, 0 },
	{ "keysize", A_REQ, 0 }, { "validity", A_REQ, 0 }, { "storetype", A_REQ, 0 },
	{ "srckeystore", A_REQ, 0 }, { "destkeystore", A_REQ, 0 }, { "ext", A_REQ, 0 },
	{ "sigalg", A_REQ, 0 }, { "srcstoretype", A_REQ, 0 }, { "deststoretype", A_REQ, 0 },
	{ "srcalias", A_REQ, 0 }, { "destalias", A_REQ, 0 }, { "signedjar", A_REQ, 0 },
	{ "tsa", A_REQ, 0 });

static const struct optspec *const mosquitto_spec = SPEC(0,
	{ "P", A_REQ, K_WHOLE }, { "pw", A_REQ, K_WHOLE }, { "psk", A_REQ, K_WHOLE },
	{ "h", A_REQ, 0 }, { "p", A_REQ, 0 }, { "t", A_REQ, 0 }, { "m", A_REQ, 0 },
	{ "u", A_REQ, 0 }, { "i", A_REQ, 0 }, { "I", A_REQ, 0 }, { "k", A_REQ, 0 },
	{ "q", A_REQ, 0 }, { "f", A_REQ, 0 }, { "L", A_REQ, 0 }, { "psk-identity", A_REQ, 0 },
	{ "cafile", A_REQ, 0 }, { "cert", A_REQ, 0 }, { "key", A_REQ, 0 });

/* sqlplus user/password@db (not /nolog, not @script) */
static void mark_userpass(struct ctx *c, struct call *k, size_t j)
{
	const char *v;
	size_t n, sl, at_;

	if (j >= k->npos)
		return;
	v = av(k, k->pos[j]);
	n = al(k, k->pos[j]);
	sl = mem_find(v, n, '/', 0);
	if (sl == NONE || sl == 0 || v[0] == '@')
		return;
	at_ = mem_find(v, n, '@', sl);
	mark_value(c, k->sc, k->argv[k->pos[j]], sl + 1, at_ == NONE ? n : at_);
}

static const struct optspec *const oracle_spec = SPEC(0,
	{ "M", A_REQ, 0 }, { "R", A_REQ, 0 }, { "F", A_NONE, 0 });

static int fn_oracle(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	if (mem_is(av(k, 0), al(k, 0), "rman")) {
		for (size_t j = 0; j + 1 < k->npos; j++)
			if (pos_ieq(k, j, "target") || pos_ieq(k, j, "catalog") || pos_ieq(k, j, "auxiliary"))
				mark_userpass(c, k, j + 1);
	} else {
		mark_userpass(c, k, 0);
	}
	return IN_NONE;
}

/* xfreerdp /u:alice /p:SECRET (also /gp: gateway, /pth: hash) */
static int fn_freerdp(struct ctx *c, struct call *k)
{
	for (size_t i = 1; i < k->argc; i++) {
		const char *v = av(k, i);
		size_t n = al(k, i);
		if (mem_starts(v, n, "/p:") || mem_starts(v, n, "/gp:") || mem_starts(v, n, "/pth:") ||
		    mem_starts(v, n, "-p:"))
			mark_value(c, k->sc, k->argv[i], mem_find(v, n, ':', 0) + 1, n);
	}
	return IN_NONE;
}

static const struct optspec *const rdesktop_spec = SPEC(O_BUNDLE,
	{ "p", A_REQ, K_WHOLE }, { "u", A_REQ, 0 }, { "d", A_REQ, 0 }, { "s", A_REQ, 0 },
	{ "c", A_REQ, 0 }, { "n", A_REQ, 0 }, { "k", A_REQ, 0 }, { "g", A_REQ, 0 },
	{ "a", A_REQ, 0 }, { "r", A_REQ, 0 }, { "T", A_REQ, 0 });

static const struct optspec *const rabbitmq_spec = SPEC(O_BUNDLE,
	{ "n", A_REQ, 0 }, { "node", A_REQ, 0 }, { "t", A_REQ, 0 }, { "timeout", A_REQ, 0 },
	{ "p", A_REQ, 0 }, { "vhost", A_REQ, 0 });

/* rabbitmqctl add_user NAME PASSWORD, change_password, authenticate_user */
static int fn_rabbitmq(struct ctx *c, struct call *k)
{
	if (k->at_command && (pos_is(k, 0, "add_user") || pos_is(k, 0, "change_password") ||
			      pos_is(k, 0, "authenticate_user")))
		mark_pos(c, k, 2);
	return IN_NONE;
}

/* wpa_passphrase SSID PASSPHRASE (or on stdin) */
static int fn_wpa_passphrase(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	mark_pos(c, k, 1);
	return k->npos == 1 ? IN_PASSWORD : IN_NONE;
}

/* nmcli … password X / wifi-sec.psk X; wpa_cli set_network 0 psk '"X"' */
static int fn_pairs(struct ctx *c, struct call *k)
{
	for (size_t j = 0; j + 1 < k->npos; j++)
		if (secret_name(c->r, av(k, k->pos[j]), al(k, k->pos[j])) &&
		    mem_find(av(k, k->pos[j]), al(k, k->pos[j]), '=', 0) == NONE) {
			mark_pos(c, k, j + 1);
			j++;
		}
	return IN_NONE;
}

static const struct optspec *const mkpasswd_spec = SPEC(O_BUNDLE,
	{ "m", A_REQ, 0 }, { "method", A_REQ, 0 }, { "S", A_REQ, 0 }, { "salt", A_REQ, 0 },
	{ "R", A_REQ, 0 }, { "rounds", A_REQ, 0 }, { "P", A_REQ, 0 }, { "password-fd", A_REQ, 0 });

static int fn_mkpasswd(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	mark_pos(c, k, 0);
	return k->seen['s'] || has_arg(k, "--stdin") ? IN_PASSWORD : IN_NONE;
}

/* mc alias set NAME URL ACCESS SECRET; mc config host add NAME URL ACCESS SECRET */
static int fn_minio(struct ctx *c, struct call *k)
{
	size_t j = NONE;

	if (!k->at_command)
		return IN_NONE;
	if (pos_is(k, 0, "alias") && pos_is(k, 1, "set"))
		j = 4;
	else if (pos_is(k, 0, "config") && pos_is(k, 1, "host") && pos_is(k, 2, "add"))
		j = 5;
	if (j != NONE) {
		mark_pos(c, k, j);
		mark_pos(c, k, j + 1);
	}
	return IN_NONE;
}

static const struct optspec *const global_spec = SPEC(O_BUNDLE,
	{ "profile", A_REQ, 0 }, { "region", A_REQ, 0 }, { "output", A_REQ, 0 },
	{ "endpoint-url", A_REQ, 0 }, { "C", A_REQ, 0 }, { "c", A_REQ, 0 },
	{ "git-dir", A_REQ, 0 }, { "work-tree", A_REQ, 0 }, { "f", A_REQ, 0 },
	{ "file", A_REQ, 0 }, { "blob", A_REQ, 0 }, { "type", A_REQ, 0 },
	{ "default", A_REQ, 0 }, { "location", A_REQ, 0 }, { "userconfig", A_REQ, 0 },
	{ "b", A_REQ, 0 }, { "body", A_REQ, 0 }, { "R", A_REQ, 0 },
	{ "repo", A_REQ, 0 }, { "e", A_REQ, 0 }, { "env", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "org", A_REQ, 0 });

static const struct optspec *const gh_secret_spec = SPEC(O_BUNDLE,
	{ "b", A_REQ, K_WHOLE }, { "body", A_REQ, K_WHOLE }, { "R", A_REQ, 0 },
	{ "repo", A_REQ, 0 }, { "e", A_REQ, 0 }, { "env", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "org", A_REQ, 0 });

/* "config set KEY VALUE" and friends: the value when the key says secret */
static void config_pair(struct ctx *c, struct call *k, size_t j)
{
	const char *key;
	size_t n, eq;

	if (j >= k->npos)
		return;
	key = av(k, k->pos[j]);
	n = al(k, k->pos[j]);
	eq = mem_find(key, n, '=', 0);
	if (eq != NONE) {
		if (secret_name(c->r, key, eq))
			mark_value(c, k->sc, k->argv[k->pos[j]], eq + 1, n);
		return;
	}
	if (j + 1 < k->npos && secret_name(c->r, key, n))
		mark_pos(c, k, j + 1);
}

static int fn_config(struct ctx *c, struct call *k)
{
	const char *p = av(k, 0);
	size_t n = al(k, 0);

	if (!k->at_command)
		return IN_NONE;
	if (mem_is(p, n, "aws") && pos_is(k, 0, "configure") && pos_is(k, 1, "set")) {
		config_pair(c, k, 2);
	} else if (mem_is(p, n, "git") && pos_is(k, 0, "config")) {
		config_pair(c, k, pos_is(k, 1, "set") ? 2 : 1);
	} else if (mem_is(p, n, "gh")) {
		if (pos_is(k, 0, "secret") && pos_is(k, 1, "set"))
			scan_opts(c, k, gh_secret_spec, 1, true);
		if (pos_is(k, 0, "auth") && pos_is(k, 1, "login") && has_arg(k, "--with-token"))
			return IN_PASSWORD;
	} else if (pos_is(k, 0, "config") && pos_is(k, 1, "set")) {
		config_pair(c, k, 2);	/* npm, yarn, pnpm */
	} else if (pos_is(k, 0, "set")) {
		config_pair(c, k, 1);	/* npm set */
	}
	return IN_NONE;
}

/* composer config [-g] http-basic.HOST USER PASSWORD, github-oauth.HOST TOKEN */
static int fn_composer(struct ctx *c, struct call *k)
{
	const char *key;
	size_t n;

	if (!k->at_command || !pos_is(k, 0, "config") || k->npos < 3)
		return IN_NONE;
	key = av(k, k->pos[1]);
	n = al(k, k->pos[1]);
	if (mem_starts(key, n, "http-basic."))
		mark_pos(c, k, 3);
	else if (mem_starts(key, n, "github-oauth.") || mem_starts(key, n, "gitlab-token.") ||
		 mem_starts(key, n, "gitlab-oauth.") || mem_starts(key, n, "bearer."))
		mark_pos(c, k, 2);
	return IN_NONE;
}

static const struct optspec *const kubectl_spec = SPEC(O_BUNDLE,
	{ "token", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE },
	{ "from-literal", A_REQ, K_NONE }, { "n", A_REQ, 0 }, { "namespace", A_REQ, 0 },
	{ "context", A_REQ, 0 }, { "cluster", A_REQ, 0 }, { "kubeconfig", A_REQ, 0 },
	{ "server", A_REQ, 0 }, { "s", A_REQ, 0 }, { "c", A_REQ, 0 }, { "container", A_REQ, 0 },
	{ "f", A_REQ, 0 }, { "filename", A_REQ, 0 }, { "o", A_REQ, 0 }, { "l", A_REQ, 0 });
static const struct optspec *const kubectl_secret_spec = SPEC(O_BUNDLE,
	{ "from-literal", A_REQ, K_EQ });

/* kubectl create secret … --from-literal=K=V; kubectl exec POD -- cmd */
static int fn_kubectl(struct ctx *c, struct call *k)
{
	if (pos_is(k, 0, "create") && pos_is(k, 1, "secret")) {
		scan_opts(c, k, kubectl_secret_spec, 1, true);
		return IN_NONE;
	}
	if (k->at_command && pos_is(k, 0, "exec")) {
		for (size_t i = k->pos[0] + 1; i < k->argc; i++)
			if (arg_is(k, i, "--")) {
				dispatch(c, k->sc, k->cmd, k->argv + i + 1, k->argc - i - 1, k->depth + 1);
				break;
			}
	}
	return IN_NONE;
}

static const struct optspec *const httpie_spec = SPEC(O_BUNDLE,
	{ "a", A_REQ, K_COLON }, { "auth", A_REQ, K_COLON }, { "A", A_REQ, 0 },
	{ "auth-type", A_REQ, 0 }, { "session", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "output", A_REQ, 0 }, { "p", A_REQ, 0 }, { "print", A_REQ, 0 },
	{ "verify", A_REQ, 0 }, { "cert", A_REQ, 0 }, { "cert-key", A_REQ, 0 },
	{ "proxy", A_REQ, 0 }, { "timeout", A_REQ, 0 });

/* http GET url X-Api-Key:SECRET */
static int fn_httpie(struct ctx *c, struct call *k)
{
	for (size_t j = 0; j < k->npos; j++)
		header_value(c, k->sc, k->argv[k->pos[j]], 0);
	return IN_NONE;
}

static const struct optspec *const loadtest_spec = SPEC(O_BUNDLE,
	{ "H", A_REQ, K_HEADER }, { "header", A_REQ, K_HEADER }, { "A", A_REQ, K_COLON },
	{ "P", A_REQ, K_COLON }, { "a", A_REQ, K_COLON }, { "C", A_REQ, K_COOKIE },
	{ "n", A_REQ, 0 }, { "c", A_REQ, 0 }, { "t", A_REQ, 0 }, { "m", A_REQ, 0 },
	{ "d", A_REQ, 0 }, { "D", A_REQ, 0 }, { "T", A_REQ, 0 }, { "p", A_REQ, 0 },
	{ "z", A_REQ, 0 }, { "r", A_REQ, 0 }, { "f", A_REQ, 0 }, { "q", A_REQ, 0 },
	{ "rpc-header", A_REQ, K_HEADER });

static const struct optspec *const lftp_spec = SPEC(O_BUNDLE,
	{ "u", A_REQ, K_COMMA }, { "user", A_REQ, K_COMMA }, { "p", A_REQ, 0 },
	{ "e", A_REQ, K_SHELL }, { "c", A_REQ, K_SHELL }, { "f", A_REQ, 0 });

/* sh -c 'cmd', bash -lc 'cmd'; bash <<EOF reads commands */
static int fn_shell(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	if (k->seen['c']) {
		if (k->npos)
			recurse_word(c, k->sc, k->argv[k->pos[0]], 0);
		return IN_NONE;
	}
	return k->npos == 0 || arg_is(k, k->pos[0], "-") ? IN_SHELL : IN_NONE;
}

static const struct optspec *const shell_spec = SPEC(O_BUNDLE,
	{ "o", A_REQ, 0 }, { "O", A_REQ, 0 }, { "rcfile", A_REQ, 0 },
	{ "init-file", A_REQ, 0 });

static const struct optspec *const su_spec = SPEC(O_BUNDLE,
	{ "c", A_REQ, K_SHELL }, { "command", A_REQ, K_SHELL },
	{ "session-command", A_REQ, K_SHELL }, { "s", A_REQ, 0 }, { "shell", A_REQ, 0 },
	{ "g", A_REQ, 0 }, { "group", A_REQ, 0 }, { "G", A_REQ, 0 },
	{ "supp-group", A_REQ, 0 }, { "w", A_REQ, 0 }, { "u", A_REQ, 0 }, { "user", A_REQ, 0 });

/* runuser -u USER -- cmd, flock FILE cmd */
static int fn_su(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	if (mem_is(av(k, 0), al(k, 0), "runuser") && (k->seen['u'] || has_arg(k, "--user")))
		sub_command(c, k, 0);
	else if (mem_is(av(k, 0), al(k, 0), "flock"))
		sub_command(c, k, 1);
	return IN_NONE;
}

static const struct optspec *const ssh_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "B", A_REQ, 0 }, { "b", A_REQ, 0 }, { "c", A_REQ, 0 }, { "D", A_REQ, 0 },
	{ "E", A_REQ, 0 }, { "e", A_REQ, 0 }, { "F", A_REQ, 0 }, { "I", A_REQ, 0 },
	{ "i", A_REQ, 0 }, { "J", A_REQ, 0 }, { "L", A_REQ, 0 }, { "l", A_REQ, 0 },
	{ "m", A_REQ, 0 }, { "O", A_REQ, 0 }, { "o", A_REQ, 0 }, { "p", A_REQ, 0 },
	{ "P", A_REQ, 0 }, { "Q", A_REQ, 0 }, { "R", A_REQ, 0 }, { "S", A_REQ, 0 },
	{ "W", A_REQ, 0 }, { "w", A_REQ, 0 });

/* ssh [opts] HOST [opts] [cmd…] */
static int fn_ssh(struct ctx *c, struct call *k)
{
	size_t host;

	if (!k->at_command)
		return IN_NONE;
	if (k->npos == 0)
		return IN_NONE;
	host = k->pos[0];
	scan_opts(c, k, ssh_spec, host + 1, false);
	if (k->npos == 0)
		return IN_SHELL;
	sub_string_or_command(c, k, 0);
	return IN_NONE;
}

static const struct optspec *const watch_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "n", A_REQ, 0 }, { "interval", A_REQ, 0 }, { "q", A_REQ, 0 }, { "g", A_NONE, 0 });

static int fn_watch(struct ctx *c, struct call *k)
{
	if (k->at_command && k->npos)
		sub_string_or_command(c, k, 0);
	return IN_NONE;
}

static int fn_eval(struct ctx *c, struct call *k)
{
	if (!k->at_command)
		return IN_NONE;
	for (size_t i = 1; i < k->argc; i++)
		recurse_word(c, k->sc, k->argv[i], 0);
	return IN_NONE;
}

/* sed: each script (-e X, --expression=X, or the first operand) */
static int fn_sed(struct ctx *c, struct call *k)
{
	bool script = false;

	for (size_t i = 1; i < k->argc; i++) {
		const char *v = av(k, i);
		size_t n = al(k, i);
		if (mem_is(v, n, "--"))
			break;
		if (mem_is(v, n, "--expression") || mem_is(v, n, "--file")) {
			if (v[2] == 'e' && i + 1 < k->argc)
				sed_script(c, k->sc, k->argv[i + 1], 0);
			script = true;
			i++;
		} else if (mem_starts(v, n, "--expression=")) {
			sed_script(c, k->sc, k->argv[i], 13);
			script = true;
		} else if (mem_starts(v, n, "--file=")) {
			script = true;
		} else if (n > 1 && v[0] == '-' && v[1] != '-') {
			for (size_t j = 1; j < n; j++) {
				if (v[j] == 'e' || v[j] == 'f') {
					if (v[j] == 'e' && j + 1 < n)
						sed_script(c, k->sc, k->argv[i], j + 1);
					else if (v[j] == 'e' && i + 1 < k->argc)
						sed_script(c, k->sc, k->argv[i + 1], 0);
					script = true;
					i += j + 1 == n;
					break;
				}
				if (v[j] == 'i' || v[j] == 'l')	/* -i.bak, -l 80 */
					break;
			}
		} else if (n > 0 && v[0] != '-' && !script) {
			sed_script(c, k->sc, k->argv[i], 0);
			script = true;
		}
	}
	return IN_NONE;
}

/* az: login -p X, --account-key X (storage), --password X */
static const struct optspec *const az_spec = SPEC(0,
	{ "account-key", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE },
	{ "p", A_REQ, 0 }, { "u", A_REQ, 0 }, { "t", A_REQ, 0 }, { "g", A_REQ, 0 },
	{ "n", A_REQ, 0 }, { "o", A_REQ, 0 }, { "username", A_REQ, 0 }, { "tenant", A_REQ, 0 },
	{ "account-name", A_REQ, 0 }, { "resource-group", A_REQ, 0 }, { "name", A_REQ, 0 },
	{ "query", A_REQ, 0 }, { "output", A_REQ, 0 }, { "subscription", A_REQ, 0 });
static const struct optspec *const az_login_spec = SPEC(0,
	{ "p", A_REQ, K_WHOLE }, { "password", A_REQ, K_WHOLE }, { "u", A_REQ, 0 },
	{ "t", A_REQ, 0 }, { "username", A_REQ, 0 }, { "tenant", A_REQ, 0 });

static int fn_az(struct ctx *c, struct call *k)
{
	/* az login -u U -p X, az acr login -n R -p X; elsewhere -p is no secret */
	for (size_t j = 0; j < k->npos && j < 2; j++)
		if (pos_is(k, j, "login")) {
			scan_opts(c, k, az_login_spec, 1, true);
			break;
		}
	return IN_NONE;
}

/* sqlcmd/bcp -P X (-PX), mssql-cli -P */
static const struct optspec *const sqlcmd_spec = SPEC(0,
	{ "P", A_REQ, K_WHOLE }, { "U", A_REQ, 0 }, { "S", A_REQ, 0 }, { "d", A_REQ, 0 },
	{ "Q", A_REQ, 0 }, { "q", A_REQ, 0 }, { "i", A_REQ, 0 }, { "o", A_REQ, 0 },
	{ "H", A_REQ, 0 }, { "l", A_REQ, 0 }, { "t", A_REQ, 0 }, { "s", A_REQ, 0 },
	{ "W", A_NONE, 0 }, { "w", A_REQ, 0 }, { "a", A_REQ, 0 }, { "f", A_REQ, 0 },
	{ "c", A_REQ, 0 }, { "e", A_NONE, 0 }, { "password", A_REQ, K_WHOLE });

/* net-snmp commands: -A authpass, -X privpass, -3m/-3k keys, -c community */
static const struct optspec *const snmp_spec = SPEC(0,
	{ "A", A_REQ, K_WHOLE }, { "X", A_REQ, K_WHOLE }, { "c", A_REQ, 0 },
	{ "a", A_REQ, 0 }, { "x", A_REQ, 0 }, { "u", A_REQ, 0 }, { "l", A_REQ, 0 },
	{ "v", A_REQ, 0 }, { "e", A_REQ, 0 }, { "E", A_REQ, 0 }, { "n", A_REQ, 0 },
	{ "m", A_REQ, 0 }, { "M", A_REQ, 0 }, { "O", A_REQ, 0 }, { "I", A_REQ, 0 },
	{ "P", A_REQ, 0 }, { "L", A_REQ, 0 }, { "r", A_REQ, 0 }, { "t", A_REQ, 0 },
	{ "C", A_REQ, 0 }, { "Z", A_REQ, 0 }, { "D", A_REQ, 0 }, { "T", A_REQ, 0 },
	{ "3m", A_REQ, K_WHOLE }, { "3M", A_REQ, K_WHOLE }, { "3k", A_REQ, K_WHOLE },
	{ "3K", A_REQ, K_WHOLE }, { "3", A_REQ, 0 });

static bool snmp_algorithm(const char *v, size_t n)
{
	return mem_ieq(v, n, "md5") || mem_ieq(v, n, "des") || mem_starts(v, n, "SHA") ||
	       mem_starts(v, n, "sha") || mem_starts(v, n, "AES") || mem_starts(v, n, "aes");
}

/* -c COMMUNITY is a password too, but "public" is the well-known default;
 * net-snmp-create-v3-user's -a/-x are passwords in older releases,
 * algorithms in newer: whichever is not an algorithm name; snmpusm
 * passwd OLD NEW */
static int fn_snmp(struct ctx *c, struct call *k)
{
	bool create = mem_starts(av(k, 0), al(k, 0), "net-snmp-c");

	for (size_t i = 1; i + 1 < k->argc; i++) {
		const char *v = av(k, i);
		size_t n = al(k, i);
		if (n != 2 || v[0] != '-')
			continue;
		if ((v[1] == 'c' && !arg_is(k, i + 1, "public")) ||
		    (create && strchr("aAxX", v[1]) && !snmp_algorithm(av(k, i + 1), al(k, i + 1))))
			mark_value(c, k->sc, k->argv[i + 1], 0, al(k, i + 1));
		if (v[1] == 'c' && mem_is(av(k, 0), al(k, 0), "snmpusm"))
			continue;
	}
	if (k->at_command && mem_is(av(k, 0), al(k, 0), "snmpusm"))
		for (size_t j = 0; j + 2 < k->npos; j++)
			if (pos_is(k, j, "passwd") || pos_is(k, j, "changekey")) {
				mark_pos(c, k, k->npos - 1);
				mark_pos(c, k, k->npos - 2);
			}
	return IN_NONE;
}

/* rclone config create NAME TYPE key value…, config update|password NAME
 * key value…, obscure X; --<backend>-pass X, --<backend>-key X */
static int fn_rclone(struct ctx *c, struct call *k)
{
	size_t j = 0;

	for (size_t i = 1; i + 1 < k->argc; i++) {
		const char *v = av(k, i);
		size_t n = al(k, i);
		if (n > 2 && v[0] == '-' && v[1] == '-' && mem_find(v, n, '=', 0) == NONE && al(k, i + 1) > 0 &&
		    key_class(c->r, v + 2, n - 2, false) != KEY_PLAIN && av(k, i + 1)[0] != '-' &&
		    !(key_class(c->r, v + 2, n - 2, false) == KEY_SECRET_FILE &&
		      (av(k, i + 1)[0] == '/' || av(k, i + 1)[0] == '~')))
			mark_value(c, k->sc, k->argv[i + 1], 0, al(k, i + 1));
	}
	if (!k->at_command)
		return IN_NONE;
	if (pos_is(k, 0, "obscure"))
		mark_pos(c, k, 1);
	if (!pos_is(k, 0, "config"))
		return IN_NONE;
	if (pos_is(k, 1, "create"))
		j = 4;
	else if (pos_is(k, 1, "update") || pos_is(k, 1, "password"))
		j = 3;
	for (; j && j + 1 < k->npos; j += 2)
		if (secret_name(c->r, av(k, k->pos[j]), al(k, k->pos[j])) ||
		    pos_is(k, j, "key") || pos_is(k, j, "account_key"))
			mark_pos(c, k, j + 1);
	return IN_NONE;
}

/* ansible-vault encrypt_string [opts] SECRET… */
static const struct optspec *const vaultstr_spec = SPEC(O_BUNDLE,
	{ "n", A_REQ, 0 }, { "name", A_REQ, 0 }, { "vault-id", A_REQ, 0 },
	{ "vault-password-file", A_REQ, 0 }, { "vault-pass-file", A_REQ, 0 },
	{ "encrypt-vault-id", A_REQ, 0 }, { "stdin-name", A_REQ, 0 }, { "output", A_REQ, 0 },
	{ "J", A_NONE, 0 });

static int fn_vaultstr(struct ctx *c, struct call *k)
{
	if (k->at_command && pos_is(k, 0, "encrypt_string"))
		for (size_t j = 1; j < k->npos; j++)
			mark_pos(c, k, j);
	return IN_NONE;
}

/*
 * Network devices' configuration commands, sent by ssh host '…' or a
 * heredoc: enable secret [level N] [0|5|8|9] X, username U [privilege N]
 * secret|password [T] X, snmp-server community X, snmp-server user U G v3
 * auth ALG X priv ALG [BITS] Y, tacacs-server/radius-server key [T] X.
 */
static int fn_netdev(struct ctx *c, struct call *k)
{
	const char *p = av(k, 0);
	size_t n = al(k, 0);

	for (size_t i = 1; i + 1 < k->argc; i++) {
		size_t v = i + 1;
		bool word = arg_is(k, i, "secret") || arg_is(k, i, "password") ||
			    (arg_is(k, i, "key") && !mem_is(p, n, "enable"));
		if (mem_is(p, n, "snmp-server") && arg_is(k, i, "community") && arg_is(k, i + 1, "public"))
			continue;	/* the well-known default, as for snmpget -c */
		if (mem_is(p, n, "snmp-server") && (arg_is(k, i, "community") || arg_is(k, i, "auth") ||
						   arg_is(k, i, "priv"))) {
			if (!arg_is(k, i, "community"))
				v++;	/* the algorithm */
			if (arg_is(k, i, "priv") && v < k->argc && al(k, v) > 0 && is_digit((unsigned char)av(k, v)[0]))
				v++;	/* aes 128 */
			word = true;
		}
		if (!word)
			continue;
		if (arg_is(k, v, "level") && v + 2 < k->argc)
			v += 2;
		if (v + 1 < k->argc && al(k, v) == 1 && strchr("05789", av(k, v)[0]))
			v++;	/* the encryption type */
		if (v < k->argc)
			mark_value(c, k->sc, k->argv[v], 0, al(k, v));
		i = v;
	}
	return IN_NONE;
}

/* wrappers: the command follows their options (and skip operands) */
static const struct optspec *const sudo_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "u", A_REQ, 0 }, { "g", A_REQ, 0 }, { "h", A_REQ, 0 }, { "p", A_REQ, 0 },
	{ "C", A_REQ, 0 }, { "D", A_REQ, 0 }, { "R", A_REQ, 0 }, { "T", A_REQ, 0 },
	{ "U", A_REQ, 0 }, { "r", A_REQ, 0 }, { "t", A_REQ, 0 }, { "user", A_REQ, 0 },
	{ "group", A_REQ, 0 }, { "host", A_REQ, 0 }, { "prompt", A_REQ, 0 },
	{ "close-from", A_REQ, 0 }, { "chdir", A_REQ, 0 }, { "chroot", A_REQ, 0 },
	{ "command-timeout", A_REQ, 0 }, { "other-user", A_REQ, 0 }, { "role", A_REQ, 0 },
	{ "type", A_REQ, 0 });
static const struct optspec *const env_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "u", A_REQ, 0 }, { "unset", A_REQ, 0 }, { "C", A_REQ, 0 }, { "chdir", A_REQ, 0 },
	{ "S", A_REQ, K_SHELL }, { "split-string", A_REQ, K_SHELL });
static const struct optspec *const prefix_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	/* doas, exec, nice, timeout, ionice, stdbuf, time, chroot, xargs… */
	{ "u", A_REQ, 0 }, { "C", A_REQ, 0 }, { "a", A_REQ, 0 }, { "n", A_REQ, 0 },
	{ "adjustment", A_REQ, 0 }, { "s", A_REQ, 0 }, { "k", A_REQ, 0 },
	{ "signal", A_REQ, 0 }, { "kill-after", A_REQ, 0 }, { "c", A_REQ, 0 },
	{ "classdata", A_REQ, 0 }, { "i", A_ATTACHED, 0 }, { "o", A_REQ, 0 },
	{ "e", A_ATTACHED, 0 }, { "f", A_REQ, 0 }, { "format", A_REQ, 0 },
	{ "output", A_REQ, 0 }, { "userspec", A_REQ, 0 }, { "groups", A_REQ, 0 },
	{ "I", A_REQ, 0 }, { "d", A_REQ, 0 }, { "E", A_REQ, 0 }, { "L", A_REQ, 0 },
	{ "l", A_ATTACHED, 0 }, { "P", A_REQ, 0 }, { "replace", A_REQ, 0 },
	{ "max-args", A_REQ, 0 }, { "max-procs", A_REQ, 0 }, { "delimiter", A_REQ, 0 },
	{ "arg-file", A_REQ, 0 }, { "max-lines", A_REQ, 0 }, { "max-chars", A_REQ, 0 });
static const struct optspec *const flags_only = SPEC(O_BUNDLE | O_POSIXSTOP, { "-", A_NONE, 0 });
static const struct optspec *const plain_spec = SPEC(O_BUNDLE, { "-", A_NONE, 0 });
static const struct optspec *const htpasswd_spec = SPEC(O_BUNDLE | O_POSIXSTOP,
	{ "C", A_REQ, 0 }, { "r", A_REQ, 0 });

static const struct family families[] = {
	[FAM_MYSQL] = { "mysql-password", NULL, F_NO_ARG_SECRET, 0, FAM_MYSQL },
	[FAM_LIBPQ] = { "option-secret", NULL, F_NO_ARG_SECRET, 0, FAM_LIBPQ },
	[FAM_REDIS] = { "redis-password", fn_redis, 0, 0, FAM_REDIS },
	[FAM_LDAP] = { "ldap-password", NULL, 0, 0, FAM_LDAP },
	[FAM_LDAPPASSWD] = { "ldap-password", NULL, 0, 0, FAM_LDAPPASSWD },
	[FAM_SSHPASS] = { "sshpass-password", fn_then_command, 0, 0, FAM_SSHPASS },
	[FAM_CURL] = { "curl-credentials", NULL, 0, 0, FAM_CURL },
	[FAM_WGET] = { "wget-password", NULL, 0, 0, FAM_WGET },
	[FAM_SMB] = { "smb-password", fn_smb, 0, 0, FAM_SMB },
	[FAM_OPENSSL] = { "openssl-password", fn_openssl, F_NO_ARG_SECRET, 0, FAM_OPENSSL },
	[FAM_REGISTRY] = { "registry-login", fn_registry, 0, 0, FAM_REGISTRY },
	[FAM_HTPASSWD] = { "htpasswd-password", fn_htpasswd, 0, 0, FAM_HTPASSWD },
	[FAM_CHPASSWD] = { "stdin-password", fn_chpasswd, 0, 0, FAM_CHPASSWD },
	[FAM_NEWUSERS] = { "stdin-password", fn_newusers, 0, 0, FAM_NEWUSERS },
	[FAM_STDIN] = { "stdin-password", fn_stdin_password, 0, 0, FAM_STDIN },
	[FAM_USERADD] = { "useradd-password", NULL, 0, 0, FAM_USERADD },
	[FAM_SSHKEYGEN] = { "ssh-keygen-passphrase", NULL, 0, 0, FAM_SSHKEYGEN },
	[FAM_IPMITOOL] = { "ipmitool-password", NULL, 0, 0, FAM_IPMITOOL },
	[FAM_ZIP] = { "archive-password", NULL, 0, 0, FAM_ZIP },
	[FAM_7Z] = { "archive-password", fn_7z, 0, 0, FAM_7Z },
	[FAM_MONGO] = { "mongo-password", NULL, 0, 0, FAM_MONGO },
	[FAM_VAULT] = { "vault-token", fn_vault, 0, 0, FAM_VAULT },
	[FAM_KEYTOOL] = { "keytool-password", NULL, 0, 0, FAM_KEYTOOL },
	[FAM_MOSQUITTO] = { "mosquitto-password", NULL, 0, 0, FAM_MOSQUITTO },
	[FAM_ORACLE] = { "oracle-connect", fn_oracle, 0, 0, FAM_ORACLE },
	[FAM_FREERDP] = { "rdp-password", fn_freerdp, 0, 0, FAM_FREERDP },
	[FAM_RDESKTOP] = { "rdp-password", NULL, 0, 0, FAM_RDESKTOP },
	[FAM_RABBITMQ] = { "rabbitmq-password", fn_rabbitmq, 0, 0, FAM_RABBITMQ },
	[FAM_WPA] = { "wifi-passphrase", fn_wpa_passphrase, 0, 0, FAM_WPA },
	[FAM_PAIRS] = { "wifi-passphrase", fn_pairs, 0, 0, FAM_PAIRS },
	[FAM_MKPASSWD] = { "mkpasswd-password", fn_mkpasswd, 0, 0, FAM_MKPASSWD },
	[FAM_MINIO] = { "config-set", fn_minio, 0, 0, FAM_MINIO },
	[FAM_CONFIG] = { "config-set", fn_config, 0, 0, FAM_CONFIG },
	[FAM_COMPOSER] = { "config-set", fn_composer, 0, 0, FAM_COMPOSER },
	[FAM_KUBECTL] = { "kubectl-secret", fn_kubectl, 0, 0, FAM_KUBECTL },
	[FAM_HTTPIE] = { "http-header", fn_httpie, 0, 0, FAM_HTTPIE },
	[FAM_LOADTEST] = { "http-header", NULL, 0, 0, FAM_LOADTEST },
	[FAM_LFTP] = { "lftp-password", NULL, 0, 0, FAM_LFTP },
	[FAM_SHELL] = { "command-string", fn_shell, 0, 0, FAM_SHELL },
	[FAM_SU] = { "command-string", fn_su, 0, 0, FAM_SU },
	[FAM_SSH] = { "command-string", fn_ssh, 0, 0, FAM_SSH },
	[FAM_WATCH] = { "command-string", fn_watch, 0, 0, FAM_WATCH },
	[FAM_EVAL] = { "command-string", fn_eval, 0, 0, FAM_EVAL },
	[FAM_SED] = { "shape-quoted", fn_sed, 0, 0, FAM_SED },
	[FAM_AZ] = { "tool-az", fn_az, 0, 0, FAM_AZ },
	[FAM_SQLCMD] = { "tool-sqlcmd", NULL, 0, 0, FAM_SQLCMD },
	[FAM_SNMP] = { "tool-snmp", fn_snmp, 0, 0, FAM_SNMP },
	[FAM_RCLONE] = { "tool-rclone", fn_rclone, 0, 0, FAM_RCLONE },
	[FAM_VAULTSTR] = { "tool-ansible-vault", fn_vaultstr, 0, 0, FAM_VAULTSTR },
	[FAM_NETDEV] = { "tool-netdev", fn_netdev, 0, 0, FAM_NETDEV },
	[FAM_SUDO] = { "wrapper", NULL, F_PREFIX, 0, FAM_SUDO },
	[FAM_ENV] = { "wrapper", NULL, F_PREFIX, 0, FAM_ENV },
	[FAM_PREFIX] = { "wrapper", NULL, F_PREFIX, 0, FAM_PREFIX },
	[FAM_PREFIXF] = { "wrapper", NULL, F_PREFIX, 0, FAM_PREFIXF },
	[FAM_PREFIX1] = { "wrapper", NULL, F_PREFIX, 1, FAM_PREFIX1 },
	[FAM_RESERVED] = { "wrapper", NULL, F_PREFIX, 0, FAM_RESERVED },
};

/* families[] holds flags and functions; the spec of each, set here because
 * compound literals are not constant expressions in C11 */
const struct optspec *family_spec(int id)
{
	switch (id) {
	case FAM_MYSQL: return mysql_spec;
	case FAM_REDIS: return redis_spec;
	case FAM_LDAP: return ldap_spec;
	case FAM_LDAPPASSWD: return ldappasswd_spec;
	case FAM_SSHPASS: return sshpass_spec;
	case FAM_CURL: return curl_spec;
	case FAM_WGET: return wget_spec;
	case FAM_SMB: return smb_spec;
	case FAM_OPENSSL: return openssl_spec;
	case FAM_REGISTRY: return registry_spec;
	case FAM_HTPASSWD: return htpasswd_spec;
	case FAM_USERADD: return useradd_spec;
	case FAM_SSHKEYGEN: return sshkeygen_spec;
	case FAM_IPMITOOL: return ipmitool_spec;
	case FAM_ZIP: return zip_spec;
	case FAM_MONGO: return mongo_spec;
	case FAM_VAULT: return vault_spec;
	case FAM_KEYTOOL: return keytool_spec;
	case FAM_MOSQUITTO: return mosquitto_spec;
	case FAM_ORACLE: return oracle_spec;
	case FAM_RDESKTOP: return rdesktop_spec;
	case FAM_RABBITMQ: return rabbitmq_spec;
	case FAM_MKPASSWD: return mkpasswd_spec;
	case FAM_MINIO: case FAM_CONFIG: case FAM_COMPOSER: return global_spec;
	case FAM_KUBECTL: return kubectl_spec;
	case FAM_HTTPIE: return httpie_spec;
	case FAM_LOADTEST: return loadtest_spec;
	case FAM_LFTP: return lftp_spec;
	case FAM_SHELL: return shell_spec;
	case FAM_SU: return su_spec;
	case FAM_SSH: return ssh_spec;
	case FAM_WATCH: return watch_spec;
	case FAM_AZ: return az_spec;
	case FAM_SQLCMD: return sqlcmd_spec;
	case FAM_SNMP: return snmp_spec;
	case FAM_VAULTSTR: return vaultstr_spec;
	case FAM_SUDO: return sudo_spec;
	case FAM_ENV: return env_spec;
	case FAM_PREFIX: case FAM_PREFIX1: return prefix_spec;
	case FAM_PREFIXF: case FAM_RESERVED: return flags_only;
	case FAM_STDIN: case FAM_CHPASSWD: case FAM_NEWUSERS: case FAM_WPA: case FAM_PAIRS:
		return plain_spec;
	default: return NULL;
	}
}

/* program names, by family; sorted into the redactor at redact_new */
static const struct { const char *name; int fam; } program_names[] = {
	{ "mysql", FAM_MYSQL }, { "mysqldump", FAM_MYSQL }, { "mysqladmin", FAM_MYSQL },
	{ "mariadb", FAM_MYSQL }, { "mariadb-dump", FAM_MYSQL }, { "mysqlimport", FAM_MYSQL },
	{ "mysqlcheck", FAM_MYSQL }, { "mysqlshow", FAM_MYSQL }, { "mariadb-admin", FAM_MYSQL },
	{ "mariadb-import", FAM_MYSQL }, { "mariadb-check", FAM_MYSQL },
	{ "mariadb-show", FAM_MYSQL }, { "mysqlbinlog", FAM_MYSQL },
	{ "mariadb-binlog", FAM_MYSQL }, { "mysqlslap", FAM_MYSQL }, { "mariadb-slap", FAM_MYSQL },
	{ "mysqlpump", FAM_MYSQL }, { "mysql_upgrade", FAM_MYSQL },
	{ "mariadb-upgrade", FAM_MYSQL }, { "mysqlsh", FAM_MYSQL },
	{ "psql", FAM_LIBPQ }, { "pg_dump", FAM_LIBPQ }, { "pg_dumpall", FAM_LIBPQ },
	{ "pg_restore", FAM_LIBPQ }, { "pg_basebackup", FAM_LIBPQ }, { "createdb", FAM_LIBPQ },
	{ "dropdb", FAM_LIBPQ }, { "createuser", FAM_LIBPQ }, { "dropuser", FAM_LIBPQ },
	{ "vacuumdb", FAM_LIBPQ }, { "reindexdb", FAM_LIBPQ }, { "clusterdb", FAM_LIBPQ },
	{ "pgbench", FAM_LIBPQ }, { "pg_isready", FAM_LIBPQ },
	{ "redis-cli", FAM_REDIS }, { "valkey-cli", FAM_REDIS }, { "keydb-cli", FAM_REDIS },
	{ "ldapsearch", FAM_LDAP }, { "ldapmodify", FAM_LDAP }, { "ldapadd", FAM_LDAP },
	{ "ldapdelete", FAM_LDAP }, { "ldapwhoami", FAM_LDAP }, { "ldapcompare", FAM_LDAP },
	{ "ldapmodrdn", FAM_LDAP }, { "ldapexop", FAM_LDAP }, { "ldappasswd", FAM_LDAPPASSWD },
	{ "sshpass", FAM_SSHPASS }, { "curl", FAM_CURL }, { "wget", FAM_WGET },
	{ "wget2", FAM_WGET }, { "smbclient", FAM_SMB }, { "rpcclient", FAM_SMB },
	{ "net", FAM_SMB }, { "smbcacls", FAM_SMB }, { "smbcquotas", FAM_SMB },
	{ "smbget", FAM_SMB }, { "smbtree", FAM_SMB }, { "samba-tool", FAM_SMB },
	{ "openssl", FAM_OPENSSL }, { "docker", FAM_REGISTRY }, { "podman", FAM_REGISTRY },
	{ "helm", FAM_REGISTRY }, { "skopeo", FAM_REGISTRY }, { "buildah", FAM_REGISTRY },
	{ "nerdctl", FAM_REGISTRY }, { "oras", FAM_REGISTRY }, { "crane", FAM_REGISTRY },
	{ "htpasswd", FAM_HTPASSWD }, { "chpasswd", FAM_CHPASSWD }, { "newusers", FAM_NEWUSERS },
	{ "passwd", FAM_STDIN }, { "smbpasswd", FAM_STDIN }, { "vncpasswd", FAM_STDIN },
	{ "cryptsetup", FAM_STDIN }, { "useradd", FAM_USERADD }, { "usermod", FAM_USERADD },
	{ "ssh-keygen", FAM_SSHKEYGEN }, { "ipmitool", FAM_IPMITOOL }, { "zip", FAM_ZIP },
	{ "unzip", FAM_ZIP }, { "zipcloak", FAM_ZIP }, { "7z", FAM_7Z }, { "7za", FAM_7Z },
	{ "7zr", FAM_7Z }, { "7zz", FAM_7Z }, { "rar", FAM_7Z }, { "unrar", FAM_7Z },
	{ "mongo", FAM_MONGO }, { "mongosh", FAM_MONGO }, { "mongodump", FAM_MONGO },
	{ "mongorestore", FAM_MONGO }, { "mongoexport", FAM_MONGO },
	{ "mongoimport", FAM_MONGO }, { "mongostat", FAM_MONGO }, { "mongotop", FAM_MONGO },
	{ "mongofiles", FAM_MONGO }, { "vault", FAM_VAULT }, { "bao", FAM_VAULT },
	{ "keytool", FAM_KEYTOOL }, { "jarsigner", FAM_KEYTOOL },
	{ "mosquitto_pub", FAM_MOSQUITTO }, { "mosquitto_sub", FAM_MOSQUITTO },
	{ "mosquitto_rr", FAM_MOSQUITTO }, { "sqlplus", FAM_ORACLE }, { "sql", FAM_ORACLE },
	{ "expdp", FAM_ORACLE }, { "impdp", FAM_ORACLE }, { "exp", FAM_ORACLE },
	{ "imp", FAM_ORACLE }, { "sqlldr", FAM_ORACLE }, { "dgmgrl", FAM_ORACLE },
	{ "rman", FAM_ORACLE }, { "xfreerdp", FAM_FREERDP }, { "xfreerdp3", FAM_FREERDP },
	{ "wlfreerdp", FAM_FREERDP }, { "sdl-freerdp", FAM_FREERDP },
	{ "rdesktop", FAM_RDESKTOP }, { "rabbitmqctl", FAM_RABBITMQ },
	{ "wpa_passphrase", FAM_WPA }, { "nmcli", FAM_PAIRS }, { "wpa_cli", FAM_PAIRS },
	{ "mkpasswd", FAM_MKPASSWD }, { "mc", FAM_MINIO }, { "mcli", FAM_MINIO },
	{ "aws", FAM_CONFIG }, { "git", FAM_CONFIG }, { "npm", FAM_CONFIG },
	{ "yarn", FAM_CONFIG }, { "pnpm", FAM_CONFIG }, { "gh", FAM_CONFIG },
	{ "composer", FAM_COMPOSER }, { "kubectl", FAM_KUBECTL }, { "oc", FAM_KUBECTL },
	{ "http", FAM_HTTPIE }, { "https", FAM_HTTPIE }, { "xh", FAM_HTTPIE },
	{ "xhs", FAM_HTTPIE }, { "ab", FAM_LOADTEST }, { "hey", FAM_LOADTEST },
	{ "siege", FAM_LOADTEST }, { "grpcurl", FAM_LOADTEST }, { "lftp", FAM_LFTP },
	{ "sh", FAM_SHELL }, { "bash", FAM_SHELL }, { "zsh", FAM_SHELL }, { "dash", FAM_SHELL },
	{ "ksh", FAM_SHELL }, { "mksh", FAM_SHELL }, { "ash", FAM_SHELL },
	{ "su", FAM_SU }, { "runuser", FAM_SU }, { "flock", FAM_SU },
	{ "ssh", FAM_SSH }, { "watch", FAM_WATCH }, { "eval", FAM_EVAL },
	{ "sudo", FAM_SUDO }, { "env", FAM_ENV }, { "doas", FAM_PREFIX },
	{ "command", FAM_PREFIXF }, { "builtin", FAM_PREFIXF }, { "exec", FAM_PREFIX },
	{ "time", FAM_PREFIX }, { "nice", FAM_PREFIX }, { "nohup", FAM_PREFIXF },
	{ "ionice", FAM_PREFIX }, { "stdbuf", FAM_PREFIX }, { "setsid", FAM_PREFIXF },
	{ "xargs", FAM_PREFIX }, { "unbuffer", FAM_PREFIXF }, { "chronic", FAM_PREFIXF },
	{ "torsocks", FAM_PREFIXF }, { "proxychains", FAM_PREFIXF },
	{ "proxychains4", FAM_PREFIXF }, { "timeout", FAM_PREFIX1 }, { "chroot", FAM_PREFIX1 },
	{ "sed", FAM_SED }, { "gsed", FAM_SED }, { "az", FAM_AZ }, { "sqlcmd", FAM_SQLCMD },
	{ "bcp", FAM_SQLCMD }, { "mssql-cli", FAM_SQLCMD }, { "snmpget", FAM_SNMP },
	{ "snmpgetnext", FAM_SNMP }, { "snmpwalk", FAM_SNMP }, { "snmpbulkwalk", FAM_SNMP },
	{ "snmpbulkget", FAM_SNMP }, { "snmpset", FAM_SNMP }, { "snmptable", FAM_SNMP },
	{ "snmptrap", FAM_SNMP }, { "snmpinform", FAM_SNMP }, { "snmpdelta", FAM_SNMP },
	{ "snmpdf", FAM_SNMP }, { "snmpstatus", FAM_SNMP }, { "snmptest", FAM_SNMP },
	{ "snmpusm", FAM_SNMP }, { "snmpvacm", FAM_SNMP }, { "snmpnetstat", FAM_SNMP },
	{ "snmptranslate", FAM_SNMP }, { "net-snmp-create-v3-user", FAM_SNMP },
	{ "net-snmp-config", FAM_SNMP }, { "rclone", FAM_RCLONE },
	{ "ansible-vault", FAM_VAULTSTR }, { "enable", FAM_NETDEV }, { "username", FAM_NETDEV },
	{ "snmp-server", FAM_NETDEV }, { "tacacs-server", FAM_NETDEV },
	{ "radius-server", FAM_NETDEV },
	{ "{", FAM_RESERVED }, { "!", FAM_RESERVED }, { "if", FAM_RESERVED },
	{ "then", FAM_RESERVED }, { "else", FAM_RESERVED }, { "elif", FAM_RESERVED },
	{ "do", FAM_RESERVED }, { "while", FAM_RESERVED }, { "until", FAM_RESERVED },
};

static int cmp_prog(const void *a, const void *b)
{
	return strcmp(((const struct prog_name *)a)->name, ((const struct prog_name *)b)->name);
}

void index_programs(struct redactor *r)
{
	size_t np = sizeof program_names / sizeof program_names[0];

	r->progs = xreallocarray(NULL, np, sizeof *r->progs);
	for (size_t i = 0; i < np; i++)
		r->progs[i] = (struct prog_name){ program_names[i].name, &families[program_names[i].fam] };
	r->nprogs = np;
	qsort(r->progs, np, sizeof *r->progs, cmp_prog);
}

/* the family of the program a word names (its last path component) */
const struct family *find_family(const struct ctx *c, const struct scan *sc, size_t w)
{
	const char *v = wval(sc, w);
	size_t n = wlen(sc, w), lo = 0, hi = c->r->nprogs, s = 0;
	char name[32];

	for (size_t i = 0; i < n; i++)
		if (v[i] == '/')
			s = i + 1;
	if (n - s == 0 || n - s >= sizeof name || memchr(v + s, '\0', n - s))
		return NULL;
	memcpy(name, v + s, n - s);
	name[n - s] = '\0';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = strcmp(name, c->r->progs[mid].name);
		if (d == 0)
			return c->r->progs[mid].fam;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
