#!/usr/bin/env bats
# A hub replica: the journal other servers push into (the target of
# `logbook setup --join URL`, the source of `logbook clone`) writes what it
# receives into its own files, triggered by logbook-receive.path, and never
# writes a pushed ref that rewrites what it already holds.

load lib

T=""

setup() {
	export TZ=UTC LC_ALL=C
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK_USER=alice
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER VISUAL EDITOR PAGER NO_COLOR LESS LOGBOOK_DIR LOGBOOK_HOST
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	T=$BATS_TEST_TMPDIR
	MEMBER="" GROUP=""
}

teardown() {
	if [ -n "$MEMBER" ]; then userdel "$MEMBER" 2>/dev/null || true; fi
	if [ -n "$GROUP" ]; then groupdel "$GROUP" 2>/dev/null || true; fi
}

# run logbook as host $1 in its journal $T/$1
on() {
	local h=$1
	shift
	LOGBOOK_HOST=$h LOGBOOK_DIR="$T/$h" "$LOGBOOK" "$@"
}

# the texts of every note of journal $1, sorted, one a line
notes() {
	LOGBOOK_DIR="$T/$1" "$LOGBOOK" show --json |
		py -c 'import sys, json; [print(json.loads(l)["text"]) for l in sys.stdin if json.loads(l).get("kind") == "note"]' | sort
}

# the hub: a journal of host A (a work tree, as setup makes it, not a bare
# repository) whose own note and team.conf are committed, and so cloned;
# group-shared when $GROUP is set
make_hub() {
	mkdir -p "$T/A"
	if [ -n "$GROUP" ]; then chgrp "$GROUP" "$T/A"; fi
	on A init --timezone UTC "$T/A" >/dev/null
	# no background syncs after a note: each test says when a replica syncs
	git config -f "$T/A/team.conf" sync.auto false
	on A note "alphaword from A"
	on A sync >/dev/null
}

# the units as make install puts them under PREFIX=/usr, in $T/root
install_units() {
	UNITS="$T/root/usr/lib/systemd/system"
	[ -d "$UNITS" ] && return 0
	# -o: install the programs under test, never rebuild them (a SAN=1 run)
	make -s -o logbook -o logbook-ingest-mail -C "$BATS_TEST_DIRNAME/.." install DESTDIR="$T/root" PREFIX=/usr >/dev/null
}

# run what logbook-receive.service runs, as systemd would: the installed
# unit's ExecStart, as its User= (root when none), from /, in an empty
# environment; the binary under test stands for /usr/bin/logbook and the
# journal $1 for /var/lib/logbook, and LOGBOOK_HOST=$2 for the hub's
# host name
run_receive_unit() {
	local dir=$1 host=$2 line user
	local -a argv
	install_units
	[ "$(grep -c '^ExecStart=' "$UNITS/logbook-receive.service")" -eq 1 ]
	line=$(sed -n 's/^ExecStart=//p' "$UNITS/logbook-receive.service")
	[[ "$line" == "/usr/bin/logbook "* ]] || fail "ExecStart runs something else: $line"
	line=${line//\/usr\/bin\/logbook/$LOGBOOK}
	line=${line//\/var\/lib\/logbook/$dir}
	read -ra argv <<<"$line"
	user=$(sed -n 's/^User=//p' "$UNITS/logbook-receive.service")
	if [ -n "$user" ]; then
		argv=(setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "${argv[@]}")
	fi
	(cd / && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LOGBOOK_HOST="$host" "${argv[@]}")
}

# what logbook-receive.path watches, with /var/lib/logbook as journal $1
watched_paths() {
	install_units
	sed -n 's/^PathChanged=//p' "$UNITS/logbook-receive.path" | sed "s|^/var/lib/logbook|$1|"
}

# a listing of the watched paths that changes when systemd would see a change
watched_state() {
	local p
	while read -r p; do
		if [ -d "$p" ]; then
			(cd "$p" && find . -printf '%p %i %T@\n' | sort)
		elif [ -e "$p" ]; then
			stat -c '%n %i %Y %s' "$p"
		else
			echo "$p absent"
		fi
	done < <(watched_paths "$1")
}

# a root-only directory outside the journal, to show that nothing touched it
plant() {
	PLANT="$T/root-only"
	mkdir -m 0700 "$PLANT"
	echo secret >"$PLANT/a"
	head -c 1000 /dev/urandom >"$PLANT/b"
	cp /bin/true "$PLANT/suid" && chmod 4755 "$PLANT/suid"
	PLANT_BEFORE=$(snapshot "$PLANT")
}

@test "a pushed ref that rewrites a host's history is reported by sync and sync --local, and not written into the hub's files" {
	plant
	make_hub
	# B, a replica of A, writes and pushes; A, which also fetches from B,
	# writes B's records into its files (the remote path of sync)
	on B clone "$T/A" "$T/B" >/dev/null
	on B note "genuine record of B"
	on B sync >/dev/null
	on A remote add b "$T/B"
	on A sync >/dev/null
	day=$(date -u +%Y_%m_%d)
	bfile="$T/A/${day:0:4}/$day/B.jsonl"
	grep -q "genuine record of B" "$bfile"
	before=$(sha256sum "$bfile" "$T/A/team.conf")

	# another replica (any server whose key the hub's git accepts) rewrites
	# B's history: the same commit amended, with B's file changed, a file of
	# C and team.conf on B's ref, pushed by force (.git is the owner's alone,
	# so pushing is the only way in; a plain repository takes a forced push)
	evil="$T/evil"
	git init -q "$evil"
	git -C "$evil" fetch -q "$T/A" refs/heads/hosts/B:refs/heads/hosts/B
	git -C "$evil" checkout -q hosts/B
	sed -i 's/genuine record of B/forged record of B/' "$evil/${day:0:4}/$day/B.jsonl"
	echo '{"kind":"note","text":"forged C"}' >"$evil/${day:0:4}/$day/C.jsonl"
	printf '[journal]\nx = forged\n' >"$evil/team.conf"
	git -C "$evil" add -A
	git -C "$evil" -c user.name=m -c user.email=m@x commit -q --amend -m rewritten
	evil1=$(git -C "$evil" rev-parse HEAD)
	git -C "$evil" push -q -f "$T/A" HEAD:refs/heads/hosts/B
	[ "$(git -C "$T/A" log -1 --format=%s refs/heads/hosts/B)" = rewritten ]

	# root's sync: the rewrite is kept aside and reported (exit 5), B's
	# file keeps what A had, the ref goes back to what A wrote
	run --separate-stderr on A sync
	[ "$status" -eq 5 ] || fail "sync exited $status: $stderr"
	[[ "$stderr" == *"records of B from pushed: ${evil1:0:12} does not descend from"*"kept aside"* ]] ||
		fail "sync said: $stderr"
	[ "$(sha256sum "$bfile" "$T/A/team.conf")" = "$before" ] || fail "A's files changed: $(cat "$bfile")"
	[ ! -e "$T/A/${day:0:4}/$day/C.jsonl" ]
	[ "$(git -C "$T/A" rev-parse refs/heads/hosts/B)" = "$(git -C "$T/A" rev-parse refs/logbook/written/B)" ]
	[ "$(git -C "$T/A" rev-parse refs/logbook/quarantine/pushed/B)" = "$evil1" ]
	run --separate-stderr on A sync --local
	[ "$status" -eq 0 ]
	[ "$(sha256sum "$bfile" "$T/A/team.conf")" = "$before" ]
	run -1 grep -r forged "$T/A" --include='*.jsonl' --include=team.conf
	# doctor says so, with the way to look at it
	run on A doctor --root /
	[[ "$output" == *"FAIL quarantine pushed.B: ${evil1:0:12} does not descend from"* ]] || fail "doctor said: $output"

	# the replica moves the marker of what A wrote too, so that the forged
	# ref looks like a fast-forward of a forged past: B's file only grows
	# (by a record that continues the forged chain, so the chain rule has
	# nothing to say), and what A holds is not a beginning of the forged file
	local last
	last=$(tail -n 1 "$evil/${day:0:4}/$day/B.jsonl")
	printf '%s' "$last" | sed -e "s/\"seq\":\([0-9]*\)/\"seq\":$(($(printf '%s' "$last" | sed 's/.*"seq":\([0-9]*\).*/\1/') + 1))/" \
		-e "s/\"prev\":\"[0-9a-f]*\"/\"prev\":\"$(printf '%s' "$last" | sha256sum | cut -c1-64)\"/" \
		-e 's/"text":"[^"]*"/"text":"forged more"/' >>"$evil/${day:0:4}/$day/B.jsonl"
	echo >>"$evil/${day:0:4}/$day/B.jsonl"
	git -C "$evil" add -A
	git -C "$evil" -c user.name=m -c user.email=m@x commit -q -m more
	git -C "$evil" push -q -f "$T/A" "$evil1:refs/logbook/written/B" HEAD:refs/heads/hosts/B
	run --separate-stderr on A sync --local
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"does not extend '${day:0:4}/$day/B.jsonl' as it is here; left as it is"* ]] || fail "sync --local said: $stderr"
	[ "$(sha256sum "$bfile" "$T/A/team.conf")" = "$before" ]
	run -1 grep -r forged "$T/A" --include='*.jsonl' --include=team.conf
	[ "$(snapshot "$PLANT")" = "$PLANT_BEFORE" ]
}

@test "a ref pushed with files of another host or team.conf: only the host's own files are written" {
	make_hub
	on B clone "$T/A" "$T/B" >/dev/null
	on B note "from B"
	day=$(date -u +%Y_%m_%d)
	# B's own repository commits a file of C on B's ref, a fast-forward
	mkdir -p "$T/B/${day:0:4}/$day"
	echo '{"kind":"note","text":"planted C"}' >"$T/B/${day:0:4}/$day/C.jsonl"
	on B sync >/dev/null
	git -C "$T/B" -c safe.directory='*' read-tree --index-output="$T/idx" refs/heads/hosts/B
	GIT_INDEX_FILE="$T/idx" git -C "$T/B" update-index --add "${day:0:4}/$day/C.jsonl"
	tree=$(GIT_INDEX_FILE="$T/idx" git -C "$T/B" write-tree)
	commit=$(git -C "$T/B" -c user.name=b -c user.email=b@x commit-tree -p refs/heads/hosts/B -m more "$tree")
	git -C "$T/B" push -q "$T/A" "$commit:refs/heads/hosts/B"
	run --separate-stderr on A sync --local
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"not its to write"* ]] || fail "sync --local said: $stderr"
	[ -e "$T/A/${day:0:4}/$day/B.jsonl" ]
	[ ! -e "$T/A/${day:0:4}/$day/C.jsonl" ]
}

@test "three hosts: what B and C push into the hub A shows in A's days, show and search after the receive unit's command; doctor says when it is behind" {
	make_hub
	day=$(date -u +%Y_%m_%d)
	on B clone "$T/A" "$T/B" >/dev/null
	on C clone "$T/A" "$T/C" >/dev/null
	on B note "bravoword from B"
	before=$(watched_state "$T/A")
	on B sync >/dev/null
	# B's push changed what logbook-receive.path watches: systemd would start the service
	[ "$(watched_state "$T/A")" != "$before" ] || fail "the push changed nothing the path unit watches"
	on C note "charlieword from C"
	on C sync >/dev/null	# C gets B's records through A, pushes its own
	on B sync >/dev/null	# B gets C's
	# A's refs hold B and C, its files do not yet
	git -C "$T/A" rev-parse -q --verify refs/heads/hosts/B >/dev/null
	git -C "$T/A" rev-parse -q --verify refs/heads/hosts/C >/dev/null
	[ "$(notes A)" = "alphaword from A" ]
	run on A doctor --root /
	[[ "$output" == *"FAIL host B: "*"ahead of the files"* ]] || fail "doctor said: $output"
	[[ "$output" == *"FAIL host C: "*"ahead of the files"* ]] || fail "doctor said: $output"
	[[ "$output" == *"fix: logbook sync --local"* ]]

	run run_receive_unit "$T/A" A
	[ "$status" -eq 0 ] || fail "the unit's command failed: $output"

	expected=$(printf 'alphaword from A\nbravoword from B\ncharlieword from C')
	[ "$(notes A)" = "$expected" ] || fail "A holds: $(notes A)"
	run on A days
	[ "$status" -eq 0 ]
	[[ "$output" == *"${day//_/-}"*B* || "$output" == *"$day"*B* ]] || fail "days: $output"
	[[ "$output" == *C* ]] || fail "days: $output"
	run on A show --no-pager "$day"
	[[ "$output" == *"bravoword from B"* && "$output" == *"charlieword from C"* ]] || fail "show: $output"
	run on A search --no-pager bravoword
	[[ "$output" == *"bravoword from B"* ]] || fail "search: $output"
	run on A search --no-pager charlieword
	[[ "$output" == *"charlieword from C"* ]] || fail "search: $output"
	run on A verify
	[ "$status" -eq 0 ] || fail "verify: $output"
	run on A doctor --root /
	doctor=$output
	[[ "$doctor" == *"ok   hosts: the files of 2 other hosts match their refs"* ]] || fail "doctor said: $doctor"
	run -1 grep '^FAIL host ' <<<"$doctor"
	# a second run finds nothing to do
	run run_receive_unit "$T/A" A
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "second run: $output"

	# A dies: B, synced with A after C pushed, still shows everything
	rm -rf "$T/A"
	[ "$(notes B)" = "$expected" ] || fail "B holds: $(notes B)"
	run on B search --no-pager charlieword
	[[ "$output" == *"charlieword from C"* ]] || fail "search on B: $output"
	run on B sync
	[ "$status" -eq 4 ]
	[ "$(notes B)" = "$expected" ]
}

@test "sync on a hub without remotes writes what was pushed into it" {
	make_hub
	on B clone "$T/A" "$T/B" >/dev/null
	on B note "from B"
	on B sync >/dev/null
	run on A sync
	[ "$status" -eq 0 ]
	[ "$(notes A)" = "$(printf 'alphaword from A\nfrom B')" ]
}

@test "a team.conf change pushed into the hub is written by sync --local" {
	make_hub
	on B clone "$T/A" "$T/B" >/dev/null
	git config -f "$T/B/team.conf" digest.to team@example.org
	before=$(watched_state "$T/A")
	on B sync >/dev/null
	# only the team ref moved (B has no records), and the path unit sees it
	[ "$(watched_state "$T/A")" != "$before" ] || fail "the push changed nothing the path unit watches"
	run -1 git config -f "$T/A/team.conf" digest.to
	run on A sync --local
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "sync --local: $output"
	[ "$(git config -f "$T/A/team.conf" digest.to)" = team@example.org ]
}

@test "sync --local neither ingests, commits, fetches nor pushes, and takes no arguments" {
	make_hub
	on B clone "$T/A" "$T/B" >/dev/null
	on C clone "$T/A" "$T/C" >/dev/null
	on C note "from C"
	on C sync >/dev/null
	on B note "not committed"
	on B remote add dead "$T/nowhere"
	refs_a=$(git -C "$T/A" for-each-ref)
	refs_b=$(git -C "$T/B" for-each-ref)
	run on B sync --local
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(git -C "$T/A" for-each-ref)" = "$refs_a" ] || fail "sync --local pushed"
	[ "$(git -C "$T/B" for-each-ref)" = "$refs_b" ] || fail "sync --local committed or fetched"
	[ "$(notes B)" = "$(printf 'alphaword from A\nnot committed')" ]
	run -2 on A sync --local extra
}

@test "logbook-receive.path watches the journal's host refs and starts logbook-receive.service; setup enables it" {
	install_units
	[ "$(watched_paths /var/lib/logbook | sort)" = "$(printf '%s\n' /var/lib/logbook/.git/packed-refs /var/lib/logbook/.git/refs/heads/hosts /var/lib/logbook/.git/refs/heads/team)" ]
	unit=$(sed -n 's/^Unit=//p' "$UNITS/logbook-receive.path")
	[ -z "$unit" ] || [ "$unit" = logbook-receive.service ]
	grep -qx 'WantedBy=paths.target' "$UNITS/logbook-receive.path"
	grep -qx 'ExecStart=/usr/bin/logbook -C /var/lib/logbook sync --local' "$UNITS/logbook-receive.service"
	command -v systemctl >/dev/null || skip "systemctl is not here"
	root="$T/sysroot"
	mkdir -p "$root/etc/zsh" "$root/usr/lib/systemd/system"
	printf '[ -z "$PS1" ] && return\n' >"$root/etc/bash.bashrc"
	printf '# zshrc\n' >"$root/etc/zsh/zshrc"
	export PATH="$(dirname "$LOGBOOK"):$PATH"
	cp -r "$UNITS"/logbook-* "$root/usr/lib/systemd/system/"
	run "$LOGBOOK" setup --root "$root" --timezone UTC
	[ "$status" -eq 0 ] || fail "$output"
	[[ "$output" == *"logbook-receive.path: enabled"* ]] || fail "$output"
	[ -L "$root/etc/systemd/system/paths.target.wants/logbook-receive.path" ]
	run "$LOGBOOK" setup --root "$root" --undo
	[ "$status" -eq 0 ] || fail "$output"
	[ ! -e "$root/etc/systemd/system/paths.target.wants/logbook-receive.path" ]
}

@test "a path with escape sequences in a pushed or fetched ref is printed escaped by sync" {
	make_hub
	on B clone "$T/A" "$T/B" >/dev/null
	on C clone "$T/A" "$T/C" >/dev/null
	on B note "from B"
	on B sync >/dev/null
	# B's ref gains a file whose name would set the clipboard (OSC 52),
	# break the line and ring the bell on the terminal of whoever syncs
	name=$'evil\033]52;c;cm0gLXJmIH4K\a\nlogbook: all good\x01\x7f'
	blob=$(echo planted | git -C "$T/B" hash-object -w --stdin)
	tree=$( (git -C "$T/B" ls-tree -z refs/heads/hosts/B && printf '100644 blob %s\t%s\0' "$blob" "$name") |
		git -C "$T/B" mktree -z)
	commit=$(git -C "$T/B" -c user.name=b -c user.email=b@x commit-tree -p refs/heads/hosts/B -m more "$tree")
	git -C "$T/B" push -q "$T/A" "$commit:refs/heads/hosts/B"
	shown='evil\e]52;c;cm0gLXJmIH4K\x07\nlogbook: all good\x01\x7f'
	for h in A C; do
		if [ $h = A ]; then
			run on A sync --local	# pushed into A
		else
			run on C sync		# fetched from A
		fi
		[ "$status" -eq 0 ]
		[[ "$output" == *"holds '$shown', which is not its to write"* ]] || fail "$h: sync said: $output"
		[[ "$output" != *$'\033'* ]] || fail "$h: raw ESC in: $output"
		[[ "$output" != *$'\a'* ]] || fail "$h: raw BEL in: $output"
		[[ "$output" != *$'\x01'* && "$output" != *$'\x7f'* ]] || fail "$h: raw control bytes in: $output"
		run -1 grep -qx 'logbook: all good' <<<"$output"
		[ ! -e "$T/$h/$name" ]
	done
}
