#!/usr/bin/env bats
# logbook doctor: each check says ok, or FAIL with what is wrong and the
# command that fixes it; exit 1 when one failed.  Each failure that can be
# made cheaply is made here.

load lib
load shell

# a set-up scratch root and its journal ($LOGBOOK_DIR), healthy
healthy() {
	ROOT="$BATS_TEST_TMPDIR/root"
	mkdir -p "$ROOT/etc/zsh"
	printf '[ -z "$PS1" ] && return\n' >"$ROOT/etc/bash.bashrc"
	export PATH="$(dirname "$LOGBOOK"):$PATH"
	lb -C "$LOGBOOK_DIR" setup --root "$ROOT" --timezone UTC >/dev/null
}

# doctor's line for a check (the FAIL line and its fix line)
line_of() {
	grep -A1 -E "^(ok  |FAIL|--  ) $1:" <<<"$output" || fail "no line for '$1' in: $output"
}

@test "a healthy scratch server: every check ok or not checked here, exit 0" {
	healthy
	run lb doctor --root "$ROOT"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" != *FAIL* ]]
	line_of journal | grep -q '^ok   journal:'
	line_of "journal permissions" | grep -q "^ok .*shared with the group"
	line_of spool | grep -q '^ok'
	line_of "hook in $ROOT/etc/bash.bashrc" | grep -q '^ok'
	line_of "hook in $ROOT/etc/zsh/zshrc" | grep -q '^ok'
	line_of git | grep -q '^ok'
	line_of "hook in this shell" | grep -q '^--   hook in this shell: not run from an interactive shell'
	line_of timers | grep -q '^--'
	line_of "agent key" | grep -q '^--   agent key: team.conf lists no keys'
	line_of "disk space" | grep -q '^ok'
	line_of index | grep -q '^ok   index: not built yet'
	[[ "${lines[-1]}" == *" ok, 0 failed, "*" not checked" ]]
}

@test "no journal: FAIL and the fix" {
	run lb -C "$BATS_TEST_TMPDIR/none" doctor --root /
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "FAIL journal: $BATS_TEST_TMPDIR/none: no journal here"* ]]
	[ "${lines[1]}" = "  fix: logbook setup (or logbook setup --join URL)" ]
}

@test "missing hook in the system rc files: FAIL, fix logbook setup" {
	healthy
	lb -C "$LOGBOOK_DIR" setup --root "$ROOT" --undo >/dev/null
	run lb doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of "hook in $ROOT/etc/bash.bashrc" | grep -qx "FAIL hook in $ROOT/etc/bash.bashrc: no logbook hook: new bash shells do not record"
	line_of "hook in $ROOT/etc/bash.bashrc" | grep -qx "  fix: logbook setup --root $ROOT"
}

@test "an older setup's bash.bashrc block, at the end: FAIL, ssh HOST CMD is not recorded; setup moves it" {
	healthy
	lb -C "$LOGBOOK_DIR" setup --root "$ROOT" --undo >/dev/null
	printf '%s\n' "# >>> logbook >>> added by 'logbook setup'; 'logbook setup --undo' removes it" \
		"case \$- in *i*) command -v logbook >/dev/null 2>&1 && eval \"\$(logbook hook bash)\" ;; esac" \
		'# <<< logbook <<<' >>"$ROOT/etc/bash.bashrc"
	run lb doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of "hook in $ROOT/etc/bash.bashrc" | grep -q "^FAIL hook in $ROOT/etc/bash.bashrc: new bash shells record, but not the commands of ssh HOST CMD" || fail "$output"
	lb -C "$LOGBOOK_DIR" setup --root "$ROOT" >/dev/null
	run lb doctor --root "$ROOT"
	line_of "hook in $ROOT/etc/bash.bashrc" | grep -q '^ok' || fail "$output"
}

@test "a spool that cannot be written: FAIL" {
	healthy
	mkdir -p "$LOGBOOK_DIR/.state"
	rm -rf "$LOGBOOK_DIR/.state/spool"
	: >"$LOGBOOK_DIR/.state/spool"
	run lb doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of spool | grep -q "^FAIL spool: $LOGBOOK_DIR/.state/spool is not a directory"
	rm "$LOGBOOK_DIR/.state/spool"
	mkdir -m 0755 "$LOGBOOK_DIR/.state/spool"
	let_others_in
	chmod o+rx "$LOGBOOK_DIR" "$LOGBOOK_DIR/.state"
	chmod o+r "$LOGBOOK_DIR/team.conf"
	run as_nobody "$LOGBOOK" doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of spool | grep -q "^FAIL spool: nobody cannot write $LOGBOOK_DIR/.state/spool: Permission denied" || fail "$output"
	line_of "journal permissions" | grep -q "^FAIL"
}

@test "files the group cannot use: FAIL with the chgrp and chmod that fix them" {
	healthy
	chmod 0600 "$LOGBOOK_DIR/team.conf"
	run lb doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of "journal permissions" | grep -q "^FAIL journal permissions: 1 file not usable by the group .*, first $LOGBOOK_DIR/team.conf"
	line_of "journal permissions" | grep -q "^  fix: chgrp -R .* && chmod -R g+rwX $LOGBOOK_DIR .*&& chmod -R go-w $LOGBOOK_DIR/.git && find $LOGBOOK_DIR/.state/spool -mindepth 1 -exec chmod go-rwx {} +\$"
}

@test "an account's own spool directory (0700) in a shared journal is not a permission problem" {
	healthy
	# as a shell's start makes it: .state/spool/<uid>, 0700, and the session's spool
	lb hook bash >/dev/null
	[ -z "$(find "$LOGBOOK_DIR/.state/spool/$(id -u)" -maxdepth 0 -perm /077)" ]
	ls "$LOGBOOK_DIR/.state/spool/$(id -u)/"*.spool >/dev/null
	run lb doctor --root "$ROOT"
	line_of "journal permissions" | grep -q "^ok   journal permissions" || fail "$output"
}

@test "remotes: an unreachable one fails, a reachable one is ok once sync reached it" {
	healthy
	HUB="$BATS_TEST_TMPDIR/hub.git"
	git init -q --bare "$HUB"
	lb remote add hub "$HUB"
	lb remote add gone "$BATS_TEST_TMPDIR/no-such-hub"
	run lb doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of "remote hub" | grep -q '^ok   remote hub: reachable'
	line_of "remote gone" | grep -q '^FAIL remote gone: cannot be reached'
	line_of "last sync hub" | grep -q '^FAIL last sync hub: sync never reached hub from this host'
	line_of "last sync hub" | grep -q '^  fix: logbook sync'
	# no background sync after the note: it would race with the touch below
	git config -f "$LOGBOOK_DIR/team.conf" sync.auto false
	lb note "before the sync"
	lb sync >/dev/null 2>&1 || true
	lb remote rm gone
	run lb doctor --root "$ROOT"
	[ "$status" -eq 0 ] || fail "$output"
	line_of "last sync hub" | grep -q "^ok   last sync hub: $(date -u +%Y-%m-%d)"
	# and a sync long ago is stale
	touch -d '3 days ago' "$LOGBOOK_DIR/.state/sync/ok.hub"
	run lb doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of "last sync hub" | grep -q '^FAIL last sync hub: .*, 7[0-9] hours ago'
}

@test "agent key: none in the agent fails, the admin's key in the agent is ok" {
	healthy
	K="$BATS_TEST_TMPDIR/keys"
	mkdir -p "$K"
	ssh-keygen -q -t ed25519 -N '' -f "$K/alice" -C alice@laptop
	ssh-keygen -q -t ed25519 -N '' -f "$K/other"
	lb team add alice --key "$K/alice.pub" >/dev/null
	run env -u SSH_AUTH_SOCK "$LOGBOOK" doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of "agent key" | grep -q '^FAIL agent key: '
	line_of "agent key" | grep -q '^  fix: ssh -A'
	eval "$(ssh-agent -s)" >/dev/null
	ssh-add -q "$K/other" 2>/dev/null
	run lb doctor --root "$ROOT"
	line_of "agent key" | grep -q "^FAIL agent key: none of the 1 key in the agent is alice's (team.conf: SHA256:"
	ssh-add -q "$K/alice" 2>/dev/null
	run lb doctor --root "$ROOT"
	line_of "agent key" | grep -q "^ok   agent key: the agent holds a key of alice listed in team.conf"
	run env LOGBOOK_USER=bob "$LOGBOOK" doctor --root "$ROOT"
	line_of "agent key" | grep -q "^FAIL agent key: team.conf has no key of bob"
	kill "$SSH_AGENT_PID"
}

@test "agent key on a shared root: FAIL explains LOGBOOK_USER and one's own key, never 'team add root'" {
	[ "$(id -u)" -eq 0 ] || skip "needs root: the shared account is root"
	healthy
	K="$BATS_TEST_TMPDIR/keys"
	mkdir -p "$K"
	ssh-keygen -q -t ed25519 -N '' -f "$K/alice" -C alice@laptop
	lb team add alice --key "$K/alice.pub" >/dev/null
	# no LOGBOOK_USER, no key that opened the session: the login uid or the account names root
	run env -u LOGBOOK_USER -u SSH_USER_AUTH -u SUDO_USER "$LOGBOOK" doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of "agent key" | grep -qE "^FAIL agent key: root is an account the admins share: logbook took its name for yours \((account|login uid)\) and cannot tell who you are$" ||
		fail "$output"
	line_of "agent key" | grep -qx '  fix: log in with your own key listed in team.conf (the server'"'"'s sshd needs ExposeAuthInfo yes, which gives $SSH_USER_AUTH), or: export LOGBOOK_USER=NAME' ||
		fail "$output"
	[[ "$output" != *"team add root"* ]] || fail "$output"
	# an admin without a key of theirs is still told to add one
	run env LOGBOOK_USER=bob "$LOGBOOK" doctor --root "$ROOT"
	line_of "agent key" | grep -qx "  fix: logbook team add bob --key ~/.ssh/id_ed25519.pub" || fail "$output"
}

@test "a corrupt index: FAIL; rebuilt by a search, ok" {
	healthy
	lb note "something to index"
	lb search something >/dev/null
	run lb doctor --root "$ROOT"
	line_of index | grep -q '^ok   index: .* passes SQLite.s quick_check'
	# the index and a write-ahead log (one a killed command left) both damaged
	for f in index.sqlite index.sqlite-wal; do
		printf 'this is not an SQLite database, not at all, no, it is garbage' | dd of="$LOGBOOK_DIR/.state/$f" conv=notrunc 2>/dev/null
	done
	run lb doctor --root "$ROOT"
	[ "$status" -eq 1 ]
	line_of index | grep -q "^FAIL index: $LOGBOOK_DIR/.state/index.sqlite: "
	line_of index | grep -qF "  fix: rm $LOGBOOK_DIR/.state/index.sqlite $LOGBOOK_DIR/.state/index.sqlite-wal $LOGBOOK_DIR/.state/index.sqlite-shm"
	lb search something >/dev/null
	run lb doctor --root "$ROOT"
	line_of index | grep -q '^ok'
}

@test "little disk space left: FAIL" {
	[ "$(id -u)" -eq 0 ] || skip "mounting a small tmpfs needs root"
	mkdir -p "$BATS_TEST_TMPDIR/disk"
	mount -t tmpfs -o size=2m tmpfs "$BATS_TEST_TMPDIR/disk" || skip "cannot mount a tmpfs here"
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/disk/journal"
	new_journal
	run lb doctor --root /
	line_of "disk space" | grep -q '^FAIL disk space: [0-9]* MiB free for the journal (under 100 MiB)'
}

@test "in a hooked interactive bash: this shell records; without the hook on a terminal: FAIL" {
	new_journal
	start_shell bash
	type_cmd "\"$LOGBOOK\" doctor --root / >\"$BATS_TEST_TMPDIR/doctor.out\""
	grep -q '^ok   hook in this shell: recording (session ' "$BATS_TEST_TMPDIR/doctor.out"
	run on_tty env -u LOGBOOK_SESSION "$LOGBOOK" doctor --root /
	[[ "$output" == *"FAIL hook in this shell: this shell does not record its commands"* ]]
}

@test "commands waiting for an entry are shown, not a failure" {
	healthy
	new_journal 2>/dev/null || true
	printf 'echo hi\n' >"$BATS_TEST_TMPDIR/hist"
	lb import --bash-history "$BATS_TEST_TMPDIR/hist" >/dev/null
	run lb doctor --root "$ROOT"
	[ "$status" -eq 0 ] || fail "$output"
	line_of "unsigned work" | grep -q '^--   unsigned work: 1 command of alice on web1 in no entry yet (logbook commit)'
}

@test "doctor usage" {
	run lb doctor extra
	[ "$status" -eq 2 ]
	run lb doctor --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Exit status"* ]]
}
