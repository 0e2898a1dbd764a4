// SPDX-License-Identifier: MIT
/*
 * test_fuzz_services: a client that invokes every service the emulator
 * offers (test, callback, memory, feature version, client environments,
 * and the objects they hand out) with random methods, argument counts,
 * buffer sizes and bytes, and random objects: NULL, an object this process
 * hosts (served by a thread of its own, for the callbacks), services,
 * counters, dma-bufs from the heap and from udmabuf.  Every invocation
 * must end with an answer (any result) or EPROTO (after an injected
 * fault); the emulator must stay the same process (under --emu-asan an
 * ASan or UBSan report fails the run); at the end nothing of ours is left
 * in it.
 *
 * CI does 10,000 invocations; OBJINVOKE_FUZZ_INVOCATIONS and
 * OBJINVOKE_FUZZ_SEED in the guest's environment change the count and the
 * seed (docs/security.md).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "IClientEnv.h"
#include "IFeatureVersion.h"
#include "IMemService.h"
#include "ITestService.h"
#include "vmharness.h"
#include "vmhost.h"
#include "vmrand.h"
#include "vmutil.h"

#define POOL	24	/* objects to invoke and pass */

static struct rng rng;

static uint64_t rnd(void)
{
	return rng_next(&rng);
}

static unsigned int below(unsigned int n)
{
	return rng_below(&rng, n);
}

struct fuzz {
	int pool[POOL];		/* fds, -1 for empty slots */
	uint32_t uid[POOL];	/* the service each fd is, 0 for others */
	bool memory[POOL];	/* a dma-buf: passed, never invoked */
	struct host host;
	unsigned long answers, eproto, results_ok;
};

static void pool_put(struct fuzz *f, int fd, uint32_t uid, bool memory)
{
	unsigned int i = below(POOL);

	/* The slots of the fixed objects (0-7) are never replaced. */
	if (i < 8)
		i += 8;
	if (f->pool[i] >= 0)
		close(f->pool[i]);
	f->pool[i] = fd;
	f->uid[i] = uid;
	f->memory[i] = memory;
}

static void pool_fill(struct fuzz *f)
{
	static const uint32_t uids[] = { ITestService_UID,
		ICallbackService_UID, IMemService_UID, IFeatureVersion_UID };
	unsigned int i;

	for (i = 0; i < POOL; i++)
		f->pool[i] = -1;
	for (i = 0; i < 4; i++) {
		f->pool[i] = vm_service_fd_raw(uids[i]);
		f->uid[i] = uids[i];
	}
	f->pool[4] = f->host.obj;
	/* Slots 5-7: memory, only ever passed. */
	f->pool[5] = vm_heap_alloc(64 * 1024, O_RDWR);
	f->pool[6] = vm_udmabuf_alloc(16 * 1024);
	f->pool[7] = vm_heap_alloc(4096, O_RDONLY);
	f->memory[5] = f->memory[6] = f->memory[7] = true;
}

/*
 * Every method of every service, with its argument counts and the sizes
 * of its buffers (-1: any size): half the invocations follow one of these
 * with random contents and objects, so that the fuzz gets past the
 * argument checks into the methods; the other half are random throughout.
 */
struct method {
	uint32_t uid, op;
	uint8_t bi, bo, io, oo;
	int16_t size[4];
};

static const struct method methods[] = {
	{ ITestService_UID, ITestService_OP_echo, 1, 1, 0, 0, { -1, -1 } },
	{ ITestService_UID, ITestService_OP_add, 1, 1, 0, 0, { 8, 4 } },
	{ ITestService_UID, ITestService_OP_fail, 1, 0, 0, 0, { 4 } },
	{ ITestService_UID, ITestService_OP_newCounter, 1, 0, 0, 1, { 4 } },
	{ ITestService_UID, ITestService_OP_readCounter, 0, 1, 1, 0, { 4 } },
	{ ITestService_UID, ITestService_OP_liveObjects, 0, 1, 0, 0, { 4 } },
	{ ITestService_UID, ITestService_OP_whoami, 0, 2, 0, 0, { 16, 256 } },
	{ ITestService_UID, ITestService_OP_primordial, 1, 0, 0, 0, { 8 } },
	{ ITestService_UID, ITestService_OP_delay, 1, 0, 0, 0, { 4 } },
	{ ITestService_UID, ITestService_OP_mirror, 2, 2, 2, 2, { -1, -1, -1, -1 } },
	{ ICallbackService_UID, ICallbackService_OP_call, 1, 0, 1, 0, { 4 } },
	{ ICallbackService_UID, ICallbackService_OP_callBufs, 2, 1, 1, 0, { 4, -1, -1 } },
	{ ICallbackService_UID, ICallbackService_OP_callObjects, 1, 0, 2, 1, { 4 } },
	{ ICallbackService_UID, ICallbackService_OP_keep, 0, 0, 1, 0, { 0 } },
	{ ICallbackService_UID, ICallbackService_OP_callKept, 2, 1, 0, 0, { 4, -1, -1 } },
	{ ICallbackService_UID, ICallbackService_OP_dropKept, 0, 0, 0, 0, { 0 } },
	{ IMemService_UID, IMemService_OP_fill, 1, 0, 1, 0, { 24 } },
	{ IMemService_UID, IMemService_OP_hash, 1, 1, 1, 0, { 24, 8 } },
	{ IMemService_UID, IMemService_OP_copy, 1, 0, 2, 0, { 24 } },
	{ IMemService_UID, IMemService_OP_keep, 0, 0, 1, 0, { 0 } },
	{ IMemService_UID, IMemService_OP_hashKept, 1, 1, 0, 0, { 24, 8 } },
	{ IMemService_UID, IMemService_OP_fillKept, 1, 0, 0, 0, { 24 } },
	{ IMemService_UID, IMemService_OP_dropKept, 0, 0, 0, 0, { 0 } },
	{ IMemService_UID, IMemService_OP_hashMany, 0, 1, 3, 0, { 8 } },
	{ IMemService_UID, IMemService_OP_mapInfo, 0, 1, 1, 0, { 24 } },
	{ IMemService_UID, IMemService_OP_probe, 1, 0, 1, 0, { 4 } },
	{ IMemService_UID, IMemService_OP_giveBack, 0, 0, 1, 1, { 0 } },
	{ IMemService_UID, IMemService_OP_hashFromCallback, 1, 1, 1, 0, { 4, 8 } },
	{ IMemService_UID, IMemService_OP_hashBuffer, 2, 1, 0, 0, { 24, -1, 8 } },
	{ IFeatureVersion_UID, IFeatureVersion_OP_get, 1, 1, 0, 0, { 4, 4 } },
	{ IFeatureVersion_UID, IFeatureVersion_OP_qteeVersion, 0, 1, 0, 0, { 4 } },
};

#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/* The pool slot of the service @uid (slots 0-3). */
static unsigned int service_slot(const struct fuzz *f, uint32_t uid)
{
	unsigned int i;

	for (i = 0; i < 4 && f->uid[i] != uid; i++)
		;
	return i;
}

/*
 * Keep the TEE's own waits short (delay and sleep ask for at most 5 ms),
 * and make memory ranges land near the memory often enough to be used.
 */
static void tame(struct fuzz *f, int target, uint32_t op,
		 struct objinvoke_arg *a, unsigned int bi)
{
	uint32_t *v;

	if (!bi)
		return;
	if (f->uid[target] == IMemService_UID &&
	    a[0].size == sizeof(struct IMemService_range)) {
		struct IMemService_range *r = vm_ptr(a[0].addr);

		r->offset = below(2) ? 0 : below(70000);
		r->len = below(70000);
		return;
	}
	if (f->uid[target] != ITestService_UID)
		return;
	v = vm_ptr(a[0].addr);
	if (op == ITestService_OP_delay && a[0].size >= 4)
		v[0] %= 6;
	if (op == ITestService_OP_primordial && a[0].size >= 8)
		v[1] %= 6;
}

static void one_invocation(struct fuzz *f)
{
	static uint8_t bufs[30][512];
	const struct method *m = below(2) ? &methods[below(NMETHODS)] : NULL;
	struct objinvoke_arg a[30];
	unsigned int t, i, n, bi = below(4), bo = below(4), io = below(3),
		     oo = below(3);
	uint32_t op = below(8) ? below(14) : (uint32_t)below(0xfffe);
	int32_t result;
	int ret;

	/* Any object but the dma-bufs, which are passed, not invoked. */
	do
		t = below(POOL);
	while (f->pool[t] < 0 || f->memory[t]);
	if (m) {
		t = service_slot(f, m->uid);
		op = m->op;
		bi = m->bi;
		bo = m->bo;
		io = m->io;
		oo = m->oo;
	}
	n = bi + bo + io + oo;
	for (i = 0; i < bi + bo; i++) {
		uint64_t size = below(4) ? below(32) : below(sizeof(bufs[i]));

		if (m && i < 4 && m->size[i] >= 0)
			size = (uint64_t)m->size[i];
		for (uint64_t k = 0; k < size; k++)
			bufs[i][k] = below(4) ? (uint8_t)below(4) :
						(uint8_t)rnd();
		a[i] = vm_buf(bufs[i], size);
	}
	for (; i < bi + bo + io; i++)
		a[i] = vm_obj(below(5) ? f->pool[below(POOL)] : -1);
	for (; i < n; i++)
		a[i] = vm_obj(-1);
	tame(f, (int)t, op, a, bi);

	ret = vm_invoke_raw(f->pool[t], op,
			    ObjectCounts_pack(bi, bo, io, oo), a, &result);
	if (ret && errno == EPROTO) {
		f->eproto++;	/* an injected fault: the kernel said so */
		return;
	}
	if (ret)
		vt_fail("op %#x counts %u/%u/%u/%u on slot %u: %s", op, bi, bo,
			io, oo, t, strerror(errno));
	f->answers++;
	if (result != Object_OK)
		return;
	f->results_ok++;
	/* Objects that came back join the pool, or go. */
	for (i = bi + bo + io; i < n; i++) {
		if (a[i].fd == OBJINVOKE_FD_NONE)
			continue;
		if (below(2))
			pool_put(f, (int)a[i].fd, 0,
				 a[i].flags & OBJINVOKE_ARG_MEMORY);
		else
			close((int)a[i].fd);
	}
}

static void every_service_with_random_arguments(void)
{
	unsigned long count = vm_env_u64("OBJINVOKE_FUZZ_INVOCATIONS", 10000);
	uint64_t seed = vm_env_u64("OBJINVOKE_FUZZ_SEED", 1);
	struct fuzz f = { 0 };
	uint32_t base;
	int emu = vt_emu_pid();
	unsigned long i;

	if (emu < 0)
		vt_skip("no emulator");
	rng = rng_stream(seed, 0);
	vt_log("seed %#llx, %lu invocations", (unsigned long long)seed, count);
	base = vm_fresh_live_objects();
	/* Threads enough that an invocation of it from its own serving
	 * (HOST_TAKE of itself) finds one free. */
	host_start(&f.host, 4);
	pool_fill(&f);
	for (i = 0; i < count; i++) {
		one_invocation(&f);
		if (i % 1000 == 999 && vt_emu_pid() != emu)
			vt_fail("the emulator died after %lu invocations", i + 1);
		if (i % 2000 == 1999)
			vt_log("%lu invocations", i + 1);
	}
	vt_log("%lu answered (%lu OK), %lu EPROTO", f.answers, f.results_ok,
	       f.eproto);
	VT_ASSERT_EQ(vt_emu_pid(), emu);
	VT_ASSERT_GT(f.results_ok, count / 20);	/* it reached real work */
	for (i = 0; i < POOL; i++)
		if (f.pool[i] >= 0 && f.pool[i] != f.host.obj)
			close(f.pool[i]);
	host_stop(&f.host);
	/* What the services kept goes with them. */
	VT_ASSERT_EQ(vm_fresh_live_objects(), base);
}

static const struct vt_case cases[] = {
	VT_CASE_TIMEOUT(every_service_with_random_arguments, 900),
};
VT_MAIN(cases)
