#!/usr/bin/env bats
# Package changes become records: the real apt and dpkg, run with the APT
# hook that `logbook setup` writes under a scratch root, their logs kept
# under that root too (the machine's configuration and logs are never
# read: APT_CONFIG names the scratch apt.conf.d); hand-written logs for
# the catch-up of rotated files; the inventory; a broken logbook never
# stops APT; and root's state in the journal is not a member's to aim.

load lib

setup_file() {
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		skip "needs apt and dpkg"
	fi
}

setup() {
	export TZ=UTC LC_ALL=C
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK_HOST=web1
	unset LOGBOOK_USER LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER SUDO_UID VISUAL EDITOR PAGER NO_COLOR LESS LOGBOOK_DIR
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	export LOGBOOK_SECRETS=/nonexistent/logbook-secrets
	[ "$(id -u)" -eq 0 ] || skip "needs root: runs apt and dpkg"
	ROOT="$BATS_TEST_TMPDIR/root"
	export LOGBOOK_ROOT="$ROOT"
	export LOGBOOK_DIR="$ROOT/var/lib/logbook"
	mkdir -p "$ROOT/etc/apt/apt.conf.d" "$ROOT/var/log/apt" "$ROOT/var/lib"
	HIST="$ROOT/var/log/apt/history.log"
	DLOG="$ROOT/var/log/dpkg.log"
	export APT_CONFIG="$BATS_TEST_TMPDIR/apt.conf"
	printf 'Dir::Etc::Parts "%s";\n' "$ROOT/etc/apt/apt.conf.d" >"$APT_CONFIG"
	INSTALLED=()
}

teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	local p
	for p in "${INSTALLED[@]}"; do
		dpkg --log=/dev/null -P "$p" >/dev/null 2>&1 || true
	done
	if [ -n "${SL_WAS:-}" ] && ! dpkg -s sl 2>/dev/null | grep -q '^Status: install ok installed'; then
		apt-get -y -q install sl >/dev/null 2>&1 || true
	fi
	member_remove
}

# the scratch root's journal and APT hook, as setup makes them
setup_root() {
	run lb setup --root "$ROOT"
	[[ "$output" == *"APT hook $ROOT/etc/apt/apt.conf.d/05logbook: added"* ]] || fail "$output"
}

# apt-get with the scratch root's hook and logs
apt_run() {
	apt-get -y -q -o Dir::Log="$ROOT/var/log/apt" -o DPkg::Options::=--log="$DLOG" \
		-o DPkg::Lock::Timeout=120 "$@"
}

# a tiny package x (Source: xsrc) of version $1, in $BATS_TEST_TMPDIR/x_$1.deb
make_deb() {
	local d="$BATS_TEST_TMPDIR/deb-$1"
	mkdir -p "$d/DEBIAN" "$d/usr/share/doc/logbook-test-x"
	printf 'Package: logbook-test-x\nSource: logbook-test-xsrc\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: a package of the logbook tests\n' "$1" >"$d/DEBIAN/control"
	echo "$1" >"$d/usr/share/doc/logbook-test-x/version"
	dpkg-deb -Zgzip --build "$d" "$BATS_TEST_TMPDIR/x_$1.deb" >/dev/null
	INSTALLED+=(logbook-test-x)
}

# the package records (one JSON line each) of the journal, in seq order
packages() {
	cat "$LOGBOOK_DIR"/*/*/web1.jsonl | py -c '
import json, sys
recs = sorted((json.loads(l) for l in sys.stdin), key=lambda r: r["seq"])
for r in recs:
    if r["kind"] == sys.argv[1]:
        print(json.dumps(r))' "${1:-package}"
}

# a field of the n-th (1-based, negative from the end) record printed by packages
pfield() {
	py -c '
import json, sys
lines = sys.stdin.read().splitlines()
r = json.loads(lines[int(sys.argv[1]) - 1 if int(sys.argv[1]) > 0 else int(sys.argv[1])])
v = eval(sys.argv[2], {}, {"r": r})
print(v if isinstance(v, str) else json.dumps(v))' "$@"
}

@test "apt install and remove of a Debian package are filed with the admin of the hooked session" {
	apt-cache show sl >/dev/null 2>&1 || skip "no package sl in the APT lists"
	setup_root
	if dpkg -s sl 2>/dev/null | grep -q '^Status: install ok installed'; then
		SL_WAS=1
		first=remove second=install
	else
		first=install second=remove
	fi
	# a hooked shell of carol's: the hook exports LOGBOOK_SESSION, apt's hooks inherit it
	(
		eval "$(LOGBOOK_USER=carol lb hook bash)"
		unset LOGBOOK_USER
		echo "$LOGBOOK_SESSION" >"$BATS_TEST_TMPDIR/session"
		apt_run "$first" sl >/dev/null 2>&1
		apt_run "$second" sl >/dev/null 2>&1
	)
	session=$(cat "$BATS_TEST_TMPDIR/session")
	run packages
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	for i in 1 2; do
		[ "$(pfield $i 'r["admin"]' <<<"$output")" = carol ]
		[ "$(pfield $i 'r["session"]' <<<"$output")" = "$session" ]
		[ "$(pfield $i 'r["tool"]+" "+r["from"]+" "+r["account"]' <<<"$output")" = "apt apt root" ]
		[ -n "$(pfield $i 'r["end"]' <<<"$output")" ]
	done
	[[ "$(pfield 1 'r["command"]' <<<"$output")" == "apt-get "*" $first sl" ]]
	[ "$(pfield 1 'r["changes"][0]["name"]+":"+r["changes"][0]["arch"]+" "+r["changes"][0]["action"]' <<<"$output")" = "sl:amd64 $first" ] ||
		[ "$(dpkg --print-architecture)" != amd64 ]
	install=$([ $first = install ] && echo 1 || echo 2)
	[ "$(pfield "$install" 'r["changes"][0]["source"]' <<<"$output")" = sl ]
	[ -n "$(pfield "$install" 'r["changes"][0]["source_version"]' <<<"$output")" ]
	[ "$(pfield 1 'r["release"]' <<<"$output")" = "$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)" ]
	# the first catch-up wrote the host's inventory once
	[ "$(packages inventory | wc -l)" -eq 1 ]
	[ "$(packages inventory | pfield 1 'r["reason"]')" = first ]
	# nothing more to file
	lb ingest -q
	[ "$(packages | wc -l)" -eq 2 ]
}

@test "a package built here: apt-get install ./x.deb with the session's admin, then dpkg -i alone" {
	setup_root
	make_deb 1.0-1
	make_deb 1.0-2
	(
		eval "$(LOGBOOK_USER=dave lb hook bash)"
		unset LOGBOOK_USER
		apt_run install "$BATS_TEST_TMPDIR/x_1.0-1.deb" >/dev/null 2>&1
	)
	dpkg --log="$DLOG" -i "$BATS_TEST_TMPDIR/x_1.0-2.deb" >/dev/null
	# dpkg alone has no hook: root's periodic ingest files it
	lb ingest -q
	lb ingest -q
	run packages
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[ "$(pfield 1 'r["admin"]+" "+r["tool"]+" "+r["from"]' <<<"$output")" = "dave apt apt" ]
	[ "$(pfield 1 'r["changes"]' <<<"$output")" = '[{"name": "logbook-test-x", "arch": "all", "action": "install", "new": "1.0-1", "source": "logbook-test-xsrc", "source_version": "1.0-1"}]' ] || fail "$output"
	[ "$(pfield 2 'r["admin"]+" "+r["tool"]+" "+r["from"]+" "+r["account"]' <<<"$output")" = "dpkg dpkg dpkg root" ]
	[ "$(pfield 2 '"command" in r' <<<"$output")" = false ]
	[ "$(pfield 2 'r["changes"]' <<<"$output")" = '[{"name": "logbook-test-x", "arch": "all", "action": "upgrade", "old": "1.0-1", "new": "1.0-2", "source": "logbook-test-xsrc", "source_version": "1.0-2"}]' ]
}

@test "an APT run of unattended-upgrades is filed as unattended-upgrades" {
	setup_root
	make_deb 1.0-1
	# APT logs its argv as the command line: the run looks like unattended-upgrades' own
	ln -s "$(command -v apt-get)" "$BATS_TEST_TMPDIR/unattended-upgrade"
	"$BATS_TEST_TMPDIR/unattended-upgrade" -y -q -o Dir::Log="$ROOT/var/log/apt" -o DPkg::Options::=--log="$DLOG" \
		install "$BATS_TEST_TMPDIR/x_1.0-1.deb" >/dev/null 2>&1
	run packages
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	[ "$(pfield 1 'r["admin"]+" "+r["tool"]+" "+r["from"]' <<<"$output")" = "unattended-upgrades unattended-upgrades apt" ]
}

# history.log entries as APT writes them
hist_entry() { # START END COMMAND CHANGE-LINE
	printf '\nStart-Date: %s\nCommandline: %s\n%s\nEnd-Date: %s\n' "$1" "$3" "$4" "$2"
}

@test "a history.log and its rotated .1.gz are caught up exactly once, across a rotation" {
	setup_root
	hist_entry "2026-11-02  06:10:00" "2026-11-02  06:10:07" /usr/bin/unattended-upgrade \
		"Upgrade: libfoo1:amd64 (1.0-1, 1.0-2)" | gzip >"$HIST.1.gz"
	hist_entry "2026-12-01  09:00:00" "2026-12-01  09:00:05" "apt-get install bar" \
		"Requested-By: erin (1000)
Install: bar:amd64 (2.1-1), libbar:amd64 (2.1-1, automatic)" >"$HIST"
	lb ingest -q
	lb ingest -q
	run packages
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[ "$(pfield 1 'r["time"]+" "+r["end"]+" "+r["admin"]+" "+r["tool"]+" "+r["from"]' <<<"$output")" = \
		"2026-11-02T06:10:00.000000Z 2026-11-02T06:10:07.000000Z unattended-upgrades unattended-upgrades history" ]
	[ "$(pfield 1 'r["changes"]' <<<"$output")" = '[{"name": "libfoo1", "arch": "amd64", "action": "upgrade", "old": "1.0-1", "new": "1.0-2"}]' ]
	[ "$(pfield 2 'r["admin"]+" "+r["command"]+" "+str(len(r["changes"]))' <<<"$output")" = "erin apt-get install bar 2" ]
	# logrotate: .1.gz becomes .2.gz, the log .1.gz, a new run in a new log
	mv "$HIST.1.gz" "$HIST.2.gz"
	gzip -c "$HIST" >"$HIST.1.gz"
	rm "$HIST"
	hist_entry "2026-12-02  09:00:00" "2026-12-02  09:00:05" "apt-get remove bar" "Remove: bar:amd64 (2.1-1)" >"$HIST"
	lb ingest -q
	lb ingest -q
	run packages
	[ "${#lines[@]}" -eq 3 ] || fail "$output"
	[ "$(pfield 3 'r["command"]+" "+r["admin"]' <<<"$output")" = "apt-get remove bar dpkg" ]
	# two runs in the same second are two runs; appended later, each is filed once
	hist_entry "2026-12-03  09:00:00" "2026-12-03  09:00:00" "apt-get install a" "Install: a:all (1)" >>"$HIST"
	lb ingest -q
	hist_entry "2026-12-03  09:00:00" "2026-12-03  09:00:00" "apt-get install b" "Install: b:all (1)" >>"$HIST"
	lb ingest -q
	lb ingest -q
	run packages
	[ "${#lines[@]}" -eq 5 ] || fail "$output"
	[ "$(pfield 5 'r["command"]' <<<"$output")" = "apt-get install b" ]
}

@test "two APT runs in the same second: the dpkg lines of both are APT's, nothing is filed as dpkg's" {
	setup_root
	# an install, then an upgrade, both within 09:00:00 (a fast machine, as in the hook's own tests)
	{
		hist_entry "2026-12-01  09:00:00" "2026-12-01  09:00:00" "apt-get install ./x_1.0-1.deb" "Install: x:amd64 (1.0-1)"
		hist_entry "2026-12-01  09:00:00" "2026-12-01  09:00:00" "apt-get install ./x_1.0-2.deb" "Upgrade: x:amd64 (1.0-1, 1.0-2)"
	} >"$HIST"
	printf '%s\n' '2026-12-01 09:00:00 startup archives unpack' '2026-12-01 09:00:00 install x:amd64 <none> 1.0-1' \
		'2026-12-01 09:00:00 startup archives unpack' '2026-12-01 09:00:00 upgrade x:amd64 1.0-1 1.0-2' >"$DLOG"
	lb ingest -q
	lb ingest -q
	run packages
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[ "$(pfield 1 'r["from"]+" "+r["changes"][0]["action"]' <<<"$output")" = "history install" ]
	[ "$(pfield 2 'r["from"]+" "+r["changes"][0]["action"]' <<<"$output")" = "history upgrade" ]
}

@test "an APT run still going (no End-Date yet) waits, and its dpkg lines are not filed as dpkg's" {
	setup_root
	printf '\nStart-Date: 2026-12-01  09:00:00\nCommandline: apt-get install bar\nInstall: bar:amd64 (2.1-1)\n' >"$HIST"
	printf '2026-12-01 09:00:01 startup archives unpack\n2026-12-01 09:00:01 install bar:amd64 <none> 2.1-1\n' >"$DLOG"
	lb ingest -q
	[ -z "$(packages)" ]
	printf 'End-Date: 2026-12-01  09:00:04\n' >>"$HIST"
	printf '2026-12-01 10:00:00 startup packages remove\n2026-12-01 10:00:00 remove bar:amd64 2.1-1 <none>\n' >>"$DLOG"
	lb ingest -q
	run packages
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[ "$(pfield 1 'r["tool"]+" "+r["changes"][0]["action"]' <<<"$output")" = "apt install" ]
	[ "$(pfield 2 'r["tool"]+" "+r["changes"][0]["action"]' <<<"$output")" = "dpkg remove" ]
}

@test "damaged log lines are reported with file and line, and the rest is filed" {
	setup_root
	printf '\nStart-Date: 2026-12-01  09:00:00\nInstall: bar:amd64 (2.1-1), broken\nEnd-Date: 2026-12-01  09:00:04\n' >"$HIST"
	printf 'garbage\n2026-12-01 10:00:00 remove bar\n' >"$DLOG"
	run lb ingest -q
	[[ "$output" == *"$HIST: line 3: 'broken': expected 'name:arch (version)'"* ]] || fail "$output"
	[[ "$output" == *"$DLOG: line 2: remove: expected"* ]] || fail "$output"
	[ "$(packages | wc -l)" -eq 1 ]
}

@test "inventory: first with dpkg's status and sources, resync after a change behind logbook's back" {
	setup_root
	make_deb 1.0-1
	apt_run install "$BATS_TEST_TMPDIR/x_1.0-1.deb" >/dev/null 2>&1
	run packages inventory
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	[ "$(pfield 1 'r["reason"]' <<<"$output")" = first ]
	[ "$(pfield 1 '[p for p in r["packages"] if p[0] == "logbook-test-x"]' <<<"$output")" = \
		'[["logbook-test-x", "all", "1.0-1", "logbook-test-xsrc", "1.0-1"]]' ]
	# sorted by name, then arch; as many as dpkg-query lists installed
	[ "$(pfield 1 'r["packages"] == sorted(r["packages"], key=lambda p: (p[0], p[1]))' <<<"$output")" = true ]
	[ "$(pfield 1 'len(r["packages"])' <<<"$output")" -eq "$(dpkg-query -W -f='${db:Status-Status}\n' | grep -cx installed)" ]
	# the logs moved away: dpkg removes the package unseen
	mv "$DLOG" "$DLOG.away"
	dpkg --log=/dev/null -r logbook-test-x >/dev/null
	lb ingest -q
	run packages inventory
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[ "$(pfield 2 'r["reason"]' <<<"$output")" = resync ]
	[ "$(pfield 2 '[p for p in r["packages"] if p[0] == "logbook-test-x"]' <<<"$output")" = '[]' ]
	# in step again: no more inventories, also when the cache of the fold is gone
	lb ingest -q
	rm "$LOGBOOK_DIR/.state/packages/fold"
	lb ingest -q
	[ "$(packages inventory | wc -l)" -eq 2 ]
	# root's state lost (a new .state): the journal says what was filed, nothing is filed again
	mv "$DLOG.away" "$DLOG"
	rm -r "$LOGBOOK_DIR/.state/packages"
	lb ingest -q
	[ "$(packages | wc -l)" -eq 1 ]
	[ "$(packages inventory | wc -l)" -eq 2 ]
}

@test "apt keeps working when logbook is missing, fails, or waits for a lock" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$LOGBOOK" "$BATS_TEST_TMPDIR/bin/logbook"
	cp "$(dirname "$LOGBOOK")/logbook-ingest-mail" "$BATS_TEST_TMPDIR/bin/" 2>/dev/null || true
	LOGBOOK="$BATS_TEST_TMPDIR/bin/logbook" setup_root
	grep -q "$BATS_TEST_TMPDIR/bin/logbook" "$ROOT/etc/apt/apt.conf.d/05logbook"
	make_deb 1.0-1
	make_deb 1.0-2
	# missing
	mv "$BATS_TEST_TMPDIR/bin/logbook" "$BATS_TEST_TMPDIR/bin/gone"
	run apt_run install "$BATS_TEST_TMPDIR/x_1.0-1.deb"
	[ "$status" -eq 0 ] || fail "$output"
	mv "$BATS_TEST_TMPDIR/bin/gone" "$BATS_TEST_TMPDIR/bin/logbook"
	# failing: no journal where the hook looks
	mv "$LOGBOOK_DIR" "$LOGBOOK_DIR.away"
	run apt_run install "$BATS_TEST_TMPDIR/x_1.0-2.deb"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"logbook: "* ]]
	mv "$LOGBOOK_DIR.away" "$LOGBOOK_DIR"
	lb ingest -q
	# waiting: another catch-up holds the lock for longer than the hook waits
	# (-o: the lock is flock's own, not its sleep's, so killing flock frees it)
	flock -o "$LOGBOOK_DIR/.state/packages/lock" sleep 30 >/dev/null 2>&1 &
	holder=$!
	sleep 0.3
	SECONDS=0
	run apt_run remove logbook-test-x
	pkill -P "$holder" sleep || true
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	[ "$status" -eq 0 ] || fail "$output"
	[ "$SECONDS" -lt 28 ]
	[[ "$output" == *"another logbook is filing package changes"* ]] || fail "$output"
	# what the broken hook missed, the next catch-up files, once
	lb ingest -q
	lb ingest -q
	run packages
	[ "${#lines[@]}" -eq 3 ] || fail "$output"
	[ "$(pfield 1 'r["changes"][0]["action"]+" "+r["from"]' <<<"$output")" = "install history" ]
	[ "$(pfield 2 'r["changes"][0]["action"]' <<<"$output")" = upgrade ]
	[ "$(pfield 3 'r["changes"][0]["action"]' <<<"$output")" = remove ]
}

@test "setup --undo removes the APT hook byte for byte, and keeps it when an admin changed it" {
	setup_root
	run lb setup --root "$ROOT"
	[[ "$output" == *"APT hook $ROOT/etc/apt/apt.conf.d/05logbook: in place"* ]] || fail "$output"
	run lb setup --undo --root "$ROOT"
	[[ "$output" == *"APT hook $ROOT/etc/apt/apt.conf.d/05logbook: removed"* ]] || fail "$output"
	[ ! -e "$ROOT/etc/apt/apt.conf.d/05logbook" ]
	setup_root
	echo '// mine' >>"$ROOT/etc/apt/apt.conf.d/05logbook"
	run lb setup --undo --root "$ROOT"
	[[ "$output" == *"05logbook: kept: it changed since setup wrote it"* ]] || fail "$output"
	[ -e "$ROOT/etc/apt/apt.conf.d/05logbook" ]
}

@test "a member's link or directory at root's package state is set aside, never followed" {
	member_add
	plant_root_only
	setup_root
	chgrp -R "$MEMBER_GROUP" "$LOGBOOK_DIR"
	chmod 2770 "$LOGBOOK_DIR" "$LOGBOOK_DIR/.state"
	hist_entry "2026-12-01  09:00:00" "2026-12-01  09:00:05" "apt-get install bar" "Install: bar:amd64 (2.1-1)" >"$HIST"
	# a link to a root-only directory where root keeps its state
	as_member ln -s "$ROOT_ONLY" "$LOGBOOK_DIR/.state/packages"
	run lb ingest -q
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *".state/packages"*"refused; set aside as $LOGBOOK_DIR/.state/packages.bad-"*", nothing in it read"* ]] || fail "$output"
	root_only_intact
	[ "$(stat -c '%U %a' "$LOGBOOK_DIR/.state/packages")" = "root 700" ]
	[ "$(packages | wc -l)" -eq 1 ]
	# a directory of the member's own, with a link at the state file (what it read would say nothing was filed)
	rm -r "$LOGBOOK_DIR/.state/packages" "$LOGBOOK_DIR"/.state/packages.bad-*
	as_member mkdir -m 0700 "$LOGBOOK_DIR/.state/packages"
	as_member ln -s "$ROOT_ONLY/target" "$LOGBOOK_DIR/.state/packages/state"
	run lb ingest -q
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"not this account's own directory"*"set aside as"* ]] || fail "$output"
	root_only_intact
	[ "$(stat -c '%U %a' "$LOGBOOK_DIR/.state/packages")" = "root 700" ]
	# root rebuilt its state from the journal: nothing filed twice
	[ "$(packages | wc -l)" -eq 1 ]
	# only root runs the hook
	run as_member "$LOGBOOK" apt-hook post
	[ "$status" -eq 1 ]
	[[ "$output" == *"apt-hook: APT runs it as root"* ]] || fail "$output"
}

@test "doctor checks APT's hook: ok when setup put it, FAIL with the fix when missing" {
	setup_root
	run lb doctor --root "$ROOT"
	[[ "$output" == *"ok   APT hook $ROOT/etc/apt/apt.conf.d/05logbook: APT's runs are filed with who ran them"* ]] || fail "$output"
	rm "$ROOT/etc/apt/apt.conf.d/05logbook"
	run lb doctor --root "$ROOT"
	[[ "$output" == *"FAIL APT hook $ROOT/etc/apt/apt.conf.d/05logbook: missing: package changes are filed only by root's ingest"* ]] || fail "$output"
	[[ "$output" == *"  fix: logbook setup --root $ROOT"* ]] || fail "$output"
}

@test "the day page shows one line per run, the packages under it; search finds a package's name" {
	setup_root
	hist_entry "2026-12-01  09:00:00" "2026-12-01  09:00:05" "apt-get install nginx" \
		"Requested-By: alice (1000)
Install: nginx:amd64 (1.22.1-9), libnginx-mod-http:amd64 (1.22.1-9, automatic), nginx-common:all (1.22.1-9, automatic)
Upgrade: openssl:amd64 (3.0.11-1~deb12u1, 3.0.13-1~deb12u1)" >"$HIST"
	printf '2026-12-01 10:00:00 startup packages remove\n2026-12-01 10:00:00 remove sl:amd64 5.02-1+b1 <none>\n' >"$DLOG"
	lb ingest -q
	run lb show 2026_12_01
	[[ "$output" == *"09:00:00  packages  alice: apt-get install nginx: 3 installed, 1 upgraded"* ]] || fail "$output"
	[[ "$output" == *"upgrade openssl:amd64 3.0.11-1~deb12u1 -> 3.0.13-1~deb12u1"* ]] || fail "$output"
	[[ "$output" == *"10:00:00  packages  dpkg: 1 removed"* ]] || fail "$output"
	run lb show 2026_12_01 --format markdown
	# (markdown escapes the record's punctuation)
	[[ "$output" == *'packages: alice\: apt\-get install nginx\: 3 installed\, 1 upgraded'* ]] || fail "$output"
	[[ "$output" == *'```'*"install libnginx-mod-http:amd64 1.22.1-9"* ]] || fail "$output"
	run lb search libnginx-mod-http
	[[ "$output" == *"2026_12_01 09:00:00 web1:"*" alice package: "*"libnginx-mod-http"* ]] || fail "$output"
}

@test "log times are read in the zone APT ran in, not the team's" {
	setup_root
	hist_entry "2026-12-01  09:00:00" "2026-12-01  09:00:05" "apt-get install bar" "Install: bar:amd64 (2.1-1)" >"$HIST"
	TZ=Europe/Paris lb ingest -q
	[ "$(packages | pfield 1 'r["time"]+" "+r["end"]')" = "2026-12-01T08:00:00.000000Z 2026-12-01T08:00:05.000000Z" ]
}

# a DSA mail for the test package's source, fixed in $1 for every release
dsa_mail() {
	cat <<MAIL
From: Security Team <security@debian.org>
To: debian-security-announce@lists.debian.org
Subject: [SECURITY] [DSA 9999-1] logbook-test-xsrc security update
List-Id: <debian-security-announce.lists.debian.org>
Date: Sun, 06 Dec 2026 10:00:00 +0000
Message-ID: <dsa-9999-1@test.example>
Content-Type: text/plain; charset=us-ascii

-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

- -------------------------------------------------------------------------
Debian Security Advisory DSA-9999-1                   security@debian.org
https://www.debian.org/security/                        Security Team
December 06, 2026                     https://www.debian.org/security/faq
- -------------------------------------------------------------------------

Package        : logbook-test-xsrc
CVE ID         : CVE-2026-99999

A flaw was found in logbook-test-x.

For the oldstable distribution (bullseye), this problem has been fixed
in version $1.

For the stable distribution (bookworm), this problem has been fixed in
version $1.

For the testing distribution (trixie), this problem has been fixed in
version $1.

We recommend that you upgrade your logbook-test-xsrc packages.
-----BEGIN PGP SIGNATURE-----

iQKTBAEBCgB9FiEERkRAmAjBceBVMd3uBUy48xNDz0QFAmVvX3sACgkQBUy48xND
=AbCd
-----END PGP SIGNATURE-----
MAIL
}

@test "end to end: a DSA lists this host while the real dpkg has the package below the fix, then not" {
	setup_root
	make_deb 1.0-1
	make_deb 1.0-2
	(
		eval "$(LOGBOOK_USER=dave lb hook bash)"
		unset LOGBOOK_USER
		apt_run install "$BATS_TEST_TMPDIR/x_1.0-1.deb" >/dev/null 2>&1
	)
	run lb packages logbook-test-x
	[ "$status" -eq 0 ]
	[[ "$output" == *"web1"*"logbook-test-x"*"1.0-1"* ]] || fail "$output"
	dsa_mail 1.0-2 | lb ingest-mail
	run lb advisories
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "DSA-9999-1  "*"logbook-test-xsrc  open on 1 host"* ]] || fail "$output"
	[[ "$output" == *"web1"*"logbook-test-xsrc 1.0-1 < 1.0-2"* ]] || fail "$output"
	run lb news
	[[ "$output" == *"DSA-9999-1"* ]] || fail "$output"
	# the upgrade through APT's hook: the advisory is done
	(
		eval "$(LOGBOOK_USER=dave lb hook bash)"
		unset LOGBOOK_USER
		apt_run install "$BATS_TEST_TMPDIR/x_1.0-2.deb" >/dev/null 2>&1
	)
	run lb packages logbook-test-x
	[[ "$output" == *"1.0-2"* ]] || fail "$output"
	run lb advisories
	[ "$status" -eq 0 ]
	[ -z "$output" ] || fail "$output"
	run lb advisories --all
	[[ "${lines[0]}" == "DSA-9999-1  "*"done"* ]] || fail "$output"
}
