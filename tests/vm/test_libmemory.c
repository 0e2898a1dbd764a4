// SPDX-License-Identifier: MIT
/*
 * test_libmemory: memory objects through libobject against the real
 * module and emulator: MinkCom_getMemoryObject from the heap and, forced,
 * from udmabuf; read-only memory; a dma-buf from elsewhere wrapped; memory
 * the TEE hands back; memory a local object returns to the TEE; no leaks.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "ICallbackService.h"
#include "IMemService.h"
#include "ITestService.h"
#include "MinkCom.h"
#include "vmharness.h"
#include "libobject.h"
#include "vmutil.h"

static uint64_t fnv1a(const uint8_t *p, uint64_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static Object alloc(size_t size, uint8_t **addr)
{
	Object mem = Object_NULL;
	void *p = NULL;
	size_t got = 0;

	VT_ASSERT_EQ(MinkCom_getMemoryObject(Object_NULL, size, &mem), Object_OK);
	VT_ASSERT_EQ(MinkCom_getMemoryObjectInfo(mem, &p, &got), Object_OK);
	VT_ASSERT_GE(got, size);
	*addr = p;
	return mem;
}

/* Fill through the CPU, have the TEE hash and write, read in place. */
static void round_trip(size_t size)
{
	Object svc = vm_open_service(IMemService_UID);
	uint8_t *p;
	Object mem = alloc(size, &p);
	uint64_t hash = 0;

	VT_ASSERT_EQ(objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_WRITE),
		     Object_OK);
	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)(i ^ (i >> 9));
	VT_ASSERT_EQ(objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_WRITE),
		     Object_OK);
	VT_ASSERT_EQ(IMemService_hash(svc, mem, 0, size, &hash), Object_OK);
	VT_ASSERT_EQ(hash, fnv1a(p, size));
	VT_ASSERT_EQ(IMemService_fill(svc, mem, 4096, 4096, 0xab), Object_OK);
	VT_ASSERT_EQ(objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_READ),
		     Object_OK);
	VT_ASSERT_EQ(p[4096], 0xab);
	VT_ASSERT_EQ(p[8191], 0xab);
	VT_ASSERT_EQ(objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_READ),
		     Object_OK);
	Object_release(mem);
	Object_release(svc);
}

static void heap_memory(void)
{
	VT_ASSERT_OK(setenv("OBJINVOKE_MEMORY", "heap", 1));
	round_trip(1 << 20);
}

static void udmabuf_memory(void)
{
	VT_ASSERT_OK(setenv("OBJINVOKE_MEMORY", "udmabuf", 1));
	round_trip(1 << 20);
}

static void read_only_memory(void)
{
	Object svc = vm_open_service(IMemService_UID);
	Object ro = Object_NULL;
	struct IMemService_region region = { 0 };

	VT_ASSERT_EQ(objinvoke_memory_alloc(65536, OBJINVOKE_MEMORY_READONLY,
					    &ro), Object_OK);
	VT_ASSERT_NE(objinvoke_memory_begin_cpu(ro, OBJINVOKE_CPU_WRITE),
		     Object_OK);
	VT_ASSERT_EQ(IMemService_mapInfo(svc, ro, &region), Object_OK);
	VT_ASSERT_EQ(region.perms, IMemService_PERM_READ);
	VT_ASSERT_EQ(IMemService_probe(svc, ro, IMemService_PROBE_WRITE_READONLY),
		     Object_OK);
	VT_ASSERT_NE(IMemService_fill(svc, ro, 0, 1, 1), Object_OK);
	Object_release(ro);
	Object_release(svc);
}

static void wrapped_dma_buf(void)
{
	struct dma_heap_allocation_data d = { .len = 8192,
					      .fd_flags = O_RDWR | O_CLOEXEC };
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	Object svc = vm_open_service(IMemService_UID), mem = Object_NULL;
	int plain = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	uint64_t hash;
	uint8_t zeros[8192] = { 0 };

	VT_ASSERT_OK(heap);
	VT_ASSERT_OK(ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d));
	close(heap);
	VT_ASSERT_EQ(objinvoke_memory_from_fd((int)d.fd, &mem), Object_OK);
	VT_ASSERT_EQ(IMemService_hash(svc, mem, 0, 8192, &hash), Object_OK);
	VT_ASSERT_EQ(hash, fnv1a(zeros, sizeof(zeros)));
	Object_release(mem);
	/* Not a dma-buf: refused, and the fd was taken (closed). */
	VT_ASSERT_NE(objinvoke_memory_from_fd(plain, &mem), Object_OK);
	Object_release(svc);
}

static void memory_back_from_the_tee(void)
{
	Object svc = vm_open_service(IMemService_UID);
	uint8_t *p, *q;
	Object mem = alloc(16384, &p), back = Object_NULL;
	void *addr = NULL;
	size_t size = 0;

	memset(p, 0x42, 16384);
	VT_ASSERT_EQ(IMemService_giveBack(svc, mem, &back), Object_OK);
	VT_ASSERT_EQ(MinkCom_getMemoryObjectInfo(back, &addr, &size), Object_OK);
	VT_ASSERT_EQ(size, 16384);
	q = addr;
	VT_ASSERT_EQ(q[100], 0x42);
	Object_release(back);
	Object_release(mem);
	Object_release(svc);
}

/* A local object that answers the TEE's callback with memory. */
struct provider {
	int refs;
	Object mem;
};

static int32_t provider_invoke(ObjectCxt h, ObjectOp op, ObjectArg *a,
			       ObjectCounts k)
{
	struct provider *pr = h;

	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		pr->refs++;
		return Object_OK;
	case Object_OP_release:
		pr->refs--;
		return Object_OK;
	case 0:
		if (k != ObjectCounts_pack(0, 0, 0, 1))
			return Object_ERROR_INVALID;
		/* Output objects belong to the caller: one more reference. */
		Object_retain(pr->mem);
		a[0].o = pr->mem;
		return Object_OK;
	}
	return Object_ERROR_INVALID;
}

static void memory_from_a_callback(void)
{
	Object svc = vm_open_service(IMemService_UID);
	struct provider pr = { .refs = 1 };
	Object me = { provider_invoke, &pr };
	uint8_t *p;
	uint64_t hash = 0;

	pr.mem = alloc(32768, &p);
	for (int i = 0; i < 32768; i++)
		p[i] = (uint8_t)(i * 7);
	VT_ASSERT_EQ(IMemService_hashFromCallback(svc, me, 0, &hash), Object_OK);
	VT_ASSERT_EQ(hash, fnv1a(p, 32768));
	Object_release(pr.mem);
	Object_release(svc);
	/* libobject lets go of `me` once the kernel object is gone. */
	for (int i = 0; i < 100 && pr.refs != 1; i++) {
		objinvoke_server_dispatch_pending();
		vt_msleep(20);
	}
	VT_ASSERT_EQ(pr.refs, 1);
}

static void nothing_leaks(void)
{
	Object tsvc = vm_open_service(ITestService_UID);
	uint32_t base = vm_settled_live_objects(tsvc);
	Object svc = vm_open_service(IMemService_UID);
	uint64_t hash;

	for (int i = 0; i < 30; i++) {
		uint8_t *p;
		Object mem = alloc(65536, &p);

		VT_ASSERT_EQ(IMemService_hash(svc, mem, 0, 65536, &hash),
			     Object_OK);
		Object_release(mem);
	}
	Object_release(svc);
	vm_expect_live_objects(tsvc, base);
	Object_release(tsvc);
}

/* libobject's process-wide server fd lives as long as the process. */
static void make_the_server(void)
{
	int fd;

	VT_ASSERT_EQ(objinvoke_server_fd(&fd), Object_OK);
}

static const struct vt_case cases[] = {
	VT_CASE(heap_memory),
	VT_CASE(udmabuf_memory),
	VT_CASE(read_only_memory),
	VT_CASE(wrapped_dma_buf),
	VT_CASE(memory_back_from_the_tee),
	VT_CASE(memory_from_a_callback),
	VT_CASE(nothing_leaks),
};

VT_MAIN_SETUP(cases, make_the_server)
