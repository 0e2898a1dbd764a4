// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The memory service's kept memory object: mapped once by keep and used
 * by later invocations until dropKept, another keep, or the service's
 * destruction.  It holds two NW references past the answer that brought
 * them, the memory object's and its mapping's; both go back through the
 * pending-release queue (relq.h), mapping first, after the munmap.
 *
 * Like the callback service's kept object, the kept mapping is shared by
 * the slot and every hashKept/fillKept running on it, so a dropKept or
 * keep on another thread never unmaps memory a method is reading; the
 * last user unmaps and queues the releases.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "emu.h"
#include "fnv.h"
#include "kept.h"
#include "log.h"
#include "shm.h"
#include "mem_service.h"

struct mem_kept {
	struct emu_kept base;
	struct emu_shm shm;	/* invariant once kept */
	struct emu *emu;	/* invariant: its bridge and relq */
};

/* The last user is gone: unmap; a later COMPLETE carries both releases. */
static void kept_drop(struct emu_kept *base)
{
	struct mem_kept *k = (struct mem_kept *)base;

	emu_dbg("memory service drops %#x (mapping %#x)", k->shm.mem,
		k->shm.mapping);
	emu_shm_drop(&k->emu->bridge, &k->emu->relq, &k->shm);
	emu_relq_push(&k->emu->relq, k->shm.mem);
	free(k);
}

static struct mem_kept *kept_get(struct memsvc *s)
{
	return (struct mem_kept *)emu_kept_get(&s->slot);
}

static void kept_put(struct memsvc *s, struct mem_kept *k)
{
	emu_kept_put(&s->slot, &k->base);
}

/*
 * Mapped writable when the region allows, so fillKept can write; else
 * read-only, and fillKept answers INVALID.
 */
int32_t emu_mem_keep(struct memsvc *s, struct emu_call *c)
{
	struct mem_kept *k;
	struct emu_shm m;
	uint32_t mem;
	int32_t r;

	r = emu_call_expect(c, 0, 0, 1, 0);
	if (r)
		return r;
	/* Allocated first: once mapped, nothing may fail but the map. */
	k = calloc(1, sizeof(*k));
	if (!k)
		return QTEE_ERROR_MEM;
	mem = emu_call_io(c, 0);
	r = emu_shm_region(c, mem, &m);
	if (!r && emu_shm_mmap(&s->emu->bridge, &m, emu_shm_writable(&m)))
		r = QTEE_ERROR;
	if (r) {
		/* Both references still go back with this answer. */
		free(k);
		return r;
	}
	/* The two references are now the slot's, not this answer's. */
	emu_call_keep_ref(c, mem);
	emu_shm_keep_ref(c, &m);
	k->base.users = 1;	/* the slot's */
	k->base.drop = kept_drop;
	k->shm = m;
	k->emu = s->emu;
	emu_dbg("memory service %#x keeps %#x (mapping %#x, %llu bytes)",
		s->obj.id, mem, m.mapping, (unsigned long long)m.length);
	/* From here another thread may replace k and free it. */
	emu_kept_swap(&s->slot, &k->base);
	return QTEE_OK;
}

int32_t emu_mem_hash_kept(struct memsvc *s, struct emu_call *c)
{
	struct IMemService_range rg;
	struct mem_kept *k;
	uint64_t h = EMU_FNV64_BASIS;
	int32_t r;

	r = emu_mem_hash_args(c, 0, &rg);
	if (r)
		return r;
	k = kept_get(s);
	if (!k)
		return QTEE_ERROR_BADOBJ;
	if (!emu_shm_range_ok(&k->shm, rg.offset, rg.len))
		r = QTEE_ERROR_INVALID;
	else if (rg.len)
		h = emu_fnv64(h, (unsigned char *)k->shm.ptr + rg.offset,
			      (size_t)rg.len);
	kept_put(s, k);
	return r ? r : emu_mem_put_u64(c, 0, h);
}

int32_t emu_mem_fill_kept(struct memsvc *s, struct emu_call *c)
{
	struct IMemService_range rg;
	struct mem_kept *k;
	int32_t r;

	r = emu_mem_fill_args(c, 0, &rg);
	if (r)
		return r;
	k = kept_get(s);
	if (!k)
		return QTEE_ERROR_BADOBJ;
	/* A read-only kept region was mapped without PROT_WRITE: refuse. */
	if (!emu_shm_range_ok(&k->shm, rg.offset, rg.len) ||
	    !emu_shm_writable(&k->shm))
		r = QTEE_ERROR_INVALID;
	else if (rg.len)
		memset((unsigned char *)k->shm.ptr + rg.offset, (int)rg.byte,
		       (size_t)rg.len);
	kept_put(s, k);
	return r;
}

int32_t emu_mem_drop_kept(struct memsvc *s, struct emu_call *c)
{
	int32_t r = emu_call_expect(c, 0, 0, 0, 0);

	/* Dropping when nothing is kept is no error: the end state is met. */
	if (!r)
		emu_kept_swap(&s->slot, NULL);
	return r;
}
