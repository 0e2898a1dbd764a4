// SPDX-License-Identifier: MIT
/*
 * test_harness_selftest - the VM test harness catches what it should and
 * says so in valid TAP.
 *
 * The program runs itself again with VT_SELFTEST_FAILING=1, in which mode
 * its cases are the inner ones below, built to pass, leak an fd, hang,
 * fail an assertion, crash, skip, print to stdout and leave a process
 * behind; it reads that run's
 * TAP stream line by line (version, plan, each result line and its
 * directive, the diagnostic saying why each case failed, nothing else on
 * the stream) and its exit status.  Then --help, --version, picking cases
 * by name, and vt_kill_midway().  Runs natively (meson test, TAP
 * protocol) and in the VM, where `run-vm.sh --env VT_SELFTEST_FAILING=1
 * test harness_selftest` shows how a run counts failing cases.
 */
#include "vmharness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- the inner cases, each built to end one way */

static void passes(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	VT_ASSERT_OK(fd);
	VT_ASSERT_EQ(close(fd), 0);
	VT_ASSERT_ERRNO(close(fd), EBADF);
	VT_ASSERT_STR_EQ("abc", "abc");
	VT_ASSERT_MEM_EQ("abc", "abd", 2);
}

static void leaks_an_fd(void)
{
	VT_ASSERT_OK(open("/dev/null", O_RDONLY | O_CLOEXEC));
}

static void hangs(void)
{
	for (;;)
		pause();
}

static void fails_an_assertion(void)
{
	int counts = 16;

	VT_ASSERT_LE(counts, 15);
}

static void fails_an_errno_check(void)
{
	VT_ASSERT_ERRNO(close(-1), EFAULT);
}

static void crashes(void)
{
	abort();
}

static void skips(void)
{
	vt_skip("nothing to test here");
}

/* What a case or a program it runs prints must not reach the stream. */
static void prints_to_stdout(void)
{
	pid_t pid;
	int status;

	printf("ok 1 a line of the case, not a result\n");
	fflush(stdout);
	pid = fork();
	VT_ASSERT_OK(pid);
	if (pid == 0) {
		printf("not ok 1 a line of its child, not a result\n");
		fflush(stdout);
		_exit(0);
	}
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
}

/*
 * A process that outlives its case, out of the harness's reach (its own
 * session): the stream must still end when the harness exits.
 */
#define ORPHAN_SECONDS 20

static void leaves_a_process(void)
{
	pid_t pid = fork();

	VT_ASSERT_OK(pid);
	if (pid == 0) {
		setsid();
		sleep(ORPHAN_SECONDS);
		_exit(0);
	}
}

static const struct vt_case inner[] = {
	VT_CASE(passes),
	VT_CASE(leaks_an_fd),
	VT_CASE_TIMEOUT(hangs, 1),
	VT_CASE(fails_an_assertion),
	VT_CASE(fails_an_errno_check),
	VT_CASE(crashes),
	VT_CASE(skips),
	VT_CASE(prints_to_stdout),
	VT_CASE(leaves_a_process),
};

/* The stream a run of every inner case must print, "# " lines aside. */
static const char *const every_result[] = {
	"TAP version 13",
	"1..9",
	"ok 1 passes",
	"not ok 2 leaks_an_fd",
	"not ok 3 hangs",
	"not ok 4 fails_an_assertion",
	"not ok 5 fails_an_errno_check",
	"not ok 6 crashes",
	"ok 7 skips # SKIP nothing to test here",
	"ok 8 prints_to_stdout",
	"ok 9 leaves_a_process",
};

/* What the diagnostics before each result line must say (NULL: nothing). */
static const char *const every_reason[] = {
	NULL, NULL, NULL,
	"# fd leak: ",
	"# timeout: killed after ",
	"assertion failed: counts <= 15 (16 <= 15",
	"want -1 with EFAULT, got -1 with Bad file descriptor",
	"# crash: killed by signal 6 (",
	"# skip: nothing to test here",
	NULL, NULL,
};

/* --- running this program again */

struct run {
	char out[16384];	/* its stdout */
	int status;		/* its exit status, -1 if it did not exit */
};

/*
 * Run this program with args (NULL-terminated), in the inner mode if
 * failing_mode; its stdout into r->out, its stderr to /dev/null (the
 * stray lines of prints_to_stdout go there).
 */
static void run_self(struct run *r, bool failing_mode, const char *const *args)
{
	const char *argv[8] = { "test_harness_selftest" };
	size_t len = 0, i;
	int p[2], status;
	ssize_t got;
	pid_t pid;

	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	VT_ASSERT_OK(pipe2(p, O_CLOEXEC));
	pid = fork();
	VT_ASSERT_OK(pid);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(p[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
		if (failing_mode)
			setenv("VT_SELFTEST_FAILING", "1", 1);
		else
			unsetenv("VT_SELFTEST_FAILING");
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while ((got = read(p[0], r->out + len, sizeof(r->out) - 1 - len)) > 0)
		len += (size_t)got;
	r->out[len] = '\0';
	close(p[0]);
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Show a run's stream as diagnostics (when a check of it failed). */
static void show(const struct run *r)
{
	const char *line = r->out, *end;

	vt_log("the stream checked (exit status %d):", r->status);
	for (; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		vt_log("| %.*s", (int)(end - line), line);
	}
}

/*
 * Check r->out against results (the lines not starting with "# ", in
 * order) and reasons (a text that one of the "# " lines since the
 * previous result must hold).  Any other line fails the check.
 */
static void check_stream(const struct run *r, const char *const *results,
			 const char *const *reasons, size_t n)
{
	char *copy = strdup(r->out), *line, *save = NULL;
	bool reason_seen = false;
	size_t i = 0;

	VT_ASSERT(copy);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# ", 2) == 0) {
			if (i < n && reasons && reasons[i] &&
			    strstr(line, reasons[i]))
				reason_seen = true;
			continue;
		}
		if (i == n || strcmp(line, results[i]) != 0) {
			show(r);
			vt_fail("line \"%s\", want \"%s\"", line,
				i < n ? results[i] : "(nothing more)");
		}
		if (reasons && reasons[i] && !reason_seen) {
			show(r);
			vt_fail("no diagnostic saying \"%s\" before \"%s\"",
				reasons[i], line);
		}
		reason_seen = false;
		i++;
	}
	free(copy);
	if (i != n) {
		show(r);
		vt_fail("the stream ends before \"%s\"", results[i]);
	}
}

/* --- the outer cases */

static void tap_stream_of_every_outcome(void)
{
	static struct run r;
	const char *const none[] = { NULL };
	time_t start = time(NULL);

	run_self(&r, true, none);
	VT_ASSERT_LT(time(NULL) - start, ORPHAN_SECONDS - 5);
	check_stream(&r, every_result, every_reason,
		     sizeof(every_result) / sizeof(every_result[0]));
	if (!strstr(r.out, "\n# Totals: pass:3 fail:5 xfail:0 xpass:0 "
			   "skip:1 error:0\n")) {
		show(&r);
		vt_fail("no (right) Totals line");
	}
	VT_ASSERT_EQ(r.status, 1);
}

static void tap_stream_of_picked_cases(void)
{
	static struct run r;
	const char *const args[] = { "skips", "passes", NULL };
	const char *const results[] = {
		"TAP version 13", "1..2", "ok 1 passes",
		"ok 2 skips # SKIP nothing to test here",
	};

	run_self(&r, true, args);
	check_stream(&r, results, NULL, sizeof(results) / sizeof(results[0]));
	VT_ASSERT_EQ(r.status, 0);
}

static void help_version_and_unknown_case(void)
{
	static struct run r;
	const char *const help[] = { "--help", NULL };
	const char *const version[] = { "--version", NULL };
	const char *const unknown[] = { "passes", "no_such_case", NULL };
	size_t i;

	run_self(&r, true, help);
	VT_ASSERT_EQ(r.status, 0);
	VT_ASSERT(strstr(r.out, "Usage: test_harness_selftest [CASE...]\n"));
	for (i = 0; i < sizeof(inner) / sizeof(inner[0]); i++)
		if (!strstr(r.out, inner[i].name))
			vt_fail("--help does not list %s", inner[i].name);
	VT_ASSERT(strstr(r.out, "hangs "));

	run_self(&r, false, version);
	VT_ASSERT_EQ(r.status, 0);
	VT_ASSERT_STR_EQ(r.out, "test_harness_selftest " OBJINVOKE_VERSION "\n");

	run_self(&r, true, unknown);
	VT_ASSERT_EQ(r.status, 2);
	VT_ASSERT_STR_EQ(r.out, "");
}

static void sleeps_after_ready(void *arg)
{
	(void)arg;
	vt_child_ready();
	for (;;)
		pause();
}

static void returns_at_once(void *arg)
{
	(void)arg;
}

static void kill_midway(void)
{
	VT_ASSERT_EQ(vt_kill_midway(sleeps_after_ready, NULL, 50, true), 1);
	VT_ASSERT_EQ(vt_kill_midway(sleeps_after_ready, NULL, 0, false), 1);
	VT_ASSERT_EQ(vt_kill_midway(returns_at_once, NULL, 200, false), 0);
}

static const struct vt_case cases[] = {
	VT_CASE(tap_stream_of_every_outcome),
	VT_CASE(tap_stream_of_picked_cases),
	VT_CASE(help_version_and_unknown_case),
	VT_CASE(kill_midway),
};

int main(int argc, char **argv)
{
	const char *failing = getenv("VT_SELFTEST_FAILING");

	if (failing && *failing && strcmp(failing, "0") != 0)
		return vt_main(argc, argv, inner,
			       sizeof(inner) / sizeof(inner[0]));
	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
