/*
 * ref: "HOST:SEQ", the one parser of a record's reference.  A reference
 * comes from the command line and from records of other replicas, so
 * every byte is checked: the host by the store's own rule, the seq as
 * plain decimal that cannot overflow.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "journal/ref.h"
#include "base/banned.h"

int ref_parse(const char *s, size_t len, struct rec_ref *out)
{
	const char *colon = len ? memchr(s, ':', len) : NULL;
	size_t hlen, dlen;
	int64_t seq = 0;

	if (!colon) {
		errset("not a record reference (HOST:SEQ, as the page shows it)");
		return -1;
	}
	hlen = (size_t)(colon - s);
	dlen = len - hlen - 1;
	if (hlen == 0 || hlen > STORE_HOST_MAX || memchr(s, '\0', hlen)) {
		errset("not a record reference: bad host name");
		return -1;
	}
	memcpy(out->host, s, hlen);
	out->host[hlen] = '\0';
	if (!store_valid_host(out->host)) {
		errset("not a record reference: bad host name");
		return -1;
	}
	if (dlen == 0 || dlen > REF_SEQ_DIGITS || colon[1] == '0') {
		errset("not a record reference: the seq after ':' is a number from 1");
		return -1;
	}
	for (size_t i = 0; i < dlen; i++) {
		char c = colon[1 + i];
		if (c < '0' || c > '9') {
			errset("not a record reference: the seq after ':' is a number from 1");
			return -1;
		}
		seq = seq * 10 + (c - '0');
	}
	out->seq = seq;
	return 0;
}

void ref_format(const char *host, int64_t seq, char out[REF_MAX + 1])
{
	snprintf(out, REF_MAX + 1, "%.*s:%lld", STORE_HOST_MAX, host, (long long)seq);
}

bool ref_equal(const struct rec_ref *a, const struct rec_ref *b)
{
	return a->seq == b->seq && !strcmp(a->host, b->host);
}
