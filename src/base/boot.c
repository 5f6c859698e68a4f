/*
 * boot: the kernel's boot id, boot time and release (see boot.h).  Each
 * is read once per process: a process never straddles two boots.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/boot.h"
#include "base/buf.h"
#include "base/fs.h"
#include "base/banned.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* a boot id is a UUID; anything else (a broken /proc, a bad variable) is no id */
static bool valid_id(const char *s, size_t n)
{
	return n > 0 && n <= BOOT_ID_MAX && strspn(s, "0123456789abcdefABCDEF-") >= n;
}

const char *boot_id(void)
{
	static char id[BOOT_ID_MAX + 1];
	static bool done;
	const char *env = getenv("LOGBOOK_BOOT_ID");
	struct buf b = BUF_INIT;
	size_t n;

	if (done)
		return id;
	done = true;
	if (env && *env) {
		if (valid_id(env, strlen(env)))
			memcpy(id, env, strlen(env) + 1);
		return id;
	}
	if (fs_read_file(BOOT_ID_PATH, &b) == 0) {
		n = strcspn(buf_str(&b), " \n");
		if (valid_id(b.data, n))
			memcpy(id, b.data, n);
	}
	buf_release(&b);
	return id;
}

int64_t boot_time_us(void)
{
	static int64_t us = -2;
	const char *env = getenv("LOGBOOK_BTIME");
	unsigned long long btime;
	struct buf b = BUF_INIT;
	const char *p;
	char end;

	if (us != -2)
		return us;
	us = -1;
	if (env && *env) {
		if (sscanf(env, "%llu%c", &btime, &end) == 1 && btime < 1ULL << 40)
			us = (int64_t)btime * 1000000;
		return us;
	}
	if (fs_read_file("/proc/stat", &b) == 0 && (p = strstr(buf_str(&b), "\nbtime ")) &&
	    sscanf(p + 7, "%llu", &btime) == 1 && btime < 1ULL << 40)
		us = (int64_t)btime * 1000000;
	buf_release(&b);
	return us;
}

const char *boot_kernel(void)
{
	static struct utsname u;
	static bool done;

	if (!done) {
		done = true;
		if (uname(&u) < 0)
			u.release[0] = '\0';
	}
	return u.release;
}
