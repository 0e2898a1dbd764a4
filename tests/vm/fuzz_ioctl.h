/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ioctl.h - what the files of test_fuzz_ioctl share: the worker
 * processes' state, the board they report to, and the helpers the
 * fuzzing steps (fuzz_ioctl_calls.c) build their calls with
 * (fuzz_ioctl_args.c).  Not for other tests.
 */
#ifndef OBJINVOKE_VM_FUZZ_IOCTL_H
#define OBJINVOKE_VM_FUZZ_IOCTL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <linux/objinvoke_emu.h>

#include "vmhost.h"
#include "vmrand.h"

#define WORKERS		4
#define THREADS		3	/* fuzzing threads per worker */
#define POOL		24	/* fds a thread keeps */
#define SCRATCH		(256 * 1024)
#define DATA_SIZE	(SCRATCH - 5 * 4096)	/* buffers; then a page per slot */
#define BROKEN_COPIES	3	/* calls with a byte broken, per step */
#define STUCK_MS	20	/* a call blocked this long gets a signal */

/* What a pooled fd is: it decides which errnos a call on it may give. */
enum fd_kind {
	FD_DEV,		/* /dev/objinvoke */
	FD_OBJECT,	/* an object fd */
	FD_SERVER,	/* a server fd */
	FD_DMABUF,	/* a dma-buf: a memory object */
	FD_FOREIGN,	/* a pipe, an eventfd, /dev/null */
};

struct pooled {
	int fd;		/* -1: empty */
	enum fd_kind kind;
};

/* What a fuzzing thread does, one step at a time. */
enum step { STEP_INVOKE, STEP_SERVER, STEP_DEV, STEP_FDS, STEP_EMU,
	    STEP_SERVICE, STEPS };

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
	struct rng rng;
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

/* The pages after the data area, one per struct a call may need at
 * once, so no buffer of the call overlaps them. */
enum slot {
	SLOT_ARGS,	/* an invocation's args */
	SLOT_REQUEST,	/* the request INVOKE's SERVE may fill */
	SLOT_REQ_ARGS,	/* a received request's args */
	SLOT_REPLY,
	SLOT_STRUCT,	/* the ioctl's own struct */
};

/* ---- randomness: the thread's own stream */

static inline uint64_t rnd(struct fuzzer *f)
{
	return rng_next(&f->rng);
}

static inline uint32_t below(struct fuzzer *f, uint32_t n)
{
	return rng_below(&f->rng, n);
}

static inline bool chance(struct fuzzer *f, unsigned int pct)
{
	return rng_chance(&f->rng, pct);
}

/* The coarse clock: read from the vDSO page without a syscall, which on
 * the debug kernel costs more than most calls being measured. */
static inline long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static inline long now_ms(void)
{
	return now_us() / 1000;
}

/* ---- fuzz_ioctl_args.c: judging calls, the fd pool, arguments */

/* Errnos each ioctl may give (docs/uapi.md), 0-terminated. */
extern const int *const errs_dev, *const errs_invoke, *const errs_server,
	*const errs_reply, *const errs_emu, *const errs_any;

void bust(struct fuzzer *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void judge(struct fuzzer *f, const char *what, unsigned long cmd, int ret,
	   int err, const int *errs);
void judge_new_fd(struct fuzzer *f, const char *what, int fd);
const int *errs_for(enum fd_kind kind, bool sure, const int *ours);

void pool_put(struct fuzzer *f, int fd, enum fd_kind kind);
int pool_pick(struct fuzzer *f, enum fd_kind *kind, bool *sure);
int pool_find(struct fuzzer *f, enum fd_kind kind);
uint32_t any_fd(struct fuzzer *f);

uint64_t any_addr(struct fuzzer *f, uint64_t len);
uint64_t any_size(struct fuzzer *f);
void mutate(struct fuzzer *f, void *p, size_t n);
void flip(struct fuzzer *f, void *p, size_t n);
unsigned long any_cmd(struct fuzzer *f, unsigned long ref);
bool same_ioctl(unsigned long cmd, unsigned long ref);
void *slot(struct fuzzer *f, enum slot s);
void *ioctl_struct(struct fuzzer *f, unsigned long cmd, size_t ours);
int fuzz_ioctl(struct fuzzer *f, int fd, unsigned long cmd, void *arg,
	       int *err);

/* ---- fuzz_ioctl_calls.c: a worker process */

/* Fuzz until killed, reporting to board; seed picks the stream. */
void fuzz_worker_main(struct board *board, uint64_t seed, bool heap,
		      bool udmabuf) __attribute__((noreturn));

#endif /* OBJINVOKE_VM_FUZZ_IOCTL_H */
