#!/usr/bin/env bats
# make install and uninstall with DESTDIR and PREFIX, as a packager runs them

load lib

@test "make install puts the binary, its mail helper and bash builtin, the man page and the timers under DESTDIR, uninstall removes them" {
	root="$BATS_TEST_TMPDIR/root"
	# -o: install the programs under test, never rebuild them (a SAN=1 run)
	make -s -o logbook -o logbook-ingest-mail -o logbook-bash.so -C "$BATS_TEST_DIRNAME/.." install DESTDIR="$root" PREFIX=/usr >/dev/null
	[ -x "$root/usr/bin/logbook" ]
	# the helper in LIBEXECDIR/logbook (default PREFIX/lib), never on PATH
	[ -x "$root/usr/lib/logbook/logbook-ingest-mail" ]
	[ ! -e "$root/usr/bin/logbook-ingest-mail" ]
	"$root/usr/lib/logbook/logbook-ingest-mail" --help | grep -q '^usage: logbook ingest-mail '
	# the bash hook's builtin beside it, which bash can load
	[ "$(stat -c %a "$root/usr/lib/logbook/logbook-bash.so")" = 644 ]
	bash -c 'enable -f "$1" __lb_record && type -t __lb_record' _ "$root/usr/lib/logbook/logbook-bash.so" | grep -qx builtin
	[ -f "$root/usr/share/man/man1/logbook.1" ]
	for u in logbook-ingest.service logbook-ingest.timer logbook-scan.service logbook-scan.timer logbook-sync.service logbook-sync.timer logbook-digest.service logbook-digest.timer logbook-receive.path logbook-receive.service logbook-sync.path; do
		[ -f "$root/usr/lib/systemd/system/$u" ]
	done
	# the units run the installed binary
	grep -q '^ExecStart=/usr/bin/logbook -C /var/lib/logbook scan' "$root/usr/lib/systemd/system/logbook-scan.service"
	run -1 grep -r /usr/local "$root/usr/lib/systemd/system"
	"$root/usr/bin/logbook" --version
	make -s -o logbook -o logbook-ingest-mail -o logbook-bash.so -C "$BATS_TEST_DIRNAME/.." uninstall DESTDIR="$root" PREFIX=/usr >/dev/null
	[ -z "$(find "$root" -type f)" ]
	[ ! -e "$root/usr/lib/logbook" ]
}

@test "LIBEXECDIR moves the helper, and uninstall finds it there" {
	root="$BATS_TEST_TMPDIR/root"
	make -s -o logbook -o logbook-ingest-mail -o logbook-bash.so -C "$BATS_TEST_DIRNAME/.." install DESTDIR="$root" PREFIX=/usr LIBEXECDIR=/usr/libexec >/dev/null
	[ -x "$root/usr/libexec/logbook/logbook-ingest-mail" ]
	[ -f "$root/usr/libexec/logbook/logbook-bash.so" ]
	[ ! -e "$root/usr/lib/logbook" ]
	make -s -o logbook -o logbook-ingest-mail -o logbook-bash.so -C "$BATS_TEST_DIRNAME/.." uninstall DESTDIR="$root" PREFIX=/usr LIBEXECDIR=/usr/libexec >/dev/null
	[ -z "$(find "$root" -type f)" ]
}
