// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The secure threads' device loop (see smc_loop.h). */
#include "smc_loop.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/objinvoke_emu.h>

#include "dispatch.h"
#include "fault.h"
#include "log.h"

static bool stopping(struct emu_pool *p)
{
	return __atomic_load_n(&p->stopping, __ATOMIC_SEQ_CST);
}

/*
 * The transport of callbacks: complete the SMC call with the request, then
 * wait on the same session for the NW's response, which the device copies
 * into the outbound buffer in place.  A RESUME carries no inbound copy
 * (docs/wire-protocol.md), so none is offered: outputs a method already
 * wrote into the inbound buffer stay as they are.
 */
static int dev_roundtrip(void *priv, void *outbound, uint32_t out_size)
{
	struct emu_thread *t = priv;
	struct objinvoke_emu_done done = {
		.session = t->session,
		.status = OBJINVOKE_EMU_CALLBACK,
		.outbound = (uintptr_t)outbound,
		.out_size = out_size,
	};
	struct objinvoke_emu_call wait;

	if (ioctl(t->pool->fd, OBJINVOKE_EMU_IOC_COMPLETE, &done))
		goto lost;
	for (;;) {
		wait = (struct objinvoke_emu_call){
			.session = t->session,
			.outbound = (uintptr_t)outbound,
			.out_size = out_size,
		};
		if (!ioctl(t->pool->fd, OBJINVOKE_EMU_IOC_WAIT, &wait))
			break;
		/* Stopping abandons the session: closing the device ends it. */
		if (errno != EINTR || stopping(t->pool))
			goto lost;
	}
	if (wait.kind != OBJINVOKE_EMU_CALL_RESUME) {
		emu_err("thread %u: session %llu: got kind %u, not a resume",
			t->index, (unsigned long long)t->session, wait.kind);
		errno = EPROTO;
		goto lost;
	}
	return 0;
lost:
	t->session_lost = true;
	return -errno;
}

static void complete(struct emu_thread *t, struct emu_call *c)
{
	struct objinvoke_emu_done done = {
		.session = t->session,
		.status = c->status,
		.result = (uint32_t)c->result,
		.inbound = (uintptr_t)c->inbound,
		.outbound = (uintptr_t)c->outbound,
		.in_size = c->reply_in_size,
		.out_size = c->reply_out_size,
	};

	if (!ioctl(t->pool->fd, OBJINVOKE_EMU_IOC_COMPLETE, &done))
		return;
	/*
	 * The device ends the call as a bad message when it refuses a status
	 * and says EINVAL: for the injected BAD_STATUS that is the point.
	 */
	if (c->status == EMU_STATUS_BAD && errno == EINVAL) {
		emu_info("thread %u: session %llu: status %u refused, as meant",
			 t->index, (unsigned long long)t->session, c->status);
		return;
	}
	emu_err("thread %u: session %llu: COMPLETE: %s", t->index,
		(unsigned long long)t->session, strerror(errno));
}

/* Take one new SMC call: 1 got one, 0 interrupted, -errno fatal. */
static int take_call(struct emu_thread *t, struct objinvoke_emu_call *w)
{
	*w = (struct objinvoke_emu_call){
		.inbound = (uintptr_t)t->inbound,
		.outbound = (uintptr_t)t->outbound,
		.in_size = EMU_INBOUND_MAX,
		.out_size = EMU_OUTBOUND_SIZE,
	};
	if (ioctl(t->pool->fd, OBJINVOKE_EMU_IOC_WAIT, w))
		return errno == EINTR ? 0 : -errno;
	if (w->kind != OBJINVOKE_EMU_CALL_INVOKE) {
		emu_warn("thread %u: new call of kind %u ignored", t->index,
			 w->kind);
		return 0;
	}
	return 1;
}

static void *secure_thread(void *arg)
{
	struct emu_thread *t = arg;
	struct objinvoke_emu_call w;
	struct emu_call c;
	int r;

	while (!stopping(t->pool)) {
		r = take_call(t, &w);
		if (r < 0) {
			emu_err("thread %u: WAIT: %s", t->index, strerror(-r));
			__atomic_store_n(&t->pool->failed, true,
					 __ATOMIC_SEQ_CST);
			pthread_kill(t->pool->owner, SIGTERM);
			break;
		}
		if (!r)
			continue;
		t->session = w.session;
		t->session_lost = false;
		emu_call_init(&c, t->pool->emu, &t->tx, t->inbound, w.in_size,
			      t->outbound, w.out_size);
		emu_dispatch(&c);
		if (!t->session_lost)
			complete(t, &c);
	}
	return NULL;
}

static void free_buffers(struct emu_thread *t)
{
	free(t->inbound);
	free(t->outbound);
}

static int start_thread(struct emu_pool *p, unsigned int i)
{
	struct emu_thread *t = &p->threads[i];
	int err;

	t->index = i;
	t->pool = p;
	t->tx.roundtrip = dev_roundtrip;
	t->tx.priv = t;
	/* Once per thread; pages no message reaches stay untouched. */
	t->inbound = malloc(EMU_INBOUND_MAX);
	t->outbound = calloc(1, EMU_OUTBOUND_SIZE);
	if (!t->inbound || !t->outbound) {
		free_buffers(t);
		return -ENOMEM;
	}
	err = pthread_create(&t->tid, NULL, secure_thread, t);
	if (err) {
		free_buffers(t);
		return -err;
	}
	return 0;
}

int emu_pool_start(struct emu_pool *p, struct emu *e, int fd, unsigned int n)
{
	unsigned int i;
	int err = 0;

	memset(p, 0, sizeof(*p));
	p->emu = e;
	p->fd = fd;
	p->owner = pthread_self();
	p->threads = calloc(n, sizeof(*p->threads));
	if (!p->threads)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		err = start_thread(p, i);
		if (!err)
			p->n = i + 1;
	}
	if (err) {
		emu_pool_stop(p);
		return err;
	}
	return 0;
}

bool emu_pool_stop(struct emu_pool *p)
{
	struct timespec deadline;
	unsigned int i;

	__atomic_store_n(&p->stopping, true, __ATOMIC_SEQ_CST);
	for (i = 0; i < p->n; i++) {
		struct emu_thread *t = &p->threads[i];

		/*
		 * The flag may have been checked just before the thread
		 * entered WAIT, so one signal can be missed: repeat it until
		 * the thread is gone.  A running delay finishes first.
		 */
		for (;;) {
			pthread_kill(t->tid, EMU_WAKE_SIGNAL);
			clock_gettime(CLOCK_REALTIME, &deadline);
			deadline.tv_nsec += 100 * 1000 * 1000;
			if (deadline.tv_nsec >= 1000000000L) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000L;
			}
			if (pthread_timedjoin_np(t->tid, NULL, &deadline) == 0)
				break;
		}
		free_buffers(t);
	}
	free(p->threads);
	p->threads = NULL;
	p->n = 0;
	return !__atomic_load_n(&p->failed, __ATOMIC_SEQ_CST);
}
