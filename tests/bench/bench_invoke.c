// SPDX-License-Identifier: MIT
/*
 * bench_invoke: what an invocation of a TEE object costs against the bare
 * module.  Three round trips, measured interleaved in one run so machine
 * noise hits them alike:
 *
 *   ioctl   an unknown ioctl on an object fd (syscall + module dispatch)
 *   kernel  a full invoke of a kernel-hosted object (credentials: no TEE)
 *   tee     a null invocation of a TEE object (the emulator's fail(0))
 *
 * Prints p50 and p99 of each and the ratios to the bare ioctl.  A figure,
 * not a test: it never fails on a number.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/objinvoke.h>

#include "bench_stats.h"
#include "../../examples/help_version.h"
#include "ITestService.h"
#include "IClientEnv.h"
#include "MinkCom.h"
#include "libobject.h"

enum { BARE, KERNEL, TEE, KINDS };
static const char *const names[KINDS] = { "ioctl", "kernel", "tee" };

static int die(const char *what, int32_t err)
{
	fprintf(stderr, "bench_invoke: %s failed (%d)\n", what, err);
	return 1;
}

static const char help[] =
	"usage: bench_invoke [N]   (default 2000, at least 10)\n"
	"\n"
	"What an invocation costs: a bare ioctl on an object fd, a full invocation\n"
	"of a kernel-hosted object (credentials) and a null invocation of a TEE\n"
	"object, N round trips each, interleaved.  Prints p50 and p99 of each and\n"
	"their ratios to the bare ioctl.  Figures, not a test.\n"
	"\n"
	HELP_NEEDS_TEE
	"Run it inside the test VM with\n"
	"tests/vm/run-vm.sh exec 'bench_invoke' (docs/testing.md).\n";

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000;
	Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;
	Object creds = Object_NULL;
	struct objinvoke_creds_info info;
	uint64_t *t[KINDS];
	int32_t r;

	answer_help_and_version(argc, argv, "bench_invoke", help, 1);

	if (n < 10)
		n = 10;
	if ((r = MinkCom_getRootEnvObject(&root)) ||
	    (r = MinkCom_getClientEnvObject(root, &env)))
		return die("client environment", r);
	if ((r = IClientEnv_open(env, ITestService_UID, &svc)))
		return die("open test service", r);
	if ((r = objinvoke_get_credentials(&creds)))
		return die("credentials", r);
	int fd = objinvoke_object_fd(svc);

	for (int k = 0; k < KINDS; k++) {
		t[k] = calloc(n, sizeof(**t));
		if (!t[k])
			return die("calloc", 0);
	}

	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = bench_now_ns();

		(void)ioctl(fd, _IO(OBJINVOKE_IOC_MAGIC, 0x7f));
		uint64_t t1 = bench_now_ns();
		ObjectArg a[1] = {{{0, 0}}};

		a[0].b = (ObjectBuf){ &info, sizeof(info) };
		r = Object_invoke(creds, OBJINVOKE_CREDS_OP_GET_INFO, a,
				  ObjectCounts_pack(0, 1, 0, 0));
		uint64_t t2 = bench_now_ns();

		r |= ITestService_fail(svc, 0);
		uint64_t t3 = bench_now_ns();

		if (r)
			return die("invoke", r);
		t[BARE][i] = t1 - t0;
		t[KERNEL][i] = t2 - t1;
		t[TEE][i] = t3 - t2;
	}

	printf("bench_invoke: %zu round trips each, interleaved\n", n);
	struct bench_row rows[KINDS];

	for (int k = 0; k < KINDS; k++)
		rows[k] = (struct bench_row){ .name = names[k], .t = t[k] };
	bench_report(rows, KINDS, n, BARE);

	for (int k = 0; k < KINDS; k++)
		free(t[k]);
	Object_release(creds);
	Object_release(svc);
	Object_release(env);
	Object_release(root);
	return 0;
}
