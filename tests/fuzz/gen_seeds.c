// SPDX-License-Identifier: MIT
/*
 * The seed generator: writes the committed corpus from scratch,
 *
 *     fuzz-seeds DIR        (run-fuzzers.sh --seeds: DIR = tests/fuzz/corpus)
 *
 * one small file per seed in DIR/wire, DIR/emu and DIR/libobject: valid
 * messages and programs that reach each method, answer kind and path of
 * the targets' grammars (emu_prog.h, lib_prog.h), so a short run starts
 * deep instead of rediscovering the formats.  Inputs the fuzzers found
 * and that showed bugs are kept as "regress-*" seeds here too, so that
 * regenerating the corpus never loses them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/objinvoke.h>

#include "ICallbackService.h"
#include "IClientEnv.h"
#include "IFeatureVersion.h"
#include "IMemService.h"
#include "ITestService.h"
#include "emu_prog.h"
#include "fuzz_check.h"
#include "lib_prog.h"
#include "object.h"
#include "qtee_wire.h"

static const char *outdir;

static void save(const char *target, const char *name, struct fz_out *o)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	FZ_CHECK(mkdir(path, 0755) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	FZ_CHECK(f && fwrite(o->buf, 1, o->len, f) == o->len && !fclose(f));
	fz_out_free(o);
}

/* ---- wire: messages as either side writes them ---- */

static void wire_seeds(void)
{
	static uint8_t buf[512];
	uint32_t ids[3] = { 0x80000005, 0x80000006, 0x80000007 }, pos;
	struct fz_out o = { 0 };
	struct qtee_msg m;
	void *p;

	/* A direct invocation with every kind of argument. */
	memset(buf, 0, sizeof(buf));
	FZ_CHECK(!qtee_msg_init(&m, buf, sizeof(buf), QTEE_MSG_INVOKE, 3, 0,
				QTEE_COUNTS(2U, 1U, 1U, 1U)));
	FZ_CHECK(!qtee_msg_add_buf(&m, 0, 3, &p));
	memcpy(p, "abc", 3);
	FZ_CHECK(!qtee_msg_add_buf(&m, 1, 5, &p));
	FZ_CHECK(!qtee_msg_add_buf(&m, 2, 16, &p));
	qtee_msg_set_obj(&m, 3, ids[0]);
	fz_put(&o, buf, m.end);
	save("wire", "invoke-all-kinds", &o);

	/* A callback request, answered (output shrunk), releases behind. */
	memset(buf, 0, sizeof(buf));
	FZ_CHECK(!qtee_msg_init(&m, buf, sizeof(buf), QTEE_MSG_CALLBACK,
				QTEE_OBJ_PRIMORDIAL, 0,
				QTEE_COUNTS(0U, 1U, 1U, 1U)));
	FZ_CHECK(!qtee_msg_add_buf(&m, 0, 20, &p));
	qtee_msg_set_obj(&m, 1, ids[1]);
	qtee_msg_write_out_size(&m, 0, 12);
	pos = qtee_async_start(&m);
	FZ_CHECK(!qtee_async_put_release(buf, sizeof(buf), &pos, ids, 3));
	fz_put(&o, buf, pos);
	save("wire", "callback-with-releases", &o);

	/* Async messages alone, as at the start of a DONE's outbound. */
	memset(buf, 0, sizeof(buf));
	pos = 0;
	FZ_CHECK(!qtee_async_put_release(buf, sizeof(buf), &pos, ids, 1));
	FZ_CHECK(!qtee_async_put_release(buf, sizeof(buf), &pos, ids, 3));
	fz_put(&o, buf, pos + 8);
	save("wire", "async-releases", &o);

	/* The shape half: a callback of 15 of each kind in 2047 bytes. */
	fz_put_u8(&o, 1);
	fz_put_u16(&o, 0xffff);
	fz_put_u16(&o, 2047);
	for (pos = 0; pos < 60; pos++)
		fz_put_u8(&o, (uint8_t)(pos * 3));
	save("wire", "shape-full", &o);

	/* An invocation with nothing but its header. */
	memset(buf, 0, sizeof(buf));
	FZ_CHECK(!qtee_msg_init(&m, buf, sizeof(buf), QTEE_MSG_INVOKE, 1, 5, 0));
	fz_put(&o, buf, m.end);
	save("wire", "invoke-header-only", &o);
}

/* ---- emu: programs (emu_prog.h) ---- */

static void model(struct fz_out *o, unsigned int n)
{
	while (n--)
		fz_put_u8(o, EP_MODEL);
}

/* struct IMemService_range, little-endian. */
static const uint8_t *range(uint64_t off, uint64_t len, uint32_t byte)
{
	static uint8_t le[24];
	unsigned int i;

	for (i = 0; i < 8; i++) {
		le[i] = (uint8_t)(off >> 8 * i);
		le[8 + i] = (uint8_t)(len >> 8 * i);
	}
	for (i = 0; i < 4; i++) {
		le[16 + i] = (uint8_t)(byte >> 8 * i);
		le[20 + i] = 0;
	}
	return le;
}

/* A call with one input buffer @bi (may be NULL), @nbo outputs of @cap. */
static void call(struct fz_out *o, uint32_t cxt, uint32_t op,
		 const void *bi, uint32_t len, unsigned int nbo, uint32_t cap,
		 const uint32_t *io, unsigned int nio, unsigned int noo)
{
	struct ep_call c = { .cxt = cxt, .op = op, .nbi = bi ? 1 : 0,
			     .nbo = nbo, .nio = nio, .noo = noo };
	unsigned int i;

	c.bi[0].ptr = bi;
	c.bi[0].len = len;
	for (i = 0; i < nbo; i++)
		c.bo[i] = cap;
	for (i = 0; i < nio; i++)
		c.io[i] = io[i];
	ep_put_call(o, &c);
}

static void emu_testsvc_seeds(void)
{
	static const uint32_t ab[2] = { 2, 40 }, yield[2] = { 1, 0 },
			      sleep[2] = { 2, 5 };
	uint32_t io[2] = { EP_OBJ_ID, EP_TESTSVC_ID }, counter = 7, f;
	struct fz_out o = { 0 };
	char name[64];
	struct ep_call mirror = {
		.cxt = EP_TESTSVC_ID, .op = ITestService_OP_mirror,
		.nbi = 2, .nbo = 2, .nio = 2, .noo = 2,
		.bi = { { "one", 3 }, { "two!", 4 } }, .bo = { 8, 2 },
		.io = { EP_OBJ_ID, EP_TESTSVC_ID },
	};

	call(&o, EP_TESTSVC_ID, ITestService_OP_echo, "hello", 5, 1, 16, NULL,
	     0, 0);
	call(&o, EP_TESTSVC_ID, ITestService_OP_add, ab, 8, 1, 4, NULL, 0, 0);
	ep_put_call_u32(&o, EP_TESTSVC_ID, ITestService_OP_fail, 10, 0);
	save("emu", "testsvc-echo-add-fail", &o);

	ep_put_call_u32(&o, EP_TESTSVC_ID, ITestService_OP_newCounter, 7, 1);
	call(&o, EP_TESTSVC_ID, ITestService_OP_readCounter, NULL, 0, 1, 4,
	     &counter, 1, 0);
	call(&o, EP_TESTSVC_ID, ITestService_OP_liveObjects, NULL, 0, 1, 4,
	     NULL, 0, 0);
	call(&o, EP_TESTSVC_ID, ITestService_OP_whoami, NULL, 0, 2, 256, NULL,
	     0, 0);
	save("emu", "testsvc-counter-whoami", &o);

	call(&o, EP_TESTSVC_ID, ITestService_OP_primordial, yield, 8, 0, 0,
	     NULL, 0, 0);
	model(&o, 1);
	call(&o, EP_TESTSVC_ID, ITestService_OP_primordial, sleep, 8, 0, 0,
	     NULL, 0, 0);
	model(&o, 1);
	ep_put_call_u32(&o, EP_TESTSVC_ID, ITestService_OP_delay, 20000, 0);
	save("emu", "testsvc-primordial-delay", &o);

	ep_put_call(&o, &mirror);
	call(&o, EP_TESTSVC_ID, ITestService_OP_mirror, NULL, 0, 0, 0, io, 2,
	     0);
	save("emu", "testsvc-mirror", &o);

	/* Each fault, armed and then hit by add (or newCounter). */
	for (f = 1; f <= ITestService_FAULT_MAX; f++) {
		ep_put_call_u32(&o, EP_TESTSVC_ID, ITestService_OP_injectFault,
				f, 0);
		if (f == ITestService_FAULT_OUT_UNKNOWN_NS_OBJ)
			ep_put_call_u32(&o, EP_TESTSVC_ID,
					ITestService_OP_newCounter, 1, 1);
		else
			call(&o, EP_TESTSVC_ID, ITestService_OP_add, ab, 8, 1,
			     4, io, f == ITestService_FAULT_ASYNC_GARBAGE, 0);
		if (f >= ITestService_FAULT_CB_BAD_COUNTS &&
		    f <= ITestService_FAULT_CB_UNKNOWN_OBJ)
			model(&o, 1);	/* their malformed callback */
		snprintf(name, sizeof(name), "testsvc-fault-%u", f);
		save("emu", name, &o);
	}
}

static void emu_env_seeds(void)
{
	uint32_t creds = EP_CREDS_ID;
	struct fz_out o = { 0 };

	call(&o, QTEE_OBJ_ROOT, IRootObject_OP_registerWithCredentials, NULL,
	     0, 0, 0, &creds, 1, 1);
	model(&o, 2);
	ep_put_call_u32(&o, EP_ENV_ID, IClientEnv_OP_open, 0x1234, 1);
	ep_put_call_u32(&o, EP_FEATVER_ID, IFeatureVersion_OP_get, 1, 0);
	call(&o, EP_FEATVER_ID, IFeatureVersion_OP_get, "\1\0\0\0", 4, 1, 4,
	     NULL, 0, 0);
	call(&o, EP_FEATVER_ID, IFeatureVersion_OP_qteeVersion, NULL, 0, 1, 4,
	     NULL, 0, 0);
	save("emu", "env-register-open-featver", &o);

	/* The NW lets go of and takes again what it holds. */
	call(&o, EP_ENV_ID, QTEE_OP_RETAIN, NULL, 0, 0, 0, NULL, 0, 0);
	call(&o, EP_ENV_ID, QTEE_OP_RELEASE, NULL, 0, 0, 0, NULL, 0, 0);
	call(&o, EP_TESTSVC_ID, QTEE_OP_RELEASE, NULL, 0, 0, 0, NULL, 0, 0);
	call(&o, EP_TESTSVC_ID, QTEE_OP_RELEASE, NULL, 0, 0, 0, NULL, 0, 0);
	call(&o, QTEE_OBJ_ROOT, QTEE_OP_RELEASE, NULL, 0, 0, 0, NULL, 0, 0);
	save("emu", "release-retain", &o);

	/* Credentials answered by hand: a long path, then the NW gone. */
	call(&o, QTEE_OBJ_ROOT, IRootObject_OP_registerWithCredentials, NULL,
	     0, 0, 0, &creds, 1, 1);
	model(&o, 1);
	fz_put_u8(&o, EP_GENERIC);
	fz_put_u32(&o, (uint32_t)QTEE_ERROR_SIZE_OUT);
	fz_put_u32(&o, 0);
	call(&o, QTEE_OBJ_ROOT, IRootObject_OP_registerWithCredentials, NULL,
	     0, 0, 0, &creds, 1, 1);
	fz_put_u8(&o, EP_GONE);
	save("emu", "register-answers", &o);

	/* Not a message at all; then a message too short for its args. */
	fz_put_u16(&o, 5);
	fz_put(&o, "junk!", 5);
	fz_put_u16(&o, 16);
	fz_put_u32(&o, EP_TESTSVC_ID);
	fz_put_u32(&o, 0);
	fz_put_u32(&o, QTEE_COUNTS(3U, 0U, 0U, 0U));
	fz_put_u32(&o, 0);
	save("emu", "unparsable", &o);
}

static void emu_callback_seeds(void)
{
	uint32_t target = EP_OBJ_ID, two[2] = { EP_OBJ_ID, EP_TESTSVC_ID };
	uint8_t op[4] = { 5 };
	struct fz_out o = { 0 };
	struct ep_call bufs = {
		.cxt = EP_CBSVC_ID, .op = ICallbackService_OP_callBufs,
		.nbi = 2, .nbo = 1, .nio = 1,
		.bi = { { op, 4 }, { "ping", 4 } }, .bo = { 32 },
		.io = { EP_OBJ_ID },
	};
	struct ep_call kept = {
		.cxt = EP_CBSVC_ID, .op = ICallbackService_OP_callKept,
		.nbi = 2, .nbo = 1, .bi = { { op, 4 }, { "kept", 4 } },
		.bo = { 16 },
	};

	call(&o, EP_CBSVC_ID, ICallbackService_OP_call, op, 4, 0, 0, &target,
	     1, 0);
	model(&o, 1);
	ep_put_call(&o, &bufs);
	model(&o, 1);
	save("emu", "cbsvc-call-bufs", &o);

	/* Answered by hand: an object back, then a grown output. */
	call(&o, EP_CBSVC_ID, ICallbackService_OP_callObjects, op, 4, 0, 0,
	     two, 2, 1);
	fz_put_u8(&o, EP_GENERIC);
	fz_put_u32(&o, 0);
	fz_put_u32(&o, EP_OBJ_ID + 1);
	ep_put_call(&o, &bufs);
	fz_put_u8(&o, EP_GENERIC);
	fz_put_u32(&o, 0);
	fz_put_u32(&o, 33);
	save("emu", "cbsvc-generic-answers", &o);

	/* Keep, call the kept one (dropped meanwhile by another thread). */
	call(&o, EP_CBSVC_ID, ICallbackService_OP_keep, NULL, 0, 0, 0, &target,
	     1, 0);
	ep_put_call(&o, &kept);
	model(&o, 1);
	ep_put_call(&o, &kept);
	fz_put_u8(&o, EP_NESTED);
	call(&o, EP_CBSVC_ID, ICallbackService_OP_dropKept, NULL, 0, 0, 0, NULL,
	     0, 0);
	model(&o, 1);
	ep_put_call(&o, &kept);
	save("emu", "cbsvc-keep-nested-drop", &o);

	/* A raw answer over the request, and a round trip that fails. */
	call(&o, EP_CBSVC_ID, ICallbackService_OP_call, op, 4, 0, 0, &target,
	     1, 0);
	fz_put_u8(&o, EP_RAW);
	fz_put_u16(&o, 4);
	fz_put_u32(&o, (uint32_t)QTEE_ERROR_BUSY);
	call(&o, EP_CBSVC_ID, ICallbackService_OP_call, op, 4, 0, 0, &target,
	     1, 0);
	fz_put_u8(&o, EP_GONE);
	save("emu", "cbsvc-raw-gone", &o);
}

static void emu_mem_seeds(void)
{
	uint32_t mem[3] = { EP_MEM_ID, EP_MEM_ID + 1, EP_MEM_ID + 2 }, p;
	uint32_t target = EP_OBJ_ID;
	uint8_t op[4] = { 1 };
	struct fz_out o = { 0 };
	char name[64];

	call(&o, EP_MEMSVC_ID, IMemService_OP_fill, range(8, 100, 0x5a), 24,
	     0, 0, mem, 1, 0);
	ep_put_map(&o, 4096, 0);
	call(&o, EP_MEMSVC_ID, IMemService_OP_hash, range(0, 4096, 0), 24, 1,
	     8, mem, 1, 0);
	ep_put_map(&o, 4096, QTEE_PERM_READ);
	call(&o, EP_MEMSVC_ID, IMemService_OP_copy, range(0, 64, 0), 24, 0, 0,
	     mem, 2, 0);
	ep_put_map(&o, 100, 0);
	ep_put_map(&o, 200, 0);
	save("emu", "memsvc-fill-hash-copy", &o);

	call(&o, EP_MEMSVC_ID, IMemService_OP_keep, NULL, 0, 0, 0, mem, 1, 0);
	ep_put_map(&o, 5000, 0);
	call(&o, EP_MEMSVC_ID, IMemService_OP_hashKept, range(0, 5000, 0), 24,
	     1, 8, NULL, 0, 0);
	call(&o, EP_MEMSVC_ID, IMemService_OP_fillKept, range(1, 10, 7), 24, 0,
	     0, NULL, 0, 0);
	call(&o, EP_MEMSVC_ID, IMemService_OP_dropKept, NULL, 0, 0, 0, NULL, 0,
	     0);
	save("emu", "memsvc-kept", &o);

	call(&o, EP_MEMSVC_ID, IMemService_OP_hashMany, NULL, 0, 1, 8, mem, 3,
	     0);
	ep_put_map(&o, 10, 0);
	ep_put_map(&o, 0, 0);
	ep_put_map(&o, 4097, QTEE_PERM_READ);
	call(&o, EP_MEMSVC_ID, IMemService_OP_mapInfo, NULL, 0, 1, 24, mem, 1,
	     0);
	ep_put_map(&o, 300, 0);
	call(&o, EP_MEMSVC_ID, IMemService_OP_giveBack, NULL, 0, 0, 0, mem, 1,
	     1);
	call(&o, EP_MEMSVC_ID, IMemService_OP_hashFromCallback, op, 4, 1, 8,
	     &target, 1, 0);
	model(&o, 1);
	ep_put_map(&o, 64, 0);
	call(&o, EP_MEMSVC_ID, IMemService_OP_hashBuffer, range(2, 3, 0), 24,
	     1, 8, NULL, 0, 0);
	save("emu", "memsvc-many-info-giveback", &o);

	/* Each probe; the read-only one on a read-only region. */
	for (p = IMemService_PROBE_WRITE_READONLY;
	     p <= IMemService_PROBE_TOUCH_DURING_RELEASE; p++) {
		uint8_t le[4] = { (uint8_t)p };

		call(&o, EP_MEMSVC_ID, IMemService_OP_probe, le, 4, 0, 0, mem,
		     1, 0);
		ep_put_map(&o, 8192, p == IMemService_PROBE_WRITE_READONLY ?
			   QTEE_PERM_READ : 0);
		if (p >= IMemService_PROBE_AFTER_UNMAP)
			model(&o, 1);	/* the yield that releases */
		snprintf(name, sizeof(name), "memsvc-probe-%u", p);
		save("emu", name, &o);
	}
}

/* ---- libobject: programs (lib_prog.h) ---- */

/* A call: op, counts, flags (its arguments' bytes follow). */
static void lp_call_body(struct fz_out *o, uint32_t op, ObjectCounts k,
			 uint8_t flags)
{
	fz_put_u32(o, op);
	fz_put_u16(o, (uint16_t)k);
	fz_put_u8(o, flags);
}

/* The same as a step of the program. */
static void lp_call(struct fz_out *o, uint32_t op, ObjectCounts k,
		    uint8_t flags)
{
	fz_put_u8(o, LP_CALL);
	lp_call_body(o, op, k, flags);
}

/* DONE with @result and @nbo output sizes of @size (no objects). */
static void lp_done(struct fz_out *o, int32_t result, unsigned int nbo,
		    uint32_t size)
{
	fz_put_u8(o, LP_DONE);
	fz_put_u32(o, (uint32_t)result);
	while (nbo--)
		fz_put_u32(o, size);
}

/* Nothing waits on the server (the drain after every invocation). */
static void lp_idle(struct fz_out *o)
{
	fz_put_u8(o, LP_RECV_NONE);
}

/* A call @op passing local object @i, exported as @export answers. */
static void lp_pass_local(struct fz_out *o, uint32_t op, uint8_t i,
			  uint8_t export)
{
	lp_call(o, op, ObjectCounts_pack(0, 0, 1, 0), 0);
	fz_put_u8(o, LP_OBJ_LOCAL + i);
	fz_put_u8(o, export);
}

/* A call passing local object 0, registered (SERVER_ADD granted). */
static void lp_register(struct fz_out *o)
{
	lp_pass_local(o, 1, 0, LP_ADD_OK);
	lp_done(o, 0, 0, 0);
	lp_idle(o);
}

/* A request head: @kind to registration @target, @op, @k, @flags. */
static void lp_request(struct fz_out *o, uint8_t kind, uint8_t target,
		       uint32_t op, ObjectCounts k, uint8_t flags)
{
	fz_put_u8(o, kind);
	fz_put_u8(o, target);
	fz_put_u32(o, op);
	fz_put_u16(o, (uint16_t)k);
	fz_put_u8(o, flags);
}

static void lp_fd(struct fz_out *o, uint8_t kind, uint8_t flags)
{
	fz_put_u8(o, kind);
	fz_put_u8(o, flags);
}

/* Registration 0, then a request to it (op 0, @k) waiting on the queue. */
static void lp_queued(struct fz_out *o, ObjectCounts k)
{
	lp_register(o);
	fz_put_u8(o, LP_PENDING);
	fz_put_u8(o, LP_RECV_REQUEST);
	lp_request(o, OBJINVOKE_REQUEST_INVOKE, 0, 0, k, 0);
}

/* The reply to a request from the queue, and the next one coming. */
static void lp_reply_next(struct fz_out *o)
{
	fz_put_u8(o, LP_REPLY_OK);
	fz_put_u8(o, LP_RECV_REQUEST);
}

static void lib_call_seeds(void)
{
	struct fz_out o = { 0 };

	lp_call(&o, 1, ObjectCounts_pack(1, 1, 0, 0), 0);
	fz_put_u8(&o, 4);
	fz_put_u8(&o, 8);
	lp_done(&o, 0, 1, 4);
	lp_idle(&o);
	lp_call(&o, 2, ObjectCounts_pack(0, 1, 0, 0), 0);
	fz_put_u8(&o, 8);
	lp_done(&o, 12, 1, 4);
	lp_idle(&o);
	save("libobject", "call-buffers", &o);

	lp_call(&o, 3, ObjectCounts_pack(0, 0, 0, 2), 0);
	lp_done(&o, 0, 0, 0);
	lp_fd(&o, LP_FD_OBJECT, 0);
	lp_fd(&o, LP_FD_MEMFD, OBJINVOKE_ARG_MEMORY);
	lp_idle(&o);
	fz_put_u8(&o, LP_DROP);
	fz_put_u8(&o, 0);
	lp_call(&o, 4, ObjectCounts_pack(0, 0, 1, 0), 0);
	fz_put_u8(&o, LP_OBJ_HELD);
	lp_done(&o, 0, 0, 0);
	lp_idle(&o);
	save("libobject", "call-out-objects", &o);

	/* Answers the library must refuse: a grown size, a bad fd. */
	lp_call(&o, 5, ObjectCounts_pack(0, 1, 0, 2), 0);
	fz_put_u8(&o, 4);
	lp_done(&o, 0, 1, 8);
	lp_fd(&o, LP_FD_OBJECT, 0);
	lp_fd(&o, LP_FD_RAW, 0);
	fz_put_u32(&o, 5);
	lp_idle(&o);
	lp_call(&o, 5, ObjectCounts_pack(0, 0, 0, 1), 0);
	lp_done(&o, 0, 0, 0);
	lp_fd(&o, LP_FD_OBJECT, OBJINVOKE_ARG_MEMORY);
	lp_idle(&o);
	save("libobject", "call-bad-answers", &o);

	/* Refused before the kernel: counts, a NULL buffer, 5 MiB. */
	lp_call(&o, 6, 0, LP_CALL_UPPER);
	lp_call(&o, 6, ObjectCounts_pack(1, 0, 0, 0), 0);
	fz_put_u8(&o, LP_BI_NULL);
	lp_call(&o, 6, ObjectCounts_pack(0, 1, 0, 0), 0);
	fz_put_u8(&o, LP_BO_HUGE);
	lp_call(&o, 6, ObjectCounts_pack(1, 0, 0, 0), LP_CALL_NOARGS);
	lp_call(&o, ObjectOp_LOCAL | 7, 0, 0);
	save("libobject", "call-refused", &o);

	/* The kernel's errors, and a state it never writes. */
	lp_call(&o, 8, 0, 0);
	fz_put_u8(&o, LP_ERRNO);
	fz_put_u8(&o, 9);	/* ELOOP */
	lp_idle(&o);
	lp_call(&o, 8, 0, 0);
	fz_put_u8(&o, LP_STATE);
	fz_put_u32(&o, 7);
	lp_idle(&o);
	save("libobject", "call-errors", &o);

	/* The libobject fuzzer's finds, as it found them.  A state of 2 in
	 * INVOKE's answer was taken as DONE (lib/invoke.c)... */
	fz_put(&o, "\xf6\x02\x3a\x02\x3c\x00\x00\x00\xef", 9);
	save("libobject", "regress-state-from-invoke", &o);
	/* ...and a SERVER_ADD fd beside handle 0 was leaked (lib/local.c). */
	fz_put(&o, "\x00\x02\x00\x02\x50\x00\x01\x00\x02\x50", 10);
	save("libobject", "regress-add-handle-zero", &o);
}

/*
 * The third (lib/local.c): SERVER_GET failing with ESHUTDOWN (DEFUNCT,
 * like ENOENT's detach) registered the Object a second time, an entry
 * the tree never took but later removed, emptying the tree under the
 * others.  The fuzzer's input, minimised.
 */
static void lib_regress_get_defunct(void)
{
	static const char found[] =
		"\x00\x14\x00\x01\x00\x00\x07\x00\x03\x03\x03\xd2"
		"\x2b\xd2\xd2\xd2\x12\xd2\x00\x12\x00\x00\x00\x34"
		"\x01\x00\x00\x3c\x00\x05\x00\x00\x04\x00\x10\x00"
		"\x00\x02\x00\x00\x00\x00\x00\x00\x01\x02\x01\x00"
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\xed\x00"
		"\x00\x04\x00\x04";
	struct fz_out o = { 0 };

	fz_put(&o, found, sizeof(found) - 1);
	save("libobject", "regress-get-defunct", &o);
}

static void lib_export_seeds(void)
{
	struct fz_out o = { 0 };

	lp_register(&o);
	/* Again: SERVER_GET; again: ENOENT, so registered anew. */
	lp_call(&o, 1, ObjectCounts_pack(0, 0, 2, 0), 0);
	fz_put_u8(&o, LP_OBJ_LOCAL);
	fz_put_u8(&o, LP_OBJ_LOCAL + 1);
	fz_put_u8(&o, LP_GET_OK);
	fz_put_u8(&o, LP_ADD_OK);
	lp_done(&o, 0, 0, 0);
	lp_idle(&o);
	lp_pass_local(&o, 1, 0, LP_GET_ENOENT);
	fz_put_u8(&o, LP_ADD_OK);
	lp_done(&o, 0, 0, 0);
	lp_idle(&o);
	/* Refused registrations. */
	lp_pass_local(&o, 1, 2, LP_ADD_BAD);
	fz_put_u8(&o, 1);
	fz_put_u32(&o, 0);
	lp_pass_local(&o, 1, 3, LP_ADD_ERRNO);
	fz_put_u8(&o, 0);
	save("libobject", "export-get-enoent", &o);
}

static void lib_serve_seeds(void)
{
	struct fz_out o = { 0 };

	/* A request for the invoking thread, every kind of argument. */
	lp_register(&o);
	lp_pass_local(&o, 2, 0, LP_GET_OK);
	fz_put_u8(&o, LP_REQUEST);
	lp_request(&o, OBJINVOKE_REQUEST_INVOKE, 0, 3,
		   ObjectCounts_pack(1, 1, 1, 2), 0);
	fz_put_u16(&o, 5);
	fz_put_u8(&o, LP_WHERE_BUF);
	fz_put_u16(&o, 16);
	lp_fd(&o, LP_FD_OBJECT, 0);
	fz_put_u8(&o, LP_LOCAL_KEEP);	/* the local object's answer */
	fz_put_u16(&o, 5);
	fz_put_u8(&o, LP_OBJ_LOCAL + 1);
	fz_put_u8(&o, LP_OBJ_TARGET);
	fz_put_u8(&o, LP_ADD_OK);	/* exporting its output */
	fz_put_u8(&o, LP_REPLY_OK);
	lp_done(&o, 0, 0, 0);		/* carried on: done */
	lp_idle(&o);
	save("libobject", "serve-same-thread", &o);

	/* From the queue: a request, one that needs a bigger buffer, a
	 * release, an unknown kind, malformed ones. */
	lp_queued(&o, ObjectCounts_pack(1, 0, 1, 0));
	fz_put_u16(&o, 6000);
	fz_put_u8(&o, LP_WHERE_BUF);
	lp_fd(&o, LP_FD_MEMFD, OBJINVOKE_ARG_MEMORY);
	fz_put_u8(&o, LP_LOCAL_FAIL);
	fz_put_u32(&o, 11);
	lp_reply_next(&o);
	lp_request(&o, 9, 0, 0, 0, LP_REQ_ID);
	lp_reply_next(&o);
	lp_request(&o, OBJINVOKE_REQUEST_INVOKE, 0, 0,
		   ObjectCounts_pack(1, 0, 0, 0), 0);
	fz_put_u16(&o, 3);
	fz_put_u8(&o, LP_WHERE_PAST);
	lp_reply_next(&o);
	lp_request(&o, OBJINVOKE_REQUEST_INVOKE, 1, 0, 0, 0);
	lp_reply_next(&o);
	lp_request(&o, OBJINVOKE_REQUEST_RELEASE, 0, 0, 0, 0);
	lp_idle(&o);
	save("libobject", "serve-queue", &o);

	/* A local object that calls out in the middle of its request. */
	lp_queued(&o, ObjectCounts_pack(0, 1, 0, 0));
	fz_put_u16(&o, 4);
	fz_put_u8(&o, LP_LOCAL_NESTED);
	lp_call_body(&o, 9, ObjectCounts_pack(0, 0, 1, 0), 0);
	fz_put_u8(&o, LP_OBJ_LOCAL);
	fz_put_u8(&o, LP_GET_OK);
	fz_put_u8(&o, LP_REQUEST);
	lp_request(&o, OBJINVOKE_REQUEST_INVOKE, 0, 1, 0, 0);
	fz_put_u8(&o, 0);		/* the inner request: OK */
	fz_put_u8(&o, LP_REPLY_ERRNO_ON);
	fz_put_u8(&o, 3);
	lp_done(&o, 0, 0, 0);
	lp_idle(&o);
	fz_put_u16(&o, 6);		/* the outer one writes 6 of 4 */
	fz_put_u8(&o, LP_REPLY_OK);
	lp_idle(&o);
	save("libobject", "serve-nested", &o);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	FZ_CHECK(mkdir(outdir, 0755) == 0 || errno == EEXIST);
	wire_seeds();
	emu_testsvc_seeds();
	emu_env_seeds();
	emu_callback_seeds();
	emu_mem_seeds();
	lib_call_seeds();
	lib_regress_get_defunct();
	lib_export_seeds();
	lib_serve_seeds();
	return 0;
}
