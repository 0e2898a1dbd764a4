// SPDX-License-Identifier: MIT
/*
 * test_memory: memory objects with raw ioctls: dma-bufs from the system
 * heap and from udmabuf passed to the TEE's memory service, which maps
 * them through the emulated SHM bridge and reads and writes them in place.
 * Sizes from 4 KiB to 64 MiB, several at once, memory closed while the
 * TEE holds it, read-only memory, wrong fds, ranges that do not fit,
 * memory through callbacks in both directions, and nothing leaked.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "IMemService.h"
#include "ITestService.h"
#include "vmharness.h"
#include "vmhost.h"
#include "vmrace.h"
#include "vmutil.h"

#define KiB	1024ULL
#define MiB	(1024 * KiB)

static uint8_t *map_rw(int fd, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	VT_ASSERT(p != MAP_FAILED);
	return p;
}

static uint64_t fnv1a(const uint8_t *p, uint64_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void pattern(uint8_t *p, uint64_t len, unsigned int seed)
{
	for (uint64_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed + (i >> 12));
}

/* IMemService calls with raw ioctls on fds. */
static int32_t mem_hash(int svc, int mem, uint64_t off, uint64_t len,
			uint64_t *hash)
{
	struct IMemService_range r = { off, len, 0, 0 };
	struct objinvoke_arg a[3] = { vm_buf(&r, sizeof(r)),
				      vm_buf(hash, sizeof(*hash)), vm_obj(mem) };
	int32_t result;

	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_hash,
				   ObjectCounts_pack(1, 1, 1, 0), a, &result));
	return result;
}

static int32_t mem_fill(int svc, int mem, uint64_t off, uint64_t len,
			uint8_t byte)
{
	struct IMemService_range r = { off, len, byte, 0 };
	struct objinvoke_arg a[2] = { vm_buf(&r, sizeof(r)), vm_obj(mem) };
	int32_t result;

	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_fill,
				   ObjectCounts_pack(1, 0, 1, 0), a, &result));
	return result;
}

static int32_t mem_call1(int svc, uint32_t op, int mem, const void *in,
			 size_t in_len, void *out, size_t out_len)
{
	struct objinvoke_arg a[3];
	unsigned int n = 0, bi = 0, bo = 0;
	int32_t result;

	if (in) {
		a[n++] = vm_buf(in, in_len);
		bi = 1;
	}
	if (out) {
		a[n++] = vm_buf(out, out_len);
		bo = 1;
	}
	a[n] = vm_obj(mem);
	VT_ASSERT_OK(vm_invoke_raw(svc, op, ObjectCounts_pack(bi, bo, 1, 0), a,
				   &result));
	return result;
}

static void hash_at_size(uint64_t size)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	int mem = vm_heap_alloc(size, O_RDWR);
	uint8_t *p = map_rw(mem, size);
	uint64_t hash = 0;

	pattern(p, size, (unsigned int)size);
	VT_ASSERT_EQ(mem_hash(svc, mem, 0, size, &hash), Object_OK);
	VT_ASSERT_EQ(hash, fnv1a(p, size));
	/* The TEE writes in place; we read it back from our own mapping. */
	VT_ASSERT_EQ(mem_fill(svc, mem, size / 2, size / 4, 0x5a), Object_OK);
	VT_ASSERT_EQ(p[size / 2], 0x5a);
	VT_ASSERT_EQ(p[size / 2 + size / 4 - 1], 0x5a);
	VT_ASSERT_NE(p[size / 2 + size / 4], 0x5a);
	munmap(p, size);
	close(mem);
	close(svc);
}

static void size_4k(void)
{
	hash_at_size(4 * KiB);
}

static void size_1m(void)
{
	hash_at_size(1 * MiB);
}

static void size_64m(void)
{
	hash_at_size(64 * MiB);
}

static void udmabuf_memory(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	uint64_t size = 256 * KiB, hash = 0;
	int mem = vm_udmabuf_alloc(size);
	uint8_t *p = map_rw(mem, size);

	pattern(p, size, 7);
	VT_ASSERT_EQ(mem_hash(svc, mem, 0, size, &hash), Object_OK);
	VT_ASSERT_EQ(hash, fnv1a(p, size));
	munmap(p, size);
	close(mem);
	close(svc);
}

static void two_at_once(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	uint64_t size = 512 * KiB;
	int src = vm_heap_alloc(size, O_RDWR), dst = vm_udmabuf_alloc(size);
	uint8_t *s = map_rw(src, size), *d = map_rw(dst, size);
	struct IMemService_range r = { 0, size, 0, 0 };
	struct objinvoke_arg a[3] = { vm_buf(&r, sizeof(r)), vm_obj(src),
				      vm_obj(dst) };
	int32_t result;

	pattern(s, size, 3);
	memset(d, 0, size);
	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_copy,
				   ObjectCounts_pack(1, 0, 2, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_MEM_EQ(s, d, size);
	munmap(s, size);
	munmap(d, size);
	close(src);
	close(dst);
	close(svc);
}

static void fifteen_at_once(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	struct objinvoke_arg a[16];
	uint64_t size = 16 * KiB, want = 0xcbf29ce484222325ULL, got = 0;
	int mem[15];
	int32_t result;

	for (int i = 0; i < 15; i++) {
		uint8_t *p;

		mem[i] = vm_heap_alloc(size, O_RDWR);
		p = map_rw(mem[i], size);
		pattern(p, size, (unsigned int)i);
		for (uint64_t j = 0; j < size; j++)
			want = (want ^ p[j]) * 0x100000001b3ULL;
		munmap(p, size);
		a[1 + i] = vm_obj(mem[i]);
	}
	a[0] = vm_buf(&got, sizeof(got));
	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_hashMany,
				   ObjectCounts_pack(0, 1, 15, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(got, want);
	for (int i = 0; i < 15; i++)
		close(mem[i]);
	close(svc);
}

static void closed_while_the_tee_holds_it(void)
{
	Object osvc = vm_open_service(ITestService_UID);
	uint32_t base = vm_settled_live_objects(osvc);
	int svc = vm_service_fd_raw(IMemService_UID);
	uint64_t size = 1 * MiB, hash = 0, want;
	int mem = vm_heap_alloc(size, O_RDWR);
	uint8_t *p = map_rw(mem, size);
	struct IMemService_range r = { 0, size, 0, 0 };
	struct objinvoke_arg a[2] = { vm_buf(&r, sizeof(r)),
				      vm_buf(&hash, sizeof(hash)) };
	int32_t result;

	pattern(p, size, 11);
	want = fnv1a(p, size);
	VT_ASSERT_EQ(mem_call1(svc, IMemService_OP_keep, mem, NULL, 0, NULL, 0),
		     Object_OK);
	/* Every fd and mapping of ours goes; the TEE's mapping stays. */
	munmap(p, size);
	close(mem);
	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_hashKept,
				   ObjectCounts_pack(1, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(hash, want);
	r.byte = 0x77;
	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_fillKept,
				   ObjectCounts_pack(1, 0, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_dropKept, 0, NULL,
				   &result));
	VT_ASSERT_EQ(result, Object_OK);
	close(svc);
	vm_expect_live_objects(osvc, base);
	Object_release(osvc);
}

static void read_only_memory(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	uint64_t size = 64 * KiB, hash = 0;
	int mem = vm_heap_alloc(size, O_RDONLY);
	struct IMemService_region region = { 0 };
	uint32_t probe = IMemService_PROBE_WRITE_READONLY;
	uint8_t zeros[64 * 1024] = { 0 };

	VT_ASSERT_EQ(mem_call1(svc, IMemService_OP_mapInfo, mem, NULL, 0,
			       &region, sizeof(region)), Object_OK);
	VT_ASSERT_EQ(region.perms, IMemService_PERM_READ);
	VT_ASSERT_EQ(region.length, size);
	/* Reading works; writing is refused by the bridge. */
	VT_ASSERT_EQ(mem_hash(svc, mem, 0, size, &hash), Object_OK);
	VT_ASSERT_EQ(hash, fnv1a(zeros, size));
	VT_ASSERT_EQ(mem_call1(svc, IMemService_OP_probe, mem, &probe,
			       sizeof(probe), NULL, 0), Object_OK);
	VT_ASSERT_NE(mem_fill(svc, mem, 0, 16, 1), Object_OK);
	VT_ASSERT_EQ(mem_hash(svc, mem, 0, size, &hash), Object_OK);
	VT_ASSERT_EQ(hash, fnv1a(zeros, size));
	close(mem);
	close(svc);
}

static void writable_region_says_so(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	int mem = vm_heap_alloc(8 * KiB, O_RDWR);
	struct IMemService_region region = { 0 };

	VT_ASSERT_EQ(mem_call1(svc, IMemService_OP_mapInfo, mem, NULL, 0,
			       &region, sizeof(region)), Object_OK);
	VT_ASSERT_EQ(region.perms, IMemService_PERM_READ | IMemService_PERM_WRITE);
	VT_ASSERT_EQ(region.length, 8 * KiB);
	VT_ASSERT_EQ(region.address % OBJINVOKE_EMU_WINDOW, 0);
	close(mem);
	close(svc);
}

static void wrong_fds(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int memfd = memfd_create("plain", MFD_CLOEXEC);
	int counter, sv[2];
	uint32_t v = 1;
	struct objinvoke_arg a[2];

	VT_ASSERT_OK(file);
	VT_ASSERT_OK(memfd);
	VT_ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* Not objects, not dma-bufs: refused before anything happens. */
	int bad[] = { file, memfd, sv[0] };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct IMemService_range r = { 0, 1, 0, 0 };

		a[0] = vm_buf(&r, sizeof(r));
		a[1] = vm_obj(bad[i]);
		VT_ASSERT_ERRNO(vm_invoke_raw(svc, IMemService_OP_fill,
					      ObjectCounts_pack(1, 0, 1, 0), a,
					      NULL), EINVAL);
	}
	/* An object, but not memory: the map region says so. */
	int tsvc = vm_service_fd_raw(ITestService_UID);

	a[0] = vm_buf(&v, sizeof(v));
	a[1] = vm_obj(-1);
	VT_ASSERT_OK(vm_invoke_raw(tsvc, ITestService_OP_newCounter,
				   ObjectCounts_pack(1, 0, 0, 1), a, NULL));
	counter = (int)a[1].fd;
	VT_ASSERT_NE(mem_fill(svc, counter, 0, 1, 0), Object_OK);
	VT_ASSERT_NE(mem_fill(svc, tsvc, 0, 1, 0), Object_OK);
	close(counter);
	close(tsvc);
	close(file);
	close(memfd);
	close(sv[0]);
	close(sv[1]);
	close(svc);
}

static void ranges_that_do_not_fit(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	uint64_t size = 16 * KiB, hash;
	int mem = vm_heap_alloc(size, O_RDWR);
	uint32_t probe;

	VT_ASSERT_EQ(mem_fill(svc, mem, size, 1, 1), Object_ERROR_INVALID);
	VT_ASSERT_EQ(mem_fill(svc, mem, 1, size, 1), Object_ERROR_INVALID);
	VT_ASSERT_EQ(mem_hash(svc, mem, ~0ULL - 2, 8, &hash),
		     Object_ERROR_INVALID);
	VT_ASSERT_EQ(mem_hash(svc, mem, 8, ~0ULL, &hash), Object_ERROR_INVALID);
	/* The bridge refuses what the region does not cover. */
	probe = IMemService_PROBE_PAST_END;
	VT_ASSERT_EQ(mem_call1(svc, IMemService_OP_probe, mem, &probe,
			       sizeof(probe), NULL, 0), Object_OK);
	probe = IMemService_PROBE_AFTER_UNMAP;
	VT_ASSERT_EQ(mem_call1(svc, IMemService_OP_probe, mem, &probe,
			       sizeof(probe), NULL, 0), Object_OK);
	close(mem);
	close(svc);
}

/*
 * Memory the bridge cannot reach soundly (an exporter without a kernel
 * mapping that is not udmabuf) is refused with EOPNOTSUPP and nothing is
 * kept.  The test point makes a heap's dma-buf look like one.
 */
static void unreachable_memory_is_refused(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	int heap = vm_heap_alloc(16 * KiB, O_RDWR);
	int udma = vm_udmabuf_alloc(16 * KiB);
	struct IMemService_range r = { 0, 16 * KiB, 7, 0 };
	struct objinvoke_arg a[2] = { vm_buf(&r, sizeof(r)), vm_obj(heap) };
	int hits = vm_tp_arm("mem_no_vmap", 0, 1);
	int32_t result;

	VT_ASSERT_ERRNO(vm_invoke_raw(svc, IMemService_OP_fill,
				      ObjectCounts_pack(1, 0, 1, 0), a, &result),
			EOPNOTSUPP);
	VT_ASSERT_EQ(vm_tp_hits("mem_no_vmap"), hits + 1);
	/* The failed import kept nothing: the same memory works now. */
	VT_ASSERT_EQ(mem_fill(svc, heap, 0, 16 * KiB, 7), Object_OK);
	/* udmabuf needs no kernel mapping: the bridge uses its pages. */
	hits = vm_tp_arm("mem_no_vmap", 0, 1);
	VT_ASSERT_EQ(mem_fill(svc, udma, 0, 16 * KiB, 7), Object_OK);
	VT_ASSERT_EQ(vm_tp_hits("mem_no_vmap"), hits + 1);
	close(udma);
	close(heap);
	close(svc);
}

static void memory_comes_back_from_the_tee(void)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	uint64_t size = 32 * KiB;
	int mem = vm_heap_alloc(size, O_RDWR), back;
	uint8_t *p = map_rw(mem, size), *q;
	struct objinvoke_arg a[2] = { vm_obj(mem), vm_obj(-1) };
	int32_t result;

	pattern(p, size, 5);
	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_giveBack,
				   ObjectCounts_pack(0, 0, 1, 1), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	/* A dma-buf fd of the same memory, flagged as memory. */
	VT_ASSERT(a[1].flags & OBJINVOKE_ARG_MEMORY);
	back = (int)a[1].fd;
	q = map_rw(back, size);
	VT_ASSERT_MEM_EQ(p, q, size);
	q[0] = 0xee;
	VT_ASSERT_EQ(p[0], 0xee);
	munmap(q, size);
	munmap(p, size);
	close(back);
	close(mem);
	close(svc);
}

/* A host that receives memory in a request, and one that returns some. */
struct mem_host {
	int srv, obj;
	uint64_t seen_hash;
	int seen_memory;
	uint64_t size;
	pthread_t thread;
};

static void *mem_host_loop(void *arg)
{
	struct mem_host *h = arg;
	struct inbox *in = calloc(1, sizeof(*in));

	for (;;) {
		struct objinvoke_arg out[60];
		struct objinvoke_reply rep = { .args = (uintptr_t)out };
		unsigned int io, oo;
		int mem = -1;

		inbox_arm(in, 0);
		if (ioctl(h->srv, OBJINVOKE_IOC_SERVER_RECV, &in->req))
			break;
		if (in->req.kind != OBJINVOKE_REQUEST_INVOKE)
			continue;
		rep.id = in->req.id;
		io = ObjectCounts_indexOI(in->req.counts);
		oo = ObjectCounts_indexOO(in->req.counts);
		memcpy(out, in->args, sizeof(out));
		if (ObjectCounts_numOI(in->req.counts)) {
			/* TEE -> host: the memory the TEE passed on. */
			uint8_t *p = mmap(NULL, h->size, PROT_READ, MAP_SHARED,
					  (int)in->args[io].fd, 0);

			h->seen_memory = !!(in->args[io].flags &
					    OBJINVOKE_ARG_MEMORY);
			if (p != MAP_FAILED) {
				h->seen_hash = fnv1a(p, h->size);
				munmap(p, h->size);
			}
			close((int)in->args[io].fd);
		} else if (ObjectCounts_numOO(in->req.counts)) {
			/* host -> TEE: fresh memory holding a pattern. */
			uint8_t *p;

			mem = vm_heap_alloc(h->size, O_RDWR);
			p = map_rw(mem, h->size);
			pattern(p, h->size, 9);
			h->seen_hash = fnv1a(p, h->size);
			munmap(p, h->size);
			out[oo] = vm_obj(mem);
		}
		ioctl(h->srv, OBJINVOKE_IOC_SERVER_REPLY, &rep);
		if (mem >= 0)
			close(mem);
	}
	free(in);
	return NULL;
}

static void memory_through_callbacks(void)
{
	struct mem_host h = { .size = 64 * KiB };
	int cb = vm_service_fd_raw(ICallbackService_UID);
	int msvc = vm_service_fd_raw(IMemService_UID);
	int mem = vm_heap_alloc(h.size, O_RDWR);
	uint8_t *p = map_rw(mem, h.size);
	uint32_t op = 0;
	uint64_t hash = 0;
	struct objinvoke_arg a[4];
	int32_t result;

	h.srv = server_new();
	h.obj = server_add(h.srv, 1, NULL);
	VT_ASSERT_EQ(pthread_create(&h.thread, NULL, mem_host_loop, &h), 0);

	/* The TEE hands our memory to the host in a callback. */
	pattern(p, h.size, 4);
	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_obj(h.obj);
	a[2] = vm_obj(mem);
	a[3] = vm_obj(-1);
	VT_ASSERT_OK(vm_invoke_raw(cb, ICallbackService_OP_callObjects,
				   ObjectCounts_pack(1, 0, 2, 1), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT(h.seen_memory);
	VT_ASSERT_EQ(h.seen_hash, fnv1a(p, h.size));
	if (a[3].fd != OBJINVOKE_FD_NONE)
		close((int)a[3].fd);

	/* The host answers a callback with memory; the TEE reads it. */
	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_buf(&hash, sizeof(hash));
	a[2] = vm_obj(h.obj);
	VT_ASSERT_OK(vm_invoke_raw(msvc, IMemService_OP_hashFromCallback,
				   ObjectCounts_pack(1, 1, 1, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(hash, h.seen_hash);

	VT_ASSERT_OK(ioctl(h.srv, OBJINVOKE_IOC_SERVER_SHUTDOWN));
	VT_ASSERT_EQ(pthread_join(h.thread, NULL), 0);
	munmap(p, h.size);
	close(mem);
	close(h.obj);
	close(h.srv);
	close(msvc);
	close(cb);
}

static void nothing_leaks(void)
{
	Object osvc = vm_open_service(ITestService_UID);
	uint32_t base = vm_settled_live_objects(osvc);
	int svc = vm_service_fd_raw(IMemService_UID);
	uint64_t hash;

	for (int i = 0; i < 50; i++) {
		int mem = vm_heap_alloc(64 * KiB, O_RDWR);

		VT_ASSERT_EQ(mem_hash(svc, mem, 0, 64 * KiB, &hash), Object_OK);
		close(mem);
	}
	close(svc);
	vm_expect_live_objects(osvc, base);
	Object_release(osvc);
}

static const struct vt_case cases[] = {
	VT_CASE(size_4k),
	VT_CASE(size_1m),
	VT_CASE_TIMEOUT(size_64m, 300),
	VT_CASE(udmabuf_memory),
	VT_CASE(two_at_once),
	VT_CASE(fifteen_at_once),
	VT_CASE(closed_while_the_tee_holds_it),
	VT_CASE(read_only_memory),
	VT_CASE(writable_region_says_so),
	VT_CASE(wrong_fds),
	VT_CASE(ranges_that_do_not_fit),
	VT_CASE(unreachable_memory_is_refused),
	VT_CASE(memory_comes_back_from_the_tee),
	VT_CASE(memory_through_callbacks),
	VT_CASE(nothing_leaks),
};

VT_MAIN(cases)
