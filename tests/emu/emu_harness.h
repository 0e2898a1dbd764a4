/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A test bench for the emulator's logic: it plays the kernel's part on the
 * wire without a device.  Tests build a direct invocation with the codec
 * exactly as the kernel would, run emu_dispatch() on it, and read the
 * answer back through the codec's record of what was sent; callbacks the
 * emulator makes are answered by a small model of the kernel's objects
 * (credentials, primordial) or by a test's own responder.
 */
#ifndef EMU_TEST_HARNESS_H
#define EMU_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "call.h"
#include "emu.h"

/* The NW IDs the model kernel hosts. */
#define H_CREDS_ID	0x80000010U	/* a credentials object */
#define H_OTHER_ID	0x80000011U	/* some other NW object */
#define H_IN_CAP	(64U * 1024U)
#define H_MAX_CB	8U

struct harness;

/*
 * Answers one callback request in place, as the kernel would.  @req is the
 * parsed request, or NULL when it did not parse.
 */
typedef void (*h_responder)(struct harness *h, struct qtee_msg *req);

struct harness {
	struct emu emu;
	struct emu_transport tx;
	struct emu_call call;
	struct qtee_msg sent;		/* the invocation as built */
	unsigned char in[H_IN_CAP];
	unsigned char out[EMU_OUTBOUND_SIZE];

	/* The model credentials object's answers. */
	uint32_t uid, gid, pid;
	const char *exe;

	h_responder responder;
	int roundtrip_error;		/* nonzero: the NW "went away" */
	/* Copies of the callback requests as the emulator sent them. */
	unsigned int n_cb;
	unsigned char cb[H_MAX_CB][EMU_OUTBOUND_SIZE];
	uint32_t slept_ms;
};

struct harness *h_new(void);
void h_free(struct harness *h);

/* The default responder: the model kernel's objects. */
void h_kernel_responder(struct harness *h, struct qtee_msg *req);

/* Build a direct invocation; then fill its arguments. */
void h_begin(struct harness *h, uint32_t cxt, uint32_t op, unsigned int bi,
	     unsigned int bo, unsigned int io, unsigned int oo);
void h_bi(struct harness *h, unsigned int i, const void *data, uint32_t len);
void h_bi_u32(struct harness *h, unsigned int i, uint32_t v);
void h_bo(struct harness *h, unsigned int i, uint32_t cap);
void h_io(struct harness *h, unsigned int i, uint32_t id);
/* Dispatch it; returns the answer's result. */
int32_t h_run(struct harness *h);

/* Reading the answer. */
uint32_t h_out_size(struct harness *h, unsigned int bo);
const void *h_out(struct harness *h, unsigned int bo);
uint32_t h_out_u32(struct harness *h, unsigned int bo);
uint32_t h_oo(struct harness *h, unsigned int oo);
/* The IDs of the release messages at the start of the outbound buffer. */
unsigned int h_releases(struct harness *h, uint32_t *ids, unsigned int max);
/* The IDs of the release messages in @buf from @pos on. */
unsigned int h_async_ids(const void *buf, uint32_t pos, uint32_t *ids,
			 unsigned int max);
/* Callback request number i as the emulator sent it, parsed. */
void h_cb_msg(struct harness *h, unsigned int i, struct qtee_msg *m);

/* Whole invocations the tests repeat. */
uint32_t h_register(struct harness *h);		/* -> client env ID */
uint32_t h_open(struct harness *h, uint32_t env, uint32_t uid);
uint32_t h_test_service(struct harness *h);	/* register + open */
uint32_t h_callback_service(struct harness *h);	/* register + open */
int32_t h_call_u32(struct harness *h, uint32_t obj, uint32_t op,
		   uint32_t v);
int32_t h_get_u32(struct harness *h, uint32_t obj, uint32_t op,
		  uint32_t *v);
int32_t h_release(struct harness *h, uint32_t obj);
uint32_t h_live(struct harness *h);		/* objects in the table */
/* The NW references an object's ID holds, straight from the table. */
uint32_t h_nw_refs(struct harness *h, uint32_t id);

#endif /* EMU_TEST_HARNESS_H */
