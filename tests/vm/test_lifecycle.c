// SPDX-License-Identifier: MIT
/*
 * test_lifecycle: what happens when a side goes away.  The emulator dies
 * with invocations pending (DEFUNCT, then fast DEFUNCT, then a restarted
 * emulator works); a client is killed while the TEE holds its call, or
 * while its thread runs a callback (no leak in the emulator, no hung task).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <unistd.h>

#include "ITestService.h"
#include "MinkCom.h"
#include "vmharness.h"
#include "vmutil.h"

struct delayed {
	Object svc;
	uint32_t ms;
	int32_t result;
};

static void *delay_thread(void *arg)
{
	struct delayed *d = arg;

	d->result = ITestService_delay(d->svc, d->ms);
	return NULL;
}

static void emulator_death_is_defunct_then_restart_works(void)
{
	Object svc = vm_open_service(ITestService_UID);
	Object root = Object_NULL, env = Object_NULL, fresh = Object_NULL;
	struct delayed d = { .svc = svc, .ms = 5000, .result = 12345 };
	char out[8];
	pthread_t t;

	if (vt_emu_pid() < 0)
		vt_skip("no emulator to kill");
	VT_ASSERT_EQ(pthread_create(&t, NULL, delay_thread, &d), 0);
	vt_msleep(500);	/* the call is with the emulator now */
	VT_ASSERT_OK(vt_emu_kill(SIGKILL));
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
	VT_ASSERT_EQ(d.result, Object_ERROR_DEFUNCT);

	/* With no TEE, invocations fail fast. */
	VT_ASSERT_EQ(ITestService_echo(svc, "x", 1, out, sizeof(out), NULL),
		     Object_ERROR_DEFUNCT);
	VT_ASSERT_EQ(MinkCom_getRootEnvObject(&root), Object_OK);
	VT_ASSERT_EQ(MinkCom_getClientEnvObject(root, &env),
		     Object_ERROR_DEFUNCT);

	VT_ASSERT_OK(vt_emu_start());
	/* Objects of the dead TEE stay dead; the root object is permanent. */
	VT_ASSERT_EQ(ITestService_echo(svc, "x", 1, out, sizeof(out), NULL),
		     Object_ERROR_DEFUNCT);
	fresh = vm_open_service(ITestService_UID);
	VT_ASSERT_EQ(ITestService_echo(fresh, "ok", 2, out, sizeof(out), NULL),
		     Object_OK);
	VT_ASSERT_MEM_EQ(out, "ok", 2);
	Object_release(fresh);
	Object_release(root);
	Object_release(svc);
}

static void invoke_delay(void *arg)
{
	Object svc = vm_open_service(ITestService_UID);
	Object c;

	(void)arg;
	VT_ASSERT_EQ(ITestService_newCounter(svc, 3, &c), Object_OK);
	vt_child_ready();
	ITestService_delay(svc, 2000);
	_exit(3);	/* not reached: killed first */
}

static void invoke_primordial_sleep(void *arg)
{
	Object svc = vm_open_service(ITestService_UID);

	(void)arg;
	vt_child_ready();
	ITestService_primordial(svc, 2, 5000);
	_exit(3);
}

static void killed_client(void (*fn)(void *))
{
	Object svc = vm_open_service(ITestService_UID);
	uint32_t base = vm_settled_live_objects(svc);

	VT_ASSERT_EQ(vt_kill_midway(fn, NULL, 300, true), 1);
	/* The TEE still finishes the call; then everything is released. */
	vm_expect_live_objects(svc, base);
	vt_msleep(2500);
	vm_expect_live_objects(svc, base);
	Object_release(svc);
}

static void client_killed_while_tee_holds_the_call(void)
{
	killed_client(invoke_delay);
}

static void client_killed_in_a_callback(void)
{
	killed_client(invoke_primordial_sleep);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* The emulator's ioctls, driven by hand while no emulator runs. */
static void emulator_device_abi(void)
{
	struct objinvoke_emu_call call = { 0 };
	struct objinvoke_emu_done done = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned long nr = _IOC_NR(OBJINVOKE_EMU_IOC_WAIT);
	int emu;

	if (vt_emu_pid() < 0)
		vt_skip("no emulator");
	VT_ASSERT_OK(vt_emu_kill(SIGTERM));
	emu = open(OBJINVOKE_EMU_DEVICE, O_RDWR | O_CLOEXEC);
	VT_ASSERT_OK(emu);
	VT_ASSERT_ERRNO(open(OBJINVOKE_EMU_DEVICE, O_RDWR | O_CLOEXEC), EBUSY);

	VT_ASSERT_ERRNO(ioctl(emu, _IOC(_IOC_READ | _IOC_WRITE,
					OBJINVOKE_IOC_MAGIC, nr, 8), &call),
			EINVAL);
	call.flags = 1;
	VT_ASSERT_ERRNO(ioctl(emu, OBJINVOKE_EMU_IOC_WAIT, &call), EINVAL);
	call.flags = 0;
	call.session = 12345;
	VT_ASSERT_ERRNO(ioctl(emu, OBJINVOKE_EMU_IOC_WAIT, &call), ENOENT);
	done.session = 12345;
	VT_ASSERT_ERRNO(ioctl(emu, OBJINVOKE_EMU_IOC_COMPLETE, &done), ENOENT);
	done.session = 0;
	VT_ASSERT_ERRNO(ioctl(emu, OBJINVOKE_EMU_IOC_COMPLETE, &done), EINVAL);
	VT_ASSERT_ERRNO(ioctl(emu, OBJINVOKE_IOC_INVOKE, &done), ENOTTY);

	/* Nothing to take: WAIT blocks until a signal interrupts it. */
	call.session = 0;
	VT_ASSERT_OK(sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	VT_ASSERT_ERRNO(ioctl(emu, OBJINVOKE_EMU_IOC_WAIT, &call), EINTR);
	close(emu);
	VT_ASSERT_OK(vt_emu_start());
}

static const struct vt_case cases[] = {
	VT_CASE(client_killed_while_tee_holds_the_call),
	VT_CASE(client_killed_in_a_callback),
	VT_CASE_TIMEOUT(emulator_death_is_defunct_then_restart_works, 120),
	VT_CASE_TIMEOUT(emulator_device_abi, 120),
};

VT_MAIN(cases)
