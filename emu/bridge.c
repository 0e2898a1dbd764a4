// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The device bridge: the mmap layer of the emulated SHM bridge (bridge.h). */
#include "bridge.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

static void *dev_map(const struct emu_bridge *b, uint64_t offset, size_t len,
		     int prot, int *err)
{
	void *p;

	if (b->fd < 0) {
		*err = EBADF;
		return NULL;
	}
	/* Offsets past off_t's range are no window; emu_shm_unpack refuses them. */
	p = mmap(NULL, len, prot, MAP_SHARED, b->fd, (off_t)offset);
	if (p == MAP_FAILED) {
		*err = errno;
		return NULL;
	}
	return p;
}

static void dev_unmap(const struct emu_bridge *b, void *addr, size_t len)
{
	(void)b;
	if (munmap(addr, len))
		emu_err("munmap of a bridge window: %s", strerror(errno));
}

void emu_bridge_init(struct emu_bridge *b, int fd)
{
	long page = sysconf(_SC_PAGESIZE);

	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->page_size = page > 0 ? (size_t)page : 4096;
	b->map = dev_map;
	b->unmap = dev_unmap;
}
