# logbook: plain make, pkg-config for the libraries.
#
#   make                build ./logbook, ./logbook-ingest-mail (its mail helper)
#                       and ./logbook-bash.so (the bash hook's builtin)
#                       and ./logbook_zsh.so (the zsh hook's module)
#                       and ./logbook-browse (its console application)
#   make check          install missing Debian packages, build, run every test
#   make check SAN=1    the same under AddressSanitizer and UBSan
#   make demo           install missing packages, build, show logbook at work
#   make install        PREFIX=/usr/local, DESTDIR for staging (binary, mail helper
#                       bash builtin and zsh module in LIBEXECDIR/logbook, man page, systemd units, bash and
#                       zsh completion)
#   make bench          build the benchmark tools (see bench/)
#   make fuzz           build and run the fuzz targets (clang, libFuzzer)
#   make deb            the Debian package, build/deb/logbook_VERSION_ARCH.deb (+ lintian)

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
# the helper programs, in $(LIBEXECDIR)/logbook (Debian: /usr/lib/logbook)
LIBEXECDIR ?= $(PREFIX)/lib
HELPERDIR = $(LIBEXECDIR)/logbook
MANDIR = $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
UNITS = $(wildcard dist/*.service dist/*.timer dist/*.path)
# drop-ins of logbook's own units (dist/UNIT.d/NAME.conf)
UNIT_DROPINS = $(wildcard dist/*.service.d/*.conf)
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
# every program links PKGS; only logbook-ingest-mail (and the tests of
# src/mail/) links MAIL_PKGS: GMime and glib stay out of every other process
PKGS = jansson libcrypto libpcre2-8 sqlite3 zlib
MAIL_PKGS = gmime-3.0
# only logbook-browse links ncurses: no other process loads it at start
BROWSE_PKGS = ncursesw
# libdpkg (static: Debian ships libdpkg.a only) orders Debian versions for
# the advisories (src/base/debversion.c); linked into logbook and the tests,
# not into logbook-ingest-mail, which only reads the advisory's text
DPKG_PKGS = libdpkg

WARNINGS = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-format-nonliteral -Wvla
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SAN),1)
CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

# recursive (=) on purpose: pkg-config runs only when something is compiled,
# after "make check" or "make demo" installed what was missing
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARNINGS) $(CPPFLAGS) $(CFLAGS) \
	-DLOGBOOK_VERSION='"$(VERSION)"' -DLOGBOOK_HELPERDIR='"$(HELPERDIR)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS))
LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -pthread
MAIL_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(MAIL_PKGS))
MAIL_LIBS = $(shell $(PKG_CONFIG) --libs $(MAIL_PKGS))
DPKG_LIBS = $(shell $(PKG_CONFIG) --libs $(DPKG_PKGS))
BROWSE_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(BROWSE_PKGS))
BROWSE_LIBS = $(shell $(PKG_CONFIG) --libs $(BROWSE_PKGS))

# src/<layer>/: docs/architecture.md names the layers; src/cmd/ is the
# command layer (main and one file per subcommand), src/mail/ the program
# logbook-ingest-mail, src/browse/ the program logbook-browse, the rest is
# the library
LAYERS = base journal capture files replica view setup cli
LIB_SRC = $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
CMD_SRC = $(wildcard src/cmd/*.c)
MAIL_SRC = $(wildcard src/mail/*.c)
BROWSE_SRC = $(wildcard src/browse/*.c)
LIB_OBJ = $(LIB_SRC:src/%.c=build/%.o)
CMD_OBJ = $(CMD_SRC:src/%.c=build/%.o)
MAIL_OBJ = $(MAIL_SRC:src/%.c=build/%.o)
BROWSE_OBJ = $(BROWSE_SRC:src/%.c=build/%.o)
# the message parser alone, for the tests that drive it
MAIL_PARSER_OBJ = build/mail/mail.o
UNIT_SRC = $(wildcard tests/unit/test-*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/tests/%)
# every bench/*.c is a benchmark program
BENCH_BIN = $(patsubst bench/%.c,build/bench/%,$(wildcard bench/*.c))

.PHONY: all check demo deps install uninstall bench fuzz clean unit-tests deb

all: logbook logbook-ingest-mail logbook-bash.so logbook_zsh.so logbook-browse

# rebuild everything when the flags change (a SAN=1 build after a plain one)
build/FLAGS: FORCE
	@mkdir -p build
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(LIBS) $(MAIL_LIBS) $(DPKG_LIBS) $(BROWSE_LIBS)' > build/FLAGS.new
	@cmp -s build/FLAGS.new build/FLAGS && rm build/FLAGS.new || mv build/FLAGS.new build/FLAGS
FORCE:

build/%.o: src/%.c build/FLAGS
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc -MMD -MP -c -o $@ $<

build/mail/%.o: src/mail/%.c build/FLAGS
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(MAIL_CFLAGS) -Isrc -MMD -MP -c -o $@ $<

build/browse/%.o: src/browse/%.c build/FLAGS
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(BROWSE_CFLAGS) -Isrc -MMD -MP -c -o $@ $<

# the shell code is linked in with .incbin, which -MMD does not see
build/cmd/cmd-hook.o: src/capture/hook.bash src/capture/hook.zsh src/capture/hook-command.bash

build/liblogbook.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

# a logbook runs the logbook-ingest-mail and logbook-browse beside it
# (src/cmd/cmd-ingest-mail.c, cmd-browse.c) and its bash and zsh hooks load
# the logbook-bash.so and logbook_zsh.so beside it (src/cmd/cmd-hook.c):
# "make logbook" builds them all, so a build tree never runs a stale helper
logbook: $(CMD_OBJ) build/liblogbook.a | logbook-ingest-mail logbook-bash.so logbook_zsh.so logbook-browse
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) build/liblogbook.a $(LIBS) $(DPKG_LIBS)

logbook-ingest-mail: $(MAIL_OBJ) build/liblogbook.a
	$(CC) $(LDFLAGS) -o $@ $(MAIL_OBJ) build/liblogbook.a $(LIBS) $(MAIL_LIBS)

# the spool descriptor both shells' hooks keep (src/hookfd), compiled into each
HOOKFD = src/hookfd/spoolfd.c src/hookfd/spoolfd.h

# the builtin bash loads for the hook (enable -f): bash's own headers
# (Debian's bash-builtins), none of logbook's code, and never the
# sanitizers, which a bash built without them cannot load
BASH_INC = /usr/include/bash /usr/include/bash/include /usr/include/bash/builtins /usr/lib/bash
logbook-bash.so: src/bash/record.c $(HOOKFD) build/FLAGS
	$(CC) -std=c11 -D_GNU_SOURCE $(WARNINGS) $(CPPFLAGS) $(filter-out $(SANFLAGS),$(CFLAGS)) -Isrc \
		$(addprefix -isystem ,$(BASH_INC)) -fPIC -shared $(filter-out $(SANFLAGS),$(LDFLAGS)) -o $@ \
		$< src/hookfd/spoolfd.c

# the module zsh loads for the hook (zmodload): zsh's own headers (Debian's
# zsh-dev, which include libcap-dev's), none of logbook's code, and never
# the sanitizers, which a zsh built without them cannot load
logbook_zsh.so: src/zsh/record.c $(HOOKFD) build/FLAGS
	$(CC) -std=c11 -D_GNU_SOURCE $(WARNINGS) $(CPPFLAGS) $(filter-out $(SANFLAGS),$(CFLAGS)) -Isrc \
		-fPIC -shared $(filter-out $(SANFLAGS),$(LDFLAGS)) -o $@ $< src/hookfd/spoolfd.c

logbook-browse: $(BROWSE_OBJ) build/liblogbook.a
	$(CC) $(LDFLAGS) -o $@ $(BROWSE_OBJ) build/liblogbook.a $(LIBS) $(BROWSE_LIBS)

build/tests/%: tests/unit/%.c tests/unit/unit.h tests/unit/unit-git.h build/liblogbook.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< build/liblogbook.a $(LDFLAGS) $(LIBS) $(DPKG_LIBS) -lcmocka

build/tests/test-redact: tests/redact-corpus.h

build/tests/test-mail: tests/unit/test-mail.c tests/unit/unit.h $(MAIL_PARSER_OBJ) build/liblogbook.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) $(MAIL_CFLAGS) -Isrc -o $@ $< $(MAIL_PARSER_OBJ) build/liblogbook.a $(LDFLAGS) $(LIBS) $(MAIL_LIBS) -lcmocka

# spoolfd is in no library: its test compiles it in
build/tests/test-spoolfd: tests/unit/test-spoolfd.c tests/unit/unit.h $(HOOKFD)
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< src/hookfd/spoolfd.c $(LDFLAGS) -lcmocka

unit-tests: $(UNIT_BIN)

# the diff module from the shell, for tests/diff-property.bats (never installed)
build/tests/diff-tool: tests/diff-tool.c build/liblogbook.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< build/liblogbook.a $(LDFLAGS) $(LIBS)

# the signature module from the shell, for tests/sig.bats (never installed)
build/tests/sig-tool: tests/sig-tool.c build/liblogbook.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< build/liblogbook.a $(LDFLAGS) $(LIBS)

# the redactor from the shell: the error table of docs/redaction.md (never installed)
build/tests/redact-tool: tests/redact-tool.c tests/redact-corpus.h build/liblogbook.a
	@mkdir -p build/tests
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< build/liblogbook.a $(LDFLAGS) $(LIBS)

build/bench/%: bench/%.c build/liblogbook.a
	@mkdir -p build/bench
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< build/liblogbook.a $(LDFLAGS) $(LIBS)

bench: logbook logbook-ingest-mail logbook-browse $(BENCH_BIN)

deps:
	@scripts/deps

# build/bench/gen and scan-api too: tests/bench.bats and tests/watch.bats
# keep them from rotting; build/tests/diff-tool: tests/diff-property.bats
# drives the diff module with it; build/tests/sig-tool: tests/sig.bats
check:
	@scripts/deps check
	@$(MAKE) --no-print-directory all unit-tests build/bench/gen build/bench/scan-api build/tests/diff-tool build/tests/sig-tool build/tests/redact-tool
	@tests/run

demo:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_SECONDS ?= 60
# UBSan must abort for libFuzzer to see it; a finding is saved as
# build/fuzz/<target>-crash-<sha1> and the run stops with its log.
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (the usual name) lets a module
# abort on a state it would otherwise recover from quietly (src/files/diff.c)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) src/mail/mail.c $(wildcard src/*/*.h)
	@mkdir -p build/fuzz
	clang -std=c11 -D_POSIX_C_SOURCE=200809L $(WARNINGS) -g -O1 -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-DLOGBOOK_VERSION='"$(VERSION)"' -Isrc $(shell $(PKG_CONFIG) --cflags $(PKGS) $(MAIL_PKGS)) \
		-o $@ $< $(LIB_SRC) src/mail/mail.c $(LIBS) $(MAIL_LIBS) $(DPKG_LIBS)
fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
		name=$$(basename $$t); mkdir -p build/fuzz/corpus-$$name; \
		echo "== $$name ($(FUZZ_SECONDS) s)"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build/fuzz/$$name- \
			build/fuzz/corpus-$$name tests/fuzz/seed-$${name#fuzz-} >build/fuzz/$$name.log 2>&1; \
		rc=$$?; \
		if [ $$rc -ne 0 ]; then tail -n 40 build/fuzz/$$name.log; \
			echo "$$name: failed (exit $$rc), see build/fuzz/$$name.log"; exit 1; fi; \
		grep -E '^#[0-9]+[[:space:]]+DONE|^Done|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' build/fuzz/$$name.log; \
	done

# the systemd units run $(BINDIR)/logbook: their ExecStart follows PREFIX
install: logbook logbook-ingest-mail logbook-bash.so logbook_zsh.so
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(HELPERDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR)
	install -m 0755 logbook $(DESTDIR)$(BINDIR)/logbook
	install -m 0755 logbook-ingest-mail $(DESTDIR)$(HELPERDIR)/logbook-ingest-mail
	install -m 0644 logbook-bash.so $(DESTDIR)$(HELPERDIR)/logbook-bash.so
	install -m 0644 logbook_zsh.so $(DESTDIR)$(HELPERDIR)/logbook_zsh.so
	install -m 0755 logbook-browse $(DESTDIR)$(HELPERDIR)/logbook-browse
	install -m 0644 man/logbook.1 $(DESTDIR)$(MANDIR)/man1/logbook.1
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 dist/completion/logbook.bash $(DESTDIR)$(BASHCOMPDIR)/logbook
	install -m 0644 dist/completion/_logbook $(DESTDIR)$(ZSHCOMPDIR)/_logbook
	for u in $(UNITS); do \
		sed 's|/usr/local/bin/logbook|$(BINDIR)/logbook|' $$u > $(DESTDIR)$(UNITDIR)/$$(basename $$u) && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$u) || exit 1; \
	done
	for d in $(UNIT_DROPINS); do \
		install -d "$(DESTDIR)$(UNITDIR)/$$(basename "$$(dirname "$$d")")" && \
		install -m 0644 "$$d" "$(DESTDIR)$(UNITDIR)/$$(basename "$$(dirname "$$d")")/" || exit 1; \
	done

# The Debian package is built with Debian's tools from a copy of the tree
# in build/deb/, so the source tree stays clean; its version is VERSION.
DEB_TREE = build/deb/logbook-$(VERSION)
DEB_FILE = build/deb/logbook_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb
deb:
	@scripts/deps deb
	rm -rf build/deb
	mkdir -p $(DEB_TREE)
	cp -R Makefile README.md src man dist docs scripts debian $(DEB_TREE)/
	printf 'logbook (%s) unstable; urgency=medium\n\n  * logbook %s.\n\n -- %s  %s\n' \
		'$(VERSION)' '$(VERSION)' "$$(sed -n 's/^Maintainer: //p' debian/control)" "$$(date -R)" \
		> $(DEB_TREE)/debian/changelog
	cd $(DEB_TREE) && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -b -us -uc \
		>../build.log 2>&1 || { tail -n 40 ../build.log; echo "make deb: see build/deb/build.log"; exit 1; }
	lintian --fail-on error $(DEB_FILE)
	@echo "$(DEB_FILE)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/logbook $(DESTDIR)$(MANDIR)/man1/logbook.1
	rm -f $(DESTDIR)$(HELPERDIR)/logbook-ingest-mail $(DESTDIR)$(HELPERDIR)/logbook-bash.so $(DESTDIR)$(HELPERDIR)/logbook_zsh.so \
		$(DESTDIR)$(HELPERDIR)/logbook-browse
	rmdir $(DESTDIR)$(HELPERDIR) 2>/dev/null || true
	rm -f $(DESTDIR)$(BASHCOMPDIR)/logbook $(DESTDIR)$(ZSHCOMPDIR)/_logbook
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$u); done
	for d in $(UNIT_DROPINS); do \
		rm -f "$(DESTDIR)$(UNITDIR)/$$(basename "$$(dirname "$$d")")/$$(basename "$$d")"; \
		rmdir "$(DESTDIR)$(UNITDIR)/$$(basename "$$(dirname "$$d")")" 2>/dev/null || true; \
	done

clean:
	rm -rf build logbook logbook-ingest-mail logbook-bash.so logbook_zsh.so logbook-browse

-include $(wildcard build/*/*.d)
