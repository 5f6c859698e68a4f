#!/usr/bin/env bats
# logbook days: the list of day pages

load lib

# write a valid chain of notes for a host by hand, one "YYYY-MM-DDTHH:MM:SS"
# a record, as another host's replica would bring them (UTC journal)
import_notes() {
	py - "$LOGBOOK_DIR" "$@" <<-'EOF'
	import hashlib, json, os, sys
	top, host, times = sys.argv[1], sys.argv[2], sys.argv[3:]
	prev = "0" * 64
	for seq, t in enumerate(times, 1):
	    rec = {"v": 1, "kind": "note", "time": t + ".000000Z", "host": host,
	           "admin": "carol", "account": "root", "session": "s", "seq": seq,
	           "prev": prev, "text": "note %d" % seq}
	    line = json.dumps(rec, separators=(",", ":")).encode()
	    day = t[:10].replace("-", "_")
	    d = os.path.join(top, day[:4], day)
	    os.makedirs(d, exist_ok=True)
	    with open(os.path.join(d, host + ".jsonl"), "ab") as f:
	        f.write(line + b"\n")
	    prev = hashlib.sha256(line).hexdigest()
	EOF
}

@test "days of an empty journal prints nothing and exits 0" {
	new_journal
	run --separate-stderr lb days
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "days lists today with the count per host" {
	new_journal
	lb note one
	lb note two
	LOGBOOK_HOST=db1 lb note three
	run lb days
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^$(today)\ +3\ +db1:1\ web1:2$ ]]
}

@test "days lists the days newest first, across years" {
	new_journal
	import_notes old1 2019-12-31T23:00:00 2020-01-02T08:00:00 2020-01-02T09:00:00 2020-11-03T10:00:00
	lb note today
	run lb days
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[0]}" =~ ^$(today)\ +1\ +web1:1$ ]]
	[[ "${lines[1]}" =~ ^2020_11_03\ +1\ +old1:1$ ]]
	[[ "${lines[2]}" =~ ^2020_01_02\ +2\ +old1:2$ ]]
	[[ "${lines[3]}" =~ ^2019_12_31\ +1\ +old1:1$ ]]
	# and those pages show
	run lb show 2020-01-02
	[[ "$output" == *"(UTC, 2 records)"* ]]
	[[ "$output" == *"08:00:00  note  note 2"* ]]
}

@test "days counts the notes logbook filed on two days, per host" {
	# the team's zone moves a day ahead between the notes: two real pages
	new_journal Pacific/Pago_Pago
	lb note west one
	lb note west two
	local west east
	west=$(cd "$LOGBOOK_DIR" && ls -d ????/????_??_?? | xargs basename)
	git config -f "$LOGBOOK_DIR/team.conf" team.timezone Pacific/Kiritimati
	lb note east one
	LOGBOOK_HOST=db1 lb note east two
	LOGBOOK_HOST=db1 lb note east three
	LOGBOOK_HOST=app.example-2 lb note east four
	east=$(today_in Pacific/Kiritimati)
	run lb days
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^$east\ +4\ +app.example-2:1\ db1:2\ web1:1$ ]]
	[[ "${lines[1]}" =~ ^$west\ +2\ +web1:2$ ]]
}

@test "days ignores what is not a day page or a host file" {
	new_journal
	lb note real
	local y=${LOGBOOK_DIR}/$(today | cut -c1-4)
	mkdir -p "$LOGBOOK_DIR/notes" "$LOGBOOK_DIR/2020/not-a-day" "$y/2019_01_01" "$LOGBOOK_DIR/2021/2021_02_30"
	echo junk >"$(dirname "$(day_file)")/README"
	echo '{}' >"$(dirname "$(day_file)")/web1.jsonl.orig"
	echo '{}' >"$LOGBOOK_DIR/2021/2021_02_30/web1.jsonl"
	run lb days
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^$(today)\ +1\ +web1:1$ ]]
}

@test "days counts a torn last line out" {
	new_journal
	lb note one
	lb note two
	printf '{"v":1,"kind":"no' >>"$(day_file)"
	run lb days
	[[ "$output" =~ ^$(today)\ +2\ +web1:2$ ]]
}
