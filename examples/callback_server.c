// SPDX-License-Identifier: MIT
/*
 * callback_server: a supplicant-style host of an object the TEE calls.
 *
 * It hosts one local object, a "greeter", runs libobject's dispatch loop
 * on three threads, and passes the greeter to the TEE emulator's callback
 * service, which calls it back: at once (served on the invoking thread),
 * with buffers, and later through a reference the service keeps.  When
 * the service drops that reference, and ours is gone too, libobject
 * releases the greeter: the program waits for that and says so.
 *
 * Exit status 0 means every callback arrived and the greeter was released.
 * Needs the objinvoke module and the emulator to run.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ICallbackService.h"
#include "IClientEnv.h"
#include "MinkCom.h"
#include "libobject.h"

#include "help_version.h"

#define GREETER_OP_PING		1	/* no arguments */
#define GREETER_OP_GREET	2	/* BI name -> BO "hello, <name>" */

struct greeter {
	atomic_int refs;
	atomic_int calls;
};

static int32_t greeter_invoke(ObjectCxt h, ObjectOp op, ObjectArg *a,
			      ObjectCounts k)
{
	struct greeter *g = h;
	int n;

	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		atomic_fetch_add(&g->refs, 1);
		return Object_OK;
	case Object_OP_release:
		if (atomic_fetch_sub(&g->refs, 1) == 1)
			printf("greeter: last reference released\n");
		return Object_OK;
	case GREETER_OP_PING:
		if (k != ObjectCounts_pack(0, 0, 0, 0))
			return Object_ERROR_INVALID;
		atomic_fetch_add(&g->calls, 1);
		printf("greeter: ping (thread %lx)\n",
		       (unsigned long)pthread_self());
		return Object_OK;
	case GREETER_OP_GREET:
		if (k != ObjectCounts_pack(1, 1, 0, 0))
			return Object_ERROR_INVALID;
		atomic_fetch_add(&g->calls, 1);
		n = snprintf(a[1].b.ptr, a[1].b.size, "hello, %.*s",
			     (int)a[0].bi.size, (const char *)a[0].bi.ptr);
		if (n < 0 || (size_t)n >= a[1].b.size)
			return Object_ERROR_SIZE_OUT;
		a[1].b.size = (size_t)n;
		printf("greeter: greet \"%.*s\" (thread %lx)\n",
		       (int)a[0].bi.size, (const char *)a[0].bi.ptr,
		       (unsigned long)pthread_self());
		return Object_OK;
	}
	return Object_ERROR_INVALID;
}

static struct greeter greeter = { 1, 0 };	/* ours: one reference */

static void log_to_stderr(const char *fmt, va_list ap)
{
	fputs("libobject: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int failed(const char *what, int32_t r)
{
	fprintf(stderr, "callback_server: %s failed: %d\n", what, (int)r);
	return 1;
}

static Object open_service(void)
{
	Object root = Object_NULL, env = Object_NULL, cbs = Object_NULL;
	int32_t r;

	r = MinkCom_getRootEnvObject(&root);
	if (r == Object_OK) {
		r = MinkCom_getClientEnvObject(root, &env);
		Object_release(root);
	}
	if (r == Object_OK) {
		r = IClientEnv_open(env, ICallbackService_UID, &cbs);
		Object_release(env);
	}
	if (r)
		setup_failed("callback_server", "opening ICallbackService", r);
	return cbs;
}

static int callbacks(Object cbs, Object obj)
{
	static const char name[] = "TEE";
	char out[64];
	size_t len = 0;
	int32_t r;

	/* The TEE calls back while our invocation is open: served here. */
	r = ICallbackService_call(cbs, obj, GREETER_OP_PING);
	if (r)
		return failed("call", r);
	printf("call: the TEE pinged the greeter\n");

	r = ICallbackService_callBufs(cbs, obj, GREETER_OP_GREET, name,
				      strlen(name), out, sizeof(out), &len);
	if (r)
		return failed("callBufs", r);
	printf("callBufs: the greeter answered \"%.*s\"\n", (int)len, out);

	/* The service keeps a reference and calls the greeter later. */
	r = ICallbackService_keep(cbs, obj);
	if (r)
		return failed("keep", r);
	r = ICallbackService_callKept(cbs, GREETER_OP_GREET, "again", 5, out,
				      sizeof(out), &len);
	if (r)
		return failed("callKept", r);
	printf("callKept: \"%.*s\"\n", (int)len, out);
	r = ICallbackService_dropKept(cbs);
	if (r)
		return failed("dropKept", r);
	printf("dropKept: the TEE let go of the greeter\n");
	return 0;
}

/* The release request is served by a dispatch thread: wait for it. */
static int wait_released(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 300 && atomic_load(&greeter.refs) > 0; i++)
		nanosleep(&tick, NULL);
	if (atomic_load(&greeter.refs) == 0)
		return 0;
	fprintf(stderr, "callback_server: greeter still held (%d refs)\n",
		atomic_load(&greeter.refs));
	return 1;
}

static const char help[] =
	"usage: callback_server [--help] [--version]\n"
	"\n"
	"A supplicant-style host of an object the TEE calls.  Serves one local\n"
	"object, a greeter, on three dispatch threads, and passes it to the\n"
	"emulator's callback service, which calls it back: at once, with buffers,\n"
	"and later through a reference it keeps.  Waits until both references are\n"
	"gone and the library has released the greeter.  Exits 0 when every\n"
	"callback arrived and the greeter was released.\n"
	"\n"
	HELP_NEEDS_TEE;

int main(int argc, char **argv)
{
	Object obj = { greeter_invoke, &greeter }, cbs;
	struct objinvoke_server_threads *threads = NULL;
	int32_t r;
	int bad;

	answer_help_and_version(argc, argv, "callback_server", help, 0);

	objinvoke_set_log_handler(log_to_stderr);
	setvbuf(stdout, NULL, _IOLBF, 0);

	r = objinvoke_server_start(3, &threads);
	if (r)
		return setup_failed("callback_server",
				    "objinvoke_server_start", r);
	printf("server: 3 dispatch threads (main thread %lx)\n",
	       (unsigned long)pthread_self());

	cbs = open_service();
	bad = Object_isNull(cbs) || callbacks(cbs, obj);
	Object_RELEASE_IF(cbs);
	/* Our reference: the library's own lasts until the kernel's ends. */
	Object_release(obj);
	if (!bad)
		bad = wait_released();

	objinvoke_server_stop(threads);
	r = objinvoke_server_join(threads);
	if (r)
		bad = failed("dispatch threads", r);
	printf("greeter: %d calls\n", atomic_load(&greeter.calls));
	if (!bad && atomic_load(&greeter.calls) != 3)
		bad = failed("counting calls", atomic_load(&greeter.calls));
	if (!bad)
		printf("callback_server: all callbacks arrived\n");
	return bad;
}
