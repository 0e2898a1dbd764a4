// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The emulator's stderr log (see log.h for the line formats). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

int emu_log_level = EMU_LOG_INFO;

/* Whether stderr is a journald stream; set by emu_log_init(). */
static bool to_journal;

/* Each level's name in a stamped line and its syslog priority (LOG_*). */
static const struct {
	const char *name;
	int priority;
} levels[] = {
	[EMU_LOG_ERR] = { "error", 3 },
	[EMU_LOG_WARN] = { "warning", 4 },
	[EMU_LOG_INFO] = { "info", 6 },
	[EMU_LOG_DEBUG] = { "debug", 7 },
	[EMU_LOG_TRACE] = { "trace", 7 },
};

/* $JOURNAL_STREAM is "device:inode" of the stream systemd connected. */
static bool stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!v || sscanf(v, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void emu_log_init(void)
{
	to_journal = stderr_is_journal();
}

void emu_log_prefix(char *buf, size_t size, int level, bool journal)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	if (level < EMU_LOG_ERR)
		level = EMU_LOG_ERR;
	if (level > EMU_LOG_TRACE)
		level = EMU_LOG_TRACE;
	if (journal) {
		snprintf(buf, size, "<%d>", levels[level].priority);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ objinvoke-emu[%ld]: %s: ",
		 ts.tv_nsec / 1000000, (long)getpid(), levels[level].name);
}

void emu_log(int level, const char *fmt, ...)
{
	char prefix[96];
	va_list ap;

	if (level > emu_log_level)
		return;
	emu_log_prefix(prefix, sizeof(prefix), level, to_journal);
	/*
	 * Secure threads log concurrently: hold the stream's lock across the
	 * prefix, the message and the newline so lines never interleave.
	 */
	flockfile(stderr);
	fputs(prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
