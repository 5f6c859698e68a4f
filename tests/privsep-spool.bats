#!/usr/bin/env bats
# Spools that a member of the journal's group cannot take over: root's
# hooked shell never writes where a member can read or redirect it, a
# member's planted symlink never makes root's shell write through it, and
# ingest never files a member's spool under another host or account.
# Each test plays a real unprivileged member against root (so: root only).

load lib
load shell

# keep the helpers' setup and teardown, and add the member's world to them
eval "lib_$(declare -f setup)"
eval "shell_$(declare -f teardown)"

setup() {
	lib_setup
	member_add
	mkdir -p "$LOGBOOK_DIR"
	chgrp "$MEMBER_GROUP" "$LOGBOOK_DIR"
	lb init --timezone UTC "$LOGBOOK_DIR" >/dev/null
	plant_root_only
}

teardown() {
	shell_teardown
	member_remove
}

# what the member reads of the journal: every file it can open, concatenated
member_reads() {
	as_member find "$LOGBOOK_DIR" -type f -readable -exec cat {} + 2>/dev/null || true
}

# the member takes over the spool files of each of root's sessions it is
# given: where it cannot write the directory holding them, it moves that
# directory away (it can when it owns the directory above) and makes its
# own; then the spool is a file the member reads, and the .last scratch
# file a symlink to $1
take_over_spools() {
	local target=$1 s
	shift
	for s in "$@"; do
		as_member bash -c '
			s=$1 target=$2
			d=${s%/*} b=${s##*/}
			b=${b%.spool}
			if [ ! -w "$d" ]; then
				mv "$d" "$d.away" && mkdir -m 0777 "$d"
			fi
			rm -f "$d/$b.last" "$d/$b.spool"
			ln -s "$target" "$d/$b.last"
			: >"$d/$b.spool"
			chmod 0666 "$d/$b.spool"
		' take-over "$s" "$target" 2>/dev/null || true
	done
}

# root's live spools, as root sees them
root_spools() {
	find "$LOGBOOK_DIR/.state/spool" -name '*.spool' -user 0 2>/dev/null
}

@test "a spool directory a member made first never receives root's commands" {
	# the member makes the spool directory, and root's own one in it, first
	as_member mkdir -m 0777 "$LOGBOOK_DIR/.state/spool" "$LOGBOOK_DIR/.state/spool/0"
	start_shell bash
	# and takes over whatever root's hook made in them
	mapfile -t spools < <(root_spools)
	take_over_spools "$ROOT_ONLY/target" "${spools[@]}"
	type_cmd 'echo hunter2-secret-token >/dev/null'
	type_cmd 'true'
	run -1 grep -q hunter2-secret-token <(member_reads)
	# root's shell said once that it records nothing
	[ "$(screen | grep -c 'not record')" -eq 1 ] || fail "$(screen)"
	end_shell
	root_only_intact
}

@test "a symlink a member plants at the scratch file never makes root's shell write through it" {
	# the member owns the spool directory (sticky, as logbook makes it)
	as_member mkdir -m 1777 "$LOGBOOK_DIR/.state/spool"
	# ignorespace: the bash hook reads each line back through its scratch file
	start_shell bash 'HISTCONTROL=ignoreboth'
	mapfile -t spools < <(root_spools)
	[ "${#spools[@]}" -eq 1 ]
	take_over_spools "$ROOT_ONLY/target" "${spools[@]}"
	type_cmd 'echo hunter2-secret-token >/dev/null'
	type_cmd 'true'
	# the root-only file the symlink points at is untouched
	root_only_intact
	run -1 grep -q hunter2-secret-token <(member_reads)
	[ "$(screen | grep -c 'not recorded')" -eq 1 ] || fail "$(screen)"
	end_shell
	root_only_intact
}

# a spool of the member's, made by its own hook, its header rewritten by
# sed expression $1; prints its path
member_spool() {
	local code spool
	code=$(as_member "$LOGBOOK" hook bash)
	spool=$(sed -n "s/^__lb_new_spool='\(.*\)'$/\1/p" <<<"$code")
	[ -n "$spool" ] || fail "the member got no spool: $code"
	as_member bash -c '
		s=$1 expr=$2
		LC_ALL=C sed -z "$expr" "$s" >"$s.new" && cat "$s.new" >"$s" && rm "$s.new"
		t=$(date +%s)000000
		printf "P\0%s\0\nC\0%s\0%s\0%s\0%s\0%s\0%s\0\n" 1 1 "$t" "$t" 0 / "$(printf "\t forged-by-member\n")" >>"$s"
	' forge "$spool" "$1"
	echo "$spool"
}

@test "a member's spool claiming another host or root's account is never filed, and ingest says which" {
	local other_host mine
	# the header's fields are NUL-ended: the host is the 4th, the account the 7th
	other_host=$(member_spool '4s/^web1$/web2/')
	sleep 0.01
	mine=$(member_spool "7s/^$MEMBER\$/root/")
	run --separate-stderr lb ingest
	[[ "$stderr" == *"$other_host"* ]] || fail "no warning names $other_host: $stderr"
	[[ "$stderr" == *"$mine"* ]] || fail "no warning names $mine: $stderr"
	[ ! -e "$(day_file web2)" ] || fail "filed in web2's chain: $(cat "$(day_file web2)")"
	if [ -e "$(day_file web1)" ]; then
		run -1 grep -q forged-by-member "$(day_file web1)"
		run -1 grep -q '"kind":"session"' "$(day_file web1)"
	fi
	# the one claiming root's account was set aside: the next ingest does
	# not warn of it again (the other host's is left for that host)
	run --separate-stderr lb ingest
	[[ "$stderr" != *"$mine"* ]] || fail "warned again: $stderr"
	[ ! -e "$(day_file web2)" ]
	root_only_intact
}

@test "a member cannot make root's own spool directory: the hook and ingest refuse it" {
	# root has no spool yet: the member makes root's per-account directory
	# and a spool in it that claims root's account
	local spool
	spool=$(member_spool "7s/^$MEMBER\$/root/")
	as_member bash -c '
		s=$1 d=${1%/*}/../0
		mkdir -m 0700 "$d" && cp "$s" "$d/" && rm "$s"
	' plant "$spool"
	# root's hook records nothing there
	run --separate-stderr lb hook bash
	[[ "$stderr" == *"not recording"*"/.state/spool/0: owned by uid"* ]] || fail "$stderr"
	[[ "$output" != *__lb_new_spool* ]]
	# ingest files nothing of it, says so, and sets the directory aside
	run --separate-stderr lb ingest
	[[ "$stderr" == *"/.state/spool/0: owned by uid"*"set aside"* ]] || fail "$stderr"
	[ ! -e "$(day_file web1)" ] || run -1 grep -q forged-by-member "$(day_file web1)"
	# so root's next shell makes its own
	run --separate-stderr lb hook bash
	[[ "$output" == *"__lb_new_spool='$LOGBOOK_DIR/.state/spool/0/"* ]] || fail "$stderr"
	[ "$(stat -c %u:%a "$LOGBOOK_DIR/.state/spool/0")" = 0:2700 ] ||
		[ "$(stat -c %u:%a "$LOGBOOK_DIR/.state/spool/0")" = 0:700 ]
	root_only_intact
}
