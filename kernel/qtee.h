/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The QTEE transport's internal interfaces: SMC calls, the backend that
 * carries them, and the table of normal-world objects the TEE holds.
 *
 * Its files, bottom to top (docs/architecture.md, "What may call what"):
 * qtee_ns.c (generations, backend, NS table), qtee_client.c (each
 * process's share), qtee_object.c (TEE objects), qtee_call.c (invoking
 * them), backend_emu.c (the emulator that carries the SMC calls).
 */
#ifndef OBJINVOKE_QTEE_H
#define OBJINVOKE_QTEE_H

#include <linux/list.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Upstream QTEE's sizes: inbound up to 4 MiB of payload, outbound 4 KiB. */
#define QTEE_OUTBOUND_SIZE	4096U
#define QTEE_INBOUND_MAX	(OBJINVOKE_MAX_BUF_BYTES + QTEE_INVOKE_HDR + \
				 QTEE_MAX_ARGS * (QTEE_ARG_SIZE + QTEE_ALIGN))

/* How an SMC call ended (struct qtee_call.status). */
enum qtee_status {
	QTEE_CALL_DONE,		/* inbound holds the results */
	QTEE_CALL_CALLBACK,	/* outbound holds a callback request */
	QTEE_CALL_DEFUNCT,	/* the TEE went away; buffers untouched */
	QTEE_CALL_BADMSG,	/* the TEE answered something unusable */
};

/**
 * struct qtee_call - one invocation of a TEE object, across its SMC calls
 * @inbound:  the direct invocation and its results; invariant pointer.
 * @in_cap:   bytes at @inbound (the message's size).
 * @outbound: callback requests and responses, async messages; 4 KiB.
 * @sent:     the codec's record of the direct invocation as built.
 * @resume:   the next SMC call answers a callback.
 * @abandoned: the invoking thread was killed; a worker finishes the call.
 * @status:   set by the backend when an SMC call ends.
 * @result:   with QTEE_CALL_DONE: the invocation's result.
 * @generation: the TEE generation whose IDs the call carries; invariant.
 *            The backend refuses to submit it to any other.
 * @session:  backend-private: the emulator's session ID.
 * @claimer:  backend-private: the emulator thread holding the session, a
 *            pid reference; under the backend's lock.
 * @state:    backend-private, under the backend's lock.
 * @node:     backend-private: queue of new calls.
 * @wq:       the invoking thread waits here for the SMC call to end.
 * @work:     finishes an abandoned call.
 * @cb_inv:   the callback being served (too big for the stack).
 * @cb_req:   the codec's record of the callback request being served.
 * @cb_target: the object it names while its answer is outstanding (a
 *            parked callback); a reference.
 * @serve:    the invoking thread's server (its invocation's ->serve).
 * @submitted: the SMC call is with the backend (an abandoned call's
 *            worker then only waits).
 * @ns_sent:  NS IDs allocated for input objects, dropped again if the TEE
 *            never saw the message.
 * @client:   the process the call counts against (qtee_client.c), or NULL.
 * @in_callback: its TEE thread waits for a callback's answer.
 * @n_ns_sent: how many of @ns_sent are in use.
 */
struct qtee_call {
	void *inbound;
	u32 in_cap;
	void *outbound;
	struct qtee_msg sent;
	bool resume;
	bool abandoned;
	enum qtee_status status;
	s32 result;
	u32 generation;

	u32 session;
	struct pid *claimer;
	int state;
	struct list_head node;
	wait_queue_head_t wq;
	struct work_struct work;

	struct oi_invocation cb_inv;
	struct qtee_msg cb_req;
	struct oi_object *cb_target;
	struct oi_server *serve;
	bool submitted;
	u32 ns_sent[QTEE_MAX_PER_KIND];
	unsigned int n_ns_sent;
	struct qtee_client *client;
	bool in_callback;
};

/**
 * enum qtee_wait - how a thread waits for an SMC call to end
 * @QTEE_WAIT_IDLE:          a worker: no signals, not counted as hung.
 * @QTEE_WAIT_KILLABLE:      a fatal signal ends the wait (-EINTR) and
 *                           leaves the call pending, for a worker.
 * @QTEE_WAIT_INTERRUPTIBLE: a user's own invocation: any signal that
 *                           comes before the TEE took the call withdraws
 *                           it (-ERESTARTSYS: nothing was sent, so the
 *                           ioctl may be restarted); once taken, as
 *                           KILLABLE, for a TEE call cannot be cancelled.
 */
enum qtee_wait {
	QTEE_WAIT_IDLE,
	QTEE_WAIT_KILLABLE,
	QTEE_WAIT_INTERRUPTIBLE,
};

/**
 * struct qtee_backend_ops - how SMC calls reach the secure world
 * @submit: start an SMC call for @call: a new invocation, or (with
 *          call->resume) the response to its callback request.  Returns 0,
 *          or -ENODEV when no TEE is attached or the attached one is not
 *          of call->generation (checked under the lock that ends
 *          generations: see qtee_generation_end()).
 * @wait:   wait for the SMC call to end and set call->status (and
 *          call->result), freezable, as @mode says: 0, -EINTR (killed,
 *          the call still pending) or -ERESTARTSYS (withdrawn before the
 *          TEE took it: it is no longer with the backend).
 */
struct qtee_backend_ops {
	int (*submit)(struct qtee_call *call);
	int (*wait)(struct qtee_call *call, enum qtee_wait mode);
	void (*show)(struct seq_file *m);
};

void qtee_set_backend(const struct qtee_backend_ops *ops);
const struct qtee_backend_ops *qtee_get_backend(void);
u32 qtee_generation(void);
void qtee_show(struct seq_file *m);
void qtee_generation_end(void);

/* Normal-world objects named by NS IDs (qtee_ns.c). */
int qtee_ns_id_get(struct oi_object *obj, u32 generation, u32 *id);
void qtee_ns_flush(void);
struct oi_object *qtee_ns_lookup(u32 id);
int qtee_ns_release(u32 id);
/* Releases of TEE objects and abandoned calls run here. */
extern struct workqueue_struct *qtee_wq;

/**
 * struct qtee_object - one reference to a TEE-hosted object
 * @base:       the object; @base.ref counts its holders.
 * @id:         the TEE's ID; invariant.
 * @generation: the TEE generation the ID belongs to; invariant.
 * @release:    sends RELEASE once the last reference is gone.
 */
struct qtee_object {
	struct oi_object base;
	u32 id;
	u32 generation;
	struct work_struct release;
};

static inline struct qtee_object *to_qtee_object(struct oi_object *obj)
{
	return container_of(obj, struct qtee_object, base);
}

/* TEE objects (qtee_object.c). */
struct oi_object *qtee_object_new(u32 id, u32 generation);
bool qtee_object_is_root(struct oi_object *obj);
u32 qtee_object_id(struct oi_object *obj);
u32 qtee_object_generation(struct oi_object *obj);
int qtee_root_policy(struct oi_invocation *inv, struct oi_object **own_creds);

/* Each process's share of the TEE (qtee_client.c). */
struct qtee_client;
int qtee_client_enter(struct qtee_call *call, bool interruptible);
void qtee_client_callback(struct qtee_call *call, bool waiting);
void qtee_client_exit(struct qtee_call *call);

/* Calls: what TEE objects do, their struct oi_object_ops (qtee_call.c). */
int qtee_call_invoke(struct oi_object *obj, struct oi_invocation *inv);
int qtee_call_resume(struct oi_object *obj, struct oi_invocation *inv);
void qtee_call_abandon_parked(struct oi_object *obj, struct oi_invocation *inv);
void qtee_call_release(struct oi_object *obj);

#endif /* OBJINVOKE_QTEE_H */
