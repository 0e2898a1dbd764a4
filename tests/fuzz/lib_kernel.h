/* SPDX-License-Identifier: MIT */
/*
 * The kernel as the libobject target plays it.  The target links
 * libobject's objects with -Wl,--wrap=ioctl,close,open,open64 (as the unit
 * tests do), and every ioctl the library makes on an objinvoke fd is
 * answered here from the program (lib_prog.h): the kernel's answers are
 * the fuzzed bytes.  Only what a kernel may write is written (out fields,
 * arrays within the capacities the library gave), so a crash is the
 * library's.
 *
 * It also keeps the books the target checks:
 * - fds: every fd this "kernel" installs must be closed exactly once,
 *   and nothing else of its range ever closed;
 * - the library's calls: what it sent matches the caller's arguments,
 *   and what the kernel answered is what the caller gets (lk_call);
 * - requests: each one that wants an answer gets exactly one
 *   SERVER_REPLY, the reply reflects what the local object did, and a
 *   malformed request never reaches a local object (lk_req).
 */
#ifndef LIB_KERNEL_H
#define LIB_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/objinvoke.h>

#include "fuzz_bytes.h"
#include "fuzz_idmap.h"
#include "object.h"

#define LK_MAX_KIND	OBJINVOKE_MAX_ARGS_PER_KIND
#define LK_MAX_ARGS	(4 * LK_MAX_KIND)
#define LK_MAX_REQS	64U
#define LK_MAX_KNOWN	64U

/* Fds of the fake kernel: far above any real one. */
#define LK_FD_BASE	0x10000000
#define LK_DEV_FD	(LK_FD_BASE - 2)	/* /dev/objinvoke */
#define LK_SERVER_FD	(LK_FD_BASE - 1)	/* the process's server */

enum lk_fd_kind { LK_FD_OBJECT = 1, LK_FD_MEMFD, LK_FD_EXPORT };

/* A client call the target makes, and what the kernel answered it. */
struct lk_call {
	struct lk_call *outer;		/* the call a local object made it in */
	ObjectOp op;
	ObjectCounts k;
	const ObjectArg *args;
	struct objinvoke_invoke *inv;	/* set at its INVOKE */
	bool invoked;
	bool done;			/* the last answer was DONE */
	int32_t result;			/* ...with this result */
	uint64_t bo_size[LK_MAX_KIND];	/* ...these sizes */
	uint32_t oo_fd[LK_MAX_KIND];	/* ...and objects (result 0) */
	uint32_t oo_flags[LK_MAX_KIND];
};

/* What a local object did with a request, for the reply's check. */
struct lk_local_answer {
	int32_t result;
	uint64_t bo_size[LK_MAX_KIND];	/* as it set them */
	bool bo_over;			/* one above what was reserved */
	uint32_t oo_fd[LK_MAX_KIND];	/* NONE, an fd, or LK_OO_EXPORT */
};
#define LK_OO_EXPORT	0xfffffffeU	/* a local object: exported */

/* A request the kernel delivered. */
struct lk_req {
	uint64_t id;			/* 0: no reply wanted */
	uint32_t kind, op, counts;
	struct objinvoke_invoke *inv;	/* the invoking thread's, or NULL */
	int local;			/* the one the library must call, or -1 */
	bool refused;			/* malformed: no local may be called */
	unsigned int replies;
	/* What the local object saw: */
	const uint8_t *buf;		/* the bytes of its input buffers */
	uint64_t used;
	uint64_t bi_off[LK_MAX_KIND], bi_len[LK_MAX_KIND];
	uint64_t bo_cap[LK_MAX_KIND];
	uint32_t io_fd[LK_MAX_KIND];
	bool called;
	struct lk_local_answer ans;
};

/* A local object registered with SERVER_ADD in this input. */
struct lk_known {
	uint64_t cookie;
	uint32_t handle;
	int local;
	bool released;
};

struct lk {
	struct fz_in *prog;
	bool settling;			/* end of input: deliver releases */
	struct fz_idmap fds;		/* a: open, b: enum lk_fd_kind */
	uint32_t next_fd;
	struct lk_call *call;		/* the innermost call */
	struct lk_req req[LK_MAX_REQS];
	unsigned int n_req;
	struct lk_req *last;		/* the last request delivered */
	struct lk_known known[LK_MAX_KNOWN];
	unsigned int n_known, n_settled;
	/* Invocations of this thread waiting on a request: innermost last. */
	struct objinvoke_invoke *open[OBJINVOKE_MAX_DEPTH + 1];
	unsigned int n_open;
};

extern struct lk lk;

/* A fresh book for an input read from @prog. */
void lk_begin(struct fz_in *prog);
/* The end of it: fds all closed, requests all answered; frees. */
void lk_end(void);

/*
 * Call @c is over (it was lk.call): an invocation of it that still waited
 * on a request (one the library could not answer) waits no more.
 */
void lk_call_done(struct lk_call *c);

/* Install a new fd of @kind (a real memfd for LK_FD_MEMFD). */
uint32_t lk_install(enum lk_fd_kind kind);
/* Whether @fd is open and of @kind. */
bool lk_fd_is(uint32_t fd, enum lk_fd_kind kind);

/* The local object whose retain SERVER_ADD follows (fuzz_libobject.c). */
int lf_local_being_exported(void);

#endif /* LIB_KERNEL_H */
