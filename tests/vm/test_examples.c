// SPDX-License-Identifier: MIT
/*
 * test_examples: the example programs a user copies from must keep
 * working: each runs to its end and says so with exit status 0.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmharness.h"

static void run(const char *prog)
{
	int status;
	pid_t pid = fork();

	VT_ASSERT_OK(pid);
	if (pid == 0) {
		execlp(prog, prog, (char *)NULL);
		_exit(127);
	}
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		vt_fail("%s: exit status %d", prog,
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void tee_hello(void)
{
	run("tee_hello");
}

static void callback_server(void)
{
	run("callback_server");
}

static void delegate(void)
{
	run("delegate");
}

static void shared_buffer(void)
{
	run("shared_buffer");
}

static const struct vt_case cases[] = {
	VT_CASE(tee_hello),
	VT_CASE(callback_server),
	VT_CASE(delegate),
	VT_CASE(shared_buffer),
};

VT_MAIN(cases)
