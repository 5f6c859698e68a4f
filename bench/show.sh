#!/usr/bin/env bash
# bench/show.sh: reading, next to tools that read the same files in the same run.
#
#   1. a day of 100,000 records (build/bench/gen: 4 hosts x 25,000, 1 day):
#      "logbook show DAY" and "show --json DAY" into /dev/null, next to
#      cat of the day's files (the floor: read the bytes), jq -c . (parse
#      every line as JSON, streaming; when jq is installed) and sort (hold
#      every line in memory and order them, as show must);
#   2. a journal of 365 days x 4 hosts (20 records per host and day):
#      "logbook days", next to wc -l of the same files (days counts lines
#      per file too).
#
# Time is the median of RUNS rounds (default 3), the rows of a table
# interleaved within each round; peak memory (maximum resident
# set size) is from one more run under /usr/bin/time -f %M, when installed
# (Debian package "time").
#
#   bench/show.sh
#   RUNS=5 PER_DAY=50000 bench/show.sh
#   LOGBOOK=/usr/local/bin/logbook bench/show.sh
set -eu
export LC_ALL=C TZ=UTC
RUNS=${RUNS:-3}
HOSTS=${HOSTS:-4}
PER_DAY=${PER_DAY:-25000}
YEAR_DAYS=${YEAR_DAYS:-365}
YEAR_PER_DAY=${YEAR_PER_DAY:-20}
LOGBOOK=${LOGBOOK:-./logbook}
case $LOGBOOK in /*) ;; */*) LOGBOOK=$PWD/${LOGBOOK#./} ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" bench >/dev/null
[ -x "$LOGBOOK" ] || LOGBOOK=$(command -v "$LOGBOOK")
gen=$top/build/bench/gen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset LOGBOOK_DIR PAGER

GNU_TIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	GNU_TIME=/usr/bin/time
fi

median() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}

# table LABEL FN [LABEL FN...]: time each FN (output into /dev/null) RUNS
# times, the rows interleaved within each round so that load from other
# work on the machine falls on every row alike; print the medians, the
# ratio to the first row (the reference) and the peak RSS of one more run.
# FN [PREFIX...] runs its command with PREFIX (the memory meter) before it.
table() {
	local labels=() fns=() i k t0 t1 med ref rss
	local -A runs=()
	while [ $# -gt 0 ]; do
		labels+=("$1")
		fns+=("$2")
		shift 2
	done
	for ((k = 0; k < RUNS; k++)); do
		for i in "${!fns[@]}"; do
			t0=${EPOCHREALTIME/./}
			"${fns[i]}" >/dev/null
			t1=${EPOCHREALTIME/./}
			runs[$i]+=" $((t1 - t0))"
		done
	done
	printf '%-40s %9s %10s %13s\n' command "seconds" "vs ref" "peak RSS MiB"
	# shellcheck disable=SC2086
	ref=$(median ${runs[0]})
	for i in "${!fns[@]}"; do
		# shellcheck disable=SC2086
		med=$(median ${runs[$i]})
		rss=-
		if [ -n "$GNU_TIME" ]; then
			"${fns[i]}" "$GNU_TIME" -f %M -o "$work/rss" >/dev/null
			rss=$(awk '{ printf "%.1f", $1 / 1024 }' "$work/rss")
		fi
		awk -v l="${labels[i]}" -v t="$med" -v r="$ref" -v m="$rss" 'BEGIN {
			printf "%-40s %9.3f %9.2fx %13s\n", l, t / 1e6, t / r, m }'
	done
}

# ---- one day of 100,000 records ----
"$gen" --logbook "$LOGBOOK" --hosts "$HOSTS" --admins 6 --days 1 --per-day "$PER_DAY" --seed 1 \
	--start 2026-01-05 "$work/day" >"$work/gen.out"
DAY=2026_01_05
day_files=("$work/day/2026/$DAY/"*.jsonl)
day_bytes=$(cat "${day_files[@]}" | wc -c)
day_lines=$(cat "${day_files[@]}" | wc -l)

cat_day() { "$@" cat "${day_files[@]}"; }
jq_day() { "$@" jq -c . "${day_files[@]}"; }
sort_day() { "$@" sort "${day_files[@]}"; }
# shellcheck disable=SC2120 # table passes the memory meter
show_json() { "$@" "$LOGBOOK" -C "$work/day" show --json "$DAY"; }
# shellcheck disable=SC2120
show_page() { "$@" "$LOGBOOK" -C "$work/day" show --no-pager --color=never "$DAY"; }

echo "show.sh: median of $RUNS rounds (rows interleaved); peak RSS from one more run (${GNU_TIME:-/usr/bin/time missing: apt-get install time})"
echo "logbook: $LOGBOOK; journals in $work (fs: $(df -T "$work" | awk 'NR == 2 { print $2 }'))"
echo
echo "Day $DAY: $day_lines records, ${#day_files[@]} files, $day_bytes bytes ($(cat "$work/gen.out"))"
rows=("cat FILES (reference)" cat_day)
if command -v jq >/dev/null; then
	rows+=("jq -c . FILES (reference)" jq_day)
fi
rows+=("sort FILES (reference)" sort_day
	"logbook show --json DAY" show_json
	"logbook show DAY (page, no colour)" show_page)
table "${rows[@]}"
# shellcheck disable=SC2119
page_bytes=$(show_page | wc -c)
# shellcheck disable=SC2119
json_bytes=$(show_json | wc -c)
echo "(show DAY writes $page_bytes bytes, show --json DAY $json_bytes)"

# ---- a year of 4 hosts ----
"$gen" --logbook "$LOGBOOK" --hosts "$HOSTS" --admins 6 --days "$YEAR_DAYS" --per-day "$YEAR_PER_DAY" \
	--seed 1 --start 2025-01-01 "$work/year" >"$work/gen.out"
year_files=("$work/year/"*/*/*.jsonl)

wc_year() { "$@" wc -l "${year_files[@]}"; }
days_year() { "$@" "$LOGBOOK" -C "$work/year" days; }

echo
echo "Journal of $YEAR_DAYS days x $HOSTS hosts: ${#year_files[@]} files ($(cat "$work/gen.out"))"
table "wc -l FILES (reference)" wc_year "logbook days" days_year
