// SPDX-License-Identifier: MIT
/*
 * test_observability: what an administrator can see of objinvoke with
 * the standard tools.  /proc/PID/fdinfo of an object fd says which object
 * it is (docs/uapi.md), and the module's tracepoints (docs/tracing.md)
 * record invocations, callbacks, releases and the TEE's mappings of
 * memory objects as they happen; /sys/kernel/debug/objinvoke shows the
 * live objects by kind, every server's requests and the TEE's state.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "IMemService.h"
#include "ITestService.h"
#include "MinkCom.h"
#include "libobject.h"
#include "vmharness.h"
#include "vmhost.h"
#include "vmutil.h"

#define TRACEFS "/sys/kernel/tracing"

/* The whole of a small file (procfs, tracefs) into a malloc'd string. */
static char *slurp(const char *path)
{
	size_t len = 0, cap = 4096;
	char *s = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	VT_ASSERT(s != NULL);
	VT_ASSERT_OK(fd);
	while ((n = read(fd, s + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			cap *= 2;
			s = realloc(s, cap);
			VT_ASSERT(s != NULL);
		}
	}
	VT_ASSERT_OK((int)n);
	close(fd);
	s[len] = '\0';
	return s;
}

static char *fdinfo(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return slurp(path);
}

/* The server number a server fd's fdinfo gives. */
static unsigned long long server_id(int srv)
{
	char *info = fdinfo(srv), *p = strstr(info, "server-id:\t");
	unsigned long long id;

	if (!p)
		vt_fail("no server-id in:\n%s", info);
	id = strtoull(p + strlen("server-id:\t"), NULL, 10);
	free(info);
	return id;
}

/* The value of "key:\t..." in an fdinfo text, to the end of its line. */
static void expect_line(const char *text, const char *line)
{
	if (!strstr(text, line))
		vt_fail("no line \"%s\" in:\n%s", line, text);
}

static void fdinfo_of_a_tee_object(void)
{
	int root = vm_root_fd();
	char *info = fdinfo(root);

	expect_line(info, "objinvoke-kind:\ttee\n");
	expect_line(info, "tee-id:\t0x1\n");
	expect_line(info, "tee-generation:\t");
	VT_ASSERT(strstr(info, "defunct") == NULL);
	free(info);
	close(root);
}

static void fdinfo_of_a_credentials_object(void)
{
	int creds = vm_dev_object(OBJINVOKE_IOC_GET_CREDENTIALS);
	char *info = fdinfo(creds), want[64];

	expect_line(info, "objinvoke-kind:\tcredentials\n");
	snprintf(want, sizeof(want), "credentials-pid:\t%d\n", (int)getpid());
	expect_line(info, want);
	snprintf(want, sizeof(want), "credentials-uid:\t%u\n", getuid());
	expect_line(info, want);
	free(info);
	close(creds);
}

/* A hosted object names its handle, and says when its server is gone. */
static void fdinfo_of_a_hosted_object(void)
{
	int srv = server_new(), obj;
	uint32_t handle;
	char *info, want[64];

	obj = server_add(srv, 0x5eed, &handle);
	VT_ASSERT_OK(obj);
	info = fdinfo(obj);
	expect_line(info, "objinvoke-kind:\tuser\n");
	snprintf(want, sizeof(want), "handle:\t%u\n", handle);
	expect_line(info, want);
	snprintf(want, sizeof(want), "server:\t%llu\n", server_id(srv));
	expect_line(info, want);
	VT_ASSERT(strstr(info, "(dead)") == NULL);
	free(info);

	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_SHUTDOWN));
	info = fdinfo(obj);
	expect_line(info, " (dead)\n");
	free(info);
	close(obj);
	close(srv);
}

/*
 * After a TEE restart an old TEE object shows its generation as ended
 * (the root object alone always stands for the TEE attached now).
 */
static void fdinfo_of_a_defunct_tee_object(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	char *info = fdinfo(svc);

	VT_ASSERT(strstr(info, "defunct") == NULL);
	free(info);
	VT_ASSERT_OK(vt_emu_kill(SIGKILL));
	VT_ASSERT_OK(vt_emu_start());
	info = fdinfo(svc);
	expect_line(info, " (defunct)\n");
	free(info);
	close(svc);
}

static void tracefs_write(const char *file, const char *text)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	VT_ASSERT_OK(fd);
	VT_ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int32_t answer_callback(ObjectCxt cxt, ObjectOp op, ObjectArg *a,
			       ObjectCounts k)
{
	return ObjectOp_isLocal(op) ? Object_OK : (int32_t)(op + 1000);
}

/*
 * One invocation of each kind the tracepoints name: a plain invoke, a
 * callback into this process's own object, and a memory object the TEE
 * maps and unmaps; each must leave its event in the trace buffer.
 */
static void tracepoints_record_the_data_path(void)
{
	Object cb_svc = vm_open_service(ICallbackService_UID);
	Object mem_svc = vm_open_service(IMemService_UID);
	Object local = { answer_callback, NULL }, mem = Object_NULL;
	static const char *const events[] = {
		"objinvoke_invoke: ", "objinvoke_invoke_done: ",
		"objinvoke_callback: ", "objinvoke_map: ",
		"objinvoke_unmap: ", "objinvoke_release: ",
	};
	char *trace;
	size_t i;

	if (access(TRACEFS "/trace", F_OK) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		vt_skip("no tracefs");
	tracefs_write("trace", "");
	tracefs_write("events/objinvoke/enable", "1");

	VT_ASSERT_EQ(ICallbackService_call(cb_svc, local, 7), 1007);
	VT_ASSERT_EQ(MinkCom_getMemoryObject(Object_NULL, 4096, &mem),
		     Object_OK);
	VT_ASSERT_EQ(IMemService_fill(mem_svc, mem, 0, 4096, 0x5a), Object_OK);
	Object_ASSIGN_NULL(mem);
	Object_ASSIGN_NULL(mem_svc);
	Object_ASSIGN_NULL(cb_svc);
	vt_msleep(200);	/* releases of TEE objects run on a workqueue */

	tracefs_write("events/objinvoke/enable", "0");
	trace = slurp(TRACEFS "/trace");
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (!strstr(trace, events[i]))
			vt_fail("no %s event in the trace:\n%s", events[i],
				trace);
	/* The callback this process answered, with its own result. */
	VT_ASSERT(strstr(trace, "op=0x7 result=1007") != NULL);
	free(trace);
}

#define DEBUGFS "/sys/kernel/debug/objinvoke/"

/* The number after "name" in a debugfs snapshot (objects: "tee   3"). */
static long debugfs_count(const char *file, const char *name)
{
	char *text = slurp(file), *p = strstr(text, name);
	long n;

	if (!p)
		vt_fail("no \"%s\" in %s:\n%s", name, file, text);
	n = strtol(p + strlen(name), NULL, 10);
	free(text);
	return n;
}

static void debugfs_counts_objects_by_kind(void)
{
	long before = debugfs_count(DEBUGFS "objects", "credentials");
	int creds = vm_dev_object(OBJINVOKE_IOC_GET_CREDENTIALS);

	VT_ASSERT_EQ(debugfs_count(DEBUGFS "objects", "credentials"),
		     before + 1);
	close(creds);
	VT_ASSERT_EQ(debugfs_count(DEBUGFS "objects", "credentials"), before);
	VT_ASSERT_GE(debugfs_count(DEBUGFS "objects", "tee"), 0);
}

struct blocked_invoke {
	int obj;
	int ret;
	int32_t result;
};

static void *invoke_hosted(void *arg)
{
	struct blocked_invoke *b = arg;

	b->ret = vm_invoke_raw(b->obj, 0, 0, NULL, &b->result);
	return NULL;
}

/* Server srv's line in the servers file (it names this process), or fails. */
static char *server_line(int srv)
{
	char *text = slurp(DEBUGFS "servers"), *line, *end, want[64];

	snprintf(want, sizeof(want), "server %llu pid %d ", server_id(srv),
		 (int)getpid());
	line = strstr(text, want);
	if (!line)
		vt_fail("no \"%s\" in:\n%s", want, text);
	end = strchr(line, '\n');
	if (end)
		*end = '\0';
	memmove(text, line, strlen(line) + 1);
	return text;
}

/* A server's line follows its requests: queued, then delivered. */
static void debugfs_lists_servers_and_requests(void)
{
	struct blocked_invoke b = { .ret = -1 };
	int srv = server_new(), second;
	struct objinvoke_request req = { 0 };
	pthread_t t;
	char *line;
	int i;

	b.obj = server_add(srv, 1, NULL);
	second = server_add(srv, 2, NULL);
	VT_ASSERT_OK(second);
	line = server_line(srv);
	if (!strstr(line, " objects 2 queued 0 delivered 0 parked 0 "))
		vt_fail("unexpected: %s", line);
	free(line);

	VT_ASSERT_EQ(pthread_create(&t, NULL, invoke_hosted, &b), 0);
	for (i = 0; i < 200; i++) {	/* until the request is queued */
		line = server_line(srv);
		if (strstr(line, " queued 1 "))
			break;
		free(line);
		line = NULL;
		vt_msleep(10);
	}
	VT_ASSERT(line != NULL);
	free(line);

	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &req));
	line = server_line(srv);
	if (!strstr(line, " queued 0 delivered 1 parked 0 "))
		vt_fail("unexpected after RECV: %s", line);
	free(line);

	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_SHUTDOWN));
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
	VT_ASSERT_EQ(b.ret, 0);
	VT_ASSERT_NE(b.result, 0);	/* the dead server's DEFUNCT */
	line = server_line(srv);
	if (!strstr(line, " dead "))
		vt_fail("not dead after SHUTDOWN: %s", line);
	free(line);
	close(second);
	close(b.obj);
	close(srv);
}

/* The TEE file follows the emulator: a restart is a new generation. */
static void debugfs_shows_the_tee(void)
{
	long gen = debugfs_count(DEBUGFS "tee", "generation: ");
	char *text = slurp(DEBUGFS "tee");

	if (!strstr(text, "backend: emulator, attached\n"))
		vt_fail("unexpected:\n%s", text);
	free(text);
	VT_ASSERT_OK(vt_emu_kill(SIGKILL));
	text = slurp(DEBUGFS "tee");
	if (!strstr(text, "not attached\n"))
		vt_fail("attached without an emulator:\n%s", text);
	free(text);
	VT_ASSERT_OK(vt_emu_start());
	VT_ASSERT_EQ(debugfs_count(DEBUGFS "tee", "generation: "), gen + 1);
}

static const struct vt_case cases[] = {
	VT_CASE(debugfs_counts_objects_by_kind),
	VT_CASE(debugfs_lists_servers_and_requests),
	VT_CASE(debugfs_shows_the_tee),
	VT_CASE(fdinfo_of_a_tee_object),
	VT_CASE(fdinfo_of_a_credentials_object),
	VT_CASE(fdinfo_of_a_hosted_object),
	VT_CASE(tracepoints_record_the_data_path),
	VT_CASE(fdinfo_of_a_defunct_tee_object),
};

/* libobject's process-wide server fd (for the callback's local object)
 * lives as long as the process: make it before the fd counts start. */
static void make_the_server(void)
{
	int fd;

	VT_ASSERT_EQ(objinvoke_server_fd(&fd), Object_OK);
}

VT_MAIN_SETUP(cases, make_the_server)
