#!/usr/bin/env bats
# make deb, then the package on this machine, as a new server would take
# it: dpkg -i, logbook setup, a new interactive bash records commands,
# logbook doctor has no failure, a note and a show; then setup --undo and
# dpkg --purge leave /etc as it was, no marked block and no unit behind.
#
# It changes the real /etc for a few seconds, so it runs only as root and
# only where logbook is not installed or set up already.

load lib
load shell

TOP=$BATS_TEST_DIRNAME/..
# what must be as it was afterwards
WATCHED="/etc/bash.bashrc /etc/zsh/zshrc /etc/aliases /etc/group /etc/gshadow /etc/passwd /etc/postfix/main.cf"

sums() {
	local f
	for f in $WATCHED; do
		if [ -e "$f" ]; then sha256sum "$f"; else echo "missing $f"; fi
	done
}

deb_cleanup() {
	[ -n "${DEB_TOUCHED:-}" ] || return 0
	if [ -x /usr/bin/logbook ]; then
		/usr/bin/logbook setup --undo >/dev/null 2>&1 || true
	fi
	dpkg --purge logbook >/dev/null 2>&1 || true
	rm -rf /var/lib/logbook /var/lib/logbook-home
}

teardown() {
	[ -n "${TMUX_SOCK:-}" ] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	stop_sshd
	sleep 0.2
	deb_cleanup
}

@test "make deb builds a package that lintian passes" {
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null && command -v lintian >/dev/null ||
		skip "debhelper, dpkg-dev or lintian is missing (scripts/deps check installs them)"
	run make -s -C "$TOP" deb
	[ "$status" -eq 0 ] || fail "$output"
	deb=$(ls "$TOP"/build/deb/logbook_*.deb)
	[ "$(dpkg-deb -f "$deb" Version)" = "$("$LOGBOOK" --version | cut -d' ' -f2)" ]
	run dpkg-deb -c "$deb"
	for f in ./usr/bin/logbook ./usr/lib/logbook/logbook-ingest-mail ./usr/share/man/man1/logbook.1.gz \
		./usr/share/bash-completion/completions/logbook ./usr/share/zsh/vendor-completions/_logbook \
		./lib/systemd/system/logbook-sync.timer ./lib/systemd/system/logbook-sync.service; do
		[[ "$output" == *" $f"* ]] || fail "$f is not in the package"
	done
	# the README and docs/, uncompressed, where the man page says they are
	for f in ./usr/share/doc/logbook/README.md ./usr/share/doc/logbook/docs/security.md \
		$(grep -o '/usr/share/doc/logbook/[A-Za-z0-9_./-]*[A-Za-z0-9]' "$TOP/man/logbook.1" | sort -u | sed 's|^|.|'); do
		[[ "$output" == *" $f"$'\n'* || "$output" == *" $f" ]] || fail "$f is not in the package"
	done
	# the units run the packaged binary
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/logbook-sync.service | grep -q '^ExecStart=/usr/bin/logbook '
	run lintian --fail-on error "$deb"
	[ "$status" -eq 0 ] || fail "$output"
	# the source tree stays clean: everything is under build/
	[ ! -e "$TOP/debian/changelog" ] && [ ! -e "$TOP/debian/logbook" ] && [ ! -e "$TOP/debian/files" ]
}

@test "dpkg -i, setup, a hooked bash, doctor, note and show; undo and purge leave nothing behind" {
	# this test means the machine itself (tests/run names no root for the others)
	unset LOGBOOK_ROOT
	[ "$(id -u)" -eq 0 ] || skip "installs a package and edits /etc: root only"
	deb=$(ls "$TOP"/build/deb/logbook_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || skip "no package built (the test above builds it)"
	! dpkg -s logbook >/dev/null 2>&1 || skip "a logbook package is installed on this machine"
	[ ! -e /var/lib/logbook ] || skip "/var/lib/logbook exists on this machine"
	! getent group logbook >/dev/null || skip "the group logbook exists on this machine"
	! getent passwd logbook >/dev/null || skip "the user logbook exists on this machine"
	before=$(sums)
	unset LOGBOOK_DIR
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	DEB_TOUCHED=1
	run dpkg -i "$deb"
	[ "$status" -eq 0 ] || fail "$output"
	[ -x /usr/bin/logbook ]
	# the package enables nothing by itself: setup does
	[ -z "$(find /etc/systemd -name 'logbook-*' 2>/dev/null)" ]

	run logbook setup --timezone UTC
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"group logbook: created"* ]]
	[[ "$output" == *"user logbook: created"* ]]
	[ "$(id -gn logbook)" = logbook ]
	[[ "$output" == *"hook in /etc/bash.bashrc: added"* ]]
	[ "$(stat -c %U:%G:%a /var/lib/logbook)" = logbook:logbook:2770 ]
	# the user logbook alone runs git in the journal, with a key of its own, git-shell for the others
	[ "$(getent passwd logbook | cut -d: -f6,7)" = /var/lib/logbook-home:/usr/bin/git-shell ]
	[ "$(stat -c %U:%a /var/lib/logbook/.git /var/lib/logbook/.git/config)" = "logbook:2755
logbook:644" ]
	[ "$(stat -c %U:%a /var/lib/logbook-home/.ssh/id_ed25519)" = logbook:600 ]
	key=$(cut -d' ' -f1,2 /var/lib/logbook-home/.ssh/id_ed25519.pub)
	[[ "$output" == *"logbook setup --accept-replica '$key logbook@"* ]] || fail "$output"
	grep -q '^# >>> logbook >>>' /etc/bash.bashrc
	if command -v systemctl >/dev/null; then
		[ -L /etc/systemd/system/timers.target.wants/logbook-sync.timer ]
	fi

	# a new interactive bash, with the system's bash.bashrc, records
	HOOK_LINE=". /etc/bash.bashrc"
	start_shell bash
	type_cmd 'echo recorded-from-the-package'
	type_cmd "logbook doctor >'$BATS_TEST_TMPDIR/doctor.out' 2>&1; echo \$? >'$BATS_TEST_TMPDIR/doctor.rc'"
	end_shell
	[ "$(cat "$BATS_TEST_TMPDIR/doctor.rc")" = 0 ] || fail "$(cat "$BATS_TEST_TMPDIR/doctor.out")"
	grep -q '^ok   hook in this shell: recording' "$BATS_TEST_TMPDIR/doctor.out"
	grep -q '^ok   hook in /etc/bash.bashrc' "$BATS_TEST_TMPDIR/doctor.out"
	run -1 grep '^FAIL' "$BATS_TEST_TMPDIR/doctor.out"
	run logbook show --json
	[[ "$output" == *'"cmd":"echo recorded-from-the-package"'* ]] || fail "$output"
	logbook note "set up from the Debian package"
	logbook show | grep -q "set up from the Debian package"
	# the packaged logbook runs the packaged mail helper, and links no GMime itself
	printf 'From: root@localhost\nSubject: mail-from-the-package\nMessage-ID: <deb@test>\n\nbody\n' | logbook ingest-mail
	logbook show --json | grep -q '"subject":"mail-from-the-package"'
	! ldd /usr/bin/logbook | grep -q -E 'gmime|glib' || false

	# root's sync runs as logbook: what it writes under .state/sync is logbook's
	run logbook sync
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(stat -c %U /var/lib/logbook/.state/sync/commit."${LOGBOOK_HOST:-$(hostname)}")" = logbook ]

	# another replica's logbook, as this one: let in through --accept-replica, over a
	# real sshd that reads ~logbook/.ssh/authorized_keys with Debian's StrictModes
	start_sshd accounts
	run logbook setup --accept-replica "$(cat /var/lib/logbook-home/.ssh/id_ed25519.pub)"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$(cat /var/lib/logbook-home/.ssh/authorized_keys)" == "restrict $key logbook@"* ]]
	run logbook setup --accept-replica "$(cat /var/lib/logbook-home/.ssh/id_ed25519.pub)"
	[ "$(grep -c . /var/lib/logbook-home/.ssh/authorized_keys)" = 1 ]
	logbook remote add self "ssh://logbook@127.0.0.1:$PORT/var/lib/logbook"
	run logbook sync
	[ "$status" -eq 0 ] || fail "$output $(cat "$S/sshd.log")"
	run logbook doctor
	[[ "$output" == *"ok   remote self: reachable"* ]] || fail "$output"
	# the key lets in git and nothing else: no command, no shell
	run setpriv --reuid=logbook --regid=logbook --init-groups -- ssh -p "$PORT" -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null logbook@127.0.0.1 "id; touch /tmp/lb-ssh-ran"
	[ "$status" -ne 0 ]
	[[ "$output" != *"uid="* ]]
	[ ! -e /tmp/lb-ssh-ran ]
	stop_sshd
	logbook remote rm self

	run logbook setup --undo
	[ "$status" -eq 0 ] || fail "$output"
	run dpkg --purge logbook
	[ "$status" -eq 0 ] || fail "$output"
	rm -rf /var/lib/logbook
	DEB_TOUCHED=
	[ "$(sums)" = "$before" ] || fail "$(diff <(echo "$before") <(sums))"
	for f in /etc/bash.bashrc /etc/zsh/zshrc /etc/aliases; do
		[ ! -e "$f" ] || run -1 grep -F '# >>> logbook >>>' "$f"
	done
	[ -z "$(find /etc/systemd /lib/systemd /usr/lib/systemd /etc -name 'logbook-*' 2>/dev/null)" ]
	[ -z "$(find /etc -name '*.logbook-bak' 2>/dev/null)" ]
	[ ! -e /usr/bin/logbook ]
	run -2 getent passwd logbook
	[ ! -e /etc/logbook ]
	[ ! -e /var/lib/logbook-home ]
}
