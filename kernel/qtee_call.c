// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: invoking TEE objects
 *
 * An invocation of a TEE object is a struct qtee_call: the inbound buffer
 * holding the direct invocation, the 4 KiB outbound buffer, and a loop of
 * SMC calls through the backend.  Each SMC call ends "done" or "callback
 * needed"; a callback request names a normal-world object, which runs
 * right here on the invoking thread (kernel objects are called directly),
 * and its response goes back in the next SMC call.  After every SMC call
 * the asynchronous messages in the outbound buffer's tail are processed
 * first.
 *
 * Everything the TEE writes is untrusted: requests are parsed by the codec
 * with every offset and size checked, object IDs are looked up before use,
 * and results are read against the kernel's own record of what it sent.
 *
 * When the invoking thread is killed while the TEE holds the call, the
 * call cannot simply be freed: the secure world still owns the session.
 * It is handed to a worker that sees it through (answering callbacks with
 * ABORT) and releases whatever objects the TEE returned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "qtee.h"
#include "testpoint.h"
#include "trace.h"

static void qtee_call_release_remote(u32 id, u32 generation);

/* A call with an inbound buffer of @in_cap bytes, or ERR_PTR(-ENOMEM). */
static struct qtee_call *qtee_call_alloc(u32 in_cap, u32 generation)
{
	struct qtee_call *call;

	call = kzalloc(sizeof(*call), GFP_KERNEL_ACCOUNT);
	if (!call)
		return ERR_PTR(-ENOMEM);
	call->inbound = kvzalloc(in_cap, GFP_KERNEL_ACCOUNT);
	call->outbound = kzalloc(QTEE_OUTBOUND_SIZE, GFP_KERNEL_ACCOUNT);
	if (!call->inbound || !call->outbound) {
		kvfree(call->inbound);
		kfree(call->outbound);
		kfree(call);
		return ERR_PTR(-ENOMEM);
	}
	call->in_cap = in_cap;
	call->generation = generation;
	init_waitqueue_head(&call->wq);
	INIT_LIST_HEAD(&call->node);
	return call;
}

static void qtee_call_free(struct qtee_call *call)
{
	qtee_client_exit(call);
	kvfree(call->inbound);
	kfree(call->outbound);
	kfree(call);
}

/* Process the async messages from @start on, then zero what was read. */
static void qtee_process_async(struct qtee_call *call, u32 start)
{
	struct qtee_async a;
	u32 pos = start, i, id;
	int ret;

	while ((ret = qtee_async_next(call->outbound, QTEE_OUTBOUND_SIZE, &pos,
				      &a)) == 0) {
		for (i = 0; i < a.count; i++) {
			id = qtee_async_id(&a, i);
			oi_dbg(OI_DBG_TEE, "async release %#x\n", id);
			if (qtee_ns_release(id))
				pr_notice_ratelimited("TEE released unknown object %#x\n",
						      id);
		}
	}
	if (ret != -ENOENT) {
		pr_notice_ratelimited("malformed async message at %u\n", pos);
		pos = QTEE_OUTBOUND_SIZE;
	}
	if (pos > start)
		memset(call->outbound + start, 0, pos - start);
}

/*
 * A TEE object for the reference to @id the TEE handed over; without
 * memory the reference goes back to the TEE at once, so it never leaks.
 */
static struct oi_object *qtee_object_take(u32 id, u32 generation)
{
	struct oi_object *obj = qtee_object_new(id, generation);

	if (IS_ERR(obj))
		qtee_call_release_remote(id, generation);
	return obj;
}

/*
 * Objects named by the TEE: its own IDs become TEE objects holding the
 * reference that came with them; NS IDs name objects the kernel gave it.
 * Returns a reference, or ERR_PTR(-EPROTO) for an NS ID nobody gave it, or
 * ERR_PTR(-ENOMEM).
 */
static struct oi_object *qtee_object_from_id(struct qtee_call *call, u32 id)
{
	struct oi_object *obj;

	if (!(id & QTEE_OBJ_NS_BIT))
		return qtee_object_take(id, call->generation);
	obj = qtee_ns_lookup(id);
	return IS_ERR(obj) ? ERR_PTR(-EPROTO) : obj;
}

/*
 * Take over the TEE's object at slot @i of @m into @inv.  On failure the
 * slot stays empty and @err is set; every other ID is still taken over.
 */
static void qtee_take_obj(struct qtee_call *call, struct qtee_msg *m,
			  unsigned int i, struct oi_invocation *inv, int *err)
{
	u32 id = qtee_msg_get_obj(m, i);
	struct oi_object *obj;

	if (id == QTEE_OBJ_NULL)
		return;
	obj = qtee_object_from_id(call, id);
	if (IS_ERR(obj)) {
		*err = PTR_ERR(obj);
		obj = NULL;
	}
	inv->args[i].o = obj;
}

/*
 * An object the kernel sends to the TEE of @call: its ID, with a reference
 * if NS.  A TEE object of another generation means nothing there.
 */
static int qtee_id_for_object(struct qtee_call *call, struct oi_object *obj,
			      u32 *id)
{
	if (!obj) {
		*id = QTEE_OBJ_NULL;
		return 0;
	}
	if (qtee_object_is_tee(obj)) {
		if (qtee_object_generation(obj) != call->generation)
			return -ENODEV;
		*id = qtee_object_id(obj);	/* names it: no reference moves */
		return 0;
	}
	return qtee_ns_id_get(obj, call->generation, id);
}

/* Write the kernel's answer into the callback request, in place. */
static void qtee_write_response(struct qtee_call *call, struct qtee_msg *req,
				struct oi_invocation *inv, int result)
{
	unsigned int i, c = req->counts;
	u32 id;
	int ret;

	if (result == QTEE_OK) {
		for (i = QTEE_IDX_BO(c); i < qtee_idx_io(c); i++)
			qtee_msg_write_out_size(req, i, inv->args[i].b.size);
		for (i = qtee_idx_oo(c); i < qtee_num_args(c); i++) {
			ret = qtee_id_for_object(call, inv->args[i].o, &id);
			if (ret) {
				/* Take back the IDs already given. */
				while (i-- > qtee_idx_oo(c))
					qtee_ns_release(qtee_msg_get_obj(req, i));
				result = oi_errno_to_result(ret);
				break;
			}
			qtee_msg_set_obj(req, i, id);
		}
	}
	qtee_msg_set_result(req, result);
}

/* Answer the callback request with @result; drop what serving it held. */
static void qtee_finish_callback(struct qtee_call *call, struct qtee_msg *req,
				 struct oi_object *target, int result)
{
	struct oi_invocation *inv = &call->cb_inv;

	oi_dbg(OI_DBG_TEE, "callback %#x op %#x: %d\n", req->cxt, req->op,
	       result);
	trace_objinvoke_callback(req->cxt, target, req->op, result);
	qtee_write_response(call, req, inv, result);
	if (result == QTEE_OK)
		oi_invocation_put_out_objects(inv);
	oi_invocation_put_in_objects(inv);
	oi_object_put(target);
}

/*
 * Run the object a callback request names, on this thread.  Returns
 * OI_PARKED when the object is hosted by the invoking thread's own server:
 * the thread serves it in userspace and qtee_call_resume() finishes it.
 */
static int qtee_run_callback(struct qtee_call *call, struct qtee_msg *req)
{
	struct oi_invocation *inv = &call->cb_inv;
	unsigned int i, c = req->counts;
	struct oi_object *target;
	int ret = 0, result;

	memset(inv, 0, sizeof(*inv));
	inv->op = req->op;
	inv->counts = c;
	inv->serve = call->serve;
	for (i = 0; i < qtee_num_bufs(c); i++) {
		inv->args[i].b.kptr = qtee_msg_payload(req, i);
		inv->args[i].b.size = req->len[i];
	}
	/* Every TEE ID is a reference to take over, even after an error. */
	for (i = qtee_idx_io(c); i < qtee_idx_oo(c); i++)
		qtee_take_obj(call, req, i, inv, &ret);
	target = qtee_ns_lookup(req->cxt);
	/*
	 * Only now the async messages: a release in this message's tail
	 * must not pull an object from under the request that names it.
	 */
	qtee_process_async(call, qtee_async_start(req));

	if (IS_ERR(target))
		target = NULL;	/* qtee_finish_callback() puts it */
	if (ret || !target) {
		result = ret == -ENOMEM ? QTEE_ERROR_KMEM : QTEE_ERROR_BADOBJ;
	} else if (call->abandoned) {
		result = QTEE_ERROR_ABORT;	/* nobody waits for the answer */
	} else if (req->op == QTEE_OP_RELEASE) {
		result = qtee_ns_release(req->cxt) ? QTEE_ERROR_BADOBJ : QTEE_OK;
	} else if ((req->op & QTEE_OP_METHOD_MASK) == QTEE_OP_RETAIN) {
		result = QTEE_ERROR_INVALID;	/* one reference per ID */
	} else {
		ret = target->ops->invoke(target, inv);
		if (ret == OI_PARKED) {
			call->cb_req = *req;
			call->cb_target = target;
			return OI_PARKED;
		}
		result = ret ? oi_errno_to_result(ret) : inv->result;
	}
	qtee_finish_callback(call, req, target, result);
	return 0;
}

/* A callback request arrived in the outbound buffer: answer it. */
static int qtee_handle_callback(struct qtee_call *call)
{
	struct qtee_msg req;

	if (qtee_msg_parse(&req, call->outbound, QTEE_OUTBOUND_SIZE,
			   QTEE_MSG_CALLBACK)) {
		pr_notice_ratelimited("malformed callback request\n");
		/* Nothing after an unparsable request can be trusted either. */
		memset(call->outbound, 0, QTEE_OUTBOUND_SIZE);
		req.buf = call->outbound;
		qtee_msg_set_result(&req, QTEE_ERROR_INVALID);
		return 0;
	}
	return qtee_run_callback(call, &req);
}

/*
 * SMC calls until the TEE is done.  @submitted: the first SMC call is
 * already with the backend (an abandoned call resumes waiting).
 */
static int qtee_call_loop(struct qtee_call *call, bool submitted,
			  enum qtee_wait mode)
{
	const struct qtee_backend_ops *be = qtee_get_backend();
	int ret;

	for (;;) {
		if (!submitted) {
			/* An answer to a callback: its TEE thread runs again. */
			qtee_client_callback(call, false);
			ret = be->submit(call);
			if (ret)
				return ret;
		}
		submitted = true;
		call->submitted = true;
		/* A callback's answer is the TEE's already: never withdrawn. */
		ret = be->wait(call, call->resume && mode == QTEE_WAIT_INTERRUPTIBLE ?
				     QTEE_WAIT_KILLABLE : mode);
		if (ret)
			return ret;
		call->submitted = false;
		submitted = false;

		switch (call->status) {
		case QTEE_CALL_DONE:
			/* Async messages: once the results are read. */
			return 0;
		case QTEE_CALL_CALLBACK:
			call->resume = true;
			qtee_client_callback(call, true);
			if (qtee_handle_callback(call) == OI_PARKED)
				return OI_PARKED;
			break;
		case QTEE_CALL_DEFUNCT:
			return -ENODEV;
		default:
			return -EPROTO;
		}
	}
}

/* Build the direct invocation of @id from @inv into the inbound buffer. */
static int qtee_marshal(struct qtee_call *call, u32 id,
			struct oi_invocation *inv)
{
	unsigned int i, c = inv->counts;
	void *payload;
	int ret;

	ret = qtee_msg_init(&call->sent, call->inbound, call->in_cap,
			    QTEE_MSG_INVOKE, id, inv->op, c);
	for (i = 0; !ret && i < qtee_num_bufs(c); i++) {
		ret = qtee_msg_add_buf(&call->sent, i, inv->args[i].b.size,
				       &payload);
		if (!ret && i < QTEE_IDX_BO(c))
			ret = oi_arg_read(inv, i, payload, inv->args[i].b.size);
	}
	for (i = qtee_idx_io(c); !ret && i < qtee_idx_oo(c); i++) {
		struct oi_object *obj = inv->args[i].o;
		u32 oid;

		ret = qtee_id_for_object(call, obj, &oid);
		if (ret)
			break;
		if (oid & QTEE_OBJ_NS_BIT && oid != QTEE_OBJ_PRIMORDIAL)
			call->ns_sent[call->n_ns_sent++] = oid;
		qtee_msg_set_obj(&call->sent, i, oid);
	}
	return ret;
}

static void qtee_unsend_ns_ids(struct qtee_call *call)
{
	while (call->n_ns_sent)
		qtee_ns_release(call->ns_sent[--call->n_ns_sent]);
}

/*
 * Read the TEE's results into @inv: output objects first (each TEE ID is a
 * reference to take over even if something else is wrong), then buffers.
 */
static int qtee_unmarshal(struct qtee_call *call, struct oi_invocation *inv)
{
	struct qtee_msg *m = &call->sent;
	unsigned int i, c = m->counts;
	int ret = 0;
	u32 size;

	for (i = qtee_idx_oo(c); i < qtee_num_args(c); i++)
		qtee_take_obj(call, m, i, inv, &ret);
	for (i = QTEE_IDX_BO(c); !ret && i < qtee_idx_io(c); i++) {
		ret = qtee_msg_read_out_size(m, i, &size);
		if (!ret)
			ret = oi_arg_write(inv, i, qtee_msg_payload(m, i), size);
	}
	if (ret == -EINVAL)
		ret = -EPROTO;
	if (ret)
		oi_invocation_put_out_objects(inv);
	return ret;
}

/* Drop the TEE objects a finished call returned that nobody will take. */
static void qtee_drop_results(struct qtee_call *call)
{
	struct qtee_msg *m = &call->sent;
	unsigned int i, c = m->counts;
	u32 id;

	if (call->status != QTEE_CALL_DONE || call->result != QTEE_OK)
		return;
	for (i = qtee_idx_oo(c); i < qtee_num_args(c); i++) {
		id = qtee_msg_get_obj(m, i);
		if (id != QTEE_OBJ_NULL && !(id & QTEE_OBJ_NS_BIT))
			oi_object_put(qtee_object_take(id, call->generation));
	}
}

static void qtee_call_abandoned_work(struct work_struct *work)
{
	struct qtee_call *call = container_of(work, struct qtee_call, work);

	if (!qtee_call_loop(call, call->submitted, QTEE_WAIT_IDLE)) {
		qtee_drop_results(call);
		qtee_process_async(call, 0);
	}
	qtee_call_free(call);
}

/* Nobody will read this call's answer: a worker sees it through. */
static void qtee_call_abandon(struct qtee_call *call)
{
	call->abandoned = true;
	INIT_WORK(&call->work, qtee_call_abandoned_work);
	queue_work(qtee_wq, &call->work);
}

/*
 * SMC calls until the invocation is over, then its results into @inv.
 * Frees the call unless it parked (OI_PARKED: inv->park_ctx holds it) or
 * was handed to a worker.
 */
static int qtee_call_run(struct qtee_call *call, struct oi_invocation *inv,
			 bool submitted)
{
	/* Only a user's own invocation may be withdrawn by a signal. */
	int ret = qtee_call_loop(call, submitted, inv->from_user ?
				 QTEE_WAIT_INTERRUPTIBLE : QTEE_WAIT_KILLABLE);

	if (ret == OI_PARKED) {
		inv->park_ctx = call;
		inv->parked = call->cb_inv.parked;
		return OI_PARKED;
	}
	if (ret == -EINTR) {
		/* Killed: a worker sees the session through and frees it. */
		qtee_call_abandon(call);
		return ret;
	}
	if ((ret == -ENODEV || ret == -ERESTARTSYS) && !call->resume) {
		oi_test_point(OI_TP_UNSEND);
		qtee_unsend_ns_ids(call);	/* never reached a TEE */
	}
	if (ret == -ENODEV) {
		inv->result = QTEE_ERROR_DEFUNCT;
		ret = 0;
	} else if (!ret) {
		inv->result = call->result;
		if (call->result == QTEE_OK)
			ret = qtee_unmarshal(call, inv);
		qtee_process_async(call, 0);
	}
	qtee_call_free(call);
	return ret;
}

/**
 * qtee_call_resume() - carry on a parked invocation of a TEE object
 * @obj: the TEE object (its ->resume).
 * @inv: the invocation; inv->park_ctx is its call, whose callback target
 *       has the answer of the request the thread served.
 *
 * Context: process context, the invoking thread.
 * Return: as qtee_call_invoke().
 */
int qtee_call_resume(struct oi_object *obj, struct oi_invocation *inv)
{
	struct qtee_call *call = inv->park_ctx;
	struct oi_object *target = call->cb_target;
	int ret, result;

	inv->park_ctx = NULL;
	inv->parked = NULL;
	call->cb_target = NULL;
	ret = target->ops->resume(target, &call->cb_inv);
	result = ret ? oi_errno_to_result(ret) : call->cb_inv.result;
	qtee_finish_callback(call, &call->cb_req, target, result);
	return qtee_call_run(call, inv, false);
}

/**
 * qtee_call_abandon_parked() - a parked invocation will not be resumed
 * @obj: the TEE object (its ->abandon).
 * @inv: the invocation; inv->park_ctx is its call.
 *
 * The TEE still waits for the callback's answer: it gets DEFUNCT, and a
 * worker sees the rest of the call through.
 *
 * Context: process context.
 */
void qtee_call_abandon_parked(struct oi_object *obj, struct oi_invocation *inv)
{
	struct qtee_call *call = inv->park_ctx;
	struct oi_object *target = call->cb_target;

	inv->park_ctx = NULL;
	inv->parked = NULL;
	call->cb_target = NULL;
	target->ops->abandon(target, &call->cb_inv);
	qtee_finish_callback(call, &call->cb_req, target, QTEE_ERROR_DEFUNCT);
	qtee_call_abandon(call);
}

/* The direct invocation of TEE object @id: see qtee_call_invoke(). */
static int qtee_call_start(u32 id, u32 generation, struct oi_invocation *inv)
{
	struct qtee_call *call;
	unsigned int i;
	u64 size;
	int ret;

	/* Payloads start 8-aligned after the argument array. */
	size = ALIGN(QTEE_INVOKE_HDR + qtee_num_args(inv->counts) * QTEE_ARG_SIZE,
		     QTEE_ALIGN);
	for (i = 0; i < qtee_num_bufs(inv->counts); i++)
		size += ALIGN(inv->args[i].b.size, QTEE_ALIGN);
	if (size > QTEE_INBOUND_MAX)
		return -E2BIG;

	call = qtee_call_alloc(size, generation);
	if (IS_ERR(call))
		return PTR_ERR(call);
	ret = qtee_client_enter(call, inv->from_user);
	if (ret) {
		qtee_call_free(call);
		return ret;
	}
	ret = qtee_marshal(call, id, inv);
	if (ret)
		goto out_unsend;

	call->serve = inv->serve;
	return qtee_call_run(call, inv, false);

out_unsend:
	qtee_unsend_ns_ids(call);
	if (ret == -ENODEV) {
		inv->result = QTEE_ERROR_DEFUNCT;
		ret = 0;
	}
	qtee_call_free(call);
	return ret;
}

/**
 * qtee_call_invoke() - invoke a TEE object (its ->invoke)
 * @obj: the TEE object.
 * @inv: the invocation; on Object_OK its output buffers and objects are
 *       filled in.  From userspace, the root object allows only what
 *       qtee_root_policy() allows.
 *
 * Context: process context; sleeps until the TEE answers (killable; for a
 * user's own invocation, a signal before the TEE took it withdraws it).
 * Return: 0 with inv->result set (DEFUNCT when the object's TEE is gone),
 *         OI_PARKED (a callback for the thread to serve), or -errno
 *         (-EPROTO: the TEE answered with a malformed message;
 *         -ERESTARTSYS: withdrawn by a signal, never sent; -EBUSY: the
 *         process has too many calls with the TEE, see qtee_client.c;
 *         -EPERM: refused by the root object's policy).
 */
int qtee_call_invoke(struct oi_object *obj, struct oi_invocation *inv)
{
	u32 generation = qtee_object_generation(obj);
	struct oi_object *own_creds = NULL;
	int ret;

	if (generation != qtee_generation()) {
		inv->result = QTEE_ERROR_DEFUNCT;
		return 0;
	}
	if (inv->from_user && qtee_object_is_root(obj)) {
		ret = qtee_root_policy(inv, &own_creds);
		if (ret)
			return ret;
	}
	ret = qtee_call_start(qtee_object_id(obj), generation, inv);
	if (own_creds) {
		inv->args[qtee_idx_io(inv->counts)].o = NULL;
		oi_object_put(own_creds);	/* get: qtee_root_policy() */
	}
	return ret;
}

/**
 * qtee_call_release_remote() - drop the kernel's reference to TEE object @id
 * @id:         the TEE's ID.
 * @generation: the generation it belongs to; nothing is sent to a TEE
 *              that is gone (the backend checks it again at submit).
 *
 * A user thread waits killably: killed, it leaves the rest to a worker
 * as an abandoned invocation does.  A worker waits without being counted
 * as hung.
 *
 * Context: process context; waits for the TEE.
 */
static void qtee_call_release_remote(u32 id, u32 generation)
{
	enum qtee_wait mode = current->flags & PF_KTHREAD ? QTEE_WAIT_IDLE :
						    QTEE_WAIT_KILLABLE;
	struct qtee_call *call;
	int ret;

	if (generation != qtee_generation())
		return;
	call = qtee_call_alloc(QTEE_INVOKE_HDR, generation);
	if (IS_ERR(call))
		return;	/* the TEE keeps one reference too many */
	ret = qtee_msg_init(&call->sent, call->inbound, call->in_cap,
			    QTEE_MSG_INVOKE, id, QTEE_OP_RELEASE, 0);
	oi_test_point(OI_TP_RELEASE_SUBMIT);
	if (!ret)
		ret = qtee_call_loop(call, false, mode);
	if (ret == -EINTR) {
		qtee_call_abandon(call);
		return;
	}
	if (!ret)
		qtee_process_async(call, 0);
	oi_dbg(OI_DBG_OBJECT, "released TEE object %#x\n", id);
	qtee_call_free(call);
}

static void qtee_call_release_work(struct work_struct *work)
{
	struct qtee_object *qo = container_of(work, struct qtee_object,
					      release);

	qtee_call_release_remote(qo->id, qo->generation);
	kfree(qo);
}

/**
 * qtee_call_release() - the last reference to a TEE object went (its
 * ->destroy): a worker sends RELEASE
 * @obj: the TEE object.
 *
 * Context: any context oi_object_put() may be called in.
 */
void qtee_call_release(struct oi_object *obj)
{
	struct qtee_object *qo = to_qtee_object(obj);

	if (WARN_ON_ONCE(qtee_object_is_root(obj)))
		return;
	if (qo->generation != qtee_generation()) {
		kfree(qo);	/* the TEE that knew this ID is gone */
		return;
	}
	INIT_WORK(&qo->release, qtee_call_release_work);
	queue_work(qtee_wq, &qo->release);
}
