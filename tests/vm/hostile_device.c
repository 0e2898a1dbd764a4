// SPDX-License-Identifier: MIT
/*
 * hostile_device.c - the emulator device test_hostile_tee's secure threads
 * share, as a real emulator has one open file: held by their ioctls and
 * bridge mmaps, closed and reopened under them by the run's loop; its
 * ioctls, each checked for an errno docs/uapi.md lists; and the tally of
 * what the secure world did.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/objinvoke_emu.h>

#include "vmharness.h"
#include "hostile.h"
#include "vmutil.h"

/* ---- what the secure world did, for the log */

static const char *const tally_names[T_COUNT] = {
	"messages", "invocations", "done", "done mutated", "callbacks",
	"callbacks mutated", "responses", "map regions asked",
	"map regions granted", "bridge maps",
	"bridge refusals", "SIGBUS", "released under a map", "bad status", "bad size", "abandoned",
	"stray completes", "stray waits", "stolen responses", "bad fields",
	"reopens",
};

static atomic_ulong tallies[T_COUNT];

void count(enum tally t)
{
	atomic_fetch_add_explicit(&tallies[t], 1, memory_order_relaxed);
}

unsigned long tally(enum tally t)
{
	return atomic_load(&tallies[t]);
}

/* ---- the device, shared by every secure thread */

/*
 * One open file, as a real emulator has.  Readers are the threads'
 * ioctls and bridge mmaps (always unmapped before the lock goes: a
 * mapping holds the file, and the release that ends the sessions runs
 * only once the last one is gone); the writer closes and reopens it.
 */
static struct {
	pthread_rwlock_t lock;
	int fd;
	unsigned int generation;	/* bumped at every reopen */
} dev;


/* Writers first: six threads taking turns must not starve a reopen. */
static void dev_lock_init(void)
{
	pthread_rwlockattr_t attr;

	VT_ASSERT_EQ(pthread_rwlockattr_init(&attr), 0);
	VT_ASSERT_EQ(pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), 0);
	VT_ASSERT_EQ(pthread_rwlock_init(&dev.lock, &attr), 0);
	pthread_rwlockattr_destroy(&attr);
}

static int dev_open(void)
{
	int fd = open(OBJINVOKE_EMU_DEVICE, O_RDWR | O_CLOEXEC);

	VT_ASSERT_OK(fd);
	return fd;
}

/* Close the device under everybody's feet and attach again. */
void dev_reopen(struct rng *r)
{
	VT_ASSERT_EQ(pthread_rwlock_wrlock(&dev.lock), 0);
	close(dev.fd);
	/* A while with no TEE: the clients' calls fail fast meanwhile. */
	if (rng_chance(r, 30))
		vt_msleep(rng_below(r, 100));
	dev.fd = dev_open();
	dev.generation++;
	VT_ASSERT_EQ(pthread_rwlock_unlock(&dev.lock), 0);
	count(T_REOPENS);
}

unsigned int dev_hold(void)
{
	VT_ASSERT_EQ(pthread_rwlock_rdlock(&dev.lock), 0);
	return dev.generation;
}

void dev_let_go(void)
{
	VT_ASSERT_EQ(pthread_rwlock_unlock(&dev.lock), 0);
}

/*
 * An emulator ioctl on the held device with a struct of size bytes (the
 * struct's own, or another to try the ABI): 0 or an errno docs/uapi.md
 * lists for it; anything else fails the test.
 */
int emu_ioctl_sized(unsigned long nr, unsigned int dir, void *arg,
		    size_t size)
{
	static const int documented[] = { EINTR, ENOENT, ENOSPC, EINVAL,
					   EFAULT, E2BIG };
	unsigned long cmd = _IOC(dir, OBJINVOKE_IOC_MAGIC, nr, size);
	int ret = ioctl(dev.fd, cmd, arg);

	count(T_MESSAGES);
	if (ret == 0)
		return 0;
	if (ret != -1 || !errno_in(errno, documented, 6))
		vt_fail("emulator ioctl %#lx: %d (%s), not in docs/uapi.md",
			nr, ret, strerror(errno));
	return errno;
}

int emu_wait(struct objinvoke_emu_call *c)
{
	return emu_ioctl_sized(_IOC_NR(OBJINVOKE_EMU_IOC_WAIT),
			       _IOC_READ | _IOC_WRITE, c, sizeof(*c));
}

int emu_complete(struct objinvoke_emu_done *d)
{
	return emu_ioctl_sized(_IOC_NR(OBJINVOKE_EMU_IOC_COMPLETE), _IOC_WRITE,
			       d, sizeof(*d));
}

void dev_attach(void)
{
	dev_lock_init();
	dev.fd = dev_open();
}

void dev_detach(void)
{
	close(dev.fd);
	pthread_rwlock_destroy(&dev.lock);
}

int dev_fd(void)
{
	return dev.fd;
}

void log_tallies(void)
{
	char line[1024];
	size_t len = 0;

	for (int i = 0; i < T_COUNT; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s %lu",
					i ? ", " : "", tally_names[i],
					tally((enum tally)i));
	vt_log("%s", line);
}

