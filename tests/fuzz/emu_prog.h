/* SPDX-License-Identifier: MIT */
/*
 * The emulator target's input, a program of invocations and answers
 * (docs/fuzzing.md has the grammar with examples):
 *
 *   program    = invocation*
 *   invocation = u16 len, len bytes       the inbound message, as the
 *                                         kernel would hand it over
 *   answer     = u8 kind, ...             one per callback request the
 *                                         emulator makes, read when it
 *                                         makes it
 *
 * Answer kinds (the byte modulo EP_NKINDS):
 *
 *   EP_MODEL    the model kernel's own answer (emu_nw.c); a map region
 *               takes u16 length and u8 perms (0: read-write)
 *   EP_GENERIC  s32 result; per output buffer u32 size and that many
 *               payload bytes (at most what was reserved); per output
 *               object u32 ID
 *   EP_RAW      u16 n and n bytes written over the outbound buffer from
 *               offset 0: a kernel that scribbles
 *   EP_NESTED   an invocation run on another secure thread while this
 *               callback waits, then another answer for this callback
 *   EP_GONE     the device fails the round trip (the NW went away)
 *
 * An input that runs out reads as zeros: EP_MODEL answers, and no more
 * invocations.
 *
 * Every input starts from the same state, built by a fixed program run
 * first: a client environment and one object of each service, at the IDs
 * below (the table hands IDs out from 2, in order).
 */
#ifndef EMU_PROG_H
#define EMU_PROG_H

#include <stdint.h>

#include "fuzz_bytes.h"

enum ep_kind {
	EP_MODEL,
	EP_GENERIC,
	EP_RAW,
	EP_NESTED,
	EP_GONE,
	EP_NKINDS
};

/* The set-up's objects. */
#define EP_ENV_ID	2U
#define EP_TESTSVC_ID	3U
#define EP_CBSVC_ID	4U
#define EP_MEMSVC_ID	5U
#define EP_FEATVER_ID	6U

/* The model kernel's NW objects. */
#define EP_CREDS_ID	0x80000010U	/* a credentials object */
#define EP_OBJ_ID	0x80000020U	/* a process's object: echoes */
#define EP_MEM_ID	0x80000040U	/* memory objects: EP_MEM_ID + 0..15 */
#define EP_MEM_COUNT	16U
#define EP_MAP_ID	0xc0000000U	/* mapping objects it hands out */

/* A direct invocation, built with the codec like the kernel does. */
#define EP_MAX_KIND	4
struct ep_call {
	uint32_t cxt, op;
	unsigned int nbi, nbo, nio, noo;
	struct {
		const void *ptr;
		uint32_t len;
	} bi[EP_MAX_KIND];
	uint32_t bo[EP_MAX_KIND];	/* bytes reserved */
	uint32_t io[EP_MAX_KIND];
};

void ep_put_call(struct fz_out *o, const struct ep_call *c);
/* A call of one u32 input buffer and @noo output objects. */
void ep_put_call_u32(struct fz_out *o, uint32_t cxt, uint32_t op,
		     uint32_t v, unsigned int noo);
/* The fixed program every input starts with (the objects above). */
void ep_put_setup(struct fz_out *o);
/* The model's answer to a map region: @len bytes, @perms (0: RW). */
void ep_put_map(struct fz_out *o, uint16_t len, uint8_t perms);

#endif /* EMU_PROG_H */
