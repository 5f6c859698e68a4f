#!/usr/bin/env bash
# bench/append.sh: notes per second through "logbook note" processes, next
# to references measured in the same run:
#   - spawning /bin/true as many times (the floor of any one-process-per-note design)
#   - "logbook --version" as many times (logbook's own start-up: dynamic
#     linking of jansson and libcrypto, no journal)
#   - the shell's builtin printf >> file (what a shell hook that spawns
#     nothing costs)
# and a concurrent variant (4 processes x N/4 notes at once, next to 4 x
# N/4 /bin/true) that checks afterwards, with "logbook show --json", that
# every note is there exactly once (and the chain, when python3 is here).
#
#   bench/append.sh                    N=400 notes, median of 3 runs
#   N=1000 RUNS=5 bench/append.sh
#   LOGBOOK=/usr/local/bin/logbook bench/append.sh
#
# Each run gets a fresh journal from "logbook init" (not timed).
set -eu
export LC_ALL=C TZ=UTC	# EPOCHREALTIME's decimal point, and the day pages
N=${N:-400}
RUNS=${RUNS:-3}
LOGBOOK=${LOGBOOK:-./logbook}
case $LOGBOOK in /*) ;; */*) LOGBOOK=$PWD/${LOGBOOK#./} ;; esac
PROCS=4
[ $((N % PROCS)) -eq 0 ] || { echo "append.sh: N must be a multiple of $PROCS" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" bench >/dev/null
[ -x "$LOGBOOK" ] || LOGBOOK=$(command -v "$LOGBOOK")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LOGBOOK_HOST=bench1 LOGBOOK_USER=alice
unset LOGBOOK_DIR LOGBOOK_SESSION SSH_USER_AUTH SUDO_USER

median() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}

fresh_journal() {
	rm -rf "$work/j"
	"$LOGBOOK" init --timezone UTC "$work/j" >/dev/null
}

# each op_* does N operations and is timed as a whole
op_true() {
	local i
	for ((i = 0; i < N; i++)); do /bin/true; done
}
op_version() {
	local i
	for ((i = 0; i < N; i++)); do "$LOGBOOK" --version >/dev/null; done
}
op_printf() {
	local i f=$work/printf.log
	: >"$f"
	for ((i = 0; i < N; i++)); do
		printf '%s\t%s\n' "$i" "Restarted nginx after the config change" >>"$f"
	done
}
op_note() {
	local i
	for ((i = 0; i < N; i++)); do
		"$LOGBOOK" -C "$work/j" note "Restarted nginx after the config change, note $i" </dev/null
	done
}
conc_true() {
	local p i
	for ((p = 0; p < PROCS; p++)); do
		(for ((i = 0; i < N / PROCS; i++)); do /bin/true; done) &
	done
	wait
}
conc_note() {
	local p i
	for ((p = 0; p < PROCS; p++)); do
		(for ((i = 0; i < N / PROCS; i++)); do
			"$LOGBOOK" -C "$work/j" note "concurrent note c$p-$i" </dev/null
		done) &
	done
	wait
}

# every concurrent note is on the page once, the chain is whole
check_concurrent() {
	local days got
	days=$(printf '%s\n' "$1" "$2" | sort -u)
	got=$(for d in $days; do "$LOGBOOK" -C "$work/j" show --json "$d" 2>/dev/null; done |
		grep -o '"text":"concurrent note c[0-9]*-[0-9]*"' | sort -u | wc -l)
	if [ "$got" -ne "$N" ]; then
		echo "append.sh: show --json has $got distinct concurrent notes, expected $N" >&2
		exit 1
	fi
	if [ -x /usr/bin/python3 ]; then
		got=$(/usr/bin/python3 "$top/tests/jsonl.py" chain "$work/j" "$LOGBOOK_HOST")
		[ "$got" -eq "$N" ] || { echo "append.sh: chain of $got records, expected $N" >&2; exit 1; }
	fi
}

# RUNS rounds; within a round every operation once, each on a fresh
# journal, so that load from other work on the machine falls on every row
# alike; then the median of each
ops=(true:op_true version:op_version note:op_note printf:op_printf ctrue:conc_true cnote:conc_note)
declare -A runs med
for ((k = 0; k < RUNS; k++)); do
	for op in "${ops[@]}"; do
		name=${op%%:*} fn=${op#*:}
		fresh_journal
		d0=$(date -u +%Y_%m_%d)
		t0=${EPOCHREALTIME/./}
		"$fn"
		t1=${EPOCHREALTIME/./}
		runs[$name]+=" $((t1 - t0))"
		if [ "$fn" = conc_note ]; then
			check_concurrent "$d0" "$(date -u +%Y_%m_%d)"
		fi
	done
done
for op in "${ops[@]}"; do
	name=${op%%:*}
	# shellcheck disable=SC2086
	med[$name]=$(median ${runs[$name]})
done

row() {
	local label=$1 total=$2 ref=$3
	awk -v l="$label" -v t="$total" -v n="$N" -v r="$ref" 'BEGIN {
		printf "%-42s %9.3f %9.1f %9.0f %9.2fx\n", l, t / 1e6, t / n, n / (t / 1e6), t / r }'
}

echo "append.sh: $N operations per run, median of $RUNS rounds (rows interleaved), $PROCS processes in the concurrent rows"
echo "logbook: $LOGBOOK; journal in $work (fs: $(df -T "$work" | awk 'NR == 2 { print $2 }'))"
echo
printf '%-42s %9s %9s %9s %10s\n' operation "total s" "us/op" "ops/s" "vs true"
row "/bin/true spawn (reference)" "${med[true]}" "${med[true]}"
row "logbook --version (start-up only)" "${med[version]}" "${med[true]}"
row "logbook -C DIR note TEXT" "${med[note]}" "${med[true]}"
row "printf >> file in the shell (reference)" "${med[printf]}" "${med[true]}"
row "/bin/true spawn, 4 at once (reference)" "${med[ctrue]}" "${med[ctrue]}"
row "logbook note, 4 at once (all checked)" "${med[cnote]}" "${med[ctrue]}"
echo
awk -v n="${med[note]}" -v v="${med[version]}" -v t="${med[true]}" -v p="${med[printf]}" -v N="$N" 'BEGIN {
	printf "note costs %.1f us more than a bare logbook start-up, %.1f us more than /bin/true;\n", (n - v) / N, (n - t) / N
	printf "a note process is %.0fx the shell builtin printf >> file.\n", n / p }'
