// SPDX-License-Identifier: MIT
/*
 * fuzz_ioctl_args.c - test_fuzz_ioctl's helpers: judging what a call
 * returned, the pool of fds a thread plays with, and arguments that are
 * good, a little broken, or nonsense.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fuzz_ioctl.h"

/* ---- judging a call */

/* Stop the worker, and with it the run, with a reason. */
void bust(struct fuzzer *f, const char *fmt, ...)
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
const int *const errs_dev = ERRS(ERRS_STRUCT, ERRS_NEW_FD);
const int *const errs_invoke = ERRS(ERRS_STRUCT, ERRS_NEW_FD, EBADF,
	EPERM, ELOOP, EPROTO, EOPNOTSUPP, ENOBUFS, EINTR, EBUSY);
const int *const errs_server = ERRS(ERRS_STRUCT, ERRS_NEW_FD,
	ENOSPC, ENOENT, EAGAIN, EINTR, ESHUTDOWN);
const int *const errs_reply = ERRS(ERRS_STRUCT, ERRS_NEW_FD, EBADF,
	EMSGSIZE, ENOENT, EINTR, ESHUTDOWN, EPERM, ELOOP, EPROTO, EOPNOTSUPP,
	ENOBUFS, EBUSY);
const int *const errs_emu = ERRS(ERRS_STRUCT, EINTR, ENOSPC, ENOENT,
	EPERM);
/* Another driver's fd, or an fd another thread may have closed. */
const int *const errs_any = ERRS(ERRS_STRUCT, ERRS_NEW_FD, EBADF,
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
void judge(struct fuzzer *f, const char *what, unsigned long cmd,
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
void judge_new_fd(struct fuzzer *f, const char *what, int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags == -1 || !(flags & FD_CLOEXEC))
		bust(f, "%s gave fd %d, %s", what, fd,
		     flags == -1 ? "which is not open" : "without O_CLOEXEC");
}

/* ---- the fd pool */

void pool_put(struct fuzzer *f, int fd, enum fd_kind kind)
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
int pool_pick(struct fuzzer *f, enum fd_kind *kind, bool *sure)
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
int pool_find(struct fuzzer *f, enum fd_kind kind)
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
uint32_t any_fd(struct fuzzer *f)
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
uint64_t any_addr(struct fuzzer *f, uint64_t len)
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

uint64_t any_size(struct fuzzer *f)
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
void mutate(struct fuzzer *f, void *p, size_t n)
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
void flip(struct fuzzer *f, void *p, size_t n)
{
	((unsigned char *)p)[below(f, (uint32_t)n)] ^=
		(unsigned char)(below(f, 255) + 1);
}

/*
 * The ioctl number to use for ref: mostly ref, sometimes with another
 * size (the kernel takes any size as another ABI version), direction or
 * number.
 */
unsigned long any_cmd(struct fuzzer *f, unsigned long ref)
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


void *slot(struct fuzzer *f, enum slot s)
{
	return f->scratch + DATA_SIZE + s * 4096;
}

/* The zeroed struct for cmd.  With a larger size than ours the kernel
 * reads the bytes after it, which must be zero: mostly they are. */
void *ioctl_struct(struct fuzzer *f, unsigned long cmd, size_t ours)
{
	size_t size = _IOC_SIZE(cmd) > ours ? _IOC_SIZE(cmd) : ours;
	unsigned char *p = slot(f, SLOT_STRUCT);

	memset(p, 0, size);
	if (size > ours && chance(f, 30))
		p[ours + below(f, (uint32_t)(size - ours))] = 1;
	return p;
}

/* cmd is ref, whatever struct size it names (any_cmd changes it). */
bool same_ioctl(unsigned long cmd, unsigned long ref)
{
	return _IOC_DIR(cmd) == _IOC_DIR(ref) &&
	       _IOC_TYPE(cmd) == _IOC_TYPE(ref) && _IOC_NR(cmd) == _IOC_NR(ref);
}

/* Call ioctl, telling the watchdog while it runs. */
int fuzz_ioctl(struct fuzzer *f, int fd, unsigned long cmd, void *arg,
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
const int *errs_for(enum fd_kind kind, bool sure, const int *ours)
{
	if (!sure || kind == FD_FOREIGN || kind == FD_DMABUF)
		return errs_any;
	return ours;
}
