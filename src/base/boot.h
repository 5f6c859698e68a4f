/*
 * boot: which boot of the kernel this process runs in, when it began and
 * which kernel it is.  The one place that reads the kernel's boot id
 * (/proc/sys/kernel/random/boot_id): the chain cache, session ids, spools
 * and the reboot records all ask here.
 *
 * Tests change the boot without rebooting through the process's own
 * environment: $LOGBOOK_BOOT_ID (the boot id) and $LOGBOOK_BTIME (the
 * boot time, seconds since the epoch), honoured for every account.  An
 * account can only set them for its own processes: root's logbook never
 * runs with a member's environment (sudo resets it, systemd units set
 * none), and what a member's process files with them is filed under the
 * member's account (docs/security.md, "Reboot records").
 */
#ifndef LOGBOOK_BOOT_H
#define LOGBOOK_BOOT_H

#include <stdint.h>

#define BOOT_ID_MAX 63

/* the boot id (a UUID), "" when unknown (no /proc); the same string for the whole process */
const char *boot_id(void);
/* when this boot began, microseconds since the epoch (/proc/stat btime); -1 when unknown */
int64_t boot_time_us(void);
/* the running kernel's release (uname -r), "" when unknown */
const char *boot_kernel(void);

#endif
