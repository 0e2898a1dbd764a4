// SPDX-License-Identifier: MIT
/*
 * test_limits: no process can make the kernel pin without bound, and what
 * a signal does to a blocked invocation (docs/uapi.md, "Limits" and
 * "Signals").
 *
 * A server's hosted objects plus its undelivered release notices are
 * bounded (SERVER_ADD: ENOSPC), and so are the bytes of its requests,
 * queued or parked (the invocation: ENOBUFS); other processes keep working
 * meanwhile.  The limits are module parameters; the cases lower them for
 * the test and put them back.  What the kernel keeps for a process is
 * charged to its memory cgroup, so a cgroup's limit bounds it too.
 *
 * A process may have tee_sessions_per_process calls with the TEE at once:
 * one that parks callbacks or asks for long work on every thread cannot
 * stop another process's invocations.
 *
 * A signal withdraws an invocation its peer (the TEE, a host) has not
 * taken yet: EINTR, or a transparent restart under SA_RESTART, and in
 * either case the call happened exactly as often as the caller saw.  Once
 * taken, only a fatal signal ends the wait.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "ITestService.h"
#include "vmharness.h"
#include "vmhost.h"
#include "vmutil.h"

#define PARAM_DIR "/sys/module/objinvoke/parameters/"

/* Write value to a sysfs or cgroup file. */
static void write_number(const char *path, unsigned long value)
{
	char line[32];
	int fd, n;

	n = snprintf(line, sizeof(line), "%lu", value);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	VT_ASSERT_OK(fd);
	VT_ASSERT_EQ(write(fd, line, (size_t)n), n);
	close(fd);
}

static void write_param(const char *name, unsigned long value)
{
	char path[128];

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	write_number(path, value);
}

/* The module's defaults, put back at every case's start. */
#define DEFAULT_MAX_OBJECTS	65536
#define DEFAULT_MAX_BYTES	(64UL << 20)

static void case_setup(void)
{
	int emu = vt_emu_pid();

	/* A case that failed half-way may have left these behind. */
	if (emu > 0)
		kill(emu, SIGCONT);
	write_param("server_max_objects", DEFAULT_MAX_OBJECTS);
	write_param("server_max_bytes", DEFAULT_MAX_BYTES);
}

/* Another process can still reach the TEE: 0 when it could. */
static void others_keep_working(void)
{
	pid_t pid = fork();
	int status;

	VT_ASSERT_OK(pid);
	if (pid == 0) {
		int svc = vm_service_fd_raw(ITestService_UID);

		_exit(vm_echo_works(svc, "ok") ? 0 : 1);
	}
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	VT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- hosted objects and release notices */

/*
 * Add hosted objects and close them, never receiving: each close queues
 * a release notice in the kernel.  Counts them in *added (which another
 * process may watch) until an ADD fails; its errno is the return value.
 */
static int add_and_close(int srv, unsigned long *added, unsigned long max)
{
	struct objinvoke_server_add add = { .cookie = 1 };

	for (;;) {
		add.fd = 0;
		add.handle = 0;
		if (ioctl(srv, OBJINVOKE_IOC_SERVER_ADD, &add))
			return errno;
		close((int)add.fd);
		VT_ASSERT_LT(*added, max);
		++*added;
	}
}

static void release_notices_are_bounded(void)
{
	int srv = server_new(), notices = 0;
	unsigned long added = 0;
	struct inbox in;

	write_param("server_max_objects", 200);
	VT_ASSERT_EQ(add_and_close(srv, &added, 200), ENOSPC);
	VT_ASSERT_EQ(added, 200);
	others_keep_working();

	/* Received notices make room again. */
	for (;;) {
		inbox_arm(&in, OBJINVOKE_RECV_NONBLOCK);
		if (ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in.req))
			break;
		VT_ASSERT_EQ(in.req.kind, OBJINVOKE_REQUEST_RELEASE);
		notices++;
	}
	VT_ASSERT_EQ(errno, EAGAIN);
	VT_ASSERT_EQ(notices, 200);
	close(server_add(srv, 2, NULL));
	close(srv);
}

/* ---- memory cgroups */

#define CGROUPS		"/sys/fs/cgroup"
#define TEST_CGROUP	CGROUPS "/objinvoke-limits"
#define HEADROOM	(1UL << 20)	/* what the child may pin */

static bool read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n > 0;
}

/* A cgroup with the memory controller, or a skip. */
static void make_memory_cgroup(void)
{
	char controllers[256];
	int fd;

	mkdir(CGROUPS, 0755);
	if (!read_file(CGROUPS "/cgroup.controllers", controllers,
		       sizeof(controllers)) &&
	    mount("none", CGROUPS, "cgroup2", 0, NULL))
		vt_skip("no cgroup2: %s", strerror(errno));
	if (!read_file(CGROUPS "/cgroup.controllers", controllers,
		       sizeof(controllers)) || !strstr(controllers, "memory"))
		vt_skip("no memory controller");
	fd = open(CGROUPS "/cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
	VT_ASSERT_OK(fd);
	VT_ASSERT_EQ(write(fd, "+memory", 7), 7);
	close(fd);
	if (mkdir(TEST_CGROUP, 0755))
		VT_ASSERT_EQ(errno, EEXIST);
}

/*
 * In a memory cgroup that lets it pin HEADROOM more than it uses: pile up
 * release notices, counted in *added, until an ADD fails (its errno in
 * *err) or the memcg's OOM killer ends the process.
 */
static void __attribute__((noreturn)) pin_notices(unsigned long *added,
						  int *err)
{
	char usage[32];
	int srv;

	write_number(TEST_CGROUP "/cgroup.procs", (unsigned long)getpid());
	srv = server_new();
	VT_ASSERT(read_file(TEST_CGROUP "/memory.current", usage,
			    sizeof(usage)));
	write_number(TEST_CGROUP "/memory.max",
		     strtoul(usage, NULL, 10) + HEADROOM);
	*err = add_and_close(srv, added, DEFAULT_MAX_OBJECTS);
	_exit(0);
}

/*
 * What the kernel keeps for a process is charged to its memory cgroup:
 * the notices stop at the cgroup's limit (ENOMEM, or the cgroup's OOM
 * killer), long before server_max_objects, and other processes go on.
 */
static void memcg_bounds_what_a_process_pins(void)
{
	struct result { unsigned long added; int err; } *r;
	int status;
	pid_t pid;

	make_memory_cgroup();
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	VT_ASSERT(r != MAP_FAILED);
	pid = fork();
	VT_ASSERT_OK(pid);
	if (pid == 0)
		pin_notices(&r->added, &r->err);
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	vt_log("%lu notices pinned, then %s", r->added,
	       WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) :
	       strerror(r->err));
	VT_ASSERT((WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		   r->err == ENOMEM) ||
		  (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
	/* A notice (with its object) holds a few KiB: a megabyte is hundreds. */
	VT_ASSERT_GT(r->added, 100);
	VT_ASSERT_LT(r->added, DEFAULT_MAX_OBJECTS / 2);
	others_keep_working();
	munmap(r, sizeof(*r));
	/* Its memory is uncharged as the dead process's server goes. */
	for (int i = 0; rmdir(TEST_CGROUP) && i < 100; i++)
		vt_msleep(50);
	VT_ASSERT_EQ(access(TEST_CGROUP, F_OK), -1);
}

/* ---- bytes of requests */

#define BIG (300 * 1024)

struct big_invoke {
	int obj;
	int ret, err;
	int32_t result;
};

static void *big_invoke_thread(void *arg)
{
	struct big_invoke *b = arg;
	char *buf = calloc(1, BIG);
	struct objinvoke_arg a[1] = { vm_buf(buf, BIG) };

	b->ret = vm_invoke_raw(b->obj, HOST_ECHO, ObjectCounts_pack(1, 0, 0, 0),
			       a, &b->result);
	b->err = errno;
	free(buf);
	return NULL;
}

static void queued_request_bytes_are_bounded(void)
{
	struct big_invoke b[4];
	pthread_t t[4];
	int srv = server_new(), obj = server_add(srv, 1, NULL), i;

	/* Three 300 KiB requests fit in 1 MiB, a fourth does not. */
	write_param("server_max_bytes", 1 << 20);
	for (i = 0; i < 3; i++) {
		b[i] = (struct big_invoke){ .obj = obj };
		VT_ASSERT_EQ(pthread_create(&t[i], NULL, big_invoke_thread,
					    &b[i]), 0);
	}
	vt_msleep(500);	/* all three queued, nobody receives */
	b[3] = (struct big_invoke){ .obj = obj };
	big_invoke_thread(&b[3]);
	VT_ASSERT_EQ(b[3].ret, -1);
	VT_ASSERT_EQ(b[3].err, ENOBUFS);
	others_keep_working();

	/* The server's death answers the queued ones and frees the room. */
	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_SHUTDOWN));
	for (i = 0; i < 3; i++) {
		VT_ASSERT_EQ(pthread_join(t[i], NULL), 0);
		VT_ASSERT_EQ(b[i].ret, 0);
		VT_ASSERT_EQ(b[i].result, Object_ERROR_DEFUNCT);
	}
	close(obj);
	close(srv);
}

/* A request parked on this thread, received into its own big buffer. */
struct parked {
	struct objinvoke_request req;
	struct objinvoke_arg args[4];
	char *buf;
};

/*
 * Invoke our own object with SERVE: the request parks on this thread, one
 * nesting level deeper each time.  The invoke's state, or -errno.
 */
static int park_big(int srv, int obj, struct parked *p, char *data)
{
	struct objinvoke_arg a[1] = { vm_buf(data, BIG) };
	struct objinvoke_invoke inv = {
		.op = HOST_ECHO,
		.counts = ObjectCounts_pack(1, 0, 0, 0),
		.args = (uintptr_t)a,
		.flags = OBJINVOKE_INVOKE_SERVE,
		.server_fd = (uint32_t)srv,
		.request = (uintptr_t)&p->req,
	};

	p->buf = malloc(BIG);
	VT_ASSERT(p->buf);
	p->req = (struct objinvoke_request){
		.args = (uintptr_t)p->args, .args_cap = 4,
		.buf = (uintptr_t)p->buf, .buf_size = BIG,
	};
	return ioctl(obj, OBJINVOKE_IOC_INVOKE, &inv) ? -errno : (int)inv.state;
}

static void parked_request_bytes_are_bounded(void)
{
	int srv = server_new(), obj = server_add(srv, 1, NULL), i;
	struct parked p[4] = { 0 };
	char *data = calloc(1, BIG);

	VT_ASSERT(data);
	write_param("server_max_bytes", 1 << 20);
	for (i = 0; i < 3; i++)
		VT_ASSERT_EQ(park_big(srv, obj, &p[i], data),
			     OBJINVOKE_STATE_REQUEST);
	/* A fourth level would pin more than the server may. */
	VT_ASSERT_EQ(park_big(srv, obj, &p[3], data), -ENOBUFS);
	others_keep_working();
	/* Closing the server abandons the three parked invocations. */
	close(obj);
	close(srv);
	for (i = 0; i < 4; i++)
		free(p[i].buf);
	free(data);
}

/* ---- the TEE's secure threads */

#define HOSTILE_THREADS 16	/* as many as the emulator's pool */

struct hostile {
	int svc, target;	/* the service, and for callbacks our object */
	int ret, err;
	int32_t result;
};

/* Have the TEE call back our object, which nobody will ever answer. */
static void *park_callback_thread(void *arg)
{
	struct hostile *h = arg;
	uint32_t op = HOST_ECHO;
	struct objinvoke_arg a[2] = { vm_buf(&op, sizeof(op)),
				      vm_obj(h->target) };

	h->ret = vm_invoke_raw(h->svc, ICallbackService_OP_call,
			       ObjectCounts_pack(1, 0, 1, 0), a, &h->result);
	h->err = errno;
	return NULL;
}

/* Ask the TEE for six seconds of work. */
static void *long_work_thread(void *arg)
{
	struct hostile *h = arg;
	uint32_t ms = 6000;
	struct objinvoke_arg a[1] = { vm_buf(&ms, sizeof(ms)) };

	h->ret = vm_invoke_raw(h->svc, ITestService_OP_delay,
			       ObjectCounts_pack(1, 0, 0, 0), a, &h->result);
	h->err = errno;
	return NULL;
}

/*
 * A child process starts HOSTILE_THREADS calls of fn at once and reports
 * through its exit status how many were refused with EBUSY.  With park,
 * its callbacks are never answered: the parent kills it when done.
 */
static pid_t start_hostile(void *(*fn)(void *), uint32_t uid, bool park,
			   int ready_fd)
{
	pid_t pid = fork();

	VT_ASSERT_OK(pid);
	if (pid == 0) {
		struct hostile h[HOSTILE_THREADS];
		pthread_t t[HOSTILE_THREADS];
		int srv = park ? server_new() : -1, busy = 0, bad = 0, i;
		int svc = vm_service_fd_raw(uid);
		int target = park ? server_add(srv, 1, NULL) : -1;

		for (i = 0; i < HOSTILE_THREADS; i++) {
			h[i] = (struct hostile){ .svc = svc, .target = target };
			pthread_create(&t[i], NULL, fn, &h[i]);
		}
		vt_msleep(1000);	/* every call is in or refused */
		if (write(ready_fd, "r", 1) != 1)
			_exit(100);
		for (i = 0; i < HOSTILE_THREADS; i++) {
			pthread_join(t[i], NULL);
			if (h[i].ret && h[i].err == EBUSY)
				busy++;
			else if (h[i].ret || h[i].result != Object_OK)
				bad++;
		}
		_exit(bad ? 99 : busy);
	}
	return pid;
}

/*
 * The parent's invocation goes through while the hostile child holds on,
 * at once: not after the hostile calls' six seconds.
 */
static void victim_is_served(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	others_keep_working();
	clock_gettime(CLOCK_MONOTONIC, &b);
	VT_ASSERT_LT((b.tv_sec - a.tv_sec) * 1000 +
		     (b.tv_nsec - a.tv_nsec) / 1000000, 3000);
}

static void wait_ready(int fd)
{
	char c;

	VT_ASSERT_EQ(read(fd, &c, 1), 1);
}

static void parked_callbacks_cannot_starve_others(void)
{
	int p[2], status;
	pid_t pid;

	VT_ASSERT_OK(pipe(p));
	pid = start_hostile(park_callback_thread, ICallbackService_UID, true,
			    p[1]);
	wait_ready(p[0]);
	/* It holds its share of the TEE's threads, not all of them. */
	victim_is_served();
	VT_ASSERT_OK(kill(pid, SIGKILL));
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	VT_ASSERT(WIFSIGNALED(status));
	close(p[0]);
	close(p[1]);
	victim_is_served();
}

static void long_work_cannot_starve_others(void)
{
	int p[2], status;
	pid_t pid;

	VT_ASSERT_OK(pipe(p));
	pid = start_hostile(long_work_thread, ITestService_UID, false, p[1]);
	wait_ready(p[0]);
	victim_is_served();
	/* Its calls beyond its share waited their turn: all of them done. */
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	VT_ASSERT(WIFEXITED(status));
	VT_ASSERT_EQ(WEXITSTATUS(status), 0);
	close(p[0]);
	close(p[1]);
}

/* ---- signals */

static volatile sig_atomic_t handled;

static void on_alarm(int sig)
{
	(void)sig;
	handled++;
}

static void catch_alarm(bool restart)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	VT_ASSERT_OK(sigaction(SIGALRM, &sa, NULL));
	handled = 0;
}

struct counter_job {
	int counter;
	int ret, err;
	int32_t result;
	pthread_t self;
};

static void *add_one_thread(void *arg)
{
	struct counter_job *j = arg;
	uint32_t one = 1;
	struct objinvoke_arg a[1] = { vm_buf(&one, sizeof(one)) };

	j->ret = vm_invoke_raw(j->counter, ITestCounter_OP_add,
			       ObjectCounts_pack(1, 0, 0, 0), a, &j->result);
	j->err = errno;
	return NULL;
}

static uint32_t counter_value(int counter)
{
	uint32_t v = 0;
	struct objinvoke_arg a[1] = { vm_buf(&v, sizeof(v)) };
	int32_t result;

	VT_ASSERT_OK(vm_invoke_raw(counter, ITestCounter_OP_get,
				   ObjectCounts_pack(0, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	return v;
}

static int new_counter(int svc, uint32_t value)
{
	struct objinvoke_arg a[2] = { vm_buf(&value, sizeof(value)),
				      vm_obj(-1) };
	int32_t result;

	VT_ASSERT_OK(vm_invoke_raw(svc, ITestService_OP_newCounter,
				   ObjectCounts_pack(1, 0, 0, 1), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	return (int)a[1].fd;
}

/*
 * Add one to a TEE counter while the emulator is stopped (the call waits,
 * untaken), signal the invoking thread, then let the emulator go on.
 */
static void signal_before_the_tee_takes_it(bool restart)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct counter_job j = { .counter = new_counter(svc, 40) };
	pthread_t t;
	int emu = vt_emu_pid();

	if (emu < 0)
		vt_skip("no emulator to stop");
	catch_alarm(restart);
	VT_ASSERT_OK(kill(emu, SIGSTOP));
	VT_ASSERT_EQ(pthread_create(&t, NULL, add_one_thread, &j), 0);
	vt_msleep(300);
	VT_ASSERT_EQ(pthread_kill(t, SIGALRM), 0);
	vt_msleep(300);
	VT_ASSERT_OK(kill(emu, SIGCONT));
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
	VT_ASSERT_EQ(handled, 1);	/* the handler ran while it waited */
	if (restart) {
		/* Restarted transparently: done once, in the TEE. */
		VT_ASSERT_EQ(j.ret, 0);
		VT_ASSERT_EQ(j.result, Object_OK);
		VT_ASSERT_EQ(counter_value(j.counter), 41);
	} else {
		/* Withdrawn: EINTR, and the TEE never saw it. */
		VT_ASSERT_EQ(j.ret, -1);
		VT_ASSERT_EQ(j.err, EINTR);
		VT_ASSERT_EQ(counter_value(j.counter), 40);
	}
	close(j.counter);
	close(svc);
}

static void tee_call_withdrawn_by_a_signal(void)
{
	signal_before_the_tee_takes_it(false);
}

static void tee_call_restarted_after_a_signal(void)
{
	signal_before_the_tee_takes_it(true);
}

struct delay_job {
	int svc;
	int ret;
	int32_t result;
	struct timespec end;
};

static void *delay_thread(void *arg)
{
	struct delay_job *d = arg;
	uint32_t ms = 1500;
	struct objinvoke_arg a[1] = { vm_buf(&ms, sizeof(ms)) };

	d->ret = vm_invoke_raw(d->svc, ITestService_OP_delay,
			       ObjectCounts_pack(1, 0, 0, 0), a, &d->result);
	clock_gettime(CLOCK_MONOTONIC, &d->end);
	return NULL;
}

static void taken_tee_call_waits_for_its_answer(void)
{
	struct delay_job d = { .svc = vm_service_fd_raw(ITestService_UID) };
	struct timespec start;
	pthread_t t;

	catch_alarm(false);
	clock_gettime(CLOCK_MONOTONIC, &start);
	VT_ASSERT_EQ(pthread_create(&t, NULL, delay_thread, &d), 0);
	vt_msleep(500);	/* the TEE is in its delay */
	VT_ASSERT_EQ(pthread_kill(t, SIGALRM), 0);
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
	/* Not cancelled: the answer came, the handler ran after. */
	VT_ASSERT_EQ(d.ret, 0);
	VT_ASSERT_EQ(d.result, Object_OK);
	VT_ASSERT_EQ(handled, 1);
	VT_ASSERT_GE((d.end.tv_sec - start.tv_sec) * 1000 +
		     (d.end.tv_nsec - start.tv_nsec) / 1000000, 1500);
	close(d.svc);
}

struct host_job {
	int obj;
	int ret, err;
	int32_t result;
};

static void *host_invoke_thread(void *arg)
{
	struct host_job *h = arg;

	h->ret = vm_invoke_raw(h->obj, HOST_ECHO, 0, NULL, &h->result);
	h->err = errno;
	return NULL;
}

static void host_request_withdrawn_by_a_signal(void)
{
	int srv = server_new();
	struct host_job h = { .obj = server_add(srv, 1, NULL) };
	struct inbox in;
	pthread_t t;

	catch_alarm(false);
	VT_ASSERT_EQ(pthread_create(&t, NULL, host_invoke_thread, &h), 0);
	vt_msleep(300);	/* queued; nobody receives */
	VT_ASSERT_EQ(pthread_kill(t, SIGALRM), 0);
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
	VT_ASSERT_EQ(h.ret, -1);
	VT_ASSERT_EQ(h.err, EINTR);
	VT_ASSERT_EQ(handled, 1);
	/* Withdrawn: nothing is left for the host. */
	inbox_arm(&in, OBJINVOKE_RECV_NONBLOCK);
	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in.req), EAGAIN);
	close(h.obj);
	close(srv);
}

static const struct vt_case cases[] = {
	VT_CASE(release_notices_are_bounded),
	VT_CASE(memcg_bounds_what_a_process_pins),
	VT_CASE(queued_request_bytes_are_bounded),
	VT_CASE(parked_request_bytes_are_bounded),
	VT_CASE_TIMEOUT(parked_callbacks_cannot_starve_others, 120),
	VT_CASE_TIMEOUT(long_work_cannot_starve_others, 120),
	VT_CASE(tee_call_withdrawn_by_a_signal),
	VT_CASE(tee_call_restarted_after_a_signal),
	VT_CASE(taken_tee_call_waits_for_its_answer),
	VT_CASE(host_request_withdrawn_by_a_signal),
};
VT_MAIN_SETUP(cases, case_setup)
