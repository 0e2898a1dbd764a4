// SPDX-License-Identifier: MIT
/*
 * test_hostile_tee: the test plays a malicious secure world.  It stops the
 * real emulator, opens /dev/objinvoke-emu itself and answers the
 * invocations of client processes with random and mutated messages of
 * every kind: DONE replies with random results and corrupted sizes, IDs,
 * offsets and counts; callback requests, valid or mutated, to the clients'
 * hosted and memory objects, to random IDs and to the primordial object
 * (map region, then mmap() of the bridge at the region's window and at
 * random ones); async releases of random IDs; bad statuses and sizes;
 * WAITs and COMPLETEs of sessions it never held, already answered or held
 * by another thread; and closing the device in the middle of calls.
 *
 * The kernel must never crash, hang or leak (the VM run fails on any
 * kernel report), every client call must end with an answer or an errno
 * docs/uapi.md lists, every fd a client gets must be a real one, and the
 * emulator device must answer every hostile ioctl with an errno its docs
 * list.  At the end the real emulator comes back and works, with nothing
 * of the clients left in it.
 *
 * CI sends at least 100,000 hostile messages (emulator ioctls);
 * OBJINVOKE_HOSTILE_MESSAGES asks for another number and
 * OBJINVOKE_HOSTILE_SEED replays a run's random streams (the seed is
 * logged).  docs/security.md, "The hostile TEE".
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "IClientEnv.h"
#include "IMemService.h"
#include "ITestService.h"
#include "harness.h"
#include "qtee_wire.h"
#include "vmhost.h"
#include "vmutil.h"

#define DEFAULT_MESSAGES	100000
#define SECURE_THREADS		6
#define CLIENTS			3
#define INVOKERS		2	/* threads per client */
#define CLIENT_POOL		8	/* object fds an invoker keeps */
#define MEM_SIZE		(3 * 4096)
#define INBOUND_CAP		(QTEE_INBOUND_MAX_TEST + 65536)
/* What the kernel may send: 4 MiB of buffers plus header and arguments. */
#define QTEE_INBOUND_MAX_TEST	(4U << 20)
#define OUTBOUND_SIZE		4096U
#define TICK_MS			10	/* how often blocked WAITs are woken */
#define RESUME_TRIES		200	/* ticks a thread waits for a response */
#define CALLBACK_ROUNDS		4	/* callbacks one session may make */

/* ---- random streams */

struct rng {
	uint64_t s;
};

/* splitmix64: small, and good enough to pick fuzz choices. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static bool rng_chance(struct rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

static void rng_fill(struct rng *r, void *p, size_t len)
{
	unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)rng_next(r);
}

static uint64_t base_seed;

/* Stream n of the run: threads and clients each get their own. */
static struct rng rng_stream(uint64_t n)
{
	struct rng r = { base_seed ^ (n * 0x2545f4914f6cdd1dULL) };

	rng_next(&r);
	return r;
}

static uint64_t env_u64(const char *name, uint64_t fallback)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : fallback;
}

/* ---- what the hostile side did, for the log */

enum tally {
	T_MESSAGES,		/* every emulator ioctl */
	T_INVOKES,		/* invocations taken */
	T_DONE,			/* well-formed DONE replies */
	T_DONE_MUTATED,
	T_CALLBACKS,		/* well-formed callback requests */
	T_CALLBACKS_MUTATED,
	T_RESUMES,		/* callback responses read */
	T_MAP_ASKED,		/* map regions asked for and answered */
	T_MAP_REGIONS,		/* ... that the kernel granted */
	T_BRIDGE_MAPS,		/* mmap()s of the bridge that worked */
	T_BRIDGE_REFUSED,	/* ... that the kernel refused */
	T_SIGBUS,		/* revoked pages touched */
	T_BAD_STATUS,
	T_BAD_SIZE,
	T_ABANDONED,		/* sessions left to the next reopen */
	T_STRAY_COMPLETES,	/* COMPLETEs of sessions not ours: ENOENT */
	T_STRAY_WAITS,		/* WAITs of random sessions */
	T_STOLEN,		/* another thread's callback response taken */
	T_BAD_FIELDS,		/* reserved, flags, sizes, pointers */
	T_REOPENS,
	T_COUNT
};

static const char *const tally_names[T_COUNT] = {
	"messages", "invocations", "done", "done mutated", "callbacks",
	"callbacks mutated", "responses", "map regions asked",
	"map regions granted", "bridge maps",
	"bridge refusals", "SIGBUS", "bad status", "bad size", "abandoned",
	"stray completes", "stray waits", "stolen responses", "bad fields",
	"reopens",
};

static atomic_ulong tallies[T_COUNT];

static void count(enum tally t)
{
	atomic_fetch_add_explicit(&tallies[t], 1, memory_order_relaxed);
}

static unsigned long tally(enum tally t)
{
	return atomic_load(&tallies[t]);
}

/* ---- the device, shared by every secure thread */

/*
 * One open file, as a real emulator has.  Readers are the threads'
 * ioctls and bridge mmaps (always unmapped before the lock goes: a
 * mapping holds the file, and the release that ends the sessions runs
 * only once the last one is gone); the writer closes and reopens it.
 */
static struct {
	pthread_rwlock_t lock;
	int fd;
	unsigned int generation;	/* bumped at every reopen */
} dev;

static atomic_bool hostile_stop;
static uint64_t message_target;

/* Writers first: six threads taking turns must not starve a reopen. */
static void dev_lock_init(void)
{
	pthread_rwlockattr_t attr;

	VT_ASSERT_EQ(pthread_rwlockattr_init(&attr), 0);
	VT_ASSERT_EQ(pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), 0);
	VT_ASSERT_EQ(pthread_rwlock_init(&dev.lock, &attr), 0);
	pthread_rwlockattr_destroy(&attr);
}

static int dev_open(void)
{
	int fd = open(OBJINVOKE_EMU_DEVICE, O_RDWR | O_CLOEXEC);

	VT_ASSERT_OK(fd);
	return fd;
}

/* Close the device under everybody's feet and attach again. */
static void dev_reopen(struct rng *r)
{
	VT_ASSERT_EQ(pthread_rwlock_wrlock(&dev.lock), 0);
	close(dev.fd);
	/* A while with no TEE: the clients' calls fail fast meanwhile. */
	if (rng_chance(r, 30))
		vt_msleep(rng_below(r, 100));
	dev.fd = dev_open();
	dev.generation++;
	VT_ASSERT_EQ(pthread_rwlock_unlock(&dev.lock), 0);
	count(T_REOPENS);
}

static unsigned int dev_hold(void)
{
	VT_ASSERT_EQ(pthread_rwlock_rdlock(&dev.lock), 0);
	return dev.generation;
}

static void dev_let_go(void)
{
	VT_ASSERT_EQ(pthread_rwlock_unlock(&dev.lock), 0);
}

static bool errno_in(int err, const int *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == err)
			return true;
	return false;
}

/*
 * An emulator ioctl on the held device with a struct of size bytes (the
 * struct's own, or another to try the ABI): 0 or an errno docs/uapi.md
 * lists for it; anything else fails the test.
 */
static int emu_ioctl_sized(unsigned long nr, unsigned int dir, void *arg,
			   size_t size)
{
	static const int documented[] = { EINTR, ENOENT, ENOSPC, EINVAL,
					   EFAULT, E2BIG };
	unsigned long cmd = _IOC(dir, OBJINVOKE_IOC_MAGIC, nr, size);
	int ret = ioctl(dev.fd, cmd, arg);

	count(T_MESSAGES);
	if (ret == 0)
		return 0;
	if (ret != -1 || !errno_in(errno, documented, 6))
		vt_fail("emulator ioctl %#lx: %d (%s), not in docs/uapi.md",
			nr, ret, strerror(errno));
	return errno;
}

static int emu_wait(struct objinvoke_emu_call *c)
{
	return emu_ioctl_sized(_IOC_NR(OBJINVOKE_EMU_IOC_WAIT),
			       _IOC_READ | _IOC_WRITE, c, sizeof(*c));
}

static int emu_complete(struct objinvoke_emu_done *d)
{
	return emu_ioctl_sized(_IOC_NR(OBJINVOKE_EMU_IOC_COMPLETE), _IOC_WRITE,
			       d, sizeof(*d));
}

/* ---- sessions and IDs seen, shared so threads can meddle in others' */

#define SEEN 64

static _Atomic uint64_t seen_sessions[SEEN];
static _Atomic uint32_t seen_ns_ids[SEEN];

static void remember_session(struct rng *r, uint64_t session)
{
	atomic_store(&seen_sessions[rng_below(r, SEEN)], session);
}

static void remember_ns_id(struct rng *r, uint32_t id)
{
	atomic_store(&seen_ns_ids[rng_below(r, SEEN)], id);
}

/* A session number: seen (maybe another thread's, maybe over) or not. */
static uint64_t some_session(struct rng *r)
{
	switch (rng_below(r, 4)) {
	case 0:
		return rng_next(r);	/* mostly past U32_MAX */
	case 1:
		return rng_below(r, 1000000) + 1;
	default:
		return atomic_load(&seen_sessions[rng_below(r, SEEN)]);
	}
}

/* ---- one secure thread */

/* The session a thread holds, and what it knows of its invocation. */
struct held {
	uint64_t session;
	unsigned int generation;
	bool has_invoke;	/* a RESUME taken from another thread has not */
	struct qtee_msg invoke;	/* the direct invocation, as parsed */
	uint32_t in_size;	/* bytes WAIT reported */
	uint32_t ns_ids[QTEE_MAX_PER_KIND];	/* its input NS objects */
	unsigned int n_ns;
	uint32_t owed[32];	/* NS IDs to release in the next message */
	unsigned int n_owed;
};

#define MAX_ABANDONED 16

struct secure_thread {
	pthread_t thread;
	struct rng rng;
	unsigned char *in;	/* INBOUND_CAP bytes */
	unsigned char out[OUTBOUND_SIZE];
	struct held h;
	struct qtee_msg req;	/* the callback request last sent */
	bool req_mutated;
	/* Sessions left unanswered in this generation: still ours to answer. */
	uint64_t abandoned[MAX_ABANDONED];
	unsigned int n_abandoned;
	unsigned int abandoned_generation;
};

static bool hostile_done(void)
{
	return atomic_load(&hostile_stop) ||
	       tally(T_MESSAGES) >= message_target;
}

/* An object ID for the TEE to name: anything from NULL to garbage. */
static uint32_t some_object_id(struct secure_thread *t)
{
	struct rng *r = &t->rng;

	switch (rng_below(r, 9)) {
	case 0:
		return QTEE_OBJ_NULL;
	case 1:
		return QTEE_OBJ_ROOT;
	case 2:
		return QTEE_OBJ_PRIMORDIAL;
	case 3:
		return rng_below(r, 64) + 2;	/* a TEE object */
	case 4:
		return (uint32_t)rng_next(r);
	case 5:
		return QTEE_OBJ_NS_BIT | (rng_below(r, 4096) + 1);
	case 6:
		return atomic_load(&seen_ns_ids[rng_below(r, SEEN)]);
	default:
		return t->h.n_ns ? t->h.ns_ids[rng_below(r, t->h.n_ns)] :
				   QTEE_OBJ_NS_BIT | rng_below(r, 64);
	}
}

static int32_t some_result(struct rng *r)
{
	static const int32_t results[] = {
		QTEE_OK, QTEE_OK, QTEE_OK, QTEE_ERROR, QTEE_ERROR_INVALID,
		QTEE_ERROR_SIZE_OUT, QTEE_ERROR_USERBASE, QTEE_ERROR_DEFUNCT,
		QTEE_ERROR_BADOBJ, QTEE_ERROR_BUSY, INT32_MIN, INT32_MAX,
	};

	if (rng_chance(r, 20))
		return (int32_t)rng_next(r);
	return results[rng_below(r, sizeof(results) / sizeof(results[0]))];
}

/* Flip a few words or bytes of a message, its header and arguments most. */
static void mutate(struct rng *r, unsigned char *buf, uint32_t len)
{
	unsigned int n = rng_below(r, 4) + 1;
	uint32_t head = len < 16 + 8 * 8 ? len : 16 + 8 * 8;

	while (n-- && len >= 4) {
		uint32_t pos = rng_chance(r, 75) ? rng_below(r, head) :
						   rng_below(r, len);
		uint32_t word;

		pos &= ~3U;
		if (pos + 4 > len)
			continue;
		switch (rng_below(r, 5)) {
		case 0:
			word = (uint32_t)rng_next(r);
			break;
		case 1:
			word = 0xffffffffU;
			break;
		case 2:
			word = QTEE_OBJ_NS_BIT | rng_below(r, 64);
			break;
		case 3:
			memcpy(&word, buf + pos, 4);
			word ^= 1U << rng_below(r, 32);
			break;
		default:
			memcpy(&word, buf + pos, 4);
			word += rng_below(r, 16) - 8;
		}
		memcpy(buf + pos, &word, 4);
	}
}

/*
 * The NS IDs a thread owes (or pretends to) go in a release at *pos: the
 * ones it got in callbacks, and with the final answer (@done) the
 * invocation's own input objects, which the session's callbacks may
 * still name.
 */
static void put_releases(struct secure_thread *t, void *buf, uint32_t *pos,
			 bool done)
{
	struct held *h = &t->h;
	struct rng *r = &t->rng;
	uint32_t ids[QTEE_MAX_PER_KIND + 40];
	uint32_t n = 0;

	for (unsigned int i = 0; i < h->n_owed; i++)
		if (rng_chance(r, 90))	/* the rest stay until the flush */
			ids[n++] = h->owed[i];
	h->n_owed = 0;
	for (unsigned int i = 0; done && i < h->n_ns; i++)
		if (rng_chance(r, 90))
			ids[n++] = h->ns_ids[i];
	while (n < sizeof(ids) / sizeof(ids[0]) && rng_chance(r, 15))
		ids[n++] = some_object_id(t);	/* random IDs, twice maybe */
	if (n)
		qtee_async_put_release(buf, OUTBOUND_SIZE, pos, ids, n);
	if (rng_chance(r, 3) && *pos + 16 <= OUTBOUND_SIZE) {
		rng_fill(r, (unsigned char *)buf + *pos, 16);	/* garbage */
		*pos += 16;
	}
}

static void owe(struct held *h, uint32_t id)
{
	if ((id & QTEE_OBJ_NS_BIT) && id != QTEE_OBJ_PRIMORDIAL &&
	    h->n_owed < sizeof(h->owed) / sizeof(h->owed[0]))
		h->owed[h->n_owed++] = id;
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

/* Rewrite the direct invocation in place as a well-formed reply. */
static void write_reply(struct secure_thread *t)
{
	struct qtee_msg *m = &t->h.invoke;
	struct rng *r = &t->rng;
	uint32_t c = m->counts;

	for (uint32_t i = QTEE_IDX_BO(c); i < qtee_idx_io(c); i++) {
		uint32_t size = rng_below(r, m->len[i] + 1);

		rng_fill(r, qtee_msg_payload(m, i), size);
		qtee_msg_write_out_size(m, i, size);
	}
	/* TEE objects half the time: clients invoke those again, with
	 * memory objects the next callbacks can map. */
	for (uint32_t i = qtee_idx_oo(c); i < qtee_num_args(c); i++)
		qtee_msg_set_obj(m, i, rng_chance(r, 50) ?
				 rng_below(r, 64) + 2 : some_object_id(t));
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
		d.inbound = 16;	/* never mapped */
		d.in_size = t->h.has_invoke && t->h.in_size ? t->h.in_size : 0;
		d.outbound = d.in_size ? d.outbound : 16;
		d.out_size = d.in_size ? 0 : OUTBOUND_SIZE;
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

/* The object a callback is for, and its op. */
static void pick_callback_target(struct secure_thread *t, uint32_t *cxt,
				 uint32_t *op)
{
	struct rng *r = &t->rng;

	*op = rng_below(r, 8);
	switch (rng_below(r, 10)) {
	case 0: case 1: case 2:
		*cxt = QTEE_OBJ_PRIMORDIAL;
		*op = rng_chance(r, 70) ? QTEE_PRIMORDIAL_MAP_REGION :
					  rng_below(r, 5);
		break;
	case 3:
		*cxt = some_object_id(t);
		if (rng_chance(r, 10))
			*op = rng_chance(r, 50) ? QTEE_OP_RELEASE :
						  QTEE_OP_RETAIN;
		break;
	default:
		*cxt = t->h.n_ns ? t->h.ns_ids[rng_below(r, t->h.n_ns)] :
				   some_object_id(t);
	}
}

/* Map region of one of the invocation's objects, as QTEE asks it. */
static int build_map_region(struct secure_thread *t, struct qtee_msg *req)
{
	struct rng *r = &t->rng;
	uint32_t bo = rng_chance(r, 90) ? QTEE_MAP_REGION_SIZE : rng_below(r, 40);
	void *payload;
	int ret;

	ret = qtee_msg_init(req, t->out, OUTBOUND_SIZE, QTEE_MSG_CALLBACK,
			    QTEE_OBJ_PRIMORDIAL, QTEE_PRIMORDIAL_MAP_REGION,
			    QTEE_COUNTS(0, 1, 1, 1));
	if (!ret)
		ret = qtee_msg_add_buf(req, 0, bo, &payload);
	/* Mostly an object the invocation brought: a memory object maybe. */
	if (!ret)
		qtee_msg_set_obj(req, 1, t->h.n_ns && rng_chance(r, 80) ?
				 t->h.ns_ids[rng_below(r, t->h.n_ns)] :
				 some_object_id(t));
	return ret;
}

/* Any request: random counts, buffers and objects. */
static int build_any_callback(struct secure_thread *t, struct qtee_msg *req,
			      uint32_t cxt, uint32_t op)
{
	struct rng *r = &t->rng;
	uint32_t c = QTEE_COUNTS(rng_below(r, 3), rng_below(r, 3),
				 rng_below(r, 3), rng_below(r, 3));
	void *payload;
	int ret;

	if (cxt == QTEE_OBJ_PRIMORDIAL && op == QTEE_PRIMORDIAL_SLEEP &&
	    rng_chance(r, 80))
		c = QTEE_COUNTS(1, 0, 0, 0);
	ret = qtee_msg_init(req, t->out, OUTBOUND_SIZE, QTEE_MSG_CALLBACK,
			    cxt, op, c);
	for (uint32_t i = 0; !ret && i < qtee_num_bufs(c); i++) {
		uint32_t size = rng_below(r, 64);

		if (cxt == QTEE_OBJ_PRIMORDIAL && op == QTEE_PRIMORDIAL_SLEEP)
			size = 4;
		ret = qtee_msg_add_buf(req, i, size, &payload);
		if (!ret && i < QTEE_NUM_BI(c))
			rng_fill(r, payload, size);
	}
	/* Sleep a few ms at most (the callers are real threads), or ask
	 * for more than the kernel allows. */
	if (!ret && cxt == QTEE_OBJ_PRIMORDIAL && op == QTEE_PRIMORDIAL_SLEEP &&
	    QTEE_NUM_BI(c) && req->len[0] == 4)
		*(uint32_t *)qtee_msg_payload(req, 0) = rng_chance(r, 90) ?
			rng_below(r, 5) : 10001 + rng_below(r, 9);
	for (uint32_t i = qtee_idx_io(c); !ret && i < qtee_idx_oo(c); i++)
		qtee_msg_set_obj(req, i, some_object_id(t));
	return ret;
}

/*
 * Wait for the response to the held session's callback.  False when it
 * never came (another thread took it, the device was reopened, or the
 * normal world is slow and the thread gives up: the next reopen ends it).
 */
static bool await_response(struct secure_thread *t)
{
	struct objinvoke_emu_call c = {
		.inbound = (uintptr_t)t->in, .in_size = INBOUND_CAP,
		.outbound = (uintptr_t)t->out, .out_size = OUTBOUND_SIZE,
	};

	for (int i = 0; i < RESUME_TRIES && !hostile_done(); i++) {
		unsigned int gen = dev_hold();
		int err = ENOENT;

		if (gen == t->h.generation) {
			c.session = t->h.session;
			err = emu_wait(&c);
		}
		dev_let_go();
		if (err == ENOENT)
			return false;
		if (!err) {
			if (c.kind != OBJINVOKE_EMU_CALL_RESUME ||
			    c.session != t->h.session || c.in_size)
				vt_fail("WAIT for a response: kind %u session %"
					PRIu64 " in_size %u", c.kind,
					(uint64_t)c.session, c.in_size);
			count(T_RESUMES);
			return true;
		}
	}
	return false;
}

/* ---- the bridge: what a TEE may try with a window */

static _Thread_local sigjmp_buf *bus_jump;

static void on_sigbus(int sig)
{
	(void)sig;
	if (!bus_jump)
		abort();	/* a SIGBUS outside a window: a real bug */
	siglongjmp(*bus_jump, 1);
}

/* Touch every page, writing where mapped so; a revoked page is SIGBUS. */
static void touch_window(volatile unsigned char *p, size_t len, bool write)
{
	sigjmp_buf jump;

	if (sigsetjmp(jump, 1)) {
		bus_jump = NULL;
		count(T_SIGBUS);
		return;
	}
	bus_jump = &jump;
	for (size_t off = 0; off < len; off += 4096) {
		unsigned char v = p[off];

		if (write)
			p[off] = (unsigned char)(v + 1);
	}
	bus_jump = NULL;
}

/*
 * mmap() a window, as granted or not: other lengths, offsets and
 * protections, MAP_PRIVATE, windows of nobody.  Called holding the
 * device; the mapping is gone before it is let go.
 */
static void map_window(struct secure_thread *t, uint64_t addr, uint64_t len,
		       uint32_t perms)
{
	static const int documented[] = { EACCES, ENXIO, EINVAL, ENOMEM,
					   EOVERFLOW };
	struct rng *r = &t->rng;
	int prot = PROT_READ, flags = MAP_SHARED;
	size_t maplen = (len + 4095) & ~(uint64_t)4095;
	void *p;

	if (rng_chance(r, 15) || (perms & QTEE_PERM_WRITE && rng_chance(r, 70)))
		prot |= PROT_WRITE;
	if (rng_chance(r, 10))
		flags = MAP_PRIVATE;
	if (rng_chance(r, 25))
		maplen = 4096 * rng_below(r, 6);	/* 0: EINVAL */
	if (rng_chance(r, 15))
		addr += 4096 * rng_below(r, 5);
	if (rng_chance(r, 10))
		addr = rng_chance(r, 50) ? rng_next(r) & ~4095ULL :
		       OBJINVOKE_EMU_WINDOW * rng_below(r, 1024);
	p = mmap(NULL, maplen, prot, flags, dev.fd, (off_t)addr);
	if (p == MAP_FAILED) {
		if (!errno_in(errno, documented, 5))
			vt_fail("bridge mmap at %#" PRIx64 " len %zu: %s",
				addr, maplen, strerror(errno));
		count(T_BRIDGE_REFUSED);
		return;
	}
	count(T_BRIDGE_MAPS);
	touch_window(p, maplen, prot & PROT_WRITE);
	munmap(p, maplen);
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A granted map region: use the window, then owe the mapping back. */
static void use_region(struct secure_thread *t, struct qtee_msg *req)
{
	unsigned char *region = qtee_msg_payload(req, 0);
	uint32_t size = 0, perms, mapping = qtee_msg_get_obj(req, 2);
	uint64_t addr, len;

	/* Not our answer: the session number went to another call. */
	if (qtee_msg_read_out_size(req, 0, &size) ||
	    size != QTEE_MAP_REGION_SIZE)
		return;
	addr = get_le64(region);
	len = get_le64(region + 8);
	memcpy(&perms, region + 16, 4);
	count(T_MAP_REGIONS);
	remember_ns_id(&t->rng, mapping);
	for (unsigned int n = rng_below(&t->rng, 3) + 1; n--;)
		map_window(t, addr, len, perms);
	owe(&t->h, mapping);
}

/* ---- callbacks */

/* Read a response the way the TEE would, with its own record of the request. */
static void read_response(struct secure_thread *t)
{
	struct qtee_msg *req = &t->req;
	uint32_t c = req->counts;

	bool map = req->cxt == QTEE_OBJ_PRIMORDIAL &&
		   req->op == QTEE_PRIMORDIAL_MAP_REGION;

	/* A mutated request may have been answered as anything: skip it. */
	if (t->req_mutated)
		return;
	if (map)
		count(T_MAP_ASKED);
	if (qtee_msg_get_result(req) != QTEE_OK)
		return;
	if (map) {
		use_region(t, req);
		return;
	}
	for (uint32_t i = qtee_idx_oo(c); i < qtee_num_args(c); i++) {
		uint32_t id = qtee_msg_get_obj(req, i);

		remember_ns_id(&t->rng, id);
		owe(&t->h, id);	/* a reference came with it */
	}
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
		if (gen == t->h.generation)
			read_response(t);
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
	struct sigaction bus = { .sa_handler = on_sigbus };

	VT_ASSERT_OK(sigaction(SIGUSR1, &tick, NULL));
	VT_ASSERT_OK(sigaction(SIGBUS, &bus, NULL));
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
		t->rng = rng_stream(100 + (uint64_t)i);
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
	struct rng r = rng_stream(1);
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

/* ---- the clients */

/* Exit codes of a client process. */
enum {
	CLIENT_OK,
	CLIENT_UNDOCUMENTED = 10,	/* an errno docs/uapi.md does not list */
	CLIENT_BAD_OUTPUT,		/* outputs written that should not be */
	CLIENT_BAD_FD,			/* an output fd that is not what it says */
	CLIENT_FD_LEAK,			/* fds left after closing everything */
	CLIENT_NO_CALLS,		/* not one call answered */
};

struct client {
	struct host host;	/* an object it hosts, for callbacks */
	int mem[3];		/* dma-bufs: heap rw, heap ro, udmabuf */
	int stop_fd;
};

struct invoker {
	struct client *c;
	struct rng rng;
	pthread_t thread;
	int pool[CLIENT_POOL];	/* TEE (or other) object fds it got */
	unsigned int n;
	unsigned long calls, errors;
};

static void __attribute__((noreturn, format(printf, 2, 3)))
client_die(int code, const char *fmt, ...)
{
	va_list ap;

	printf("# client %d: ", (int)getpid());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_exit(code);
}


/* An fd the kernel installed must be open, close-on-exec and what it says. */
static void check_out_fd(uint32_t fd, uint32_t flags)
{
	char link[64], path[64];
	ssize_t n;
	int fdflags = fcntl((int)fd, F_GETFD);

	snprintf(path, sizeof(path), "/proc/self/fd/%u", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (fdflags == -1 || !(fdflags & FD_CLOEXEC) || n <= 0)
		client_die(CLIENT_BAD_FD, "output fd %u: flags %d", fd, fdflags);
	link[n] = 0;
	if ((flags & OBJINVOKE_ARG_MEMORY) ? !strstr(link, "dmabuf") :
	    strcmp(link, "anon_inode:[objinvoke]") != 0)
		client_die(CLIENT_BAD_FD, "output fd %u (flags %#x) is %s", fd,
			   flags, link);
}

/* Keep an object fd for later calls; memory and surplus fds are closed. */
static void keep_output(struct invoker *v, uint32_t fd, uint32_t flags)
{
	if (flags & OBJINVOKE_ARG_MEMORY) {
		close((int)fd);
		return;
	}
	if (v->n == CLIENT_POOL) {
		unsigned int i = rng_below(&v->rng, CLIENT_POOL);

		close(v->pool[i]);
		v->pool[i] = (int)fd;
		return;
	}
	v->pool[v->n++] = (int)fd;
}

/*
 * Whatever the TEE answered, the call must have ended one of the ways
 * docs/uapi.md lists: 0 with any result (outputs written only on
 * Object_OK), or -1 with EPROTO, ENOMEM, EMFILE or EBUSY, or EPERM (the
 * TEE may hand out its root object, whose only method for userspace is
 * registration), outputs as they were.
 */
static void check_outcome(struct invoker *v, int ret, int err, int32_t result,
			  uint32_t counts, struct objinvoke_arg *a,
			  const uint64_t *reserved)
{
	static const int documented[] = { EPROTO, ENOMEM, EMFILE, EBUSY,
					   EPERM };
	bool written = ret == 0 && result == Object_OK;
	uint32_t bo = ObjectCounts_indexBO(counts);
	uint32_t oo = ObjectCounts_indexOO(counts);
	uint32_t n = ObjectCounts_total(counts);

	if (ret == -1 && !errno_in(err, documented, 5))
		client_die(CLIENT_UNDOCUMENTED, "invoke: %s", strerror(err));
	if (ret != 0 && ret != -1)
		client_die(CLIENT_UNDOCUMENTED, "invoke returned %d", ret);
	v->calls++;
	v->errors += ret != 0;
	for (uint32_t i = bo; i < ObjectCounts_indexOI(counts); i++)
		if (written ? a[i].size > reserved[i] : a[i].size != reserved[i])
			client_die(CLIENT_BAD_OUTPUT, "BO %u: %" PRIu64
				   " bytes of %" PRIu64 " (ret %d result %d)",
				   i, (uint64_t)a[i].size, reserved[i], ret,
				   result);
	for (uint32_t i = oo; i < n; i++) {
		if (a[i].fd == OBJINVOKE_FD_NONE)
			continue;
		if (!written)
			client_die(CLIENT_BAD_OUTPUT, "OO %u: fd %u with ret %d"
				   " result %d", i, a[i].fd, ret, result);
		check_out_fd(a[i].fd, a[i].flags);
		keep_output(v, a[i].fd, a[i].flags);
	}
}

/* An input object: hosted, memory, NULL, or one the TEE gave. */
static struct objinvoke_arg some_input_object(struct invoker *v)
{
	struct client *c = v->c;

	switch (rng_below(&v->rng, 6)) {
	case 0:
		return vm_obj(-1);
	case 1:
		return vm_obj(c->host.obj);
	case 2: case 3: case 4:
		return vm_obj(c->mem[rng_below(&v->rng, 3)]);
	default:
		return vm_obj(v->n ? v->pool[rng_below(&v->rng, v->n)] :
				     c->host.obj);
	}
}

#define MAX_CLIENT_BUF 256

/* Invoke fd with op and random arguments, and check the outcome. */
static void invoke_randomly(struct invoker *v, int fd, uint32_t op,
			    uint32_t counts)
{
	struct objinvoke_arg a[16];
	uint64_t reserved[16];
	static _Thread_local unsigned char in[4][MAX_CLIENT_BUF];
	static _Thread_local unsigned char out[4][MAX_CLIENT_BUF];
	static _Thread_local unsigned char big[65536];
	uint32_t n = ObjectCounts_total(counts), i = 0;
	int32_t result = 0;
	int ret, err;

	for (; i < ObjectCounts_indexBO(counts); i++) {
		bool large = rng_chance(&v->rng, 3);

		rng_fill(&v->rng, in[i], MAX_CLIENT_BUF);
		a[i] = large ? vm_buf(big, sizeof(big)) :
			       vm_buf(in[i], rng_below(&v->rng, MAX_CLIENT_BUF));
	}
	for (; i < ObjectCounts_indexOI(counts); i++) {
		a[i] = vm_buf(out[i - ObjectCounts_indexBO(counts)],
			      rng_below(&v->rng, MAX_CLIENT_BUF));
		reserved[i] = a[i].size;
	}
	for (; i < ObjectCounts_indexOO(counts); i++)
		a[i] = some_input_object(v);
	for (; i < n; i++)
		a[i] = vm_obj(-1);
	ret = vm_invoke_raw(fd, op, counts, a, &result);
	err = errno;
	check_outcome(v, ret, err, result, counts, a, reserved);
}

/* Register with the root object: a client environment, if the TEE says. */
static void register_client(struct invoker *v)
{
	struct objinvoke_arg a[2] = { vm_obj(-1), vm_obj(-1) };
	uint32_t counts = ObjectCounts_pack(0, 0, 1, 1);
	int root = vm_root_fd(), ret, err;
	int32_t result = 0;

	ret = vm_invoke_raw(root, IRootObject_OP_registerWithCredentials,
			    counts, a, &result);
	err = errno;
	close(root);
	check_outcome(v, ret, err, result, counts, a, NULL);
}

/* Open a service on an object the TEE gave, as on a client environment. */
static void open_service(struct invoker *v)
{
	static const uint32_t uids[] = { ITestService_UID,
					 ICallbackService_UID,
					 IMemService_UID, 0 };
	uint32_t uid = uids[rng_below(&v->rng, 4)];
	struct objinvoke_arg a[2] = { vm_buf(&uid, sizeof(uid)), vm_obj(-1) };
	uint32_t counts = ObjectCounts_pack(1, 0, 0, 1);
	int32_t result = 0;
	int ret, err;

	ret = vm_invoke_raw(v->pool[rng_below(&v->rng, v->n)],
			    IClientEnv_OP_open, counts, a, &result);
	err = errno;
	check_outcome(v, ret, err, result, counts, a, NULL);
}

static uint32_t some_counts(struct rng *r)
{
	return ObjectCounts_pack(rng_below(r, 3), rng_below(r, 3),
				 rng_below(r, 4), rng_below(r, 3));
}

static void *invoker_main(void *arg)
{
	struct invoker *v = arg;

	while (!vm_stop_requested(v->c->stop_fd)) {
		unsigned int choice = rng_below(&v->rng, 100);

		if (!v->n || choice < 10)
			register_client(v);
		else if (choice < 30)
			open_service(v);
		else
			invoke_randomly(v, v->pool[rng_below(&v->rng, v->n)],
					rng_below(&v->rng, 12),
					some_counts(&v->rng));
	}
	while (v->n)
		close(v->pool[--v->n]);
	return NULL;
}

static void client_main(int stop_fd, unsigned int index)
{
	struct client c = { .stop_fd = stop_fd };
	struct invoker v[INVOKERS];
	unsigned long calls = 0, errors = 0;
	int fds = vt_count_fds();

	c.mem[0] = vm_heap_alloc(MEM_SIZE, O_RDWR);
	c.mem[1] = vm_heap_alloc(MEM_SIZE, O_RDONLY);
	c.mem[2] = vm_udmabuf_alloc(MEM_SIZE);
	host_start(&c.host, 2);
	for (int i = 0; i < INVOKERS; i++) {
		v[i] = (struct invoker){ .c = &c };
		v[i].rng = rng_stream(1000 + index * INVOKERS + (uint64_t)i);
		VT_ASSERT_EQ(pthread_create(&v[i].thread, NULL, invoker_main,
					    &v[i]), 0);
	}
	/*
	 * Hosts serving callbacks can wait for each other's objects (HOST_TAKE
	 * of another client's object, whose host threads all do the same):
	 * ending the server answers everything they hold DEFUNCT, so every
	 * invoker can finish.  Its fds stay open until the invokers are done.
	 */
	poll(&(struct pollfd){ .fd = stop_fd, .events = POLLIN }, 1, -1);
	VT_ASSERT_OK(ioctl(c.host.srv, OBJINVOKE_IOC_SERVER_SHUTDOWN));
	for (int i = 0; i < INVOKERS; i++) {
		VT_ASSERT_EQ(pthread_join(v[i].thread, NULL), 0);
		calls += v[i].calls;
		errors += v[i].errors;
	}
	host_stop(&c.host);
	for (int i = 0; i < 3; i++)
		close(c.mem[i]);
	close(stop_fd);
	printf("# client %d: %lu calls, %lu failed with an errno\n",
	       (int)getpid(), calls, errors);
	fflush(stdout);
	if (vt_count_fds() != fds - 1)
		client_die(CLIENT_FD_LEAK, "%d fds open, %d at the start",
			   vt_count_fds(), fds);
	_exit(calls ? CLIENT_OK : CLIENT_NO_CALLS);
}


/* ---- the case */

static void start_clients(pid_t *pids, int *stop)
{
	VT_ASSERT_OK(pipe2(stop, O_CLOEXEC));
	fflush(stdout);
	for (int i = 0; i < CLIENTS; i++) {
		pids[i] = fork();
		VT_ASSERT_OK(pids[i]);
		if (pids[i] == 0) {
			close(stop[1]);
			client_main(stop[0], (unsigned int)i);
		}
	}
	close(stop[0]);
}

static void log_tallies(void)
{
	char line[1024];
	size_t len = 0;

	for (int i = 0; i < T_COUNT; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s %lu",
					i ? ", " : "", tally_names[i],
					tally((enum tally)i));
	vt_log("%s", line);
}

/* The real emulator again, and a normal call through it. */
static void real_emulator_works(void)
{
	char out[8];
	struct objinvoke_arg a[2] = { vm_buf("back", 4), vm_buf(out, 8) };
	int32_t result = 12345;
	int svc;

	VT_ASSERT_OK(vt_emu_start());
	svc = vm_service_fd_raw(ITestService_UID);
	VT_ASSERT_OK(vm_invoke_raw(svc, ITestService_OP_echo,
				   ObjectCounts_pack(1, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(a[1].size, 4);
	VT_ASSERT_MEM_EQ(out, "back", 4);
	close(svc);
}

static void clients_survive_a_hostile_tee(void)
{
	struct secure_thread *threads;
	pthread_t ticker;
	pid_t pids[CLIENTS];
	uint32_t base;
	int stop[2];

	if (vt_emu_pid() < 0)
		vt_skip("no emulator to replace");
	base_seed = env_u64("OBJINVOKE_HOSTILE_SEED", (uint64_t)time(NULL));
	message_target = env_u64("OBJINVOKE_HOSTILE_MESSAGES", DEFAULT_MESSAGES);
	vt_log("seed %" PRIu64 " (OBJINVOKE_HOSTILE_SEED), %" PRIu64
	       " messages (OBJINVOKE_HOSTILE_MESSAGES)", base_seed,
	       message_target);
	/* What a fresh emulator holds for a lone checker. */
	VT_ASSERT_OK(vt_emu_kill(SIGTERM));
	VT_ASSERT_OK(vt_emu_start());
	base = vm_fresh_live_objects();
	VT_ASSERT_OK(vt_emu_kill(SIGTERM));

	/* Forked before the device is open: a child must not hold it. */
	start_clients(pids, stop);
	install_handlers();
	dev_lock_init();
	dev.fd = dev_open();
	threads = calloc(SECURE_THREADS, sizeof(*threads));
	VT_ASSERT(threads);
	start_secure_threads(threads, &ticker);
	run_hostile_tee();
	stop_secure_threads(threads, ticker);
	free(threads);
	/* Every session still open ends DEFUNCT; so does every later call. */
	close(dev.fd);
	close(stop[1]);
	for (int i = 0; i < CLIENTS; i++) {
		int code = vm_reap(pids[i]);

		if (code)
			vt_fail("client %d ended with %d (-1: hung)", i, code);
	}
	log_tallies();
	pthread_rwlock_destroy(&dev.lock);

	real_emulator_works();
	VT_ASSERT_EQ(vm_fresh_live_objects(), base);
}

static const struct vt_case cases[] = {
	VT_CASE_TIMEOUT(clients_survive_a_hostile_tee, 600),
};
VT_MAIN(cases)
