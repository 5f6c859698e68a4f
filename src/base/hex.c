/* hex: see hex.h */
#include "base/hex.h"
#include "base/banned.h"

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void hex_encode(const unsigned char *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * len] = '\0';
}

int hex_decode(const char *hex, size_t len, unsigned char *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = hex_digit((unsigned char)hex[2 * i]), lo = hi < 0 ? -1 : hex_digit((unsigned char)hex[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}
