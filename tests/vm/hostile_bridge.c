// SPDX-License-Identifier: MIT
/*
 * hostile_bridge.c - what test_hostile_tee's secure world does with the
 * windows of the emulator's bridge (mmap() of /dev/objinvoke-emu at the
 * offset a map region answered): map them as granted or not, touch every
 * page, and catch the SIGBUS of a page whose mapping was released.  Only
 * the memory side: hostile_tee.c asks for the regions and counts.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/objinvoke_emu.h>

#include "vmharness.h"
#include "hostile.h"

/*
 * Volatile: only the signal handler reads it, so the compiler saw the
 * store before the touches as dead (NULL is stored after them) and
 * dropped it, and the first revoked page aborted the test.
 */
static _Thread_local sigjmp_buf *volatile bus_jump;

static void on_sigbus(int sig)
{
	(void)sig;
	if (!bus_jump)
		abort();	/* a SIGBUS outside a window: a real bug */
	siglongjmp(*bus_jump, 1);
}

void bridge_catch_sigbus(void)
{
	struct sigaction bus = { .sa_handler = on_sigbus };

	VT_ASSERT_OK(sigaction(SIGBUS, &bus, NULL));
}

bool bridge_touch(volatile unsigned char *p, size_t len, bool write)
{
	sigjmp_buf jump;

	if (sigsetjmp(jump, 1)) {
		bus_jump = NULL;
		return true;
	}
	bus_jump = &jump;
	for (size_t off = 0; off < len; off += 4096) {
		unsigned char v = p[off];

		if (write)
			p[off] = (unsigned char)(v + 1);
	}
	bus_jump = NULL;
	return false;
}

void *bridge_map(int fd, uint64_t addr, size_t len, int prot, int flags)
{
	static const int documented[] = { EACCES, ENXIO, EINVAL, ENOMEM,
					   EOVERFLOW };
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)addr);

	if (p == MAP_FAILED && !errno_in(errno, documented, 5))
		vt_fail("bridge mmap at %#" PRIx64 " len %zu: %s", addr, len,
			strerror(errno));
	return p == MAP_FAILED ? NULL : p;
}

enum bridge_use bridge_try_window(struct rng *r, int fd, uint64_t addr,
				  uint64_t len, uint32_t perms)
{
	int prot = PROT_READ, flags = MAP_SHARED;
	size_t maplen = (len + 4095) & ~(uint64_t)4095;
	enum bridge_use use;
	void *p;

	if (rng_chance(r, 15) || (perms & QTEE_PERM_WRITE && rng_chance(r, 70)))
		prot |= PROT_WRITE;
	if (rng_chance(r, 10))
		flags = MAP_PRIVATE;
	if (rng_chance(r, 25))
		maplen = 4096 * rng_below(r, 6);	/* 0: EINVAL */
	if (rng_chance(r, 15))
		addr += 4096 * rng_below(r, 5);
	if (rng_chance(r, 10))
		addr = rng_chance(r, 50) ? rng_next(r) & ~4095ULL :
		       OBJINVOKE_EMU_WINDOW * rng_below(r, 1024);
	p = bridge_map(fd, addr, maplen, prot, flags);
	if (!p)
		return BRIDGE_REFUSED;
	use = bridge_touch(p, maplen, prot & PROT_WRITE) ? BRIDGE_SIGBUS :
							   BRIDGE_TOUCHED;
	munmap(p, maplen);
	return use;
}

uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
