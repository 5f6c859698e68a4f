#!/usr/bin/env bats
# Secrets in watched files (docs/redaction.md, "Secrets in watched
# files"): a config file's secret, added or changed, is replaced in the
# diff by the file's syntax, the line's change still shows, and the
# secret is found nowhere afterwards: not in the records, not under
# .state/ (the baseline keeps world-readable files' contents), not in the
# git objects a sync wrote.  Lines that only look like secrets stay as
# they were.

load lib

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

# a watched tree under the test's directory, world-readable like /etc
watched() {
	umask 022
	open_test_dirs
	new_journal
	ETC="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$ETC"
	lb watch add "$ETC" >/dev/null
}

# edit FILE OLD NEW: FILE (under $ETC) appears holding OLD, committed (the
# baseline keeps it), then holds NEW, committed; then a sync
edit() {
	mkdir -p "$(dirname "$ETC/$1")"
	printf '%s' "$2" >"$ETC/$1"
	chmod 644 "$ETC/$1"
	run --separate-stderr lb commit -m "added $1"
	[ "$status" -eq 0 ] || fail "commit: $stderr"
	printf '%s' "$3" >"$ETC/$1"
	run --separate-stderr lb commit -m "changed $1"
	[ "$status" -eq 0 ] || fail "commit: $stderr"
	run --separate-stderr lb sync
	[ "$status" -eq 0 ] || fail "sync: $stderr"
}

# every string given is found in no file under the journal (records,
# .state/ and its objects, .git) nor in any git object, packed or loose
nowhere() {
	local s
	for s in "$@"; do
		run grep -r -a -l -F -- "$s" "$LOGBOOK_DIR"
		[ "$status" -eq 1 ] || fail "'$s' found in: $output"
		run bash -c 'git -C "$1" log -p --all | grep -a -c -F -- "$2"' _ "$LOGBOOK_DIR" "$s"
		[ "$output" = 0 ] || fail "'$s' in git log -p"
		run bash -c 'git -C "$1" cat-file --batch-all-objects --batch | grep -a -c -F -- "$2"' _ "$LOGBOOK_DIR" "$s"
		[ "$output" = 0 ] || fail "'$s' in a git object"
	done
}

# the diff of FILE's change record (its "what" must say content)
diff_of() {
	lb show --json | py -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["kind"] == "change" and r["path"].endswith("/" + sys.argv[1]) and "added" not in r["what"]:
        assert "content" in r["what"] and r["old"]["sha256"] != r["new"]["sha256"], r
        print(r.get("diff", "") + r.get("note", ""))
' "$1"
}

# the diff holds each given line exactly (with its ' ', '-' or '+')
has_lines() {
	local d=$1 l
	shift
	for l in "$@"; do
		grep -q -x -F -- "$l" <<<"$d" || fail "no line '$l' in:"$'\n'"$d"
	done
}

@test "env file: KEY=value, export, quotes, SECRET_KEY_BASE and a long *_KEY" {
	watched
	edit app/.env $'DB_USER=app\nDB_PASSWORD=envOld1pw\nSECRET_KEY_BASE=9f3c1b2a7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e\n' \
		$'DB_USER=app\nexport DB_PASSWORD="envNew2pw"\nSECRET_KEY_BASE=0a1b2c3d4e5f60718293a4b5c6d7e8f9f9e8d7c6b5a4039281706f5e4d3c2b1a\nAPP_KEY=base64:QmFzZTY0S2V5MTIzNDU2Nzg5MGFiY2RlZg==\nKEY_FILE=/etc/app/key.pem\n'
	nowhere envOld1pw envNew2pw 9f3c1b2a7d4e5f6071 0a1b2c3d4e5f607182 QmFzZTY0S2V5MTIzNDU2
	d=$(diff_of app/.env)
	has_lines "$d" '-DB_PASSWORD=[REDACTED]' '+export DB_PASSWORD="[REDACTED]"' '+SECRET_KEY_BASE=[REDACTED]' \
		'+APP_KEY=[REDACTED]' '+KEY_FILE=/etc/app/key.pem' ' DB_USER=app'
}

@test "ini and my.cnf: key = value under [sections]; key_buffer_size and password_file stay" {
	watched
	edit mysql/my.cnf $'[client]\nuser=root\npassword=cnfOld1pw\n[mysqld]\nkey_buffer_size = 16M\n' \
		$'[client]\nuser=root\npassword=cnfNew2pw\n[mysqld]\nkey_buffer_size = 32M\npassword_file = /etc/x\n'
	nowhere cnfOld1pw cnfNew2pw
	d=$(diff_of mysql/my.cnf)
	has_lines "$d" '-password=[REDACTED]' '+password=[REDACTED]' '-key_buffer_size = 16M' '+key_buffer_size = 32M' \
		'+password_file = /etc/x'
}

@test "yaml: nested keys, list items, a block scalar under a secret key" {
	watched
	edit app/config.yml $'db:\n  user: app\n  password: ymlOld1pw\n' \
		$'db:\n  user: app\n  password: ymlNew2pw\nusers:\n  - password: ymlItem3pw\ntls:\n  private_key: |\n    ymlBlock4line\n    ymlBlock5line\n  cert: /etc/tls/c.pem\n'
	nowhere ymlOld1pw ymlNew2pw ymlItem3pw ymlBlock4line ymlBlock5line
	d=$(diff_of app/config.yml)
	has_lines "$d" '+  - password: [REDACTED]' '+    [REDACTED]' '+  cert: /etc/tls/c.pem'
}

@test "key value directives: smtp_pass, nginx secret and Authorization header; paths, switches, sshd_config and main.cf stay" {
	watched
	edit nginx/site.conf $'server {\n\tsecure_link_secret ngxOld1pw;\n\tauth_basic "Restricted";\n}\n' \
		$'server {\n\tsecure_link_secret ngxNew2pw;\n\tauth_basic "Restricted";\n\tauth_basic_user_file /etc/nginx/htpasswd;\n\tproxy_set_header Authorization "Basic bmd4SGRyM3B3";\n\tproxy_pass http://backend;\n}\nsmtp_pass smtpPass4pw\n'
	nowhere ngxOld1pw ngxNew2pw bmd4SGRyM3B3 smtpPass4pw
	d=$(diff_of nginx/site.conf)
	has_lines "$d" $'+\tauth_basic_user_file /etc/nginx/htpasswd;' $'+\tproxy_set_header Authorization "Basic [REDACTED]";' \
		$'+\tproxy_pass http://backend;' '+smtp_pass [REDACTED]' $' \tauth_basic "Restricted";'
	# switches that name a password are no secrets
	edit ssh/sshd_config $'PasswordAuthentication yes\n' $'PasswordAuthentication no\nHostKey /etc/ssh/ssh_host_ed25519_key\n'
	d=$(diff_of ssh/sshd_config)
	has_lines "$d" '-PasswordAuthentication yes' '+PasswordAuthentication no' '+HostKey /etc/ssh/ssh_host_ed25519_key'
	edit postfix/main.cf $'smtpd_sasl_auth_enable = no\n' $'smtpd_sasl_auth_enable = yes\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n'
	d=$(diff_of postfix/main.cf)
	has_lines "$d" '+smtpd_sasl_auth_enable = yes' '+smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd'
}

@test "postfix sasl_passwd: [host]:port user:password" {
	watched
	edit postfix/sasl_passwd $'[smtp.example.com]:587 bob@example.com:saslOld1pw\n' \
		$'[smtp.example.com]:587 bob@example.com:saslNew2pw\n'
	nowhere saslOld1pw saslNew2pw
	d=$(diff_of postfix/sasl_passwd)
	has_lines "$d" "-[smtp.example.com]:587 bob@example.com:[REDACTED]" "+[smtp.example.com]:587 bob@example.com:[REDACTED]"
}

@test "chap-secrets and pap-secrets: the third field" {
	watched
	edit ppp/chap-secrets $'# client server secret ip\nalice * chapOld1pw *\n' \
		$'# client server secret ip\nalice * chapOld1pw *\nbob pptpd "chap New2pw" 10.0.0.2\n'
	nowhere chapOld1pw 'chap New2pw'
	d=$(diff_of ppp/chap-secrets)
	has_lines "$d" ' alice * [REDACTED] *' '+bob pptpd "[REDACTED]" 10.0.0.2'
	edit ppp/pap-secrets $'carol\t*\tpapOld1pw\n' $'carol\t*\tpapNew2pw\n'
	nowhere papOld1pw papNew2pw
}

@test ".pgpass: the fifth field, with \\: escapes" {
	watched
	edit root/.pgpass $'db1:5432:*:app:pgOld1pw\n' $'db1:5432:*:app:pgNew\\:2pw\ndb2:5432:*:app:pgThird3pw\n'
	nowhere pgOld1pw 'pgNew\:2pw' pgThird3pw
	d=$(diff_of root/.pgpass)
	has_lines "$d" '-db1:5432:*:app:[REDACTED]' '+db1:5432:*:app:[REDACTED]' '+db2:5432:*:app:[REDACTED]'
}

@test ".netrc: password on the machine's line and on lines of its own" {
	watched
	edit root/.netrc $'machine h1 login u password netrcOld1pw\n' \
		$'machine h1 login u password netrcNew2pw\nmachine h2\n  login u2\n  password netrcMulti3pw\n'
	nowhere netrcOld1pw netrcNew2pw netrcMulti3pw
	d=$(diff_of root/.netrc)
	has_lines "$d" '+  login u2' '+  password [REDACTED]'
}

@test "htpasswd and a world-readable copy of shadow: the hashes" {
	watched
	edit nginx/htpasswd $'alice:$apr1$htOld1sa$htOld1hashhashhash\n' \
		$'alice:$apr1$htNew2sa$htNew2hashhashhash\nbob:$2y$05$htBcrypt3hashhashhash\n'
	nowhere htOld1 htNew2 htBcrypt3
	edit backup/shadow $'root:$6$shOld1salt$shOld1hash:19000:0:99999:7:::\n' \
		$'root:$6$shNew2salt$shNew2hash:19001:0:99999:7:::\ndaemon:*:19000::::::\n'
	nowhere shOld1 shNew2
	d=$(diff_of backup/shadow)
	has_lines "$d" '-root:[REDACTED]:19000:0:99999:7:::' '+root:[REDACTED]:19001:0:99999:7:::' '+daemon:*:19000::::::'
}

@test "JSON config, docker's config.json auth, .git-credentials, wpa_supplicant psk" {
	watched
	edit app/config.json $'{\n  "user": "app",\n  "password": "jsonOld1pw"\n}\n' $'{\n  "user": "app",\n  "password": "jsonNew2pw"\n}\n'
	edit docker/config.json $'{"auths":{}}\n' $'{"auths":{"r.example":{"auth":"ZG9ja2VyOmF1dGgzcHc="}}}\n'
	edit git/.git-credentials $'https://bob:gitOld1pw@git.example.org\n' $'https://bob:gitNew2pw@git.example.org\n'
	edit wpa/wpa_supplicant.conf $'network={\n\tssid="home"\n\tpsk="wpaOld1psk"\n}\n' $'network={\n\tssid="home"\n\tpsk="wpaNew2psk"\n}\n'
	nowhere jsonOld1pw jsonNew2pw ZG9ja2VyOmF1dGgzcHc gitOld1pw gitNew2pw wpaOld1psk wpaNew2psk
}

@test "the baseline's object of a file with a secret is redacted, and the next diff still reads it" {
	watched
	mkdir -p "$ETC/app"
	printf 'user = app\nsmtp_pass objOld1pw\n' >"$ETC/app/mail.conf"
	lb commit -m "mail.conf" >/dev/null
	nowhere objOld1pw
	# the object is named by the real content: the baseline compares that
	h=$(sha256sum <"$ETC/app/mail.conf" | cut -d' ' -f1)
	o="$LOGBOOK_DIR/.state/baseline/objects/${h:0:2}/${h:2}"
	[ -f "$o" ]
	grep -q -x -F 'smtp_pass [REDACTED]' "$o"
	# the key of the line tags is the writer's alone
	[ "$(stat -c %a "$LOGBOOK_DIR/.state/baseline/tag-key")" = 600 ]
	printf 'user = web\nsmtp_pass objOld1pw\n' >"$ETC/app/mail.conf"
	run lb diff "$ETC/app/mail.conf"
	has_lines "$output" '-user = app' '+user = web' ' smtp_pass [REDACTED]'
	lb commit -m "user web" >/dev/null
	# only the secret changes: its line shows, and the hashes differ
	printf 'user = web\nsmtp_pass objNew2pw\n' >"$ETC/app/mail.conf"
	lb commit -m "rotated" >/dev/null
	lb sync >/dev/null
	nowhere objOld1pw objNew2pw
	lb show --json | py -c '
import json, sys
rs = [json.loads(l) for l in sys.stdin]
r = [r for r in rs if r["kind"] == "change"][-1]
assert "\n-smtp_pass [REDACTED]\n+smtp_pass [REDACTED]\n" in r["diff"], r
assert r["old"]["sha256"] != r["new"]["sha256"], r
'
}

@test "a damaged redacted object is reported, not shown" {
	watched
	mkdir -p "$ETC/app"
	printf 'smtp_pass dmgOld1pw\n' >"$ETC/app/mail.conf"
	lb commit -m "mail.conf" >/dev/null
	h=$(sha256sum <"$ETC/app/mail.conf" | cut -d' ' -f1)
	o="$LOGBOOK_DIR/.state/baseline/objects/${h:0:2}/${h:2}"
	grep -q -x -F 'smtp_pass [REDACTED]' "$o"
	sed -i 's/smtp_pass/smtp_user/' "$o"
	echo 'x = 1' >>"$ETC/app/mail.conf"
	run lb diff "$ETC/app/mail.conf"
	[[ "$output" == *"contents not available"* ]]
	[[ "$output" != *smtp_user* ]]
}
