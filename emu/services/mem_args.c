// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The memory service's argument shapes, shared by the methods of one
 * invocation (mem_service.c) and those of the kept memory object
 * (mem_service_kept.c), below both so that neither calls the other.
 */
#include <endian.h>
#include <string.h>

#include "call.h"
#include "mem_service.h"

int32_t emu_mem_range(const struct emu_call *c, unsigned int i,
		      struct IMemService_range *r)
{
	uint32_t len;
	const void *p = emu_call_bi(c, i, &len);

	if (len != sizeof(*r))
		return QTEE_ERROR_SIZE_IN;
	memcpy(r, p, sizeof(*r));
	r->offset = le64toh(r->offset);
	r->len = le64toh(r->len);
	r->byte = le32toh(r->byte);
	r->reserved = le32toh(r->reserved);
	return r->reserved ? QTEE_ERROR_INVALID : QTEE_OK;
}

int32_t emu_mem_bo_fits_u64(struct emu_call *c, unsigned int i)
{
	uint32_t cap;

	emu_call_bo(c, i, &cap);
	return cap < sizeof(uint64_t) ? QTEE_ERROR_SIZE_OUT : QTEE_OK;
}

int32_t emu_mem_fill_args(const struct emu_call *c, unsigned int nio,
			  struct IMemService_range *rg)
{
	int32_t r = emu_call_expect(c, 1, 0, nio, 0);

	if (!r)
		r = emu_mem_range(c, 0, rg);
	if (!r && rg->byte > 0xff)
		r = QTEE_ERROR_INVALID;
	return r;
}

int32_t emu_mem_hash_args(struct emu_call *c, unsigned int nio,
			  struct IMemService_range *rg)
{
	int32_t r = emu_call_expect(c, 1, 1, nio, 0);

	if (!r)
		r = emu_mem_range(c, 0, rg);
	if (!r)
		r = emu_mem_bo_fits_u64(c, 0);
	return r;
}

int32_t emu_mem_put_u64(struct emu_call *c, unsigned int i, uint64_t v)
{
	v = htole64(v);
	return emu_call_bo_put(c, i, &v, sizeof(v));
}
