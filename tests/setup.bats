#!/usr/bin/env bats
# logbook setup and setup --undo on a scratch root (--root): the journal,
# the hook blocks, the timers; idempotent, reversible, and a new bash
# that reads the edited bash.bashrc records its commands.

load lib
load shell

# a scratch root with what a Debian server has: bash.bashrc, /etc/zsh, the units
make_root() {
	ROOT="$BATS_TEST_TMPDIR/root"
	mkdir -p "$ROOT/etc/zsh" "$ROOT/usr/lib/systemd/system"
	printf '# System-wide .bashrc file for interactive bash(1) shells.\n[ -z "$PS1" ] && return\nPS1=%s\n' "'\\u@\\h:\\w\\$ '" >"$ROOT/etc/bash.bashrc"
	printf '# /etc/zsh/zshrc: system-wide .zshrc file for zsh(1).\n' >"$ROOT/etc/zsh/zshrc"
	cp "$BATS_TEST_DIRNAME"/../dist/*.service "$BATS_TEST_DIRNAME"/../dist/*.timer "$ROOT/usr/lib/systemd/system/"
	JOURNAL="$ROOT/var/lib/logbook"
	unset LOGBOOK_DIR
	# the hook line runs "logbook" from PATH, as on a server
	export PATH="$(dirname "$LOGBOOK"):$PATH"
}

etc_sums() {
	(cd "$ROOT/etc" && find . \( -type f -o -type l \) -printf '%p %l\n' | sort && find . -type f -print0 | sort -z | xargs -0r sha256sum)
}

needs_systemctl() {
	command -v systemctl >/dev/null || skip "systemctl is not installed"
}

@test "setup on a scratch root: journal, hook blocks, timers; the second run changes nothing" {
	needs_systemctl
	make_root
	run lb setup --root "$ROOT" --timezone Europe/Paris
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"journal: Created a logbook journal in $JOURNAL (time zone Europe/Paris"* ]]
	[[ "$output" == *"hook in $ROOT/etc/bash.bashrc: added (the file as it was: $ROOT/etc/bash.bashrc.logbook-bak)"* ]]
	[[ "$output" == *"hook in $ROOT/etc/zsh/zshrc: added"* ]]
	[[ "$output" == *"logbook-sync.timer: enabled"* ]]
	[[ "$output" == *"Still to do:"*"logbook team add NAME"* ]]
	[ -f "$JOURNAL/team.conf" ]
	[ "$(stat -c %a "$JOURNAL")" = 2770 ]
	grep -qF "eval \"\$(logbook -C '$JOURNAL' hook bash)\"" "$ROOT/etc/bash.bashrc"
	grep -qF "hook zsh" "$ROOT/etc/zsh/zshrc"
	for t in ingest scan sync; do
		[ -L "$ROOT/etc/systemd/system/timers.target.wants/logbook-$t.timer" ]
	done
	before=$(etc_sums)
	run lb setup --root "$ROOT"
	[ "$status" -eq 0 ]
	[[ "$output" == *"journal: $JOURNAL exists"* ]]
	[[ "$output" == *"hook in $ROOT/etc/bash.bashrc: in place"* ]]
	[[ "$output" == *"logbook-sync.timer: enabled already"* ]]
	[ "$(etc_sums)" = "$before" ]
}

@test "setup --undo gives back every file as it was and keeps the journal" {
	needs_systemctl
	make_root
	printf 'no final newline' >>"$ROOT/etc/zsh/zshrc"
	before=$(etc_sums)
	lb setup --root "$ROOT" >/dev/null
	lb -C "$JOURNAL" note "kept across undo"
	run lb setup --root "$ROOT" --undo
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"hook in $ROOT/etc/bash.bashrc: removed"* ]]
	[[ "$output" == *"logbook-sync.timer: disabled"* ]]
	[[ "$output" == *"journal: $JOURNAL kept"* ]]
	[ "$(etc_sums)" = "$before" ] || fail "$(diff <(echo "$before") <(etc_sums))"
	run -1 grep -r 'logbook >>>' "$ROOT/etc"
	[ -z "$(find "$ROOT/etc" -name '*logbook*')" ]
	lb -C "$JOURNAL" show | grep -q "kept across undo"
	# undo again: nothing to do
	run lb setup --root "$ROOT" --undo
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to remove"* ]]
}

@test "a new interactive bash that reads the edited bash.bashrc records its commands" {
	make_root
	lb setup --root "$ROOT" >/dev/null
	HOOK_LINE=". '$ROOT/etc/bash.bashrc'"
	start_shell bash
	type_cmd 'echo recorded-by-setup'
	run lb -C "$JOURNAL" show --json
	[[ "$output" == *'"cmd":"echo recorded-by-setup"'* ]] || fail "$output"
}

@test "bash.bashrc's block goes above Debian's return; an older setup's block at the end is moved, undo still exact" {
	make_root
	cp "$BATS_TEST_DIRNAME/debian-bash.bashrc" "$ROOT/etc/bash.bashrc"
	pristine=$(cat "$ROOT/etc/bash.bashrc"; echo .)
	lb setup --root "$ROOT" >/dev/null
	head -n 1 "$ROOT/etc/bash.bashrc" | grep -q '^# >>> logbook >>>'
	# the block runs before the return: a non-interactive bash from sshd reaches it
	first_return=$(grep -n 'return' "$ROOT/etc/bash.bashrc" | grep -v 'logbook' | head -n 1 | cut -d: -f1)
	block_end=$(grep -n '^# <<< logbook <<<' "$ROOT/etc/bash.bashrc" | cut -d: -f1)
	[ "$block_end" -lt "$first_return" ]
	grep -qF "hook --command bash" "$ROOT/etc/bash.bashrc"
	lb setup --root "$ROOT" --undo >/dev/null
	[ "$(cat "$ROOT/etc/bash.bashrc"; echo .)" = "$pristine" ]
	# the block an older setup appended to the end
	rm -f "$ROOT/etc/bash.bashrc.logbook-bak"
	printf '%s\n' "# >>> logbook >>> added by 'logbook setup'; 'logbook setup --undo' removes it" \
		"case \$- in *i*) command -v logbook >/dev/null 2>&1 && eval \"\$(logbook hook bash)\" ;; esac" \
		'# <<< logbook <<<' >>"$ROOT/etc/bash.bashrc"
	run lb setup --root "$ROOT"
	[[ "$output" == *"hook in $ROOT/etc/bash.bashrc: added"* ]] || fail "$output"
	head -n 1 "$ROOT/etc/bash.bashrc" | grep -q '^# >>> logbook >>>'
	[ "$(grep -c '^# >>> logbook >>>' "$ROOT/etc/bash.bashrc")" -eq 1 ]
	run lb setup --root "$ROOT"
	[[ "$output" == *"hook in $ROOT/etc/bash.bashrc: in place"* ]] || fail "$output"
	lb setup --root "$ROOT" --undo >/dev/null
	[ "$(cat "$ROOT/etc/bash.bashrc"; echo .)" = "$pristine" ]
}

@test "a new interactive zsh that reads the edited zshrc records its commands" {
	make_root
	lb setup --root "$ROOT" >/dev/null
	HOOK_LINE=". '$ROOT/etc/zsh/zshrc'"
	start_shell zsh
	type_cmd 'echo zsh-recorded-by-setup'
	run lb -C "$JOURNAL" show --json
	[[ "$output" == *'"cmd":"echo zsh-recorded-by-setup"'* ]] || fail "$output"
}

@test "setup --join clones the team's journal" {
	make_root
	HUB="$BATS_TEST_TMPDIR/hub.git"
	git init -q --bare "$HUB"
	first="$BATS_TEST_TMPDIR/first"
	lb init --timezone UTC "$first" >/dev/null
	LOGBOOK_HOST=backup lb -C "$first" note "from the first server"
	LOGBOOK_HOST=backup lb -C "$first" remote add hub "$HUB"
	LOGBOOK_HOST=backup lb -C "$first" sync >/dev/null
	run lb setup --root "$ROOT" --join "$HUB"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"journal: Cloned the logbook journal of $HUB into $JOURNAL"* ]]
	lb -C "$JOURNAL" show | grep -q "from the first server"
	[[ "$output" != *"logbook remote add"* ]]
}

@test "logbook-digest.timer is enabled only when team.conf has digest.to" {
	needs_systemctl
	make_root
	printf '[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n' >"$ROOT/usr/lib/systemd/system/logbook-digest.timer"
	run lb setup --root "$ROOT"
	[[ "$output" == *"logbook-digest.timer: not enabled: team.conf has no digest.to"* ]]
	[ ! -e "$ROOT/etc/systemd/system/timers.target.wants/logbook-digest.timer" ]
	git config -f "$JOURNAL/team.conf" digest.to admins@example.org
	run lb setup --root "$ROOT"
	[[ "$output" == *"logbook-digest.timer: enabled"* ]]
	[ -L "$ROOT/etc/systemd/system/timers.target.wants/logbook-digest.timer" ]
	lb setup --root "$ROOT" --undo >/dev/null
	[ ! -e "$ROOT/etc/systemd/system/timers.target.wants/logbook-digest.timer" ]
}

@test "the mail alias is only offered, and added with --mail-alias" {
	make_root
	if ! lb help | grep -q '^  ingest-mail '; then
		run lb setup --root "$ROOT" --mail-alias
		[[ "$output" == *"mail: this logbook has no ingest-mail"* ]]
		[ ! -e "$ROOT/etc/aliases" ]
		return
	fi
	printf 'postmaster: root\n' >"$ROOT/etc/aliases"
	run lb setup --root "$ROOT"
	[[ "$output" == *"add to $ROOT/etc/aliases"* ]]
	[ "$(cat "$ROOT/etc/aliases")" = "postmaster: root" ]
	run lb setup --root "$ROOT" --mail-alias
	grep -q '^logbook: "|.* ingest-mail"$' "$ROOT/etc/aliases"
	lb setup --root "$ROOT" --undo >/dev/null
	[ "$(cat "$ROOT/etc/aliases")" = "postmaster: root" ]
}

@test "with postfix, --mail-alias writes logbook's alias file and adds it to alias_maps; undo gives main.cf back" {
	make_root
	lb help | grep -q '^  ingest-mail ' || skip "this logbook has no ingest-mail"
	command -v postconf >/dev/null || [ -x /usr/sbin/postconf ] || skip "postfix is not installed"
	export PATH="$PATH:/usr/sbin"
	mkdir -p "$ROOT/etc/postfix"
	printf 'myhostname = web1\nalias_maps = hash:/etc/aliases, nis:mail.aliases\n' >"$ROOT/etc/postfix/main.cf"
	cp "$ROOT/etc/postfix/main.cf" "$BATS_TEST_TMPDIR/main.cf"
	run lb setup --root "$ROOT"
	[[ "$output" == *"run setup --mail-alias: it writes"*"to /etc/logbook/aliases, owned by the user logbook"* ]] || fail "$output"
	[ ! -e "$ROOT/etc/logbook/aliases" ]
	run lb setup --root "$ROOT" --mail-alias
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"user logbook: not made under the root $ROOT"* ]]
	grep -qx "logbook: \"|/.*/logbook -C $JOURNAL ingest-mail\"" "$ROOT/etc/logbook/aliases" || fail "$(cat "$ROOT/etc/logbook/aliases")"
	[ -e "$ROOT/etc/logbook/aliases.db" ]
	[ "$(postconf -c "$ROOT/etc/postfix" -h alias_maps 2>/dev/null)" = "hash:/etc/aliases, nis:mail.aliases, hash:$ROOT/etc/logbook/aliases" ]
	[ "$(postconf -c "$ROOT/etc/postfix" -h alias_database 2>/dev/null)" = "hash:/etc/aliases, hash:$ROOT/etc/logbook/aliases" ]
	# /etc/aliases is not touched: postfix reads logbook's own file
	[ ! -e "$ROOT/etc/aliases" ]
	# again: nothing changes
	run lb setup --root "$ROOT" --mail-alias
	[[ "$output" == *"alias_maps: has hash:$ROOT/etc/logbook/aliases"* ]] || fail "$output"
	run lb setup --root "$ROOT" --undo
	[ "$status" -eq 0 ] || fail "$output"
	cmp "$BATS_TEST_TMPDIR/main.cf" "$ROOT/etc/postfix/main.cf" || fail "$(diff "$BATS_TEST_TMPDIR/main.cf" "$ROOT/etc/postfix/main.cf")"
	[ ! -e "$ROOT/etc/logbook" ]
}

@test "a block damaged by hand stops that step, says the line, and the other steps are done" {
	make_root
	printf '# >>> logbook >>> added by hand\n' >>"$ROOT/etc/bash.bashrc"
	before=$(sha256sum <"$ROOT/etc/bash.bashrc")
	run --separate-stderr lb setup --root "$ROOT"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"setup: hook in $ROOT/etc/bash.bashrc: $ROOT/etc/bash.bashrc: line 4: '# >>> logbook >>>' is never ended by '# <<< logbook <<<'; fix the file by hand"* ]] || fail "$stderr"
	[ "$(sha256sum <"$ROOT/etc/bash.bashrc")" = "$before" ]
	[[ "$output" == *"hook in $ROOT/etc/zsh/zshrc: added"* ]]
}

@test "setup on this system needs root; usage errors exit 2" {
	run as_nobody env -u LOGBOOK_ROOT "$LOGBOOK" setup
	[ "$status" -eq 1 ]
	[[ "$output" == *"setup: run it as root"* ]]
	run lb setup --undo --join x
	[ "$status" -eq 2 ]
	run lb setup extra
	[ "$status" -eq 2 ]
	run lb setup --root relative/dir
	[ "$status" -eq 1 ]
	[[ "$output" == *"give an absolute path"* ]]
}
