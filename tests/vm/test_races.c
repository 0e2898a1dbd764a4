// SPDX-License-Identifier: MIT
/*
 * test_races: the races an audit found (docs/security.md), each made to
 * happen every run.  A test point of the test kernel's module holds one
 * thread inside the window, or a userfaultfd page stalls a user copy
 * there, while the test does what an attacker would on another thread:
 * kill the invoker, restart the emulator, complete someone else's session,
 * shut the server down.  Before the fixes these ended in use-after-free
 * reports, double puts, a hang, or an old object ID reaching the next TEE
 * where it named another client's object; the run fails on any of those.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "IClientEnv.h"
#include "ICallbackService.h"
#include "IMemService.h"
#include "ITestService.h"
#include "vmharness.h"
#include "vmhost.h"
#include "vmrace.h"
#include "vmutil.h"

/* Kill the emulator and start a fresh one: a new TEE generation. */
static void restart_emulator(void)
{
	VT_ASSERT_OK(vt_emu_kill(SIGKILL));
	VT_ASSERT_OK(vt_emu_start());
}

static void need_emulator(void)
{
	if (vt_emu_pid() < 0)
		vt_skip("no emulator to restart");
}

/* Every case starts with an emulator, whatever the last one left. */
static void start_emulator_if_gone(void)
{
	if (getenv("OBJINVOKE_EMU_PIDFILE") && vt_emu_pid() < 0 &&
	    vt_emu_start())
		vt_log("could not start an emulator");
}

/* ---- 1. RECV takes a request whose invoker is killed */

static void invoke_echo_and_block(int obj)
{
	char out[8];
	struct objinvoke_arg a[2] = { vm_buf("hi", 2), vm_buf(out, sizeof(out)) };

	vm_invoke_raw(obj, HOST_ECHO, ObjectCounts_pack(1, 1, 0, 0), a, NULL);
	_exit(3);	/* killed before the answer */
}

struct recv_job {
	int srv;
	struct inbox in;
	int ret, err;
};

static void *recv_thread(void *arg)
{
	struct recv_job *j = arg;

	inbox_arm(&j->in, 0);
	j->ret = ioctl(j->srv, OBJINVOKE_IOC_SERVER_RECV, &j->in.req);
	j->err = errno;
	return NULL;
}

static void recv_against_a_killed_invoker(void)
{
	struct recv_job j = { .srv = server_new() };
	int obj = server_add(j.srv, 0xabc, NULL), status;
	struct objinvoke_reply rep = { 0 };
	pthread_t t;
	pid_t pid;
	int hits;

	pid = fork();
	VT_ASSERT_OK(pid);
	if (pid == 0)
		invoke_echo_and_block(obj);

	hits = vm_tp_arm("recv_taken", 1500, 1);
	VT_ASSERT_EQ(pthread_create(&t, NULL, recv_thread, &j), 0);
	/* RECV holds the request, not yet delivered: kill its invoker. */
	vm_tp_wait("recv_taken", hits);
	VT_ASSERT_OK(kill(pid, SIGKILL));
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	VT_ASSERT(WIFSIGNALED(status));
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);

	/* The request is delivered whole; its answer goes nowhere. */
	VT_ASSERT_EQ(j.ret, 0);
	VT_ASSERT_EQ(j.in.req.kind, OBJINVOKE_REQUEST_INVOKE);
	VT_ASSERT_EQ(j.in.req.cookie, 0xabc);
	VT_ASSERT_EQ(j.in.args[0].size, 2);
	VT_ASSERT_MEM_EQ(j.in.buf, "hi", 2);
	rep.id = j.in.req.id;
	rep.result = Object_ERROR;
	VT_ASSERT_OK(ioctl(j.srv, OBJINVOKE_IOC_SERVER_REPLY, &rep));
	close(obj);
	close(j.srv);
}

/* ---- 2. the TEE dies while a call carrying an object is queued */

struct register_job {
	int root, creds;
	int ret, err;
	int32_t result;
	struct objinvoke_arg a[2];
};

static void *register_thread(void *arg)
{
	struct register_job *j = arg;

	j->a[0] = vm_obj(j->creds);
	j->a[1] = vm_obj(-1);
	j->ret = vm_invoke_raw(j->root, IRootObject_OP_registerWithCredentials,
			       ObjectCounts_pack(0, 0, 1, 1), j->a, &j->result);
	j->err = errno;
	return NULL;
}

static void emulator_death_with_an_object_in_flight(void)
{
	struct register_job j = { .root = vm_root_fd(), 
				  .creds = vm_dev_object(OBJINVOKE_IOC_GET_CREDENTIALS) };
	struct objinvoke_creds_info info;
	struct objinvoke_arg a[1] = { vm_buf(&info, sizeof(info)) };
	int32_t result;
	pthread_t t;
	int hits;

	need_emulator();
	/* A stopped emulator takes nothing: the call waits in the queue. */
	VT_ASSERT_OK(kill(vt_emu_pid(), SIGSTOP));
	VT_ASSERT_EQ(pthread_create(&t, NULL, register_thread, &j), 0);
	vt_msleep(300);
	/*
	 * The emulator's death wakes the invoker, which takes back the NS ID
	 * of its credentials; the flush of the dead TEE's table walks onto
	 * the same ID first and is held there until the invoker is done.
	 */
	vm_tp_arm("unsend", 300, 1);
	hits = vm_tp_arm("ns_flush_entry", 1000, 1);
	restart_emulator();
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
	VT_ASSERT_EQ(j.ret, 0);
	VT_ASSERT_EQ(j.result, Object_ERROR_DEFUNCT);
	VT_ASSERT_EQ(vm_tp_hits("ns_flush_entry"), hits + 1);

	/* The credentials object is whole: one put each, nothing more. */
	VT_ASSERT_OK(vm_invoke_raw(j.creds, OBJINVOKE_CREDS_OP_GET_INFO,
				   ObjectCounts_pack(0, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(info.pid, (uint32_t)getpid());
	close(j.creds);
	close(j.root);
}

/* ---- 3. a call stalled in its marshalling across an emulator restart */

struct echo_job {
	int svc;
	const void *in;
	char out[16];
	int ret;
	int32_t result;
};

static void *echo_thread(void *arg)
{
	struct echo_job *j = arg;
	struct objinvoke_arg a[2] = { vm_buf(j->in, 8),
				      vm_buf(j->out, sizeof(j->out)) };

	j->ret = vm_invoke_raw(j->svc, ITestService_OP_echo,
			       ObjectCounts_pack(1, 1, 0, 0), a, &j->result);
	return NULL;
}

static void stale_call_never_reaches_the_next_tee(void)
{
	struct vm_stall st;
	struct echo_job j;
	pthread_t t;
	int svc, other;

	need_emulator();
	vm_stall_new(&st);
	/* A fresh TEE numbers its objects from the start. */
	restart_emulator();
	svc = vm_service_fd_raw(ITestService_UID);
	j = (struct echo_job){ .svc = svc, .in = st.page };
	VT_ASSERT_EQ(pthread_create(&t, NULL, echo_thread, &j), 0);
	vm_stall_wait(&st);	/* copying the input into the message */

	/* The next TEE gives another client the same object ID. */
	restart_emulator();
	other = vm_service_fd_raw(ITestService_UID);

	vm_stall_release(&st, "stalled", 8);
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
	VT_ASSERT_EQ(j.ret, 0);
	/* Not the other client's object answering: the old TEE is gone. */
	VT_ASSERT_EQ(j.result, Object_ERROR_DEFUNCT);

	j.svc = other;
	j.in = "fresh!!";
	echo_thread(&j);
	VT_ASSERT_EQ(j.result, Object_OK);
	VT_ASSERT_MEM_EQ(j.out, "fresh!!", 8);
	close(other);
	close(svc);
	vm_stall_free(&st);
}

/* ---- 4. a RELEASE on its way across an emulator restart */

static void stale_release_never_reaches_the_next_tee(void)
{
	struct echo_job j = { .in = "release" };
	int old, hits;

	need_emulator();
	restart_emulator();
	old = vm_service_fd_raw(ITestService_UID);
	vt_msleep(500);	/* the client environment's release is done */
	/* The release of the last fd waits on its way to the TEE. */
	hits = vm_tp_arm("release_submit", 1500, 1);
	close(old);
	vm_tp_wait("release_submit", hits);

	/* Meanwhile a new TEE gives another client the same ID. */
	restart_emulator();
	j.svc = vm_service_fd_raw(ITestService_UID);
	vt_msleep(2000);	/* the old release has gone its way */

	echo_thread(&j);
	VT_ASSERT_EQ(j.ret, 0);
	VT_ASSERT_EQ(j.result, Object_OK);	/* not released under us */
	VT_ASSERT_MEM_EQ(j.out, "release", 8);
	close(j.svc);
}

/* ---- 5. a callback answered after the TEE that asked is gone */

struct call_job {
	int cbsvc, target;
	int ret;
	int32_t result;
};

static void *callback_call_thread(void *arg)
{
	struct call_job *j = arg;
	uint32_t op = HOST_ECHO;
	struct objinvoke_arg a[2] = { vm_buf(&op, sizeof(op)),
				      vm_obj(j->target) };

	j->ret = vm_invoke_raw(j->cbsvc, ICallbackService_OP_call,
			       ObjectCounts_pack(1, 0, 1, 0), a, &j->result);
	return NULL;
}

static void callback_answered_after_a_restart(void)
{
	int srv = server_new();
	struct call_job j = {
		.cbsvc = vm_service_fd_raw(ICallbackService_UID),
		.target = server_add(srv, 1, NULL),
	};
	struct objinvoke_reply rep = { 0 };
	struct inbox in;
	pthread_t t;

	need_emulator();
	VT_ASSERT_EQ(pthread_create(&t, NULL, callback_call_thread, &j), 0);
	inbox_arm(&in, 0);
	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in.req));
	/* The TEE waiting for this answer dies; another takes its place. */
	restart_emulator();
	rep.id = in.req.id;
	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_REPLY, &rep));
	/* The invocation ends (it used to hang for ever), DEFUNCT. */
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
	VT_ASSERT_EQ(j.ret, 0);
	VT_ASSERT_EQ(j.result, Object_ERROR_DEFUNCT);
	close(j.target);
	close(j.cbsvc);
	close(srv);
}

/* ---- 6. the emulator device: only the claiming thread completes */

struct emu_wait_job {
	int emu;
	struct objinvoke_emu_call call;
	int ret;
};

static void *emu_wait_thread(void *arg)
{
	struct emu_wait_job *w = arg;

	w->ret = ioctl(w->emu, OBJINVOKE_EMU_IOC_WAIT, &w->call);
	return NULL;
}

static int complete(int emu, uint64_t session, uint32_t status)
{
	struct objinvoke_emu_done d = { .session = session, .status = status };

	return ioctl(emu, OBJINVOKE_EMU_IOC_COMPLETE, &d);
}

static void complete_needs_the_claiming_thread(void)
{
	static char inbound[8192];
	struct register_job reg = { .root = vm_root_fd(), .creds = -1 };
	struct emu_wait_job w = { 0 };
	struct vm_stall st;
	pthread_t tw, tr;

	need_emulator();
	vm_stall_new(&st);
	/* This test is the TEE now. */
	VT_ASSERT_OK(vt_emu_kill(SIGKILL));
	w.emu = open(OBJINVOKE_EMU_DEVICE, O_RDWR | O_CLOEXEC);
	VT_ASSERT_OK(w.emu);	/* the last emulator's release is complete */
	VT_ASSERT_EQ(pthread_create(&tr, NULL, register_thread, &reg), 0);

	/* A WAIT claims the call and stalls copying it out. */
	w.call.inbound = (uintptr_t)inbound;
	w.call.in_size = sizeof(inbound);
	w.call.outbound = (uintptr_t)st.page;
	w.call.out_size = st.size;
	VT_ASSERT_EQ(pthread_create(&tw, NULL, emu_wait_thread, &w), 0);
	vm_stall_wait(&st);

	/* Another thread cannot complete it (it used to free the call). */
	VT_ASSERT_ERRNO(complete(w.emu, 1, OBJINVOKE_EMU_DONE), ENOENT);
	vm_stall_release(&st, "", 0);
	VT_ASSERT_EQ(pthread_join(tw, NULL), 0);
	VT_ASSERT_EQ(w.ret, 0);
	VT_ASSERT_EQ(w.call.session, 1);
	/* Nor once the WAIT is done: the session is the waiter's. */
	VT_ASSERT_ERRNO(complete(w.emu, w.call.session, OBJINVOKE_EMU_DONE),
			ENOENT);

	/* Closing the device ends the call, DEFUNCT, and frees the way. */
	close(w.emu);
	VT_ASSERT_EQ(pthread_join(tr, NULL), 0);
	VT_ASSERT_EQ(reg.ret, 0);
	VT_ASSERT_EQ(reg.result, Object_ERROR_DEFUNCT);
	close(reg.root);
	vm_stall_free(&st);
	VT_ASSERT_OK(vt_emu_start());
}

/* ---- 7. a parked invocation is abandoned as soon as it is published */

struct park_job {
	int cbsvc, srv, target;
	struct inbox in;
	struct objinvoke_invoke inv;
	int ret;
};

static void *park_thread(void *arg)
{
	struct park_job *p = arg;
	static uint32_t op = HOST_ECHO;
	static struct objinvoke_arg a[2];

	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_obj(p->target);
	inbox_arm(&p->in, 0);
	p->inv = (struct objinvoke_invoke){
		.op = ICallbackService_OP_call,
		.counts = ObjectCounts_pack(1, 0, 1, 0),
		.args = (uintptr_t)a,
		.flags = OBJINVOKE_INVOKE_SERVE,
		.server_fd = (uint32_t)p->srv,
		.request = (uintptr_t)&p->in.req,
	};
	p->ret = ioctl(p->cbsvc, OBJINVOKE_IOC_INVOKE, &p->inv);
	return NULL;
}

static void parked_then_shut_down(void)
{
	struct park_job p = { .cbsvc = vm_service_fd_raw(ICallbackService_UID),
			      .srv = server_new() };
	struct objinvoke_reply rep = { 0 };
	pthread_t t;
	int hits;

	p.target = server_add(p.srv, 7, NULL);
	hits = vm_tp_arm("park_published", 1000, 1);
	VT_ASSERT_EQ(pthread_create(&t, NULL, park_thread, &p), 0);
	vm_tp_wait("park_published", hits);
	/* The request is the thread's now: shut the server under it. */
	VT_ASSERT_OK(ioctl(p.srv, OBJINVOKE_IOC_SERVER_SHUTDOWN));
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);

	VT_ASSERT_EQ(p.ret, 0);
	VT_ASSERT_EQ(p.inv.state, OBJINVOKE_STATE_REQUEST);
	VT_ASSERT_EQ(p.in.req.cookie, 7);
	/* Abandoned: nothing is left to reply to. */
	rep.id = p.in.req.id;
	VT_ASSERT_ERRNO(ioctl(p.srv, OBJINVOKE_IOC_SERVER_REPLY, &rep), ENOENT);
	close(p.target);
	close(p.srv);
	close(p.cbsvc);
}

/* ---- 8. the TEE's fault on a bridge window races the mapping's release */

static void bridge_fault_during_release(int mem)
{
	int svc = vm_service_fd_raw(IMemService_UID);
	uint32_t probe = IMemService_PROBE_TOUCH_DURING_RELEASE;
	struct objinvoke_arg a[2] = { vm_buf(&probe, sizeof(probe)),
				      vm_obj(mem) };
	int32_t result;
	/* The emulator's touch stops between its page and its entry. */
	int hits = vm_tp_arm("bridge_fault", 1000, 1);

	VT_ASSERT_OK(vm_invoke_raw(svc, IMemService_OP_probe,
				   ObjectCounts_pack(1, 0, 1, 0), a, &result));
	/* OK: the page was not left mapped after the release. */
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(vm_tp_hits("bridge_fault"), hits + 1);
	close(svc);
}

static void bridge_fault_during_release_heap(void)
{
	int mem = vm_heap_alloc(64 * 1024, O_RDWR);

	bridge_fault_during_release(mem);
	close(mem);
}

static void bridge_fault_during_release_udmabuf(void)
{
	int mem = vm_udmabuf_alloc(64 * 1024);

	bridge_fault_during_release(mem);
	close(mem);
}

static const struct vt_case cases[] = {
	VT_CASE(recv_against_a_killed_invoker),
	VT_CASE(emulator_death_with_an_object_in_flight),
	VT_CASE(stale_call_never_reaches_the_next_tee),
	VT_CASE(stale_release_never_reaches_the_next_tee),
	VT_CASE(callback_answered_after_a_restart),
	VT_CASE(complete_needs_the_claiming_thread),
	VT_CASE(parked_then_shut_down),
	VT_CASE(bridge_fault_during_release_heap),
	VT_CASE(bridge_fault_during_release_udmabuf),
};
VT_MAIN_SETUP(cases, start_emulator_if_gone)
