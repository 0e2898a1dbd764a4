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
#include <sys/mman.h>
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

/*
 * Where the TAP stream goes.  In vt_main()'s process: a copy of stdout
 * taken before any case runs, written by this process alone.  In a case's
 * child: the write end of the case's diagnostics pipe, which the parent
 * copies to the stream while it waits (so no process but the harness's
 * own holds the program's stdout: a reader sees its end when the harness
 * exits, even if a case left processes behind).  The child points its
 * stdout at stderr: what a case, a library or a program it runs prints
 * there cannot break the stream.
 */
static int tap_fd = STDOUT_FILENO;

/* A case's skip reason, written by its child, read by the parent. */
#define VT_REASON_MAX 200
static char *skip_reason;

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

/*
 * One "# "-prefixed diagnostic line on the TAP stream, written with one
 * write() so that lines of concurrent threads and processes do not mix.
 */
static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), "%s", prefix);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	n = (int)strlen(buf);
	buf[n++] = '\n';
	if (write(tap_fd, buf, (size_t)n) < 0)
		return; /* nowhere left to say it */
}

static void print_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void print_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("# ", fmt, ap);
	va_end(ap);
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

	if (skip_reason) {
		char *c;

		va_start(ap, fmt);
		vsnprintf(skip_reason, VT_REASON_MAX, fmt, ap);
		va_end(ap);
		/* The directive is one line and ends at the line's end. */
		for (c = skip_reason; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
	}
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

static void run_in_child(const struct vt_case *c, const int diag[2])
{
	int before, after;

	setpgid(0, 0);
	if (diag[1] != -1) {
		close(diag[0]);
		if (tap_fd != STDOUT_FILENO)
			close(tap_fd);
		tap_fd = diag[1];
		/* Anything printed to stdout from here on is not TAP. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
	}
	/* State a case may make once per process is not a leak of the case. */
	if (vt_case_setup)
		vt_case_setup();
	before = vt_count_fds();
	c->fn();
	after = vt_count_fds();
	fflush(stdout);
	if (before != after) {
		print_diag("fd leak: %d fds open before the case, %d after",
			   before, after);
		_exit(CHILD_FD_LEAK);
	}
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

/*
 * Copy what the case's child wrote to its diagnostics pipe to the stream,
 * waiting up to ms for it.  Its writes are lines of at most PIPE_BUF
 * bytes, each whole in the pipe, and this process is the stream's only
 * writer: lines never mix.  Closes *fd at the pipe's end.
 */
static void copy_diagnostics(int *fd, int ms)
{
	struct pollfd pfd = { .fd = *fd, .events = POLLIN };
	char buf[65536];
	ssize_t got;

	if (*fd == -1) {
		vt_msleep((unsigned int)ms);
		return;
	}
	if (poll(&pfd, 1, ms) <= 0)
		return;
	while ((got = read(*fd, buf, sizeof(buf))) > 0)
		if (write(tap_fd, buf, (size_t)got) < 0)
			break;
	if (got == 0) {
		close(*fd);
		*fd = -1;
	}
}

/*
 * Wait for pid until deadline, copying its diagnostics; kill its process
 * group at the deadline.
 */
static enum vt_outcome reap(pid_t pid, double deadline, int *status,
			    int *diag)
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
		copy_diagnostics(diag, 10);
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

/* Shared with every case's child, so its vt_skip() can name its reason. */
static void map_skip_reason(void)
{
	void *p;

	if (skip_reason)
		return;
	p = mmap(NULL, VT_REASON_MAX, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		skip_reason = p;
}

/*
 * The result line of one case (KTAP's and TAP 13's "ok N name" form),
 * after a diagnostic that says why a case failed where its child could
 * not say it itself.
 */
static void print_result(enum vt_outcome o, const struct vt_case *c,
			 unsigned int number, double limit, int status)
{
	char line[512];

	switch (o) {
	case VT_TIMEOUT:
		print_diag("timeout: killed after %.0f s", limit);
		break;
	case VT_CRASH:
		if (WIFSIGNALED(status))
			print_diag("crash: killed by signal %d (%s)",
				   WTERMSIG(status),
				   strsignal(WTERMSIG(status)));
		else if (WIFEXITED(status))
			print_diag("crash: exit status %d",
				   WEXITSTATUS(status));
		break;
	default:
		break;
	}
	if (o == VT_PASS)
		snprintf(line, sizeof(line), "ok %u %s\n", number, c->name);
	else if (o == VT_SKIP)
		snprintf(line, sizeof(line), "ok %u %s # SKIP %s\n", number,
			 c->name, skip_reason && *skip_reason ? skip_reason
							      : "(no reason)");
	else
		snprintf(line, sizeof(line), "not ok %u %s\n", number,
			 c->name);
	if (write(tap_fd, line, strlen(line)) < 0)
		return;
}

enum vt_outcome vt_run_case(const struct vt_case *c, unsigned int number)
{
	unsigned int secs = c->timeout ? c->timeout : VT_DEFAULT_TIMEOUT;
	double limit = secs * timeout_scale();
	int status = 0, diag[2] = { -1, -1 };
	enum vt_outcome o;
	double start;
	pid_t pid;

	map_skip_reason();
	if (skip_reason)
		skip_reason[0] = '\0';
	if (pipe2(diag, O_CLOEXEC) == -1)
		diag[0] = diag[1] = -1; /* the child writes to the stream */
	else
		fcntl(diag[0], F_SETFL, O_NONBLOCK);
	fflush(stdout);
	fflush(stderr);
	start = now();
	pid = fork();
	if (pid == 0)
		run_in_child(c, diag);
	if (diag[1] != -1)
		close(diag[1]);
	if (pid == -1) {
		print_diag("fork: %s", strerror(errno));
		o = VT_CRASH;
	} else {
		/* As the child does: no race with kill(-pid). */
		setpgid(pid, pid);
		o = reap(pid, start + limit, &status, &diag[0]);
	}
	/* The last lines; what the case's group left behind is dead. */
	if (diag[0] != -1) {
		copy_diagnostics(&diag[0], 0);
		close(diag[0]);
	}
	print_result(o, c, number, limit, status);
	return o;
}

static const char *prog_name(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	return slash ? slash + 1 : argv0;
}

static void usage(const char *prog, const struct vt_case *cases, size_t n)
{
	size_t i;

	printf("Usage: %s [CASE...]\n"
	       "Runs the named cases of this VM test (default: all), each in a\n"
	       "child of its own, and reports them in TAP version 13 (KTAP's\n"
	       "form) on stdout; exits 1 if a case failed, else 0.\n"
	       "VT_TIMEOUT_SCALE=F multiplies every case's timeout.\n"
	       "  -h, --help     this text and the cases\n"
	       "  --version      the objinvoke version\n"
	       "  -l, --list     the cases' names alone, one a line\n"
	       "Cases (timeout in seconds):\n", prog);
	for (i = 0; i < n; i++)
		printf("  %-40s %u\n", cases[i].name,
		       cases[i].timeout ? cases[i].timeout
					: VT_DEFAULT_TIMEOUT);
}

static bool wanted(const char *name, int argc, char **argv)
{
	int a;

	for (a = 1; a < argc; a++)
		if (strcmp(argv[a], name) == 0)
			return true;
	return argc == 1;
}

/*
 * Options are the first argument alone; the rest name cases.  Returns
 * the exit status when the command line was all there was to do, -1 to
 * go on and run cases.
 */
static int handle_options(int argc, char **argv, const char *prog,
			  const struct vt_case *cases, size_t n)
{
	size_t i;
	int a;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0)) {
		usage(prog, cases, n);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", prog, OBJINVOKE_VERSION);
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "-l") == 0 ||
			 strcmp(argv[1], "--list") == 0)) {
		for (i = 0; i < n; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	for (a = 1; a < argc; a++) {
		for (i = 0; i < n && strcmp(argv[a], cases[i].name); i++)
			;
		if (i == n) {
			fprintf(stderr, "%s: no case %s (--help lists them)\n",
				prog, argv[a]);
			return 2;
		}
	}
	return -1;
}

int vt_main(int argc, char **argv, const struct vt_case *cases, size_t n)
{
	unsigned int passed = 0, failed = 0, skipped = 0, number = 0, plan = 0;
	const char *prog = prog_name(argv[0]);
	int status;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	status = handle_options(argc, argv, prog, cases, n);
	if (status >= 0)
		return status;

	fflush(stdout);
	tap_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (tap_fd == -1) {
		perror("dup stdout");
		return 1;
	}
	for (i = 0; i < n; i++)
		plan += wanted(cases[i].name, argc, argv);
	dprintf(tap_fd, "TAP version 13\n1..%u\n", plan);
	for (i = 0; i < n; i++) {
		if (!wanted(cases[i].name, argc, argv))
			continue;
		switch (vt_run_case(&cases[i], ++number)) {
		case VT_PASS: passed++; break;
		case VT_SKIP: skipped++; break;
		default: failed++; break;
		}
	}
	/* kselftest's closing line, for readers used to it. */
	print_diag("Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0",
		   passed, failed, skipped);
	return failed ? 1 : 0;
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
