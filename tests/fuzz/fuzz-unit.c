/*
 * fuzz-unit: what the failure handler and the reboot records read from
 * outside, on arbitrary bytes: a unit name as systemd passes it
 * (event_valid_unit), `systemctl show` output (event_unit_property) and
 * the system journal's last lines (reboot_journal_verdict).
 *
 * An accepted unit name is 1 to 255 bytes of the unit alphabet, never
 * starts with '-' (it would be an option) and ends in a unit type; a
 * property's value holds no newline and is at most EVENT_PROPERTY_MAX
 * bytes; the verdict is -1, 0 or 1, and -1 only for blank input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal/event.h"
#include "journal/reboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char *v;
	int verdict;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (event_valid_unit(s)) {
		size_t n = strlen(s);
		if (n == 0 || n > 255 || s[0] == '-' || !strrchr(s, '.') ||
		    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:-_.\\@") != n)
			abort();
	}
	v = event_unit_property(s, size, "Result");
	if (strlen(v) > EVENT_PROPERTY_MAX || strchr(v, '\n'))
		abort();
	free(v);
	verdict = reboot_journal_verdict(s, size);
	if (verdict < -1 || verdict > 1)
		abort();
	if (verdict == -1)
		for (size_t i = 0; i < size; i++)
			if (s[i] != '\n' && s[i] != ' ')
				abort();
	free(s);
	return 0;
}
