/*
 * inventory: the fold of the package and inventory records per host
 * (view/inventory.h), on records written through the store, so the
 * chains are real; damaged lines are planted by appending to the files.
 */
#include "unit.h"

#include "base/day.h"
#include "base/err.h"
#include "journal/journal.h"
#include "journal/record.h"
#include "journal/store.h"
#include "view/inventory.h"

struct fixture {
	char *dir;
	struct journal *j;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dir = unit_journal();
	f->j = journal_open(f->dir);
	if (!f->j)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	journal_close(f->j);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* a record of kind on host at when ("2026-11-20T10:00:00") with the fields of json */
static void add(struct fixture *f, const char *host, const char *when, const char *kind, const char *json)
{
	char t[64];
	int64_t us;
	json_error_t e;
	json_t *o = json_loads(json, 0, &e), *v;
	const char *key;
	struct record *r;

	if (!o)
		fail_msg("%s: %s", json, e.text);
	snprintf(t, sizeof t, "%s.000000Z", when);
	assert_int_equal(day_time_parse(t, strlen(t), &us), 0);
	r = rec_new(kind, us, host, "root", "root", "");
	json_object_foreach(o, key, v)
		rec_set_json(r, key, json_incref(v));
	json_decref(o);
	if (store_append(f->j, r, NULL) < 0)
		fail_msg("store_append: %s", errget());
	rec_free(r);
}

static const char *version_of(const struct inv_host *h, const char *name, const char *arch)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->pkgs[i].name, name) && !strcmp(h->pkgs[i].arch, arch))
			return h->pkgs[i].version;
	return NULL;
}

static void inventory_then_package_records_in_seq_order(void **state)
{
	struct fixture *f = *state;
	struct inventory inv;
	const struct inv_host *h;

	/* in the inventory's own file, before it */
	add(f, "web1", "2026-11-20T09:00:00", "package",
	    "{\"tool\":\"apt\",\"changes\":[{\"name\":\"apache2\",\"arch\":\"amd64\",\"action\":\"install\",\"new\":\"2.4\"}]}");
	add(f, "web1", "2026-11-20T10:00:00", "inventory",
	    "{\"reason\":\"first\",\"release\":\"bookworm\",\"packages\":[[\"vim\",\"amd64\",\"2:9.0-2\",\"vim\",\"2:9.0-2\"],"
	    "[\"nginx\",\"all\",\"1.22.1-9\",\"nginx\",\"1.22.1-9\"],[\"nginx\",\"arm64\",\"1.22.1-9\",\"nginx\",\"1.22.1-9\"]]}");
	add(f, "web1", "2026-11-21T10:00:00", "package",
	    "{\"tool\":\"apt\",\"changes\":[{\"name\":\"nginx\",\"arch\":\"all\",\"action\":\"upgrade\",\"old\":\"1.22.1-9\","
	    "\"new\":\"1.22.1-9+deb12u1\",\"source\":\"nginx\",\"source_version\":\"1.22.1-9+deb12u1\"},"
	    "{\"name\":\"vim\",\"arch\":\"amd64\",\"action\":\"purge\",\"old\":\"2:9.0-2\"},"
	    "{\"name\":\"libfoo1\",\"arch\":\"amd64\",\"action\":\"install\",\"new\":\"1.0-1+b2\",\"source\":\"foo\",\"source_version\":\"1.0-1\"}]}");
	add(f, "web1", "2026-11-22T10:00:00", "package",
	    "{\"tool\":\"dpkg\",\"release\":\"trixie\",\"changes\":[{\"name\":\"libfoo1\",\"arch\":\"amd64\",\"action\":\"downgrade\","
	    "\"old\":\"1.0-1+b2\",\"new\":\"0.9-1\"}]}");
	add(f, "db1", "2026-11-22T11:00:00", "note", "{\"text\":\"apt install package nginx\"}");

	assert_int_equal(inventory_load(f->j, NULL, &inv), 0);
	assert_int_equal(inv.warnings.n, 0);
	assert_int_equal(inv.n, 1);	/* db1 has no package records */
	h = inventory_host(&inv, "web1");
	assert_non_null(h);
	assert_null(inventory_host(&inv, "db1"));
	assert_int_equal(h->inventory_seq, 2);
	assert_int_equal(h->seq, 4);
	assert_string_equal(h->release, "trixie");
	assert_int_equal(h->n, 3);
	assert_null(version_of(h, "apache2", "amd64"));	/* before the inventory: history */
	assert_null(version_of(h, "vim", "amd64"));
	assert_string_equal(version_of(h, "nginx", "all"), "1.22.1-9+deb12u1");
	assert_string_equal(version_of(h, "nginx", "arm64"), "1.22.1-9");
	assert_string_equal(version_of(h, "libfoo1", "amd64"), "0.9-1");
	/* no source given: the package is its own source */
	assert_string_equal(h->pkgs[0].name, "libfoo1");
	assert_string_equal(h->pkgs[0].source, "libfoo1");
	assert_string_equal(h->pkgs[0].source_version, "0.9-1");
	inventory_release(&inv);
}

static void a_resync_inventory_replaces_what_came_before(void **state)
{
	struct fixture *f = *state;
	struct inventory inv;

	add(f, "web1", "2026-11-20T10:00:00", "inventory",
	    "{\"reason\":\"first\",\"release\":\"bullseye\",\"packages\":[[\"a\",\"all\",\"1\",\"a\",\"1\"]]}");
	add(f, "web1", "2026-11-21T10:00:00", "package",
	    "{\"changes\":[{\"name\":\"b\",\"arch\":\"all\",\"action\":\"install\",\"new\":\"2\"}]}");
	add(f, "web1", "2026-11-21T11:00:00", "inventory",
	    "{\"reason\":\"resync\",\"packages\":[[\"c\",\"all\",\"3\",\"c\",\"3\"]]}");
	assert_int_equal(inventory_load(f->j, "web1", &inv), 0);
	assert_int_equal(inv.n, 1);
	assert_int_equal(inv.hosts[0].n, 1);
	assert_string_equal(inv.hosts[0].pkgs[0].name, "c");
	/* the first inventory named one, but it is history now: the release is not known */
	assert_null(inv.hosts[0].release);
	inventory_release(&inv);
}

static void a_late_package_record_in_an_older_day_is_applied(void **state)
{
	struct fixture *f = *state;
	struct inventory inv;

	add(f, "web1", "2026-11-10T10:00:00", "note", "{\"text\":\"old day\"}");
	add(f, "web1", "2026-11-20T10:00:00", "inventory",
	    "{\"reason\":\"first\",\"release\":\"bookworm\",\"packages\":[[\"curl\",\"amd64\",\"7.88\",\"curl\",\"7.88\"]]}");
	/* caught up from history.log: filed under its own, older, day */
	add(f, "web1", "2026-11-18T08:00:00", "package",
	    "{\"from\":\"history\",\"changes\":[{\"name\":\"curl\",\"arch\":\"amd64\",\"action\":\"remove\",\"old\":\"7.88\"}]}");
	assert_int_equal(inventory_load(f->j, NULL, &inv), 0);
	assert_int_equal(inv.hosts[0].n, 0);
	inventory_release(&inv);
}

static void older_days_are_only_read_for_their_last_line(void **state)
{
	struct fixture *f = *state;
	struct inventory inv;
	char path[4096];

	add(f, "web1", "2026-11-10T10:00:00", "note", "{\"text\":\"old\"}");
	snprintf(path, sizeof path, "%s/2026/2026_11_10/web1.jsonl", f->dir);
	add(f, "web1", "2026-11-10T10:00:01", "note", "{\"text\":\"old 2\"}");
	{
		/* a damaged line before the inventory, the last line valid: never parsed, never reported */
		FILE *fp = fopen(path, "r+");
		assert_non_null(fp);
		assert_int_equal(fputs("{\"kind\":\"package\",x", fp) >= 0, 1);
		fclose(fp);
	}
	add(f, "web1", "2026-11-20T10:00:00", "inventory",
	    "{\"reason\":\"first\",\"packages\":[[\"zsh\",\"amd64\",\"5.9\",\"zsh\",\"5.9\"]]}");
	assert_int_equal(inventory_load(f->j, NULL, &inv), 0);
	assert_int_equal(inv.warnings.n, 0);
	assert_int_equal(inv.hosts[0].n, 1);
	inventory_release(&inv);
}

static void damaged_entries_are_reported_and_the_rest_applies(void **state)
{
	struct fixture *f = *state;
	struct inventory inv;

	add(f, "web1", "2026-11-20T10:00:00", "inventory",
	    "{\"packages\":[[\"a\",\"all\",\"1\",\"a\",\"1\"],[\"b\",\"all\"],\"c\",[\"d\",\"all\",\"4\",\"d\",\"4\"]]}");
	add(f, "web1", "2026-11-20T11:00:00", "package",
	    "{\"changes\":[{\"name\":\"e\",\"arch\":\"all\",\"action\":\"frobnicate\",\"new\":\"5\"},"
	    "{\"name\":\"f\",\"arch\":\"all\",\"action\":\"install\"},{\"name\":\"a\",\"arch\":\"all\",\"action\":\"remove\"}]}");
	assert_int_equal(inventory_load(f->j, NULL, &inv), 0);
	assert_int_equal(inv.warnings.n, 4);
	assert_non_null(strstr(inv.warnings.msgs[0], "2026_11_20/web1.jsonl:1: inventory record: package 2 is not"));
	assert_non_null(strstr(inv.warnings.msgs[2], "web1.jsonl:2: package record: change 1 has an unknown action"));
	assert_non_null(strstr(inv.warnings.msgs[3], "change 2 has no \"new\" version"));
	assert_int_equal(inv.hosts[0].n, 1);
	assert_string_equal(inv.hosts[0].pkgs[0].name, "d");
	inventory_release(&inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(inventory_then_package_records_in_seq_order, setup, teardown),
		cmocka_unit_test_setup_teardown(a_resync_inventory_replaces_what_came_before, setup, teardown),
		cmocka_unit_test_setup_teardown(a_late_package_record_in_an_older_day_is_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(older_days_are_only_read_for_their_last_line, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_entries_are_reported_and_the_rest_applies, setup, teardown),
	};
	return cmocka_run_group_tests_name("inventory", tests, NULL, NULL);
}
