// SPDX-License-Identifier: MIT
/*
 * test_credentials: what a credentials object says of a process, and that
 * a process cannot make it say something else.  uid, gid and pid are read
 * in the initial namespaces; the executable's path is reported only when
 * the system's init process sees that very file at that path, so a process
 * that bind-mounts its own binary over a trusted path in a mount
 * namespace of its own (as root, or as any user through a user namespace)
 * is not reported as the trusted program.
 *
 * The faked program is this test binary itself, run in "probe" mode: with
 * OBJINVOKE_CREDS_PROBE=FD in its environment it writes what its own
 * credentials object says to FD and exits.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmharness.h"
#include "vmutil.h"

/* A trusted-looking program the VM has, to be impersonated. */
#define TRUSTED_PATH "/usr/sbin/objinvoke-emu"

struct creds_report {
	struct objinvoke_creds_info info;
	char exe[256];
	uint64_t exe_len;
};

/* This process's credentials object, asked for everything it says. */
static int read_own_creds(struct creds_report *r)
{
	struct objinvoke_get_object g = { 0 };
	struct objinvoke_arg a[1];
	int dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	int32_t result;

	if (dev < 0 || ioctl(dev, OBJINVOKE_IOC_GET_CREDENTIALS, &g))
		return -1;
	close(dev);
	a[0] = vm_buf(&r->info, sizeof(r->info));
	if (vm_invoke_raw((int)g.fd, OBJINVOKE_CREDS_OP_GET_INFO,
			  ObjectCounts_pack(0, 1, 0, 0), a, &result) || result)
		return -1;
	a[0] = vm_buf(r->exe, sizeof(r->exe));
	if (vm_invoke_raw((int)g.fd, OBJINVOKE_CREDS_OP_GET_EXE,
			  ObjectCounts_pack(0, 1, 0, 0), a, &result) || result)
		return -1;
	r->exe_len = a[0].size;
	close((int)g.fd);
	return 0;
}

/* Probe mode: report to the fd named by OBJINVOKE_CREDS_PROBE. */
static int creds_probe(const char *fd_name)
{
	struct creds_report r = { 0 };
	int fd = atoi(fd_name);

	if (read_own_creds(&r))
		return 1;
	return write(fd, &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1;
}

/* A set-up step of the impersonator failed: say which, and why. */
static void setup_failed(int code, const char *what)
{
	dprintf(STDERR_FILENO, "# impersonator: %s: %s\n", what,
		strerror(errno));
	_exit(code);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		setup_failed(20, path);
	close(fd);
}

/*
 * In a child: enter new namespaces (as an unprivileged user through a
 * user namespace when as_user), bind this binary over TRUSTED_PATH, run
 * it from there in probe mode.  Exit codes of 10 and up: a set-up step
 * failed; 77: the kernel refuses user namespaces to users.
 */
static void impersonate(int report_fd, bool as_user)
{
	char self[256], fd_name[16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		setup_failed(10, "readlink");
	self[n] = '\0';
	if (as_user) {
		if (setgid(1000) || setuid(1000))
			setup_failed(11, "setuid");
		/* Changing uid made us undumpable: /proc/self would be root's. */
		prctl(PR_SET_DUMPABLE, 1);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			_exit(errno == EPERM || errno == EINVAL ? 77 : 12);
		write_file("/proc/self/setgroups", "deny");
		write_file("/proc/self/uid_map", "0 1000 1");
		write_file("/proc/self/gid_map", "0 1000 1");
	} else if (unshare(CLONE_NEWNS)) {
		setup_failed(13, "unshare");
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		setup_failed(14, "make / private");
	if (mount(self, TRUSTED_PATH, NULL, MS_BIND, NULL))
		setup_failed(15, "bind mount");
	snprintf(fd_name, sizeof(fd_name), "%d", report_fd);
	setenv("OBJINVOKE_CREDS_PROBE", fd_name, 1);
	execl(TRUSTED_PATH, "objinvoke-emu", (char *)NULL);
	setup_failed(16, "exec");
}

static void faked_path_is_not_reported(bool as_user)
{
	struct creds_report r = { 0 };
	int p[2], status;
	ssize_t n;
	pid_t pid;

	VT_ASSERT_OK(pipe(p));	/* not CLOEXEC: the probe writes to it */
	pid = fork();
	VT_ASSERT_OK(pid);
	if (pid == 0) {
		close(p[0]);
		impersonate(p[1], as_user);
	}
	close(p[1]);
	n = read(p[0], &r, sizeof(r));
	close(p[0]);
	VT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		vt_skip("no user namespaces for users here");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		vt_fail("the impersonator ended with status %#x", status);
	VT_ASSERT_EQ(n, (ssize_t)sizeof(r));

	/* Who it really is: the namespaces change none of it. */
	VT_ASSERT_EQ(r.info.uid, as_user ? 1000 : 0);
	VT_ASSERT_EQ(r.info.pid, pid);
	/* And not the program it pretends to be. */
	VT_ASSERT(r.info.flags & OBJINVOKE_CREDS_EXE_UNVERIFIED);
	VT_ASSERT_EQ(r.exe_len, 0);
}

static void bind_mount_in_a_mount_namespace(void)
{
	faked_path_is_not_reported(false);
}

static void bind_mount_through_a_user_namespace(void)
{
	faked_path_is_not_reported(true);
}

static void credentials_describe_the_caller(void)
{
	int dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	struct objinvoke_get_object g = { 0 };
	struct objinvoke_creds_info info = { 0 };
	struct objinvoke_arg a[1];
	char exe[256], want[256];
	ssize_t want_len;
	int32_t result;

	VT_ASSERT_OK(dev);
	VT_ASSERT_OK(ioctl(dev, OBJINVOKE_IOC_GET_CREDENTIALS, &g));
	close(dev);

	a[0] = vm_buf(&info, sizeof(info));
	VT_ASSERT_OK(vm_invoke_raw((int)g.fd, OBJINVOKE_CREDS_OP_GET_INFO,
				   ObjectCounts_pack(0, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(a[0].size, sizeof(info));
	VT_ASSERT_EQ(info.uid, geteuid());
	VT_ASSERT_EQ(info.gid, getegid());
	VT_ASSERT_EQ(info.pid, getpid());
	VT_ASSERT_EQ(info.flags, 0);	/* run from where the system sees it */

	want_len = readlink("/proc/self/exe", want, sizeof(want) - 1);
	VT_ASSERT_GT(want_len, 0);
	a[0] = vm_buf(exe, sizeof(exe));
	VT_ASSERT_OK(vm_invoke_raw((int)g.fd, OBJINVOKE_CREDS_OP_GET_EXE,
				   ObjectCounts_pack(0, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(a[0].size, want_len);
	VT_ASSERT_MEM_EQ(exe, want, (size_t)want_len);

	a[0] = vm_buf(&info, 4);
	VT_ASSERT_OK(vm_invoke_raw((int)g.fd, OBJINVOKE_CREDS_OP_GET_INFO,
				   ObjectCounts_pack(0, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_ERROR_SIZE_OUT);
	close((int)g.fd);
}


static const struct vt_case cases[] = {
	VT_CASE(credentials_describe_the_caller),
	VT_CASE(bind_mount_in_a_mount_namespace),
	VT_CASE(bind_mount_through_a_user_namespace),
};

int main(int argc, char **argv)
{
	const char *probe = getenv("OBJINVOKE_CREDS_PROBE");

	if (probe)
		return creds_probe(probe);
	return vt_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
