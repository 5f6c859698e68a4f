#!/usr/bin/env bats
# make install and uninstall with DESTDIR and PREFIX, as a packager runs them

load lib

@test "make install puts the binary, the man page and the timers under DESTDIR, uninstall removes them" {
	root="$BATS_TEST_TMPDIR/root"
	# -o logbook: install the binary under test, never rebuild it (a SAN=1 run)
	make -s -o logbook -C "$BATS_TEST_DIRNAME/.." install DESTDIR="$root" PREFIX=/usr >/dev/null
	[ -x "$root/usr/bin/logbook" ]
	[ -f "$root/usr/share/man/man1/logbook.1" ]
	for u in logbook-ingest.service logbook-ingest.timer logbook-scan.service logbook-scan.timer logbook-sync.service logbook-sync.timer logbook-digest.service logbook-digest.timer; do
		[ -f "$root/usr/lib/systemd/system/$u" ]
	done
	# the units run the installed binary
	grep -q '^ExecStart=/usr/bin/logbook -C /var/lib/logbook scan' "$root/usr/lib/systemd/system/logbook-scan.service"
	run -1 grep -r /usr/local "$root/usr/lib/systemd/system"
	"$root/usr/bin/logbook" --version
	make -s -o logbook -C "$BATS_TEST_DIRNAME/.." uninstall DESTDIR="$root" PREFIX=/usr >/dev/null
	[ -z "$(find "$root" -type f)" ]
}
