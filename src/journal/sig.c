/*
 * sig: ssh public keys, SSHSIG signatures, the ssh-agent protocol.
 *
 * The wire forms (RFC 4251 section 5): uint32 big-endian; string, a
 * uint32 length then the bytes; mpint, a string holding a big-endian
 * two's-complement number (all ours are positive: a leading 0x00 when the
 * top bit is set, no other leading zero when written).
 *
 *   Ed25519 key (RFC 8709)  string "ssh-ed25519", string A (32 bytes)
 *   ECDSA key (RFC 5656)    string "ecdsa-sha2-nistpN", string "nistpN",
 *                           string Q (0x04 || X || Y)
 *   RSA key (RFC 4253)      string "ssh-rsa", mpint e, mpint n
 *   signature               string algorithm, string blob: Ed25519's 64
 *                           bytes; ECDSA's mpint r, mpint s (hashed with
 *                           the curve's SHA-2); RSA's s of the modulus'
 *                           size, under "rsa-sha2-512" or "rsa-sha2-256"
 *                           (RFC 8332)
 *   SSHSIG                  "SSHSIG", uint32 1, string key, string
 *                           namespace, string reserved, string hash
 *                           algorithm, string signature
 *   what SSHSIG signs       "SSHSIG", string namespace, string reserved
 *                           (empty), string hash algorithm, string H(msg)
 *   agent message           uint32 length, byte type, contents
 *
 * Parsing goes through struct reader, whose functions check each length
 * against what is left; nothing else indexes into untrusted bytes.  A
 * parsed key keeps its wire form re-encoded canonically (mpints without
 * extra leading zeros), so fingerprints and comparisons are those of
 * OpenSSH whatever encoding the key came in.
 *
 * The module's parts are listed in sig-int.h; this file holds what all of
 * them use to fail: one errset() message, with bytes from outside shown
 * escaped and cut short, so a hostile key or signature cannot put control
 * characters or a megabyte on the terminal.
 */
#include <stdarg.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "journal/sig-int.h"
#include "journal/sig.h"
#include "base/banned.h"

int sig_fail(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	errset("%s", buf_str(&b));
	buf_release(&b);
	return -1;
}

const char *sig_shown(struct span s, char out[SIG_SHOWN_SIZE])
{
	size_t o = 0;

	for (size_t i = 0; i < s.len && o < SIG_SHOWN_SIZE - 8; i++) {
		if (i == 40) {
			o += (size_t)snprintf(out + o, SIG_SHOWN_SIZE - o, "...");
			break;
		}
		if (s.p[i] >= 0x20 && s.p[i] < 0x7f && s.p[i] != '\'' && s.p[i] != '\\')
			out[o++] = (char)s.p[i];
		else
			o += (size_t)snprintf(out + o, SIG_SHOWN_SIZE - o, "\\x%02x", s.p[i]);
	}
	out[o] = '\0';
	return out;
}
