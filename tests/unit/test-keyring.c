/* keyring: git object ids, the signed commit's text, and what the parser refuses */
#include "unit.h"

#include "base/buf.h"
#include "replica/keyring.h"

static void object_ids_are_gits(void **state)
{
	char id[KEYRING_OID_LEN + 1];

	(void)state;
	/* printf 'hello\n' | git hash-object --stdin */
	keyring_object_id("blob", "hello\n", 6, id);
	assert_string_equal(id, "ce013625030ba8dba906f756967f9e9ca394464a");
	/* git's empty tree */
	keyring_object_id("tree", "", 0, id);
	assert_string_equal(id, "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
}

static void a_signed_commit_parses_back_to_its_payload_and_signature(void **state)
{
	const char *tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
	const char *parent = "ce013625030ba8dba906f756967f9e9ca394464a";
	struct buf payload = BUF_INIT, armored = BUF_INIT, commit = BUF_INIT, p2 = BUF_INIT, a2 = BUF_INIT;
	char t[KEYRING_OID_LEN + 1], par[KEYRING_OID_LEN + 1];
	int64_t when;

	(void)state;
	/* a name git's ident would misread: '<' and '>' become '_' */
	keyring_payload(tree, parent, "al<ice>", 1796566045000000, &payload);
	assert_non_null(strstr(buf_str(&payload), "\nauthor al_ice_ <logbook@localhost> 1796566045 +0000\n"));
	buf_adds(&armored, "-----BEGIN SSH SIGNATURE-----\nAAAA\nBBBB\n-----END SSH SIGNATURE-----\n");
	keyring_signed(&payload, &armored, &commit);
	assert_non_null(strstr(buf_str(&commit), "\ngpgsig -----BEGIN SSH SIGNATURE-----\n AAAA\n BBBB\n -----END"));
	assert_int_equal(keyring_parse(commit.data, commit.len, &p2, &a2, t, par, &when), 0);
	assert_string_equal(buf_str(&p2), buf_str(&payload));
	assert_string_equal(buf_str(&a2), buf_str(&armored));
	assert_string_equal(t, tree);
	assert_string_equal(par, parent);
	assert_true(when == 1796566045000000);
	buf_release(&payload);
	buf_release(&armored);
	buf_release(&commit);
	buf_release(&p2);
	buf_release(&a2);
}

static void merges_and_unknown_headers_are_refused(void **state)
{
	const char *merge = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
			    "parent ce013625030ba8dba906f756967f9e9ca394464a\n"
			    "parent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
			    "committer a <b> 1 +0000\n\nm\n";
	const char *odd = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nmergetag x\ncommitter a <b> 1 +0000\n\nm\n";
	const char *notree = "committer a <b> 1 +0000\n\nm\n";
	struct buf p = BUF_INIT, a = BUF_INIT;
	char t[KEYRING_OID_LEN + 1], par[KEYRING_OID_LEN + 1];
	int64_t when;

	(void)state;
	assert_int_equal(keyring_parse(merge, strlen(merge), &p, &a, t, par, &when), -1);
	assert_int_equal(keyring_parse(odd, strlen(odd), &p, &a, t, par, &when), -1);
	assert_int_equal(keyring_parse(notree, strlen(notree), &p, &a, t, par, &when), -1);
	buf_release(&p);
	buf_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(object_ids_are_gits),
		cmocka_unit_test(a_signed_commit_parses_back_to_its_payload_and_signature),
		cmocka_unit_test(merges_and_unknown_headers_are_refused),
	};
	return cmocka_run_group_tests_name("keyring", tests, NULL, NULL);
}
