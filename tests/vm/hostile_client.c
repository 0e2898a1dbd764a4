// SPDX-License-Identifier: MIT
/*
 * hostile_client.c - the client processes of test_hostile_tee: each
 * hosts an object, holds three dma-bufs and runs invokers that register
 * with the root object, open services and invoke whatever objects the
 * (hostile) TEE handed them, with random buffers and input objects.
 * Whatever the TEE answers, every call must end one of the ways
 * docs/uapi.md lists, every output fd must be real, and the process's fd
 * count must be back to its start at the end; the exit code says what
 * went wrong.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "IClientEnv.h"
#include "IMemService.h"
#include "ITestService.h"
#include "vmharness.h"
#include "hostile.h"
#include "vmhost.h"
#include "vmutil.h"

#define INVOKERS		2	/* threads per client */
#define CLIENT_POOL		8	/* object fds an invoker keeps */
#define POOL_OBJECT_CALLS	16	/* calls on one before it is closed */
#define MEM_SIZE		(3 * 4096)

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
	unsigned int uses[CLIENT_POOL];	/* calls made on each */
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
		v->uses[i] = 0;
		return;
	}
	v->uses[v->n] = 0;
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

/*
 * After a call on pool object slot: close it when it is dead for good or
 * has had its calls.  Its calls must reach the TEE for the secure world
 * to see this process's dma-bufs (and map them), and most pool objects
 * stopped doing so: a TEE object dies at every reopen of the device (every
 * 0.3 to 2.3 s; its calls then answer DEFUNCT without reaching the TEE),
 * while objects the TEE hands back from the normal world (credentials,
 * hosted objects) never die and are answered here.  Kept until the pool
 * was full, those filled it, and only registrations, which carry no
 * dma-buf, still reached the TEE: 0 to 2 map regions a run.  A root
 * object the TEE handed out answers EPERM to every call: closed as well.
 */
static void after_call(struct invoker *v, unsigned int slot, int ret, int err,
		       int32_t result)
{
	if ((ret == 0 && result == Object_ERROR_DEFUNCT) ||
	    (ret == -1 && err == EPERM) || ++v->uses[slot] >= POOL_OBJECT_CALLS) {
		close(v->pool[slot]);
		v->n--;
		v->pool[slot] = v->pool[v->n];
		v->uses[slot] = v->uses[v->n];
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

/* Invoke pool object slot with op and random arguments; check the outcome. */
static void invoke_randomly(struct invoker *v, unsigned int slot, uint32_t op,
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
	ret = vm_invoke_raw(v->pool[slot], op, counts, a, &result);
	err = errno;
	check_outcome(v, ret, err, result, counts, a, reserved);
	after_call(v, slot, ret, err, result);
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
	unsigned int slot = rng_below(&v->rng, v->n);
	int32_t result = 0;
	int ret, err;

	ret = vm_invoke_raw(v->pool[slot], IClientEnv_OP_open, counts, a,
			    &result);
	err = errno;
	check_outcome(v, ret, err, result, counts, a, NULL);
	after_call(v, slot, ret, err, result);
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
			invoke_randomly(v, rng_below(&v->rng, v->n),
					rng_below(&v->rng, 12),
					some_counts(&v->rng));
	}
	while (v->n)
		close(v->pool[--v->n]);
	return NULL;
}

static void client_main(uint64_t seed, int stop_fd, unsigned int index)
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
		v[i].rng = rng_stream(seed, 1000 + index * INVOKERS + (uint64_t)i);
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

void start_clients(uint64_t seed, pid_t *pids, int *stop_write)
{
	int stop[2];

	VT_ASSERT_OK(pipe2(stop, O_CLOEXEC));
	fflush(stdout);
	for (int i = 0; i < CLIENTS; i++) {
		pids[i] = fork();
		VT_ASSERT_OK(pids[i]);
		if (pids[i] == 0) {
			close(stop[1]);
			client_main(seed, stop[0], (unsigned int)i);
		}
	}
	close(stop[0]);
	*stop_write = stop[1];
}
