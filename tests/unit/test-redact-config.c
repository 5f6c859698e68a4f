/*
 * redact-config: secrets in configuration files, by syntax (redact_file).
 * One test per syntax; every case is also redacted a second time, which
 * must change nothing, and its lines must stay its lines.
 */
#include "unit.h"

#include "base/buf.h"
#include "capture/redact.h"

static struct redactor *red;

struct fcase {
	const char *path, *in, *out;
};

static size_t lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

static void check(const struct fcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf out = BUF_INIT, again = BUF_INIT;
		const char *in = cases[i].in;
		redact_file(red, cases[i].path, in, strlen(in), &out);
		if (strcmp(buf_str(&out), cases[i].out))
			fail_msg("case %zu (%s): %s\ngave\n%s\nexpected\n%s", i, cases[i].path ? cases[i].path : "-",
				 in, buf_str(&out), cases[i].out);
		assert_int_equal(lines(out.data ? out.data : "", out.len), lines(in, strlen(in)));
		assert_int_equal(redact_file(red, cases[i].path, out.data ? out.data : "", out.len, &again), 0);
		if (strcmp(buf_str(&again), buf_str(&out)))
			fail_msg("case %zu: not stable: %s gave %s", i, buf_str(&out), buf_str(&again));
		buf_release(&out);
		buf_release(&again);
	}
}

#define CHECK(cases) check(cases, sizeof cases / sizeof *cases)

static void env_files_lose_values_keep_quotes(void **state)
{
	static const struct fcase cases[] = {
		{ "/srv/app/.env", "DB_PASSWORD=hunter2\nDB_HOST=db1\n", "DB_PASSWORD=[REDACTED]\nDB_HOST=db1\n" },
		{ "/srv/app/.env", "export API_TOKEN='abc def'\n", "export API_TOKEN='[REDACTED]'\n" },
		{ "/srv/app/.env", "SECRET_KEY_BASE=9f3c1b2a7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e\n",
		  "SECRET_KEY_BASE=[REDACTED]\n" },
		{ "/srv/app/.env", "APP_KEY=base64:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==\n", "APP_KEY=[REDACTED]\n" },
		{ "/srv/app/.env", "SESSION_SECRET_LENGTH=64\nSECRET_NAME=app-secret\n",
		  "SESSION_SECRET_LENGTH=64\nSECRET_NAME=app-secret\n" },
		{ "/srv/app/.env", "DB_PASSWORD=${DB_PASSWORD}\n", "DB_PASSWORD=${DB_PASSWORD}\n" },
	};
	(void)state;
	CHECK(cases);
}

static void ini_and_my_cnf_values_go_sections_stay(void **state)
{
	static const struct fcase cases[] = {
		{ "/root/.my.cnf", "[client]\nuser=root\npassword=Hunter2\n", "[client]\nuser=root\npassword=[REDACTED]\n" },
		{ "/etc/mysql/my.cnf", "[mysqld]\nkey_buffer_size = 16M\n", "[mysqld]\nkey_buffer_size = 16M\n" },
		{ "/etc/app.ini", "[db]\npassword_file = /etc/x\nsecret = s1\n",
		  "[db]\npassword_file = /etc/x\nsecret = [REDACTED]\n" },
		{ "/etc/postfix/main.cf", "smtpd_sasl_auth_enable = yes\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n",
		  "smtpd_sasl_auth_enable = yes\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n" },
		{ "/etc/wpa_supplicant/wpa_supplicant.conf", "network={\n\tssid=\"home\"\n\tpsk=\"correct horse\"\n}\n",
		  "network={\n\tssid=\"home\"\n\tpsk=\"[REDACTED]\"\n}\n" },
	};
	(void)state;
	CHECK(cases);
}

static void yaml_nested_items_and_block_scalars(void **state)
{
	static const struct fcase cases[] = {
		{ "/etc/app.yml", "db:\n  user: app\n  password: s3cret\n", "db:\n  user: app\n  password: [REDACTED]\n" },
		{ "/etc/app.yml", "users:\n  - name: a\n  - password: pw1\n", "users:\n  - name: a\n  - password: [REDACTED]\n" },
		{ "/etc/app.yml", "\"api_token\": tok123\n", "\"api_token\": [REDACTED]\n" },
		{ "/etc/app.yml", "tls:\n  private_key: |\n    MIIEv1\n    MIIEv2\n  cert: c.pem\n",
		  "tls:\n  private_key: [REDACTED]\n    [REDACTED]\n    [REDACTED]\n  cert: c.pem\n" },
		{ "/etc/app.yml", "note: |\n  a password here\n", "note: |\n  a password here\n" },
	};
	(void)state;
	CHECK(cases);
}

static void key_value_directives_and_nginx(void **state)
{
	static const struct fcase cases[] = {
		{ "/etc/app/smtp.conf", "smtp_pass Hunter2\nsmtp_user bob\n", "smtp_pass [REDACTED]\nsmtp_user bob\n" },
		{ "/etc/msmtprc", "account default\nhost smtp.example.org\nauth on\npassword hunter2\n",
		  "account default\nhost smtp.example.org\nauth on\npassword [REDACTED]\n" },
		{ "/etc/nginx/nginx.conf", "\tsecure_link_secret s3cr3t;\n\tproxy_pass http://backend;\n",
		  "\tsecure_link_secret [REDACTED];\n\tproxy_pass http://backend;\n" },
		{ "/etc/nginx/nginx.conf", "\tauth_basic_user_file /etc/nginx/htpasswd;\n\tauth_basic \"Restricted\";\n",
		  "\tauth_basic_user_file /etc/nginx/htpasswd;\n\tauth_basic \"Restricted\";\n" },
		{ "/etc/nginx/nginx.conf", "\tproxy_set_header Authorization \"Basic YWxpY2U6cHc=\";\n",
		  "\tproxy_set_header Authorization \"Basic [REDACTED]\";\n" },
		{ "/etc/nginx/nginx.conf", "\tproxy_set_header X-Api-Key k123;\n\tproxy_set_header Host $host;\n",
		  "\tproxy_set_header X-Api-Key [REDACTED];\n\tproxy_set_header Host $host;\n" },
		{ "/etc/apache2/site.conf", "RequestHeader set Authorization \"Bearer tok\"\n",
		  "RequestHeader set Authorization \"Bearer [REDACTED]\"\n" },
		{ "/etc/ssh/sshd_config", "PasswordAuthentication no\nHostKey /etc/ssh/ssh_host_ed25519_key\n",
		  "PasswordAuthentication no\nHostKey /etc/ssh/ssh_host_ed25519_key\n" },
		{ "/etc/pam.d/common-password", "password\trequired\tpam_unix.so\n",
		  "password\trequired\tpam_unix.so\n" },
		{ "/etc/motd", "Password must be changed every year\n", "Password must be changed every year\n" },
	};
	(void)state;
	CHECK(cases);
}

static void postfix_sasl_passwd_maps(void **state)
{
	static const struct fcase cases[] = {
		{ "/etc/postfix/sasl_passwd", "[smtp.example.com]:587 user@example.com:Hunter2\n",
		  "[smtp.example.com]:587 user@example.com:[REDACTED]\n" },
		{ "/etc/postfix/relay_auth", "[smtp.example.com]:587 bob:pw:with:colons\n",
		  "[smtp.example.com]:587 bob:[REDACTED]\n" },
		{ "/etc/postfix/sasl_passwd", "smtp.example.com bob:pw\n", "smtp.example.com bob:[REDACTED]\n" },
	};
	(void)state;
	CHECK(cases);
}

static void ppp_secrets_third_field(void **state)
{
	static const struct fcase cases[] = {
		{ "/etc/ppp/chap-secrets", "# client server secret ip\nalice * \"s3 cret\" *\nbob pptpd pw2 10.0.0.2\n",
		  "# client server secret ip\nalice * \"[REDACTED]\" *\nbob pptpd [REDACTED] 10.0.0.2\n" },
		{ "/etc/ppp/pap-secrets", "carol\t*\tpw3\n", "carol\t*\t[REDACTED]\n" },
	};
	(void)state;
	CHECK(cases);
}

static void pgpass_fifth_field_with_escapes(void **state)
{
	static const struct fcase cases[] = {
		{ "/root/.pgpass", "db1:5432:*:app:pa\\:ss\n", "db1:5432:*:app:[REDACTED]\n" },
		{ "/var/lib/postgresql/.pgpass", "h\\:x:5432:db:u:pw\n", "h\\:x:5432:db:u:[REDACTED]\n" },
	};
	(void)state;
	CHECK(cases);
}

static void netrc_on_one_line_and_over_lines(void **state)
{
	static const struct fcase cases[] = {
		{ "/root/.netrc", "machine h login u password p1\n", "machine h login u password [REDACTED]\n" },
		{ "/root/.netrc", "machine h\n  login u\n  password p2\n", "machine h\n  login u\n  password [REDACTED]\n" },
		{ "/root/.netrc", "machine h login u\npassword\np3\n", "machine h login u\npassword\n[REDACTED]\n" },
	};
	(void)state;
	CHECK(cases);
}

static void htpasswd_and_shadow_hashes(void **state)
{
	static const struct fcase cases[] = {
		{ "/etc/nginx/htpasswd", "alice:$apr1$salt$hashhash\nbob:plain\n", "alice:[REDACTED]\nbob:[REDACTED]\n" },
		{ "/etc/apache2/.htdigest", "alice:realm:0123abcd\n", "alice:realm:[REDACTED]\n" },
		{ "/etc/other/users", "alice:$2y$05$abcdefghijk\n", "alice:[REDACTED]\n" },
		{ "/etc/other/users", "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n", "alice:[REDACTED]\n" },
		{ "/etc/shadow", "root:$6$salt$hash:19000:0:99999:7:::\ndaemon:*:19000::::::\nlocked:!$6$s$h:1::::::\n",
		  "root:[REDACTED]:19000:0:99999:7:::\ndaemon:*:19000::::::\nlocked:![REDACTED]:1::::::\n" },
		{ "/srv/backup/shadow.old", "root:$6$salt$hash:19000::::::\n", "root:[REDACTED]:19000::::::\n" },
		{ "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", "root:x:0:0:root:/root:/bin/bash\n" },
	};
	(void)state;
	CHECK(cases);
}

static void json_docker_and_git_credentials(void **state)
{
	static const struct fcase cases[] = {
		{ "/etc/app/config.json", "{\n  \"password\": \"x1\",\n  \"user\": \"u\"\n}\n",
		  "{\n  \"password\": \"[REDACTED]\",\n  \"user\": \"u\"\n}\n" },
		{ "/root/.docker/config.json", "{\"auths\":{\"r.example\":{\"auth\":\"YWxpY2U6cHc=\"}}}\n",
		  "{\"auths\":{\"r.example\":{\"auth\":\"[REDACTED]\"}}}\n" },
		{ "/root/.git-credentials", "https://bob:ghs_pw@git.example.org\n", "https://bob:[REDACTED]@git.example.org\n" },
	};
	(void)state;
	CHECK(cases);
}

static void pem_keys_keep_their_lines(void **state)
{
	static const struct fcase cases[] = {
		{ "/etc/app/key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----\n",
		  "-----BEGIN PRIVATE KEY-----\n[REDACTED]\n[REDACTED]\n-----END PRIVATE KEY-----\n" },
	};
	(void)state;
	CHECK(cases);
}

/* no crash, no growth past one marker per byte run, stable, on odd bytes */
static void odd_bytes_are_stable(void **state)
{
	static const char *const paths[] = { NULL, "/etc/ppp/chap-secrets", "/root/.pgpass", "/root/.netrc",
					     "/etc/shadow", "/etc/htpasswd", "/etc/postfix/sasl_passwd" };
	static const char *const ins[] = {
		"password", "password ", "a:b:c:d:", "a:b:c:d:\\", "x \"", "- ", "k: |", "k: |\n", "[REDACTED]x",
		"\"p", "pass\r\n", "smtp_pass [REDACTED]\n", ":", "a:$", "a:$$$", "machine", "password\n",
	};
	(void)state;
	for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
		for (size_t i = 0; i < sizeof ins / sizeof *ins; i++) {
			struct buf out = BUF_INIT, again = BUF_INIT;
			redact_file(red, paths[p], ins[i], strlen(ins[i]), &out);
			redact_file(red, paths[p], out.data ? out.data : "", out.len, &again);
			assert_string_equal(buf_str(&again), buf_str(&out));
			buf_release(&out);
			buf_release(&again);
		}
	}
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(env_files_lose_values_keep_quotes),
		cmocka_unit_test(ini_and_my_cnf_values_go_sections_stay),
		cmocka_unit_test(yaml_nested_items_and_block_scalars),
		cmocka_unit_test(key_value_directives_and_nginx),
		cmocka_unit_test(postfix_sasl_passwd_maps),
		cmocka_unit_test(ppp_secrets_third_field),
		cmocka_unit_test(pgpass_fifth_field_with_escapes),
		cmocka_unit_test(netrc_on_one_line_and_over_lines),
		cmocka_unit_test(htpasswd_and_shadow_hashes),
		cmocka_unit_test(json_docker_and_git_credentials),
		cmocka_unit_test(pem_keys_keep_their_lines),
		cmocka_unit_test(odd_bytes_are_stable),
	};
	int rc;

	red = redact_new(NULL);
	assert_non_null(red);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	redact_free(red);
	return rc;
}
