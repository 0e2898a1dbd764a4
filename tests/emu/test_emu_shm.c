// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The SHM bridge module on its own: FNV-1a 64, the packed region answer,
 * range and page arithmetic at their edges, what mmap is asked for (prot,
 * length, offset, the shared fd) through the bridge seam, and a callback's
 * own releases riding in its request's tail.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "fnv.h"
#include "emu_harness.h"
#include "shm.h"

static void fnv_vectors(void **state)
{
	(void)state;
	/* From the FNV reference (draft-eastlake-fnv). */
	assert_true(emu_fnv64(EMU_FNV64_BASIS, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(emu_fnv64(EMU_FNV64_BASIS, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(emu_fnv64(EMU_FNV64_BASIS, "foobar", 6) ==
		    0x85944171f73967e8ULL);
	/* Continuing a hash is hashing the concatenation. */
	assert_true(emu_fnv64(emu_fnv64(EMU_FNV64_BASIS, "foo", 3), "bar", 3) ==
		    0x85944171f73967e8ULL);
}

static void region_layout(void **state)
{
	unsigned char bo[QTEE_MAP_REGION_SIZE];
	static const unsigned char want[QTEE_MAP_REGION_SIZE] = {
		0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,	/* 2 << 36 */
		0x39, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* 12345 */
		0x03, 0x00, 0x00, 0x00,				/* R|W */
	};
	struct emu_shm m;

	(void)state;
	emu_shm_pack(bo, 2ULL << 36, 12345, 3);
	assert_memory_equal(bo, want, sizeof(bo));
	assert_int_equal(emu_shm_unpack(bo, sizeof(bo), &m), 0);
	assert_true(m.address == 2ULL << 36 && m.length == 12345);
	assert_int_equal(m.perms, QTEE_PERM_READ | QTEE_PERM_WRITE);
	assert_true(emu_shm_writable(&m));

	assert_int_equal(emu_shm_unpack(bo, sizeof(bo) - 1, &m), -1);
	assert_int_equal(emu_shm_unpack(bo, sizeof(bo) + 1, &m), -1);
	emu_shm_pack(bo, 1ULL << 36, 1, QTEE_PERM_WRITE);	/* no READ */
	assert_int_equal(emu_shm_unpack(bo, sizeof(bo), &m), -1);
	emu_shm_pack(bo, 1ULL << 36, 1, QTEE_PERM_READ | 4);
	assert_int_equal(emu_shm_unpack(bo, sizeof(bo), &m), -1);
	emu_shm_pack(bo, 1ULL << 63, 1, QTEE_PERM_READ);	/* no off_t */
	assert_int_equal(emu_shm_unpack(bo, sizeof(bo), &m), -1);
	emu_shm_pack(bo, 1ULL << 36, 0, QTEE_PERM_READ);
	assert_int_equal(emu_shm_unpack(bo, sizeof(bo), &m), 0);
	assert_false(emu_shm_writable(&m));
}

static void ranges(void **state)
{
	struct emu_shm m = { .length = 100 };

	(void)state;
	assert_true(emu_shm_range_ok(&m, 0, 100));
	assert_true(emu_shm_range_ok(&m, 100, 0));
	assert_true(emu_shm_range_ok(&m, 99, 1));
	assert_false(emu_shm_range_ok(&m, 99, 2));
	assert_false(emu_shm_range_ok(&m, 101, 0));
	assert_false(emu_shm_range_ok(&m, 1, UINT64_MAX));
	assert_false(emu_shm_range_ok(&m, UINT64_MAX, 1));
	assert_false(emu_shm_range_ok(&m, UINT64_MAX - 10, 20));
	m.length = 0;
	assert_true(emu_shm_range_ok(&m, 0, 0));
	assert_false(emu_shm_range_ok(&m, 0, 1));
}

/* A bridge that records what it was asked and maps a static buffer. */
static struct {
	uint64_t offset;
	size_t len;
	int prot, fd, err;
	unsigned int maps, unmaps;
} seen;
static unsigned char page[4 * 4096] __attribute__((aligned(4096)));

static void *rec_map(const struct emu_bridge *b, uint64_t offset, size_t len,
		     int prot, int *err)
{
	seen.offset = offset;
	seen.len = len;
	seen.prot = prot;
	seen.fd = b->fd;
	seen.maps++;
	if (seen.err) {
		*err = seen.err;
		return NULL;
	}
	return page;
}

static void rec_unmap(const struct emu_bridge *b, void *addr, size_t len)
{
	(void)b;
	assert_ptr_equal(addr, page);
	assert_int_equal(len, seen.len);
	seen.unmaps++;
}

static void mmap_requests(void **state)
{
	struct emu_bridge b;
	struct emu_shm m = { .address = 3ULL << 36, .length = 4097,
			     .perms = QTEE_PERM_READ };

	(void)state;
	memset(&seen, 0, sizeof(seen));
	emu_bridge_init(&b, 42);
	b.page_size = 4096;
	b.map = rec_map;
	b.unmap = rec_unmap;

	assert_int_equal(emu_shm_map_len(&b, 1), 4096);
	assert_int_equal(emu_shm_map_len(&b, 4096), 4096);
	assert_int_equal(emu_shm_map_len(&b, 4097), 8192);
	assert_int_equal(emu_shm_map_len(&b, UINT64_MAX), 0);

	assert_int_equal(emu_shm_mmap(&b, &m, false), 0);
	assert_ptr_equal(m.ptr, page);
	assert_true(seen.offset == 3ULL << 36);
	assert_int_equal(seen.len, 8192);
	assert_int_equal(seen.prot, PROT_READ);
	assert_int_equal(seen.fd, 42);
	emu_shm_munmap(&b, &m);
	assert_null(m.ptr);
	emu_shm_munmap(&b, &m);		/* twice is once */
	assert_int_equal(seen.unmaps, 1);

	assert_int_equal(emu_shm_mmap(&b, &m, true), 0);
	assert_int_equal(seen.prot, PROT_READ | PROT_WRITE);
	emu_shm_munmap(&b, &m);

	/* Refused: the errno comes back, nothing is left to unmap. */
	seen.err = ENXIO;
	assert_int_equal(emu_shm_mmap(&b, &m, false), -ENXIO);
	assert_null(m.ptr);
	emu_shm_munmap(&b, &m);
	assert_int_equal(seen.unmaps, 2);

	/* Empty: nothing to map, and mmap would refuse length 0. */
	m.length = 0;
	assert_int_equal(emu_shm_mmap(&b, &m, false), 0);
	assert_int_equal(seen.maps, 3);
}

static void device_bridge_without_device(void **state)
{
	struct emu_bridge b;
	struct emu_shm m = { .address = 1ULL << 36, .length = 1 };

	(void)state;
	emu_bridge_init(&b, -1);
	assert_true(b.page_size >= 4096);
	assert_int_equal(emu_shm_mmap(&b, &m, false), -EBADF);
}

/* A callback's own releases lead its tail, before the queue's. */
static void callback_tail_releases(void **state)
{
	struct harness *h = h_new();
	struct emu_cb cb = {
		.id = QTEE_OBJ_PRIMORDIAL,
		.op = QTEE_PRIMORDIAL_YIELD,
		.nrel = 2,
		.rel = { 0x80000101U, 0x80000102U },
	};
	struct qtee_msg req;
	uint32_t ids[8];

	(void)state;
	emu_relq_push(&h->emu.relq, 0x80000103U);
	emu_call_init(&h->call, &h->emu, &h->tx, h->in, 0, h->out,
		      sizeof(h->out));
	assert_int_equal(emu_call_callback(&h->call, &cb), QTEE_OK);
	assert_int_equal(h->n_cb, 1);
	h_cb_msg(h, 0, &req);
	assert_int_equal(h_async_ids(h->cb[0], qtee_async_start(&req), ids, 8),
			 3);
	assert_int_equal(ids[0], 0x80000101U);
	assert_int_equal(ids[1], 0x80000102U);
	assert_int_equal(ids[2], 0x80000103U);
	/* Given back there, so owed nowhere else. */
	assert_int_equal(h->call.n_releases, 0);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);

	/* A request that cannot be built sends nothing: they are queued. */
	cb.nbi = EMU_CB_MAX + 1;
	assert_int_equal(emu_call_callback(&h->call, &cb), QTEE_ERROR_INVALID);
	assert_int_equal(emu_relq_count(&h->emu.relq), 2);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fnv_vectors),
		cmocka_unit_test(region_layout),
		cmocka_unit_test(ranges),
		cmocka_unit_test(mmap_requests),
		cmocka_unit_test(device_bridge_without_device),
		cmocka_unit_test(callback_tail_releases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
