// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * objinvoke-emu: the software TEE.  Attaches to /dev/objinvoke-emu, runs
 * the pool of secure threads, and stops cleanly on SIGTERM or SIGINT.
 * docs/emulator.md is the manual; packaging/objinvoke-emu.service runs it
 * under systemd, told of readiness by notify.c.
 *
 * Signals: SIGTERM, SIGINT and SIGHUP are blocked in every thread and
 * taken synchronously here with sigwait(), so no work ever runs in a
 * signal handler; the pool's wake signal has an empty handler whose only
 * effect is to interrupt a blocking ioctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/objinvoke_emu.h>

#include "emu.h"
#include "log.h"
#include "notify.h"
#include "smc_loop.h"

/*
 * Callbacks nest: a process answering a callback may invoke the TEE again,
 * up to 8 deep, and every level holds its secure thread while it waits for
 * the response.  With fewer threads than the deepest chain, the innermost
 * invocation waits forever for a thread that only the chain would free;
 * 16 covers a full chain and leaves 8 for everyone else.
 */
#define DEFAULT_THREADS	16U
#define MAX_THREADS	64U

struct options {
	unsigned int threads;
	const char *device;
	const char *pidfile;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: objinvoke-emu [-t threads] [-v] [-d PATH] [--pidfile FILE]\n"
		"The software TEE: attaches to the objinvoke module's emulator\n"
		"device and answers invocations until SIGTERM or SIGINT.\n"
		"  -t, --threads N   secure threads (default %u, at most %u)\n"
		"  -v, --verbose     log every invocation (twice: callbacks too)\n"
		"  -f, --foreground  stay in the foreground (the default)\n"
		"  -d, --device PATH the emulator device (default %s)\n"
		"      --pidfile FILE  write the pid to FILE once attached and serving\n"
		"  -h, --help        this text\n"
		"  -V, --version     the version\n"
		"Under systemd (Type=notify) it reports READY=1 once serving.\n",
		DEFAULT_THREADS, MAX_THREADS, OBJINVOKE_EMU_DEVICE);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "device", required_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	unsigned long n;
	int ch;

	while ((ch = getopt_long(argc, argv, "t:vfd:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || n < 1 || n > MAX_THREADS) {
				fprintf(stderr, "objinvoke-emu: -t wants 1 to %u\n",
					MAX_THREADS);
				return -1;
			}
			o->threads = (unsigned int)n;
			break;
		case 'v':
			emu_log_level++;
			break;
		case 'f':
			break;	/* the only mode there is */
		case 'd':
			o->device = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("objinvoke-emu %s\n", OBJINVOKE_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Open the device, explaining the failures an operator will meet. */
static int open_device(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		emu_err("%s: no such device: module not loaded (modprobe objinvoke)",
			path);
		break;
	case EBUSY:
		emu_err("%s: busy: another emulator is already attached (stop it first: systemctl stop objinvoke-emu)",
			path);
		break;
	case EACCES:
	case EPERM:
		emu_err("%s: permission denied: the emulator needs CAP_SYS_ADMIN (run it as root)",
			path);
		break;
	default:
		emu_err("%s: %s", path, strerror(errno));
	}
	return -1;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f)) {
		emu_err("%s: %s", path, strerror(errno));
		if (f)
			unlink(path);
		return -1;
	}
	return 0;
}

/* A failed notification is logged; the daemon serves on regardless. */
static void notify_state(const char *state)
{
	int err = emu_notify(state);

	if (err < 0)
		emu_warn("NOTIFY_SOCKET: %s", strerror(-err));
}

static void wake(int sig)
{
	(void)sig;	/* only here to interrupt WAIT with EINTR */
}

/* Block the stop signals everywhere; threads inherit the mask. */
static void setup_signals(sigset_t *stop)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wake;	/* no SA_RESTART: the ioctl must return */
	sigemptyset(&sa.sa_mask);
	sigaction(EMU_WAKE_SIGNAL, &sa, NULL);

	sigemptyset(stop);
	sigaddset(stop, SIGTERM);
	sigaddset(stop, SIGINT);
	sigaddset(stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, stop, NULL);
}

int main(int argc, char **argv)
{
	struct options o = {
		.threads = DEFAULT_THREADS,
		.device = OBJINVOKE_EMU_DEVICE,
	};
	struct emu_pool pool;
	struct emu emu;
	sigset_t stop;
	int fd, sig, err, ret = 1;

	if (parse_options(argc, argv, &o))
		return 2;
	emu_log_init();
	setup_signals(&stop);

	fd = open_device(o.device);
	if (fd < 0)
		return 1;

	emu_init(&emu);
	/*
	 * The SHM bridge maps windows of this same fd, opened O_RDWR so that
	 * writable regions can be mapped PROT_WRITE; every thread shares it.
	 */
	emu_bridge_init(&emu.bridge, fd);
	err = emu_pool_start(&pool, &emu, fd, o.threads);
	if (err) {
		emu_err("cannot start the secure threads: %s", strerror(-err));
		goto out_emu;
	}
	emu_info("attached to %s with %u secure threads", o.device, o.threads);
	/*
	 * Written only now: a supervisor that waits for it knows we serve.
	 * The threads need not be inside WAIT yet: from the open on, the
	 * kernel queues every call until a secure thread takes it.
	 */
	if (o.pidfile && write_pidfile(o.pidfile)) {
		o.pidfile = NULL;
		kill(getpid(), SIGTERM);	/* stop as on any other failure */
	} else {
		notify_state("READY=1\nSTATUS=serving");
	}

	if (sigwait(&stop, &sig))
		sig = SIGTERM;
	if (__atomic_load_n(&pool.failed, __ATOMIC_SEQ_CST))
		emu_err("stopping: a secure thread lost the device");
	else
		emu_info("stopping (%s)", strsignal(sig));
	notify_state("STOPPING=1");
	ret = emu_pool_stop(&pool) ? 0 : 1;
	emu_info("stopped; %u objects were live", emu_objtable_count(&emu.table));
out_emu:
	emu_fini(&emu);
	if (o.pidfile)
		unlink(o.pidfile);
	/* Closing the device ends every session still pending (DEFUNCT). */
	close(fd);
	return ret;
}
