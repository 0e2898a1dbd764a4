// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: servers: their requests and the objects processes host
 *
 * A server (struct oi_server, behind a server fd: server_fd.c) is how a
 * process hosts objects.  Each object it registers is a struct oi_user_object: an
 * object like any other, with fds, NS IDs and references, whose invoke
 * function turns the invocation into a struct oi_request on its server.
 *
 * A request owns copies of the invocation's buffers (kernel memory), so
 * the host reads and writes them from its own context whoever invoked,
 * and so an invoker that is killed cannot leave the host writing into
 * freed memory.  It is referenced by the invoker while it waits and by
 * the server while it is queued or handed out.
 *
 *   QUEUED    on srv->queue, waiting for OBJINVOKE_IOC_SERVER_RECV
 *   DELIVERED handed to a thread, in srv->delivered under its ID
 *   ANSWERED  the answer is in the request (result, outputs)
 *
 * Requests for objects of the server an invocation names as its own
 * (OBJINVOKE_INVOKE_SERVE) skip the queue: the invoke function returns
 * OI_PARKED and the request goes to the invoking thread itself
 * (oi_server_park()), whose reply resumes the invocation.
 *
 * When the last reference to a hosted object goes, a release request,
 * allocated with the object so that this cannot fail, is queued: the
 * host learns it exactly once.  A dead server (closed or shut down)
 * answers everything with DEFUNCT.
 *
 * What one server can pin is bounded (docs/uapi.md, "Limits"): its hosted
 * objects and undelivered release notices (SERVER_ADD fails with ENOSPC),
 * and the bytes of its requests, queued, delivered or parked (a new
 * request fails with ENOBUFS).  Every allocation is charged to the memory
 * cgroup of the process that caused it.
 *
 * The module's one recursion is here: an invocation parked with its
 * request in the invoking thread (oi_server_park(), called from
 * invoke_ioctl.c) goes on when that thread replies (oi_server_reply()
 * calls oi_invoke_continue()) and is dropped when the server dies
 * (oi_server_kill() calls oi_invoke_abandon()).  While it is parked the
 * thread may invoke again, nesting up to OBJINVOKE_MAX_DEPTH
 * (oi_server_depth()).  Those two calls are the only ones in the module
 * that go up a layer (docs/architecture.md, "What may call what").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/freezer.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "server.h"
#include "testpoint.h"

static unsigned int server_max_objects = 65536;
module_param(server_max_objects, uint, 0644);
MODULE_PARM_DESC(server_max_objects,
		 "hosted objects plus undelivered release notices per server");

static unsigned long server_max_bytes = 64UL << 20;
module_param(server_max_bytes, ulong, 0644);
MODULE_PARM_DESC(server_max_bytes,
		 "bytes of requests (queued, delivered, parked) per server");

/**
 * struct oi_server - a process's hosted objects and their requests
 * @ref:       the server fd's file, each hosted object, each request.
 * @lock:      protects every field below and the state, node and id of
 *             each of its requests.
 * @dead:      closed or shut down: nothing more is queued or delivered.
 * @queue:     QUEUED requests, oldest first.
 * @delivered: ID -> DELIVERED request.
 * @next_id:   for cyclic request IDs.
 * @objects:   handle -> hosted object, no reference (the object's destroy
 *             erases it).
 * @events:    bumped when a request is queued or the server dies.
 * @wq:        RECV waiters and pollers.
 * @n_objects: hosted objects plus release notices not yet delivered;
 *             at most server_max_objects.
 * @pinned:    bytes of live invoke requests; at most server_max_bytes.
 * @id:        a number no other server of this boot has, for what the
 *             module shows (fdinfo, debugfs); invariant.
 * @creator:   the process that made it (debugfs); invariant.
 * @all:       on oi_servers, under oi_servers_lock.
 */
struct oi_server {
	struct kref ref;
	struct mutex lock;	/* see above */
	bool dead;
	struct list_head queue;
	struct xarray delivered;
	u32 next_id;
	struct xarray objects;
	atomic_t events;
	wait_queue_head_t wq;
	atomic_long_t n_objects;
	atomic_long_t pinned;
	u64 id;
	struct pid *creator;
	struct list_head all;
};

/*
 * Every server not yet freed, for the debugfs view (oi_servers_show()).
 * A spinlock: the last put of a server may come from any context.
 */
static LIST_HEAD(oi_servers);
static DEFINE_SPINLOCK(oi_servers_lock);
static atomic64_t oi_server_ids = ATOMIC64_INIT(0);

enum oi_request_state {
	OI_REQ_QUEUED,
	OI_REQ_DELIVERED,
	OI_REQ_ANSWERED,
};

/**
 * struct oi_request - one invocation (or release) of a hosted object
 * @ref:    the invoker's and the server's.
 * @srv:    the server; a reference.  Invariant.
 * @kind:   OBJINVOKE_REQUEST_*; invariant.
 * @cookie: the target's cookie; invariant.
 * @handle: the target's handle; invariant.
 * @state:  written under srv->lock; ANSWERED is published with a release
 *          store, so a waiter that reads it (acquire) sees the answer.
 * @id:     in srv->delivered while DELIVERED; under srv->lock.
 * @owner:  the thread it was delivered to, a pid reference (so the
 *          address is never reused by another thread while we hold it);
 *          compared, never used to reach the task.  Under srv->lock.
 * @cont:   the parked invocation its answer resumes, or NULL when an
 *          invoker waits on @wq.
 * @node:   on srv->queue.
 * @wq:     the invoker waits here for ANSWERED.
 * @data:   the buffers' bytes (input copies, output space).
 * @cost:   what it holds of srv->pinned (an invocation) or of
 *          srv->n_objects (a release notice); invariant.
 * @inv:    the invocation in kernel form: buffers in @data, input objects
 *          referenced, and once answered: result, sizes, output objects.
 */
struct oi_request {
	struct kref ref;
	struct oi_server *srv;
	u32 kind;
	u64 cookie;
	u32 handle;
	enum oi_request_state state;
	u32 id;
	struct pid *owner;
	struct oi_user_call *cont;
	struct list_head node;
	wait_queue_head_t wq;
	void *data;
	long cost;
	struct oi_invocation inv;
};

/**
 * struct oi_user_object - an object a process hosts
 * @base:    the object.
 * @srv:     its server; a reference.  Invariant.
 * @cookie:  the host's value; invariant.
 * @handle:  its key in srv->objects; invariant.
 * @release: the release request, made with the object so the last put
 *           never has to allocate.
 */
struct oi_user_object {
	struct oi_object base;
	struct oi_server *srv;
	u64 cookie;
	u32 handle;
	struct oi_request *release;
};

static const struct oi_object_ops oi_user_object_ops;

static void oi_server_release_ref(struct kref *ref)
{
	struct oi_server *srv = container_of(ref, struct oi_server, ref);

	spin_lock(&oi_servers_lock);
	list_del(&srv->all);
	spin_unlock(&oi_servers_lock);
	put_pid(srv->creator);	/* get: oi_server_new() */
	xa_destroy(&srv->delivered);
	xa_destroy(&srv->objects);
	kfree(srv);
}

/**
 * oi_server_put() - drop a reference to a server
 * @srv: the server; NULL is allowed and ignored.
 *
 * Context: any context that may free memory.
 */
void oi_server_put(struct oi_server *srv)
{
	if (srv)
		kref_put(&srv->ref, oi_server_release_ref);
}

/* Take @n of a server's budget @used, up to @max: whether it fitted. */
static bool oi_server_charge(atomic_long_t *used, long n, unsigned long max)
{
	if (atomic_long_add_return(n, used) <= (long)min(max, (unsigned long)LONG_MAX))
		return true;
	atomic_long_sub(n, used);
	return false;
}

static void oi_server_event_locked(struct oi_server *srv)
{
	lockdep_assert_held(&srv->lock);
	atomic_inc(&srv->events);
	wake_up_all(&srv->wq);
}

static void oi_request_free(struct kref *ref)
{
	struct oi_request *req = container_of(ref, struct oi_request, ref);
	struct oi_invocation *inv = &req->inv;
	unsigned int i;

	for (i = qtee_idx_io(inv->counts); i < qtee_num_args(inv->counts); i++)
		oi_object_put(inv->args[i].o);
	atomic_long_sub(req->cost, req->kind == OBJINVOKE_REQUEST_RELEASE ?
				   &req->srv->n_objects : &req->srv->pinned);
	put_pid(req->owner);
	oi_server_put(req->srv);
	kvfree(req->data);
	kfree(req);
}

static void oi_request_put(struct oi_request *req)
{
	kref_put(&req->ref, oi_request_free);
}

/*
 * A request of @kind for @uo, holding @cost of its server's budget (bytes
 * for an invocation, one object for a release notice).  ERR_PTR(-ENOBUFS)
 * or ERR_PTR(-ENOSPC) when the budget is spent.
 */
static struct oi_request *oi_request_alloc(struct oi_server *srv, u32 kind,
					   struct oi_user_object *uo, long cost)
{
	bool release = kind == OBJINVOKE_REQUEST_RELEASE;
	struct oi_request *req;

	if (!oi_server_charge(release ? &srv->n_objects : &srv->pinned, cost,
			      release ? server_max_objects : server_max_bytes))
		return ERR_PTR(release ? -ENOSPC : -ENOBUFS);
	req = kzalloc(sizeof(*req), GFP_KERNEL_ACCOUNT);
	if (!req) {
		atomic_long_sub(cost, release ? &srv->n_objects : &srv->pinned);
		return ERR_PTR(-ENOMEM);
	}
	req->cost = cost;
	kref_init(&req->ref);
	kref_get(&srv->ref);	/* put: oi_request_free() */
	req->srv = srv;
	req->kind = kind;
	req->cookie = uo->cookie;
	req->handle = uo->handle;
	INIT_LIST_HEAD(&req->node);
	init_waitqueue_head(&req->wq);
	return req;
}

/*
 * A request carrying @src: input buffers copied, output space reserved,
 * input objects referenced.  ERR_PTR() as oi_request_alloc(), or
 * -EFAULT reading an input buffer.
 */
static struct oi_request *oi_request_new(struct oi_user_object *uo,
					 struct oi_invocation *src)
{
	unsigned int i, c = src->counts;
	struct oi_request *req;
	size_t total = 0, off = 0;
	int err = -ENOMEM;

	for (i = 0; i < qtee_num_bufs(c); i++)
		total += ALIGN(src->args[i].b.size, 8);

	req = oi_request_alloc(uo->srv, OBJINVOKE_REQUEST_INVOKE, uo,
			       sizeof(*req) + total);
	if (IS_ERR(req))
		return req;
	req->data = kvzalloc(total ?: 1, GFP_KERNEL_ACCOUNT);
	if (!req->data)
		goto err_put;

	req->inv.op = src->op;
	req->inv.counts = c;
	for (i = 0; i < qtee_num_bufs(c); i++) {
		struct oi_arg *a = &req->inv.args[i];

		a->b.kptr = req->data + off;
		a->b.size = src->args[i].b.size;
		off += ALIGN(a->b.size, 8);
		if (i < QTEE_IDX_BO(c)) {
			err = oi_arg_read(src, i, a->b.kptr, a->b.size);
			if (err)
				goto err_put;
		}
	}
	for (i = qtee_idx_io(c); i < qtee_idx_oo(c); i++)
		if (src->args[i].o)	/* put: oi_request_free() */
			req->inv.args[i].o = oi_object_get(src->args[i].o);
	return req;

err_put:
	oi_request_put(req);
	return ERR_PTR(err);
}

/* Hand the answer of @req to the invocation @dst it was made for. */
static int oi_request_collect(struct oi_request *req, struct oi_invocation *dst)
{
	struct oi_invocation *inv = &req->inv;
	unsigned int i, c = inv->counts;
	int ret = 0;

	dst->result = inv->result;
	if (inv->result != QTEE_OK)
		return 0;
	for (i = QTEE_IDX_BO(c); i < qtee_idx_io(c) && !ret; i++)
		ret = oi_arg_write(dst, i, inv->args[i].b.kptr, inv->args[i].b.size);
	if (ret)
		return ret;
	for (i = qtee_idx_oo(c); i < qtee_num_args(c); i++) {
		dst->args[i].o = inv->args[i].o;	/* the reference moves */
		inv->args[i].o = NULL;
	}
	return 0;
}

/* Answer @req with @result and no outputs; wakes its invoker. */
static void oi_request_answer_locked(struct oi_request *req, int result)
{
	lockdep_assert_held(&req->srv->lock);
	req->inv.result = result;
	/* Pairs with oi_request_answered(): the answer before the state. */
	smp_store_release(&req->state, OI_REQ_ANSWERED);
	wake_up(&req->wq);
}

static bool oi_request_answered(struct oi_request *req)
{
	return smp_load_acquire(&req->state) == OI_REQ_ANSWERED;
}

/* Whether the calling thread holds @req (its delivery's owner). */
static bool oi_request_owned_by_current_locked(struct oi_request *req)
{
	lockdep_assert_held(&req->srv->lock);
	return req->owner == task_pid(current);
}

/*
 * @req goes to the calling thread: for an invocation, an ID reserved in
 * srv->delivered but not yet visible (the server's death must not find,
 * answer and free a request whose delivery is still being written;
 * xa_store() publishes it).  In the same critical section as the dequeue,
 * if any: an invoker killed meanwhile must see that the queue's reference
 * has moved to the delivering thread.
 */
static int oi_request_take_locked(struct oi_server *srv,
				  struct oi_request *req)
{
	int ret;

	lockdep_assert_held(&srv->lock);
	if (req->kind == OBJINVOKE_REQUEST_INVOKE) {
		ret = xa_alloc_cyclic(&srv->delivered, &req->id, NULL,
				      xa_limit_32b, &srv->next_id, GFP_KERNEL_ACCOUNT);
		if (ret < 0)
			return ret;
	}
	list_del_init(&req->node);
	req->state = OI_REQ_DELIVERED;
	req->owner = get_pid(task_pid(current));	/* put: oi_request_free() */
	return 0;
}

/* Take a request no thread has taken off its queue: whether it was there. */
static bool oi_request_unqueue(struct oi_request *req)
{
	struct oi_server *srv = req->srv;
	bool queued;

	mutex_lock(&srv->lock);
	queued = req->state == OI_REQ_QUEUED;
	if (queued)
		list_del_init(&req->node);
	mutex_unlock(&srv->lock);
	if (queued)
		oi_request_put(req);	/* the queue's */
	return queued;
}

/*
 * Wait for the answer to @req, as a TEE call is waited for (enum
 * qtee_wait): with @interruptible (a user's own invocation), a signal that
 * comes before a host took the request withdraws it, and the ioctl may be
 * restarted, for nothing happened; once a host has it, only a fatal
 * signal ends the wait, and the answer is dropped.
 */
static int oi_request_wait(struct oi_request *req, bool interruptible)
{
	if (interruptible &&
	    wait_event_freezable(req->wq, oi_request_answered(req)) &&
	    oi_request_unqueue(req))
		return -ERESTARTSYS;
	if (___wait_event(req->wq, oi_request_answered(req),
			  (TASK_KILLABLE | TASK_FREEZABLE), 0, 0, schedule())) {
		oi_request_unqueue(req);	/* if nobody took it yet */
		return -EINTR;
	}
	return 0;
}

/* ---- hosted objects ---- */

static struct oi_user_object *to_user_object(struct oi_object *obj)
{
	return container_of(obj, struct oi_user_object, base);
}

static int oi_user_object_invoke(struct oi_object *obj,
				 struct oi_invocation *inv)
{
	struct oi_user_object *uo = to_user_object(obj);
	struct oi_server *srv = uo->srv;
	struct oi_request *req;
	int ret;

	req = oi_request_new(uo, inv);
	if (IS_ERR(req))
		return PTR_ERR(req);

	if (inv->serve == srv) {
		/* The invoking thread serves it: hand it back up. */
		inv->parked = req;
		inv->park_ctx = req;
		return OI_PARKED;
	}

	mutex_lock(&srv->lock);
	if (srv->dead) {
		mutex_unlock(&srv->lock);
		oi_request_put(req);
		inv->result = QTEE_ERROR_DEFUNCT;
		return 0;
	}
	kref_get(&req->ref);	/* put: RECV's delivery or the server's death */
	list_add_tail(&req->node, &srv->queue);
	oi_server_event_locked(srv);
	mutex_unlock(&srv->lock);

	ret = oi_request_wait(req, inv->from_user);
	if (!ret)
		ret = oi_request_collect(req, inv);
	oi_request_put(req);
	return ret;
}

static int oi_user_object_resume(struct oi_object *obj,
				 struct oi_invocation *inv)
{
	struct oi_request *req = inv->park_ctx;
	int ret;

	inv->park_ctx = NULL;
	inv->parked = NULL;
	ret = oi_request_collect(req, inv);
	oi_request_put(req);
	return ret;
}

static void oi_user_object_abandon(struct oi_object *obj,
				   struct oi_invocation *inv)
{
	oi_request_put(inv->park_ctx);
	inv->park_ctx = NULL;
	inv->parked = NULL;
}

static void oi_user_object_destroy(struct oi_object *obj)
{
	struct oi_user_object *uo = to_user_object(obj);
	struct oi_server *srv = uo->srv;
	struct oi_request *rel = uo->release;

	mutex_lock(&srv->lock);
	xa_erase(&srv->objects, uo->handle);
	if (!srv->dead) {
		/* The host learns of it exactly once: this is the last put. */
		list_add_tail(&rel->node, &srv->queue);
		oi_server_event_locked(srv);
		rel = NULL;
	}
	mutex_unlock(&srv->lock);
	if (rel)
		oi_request_put(rel);
	oi_server_put(srv);	/* get: oi_server_add() */
	kfree(uo);
}

/*
 * Which server hosts it (the number its server fd and debugfs show) and
 * its handle there; "dead" once that server is gone.
 */
static void oi_user_object_show_fdinfo(struct oi_object *obj,
				       struct seq_file *m)
{
	struct oi_user_object *uo = container_of(obj, struct oi_user_object,
						 base);

	seq_printf(m, "server:\t%llu%s\n", uo->srv->id,
		   READ_ONCE(uo->srv->dead) ? " (dead)" : "");
	seq_printf(m, "handle:\t%u\n", uo->handle);
}

static const struct oi_object_ops oi_user_object_ops = {
	.kind = OI_KIND_USER,
	.show_fdinfo = oi_user_object_show_fdinfo,
	.invoke = oi_user_object_invoke,
	.resume = oi_user_object_resume,
	.abandon = oi_user_object_abandon,
	.destroy = oi_user_object_destroy,
};

/* ---- delivering requests to userspace ---- */

/* The bytes a request's input buffers need at the host, each 8-aligned. */
static size_t oi_request_buf_bytes(struct oi_request *req)
{
	unsigned int i;
	size_t total = 0;

	for (i = 0; i < QTEE_NUM_BI(req->inv.counts); i++)
		total += ALIGN(req->inv.args[i].b.size, 8);
	return total;
}

/*
 * Write @req into the host's struct objinvoke_request @k (already copied
 * in) at @ureq: input buffers into k->buf, the argument array, input
 * objects as new fds.  All or nothing: fds are installed last.
 * Returns 0, -ENOSPC (k->buf_size says what is needed), -EFAULT, -EMFILE.
 */
static int oi_request_deliver(struct oi_request *req,
			      struct objinvoke_request *k, void __user *ureq)
{
	struct oi_invocation *inv = &req->inv;
	unsigned int i, n = qtee_num_args(inv->counts);
	struct file *files[QTEE_MAX_PER_KIND] = {};
	struct objinvoke_arg *uargs;
	size_t need = oi_request_buf_bytes(req), off = 0;
	int ret = 0, fd;

	k->id = req->id;
	k->cookie = req->cookie;
	k->handle = req->handle;
	k->kind = req->kind;
	k->op = req->kind == OBJINVOKE_REQUEST_INVOKE ? inv->op : 0;
	k->counts = req->kind == OBJINVOKE_REQUEST_INVOKE ? inv->counts : 0;
	if (req->kind != OBJINVOKE_REQUEST_INVOKE)
		n = 0;
	if (n > k->args_cap || need > k->buf_size) {
		k->buf_size = need;
		k->args_cap = n;
		return copy_to_user(ureq, k, sizeof(*k)) ? -EFAULT : -ENOSPC;
	}

	uargs = kcalloc(QTEE_MAX_ARGS, sizeof(*uargs), GFP_KERNEL);
	if (!uargs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct oi_arg *a = &inv->args[i];

		uargs[i].fd = OBJINVOKE_FD_NONE;
		if (i < QTEE_IDX_BO(inv->counts)) {
			uargs[i].addr = k->buf + off;
			uargs[i].size = a->b.size;
			if (copy_to_user(u64_to_user_ptr(uargs[i].addr),
					 a->b.kptr, a->b.size)) {
				ret = -EFAULT;
				goto out_undo;
			}
			off += ALIGN(a->b.size, 8);
		} else if (i < qtee_idx_io(inv->counts)) {
			uargs[i].size = a->b.size;
		} else if (i < qtee_idx_oo(inv->counts) && a->o) {
			fd = get_unused_fd_flags(O_CLOEXEC);
			if (fd < 0) {
				ret = fd;
				goto out_undo;
			}
			files[i - qtee_idx_io(inv->counts)] =
				oi_object_out_file(a->o, &uargs[i].flags);
			if (IS_ERR(files[i - qtee_idx_io(inv->counts)])) {
				ret = PTR_ERR(files[i - qtee_idx_io(inv->counts)]);
				files[i - qtee_idx_io(inv->counts)] = NULL;
				put_unused_fd(fd);
				goto out_undo;
			}
			uargs[i].fd = fd;
		}
	}
	k->buf_size = off;
	if ((n && copy_to_user(u64_to_user_ptr(k->args), uargs,
			       n * sizeof(*uargs))) ||
	    copy_to_user(ureq, k, sizeof(*k)))
		ret = -EFAULT;

out_undo:
	for (i = 0; i < QTEE_MAX_PER_KIND; i++) {
		unsigned int at = qtee_idx_io(inv->counts) + i;

		if (!files[i])
			continue;
		if (ret) {
			put_unused_fd(uargs[at].fd);
			fput(files[i]);
		} else {
			fd_install(uargs[at].fd, files[i]);
		}
	}
	kfree(uargs);
	return ret;
}

/* Result the invoker sees when its request could not be delivered. */
static int oi_deliver_error_result(int err)
{
	switch (err) {
	case -ENOSPC:
		return QTEE_ERROR_MAXDATA;
	case -EMFILE:
	case -ENFILE:
		return QTEE_ERROR_NOSLOTS;
	default:
		return oi_errno_to_result(err);
	}
}

/* A parked request goes to the calling thread (oi_request_take_locked()). */
static int oi_server_take_parked(struct oi_server *srv, struct oi_request *req)
{
	int ret;

	mutex_lock(&srv->lock);
	ret = srv->dead ? -ENODEV : oi_request_take_locked(srv, req);
	mutex_unlock(&srv->lock);
	return ret;
}

/**
 * oi_server_park() - give a request to the thread whose invocation made it
 * @srv:  the server the thread serves (its invocation's ->serve).
 * @req:  the parked request (the invocation's ->parked).
 * @uc:   the parked ioctl, resumed by the reply.
 * @ureq: the thread's struct objinvoke_request.
 * @ustate: the state field of the thread's invoke struct, set to
 *        OBJINVOKE_STATE_REQUEST here.
 *
 * Everything the thread is told is written before the request is
 * published: from then on a SERVER_SHUTDOWN or the last close on another
 * thread may abandon the parked invocation and free @uc, so the caller
 * must not touch @uc again after a 0 return.
 *
 * On failure the request is answered with an error on the host's behalf
 * and the caller resumes the invocation at once.
 *
 * Context: process context, the invoking thread.
 * Return: 0 when the thread now holds the request, or -errno.
 */
int oi_server_park(struct oi_server *srv, struct oi_request *req,
		   struct oi_user_call *uc, void __user *ureq,
		   u32 __user *ustate)
{
	struct objinvoke_request k;
	int ret = 0;

	if (copy_from_user(&k, ureq, sizeof(k)) ||
	    put_user(OBJINVOKE_STATE_REQUEST, ustate))
		ret = -EFAULT;
	if (!ret)
		ret = oi_server_take_parked(srv, req);
	if (!ret) {
		req->cont = uc;
		ret = oi_request_deliver(req, &k, ureq);
	}

	mutex_lock(&srv->lock);
	if (!ret && !srv->dead) {
		/* The reply resumes @uc; the server's death abandons it. */
		kref_get(&req->ref);	/* put: the reply, or the death */
		xa_store(&srv->delivered, req->id, req, GFP_KERNEL_ACCOUNT);
		mutex_unlock(&srv->lock);
		oi_test_point(OI_TP_PARK_PUBLISHED);
		return 0;
	}
	if (req->id)
		xa_erase(&srv->delivered, req->id);
	req->cont = NULL;
	ret = ret ?: -ENODEV;
	oi_request_answer_locked(req, ret == -ENODEV ? QTEE_ERROR_DEFUNCT :
				 oi_deliver_error_result(ret));
	mutex_unlock(&srv->lock);
	return ret;
}

/**
 * oi_server_depth() - how many requests the calling thread holds
 * @srv: a server.
 *
 * Each is an invocation nested below whatever the thread does next.
 * Context: process context.
 * Return: the count.
 */
int oi_server_depth(struct oi_server *srv)
{
	struct oi_request *req;
	unsigned long id;
	int depth = 0;

	mutex_lock(&srv->lock);
	xa_for_each(&srv->delivered, id, req)
		if (oi_request_owned_by_current_locked(req))
			depth++;
	mutex_unlock(&srv->lock);
	return depth;
}

/**
 * oi_server_add_object() - a new object hosted by @srv
 * @srv:    the server.
 * @cookie: the host's value, given back with each request for it.
 * @handle: out: its handle on the server.
 *
 * Context: process context.
 * Return: the object, one reference owned by the caller (the last put
 *         queues its release request), or ERR_PTR(): -ENOSPC when the
 *         server hosts as many as it may, -ESHUTDOWN when it is dead,
 *         -ENOMEM.
 */
struct oi_object *oi_server_add_object(struct oi_server *srv, u64 cookie,
				       u32 *handle)
{
	struct oi_user_object *uo;
	int ret;

	uo = kzalloc(sizeof(*uo), GFP_KERNEL_ACCOUNT);
	if (!uo)
		return ERR_PTR(-ENOMEM);
	oi_object_init(&uo->base, &oi_user_object_ops);
	uo->cookie = cookie;
	uo->srv = srv;
	/* The notice is made now, so the last put never allocates. */
	uo->release = oi_request_alloc(srv, OBJINVOKE_REQUEST_RELEASE, uo, 1);
	if (IS_ERR(uo->release)) {
		ret = PTR_ERR(uo->release);
		kfree(uo);
		return ERR_PTR(ret);
	}

	mutex_lock(&srv->lock);
	ret = srv->dead ? -ESHUTDOWN :
	      xa_alloc(&srv->objects, &uo->handle, uo, xa_limit_32b, GFP_KERNEL_ACCOUNT);
	mutex_unlock(&srv->lock);
	if (ret) {
		oi_request_put(uo->release);
		kfree(uo);
		return ERR_PTR(ret);
	}
	uo->release->handle = uo->handle;
	kref_get(&srv->ref);	/* put: oi_user_object_destroy() */
	*handle = uo->handle;
	return &uo->base;
}

/**
 * oi_server_get_object() - the live object @srv hosts under @handle
 * @srv:    the server.
 * @handle: its handle.
 *
 * Context: process context.
 * Return: a new reference, or ERR_PTR(-ENOENT) when no object has that
 *         handle or it is on its way out (its release is queued).
 */
struct oi_object *oi_server_get_object(struct oi_server *srv, u32 handle)
{
	struct oi_user_object *uo;

	mutex_lock(&srv->lock);
	uo = xa_load(&srv->objects, handle);
	/* Once its count hit zero, the release request is on its way. */
	if (uo && !kref_get_unless_zero(&uo->base.ref))
		uo = NULL;
	mutex_unlock(&srv->lock);
	return uo ? &uo->base : ERR_PTR(-ENOENT);
}

/**
 * oi_server_recv() - hand the oldest queued request of @srv to the calling
 * thread
 * @srv:  the server.
 * @k:    the host's struct objinvoke_request, copied in and checked.
 * @uarg: where it is, to write the request to.
 *
 * Waits for one unless @k asks not to.  A request that cannot be written
 * goes back to the queue as it was.
 *
 * Context: process context; sleeps (interruptible, freezable).
 * Return: 0, -EAGAIN (nonblocking and none queued), -EINTR, -ESHUTDOWN,
 *         or an error of oi_request_deliver().
 */
int oi_server_recv(struct oi_server *srv, struct objinvoke_request *k,
		   void __user *uarg)
{
	struct oi_request *req;
	int ret = 0;

	for (;;) {
		int seen = atomic_read(&srv->events);

		mutex_lock(&srv->lock);
		if (srv->dead) {
			mutex_unlock(&srv->lock);
			return -ESHUTDOWN;
		}
		req = list_first_entry_or_null(&srv->queue, struct oi_request,
					       node);
		if (req)
			ret = oi_request_take_locked(srv, req);
		mutex_unlock(&srv->lock);
		if (ret)
			return ret;	/* no ID to give: it stays queued */
		if (req)
			break;
		if (k->flags & OBJINVOKE_RECV_NONBLOCK)
			return -EAGAIN;
		if (wait_event_freezable(srv->wq,
					 atomic_read(&srv->events) != seen))
			return -EINTR;
	}

	/* The queue's reference is ours now, until we publish or requeue. */
	oi_test_point(OI_TP_RECV_TAKEN);
	ret = oi_request_deliver(req, k, uarg);

	mutex_lock(&srv->lock);
	if (req->kind != OBJINVOKE_REQUEST_INVOKE && !ret) {
		mutex_unlock(&srv->lock);
		oi_request_put(req);	/* the notice is delivered: done */
		return 0;
	}
	if (!ret && !srv->dead) {
		xa_store(&srv->delivered, req->id, req, GFP_KERNEL_ACCOUNT);
		mutex_unlock(&srv->lock);
		return 0;
	}
	if (req->id) {
		xa_erase(&srv->delivered, req->id);
		req->id = 0;
	}
	if (srv->dead) {
		/*
		 * Died meanwhile: the invoker gets DEFUNCT; a delivered
		 * request stays delivered (its fds are the host's) and its
		 * reply will find nothing.
		 */
		if (req->kind == OBJINVOKE_REQUEST_INVOKE)
			oi_request_answer_locked(req, QTEE_ERROR_DEFUNCT);
		mutex_unlock(&srv->lock);
		oi_request_put(req);
		return ret;
	}
	/* Give it back, as it was, for this or another thread. */
	req->state = OI_REQ_QUEUED;
	put_pid(req->owner);
	req->owner = NULL;
	list_add(&req->node, &srv->queue);
	oi_server_event_locked(srv);
	mutex_unlock(&srv->lock);
	return ret;
}

/*
 * Read the host's answer into @req: output buffers (never more than
 * reserved) and output objects.  Returns 0 or the errno of what was wrong
 * with the reply, having set the result the invoker will see.
 */
static int oi_reply_apply(struct oi_request *req, const struct objinvoke_reply *k)
{
	struct oi_invocation *inv = &req->inv;
	unsigned int i, c = inv->counts, n = qtee_num_args(c);
	struct objinvoke_arg *uargs;
	struct oi_object *obj;
	int ret = 0;

	inv->result = (s32)k->result;
	if (inv->result != QTEE_OK || !(QTEE_NUM_BO(c) + QTEE_NUM_OO(c)))
		return 0;

	uargs = kcalloc(n, sizeof(*uargs), GFP_KERNEL);
	if (!uargs) {
		inv->result = QTEE_ERROR_KMEM;
		return -ENOMEM;
	}
	if (copy_from_user(uargs, u64_to_user_ptr(k->args), n * sizeof(*uargs))) {
		inv->result = QTEE_ERROR_INVALID;
		ret = -EFAULT;
		goto out;
	}
	for (i = QTEE_IDX_BO(c); i < qtee_idx_io(c); i++) {
		if (uargs[i].size > inv->args[i].b.size) {
			inv->result = QTEE_ERROR_SIZE_OUT;
			ret = -EMSGSIZE;
			goto out;
		}
		if (copy_from_user(inv->args[i].b.kptr,
				   u64_to_user_ptr(uargs[i].addr), uargs[i].size)) {
			inv->result = QTEE_ERROR_INVALID;
			ret = -EFAULT;
			goto out;
		}
		inv->args[i].b.size = uargs[i].size;
	}
	for (i = qtee_idx_oo(c); i < n; i++) {
		if (uargs[i].fd == OBJINVOKE_FD_NONE)
			continue;
		obj = uargs[i].fd > INT_MAX ? ERR_PTR(-EBADF) :
		      oi_object_from_fd(uargs[i].fd);
		if (IS_ERR(obj)) {
			ret = PTR_ERR(obj);
			inv->result = QTEE_ERROR_BADOBJ;
			goto out;
		}
		inv->args[i].o = obj;
	}
out:
	if (ret)
		oi_invocation_put_out_objects(inv);
	kfree(uargs);
	return ret;
}

/**
 * oi_server_reply() - the host answers a request it holds
 * @srv: the server.
 * @k:   the host's struct objinvoke_reply, copied in and checked.
 *
 * A parked invocation the answer resumes goes on in this thread: this is
 * where the module's one recursion closes (oi_server_park() above).
 *
 * Context: process context, a thread of the host.
 * Return: -ENOENT when the thread holds no such request; for a parked
 *         invocation what its invoke ioctl returns; else 0 or what was
 *         wrong with the reply (the invoker sees an error result).
 */
long oi_server_reply(struct oi_server *srv, const struct objinvoke_reply *k)
{
	struct oi_request *req;
	struct oi_user_call *cont;
	int ret;

	mutex_lock(&srv->lock);
	req = xa_load(&srv->delivered, k->id);
	/* Only the thread that holds a parked request can carry it on. */
	if (req && (!req->cont || oi_request_owned_by_current_locked(req)))
		xa_erase(&srv->delivered, k->id);
	else
		req = NULL;
	mutex_unlock(&srv->lock);
	if (!req)
		return -ENOENT;

	ret = oi_reply_apply(req, k);
	cont = req->cont;
	mutex_lock(&srv->lock);
	oi_request_answer_locked(req, req->inv.result);
	mutex_unlock(&srv->lock);
	oi_request_put(req);	/* the delivery's */

	/*
	 * A parked invocation goes on in this thread, and reports itself:
	 * the call back up into invoke_ioctl.c, the genuine recursion.
	 */
	return cont ? oi_invoke_continue(cont) : ret;
}

/**
 * oi_server_kill() - the server dies (its fd's last close, or shutdown)
 * @srv: the server.
 *
 * Everything queued or delivered is answered DEFUNCT and every waiter
 * woken; parked invocations are abandoned (in invoke_ioctl.c: the other
 * way back up of the recursion).  Idempotent.
 *
 * Context: process context.
 */
void oi_server_kill(struct oi_server *srv)
{
	struct oi_request *req, *tmp;
	LIST_HEAD(doomed);
	unsigned long id;

	mutex_lock(&srv->lock);
	if (srv->dead) {
		mutex_unlock(&srv->lock);
		return;
	}
	srv->dead = true;
	list_splice_init(&srv->queue, &doomed);
	xa_for_each(&srv->delivered, id, req) {
		xa_erase(&srv->delivered, id);
		list_add_tail(&req->node, &doomed);
	}
	list_for_each_entry(req, &doomed, node)
		if (req->kind == OBJINVOKE_REQUEST_INVOKE && !req->cont)
			oi_request_answer_locked(req, QTEE_ERROR_DEFUNCT);
	oi_server_event_locked(srv);
	mutex_unlock(&srv->lock);

	/* Puts outside the lock: they may destroy objects of this server. */
	list_for_each_entry_safe(req, tmp, &doomed, node) {
		list_del_init(&req->node);
		if (req->cont)
			oi_invoke_abandon(req->cont);
		oi_request_put(req);
	}
}

/**
 * oi_server_poll() - poll on the server fd
 * @srv:  the server.
 * @file: its file.
 * @pt:   the poll table.
 *
 * Context: process context.
 * Return: EPOLLIN when a request is queued, EPOLLHUP once it is dead.
 */
__poll_t oi_server_poll(struct oi_server *srv, struct file *file,
			poll_table *pt)
{
	__poll_t mask = 0;

	poll_wait(file, &srv->wq, pt);
	mutex_lock(&srv->lock);
	if (!list_empty(&srv->queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (srv->dead)
		mask |= EPOLLHUP;
	mutex_unlock(&srv->lock);
	return mask;
}

/**
 * oi_server_get() - take a reference to @srv
 * @srv: the server.
 *
 * Return: @srv; put with oi_server_put().
 */
struct oi_server *oi_server_get(struct oi_server *srv)
{
	kref_get(&srv->ref);
	return srv;
}

/**
 * oi_server_new() - a new server, with nothing hosted or queued
 *
 * Context: process context.
 * Return: one reference owned by the caller, or ERR_PTR(-ENOMEM).
 */
struct oi_server *oi_server_new(void)
{
	struct oi_server *srv;

	srv = kzalloc(sizeof(*srv), GFP_KERNEL_ACCOUNT);
	if (!srv)
		return ERR_PTR(-ENOMEM);
	kref_init(&srv->ref);
	atomic_long_set(&srv->n_objects, 0);
	atomic_long_set(&srv->pinned, 0);
	mutex_init(&srv->lock);
	INIT_LIST_HEAD(&srv->queue);
	xa_init_flags(&srv->delivered, XA_FLAGS_ALLOC1);
	xa_init_flags(&srv->objects, XA_FLAGS_ALLOC1);
	init_waitqueue_head(&srv->wq);
	srv->id = atomic64_inc_return(&oi_server_ids);
	srv->creator = get_pid(task_tgid(current));	/* put: oi_server_release_ref() */
	spin_lock(&oi_servers_lock);
	list_add_tail(&srv->all, &oi_servers);
	spin_unlock(&oi_servers_lock);
	return srv;
}

/* One server's line of the debugfs view. */
static void oi_server_show(struct oi_server *srv, struct seq_file *m)
{
	unsigned int queued = 0, delivered = 0, parked = 0;
	struct oi_request *req;
	unsigned long id;
	bool dead;

	mutex_lock(&srv->lock);
	dead = srv->dead;
	list_for_each_entry(req, &srv->queue, node)
		queued++;
	xa_for_each(&srv->delivered, id, req) {
		delivered++;
		if (req->cont)
			parked++;
	}
	mutex_unlock(&srv->lock);
	seq_printf(m, "server %llu pid %d%s objects %ld queued %u delivered %u parked %u bytes %ld\n",
		   srv->id, pid_nr(srv->creator), dead ? " dead" : "",
		   atomic_long_read(&srv->n_objects), queued, delivered, parked,
		   atomic_long_read(&srv->pinned));
}

/* The server's number in fdinfo and debugfs. */
u64 oi_server_id(const struct oi_server *srv)
{
	return srv->id;
}

/**
 * oi_servers_show() - one line per live server, for debugfs
 * @m: where to print.
 *
 * Each server is pinned by a reference while its lock is taken, and the
 * walk goes on from it: a server freed meanwhile is skipped, never
 * touched.  "delivered" counts requests handed to a thread, "parked" the
 * part of them that a thread's own invocation waits for.
 *
 * Context: process context; takes each server's lock.
 */
void oi_servers_show(struct seq_file *m)
{
	struct oi_server *srv, *prev = NULL;

	for (;;) {
		spin_lock(&oi_servers_lock);
		srv = prev ? list_next_entry(prev, all) :
			     list_first_entry(&oi_servers, struct oi_server, all);
		list_for_each_entry_from(srv, &oi_servers, all)
			if (kref_get_unless_zero(&srv->ref))
				break;
		spin_unlock(&oi_servers_lock);
		oi_server_put(prev);	/* get: the walk's previous step */
		if (list_entry_is_head(srv, &oi_servers, all))
			return;
		oi_server_show(srv, m);
		prev = srv;
	}
}
