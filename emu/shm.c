// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Mapping memory objects through the emulated SHM bridge (see shm.h). */
#include "shm.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "call.h"
#include "emu.h"
#include "log.h"

void emu_shm_pack(void *bo, uint64_t address, uint64_t length,
		  uint32_t perms)
{
	unsigned char *p = bo;

	address = htole64(address);
	length = htole64(length);
	perms = htole32(perms);
	memcpy(p, &address, 8);
	memcpy(p + 8, &length, 8);
	memcpy(p + 16, &perms, 4);
}

int emu_shm_unpack(const void *bo, uint32_t len, struct emu_shm *m)
{
	const unsigned char *p = bo;
	uint64_t address, length;
	uint32_t perms;

	if (len != QTEE_MAP_REGION_SIZE)
		return -1;
	/* Packed: the u64s are not 8-aligned past the first. */
	memcpy(&address, p, 8);
	memcpy(&length, p + 8, 8);
	memcpy(&perms, p + 16, 4);
	address = le64toh(address);
	length = le64toh(length);
	perms = le32toh(perms);
	/* An offset mmap cannot take, or perms we do not know, is no region. */
	if (address > (uint64_t)INT64_MAX || !(perms & QTEE_PERM_READ) ||
	    (perms & ~(QTEE_PERM_READ | QTEE_PERM_WRITE)))
		return -1;
	m->address = address;
	m->length = length;
	m->perms = perms;
	return 0;
}

int32_t emu_shm_region(struct emu_call *c, uint32_t mem, struct emu_shm *m)
{
	unsigned char bo[QTEE_MAP_REGION_SIZE];
	struct emu_cb cb = {
		.id = QTEE_OBJ_PRIMORDIAL,
		.op = QTEE_PRIMORDIAL_MAP_REGION,
		.nbo = 1,
		.bo[0] = { .ptr = bo, .cap = sizeof(bo) },
		.nio = 1,
		.io[0] = mem,
		.noo = 1,
	};
	int32_t r;

	memset(m, 0, sizeof(*m));
	/* Only the NW hosts memory objects; the primordial object is none. */
	if (!(mem & QTEE_OBJ_NS_BIT) || mem == QTEE_OBJ_PRIMORDIAL)
		return QTEE_ERROR_BADOBJ;
	r = emu_call_callback(c, &cb);
	if (r) {
		emu_dbg("map region of %#x: %d", mem, r);
		return r;
	}
	/*
	 * From here the OO's reference is owed with the answer, whatever is
	 * wrong with the rest: a malformed answer still gets it back.
	 */
	m->mem = mem;
	m->mapping = cb.oo[0];
	if (!(m->mapping & QTEE_OBJ_NS_BIT) ||
	    m->mapping == QTEE_OBJ_PRIMORDIAL ||
	    emu_shm_unpack(bo, cb.bo[0].len, m)) {
		emu_err("map region of %#x: malformed answer (mapping %#x, "
			"%u bytes)", mem, cb.oo[0], cb.bo[0].len);
		return QTEE_ERROR_INVALID;
	}
	emu_trace("map region of %#x: window %#llx, %llu bytes, perms %u, "
		  "mapping %#x", mem, (unsigned long long)m->address,
		  (unsigned long long)m->length, m->perms, m->mapping);
	return QTEE_OK;
}

size_t emu_shm_map_len(const struct emu_bridge *b, uint64_t length)
{
	uint64_t pg = b->page_size;

	if (length > SIZE_MAX - (pg - 1))
		return 0;
	return (size_t)((length + pg - 1) / pg * pg);
}

int emu_shm_mmap(const struct emu_bridge *b, struct emu_shm *m, bool write)
{
	int err = 0;

	m->ptr = NULL;
	m->map_len = 0;
	if (!m->length)
		return 0;	/* nothing to reach, and mmap refuses length 0 */
	m->map_len = emu_shm_map_len(b, m->length);
	if (!m->map_len)
		return -ENOMEM;
	m->ptr = b->map(b, m->address, m->map_len,
			PROT_READ | (write ? PROT_WRITE : 0), &err);
	if (!m->ptr) {
		m->map_len = 0;
		return -(err ? err : EIO);
	}
	return 0;
}

void emu_shm_munmap(const struct emu_bridge *b, struct emu_shm *m)
{
	if (m->ptr)
		b->unmap(b, m->ptr, m->map_len);
	m->ptr = NULL;
	m->map_len = 0;
}

int32_t emu_shm_map(struct emu_call *c, uint32_t mem, uint64_t offset,
		    uint64_t len, bool write, struct emu_shm *m)
{
	int32_t r = emu_shm_region(c, mem, m);
	int err;

	if (r)
		return r;
	if (!emu_shm_range_ok(m, offset, len)) {
		emu_dbg("memory %#x: range %llu+%llu past its %llu bytes", mem,
			(unsigned long long)offset, (unsigned long long)len,
			(unsigned long long)m->length);
		return QTEE_ERROR_INVALID;
	}
	/* Never try what the kernel said it would refuse. */
	if (write && !emu_shm_writable(m)) {
		emu_dbg("memory %#x is read-only: no write attempted", mem);
		return QTEE_ERROR_INVALID;
	}
	err = emu_shm_mmap(&c->emu->bridge, m, write);
	if (err) {
		emu_err("bridge refuses window %#llx of %#x (%llu bytes): %s",
			(unsigned long long)m->address, mem,
			(unsigned long long)m->length, strerror(-err));
		return QTEE_ERROR;
	}
	return QTEE_OK;
}

void emu_shm_keep_ref(struct emu_call *c, const struct emu_shm *m)
{
	emu_call_keep_ref(c, m->mapping);
}

void emu_shm_drop(const struct emu_bridge *b, struct emu_relq *q,
		  struct emu_shm *m)
{
	/* Unmap first: the release revokes the pages under any mapping. */
	emu_shm_munmap(b, m);
	emu_relq_push(q, m->mapping);
	m->mapping = QTEE_OBJ_NULL;
}
