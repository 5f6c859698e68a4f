#!/usr/bin/env bats
# security advisories (DSA, DLA) read from mail, the hosts' inventories
# from package records, and which hosts are still below the fix:
# logbook ingest-mail, packages, advisories, news, digest.
# The package and inventory records are written by hand here, with valid
# chains (jsonl.py append), as the capture of apt would write them.

load lib

CORPUS=$BATS_TEST_DIRNAME/mail

# pkg HOST TIME KIND JSON: append a record to HOST's chain
pkg() {
	jsonl append "$LOGBOOK_DIR" "$@" >/dev/null
}

# inv HOST TIME RELEASE PACKAGES-JSON: an inventory record
inv() {
	local rel=${3:+\"release\":\"$3\",}
	pkg "$1" "$2" inventory "{\"reason\":\"first\",$rel\"packages\":$4}"
}

# upgrade HOST TIME NAME ARCH OLD NEW [SOURCE]: a package record upgrading one package
upgrade() {
	pkg "$1" "$2" package "{\"tool\":\"apt\",\"command\":\"apt-get install $3\",\"from\":\"apt\",\"release\":\"bookworm\",\"changes\":[{\"name\":\"$3\",\"arch\":\"$4\",\"action\":\"upgrade\",\"old\":\"$5\",\"new\":\"$6\",\"source\":\"${7:-$3}\",\"source_version\":\"$6\"}]}"
}

# a Python expression on the last record r of this host's file for today
# (a tuple printed as print prints its items)
last_rec() {
	py -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1]); v=eval(sys.argv[2]); print(*(v if isinstance(v, tuple) else (v,)))' "$(day_file)" "$1"
}

# nginx on web1 (bookworm, below the fix), db1 (bookworm, fixed), old1 (buster: not in the DSA)
three_hosts() {
	inv web1 2026-11-20T10:00:00 bookworm '[["libnginx-mod-http-geoip","amd64","1.22.1-9","nginx","1.22.1-9"],["nginx","all","1.22.1-9","nginx","1.22.1-9"],["openssl","amd64","3.0.11-1~deb12u2","openssl","3.0.11-1~deb12u2"]]'
	inv db1 2026-11-20T10:00:01 bookworm '[["nginx","all","1.22.1-9+deb12u1","nginx","1.22.1-9+deb12u1"],["postgresql-15","amd64","15.5-0+deb12u1","postgresql-15","15.5-0+deb12u1"]]'
	inv old1 2026-11-20T10:00:02 buster '[["nginx","all","1.14.2-2+deb10u5","nginx","1.14.2-2+deb10u5"]]'
}

@test "a DSA mail is filed with its advisory: id, package, CVEs, fixed version per release" {
	new_journal
	run lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	[ "$status" -eq 0 ]
	run last_rec 'json.dumps(r["advisory"], sort_keys=True)'
	[ "$output" = '{"cves": ["CVE-2026-10001", "CVE-2026-10002", "CVE-2026-10003", "CVE-2026-10004"], "fixed": [{"release": "bullseye", "version": "1.18.0-6.1+deb11u4"}, {"release": "bookworm", "version": "1.22.1-9+deb12u1"}], "id": "DSA-5678-1", "packages": ["nginx"]}' ]
	run last_rec 'r["mail"]["problems"], r["mail"]["rule"]'
	[ "$output" = "[] default-security-list" ]
}

@test "a DLA mail is read too: For Debian 11 bullseye" {
	new_journal
	lb ingest-mail <"$CORPUS/dla-openssl.eml"
	run last_rec 'r["advisory"]["id"], r["advisory"]["packages"], r["advisory"]["fixed"]'
	[ "$output" = "DLA-3456-1 ['openssl'] [{'release': 'bullseye', 'version': '1.1.1w-0+deb11u2'}]" ]
}

@test "a security mail that is no advisory is filed as before, the reason in problems" {
	new_journal
	run lb ingest-mail <"$CORPUS/security-unreadable.eml"
	[ "$status" -eq 0 ]
	[ "$(last_field kind)" = event ]
	run last_rec '"advisory" in r, r["mail"]["problems"]'
	[ "$output" = "False ['rule default-security: not read as a security advisory: no advisory id (DSA-NNNN-N, DLA-NNNN-N) in the text']" ]
}

@test "a mail no advisory rule matches is not read as one" {
	new_journal
	lb ingest-mail <"$CORPUS/cron.eml"
	run last_rec '"advisory" in r, r["mail"]["problems"]'
	[ "$output" = "False []" ]
}

@test "a team rule with advisory = true reads its mails as advisories; a bad value is reported" {
	new_journal
	sed 's/^Subject: .*/Subject: nginx update notice/; /^List-Id/d' "$CORPUS/dsa-nginx.eml" >"$BATS_TEST_TMPDIR/plain.eml"
	lb ingest-mail <"$BATS_TEST_TMPDIR/plain.eml"
	run last_rec '"advisory" in r'
	[ "$output" = False ]
	git config -f "$LOGBOOK_DIR/team.conf" mail.vendor.subject '^nginx update'
	git config -f "$LOGBOOK_DIR/team.conf" mail.vendor.level warning
	git config -f "$LOGBOOK_DIR/team.conf" mail.vendor.advisory true
	sed -i 's/^Message-ID: .*/Message-ID: <second@example>/' "$BATS_TEST_TMPDIR/plain.eml"
	lb ingest-mail <"$BATS_TEST_TMPDIR/plain.eml"
	run last_rec 'r["advisory"]["id"], r["mail"]["rule"]'
	[ "$output" = "DSA-5678-1 vendor" ]
	git config -f "$LOGBOOK_DIR/team.conf" mail.vendor.advisory maybe
	sed -i 's/^Message-ID: .*/Message-ID: <third@example>/' "$BATS_TEST_TMPDIR/plain.eml"
	run lb ingest-mail <"$BATS_TEST_TMPDIR/plain.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *'mail rule "vendor": advisory must be true or false; rule ignored'* ]]
}

@test "packages: which hosts have nginx, at which version, across three hosts" {
	new_journal
	three_hosts
	# the name of a binary or of the source it is built from
	run lb packages nginx
	[ "$status" -eq 0 ]
	[ "$output" = "db1          nginx all 1.22.1-9+deb12u1
old1         nginx all 1.14.2-2+deb10u5
web1         libnginx-mod-http-geoip amd64 1.22.1-9
web1         nginx all 1.22.1-9" ]
	run lb packages --host web1 'libnginx-mod-*'
	[ "$output" = "web1         libnginx-mod-http-geoip amd64 1.22.1-9" ]
	run lb packages 'postgres*'
	[ "$output" = "db1          postgresql-15 amd64 15.5-0+deb12u1" ]
	run lb packages --json --host old1
	[ "$output" = '{"host":"old1","release":"buster","name":"nginx","arch":"all","version":"1.14.2-2+deb10u5","source":"nginx","source_version":"1.14.2-2+deb10u5"}' ]
	run lb packages apache2
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run lb packages --host 'bad/host'
	[ "$status" -eq 2 ]
}

@test "the fold: inventory, then package records in seq order; records before the last inventory are history" {
	new_journal
	# history: an install before the inventory does not count
	pkg web1 2026-11-19T09:00:00 package '{"tool":"apt","from":"apt","changes":[{"name":"apache2","arch":"amd64","action":"install","new":"2.4.57-2","source":"apache2","source_version":"2.4.57-2"}]}'
	inv web1 2026-11-20T10:00:00 bookworm '[["curl","amd64","7.88.1-10","curl","7.88.1-10"],["nginx","all","1.22.1-9","nginx","1.22.1-9"],["vim","amd64","2:9.0.1378-2","vim","2:9.0.1378-2"]]'
	upgrade web1 2026-11-21T10:00:00 nginx all 1.22.1-9 1.22.1-9+deb12u1
	pkg web1 2026-11-22T10:00:00 package '{"tool":"dpkg","from":"dpkg","changes":[{"name":"vim","arch":"amd64","action":"remove","old":"2:9.0.1378-2"},{"name":"htop","arch":"amd64","action":"install","new":"3.2.2-2","source":"htop","source_version":"3.2.2-2"}]}'
	run lb packages
	[ "$output" = "web1         curl amd64 7.88.1-10
web1         htop amd64 3.2.2-2
web1         nginx all 1.22.1-9+deb12u1" ]
	# a late package record filed under an older day, after the inventory in seq: applied
	pkg web1 2026-11-18T08:00:00 package '{"tool":"apt","from":"history","changes":[{"name":"curl","arch":"amd64","action":"purge","old":"7.88.1-10"}]}'
	run lb packages curl
	[ "$status" -eq 1 ]
	# a resync inventory replaces everything before it
	pkg web1 2026-11-23T10:00:00 inventory '{"reason":"resync","release":"trixie","packages":[["zsh","amd64","5.9-4","zsh","5.9-4"]]}'
	run lb packages --json
	[ "$output" = '{"host":"web1","release":"trixie","name":"zsh","arch":"amd64","version":"5.9-4","source":"zsh","source_version":"5.9-4"}' ]
	# a damaged entry is reported with its file and line, the rest still read
	pkg web1 2026-11-24T10:00:00 package '{"tool":"apt","from":"apt","changes":[{"name":"x"},{"name":"jq","arch":"amd64","action":"install","new":"1.6-2.1"}]}'
	run lb packages jq
	[ "$status" -eq 0 ]
	[[ "$output" == *"2026_11_24/web1.jsonl:1: package record: change 1 has no name, arch or action; skipped"* ]]
	[[ "$output" == *"web1         jq amd64 1.6-2.1" ]]
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 7 ]
}

@test "a DSA naming an installed package lists the host below the fix until it is upgraded, then not" {
	new_journal
	three_hosts
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	run lb advisories
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "DSA-5678-1  "*"  nginx  open on 2 hosts" ]]
	[ "${lines[1]}" = "  old1         nginx 1.14.2-2+deb10u5: no fixed version for buster" ]
	[ "${lines[2]}" = "  web1         nginx 1.22.1-9 < 1.22.1-9+deb12u1 (bookworm)" ]
	[ "${#lines[@]}" -eq 3 ]
	# db1 is at the fixed version: not listed
	[[ "$output" != *db1* ]]
	# web1 upgrades both binaries of nginx: only old1 (no fix for its release) stays
	upgrade web1 2026-12-01T10:00:00 nginx all 1.22.1-9 1.22.1-9+deb12u1
	run lb advisories
	[[ "$output" == *"web1         libnginx-mod-http-geoip"* ]] || [[ "$output" == *"web1         nginx 1.22.1-9 <"* ]]
	upgrade web1 2026-12-01T10:00:01 libnginx-mod-http-geoip amd64 1.22.1-9 1.22.1-9+deb12u1 nginx
	run lb advisories
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" != *web1* ]]
	# old1 moves to bookworm: done, and advisories shows nothing open
	pkg old1 2026-12-02T10:00:00 inventory '{"reason":"resync","release":"bookworm","packages":[["nginx","all","1.22.1-9+deb12u2","nginx","1.22.1-9+deb12u2"]]}'
	run lb advisories
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run lb advisories --all
	[[ "${lines[0]}" == "DSA-5678-1  "*"  nginx  done (3 hosts)" ]]
	run lb advisories DSA-5678-1 --json
	[[ "$output" == *'"id":"DSA-5678-1"'*'"done":true'*'"open":[]'* ]]
	run lb advisories DSA-1-1
	[ "$status" -eq 1 ]
	[[ "$output" == *"DSA-1-1: not in the journal"* ]]
}

@test "the comparison is Debian's: epochs, tilde, revisions" {
	new_journal
	inv web1 2026-11-20T10:00:00 bookworm '[["nginx","all","1:1.0-1","nginx","1:1.0-1"]]'
	inv db1 2026-11-20T10:00:01 bookworm '[["nginx","all","1.22.1-9+deb12u1~rc1","nginx","1.22.1-9+deb12u1~rc1"]]'
	inv mail1 2026-11-20T10:00:02 bookworm '[["nginx","all","1.22.1-9+deb12u1+b1","nginx","1.22.1-9+deb12u1+b1"]]'
	# a binary's own version says nothing: its source's does
	inv mail2 2026-11-20T10:00:03 bookworm '[["libnginx-mod-x","amd64","5:1.0","nginx","1.22.1-9"]]'
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	run lb advisories
	# the epoch puts web1 past the fix; the tilde keeps db1 below it; +b1 is past it
	[ "${lines[1]}" = "  db1          nginx 1.22.1-9+deb12u1~rc1 < 1.22.1-9+deb12u1 (bookworm)" ]
	[ "${lines[2]}" = "  mail2        nginx 1.22.1-9 < 1.22.1-9+deb12u1 (bookworm)" ]
	[ "${#lines[@]}" -eq 3 ]
	dpkg --compare-versions 1:1.0-1 gt 1.22.1-9+deb12u1
	dpkg --compare-versions 1.22.1-9+deb12u1~rc1 lt 1.22.1-9+deb12u1
	dpkg --compare-versions 1.22.1-9+deb12u1+b1 gt 1.22.1-9+deb12u1
}

@test "a host whose release is unknown is compared with every fixed version, and said so" {
	new_journal
	inv web1 2026-11-20T10:00:00 "" '[["nginx","all","1.20.0-1","nginx","1.20.0-1"]]'
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	run lb advisories
	[ "${lines[1]}" = "  web1         nginx 1.20.0-1 < 1.22.1-9+deb12u1 (bookworm; this host's release is unknown)" ]
}

@test "the same advisory filed by several hosts counts once, from the first filed" {
	new_journal
	three_hosts
	LOGBOOK_HOST=db1 lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	run lb advisories --json
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *'"subject":"[SECURITY] [DSA 5678-1] nginx security update"'*'"affected":3'* ]]
}

@test "attack: another replica's earlier record of the same id cannot make an advisory look done" {
	new_journal
	three_hosts
	# evil files DSA-5678-1 first, claiming bookworm was fixed in 0.1 and buster in 0.1
	pkg evil 2026-11-01T00:00:00 event '{"source":"mail","level":"info","text":"x","advisory":{"id":"DSA-5678-1","packages":["nginx"],"cves":[],"fixed":[{"release":"bookworm","version":"0.1"},{"release":"buster","version":"0.1"}]}}'
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	run lb advisories
	# the most demanding fix of each release stands: web1 stays below bookworm's
	[[ "$output" == *"web1         nginx 1.22.1-9 < 1.22.1-9+deb12u1 (bookworm)"* ]]
	# a release only the forged record names has no fix: old1 stays open
	[[ "$output" == *"old1         nginx 1.14.2-2+deb10u5: no fixed version for buster"* ]]
	# nor take a package away: another package list adds to it, no fix leaves every release open
	pkg evil 2026-11-01T00:00:01 event '{"source":"mail","level":"info","text":"x","advisory":{"id":"DSA-5678-1","packages":["apache2"],"cves":[],"fixed":[]}}'
	run lb advisories
	[[ "${lines[0]}" == "DSA-5678-1  "*"  nginx apache2  open on 3 hosts" ]]
	[[ "$output" == *"web1         nginx 1.22.1-9: no fixed version for bookworm"* ]]
}

@test "news and digest list the advisories still open, with the hosts" {
	new_journal
	three_hosts
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	lb ingest-mail <"$CORPUS/dla-openssl.eml"
	run lb news --no-pager
	[ "$status" -eq 0 ]
	[[ "$output" == *"Security advisories still open (logbook advisories):"*"  DSA-5678-1  "*"nginx  open on 2 hosts"*"    web1         nginx 1.22.1-9 < 1.22.1-9+deb12u1 (bookworm)"* ]]
	# the DLA concerns openssl, whose only host is on bookworm, which the DLA does not list
	[[ "$output" == *"DLA-3456-1  "*"openssl  open on 1 host"*"    web1         openssl 3.0.11-1~deb12u2: no fixed version for bookworm"* ]]
	run lb digest today
	[ "$status" -eq 0 ]
	[[ "$output" == *"Security advisories still open (logbook advisories)"*"  DSA-5678-1"*"    web1         nginx 1.22.1-9 < 1.22.1-9+deb12u1 (bookworm)"* ]]
}

# the advisories news lists (the cached way: view/pkgrecs.h), in the form of
# `logbook advisories` (which reads every record file)
news_advisories() {
	lb news --no-pager --peek --all | sed -n '/^Security advisories still open/,/^$/p' | sed '1d;/^$/d;s/^  //'
}

@test "news reads the advisories through a cache that follows appends by any host and equals the files' answer" {
	new_journal
	three_hosts
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	run news_advisories
	[[ "$output" == "DSA-5678-1  "*"open on 2 hosts"* ]] || fail "$output"
	[ "$output" = "$(lb advisories)" ]
	cache="$LOGBOOK_DIR/.state/pkgrecs/$(id -u)"
	[ -f "$cache" ] || fail "no cache"
	[ "$(grep -c '"kind":"inventory"' "$cache")" -eq 3 ] || fail "$(cat "$cache")"
	# another host files an advisory through the store: only the rows indexed since are read
	LOGBOOK_HOST=db1 lb ingest-mail <"$CORPUS/dla-openssl.eml"
	run news_advisories
	[[ "$output" == *"DLA-3456-1  "*"open on 1 host"* ]] || fail "$output"
	[ "$output" = "$(lb advisories)" ]
	# a package record filed under a past day (a catch-up of APT's logs) is seen too
	upgrade web1 2026-11-21T10:00:00 nginx all 1.22.1-9 1.22.1-9+deb12u1
	upgrade web1 2026-11-21T10:00:01 libnginx-mod-http-geoip amd64 1.22.1-9 1.22.1-9+deb12u1 nginx
	lb note "a record of web1 through the store" >/dev/null
	run news_advisories
	[[ "$output" != *"web1         nginx 1.22.1-9 <"* ]] || fail "$output"
	[ "$output" = "$(lb advisories)" ]
	# the cache lost or damaged: rebuilt, the same answer
	expected=$(lb advisories)
	rm "$cache"
	[ "$(news_advisories)" = "$expected" ]
	echo garbage >"$cache"
	[ "$(news_advisories)" = "$expected" ]
	grep -q '^logbook-pkgrecs 1 ' "$cache" || fail "not rebuilt: $(cat "$cache")"
	# the index rebuilt: a new generation, every row read again
	rm -f "$LOGBOOK_DIR/.state/index.sqlite"*
	[ "$(news_advisories)" = "$expected" ]
	run lb digest today
	[[ "$output" == *"Security advisories still open (logbook advisories)"*"  DLA-3456-1"* ]] || fail "$output"
}

@test "advisories another replica files reach news through a sync, and the cache" {
	replicas_with_hub web1 db1
	export LOGBOOK_DIR=$BATS_TEST_TMPDIR/web1
	inv web1 2026-11-20T10:00:00 bookworm '[["nginx","all","1.22.1-9","nginx","1.22.1-9"],["openssl","amd64","3.0.11-1~deb12u2","openssl","3.0.11-1~deb12u2"]]'
	lb note "web1 through the store" >/dev/null
	[ -z "$(news_advisories)" ]
	LOGBOOK_HOST=db1 lb -C "$BATS_TEST_TMPDIR/db1" ingest-mail <"$CORPUS/dsa-nginx.eml"
	LOGBOOK_HOST=db1 lb -C "$BATS_TEST_TMPDIR/db1" sync >/dev/null
	lb sync >/dev/null
	run news_advisories
	[[ "$output" == "DSA-5678-1  "*"open on 1 host"*"web1         nginx 1.22.1-9 < 1.22.1-9+deb12u1 (bookworm)"* ]] || fail "$output"
	[ "$output" = "$(lb advisories)" ]
	LOGBOOK_HOST=db1 lb -C "$BATS_TEST_TMPDIR/db1" ingest-mail <"$CORPUS/dla-openssl.eml"
	LOGBOOK_HOST=db1 lb -C "$BATS_TEST_TMPDIR/db1" sync >/dev/null
	lb sync >/dev/null
	run news_advisories
	[[ "$output" == *"DLA-3456-1  "* ]] || fail "$output"
	[ "$output" = "$(lb advisories)" ]
}

@test "record text reaches the terminal escaped" {
	new_journal
	inv web1 2026-11-20T10:00:00 bookworm '[["nginx","all","1.0\u001b[31m","nginx","1.0\u001b[31m"]]'
	lb ingest-mail <"$CORPUS/dsa-nginx.eml"
	run lb packages nginx
	[ "$output" = 'web1         nginx all 1.0\e[31m' ]
	run lb advisories
	[[ "$output" == *'nginx 1.0\e[31m: cannot compare: '* ]]
	[[ "$output" != *$'\e'* ]]
}

@test "packages and advisories have --help and reject unknown options" {
	run lb packages --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook packages"* ]]
	run lb advisories --help
	[ "$status" -eq 0 ]
	run lb advisories --bogus
	[ "$status" -eq 2 ]
}
