// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The emulated TEE's state (see emu.h). */
#include "emu.h"

#include <errno.h>
#include <time.h>

void emu_init(struct emu *e)
{
	emu_objtable_init(&e->table, EMU_OBJTABLE_DEFAULT_MAX);
	emu_relq_init(&e->relq, EMU_RELQ_MAX);
	/* No device until the daemon attaches one (main.c). */
	emu_bridge_init(&e->bridge, -1);
	e->sleep_ms = emu_sleep_ms;
}

void emu_fini(struct emu *e)
{
	/* Objects may queue releases as they go: the queue goes last. */
	emu_objtable_destroy(&e->table);
	emu_relq_destroy(&e->relq);
}

void emu_sleep_ms(uint32_t ms)
{
	struct timespec until;

	/*
	 * Sleep to an absolute deadline and resume after every signal: the
	 * stop signal sent to the pool must not cut a delay short (a secure
	 * thread cannot be preempted by the normal world either).
	 */
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) ==
	       EINTR)
		;
}
