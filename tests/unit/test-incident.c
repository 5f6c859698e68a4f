/*
 * incident: the id's form, the records' checks, and a fold that gives the
 * same incidents whatever order the records come in.
 */
#include "unit.h"

#include "base/err.h"
#include "journal/incident.h"
#include "journal/record.h"

#define S 1000000LL
#define T0 (1795508043 * S)

static void an_id_is_a_host_a_colon_and_a_seq(void **state)
{
	char host[STORE_HOST_MAX + 1];
	int64_t seq;

	(void)state;
	assert_true(incident_id_parse("web1:42", host, &seq));
	assert_string_equal(host, "web1");
	assert_int_equal(seq, 42);
	assert_true(incident_id_parse("db-1.example:1", host, &seq));
	assert_string_equal(host, "db-1.example");
	assert_false(incident_id_parse("web1", host, &seq));
	assert_false(incident_id_parse(":4", host, &seq));
	assert_false(incident_id_parse("web1:", host, &seq));
	assert_false(incident_id_parse("web1:0", host, &seq));
	assert_false(incident_id_parse("web1:042", host, &seq));
	assert_false(incident_id_parse("web1:4x", host, &seq));
	assert_false(incident_id_parse("web1:-4", host, &seq));
	assert_false(incident_id_parse("../etc:4", host, &seq));
	assert_false(incident_id_parse("web1:12345678901234567890", host, &seq));
}

static void a_title_is_one_line_and_hosts_are_host_names(void **state)
{
	char *hosts[] = { "web1", "db1" }, *bad[] = { "web1", "a/b" };
	struct record *r;

	(void)state;
	r = incident_open_record(T0, "web1", "alice", "root", "", "forum down", hosts, 2);
	assert_non_null(r);
	assert_string_equal(rec_get_str(r, "event", NULL), "open");
	assert_int_equal(json_array_size(rec_get_json(r, "hosts")), 2);
	rec_free(r);
	assert_null(incident_open_record(T0, "web1", "alice", "root", "", "two\nlines", NULL, 0));
	assert_null(incident_open_record(T0, "web1", "alice", "root", "", "", NULL, 0));
	assert_null(incident_open_record(T0, "web1", "alice", "root", "", "\033[31mred", NULL, 0));
	assert_null(incident_open_record(T0, "web1", "alice", "root", "", "ok", bad, 2));
}

/* a stored record: the store's seq on a new record, then parsed back as a reader sees it */
static struct record *stored(struct record *r, int64_t seq)
{
	struct buf line = BUF_INIT;
	struct record *back;

	rec_set_chain(r, seq, rec_genesis);
	assert_int_equal(rec_encode(r, &line), 0);
	back = rec_parse(line.data, line.len, false);
	assert_non_null(back);
	rec_free(r);
	buf_release(&line);
	return back;
}

static void fold(struct record **recs, size_t n, const size_t *order, struct incidents *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(incidents_add(out, recs[order[i]]), 0);
	incidents_finish(out);
}

static void the_fold_does_not_depend_on_the_order_of_the_records(void **state)
{
	struct record *recs[6];
	static const size_t a[] = { 0, 1, 2, 3, 4, 5 }, b[] = { 5, 3, 4, 2, 1, 0 }, c[] = { 2, 4, 0, 5, 1, 3 };
	const size_t *orders[] = { a, b, c };
	struct incidents list[3];
	const struct incident *only = NULL;

	(void)state;
	recs[0] = stored(incident_open_record(T0, "web1", "alice", "root", "", "first", NULL, 0), 7);
	recs[1] = stored(incident_open_record(T0 + 10 * S, "db1", "bob", "root", "", "second", NULL, 0), 3);
	/* two closes of web1:7 on two replicas, the later one read first in some orders */
	recs[2] = stored(incident_close_record(T0 + 50 * S, "irc1", "carol", "root", "", "web1:7", "late", 4), 9);
	recs[3] = stored(incident_close_record(T0 + 40 * S, "db1", "bob", "root", "", "web1:7", "early", 5), 4);
	/* a note: not an incident record */
	recs[4] = rec_new("note", T0, "web1", "alice", "root", "");
	rec_set_text(recs[4], "text", "x", 1);
	recs[4] = stored(recs[4], 8);
	/* the same close twice (a file and a cache) counts once */
	recs[5] = stored(incident_close_record(T0 + 40 * S, "db1", "bob", "root", "", "web1:7", "early", 5), 4);

	for (size_t k = 0; k < 3; k++) {
		fold(recs, 6, orders[k], &list[k]);
		assert_int_equal(list[k].n, 2);
		assert_string_equal(list[k].v[0].id, "web1:7");
		assert_string_equal(list[k].v[1].id, "db1:3");
		assert_int_equal(list[k].v[0].ncloses, 2);
		assert_string_equal(list[k].v[0].closes[0].summary, "early");
		assert_string_equal(list[k].v[0].closes[1].summary, "late");
		assert_int_equal(list[k].v[1].ncloses, 0);
		assert_int_equal(incidents_open(&list[k], &only), 1);
		assert_string_equal(only->id, "db1:3");
		assert_non_null(incidents_find(&list[k], "db1:3"));
		assert_null(incidents_find(&list[k], "db1:4"));
		incidents_release(&list[k]);
	}
	for (size_t i = 0; i < 6; i++)
		rec_free(recs[i]);
}

static void a_close_without_its_open_waits_and_bad_records_are_refused(void **state)
{
	struct incidents list = { 0 };
	struct record *r;

	(void)state;
	r = stored(incident_close_record(T0, "db1", "bob", "root", "", "web1:7", "s", 1), 2);
	assert_int_equal(incidents_add(&list, r), 0);
	rec_free(r);
	incidents_finish(&list);
	assert_int_equal(list.n, 0);
	assert_int_equal(list.norphans, 1);
	incidents_release(&list);

	r = stored(incident_close_record(T0, "db1", "bob", "root", "", "not an id", "s", 1), 2);
	assert_int_equal(incidents_add(&list, r), -1);
	rec_free(r);
	r = rec_new("incident", T0, "web1", "alice", "root", "");
	rec_set_text(r, "event", "reopen", 6);
	r = stored(r, 3);
	assert_int_equal(incidents_add(&list, r), -1);
	rec_free(r);
	r = rec_new("incident", T0, "web1", "alice", "root", "");
	rec_set_text(r, "event", "open", 4);
	r = stored(r, 3);
	assert_int_equal(incidents_add(&list, r), -1);	/* no title */
	rec_free(r);
	r = rec_new("incident", T0, "web1", "alice", "root", "");
	rec_set_text(r, "event", "open", 4);
	rec_set_text(r, "title", "t", 1);
	rec_set_json(r, "hosts", json_pack("[s]", "../x"));
	r = stored(r, 3);
	assert_int_equal(incidents_add(&list, r), -1);
	rec_free(r);
	incidents_finish(&list);
	assert_int_equal(list.n, 0);
	incidents_release(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_id_is_a_host_a_colon_and_a_seq),
		cmocka_unit_test(a_title_is_one_line_and_hosts_are_host_names),
		cmocka_unit_test(the_fold_does_not_depend_on_the_order_of_the_records),
		cmocka_unit_test(a_close_without_its_open_waits_and_bad_records_are_refused),
	};

	return cmocka_run_group_tests_name("incident", tests, NULL, NULL);
}
