/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The mmap layer under the emulated SHM bridge (shm.h): how the TEE maps
 * a window of the emulator device.  Apart from shm.c, which maps regions
 * through callbacks, so that struct emu (emu.h) holds a bridge without
 * depending on the callback layer.
 */
#ifndef EMU_BRIDGE_H
#define EMU_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The mmap layer.  @map returns the mapping, or NULL with a positive errno
 * in *err; @unmap undoes it.  One device fd is shared by the whole pool.
 */
struct emu_bridge {
	int fd;				/* invariant: the device, or -1 */
	size_t page_size;		/* invariant */
	void *(*map)(const struct emu_bridge *b, uint64_t offset, size_t len,
		     int prot, int *err);
	void (*unmap)(const struct emu_bridge *b, void *addr, size_t len);
	void *priv;			/* for test bridges */
};

/* The device bridge on @fd (-1: none yet; every map then fails EBADF). */
void emu_bridge_init(struct emu_bridge *b, int fd);

#endif /* EMU_BRIDGE_H */
