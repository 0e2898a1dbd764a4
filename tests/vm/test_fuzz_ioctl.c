// SPDX-License-Identifier: MIT
/*
 * test_fuzz_ioctl: every ioctl objinvoke has, called with random and
 * half-valid arguments by several processes and threads at once, while
 * the processes are killed at random moments and the emulator is killed,
 * stolen (a worker opens /dev/objinvoke-emu itself) and restarted.
 *
 * What must hold:
 *  - every call ends, and ends with 0 or an errno docs/uapi.md lists for
 *    that ioctl (a worker that sees anything else stops and says what);
 *  - every fd a successful call hands out is open and close-on-exec;
 *  - a SIGKILLed worker dies within seconds, whatever it was doing;
 *  - afterwards nothing is left: the module's reference count (one per
 *    open objinvoke file) is back to what it was, and the last emulator
 *    holds no object of the dead workers;
 *  - no kernel report (run-vm.sh checks the guest log, kmemleak included).
 *
 * CI makes FUZZ_CALLS_CI calls; OBJINVOKE_FUZZ_CALLS in the guest's
 * environment sets another number, OBJINVOKE_FUZZ_SEED the seed
 * (docs/security.md).
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "IFeatureVersion.h"
#include "IMemService.h"
#include "ITestService.h"
#include "harness.h"
#include "vmhost.h"
#include "vmutil.h"

#define FUZZ_CALLS_CI	200000
#define WORKERS		4
#define THREADS		3	/* fuzzing threads per worker */
#define POOL		24	/* fds a thread keeps */
#define SCRATCH		(256 * 1024)
#define DATA_SIZE	(SCRATCH - 5 * 4096)	/* buffers; then a page per slot */
#define BROKEN_COPIES	3	/* calls with a byte broken, per step */
#define STUCK_MS	20	/* a call blocked this long gets a signal */
#define DEATH_MS	20000	/* a SIGKILLed worker must be gone by then */

/* What a pooled fd is: it decides which errnos a call on it may give. */
enum fd_kind {
	FD_DEV,		/* /dev/objinvoke */
	FD_OBJECT,	/* an object fd */
	FD_SERVER,	/* a server fd */
	FD_DMABUF,	/* a dma-buf: a memory object */
	FD_EMU,		/* /dev/objinvoke-emu, when a worker stole it */
	FD_FOREIGN,	/* a pipe, an eventfd, /dev/null */
};

struct pooled {
	int fd;		/* -1: empty */
	enum fd_kind kind;
};

/* What a fuzzing thread does, one step at a time. */
enum step { STEP_INVOKE, STEP_SERVER, STEP_DEV, STEP_FDS, STEP_EMU,
	    STEP_SERVICE, STEPS };

static const char *const step_names[STEPS] = {
	"invoke", "server", "device", "fds", "emulator device", "service",
};

/* Shared by the test and every worker (a MAP_SHARED page). */
struct board {
	atomic_ulong calls;
	atomic_ulong steps[STEPS], step_us[STEPS];	/* where time goes */
	atomic_ulong errnos[160];	/* calls ending with each; [0]: 0 */
	atomic_int failed;
	char why[512];
};

struct fuzzer {
	struct worker *w;
	uint64_t rng;
	struct pooled pool[POOL];
	uint32_t handles[8];	/* handles SERVER_ADD gave */
	uint64_t ids[8];	/* request ids RECV gave */
	unsigned char *scratch;	/* SCRATCH bytes, read-write */
	atomic_long busy_since;	/* ms; 0 when not in a call */
	long signalled;		/* ms: the watchdog's last signal (its own) */
	pthread_t thread;
};

struct worker {
	struct board *board;
	unsigned char *rw, *ro, *none;	/* a page of each protection */
	struct host host;	/* an object this process hosts */
	bool heap, udmabuf;	/* which dma-buf allocators exist */
	struct fuzzer f[THREADS];
};

/* Services a worker opens (the last exists nowhere). */
static const uint32_t tee_services[] = {
	ITestService_UID, ICallbackService_UID, IMemService_UID,
	IFeatureVersion_UID, 0x12345,
};

/* ---- randomness */

static uint64_t rnd(struct fuzzer *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545F4914F6CDD1DULL;
}

static uint32_t below(struct fuzzer *f, uint32_t n)
{
	return (uint32_t)(rnd(f) % n);
}

/* True with a chance of pct percent. */
static bool chance(struct fuzzer *f, unsigned int pct)
{
	return below(f, 100) < pct;
}

/* The coarse clock: read from the vDSO page without a syscall, which on
 * the debug kernel costs more than most calls being measured. */
static long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static long now_ms(void)
{
	return now_us() / 1000;
}

/* ---- judging a call */

/* Stop the worker, and with it the run, with a reason. */
static void __attribute__((format(printf, 2, 3), noreturn))
bust(struct fuzzer *f, const char *fmt, ...)
{
	struct board *b = f->w->board;
	int expected = 0;
	va_list ap;

	if (atomic_compare_exchange_strong(&b->failed, &expected, 1)) {
		va_start(ap, fmt);
		vsnprintf(b->why, sizeof(b->why), fmt, ap);
		va_end(ap);
	}
	_exit(3);
}

/* Errnos each ioctl may give (docs/uapi.md), 0-terminated. */
#define ERRS(...) ((const int[]){ __VA_ARGS__, 0 })
#define ERRS_STRUCT	EFAULT, EINVAL, E2BIG, ENOTTY
#define ERRS_NEW_FD	ENOMEM, EMFILE, ENFILE
static const int *const errs_dev = ERRS(ERRS_STRUCT, ERRS_NEW_FD);
static const int *const errs_invoke = ERRS(ERRS_STRUCT, ERRS_NEW_FD, EBADF,
	EPERM, ELOOP, EPROTO, EOPNOTSUPP, ENOBUFS, EINTR, EBUSY);
static const int *const errs_server = ERRS(ERRS_STRUCT, ERRS_NEW_FD,
	ENOSPC, ENOENT, EAGAIN, EINTR, ESHUTDOWN);
static const int *const errs_reply = ERRS(ERRS_STRUCT, ERRS_NEW_FD, EBADF,
	EMSGSIZE, ENOENT, EINTR, ESHUTDOWN, EPERM, ELOOP, EPROTO, EOPNOTSUPP,
	ENOBUFS, EBUSY);
static const int *const errs_emu = ERRS(ERRS_STRUCT, EINTR, ENOSPC, ENOENT,
	EPERM);
/* Another driver's fd, or an fd another thread may have closed. */
static const int *const errs_any = ERRS(ERRS_STRUCT, ERRS_NEW_FD, EBADF,
	EPERM, ELOOP, EPROTO, EOPNOTSUPP, ENOBUFS, EINTR, EBUSY, ENOSPC,
	ENOENT, EAGAIN, ESHUTDOWN, EMSGSIZE);

static bool listed(const int *errs, int err)
{
	for (; *errs; errs++)
		if (*errs == err)
			return true;
	return false;
}

/* Judge what an ioctl returned; ret is its return value. */
static void judge(struct fuzzer *f, const char *what, unsigned long cmd,
		  int ret, int err, const int *errs)
{
	if (ret == 0 || (ret > 0 && errs == errs_any))
		return;	/* another driver may answer with a count */
	if (ret != -1)
		bust(f, "%s (cmd %#lx) returned %d", what, cmd, ret);
	if (!listed(errs, err))
		bust(f, "%s (cmd %#lx) failed with %s (%d), not a documented "
		     "error", what, cmd, strerror(err), err);
}

/* An fd a call handed out: it must be open and close-on-exec. */
static void judge_new_fd(struct fuzzer *f, const char *what, int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags == -1 || !(flags & FD_CLOEXEC))
		bust(f, "%s gave fd %d, %s", what, fd,
		     flags == -1 ? "which is not open" : "without O_CLOEXEC");
}

/* ---- the fd pool */

static void pool_put(struct fuzzer *f, int fd, enum fd_kind kind)
{
	struct pooled *p = &f->pool[below(f, POOL)];

	if (fd < 0)
		return;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = fd;
	p->kind = kind;
}

/* A random pooled fd of this thread (or of another: its kind may be
 * stale, so *sure is false), or -1. */
static int pool_pick(struct fuzzer *f, enum fd_kind *kind, bool *sure)
{
	struct fuzzer *from = f;
	struct pooled *p;

	*sure = true;
	if (chance(f, 10)) {
		from = &f->w->f[below(f, THREADS)];
		*sure = from == f;
	}
	p = &from->pool[below(f, POOL)];
	*kind = p->kind;
	if (p->fd < 0)
		*sure = false;	/* EBADF, whatever it was */
	return p->fd;
}

/* An fd of the wanted kind from this thread's pool, or -1. */
static int pool_find(struct fuzzer *f, enum fd_kind kind)
{
	unsigned int start = below(f, POOL);

	for (unsigned int i = 0; i < POOL; i++) {
		struct pooled *p = &f->pool[(start + i) % POOL];

		if (p->fd >= 0 && p->kind == kind)
			return p->fd;
	}
	return -1;
}

/* An fd number for an input object: any kind, closed, or nonsense. */
static uint32_t any_fd(struct fuzzer *f)
{
	enum fd_kind kind;
	bool sure;

	switch (below(f, 10)) {
	case 0:
		return OBJINVOKE_FD_NONE;
	case 1:
		return chance(f, 50) ? below(f, 1024) : (uint32_t)rnd(f);
	case 2:
		return (uint32_t)f->w->host.obj;
	default:
		return (uint32_t)pool_pick(f, &kind, &sure);
	}
}

/* ---- addresses and sizes */

/* A user address for len bytes: mostly good, sometimes not at all. */
static uint64_t any_addr(struct fuzzer *f, uint64_t len)
{
	struct worker *w = f->w;
	long page = sysconf(_SC_PAGESIZE);

	switch (below(f, 40)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)w->none + below(f, (uint32_t)page);
	case 2:
		return (uintptr_t)w->ro;	/* EFAULT where written */
	case 3:
		return 0xffffffff81000000ULL + below(f, 1 << 20);
	case 4:	/* runs off the end of the writable page */
		return (uintptr_t)w->rw + page - (len > 1 ? len / 2 : 0);
	case 5:
		return rnd(f);
	default:
		if (len >= DATA_SIZE)
			return (uintptr_t)f->scratch;
		return (uintptr_t)f->scratch +
		       below(f, (uint32_t)(DATA_SIZE - len));
	}
}

static uint64_t any_size(struct fuzzer *f)
{
	switch (below(f, 20)) {
	case 0:
		return rnd(f);
	case 1:
		return OBJINVOKE_MAX_BUF_BYTES + below(f, 2);
	case 2:
	case 3:
		return below(f, SCRATCH);
	default:
		return below(f, 96);
	}
}

/* Fill n bytes at p with random bytes. */
static void scribble(struct fuzzer *f, void *p, size_t n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = (unsigned char)rnd(f);
}

/* A struct's bytes: mostly left valid, sometimes a few bytes changed,
 * rarely all random. */
static void mutate(struct fuzzer *f, void *p, size_t n)
{
	unsigned int k = below(f, 10);

	if (k == 0)
		scribble(f, p, n);
	else if (k < 3)
		for (unsigned int i = below(f, 3) + 1; i; i--)
			((unsigned char *)p)[below(f, (uint32_t)n)] ^=
				(unsigned char)(1u << below(f, 8));
}

/* Change one byte of n at p, for sure. */
static void flip(struct fuzzer *f, void *p, size_t n)
{
	((unsigned char *)p)[below(f, (uint32_t)n)] ^=
		(unsigned char)(below(f, 255) + 1);
}

/*
 * The ioctl number to use for ref: mostly ref, sometimes with another
 * size (the kernel takes any size as another ABI version), direction or
 * number.
 */
static unsigned long any_cmd(struct fuzzer *f, unsigned long ref)
{
	switch (below(f, 20)) {
	case 0:
		return _IOC(_IOC_DIR(ref), _IOC_TYPE(ref), _IOC_NR(ref),
			    below(f, 160));
	case 1:
		return _IOC(below(f, 4), _IOC_TYPE(ref), _IOC_NR(ref),
			    _IOC_SIZE(ref));
	case 2:
		return _IOC(_IOC_DIR(ref), _IOC_TYPE(ref), below(f, 256),
			    _IOC_SIZE(ref));
	default:
		return ref;
	}
}

/* The pages after the data area, one per struct a call may need at
 * once, so no buffer of the call overlaps them. */
enum slot {
	SLOT_ARGS,	/* an invocation's args */
	SLOT_REQUEST,	/* the request INVOKE's SERVE may fill */
	SLOT_REQ_ARGS,	/* a received request's args */
	SLOT_REPLY,
	SLOT_STRUCT,	/* the ioctl's own struct */
};

static void *slot(struct fuzzer *f, enum slot s)
{
	return f->scratch + DATA_SIZE + s * 4096;
}

/* The zeroed struct for cmd.  With a larger size than ours the kernel
 * reads the bytes after it, which must be zero: mostly they are. */
static void *ioctl_struct(struct fuzzer *f, unsigned long cmd, size_t ours)
{
	size_t size = _IOC_SIZE(cmd) > ours ? _IOC_SIZE(cmd) : ours;
	unsigned char *p = slot(f, SLOT_STRUCT);

	memset(p, 0, size);
	if (size > ours && chance(f, 30))
		p[ours + below(f, (uint32_t)(size - ours))] = 1;
	return p;
}

/* cmd is ref, whatever struct size it names (any_cmd changes it). */
static bool same_ioctl(unsigned long cmd, unsigned long ref)
{
	return _IOC_DIR(cmd) == _IOC_DIR(ref) &&
	       _IOC_TYPE(cmd) == _IOC_TYPE(ref) && _IOC_NR(cmd) == _IOC_NR(ref);
}

/* Call ioctl, telling the watchdog while it runs. */
static int fuzz_ioctl(struct fuzzer *f, int fd, unsigned long cmd, void *arg,
		      int *err)
{
	int ret;

	atomic_store(&f->busy_since, now_ms());
	ret = ioctl(fd, cmd, arg);
	*err = errno;
	atomic_store(&f->busy_since, 0);
	atomic_fetch_add(&f->w->board->errnos[ret ? *err % 160 : 0], 1);
	atomic_fetch_add(&f->w->board->calls, 1);
	return ret;
}

/* The errnos a call on fd may give, from what the pool says it is. */
static const int *errs_for(enum fd_kind kind, bool sure, const int *ours)
{
	if (!sure || kind == FD_FOREIGN || kind == FD_DMABUF)
		return errs_any;
	return ours;
}

/* ---- /dev/objinvoke */

static int open_dev(struct fuzzer *f)
{
	int fd = pool_find(f, FD_DEV);

	if (fd < 0) {
		fd = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			bust(f, "open %s: %s", OBJINVOKE_DEVICE, strerror(errno));
		pool_put(f, fd, FD_DEV);
	}
	return fd;
}

/* GET_ROOT, GET_CREDENTIALS or SERVER_NEW, on the device or anything. */
static void fuzz_dev(struct fuzzer *f)
{
	static const unsigned long refs[] = {
		OBJINVOKE_IOC_GET_ROOT, OBJINVOKE_IOC_GET_CREDENTIALS,
		OBJINVOKE_IOC_SERVER_NEW,
	};
	unsigned long ref = refs[below(f, 3)], cmd = any_cmd(f, ref);
	struct objinvoke_get_object *g = ioctl_struct(f, cmd, sizeof(*g));
	enum fd_kind kind = FD_DEV;
	bool sure = true;
	int fd, ret, err;
	void *arg = g;

	fd = chance(f, 85) ? open_dev(f) : pool_pick(f, &kind, &sure);
	mutate(f, g, sizeof(*g));
	if (chance(f, 10))
		arg = (void *)(uintptr_t)any_addr(f, sizeof(*g));
	ret = fuzz_ioctl(f, fd, cmd, arg, &err);
	judge(f, "device ioctl", cmd, ret, err,
	      errs_for(kind, sure, kind == FD_DEV ? errs_dev : errs_any));
	if (ret == 0 && kind == FD_DEV && sure && arg == g &&
	    same_ioctl(cmd, ref)) {
		judge_new_fd(f, "device ioctl", (int)g->fd);
		pool_put(f, (int)g->fd, ref == OBJINVOKE_IOC_SERVER_NEW ?
			 FD_SERVER : FD_OBJECT);
	}
}

/* ---- object fds: INVOKE */

static uint32_t any_op(struct fuzzer *f)
{
	uint32_t op;

	switch (below(f, 10)) {
	case 0:
		return (uint32_t)rnd(f);
	case 1:
		return 0xfffe + below(f, 2);	/* retain, release: refused */
	case 2:
		return below(f, 0x10000);
	default:
		op = below(f, 12);
		/* The test service's delay holds a call for seconds. */
		return op == ITestService_OP_delay ? 0 : op;
	}
}

static uint32_t any_counts(struct fuzzer *f)
{
	uint32_t n = chance(f, 80) ? 3 : 16;

	if (chance(f, 3))
		return (uint32_t)rnd(f);
	return below(f, n) | below(f, n) << 4 | below(f, n) << 8 |
	       below(f, n) << 12;
}

/* Fill the args of an invocation (or a reply) shaped by counts. */
static void fill_args(struct fuzzer *f, struct objinvoke_arg *a,
		      uint32_t counts)
{
	for (size_t i = 0; i < ObjectCounts_total(counts); i++) {
		memset(&a[i], 0, sizeof(a[i]));
		if (i < ObjectCounts_indexOI(counts)) {
			a[i].size = any_size(f);
			a[i].addr = any_addr(f, a[i].size);
			a[i].fd = OBJINVOKE_FD_NONE;
		} else if (i < ObjectCounts_indexOO(counts)) {
			a[i].fd = any_fd(f);
		} else {
			a[i].fd = OBJINVOKE_FD_NONE;
		}
		if (chance(f, 2))
			mutate(f, &a[i], sizeof(a[i]));
	}
}

/* Output objects of a call that answered 0: pooled, once checked. */
static void take_out_objects(struct fuzzer *f, const char *what,
			     const struct objinvoke_arg *a, uint32_t counts)
{
	for (size_t i = ObjectCounts_indexOO(counts);
	     i < ObjectCounts_total(counts); i++) {
		if (a[i].fd == OBJINVOKE_FD_NONE)
			continue;
		judge_new_fd(f, what, (int)a[i].fd);
		pool_put(f, (int)a[i].fd, a[i].flags & OBJINVOKE_ARG_MEMORY ?
			 FD_DMABUF : FD_OBJECT);
	}
}

/* Input objects of a received request: new fds of ours. */
static void take_in_objects(struct fuzzer *f, const struct objinvoke_arg *a,
			    uint32_t counts)
{
	for (size_t i = ObjectCounts_indexOI(counts);
	     i < ObjectCounts_indexOO(counts); i++) {
		if (a[i].fd == OBJINVOKE_FD_NONE)
			continue;
		judge_new_fd(f, "RECV", (int)a[i].fd);
		pool_put(f, (int)a[i].fd, a[i].flags & OBJINVOKE_ARG_MEMORY ?
			 FD_DMABUF : FD_OBJECT);
	}
}

static void arm_request(struct fuzzer *f, struct objinvoke_request *r)
{
	memset(r, 0, sizeof(*r));
	r->flags = chance(f, 85) ? OBJINVOKE_RECV_NONBLOCK : 0;
	r->args = (uintptr_t)slot(f, SLOT_REQ_ARGS);
	r->args_cap = chance(f, 90) ? 60 : below(f, 64);
	r->buf_size = chance(f, 90) ? 8192 : any_size(f);
	r->buf = any_addr(f, r->buf_size);
	if (chance(f, 3))
		mutate(f, r, sizeof(*r));
}

/*
 * Answer a request received (by RECV, or handed back to an invoking
 * thread): its args array is at SLOT_REQ_ARGS (unless a mutation moved
 * it: the reply is then as random as the rest).  Output buffers and
 * objects are random; so, now and then, is everything else.
 */
static int reply(struct fuzzer *f, const struct objinvoke_request *r,
		 int srv, const int *errs)
{
	struct objinvoke_reply *rep = slot(f, SLOT_REPLY);
	struct objinvoke_arg *a = slot(f, SLOT_REQ_ARGS);
	uint32_t c = r->counts;
	unsigned long cmd = any_cmd(f, OBJINVOKE_IOC_SERVER_REPLY);
	int ret, err;

	for (size_t i = ObjectCounts_indexBO(c); i < ObjectCounts_indexOI(c);
	     i++) {
		a[i].size = chance(f, 80) ? below(f, (uint32_t)a[i].size + 1) :
					    any_size(f);
		a[i].addr = any_addr(f, a[i].size);
	}
	for (size_t i = ObjectCounts_indexOO(c); i < ObjectCounts_total(c); i++)
		a[i].fd = chance(f, 50) ? OBJINVOKE_FD_NONE : any_fd(f);
	memset(rep, 0, sizeof(*rep));
	rep->id = chance(f, 95) ? r->id : rnd(f);
	rep->result = chance(f, 70) ? 0 : (uint32_t)rnd(f);
	rep->args = chance(f, 95) ? (uintptr_t)a : any_addr(f, 1440);
	if (chance(f, 3))
		mutate(f, rep, sizeof(*rep));
	ret = fuzz_ioctl(f, srv, cmd, rep, &err);
	judge(f, "SERVER_REPLY", cmd, ret, err, errs);
	return ret;
}

/*
 * INVOKE with SERVE came back with a request for this thread: serve it
 * (REPLY carries the invocation on), a few rounds at most.  Walking away
 * from a parked invocation is allowed too: the kernel must cope.
 */
static void serve_in_place(struct fuzzer *f, struct objinvoke_invoke *inv,
			   int srv)
{
	struct objinvoke_request *r = vm_ptr(inv->request);

	for (int round = 0; round < 8; round++) {
		if (inv->state != OBJINVOKE_STATE_REQUEST || chance(f, 5))
			return;
		if (r->kind == OBJINVOKE_REQUEST_INVOKE)
			take_in_objects(f, vm_ptr(r->args), r->counts);
		if (reply(f, r, srv, errs_reply))
			return;
	}
}

/* INVOKE on fd with the struct at SLOT_STRUCT: judged, outputs taken. */
static void invoke_once(struct fuzzer *f, int fd, enum fd_kind kind,
			bool sure, unsigned long cmd, int srv)
{
	struct objinvoke_invoke *inv = slot(f, SLOT_STRUCT);
	struct objinvoke_arg *a = slot(f, SLOT_ARGS);
	int ret, err;

	ret = fuzz_ioctl(f, fd, cmd, inv, &err);
	judge(f, "INVOKE", cmd, ret, err, errs_for(kind, sure, errs_invoke));
	if (ret || !sure || kind != FD_OBJECT ||
	    !same_ioctl(cmd, OBJINVOKE_IOC_INVOKE))
		return;
	if (inv->state == OBJINVOKE_STATE_REQUEST && srv >= 0)
		serve_in_place(f, inv, srv);
	if (inv->state == OBJINVOKE_STATE_DONE && inv->result == 0 &&
	    inv->args == (uintptr_t)a)
		take_out_objects(f, "INVOKE", a, inv->counts);
}

/*
 * An invocation with random contents, first a few times with one byte
 * of the struct or of an argument broken (most of those end in the
 * kernel's checks, cheaply: the run makes more calls in its time), then
 * as built.
 */
static void fuzz_invoke(struct fuzzer *f)
{
	unsigned long cmd = any_cmd(f, OBJINVOKE_IOC_INVOKE);
	struct objinvoke_invoke *inv = ioctl_struct(f, cmd, sizeof(*inv)), built;
	struct objinvoke_arg *a = slot(f, SLOT_ARGS), args[60];
	enum fd_kind kind = FD_OBJECT;
	bool sure = true;
	int fd = chance(f, 80) ? pool_find(f, FD_OBJECT) : -1, srv = -1;

	if (fd < 0)
		fd = pool_pick(f, &kind, &sure);
	inv->op = any_op(f);
	inv->counts = any_counts(f);
	inv->args = chance(f, 95) ? (uintptr_t)a : any_addr(f, 1440);
	fill_args(f, a, inv->counts);
	if (chance(f, 15)) {
		srv = pool_find(f, FD_SERVER);
		inv->flags = OBJINVOKE_INVOKE_SERVE;
		inv->server_fd = srv >= 0 ? (uint32_t)srv : any_fd(f);
		inv->request = (uintptr_t)slot(f, SLOT_REQUEST);
		arm_request(f, vm_ptr(inv->request));
	}
	if (chance(f, 3))
		mutate(f, inv, sizeof(*inv));
	built = *inv;
	memcpy(args, a, sizeof(args));
	for (int i = 0; i < BROKEN_COPIES; i++) {
		if (chance(f, 70))
			flip(f, inv, sizeof(*inv));
		else
			flip(f, a, sizeof(*a) * ((ObjectCounts_total(built.counts) + 1)));
		invoke_once(f, fd, kind, sure, cmd, srv);
		*inv = built;
		memcpy(a, args, sizeof(args));
	}
	invoke_once(f, fd, kind, sure, cmd, srv);
}

/* ---- server fds */

static void fuzz_server(struct fuzzer *f)
{
	static const unsigned long refs[] = {
		OBJINVOKE_IOC_SERVER_ADD, OBJINVOKE_IOC_SERVER_GET,
		OBJINVOKE_IOC_SERVER_RECV, OBJINVOKE_IOC_SERVER_RECV,
		OBJINVOKE_IOC_SERVER_REPLY, OBJINVOKE_IOC_SERVER_SHUTDOWN,
	};
	unsigned long ref = refs[below(f, 5 + chance(f, 10))];
	unsigned long cmd = any_cmd(f, ref);
	enum fd_kind kind = FD_SERVER;
	bool sure = true;
	int srv = chance(f, 85) ? pool_find(f, FD_SERVER) : -1, ret, err;
	void *arg;

	if (srv < 0)
		srv = pool_pick(f, &kind, &sure);
	if (ref == OBJINVOKE_IOC_SERVER_REPLY) {
		struct objinvoke_request r = {
			.id = f->ids[below(f, 8)], .counts = any_counts(f),
		};

		fill_args(f, slot(f, SLOT_REQ_ARGS), r.counts);
		reply(f, &r, srv, errs_for(kind, sure, errs_reply));
		return;
	}
	arg = ioctl_struct(f, cmd, sizeof(struct objinvoke_request));
	if (ref == OBJINVOKE_IOC_SERVER_ADD) {
		struct objinvoke_server_add *add = arg;

		add->cookie = rnd(f);
	} else if (ref == OBJINVOKE_IOC_SERVER_GET) {
		struct objinvoke_server_get *get = arg;

		get->handle = chance(f, 80) ? f->handles[below(f, 8)] :
					      (uint32_t)rnd(f);
	} else if (ref == OBJINVOKE_IOC_SERVER_RECV) {
		arm_request(f, arg);
	}
	if (chance(f, 3))
		mutate(f, arg, sizeof(struct objinvoke_request));
	ret = fuzz_ioctl(f, srv, cmd, arg, &err);
	judge(f, "server ioctl", cmd, ret, err,
	      errs_for(kind, sure, errs_server));
	if (ret || !sure || kind != FD_SERVER || !same_ioctl(cmd, ref))
		return;
	if (ref == OBJINVOKE_IOC_SERVER_ADD) {
		struct objinvoke_server_add *add = arg;

		judge_new_fd(f, "SERVER_ADD", (int)add->fd);
		pool_put(f, (int)add->fd, FD_OBJECT);
		f->handles[below(f, 8)] = add->handle;
	} else if (ref == OBJINVOKE_IOC_SERVER_GET) {
		struct objinvoke_server_get *get = arg;

		judge_new_fd(f, "SERVER_GET", (int)get->fd);
		pool_put(f, (int)get->fd, FD_OBJECT);
	} else if (ref == OBJINVOKE_IOC_SERVER_RECV) {
		struct objinvoke_request *r = arg;

		if (r->kind != OBJINVOKE_REQUEST_INVOKE)
			return;
		take_in_objects(f, vm_ptr(r->args), r->counts);
		f->ids[below(f, 8)] = r->id;
		if (chance(f, 70))
			reply(f, r, srv, errs_reply);
	}
}

/* ---- /dev/objinvoke-emu */

/*
 * Open the emulator device: EBUSY while an emulator is attached.  When
 * the test has just killed it, this worker is the TEE for a moment:
 * random WAITs, COMPLETEs and mmaps, then it lets go.
 */
static void fuzz_emu(struct fuzzer *f)
{
	struct objinvoke_emu_call *call = slot(f, SLOT_REQUEST);
	int fd, ret, err;

	atomic_store(&f->busy_since, now_ms());
	fd = open(OBJINVOKE_EMU_DEVICE, O_RDWR | O_CLOEXEC);
	err = errno;
	atomic_store(&f->busy_since, 0);
	if (fd < 0) {
		if (err != EBUSY && err != EINTR)
			bust(f, "open %s: %s", OBJINVOKE_EMU_DEVICE,
			     strerror(err));
		return;
	}
	memset(call, 0, sizeof(*call));
	for (int i = below(f, 6); i >= 0; i--) {
		unsigned long cmd;
		void *arg = ioctl_struct(f, OBJINVOKE_EMU_IOC_COMPLETE,
					 sizeof(struct objinvoke_emu_done));

		if (chance(f, 50)) {
			cmd = any_cmd(f, OBJINVOKE_EMU_IOC_WAIT);
			call->session = chance(f, 70) ? 0 : rnd(f) % 64;
			call->in_size = (uint32_t)any_size(f);
			call->inbound = any_addr(f, call->in_size);
			call->out_size = chance(f, 50) ? 4096 : (uint32_t)any_size(f);
			call->outbound = any_addr(f, call->out_size);
			arg = call;
		} else {
			struct objinvoke_emu_done *d = arg;

			cmd = any_cmd(f, OBJINVOKE_EMU_IOC_COMPLETE);
			d->session = chance(f, 70) ? call->session : rnd(f);
			d->status = below(f, 5);
			d->result = (uint32_t)rnd(f);
			d->in_size = below(f, 256);
			d->inbound = any_addr(f, d->in_size);
			d->out_size = below(f, 256);
			d->outbound = any_addr(f, d->out_size);
		}
		mutate(f, arg, 48);
		ret = fuzz_ioctl(f, fd, cmd, arg, &err);
		judge(f, "emulator ioctl", cmd, ret, err, errs_emu);
	}
	if (chance(f, 50)) {
		void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
			       (off_t)(OBJINVOKE_EMU_WINDOW * below(f, 4)));

		if (m != MAP_FAILED)
			munmap(m, 4096);
	}
	close(fd);
}

/* ---- fds of every kind, and the other file operations */

static int try_dmabuf(struct fuzzer *f)
{
	uint64_t size = 4096 << below(f, 3);

	if (chance(f, 50) && f->w->heap)
		return vm_try_heap_alloc(size, chance(f, 80) ? O_RDWR : O_RDONLY);
	if (f->w->udmabuf)
		return vm_try_udmabuf_alloc(size);
	return -1;
}

static void fuzz_fds(struct fuzzer *f)
{
	struct pooled *p = &f->pool[below(f, POOL)];
	int pipefd[2];

	switch (below(f, 10)) {
	case 0:
		if (p->fd >= 0)
			close(p->fd);
		p->fd = -1;
		break;
	case 1:
		if (p->fd >= 0)
			pool_put(f, fcntl(p->fd, F_DUPFD_CLOEXEC, 0), p->kind);
		break;
	case 2:
		pool_put(f, open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC), FD_DEV);
		break;
	case 3:
		if (pipe2(pipefd, O_CLOEXEC) == 0) {
			pool_put(f, pipefd[0], FD_FOREIGN);
			pool_put(f, pipefd[1], FD_FOREIGN);
		}
		break;
	case 4:
		pool_put(f, eventfd(0, EFD_CLOEXEC), FD_FOREIGN);
		break;
	case 5:
	case 6:
		pool_put(f, try_dmabuf(f), FD_DMABUF);
		break;
	case 7: {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN | POLLOUT };

		poll(&pfd, 1, 0);
		break;
	}
	case 8: {
		void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, p->fd, 0);

		if (m != MAP_FAILED)
			munmap(m, 4096);
		break;
	}
	default: {
		char c = 0;

		if (p->fd < 0 || p->kind == FD_FOREIGN || p->kind == FD_DMABUF)
			break;
		if (read(p->fd, &c, 1) >= 0 || write(p->fd, &c, 1) >= 0)
			bust(f, "read or write on an objinvoke fd worked");
	}
	}
}

/* A service of the TEE (or the attempt), as a client opens it. */
static void open_service(struct fuzzer *f)
{
	uint32_t uid = tee_services[below(f, 5)];
	int fd;

	vm_try_service_fd_raw(uid, &fd);
	pool_put(f, fd, FD_OBJECT);
}

/* ---- a worker process */

/*
 * The mix of steps.  TEE services are opened rarely: an open is five
 * round trips to the TEE (and the debug kernel makes those dear), and
 * the TEE's own objects come back as outputs of invocations anyway.
 */
static enum step pick_step(struct fuzzer *f)
{
	unsigned int k = below(f, 1000);

	if (k < 5)
		return STEP_SERVICE;
	if (pool_find(f, FD_OBJECT) < 0)
		return STEP_DEV;
	if (k < 480)
		return STEP_INVOKE;
	if (k < 730)
		return STEP_SERVER;
	if (k < 850)
		return STEP_DEV;
	if (k < 995)
		return STEP_FDS;
	return STEP_EMU;
}

static void *fuzz_thread(void *arg)
{
	static void (*const run[STEPS])(struct fuzzer *) = {
		fuzz_invoke, fuzz_server, fuzz_dev, fuzz_fds, fuzz_emu,
		open_service,
	};
	struct fuzzer *f = arg;
	struct board *b = f->w->board;

	for (;;) {
		enum step k = pick_step(f);
		long us = now_us();

		run[k](f);
		atomic_fetch_add(&b->steps[k], 1);
		atomic_fetch_add(&b->step_us[k], (unsigned long)(now_us() - us));
	}
	return NULL;
}

static void wake_up(int sig)
{
	(void)sig;
}

/*
 * Calls that block (RECV without NONBLOCK, an invocation of an object
 * nobody serves, WAIT on the emulator device) get a signal when they
 * have waited STUCK_MS: objinvoke's waits end with EINTR then, unless
 * the peer took the call, when only a fatal signal (the test's SIGKILL)
 * ends them.
 */
static void __attribute__((noreturn)) watchdog(struct worker *w)
{
	for (;;) {
		long now;

		vt_msleep(STUCK_MS / 2);
		now = now_ms();
		for (int i = 0; i < THREADS; i++) {
			long since = atomic_load(&w->f[i].busy_since);

			/* A call its peer has taken ignores the signal:
			 * no need to repeat it at once. */
			if (since && now - since > STUCK_MS &&
			    now - w->f[i].signalled > 10 * STUCK_MS) {
				pthread_kill(w->f[i].thread, SIGUSR1);
				w->f[i].signalled = now;
			}
		}
	}
}

static unsigned char *map_rw(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(4);
	return p;
}

/* Three pages: read-write, then nothing (a buffer that runs off the
 * first page faults), then read-only. */
static void map_bad_pages(struct worker *w)
{
	long page = sysconf(_SC_PAGESIZE);

	w->rw = map_rw(3 * (size_t)page);
	w->none = w->rw + page;
	w->ro = w->rw + 2 * page;
	if (mprotect(w->none, (size_t)page, PROT_NONE) ||
	    mprotect(w->ro, (size_t)page, PROT_READ))
		_exit(4);
}

static void __attribute__((noreturn))
worker_main(struct board *board, uint64_t seed, bool heap, bool udmabuf)
{
	struct sigaction sa = { .sa_handler = wake_up };	/* no SA_RESTART */
	struct worker *w = calloc(1, sizeof(*w));

	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	w->board = board;
	w->heap = heap;
	w->udmabuf = udmabuf;
	map_bad_pages(w);
	host_start(&w->host, 1);
	for (int i = 0; i < THREADS; i++) {
		struct fuzzer *f = &w->f[i];

		f->w = w;
		f->rng = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)i + 1;
		f->scratch = map_rw(SCRATCH);
		for (int j = 0; j < POOL; j++)
			f->pool[j].fd = -1;
	}
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&w->f[i].thread, NULL, fuzz_thread, &w->f[i]))
			_exit(4);
	watchdog(w);
}

/* ---- the test: workers, their deaths, and the emulator's */

struct storm {
	struct board *board;
	pid_t pids[WORKERS];
	long dies_at[WORKERS];	/* ms: when the test kills it */
	uint64_t seed, spawned;
	bool heap, udmabuf;
	unsigned int kills, restarts;
};

static void spawn(struct storm *s, int i)
{
	uint64_t seed = s->seed + ++s->spawned;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	VT_ASSERT_OK(pid);
	if (pid == 0)
		worker_main(s->board, seed, s->heap, s->udmabuf);
	s->pids[i] = pid;
	s->dies_at[i] = now_ms() + 1000 + (long)(seed * 7919 % 5000);
}

/* A worker that ended other than by the test's SIGKILL fails the test. */
static void judge_end(struct storm *s, pid_t pid, int status)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return;
	if (atomic_load(&s->board->failed))
		vt_fail("worker %d: %s", (int)pid, s->board->why);
	vt_fail("worker %d ended with status %#x (exit 4: no memory; "
		"others: an assertion, see above)", (int)pid, status);
}

/* What the kernel says a task is waiting in, for the failure message. */
static void log_stack(pid_t pid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", (int)pid,
		 (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		vt_log("  %s", strtok(line, "\n"));
	fclose(f);
}

/* SIGKILL worker i; it must be gone within DEATH_MS, whatever it did. */
static void kill_worker(struct storm *s, int i)
{
	pid_t pid = s->pids[i];
	long deadline = now_ms() + DEATH_MS;
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, WNOHANG) != pid) {
		if (now_ms() > deadline) {
			log_stack(pid);
			vt_fail("worker %d still there %d ms after SIGKILL",
				(int)pid, DEATH_MS);
		}
		vt_msleep(5);
	}
	judge_end(s, pid, status);
	s->pids[i] = 0;
	s->kills++;
}

/* A worker that ended by itself (it found something): fail now.  Only
 * workers: the emulator is a child of this process too. */
static void reap_early(struct storm *s)
{
	int status;

	for (int i = 0; i < WORKERS; i++)
		if (waitpid(s->pids[i], &status, WNOHANG) == s->pids[i])
			judge_end(s, s->pids[i], status);
}

/*
 * Kill the emulator (SIGKILL or SIGTERM in turn) and start another.  In
 * between, a worker may have opened the device itself (fuzz_emu): the
 * new emulator then fails with EBUSY, and is started again.
 */
static void restart_emulator(struct storm *s)
{
	int tries = 0;

	VT_ASSERT_OK(vt_emu_kill(s->restarts++ % 2 ? SIGTERM : SIGKILL));
	vt_msleep(100);
	while (vt_emu_start()) {
		VT_ASSERT_LT(++tries, 100);
		vt_msleep(20);
	}
}

/* How the calls ended, and where the time went: the run's coverage. */
static void log_steps(struct board *b)
{
	for (int e = 0; e < 160; e++)
		if (b->errnos[e])
			vt_log("  %-12s %8lu", e ? strerrorname_np(e) : "success",
			       b->errnos[e]);
	for (int k = 0; k < STEPS; k++)
		vt_log("  %-16s %8lu steps, %6lu us each", step_names[k],
		       b->steps[k], b->step_us[k] / (b->steps[k] ? b->steps[k] : 1));
}

static unsigned long calls(struct storm *s)
{
	return atomic_load(&s->board->calls);
}

/*
 * Run the workers until the board counts target calls, killing each at
 * its time and starting another; restart the emulator every
 * restart_every calls (0: never).  Fails when no call completes for 30 s.
 */
static void storm_until(struct storm *s, unsigned long target,
			unsigned long restart_every)
{
	unsigned long last = calls(s), next_restart = last + restart_every;
	long progress_at = now_ms();

	while (calls(s) < target) {
		vt_msleep(50);
		reap_early(s);
		for (int i = 0; i < WORKERS; i++) {
			if (now_ms() < s->dies_at[i])
				continue;
			kill_worker(s, i);
			spawn(s, i);
		}
		if (restart_every && calls(s) >= next_restart) {
			restart_emulator(s);
			next_restart = calls(s) + restart_every;
		}
		if (calls(s) / 25000 != last / 25000)
			vt_log("%lu calls", calls(s));
		if (calls(s) != last) {
			last = calls(s);
			progress_at = now_ms();
		} else if (now_ms() - progress_at > 30000) {
			vt_fail("no call completed for 30 s (%lu made)", last);
		}
	}
}

/* References to the module: one per open objinvoke file. */
static int module_refs(void)
{
	FILE *f = fopen("/sys/module/objinvoke/refcnt", "re");
	int n = -1;

	VT_ASSERT(f);
	VT_ASSERT_EQ(fscanf(f, "%d", &n), 1);
	fclose(f);
	return n;
}

/* Wait up to 10 s for the module's count to reach want: the last
 * references of dead processes go on a workqueue. */
static void expect_module_refs(int want)
{
	int n = module_refs();

	for (int i = 0; i < 200 && n != want; i++) {
		vt_msleep(50);
		n = module_refs();
	}
	VT_ASSERT_EQ(n, want);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static unsigned long env_number(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static void ioctls_survive_random_calls_kills_and_restarts(void)
{
	unsigned long target = env_number("OBJINVOKE_FUZZ_CALLS",
					  FUZZ_CALLS_CI);
	struct storm s = {
		.seed = env_number("OBJINVOKE_FUZZ_SEED", (unsigned long)time(NULL)),
		.heap = exists("/dev/dma_heap/system"),
		.udmabuf = exists("/dev/udmabuf"),
	};
	uint32_t base;
	int refs, emu;
	long start = now_ms();

	if (vt_emu_pid() < 0)
		vt_skip("no emulator to restart");
	vt_log("seed %llu (OBJINVOKE_FUZZ_SEED replays it), %lu calls",
	       (unsigned long long)s.seed, target);
	vm_fresh_live_objects();	/* libobject's own fds open first */
	refs = module_refs();
	s.board = mmap(NULL, sizeof(*s.board), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	VT_ASSERT(s.board != MAP_FAILED);

	for (int i = 0; i < WORKERS; i++)
		spawn(&s, i);
	storm_until(&s, target * 3 / 4, target / 16);
	for (int i = 0; i < WORKERS; i++)
		kill_worker(&s, i);

	/* The last part with one emulator, whose objects are then counted:
	 * what a client sees in it with no worker around, before and after. */
	restart_emulator(&s);
	emu = vt_emu_pid();
	base = vm_fresh_live_objects();
	for (int i = 0; i < WORKERS; i++)
		spawn(&s, i);
	storm_until(&s, target, 0);
	for (int i = 0; i < WORKERS; i++)
		kill_worker(&s, i);
	vt_log("%lu calls in %ld s, %u workers killed, %u emulator restarts",
	       calls(&s), (now_ms() - start) / 1000, s.kills, s.restarts);
	log_steps(s.board);

	VT_ASSERT_EQ(vt_emu_pid(), emu);
	VT_ASSERT_EQ(vm_fresh_live_objects(), base);
	expect_module_refs(refs);
	munmap(s.board, sizeof(*s.board));
}

static const struct vt_case cases[] = {
	VT_CASE_TIMEOUT(ioctls_survive_random_calls_kills_and_restarts, 900),
};
VT_MAIN(cases)
