// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The memory service (IMemService_UID): reads and writes memory objects in
 * place through the SHM bridge, so tests and benchmarks can show the TEE
 * sees the client's memory itself, not a copy.  This file: the object and
 * the methods whose mappings live only within one invocation.
 *
 * The order every method keeps: map region, check the range against the
 * length the kernel reported (INVALID, and no mmap, when it does not fit),
 * check the perms before asking for PROT_WRITE (a read-only region answers
 * INVALID to fill, fillKept and copy's dst: the TEE never attempts a write
 * the kernel said it would refuse), mmap, touch, munmap.  The mapping's
 * reference goes back with the answer, after the munmap.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "emu.h"
#include "fnv.h"
#include "kept.h"
#include "log.h"
#include "services.h"
#include "shm.h"
#include "mem_service.h"

static unsigned char *at(const struct emu_shm *m, uint64_t offset)
{
	return (unsigned char *)m->ptr + offset;
}

static int32_t ms_fill(struct emu_call *c)
{
	struct IMemService_range rg;
	struct emu_shm m;
	int32_t r;

	r = emu_mem_fill_args(c, 1, &rg);
	if (r)
		return r;
	r = emu_shm_map(c, emu_call_io(c, 0), rg.offset, rg.len, true, &m);
	if (r)
		return r;
	if (rg.len)
		memset(at(&m, rg.offset), (int)rg.byte, (size_t)rg.len);
	emu_shm_munmap(&c->emu->bridge, &m);
	return QTEE_OK;
}

static int32_t ms_hash(struct emu_call *c)
{
	struct IMemService_range rg;
	struct emu_shm m;
	uint64_t h = EMU_FNV64_BASIS;
	int32_t r;

	r = emu_mem_hash_args(c, 1, &rg);
	if (!r)
		r = emu_shm_map(c, emu_call_io(c, 0), rg.offset, rg.len,
				false, &m);
	if (r)
		return r;
	if (rg.len)
		h = emu_fnv64(h, at(&m, rg.offset), (size_t)rg.len);
	emu_shm_munmap(&c->emu->bridge, &m);
	return emu_mem_put_u64(c, 0, h);
}

/* The same hash over an input buffer: data copied in, not mapped. */
static int32_t ms_hash_buffer(struct emu_call *c)
{
	struct IMemService_range rg;
	const unsigned char *data;
	uint32_t len;
	int32_t r;

	r = emu_call_expect(c, 2, 1, 0, 0);
	if (!r)
		r = emu_mem_range(c, 0, &rg);
	if (!r)
		r = emu_mem_bo_fits_u64(c, 0);
	if (r)
		return r;
	data = emu_call_bi(c, 1, &len);
	if (rg.offset > len || rg.len > len - rg.offset)
		return QTEE_ERROR_INVALID;
	return emu_mem_put_u64(c, 0, emu_fnv64(EMU_FNV64_BASIS,
					       data + rg.offset,
					       (size_t)rg.len));
}

/* Both regions are mapped at once: the copy goes straight across. */
static int32_t ms_copy(struct emu_call *c)
{
	const struct emu_bridge *b = &c->emu->bridge;
	struct IMemService_range rg;
	struct emu_shm src, dst;
	int32_t r;

	r = emu_call_expect(c, 1, 0, 2, 0);
	if (!r)
		r = emu_mem_range(c, 0, &rg);
	if (!r)
		r = emu_shm_map(c, emu_call_io(c, 0), 0, rg.len, false, &src);
	if (r)
		return r;
	r = emu_shm_map(c, emu_call_io(c, 1), 0, rg.len, true, &dst);
	if (!r) {
		/* One memory object as both: its two windows alias. */
		if (rg.len)
			memmove(dst.ptr, src.ptr, (size_t)rg.len);
		emu_shm_munmap(b, &dst);
	}
	emu_shm_munmap(b, &src);
	return r;
}

/* Each in turn, one running hash: the same as over their concatenation. */
static int32_t ms_hash_many(struct emu_call *c)
{
	uint64_t h = EMU_FNV64_BASIS;
	struct emu_shm m;
	unsigned int i, n = emu_call_nio(c);
	int32_t r;

	if (emu_call_nbi(c) != 0)
		return QTEE_ERROR_SIZE_IN;
	if (emu_call_nbo(c) != 1 || emu_call_noo(c) != 0 || n < 1)
		return QTEE_ERROR_INVALID;
	r = emu_mem_bo_fits_u64(c, 0);
	for (i = 0; i < n && !r; i++) {
		r = emu_shm_map(c, emu_call_io(c, i), 0, 0, false, &m);
		if (r)
			break;
		h = emu_fnv64(h, m.ptr, (size_t)m.length);
		emu_shm_munmap(&c->emu->bridge, &m);
	}
	return r ? r : emu_mem_put_u64(c, 0, h);
}

/* The region as the kernel reported it; mapped once to prove it reachable. */
static int32_t ms_map_info(struct emu_call *c)
{
	struct IMemService_region out;
	struct emu_shm m;
	uint32_t cap;
	int32_t r;

	r = emu_call_expect(c, 0, 1, 1, 0);
	if (r)
		return r;
	emu_call_bo(c, 0, &cap);
	if (cap < sizeof(out))
		return QTEE_ERROR_SIZE_OUT;
	r = emu_shm_map(c, emu_call_io(c, 0), 0, 0, false, &m);
	if (r)
		return r;
	emu_shm_munmap(&c->emu->bridge, &m);
	out.address = htole64(m.address);
	out.length = htole64(m.length);
	out.perms = htole32(m.perms);
	out.reserved = 0;
	return emu_call_bo_put(c, 0, &out, sizeof(out));
}

/*
 * The same NW ID back, unmapped: an output object that names an NW object
 * carries no reference, and the input's reference goes back through the
 * pending-release queue after the answer naming it (call.c).
 */
static int32_t ms_give_back(struct emu_call *c)
{
	uint32_t mem;
	int32_t r;

	r = emu_call_expect(c, 0, 0, 1, 1);
	if (r)
		return r;
	mem = emu_call_io(c, 0);
	if (!(mem & QTEE_OBJ_NS_BIT) || mem == QTEE_OBJ_PRIMORDIAL)
		return QTEE_ERROR_BADOBJ;
	emu_call_set_oo_id(c, 0, mem);
	return QTEE_OK;
}

/*
 * target(op) with one OO: a memory object from the NW.  Its reference
 * (from the callback response) and the mapping's both go back with this
 * answer.
 */
static int32_t ms_hash_from_callback(struct emu_call *c)
{
	struct emu_cb cb = { .noo = 1 };
	struct emu_shm m;
	int32_t r;

	r = emu_call_expect(c, 1, 1, 1, 0);
	if (!r)
		r = emu_call_bi_u32(c, 0, &cb.op);
	if (!r)
		r = emu_mem_bo_fits_u64(c, 0);
	if (r)
		return r;
	cb.id = emu_call_io(c, 0);
	if (!(cb.id & QTEE_OBJ_NS_BIT))
		return QTEE_ERROR_BADOBJ;
	r = emu_call_callback(c, &cb);
	if (r)
		return r;
	/* NULL or a TEE ID is no memory object; emu_shm_region says BADOBJ. */
	r = emu_shm_map(c, cb.oo[0], 0, 0, false, &m);
	if (r)
		return r;
	r = emu_mem_put_u64(c, 0, emu_fnv64(EMU_FNV64_BASIS, m.ptr,
					    (size_t)m.length));
	emu_shm_munmap(&c->emu->bridge, &m);
	return r;
}

static int32_t memsvc_invoke(struct emu_obj *self, struct emu_call *c)
{
	struct memsvc *s = (struct memsvc *)self;

	switch (emu_call_method(c)) {
	case IMemService_OP_fill:
		return ms_fill(c);
	case IMemService_OP_hash:
		return ms_hash(c);
	case IMemService_OP_copy:
		return ms_copy(c);
	case IMemService_OP_keep:
		return emu_mem_keep(s, c);
	case IMemService_OP_hashKept:
		return emu_mem_hash_kept(s, c);
	case IMemService_OP_fillKept:
		return emu_mem_fill_kept(s, c);
	case IMemService_OP_dropKept:
		return emu_mem_drop_kept(s, c);
	case IMemService_OP_hashMany:
		return ms_hash_many(c);
	case IMemService_OP_mapInfo:
		return ms_map_info(c);
	case IMemService_OP_probe:
		return emu_mem_probe(c);
	case IMemService_OP_giveBack:
		return ms_give_back(c);
	case IMemService_OP_hashFromCallback:
		return ms_hash_from_callback(c);
	case IMemService_OP_hashBuffer:
		return ms_hash_buffer(c);
	default:
		return QTEE_ERROR_INVALID;
	}
}

/* The NW's last RELEASE (or exit): the kept memory goes with it. */
static void memsvc_destroy(struct emu_obj *self)
{
	struct memsvc *s = (struct memsvc *)self;

	emu_kept_slot_destroy(&s->slot);
	free(s);
}

static const struct emu_obj_ops memsvc_ops = {
	.type = EMU_OBJ_MEM_SERVICE,
	.name = "memory service",
	.invoke = memsvc_invoke,
	.destroy = memsvc_destroy,
};

int32_t emu_memsvc_new(struct emu *e, struct emu_obj **out)
{
	struct memsvc *s = calloc(1, sizeof(*s));
	int32_t r;

	*out = NULL;
	if (!s)
		return QTEE_ERROR_MEM;
	/* Ready before it is in the table, where a lookup can find it. */
	s->emu = e;
	emu_kept_slot_init(&s->slot);
	r = emu_obj_add(&e->table, &s->obj, &memsvc_ops);
	if (r) {
		emu_kept_slot_destroy(&s->slot);
		free(s);
		return r;
	}
	*out = &s->obj;
	return QTEE_OK;
}
