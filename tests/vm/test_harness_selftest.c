// SPDX-License-Identifier: MIT
/*
 * test_harness_selftest - the VM test harness catches what it should.
 *
 * Runs cases built to pass, leak an fd, hang, fail an assertion, crash and
 * skip through vt_run_case(), and checks each outcome; then checks
 * vt_kill_midway().  The inner cases print "not ok" lines on purpose; only
 * this program's own summary counts.  Runs natively (meson test) and in
 * the VM.
 */
#include "vmharness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

static const struct {
	struct vt_case c;
	enum vt_outcome want;
} inner[] = {
	{ VT_CASE(passes), VT_PASS },
	{ VT_CASE(leaks_an_fd), VT_FD_LEAK },
	{ VT_CASE_TIMEOUT(hangs, 1), VT_TIMEOUT },
	{ VT_CASE(fails_an_assertion), VT_FAIL },
	{ VT_CASE(fails_an_errno_check), VT_FAIL },
	{ VT_CASE(crashes), VT_CRASH },
	{ VT_CASE(skips), VT_SKIP },
};

/*
 * The inner cases' own "ok"/"not ok" lines would read like failures of
 * this program in a log: they go to a file, echoed afterwards as comments.
 */
static void outcomes(void)
{
	FILE *log = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char line[512];
	unsigned int i;
	enum vt_outcome got[sizeof(inner) / sizeof(inner[0])];

	VT_ASSERT(log && saved >= 0);
	fflush(stdout);
	VT_ASSERT_OK(dup2(fileno(log), STDOUT_FILENO));
	for (i = 0; i < sizeof(inner) / sizeof(inner[0]); i++)
		got[i] = vt_run_case(&inner[i].c, i + 1);
	fflush(stdout);
	VT_ASSERT_OK(dup2(saved, STDOUT_FILENO));
	close(saved);
	rewind(log);
	while (fgets(line, sizeof(line), log))
		printf("#   %s", line);
	fclose(log);

	for (i = 0; i < sizeof(inner) / sizeof(inner[0]); i++)
		if (got[i] != inner[i].want)
			vt_fail("%s: want %s, got %s", inner[i].c.name,
				vt_outcome_name(inner[i].want),
				vt_outcome_name(got[i]));
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
	VT_CASE(outcomes),
	VT_CASE(kill_midway),
};

VT_MAIN(cases)
