// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The memory service against a model kernel (memkernel.h): each method's
 * effect on the memory's bytes, its range and permission checks (nothing
 * mapped or touched when they fail), the map-region requests it sends,
 * and every memory object and mapping reference given back exactly once,
 * after its munmap.  mk_free() in the teardown checks the last part.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "IMemService.h"
#include "emu_harness.h"
#include "memkernel.h"

#define RW	(QTEE_PERM_READ | QTEE_PERM_WRITE)
#define RO	QTEE_PERM_READ

static uint32_t svc;

static uint32_t mem_service(struct harness *h)
{
	uint32_t env = h_register(h), s = h_open(h, env, IMemService_UID);

	assert_int_equal(h_release(h, env), QTEE_OK);
	return s;
}

static int setup(void **state)
{
	struct harness *h = h_new();

	mk_new(h);
	svc = mem_service(h);
	*state = h;
	return 0;
}

/* Release the service, then one more message to drain what is queued. */
static int teardown(void **state)
{
	struct harness *h = *state;

	h_begin(h, svc, QTEE_OP_RELEASE, 0, 0, 0, 0);
	assert_int_equal(mk_run(), QTEE_OK);
	h_begin(h, QTEE_OBJ_ROOT, 0x77, 0, 0, 0, 0);
	mk_run();
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);
	assert_int_equal(h_live(h), 0);
	mk_free();
	h_free(h);
	return 0;
}

static void range_bi(struct harness *h, uint64_t off, uint64_t len,
		     uint32_t byte)
{
	struct IMemService_range r = { off, len, byte, 0 };

	h_bi(h, 0, &r, sizeof(r));
}

static int32_t fill(struct harness *h, unsigned int m, uint64_t off,
		    uint64_t len, uint32_t byte)
{
	h_begin(h, svc, IMemService_OP_fill, 1, 0, 1, 0);
	range_bi(h, off, len, byte);
	mk_io(0, m);
	return mk_run();
}

static int32_t hash(struct harness *h, unsigned int m, uint64_t off,
		    uint64_t len, uint64_t *out)
{
	int32_t r;

	h_begin(h, svc, IMemService_OP_hash, 1, 1, 1, 0);
	range_bi(h, off, len, 0);
	h_bo(h, 0, 8);
	mk_io(0, m);
	r = mk_run();
	if (!r) {
		assert_int_equal(h_out_size(h, 0), 8);
		memcpy(out, h_out(h, 0), 8);
	}
	return r;
}

static uint64_t fnv(unsigned int m, uint64_t off, uint64_t len)
{
	return mk_fnv(0xcbf29ce484222325ULL, mk->mem[m].buf + off, len);
}

static void service_opens(void **state)
{
	struct harness *h = *state;

	assert_true(svc >= 2 && !(svc & QTEE_OBJ_NS_BIT));
	assert_int_equal(h_live(h), 1);
}

static void fill_and_hash(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(3 * MK_PAGE + 100, RW);
	uint64_t got;
	unsigned int i;
	struct qtee_msg req;

	assert_int_equal(fill(h, m, 100, 5000, 0xab), QTEE_OK);
	/* The map-region request: IO the memory, BO 20 bytes, one OO. */
	h_cb_msg(h, 0, &req);
	assert_int_equal(req.cxt, QTEE_OBJ_PRIMORDIAL);
	assert_int_equal(req.op, QTEE_PRIMORDIAL_MAP_REGION);
	assert_int_equal(req.counts, QTEE_COUNTS(0U, 1U, 1U, 1U));
	assert_int_equal(req.len[0], QTEE_MAP_REGION_SIZE);
	assert_int_equal(qtee_msg_get_obj(&req, 1), MK_MEM_ID(m));
	assert_int_equal(mk->write_mmaps, 1);
	for (i = 0; i < 5000; i++)
		assert_int_equal(mk->mem[m].buf[100 + i], 0xab);
	assert_int_not_equal(mk->mem[m].buf[99], 0xab);
	assert_int_not_equal(mk->mem[m].buf[5100], 0xab);

	assert_int_equal(hash(h, m, 0, 3 * MK_PAGE + 100, &got), QTEE_OK);
	assert_true(got == fnv(m, 0, 3 * MK_PAGE + 100));
	assert_int_equal(mk->write_mmaps, 1);	/* hash maps read-only */
	/* An empty range hashes to the offset basis. */
	assert_int_equal(hash(h, m, 7, 0, &got), QTEE_OK);
	assert_true(got == 0xcbf29ce484222325ULL);
	assert_int_equal(mk->map_regions, 3);
}

static int32_t hash_buffer(struct harness *h, const void *data, uint32_t size,
			   uint64_t off, uint64_t len, uint64_t *out)
{
	int32_t r;

	h_begin(h, svc, IMemService_OP_hashBuffer, 2, 1, 0, 0);
	range_bi(h, off, len, 0);
	h_bi(h, 1, data, size);
	h_bo(h, 0, 8);
	r = mk_run();
	if (!r)
		memcpy(out, h_out(h, 0), 8);
	return r;
}

static void hash_buffer_is_hash_without_mapping(void **state)
{
	struct harness *h = *state;
	unsigned char data[300];
	uint64_t got = 0;

	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 13);
	assert_int_equal(hash_buffer(h, data, sizeof(data), 10, 200, &got),
			 QTEE_OK);
	assert_true(got == mk_fnv(0xcbf29ce484222325ULL, data + 10, 200));
	assert_int_equal(mk->map_regions, 0);	/* no memory involved */
	assert_int_equal(hash_buffer(h, data, sizeof(data), 200, 101, &got),
			 QTEE_ERROR_INVALID);
	assert_int_equal(hash_buffer(h, data, sizeof(data), ~0ULL, 2, &got),
			 QTEE_ERROR_INVALID);
}

static void ranges_that_do_not_fit(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(8192, RW);
	uint64_t got;
	unsigned char before[8192];

	memcpy(before, mk->mem[m].buf, sizeof(before));
	assert_int_equal(fill(h, m, 8192, 1, 1), QTEE_ERROR_INVALID);
	assert_int_equal(fill(h, m, 1, 8192, 1), QTEE_ERROR_INVALID);
	/* offset + len wraps to a small number: still refused. */
	assert_int_equal(fill(h, m, 16, UINT64_MAX - 8, 1), QTEE_ERROR_INVALID);
	assert_int_equal(fill(h, m, UINT64_MAX, 2, 1), QTEE_ERROR_INVALID);
	assert_int_equal(hash(h, m, 8000, 193, &got), QTEE_ERROR_INVALID);
	/* Nothing was mapped, let alone touched. */
	assert_int_equal(mk->mmaps, 0);
	assert_memory_equal(before, mk->mem[m].buf, sizeof(before));
	/* The very end fits. */
	assert_int_equal(fill(h, m, 8192, 0, 1), QTEE_OK);
	assert_int_equal(fill(h, m, 8191, 1, 1), QTEE_OK);
	assert_int_equal(mk->mem[m].buf[8191], 1);
	/* A byte above 0xff, or a nonzero reserved field, is no range. */
	assert_int_equal(fill(h, m, 0, 1, 0x100), QTEE_ERROR_INVALID);
	h_begin(h, svc, IMemService_OP_fill, 1, 0, 1, 0);
	h_bi(h, 0, &(struct IMemService_range){ 0, 1, 1, 9 }, 24);
	mk_io(0, m);
	assert_int_equal(mk_run(), QTEE_ERROR_INVALID);
	h_begin(h, svc, IMemService_OP_fill, 1, 0, 1, 0);
	h_bi(h, 0, &(struct IMemService_range){ 0, 1, 1, 0 }, 16);
	mk_io(0, m);
	assert_int_equal(mk_run(), QTEE_ERROR_SIZE_IN);
}

static void read_only_is_never_written(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(4096, RO);
	uint64_t got;

	assert_int_equal(fill(h, m, 0, 1, 0x5a), QTEE_ERROR_INVALID);
	assert_int_equal(mk->mmaps, 0);
	assert_int_not_equal(mk->mem[m].buf[0], 0x5a);
	assert_int_equal(hash(h, m, 0, 4096, &got), QTEE_OK);
	assert_true(got == fnv(m, 0, 4096));
	assert_int_equal(mk->write_mmaps, 0);
}

static int32_t copy(struct harness *h, unsigned int src, unsigned int dst,
		    uint64_t len)
{
	h_begin(h, svc, IMemService_OP_copy, 1, 0, 2, 0);
	range_bi(h, 12345, len, 0);	/* the offset is ignored */
	mk_io(0, src);
	mk_io(1, dst);
	return mk_run();
}

static void copy_across(void **state)
{
	struct harness *h = *state;
	unsigned int src = mk_mem_new(10000, RO), dst = mk_mem_new(6000, RW);
	unsigned int ro = mk_mem_new(6000, RO);

	assert_int_equal(copy(h, src, dst, 6000), QTEE_OK);
	assert_memory_equal(mk->mem[dst].buf, mk->mem[src].buf, 6000);
	assert_int_equal(mk->max_active, 2);	/* both mapped at once */
	assert_int_equal(copy(h, src, dst, 6001), QTEE_ERROR_INVALID);
	assert_int_equal(copy(h, dst, src, 6000), QTEE_ERROR_INVALID);
	assert_int_equal(copy(h, src, ro, 10), QTEE_ERROR_INVALID);
	assert_int_equal(mk->write_mmaps, 1);
	assert_int_equal(copy(h, dst, dst, 6000), QTEE_OK);
}

static int32_t keep(struct harness *h, unsigned int m)
{
	h_begin(h, svc, IMemService_OP_keep, 0, 0, 1, 0);
	mk_io(0, m);
	return mk_run();
}

static int32_t hash_kept(struct harness *h, uint64_t off, uint64_t len,
			 uint64_t *out)
{
	int32_t r;

	h_begin(h, svc, IMemService_OP_hashKept, 1, 1, 0, 0);
	range_bi(h, off, len, 0);
	h_bo(h, 0, 8);
	r = mk_run();
	if (!r)
		memcpy(out, h_out(h, 0), 8);
	return r;
}

static int32_t fill_kept(struct harness *h, uint64_t off, uint64_t len,
			 uint32_t byte)
{
	h_begin(h, svc, IMemService_OP_fillKept, 1, 0, 0, 0);
	range_bi(h, off, len, byte);
	return mk_run();
}

static int32_t drop_kept(struct harness *h)
{
	h_begin(h, svc, IMemService_OP_dropKept, 0, 0, 0, 0);
	return mk_run();
}

static void keep_use_drop(void **state)
{
	struct harness *h = *state;
	unsigned int a = mk_mem_new(8192, RW), b = mk_mem_new(4096, RO);
	uint32_t ids[16];
	uint64_t got;

	assert_int_equal(hash_kept(h, 0, 0, &got), QTEE_ERROR_BADOBJ);
	assert_int_equal(keep(h, a), QTEE_OK);
	/* Kept: neither reference went back, and the mapping stays. */
	assert_int_equal(h_releases(h, ids, 16), 0);
	assert_int_equal(mk->mem[a].refs, 1);
	assert_int_equal(mk->map[0].refs, 1);
	assert_int_equal(mk->n_active, 1);

	assert_int_equal(fill_kept(h, 10, 20, 0xcd), QTEE_OK);
	assert_int_equal(mk->mem[a].buf[10], 0xcd);
	assert_int_equal(mk->mem[a].buf[29], 0xcd);
	assert_int_equal(hash_kept(h, 0, 8192, &got), QTEE_OK);
	assert_true(got == fnv(a, 0, 8192));
	assert_int_equal(hash_kept(h, 1, 8192, &got), QTEE_ERROR_INVALID);
	assert_int_equal(fill_kept(h, 8192, 1, 0), QTEE_ERROR_INVALID);
	assert_int_equal(mk->map_regions, 1);	/* mapped once */

	/* Replacing: a's mapping and reference go back, mapping first. */
	assert_int_equal(keep(h, b), QTEE_OK);
	assert_int_equal(h_releases(h, ids, 16), 2);
	assert_int_equal(ids[0], MK_MAP_ID(0));
	assert_int_equal(ids[1], MK_MEM_ID(a));
	assert_int_equal(mk->mem[a].refs, 0);
	/* Read-only kept: fillKept refuses without writing. */
	assert_int_equal(mk->write_mmaps, 1);
	assert_int_equal(fill_kept(h, 0, 1, 0), QTEE_ERROR_INVALID);
	assert_int_equal(hash_kept(h, 0, 4096, &got), QTEE_OK);
	assert_true(got == fnv(b, 0, 4096));

	assert_int_equal(drop_kept(h), QTEE_OK);
	assert_int_equal(h_releases(h, ids, 16), 2);
	assert_int_equal(ids[0], MK_MAP_ID(1));
	assert_int_equal(ids[1], MK_MEM_ID(b));
	assert_int_equal(drop_kept(h), QTEE_OK);
	assert_int_equal(hash_kept(h, 0, 0, &got), QTEE_ERROR_BADOBJ);
}

static void releasing_the_service_drops_the_kept(void **state)
{
	struct harness *h = *state;
	unsigned int a = mk_mem_new(100, RW);
	uint32_t ids[16];

	assert_int_equal(keep(h, a), QTEE_OK);
	h_begin(h, svc, QTEE_OP_RELEASE, 0, 0, 0, 0);
	assert_int_equal(mk_run(), QTEE_OK);
	/* The RELEASE's own DONE carries both. */
	assert_int_equal(h_releases(h, ids, 16), 2);
	assert_int_equal(mk->mem[a].refs, 0);
	assert_int_equal(mk->map[0].refs, 0);
	svc = mem_service(h);	/* for the teardown */
}

static void keep_of_a_non_memory_object(void **state)
{
	struct harness *h = *state;

	h_begin(h, svc, IMemService_OP_keep, 0, 0, 1, 0);
	h_io(h, 0, H_OTHER_ID);
	assert_int_equal(mk_run(), QTEE_ERROR_BADOBJ);
	mk->non_memory_result = QTEE_ERROR_UNAVAIL;
	h_begin(h, svc, IMemService_OP_keep, 0, 0, 1, 0);
	h_io(h, 0, H_OTHER_ID);
	assert_int_equal(mk_run(), QTEE_ERROR_UNAVAIL);
	assert_int_equal(mk->n_map, 0);
}

static int32_t hash_many(struct harness *h, const unsigned int *m,
			 unsigned int n, uint64_t *out)
{
	unsigned int i;
	int32_t r;

	h_begin(h, svc, IMemService_OP_hashMany, 0, 1, n, 0);
	h_bo(h, 0, 8);
	for (i = 0; i < n; i++)
		mk_io(i, m[i]);
	r = mk_run();
	if (!r)
		memcpy(out, h_out(h, 0), 8);
	return r;
}

static void hash_many_in_order(void **state)
{
	struct harness *h = *state;
	unsigned int m[15], i, n;
	uint64_t got, want;

	for (i = 0; i < 15; i++)
		m[i] = mk_mem_new(1000 + 517 * i, i % 2 ? RO : RW);
	for (n = 1; n <= 15; n += 7) {
		want = 0xcbf29ce484222325ULL;
		for (i = 0; i < n; i++)
			want = mk_fnv(want, mk->mem[m[i]].buf, mk->mem[m[i]].len);
		assert_int_equal(hash_many(h, m, n, &got), QTEE_OK);
		assert_true(got == want);
	}
	assert_int_equal(mk->map_regions, 1 + 8 + 15);
	/* Order matters. */
	m[0] = m[1];
	m[1] = 0;
	assert_int_equal(hash_many(h, m, 2, &got), QTEE_OK);
	assert_true(got != want);
	/* No memory at all is no call. */
	assert_int_equal(hash_many(h, m, 0, &got), QTEE_ERROR_INVALID);
	h_begin(h, svc, IMemService_OP_hashMany, 1, 1, 1, 0);
	h_bi_u32(h, 0, 0);
	h_bo(h, 0, 8);
	mk_io(0, m[0]);
	assert_int_equal(mk_run(), QTEE_ERROR_SIZE_IN);
	/* One bad object fails the call; all references still go back. */
	h_begin(h, svc, IMemService_OP_hashMany, 0, 1, 3, 0);
	h_bo(h, 0, 8);
	mk_io(0, m[2]);
	h_io(h, 1, H_OTHER_ID);
	mk_io(2, m[3]);
	assert_int_equal(mk_run(), QTEE_ERROR_BADOBJ);
}

static void map_info_reports_the_region(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(12345, RO);
	struct IMemService_region r;

	h_begin(h, svc, IMemService_OP_mapInfo, 0, 1, 1, 0);
	h_bo(h, 0, sizeof(r));
	mk_io(0, m);
	assert_int_equal(mk_run(), QTEE_OK);
	assert_int_equal(h_out_size(h, 0), sizeof(r));
	memcpy(&r, h_out(h, 0), sizeof(r));
	assert_true(r.address == MK_WINDOW);
	assert_true(r.length == 12345);
	assert_int_equal(r.perms, IMemService_PERM_READ);
	assert_int_equal(r.reserved, 0);
	assert_int_equal(mk->mmaps, 1);

	h_begin(h, svc, IMemService_OP_mapInfo, 0, 1, 1, 0);
	h_bo(h, 0, sizeof(r) - 1);
	mk_io(0, m);
	assert_int_equal(mk_run(), QTEE_ERROR_SIZE_OUT);
}

static int32_t probe(struct harness *h, unsigned int m, uint32_t which)
{
	h_begin(h, svc, IMemService_OP_probe, 1, 0, 1, 0);
	h_bi_u32(h, 0, which);
	mk_io(0, m);
	return mk_run();
}

static void probe_write_readonly(void **state)
{
	struct harness *h = *state;
	unsigned int ro = mk_mem_new(5000, RO), rw = mk_mem_new(5000, RW);

	assert_int_equal(probe(h, ro, IMemService_PROBE_WRITE_READONLY),
			 QTEE_OK);
	assert_int_equal(mk->write_mmaps, 1);
	/* Nothing to refuse on a writable region. */
	assert_int_equal(probe(h, rw, IMemService_PROBE_WRITE_READONLY),
			 QTEE_ERROR_INVALID);
	assert_int_equal(mk->write_mmaps, 1);
	/* A hole: the mapping it gave is undone (mk_free checks). */
	mk->bridge = MK_BRIDGE_LAX;
	assert_int_equal(probe(h, ro, IMemService_PROBE_WRITE_READONLY),
			 IMemService_ERROR_ALLOWED);
	/* Refused, but not with the UAPI's EACCES. */
	mk->bridge = MK_BRIDGE_EPERM;
	assert_int_equal(probe(h, ro, IMemService_PROBE_WRITE_READONLY),
			 QTEE_ERROR);
	assert_int_equal(probe(h, ro, 0), QTEE_ERROR_INVALID);
	assert_int_equal(probe(h, ro, IMemService_PROBE_TOUCH_DURING_RELEASE + 1),
			 QTEE_ERROR_INVALID);
}

static void probe_past_end(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(5000, RW), empty = mk_mem_new(0, RW);

	assert_int_equal(probe(h, m, IMemService_PROBE_PAST_END), QTEE_OK);
	assert_int_equal(mk->mmaps, 1);
	assert_int_equal(mk->write_mmaps, 0);
	mk->bridge = MK_BRIDGE_LAX;
	assert_int_equal(probe(h, m, IMemService_PROBE_PAST_END),
			 IMemService_ERROR_ALLOWED);
	/* Any refusal will do here. */
	mk->bridge = MK_BRIDGE_EPERM;
	assert_int_equal(probe(h, m, IMemService_PROBE_PAST_END), QTEE_OK);
	assert_int_equal(probe(h, empty, IMemService_PROBE_PAST_END),
			 QTEE_ERROR_INVALID);
}

static void probe_after_unmap(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(5000, RW);
	uint32_t ids[16];
	struct qtee_msg req;

	assert_int_equal(probe(h, m, IMemService_PROBE_AFTER_UNMAP), QTEE_OK);
	assert_int_equal(mk->mmaps, 2);
	assert_int_equal(mk->yields, 1);
	/* The release rode in the yield, and only there. */
	assert_int_equal(h->n_cb, 2);
	h_cb_msg(h, 1, &req);
	assert_int_equal(req.op, QTEE_PRIMORDIAL_YIELD);
	assert_int_equal(h_async_ids(h->cb[1], qtee_async_start(&req), ids, 16),
			 1);
	assert_int_equal(ids[0], MK_MAP_ID(0));
	assert_int_equal(h_releases(h, ids, 16), 1);
	assert_int_equal(ids[0], MK_MEM_ID(m));

	/* A bridge that still serves a released window: caught, undone. */
	mk->bridge = MK_BRIDGE_LAX;
	assert_int_equal(probe(h, m, IMemService_PROBE_AFTER_UNMAP),
			 IMemService_ERROR_ALLOWED);
	/* A live window the bridge refuses is an error, not a pass. */
	mk->bridge = MK_BRIDGE_EPERM;
	assert_int_equal(probe(h, m, IMemService_PROBE_AFTER_UNMAP),
			 QTEE_ERROR);
}

static void give_back_names_the_same_object(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(64, RW);
	uint32_t ids[16];

	h_begin(h, svc, IMemService_OP_giveBack, 0, 0, 1, 1);
	mk_io(0, m);
	assert_int_equal(mk_run(), QTEE_OK);
	assert_int_equal(h_oo(h, 0), MK_MEM_ID(m));
	/* Released in the answer that names it: the kernel reads first. */
	assert_int_equal(h_releases(h, ids, 16), 1);
	assert_int_equal(ids[0], MK_MEM_ID(m));
	assert_int_equal(mk->map_regions, 0);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);

	h_begin(h, svc, IMemService_OP_giveBack, 0, 0, 1, 1);
	h_io(h, 0, QTEE_OBJ_PRIMORDIAL);
	assert_int_equal(mk_run(), QTEE_ERROR_BADOBJ);
}

static int32_t from_callback(struct harness *h, uint32_t target, uint64_t *out)
{
	int32_t r;

	h_begin(h, svc, IMemService_OP_hashFromCallback, 1, 1, 1, 0);
	h_bi_u32(h, 0, 42);
	h_bo(h, 0, 8);
	h_io(h, 0, target);
	r = mk_run();
	if (!r)
		memcpy(out, h_out(h, 0), 8);
	return r;
}

static void hash_from_callback(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(3000, RO);
	struct qtee_msg req;
	uint32_t ids[16];
	uint64_t got;

	mk->target_returns = MK_MEM_ID(m);
	assert_int_equal(from_callback(h, MK_TARGET_ID, &got), QTEE_OK);
	assert_true(got == fnv(m, 0, 3000));
	h_cb_msg(h, 0, &req);
	assert_int_equal(req.cxt, MK_TARGET_ID);
	assert_int_equal(req.op, 42);
	assert_int_equal(req.counts, QTEE_COUNTS(0U, 0U, 0U, 1U));
	/* The memory's reference and the mapping's, in this DONE. */
	assert_int_equal(h_releases(h, ids, 16), 3);

	mk->target_returns = QTEE_OBJ_NULL;
	assert_int_equal(from_callback(h, MK_TARGET_ID, &got),
			 QTEE_ERROR_BADOBJ);
	mk->target_returns = MK_MEM_ID(m);
	mk->target_result = 55;
	assert_int_equal(from_callback(h, MK_TARGET_ID, &got), 55);
	assert_int_equal(from_callback(h, 5, &got), QTEE_ERROR_BADOBJ);
}

static void malformed_map_answers(void **state)
{
	struct harness *h = *state;
	unsigned int m = mk_mem_new(100, RW);
	uint64_t got;

	mk->answer = MK_ANSWER_SHORT;
	assert_int_equal(hash(h, m, 0, 1, &got), QTEE_ERROR_INVALID);
	mk->answer = MK_ANSWER_NO_PERMS;
	assert_int_equal(hash(h, m, 0, 1, &got), QTEE_ERROR_INVALID);
	mk->answer = MK_ANSWER_NULL_OO;
	assert_int_equal(hash(h, m, 0, 1, &got), QTEE_ERROR_INVALID);
	assert_int_equal(mk->mmaps, 0);
	/* A NULL or TEE ID is refused before any callback. */
	mk->answer = MK_ANSWER_OK;
	h_begin(h, svc, IMemService_OP_hash, 1, 1, 1, 0);
	range_bi(h, 0, 0, 0);
	h_bo(h, 0, 8);
	h_io(h, 0, svc);
	assert_int_equal(mk_run(), QTEE_ERROR_BADOBJ);
	assert_int_equal(h->n_cb, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(service_opens),
		T(fill_and_hash),
		T(ranges_that_do_not_fit),
		T(hash_buffer_is_hash_without_mapping),
		T(read_only_is_never_written),
		T(copy_across),
		T(keep_use_drop),
		T(releasing_the_service_drops_the_kept),
		T(keep_of_a_non_memory_object),
		T(hash_many_in_order),
		T(map_info_reports_the_region),
		T(probe_write_readonly),
		T(probe_past_end),
		T(probe_after_unmap),
		T(give_back_names_the_same_object),
		T(hash_from_callback),
		T(malformed_map_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
