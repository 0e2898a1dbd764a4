/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Memory objects as the TEE reaches them: the emulated SHM bridge.
 *
 * A memory object arrives as an NW ID (an input object, or an output
 * object of a callback).  To reach its bytes the TEE calls the kernel's
 * primordial object back (QTEE_PRIMORDIAL_MAP_REGION, IO = the memory
 * object, one BO of QTEE_MAP_REGION_SIZE bytes, one OO).  The answer's BO
 * is the region, packed little-endian {u64 address, u64 length, u32
 * perms}; its OO is a mapping object, an NW ID with one reference the TEE
 * owns.  The address is a window of the emulator device: mmap() of the
 * device fd at that offset reaches exactly that memory.  Releasing the
 * mapping object revokes the window.
 *
 * Ownership.  emu_shm_region() leaves the mapping object's reference owed
 * with the invocation's answer (like every NW ID a callback returns), so a
 * mapping used within one invocation needs only emu_shm_munmap(): the
 * release goes with the DONE, after the munmap.  A mapping that outlives
 * the invocation takes its reference out of the answer with
 * emu_shm_keep_ref() and gives it back later through the pending-release
 * queue (emu_shm_drop()).  The memory object's own reference is never
 * this module's business: it belongs to whoever got the ID.
 *
 * The mmap layer is a seam (struct emu_bridge, bridge.h): the daemon uses
 * the device, unit tests a model of the kernel's windows.
 */
#ifndef EMU_SHM_H
#define EMU_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge.h"
#include "qtee_wire.h"

struct emu_call;
struct emu_relq;

/* One mapped region of a memory object. */
struct emu_shm {
	uint32_t mem;		/* the memory object's NW ID */
	uint32_t mapping;	/* the mapping object's NW ID (one reference) */
	uint64_t address;	/* the window: the mmap offset */
	uint64_t length;	/* bytes of memory */
	uint32_t perms;		/* QTEE_PERM_* */
	void *ptr;		/* the bridge mapping, NULL while unmapped */
	size_t map_len;		/* length rounded up to pages */
};

/*
 * Map region on @mem.  QTEE_OK fills @m, the mapping's reference owed
 * with @c's answer; otherwise the callback's result (a non-memory object
 * answers an error), QTEE_ERROR_BADOBJ when @mem is no NW ID (no
 * callback), or QTEE_ERROR_INVALID when the answer is malformed.
 */
int32_t emu_shm_region(struct emu_call *c, uint32_t mem, struct emu_shm *m);

/* Decode the packed region answer (tests build one with emu_shm_pack). */
int emu_shm_unpack(const void *bo, uint32_t len, struct emu_shm *m);
void emu_shm_pack(void *bo, uint64_t address, uint64_t length,
		  uint32_t perms);

static inline bool emu_shm_writable(const struct emu_shm *m)
{
	return m->perms & QTEE_PERM_WRITE;
}

/*
 * Does [offset, offset + len) fit the region?  Overflow-safe: a huge
 * offset or len never wraps into range.
 */
static inline bool emu_shm_range_ok(const struct emu_shm *m, uint64_t offset,
				    uint64_t len)
{
	return offset <= m->length && len <= m->length - offset;
}

/* @length rounded up to whole pages; 0 when that overflows size_t. */
size_t emu_shm_map_len(const struct emu_bridge *b, uint64_t length);

/*
 * mmap the whole region (PROT_READ, plus PROT_WRITE when @write): 0 or a
 * negative errno.  A zero-length region maps nothing and succeeds.
 */
int emu_shm_mmap(const struct emu_bridge *b, struct emu_shm *m, bool write);
void emu_shm_munmap(const struct emu_bridge *b, struct emu_shm *m);

/*
 * Region + checks + mmap, what a method wants: QTEE_OK with @m mapped;
 * the region's errors; QTEE_ERROR_INVALID, before any mmap, when
 * [offset, offset + len) does not fit the region or @write (PROT_WRITE)
 * is asked of a read-only region (the TEE checks the perms the kernel
 * reported rather than attempt a write it would refuse); QTEE_ERROR when
 * the bridge refuses a region the kernel just handed out.  Whatever the
 * result, the mapping's reference is owed with @c's answer.
 */
int32_t emu_shm_map(struct emu_call *c, uint32_t mem, uint64_t offset,
		    uint64_t len, bool write, struct emu_shm *m);

/* Keep the mapping past the invocation: its reference leaves @c's answer. */
void emu_shm_keep_ref(struct emu_call *c, const struct emu_shm *m);
/* Undo a kept mapping: munmap, then queue the mapping's release. */
void emu_shm_drop(const struct emu_bridge *b, struct emu_relq *q,
		  struct emu_shm *m);

#endif /* EMU_SHM_H */
