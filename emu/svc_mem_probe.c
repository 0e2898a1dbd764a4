// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The memory service's probes (IMemService_OP_probe): each tries one thing
 * the emulated SHM bridge must refuse, so a test can show the TEE reaches
 * exactly the memory the kernel mapped for it and nothing else.
 *
 * OK when the bridge refused, IMemService_ERROR_ALLOWED when it did not
 * (the mapping it gave is undone at once), QTEE_ERROR when it refused for
 * another reason than the UAPI names (uapi/linux/objinvoke.h: EACCES for
 * PROT_WRITE on a read-only region, ENXIO outside a live region).  A probe
 * that does not apply to the memory object (WRITE_READONLY on a writable
 * one, any probe of an empty region) answers INVALID.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "call.h"
#include "emu.h"
#include "log.h"
#include "shm.h"
#include "svc_mem.h"

/* Try an mmap of @len bytes of @m's window: the bridge's errno, or 0. */
static int try_map(const struct emu_bridge *b, const struct emu_shm *m,
		   size_t len, int prot)
{
	int err = 0;
	void *p = b->map(b, m->address, len, prot, &err);

	if (!p)
		return err ? err : EIO;
	/* Allowed: a hole in the bridge.  Undo it; the answer says so. */
	b->unmap(b, p, len);
	return 0;
}

static int32_t verdict(const char *probe, uint32_t mem, int err, int want)
{
	if (!err) {
		emu_err("probe %s of %#x: the bridge allowed it", probe, mem);
		return IMemService_ERROR_ALLOWED;
	}
	if (want && err != want) {
		emu_err("probe %s of %#x: refused with %s, not %s", probe, mem,
			strerror(err), strerror(want));
		return QTEE_ERROR;
	}
	return QTEE_OK;
}

static int32_t write_readonly(struct emu_call *c, const struct emu_shm *m)
{
	const struct emu_bridge *b = &c->emu->bridge;

	if (emu_shm_writable(m))
		return QTEE_ERROR_INVALID;	/* nothing to refuse */
	return verdict("WRITE_READONLY", m->mem,
		       try_map(b, m, emu_shm_map_len(b, m->length),
			       PROT_READ | PROT_WRITE), EACCES);
}

/* Any refusal will do: the UAPI only says "at most the region's". */
static int32_t past_end(struct emu_call *c, const struct emu_shm *m)
{
	const struct emu_bridge *b = &c->emu->bridge;
	size_t len = emu_shm_map_len(b, m->length);

	if (len > SIZE_MAX - b->page_size)
		return QTEE_ERROR_INVALID;
	return verdict("PAST_END", m->mem,
		       try_map(b, m, len + b->page_size, PROT_READ), 0);
}

/*
 * Map, unmap, release the mapping object, map again.  The release must
 * reach the kernel before the second mmap, and the kernel processes async
 * messages only when it reads the TEE's next message: so it rides in the
 * tail of a primordial yield, whose answer means it was processed.  It
 * leaves this answer's releases, so it is given back exactly once.
 */
static int32_t after_unmap(struct emu_call *c, struct emu_shm *m)
{
	const struct emu_bridge *b = &c->emu->bridge;
	struct emu_cb yield = {
		.id = QTEE_OBJ_PRIMORDIAL,
		.op = QTEE_PRIMORDIAL_YIELD,
		.nrel = 1,
		.rel[0] = m->mapping,
	};
	size_t len;
	int32_t r;

	if (emu_shm_mmap(b, m, false)) {
		emu_err("probe AFTER_UNMAP of %#x: the live window refused",
			m->mem);
		return QTEE_ERROR;
	}
	len = m->map_len;
	emu_shm_munmap(b, m);
	emu_shm_keep_ref(c, m);
	r = emu_call_callback(c, &yield);
	if (r)
		return r;
	return verdict("AFTER_UNMAP", m->mem, try_map(b, m, len, PROT_READ),
		       ENXIO);
}

int32_t emu_mem_probe(struct emu_call *c)
{
	struct emu_shm m;
	uint32_t probe;
	int32_t r;

	r = emu_call_expect(c, 1, 0, 1, 0);
	if (!r)
		r = emu_call_bi_u32(c, 0, &probe);
	if (r)
		return r;
	if (probe < IMemService_PROBE_WRITE_READONLY ||
	    probe > IMemService_PROBE_AFTER_UNMAP)
		return QTEE_ERROR_INVALID;
	r = emu_shm_region(c, emu_call_io(c, 0), &m);
	if (r)
		return r;
	if (!m.length || !emu_shm_map_len(&c->emu->bridge, m.length))
		return QTEE_ERROR_INVALID;
	switch (probe) {
	case IMemService_PROBE_WRITE_READONLY:
		return write_readonly(c, &m);
	case IMemService_PROBE_PAST_END:
		return past_end(c, &m);
	default:
		return after_unmap(c, &m);
	}
}
