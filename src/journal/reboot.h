/*
 * reboot: the records of the host going down and coming up (docs/format.md,
 * the boot kind).  This module builds them and weighs the evidence of how
 * the previous boot ended; the store files the "up" record (store-write.c,
 * under the chain lock, once per boot) and `logbook boot down` the "down"
 * one.  It never writes.
 */
#ifndef LOGBOOK_REBOOT_H
#define LOGBOOK_REBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal/record.h"

/*
 * The admin of the records no person filed: the boot records (nobody
 * rebooted, or we cannot know who) and the failed units' events.
 */
#define SYSTEM_ADMIN "system"

/* how the previous boot ended, as the "previous" object of an up record says */
struct reboot_previous {
	const char *boot_id;	/* the boot the chain's last record was written in */
	int64_t down;		/* its last sign of life, microseconds since the epoch */
	bool clean;
	const char *evidence;	/* REBOOT_BY_* */
};
#define REBOOT_BY_RECORD "shutdown record"
#define REBOOT_BY_JOURNAL "system journal"
#define REBOOT_BY_NOTHING "no shutdown record"

/*
 * Whether a writer must file an up record before its own: the chain's
 * cache names a boot (cached_boot, "" when it names none) other than this
 * one, and the host's last record (head_time, -1 when it has none) is
 * older than this boot's start (btime, -1 when unknown).  The second test
 * keeps a cache a member rewrote, or a member's process run with a boot id
 * of its own, from making root file a reboot that did not happen: records
 * written since the boot began say the boot is not new.
 */
bool reboot_due(const char *cached_boot, const char *boot, int64_t head_time, int64_t btime);

/* the account name of this process (effective uid) as records write it: the name, else the uid in decimal (allocated) */
char *reboot_account(void);

/* an up record at the boot's start up, of this boot and kernel, after prev (NULL: none known) */
struct record *reboot_up_record(const char *host, const char *account, const char *boot, int64_t up,
				const char *kernel, const struct reboot_previous *prev);
/* a down record at time now, filed by the shutdown unit */
struct record *reboot_down_record(int64_t now, const char *host, const char *account, const char *boot,
				  const char *kernel);
/* whether r is a boot record of event ("up" or "down") and boot id boot (NULL: any) */
bool reboot_is(const struct record *r, const char *event, const char *boot);

/*
 * What the system journal's last lines of the previous boot say
 * (`journalctl -b -1 -o cat` output): 1 it was shut down (systemd reached
 * the power-off, reboot, halt or kexec target, or journald stopped), 0 it
 * just stops, -1 no lines.
 */
int reboot_journal_verdict(const char *text, size_t len);
/* ask journalctl about the previous boot: reboot_journal_verdict of its last lines, -1 when it cannot tell */
int reboot_ask_journal(void);

#endif
