// SPDX-License-Identifier: MIT
/*
 * fuzz_ioctl_calls.c - test_fuzz_ioctl's worker processes: the steps a
 * fuzzing thread takes (each ioctl of each file, the other file
 * operations, fds made and dropped), the watchdog that interrupts calls
 * that block, and the process around them.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "IFeatureVersion.h"
#include "IMemService.h"
#include "ITestService.h"
#include "fuzz_ioctl.h"
#include "vmharness.h"
#include "vmutil.h"

/* Services a worker opens (the last exists nowhere). */
static const uint32_t tee_services[] = {
	ITestService_UID, ICallbackService_UID, IMemService_UID,
	IFeatureVersion_UID, 0x12345,
};

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

void fuzz_worker_main(struct board *board, uint64_t seed, bool heap, bool udmabuf)
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
		f->rng = rng_stream(seed, (uint64_t)i);
		f->scratch = map_rw(SCRATCH);
		for (int j = 0; j < POOL; j++)
			f->pool[j].fd = -1;
	}
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&w->f[i].thread, NULL, fuzz_thread, &w->f[i]))
			_exit(4);
	watchdog(w);
}
