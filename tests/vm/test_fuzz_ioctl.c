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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_ioctl.h"
#include "vmharness.h"
#include "vmutil.h"

#define FUZZ_CALLS_CI	200000
#define DEATH_MS	20000	/* a SIGKILLed worker must be gone by then */

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
	struct rng r = rng_stream(s->seed, ++s->spawned);
	uint64_t seed = rng_next(&r);	/* the worker's, and its lifetime */
	pid_t pid;

	fflush(stdout);
	pid = fork();
	VT_ASSERT_OK(pid);
	if (pid == 0)
		fuzz_worker_main(s->board, seed, s->heap, s->udmabuf);
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

/* SIGKILL worker i; it must be gone within DEATH_MS, whatever it did. */
static void kill_worker(struct storm *s, int i)
{
	pid_t pid = s->pids[i];
	long deadline = now_ms() + DEATH_MS;
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, WNOHANG) != pid) {
		if (now_ms() > deadline) {
			vm_log_kernel_stacks(pid);
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

static const char *const step_names[STEPS] = {
	"invoke", "server", "device", "fds", "emulator device", "service",
};

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

static void ioctls_survive_random_calls_kills_and_restarts(void)
{
	unsigned long target = vm_env_u64("OBJINVOKE_FUZZ_CALLS", FUZZ_CALLS_CI);
	struct storm s = {
		.seed = vm_env_u64("OBJINVOKE_FUZZ_SEED", (uint64_t)time(NULL)),
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
