// SPDX-License-Identifier: MIT
/*
 * vmharness.c - fork-per-case runner for the VM test programs; see vmharness.h.
 */
#include "vmharness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Exit statuses of a case's child. */
enum {
	CHILD_PASS = 0,
	CHILD_FAIL = 1,
	CHILD_SKIP = 77,
	CHILD_FD_LEAK = 78,
};

/* Write end of vt_kill_midway()'s pipe, in its child; -1 elsewhere. */
static int ready_fd = -1;

void vt_msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One write per line, so lines of concurrent threads do not mix. */
	printf("%s%s\n", prefix, buf);
	fflush(stdout);
}

void vt_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("# ", fmt, ap);
	va_end(ap);
}

void vt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("# FAIL: ", fmt, ap);
	va_end(ap);
	_exit(CHILD_FAIL);
}

void vt_fail_at(const char *file, int line, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprint(prefix, fmt, ap);
	va_end(ap);
	_exit(CHILD_FAIL);
}

void vt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("# skip: ", fmt, ap);
	va_end(ap);
	_exit(CHILD_SKIP);
}

int vt_count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!dir) {
		perror("opendir /proc/self/fd");
		return -1;
	}
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1; /* the directory's own fd */
}

static double timeout_scale(void)
{
	const char *s = getenv("VT_TIMEOUT_SCALE");
	double v = s ? strtod(s, NULL) : 1.0;

	return v > 0 ? v : 1.0;
}

void (*vt_case_setup)(void);

static void run_in_child(const struct vt_case *c)
{
	int before, after;

	setpgid(0, 0);
	/* State a case may make once per process is not a leak of the case. */
	if (vt_case_setup)
		vt_case_setup();
	before = vt_count_fds();
	c->fn();
	after = vt_count_fds();
	if (before != after) {
		printf("# %s: %d fds open before the case, %d after\n",
		       c->name, before, after);
		fflush(stdout);
		_exit(CHILD_FD_LEAK);
	}
	fflush(stdout);
	_exit(CHILD_PASS);
}

const char *vt_outcome_name(enum vt_outcome o)
{
	static const char *const names[] = {
		[VT_PASS] = "pass", [VT_FAIL] = "fail", [VT_SKIP] = "skip",
		[VT_FD_LEAK] = "fd leak", [VT_TIMEOUT] = "timeout",
		[VT_CRASH] = "crash",
	};

	return names[o];
}

/* Wait for pid until deadline; kill its process group at the deadline. */
static enum vt_outcome reap(pid_t pid, double deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			break;
		if (r == -1 && errno != EINTR) {
			perror("waitpid");
			return VT_CRASH;
		}
		if (now() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) == -1 && errno == EINTR)
				;
			return VT_TIMEOUT;
		}
		vt_msleep(10);
	}
	/* Whatever the case left running in its group goes too. */
	kill(-pid, SIGKILL);
	if (WIFEXITED(*status)) {
		switch (WEXITSTATUS(*status)) {
		case CHILD_PASS: return VT_PASS;
		case CHILD_FAIL: return VT_FAIL;
		case CHILD_SKIP: return VT_SKIP;
		case CHILD_FD_LEAK: return VT_FD_LEAK;
		}
	}
	return VT_CRASH;
}

enum vt_outcome vt_run_case(const struct vt_case *c, unsigned int number)
{
	unsigned int secs = c->timeout ? c->timeout : VT_DEFAULT_TIMEOUT;
	double limit = secs * timeout_scale();
	double start;
	enum vt_outcome o;
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	start = now();
	pid = fork();
	if (pid == -1) {
		perror("fork");
		printf("not ok %u - %s (fork failed)\n", number, c->name);
		return VT_CRASH;
	}
	if (pid == 0)
		run_in_child(c);
	setpgid(pid, pid); /* as the child does: no race with kill(-pid) */
	o = reap(pid, start + limit, &status);

	switch (o) {
	case VT_PASS:
		printf("ok %u - %s\n", number, c->name);
		break;
	case VT_SKIP:
		printf("ok %u - %s # SKIP\n", number, c->name);
		break;
	case VT_TIMEOUT:
		printf("not ok %u - %s (timeout: killed after %.0f s)\n",
		       number, c->name, limit);
		break;
	case VT_CRASH:
		if (WIFSIGNALED(status))
			printf("not ok %u - %s (killed by signal %d, %s)\n",
			       number, c->name, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
		else
			printf("not ok %u - %s (exit status %d)\n", number,
			       c->name, WEXITSTATUS(status));
		break;
	default:
		printf("not ok %u - %s (%s)\n", number, c->name,
		       vt_outcome_name(o));
		break;
	}
	fflush(stdout);
	return o;
}

static const char *prog_name(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	return slash ? slash + 1 : argv0;
}

int vt_main(int argc, char **argv, const struct vt_case *cases, size_t n)
{
	unsigned int passed = 0, failed = 0, skipped = 0, number = 0;
	const char *prog = prog_name(argv[0]);
	size_t i;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		for (i = 0; i < n; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	for (a = 1; a < argc; a++) {
		for (i = 0; i < n; i++)
			if (strcmp(argv[a], cases[i].name) == 0)
				break;
		if (i == n) {
			fprintf(stderr, "%s: no case %s (-l lists them)\n",
				prog, argv[a]);
			return 1;
		}
	}

	for (i = 0; i < n; i++) {
		bool wanted = argc == 1;

		for (a = 1; a < argc && !wanted; a++)
			wanted = strcmp(argv[a], cases[i].name) == 0;
		if (!wanted)
			continue;
		switch (vt_run_case(&cases[i], ++number)) {
		case VT_PASS: passed++; break;
		case VT_SKIP: skipped++; break;
		default: failed++; break;
		}
	}
	printf("# %s: %u passed, %u failed, %u skipped\n", prog, passed,
	       failed, skipped);
	if (failed)
		return 1;
	return passed ? 0 : 77;
}

/* --- vt_kill_midway */

void vt_child_ready(void)
{
	char c = 'r';

	if (ready_fd < 0)
		return;
	if (write(ready_fd, &c, 1) != 1)
		_exit(CHILD_FAIL);
	close(ready_fd);
	ready_fd = -1;
}

int vt_kill_midway(void (*fn)(void *arg), void *arg, unsigned int delay_ms,
		   bool wait_ready)
{
	struct pollfd pfd;
	int p[2], status;
	ssize_t got;
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		ready_fd = p[1];
		if (!wait_ready)
			vt_child_ready();
		fn(arg);
		_exit(0);
	}
	close(p[1]);

	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	if (poll(&pfd, 1, 30000) == 1) {
		got = read(p[0], &c, 1);
		if (got == 1)
			vt_msleep(delay_ms);
	}
	close(p[0]);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -1;
}

/* --- the emulator */

static const char *emu_pidfile(void)
{
	return getenv("OBJINVOKE_EMU_PIDFILE");
}

/* Threads of pid still listed (a zombie leader lists those still exiting). */
static int threads_listed(pid_t pid)
{
	char path[64];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

/*
 * Whether any thread of pid may still run, its exit included: the leader
 * turns zombie while other threads still close the process's files (for
 * the emulator: while its release of the device runs).
 */
static bool alive(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	/* "pid (comm) S ...": the state follows the last ')'. */
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	if (state == 'Z' || state == 'X')
		return threads_listed(pid) > 1;
	return state != 0;
}

int vt_emu_pid(void)
{
	const char *file = emu_pidfile();
	int pid = -1;
	FILE *f;

	if (!file || !(f = fopen(file, "re")))
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid > 0 && alive(pid) ? pid : -1;
}

int vt_emu_kill(int sig)
{
	int pid = vt_emu_pid(), i;

	if (pid < 0 || kill(pid, sig) == -1)
		return -1;
	for (i = 0; i < 1000; i++) {
		if (!alive(pid))
			return 0;
		vt_msleep(10);
	}
	return -1;
}

int vt_emu_start(void)
{
	const char *file = emu_pidfile(), *log = getenv("OBJINVOKE_EMU_LOG");
	pid_t pid;
	int fd, i;

	if (!file)
		return -1;
	unlink(file);
	fflush(stdout);
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		/* Its own session: a case's cleanup must not kill it. */
		setsid();
		fd = open(log ? log : "/dev/null",
			  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		execlp("objinvoke-emu", "objinvoke-emu", "--pidfile", file,
		       (char *)NULL);
		_exit(127);
	}
	/* As init.sh does: it writes the pid file once attached and serving. */
	for (i = 0; i < 6000; i++) {
		if (vt_emu_pid() == pid)
			return 0;
		if (!alive(pid))
			return -1;
		vt_msleep(10);
	}
	return -1;
}
