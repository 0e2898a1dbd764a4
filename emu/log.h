/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The emulator's log: one line per event on stderr.  Errors and lifecycle
 * events are always printed; -v adds one line per invocation and -vv the
 * callbacks and async releases it sends.
 */
#ifndef EMU_LOG_H
#define EMU_LOG_H

enum emu_log_level {
	EMU_LOG_ERR = 0,	/* something failed */
	EMU_LOG_INFO = 1,	/* start, stop, faults applied (default) */
	EMU_LOG_DEBUG = 2,	/* -v: one line per invocation */
	EMU_LOG_TRACE = 3,	/* -vv: callbacks and releases */
};

/* Highest level printed; set once by main() before threads start. */
extern int emu_log_level;

void emu_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define emu_err(...)	emu_log(EMU_LOG_ERR, __VA_ARGS__)
#define emu_info(...)	emu_log(EMU_LOG_INFO, __VA_ARGS__)
#define emu_dbg(...)	emu_log(EMU_LOG_DEBUG, __VA_ARGS__)
#define emu_trace(...)	emu_log(EMU_LOG_TRACE, __VA_ARGS__)

#endif /* EMU_LOG_H */
