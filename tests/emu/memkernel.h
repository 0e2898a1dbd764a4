/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A model of the kernel's side of memory objects, for the memory service's
 * tests: memory objects with real (page-aligned) bytes, the primordial
 * object's map region, mapping objects whose release revokes their window,
 * and the SHM bridge's mmap of those windows (plugged into the emulator's
 * struct emu_bridge seam).  It counts every reference it hands the TEE and
 * every one the TEE gives back, in callback request tails and DONEs, so a
 * test can check each was released exactly once.
 *
 * One model at a time (tests are single-threaded): mk_new() installs it on
 * a harness, mk_free() checks nothing leaked and removes it.
 */
#ifndef EMU_TEST_MEMKERNEL_H
#define EMU_TEST_MEMKERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "emu_harness.h"

#define MK_PAGE		4096U
#define MK_MAX_MEM	20U
#define MK_MAX_MAP	64U
#define MK_MAX_ACTIVE	32U
#define MK_MEM_ID(i)	(0x80000040U + (i))	/* memory object i */
#define MK_MAP_ID(i)	(0x80000100U + (i))	/* mapping object i */
#define MK_TARGET_ID	0x80000030U	/* returns a memory object */
#define MK_WINDOW	(1ULL << 36)	/* OBJINVOKE_EMU_WINDOW */

struct mk_mem {
	unsigned char *buf;	/* len rounded up, plus one spare page */
	uint64_t len;
	uint32_t perms;
	int refs;		/* the TEE's references */
};

struct mk_map {
	unsigned int mem;
	int refs;		/* 1 when made, 0 once released */
	bool live;		/* the window: until released */
};

/* How the bridge misbehaves, to test the probes' verdicts. */
enum mk_bridge_mode {
	MK_BRIDGE_STRICT,	/* as the UAPI says */
	MK_BRIDGE_LAX,		/* allows everything (a hole) */
	MK_BRIDGE_EPERM,	/* refuses everything with EPERM */
};

/* A map-region answer made malformed on purpose. */
enum mk_answer {
	MK_ANSWER_OK,
	MK_ANSWER_SHORT,	/* 19 bytes */
	MK_ANSWER_NO_PERMS,	/* perms 0 */
	MK_ANSWER_NULL_OO,	/* no mapping object */
};

struct memkernel {
	struct harness *h;
	struct mk_mem mem[MK_MAX_MEM];
	unsigned int n_mem;
	struct mk_map map[MK_MAX_MAP];
	unsigned int n_map;
	/* Live bridge mmaps: which mapping each reaches. */
	struct { void *addr; size_t len; unsigned int map; } active[MK_MAX_ACTIVE];
	unsigned int n_active, max_active;

	enum mk_bridge_mode bridge;
	enum mk_answer answer;
	int32_t non_memory_result;	/* map region of a non-memory ID */
	uint32_t target_returns;	/* what MK_TARGET_ID answers as OO */
	int32_t target_result;

	/* Counters the tests check. */
	unsigned int map_regions, mmaps, write_mmaps, munmaps;
	unsigned int bad_releases;	/* IDs that held no reference */
	unsigned int released_while_mapped;
	unsigned int yields;
};

extern struct memkernel *mk;

struct memkernel *mk_new(struct harness *h);
/* Asserts every reference came back once and every mmap was undone. */
void mk_free(void);

/* A memory object of @len bytes, filled with a pattern; its index. */
unsigned int mk_mem_new(uint64_t len, uint32_t perms);
/* The kernel passes memory object i as an input: one reference more. */
void mk_io(unsigned int io, unsigned int i);
/* h_run(), then the DONE's releases as the kernel processes them. */
int32_t mk_run(void);
/* FNV-1a 64 of bytes, to compare with the service's answers. */
uint64_t mk_fnv(uint64_t h, const void *p, uint64_t len);

#endif /* EMU_TEST_MEMKERNEL_H */
