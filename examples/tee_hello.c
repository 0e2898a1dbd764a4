// SPDX-License-Identifier: MIT
/*
 * tee_hello: the smallest complete objinvoke client.
 *
 * It does what any Mink client does: get the TEE's root object, register a
 * client environment with its own credentials, open services by UID and
 * call them.  It also hands the TEE an object of its own, a plain C
 * struct with an invoke function, and the TEE calls it back in the middle
 * of the invocation, on this very thread.  And it shares memory with the
 * TEE: a dma-buf the TEE maps and writes in place, no copy.  Every object
 * it receives is its own to release; it releases them all before exiting.
 * Exit status 0 means every call worked.
 *
 * Needs the objinvoke module and a TEE (or the emulator) to run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ICallbackService.h"
#include "IClientEnv.h"
#include "IFeatureVersion.h"
#include "IMemService.h"
#include "ITestService.h"
#include "MinkCom.h"
#include "libobject.h"

#include "help_version.h"

static const char *result_name(int32_t r)
{
	switch (r) {
	case Object_OK:			return "OK";
	case Object_ERROR:		return "ERROR";
	case Object_ERROR_INVALID:	return "ERROR_INVALID";
	case Object_ERROR_SIZE_IN:	return "ERROR_SIZE_IN";
	case Object_ERROR_SIZE_OUT:	return "ERROR_SIZE_OUT";
	case Object_ERROR_MEM:		return "ERROR_MEM";
	case Object_ERROR_DEFUNCT:	return "ERROR_DEFUNCT";
	case Object_ERROR_ABORT:	return "ERROR_ABORT";
	case Object_ERROR_BADOBJ:	return "ERROR_BADOBJ";
	case Object_ERROR_NOSLOTS:	return "ERROR_NOSLOTS";
	case Object_ERROR_MAXARGS:	return "ERROR_MAXARGS";
	case Object_ERROR_MAXDATA:	return "ERROR_MAXDATA";
	case Object_ERROR_UNAVAIL:	return "ERROR_UNAVAIL";
	case Object_ERROR_KMEM:		return "ERROR_KMEM";
	case Object_ERROR_REMOTE:	return "ERROR_REMOTE";
	case Object_ERROR_BUSY:		return "ERROR_BUSY";
	case Object_ERROR_AUTH:		return "ERROR_AUTH";
	case Object_ERROR_TIMEOUT:	return "ERROR_TIMEOUT";
	default:
		return r >= Object_ERROR_USERBASE ? "interface error" : "?";
	}
}

/* Report a failed call; returns 1 so callers can `return failed(...)`. */
static int failed(const char *what, int32_t r)
{
	fprintf(stderr, "tee_hello: %s failed: %s (%d)\n", what,
		result_name(r), (int)r);
	return 1;
}

/* libobject never prints; show its diagnostics, they say why. */
static void log_to_stderr(const char *fmt, va_list ap)
{
	fputs("libobject: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int echo(Object svc)
{
	static const char msg[] = "hello, TEE";
	char back[64] = "";
	size_t len = 0;
	int32_t r;

	r = ITestService_echo(svc, msg, sizeof(msg) - 1, back, sizeof(back),
			      &len);
	if (r)
		return failed("echo", r);
	printf("echo: sent \"%s\", got \"%.*s\" (%zu bytes)\n", msg, (int)len,
	       back, len);
	if (len != sizeof(msg) - 1 || memcmp(back, msg, len)) {
		fprintf(stderr, "tee_hello: echo returned other bytes\n");
		return 1;
	}
	return 0;
}

static int add(Object svc)
{
	uint32_t sum = 0;
	int32_t r;

	r = ITestService_add(svc, 40, 2, &sum);
	if (r)
		return failed("add", r);
	printf("add: 40 + 2 = %u\n", sum);
	if (sum != 42) {
		fprintf(stderr, "tee_hello: add returned %u\n", sum);
		return 1;
	}
	return 0;
}

/* A service can hand out new objects: the counter is ours to release. */
static int counter(Object svc)
{
	Object ctr = Object_NULL;
	uint32_t value = 0;
	int32_t r;

	r = ITestService_newCounter(svc, 7, &ctr);
	if (r)
		return failed("newCounter", r);
	r = ITestCounter_get(ctr, &value);
	Object_release(ctr);
	if (r)
		return failed("ITestCounter_get", r);
	printf("counter: created with 7, reads %u\n", value);
	if (value != 7) {
		fprintf(stderr, "tee_hello: counter reads %u\n", value);
		return 1;
	}
	return 0;
}

/* Who the TEE thinks we are: the credentials of our client environment. */
static int whoami(Object svc)
{
	struct ITestService_whoami who;
	char exe[256];
	size_t len = 0;
	int32_t r;

	r = ITestService_whoami(svc, &who, exe, sizeof(exe), &len);
	if (r)
		return failed("whoami", r);
	printf("whoami: uid %u gid %u pid %u exe %.*s\n", who.uid, who.gid,
	       who.pid, (int)len, exe);
	return 0;
}

static int qtee_version(Object fv)
{
	uint32_t v = 0;
	int32_t r;

	r = IFeatureVersion_qteeVersion(fv, &v);
	if (r)
		return failed("qteeVersion", r);
	printf("qteeVersion: %u.%u.%u\n", IFeatureVersion_MAJOR(v),
	       IFeatureVersion_MINOR(v), IFeatureVersion_PATCH(v));
	return 0;
}

/* A local object: what the TEE calls back.  Method 1 reverses a string. */
struct reverser {
	int refs;
	int calls;
};

static int32_t reverser_invoke(ObjectCxt h, ObjectOp op, ObjectArg *a,
			       ObjectCounts k)
{
	struct reverser *rv = h;
	size_t n;

	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		rv->refs++;
		return Object_OK;
	case Object_OP_release:
		rv->refs--;
		return Object_OK;
	case 1:
		if (k != ObjectCounts_pack(1, 1, 0, 0))
			return Object_ERROR_INVALID;
		n = a[0].bi.size;
		if (a[1].b.size < n)
			return Object_ERROR_SIZE_OUT;
		for (size_t i = 0; i < n; i++)
			((char *)a[1].b.ptr)[i] =
				((const char *)a[0].bi.ptr)[n - 1 - i];
		a[1].b.size = n;
		rv->calls++;
		return Object_OK;
	}
	return Object_ERROR_INVALID;
}

static int callback(Object env)
{
	struct reverser rv = { .refs = 1 };
	Object cb = Object_NULL, mine = { reverser_invoke, &rv };
	char out[32];
	size_t n = 0;
	int32_t r;

	r = IClientEnv_open(env, ICallbackService_UID, &cb);
	if (r)
		return failed("open ICallbackService", r);
	/* libobject registers `mine` with the kernel on the way out. */
	r = ICallbackService_callBufs(cb, mine, 1, "callback", 8, out,
				      sizeof(out), &n);
	Object_release(cb);
	if (r)
		return failed("callBufs", r);
	printf("callback: the TEE called our object back (%d call): "
	       "\"callback\" -> \"%.*s\"\n", rv.calls, (int)n, out);
	return 0;
}

/* Share 64 KiB with the TEE: it hashes what we wrote and writes back. */
static int shared_memory(Object env)
{
	Object ms = Object_NULL, mem = Object_NULL;
	uint64_t hash = 0, want = 0xcbf29ce484222325ULL;
	unsigned char *p;
	size_t size = 0;
	void *addr;
	int32_t r;

	r = IClientEnv_open(env, IMemService_UID, &ms);
	if (r)
		return failed("open IMemService", r);
	r = MinkCom_getMemoryObject(Object_NULL, 65536, &mem);
	if (!r)
		r = MinkCom_getMemoryObjectInfo(mem, &addr, &size);
	if (r) {
		Object_release(ms);
		return setup_failed("tee_hello", "MinkCom_getMemoryObject", r);
	}
	p = addr;
	objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_WRITE);
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)i;
	objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_WRITE);
	for (size_t i = 0; i < size; i++)
		want = (want ^ p[i]) * 0x100000001b3ULL;

	r = IMemService_hash(ms, mem, 0, size, &hash);
	if (!r && hash != want)
		r = Object_ERROR;
	if (!r)
		r = IMemService_fill(ms, mem, 0, 16, '!');
	objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_READ);
	if (!r && p[0] != '!')
		r = Object_ERROR;
	objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_READ);
	Object_release(mem);
	Object_release(ms);
	if (r)
		return failed("shared memory", r);
	printf("memory: the TEE hashed our %zu KiB in place (%016llx) and "
	       "wrote 16 bytes we read back\n", size / 1024,
	       (unsigned long long)hash);
	return 0;
}

static int call_services(Object env)
{
	Object svc = Object_NULL, fv = Object_NULL;
	int32_t r;
	int bad = 0;

	r = IClientEnv_open(env, ITestService_UID, &svc);
	if (r)
		return failed("open ITestService", r);
	printf("open: ITestService (uid 0x%x)\n", ITestService_UID);
	bad = echo(svc) || add(svc) || counter(svc) || whoami(svc);
	Object_release(svc);
	if (bad)
		return 1;

	r = IClientEnv_open(env, IFeatureVersion_UID, &fv);
	if (r)
		return failed("open IFeatureVersion", r);
	printf("open: IFeatureVersion (uid %u)\n", IFeatureVersion_UID);
	bad = qtee_version(fv);
	Object_release(fv);
	return bad || callback(env) || shared_memory(env);
}

static const char help[] =
	"usage: tee_hello [--help] [--version]\n"
	"\n"
	"The smallest complete objinvoke client.  Gets the TEE's root object,\n"
	"registers a client environment with this process's credentials, and calls\n"
	"the emulator's test, feature-version, callback and memory services: the\n"
	"TEE calls one of this program's own objects back in the middle of an\n"
	"invocation, and reads and writes memory shared with it in place.  Prints\n"
	"one line per step; exits 0 when every call worked.\n"
	"\n"
	HELP_NEEDS_TEE HELP_NEEDS_MEMORY;

int main(int argc, char **argv)
{
	Object root = Object_NULL, env = Object_NULL;
	int32_t r;
	int bad;

	answer_help_and_version(argc, argv, "tee_hello", help, 0);

	objinvoke_set_log_handler(log_to_stderr);
	/* The library this runs with must have what it was built against. */
	if (objinvoke_check_version(OBJINVOKE_VERSION_MAJOR,
				    OBJINVOKE_VERSION_MINOR))
		return setup_failed("tee_hello", "objinvoke_check_version",
				    Object_ERROR_UNAVAIL);

	r = MinkCom_getRootEnvObject(&root);
	if (r)
		return setup_failed("tee_hello", "MinkCom_getRootEnvObject", r);
	printf("root: got the TEE's root object (fd %d)\n",
	       objinvoke_object_fd(root));

	r = MinkCom_getClientEnvObject(root, &env);
	Object_release(root);	/* the client env is all we need now */
	if (r)
		return setup_failed("tee_hello", "MinkCom_getClientEnvObject", r);
	printf("client env: registered with our credentials\n");

	bad = call_services(env);
	Object_release(env);
	if (bad)
		return 1;
	printf("tee_hello: all calls succeeded\n");
	return 0;
}
