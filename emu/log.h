/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The emulator's log: one line per event on stderr, each with its level.
 * Errors, warnings and lifecycle events are always printed; -v adds one
 * line per invocation (debug) and -vv the callbacks, releases and object
 * lifetimes (trace).
 *
 * A line is stamped with the time (UTC, to the millisecond), the program
 * and its pid, and the level:
 *
 *   2026-12-02T16:45:01.123Z objinvoke-emu[812]: info: attached to ...
 *
 * unless stderr is a journald stream (a systemd service): then the line
 * is "<6>attached to ...", the syslog priority prefix of sd-daemon(3),
 * which journald turns into the entry's priority, and it records time,
 * name and pid itself.
 */
#ifndef EMU_LOG_H
#define EMU_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum emu_log_level {
	EMU_LOG_ERR = 0,	/* something failed */
	EMU_LOG_WARN = 1,	/* something was wrong and was worked round */
	EMU_LOG_INFO = 2,	/* start, stop, faults applied (default) */
	EMU_LOG_DEBUG = 3,	/* -v: one line per invocation */
	EMU_LOG_TRACE = 4,	/* -vv: callbacks, releases, lifetimes */
};

/* Highest level printed; set once by main() before threads start. */
extern int emu_log_level;

/*
 * Choose the line format for this process's stderr: the journal's when
 * $JOURNAL_STREAM names the very stream stderr is (systemd.exec(5): a
 * child whose stderr was redirected inherits the variable but not the
 * stream).  Call once, before threads start; without it lines are
 * stamped.
 */
void emu_log_init(void);

/*
 * The prefix of one line at @level into @buf (@size bytes): for the
 * journal when @journal, else with the time now.  Exposed for the tests.
 */
void emu_log_prefix(char *buf, size_t size, int level, bool journal);

void emu_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define emu_err(...)	emu_log(EMU_LOG_ERR, __VA_ARGS__)
#define emu_warn(...)	emu_log(EMU_LOG_WARN, __VA_ARGS__)
#define emu_info(...)	emu_log(EMU_LOG_INFO, __VA_ARGS__)
#define emu_dbg(...)	emu_log(EMU_LOG_DEBUG, __VA_ARGS__)
#define emu_trace(...)	emu_log(EMU_LOG_TRACE, __VA_ARGS__)

#endif /* EMU_LOG_H */
