#!/usr/bin/env bats
# logbook note: what an admin writes, as they would write it

load lib

@test "a note given as words is stored and shown on today's page" {
	new_journal
	run lb note Restarted nginx after the config change
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run lb show
	[ "$status" -eq 0 ]
	[[ "$output" == *"Restarted nginx after the config change"* ]]
	[[ "$output" == *web1*alice* ]]
}
