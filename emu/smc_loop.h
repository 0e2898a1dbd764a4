/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The pool of secure threads: each takes SMC calls from the emulator
 * device (OBJINVOKE_EMU_IOC_WAIT), has emu_dispatch() answer them, and
 * completes them (OBJINVOKE_EMU_IOC_COMPLETE), carrying callbacks through
 * WAIT on the call's session.
 *
 * Stopping: emu_pool_stop() raises a flag and sends EMU_WAKE_SIGNAL to
 * every thread until it has exited; the signal only interrupts the
 * blocking ioctl (its handler does nothing).  A thread that meets a fatal
 * device error stops and sends SIGTERM to the thread that started the
 * pool, which is expected to wait for it (main.c).
 */
#ifndef EMU_SMC_LOOP_H
#define EMU_SMC_LOOP_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include <linux/objinvoke_emu.h>

#include "call.h"

struct emu;

#define EMU_WAKE_SIGNAL		SIGUSR1

struct emu_thread {
	pthread_t tid;
	unsigned int index;
	struct emu_pool *pool;
	struct emu_transport tx;	/* device callbacks for this thread */
	uint64_t session;		/* the SMC call being answered */
	bool session_lost;		/* the device failed mid-call */
	void *inbound;			/* EMU_INBOUND_MAX bytes */
	void *outbound;			/* EMU_OUTBOUND_SIZE bytes */
};

struct emu_pool {
	struct emu *emu;
	int fd;
	unsigned int n;
	struct emu_thread *threads;
	pthread_t owner;		/* told with SIGTERM of a fatal error */
	bool stopping;			/* atomic */
	bool failed;			/* atomic: a thread hit a fatal error */
};

/* Start n secure threads on the device fd; 0 or a negative errno. */
int emu_pool_start(struct emu_pool *p, struct emu *e, int fd, unsigned int n);
/* Stop and join every thread; true when none failed. */
bool emu_pool_stop(struct emu_pool *p);

#endif /* EMU_SMC_LOOP_H */
