#!/usr/bin/env bats
# The record store: concurrent writers, torn and damaged lines, lost state,
# and the ways writing can fail

load lib

teardown() {
	if [ -n "${MOUNTED:-}" ]; then
		umount "$MOUNTED" || umount -l "$MOUNTED"
	fi
}

# N processes writing M notes each at once, as host "$host_of_p" (a format
# with %d for the process number) or all as $LOGBOOK_HOST
write_at_once() {
	local procs=$1 notes=$2 hostfmt=${3:-} p i
	for p in $(seq "$procs"); do
		(
			[ -n "$hostfmt" ] && export LOGBOOK_HOST=$(printf "$hostfmt" "$p")
			for i in $(seq "$notes"); do
				"$LOGBOOK" note "process $p note $i" || echo "process $p note $i failed" >&2
			done
		) &
	done
	wait
}

# every note text of the day's --json output, sorted
json_texts() {
	py -c 'import json, sys; [print(json.loads(l)["text"]) for l in sys.stdin]' | sort
}

expected_texts() {
	local p i
	for p in $(seq "$1"); do
		for i in $(seq "$2"); do
			echo "process $p note $i"
		done
	done | sort
}

@test "4 processes writing 100 notes each at once on one host lose nothing and keep one chain" {
	new_journal
	run --separate-stderr write_at_once 4 100
	[ -z "$stderr" ] || fail "$stderr"
	lb show --json >"$BATS_TEST_TMPDIR/json"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/json")" -eq 400 ]
	[ "$(json_texts <"$BATS_TEST_TMPDIR/json")" = "$(expected_texts 4 100)" ]
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 400 ]
	[ "$(jsonl files "$LOGBOOK_DIR")" -eq 400 ]
	# each process's notes are in the order it wrote them
	for p in 1 2 3 4; do
		grep -o "\"process $p note [0-9]*\"" "$(day_file)" | tr -dc '0-9\n' | sed "s/^$p//" >"$BATS_TEST_TMPDIR/order"
		sort -n -c "$BATS_TEST_TMPDIR/order"
	done
}

@test "4 hosts writing 100 notes each at once keep four chains" {
	new_journal
	run --separate-stderr write_at_once 4 100 'host%d'
	[ -z "$stderr" ] || fail "$stderr"
	lb show --json >"$BATS_TEST_TMPDIR/json"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/json")" -eq 400 ]
	[ "$(json_texts <"$BATS_TEST_TMPDIR/json")" = "$(expected_texts 4 100)" ]
	for h in host1 host2 host3 host4; do
		[ "$(jsonl chain "$LOGBOOK_DIR" "$h")" -eq 100 ] || fail "chain of $h"
	done
	# --json is in time order
	jsonl sorted "$LOGBOOK_DIR"/*/*/host*.jsonl | cmp - "$BATS_TEST_TMPDIR/json"
	run lb days
	[[ "$output" =~ ^$(today)\ +400\ +host1:100\ host2:100\ host3:100\ host4:100$ ]]
}

@test "a torn last line is cut by the next note, kept under .state/torn, and nothing is lost" {
	new_journal
	lb note before the crash
	local f
	f=$(day_file)
	printf '{"v":1,"kind":"no' >>"$f"
	# readers skip it, silently: a writer may be in the middle of it
	run --separate-stderr lb show
	[ "$status" -eq 0 ]
	[[ "$output" == *"before the crash"* ]]
	[ -z "$stderr" ]
	run --separate-stderr lb note after the crash
	[ "$status" -eq 0 ]
	[[ "$stderr" == "logbook: $f: "*torn* ]]
	run lb show
	[[ "$output" == *"before the crash"* ]]
	[[ "$output" == *"after the crash"* ]]
	[ "$(jsonl files "$LOGBOOK_DIR")" -eq 2 ]
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 2 ]
	# the torn bytes are kept, exactly
	[ "$(find "$LOGBOOK_DIR/.state/torn" -type f | wc -l)" -eq 1 ]
	[ "$(cat "$LOGBOOK_DIR"/.state/torn/*)" = '{"v":1,"kind":"no' ]
}

@test "a torn line is repaired even when the chain cache is gone" {
	new_journal
	lb note one
	printf '{"v":1,"kind":"note","text":"half' >>"$(day_file)"
	rm -rf "$LOGBOOK_DIR/.state"
	run --separate-stderr lb note two
	[ "$status" -eq 0 ]
	[[ "$stderr" == *torn* ]]
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 2 ]
	[ -n "$(ls "$LOGBOOK_DIR/.state/torn")" ]
}

@test "a torn line that is a whole record without its newline is still cut" {
	# it was never reported as written: the writer died before the newline
	new_journal
	lb note one
	local f
	f=$(day_file)
	head -n1 "$f" | tr -d '\n' >>"$f"
	run lb show --json
	[ "${#lines[@]}" -eq 1 ]
	lb note two
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 2 ]
}

@test "a damaged line in the middle is reported with file and line, and the lines after it still show" {
	new_journal
	lb note one
	lb note two
	lb note three
	local f
	f=$(day_file)
	sed -i '2s/.*/{"v":1,"kind":"note", this is not JSON/' "$f"
	run --separate-stderr lb show
	[ "$status" -eq 0 ]
	[[ "$stderr" == "logbook: $f:2: "* ]]
	[[ "$output" == *one* ]]
	[[ "$output" != *two* ]]
	[[ "$output" == *three* ]]
	run --separate-stderr lb show --json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"$f:2: "* ]]
	[ "${#lines[@]}" -eq 2 ]
}

@test "a line that is JSON but not a record is reported too" {
	new_journal
	lb note one
	lb note two
	local f
	f=$(day_file)
	sed -i '1s/"seq":1,/"seq":"one",/' "$f"
	run --separate-stderr lb show
	[ "$status" -eq 0 ]
	[[ "$stderr" == "logbook: $f:1: "*seq* ]]
	[[ "$output" == *two* ]]
}

@test "lines with invalid UTF-8 or a duplicate key are reported as damaged" {
	new_journal
	lb note one
	lb note two
	lb note three
	local f
	f=$(day_file)
	sed -i '1s/"text":"one"/"text":"o\xffne"/; 2s/"text":"two"/"text":"two","text":"evil"/' "$f"
	run --separate-stderr lb show
	[ "$status" -eq 0 ]
	[[ "${stderr_lines[0]}" == "logbook: $f:1: "* ]]
	[[ "${stderr_lines[1]}" == "logbook: $f:2: "* ]]
	[[ "$output" != *evil* ]]
	[[ "$output" == *three* ]]
}

@test "a record of another host in a host's file is reported, not shown" {
	new_journal
	lb note one
	LOGBOOK_HOST=db1 lb note intruder
	cat "$(day_file db1)" >>"$(day_file)"
	rm "$(day_file db1)"
	run --separate-stderr lb show
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"$(day_file):2: "*db1* ]]
	[[ "$output" != *intruder* ]]
}

@test "after a damaged line, new notes still link to the last line written" {
	new_journal
	lb note one
	lb note two
	sed -i '1s/.*/garbage/' "$(day_file)"
	run lb note three
	[ "$status" -eq 0 ]
	local h
	h=$(sed -n 2p "$(day_file)" | tr -d '\n' | sha256sum | cut -d' ' -f1)
	[ "$(last_field prev)" = "$h" ]
	[ "$(last_field seq)" = 3 ]
}

@test "deleting .state loses nothing: the next note continues the chain" {
	new_journal
	lb note one
	lb note two
	LOGBOOK_HOST=db1 lb note other host
	rm -rf "$LOGBOOK_DIR/.state"
	lb note three
	LOGBOOK_HOST=db1 lb note other again
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 3 ]
	[ "$(jsonl chain "$LOGBOOK_DIR" db1)" -eq 2 ]
	[ "$(last_field seq)" = 3 ]
}

@test "another writer that follows the format's rules can append to the chain" {
	# docs/format.md: take the lock, append whole lines, clear the cache
	new_journal
	lb note by logbook
	local f=$(day_file)
	py - "$f" "$LOGBOOK_DIR/.state/chain/web1" <<-'EOF'
	import fcntl, hashlib, json, sys
	path, lock = sys.argv[1], sys.argv[2]
	with open(lock, "r+b") as lk:
	    fcntl.flock(lk, fcntl.LOCK_EX)
	    last = open(path, "rb").read().split(b"\n")[-2]
	    head = json.loads(last)
	    rec = dict(head, seq=head["seq"] + 1, prev=hashlib.sha256(last).hexdigest(),
	               text="by another writer", admin="script")
	    with open(path, "ab") as out:
	        out.write(json.dumps(rec, separators=(",", ":")).encode() + b"\n")
	    lk.truncate(0)
	EOF
	lb note by logbook again
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 3 ]
	run lb show
	[[ "$output" == *"by another writer"* ]]
}

@test "a stale chain cache is not trusted" {
	new_journal
	lb note one
	lb note two
	cp "$LOGBOOK_DIR/.state/chain/web1" "$BATS_TEST_TMPDIR/old-cache"
	lb note three
	# a cache from before "three", as a restore from backup would leave it
	cp "$BATS_TEST_TMPDIR/old-cache" "$LOGBOOK_DIR/.state/chain/web1"
	lb note four
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 4 ]
}

@test "a garbled chain cache is not trusted" {
	new_journal
	lb note one
	echo 'logbook-chain 1 C nonsense' >"$LOGBOOK_DIR/.state/chain/web1"
	lb note two
	head -c 100 /dev/urandom >"$LOGBOOK_DIR/.state/chain/web1"
	lb note three
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 3 ]
}

@test "the chain goes on across day files, and a lost cache finds the newest head" {
	new_journal Pacific/Pago_Pago
	lb note west
	git config -f "$LOGBOOK_DIR/team.conf" team.timezone Pacific/Kiritimati
	lb note east
	rm -rf "$LOGBOOK_DIR/.state"
	git config -f "$LOGBOOK_DIR/team.conf" team.timezone Pacific/Pago_Pago
	lb note west again
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 3 ]
	[ "$(ls -d "$LOGBOOK_DIR"/????/????_??_?? | wc -l)" -eq 2 ]
}

@test "an unwritable journal: exit 1, a clear message, nothing written" {
	[ "$(id -u)" -eq 0 ] || skip "runs as nobody from root"
	new_journal
	lb note by root
	chmod -R o+rX "$LOGBOOK_DIR"
	let_others_in
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	run --separate-stderr as_nobody "$LOGBOOK" note by nobody
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == "logbook: note: $LOGBOOK_DIR/"*"Permission denied" ]]
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
}

@test "an unwritable journal without .state: exit 1, nothing written" {
	[ "$(id -u)" -eq 0 ] || skip "runs as nobody from root"
	new_journal
	lb note by root
	rm -rf "$LOGBOOK_DIR/.state"
	chmod -R o+rX "$LOGBOOK_DIR"
	let_others_in
	local before
	before=$(snapshot "$LOGBOOK_DIR")
	run --separate-stderr as_nobody "$LOGBOOK" note by nobody
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == "logbook: note: "*"Permission denied" ]]
	[ "$(snapshot "$LOGBOOK_DIR")" = "$before" ]
}

@test "a day file that cannot be written: exit 1, nothing written, the chain intact" {
	[ "$(id -u)" -eq 0 ] || skip "runs as nobody from root"
	new_journal
	lb note by root
	# nobody may take the lock, but not write the day file
	chmod -R o+rwX "$LOGBOOK_DIR/.state"
	chmod -R o+rX "$LOGBOOK_DIR"
	let_others_in
	run --separate-stderr as_nobody "$LOGBOOK" note by nobody
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == "logbook: note: $(day_file): Permission denied" ]]
	lb note root again
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 2 ]
}

@test "a missing journal: exit 1, and nothing is created" {
	export LOGBOOK_DIR=$BATS_TEST_TMPDIR/none
	run --separate-stderr lb note hello
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: $LOGBOOK_DIR: "* ]]
	[ ! -e "$LOGBOOK_DIR" ]
}

@test "a file size limit mid-note: exit 1, only complete lines stay, the next note links" {
	new_journal
	for i in 1 2 3; do
		lb note "note $i $(head -c 500 /dev/zero | tr '\0' x)"
	done
	local f size limit
	f=$(day_file)
	size=$(stat -c %s "$f")
	limit=$((size / 1024 + 1))	# KiB: room for part of the next line only
	cp "$f" "$BATS_TEST_TMPDIR/before"
	run --separate-stderr bash -c "ulimit -f $limit && exec \"\$LOGBOOK\" note \"\$1\"" _ "$(head -c 3000 /dev/zero | tr '\0' y)"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: note: $f: "* ]]
	cmp "$f" "$BATS_TEST_TMPDIR/before"
	run lb note -q after the limit
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 4 ]
	[ "$(jsonl files "$LOGBOOK_DIR")" -eq 4 ]
}

@test "a full disk: the note that does not fit fails cleanly and the next one links" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	local mnt=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$mnt"
	mount -t tmpfs -o size=1m tmpfs "$mnt" 2>/dev/null || skip "cannot mount a tmpfs here"
	MOUNTED=$mnt
	export LOGBOOK_DIR=$mnt/journal
	new_journal
	lb note first
	# fill most of the disk, then write notes until one fails
	head -c $(($(df -B1 --output=avail "$mnt" | tail -n1) - 100000)) /dev/zero >"$mnt/filler"
	local text attempt failed=
	text=$(head -c 20000 /dev/zero | tr '\0' f)
	# (not "i": bats 1.8's run --separate-stderr sets a global i)
	for attempt in $(seq 100); do
		run --separate-stderr lb note "$attempt $text"
		if [ "$status" -ne 0 ]; then
			failed=$attempt
			break
		fi
	done
	[ -n "$failed" ] || fail "the disk never filled"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: note: "*"No space left on device"* ]]
	jsonl files "$LOGBOOK_DIR"
	local n
	n=$(jsonl chain "$LOGBOOK_DIR" web1)
	[ "$failed" -gt 1 ] || fail "no note fitted before the disk was full"
	[ "$n" -eq "$failed" ]	# "first" and the notes before the failed one
	run lb show --json
	[ "${#lines[@]}" -eq "$n" ]
	[[ "$output" != *"$failed $text"* ]]
	rm "$mnt/filler"
	run lb note after making room
	[ "$status" -eq 0 ]
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq $((n + 1)) ]
	jsonl files "$LOGBOOK_DIR"
}

@test "a full disk on a new day's page leaves no empty file or day directory" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	local mnt=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$mnt"
	mount -t tmpfs -o size=1m tmpfs "$mnt" 2>/dev/null || skip "cannot mount a tmpfs here"
	MOUNTED=$mnt
	export LOGBOOK_DIR=$mnt/journal
	new_journal
	lb note first
	# as if today's page did not exist yet: the note creates its directory and file
	rm -rf "$LOGBOOK_DIR/$(today | cut -c1-4)"
	head -c 2m /dev/zero >"$mnt/filler" 2>/dev/null || true	# all the room there is
	run --separate-stderr lb note "$(head -c 60000 /dev/zero | tr '\0' g)"
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" == "logbook: note: $(day_file): "*"No space left on device" ]]
	[ ! -e "$(dirname "$(day_file)")" ]
	[ -z "$(find "$LOGBOOK_DIR" -name '*.jsonl')" ]
	rm "$mnt/filler"
	lb note with room again
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 1 ]
}

@test "a day file replaced by a symlink to /dev/full: note fails with a message" {
	new_journal
	lb note one
	local f
	f=$(day_file)
	rm "$f"
	ln -s /dev/full "$f"
	run --separate-stderr timeout 10 "$LOGBOOK" note two
	[ "$status" -eq 1 ]
	[[ "$stderr" == "logbook: note: $f: "* ]]
	rm -rf "$LOGBOOK_DIR/.state"
	run --separate-stderr timeout 10 "$LOGBOOK" note three
	[ "$status" -eq 1 ]
	# (with no cache, looking for open incidents reads the day files first and
	# says what it skipped)
	[[ "${stderr_lines[-1]}" == "logbook: note: $f: "* ]] || fail "$stderr"
	[ -L "$f" ]
}

# run a reader with a time and, where the build allows, a memory limit
bounded() {
	if (ulimit -v 1000000 && "$LOGBOOK" --version) >/dev/null 2>&1; then
		(ulimit -v 1000000 && exec timeout 3 "$@")
	else	# a sanitizer build reserves more address space than any limit
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=256 timeout 3 "$@"
	fi
}

@test "show reports a day file that is a symlink to /dev/full and shows the other hosts" {
	new_journal
	lb note one
	LOGBOOK_HOST=db1 lb note on db1
	local f
	f=$(day_file)
	rm "$f"
	ln -s /dev/full "$f"
	run --separate-stderr bounded "$LOGBOOK" show
	[ "$status" -le 1 ] || fail "show: exit $status: $stderr"
	[[ "$stderr" == *"$f"* ]] || fail "show: the file is not named: $stderr"
	[[ "$output" == *"on db1"* ]]
}

@test "days reports a day file that is a symlink to /dev/full" {
	new_journal
	lb note one
	LOGBOOK_HOST=db1 lb note on db1
	local f
	f=$(day_file)
	rm "$f"
	ln -s /dev/full "$f"
	run --separate-stderr bounded "$LOGBOOK" days
	[ "$status" -le 1 ] || fail "days: exit $status: $stderr"
	[[ "$stderr" == *"$f"* ]] || fail "days: the file is not named: $stderr"
	[[ "$output" == *"db1:1"* ]]
}

@test "a note interrupted by a signal while waiting for the lock writes nothing" {
	new_journal
	lb note one
	# hold the host's lock, as a slow writer would (the subshell becomes the
	# sleep, so killing it releases the lock)
	(exec 9<>"$LOGBOOK_DIR/.state/chain/web1" && flock 9 && exec sleep 10) &
	local holder=$! waiter
	sleep 0.3
	"$LOGBOOK" note waiting &
	waiter=$!
	sleep 0.3
	kill -TERM "$waiter"
	run wait "$waiter"
	[ "$status" -ne 0 ]
	kill "$holder"
	wait "$holder" || true
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 1 ]
	lb note two
	[ "$(jsonl chain "$LOGBOOK_DIR" web1)" -eq 2 ]
}
