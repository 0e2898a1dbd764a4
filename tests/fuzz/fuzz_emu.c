// SPDX-License-Identifier: MIT
/*
 * The emulator's message parsing and dispatch (emu/) against arbitrary
 * programs: the libFuzzer target `emu` (docs/fuzzing.md).
 *
 * An input is a program (emu_prog.h): inbound invocations, each run
 * through emu_dispatch() as a secure thread runs what the device hands it,
 * and the answers to every callback request the emulator makes on the
 * way, played by a model of the kernel (emu_nw.c).  Each input starts
 * from a fresh emulator holding one object of each service, so a few
 * bytes reach any method's argument checks.
 *
 * Besides ASan and UBSan, what must hold:
 * - a DONE answer rewrites the inbound message only where answers go
 *   (output sizes and objects, and only on success), never grows an
 *   output, names only NW objects the TEE holds and TEE objects that
 *   exist (each gives the NW a reference);
 * - a message that does not parse is answered INVALID;
 * - a callback request parses and goes to an NW object the TEE holds;
 *   its input objects are held NW objects or existing TEE objects;
 * - async releases are well formed and give back only references the
 *   TEE holds (emu_nw.c); the bridge maps only live windows, within their
 *   length and perms, and every mapping is undone before its mapping
 *   object's release;
 * - RELEASE and RETAIN succeed exactly when the NW holds a reference;
 * - at the end, once the NW let go of everything: the table is empty
 *   and every NW reference came back exactly once.
 * The test service's faults break answers on purpose (docs/emulator.md);
 * a wrapper of emu_testsvc_take_fault() tells which invocation took one,
 * and only the checks that fault defeats are waived for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ITestService.h"
#include "dispatch.h"
#include "emu_nw.h"
#include "emu_prog.h"
#include "fault.h"
#include "fuzz_check.h"
#include "log.h"

/* Nested invocations one callback chain may hold (secure threads). */
#define EP_MAX_DEPTH	4U

/* One invocation on its secure thread, and the kernel's record of it. */
struct ep_ctx {
	struct nw *nw;
	struct fz_in *prog;
	unsigned int depth;
	struct emu_transport tx;
	struct emu_call call;
	uint8_t *in;		/* exactly in_size bytes: ASan sees the end */
	uint8_t *sent;		/* the message as handed over */
	uint32_t in_size;
	struct qtee_msg msg;	/* as the kernel built it (buf: sent) */
	bool parsed;
	uint32_t fault;		/* the fault this invocation took */
	bool lost;		/* a round trip failed: no COMPLETE */
	uint8_t out[EMU_OUTBOUND_SIZE];
};

/* The innermost invocation running, for the fault wrapper. */
static struct ep_ctx *running;

uint32_t __real_emu_testsvc_take_fault(struct emu_obj *o);
uint32_t __wrap_emu_testsvc_take_fault(struct emu_obj *o);
int __wrap_usleep(useconds_t us);

uint32_t __wrap_emu_testsvc_take_fault(struct emu_obj *o)
{
	uint32_t fault = __real_emu_testsvc_take_fault(o);

	if (running)
		running->fault = fault;
	return fault;
}

/* The TOUCH_DURING_RELEASE probe waits 200 ms for a fault to start. */
int __wrap_usleep(useconds_t us)
{
	(void)us;
	return 0;
}

static void run_invocation(struct nw *nw, struct fz_in *prog,
			   unsigned int depth);

/* A TEE object that exists (the NW is about to hold a reference). */
static void check_tee_object(struct nw *nw, uint32_t id)
{
	struct emu_obj *o = emu_obj_get(&nw->emu.table, id);

	FZ_CHECK(o);
	emu_obj_put(o);
}

static void answer_generic(struct qtee_msg *req, struct fz_in *prog)
{
	unsigned int c = req->counts, i;
	int32_t result = (int32_t)fz_u32(prog);
	uint32_t size;
	size_t got;
	const uint8_t *p;

	for (i = QTEE_IDX_BO(c); i < qtee_idx_io(c); i++) {
		size = fz_u32(prog);
		p = fz_take(prog, size < req->len[i] ? size : req->len[i], &got);
		memcpy(qtee_msg_payload(req, i), p, got);
		qtee_msg_write_out_size(req, i, size);
	}
	for (i = qtee_idx_oo(c); i < qtee_num_args(c); i++)
		qtee_msg_set_obj(req, i, fz_u32(prog));
	qtee_msg_set_result(req, result);
}

static void answer_raw(struct qtee_msg *req, struct fz_in *prog)
{
	size_t n = fz_u16(prog), got;
	const uint8_t *p = fz_take(prog, n < req->cap ? n : req->cap, &got);

	memcpy(req->buf, p, got);
}

/*
 * Take hold of what the request names, then its tail's releases (the
 * kernel's order); false when the target is no object the TEE holds.
 */
static bool take_request(struct ep_ctx *x, struct qtee_msg *req)
{
	unsigned int c = req->counts, i;
	bool live = nw_live(x->nw, req->cxt);
	uint32_t id;

	FZ_CHECK(req->cxt & QTEE_OBJ_NS_BIT);
	FZ_CHECK(live || x->fault);
	for (i = qtee_idx_io(c); i < qtee_idx_oo(c); i++) {
		id = qtee_msg_get_obj(req, i);
		if (id & QTEE_OBJ_NS_BIT) {
			FZ_CHECK(nw_live(x->nw, id));
		} else if (id > QTEE_OBJ_ROOT) {
			check_tee_object(x->nw, id);
			nw_tee_get(x->nw, id);
		}
	}
	nw_take_releases(x->nw, req->buf, req->cap, qtee_async_start(req),
			 x->fault != 0);
	if (!live)
		qtee_msg_set_result(req, QTEE_ERROR_BADOBJ);
	return live;
}

/* The device's round trip: the program answers the request in place. */
static int roundtrip(void *priv, void *outbound, uint32_t out_size)
{
	struct ep_ctx *x = priv;
	unsigned int i, c;
	struct qtee_msg req;
	enum ep_kind kind;

	FZ_CHECK(outbound == x->out && out_size == EMU_OUTBOUND_SIZE);
	while ((kind = fz_u8(x->prog) % EP_NKINDS) == EP_NESTED)
		run_invocation(x->nw, x->prog, x->depth + 1);
	if (kind == EP_GONE) {
		x->lost = true;
		return -ENODEV;
	}
	if (qtee_msg_parse(&req, outbound, out_size, QTEE_MSG_CALLBACK)) {
		/* The kernel's answer; it trusts no async message after it. */
		FZ_CHECK(x->fault);
		memset(outbound, 0, out_size);
		req.buf = outbound;
		qtee_msg_set_result(&req, QTEE_ERROR_INVALID);
		return 0;
	}
	if (!take_request(x, &req))
		return 0;
	if (kind == EP_GENERIC)
		answer_generic(&req, x->prog);
	else if (kind == EP_RAW)
		answer_raw(&req, x->prog);
	else
		nw_answer_model(x->nw, &req, x->prog);
	/* The TEE reads output objects on success: each NW ID a reference. */
	if (qtee_msg_get_result(&req) != QTEE_OK)
		return 0;
	c = req.counts;
	for (i = qtee_idx_oo(c); i < qtee_num_args(c); i++)
		qtee_msg_set_obj(&req, i, nw_hand(x->nw,
						  qtee_msg_get_obj(&req, i)));
	return 0;
}

/* The answer goes only where answers go, and outputs only on success. */
static void check_in_place(const struct ep_ctx *x)
{
	unsigned int c = x->msg.counts, i;
	bool ok = x->call.result == QTEE_OK;
	/* The fault grows a size even on an error, which nobody reads. */
	bool sizes = ok || x->fault == ITestService_FAULT_OUT_SIZE_GROWN;
	const uint8_t *now, *was;

	FZ_CHECK(memcmp(x->in, x->sent, QTEE_INVOKE_HDR) == 0);
	for (i = 0; i < qtee_num_args(c); i++) {
		now = x->in + QTEE_INVOKE_HDR + i * QTEE_ARG_SIZE;
		was = x->sent + QTEE_INVOKE_HDR + i * QTEE_ARG_SIZE;
		/* Word 0: an offset or an ID; word 1: a size or zero. */
		if (!ok || i < qtee_idx_oo(c))
			FZ_CHECK(memcmp(now, was, 4) == 0);
		if (!sizes || i < QTEE_IDX_BO(c) || i >= qtee_idx_io(c))
			FZ_CHECK(memcmp(now + 4, was + 4, 4) == 0);
	}
}

/* A successful answer's outputs, as the kernel takes them. */
static void take_outputs(struct ep_ctx *x)
{
	struct qtee_msg done = x->msg;
	unsigned int c = done.counts, i;
	uint32_t size, id;

	done.buf = x->in;
	for (i = QTEE_IDX_BO(c); i < qtee_idx_io(c); i++)
		FZ_CHECK(qtee_msg_read_out_size(&done, i, &size) == 0 ||
			 x->fault == ITestService_FAULT_OUT_SIZE_GROWN);
	for (i = qtee_idx_oo(c); i < qtee_num_args(c); i++) {
		id = qtee_msg_get_obj(&done, i);
		if (id & QTEE_OBJ_NS_BIT) {
			/* Names an NW object: one the TEE still holds. */
			FZ_CHECK(nw_live(x->nw, id) ||
				 x->fault == ITestService_FAULT_OUT_UNKNOWN_NS_OBJ);
		} else if (id > QTEE_OBJ_ROOT) {
			check_tee_object(x->nw, id);
			nw_tee_get(x->nw, id);
		}
	}
}

/* RELEASE and RETAIN of a TEE object: OK exactly when the NW holds one. */
static void take_lifetime_op(struct ep_ctx *x)
{
	uint32_t id = x->msg.cxt, method = x->msg.op & QTEE_OP_METHOD_MASK;
	struct fz_ident *e;
	bool ok = x->call.result == QTEE_OK;

	if (id <= QTEE_OBJ_ROOT || (id & QTEE_OBJ_NS_BIT) ||
	    (method != QTEE_OP_RELEASE && method != QTEE_OP_RETAIN))
		return;
	e = fz_idmap_get(&x->nw->tee, id);
	/* A lost answer may leave the NW a reference it does not know of. */
	FZ_CHECK(ok == (e->a > 0) || (ok && x->nw->lossy));
	if (!ok)
		return;
	if (method == QTEE_OP_RETAIN)
		e->a++;
	else if (e->a)
		e->a--;
}

/* What the kernel does with a COMPLETE: read the answer, then releases. */
static void take_done(struct ep_ctx *x)
{
	struct emu_call *c = &x->call;

	if (x->lost) {
		/* The secure thread sends no COMPLETE on a lost session. */
		x->nw->lossy = true;
		return;
	}
	FZ_CHECK(c->reply_in_size == x->in_size);
	FZ_CHECK(c->reply_out_size == EMU_OUTBOUND_SIZE);
	FZ_CHECK(c->parsed == x->parsed);
	if (!x->parsed) {
		FZ_CHECK(c->result == QTEE_ERROR_INVALID);
	} else {
		check_in_place(x);
		if (c->result == QTEE_OK)
			take_outputs(x);
		take_lifetime_op(x);
	}
	if (c->status != EMU_STATUS_DONE) {
		/* The device refuses it; nothing more of it is read. */
		FZ_CHECK(c->status == EMU_STATUS_BAD &&
			 x->fault == ITestService_FAULT_BAD_STATUS);
		return;
	}
	nw_take_releases(x->nw, x->out, EMU_OUTBOUND_SIZE, 0, x->fault != 0);
}

/* The kernel hands the message over: each NW input object a reference. */
static void hand_inbound(struct ep_ctx *x)
{
	unsigned int c, i;

	x->parsed = qtee_msg_parse(&x->msg, x->in, x->in_size,
				   QTEE_MSG_INVOKE) == 0;
	if (x->parsed) {
		c = x->msg.counts;
		for (i = qtee_idx_io(c); i < qtee_idx_oo(c); i++)
			qtee_msg_set_obj(&x->msg, i,
					 nw_hand(x->nw,
						 qtee_msg_get_obj(&x->msg, i)));
	}
	memcpy(x->sent, x->in, x->in_size);
	x->msg.buf = x->sent;
}

static void dispatch_one(struct nw *nw, struct fz_in *prog,
			 const uint8_t *msg, size_t len, unsigned int depth)
{
	struct ep_ctx *x = calloc(1, sizeof(*x)), *outer = running;

	FZ_CHECK(x);
	x->nw = nw;
	x->prog = prog;
	x->depth = depth;
	x->in_size = (uint32_t)len;
	x->in = malloc(len ? len : 1);
	x->sent = malloc(len ? len : 1);
	FZ_CHECK(x->in && x->sent);
	memcpy(x->in, msg, len);
	hand_inbound(x);
	x->tx = (struct emu_transport){ roundtrip, x };
	emu_call_init(&x->call, &nw->emu, &x->tx, x->in, x->in_size, x->out,
		      sizeof(x->out));
	running = x;
	emu_dispatch(&x->call);
	running = outer;
	take_done(x);
	free(x->in);
	free(x->sent);
	free(x);
}

static void run_invocation(struct nw *nw, struct fz_in *prog,
			   unsigned int depth)
{
	size_t len = fz_u16(prog), got;
	const uint8_t *msg = fz_take(prog, len, &got);

	/* Deeper than a chain of secure threads goes: never delivered. */
	if (depth <= EP_MAX_DEPTH)
		dispatch_one(nw, prog, msg, got, depth);
}

static void run_program(struct nw *nw, struct fz_in *prog)
{
	while (!fz_done(prog))
		run_invocation(nw, prog, 0);
}

/* An invocation without arguments or callbacks, from the harness. */
static void send_op(struct nw *nw, uint32_t cxt, uint32_t op)
{
	struct ep_call call = { .cxt = cxt, .op = op };
	struct fz_out o = { 0 };
	struct fz_in prog;

	ep_put_call(&o, &call);
	prog = (struct fz_in){ o.buf, o.len };
	run_program(nw, &prog);
	fz_out_free(&o);
}

/* The NW lets go of everything; then nothing may be left on either side. */
static void settle(struct nw *nw)
{
	uint32_t i, held;

	for (i = 0; i < nw->tee.cap; i++) {
		while (nw->tee.slot[i].used && (held = nw->tee.slot[i].a)) {
			send_op(nw, nw->tee.slot[i].id, QTEE_OP_RELEASE);
			FZ_CHECK(nw->tee.slot[i].a == held - 1);
		}
	}
	/* Every DONE drains the pending-release queue. */
	for (i = 0; i < 4 && emu_relq_count(&nw->emu.relq); i++)
		send_op(nw, QTEE_OBJ_ROOT, 0);
	FZ_CHECK(emu_relq_count(&nw->emu.relq) == 0);
	if (emu_relq_lost(&nw->emu.relq))
		nw->lossy = true;
	if (nw->lossy)
		return;
	FZ_CHECK(emu_objtable_count(&nw->emu.table) == 0);
	FZ_CHECK(nw->n_act == 0);
	for (i = 0; i < nw->ns.cap; i++)
		if (nw->ns.slot[i].used)
			FZ_CHECK(nw->ns.slot[i].a == nw->ns.slot[i].b);
}

static struct fz_out setup;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Quiet: refused messages are the point, not news (FUZZ_EMU_LOG=4
	 * shows what one input does, as objinvoke-emu -vv). */
	emu_log_level = getenv("FUZZ_EMU_LOG") ? atoi(getenv("FUZZ_EMU_LOG")) :
						  -1;
	ep_put_setup(&setup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nw *nw = malloc(sizeof(*nw));
	struct fz_in prog = { setup.buf, setup.len };

	FZ_CHECK(nw);
	nw_init(nw);
	run_program(nw, &prog);
	FZ_CHECK(emu_objtable_count(&nw->emu.table) == 5 && !nw->lossy);
	prog = (struct fz_in){ data, size };
	run_program(nw, &prog);
	settle(nw);
	nw_fini(nw);
	free(nw);
	return 0;
}
