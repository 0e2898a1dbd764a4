// SPDX-License-Identifier: MIT
/*
 * test_invoke: every argument kind and result through libobject, the real
 * module and the emulator: buffers in and out, objects in and out,
 * interface errors, SIZE_OUT, callbacks to kernel objects, credentials,
 * and releases reaching the emulator.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "IClientEnv.h"
#include "IFeatureVersion.h"
#include "ITestService.h"
#include "MinkCom.h"
#include "vmharness.h"
#include "libobject.h"
#include "vmutil.h"

static void echo_returns_the_bytes(void)
{
	Object svc = vm_open_service(ITestService_UID);
	char out[64];
	size_t n = 0;

	VT_ASSERT_EQ(ITestService_echo(svc, "abc", 3, out, sizeof(out), &n),
		     Object_OK);
	VT_ASSERT_EQ(n, 3);
	VT_ASSERT_MEM_EQ(out, "abc", 3);
	/* Empty in, empty out. */
	VT_ASSERT_EQ(ITestService_echo(svc, "", 0, out, sizeof(out), &n),
		     Object_OK);
	VT_ASSERT_EQ(n, 0);
	Object_release(svc);
}

static void small_output_buffer_is_size_out(void)
{
	Object svc = vm_open_service(ITestService_UID);
	char out[4] = "zzzz";
	size_t n = 99;

	VT_ASSERT_EQ(ITestService_echo(svc, "too long", 8, out, sizeof(out), &n),
		     Object_ERROR_SIZE_OUT);
	/* Nothing is written back on an error. */
	VT_ASSERT_EQ(n, sizeof(out));
	VT_ASSERT_MEM_EQ(out, "zzzz", 4);
	Object_release(svc);
}

static void add_computes(void)
{
	Object svc = vm_open_service(ITestService_UID);
	uint32_t sum = 0;

	VT_ASSERT_EQ(ITestService_add(svc, 40, 2, &sum), Object_OK);
	VT_ASSERT_EQ(sum, 42);
	VT_ASSERT_EQ(ITestService_add(svc, 0xffffffffu, 2, &sum), Object_OK);
	VT_ASSERT_EQ(sum, 1);
	Object_release(svc);
}

static void interface_errors_pass_through(void)
{
	Object svc = vm_open_service(ITestService_UID);
	int32_t codes[] = { Object_OK, Object_ERROR, Object_ERROR_USERBASE,
			    Object_ERROR_USERBASE + 77, 0x7fffffff,
			    Object_ERROR_BUSY };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		VT_ASSERT_EQ(ITestService_fail(svc, codes[i]), codes[i]);
	Object_release(svc);
}

static void counters_are_objects(void)
{
	Object svc = vm_open_service(ITestService_UID);
	Object c = Object_NULL;
	uint32_t v = 0, base = vm_settled_live_objects(svc);

	VT_ASSERT_EQ(ITestService_newCounter(svc, 7, &c), Object_OK);
	VT_ASSERT(!Object_isNull(c));
	VT_ASSERT_EQ(vm_live_objects(svc), base + 1);
	VT_ASSERT_EQ(ITestCounter_add(c, 5), Object_OK);
	VT_ASSERT_EQ(ITestCounter_get(c, &v), Object_OK);
	VT_ASSERT_EQ(v, 12);
	/* The TEE's own object passed back in as an input object. */
	v = 0;
	VT_ASSERT_EQ(ITestService_readCounter(svc, c, &v), Object_OK);
	VT_ASSERT_EQ(v, 12);
	Object_release(c);
	/* The last close sends RELEASE; the emulator frees it. */
	vm_expect_live_objects(svc, base);
	Object_release(svc);
}

static void retained_object_lives_until_last_release(void)
{
	Object svc = vm_open_service(ITestService_UID);
	Object c = Object_NULL;
	uint32_t v, base = vm_settled_live_objects(svc);

	VT_ASSERT_EQ(ITestService_newCounter(svc, 1, &c), Object_OK);
	Object_retain(c);
	Object_release(c);
	VT_ASSERT_EQ(ITestCounter_get(c, &v), Object_OK);
	VT_ASSERT_EQ(v, 1);
	Object_release(c);
	vm_expect_live_objects(svc, base);
	Object_release(svc);
}

static void non_counter_is_badobj(void)
{
	Object svc = vm_open_service(ITestService_UID);
	Object creds = Object_NULL;
	uint32_t v;

	/* A TEE object of the wrong kind, a kernel object, and NULL. */
	VT_ASSERT_EQ(ITestService_readCounter(svc, svc, &v), Object_ERROR_BADOBJ);
	VT_ASSERT_EQ(objinvoke_get_credentials(&creds), Object_OK);
	VT_ASSERT_EQ(ITestService_readCounter(svc, creds, &v),
		     Object_ERROR_BADOBJ);
	VT_ASSERT_EQ(ITestService_readCounter(svc, Object_NULL, &v),
		     Object_ERROR_BADOBJ);
	Object_release(creds);
	Object_release(svc);
}

static void mirror_fills_every_slot(void)
{
	Object svc = vm_open_service(ITestService_UID);
	ObjectArg a[60] = {{{0, 0}}};
	char in[15][8], out[15][8];
	Object counters[15];
	uint32_t v, base = vm_settled_live_objects(svc);
	int i;

	for (i = 0; i < 15; i++) {
		snprintf(in[i], sizeof(in[i]), "arg%02d", i);
		VT_ASSERT_EQ(ITestService_newCounter(svc, (uint32_t)i,
						     &counters[i]), Object_OK);
		a[i].bi = (ObjectBufIn){ in[i], strlen(in[i]) };
		a[15 + i].b = (ObjectBuf){ out[i], sizeof(out[i]) };
		a[30 + i].o = counters[i];
	}
	VT_ASSERT_EQ(Object_invoke(svc, ITestService_OP_mirror, a,
				   ObjectCounts_pack(15, 15, 15, 15)),
		     Object_OK);
	for (i = 0; i < 15; i++) {
		VT_ASSERT_EQ(a[15 + i].b.size, strlen(in[i]));
		VT_ASSERT_MEM_EQ(out[i], in[i], strlen(in[i]));
		VT_ASSERT(!Object_isNull(a[45 + i].o));
		VT_ASSERT_EQ(ITestCounter_get(a[45 + i].o, &v), Object_OK);
		VT_ASSERT_EQ(v, (uint32_t)i);
	}
	for (i = 0; i < 15; i++) {
		Object_release(a[45 + i].o);
		Object_release(counters[i]);
	}
	vm_expect_live_objects(svc, base);
	Object_release(svc);
}

static void whoami_is_the_caller(void)
{
	Object svc = vm_open_service(ITestService_UID);
	struct ITestService_whoami who = { 0 };
	char exe[256], want[256];
	size_t n = 0;
	ssize_t want_len = readlink("/proc/self/exe", want, sizeof(want));

	VT_ASSERT_EQ(ITestService_whoami(svc, &who, exe, sizeof(exe), &n),
		     Object_OK);
	VT_ASSERT_EQ(who.uid, geteuid());
	VT_ASSERT_EQ(who.gid, getegid());
	VT_ASSERT_EQ(who.pid, getpid());
	VT_ASSERT_EQ(n, want_len);
	VT_ASSERT_MEM_EQ(exe, want, n);
	Object_release(svc);
}

static void delegated_credentials_register_as_their_owner(void)
{
	Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;
	Object creds = Object_NULL;
	struct ITestService_whoami who = { 0 };
	char exe[256];
	pid_t pid = getpid();

	/* The parent's credentials, used by a child it handed them to. */
	VT_ASSERT_EQ(objinvoke_get_credentials(&creds), Object_OK);
	pid_t child = fork();

	VT_ASSERT_OK(child);
	if (child == 0) {
		int ok = MinkCom_getRootEnvObject(&root) == Object_OK &&
			 MinkCom_getClientEnvObjectWithCreds(root, creds, &env) ==
				 Object_OK &&
			 IClientEnv_open(env, ITestService_UID, &svc) == Object_OK &&
			 ITestService_whoami(svc, &who, exe, sizeof(exe), NULL) ==
				 Object_OK &&
			 who.pid == (uint32_t)pid;
		_exit(ok ? 0 : 1);
	}
	int status;

	VT_ASSERT_EQ(waitpid(child, &status, 0), child);
	VT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	Object_release(creds);
}

static void feature_version_service(void)
{
	Object fv = vm_open_service(IFeatureVersion_UID);
	uint32_t v = 0;

	VT_ASSERT_EQ(IFeatureVersion_qteeVersion(fv, &v), Object_OK);
	VT_ASSERT_NE(v, 0);
	VT_ASSERT_EQ(IFeatureVersion_get(fv, 0xdead, &v), Object_OK);
	Object_release(fv);
}

static void unknown_service_is_not_found(void)
{
	Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;

	VT_ASSERT_EQ(MinkCom_getRootEnvObject(&root), Object_OK);
	VT_ASSERT_EQ(MinkCom_getClientEnvObject(root, &env), Object_OK);
	VT_ASSERT_EQ(IClientEnv_open(env, 0x7777777, &svc),
		     IClientEnv_ERROR_NOT_FOUND);
	VT_ASSERT(Object_isNull(svc));
	Object_release(env);
	Object_release(root);
}

static void primordial_callbacks_run(void)
{
	Object svc = vm_open_service(ITestService_UID);
	struct timespec t0, t1;

	VT_ASSERT_EQ(ITestService_primordial(svc, 1, 0), Object_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	VT_ASSERT_EQ(ITestService_primordial(svc, 2, 100), Object_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	VT_ASSERT_GE((t1.tv_sec - t0.tv_sec) * 1000 +
		     (t1.tv_nsec - t0.tv_nsec) / 1000000, 100);
	/* Map region without a memory object and a region to fill, and
	 * unknown methods, are invalid. */
	VT_ASSERT_EQ(ITestService_primordial(svc, 0, 0), Object_ERROR_INVALID);
	VT_ASSERT_EQ(ITestService_primordial(svc, 9, 0), Object_ERROR_INVALID);
	Object_release(svc);
}

static void registration_releases_credentials(void)
{
	Object svc = vm_open_service(ITestService_UID);
	uint32_t base = vm_settled_live_objects(svc);

	/* Registering and dropping environments leaves nothing behind. */
	for (int i = 0; i < 20; i++) {
		Object s = vm_open_service(ITestService_UID);

		Object_release(s);
	}
	vm_expect_live_objects(svc, base);
	Object_release(svc);
}

static const struct vt_case cases[] = {
	VT_CASE(echo_returns_the_bytes),
	VT_CASE(small_output_buffer_is_size_out),
	VT_CASE(add_computes),
	VT_CASE(interface_errors_pass_through),
	VT_CASE(counters_are_objects),
	VT_CASE(retained_object_lives_until_last_release),
	VT_CASE(non_counter_is_badobj),
	VT_CASE(mirror_fills_every_slot),
	VT_CASE(whoami_is_the_caller),
	VT_CASE(delegated_credentials_register_as_their_owner),
	VT_CASE(feature_version_service),
	VT_CASE(unknown_service_is_not_found),
	VT_CASE(primordial_callbacks_run),
	VT_CASE(registration_releases_credentials),
};

VT_MAIN(cases)
