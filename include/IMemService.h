/* SPDX-License-Identifier: MIT */
/*
 * The TEE emulator's memory service: it maps the memory objects it is
 * given (the primordial object's map-region method, then the emulated SHM
 * bridge) and reads and writes them in place.  Opened through a client
 * environment by UID; docs/emulator.md describes each method.
 *
 * Ranges are checked against the memory object's size: a range that does
 * not fit answers Object_ERROR_INVALID and touches nothing.
 */
#ifndef IMEMSERVICE_H
#define IMEMSERVICE_H

#include "object.h"

#define IMemService_UID			0x0000a003

/* IO mem, BI IMemService_range (byte used): fill the range with byte. */
#define IMemService_OP_fill		0
/* IO mem, BI IMemService_range, BO u64: FNV-1a 64 of the range. */
#define IMemService_OP_hash		1
/* IO src, IO dst, BI IMemService_range (offset ignored): copy the first
 * len bytes of src to dst; both mapped at once. */
#define IMemService_OP_copy		2
/* IO mem: keep it mapped for later calls (dropping any kept before). */
#define IMemService_OP_keep		3
/* BI IMemService_range, BO u64: hash of the kept memory's range. */
#define IMemService_OP_hashKept		4
/* BI IMemService_range: fill the kept memory's range. */
#define IMemService_OP_fillKept		5
/* Unmap and drop the kept memory. */
#define IMemService_OP_dropKept		6
/* IO mem x n (1..15), BO u64: FNV-1a 64 over all of them, in order. */
#define IMemService_OP_hashMany		7
/* IO mem, BO IMemService_region: map it, report the region, unmap. */
#define IMemService_OP_mapInfo		8
/* IO mem, BI u32 probe: try what the SHM bridge must refuse; OK when it
 * was refused, IMemService_ERROR_ALLOWED when it was not. */
#define IMemService_OP_probe		9
/* IO mem, OO: the same memory object back to the caller. */
#define IMemService_OP_giveBack		10
/* IO target, BI u32 op, BO u64: call target(op) with one OO, expect a
 * memory object back from the callback, map it and hash all of it. */
#define IMemService_OP_hashFromCallback	11

/* BI IMemService_range, BI data, BO u64: FNV-1a 64 of the range of the
 * input buffer: the same work as hash, on data copied in rather than
 * mapped (what the memory benchmark compares against). */
#define IMemService_OP_hashBuffer	12

#define IMemService_PROBE_WRITE_READONLY 1	/* PROT_WRITE on a read-only region */
#define IMemService_PROBE_PAST_END	 2	/* map one page past the region */
#define IMemService_PROBE_AFTER_UNMAP	 3	/* map the window after the release */
/* touch the window on another thread while the mapping is released: the
 * page must not stay mapped */
#define IMemService_PROBE_TOUCH_DURING_RELEASE 4

#define IMemService_ERROR_ALLOWED	(Object_ERROR_USERBASE + 0)

#define IMemService_PERM_READ		1
#define IMemService_PERM_WRITE		2

struct IMemService_range {
	uint64_t offset;
	uint64_t len;
	uint32_t byte;
	uint32_t reserved;
};

/* As map region answers it (the wire's packed 20 bytes, padded here). */
struct IMemService_region {
	uint64_t address;
	uint64_t length;
	uint32_t perms;
	uint32_t reserved;
};

static inline int32_t IMemService_fill(Object self, Object mem,
				       uint64_t offset, uint64_t len,
				       uint8_t byte)
{
	struct IMemService_range r = { offset, len, byte, 0 };
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &r, sizeof(r) };
	a[1].o = mem;
	return Object_invoke(self, IMemService_OP_fill, a,
			     ObjectCounts_pack(1, 0, 1, 0));
}

static inline int32_t IMemService_hash(Object self, Object mem,
				       uint64_t offset, uint64_t len,
				       uint64_t *hash)
{
	struct IMemService_range r = { offset, len, 0, 0 };
	ObjectArg a[3] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &r, sizeof(r) };
	a[1].b = (ObjectBuf){ hash, sizeof(*hash) };
	a[2].o = mem;
	return Object_invoke(self, IMemService_OP_hash, a,
			     ObjectCounts_pack(1, 1, 1, 0));
}

static inline int32_t IMemService_copy(Object self, Object src, Object dst,
				       uint64_t len)
{
	struct IMemService_range r = { 0, len, 0, 0 };
	ObjectArg a[3] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &r, sizeof(r) };
	a[1].o = src;
	a[2].o = dst;
	return Object_invoke(self, IMemService_OP_copy, a,
			     ObjectCounts_pack(1, 0, 2, 0));
}

static inline int32_t IMemService_keep(Object self, Object mem)
{
	ObjectArg a[1] = {{{0, 0}}};

	a[0].o = mem;
	return Object_invoke(self, IMemService_OP_keep, a,
			     ObjectCounts_pack(0, 0, 1, 0));
}

static inline int32_t IMemService_hashKept(Object self, uint64_t offset,
					   uint64_t len, uint64_t *hash)
{
	struct IMemService_range r = { offset, len, 0, 0 };
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &r, sizeof(r) };
	a[1].b = (ObjectBuf){ hash, sizeof(*hash) };
	return Object_invoke(self, IMemService_OP_hashKept, a,
			     ObjectCounts_pack(1, 1, 0, 0));
}

static inline int32_t IMemService_fillKept(Object self, uint64_t offset,
					   uint64_t len, uint8_t byte)
{
	struct IMemService_range r = { offset, len, byte, 0 };
	ObjectArg a[1] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &r, sizeof(r) };
	return Object_invoke(self, IMemService_OP_fillKept, a,
			     ObjectCounts_pack(1, 0, 0, 0));
}

static inline int32_t IMemService_dropKept(Object self)
{
	return Object_invoke(self, IMemService_OP_dropKept, NULL,
			     ObjectCounts_pack(0, 0, 0, 0));
}

static inline int32_t IMemService_mapInfo(Object self, Object mem,
					  struct IMemService_region *region)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].b = (ObjectBuf){ region, sizeof(*region) };
	a[1].o = mem;
	return Object_invoke(self, IMemService_OP_mapInfo, a,
			     ObjectCounts_pack(0, 1, 1, 0));
}

static inline int32_t IMemService_probe(Object self, Object mem,
					uint32_t probe)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &probe, sizeof(probe) };
	a[1].o = mem;
	return Object_invoke(self, IMemService_OP_probe, a,
			     ObjectCounts_pack(1, 0, 1, 0));
}

static inline int32_t IMemService_giveBack(Object self, Object mem,
					   Object *back)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].o = mem;
	int32_t r = Object_invoke(self, IMemService_OP_giveBack, a,
				  ObjectCounts_pack(0, 0, 1, 1));
	*back = r == Object_OK ? a[1].o : Object_NULL;
	return r;
}

static inline int32_t IMemService_hashFromCallback(Object self, Object target,
						   uint32_t op, uint64_t *hash)
{
	ObjectArg a[3] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &op, sizeof(op) };
	a[1].b = (ObjectBuf){ hash, sizeof(*hash) };
	a[2].o = target;
	return Object_invoke(self, IMemService_OP_hashFromCallback, a,
			     ObjectCounts_pack(1, 1, 1, 0));
}

static inline int32_t IMemService_hashBuffer(Object self, const void *data,
					     size_t size, uint64_t offset,
					     uint64_t len, uint64_t *hash)
{
	struct IMemService_range r = { offset, len, 0, 0 };
	ObjectArg a[3] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &r, sizeof(r) };
	a[1].bi = (ObjectBufIn){ data, size };
	a[2].b = (ObjectBuf){ hash, sizeof(*hash) };
	return Object_invoke(self, IMemService_OP_hashBuffer, a,
			     ObjectCounts_pack(2, 1, 0, 0));
}

#endif /* IMEMSERVICE_H */
