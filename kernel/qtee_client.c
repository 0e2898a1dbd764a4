// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: each process's share of the TEE
 *
 * The TEE runs a call on one of its few secure threads from the call's
 * first SMC to its last, callbacks included: a thread waiting for a
 * callback's answer is as taken as one computing.  A process that starts
 * as many calls as the TEE has threads, and parks their callbacks or asks
 * for long work, would stop every other process's invocations.  So a
 * process (a thread group) may have at most tee_sessions_per_process calls
 * with the TEE at once.
 *
 * One more call waits (killably; interruptibly for a user's own
 * invocation, which is then withdrawn) for one of the process's calls to
 * end.  Unless one of them waits for a callback's answer: the new call
 * may be what that callback is doing (a callback that invokes the TEE
 * again), so waiting might never end, and the call fails at once with
 * -EBUSY.  The default, one more than OBJINVOKE_MAX_DEPTH, lets one full
 * chain of nested callbacks run; the emulator's pool is larger than that,
 * so one process never takes all of it.
 *
 * The count belongs to the process that started the call and goes when
 * the call is freed, also when a worker finishes it for a killed caller.
 * Releases the kernel sends from its workers are no process's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "qtee.h"

static unsigned int tee_sessions_per_process = OBJINVOKE_MAX_DEPTH + 1;
module_param(tee_sessions_per_process, uint, 0644);
MODULE_PARM_DESC(tee_sessions_per_process,
		 "calls one process may have with the TEE at once");

/**
 * struct qtee_client - one process's calls with the TEE
 * @node:        in qtee_clients, by @tgid.
 * @tgid:        the process, a pid reference; invariant.
 * @users:       calls holding a session or waiting for one.
 * @sessions:    calls with the TEE.
 * @in_callback: of those, calls whose TEE thread waits for a callback's
 *               answer.
 *
 * Every field is under qtee_clients_lock; waiters read the counts without
 * it, and their @users reference keeps the struct alive.
 */
struct qtee_client {
	struct hlist_node node;
	struct pid *tgid;
	unsigned int users;
	unsigned int sessions;
	unsigned int in_callback;
};

static DEFINE_HASHTABLE(qtee_clients, 6);
static DEFINE_MUTEX(qtee_clients_lock);
/* Woken whenever a call leaves the TEE or starts waiting for a callback. */
static DECLARE_WAIT_QUEUE_HEAD(qtee_clients_wq);

/* The calling process's entry, with a @users reference, or ERR_PTR(-ENOMEM). */
static struct qtee_client *qtee_client_get_locked(void)
{
	struct pid *tgid = task_tgid(current);
	struct qtee_client *c;

	lockdep_assert_held(&qtee_clients_lock);
	hash_for_each_possible(qtee_clients, c, node, (unsigned long)tgid)
		if (c->tgid == tgid)
			goto found;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->tgid = get_pid(tgid);	/* put: qtee_client_put_locked() */
	hash_add(qtee_clients, &c->node, (unsigned long)tgid);
found:
	c->users++;
	return c;
}

static void qtee_client_put_locked(struct qtee_client *c)
{
	lockdep_assert_held(&qtee_clients_lock);
	if (--c->users)
		return;
	hash_del(&c->node);
	put_pid(c->tgid);
	kfree(c);
}

/* Whether a waiter at the limit has something to act on. */
static bool qtee_client_may_go_on(struct qtee_client *c)
{
	return READ_ONCE(c->sessions) < READ_ONCE(tee_sessions_per_process) ||
	       READ_ONCE(c->in_callback);
}

/**
 * qtee_client_enter() - count @call as one of the calling process's
 * @call:          a call about to be marshalled and sent.
 * @interruptible: a user's own invocation: a signal ends a wait for room.
 *
 * Context: process context; may wait for one of the process's calls.
 * Return: 0, -EBUSY (at the limit while a call of the process waits for a
 *         callback), -ERESTARTSYS (a signal while waiting), -ENOMEM.
 */
int qtee_client_enter(struct qtee_call *call, bool interruptible)
{
	struct qtee_client *c;
	int ret = 0;

	mutex_lock(&qtee_clients_lock);
	c = qtee_client_get_locked();
	if (IS_ERR(c)) {
		mutex_unlock(&qtee_clients_lock);
		return PTR_ERR(c);
	}
	while (c->sessions >= READ_ONCE(tee_sessions_per_process)) {
		if (c->in_callback) {
			ret = -EBUSY;
			goto out_put;
		}
		mutex_unlock(&qtee_clients_lock);
		ret = interruptible ?
		      wait_event_interruptible(qtee_clients_wq,
					       qtee_client_may_go_on(c)) :
		      wait_event_killable(qtee_clients_wq,
					  qtee_client_may_go_on(c));
		mutex_lock(&qtee_clients_lock);
		if (ret)
			goto out_put;
	}
	c->sessions++;
	call->client = c;	/* the @users reference moves to the call */
	mutex_unlock(&qtee_clients_lock);
	return 0;

out_put:
	qtee_client_put_locked(c);
	mutex_unlock(&qtee_clients_lock);
	return ret;
}

/**
 * qtee_client_callback() - @call's TEE thread starts or stops waiting for
 * a callback's answer
 * @call:    a counted call (others are ignored).
 * @waiting: it starts (true) or stops.
 *
 * Context: process context.
 */
void qtee_client_callback(struct qtee_call *call, bool waiting)
{
	if (!call->client || call->in_callback == waiting)
		return;
	mutex_lock(&qtee_clients_lock);
	if (waiting)
		call->client->in_callback++;
	else
		call->client->in_callback--;
	call->in_callback = waiting;
	mutex_unlock(&qtee_clients_lock);
	if (waiting)
		wake_up_all(&qtee_clients_wq);	/* waiters at the limit fail now */
}

/**
 * qtee_client_exit() - @call is over: its process may start another
 * @call: a call, counted or not.
 *
 * Context: process context.
 */
void qtee_client_exit(struct qtee_call *call)
{
	struct qtee_client *c = call->client;

	if (!c)
		return;
	mutex_lock(&qtee_clients_lock);
	if (call->in_callback)
		c->in_callback--;
	c->sessions--;
	qtee_client_put_locked(c);	/* get: qtee_client_enter() */
	mutex_unlock(&qtee_clients_lock);
	call->client = NULL;
	wake_up_all(&qtee_clients_wq);
}
