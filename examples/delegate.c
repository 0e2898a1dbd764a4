// SPDX-License-Identifier: MIT
/*
 * delegate: hand a capability to another process.
 *
 * The parent opens the TEE's test service and sends the object to its
 * child over a UNIX socket (objinvoke_send_object(): the object's fd
 * travels with SCM_RIGHTS).  The child has no client environment of its
 * own; it calls the service through the object it received, which is all
 * the authority it needs.  Exit status 0 means the child's calls worked.
 *
 * Needs the objinvoke module and a TEE (or the emulator) to run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "IClientEnv.h"
#include "ITestService.h"
#include "MinkCom.h"
#include "libobject.h"

#include "help_version.h"

static void log_to_stderr(const char *fmt, va_list ap)
{
	fputs("libobject: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int failed(const char *who, const char *what, int32_t r)
{
	fprintf(stderr, "delegate %s: %s failed: %d\n", who, what, (int)r);
	return 1;
}

/* The child: everything it can do comes from the object it receives. */
static int child(int sock)
{
	Object svc = Object_NULL;
	uint32_t sum = 0;
	char back[16];
	size_t len = 0;
	int32_t r;

	r = objinvoke_recv_object(sock, &svc);
	close(sock);
	if (r)
		return failed("child", "objinvoke_recv_object", r);
	printf("child %d: received the service (fd %d)\n", (int)getpid(),
	       objinvoke_object_fd(svc));
	r = ITestService_add(svc, 40, 2, &sum);
	if (r == Object_OK)
		printf("child: add(40, 2) = %u\n", sum);
	if (r == Object_OK)
		r = ITestService_echo(svc, "delegated", 9, back, sizeof(back),
				      &len);
	if (r == Object_OK)
		printf("child: echo \"%.*s\"\n", (int)len, back);
	Object_release(svc);
	if (r)
		return failed("child", "calling the service", r);
	return sum == 42 ? 0 : 1;
}

static int parent(int sock)
{
	Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;
	int32_t r;

	r = MinkCom_getRootEnvObject(&root);
	if (r == Object_OK) {
		r = MinkCom_getClientEnvObject(root, &env);
		Object_release(root);
	}
	if (r == Object_OK) {
		r = IClientEnv_open(env, ITestService_UID, &svc);
		Object_release(env);
	}
	if (r) {
		close(sock);	/* the child sees the socket closed */
		return setup_failed("delegate",
				    "parent: opening ITestService", r);
	}
	printf("parent %d: opened ITestService, sending it\n", (int)getpid());
	r = objinvoke_send_object(sock, svc);
	/* The child holds its own reference once it has received it. */
	Object_release(svc);
	close(sock);
	if (r)
		return failed("parent", "objinvoke_send_object", r);
	return 0;
}

static const char help[] =
	"usage: delegate [--help] [--version]\n"
	"\n"
	"Hands a capability to another process.  The parent opens the emulator's\n"
	"test service and sends the object to its child over a UNIX socket\n"
	"(SCM_RIGHTS); the child, with no client environment of its own, calls\n"
	"the service through it.  Exits 0 when the child's calls worked.\n"
	"\n"
	HELP_NEEDS_TEE;

int main(int argc, char **argv)
{
	int sv[2], status = 0, bad;
	pid_t pid;

	answer_help_and_version(argc, argv, "delegate", help, 0);

	objinvoke_set_log_handler(log_to_stderr);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("delegate: socketpair");
		return 1;
	}
	/* Fork before opening anything: the child inherits no objects. */
	pid = fork();
	if (pid < 0) {
		perror("delegate: fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		return child(sv[1]);
	}
	close(sv[1]);
	bad = parent(sv[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		bad = 1;
	if (!bad)
		printf("delegate: the child called the parent's service\n");
	return bad;
}
