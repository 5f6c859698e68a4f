/*
 * logbook packages: which hosts have which package at which version, from
 * the package and inventory records every host keeps in the journal
 * (view/inventory.h), so any replica answers offline.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "cmd/cmd.h"
#include "view/advisories.h"
#include "view/inventory.h"
#include "base/banned.h"

static const char usage[] =
	"usage: logbook packages [--host HOST] [--json] [NAME...]\n"
	"\n"
	"The packages installed on each host, as the journal knows them (each\n"
	"host's last inventory and the package records after it): host, package,\n"
	"architecture, version.  A NAME is a package or source package name, or an\n"
	"fnmatch(3) pattern of one (nginx*); without NAME, every package.\n"
	"Exit 0 when something matched, 1 when nothing did.\n"
	"\n"
	"  --host HOST  only the packages of HOST\n"
	"  --json       one JSON object per package and host: host, release, name,\n"
	"               arch, version, source, source_version\n"
	"  -h, --help   show this help\n";

enum { OPT_HOST = 256, OPT_JSON };

static bool wanted(const struct inv_package *p, char **names, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		if (!fnmatch(names[i], p->name, 0) || !fnmatch(names[i], p->source, 0))
			return true;
	return false;
}

static void add_esc(struct buf *out, const char *s)
{
	utf8_escape(out, s, strlen(s), false);
}

int cmd_packages(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host = NULL;
	bool json = false;
	size_t found = 0;
	struct inventory inv;
	struct buf out = BUF_INIT;
	struct journal *j;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HOST:
			host = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			cli_help_exit(usage);
		default:
			cli_bad_option(usage, c, argv);
		}
	}
	if (host && !store_valid_host(host))
		cli_usage_exit(usage, "packages: --host: '%s' is not a host name", host);
	j = cmd_journal();
	cmd_ingest_first(j);
	if (advisories_read(j, host, &inv, NULL) < 0)
		die_err();
	cli_print_warnings(&inv.warnings);
	for (size_t h = 0; h < inv.n; h++) {
		const struct inv_host *ih = &inv.hosts[h];
		for (size_t k = 0; k < ih->n; k++) {
			const struct inv_package *p = &ih->pkgs[k];
			if (!wanted(p, argv + optind, argc - optind))
				continue;
			found++;
			buf_reset(&out);
			if (json) {
				json_t *o = json_pack("{s:s,s:s?,s:s,s:s,s:s,s:s,s:s}", "host", ih->host, "release",
						      ih->release, "name", p->name, "arch", p->arch, "version",
						      p->version, "source", p->source, "source_version",
						      p->source_version);
				char *s = json_dumps(o, JSON_COMPACT);
				buf_adds(&out, s);
				buf_addc(&out, '\n');
				free(s);
				json_decref(o);
			} else {
				buf_addf(&out, "%-12s ", ih->host);
				add_esc(&out, p->name);
				buf_addc(&out, ' ');
				add_esc(&out, p->arch);
				buf_addc(&out, ' ');
				add_esc(&out, p->version);
				buf_addc(&out, '\n');
			}
			if (!cli_out(out.data, out.len))
				break;
		}
	}
	buf_release(&out);
	inventory_release(&inv);
	journal_close(j);
	rc = cli_finish_output();
	return rc ? rc : found ? EXIT_OK : EXIT_FAIL;
}
