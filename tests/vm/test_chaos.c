// SPDX-License-Identifier: MIT
/*
 * test_chaos: eight client processes invoke the TEE, with callbacks into
 * objects they host and with memory objects, while the emulator is killed
 * (SIGKILL and SIGTERM in turn) and restarted in a loop.  Every client may
 * only ever see Object_OK or Object_ERROR_DEFUNCT, must recover (reopen its
 * services and succeed again) once a TEE is back, and must finish: no
 * hang, no kernel report, nothing left in the last emulator.
 *
 * CI runs 60 s of chaos; OBJINVOKE_CHAOS_SECONDS sets another length
 * (docs/security.md).
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "IMemService.h"
#include "ITestService.h"
#include "MinkCom.h"
#include "vmharness.h"
#include "vmhost.h"
#include "vmutil.h"

#define CLIENTS		8
#define MEM_SIZE	(64 * 1024)

/* Exit codes of a client. */
enum {
	CLIENT_OK,
	CLIENT_BAD_RESULT = 10,	/* something else than OK or DEFUNCT */
	CLIENT_NO_RECOVERY,	/* no success with the TEE back */
	CLIENT_NEVER_OK,	/* not one success in the whole run */
};

struct client {
	int test, cb, mem;	/* service fds, -1 when closed */
	int dmabuf;
	struct host host;	/* an object it hosts, for callbacks */
	unsigned long ok, defunct;
};

static void close_services(struct client *c)
{
	close(c->test);
	close(c->cb);
	close(c->mem);
	c->test = c->cb = c->mem = -1;
}

/* Any result other than these two ends the client with a complaint. */
static bool acceptable(struct client *c, int ret, int32_t result,
		       const char *what)
{
	if (ret == 0 && result == Object_OK) {
		c->ok++;
		return true;
	}
	if (ret == 0 && result == Object_ERROR_DEFUNCT) {
		c->defunct++;
		return false;
	}
	printf("# client %d: %s: ioctl %d (%s), result %d\n", (int)getpid(),
	       what, ret, ret ? strerror(errno) : "-", result);
	fflush(stdout);
	_exit(CLIENT_BAD_RESULT);
}

/* Open the three services: true when all are open. */
static bool open_services(struct client *c)
{
	int32_t r;

	r = vm_try_service_fd_raw(ITestService_UID, &c->test);
	if (acceptable(c, 0, r, "open test service")) {
		r = vm_try_service_fd_raw(ICallbackService_UID, &c->cb);
		if (acceptable(c, 0, r, "open callback service")) {
			r = vm_try_service_fd_raw(IMemService_UID, &c->mem);
			if (acceptable(c, 0, r, "open memory service"))
				return true;
		}
	}
	close_services(c);
	return false;
}

/* One round of everything: true when all of it was OK. */
static bool one_round(struct client *c, uint8_t byte)
{
	struct IMemService_range range = { 0, MEM_SIZE, byte, 0 };
	uint32_t op = HOST_ECHO;
	char out[16];
	struct objinvoke_arg a[3];
	int32_t result;
	uint8_t *p;
	int ret;

	a[0] = vm_buf("chaos", 6);
	a[1] = vm_buf(out, sizeof(out));
	ret = vm_invoke_raw(c->test, ITestService_OP_echo,
			    ObjectCounts_pack(1, 1, 0, 0), a, &result);
	if (!acceptable(c, ret, result, "echo"))
		return false;
	if (a[1].size != 6 || memcmp(out, "chaos", 6))
		_exit(CLIENT_BAD_RESULT);

	/* The TEE calls back the object this client hosts. */
	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_obj(c->host.obj);
	ret = vm_invoke_raw(c->cb, ICallbackService_OP_call,
			    ObjectCounts_pack(1, 0, 1, 0), a, &result);
	if (!acceptable(c, ret, result, "callback"))
		return false;

	/* The TEE fills the client's memory in place. */
	a[0] = vm_buf(&range, sizeof(range));
	a[1] = vm_obj(c->dmabuf);
	ret = vm_invoke_raw(c->mem, IMemService_OP_fill,
			    ObjectCounts_pack(1, 0, 1, 0), a, &result);
	if (!acceptable(c, ret, result, "fill"))
		return false;
	p = mmap(NULL, MEM_SIZE, PROT_READ, MAP_SHARED, c->dmabuf, 0);
	if (p == MAP_FAILED || p[0] != byte || p[MEM_SIZE - 1] != byte)
		_exit(CLIENT_BAD_RESULT);
	munmap(p, MEM_SIZE);
	return true;
}


static void client_main(int stop_fd)
{
	struct client c = { .test = -1, .cb = -1, .mem = -1 };
	bool open = false;
	uint8_t byte = 0;
	int i;

	c.dmabuf = vm_heap_alloc(MEM_SIZE, O_RDWR);
	host_start(&c.host, 1);
	while (!vm_stop_requested(stop_fd)) {
		if (!open && !(open = open_services(&c))) {
			vt_msleep(50);	/* no TEE right now */
			continue;
		}
		if (!one_round(&c, ++byte)) {
			close_services(&c);	/* that TEE is gone */
			open = false;
		}
	}
	/* The chaos is over and a TEE is up: this client must get back. */
	for (i = 0; i < 200; i++) {
		if (open && one_round(&c, ++byte))
			break;
		close_services(&c);
		open = open_services(&c);
		if (!open)
			vt_msleep(50);
	}
	printf("# client %d: %lu OK, %lu DEFUNCT\n", (int)getpid(), c.ok,
	       c.defunct);
	fflush(stdout);
	if (i == 200)
		_exit(CLIENT_NO_RECOVERY);
	close_services(&c);
	host_stop(&c.host);
	close(c.dmabuf);
	_exit(c.ok > 0 ? CLIENT_OK : CLIENT_NEVER_OK);
}

static unsigned int chaos_seconds(void)
{
	const char *s = getenv("OBJINVOKE_CHAOS_SECONDS");

	return s && atoi(s) > 0 ? (unsigned int)atoi(s) : 60;
}


static void clients_survive_emulator_restarts(void)
{
	unsigned int seconds = chaos_seconds(), restarts = 0;
	pid_t pids[CLIENTS];
	struct timespec start, now;
	uint32_t base;
	int stop[2], i;

	if (vt_emu_pid() < 0)
		vt_skip("no emulator to restart");
	/* A fresh emulator: what a lone checker leaves live in it. */
	VT_ASSERT_OK(vt_emu_kill(SIGTERM));
	VT_ASSERT_OK(vt_emu_start());
	base = vm_fresh_live_objects();

	VT_ASSERT_OK(pipe2(stop, O_CLOEXEC));
	for (i = 0; i < CLIENTS; i++) {
		pids[i] = fork();
		VT_ASSERT_OK(pids[i]);
		if (pids[i] == 0) {
			close(stop[1]);
			client_main(stop[0]);
		}
	}
	close(stop[0]);

	srand(42);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		vt_msleep(200 + (unsigned int)(rand() % 1000));
		VT_ASSERT_OK(vt_emu_kill(restarts % 2 ? SIGTERM : SIGKILL));
		vt_msleep((unsigned int)(rand() % 300));
		VT_ASSERT_OK(vt_emu_start());
		restarts++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < (time_t)seconds);
	vt_log("%u emulator restarts in %u s", restarts, seconds);
	vt_msleep(1000);	/* the clients work with the last TEE a while */
	close(stop[1]);

	for (i = 0; i < CLIENTS; i++) {
		int code = vm_reap(pids[i]);

		if (code)
			vt_fail("client %d ended with %d (-1: hung)", i, code);
	}
	/* Everything the clients had in the last TEE was released. */
	VT_ASSERT_EQ(vm_fresh_live_objects(), base);
}

static const struct vt_case cases[] = {
	VT_CASE_TIMEOUT(clients_survive_emulator_restarts, 600),
};
VT_MAIN(cases)
