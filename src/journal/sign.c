/*
 * sign: making and checking sign records (see sign.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/day.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "journal/sig.h"
#include "journal/sign.h"
#include "base/banned.h"

void sign_message(const char *host, int64_t seq, const char *head, const struct store_head *witness, size_t n,
		  struct buf *out)
{
	buf_addf(out, "logbook-sign 1\nhost %s\nseq %lld\nhead %s\n", host, (long long)seq, head);
	for (size_t i = 0; i < n; i++)
		buf_addf(out, "witness %s %lld %s\n", witness[i].host, (long long)witness[i].seq, witness[i].hash);
}

static bool is_hash(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == REC_HASH_LEN;
}

/*
 * Strict, since the fields become lines of the signed message: a host
 * with a space or a newline could make two records sign the same bytes.
 */
int sign_witnesses(const struct record *r, struct store_head **v, size_t *n)
{
	json_t *list = rec_get_json(r, "witness"), *w;
	size_t i;

	*v = NULL;
	*n = 0;
	if (!list)
		return 0;
	if (!json_is_array(list)) {
		errset("malformed witness field (not a list)");
		return -1;
	}
	*v = xcalloc(json_array_size(list) + 1, sizeof **v);
	json_array_foreach(list, i, w) {
		const char *host = json_string_value(json_object_get(w, "host"));
		const char *hash = json_string_value(json_object_get(w, "hash"));
		json_t *seq = json_object_get(w, "seq");

		if (!host || !store_valid_host(host) || !strcmp(host, r->host) || !json_is_integer(seq) ||
		    json_integer_value(seq) < 1 || !hash || !is_hash(hash)) {
			errset("malformed witness %zu (another host, a seq and a SHA-256)", i + 1);
			free(*v);
			*v = NULL;
			return -1;
		}
		snprintf((*v)[i].host, sizeof (*v)[i].host, "%s", host);
		(*v)[i].seq = json_integer_value(seq);
		memcpy((*v)[i].hash, hash, REC_HASH_LEN + 1);
	}
	*n = json_array_size(list);
	return 0;
}

/* the "witness" field of the heads (a JSON array), or NULL when there are none */
static json_t *witness_json(const struct store_head *v, size_t n)
{
	json_t *list;

	if (n == 0)
		return NULL;
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *w = json_object();
		json_object_set_new(w, "host", json_string(v[i].host));
		json_object_set_new(w, "seq", json_integer(v[i].seq));
		json_object_set_new(w, "hash", json_string(v[i].hash));
		json_array_append_new(list, w);
	}
	return list;
}

/*
 * "alice's keys: SHA256:..., SHA256:..." or "alice has none": what a
 * refusal tells the admin to sign with instead
 */
static void admin_keys_list(const struct team_keys *team, const char *admin, struct buf *out)
{
	size_t listed = 0;

	for (size_t i = 0; i < team->n; i++) {
		char fp[SIG_FINGERPRINT_SIZE];

		/* only the keys that sign today */
		if (strcmp(team->v[i].admin, admin) || !team_key_valid_at(&team->v[i], day_now_us()))
			continue;
		sig_key_fingerprint(team->v[i].key, fp);
		if (listed++)
			buf_addf(out, ", %s", fp);
		else
			buf_addf(out, "%s's keys: %s", admin, fp);
	}
	if (!listed)
		buf_addf(out, "%s has none", admin);
}

struct sig_key *sign_agent_key(const struct team_keys *team, const char *admin)
{
	struct sig_key **held = NULL, *found = NULL;
	struct buf keys = BUF_INIT;
	size_t n = 0;
	bool has_keys = false;

	for (size_t i = 0; i < team->n; i++)
		has_keys = has_keys || !strcmp(team->v[i].admin, admin);
	if (!has_keys) {
		errset("team.conf has no key of %s (logbook team add %s --key FILE)", admin, admin);
		return NULL;
	}
	if (sig_agent_keys(&held, &n) < 0)
		return NULL;
	/* only the admin's own keys: the agent may hold anybody's */
	for (size_t i = 0; i < n && !found; i++) {
		if (team_keys_has(team, admin, held[i]) && team_keys_find_valid(team, held[i], day_now_us())) {
			found = held[i];
			held[i] = NULL;
		}
	}
	sig_keys_free(held, n);
	if (!found) {
		admin_keys_list(team, admin, &keys);
		errset("the ssh-agent holds no key of %s listed in team.conf (%s)", admin, buf_str(&keys));
		buf_release(&keys);
	}
	return found;
}

/*
 * A key file may hold anybody's key: when the team lists keys, a
 * signature by one that is not the admin's would be written in their
 * name and only found out by verify, so it is refused before the record
 * exists.  A team that lists no key does not sign, and any key goes.
 */
static int check_key_of(const struct team_keys *team, const char *admin, const struct sig_key *key)
{
	struct buf keys = BUF_INIT;
	char fp[SIG_FINGERPRINT_SIZE];

	if (team->n == 0 || (team_keys_has(team, admin, key) && team_keys_find_valid(team, key, day_now_us())))
		return 0;
	sig_key_fingerprint(key, fp);
	admin_keys_list(team, admin, &keys);
	if (team_keys_has(team, admin, key))
		errset("%s of %s is revoked in team.conf (%s)", fp, admin, buf_str(&keys));
	else
		errset("%s is not a key of %s in team.conf (%s)", fp, admin, buf_str(&keys));
	buf_release(&keys);
	return -1;
}

enum sign_result sign_add(struct store_txn *t, const struct journal *j, const struct ident *id, const char *keyfile)
{
	struct team_keys team;
	struct sig_key *key = NULL;
	struct buf msg = BUF_INIT, armored = BUF_INIT;
	char fp[SIG_FINGERPRINT_SIZE];
	enum sign_result rc = SIGN_FAILED;
	int64_t seq = store_head_seq(t);
	struct store_head *heads = NULL;
	size_t nheads = 0;
	struct record *r;
	json_t *witness;

	if (seq == 0) {
		errset("nothing to sign: %s has no record yet", id->host);
		return SIGN_NO_KEY;
	}
	if (store_heads(j, id->host, &heads, &nheads) < 0)
		return SIGN_FAILED;
	/* the signed keyring when there is one: a key only an edit of team.conf here names does not sign */
	if (team_keys_trusted(j, &team) < 0) {
		free(heads);
		return SIGN_FAILED;
	}
	sign_message(id->host, seq, store_head_hash(t), heads, nheads, &msg);
	if (keyfile) {
		if (sig_sign_keyfile(keyfile, SIG_NAMESPACE, msg.data, msg.len, &armored) < 0)
			goto out;
		/* the key that signed, from the signature itself */
		if (sig_verify(armored.data, armored.len, SIG_NAMESPACE, msg.data, msg.len, &key) < 0)
			goto out;
		if (check_key_of(&team, id->admin, key) < 0) {
			rc = SIGN_NO_KEY;
			goto out;
		}
	} else {
		if (!(key = sign_agent_key(&team, id->admin))) {
			rc = SIGN_NO_KEY;
			goto out;
		}
		if (sig_sign_agent(key, SIG_NAMESPACE, msg.data, msg.len, &armored) < 0)
			goto out;
	}
	sig_key_fingerprint(key, fp);
	r = rec_new("sign", day_now_us(), id->host, id->admin, id->account, id->session);
	rec_set_int(r, "covers", seq);
	rec_set_text(r, "key", fp, strlen(fp));
	rec_set_text(r, "signature", armored.data, armored.len);
	if ((witness = witness_json(heads, nheads)))
		rec_set_json(r, "witness", witness);
	if (store_add(t, r) == 0)
		rc = SIGN_DONE;
	rec_free(r);
out:
	if (rc == SIGN_NO_KEY && j->pinned) {
		char *why = xstrdup(errget());
		errset("%s; the signed keyring counts here: a key added to team.conf signs once sync took "
		       "its signed change", why);
		free(why);
	}
	free(heads);
	sig_key_free(key);
	team_keys_free(&team);
	buf_release(&msg);
	buf_release(&armored);
	return rc;
}

int sign_check(const struct record *r, const struct team_keys *keys)
{
	struct buf msg = BUF_INIT, sig = BUF_INIT;
	struct sig_key *signer = NULL;
	const struct team_key *tk;
	struct store_head *witness = NULL;
	size_t nwitness = 0;
	int64_t covers = 0;
	int rc = -1;

	if (!rec_get_int(r, "covers", &covers) || covers != r->seq - 1 || rec_get_text(r, "signature", &sig) < 0) {
		errset("malformed sign record (covers must be the record just before it, with a signature)");
		goto out;
	}
	if (sign_witnesses(r, &witness, &nwitness) < 0) {
		errprefix("malformed sign record");
		goto out;
	}
	sign_message(r->host, covers, r->prev, witness, nwitness, &msg);
	if (sig_verify(sig.data, sig.len, SIG_NAMESPACE, msg.data, msg.len, &signer) < 0) {
		errprefix("bad signature");
		goto out;
	}
	if (!(tk = team_keys_find(keys, signer))) {
		char fp[SIG_FINGERPRINT_SIZE];
		sig_key_fingerprint(signer, fp);
		errset("signed by a key not in team.conf (%s)", fp);
		goto out;
	}
	if (!team_keys_has(keys, r->admin, signer)) {
		errset("signed with a key of %s, but the record says %s", tk->admin, r->admin);
		goto out;
	}
	/* a key is good for what it signed before it was revoked, by the record's time */
	if (!team_keys_find_valid(keys, signer, r->time)) {
		char fp[SIG_FINGERPRINT_SIZE], when[DAY_TIME_LEN + 1];
		sig_key_fingerprint(signer, fp);
		day_time_format(tk->revoked, when);
		errset("signed with %s of %s, revoked since %s", fp, tk->admin, when);
		goto out;
	}
	rc = 0;
out:
	free(witness);
	sig_key_free(signer);
	buf_release(&msg);
	buf_release(&sig);
	return rc;
}
