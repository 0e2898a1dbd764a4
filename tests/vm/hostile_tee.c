// SPDX-License-Identifier: MIT
/*
 * hostile_tee.c - test_hostile_tee's malicious secure world: six threads
 * on /dev/objinvoke-emu that take the clients' invocations and answer
 * them with the messages hostile_wire.c builds, meddle in each other's
 * sessions, misuse the device's ABI, map what map regions grant
 * (hostile_bridge.c), and a loop that closes the device under them.
 * Every emulator ioctl must answer with an errno docs/uapi.md lists.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmharness.h"
#include "hostile.h"
#include "vmutil.h"

#define SECURE_THREADS		6
#define TICK_MS			10	/* how often blocked WAITs are woken */
#define RESUME_TRIES		200	/* ticks a thread waits for a response */
#define CALLBACK_ROUNDS		4	/* callbacks one session may make */

static atomic_bool hostile_stop;
static uint64_t message_target;
static uint64_t run_seed;	/* rng_stream()'s: the test logs it */

static bool hostile_done(void)
{
	return atomic_load(&hostile_stop) ||
	       tally(T_MESSAGES) >= message_target;
}

/* ---- answers */

static struct objinvoke_emu_done done_for(struct secure_thread *t,
					  uint32_t status)
{
	return (struct objinvoke_emu_done){
		.session = t->h.session,
		.status = status,
		.inbound = (uintptr_t)t->in,
		.outbound = (uintptr_t)t->out,
	};
}

/* A DONE reply, well-formed or mutated, with releases. */
static void answer_done(struct secure_thread *t)
{
	struct objinvoke_emu_done d = done_for(t, OBJINVOKE_EMU_DONE);
	struct rng *r = &t->rng;
	bool mutated = rng_chance(r, 35);
	uint32_t pos = 0;

	memset(t->out, 0, sizeof(t->out));
	if (t->h.has_invoke)
		write_reply(t);
	put_releases(t, t->out, &pos, true);
	d.result = (uint32_t)some_result(r);
	/*
	 * Registrations mostly work: the client environment they give is
	 * what clients invoke with their dma-bufs, whose map regions are the
	 * bridge's only way in.  At a 1 in 5 chance, as any call, clients
	 * mostly registered and few calls brought memory.
	 */
	if (t->h.has_invoke && t->h.invoke.cxt == QTEE_OBJ_ROOT &&
	    rng_chance(r, 60))
		d.result = QTEE_OK;
	d.in_size = t->h.has_invoke ? t->h.in_size : 0;
	d.out_size = rng_chance(r, 50) ? OUTBOUND_SIZE : pos;
	if (mutated) {
		if (d.in_size)
			mutate(r, t->in, d.in_size);
		if (rng_chance(r, 30))
			d.in_size = rng_below(r, d.in_size + 1);
		if (rng_chance(r, 20))
			mutate(r, t->out, OUTBOUND_SIZE);
	}
	count(mutated ? T_DONE_MUTATED : T_DONE);
	emu_complete(&d);
}

/* Sizes or a status the device must refuse; the client gets EPROTO. */
static void answer_malformed(struct secure_thread *t)
{
	struct objinvoke_emu_done d = done_for(t, OBJINVOKE_EMU_DONE);
	struct rng *r = &t->rng;
	int err;

	if (rng_chance(r, 50)) {
		do
			d.status = (uint32_t)rng_next(r) % 8;
		while (d.status == OBJINVOKE_EMU_DONE ||
		       d.status == OBJINVOKE_EMU_CALLBACK);
		count(T_BAD_STATUS);
	} else {
		/* Only an invocation this thread took has a known in_cap. */
		if (t->h.has_invoke && rng_chance(r, 50))
			d.in_size = t->h.in_size + 1 + rng_below(r, 1U << 30);
		else
			d.out_size = OUTBOUND_SIZE + 1 +
				     (rng_chance(r, 50) ? 0 : rng_below(r, ~0U - OUTBOUND_SIZE));
		count(T_BAD_SIZE);
	}
	err = emu_complete(&d);
	if (err != EINVAL)
		vt_fail("a malformed COMPLETE gave %s, want EINVAL",
			strerror(err));
}

/*
 * COMPLETEs of the held session that must leave it held: a nonzero
 * reserved field (EINVAL before the session is looked at), unreadable
 * buffers (EFAULT: the emulator's own mistake, try again), or a struct
 * with nonzero bytes past the kernel's (E2BIG).
 */
static void complete_badly(struct secure_thread *t)
{
	struct objinvoke_emu_done d = done_for(t, OBJINVOKE_EMU_DONE);
	struct rng *r = &t->rng;
	struct {
		struct objinvoke_emu_done d;
		uint64_t extra;
	} big;
	int err, want;

	switch (rng_below(r, 3)) {
	case 0:
		d.reserved = rng_next(r) | 1;
		want = EINVAL;
		err = emu_complete(&d);
		break;
	case 1:
		/*
		 * From an address never mapped, in sizes every call takes:
		 * a size past this call's buffers would be EINVAL, and the
		 * WAIT this thread saw may have been another call's (session
		 * numbers are reused).
		 */
		if (rng_chance(r, 50)) {
			d.inbound = 16;
			d.in_size = 1;
		} else {
			d.in_size = 0;
			d.outbound = 16;
			d.out_size = OUTBOUND_SIZE;
		}
		want = EFAULT;
		err = emu_complete(&d);
		break;
	default:
		big.d = d;
		big.extra = rng_next(r) | 1;
		want = E2BIG;
		err = emu_ioctl_sized(_IOC_NR(OBJINVOKE_EMU_IOC_COMPLETE),
				      _IOC_WRITE, &big, sizeof(big));
	}
	count(T_BAD_FIELDS);
	if (err != want)
		vt_fail("a bad COMPLETE of a held session gave %s, want %s",
			strerror(err), strerror(want));
}

/* ---- callbacks */

/*
 * One WAIT for the held session's response (holding the device): 1 it
 * came, 0 not yet (a tick), -1 never (another thread took it, or the
 * session is over).
 */
static int wait_response_once(struct secure_thread *t)
{
	struct objinvoke_emu_call c = {
		.session = t->h.session,
		.inbound = (uintptr_t)t->in, .in_size = INBOUND_CAP,
		.outbound = (uintptr_t)t->out, .out_size = OUTBOUND_SIZE,
	};
	int err = emu_wait(&c);

	if (err == ENOENT)
		return -1;
	if (err)
		return 0;
	if (c.kind != OBJINVOKE_EMU_CALL_RESUME || c.session != t->h.session ||
	    c.in_size)
		vt_fail("WAIT for a response: kind %u session %" PRIu64
			" in_size %u", c.kind, (uint64_t)c.session, c.in_size);
	count(T_RESUMES);
	return 1;
}

/*
 * Wait for the response to the held session's callback.  False when it
 * never came (another thread took it, the device was reopened, or the
 * normal world is slow and the thread gives up: the next reopen ends it).
 */
static bool await_response(struct secure_thread *t)
{
	for (int i = 0; i < RESUME_TRIES && !hostile_done(); i++) {
		unsigned int gen = dev_hold();
		int got = gen == t->h.generation ? wait_response_once(t) : -1;

		dev_let_go();
		if (got)
			return got > 0;
	}
	return false;
}

/* ---- the windows map regions grant */

/* Called holding the device: a window is unmapped before it is let go. */
static void count_window_use(enum bridge_use use)
{
	if (use == BRIDGE_REFUSED) {
		count(T_BRIDGE_REFUSED);
		return;
	}
	count(T_BRIDGE_MAPS);
	if (use == BRIDGE_SIGBUS)
		count(T_SIGBUS);
}

/*
 * Release the mapping while its window is mmap()ed and touched: a
 * callback RELEASE of it, answered once the kernel dropped it, so every
 * page must then be SIGBUS.  The response is waited for holding the
 * device, since the mmap() holds its file (a reopen waits meanwhile).
 * False when the response never came: the session is no longer ours.
 */
static bool release_under_map(struct secure_thread *t, uint32_t mapping,
			      uint64_t addr, uint64_t len)
{
	struct objinvoke_emu_done d = done_for(t, OBJINVOKE_EMU_CALLBACK);
	size_t maplen = (len + 4095) & ~(uint64_t)4095;
	struct qtee_msg req;
	unsigned char *p;
	int got = 0;

	p = bridge_map(dev_fd(), addr, maplen, PROT_READ, MAP_SHARED);
	if (!p) {
		count(T_BRIDGE_REFUSED);
		return true;
	}
	count(T_BRIDGE_MAPS);
	/* Another thread may have released it already (a random ID). */
	if (bridge_touch(p, maplen, false))
		count(T_SIGBUS);
	memset(t->out, 0, sizeof(t->out));
	if (qtee_msg_init(&req, t->out, OUTBOUND_SIZE, QTEE_MSG_CALLBACK,
			  mapping, QTEE_OP_RELEASE, QTEE_COUNTS(0, 0, 0, 0)))
		vt_fail("building a RELEASE callback");
	d.out_size = OUTBOUND_SIZE;
	count(T_CALLBACKS);
	if (!emu_complete(&d))
		for (int i = 0; !got && i < RESUME_TRIES && !hostile_done(); i++)
			got = wait_response_once(t);
	if (got > 0 && qtee_msg_get_result(&req) == QTEE_OK) {
		if (!bridge_touch(p, maplen, false))
			vt_fail("window %#" PRIx64 " readable after its mapping"
				" %#x was released", addr, mapping);
		count(T_SIGBUS);
		count(T_REVOKED_UNDER_MAP);
	}
	munmap(p, maplen);
	return got > 0;
}

/*
 * A granted map region: use the window, then owe the mapping back or
 * release it at once.  False when the session is no longer ours.
 */
static bool use_region(struct secure_thread *t, struct qtee_msg *req)
{
	unsigned char *region = qtee_msg_payload(req, 0);
	uint32_t size = 0, perms, mapping = qtee_msg_get_obj(req, 2);
	uint64_t addr, len;

	/* Not our answer: the session number went to another call. */
	if (qtee_msg_read_out_size(req, 0, &size) ||
	    size != QTEE_MAP_REGION_SIZE)
		return true;
	addr = get_le64(region);
	len = get_le64(region + 8);
	memcpy(&perms, region + 16, 4);
	count(T_MAP_REGIONS);
	remember_ns_id(&t->rng, mapping);
	for (unsigned int n = rng_below(&t->rng, 3) + 1; n--;)
		count_window_use(bridge_try_window(&t->rng, dev_fd(), addr, len,
						   perms));
	if (rng_chance(&t->rng, 30))
		return release_under_map(t, mapping, addr, len);
	owe(&t->h, mapping);
	return true;
}

/* ---- callbacks */

/*
 * Read a response the way the TEE would, with its own record of the
 * request.  False when the session is no longer ours.
 */
static bool read_response(struct secure_thread *t)
{
	struct qtee_msg *req = &t->req;
	uint32_t c = req->counts;

	bool map = req->cxt == QTEE_OBJ_PRIMORDIAL &&
		   req->op == QTEE_PRIMORDIAL_MAP_REGION;

	/* A mutated request may have been answered as anything: skip it. */
	if (t->req_mutated)
		return true;
	if (map)
		count(T_MAP_ASKED);
	if (qtee_msg_get_result(req) != QTEE_OK)
		return true;
	if (map)
		return use_region(t, req);
	for (uint32_t i = qtee_idx_oo(c); i < qtee_num_args(c); i++) {
		uint32_t id = qtee_msg_get_obj(req, i);

		remember_ns_id(&t->rng, id);
		owe(&t->h, id);	/* a reference came with it */
	}
	return true;
}

/* Complete the held session with a callback request (holding the device). */
static bool send_callback(struct secure_thread *t)
{
	struct objinvoke_emu_done d = done_for(t, OBJINVOKE_EMU_CALLBACK);
	struct rng *r = &t->rng;
	uint32_t cxt, op, pos;
	int ret;

	memset(t->out, 0, sizeof(t->out));
	pick_callback_target(t, &cxt, &op);
	if (cxt == QTEE_OBJ_PRIMORDIAL && op == QTEE_PRIMORDIAL_MAP_REGION)
		ret = build_map_region(t, &t->req);
	else
		ret = build_any_callback(t, &t->req, cxt, op);
	if (ret)
		vt_fail("building a callback request: %d", ret);
	pos = qtee_async_start(&t->req);
	put_releases(t, t->out, &pos, false);
	t->req_mutated = rng_chance(r, 30);
	if (t->req_mutated)
		mutate(r, t->out, t->req.end);
	d.out_size = rng_chance(r, 80) ? OUTBOUND_SIZE : pos;
	/* A callback carries no inbound: whatever is said is ignored. */
	d.in_size = rng_chance(r, 10) ? rng_below(r, t->h.in_size + 1) : 0;
	d.result = (uint32_t)rng_next(r);
	count(t->req_mutated ? T_CALLBACKS_MUTATED : T_CALLBACKS);
	/*
	 * EINVAL: sizes past the call's buffers.  Session numbers are reused:
	 * the response this thread waited for may have been a new call's
	 * under the old number (a stolen session ended and another took
	 * it), smaller than the one it remembers.
	 */
	ret = emu_complete(&d);
	if (ret && ret != EINVAL)
		vt_fail("a callback COMPLETE gave %s", strerror(ret));
	return !ret;
}

/* ---- a session, from WAIT to its end */

/* Note what a new invocation carries: its input NS objects. */
static void take_in(struct secure_thread *t, const struct objinvoke_emu_call *c,
		    unsigned int generation)
{
	struct held *h = &t->h;
	uint32_t counts;

	h->session = c->session;
	h->generation = generation;
	h->in_size = c->in_size;
	h->n_ns = 0;
	h->n_mapped = 0;
	h->n_owed = 0;
	h->has_invoke = false;
	remember_session(&t->rng, c->session);
	if (c->kind != OBJINVOKE_EMU_CALL_INVOKE)
		return;
	count(T_INVOKES);
	if (qtee_msg_parse(&h->invoke, t->in, c->in_size, QTEE_MSG_INVOKE))
		vt_fail("the kernel sent an invocation its own codec rejects");
	h->has_invoke = true;
	counts = h->invoke.counts;
	for (uint32_t i = qtee_idx_io(counts); i < qtee_idx_oo(counts); i++) {
		uint32_t id = qtee_msg_get_obj(&h->invoke, i);

		if (!(id & QTEE_OBJ_NS_BIT) || id == QTEE_OBJ_PRIMORDIAL)
			continue;
		h->ns_ids[h->n_ns++] = id;	/* released with the DONE */
		remember_ns_id(&t->rng, id);
	}
}

/* Leave the held session unanswered, if there is room to remember it. */
static bool abandon(struct secure_thread *t)
{
	if (t->abandoned_generation != t->h.generation) {
		t->abandoned_generation = t->h.generation;
		t->n_abandoned = 0;
	}
	if (t->n_abandoned == MAX_ABANDONED)
		return false;
	t->abandoned[t->n_abandoned++] = t->h.session;
	count(T_ABANDONED);
	return true;
}

/* Whether this thread left session s unanswered (it may still answer it). */
static bool abandoned_by_me(struct secure_thread *t, uint64_t s,
			    unsigned int generation)
{
	if (t->abandoned_generation != generation)
		return false;
	for (unsigned int i = 0; i < t->n_abandoned; i++)
		if (t->abandoned[i] == s)
			return true;
	return false;
}

enum step { STEP_END, STEP_AGAIN, STEP_CALLBACK };

/* One answer to the held session, holding the device. */
static enum step answer_once(struct secure_thread *t, unsigned int *callbacks)
{
	unsigned int choice = rng_below(&t->rng, 100);

	if (choice < 3 && abandon(t))
		return STEP_END;
	if (choice < 10) {
		complete_badly(t);
		return STEP_AGAIN;
	}
	if (choice < 18) {
		answer_malformed(t);
		return STEP_END;
	}
	if (choice < 55 && (*callbacks)++ < CALLBACK_ROUNDS) {
		return send_callback(t) ? STEP_CALLBACK : STEP_END;
	}
	answer_done(t);
	return STEP_END;
}

/*
 * Answer the held session until it ends: callbacks, then a DONE or a
 * malformed answer, or nothing at all (the next reopen ends it).
 */
static void serve_session(struct secure_thread *t)
{
	unsigned int callbacks = 0;
	enum step step;

	do {
		unsigned int gen = dev_hold();

		step = gen == t->h.generation ? answer_once(t, &callbacks) :
						STEP_END;
		dev_let_go();
		if (step != STEP_CALLBACK)
			continue;
		if (!await_response(t))
			return;
		gen = dev_hold();
		if (gen == t->h.generation && !read_response(t))
			step = STEP_END;
		dev_let_go();
	} while (step != STEP_END && !hostile_done());
}

/* The next invocation, sometimes asked for with buffers the kernel refuses. */
static bool take_invocation(struct secure_thread *t)
{
	struct objinvoke_emu_call c = {
		.inbound = (uintptr_t)t->in, .in_size = INBOUND_CAP,
		.outbound = (uintptr_t)t->out, .out_size = OUTBOUND_SIZE,
	};
	unsigned int gen = dev_hold(), variant = rng_below(&t->rng, 20);
	int err, want = ENOSPC;

	if (variant == 0)
		c.out_size = rng_below(&t->rng, OUTBOUND_SIZE);
	else if (variant == 1)
		c.in_size = rng_below(&t->rng, QTEE_INVOKE_HDR);
	else if (variant == 2)
		c.outbound = 16, want = EFAULT;	/* never mapped */
	err = emu_wait(&c);
	if (variant <= 2) {
		count(T_BAD_FIELDS);
		if (err != want && err != EINTR)
			vt_fail("WAIT with a bad buffer gave %s, want %s",
				err ? strerror(err) : "success", strerror(want));
		err = EINTR;	/* the call went back to the queue */
	}
	if (!err)
		take_in(t, &c, gen);
	dev_let_go();
	return !err;
}

/* ---- messages outside any session this thread holds */

/* COMPLETE of a session that is not ours: never claimed, over, another's. */
static void stray_complete(struct secure_thread *t)
{
	struct objinvoke_emu_done d = {
		.session = some_session(&t->rng),
		.status = rng_chance(&t->rng, 50) ? OBJINVOKE_EMU_DONE :
						    OBJINVOKE_EMU_CALLBACK,
		.result = (uint32_t)rng_next(&t->rng),
		.inbound = (uintptr_t)t->in, .outbound = (uintptr_t)t->out,
		.in_size = rng_below(&t->rng, 64),
		.out_size = rng_below(&t->rng, 64),
	};
	unsigned int gen = dev_hold();
	int err;

	memset(t->out, 0, 64);
	err = emu_complete(&d);
	/* One this thread left unanswered is still its own to answer. */
	if (abandoned_by_me(t, d.session, gen) && (!err || err == EINVAL))
		err = ENOENT;
	if (!err)
		vt_fail("COMPLETE of session %" PRIu64 ", not this thread's,"
			" worked", (uint64_t)d.session);
	if (err != ENOENT && !(err == EINVAL &&
	    (!d.session || d.session > UINT32_MAX)))
		vt_fail("a stray COMPLETE gave %s", strerror(err));
	dev_let_go();
	count(T_STRAY_COMPLETES);
}

/*
 * WAIT on a session that is not ours.  One in a callback whose response
 * is ready is taken from the thread that sent the callback: serve it.
 */
static void stray_wait(struct secure_thread *t)
{
	struct objinvoke_emu_call c = {
		.session = some_session(&t->rng),
		.inbound = (uintptr_t)t->in, .in_size = INBOUND_CAP,
		.outbound = (uintptr_t)t->out, .out_size = OUTBOUND_SIZE,
	};
	unsigned int gen = dev_hold();
	int err;

	if (rng_chance(&t->rng, 10)) {
		c.flags = (uint32_t)rng_next(&t->rng) | 1;	/* EINVAL */
		count(T_BAD_FIELDS);
	}
	err = emu_wait(&c);
	if (c.flags && err != EINVAL)
		vt_fail("WAIT with flags gave %s", strerror(err));
	if (!err)
		take_in(t, &c, gen);
	dev_let_go();
	count(T_STRAY_WAITS);
	if (err)
		return;
	if (c.kind == OBJINVOKE_EMU_CALL_RESUME)
		count(T_STOLEN);
	serve_session(t);
}

/* A struct shorter than the first version: EINVAL, whatever is in it. */
static void short_struct(struct secure_thread *t)
{
	uint64_t words[2] = { rng_next(&t->rng), rng_next(&t->rng) };
	bool wait = rng_chance(&t->rng, 50);
	int err;

	dev_hold();
	err = emu_ioctl_sized(_IOC_NR(wait ? OBJINVOKE_EMU_IOC_WAIT :
					     OBJINVOKE_EMU_IOC_COMPLETE),
			      wait ? _IOC_READ | _IOC_WRITE : _IOC_WRITE,
			      words, 8 + rng_below(&t->rng, 8));
	dev_let_go();
	count(T_BAD_FIELDS);
	if (err != EINVAL)
		vt_fail("a short emulator struct gave %s", strerror(err));
}

static void stray_messages(struct secure_thread *t)
{
	for (unsigned int n = rng_below(&t->rng, 16); n-- && !hostile_done();) {
		unsigned int choice = rng_below(&t->rng, 100);

		if (choice < 55)
			stray_complete(t);
		else if (choice < 90)
			stray_wait(t);
		else
			short_struct(t);
	}
}

static atomic_int threads_running;

static void *secure_thread_main(void *arg)
{
	struct secure_thread *t = arg;

	while (!hostile_done()) {
		stray_messages(t);
		if (take_invocation(t))
			serve_session(t);
	}
	atomic_fetch_sub(&threads_running, 1);
	return NULL;
}

static void on_tick(int sig)
{
	(void)sig;	/* only there to end a blocked WAIT with EINTR */
}

static void install_handlers(void)
{
	struct sigaction tick = { .sa_handler = on_tick };	/* no SA_RESTART */

	VT_ASSERT_OK(sigaction(SIGUSR1, &tick, NULL));
	bridge_catch_sigbus();
}

static atomic_bool ticker_stop;

/*
 * Wake every secure thread blocked in WAIT now and then, so none blocks
 * for good.  A thread of its own: the reopen waits for the threads'
 * hold on the device, which a blocked WAIT lets go only once woken.
 */
static void *ticker_main(void *arg)
{
	struct secure_thread *threads = arg;

	while (!atomic_load(&ticker_stop)) {
		vt_msleep(TICK_MS);
		for (int i = 0; i < SECURE_THREADS; i++)
			pthread_kill(threads[i].thread, SIGUSR1);
	}
	return NULL;
}

static void start_secure_threads(struct secure_thread *threads,
				 pthread_t *ticker)
{
	atomic_store(&threads_running, SECURE_THREADS);
	for (int i = 0; i < SECURE_THREADS; i++) {
		struct secure_thread *t = &threads[i];

		memset(t, 0, sizeof(*t));
		t->rng = rng_stream(run_seed, 100 + (uint64_t)i);
		t->in = malloc(INBOUND_CAP);
		VT_ASSERT(t->in);
		VT_ASSERT_EQ(pthread_create(&t->thread, NULL,
					    secure_thread_main, t), 0);
	}
	VT_ASSERT_EQ(pthread_create(ticker, NULL, ticker_main, threads), 0);
}

static void stop_secure_threads(struct secure_thread *threads,
				pthread_t ticker)
{
	atomic_store(&hostile_stop, true);
	/* Ticked until the last one returns; joined only after the ticker. */
	while (atomic_load(&threads_running) > 0)
		vt_msleep(TICK_MS);
	atomic_store(&ticker_stop, true);
	VT_ASSERT_EQ(pthread_join(ticker, NULL), 0);
	for (int i = 0; i < SECURE_THREADS; i++) {
		VT_ASSERT_EQ(pthread_join(threads[i].thread, NULL), 0);
		free(threads[i].in);
	}
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/*
 * Close the device under the secure threads now and then, until they
 * have sent their messages.
 */
static void run_hostile_tee(void)
{
	struct rng r = rng_stream(run_seed, 1);
	struct timespec start, last_reopen;
	long reopen_after = 300 + rng_below(&r, 2000);

	clock_gettime(CLOCK_MONOTONIC, &start);
	last_reopen = start;
	while (!hostile_done()) {
		vt_msleep(TICK_MS);
		if (elapsed_ms(&last_reopen) < reopen_after)
			continue;
		dev_reopen(&r);
		clock_gettime(CLOCK_MONOTONIC, &last_reopen);
		reopen_after = 300 + rng_below(&r, 2000);
	}
	vt_log("%lu hostile messages in %ld ms", tally(T_MESSAGES),
	       elapsed_ms(&start));
}

static struct secure_thread *threads;
static pthread_t ticker;

void hostile_tee_start(uint64_t seed, uint64_t messages)
{
	run_seed = seed;
	message_target = messages;
	install_handlers();
	dev_attach();
	threads = calloc(SECURE_THREADS, sizeof(*threads));
	VT_ASSERT(threads);
	start_secure_threads(threads, &ticker);
}

void hostile_tee_run_and_stop(void)
{
	run_hostile_tee();
	stop_secure_threads(threads, ticker);
	free(threads);
	/* Every session still open ends DEFUNCT; so does every later call. */
	dev_detach();
}
