#!/usr/bin/env bats
# logbook sync, remote and clone: replicas over real git, through a bare hub

load lib

# a journal for host $1 in $BATS_TEST_TMPDIR/$1, with the hub as remote
# (made when missing)
replica() {
	local h=$1
	[ -d "$HUB" ] || git init -q --bare "$HUB"
	LOGBOOK_HOST=$h "$LOGBOOK" init --timezone UTC "$BATS_TEST_TMPDIR/$h" >/dev/null
	LOGBOOK_HOST=$h "$LOGBOOK" -C "$BATS_TEST_TMPDIR/$h" remote add hub "$HUB"
}

# run logbook as host $1 in its journal
on() {
	local h=$1
	shift
	LOGBOOK_HOST=$h LOGBOOK_DIR="$BATS_TEST_TMPDIR/$h" "$LOGBOOK" "$@"
}

# the texts of every note of a journal, sorted, one a line
notes() {
	LOGBOOK_DIR="$BATS_TEST_TMPDIR/$1" "$LOGBOOK" show --json |
		py -c 'import sys, json; [print(json.loads(l)["text"]) for l in sys.stdin if json.loads(l).get("kind") == "note"]' | sort
}

setup() {
	export TZ=UTC LC_ALL=C
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export LOGBOOK_USER=alice
	unset LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER VISUAL EDITOR PAGER NO_COLOR LESS LOGBOOK_DIR LOGBOOK_HOST
	export LOGBOOK="${LOGBOOK:-$BATS_TEST_DIRNAME/../logbook}"
	export HUB="$BATS_TEST_TMPDIR/hub.git"
}

@test "three hosts syncing through a hub each hold every note exactly once, and every chain verifies" {
	for h in web1 db1 irc1; do
		replica $h
		on $h note "first from $h"
		on $h note "second from $h"
	done
	for round in 1 2; do
		for h in web1 db1 irc1; do
			run on $h sync
			[ "$status" -eq 0 ] || fail "$h round $round: $output"
		done
	done
	expected=$(for h in web1 db1 irc1; do echo "first from $h"; echo "second from $h"; done | sort)
	for h in web1 db1 irc1; do
		[ "$(notes $h)" = "$expected" ] || fail "$h holds: $(notes $h)"
		run on $h verify
		[ "$status" -eq 0 ] || fail "$h verify: $output"
	done
	# each host's ref on the hub holds only that host's files
	for h in web1 db1 irc1; do
		git -C "$HUB" ls-tree -r --name-only "refs/heads/hosts/$h" | grep -v "/$h.jsonl\$" && fail "foreign files on $h's ref"
	done
	true
}

@test "a sync with nothing new makes no commit" {
	replica web1
	on web1 note hello
	on web1 sync
	before=$(git -C "$HUB" rev-parse refs/heads/hosts/web1)
	on web1 sync
	[ "$(git -C "$HUB" rev-parse refs/heads/hosts/web1)" = "$before" ]
	on web1 note again
	on web1 sync
	[ "$(git -C "$HUB" rev-parse refs/heads/hosts/web1)" != "$before" ]
	[ "$(git -C "$HUB" log -1 --format=%s refs/heads/hosts/web1)" = "logbook: web1 up to seq 2" ]
}

@test "a clone of the hub shows every host's notes with no network" {
	for h in web1 db1; do
		replica $h
		on $h note "from $h"
		on $h sync
	done
	on web1 sync
	run on new1 clone "$HUB" "$BATS_TEST_TMPDIR/new1"
	[ "$status" -eq 0 ]
	rm -rf "$HUB"
	[ "$(notes new1)" = "$(printf 'from db1\nfrom web1')" ]
	run on new1 days
	[ "$status" -eq 0 ]
	run on new1 verify
	[ "$status" -eq 0 ]
	grep -qxF '/.state/' "$BATS_TEST_TMPDIR/new1/.gitignore"
	[ -d "$BATS_TEST_TMPDIR/new1/.state" ]
}

@test "a cloned replica writes and syncs its own records, and shares team.conf" {
	replica web1
	on web1 note "from web1"
	on web1 sync
	on db1 clone "$HUB" "$BATS_TEST_TMPDIR/db1" >/dev/null
	on db1 note "from db1"
	run on db1 sync
	[ "$status" -eq 0 ]
	[[ "$output" == "sync: 1 of 1 remote reached; "* ]] && [ "${#lines[@]}" -eq 1 ] || fail "$output"
	run on web1 sync
	[ "$status" -eq 0 ]
	[[ "$output" == "sync: 1 of 1 remote reached; "* ]] && [ "${#lines[@]}" -eq 1 ] || fail "$output"
	[ "$(notes web1)" = "$(printf 'from db1\nfrom web1')" ]
	cmp "$BATS_TEST_TMPDIR/web1/team.conf" "$BATS_TEST_TMPDIR/db1/team.conf"
}

@test "clone refuses a directory that is not empty and a URL that holds no journal" {
	git init -q --bare "$HUB"
	mkdir "$BATS_TEST_TMPDIR/full"
	touch "$BATS_TEST_TMPDIR/full/x"
	run on x clone "$HUB" "$BATS_TEST_TMPDIR/full"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not empty"* ]]
	run on x clone "$HUB" "$BATS_TEST_TMPDIR/new"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a logbook journal"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/new" ]
	run on x clone
	[ "$status" -eq 2 ]
}

@test "an unreachable remote is reported: exit 3 when another worked, 4 when none did, and the replica still shows everything" {
	replica web1
	replica db1
	on db1 note "from db1"
	on db1 sync
	on web1 note "from web1"
	on web1 remote add gone "$BATS_TEST_TMPDIR/no-such-journal"
	run on web1 sync
	[ "$status" -eq 3 ]
	[[ "$output" == *"gone: cannot be reached"* ]]
	[ "$(notes web1)" = "$(printf 'from db1\nfrom web1')" ]
	mv "$HUB" "$HUB.away"
	on web1 note "offline"
	run on web1 sync
	[ "$status" -eq 4 ]
	[[ "$output" == *"hub: cannot be reached"* ]]
	[ "$(notes web1)" = "$(printf 'from db1\nfrom web1\noffline')" ]
	mv "$HUB.away" "$HUB"
	on web1 remote rm gone
	run on web1 sync
	[ "$status" -eq 0 ]
	on db1 sync
	[ "$(notes db1)" = "$(printf 'from db1\nfrom web1\noffline')" ]
}

@test "a journal without remotes commits locally and says so" {
	LOGBOOK_HOST=web1 "$LOGBOOK" init --timezone UTC "$BATS_TEST_TMPDIR/web1" >/dev/null
	on web1 note hello
	run on web1 sync
	[ "$status" -eq 0 ]
	[[ "$output" == *"No remotes"* ]]
	git -C "$BATS_TEST_TMPDIR/web1" rev-parse -q --verify refs/heads/hosts/web1
}

@test "syncs of several journals at once lose nothing" {
	for h in web1 db1 irc1; do
		replica $h
	done
	for i in 1 2 3; do
		for h in web1 db1 irc1; do
			on $h note "$h $i"
			on $h sync >/dev/null 2>&1 &
		done
		# two syncs of one journal at once wait for each other
		on web1 sync >/dev/null 2>&1 &
		wait
	done
	for round in 1 2; do
		for h in web1 db1 irc1; do
			on $h sync >/dev/null 2>&1 || true
		done
	done
	expected=$(for h in web1 db1 irc1; do for i in 1 2 3; do echo "$h $i"; done; done | sort)
	for h in web1 db1 irc1; do
		[ "$(notes $h)" = "$expected" ] || fail "$h holds: $(notes $h)"
		on $h verify >/dev/null
	done
}

@test "a sync killed midway is completed by the next one, and nothing is lost" {
	for h in web1 db1; do
		replica $h
	done
	for i in $(seq 1 8); do
		for h in web1 db1; do
			on $h note "$h $i"
			on $h sync >/dev/null 2>&1 &
			pid=$!
			sleep "0.0$((RANDOM % 10))"
			kill -9 $pid 2>/dev/null || true
			wait $pid 2>/dev/null || true
		done
	done
	for round in 1 2; do
		for h in web1 db1; do
			run on $h sync
			[ "$status" -eq 0 ] || fail "$h: $output"
		done
	done
	expected=$(for h in web1 db1; do for i in $(seq 1 8); do echo "$h $i"; done; done | sort)
	for h in web1 db1; do
		[ "$(notes $h)" = "$expected" ] || fail "$h holds: $(notes $h)"
		run on $h verify
		[ "$status" -eq 0 ] || fail "$h verify: $output"
	done
}

@test "remote add, list and rm" {
	LOGBOOK_HOST=web1 "$LOGBOOK" init --timezone UTC "$BATS_TEST_TMPDIR/web1" >/dev/null
	on web1 remote add hub ssh://backup.example.org/var/lib/logbook
	on web1 remote add vps vps:/var/lib/logbook
	run on web1 remote list
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'hub\tssh://backup.example.org/var/lib/logbook\nvps\tvps:/var/lib/logbook')" ]
	run on web1 remote add hub elsewhere:/x
	[ "$status" -eq 1 ]
	[[ "$output" == *"exists already"* ]]
	on web1 remote rm hub
	run on web1 remote list
	[ "$output" = "$(printf 'vps\tvps:/var/lib/logbook')" ]
	run on web1 remote rm hub
	[ "$status" -eq 1 ]
}

@test "remote and sync reject bad usage" {
	LOGBOOK_HOST=web1 "$LOGBOOK" init --timezone UTC "$BATS_TEST_TMPDIR/web1" >/dev/null
	run on web1 remote
	[ "$status" -eq 2 ]
	run on web1 remote add 'bad name' /x
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a remote name"* ]]
	run on web1 remote add -- -x /x
	[ "$status" -eq 2 ]
	run on web1 remote add onlyname
	[ "$status" -eq 2 ]
	run on web1 remote frob
	[ "$status" -eq 2 ]
	run on web1 sync extra
	[ "$status" -eq 2 ]
	for c in sync remote clone; do
		run on web1 $c --help
		[ "$status" -eq 0 ]
		[[ "$output" == usage:* ]]
	done
}

@test "note and commit start a sync in the background when remotes exist; sync.auto = false stops it" {
	hub="$BATS_TEST_TMPDIR/hub.git"
	git init -q --bare "$hub"
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/journal" LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	new_journal
	lb remote add hub "$hub" >/dev/null
	lb note "pushed without waiting"
	for ((i = 0; i < 100; i++)); do
		git -C "$hub" rev-parse -q --verify refs/heads/hosts/web1 >/dev/null && break
		sleep 0.1
	done
	git -C "$hub" rev-parse -q --verify refs/heads/hosts/web1
	git -C "$hub" show refs/heads/hosts/web1:"$(today | cut -c1-4)/$(today)/web1.jsonl" | grep -q "pushed without waiting"
	# turned off in team.conf: the next note stays here until a sync
	git config -f "$LOGBOOK_DIR/team.conf" sync.auto false
	before=$(git -C "$hub" rev-parse refs/heads/hosts/web1)
	lb note "kept local"
	sleep 1
	[ "$(git -C "$hub" rev-parse refs/heads/hosts/web1)" = "$before" ]
}

@test "sync over real ssh: two hosts through a hub behind sshd; the hub gone, sync says so" {
	start_sshd
	hub="$BATS_TEST_TMPDIR/hub.git"
	git init -q --bare "$hub"
	for h in web1 db1; do
		LOGBOOK_HOST=$h LOGBOOK_DIR="$BATS_TEST_TMPDIR/$h" "$LOGBOOK" init --timezone UTC "$BATS_TEST_TMPDIR/$h" >/dev/null
	done
	# one journal: db1 joins web1's by clone over ssh after web1's first sync
	LOGBOOK_HOST=web1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" "$LOGBOOK" remote add hub "ssh://root@127.0.0.1:$PORT$hub" >/dev/null
	LOGBOOK_HOST=web1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" LOGBOOK_USER=alice "$LOGBOOK" note "from web1 over ssh" 2>/dev/null
	run env LOGBOOK_HOST=web1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" "$LOGBOOK" sync
	[ "$status" -eq 0 ] || { echo "$output"; cat "$S/sshd.log"; false; }
	rm -rf "$BATS_TEST_TMPDIR/db1"
	LOGBOOK_HOST=db1 "$LOGBOOK" clone "ssh://root@127.0.0.1:$PORT$hub" "$BATS_TEST_TMPDIR/db1" >/dev/null
	LOGBOOK_HOST=db1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/db1" LOGBOOK_USER=bob "$LOGBOOK" note "from db1 over ssh" 2>/dev/null
	LOGBOOK_HOST=db1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/db1" "$LOGBOOK" sync >/dev/null
	LOGBOOK_HOST=web1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" "$LOGBOOK" sync >/dev/null
	run env LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" "$LOGBOOK" show --json
	[[ "$output" == *"from db1 over ssh"* ]]
	[[ "$output" == *"from web1 over ssh"* ]]
	# the hub's sshd stops: sync reports it, exit 4 (no remote reached), the replica still reads
	stop_sshd
	run env LOGBOOK_HOST=web1 LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" "$LOGBOOK" sync
	[ "$status" -eq 4 ]
	[[ "$output" == *hub* ]]
	run env LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" "$LOGBOOK" show
	[[ "$output" == *"from db1 over ssh"* ]]
}

teardown() {
	stop_sshd
}

@test "another account's sync in a journal root made asks root for one; root's sync takes its note" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to make the journal of another account"
	hub="$BATS_TEST_TMPDIR/hub.git"
	git init -q --bare "$hub"
	export LOGBOOK_DIR="$BATS_TEST_TMPDIR/journal" LOGBOOK_HOST=web1 LOGBOOK_USER=alice
	new_journal
	lb remote add hub "$hub" >/dev/null
	git config -f "$LOGBOOK_DIR/team.conf" sync.auto false
	lb note "root's note" >/dev/null
	lb sync >/dev/null
	# the work tree as a shared group directory would let it be; .git stays root's
	chmod -R a+rwX "$LOGBOOK_DIR"
	chmod -R go-w "$LOGBOOK_DIR/.git"
	let_others_in
	run as_nobody env HOME="$BATS_TEST_TMPDIR" LOGBOOK_DIR="$LOGBOOK_DIR" LOGBOOK_HOST=web1 \
		LOGBOOK_USER=bob "$LOGBOOK" note "nobody's note"
	[ "$status" -eq 0 ]
	before=$(git -C "$hub" rev-parse refs/heads/hosts/web1)
	run as_nobody env HOME="$BATS_TEST_TMPDIR" LOGBOOK_DIR="$LOGBOOK_DIR" LOGBOOK_HOST=web1 "$LOGBOOK" sync
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"Only root runs sync in $LOGBOOK_DIR: asked for one"* ]] || { echo "$output"; false; }
	[ -f "$LOGBOOK_DIR/.state/sync/request" ]
	[ "$(git -C "$hub" rev-parse refs/heads/hosts/web1)" = "$before" ]
	lb sync >/dev/null
	git -C "$hub" show refs/heads/hosts/web1:"$(today | cut -c1-4)/$(today)/web1.jsonl" | grep -q "nobody's note"
}

@test "6 hosts, 50 rounds of notes and syncs at once, some syncs killed: every replica ends with every note once" {
	hosts="web1 db1 irc1 git1 vps1 game1"
	for h in $hosts; do
		replica $h
	done
	for ((i = 1; i <= 50; i++)); do
		pids=()
		for h in $hosts; do
			# a note (which starts its own sync in the background), then a sync
			{ on $h note "$h $i" && on $h sync; } >/dev/null 2>&1 &
			pids+=($!)
		done
		# now and then, kill one of them at a random moment
		if ((RANDOM % 3 == 0)); then
			sleep "0.0$((RANDOM % 10))"
			# this test's syncs only: in the foreground, and those note started
			pkill -9 -x -f "$LOGBOOK sync" 2>/dev/null || true
			pkill -9 -f "^/proc/self/exe -C $BATS_TEST_TMPDIR/" 2>/dev/null || true
		fi
		wait "${pids[@]}" 2>/dev/null || true
	done
	# a quiet end: background syncs done, then every host syncs twice in turn
	for ((t = 0; t < 100; t++)); do
		pgrep -f "^/proc/self/exe -C $BATS_TEST_TMPDIR/" >/dev/null || break
		sleep 0.1
	done
	# pkill can kill a git that a sync it matched started since (it reads
	# the command lines, then kills): a ref lock that git left is removed
	# by a sync once it is 10 s old (replica.c, remove_stale_ref_locks)
	sleep 11
	for round in 1 2 3; do
		for h in $hosts; do
			on $h sync >/dev/null 2>&1 || true
		done
	done
	for h in $hosts; do
		n=$(notes $h | wc -l)
		dup=$(notes $h | uniq -d | wc -l)
		[ "$dup" -eq 0 ] || fail "$h holds duplicates"
		run on $h verify
		[ "$status" -eq 0 ] || fail "$h verify: $output"
		echo "$h: $n notes" >&3
	done
	# the notes that were written (a note killed before its commit is not one) are everywhere
	first=$(notes web1)
	for h in $hosts; do
		[ "$(notes $h)" = "$first" ] || fail "$h differs from web1"
	done
	for h in $hosts; do
		n=$(grep -c "^$h " <<<"$first")
		[ "$n" -ge 40 ] || fail "only $n notes of $h"
	done
}

@test "team.conf changed again after a sync is committed by the next sync" {
	export LOGBOOK_DIR=$BATS_TEST_TMPDIR/journal LOGBOOK_HOST=web1
	new_journal
	lb note something
	lb sync >/dev/null
	for v in 1 2 3; do
		git config -f "$LOGBOOK_DIR/team.conf" export.namespace "n$v"
		run --separate-stderr lb sync
		[ "$status" -eq 0 ] || fail "sync after change $v: $stderr"
	done
	[ "$(git -C "$LOGBOOK_DIR" show refs/heads/team:team.conf | git config -f - export.namespace)" = n3 ]
}

@test "sync ends with one line on what it did; -q says nothing" {
	# commands, not notes: a note would start a sync in the background
	history() {
		printf '#%s\n%s\n' "$(date +%s)" "$2" >"$BATS_TEST_TMPDIR/h"
		on "$1" import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	}
	replica web1
	history web1 'uptime'
	run --separate-stderr on web1 sync
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "sync: 1 of 1 remote reached; web1: new records committed; nothing new in" ] || fail "$output"
	LOGBOOK_HOST=db1 "$LOGBOOK" clone "$HUB" "$BATS_TEST_TMPDIR/db1" >/dev/null
	history db1 'df -h'
	history db1 'du -sh /var'
	on db1 sync -q
	run --separate-stderr on web1 sync
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "sync: 1 of 1 remote reached; web1: nothing new to commit; 2 records in (db1)" ] || fail "$output"
	history db1 'free -m'
	on db1 sync -q
	run --separate-stderr on web1 sync --quiet
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ] || fail "$output $stderr"
	[ "$(on web1 show --json | grep -c '"kind":"cmd"')" -eq 4 ]
}

@test "git in the journal: log shows this host's commits, status shows nothing untracked after a sync" {
	replica web1
	printf '#%s\n%s\n' "$(date +%s)" 'uptime' >"$BATS_TEST_TMPDIR/h"
	on web1 import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	on web1 sync -q
	LOGBOOK_HOST=db1 "$LOGBOOK" clone "$HUB" "$BATS_TEST_TMPDIR/db1" >/dev/null
	on db1 import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	on db1 sync -q
	on web1 sync -q
	for h in web1 db1; do
		run git -C "$BATS_TEST_TMPDIR/$h" log --oneline
		[ "$status" -eq 0 ] || fail "$h: $output"
		[[ "$output" == *"logbook: $h up to seq "* ]] || fail "$h: $output"
		[ "$(git -C "$BATS_TEST_TMPDIR/$h" symbolic-ref HEAD)" = "refs/heads/hosts/$h" ]
		run git -C "$BATS_TEST_TMPDIR/$h" status --porcelain
		[ "$status" -eq 0 ] && [ -z "$output" ] || fail "$h: $output"
	done
	# the other hosts' history is there by name
	run git -C "$BATS_TEST_TMPDIR/web1" log --oneline hosts/db1
	[[ "$output" == *"logbook: db1 up to seq "* ]] || fail "$output"
	# records not synced yet show as a change, nothing else
	printf '#%s\n%s\n' "$(date +%s)" 'df -h' >"$BATS_TEST_TMPDIR/h"
	on web1 import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	run git -C "$BATS_TEST_TMPDIR/web1" status --porcelain
	[ "$output" = " M $(date -u +%Y)/$(date -u +%Y_%m_%d)/web1.jsonl" ] || fail "$output"
}

# the git processes a sync as host $1 starts, one a line ("git <subcommand>")
git_processes() {
	local h=$1
	# -z: successful execs only, each on one line (sync runs gits side by side:
	# a failed PATH lookup split by another process's exec would count too)
	strace -f -qq -z -e trace=execve -o "$BATS_TEST_TMPDIR/trace.$h" env LOGBOOK_HOST="$h" \
		LOGBOOK_DIR="$BATS_TEST_TMPDIR/$h" "$LOGBOOK" sync >/dev/null
	grep -v ENOENT "$BATS_TEST_TMPDIR/trace.$h" |
		grep -o 'execve("[^"]*/git", \["git", \("-c", "[^"]*", \)*"[a-z][a-z-]*"' |
		sed 's/.*, "/git /; s/"$//'
}

@test "after a sync that commits, git's own index holds exactly the tree of this host's ref" {
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	for text in first second third; do
		on web1 note "$text"
		on web1 sync -q
		git -C "$BATS_TEST_TMPDIR/web1" ls-files -s | awk '{ print $1, $2, $4 }' >"$BATS_TEST_TMPDIR/index"
		git -C "$BATS_TEST_TMPDIR/web1" ls-tree -r HEAD | awk '{ print $1, $3, $4 }' >"$BATS_TEST_TMPDIR/tree"
		diff "$BATS_TEST_TMPDIR/tree" "$BATS_TEST_TMPDIR/index" || fail "after the note '$text'"
		git -C "$BATS_TEST_TMPDIR/web1" diff --cached --quiet
		run git -C "$BATS_TEST_TMPDIR/web1" status --porcelain
		[ -z "$output" ] || fail "$output"
	done
	# an admin's git holding git's index lock keeps the index as it is, and sync says so
	on web1 note fourth
	touch "$BATS_TEST_TMPDIR/web1/.git/index.lock"
	run on web1 sync
	[[ "$output" == *"the journal's git view"* ]] || fail "$output"
	[ -e "$BATS_TEST_TMPDIR/web1/.git/index.lock" ]
}

@test "git's own index is right after a commit whose view update was missed (HEAD elsewhere meanwhile)" {
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	local g="git -C $BATS_TEST_TMPDIR/web1"
	on web1 note first
	on web1 sync -q
	on web1 note second
	on web1 sync -q
	# a commit of an older day while HEAD is not this host's ref: the view is left alone
	$g symbolic-ref HEAD refs/heads/elsewhere
	printf '#1793786400\nthe-old-command\n' >"$BATS_TEST_TMPDIR/h"
	on web1 import --bash-history "$BATS_TEST_TMPDIR/h" >/dev/null
	on web1 sync -q
	$g symbolic-ref HEAD refs/heads/hosts/web1
	# the next commit changes today's file only; the index must hold the older day too
	on web1 note third
	on web1 sync -q
	$g ls-files -s | awk '{ print $1, $2, $4 }' >"$BATS_TEST_TMPDIR/index"
	$g ls-tree -r HEAD | awk '{ print $1, $3, $4 }' >"$BATS_TEST_TMPDIR/tree"
	grep -q 2026_11_04 "$BATS_TEST_TMPDIR/tree" || fail "the older day is not committed"
	diff "$BATS_TEST_TMPDIR/tree" "$BATS_TEST_TMPDIR/index" || fail "git's index is not the ref's tree"
	run $g status --porcelain
	[ -z "$output" ] || fail "$output"
}

@test "after a commit, git's index is brought up to date with the files that changed, not read again whole" {
	command -v strace >/dev/null || skip "strace is not installed"
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	for text in first second; do
		on web1 note "$text"
		on web1 sync -q
	done
	on web1 note third
	made=$(git_processes web1)
	[ "$(echo "$made" | grep -c 'git update-index')" -eq 1 ] || fail "$made"
	run -1 grep -q 'git read-tree' <<<"$made"
	run git -C "$BATS_TEST_TMPDIR/web1" status --porcelain
	[ -z "$output" ] || fail "$output"
}

@test "a sync with nothing new starts as many git processes for 6 hosts as for 2: the refs are read at once" {
	command -v strace >/dev/null || skip "strace is not installed"
	replica h1
	git config -f "$BATS_TEST_TMPDIR/h1/team.conf" sync.auto false
	on h1 note "from h1"
	on h1 sync >/dev/null
	for h in h2 h3 h4 h5 h6; do
		on $h clone "$HUB" "$BATS_TEST_TMPDIR/$h" >/dev/null
		if [ "$h" = h3 ]; then
			on h1 sync >/dev/null
			few=$(git_processes h1)
		fi
		on $h note "from $h"
		on $h sync >/dev/null
	done
	on h1 sync >/dev/null
	on h1 sync >/dev/null
	many=$(git_processes h1)
	[ "$(LOGBOOK_DIR="$BATS_TEST_TMPDIR/h1" "$LOGBOOK" show --json | grep -c '"kind":"note"')" -eq 6 ]
	[ "$(echo "$many" | wc -l)" -eq "$(echo "$few" | wc -l)" ] || fail "6 hosts: $many; 2 hosts: $few"
	# one look at the refs, before the fetch: it moved none (it said nothing); no per-host rev-parse
	[ "$(echo "$many" | grep -c 'git for-each-ref')" -eq 1 ] || fail "$many"
	run -1 grep -E 'git (rev-parse|merge-base|hash-object)' <<<"$many"
	# and what git says stays true: nothing new anywhere
	run on h1 sync
	[ "$output" = "sync: 1 of 1 remote reached; h1: nothing new to commit; nothing new in" ] || fail "$output"
}

@test "a sync that commits reads the refs before the fetch, again only when the fetch moved one, and never asks git about its own commit" {
	command -v strace >/dev/null || skip "strace is not installed"
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	on web1 note "first on web1"
	on web1 sync >/dev/null
	on db1 clone "$HUB" "$BATS_TEST_TMPDIR/db1" >/dev/null
	on db1 note "from db1"
	on db1 sync >/dev/null
	on web1 sync >/dev/null
	on web1 note "new on web1"
	made=$(git_processes web1)
	# the commit: logbook's own objects, one git update-ref (and a git cat-file, the first time)
	[ "$(echo "$made" | grep -c 'git update-ref')" -eq 1 ] || fail "$made"
	run -1 grep -E 'git (fast-import|update-index|write-tree|commit-tree)' <<<"$made"
	# the commit's new value and its tree kept in the snapshot; its parent known to be an ancestor
	[ "$(echo "$made" | grep -c 'git for-each-ref')" -eq 1 ] || fail "$made"
	run -1 grep -E 'git (rev-parse|merge-base)' <<<"$made" || fail "$made"
	# db1's new records move its ref: the refs are read again after the fetch, and the records come in
	on db1 note "more from db1"
	on db1 sync >/dev/null
	on web1 note "more on web1"
	made=$(git_processes web1)
	[ "$(echo "$made" | grep -c 'git for-each-ref')" -ge 2 ] || fail "$made"
	LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" "$LOGBOOK" show --json | grep -q '"more from db1"' ||
		fail "db1's records did not come in"
	# what the snapshot said is what git holds: the hub has web1's commit, and db1 gets the note
	local mine
	mine=$(git -C "$BATS_TEST_TMPDIR/web1" rev-parse refs/heads/hosts/web1)
	[ "$(git -C "$HUB" rev-parse refs/heads/hosts/web1)" = "$mine" ]
	[ "$(git -C "$BATS_TEST_TMPDIR/web1" rev-parse HEAD)" = "$mine" ]
	run git -C "$BATS_TEST_TMPDIR/web1" status --porcelain
	[ -z "$output" ] || fail "$output"
	on db1 sync >/dev/null
	LOGBOOK_DIR="$BATS_TEST_TMPDIR/db1" "$LOGBOOK" show --json | grep -q '"new on web1"'
}

@test "sync commits this host's records while its first fetch waits on the network" {
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	on web1 note "first"
	on web1 sync >/dev/null
	on web1 remote rm hub
	on web1 remote add far ssh://far.invalid/srv/journal >/dev/null
	on web1 note "while fetching"
	local ref=refs/heads/hosts/web1 before real
	before=$(git -C "$BATS_TEST_TMPDIR/web1" rev-parse "$ref")
	real=$(command -v git)
	# git update-ref (the commit's) waits (8 s at most) for the fetch to have started;
	# the fetch (its ssh) then waits for the commit: both only if they overlap
	mkdir "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/git" <<EOF
#!/bin/sh
if [ "\$1" = update-ref ] || [ "\$1" = fast-import ]; then
	for i in \$(seq 160); do [ -e '$BATS_TEST_TMPDIR/fetching' ] && break; sleep 0.05; done
fi
exec '$real' "\$@"
EOF
	cat >"$BATS_TEST_TMPDIR/ssh" <<EOF
#!/bin/sh
now() { '$real' -C '$BATS_TEST_TMPDIR/web1' rev-parse $ref; }
if [ "\$(now)" != "$before" ]; then echo before >'$BATS_TEST_TMPDIR/seen'; exit 1; fi
touch '$BATS_TEST_TMPDIR/fetching'
for i in \$(seq 100); do
	if [ "\$(now)" != "$before" ]; then echo during >'$BATS_TEST_TMPDIR/seen'; exit 1; fi
	sleep 0.05
done
echo never >'$BATS_TEST_TMPDIR/seen'
exit 1
EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/git" "$BATS_TEST_TMPDIR/ssh"
	run env PATH="$BATS_TEST_TMPDIR/bin:$PATH" GIT_SSH_COMMAND="$BATS_TEST_TMPDIR/ssh" LOGBOOK_HOST=web1 \
		LOGBOOK_DIR="$BATS_TEST_TMPDIR/web1" "$LOGBOOK" sync
	[ "$status" -eq 4 ] || fail "$output"
	[[ "$output" == *"far: cannot be reached"* ]] || fail "$output"
	[ "$(cat "$BATS_TEST_TMPDIR/seen")" = during ] || fail "$(cat "$BATS_TEST_TMPDIR/seen")"
	[ "$(git -C "$BATS_TEST_TMPDIR/web1" rev-parse "$ref")" != "$before" ]
	git -C "$BATS_TEST_TMPDIR/web1" show "$ref:$(date -u +%Y)/$(date -u +%Y_%m_%d)/web1.jsonl" | grep -q '"while fetching"'
}

@test "a ref lock a killed git left is removed by the next sync once it is old; a fresh one is left to its git" {
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	on web1 note "first"
	on web1 sync >/dev/null
	local g=$BATS_TEST_TMPDIR/web1/.git
	# what a git update-ref killed between its two reflogs leaves (HEAD points at this host's ref)
	: >"$g/HEAD.lock"
	: >"$g/refs/heads/hosts/web1.lock"
	on web1 note "second"
	# a lock of a git still at work: the sync fails, and says git's reason
	run on web1 sync
	[ "$status" -eq 1 ] || fail "$output"
	[[ "$output" == *"lock"* ]] || fail "$output"
	[ -e "$g/HEAD.lock" ]
	[ -e "$g/refs/heads/hosts/web1.lock" ]
	# the same locks a minute old: no git holds a ref's lock that long
	touch -d '-1 minute' "$g/HEAD.lock" "$g/refs/heads/hosts/web1.lock" "$g/index.lock"
	run on web1 sync
	[ "$status" -eq 0 ] || fail "$output"
	[ ! -e "$g/HEAD.lock" ]
	[ ! -e "$g/refs/heads/hosts/web1.lock" ]
	# git's index lock is an admin's git's as often as a killed one's: left, and said
	[ -e "$g/index.lock" ]
	[[ "$output" == *"the journal's git view"* ]] || fail "$output"
	git -C "$BATS_TEST_TMPDIR/web1" show "refs/heads/hosts/web1:$(date -u +%Y)/$(date -u +%Y_%m_%d)/web1.jsonl" | grep -q '"second"'
	[ "$(git -C "$HUB" rev-parse refs/heads/hosts/web1)" = "$(git -C "$BATS_TEST_TMPDIR/web1" rev-parse refs/heads/hosts/web1)" ]
}

@test "a record file of this host rewritten in place, its size and times put back, is still committed" {
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	on web1 note hello
	on web1 sync >/dev/null
	# nothing new: git found nothing, and the stamp of that is kept
	on web1 sync >/dev/null
	[ -f "$BATS_TEST_TMPDIR/web1/.state/sync/commit.web1" ]
	day=$(date -u +%Y_%m_%d)
	f="$BATS_TEST_TMPDIR/web1/${day:0:4}/$day/web1.jsonl"
	touch -r "$f" "$BATS_TEST_TMPDIR/times"
	sed -i 's/"hello"/"HELLO"/' "$f"
	touch -r "$BATS_TEST_TMPDIR/times" "$f"
	run on web1 sync
	[[ "$output" == *"web1: new records committed"* ]] || fail "the rewrite was not committed: $output"
	git -C "$HUB" show "refs/heads/hosts/web1:${day:0:4}/$day/web1.jsonl" | grep -q HELLO
}

# host $1's journal with one note, synced twice: the stamp of nothing to commit is kept
stamped() {
	replica "$1"
	git config -f "$BATS_TEST_TMPDIR/$1/team.conf" sync.auto false
	on "$1" note hello
	on "$1" sync >/dev/null
	on "$1" sync >/dev/null
}

# a sync as host $1 that must commit what $2 names
must_commit() {
	local out
	out=$(on "$1" sync)
	[[ "$out" == *"$1: new records committed"* ]] || fail "$2 was not committed: $out"
}

# hello becomes HELLO in host $1's file of today, through the file's own
# inode, its size and times put back: only the change time tells
rewrite_in_place() {
	local day f ino
	day=$(date -u +%Y_%m_%d)
	f="$BATS_TEST_TMPDIR/$1/${day:0:4}/$day/$1.jsonl"
	ino=$(stat -c %i "$f")
	touch -r "$f" "$BATS_TEST_TMPDIR/times"
	sed 's/"hello"/"HELLO"/' "$f" >"$BATS_TEST_TMPDIR/new"
	dd if="$BATS_TEST_TMPDIR/new" of="$f" conv=notrunc status=none
	touch -r "$BATS_TEST_TMPDIR/times" "$f"
	[ "$(stat -c %i "$f")" = "$ino" ]
}

@test "a record file of this host rewritten through its own inode, its size and times put back, is committed" {
	stamped web1
	rewrite_in_place web1
	must_commit web1 "the rewrite"
	day=$(date -u +%Y_%m_%d)
	git -C "$HUB" show "refs/heads/hosts/web1:${day:0:4}/$day/web1.jsonl" | grep -q HELLO
}

@test "a list of this host's files that another account owns is not believed" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the file to another account"
	stamped web1
	rewrite_in_place web1
	# what a member who can write .state/sync/ would plant: this host's
	# files as they are now, under the commit its ref names
	j="$BATS_TEST_TMPDIR/web1"
	py - "$j" "$(git -C "$j" rev-parse refs/heads/hosts/web1)" web1 >"$j/.state/sync/files.web1" <<'PY'
import os, struct, sys
root, commit, host = sys.argv[1:4]
out = b"logbook-files 1 " + commit.encode() + b"\n"
for y in sorted(d for d in os.listdir(root) if len(d) == 4 and d.isdigit()):
    for day in sorted(os.listdir(os.path.join(root, y))):
        rel = "%s/%s/%s.jsonl" % (y, day, host)
        try:
            st = os.lstat(os.path.join(root, rel))
        except FileNotFoundError:
            continue
        out += rel.encode() + b"\0" + struct.pack("=8q", st.st_size, st.st_mode, st.st_ino, st.st_dev,
                                                  st.st_ctime_ns // 10**9, st.st_ctime_ns % 10**9,
                                                  st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9)
sys.stdout.buffer.write(out)
PY
	chown nobody "$j/.state/sync/files.web1"
	must_commit web1 "the rewrite behind a planted list"
	day=$(date -u +%Y_%m_%d)
	git -C "$HUB" show "refs/heads/hosts/web1:${day:0:4}/$day/web1.jsonl" | grep -q HELLO
}

@test "a record file of this host planted in an old day is committed, however old its times say it is" {
	stamped web1
	day=$(date -u +%Y_%m_%d)
	# a day the journal already has (another host's), and a year of its own
	mkdir -p "$BATS_TEST_TMPDIR/web1/2019/2019_03_04"
	echo '{}' >"$BATS_TEST_TMPDIR/web1/2019/2019_03_04/db1.jsonl"
	on web1 sync >/dev/null
	cp "$BATS_TEST_TMPDIR/web1/${day:0:4}/$day/web1.jsonl" "$BATS_TEST_TMPDIR/web1/2019/2019_03_04/web1.jsonl"
	touch -d 2019-03-04T12:00:00 "$BATS_TEST_TMPDIR/web1/2019/2019_03_04/web1.jsonl" "$BATS_TEST_TMPDIR/web1/2019/2019_03_04"
	must_commit web1 "the planted file"
	git -C "$HUB" cat-file -e "refs/heads/hosts/web1:2019/2019_03_04/web1.jsonl"
}

@test "a record file of this host replaced by an older copy, its times put back, is committed" {
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	day=$(date -u +%Y_%m_%d)
	f="$BATS_TEST_TMPDIR/web1/${day:0:4}/$day/web1.jsonl"
	on web1 note first
	cp -p "$f" "$BATS_TEST_TMPDIR/old"
	on web1 note second
	on web1 sync >/dev/null
	on web1 sync >/dev/null
	# the copy taken before the second note, restored under the file's name with its times
	touch -r "$f" "$BATS_TEST_TMPDIR/old"
	mv "$BATS_TEST_TMPDIR/old" "$f"
	must_commit web1 "the restored file"
	run git -C "$HUB" show "refs/heads/hosts/web1:${day:0:4}/$day/web1.jsonl"
	[[ "$output" != *second* ]] || fail "$output"
}

@test "this host's ref moved back inside .git: the stamp of nothing to commit is not believed" {
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	local stamp=$BATS_TEST_TMPDIR/web1/.state/sync/commit.web1 ino
	on web1 note first
	on web1 sync >/dev/null
	on web1 note second
	on web1 sync >/dev/null
	ino=$(stat -c %i "$stamp")
	# believed: the files are not read again, the stamp not written again
	on web1 sync >/dev/null
	[ "$(stat -c %i "$stamp")" = "$ino" ] || fail "a stamp that holds was not believed"
	git -C "$BATS_TEST_TMPDIR/web1" update-ref refs/heads/hosts/web1 refs/heads/hosts/web1~1
	# the hub refuses the commit made on the ref moved back (unless it is the
	# same commit again, made within the same second): the exit status varies
	run on web1 sync
	[ "$(stat -c %i "$stamp")" != "$ino" ] || fail "the stamp was believed for a ref moved back"
	day=$(date -u +%Y_%m_%d)
	git -C "$BATS_TEST_TMPDIR/web1" show "refs/heads/hosts/web1:${day:0:4}/$day/web1.jsonl" | grep -q second
}

@test "a stamp of nothing to commit that another account owns is not believed" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the file to another account"
	replica web1
	git config -f "$BATS_TEST_TMPDIR/web1/team.conf" sync.auto false
	local stamp=$BATS_TEST_TMPDIR/web1/.state/sync/commit.web1 ino
	on web1 note hello
	on web1 sync >/dev/null
	ino=$(stat -c %i "$stamp")
	# believed: the stamp is not written again
	on web1 sync >/dev/null
	[ "$(stat -c %i "$stamp")" = "$ino" ] || fail "a stamp that holds was not believed"
	chown nobody "$stamp"
	on web1 sync >/dev/null
	# not believed: the files were read, and the stamp is ours again
	[ "$(stat -c %U "$stamp")" = root ] || fail "a stamp of another account was believed"
}
