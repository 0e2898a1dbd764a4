/* SPDX-License-Identifier: MIT */
/*
 * vmharness.h - the runner every VM test program (tests/vm/test_*.c) uses.
 *
 * A program lists its cases and hands them to vt_main():
 *
 *	static void echo_works(void) { ... VT_ASSERT_EQ(ret, 0); ... }
 *	static void slow_one(void) { ... }
 *
 *	static const struct vt_case cases[] = {
 *		VT_CASE(echo_works),
 *		VT_CASE_TIMEOUT(slow_one, 300),
 *	};
 *	VT_MAIN(cases)
 *
 * Each case runs in a forked child (its own process group) with a timeout
 * (default VT_DEFAULT_TIMEOUT seconds; the environment variable
 * VT_TIMEOUT_SCALE multiplies every timeout).  The child counts its open
 * fds before and after the case: every object is an fd, so a leaked object
 * fails the case.  A case passes by returning, fails on a failed assertion
 * (or vt_fail()), and skips with vt_skip().
 *
 * The program reports in TAP version 13, in the form KTAP and kselftest
 * use (docs/testing.md): "TAP version 13", the plan "1..N", then per case
 * "ok N name", "not ok N name" or "ok N name # SKIP reason", each after
 * the "# " diagnostic lines of its case, and kselftest's "# Totals: ..."
 * line.  Only the harness writes to that stream: a case's own stdout (and
 * its children's) goes to stderr.  It exits 1 when a case failed, else 0
 * (skips are in the stream).  Arguments name the cases to run (default:
 * all); --help lists them, --version prints the version.
 */
#ifndef OBJINVOKE_VM_HARNESS_H
#define OBJINVOKE_VM_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VT_DEFAULT_TIMEOUT 60 /* seconds, per case */

struct vt_case {
	const char *name;
	void (*fn)(void);
	unsigned int timeout; /* seconds; 0: VT_DEFAULT_TIMEOUT */
};

#define VT_CASE(fn) { #fn, fn, 0 }
#define VT_CASE_TIMEOUT(fn, secs) { #fn, fn, secs }

int vt_main(int argc, char **argv, const struct vt_case *cases, size_t n);

/*
 * Run in each case's child before its fds are counted: for state that
 * lives as long as the process (libobject's server fd), which a case
 * would otherwise be blamed for.  Set it in main or with VT_MAIN_SETUP.
 */
extern void (*vt_case_setup)(void);

#define VT_MAIN(cases)                                                       \
	int main(int argc, char **argv)                                      \
	{                                                                    \
		return vt_main(argc, argv, cases,                            \
			       sizeof(cases) / sizeof((cases)[0]));          \
	}

#define VT_MAIN_SETUP(cases, setup)                                          \
	int main(int argc, char **argv)                                      \
	{                                                                    \
		vt_case_setup = (setup);                                     \
		return vt_main(argc, argv, cases,                            \
			       sizeof(cases) / sizeof((cases)[0]));          \
	}

/* How one case ended. */
enum vt_outcome {
	VT_PASS,
	VT_FAIL,	/* an assertion or vt_fail() */
	VT_SKIP,	/* vt_skip() */
	VT_FD_LEAK,	/* returned with a different number of open fds */
	VT_TIMEOUT,	/* killed after its timeout */
	VT_CRASH,	/* died of a signal, or exited with another status */
};

/*
 * Run one case as vt_main() does, print its diagnostics and result line
 * (without the version line and plan: vt_main's), return how it ended.
 */
enum vt_outcome vt_run_case(const struct vt_case *c, unsigned int number);
const char *vt_outcome_name(enum vt_outcome o);

/* --- inside a case */

/* Print a "# " diagnostic line on the TAP stream (never decides anything). */
void vt_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the case as failed or skipped, with a message.  Any thread may call. */
void vt_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void vt_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void vt_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

/* Open fds of this process (entries of /proc/self/fd). */
int vt_count_fds(void);

#define VT_ASSERT(cond)                                                      \
	do {                                                                 \
		if (!(cond))                                                 \
			vt_fail_at(__FILE__, __LINE__,                       \
				   "assertion failed: %s", #cond);           \
	} while (0)

/* Integer comparison that prints both sides: VT_ASSERT_CMP(n, <=, 15). */
#define VT_ASSERT_CMP(a, op, b)                                              \
	do {                                                                 \
		intmax_t vt_a_ = (intmax_t)(a), vt_b_ = (intmax_t)(b);       \
		if (!(vt_a_ op vt_b_))                                       \
			vt_fail_at(__FILE__, __LINE__,                       \
				   "assertion failed: %s %s %s "             \
				   "(%jd %s %jd, 0x%jx %s 0x%jx)",           \
				   #a, #op, #b, vt_a_, #op, vt_b_,           \
				   (uintmax_t)vt_a_, #op, (uintmax_t)vt_b_); \
	} while (0)
#define VT_ASSERT_EQ(a, b) VT_ASSERT_CMP(a, ==, b)
#define VT_ASSERT_NE(a, b) VT_ASSERT_CMP(a, !=, b)
#define VT_ASSERT_LT(a, b) VT_ASSERT_CMP(a, <, b)
#define VT_ASSERT_LE(a, b) VT_ASSERT_CMP(a, <=, b)
#define VT_ASSERT_GT(a, b) VT_ASSERT_CMP(a, >, b)
#define VT_ASSERT_GE(a, b) VT_ASSERT_CMP(a, >=, b)

/* A call that returns -1 and sets errno on failure must succeed. */
#define VT_ASSERT_OK(expr)                                                   \
	do {                                                                 \
		long vt_r_ = (long)(expr);                                   \
		if (vt_r_ == -1)                                             \
			vt_fail_at(__FILE__, __LINE__,                       \
				   "%s failed: %s", #expr, strerror(errno)); \
	} while (0)

/* A call that returns -1 and sets errno must fail with exactly err. */
#define VT_ASSERT_ERRNO(expr, err)                                           \
	do {                                                                 \
		errno = 0;                                                   \
		long vt_r_ = (long)(expr);                                   \
		int vt_e_ = errno;                                           \
		if (vt_r_ != -1 || vt_e_ != (err))                           \
			vt_fail_at(__FILE__, __LINE__,                       \
				   "%s: want -1 with %s, got %ld with %s",   \
				   #expr, #err, vt_r_,                       \
				   vt_e_ ? strerror(vt_e_) : "errno 0");     \
	} while (0)

#define VT_ASSERT_STR_EQ(a, b)                                               \
	do {                                                                 \
		const char *vt_a_ = (a), *vt_b_ = (b);                       \
		if (!vt_a_ || !vt_b_ || strcmp(vt_a_, vt_b_) != 0)           \
			vt_fail_at(__FILE__, __LINE__,                       \
				   "assertion failed: %s == %s "             \
				   "(\"%s\" != \"%s\")", #a, #b,             \
				   vt_a_ ? vt_a_ : "(null)",                 \
				   vt_b_ ? vt_b_ : "(null)");                \
	} while (0)

#define VT_ASSERT_MEM_EQ(a, b, len)                                          \
	do {                                                                 \
		size_t vt_l_ = (len);                                        \
		if (memcmp((a), (b), vt_l_) != 0)                            \
			vt_fail_at(__FILE__, __LINE__,                       \
				   "assertion failed: %s and %s differ in "  \
				   "their first %zu bytes", #a, #b, vt_l_);  \
	} while (0)

/* --- killing a client in the middle of something */

/*
 * Run fn(arg) in a forked child and kill it with SIGKILL delay_ms after it
 * started, then reap it.  With wait_ready, the delay starts only when fn
 * calls vt_child_ready() (say, just before it blocks in an invocation);
 * otherwise it starts when fn is called.
 *
 * Return: 1 if the child was killed while running, 0 if it had already
 * returned from fn (too quick to be killed mid-way: the test may retry
 * with a shorter delay), -1 if something went wrong (the child died some
 * other way, or never became ready within 30 s); errno is not meaningful.
 */
int vt_kill_midway(void (*fn)(void *arg), void *arg, unsigned int delay_ms,
		   bool wait_ready);
/* In the child of vt_kill_midway(): "start the clock now". */
void vt_child_ready(void);

/* --- the emulator the VM runs (see tests/vm/init.sh) */

/* pid of the running objinvoke-emu, or -1 (none or not in the VM). */
int vt_emu_pid(void);
/*
 * Kill the emulator with sig and wait up to 10 s for it to go.
 * Return: 0, or -1 if there was none or it did not die.
 */
int vt_emu_kill(int sig);
/* Start a new emulator (logging where the first one logs) and wait, up to
 * 60 s, until it is attached and serving (its pid file appears).  0 or -1. */
int vt_emu_start(void);

/* Sleep for ms milliseconds. */
void vt_msleep(unsigned int ms);

#endif /* OBJINVOKE_VM_HARNESS_H */
