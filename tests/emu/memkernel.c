// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The model kernel's memory objects and SHM bridge (see memkernel.h). */
#include "memkernel.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "shm.h"

struct memkernel *mk;

static uint64_t pages(uint64_t len)
{
	return (len + MK_PAGE - 1) / MK_PAGE * MK_PAGE;
}

static int mem_index(uint32_t id)
{
	if (id < MK_MEM_ID(0) || id >= MK_MEM_ID(mk->n_mem))
		return -1;
	return (int)(id - MK_MEM_ID(0));
}

static int map_index(uint32_t id)
{
	if (id < MK_MAP_ID(0) || id >= MK_MAP_ID(mk->n_map))
		return -1;
	return (int)(id - MK_MAP_ID(0));
}

/* A release the TEE sent: each ID must hold a reference to give back. */
static void release(uint32_t id)
{
	int i = mem_index(id), j = map_index(id);
	unsigned int a;

	if (i >= 0) {
		if (mk->mem[i].refs-- <= 0)
			mk->bad_releases++;
		return;
	}
	if (j < 0)
		return;		/* another model's object */
	if (mk->map[j].refs-- <= 0) {
		mk->bad_releases++;
		return;
	}
	/* The TEE unmaps before it releases; the kernel revokes either way.
	 * real: test_races.c:bridge_fault_during_release_heap */
	for (a = 0; a < mk->n_active; a++)
		if (mk->active[a].map == (unsigned int)j)
			mk->released_while_mapped++;
	mk->map[j].live = false;
}

static void release_all(const void *buf, uint32_t pos)
{
	uint32_t ids[1100];
	unsigned int i, n = h_async_ids(buf, pos, ids, 1100);

	for (i = 0; i < n; i++)
		release(ids[i]);
}

/* Map region: IO the memory object, BO 20 bytes, OO the mapping. */
static void map_region(struct qtee_msg *req)
{
	unsigned char *bo;
	struct mk_map *m;
	int i;

	mk->map_regions++;
	/* real: test_invoke.c:primordial_callbacks_run */
	if (req->counts != QTEE_COUNTS(0U, 1U, 1U, 1U) ||
	    req->len[0] != QTEE_MAP_REGION_SIZE) {
		qtee_msg_set_result(req, QTEE_ERROR_INVALID);
		return;
	}
	i = mem_index(qtee_msg_get_obj(req, 1));
	if (i < 0) {	/* real: test_memory.c:wrong_fds */
		qtee_msg_set_result(req, mk->non_memory_result);
		return;
	}
	/* The TEE maps only what it holds a reference to. */
	assert_true(mk->mem[i].refs > 0);
	assert_true(mk->n_map < MK_MAX_MAP);
	m = &mk->map[mk->n_map];
	m->mem = (unsigned int)i;
	m->refs = 1;
	m->live = true;
	/* A window of its own, the memory's length and permissions.
	 * real: test_memory.c:writable_region_says_so
	 * real: test_memory.c:read_only_memory */
	bo = qtee_msg_payload(req, 0);
	emu_shm_pack(bo, (uint64_t)(mk->n_map + 1) * MK_WINDOW,
		     mk->mem[i].len, mk->answer == MK_ANSWER_NO_PERMS ? 0 :
		     mk->mem[i].perms);
	qtee_msg_write_out_size(req, 0, mk->answer == MK_ANSWER_SHORT ?
				QTEE_MAP_REGION_SIZE - 1 :
				QTEE_MAP_REGION_SIZE);
	qtee_msg_set_obj(req, 2, mk->answer == MK_ANSWER_NULL_OO ?
			 QTEE_OBJ_NULL : MK_MAP_ID(mk->n_map));
	if (mk->answer == MK_ANSWER_NULL_OO)
		m->refs = 0;	/* nothing handed out */
	mk->n_map++;
	qtee_msg_set_result(req, QTEE_OK);
}

/* The target of hashFromCallback: one OO, a memory object (or not). */
static void target(struct qtee_msg *req)
{
	int i = mem_index(mk->target_returns);

	if (mk->target_result || req->counts != QTEE_COUNTS(0U, 0U, 0U, 1U)) {
		qtee_msg_set_result(req, mk->target_result ?
				    mk->target_result : QTEE_ERROR_INVALID);
		return;
	}
	if (i >= 0)
		/* An output object carries one reference.
		 * real: test_memory.c:memory_through_callbacks */
		mk->mem[i].refs++;
	qtee_msg_set_obj(req, 0, mk->target_returns);
	qtee_msg_set_result(req, QTEE_OK);
}

/* Releases in the request's tail first, as the kernel does.
 * real: test_faults.c:release_of_unknown_id_is_skipped */
static void responder(struct harness *h, struct qtee_msg *req)
{
	if (req)
		release_all(h->out, qtee_async_start(req));
	if (req && req->cxt == QTEE_OBJ_PRIMORDIAL &&
	    req->op == QTEE_PRIMORDIAL_MAP_REGION)
		map_region(req);
	else if (req && req->cxt == MK_TARGET_ID)
		target(req);
	else {
		if (req && req->cxt == QTEE_OBJ_PRIMORDIAL &&
		    req->op == QTEE_PRIMORDIAL_YIELD)
			mk->yields++;
		h_kernel_responder(h, req);
	}
}

/* The window at @offset, or -1. */
static int window(uint64_t offset)
{
	uint64_t n = offset / MK_WINDOW;

	if (offset % MK_WINDOW || n < 1 || n > mk->n_map)
		return -1;
	return (int)(n - 1);
}

static void *bridge_map(const struct emu_bridge *b, uint64_t offset,
			size_t len, int prot, int *err)
{
	int j = window(offset);
	struct mk_mem *mem;

	(void)b;
	mk->mmaps++;
	if (prot & PROT_WRITE)
		mk->write_mmaps++;
	if (mk->bridge == MK_BRIDGE_EPERM) {
		*err = EPERM;
		return NULL;
	}
	/* A window no live mapping holds.
	 * real: test_races.c:bridge_fault_during_release_heap */
	if (j < 0 || (!mk->map[j].live && mk->bridge == MK_BRIDGE_STRICT)) {
		*err = ENXIO;
		return NULL;
	}
	mem = &mk->mem[mk->map[j].mem];
	/* The lax bridge's hole reaches the spare page past the end.
	 * real: test_memory.c:ranges_that_do_not_fit */
	if (len > pages(mem->len) + (mk->bridge == MK_BRIDGE_LAX ? MK_PAGE : 0)) {
		*err = EINVAL;
		return NULL;
	}
	/* real: test_memory.c:read_only_memory */
	if ((prot & PROT_WRITE) && !(mem->perms & QTEE_PERM_WRITE) &&
	    mk->bridge == MK_BRIDGE_STRICT) {
		*err = EACCES;
		return NULL;
	}
	assert_true(mk->n_active < MK_MAX_ACTIVE);
	mk->active[mk->n_active].addr = mem->buf;
	mk->active[mk->n_active].len = len;
	mk->active[mk->n_active].map = (unsigned int)j;
	if (++mk->n_active > mk->max_active)
		mk->max_active = mk->n_active;
	return mem->buf;
}

static void bridge_unmap(const struct emu_bridge *b, void *addr, size_t len)
{
	unsigned int a;

	(void)b;
	mk->munmaps++;
	for (a = 0; a < mk->n_active; a++) {
		if (mk->active[a].addr == addr && mk->active[a].len == len) {
			mk->active[a] = mk->active[--mk->n_active];
			return;
		}
	}
	fail_msg("munmap of %p (%zu bytes): not mapped", addr, len);
}

struct memkernel *mk_new(struct harness *h)
{
	assert_null(mk);
	mk = calloc(1, sizeof(*mk));
	assert_non_null(mk);
	mk->h = h;
	mk->non_memory_result = QTEE_ERROR_BADOBJ;	/* wire-protocol.md */
	h->responder = responder;
	h->emu.bridge.page_size = MK_PAGE;
	h->emu.bridge.map = bridge_map;
	h->emu.bridge.unmap = bridge_unmap;
	return mk;
}

void mk_free(void)
{
	unsigned int i;

	for (i = 0; i < mk->n_mem; i++) {
		if (mk->mem[i].refs)
			print_error("memory %u: %d references left\n", i,
				    mk->mem[i].refs);
		assert_int_equal(mk->mem[i].refs, 0);
		free(mk->mem[i].buf);
	}
	for (i = 0; i < mk->n_map; i++) {
		if (mk->map[i].refs)
			print_error("mapping %u: %d references left\n", i,
				    mk->map[i].refs);
		assert_int_equal(mk->map[i].refs, 0);
	}
	assert_int_equal(mk->n_active, 0);
	assert_int_equal(mk->bad_releases, 0);
	assert_int_equal(mk->released_while_mapped, 0);
	free(mk);
	mk = NULL;
}

unsigned int mk_mem_new(uint64_t len, uint32_t perms)
{
	struct mk_mem *m = &mk->mem[mk->n_mem];
	uint64_t i;

	assert_true(mk->n_mem < MK_MAX_MEM);
	m->buf = aligned_alloc(MK_PAGE, pages(len) + MK_PAGE);
	assert_non_null(m->buf);
	for (i = 0; i < pages(len) + MK_PAGE; i++)
		m->buf[i] = (unsigned char)(i * 7 + mk->n_mem);
	m->len = len;
	m->perms = perms;
	return mk->n_mem++;
}

void mk_io(unsigned int io, unsigned int i)
{
	mk->mem[i].refs++;
	h_io(mk->h, io, MK_MEM_ID(i));
}

int32_t mk_run(void)
{
	int32_t r = h_run(mk->h);

	release_all(mk->h->out, 0);
	return r;
}

uint64_t mk_fnv(uint64_t h, const void *p, uint64_t len)
{
	const unsigned char *b = p;
	uint64_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}
