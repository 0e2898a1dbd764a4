/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The memory service (IMemService_UID), split by concern:
 * services/mem_service.c holds the object and the methods that map and
 * unmap within one invocation, services/mem_service_kept.c the kept memory
 * object, services/mem_service_probe.c the probes of what the SHM bridge
 * must refuse, and services/mem_args.c, below the first two, the argument
 * shapes they share.  include/IMemService.h is the contract.
 *
 * References.  Every memory object the service maps arrives with one NW
 * reference (an input object, or an output object of a callback), owed
 * back with the answer; each map adds a mapping object's reference, owed
 * the same way (shm.h).  Only the kept memory object and its mapping stay
 * past the answer: both are given back through the pending-release queue
 * when dropped, replaced, or when the service object is destroyed.
 */
#ifndef EMU_SVC_MEM_H
#define EMU_SVC_MEM_H

#include <stdint.h>

#include "IMemService.h"
#include "kept.h"
#include "objtable.h"

struct emu;
struct emu_call;

struct memsvc {
	struct emu_obj obj;
	struct emu *emu;		/* invariant: its bridge and relq */
	struct emu_kept_slot slot;	/* the kept memory (services/mem_service_kept.c) */
};

/* services/mem_args.c */
/*
 * Input buffer i as a range: QTEE_ERROR_SIZE_IN unless it is exactly a
 * struct IMemService_range, QTEE_ERROR_INVALID when reserved is not 0.
 */
int32_t emu_mem_range(const struct emu_call *c, unsigned int i,
		      struct IMemService_range *r);
/* QTEE_ERROR_SIZE_OUT unless output buffer i holds a u64. */
int32_t emu_mem_bo_fits_u64(struct emu_call *c, unsigned int i);
/* Arguments of fill (@nio 1) and fillKept (0): BI range, byte <= 0xff. */
int32_t emu_mem_fill_args(const struct emu_call *c, unsigned int nio,
			  struct IMemService_range *rg);
/* Arguments of hash (@nio 1) and hashKept (0): BI range, BO a u64. */
int32_t emu_mem_hash_args(struct emu_call *c, unsigned int nio,
			  struct IMemService_range *rg);
/* Output buffer i = @v, little-endian. */
int32_t emu_mem_put_u64(struct emu_call *c, unsigned int i, uint64_t v);

/* services/mem_service_kept.c */
int32_t emu_mem_keep(struct memsvc *s, struct emu_call *c);
int32_t emu_mem_hash_kept(struct memsvc *s, struct emu_call *c);
int32_t emu_mem_fill_kept(struct memsvc *s, struct emu_call *c);
int32_t emu_mem_drop_kept(struct memsvc *s, struct emu_call *c);

/* services/mem_service_probe.c */
int32_t emu_mem_probe(struct emu_call *c);

#endif /* EMU_SVC_MEM_H */
