#!/usr/bin/env bats
# Reboots and failed services as records: the boot record the first write
# of a new boot files (the boot id and the boot time come from
# $LOGBOOK_BOOT_ID and $LOGBOOK_BTIME here), the units that file them,
# and the OnFailure= handler `logbook unit-failed` with a fake systemctl
# and journalctl.

load lib

BOOT_A=aaaaaaaa-1111-4111-8111-111111111111
BOOT_B=bbbbbbbb-2222-4222-8222-222222222222

# lib's setup, then a PATH whose systemctl and journalctl are the test's
eval "lib_$(declare -f setup)"
setup() {
	lib_setup
	unset LOGBOOK_BOOT_ID LOGBOOK_BTIME
	BIN="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$BIN"
	# the machine's own system journal is not the test's: by default it cannot tell
	fake journalctl 'exit 1'
	fake systemctl 'exit 1'
	export PATH="$BIN:$PATH"
}

# a program of the test on PATH: fake NAME SHELL-CODE
fake() {
	printf '#!/bin/sh\n%s\n' "$2" >"$BIN/$1"
	chmod +x "$BIN/$1"
}

# the boot records of web1, one compact JSON object per line
boots() {
	cat "$LOGBOOK_DIR"/*/*/web1.jsonl | py -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["kind"] == "boot":
        print(json.dumps(r, separators=(",", ":")))'
}

# field KEY (a jq-like path a.b) of the Nth boot record (1-based)
boot_field() {
	boots | sed -n "${1}p" | py -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[k]
print(v if isinstance(v, str) else json.dumps(v))' "$2"
}

# as if the host had rebooted: a boot id and a boot time after everything written so far
in_boot() {
	local id=$1
	shift
	LOGBOOK_BOOT_ID=$id LOGBOOK_BTIME=$BTIME "$@"
}

@test "the first write of a new boot files one boot record; the next writes do not" {
	new_journal
	in_boot $BOOT_A lb note "before"
	BTIME=$(($(date +%s) + 5))
	run in_boot $BOOT_B lb note "after the reboot"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(boots | wc -l)" -eq 1 ]
	in_boot $BOOT_B lb note "again"
	in_boot $BOOT_B lb event "and an event"
	[ "$(boots | wc -l)" -eq 1 ]
	[ "$(boot_field 1 event)" = up ]
	[ "$(boot_field 1 boot_id)" = $BOOT_B ]
	[ "$(boot_field 1 admin)" = system ]
	[ "$(boot_field 1 account)" = root ]
	[ "$(boot_field 1 previous.boot_id)" = $BOOT_A ]
	# filed before the write that found it: the note follows it in the chain
	[ "$(boot_field 1 seq)" -eq 2 ]
	[ "$(jsonl field "$(day_file)" 3 text)" = "after the reboot" ]
	jsonl chain "$LOGBOOK_DIR" web1
}

@test "a host that has never written files no boot record" {
	new_journal
	BTIME=$(($(date +%s) + 5))
	in_boot $BOOT_B lb note "first words"
	[ "$(boots | wc -l)" -eq 0 ]
}

@test "the previous boot ended cleanly: its shutdown record says so, and when it went down" {
	new_journal
	in_boot $BOOT_A lb note "before"
	run in_boot $BOOT_A lb boot down
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(boot_field 1 event)" = down ]
	[ "$(boot_field 1 boot_id)" = $BOOT_A ]
	down_time=$(boot_field 1 time)
	BTIME=$(($(date +%s) + 5))
	in_boot $BOOT_B lb note "after"
	[ "$(boot_field 2 event)" = up ]
	[ "$(boot_field 2 previous.clean)" = true ]
	[ "$(boot_field 2 previous.evidence)" = "shutdown record" ]
	[ "$(boot_field 2 previous.down)" = "$down_time" ]
}

@test "the previous boot ended uncleanly: no shutdown record, and the system journal cannot tell" {
	new_journal
	in_boot $BOOT_A lb note "the last words"
	last=$(last_field time)
	BTIME=$(($(date +%s) + 5))
	in_boot $BOOT_B lb note "after the crash"
	[ "$(boot_field 1 previous.clean)" = false ]
	[ "$(boot_field 1 previous.evidence)" = "no shutdown record" ]
	# the last sign of life: the last record that boot wrote
	[ "$(boot_field 1 previous.down)" = "$last" ]
	run lb show --no-pager
	[[ "$output" == *"previous boot ended uncleanly (no shutdown record)"* ]] || fail "$output"
}

@test "without a shutdown record, the system journal's last lines of the previous boot decide" {
	new_journal
	fake journalctl '[ "$*" = "--no-pager --quiet -b -1 -n 30 -o cat" ] || exit 9
printf "Stopped target Basic System.\nReached target System Power Off.\n"'
	in_boot $BOOT_A lb note "before"
	BTIME=$(($(date +%s) + 5))
	in_boot $BOOT_B lb note "after a clean power-off"
	[ "$(boot_field 1 previous.clean)" = true ]
	[ "$(boot_field 1 previous.evidence)" = "system journal" ]
	fake journalctl 'printf "kernel: some driver said something\n"'
	BTIME=$(($(date +%s) + 10))
	in_boot $BOOT_A lb note "after a crash"
	[ "$(boot_field 2 previous.clean)" = false ]
	[ "$(boot_field 2 previous.evidence)" = "system journal" ]
}

@test "the boot record has the kernel and the boot time" {
	new_journal
	in_boot $BOOT_A lb note "before"
	BTIME=$(($(date +%s) + 5))
	in_boot $BOOT_B lb note "after"
	up=$(date -u -d "@$BTIME" +%Y-%m-%dT%H:%M:%S.000000Z)
	[ "$(boot_field 1 up)" = "$up" ]
	[ "$(boot_field 1 time)" = "$up" ]
	[ "$(boot_field 1 kernel)" = "$(uname -r)" ]
	run lb show --no-pager
	[[ "$output" == *"rebooted: down "*", up $(date -u -d "@$BTIME" +%H:%M), $(uname -r); previous boot ended uncleanly"* ]] ||
		fail "$output"
}

@test "writers racing at a new boot file one boot record" {
	new_journal
	in_boot $BOOT_A lb note "before"
	BTIME=$(($(date +%s) + 5))
	for i in 1 2 3 4 5 6; do
		in_boot $BOOT_B lb note "writer $i" >/dev/null &
	done
	wait
	[ "$(boots | wc -l)" -eq 1 ]
	[ "$(grep -c '"kind":"note"' "$(day_file)")" -eq 7 ]
	jsonl chain "$LOGBOOK_DIR" web1
}

@test "a chain cache a member rewrote does not make root file a reboot" {
	new_journal
	# this boot began before the records below: nothing rebooted since
	BTIME=$(($(date +%s) - 60))
	in_boot $BOOT_B lb note "written in this boot"
	# what a member of the group can write into the shared cache: another boot
	sed -i "s/ $BOOT_B / $BOOT_A /" "$LOGBOOK_DIR/.state/chain/web1"
	grep -q " $BOOT_A " "$LOGBOOK_DIR/.state/chain/web1"
	in_boot $BOOT_B lb note "root writes next"
	[ "$(boots | wc -l)" -eq 0 ]
	# so does a member's own process run with a boot id of its choosing
	LOGBOOK_BOOT_ID=$BOOT_A lb note "a member's note"
	in_boot $BOOT_B lb note "root again"
	[ "$(boots | wc -l)" -eq 0 ]
}

@test "boot up files the boot record alone; boot down files the shutdown record; usage" {
	new_journal
	in_boot $BOOT_A lb note "before"
	BTIME=$(($(date +%s) + 5))
	run in_boot $BOOT_B lb boot up
	[ "$status" -eq 0 ] || fail "$output"
	[ -z "$output" ]
	[ "$(boots | wc -l)" -eq 1 ]
	run in_boot $BOOT_B lb boot up
	[ "$(boots | wc -l)" -eq 1 ]
	run lb boot
	[ "$status" -eq 2 ]
	run lb boot sideways
	[ "$status" -eq 2 ]
	[[ "$output" == *"say up or down"* ]]
	run lb boot up extra
	[ "$status" -eq 2 ]
	run lb boot --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: logbook boot up|down"* ]]
}

@test "the failure handler files one critical event with the unit, its result and its log lines" {
	new_journal
	fake systemctl 'echo "$*" >>"'"$BATS_TEST_TMPDIR"'/systemctl.args"
printf "Result=exit-code\nExecMainCode=1\nExecMainStatus=3\n"'
	# shellcheck disable=SC2016 # the fake's own "$*"
	fake journalctl 'echo "$*" >>"'"$BATS_TEST_TMPDIR"'/journalctl.args"
for i in 1 2 3; do echo "2026-12-06T10:00:0$i+0000 web1 backup.sh[42]: rsync: line $i"; done'
	run lb unit-failed backup.service
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(grep -c '"kind":"event"' "$(day_file)")" -eq 1 ]
	[ "$(last_field source)" = systemd ]
	[ "$(last_field level)" = critical ]
	[ "$(last_field admin)" = system ]
	[ "$(last_field unit)" = backup.service ]
	[ "$(last_field result)" = exit-code ]
	text=$(last_field text)
	[[ "$text" == "backup.service failed (exit-code)"$'\n'* ]] || fail "$text"
	[[ "$text" == *"ExecMainStatus=3"* ]]
	[[ "$text" == *"backup.sh[42]: rsync: line 3"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/systemctl.args")" = "show --property=Result,ExecMainCode,ExecMainStatus -- backup.service" ]
	[ "$(cat "$BATS_TEST_TMPDIR/journalctl.args")" = "--no-pager --quiet --unit=backup.service -n 20 -o short-iso" ]
	run lb show --no-pager
	[[ "$output" == *"[critical] systemd: backup.service failed (exit-code)"* ]] || fail "$output"
}

@test "a hostile unit name is refused and runs nothing" {
	new_journal
	fake systemctl 'touch "'"$BATS_TEST_TMPDIR"'/ran"'
	fake journalctl 'touch "'"$BATS_TEST_TMPDIR"'/ran"'
	# shellcheck disable=SC2016 # names, not expansions
	for unit in --help.service -o.service '--unit=x.service' 'a b.service' 'x.service;id' '$(id).service' \
		../x.service .service backup nothing.conf "$(printf 'x\n.service')" "$(head -c 300 /dev/zero | tr '\0' a).service"; do
		run lb unit-failed -- "$unit"
		[ "$status" -eq 2 ] || fail "$unit: $status $output"
		[[ "$output" == *"is not a systemd unit name"* ]] || fail "$unit: $output"
	done
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
	[ ! -e "$(day_file)" ]
	# names systemd makes are accepted: an instance, an escaped one, a mount
	for unit in getty@tty1.service 'systemd-fsck@dev-disk-by\x2duuid-1234.service' srv-data.mount; do
		run lb unit-failed "$unit"
		[ "$status" -eq 0 ] || fail "$unit: $output"
	done
}

@test "the event is filed when journalctl fails or systemctl is missing, and says so" {
	new_journal
	fake journalctl 'echo "No journal files were found." >&2; exit 1'
	rm "$BIN/systemctl"
	run env PATH="$BIN" "$LOGBOOK" unit-failed backup.service
	[ "$status" -eq 0 ] || fail "$output"
	text=$(last_field text)
	[[ "$text" == "backup.service failed"$'\n'* ]] || fail "$text"
	[[ "$text" == *"(systemctl: cannot run systemctl"* ]] || fail "$text"
	[[ "$text" == *"(journalctl failed: exit status 1)"* ]] || fail "$text"
	run jsonl field "$(day_file)" -1 result
	[ "$status" -ne 0 ]
}

@test "a unit's output is bounded" {
	new_journal
	fake systemctl 'printf "Result=exit-code\n"; head -c 100000 /dev/zero | tr "\0" s'
	fake journalctl 'head -c 1000000 /dev/zero | tr "\0" j'
	run lb unit-failed backup.service
	[ "$status" -eq 0 ] || fail "$output"
	text=$(last_field text)
	[ "${#text}" -lt 40000 ]
	[[ "$text" == *"(journalctl: 967232 more bytes not kept)"* ]] || fail "${text: -200}"
}

@test "identical failures of one unit fold on the page, whatever their log lines" {
	new_journal
	fake systemctl 'printf "Result=exit-code\n"'
	fake journalctl 'date +%s%N'
	lb unit-failed backup.service
	lb unit-failed backup.service
	lb unit-failed backup.service
	fake systemctl 'printf "Result=timeout\n"'
	lb unit-failed backup.service
	run lb show --no-pager
	[[ "$output" == *"backup.service failed (exit-code)  (3 lines)  (3 times, last at"* ]] || fail "$output"
	[ "$(grep -c 'backup.service failed (timeout)' <<<"$output")" -eq 1 ]
}

@test "news and the digest count an unclean reboot and a failed unit as critical" {
	new_journal
	in_boot $BOOT_A lb note "before"
	BTIME=$(($(date +%s) + 5))
	in_boot $BOOT_B lb note "after"
	fake systemctl 'printf "Result=exit-code\n"'
	in_boot $BOOT_B lb unit-failed backup.service
	run env LOGBOOK_USER=bob "$LOGBOOK" news --no-pager
	[[ "$output" == *"rebooted: "*"previous boot ended uncleanly"* ]] || fail "$output"
	[[ "$output" == *"event [critical] systemd: backup.service failed (exit-code)"* ]] || fail "$output"
	run lb digest today
	[[ "$output" == *"Subject: [logbook] $(today): 1 host, 2 critical"* ]] || fail "$output"
	[[ "$output" == *"critical   "*"boot: rebooted: "* ]] || fail "$output"
}

# a root with the units of dist/ where systemd looks for them, the programs
# their ExecStart names, and systemd's own targets
unit_root() {
	ROOT="$BATS_TEST_TMPDIR/root"
	mkdir -p "$ROOT/usr/lib/systemd/system" "$ROOT/usr/local/bin" "$ROOT/bin" "$ROOT/etc/systemd/system"
	cp "$BATS_TEST_DIRNAME"/../dist/*.service "$BATS_TEST_DIRNAME"/../dist/*.timer "$BATS_TEST_DIRNAME"/../dist/*.path \
		"$ROOT/usr/lib/systemd/system/"
	cp -R "$BATS_TEST_DIRNAME"/../dist/*.service.d "$ROOT/usr/lib/systemd/system/"
	cp "$LOGBOOK" "$ROOT/usr/local/bin/logbook"
	cp /bin/true "$ROOT/bin/true"
}

@test "systemd-analyze verify accepts every unit of dist/ with setup's drop-in" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	[ -d /lib/systemd/system ] || skip "systemd's own units are not installed"
	unit_root
	cp -n /lib/systemd/system/*.target /lib/systemd/system/*.slice "$ROOT/usr/lib/systemd/system/"
	new_journal
	lb setup --root "$ROOT" >/dev/null 2>&1 || true
	[ -f "$ROOT/etc/systemd/system/service.d/10-logbook-onfailure.conf" ]
	cd "$ROOT/usr/lib/systemd/system"
	units=(logbook-*.service logbook-*.timer logbook-*.path)
	units=("${units[@]/logbook-failure@.service/logbook-failure@backup.service.service}")
	run systemd-analyze verify --man=no --root="$ROOT" "${units[@]}"
	[ "$status" -eq 0 ] || fail "$output"
	[ -z "$output" ] || fail "$output"
	# a drop-in systemd cannot read is reported: verify reads setup's
	printf '[Unit]\nNoSuchKey=1\n' >"$ROOT/etc/systemd/system/service.d/20-test.conf"
	run systemd-analyze verify --man=no --root="$ROOT" logbook-boot.service
	[[ "$output" == *"20-test.conf"*"NoSuchKey"* ]] || fail "$output"
	# the handler's reset sorts after the drop-in that names the handler: it never handles itself
	[ "$(printf '%s\n' 10-logbook-onfailure.conf logbook-failure@.service.d/*.conf | xargs -n1 basename | sort | tail -n 1)" = \
		99-logbook-no-onfailure.conf ]
	grep -qx 'OnFailure=' logbook-failure@.service.d/99-logbook-no-onfailure.conf
}

@test "setup installs the OnFailure= drop-in byte for byte, doctor checks it, undo removes it" {
	command -v systemctl >/dev/null || skip "systemctl is not installed"
	unit_root
	mkdir -p "$ROOT/etc/zsh"
	: >"$ROOT/etc/bash.bashrc"
	: >"$ROOT/etc/zsh/zshrc"
	unset LOGBOOK_DIR
	rm "$BIN/systemctl"
	dropin="$ROOT/etc/systemd/system/service.d/10-logbook-onfailure.conf"
	run lb setup --root "$ROOT"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"$dropin: installed"* ]] || fail "$output"
	[[ "$output" == *"logbook-boot.service: enabled"* ]] || fail "$output"
	[[ "$output" == *"logbook-shutdown.service: enabled"* ]] || fail "$output"
	[ -L "$ROOT/etc/systemd/system/multi-user.target.wants/logbook-shutdown.service" ]
	printf '%s\n' "# logbook setup: every service that fails is filed in the journal (logbook unit-failed)" \
		"# logbook setup --undo removes this file" "[Unit]" "OnFailure=logbook-failure@%n.service" >"$BATS_TEST_TMPDIR/want"
	cmp "$dropin" "$BATS_TEST_TMPDIR/want"
	[ "$(stat -c %a "$dropin")" = 644 ]
	run lb setup --root "$ROOT"
	[[ "$output" == *"$dropin: installed already"* ]] || fail "$output"
	run lb doctor --root "$ROOT"
	[[ "$output" == *"failed services"*"logbook-failure@.service"* ]] || fail "$output"
	run lb setup --root "$ROOT" --undo
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"$dropin: removed"* ]] || fail "$output"
	[ ! -e "$dropin" ]
	[ ! -e "$ROOT/etc/systemd/system/service.d" ]
	[ ! -e "$ROOT/etc/systemd/system/multi-user.target.wants/logbook-shutdown.service" ]
	run lb doctor --root "$ROOT"
	[[ "$output" == *"failed services"*"failed services are not filed"* ]] || fail "$output"
	# one an admin changed is left as it is, by setup and by undo
	mkdir -p "$(dirname "$dropin")"
	printf '[Unit]\nOnFailure=my-handler@%%n.service\n' >"$dropin"
	cp "$dropin" "$BATS_TEST_TMPDIR/mine"
	run lb setup --root "$ROOT"
	[[ "$output" == *"$dropin: changed by hand: left as it is"* ]] || fail "$output"
	run lb setup --root "$ROOT" --undo
	[[ "$output" == *"$dropin: changed since setup wrote it: left as it is"* ]] || fail "$output"
	cmp "$dropin" "$BATS_TEST_TMPDIR/mine"
}

@test "under a real systemd, a failing transient unit is filed" {
	[ -d /run/systemd/system ] || skip "systemd does not run this machine (no /run/systemd/system): the handler is run directly above"
	command -v systemd-run >/dev/null || skip "systemd-run is not installed"
	new_journal
	let_others_in
	# a handler of the test's own, in the runtime unit directory (gone at reboot), on the test's journal
	handler="logbook-test-$$-failure@.service"
	printf '[Service]\nType=oneshot\nEnvironment=LOGBOOK_HOST=web1 LOGBOOK_SECRETS=/nonexistent\nExecStart=%s -C %s unit-failed %%i\n' \
		"$LOGBOOK" "$LOGBOOK_DIR" >"/run/systemd/system/$handler"
	/usr/bin/systemctl daemon-reload
	/usr/bin/systemd-run --quiet --unit="logbook-test-$$-fails" -p "OnFailure=logbook-test-$$-failure@%n.service" /bin/false || true
	for _ in $(seq 50); do
		[ -e "$(day_file)" ] && grep -q "logbook-test-$$-fails.service" "$(day_file)" && break
		sleep 0.2
	done
	rm -f "/run/systemd/system/$handler"
	/usr/bin/systemctl reset-failed "logbook-test-$$-fails.service" 2>/dev/null || true
	/usr/bin/systemctl daemon-reload
	[ "$(last_field unit)" = "logbook-test-$$-fails.service" ]
	[ "$(last_field result)" = exit-code ]
}
