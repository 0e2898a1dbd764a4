// SPDX-License-Identifier: MIT
/*
 * bench_ipc: what a process-to-process invocation through objinvoke costs
 * against the kernel's other request/answer paths between two processes.
 * Four round trips, measured interleaved in one run so machine noise hits
 * them alike:
 *
 *   seqpacket     a UNIX SOCK_SEQPACKET ping-pong (socketpair, fork)
 *   binder        a binder transaction to the context manager and its
 *                 reply, on a device of a binderfs this program mounts
 *   objinvoke     OBJINVOKE_IOC_INVOKE of an object hosted by another
 *                 process (raw server ioctls, no libobject)
 *   tee+callback  a TEE invocation (ICallbackService through libobject)
 *                 that calls back one object of this process
 *
 * Each request carries 16 bytes; each answer is a 4-byte status (the
 * objinvoke and TEE answers carry it in the invocation's result).  The
 * servers are forked children that answer as fast as they can; this
 * process is the client of all of them.
 *
 * Prints p50 and p99 of each and the ratios to the SEQPACKET ping-pong.
 * A row that cannot run here says why instead of printing figures.  A
 * figure, not a test: it never fails on a number.
 *
 * Usage: bench_ipc [ROUND_TRIPS]   (default 2000)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/android/binder.h>
#include <linux/android/binderfs.h>
#include <linux/objinvoke.h>

#include "bench_stats.h"
#include "../../examples/help_version.h"
#include "ICallbackService.h"
#include "IClientEnv.h"
#include "MinkCom.h"
#include "object.h"

#define DEFAULT_ROUND_TRIPS	2000
#define WARMUP			20	/* round trips of each, not recorded */
#define REQ_SIZE		16
#define STOP_TIMEOUT_MS		5000	/* for a server to exit once told */

static const char request[REQ_SIZE] = "bench_ipc ping";

/**
 * struct transport - one kind of round trip
 * @name:       its row's name.
 * @setup:      starts the server and connects to it; 0, or -1 with @why set.
 * @round_trip: one request and its answer; 0, or -1 with @why set.
 * @teardown:   stops the server and frees everything; also after a failure
 *              of @setup or @round_trip.
 * @why:        why the row has no figures.
 * @t:          the measured durations, or NULL.
 */
struct transport {
	const char *name;
	int (*setup)(struct transport *tp);
	int (*round_trip)(struct transport *tp);
	void (*teardown)(struct transport *tp);
	char why[160];
	uint64_t *t;
};

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "unknown errno";
}

/* Sets @tp->why from a set-up step and its errno; returns -1. */
static int unavailable(struct transport *tp, const char *step, int err)
{
	snprintf(tp->why, sizeof(tp->why), "not available (%s: %s)", step,
		 errname(err));
	return -1;
}

/* Sets @tp->why from a failed step of a round trip; returns -1. */
static int failed(struct transport *tp, const char *step, int err)
{
	snprintf(tp->why, sizeof(tp->why), "failed (%s: %s)", step,
		 errname(err));
	return -1;
}

/* ------------------------------------------------------------------ */
/* Forked servers                                                      */

/*
 * The client-side fds of this process.  A forked server closes them all
 * first, so each server sees only its own client's close.
 */
static int client_fds[8];
static size_t nclient_fds;

static void client_fd_add(int fd)
{
	if (nclient_fds < sizeof(client_fds) / sizeof(client_fds[0]))
		client_fds[nclient_fds++] = fd;
}

static void client_fd_close(int *fd)
{
	if (*fd < 0)
		return;
	for (size_t i = 0; i < nclient_fds; i++) {
		if (client_fds[i] == *fd) {
			client_fds[i] = client_fds[--nclient_fds];
			break;
		}
	}
	close(*fd);
	*fd = -1;
}

/*
 * Forks a server that runs @serve(@fd, @arg) and exits with its status.
 * Returns its pid, or -1 with errno set.
 */
static pid_t fork_server(int (*serve)(int fd, const void *arg), int fd,
			 const void *arg)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < nclient_fds; i++)
			close(client_fds[i]);
		_exit(serve(fd, arg));
	}
	return pid;
}

/* Waits for a server told to stop; kills it if it does not go. */
static void reap(pid_t *pid, const char *name)
{
	int status;

	if (*pid <= 0)
		return;
	for (int ms = 0; ms < STOP_TIMEOUT_MS; ms += 10) {
		if (waitpid(*pid, &status, WNOHANG) == *pid)
			goto reaped;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	fprintf(stderr, "bench_ipc: %s server did not stop; killing it\n",
		name);
	kill(*pid, SIGKILL);
	waitpid(*pid, &status, 0);
reaped:
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "bench_ipc: %s server ended badly (status 0x%x)\n",
			name, status);
	*pid = 0;
}

/*
 * How a server says it is ready (or why it is not) on its control socket,
 * with an fd for the client when it has one.
 */
struct ready_msg {
	int32_t err;		/* 0, or the errno of @step */
	char step[44];
};

static void send_ready(int ctl, const char *step, int err, int fd)
{
	struct ready_msg m = { .err = err };
	struct iovec iov = { &m, sizeof(m) };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	snprintf(m.step, sizeof(m.step), "%s", step ? step : "");
	if (fd >= 0) {
		memset(&c, 0, sizeof(c));
		msg.msg_control = c.b;
		msg.msg_controllen = sizeof(c.b);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&c.h), &fd, sizeof(int));
	}
	(void)sendmsg(ctl, &msg, MSG_NOSIGNAL);
}

/*
 * Waits for the server's ready message.  Returns 0 (with the fd it sent in
 * *@fd, or -1 when it sent none), or -1 with @tp->why set and
 * *@step_err the server's errno (0 when the message itself failed).
 */
static int recv_ready(int ctl, struct transport *tp, int *fd, int *step_err)
{
	struct ready_msg m;
	struct iovec iov = { &m, sizeof(m) };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.b, .msg_controllen = sizeof(c.b),
	};
	struct cmsghdr *h;
	ssize_t r;

	*fd = -1;
	*step_err = 0;
	do
		r = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	for (h = CMSG_FIRSTHDR(&msg); r >= 0 && h; h = CMSG_NXTHDR(&msg, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
		    h->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(h), sizeof(int));
	if (r < 0)
		return unavailable(tp, "server's ready message", errno);
	if (msg.msg_flags & MSG_CTRUNC || r != sizeof(m)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return unavailable(tp, "server's ready message", EBADMSG);
	}
	if (m.err) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		m.step[sizeof(m.step) - 1] = '\0';
		*step_err = m.err;
		return unavailable(tp, m.step, m.err);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* 1. UNIX SOCK_SEQPACKET ping-pong                                    */

static struct {
	int fd;
	pid_t server;
} sp = { -1, 0 };

static int seqpacket_serve(int fd, const void *arg)
{
	char buf[REQ_SIZE];
	int32_t status = 0;

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r == 0)
			return 0;	/* the client closed its end */
		if (r < 0 && errno == EINTR)
			continue;
		if (r != sizeof(buf) ||
		    send(fd, &status, sizeof(status), MSG_NOSIGNAL) !=
		    sizeof(status))
			return 1;
	}
}

static int seqpacket_setup(struct transport *tp)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return unavailable(tp, "socketpair", errno);
	sp.fd = sv[0];
	client_fd_add(sp.fd);
	sp.server = fork_server(seqpacket_serve, sv[1], NULL);
	close(sv[1]);
	if (sp.server < 0)
		return unavailable(tp, "fork", errno);
	return 0;
}

static int seqpacket_round_trip(struct transport *tp)
{
	int32_t status = -1;

	if (send(sp.fd, request, sizeof(request), MSG_NOSIGNAL) !=
	    sizeof(request))
		return failed(tp, "send", errno);
	if (recv(sp.fd, &status, sizeof(status), 0) != sizeof(status))
		return failed(tp, "recv", errno ? errno : EPIPE);
	if (status)
		return failed(tp, "answer", EBADMSG);
	return 0;
}

static void seqpacket_teardown(struct transport *tp)
{
	client_fd_close(&sp.fd);
	reap(&sp.server, tp->name);
}

/* ------------------------------------------------------------------ */
/* 2. binder                                                           */

#define BINDERFS		"/dev/binderfs"
#define BINDER_MAP_SIZE		(128 * 1024)
#define BINDER_CODE_PING	1
#define BINDER_CODE_STOP	2

static struct {
	int fd;
	void *map;
	pid_t server;
	bool mounted;		/* this program mounted BINDERFS */
	char dev[sizeof(BINDERFS) + BINDERFS_MAX_NAME + 2];
	binder_uintptr_t reply;	/* our last reply's buffer, to free; or 0 */
} bd = { .fd = -1, .map = MAP_FAILED };

/* Commands queued for the driver: each a u32 code and its struct. */
struct bc_buf {
	uint8_t b[256];
	size_t len;
};

/* Queues @cmd; @arg points to exactly the struct its code encodes. */
static void bc_put(struct bc_buf *o, uint32_t cmd, const void *arg)
{
	size_t size = _IOC_SIZE(cmd);

	if (o->len + sizeof(cmd) + size > sizeof(o->b))
		abort();	/* a bug of this program: at most 3 queue */
	memcpy(o->b + o->len, &cmd, sizeof(cmd));
	if (size)
		memcpy(o->b + o->len + sizeof(cmd), arg, size);
	o->len += sizeof(cmd) + size;
}

/* Return commands read from the driver, walked one at a time. */
struct br_iter {
	const uint8_t *p, *end;
};

static bool br_next(struct br_iter *it, uint32_t *cmd, const void **arg)
{
	if ((size_t)(it->end - it->p) < sizeof(*cmd))
		return false;
	memcpy(cmd, it->p, sizeof(*cmd));
	if ((size_t)(it->end - it->p) - sizeof(*cmd) < _IOC_SIZE(*cmd))
		return false;
	*arg = it->p + sizeof(*cmd);
	it->p += sizeof(*cmd) + _IOC_SIZE(*cmd);
	return true;
}

/*
 * One BINDER_WRITE_READ: writes what @out queues (and empties it), then
 * reads into @in (up to @in_size bytes, 0 for none) and sets @it to walk
 * it.  Returns 0 or an errno.
 */
static int binder_talk(int fd, struct bc_buf *out, void *in, size_t in_size,
		       struct br_iter *it)
{
	struct binder_write_read bwr = {
		.write_size = out->len,
		.write_buffer = (binder_uintptr_t)(uintptr_t)out->b,
		.read_size = in_size,
		.read_buffer = (binder_uintptr_t)(uintptr_t)in,
	};
	int r;

	/* After EINTR the same struct resumes where the driver stopped. */
	do
		r = ioctl(fd, BINDER_WRITE_READ, &bwr);
	while (r < 0 && errno == EINTR);
	out->len = 0;
	if (r < 0)
		return errno;
	if (bwr.write_consumed != bwr.write_size)
		return EIO;
	it->p = in;
	it->end = it->p + bwr.read_consumed;
	return 0;
}

/* Opens the device and maps its buffer; 0 or an errno with *@step set. */
static int binder_open(const char *dev, const char **step)
{
	struct binder_version v = { 0 };

	*step = "open binder device";
	bd.fd = open(dev, O_RDWR | O_CLOEXEC);
	if (bd.fd < 0)
		return errno;
	*step = "BINDER_VERSION";
	if (ioctl(bd.fd, BINDER_VERSION, &v))
		return errno;
	if (v.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION)
		return EPROTO;
	/* The driver refuses writable mappings: the buffer is its own. */
	*step = "mmap binder buffer";
	bd.map = mmap(NULL, BINDER_MAP_SIZE, PROT_READ, MAP_PRIVATE, bd.fd, 0);
	if (bd.map == MAP_FAILED)
		return errno;
	return 0;
}

/*
 * The context manager: answers each transaction with a 4-byte status 0
 * (BC_REPLY) and gives its buffer back (BC_FREE_BUFFER); stops after
 * answering BINDER_CODE_STOP.
 */
static int binder_serve(int ctl, const void *arg)
{
	struct bc_buf out = { .len = 0 };
	uint8_t in[256];
	struct br_iter it;
	const char *step;
	int32_t zero = 0, status = 0;
	bool stop = false;
	int err;

	if ((err = binder_open(arg, &step)))
		goto fail;
	step = "BINDER_SET_CONTEXT_MGR";
	if (ioctl(bd.fd, BINDER_SET_CONTEXT_MGR, &zero)) {
		err = errno;
		goto fail;
	}
	/* Only a looper thread takes the process's incoming transactions. */
	bc_put(&out, BC_ENTER_LOOPER, NULL);
	step = "BC_ENTER_LOOPER";
	if ((err = binder_talk(bd.fd, &out, in, 0, &it)))
		goto fail;
	send_ready(ctl, NULL, 0, -1);
	close(ctl);

	while (!stop) {
		uint32_t cmd;
		const void *p;

		if (binder_talk(bd.fd, &out, in, sizeof(in), &it))
			return 1;
		while (br_next(&it, &cmd, &p)) {
			struct binder_transaction_data tr;

			switch (cmd) {
			case BR_NOOP:
			case BR_TRANSACTION_COMPLETE:	/* of our reply */
			case BR_SPAWN_LOOPER:
				break;
			case BR_TRANSACTION:
				memcpy(&tr, p, sizeof(tr));
				stop = tr.code == BINDER_CODE_STOP;
				bc_put(&out, BC_REPLY,
				       &(struct binder_transaction_data){
					.data_size = sizeof(status),
					.data.ptr.buffer =
					    (binder_uintptr_t)(uintptr_t)&status,
				       });
				bc_put(&out, BC_FREE_BUFFER, &tr.data.ptr.buffer);
				break;
			default:
				fprintf(stderr, "bench_ipc: binder server: unexpected return 0x%x\n",
					cmd);
				return 1;
			}
		}
	}
	/*
	 * The last reply and free.  Reading takes the reply's
	 * BR_TRANSACTION_COMPLETE, which is queued already (no wait), so the
	 * driver has no undelivered work when the fd closes.
	 */
	return binder_talk(bd.fd, &out, in, sizeof(in), &it) ? 1 : 0;

fail:
	send_ready(ctl, step, err, -1);
	return 0;	/* the client prints why */
}

/* Mounts binderfs unless it is there, and adds a device for this run. */
static int binderfs_add_device(struct transport *tp)
{
	struct binderfs_device d;
	int ctl;

	if (access(BINDERFS "/binder-control", F_OK)) {
		if (mkdir(BINDERFS, 0755) && errno != EEXIST)
			return unavailable(tp, "mkdir " BINDERFS, errno);
		if (mount("binder", BINDERFS, "binder", 0, NULL))
			return unavailable(tp, "mount binderfs", errno);
		bd.mounted = true;
	}
	ctl = open(BINDERFS "/binder-control", O_RDONLY | O_CLOEXEC);
	if (ctl < 0)
		return unavailable(tp, "open binder-control", errno);
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "bench-ipc-%d", (int)getpid());
	if (ioctl(ctl, BINDER_CTL_ADD, &d)) {
		close(ctl);
		return unavailable(tp, "BINDER_CTL_ADD", errno);
	}
	close(ctl);
	snprintf(bd.dev, sizeof(bd.dev), BINDERFS "/%s", d.name);
	return 0;
}

static int binder_setup(struct transport *tp)
{
	const char *step;
	int ctl[2], fd, err, step_err;

	if (binderfs_add_device(tp))
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl))
		return unavailable(tp, "socketpair", errno);
	client_fd_add(ctl[0]);
	bd.server = fork_server(binder_serve, ctl[1], bd.dev);
	close(ctl[1]);
	if (bd.server < 0) {
		client_fd_close(&ctl[0]);
		return unavailable(tp, "fork", errno);
	}
	/* The server must be the context manager before we send to it. */
	err = recv_ready(ctl[0], tp, &fd, &step_err);
	client_fd_close(&ctl[0]);
	if (err)
		return -1;
	if (fd >= 0)
		close(fd);	/* it sends none */
	if ((err = binder_open(bd.dev, &step)))
		return unavailable(tp, step, err);
	client_fd_add(bd.fd);
	return 0;
}

/*
 * Sends a transaction with the request to handle 0 (freeing the previous
 * reply's buffer in the same write, as libbinder does) and waits for the
 * reply.
 */
static int binder_transact(struct transport *tp, uint32_t code)
{
	struct binder_transaction_data tr = {
		.target.handle = 0,
		.code = code,
		.data_size = sizeof(request),
		.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)request,
	};
	struct bc_buf out = { .len = 0 };
	uint8_t in[256];
	struct br_iter it;
	bool replied = false;
	int32_t status = -1;
	int err;

	if (bd.reply) {
		bc_put(&out, BC_FREE_BUFFER, &bd.reply);
		bd.reply = 0;
	}
	bc_put(&out, BC_TRANSACTION, &tr);
	while (!replied) {
		uint32_t cmd;
		const void *p;

		if ((err = binder_talk(bd.fd, &out, in, sizeof(in), &it)))
			return failed(tp, "BINDER_WRITE_READ", err);
		while (br_next(&it, &cmd, &p)) {
			switch (cmd) {
			case BR_NOOP:
			case BR_TRANSACTION_COMPLETE:	/* of our request */
				break;
			case BR_REPLY:
				memcpy(&tr, p, sizeof(tr));
				bd.reply = tr.data.ptr.buffer;
				if (tr.data_size == sizeof(status) &&
				    !(tr.flags & TF_STATUS_CODE))
					memcpy(&status, (void *)(uintptr_t)
					       tr.data.ptr.buffer,
					       sizeof(status));
				replied = true;
				break;
			default:	/* BR_DEAD_REPLY, BR_FAILED_REPLY, ... */
				snprintf(tp->why, sizeof(tp->why),
					 "failed (binder return 0x%x)", cmd);
				return -1;
			}
		}
	}
	if (status)
		return failed(tp, "reply", EBADMSG);
	return 0;
}

static int binder_round_trip(struct transport *tp)
{
	return binder_transact(tp, BINDER_CODE_PING);
}

static void binder_teardown(struct transport *tp)
{
	if (bd.fd >= 0 && bd.server > 0) {
		struct bc_buf out = { .len = 0 };
		struct br_iter it;
		char why[sizeof(tp->why)];

		/* Keep a failure's reason over the stop's. */
		memcpy(why, tp->why, sizeof(why));
		if (!binder_transact(tp, BINDER_CODE_STOP) && bd.reply)
			bc_put(&out, BC_FREE_BUFFER, &bd.reply);
		(void)binder_talk(bd.fd, &out, NULL, 0, &it);
		memcpy(tp->why, why, sizeof(why));
	}
	if (bd.map != MAP_FAILED)
		munmap(bd.map, BINDER_MAP_SIZE);
	bd.map = MAP_FAILED;
	client_fd_close(&bd.fd);
	reap(&bd.server, tp->name);
	if (bd.dev[0])
		unlink(bd.dev);
	if (bd.mounted)
		umount(BINDERFS);
}

/* ------------------------------------------------------------------ */
/* 3. objinvoke: an object hosted by another process                   */

#define OI_MAX_ARGS	60	/* enough for any request */

static struct {
	int obj;		/* the server's object fd */
	pid_t server;
} oi = { -1, 0 };

/* Fails the server's set-up: says why on @ctl for the client to print. */
static int oi_serve_fail(int ctl, const char *step, int err)
{
	send_ready(ctl, step, err, -1);
	return 0;
}

/*
 * The host: one object, each request answered with result 0.  The
 * client's close of the object fd ends it (its release request).
 */
static int oi_serve(int ctl, const void *arg)
{
	struct objinvoke_get_object srv = { 0 };
	struct objinvoke_server_add add = { .cookie = 1 };
	struct objinvoke_arg args[OI_MAX_ARGS];
	uint64_t buf[256];
	int dev;

	dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return oi_serve_fail(ctl, "open " OBJINVOKE_DEVICE, errno);
	if (ioctl(dev, OBJINVOKE_IOC_SERVER_NEW, &srv))
		return oi_serve_fail(ctl, "SERVER_NEW", errno);
	close(dev);
	if (ioctl((int)srv.fd, OBJINVOKE_IOC_SERVER_ADD, &add))
		return oi_serve_fail(ctl, "SERVER_ADD", errno);
	send_ready(ctl, NULL, 0, (int)add.fd);
	close((int)add.fd);
	close(ctl);

	for (;;) {
		struct objinvoke_request rq = {
			.args = (uintptr_t)args,
			.args_cap = OI_MAX_ARGS,
			.buf = (uintptr_t)buf,
			.buf_size = sizeof(buf),
		};
		struct objinvoke_reply rp = { .args = (uintptr_t)args };
		uint32_t i, io;

		if (ioctl((int)srv.fd, OBJINVOKE_IOC_SERVER_RECV, &rq)) {
			if (errno == EINTR)
				continue;
			perror("bench_ipc: objinvoke server: SERVER_RECV");
			return 1;
		}
		if (rq.kind == OBJINVOKE_REQUEST_RELEASE)
			return 0;
		/* Input objects arrive as fds: none are expected; close any. */
		io = ObjectCounts_indexOI(rq.counts);
		for (i = io; i < io + ObjectCounts_numOI(rq.counts); i++)
			if (args[i].fd != OBJINVOKE_FD_NONE)
				close((int)args[i].fd);
		rp.id = rq.id;
		rp.result = 0;
		if (ioctl((int)srv.fd, OBJINVOKE_IOC_SERVER_REPLY, &rp)) {
			perror("bench_ipc: objinvoke server: SERVER_REPLY");
			return 1;
		}
	}
}

static int oi_setup(struct transport *tp)
{
	int ctl[2], err, step_err;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl))
		return unavailable(tp, "socketpair", errno);
	client_fd_add(ctl[0]);
	oi.server = fork_server(oi_serve, ctl[1], NULL);
	close(ctl[1]);
	if (oi.server < 0) {
		client_fd_close(&ctl[0]);
		return unavailable(tp, "fork", errno);
	}
	err = recv_ready(ctl[0], tp, &oi.obj, &step_err);
	client_fd_close(&ctl[0]);
	if (step_err == ENOTTY)	/* a module without servers */
		snprintf(tp->why, sizeof(tp->why),
			 "objinvoke servers: not available (ENOTTY)");
	if (err)
		return -1;
	if (oi.obj < 0)
		return unavailable(tp, "server's object fd", EBADMSG);
	client_fd_add(oi.obj);
	return 0;
}

static int oi_round_trip(struct transport *tp)
{
	struct objinvoke_arg a = {
		.addr = (uintptr_t)request,
		.size = sizeof(request),
		.fd = OBJINVOKE_FD_NONE,
	};
	struct objinvoke_invoke inv = {
		.op = 0,
		.counts = ObjectCounts_pack(1, 0, 0, 0),
		.args = (uintptr_t)&a,
	};

	if (ioctl(oi.obj, OBJINVOKE_IOC_INVOKE, &inv))
		return failed(tp, "INVOKE", errno);
	if (inv.result) {
		snprintf(tp->why, sizeof(tp->why), "failed (result %d)",
			 (int32_t)inv.result);
		return -1;
	}
	return 0;
}

static void oi_teardown(struct transport *tp)
{
	client_fd_close(&oi.obj);	/* the server's release request */
	reap(&oi.server, tp->name);
}

/* ------------------------------------------------------------------ */
/* 4. a TEE invocation with one callback                               */

static struct {
	Object root, env, svc;
	unsigned long calls;	/* invocations of the local object */
} tc;

/* The local object the TEE calls back: counts the calls, answers 0. */
static int32_t local_invoke(ObjectCxt cxt, ObjectOp op, ObjectArg *args,
			    ObjectCounts k)
{
	if (ObjectOp_methodID(op) != Object_OP_retain &&
	    ObjectOp_methodID(op) != Object_OP_release)
		tc.calls++;
	return Object_OK;
}

static const Object local = { local_invoke, NULL };

/* @what: "not available" or "failed"; @r: an Object result. */
static int tee_failed(struct transport *tp, const char *what,
		      const char *step, int32_t r)
{
	snprintf(tp->why, sizeof(tp->why), "%s (%s: %d%s)", what, step, r,
		 r == Object_ERROR_BADOBJ ?
		 ", BADOBJ: libobject without local-object support?" : "");
	return -1;
}

static int tee_round_trip(struct transport *tp)
{
	unsigned long before = tc.calls;
	int32_t r = ICallbackService_call(tc.svc, local, 0);

	if (r)
		return tee_failed(tp, "failed", "ICallbackService_call", r);
	if (tc.calls != before + 1) {
		snprintf(tp->why, sizeof(tp->why),
			 "failed (%lu callbacks instead of 1)",
			 tc.calls - before);
		return -1;
	}
	return 0;
}

static int tee_setup(struct transport *tp)
{
	int32_t r;

	if ((r = MinkCom_getRootEnvObject(&tc.root)) ||
	    (r = MinkCom_getClientEnvObject(tc.root, &tc.env)))
		return tee_failed(tp, "not available", "client environment", r);
	if ((r = IClientEnv_open(tc.env, ICallbackService_UID, &tc.svc)))
		return tee_failed(tp, "not available", "open ICallbackService",
				  r);
	/* Can it call us back at all? */
	if ((r = ICallbackService_call(tc.svc, local, 0)))
		return tee_failed(tp, "not available", "ICallbackService_call",
				  r);
	return 0;
}

static void tee_teardown(struct transport *tp)
{
	Object_ASSIGN_NULL(tc.svc);
	Object_ASSIGN_NULL(tc.env);
	Object_ASSIGN_NULL(tc.root);
}

/* ------------------------------------------------------------------ */

enum { SEQPACKET, BINDER, OBJINVOKE, TEE_CALLBACK, KINDS };

static struct transport transports[KINDS] = {
	[SEQPACKET] = { "seqpacket", seqpacket_setup, seqpacket_round_trip,
			seqpacket_teardown },
	[BINDER] = { "binder", binder_setup, binder_round_trip,
		     binder_teardown },
	[OBJINVOKE] = { "objinvoke", oi_setup, oi_round_trip, oi_teardown },
	/* Last: its libobject fds are opened after every fork. */
	[TEE_CALLBACK] = { "tee+callback", tee_setup, tee_round_trip,
			   tee_teardown },
};

/* Stops measuring @tp: its row prints @tp->why. */
static void drop(struct transport *tp)
{
	free(tp->t);
	tp->t = NULL;
	tp->teardown(tp);
}

static const char help[] =
	"usage: bench_ipc [ROUND_TRIPS]   (default 2000, at least 10)\n"
	"\n"
	"A request and its answer between two processes by four paths,\n"
	"interleaved: a UNIX SOCK_SEQPACKET ping-pong, a binder transaction (on a\n"
	"binderfs it mounts: needs root and a kernel with binderfs), an\n"
	"invocation of an object another process hosts, and a TEE invocation that\n"
	"calls back an object of this process.  Prints p50 and p99 of each and\n"
	"their ratios to SEQPACKET; a row that cannot run here says why.  Figures,\n"
	"not a test.\n"
	"\n"
	HELP_NEEDS_TEE
	"Run it inside the test VM with\n"
	"tests/vm/run-vm.sh exec 'bench_ipc' (docs/testing.md).\n";

int main(int argc, char **argv)
{
	size_t n = DEFAULT_ROUND_TRIPS;
	struct bench_row rows[KINDS];
	char *end;

	answer_help_and_version(argc, argv, "bench_ipc", help, 1);

	if (argc > 2 || (argc == 2 && ((n = strtoul(argv[1], &end, 0)) == 0 ||
				       *end))) {
		fprintf(stderr, "bench_ipc: ROUND_TRIPS is a positive number (see bench_ipc --help)\n");
		return 2;
	}
	if (n < 10)
		n = 10;

	for (int k = 0; k < KINDS; k++) {
		struct transport *tp = &transports[k];

		tp->t = calloc(n, sizeof(*tp->t));
		if (!tp->t) {
			perror("bench_ipc: calloc");
			return 1;
		}
		if (tp->setup(tp))
			drop(tp);
	}

	for (size_t i = 0; i < WARMUP + n; i++) {
		for (int k = 0; k < KINDS; k++) {
			struct transport *tp = &transports[k];
			uint64_t t0;

			if (!tp->t)
				continue;
			t0 = bench_now_ns();
			if (tp->round_trip(tp)) {
				size_t len = strlen(tp->why);

				snprintf(tp->why + len, sizeof(tp->why) - len,
					 " at round trip %zu", i);
				drop(tp);
				continue;
			}
			if (i >= WARMUP)
				tp->t[i - WARMUP] = bench_now_ns() - t0;
		}
	}

	printf("bench_ipc: %zu round trips each, interleaved (after %d unrecorded); %d-byte request, 4-byte answer\n",
	       n, WARMUP, REQ_SIZE);
	for (int k = 0; k < KINDS; k++)
		rows[k] = (struct bench_row){
			.name = transports[k].name,
			.t = transports[k].t,
			.why = transports[k].why,
		};
	bench_report(rows, KINDS, n, SEQPACKET);

	for (int k = 0; k < KINDS; k++)
		if (transports[k].t)
			drop(&transports[k]);
	return 0;
}
