/*
 * advisory: reading DSA and DLA texts (journal/advisory.h), the record's
 * advisory object, and the version ordering the status relies on
 * (base/debversion.h), checked pair by pair against dpkg --compare-versions.
 */
#include "unit.h"

#include <sys/wait.h>

#include "base/debversion.h"
#include "base/err.h"
#include "journal/advisory.h"

static const char dsa[] =
	"-----BEGIN PGP SIGNED MESSAGE-----\n"
	"Hash: SHA512\n"
	"\n"
	"- -------------------------------------------------------------------------\n"
	"Debian Security Advisory DSA-5678-1                   security@debian.org\n"
	"https://www.debian.org/security/                       Salvatore Bonaccorso\n"
	"November 26, 2026                     https://www.debian.org/security/faq\n"
	"- -------------------------------------------------------------------------\n"
	"\n"
	"Package        : nginx\n"
	"CVE ID         : CVE-2026-10001 CVE-2026-10002\n"
	"                 CVE-2026-10003\n"
	"\n"
	"Several vulnerabilities were discovered in nginx (see DSA-5000-1).\n"
	"\n"
	"For the oldstable distribution (bullseye), these problems have been fixed\n"
	"in version 1.18.0-6.1+deb11u4.\n"
	"\n"
	"For the stable distribution (bookworm), these problems have been fixed in\r\n"
	"version 1:1.22.1-9+deb12u1.\r\n"
	"\n"
	"For the detailed security status of nginx please refer to\n"
	"its security tracker page at:\n"
	"https://security-tracker.debian.org/tracker/nginx\n"
	"-----BEGIN PGP SIGNATURE-----\n"
	"\n"
	"For the stable distribution (trixie), this problem has been fixed in version 9.9.\n"
	"-----END PGP SIGNATURE-----\n";

static void a_clearsigned_dsa_gives_id_package_cves_and_fixes(void **state)
{
	struct advisory a;

	(void)state;
	assert_int_equal(advisory_parse(dsa, strlen(dsa), &a), 0);
	assert_string_equal(a.id, "DSA-5678-1");
	assert_int_equal(a.npackages, 1);
	assert_string_equal(a.packages[0], "nginx");
	assert_int_equal(a.ncves, 3);
	assert_string_equal(a.cves[2], "CVE-2026-10003");
	/* the signature block is not text: trixie there is not read */
	assert_int_equal(a.nfixed, 2);
	assert_string_equal(a.fixed[0].release, "bullseye");
	assert_string_equal(a.fixed[0].version, "1.18.0-6.1+deb11u4");
	assert_string_equal(a.fixed[1].release, "bookworm");
	assert_string_equal(a.fixed[1].version, "1:1.22.1-9+deb12u1");
	assert_string_equal(advisory_fixed_for(&a, "bookworm"), "1:1.22.1-9+deb12u1");
	assert_null(advisory_fixed_for(&a, "buster"));
	advisory_release(&a);
}

static void a_dla_names_its_release_after_debian_and_a_number(void **state)
{
	static const char dla[] =
		"Debian LTS Advisory DLA-3456-1                debian-lts@lists.debian.org\n"
		"Package        : openssl, openssl1.1\n"
		"Version        : 1.1.1w-0+deb11u2\n"
		"For Debian 11 bullseye, this problem has been fixed in version\n"
		"1.1.1w-0+deb11u2.\n";
	struct advisory a;

	(void)state;
	assert_int_equal(advisory_parse(dla, strlen(dla), &a), 0);
	assert_string_equal(a.id, "DLA-3456-1");
	assert_int_equal(a.npackages, 2);
	assert_string_equal(a.packages[1], "openssl1.1");
	assert_int_equal(a.nfixed, 1);
	assert_string_equal(a.fixed[0].release, "bullseye");
	assert_string_equal(a.fixed[0].version, "1.1.1w-0+deb11u2");
	advisory_release(&a);
}

static void sentences_without_a_version_or_a_release_give_no_fix(void **state)
{
	static const char text[] =
		"DSA-100-1\nPackage : foo\n"
		"For the stable distribution (bookworm), this problem will be fixed soon.\n"
		"For the unstable distribution, this problem has been fixed in version 2.0-1.\n"
		"For the testing distribution (trixie), this problem has been fixed in version x1.\n"
		"For the oldstable distribution (bullseye), these problems have been fixed in version 1.0-1+deb11u1.\n";
	struct advisory a;

	(void)state;
	assert_int_equal(advisory_parse(text, strlen(text), &a), 0);
	assert_string_equal(a.id, "DSA-100-1");
	assert_int_equal(a.nfixed, 1);
	assert_string_equal(a.fixed[0].release, "bullseye");
	advisory_release(&a);
}

static void text_without_id_or_package_is_not_an_advisory(void **state)
{
	static const char noid[] = "Package : nginx\nFor Debian 12 bookworm, fixed in version 1.0.\n";
	static const char nopkg[] = "Debian Security Advisory DSA-5678-1\nPackage : NGINX!\n";
	struct advisory a;

	(void)state;
	assert_int_equal(advisory_parse(noid, strlen(noid), &a), -1);
	assert_non_null(strstr(errget(), "no advisory id"));
	advisory_release(&a);
	assert_int_equal(advisory_parse(nopkg, strlen(nopkg), &a), -1);
	assert_non_null(strstr(errget(), "no \"Package : NAME\" line"));
	advisory_release(&a);
	assert_int_equal(advisory_parse("", 0, &a), -1);
	advisory_release(&a);
	/* a NUL inside a name is not a name (found by fuzz-advisory) */
	assert_int_equal(advisory_parse("DSA-1-1\nPackage : ngi\0nx\n", 24, &a), -1);
	advisory_release(&a);
	assert_false(advisory_valid_package("ngi\0nx", 7));
}

static void the_json_object_round_trips_and_bad_ones_are_refused(void **state)
{
	static const char *const bad[] = {
		"{\"id\":\"DSA-1-1\",\"packages\":[],\"cves\":[],\"fixed\":[]}",
		"{\"id\":\"USN-1-1\",\"packages\":[\"nginx\"],\"cves\":[],\"fixed\":[]}",
		"{\"id\":\"DSA-1-1\",\"packages\":[\"ng inx\"],\"cves\":[],\"fixed\":[]}",
		"{\"id\":\"DSA-1-1\",\"packages\":[\"nginx\"],\"cves\":[\"CVE-1\"],\"fixed\":[]}",
		"{\"id\":\"DSA-1-1\",\"packages\":[\"nginx\"],\"cves\":[],\"fixed\":[{\"release\":\"Bookworm\",\"version\":\"1\"}]}",
		"{\"id\":\"DSA-1-1\",\"packages\":[\"nginx\"],\"cves\":[],\"fixed\":[{\"release\":\"bookworm\",\"version\":\"1 \\u001b\"}]}",
		"{\"id\":\"DSA-1-1\",\"packages\":[\"nginx\"],\"cves\":[]}",
		"[]",
	};
	struct advisory a, b;
	json_t *o;

	(void)state;
	assert_int_equal(advisory_parse(dsa, strlen(dsa), &a), 0);
	o = advisory_to_json(&a);
	assert_int_equal(advisory_from_json(o, &b), 0);
	assert_string_equal(b.id, a.id);
	assert_int_equal(b.ncves, a.ncves);
	assert_int_equal(b.nfixed, 2);
	assert_string_equal(b.fixed[1].version, a.fixed[1].version);
	json_decref(o);
	advisory_release(&a);
	advisory_release(&b);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		if (advisory_from_json(j, &b) == 0)
			fail_msg("accepted: %s", bad[i]);
		json_decref(j);
	}
}

/* what dpkg --compare-versions a OP b says */
static bool dpkg_says(const char *a, const char *op, const char *b)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		execlp("dpkg", "dpkg", "--compare-versions", a, op, b, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 127);
	return WEXITSTATUS(st) == 0;
}

static void versions_order_as_dpkg_orders_them(void **state)
{
	static const struct {
		const char *a, *b;
		int cmp;
	} cases[] = {
		{ "1.22.1-9", "1.22.1-9+deb12u1", -1 },
		{ "1.22.1-9+deb12u1", "1.22.1-9+deb12u1", 0 },
		{ "1.22.1-9+deb12u2", "1.22.1-9+deb12u10", -1 },
		{ "1:1.0-1", "1.22.1-9+deb12u1", 1 },
		{ "0:1.0", "1.0", 0 },
		{ "1.0~rc1", "1.0", -1 },
		{ "1.0~rc1-1", "1.0~~-1", 1 },
		{ "1.0", "1.0-0", 0 },
		{ "1.0+b1", "1.0", 1 },
		{ "2.4.59-1~deb12u1", "2.4.59-1", -1 },
		{ "1.1.1w-0+deb11u2", "1.1.1w-0+deb11u1", 1 },
		{ "3.0.11-1~deb12u2", "3.0.11-1", -1 },
		{ "1.2a", "1.2+", -1 },
		{ "10", "9", 1 },
		{ "1.0-1ubuntu1", "1.0-1", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int cmp = 99;
		if (debversion_compare(cases[i].a, cases[i].b, &cmp) < 0)
			fail_msg("%s %s: %s", cases[i].a, cases[i].b, errget());
		if (cmp != cases[i].cmp)
			fail_msg("%s vs %s: %d, expected %d", cases[i].a, cases[i].b, cmp, cases[i].cmp);
		if (!dpkg_says(cases[i].a, cmp < 0 ? "lt" : cmp > 0 ? "gt" : "eq", cases[i].b))
			fail_msg("dpkg disagrees: %s vs %s", cases[i].a, cases[i].b);
	}
}

static void versions_dpkg_refuses_are_errors(void **state)
{
	static const char *const bad[] = { "", "a1.0", "1.0 2", "1:", "x:1.0", "1.0-", "1.0\x1b[31m" };
	int cmp;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (debversion_compare(bad[i], "1.0", &cmp) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_false(debversion_valid(bad[i]));
	}
	assert_true(debversion_valid("1:1.22.1-9+deb12u1~bpo1"));
	/* many comparisons cost no memory: what libdpkg parses is freed each time */
	for (int i = 0; i < 100000; i++)
		assert_int_equal(debversion_compare("1.0-1", "1.0-2", &cmp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_clearsigned_dsa_gives_id_package_cves_and_fixes),
		cmocka_unit_test(a_dla_names_its_release_after_debian_and_a_number),
		cmocka_unit_test(sentences_without_a_version_or_a_release_give_no_fix),
		cmocka_unit_test(text_without_id_or_package_is_not_an_advisory),
		cmocka_unit_test(the_json_object_round_trips_and_bad_ones_are_refused),
		cmocka_unit_test(versions_order_as_dpkg_orders_them),
		cmocka_unit_test(versions_dpkg_refuses_are_errors),
	};
	return cmocka_run_group_tests_name("advisory", tests, NULL, NULL);
}
