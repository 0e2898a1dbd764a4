// SPDX-License-Identifier: MIT
/*
 * The fake kernel of the libobject target (lib_kernel.h): the wrapped
 * syscalls, answered from the program.
 */
#include "lib_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "fuzz_check.h"
#include "lib_prog.h"
#include "libobject_private.h"

struct lk lk;

/* What a failing syscall may say; the library maps each. */
static const int errnos[] = {
	ENOMEM, ENODEV, ESHUTDOWN, EBADF, EPROTO, EPERM, EMFILE, EAGAIN,
	EINTR, ELOOP, EMSGSIZE, ETIMEDOUT, ENOENT, EINVAL, ENOSPC, EFAULT,
};

static int pick_errno(void)
{
	return errnos[fz_u8(lk.prog) % (sizeof(errnos) / sizeof(errnos[0]))];
}

/* ---- fds ---- */

uint32_t lk_install(enum lk_fd_kind kind)
{
	struct fz_ident *e;
	uint32_t fd;
	int mfd;

	if (kind == LK_FD_MEMFD) {
		/* A real fd: the library lseeks, fcntls and mmaps it. */
		mfd = memfd_create("fuzz-memory", MFD_CLOEXEC);
		FZ_CHECK(mfd >= 0 && ftruncate(mfd, 4096) == 0);
		fd = (uint32_t)mfd;
	} else {
		fd = lk.next_fd++;
	}
	e = fz_idmap_get(&lk.fds, fd);
	FZ_CHECK(!e->a);
	e->a = 1;
	e->b = kind;
	return fd;
}

bool lk_fd_is(uint32_t fd, enum lk_fd_kind kind)
{
	const struct fz_ident *e = fz_idmap_find(&lk.fds, fd);

	return e && e->a && e->b == kind;
}

int __real_close(int fd);
int __wrap_close(int fd);
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

int __wrap_close(int fd)
{
	struct fz_ident *e = fd < 0 ? NULL : fz_idmap_find(&lk.fds, (uint32_t)fd);

	if (e && e->a) {
		e->a = 0;
		return e->b == LK_FD_MEMFD ? __real_close(fd) : 0;
	}
	/* Ours, but not open: closed twice, or a value no kernel gave. */
	FZ_CHECK(!e && fd < LK_DEV_FD);
	return __real_close(fd);
}

/* Only server creation opens the device; the rest passes through. */
static int lk_open(const char *path, int flags, va_list ap)
{
	mode_t mode = flags & O_CREAT ? va_arg(ap, mode_t) : 0;
	struct fz_ident *e;

	if (strcmp(path, OBJINVOKE_DEVICE))
		return __real_open(path, flags, mode);
	FZ_CHECK(flags == (O_RDWR | O_CLOEXEC));
	e = fz_idmap_get(&lk.fds, LK_DEV_FD);
	FZ_CHECK(!e->a);
	e->a = 1;
	e->b = LK_FD_OBJECT;
	return LK_DEV_FD;
}

int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = lk_open(path, flags, ap);
	va_end(ap);
	return ret;
}

/* With _FILE_OFFSET_BITS=64 the library calls open64: the same thing. */
int __wrap_open64(const char *path, int flags, ...)
	__attribute__((alias("__wrap_open")));

/* An fd as the program says, and its flags; installed only on delivery. */
struct lk_fdspec {
	uint8_t kind;
	uint32_t raw;
	uint32_t flags;
};

static struct lk_fdspec read_fdspec(void)
{
	struct lk_fdspec s = { .kind = fz_u8(lk.prog) % LP_NFD };

	if (s.kind == LP_FD_RAW)
		s.raw = fz_u32(lk.prog) | 1U << 31;
	s.flags = fz_u8(lk.prog);
	return s;
}

static uint32_t install_spec(const struct lk_fdspec *s)
{
	switch (s->kind) {
	case LP_FD_OBJECT:
		return lk_install(LK_FD_OBJECT);
	case LP_FD_MEMFD:
		return lk_install(LK_FD_MEMFD);
	case LP_FD_RAW:
		return s->raw;
	}
	return OBJINVOKE_FD_NONE;
}

/* ---- requests ---- */

/* What the program says of a request, before it is delivered. */
struct lk_reqdesc {
	uint64_t id, cookie;
	uint32_t kind, op, counts, flags, handle;
	int local;			/* the target's local object, or -1 */
	uint32_t bi_len[LK_MAX_KIND];
	uint8_t bi_where[LK_MAX_KIND];
	uint64_t bo_size[LK_MAX_KIND];
	struct lk_fdspec io[LK_MAX_KIND];
	uint64_t need;			/* buffer bytes it takes */
};

static struct lk_reqdesc queued;	/* one RECV could not take (ENOSPC) */
static bool have_queued;
static uint64_t next_id;

static uint64_t align8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

/* Registered (known[s]), a known cookie with a wrong handle, or neither. */
static void read_target(struct lk_reqdesc *d)
{
	unsigned int n = lk.n_known, s = fz_u8(lk.prog) % (n + 2);

	d->local = -1;
	if (s < n) {
		d->cookie = lk.known[s].cookie;
		d->handle = lk.known[s].handle;
		if (!lk.known[s].released)
			d->local = lk.known[s].local;
	} else if (s == n && n) {
		d->cookie = lk.known[0].cookie;
		d->handle = lk.known[0].handle + 1;
	} else {
		/* Cookies count from 1: this one was never given. */
		d->cookie = 0xc0ffee00000000ULL + s;
		d->handle = 7;
	}
}

static void read_request(struct lk_reqdesc *d)
{
	unsigned int i;
	ObjectCounts k;

	memset(d, 0, sizeof(*d));
	d->kind = fz_u8(lk.prog);
	read_target(d);
	d->op = fz_u32(lk.prog);
	d->counts = fz_u16(lk.prog);
	d->flags = fz_u8(lk.prog);
	if (d->flags & LP_REQ_UPPER)
		d->counts |= 1U << 16;
	k = d->counts & 0xFFFF;
	for (i = 0; i < ObjectCounts_numBI(k); i++) {
		d->bi_len[i] = fz_u16(lk.prog);
		d->bi_where[i] = fz_u8(lk.prog) % LP_NWHERE;
		if (d->bi_where[i] == LP_WHERE_BUF)
			d->need += align8(d->bi_len[i]);
	}
	for (i = 0; i < ObjectCounts_numBO(k); i++)
		d->bo_size[i] = fz_u16(lk.prog);
	if (d->flags & LP_REQ_HUGE && ObjectCounts_numBO(k))
		d->bo_size[0] = 5U << 20;
	for (i = 0; i < ObjectCounts_numOI(k); i++)
		d->io[i] = read_fdspec();
	if (d->kind == OBJINVOKE_REQUEST_INVOKE ||
	    (d->kind != OBJINVOKE_REQUEST_RELEASE && d->flags & LP_REQ_ID))
		d->id = ++next_id;
}

/* The byte at offset @i of a buffer the program fills. */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + 1);
}

/* A request the library must refuse without calling anything. */
static bool malformed(const struct lk_reqdesc *d)
{
	ObjectCounts k = d->counts & 0xFFFF;
	uint64_t out = 0;
	unsigned int i;

	if (d->counts >> 16 || ObjectOp_isLocal(d->op) || d->local < 0 ||
	    d->flags & LP_REQ_OVER)
		return true;
	for (i = 0; i < ObjectCounts_numBI(k); i++)
		if (d->bi_len[i] && d->bi_where[i] != LP_WHERE_BUF)
			return true;
	for (i = 0; i < ObjectCounts_numBO(k); i++)
		out += d->bo_size[i];
	if (out > OBJINVOKE_MAX_BUF_BYTES)
		return true;
	for (i = 0; i < ObjectCounts_numOI(k); i++) {
		const struct lk_fdspec *s = &d->io[i];

		if (s->flags & ~OBJINVOKE_ARG_MEMORY ||
		    (s->kind == LP_FD_RAW && s->raw != OBJINVOKE_FD_NONE) ||
		    (s->flags & OBJINVOKE_ARG_MEMORY && s->kind == LP_FD_OBJECT))
			return true;
	}
	return false;
}

static void fill_bufs(struct objinvoke_request *req, struct lk_req *r,
		      const struct lk_reqdesc *d, uint64_t cap)
{
	struct objinvoke_arg *args = (void *)(uintptr_t)req->args;
	uint8_t *buf = (void *)(uintptr_t)req->buf;
	ObjectCounts k = d->counts & 0xFFFF;
	size_t i, bo = ObjectCounts_indexBO(k);
	uint64_t at = 0, j;

	for (i = 0; i < ObjectCounts_numBI(k); i++) {
		args[i] = (struct objinvoke_arg){ .size = d->bi_len[i],
						  .fd = OBJINVOKE_FD_NONE };
		if (d->bi_where[i] == LP_WHERE_PAST)
			args[i].addr = req->buf + cap + 8;
		if (d->bi_where[i] != LP_WHERE_BUF)
			continue;
		for (j = 0; j < d->bi_len[i]; j++)
			buf[at + j] = pattern(at + j);
		args[i].addr = req->buf + at;
		r->bi_off[i] = at;
		r->bi_len[i] = d->bi_len[i];
		at += align8(d->bi_len[i]);
	}
	for (i = 0; i < ObjectCounts_numBO(k); i++) {
		args[bo + i] = (struct objinvoke_arg){ .size = d->bo_size[i],
						       .fd = OBJINVOKE_FD_NONE };
		r->bo_cap[i] = d->bo_size[i];
	}
	r->used = at;
}

static void fill_objs(struct objinvoke_request *req, struct lk_req *r,
		      const struct lk_reqdesc *d)
{
	struct objinvoke_arg *args = (void *)(uintptr_t)req->args;
	ObjectCounts k = d->counts & 0xFFFF;
	size_t i, oi = ObjectCounts_indexOI(k), oo = ObjectCounts_indexOO(k);

	for (i = 0; i < ObjectCounts_numOI(k); i++) {
		/* As the kernel: only an invocation brings objects. */
		r->io_fd[i] = d->kind == OBJINVOKE_REQUEST_INVOKE ?
			      install_spec(&d->io[i]) : OBJINVOKE_FD_NONE;
		args[oi + i] = (struct objinvoke_arg){ .fd = r->io_fd[i],
						       .flags = d->io[i].flags };
	}
	for (i = 0; i < ObjectCounts_numOO(k); i++)
		args[oo + i] = (struct objinvoke_arg){ .fd = OBJINVOKE_FD_NONE };
}

/* A release request for a registered object ends its registration.
 * real: test_server.c:release_request_exactly_once */
static void note_release(const struct lk_reqdesc *d)
{
	unsigned int i;

	for (i = 0; i < lk.n_known; i++)
		if (lk.known[i].cookie == d->cookie &&
		    lk.known[i].handle == d->handle)
			lk.known[i].released = true;
}

/* The request's out fields; the library's in fields stay as they were. */
static void write_head(struct objinvoke_request *req,
		       const struct lk_reqdesc *d, uint64_t used)
{
	struct objinvoke_request in = *req;

	*req = (struct objinvoke_request){
		.id = d->id, .cookie = d->cookie, .handle = d->handle,
		.kind = d->kind, .op = d->op, .counts = d->counts,
		.flags = in.flags, .args_cap = in.args_cap, .args = in.args,
		.buf = in.buf, .buf_size = used,
	};
}

/*
 * Write request @d into the library's buffer, as SERVER_RECV (or an
 * INVOKE for @inv, the invoking thread) does.  -1 with ENOSPC (the size
 * needed in buf_size) when it does not fit.
 */
static int deliver(struct objinvoke_request *req, const struct lk_reqdesc *d,
		   struct objinvoke_invoke *inv)
{
	ObjectCounts k = d->counts & 0xFFFF;
	uint64_t cap = req->buf_size;
	struct lk_req *r;

	FZ_CHECK(req->reserved == 0 && req->args);
	FZ_CHECK(req->args_cap >= ObjectCounts_total(k));
	FZ_CHECK(req->flags == (inv ? 0 : OBJINVOKE_RECV_NONBLOCK));
	if (d->need > cap) {
		req->buf_size = d->need;
		errno = ENOSPC;
		return -1;
	}
	if (lk.n_req == LK_MAX_REQS) {
		errno = EAGAIN;	/* enough for one input */
		return -1;
	}
	r = &lk.req[lk.n_req++];
	*r = (struct lk_req){ .id = d->id, .kind = d->kind, .op = d->op,
			      .counts = d->counts, .inv = inv, .local = -1,
			      .buf = (const uint8_t *)(uintptr_t)req->buf };
	r->refused = d->kind != OBJINVOKE_REQUEST_INVOKE || malformed(d);
	if (!r->refused)
		r->local = d->local;
	fill_bufs(req, r, d, cap);
	fill_objs(req, r, d);
	write_head(req, d, d->flags & LP_REQ_OVER ? cap + 8 : r->used);
	if (d->kind == OBJINVOKE_REQUEST_RELEASE)
		note_release(d);
	lk.last = r;
	return 0;
}

/* ---- INVOKE ---- */

/* What the library passed for an input object. */
static void check_in_object(Object o, uint32_t fd)
{
	int own = objinvoke_object_fd(o);

	if (Object_isNull(o))
		FZ_CHECK(fd == OBJINVOKE_FD_NONE);
	else if (own >= 0)
		FZ_CHECK(fd == (uint32_t)own);
	else
		FZ_CHECK(lk_fd_is(fd, LK_FD_EXPORT));	/* a local one */
}

/* The invoke struct says exactly what the caller asked. */
static void check_marshaled(const struct lk_call *c,
			    const struct objinvoke_invoke *inv)
{
	const struct objinvoke_arg *ka = (const void *)(uintptr_t)inv->args;
	size_t i, n = ObjectCounts_total(c->k), oi = ObjectCounts_indexOI(c->k);
	size_t oo = ObjectCounts_indexOO(c->k);

	FZ_CHECK(inv->op == (c->op & ~ObjectOp_REMOTE_BUFS));
	FZ_CHECK(inv->counts == c->k && inv->result == 0 && inv->state == 0);
	FZ_CHECK(inv->reserved == 0 && inv->flags == OBJINVOKE_INVOKE_SERVE);
	FZ_CHECK(inv->server_fd == LK_SERVER_FD && inv->request);
	FZ_CHECK(!n || ka);
	for (i = 0; i < n; i++) {
		FZ_CHECK(ka[i].flags == 0);
		if (i < oi) {
			FZ_CHECK(ka[i].addr == (uintptr_t)c->args[i].bi.ptr);
			FZ_CHECK(ka[i].size == c->args[i].bi.size);
			FZ_CHECK(ka[i].fd == OBJINVOKE_FD_NONE);
			continue;
		}
		FZ_CHECK(ka[i].addr == 0 && ka[i].size == 0);
		if (i < oo)
			check_in_object(c->args[i].o, ka[i].fd);
		else
			FZ_CHECK(ka[i].fd == OBJINVOKE_FD_NONE);
	}
}

static void open_push(struct objinvoke_invoke *inv)
{
	if (lk.n_open && lk.open[lk.n_open - 1] == inv)
		return;
	FZ_CHECK(lk.n_open <= OBJINVOKE_MAX_DEPTH);
	lk.open[lk.n_open++] = inv;
}

/* The invocation is over; if it waited on a request, it waits no more. */
static void open_pop(struct objinvoke_invoke *inv)
{
	if (lk.n_open && lk.open[lk.n_open - 1] == inv)
		lk.n_open--;
}

void lk_call_done(struct lk_call *c)
{
	if (c->inv)
		open_pop(c->inv);
}

/* DONE: the result, and the outputs as the kernel writes them. */
static void answer_done(struct lk_call *c)
{
	struct objinvoke_arg *ka = (void *)(uintptr_t)c->inv->args;
	size_t i, bo = ObjectCounts_indexBO(c->k), oo = ObjectCounts_indexOO(c->k);
	struct lk_fdspec s;

	c->result = (int32_t)fz_u32(lk.prog);
	c->done = true;
	c->inv->state = OBJINVOKE_STATE_DONE;
	c->inv->result = (uint32_t)c->result;
	/* Sizes even on an error, which the library must then ignore. */
	for (i = 0; i < ObjectCounts_numBO(c->k); i++)
		ka[bo + i].size = c->bo_size[i] = fz_u32(lk.prog);
	if (c->result != Object_OK)
		return;
	for (i = 0; i < ObjectCounts_numOO(c->k); i++) {
		s = read_fdspec();
		ka[oo + i].fd = c->oo_fd[i] = install_spec(&s);
		ka[oo + i].flags = c->oo_flags[i] = s.flags;
	}
}

/* The next answer to invocation @c: done, a request, an error. */
static int answer_invoke(struct lk_call *c)
{
	struct objinvoke_invoke *inv = c->inv;
	struct lk_reqdesc d;

	c->done = false;
	switch (fz_u8(lk.prog) % LP_NINVOKE) {
	case LP_REQUEST:
		read_request(&d);
		/* A thread's own request always fits its buffer. */
		if (deliver((void *)(uintptr_t)inv->request, &d, inv) == 0) {
			inv->state = OBJINVOKE_STATE_REQUEST;
			open_push(inv);
			return 0;
		}
		FZ_CHECK(errno == EAGAIN);
		break;
	case LP_ERRNO:
		open_pop(inv);
		errno = pick_errno();
		return -1;
	case LP_STATE:
		open_pop(inv);
		/* Neither DONE nor REQUEST. */
		inv->state = fz_u32(lk.prog) | 2;
		return 0;
	}
	open_pop(inv);
	answer_done(c);
	return 0;
}

static int k_invoke(int fd, struct objinvoke_invoke *inv)
{
	struct lk_call *c = lk.call;

	/* One INVOKE per call the program makes, on the target's fd. */
	FZ_CHECK(c && !c->invoked && lk_fd_is((uint32_t)fd, LK_FD_OBJECT));
	check_marshaled(c, inv);
	c->invoked = true;
	c->inv = inv;
	if (lk.n_open >= OBJINVOKE_MAX_DEPTH) {
		errno = ELOOP;	/* real: test_server.c:nesting_is_bounded */
		return -1;
	}
	return answer_invoke(c);
}

/* ---- SERVER_REPLY ---- */

static struct lk_call *call_of(const struct objinvoke_invoke *inv)
{
	struct lk_call *c;

	for (c = lk.call; c; c = c->outer)
		if (c->inv == inv)
			return c;
	FZ_CHECK(!"a reply carries on an invocation nobody made");
	return NULL;
}

/* The reply says what the local object answered, or why it was not asked. */
static void check_reply(const struct lk_req *r, const struct objinvoke_reply *rep)
{
	const struct objinvoke_arg *ka = (const void *)(uintptr_t)rep->args;
	ObjectCounts k = r->counts & 0xFFFF;
	size_t i, bo = ObjectCounts_indexBO(k), oo = ObjectCounts_indexOO(k);
	int32_t res = (int32_t)rep->result;
	const uint8_t *p;

	FZ_CHECK(rep->flags == 0 && rep->reserved == 0);
	/* Exactly the well-formed requests reach their object. */
	FZ_CHECK(r->called == (r->local >= 0));
	if (!r->called) {
		FZ_CHECK(res != Object_OK);
		return;
	}
	if (r->ans.result != Object_OK) {
		FZ_CHECK(res == r->ans.result);
		return;
	}
	if (r->ans.bo_over) {
		FZ_CHECK(res == Object_ERROR_SIZE_OUT);
		return;
	}
	if (res != Object_OK)
		return;		/* an export the kernel refused */
	FZ_CHECK(!ObjectCounts_total(k) || ka);
	for (i = 0; i < ObjectCounts_numBO(k); i++) {
		FZ_CHECK(ka[bo + i].size == r->ans.bo_size[i]);
		p = (const uint8_t *)(uintptr_t)ka[bo + i].addr;
		for (uint64_t j = 0; j < ka[bo + i].size; j++)
			FZ_CHECK(p[j] == pattern(j));
	}
	for (i = 0; i < ObjectCounts_numOO(k); i++) {
		if (r->ans.oo_fd[i] == LK_OO_EXPORT)
			FZ_CHECK(lk_fd_is(ka[oo + i].fd, LK_FD_EXPORT));
		else
			FZ_CHECK(ka[oo + i].fd == r->ans.oo_fd[i]);
	}
}

static int k_reply(const struct objinvoke_reply *rep)
{
	struct lk_req *r = NULL;
	unsigned int i, how;
	int err = 0, ret;

	for (i = 0; i < lk.n_req; i++)
		if (rep->id && lk.req[i].id == rep->id)
			r = &lk.req[i];
	/* One reply per request that wants one. */
	FZ_CHECK(r && r->replies == 0);
	r->replies++;
	check_reply(r, rep);
	how = fz_u8(lk.prog) % LP_NREPLY;
	if (how != LP_REPLY_OK)
		err = pick_errno();
	if (!r->inv || how == LP_REPLY_ERRNO) {
		/* A request of the invoking thread is then lost to it. */
		if (r->inv)
			open_pop(r->inv);
		errno = err;
		return err ? -1 : 0;
	}
	ret = answer_invoke(call_of(r->inv));
	if (ret == 0 && err) {
		errno = err;
		return -1;
	}
	return ret;
}

/* ---- SERVER_RECV, SERVER_ADD, SERVER_GET ---- */

/* At the end of an input: a release for each registration still live. */
static int settle_recv(struct objinvoke_request *req)
{
	struct lk_reqdesc d = { .kind = OBJINVOKE_REQUEST_RELEASE };
	struct lk_known *n;

	while (lk.n_settled < lk.n_known && lk.known[lk.n_settled].released)
		lk.n_settled++;
	if (lk.n_settled == lk.n_known) {
		errno = EAGAIN;
		return -1;
	}
	n = &lk.known[lk.n_settled];
	n->released = true;
	d.cookie = n->cookie;
	d.handle = n->handle;
	write_head(req, &d, 0);
	lk.last = NULL;
	return 0;
}

static int k_recv(struct objinvoke_request *req)
{
	if (lk.settling)
		return settle_recv(req);
	if (!have_queued) {
		switch (fz_u8(lk.prog) % LP_NRECV) {
		case LP_RECV_NONE:
			/* real: test_server.c:release_request_exactly_once */
			errno = EAGAIN;
			return -1;
		case LP_RECV_ENOSPC:
			/* With no request behind it: a kernel that lies. */
			req->buf_size = fz_u32(lk.prog);
			errno = ENOSPC;
			return -1;
		case LP_RECV_ERRNO:
			errno = pick_errno();
			return -1;
		}
		read_request(&queued);
		have_queued = true;
	}
	if (deliver(req, &queued, NULL)) {
		/* ENOSPC keeps it queued for the retry, as the kernel does. */
		have_queued = errno == ENOSPC;
		return -1;
	}
	have_queued = false;
	return 0;
}

static uint32_t next_handle;

static int k_add(struct objinvoke_server_add *add)
{
	int local = lf_local_being_exported();
	struct lk_known *n;
	unsigned int i;

	FZ_CHECK(local >= 0);
	FZ_CHECK(!add->fd && !add->handle && !add->flags && !add->reserved);
	for (i = 0; i < lk.n_known; i++)
		FZ_CHECK(lk.known[i].cookie != add->cookie); /* never reused */
	switch (fz_u8(lk.prog) % LP_NADD) {
	case LP_ADD_ERRNO:
		errno = pick_errno();
		return -1;
	case LP_ADD_BAD:
		/* A broken kernel: no fd a process can have, or handle 0. */
		if (fz_u8(lk.prog) & 1) {
			add->fd = fz_u32(lk.prog) | 1U << 31;
			add->handle = ++next_handle;
		} else {
			add->fd = lk_install(LK_FD_EXPORT);
		}
		return 0;
	}
	/* A server holds a bounded number of registrations.
	 * real: test_limits.c:release_notices_are_bounded */
	if (lk.n_known == LK_MAX_KNOWN) {
		errno = ENOSPC;
		return -1;
	}
	add->fd = lk_install(LK_FD_EXPORT);
	add->handle = ++next_handle;
	n = &lk.known[lk.n_known++];
	*n = (struct lk_known){ add->cookie, add->handle, local, false };
	return 0;
}

static int k_get(struct objinvoke_server_get *get)
{
	unsigned int i;

	FZ_CHECK(!get->fd && !get->reserved);
	for (i = 0; i < lk.n_known; i++)
		if (lk.known[i].handle == get->handle)
			break;
	/* Only a live registration is asked for another fd. */
	FZ_CHECK(i < lk.n_known && !lk.known[i].released);
	switch (fz_u8(lk.prog) % LP_NGET) {
	case LP_GET_ENOENT:
		/* real: test_server.c:release_request_exactly_once */
		errno = ENOENT;
		return -1;
	case LP_GET_ERRNO:
		errno = pick_errno();
		return -1;
	case LP_GET_BAD:
		get->fd = fz_u32(lk.prog) | 1U << 31;
		return 0;
	}
	get->fd = lk_install(LK_FD_EXPORT);
	return 0;
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < LK_DEV_FD)
		return __real_ioctl(fd, request, arg);
	if (request == OBJINVOKE_IOC_SERVER_NEW) {
		FZ_CHECK(fd == LK_DEV_FD);
		((struct objinvoke_get_object *)arg)->fd = LK_SERVER_FD;
		return 0;
	}
	if (request == OBJINVOKE_IOC_INVOKE)
		return k_invoke(fd, arg);
	/* Everything else is the server's. */
	FZ_CHECK(fd == LK_SERVER_FD);
	switch (request) {
	case OBJINVOKE_IOC_SERVER_ADD:
		return k_add(arg);
	case OBJINVOKE_IOC_SERVER_GET:
		return k_get(arg);
	case OBJINVOKE_IOC_SERVER_RECV:
		return k_recv(arg);
	case OBJINVOKE_IOC_SERVER_REPLY:
		return k_reply(arg);
	}
	FZ_CHECK(!"an ioctl the library has no reason to make");
	return -1;
}

/* ---- an input's book ---- */

void lk_begin(struct fz_in *prog)
{
	fz_idmap_free(&lk.fds);
	memset(&lk, 0, sizeof(lk));
	lk.prog = prog;
	lk.next_fd = LK_FD_BASE;
	have_queued = false;
	next_id = 0;
}

void lk_end(void)
{
	unsigned int i;

	/* Every fd this kernel installed was closed, exactly once. */
	for (i = 0; i < lk.fds.cap; i++)
		FZ_CHECK(!lk.fds.slot[i].used || !lk.fds.slot[i].a);
	/* Every request that wanted an answer got exactly one. */
	for (i = 0; i < lk.n_req; i++)
		FZ_CHECK(lk.req[i].replies == (lk.req[i].id ? 1U : 0U));
	fz_idmap_free(&lk.fds);
}
