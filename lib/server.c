// SPDX-License-Identifier: MIT
/*
 * The process's server: one server fd hosts every local object the
 * process exports.  It is created the first time one is needed (an
 * export, objinvoke_server_fd(), objinvoke_server_start()), so a process
 * that only calls remote objects never has one, and it lives as long as
 * the process: the kernel object fds it handed out stay valid only while
 * it is open.  Local objects are exported through it here
 * (objinvoke_server_export()); the table of them is local.c's.
 */
#include <pthread.h>
#include <unistd.h>

#include <linux/objinvoke.h>

#include "libobject_private.h"

/* Serializes the creation; readers of the fd need no lock. */
static pthread_mutex_t server_lock = PTHREAD_MUTEX_INITIALIZER;
/* -1 until created, then invariant: set once under server_lock. */
static atomic_int server_fd = -1;

atomic_uint objinvoke_server_threads_running;

int objinvoke_server_peek(void)
{
	/* Acquire: pairs with the release store that published the fd. */
	return atomic_load_explicit(&server_fd, memory_order_acquire);
}

/*
 * fork(): the child shares the parent's server file, so requests for the
 * parent's objects could reach the child (same-thread serving picks the
 * server the caller names).  The child gets a server of its own instead,
 * made when it first needs one, and forgets the parent's exports.
 */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&server_lock);
	objinvoke_local_lock();
}

static void atfork_parent(void)
{
	objinvoke_local_unlock();
	pthread_mutex_unlock(&server_lock);
}

static void atfork_child(void)
{
	int fd = atomic_load_explicit(&server_fd, memory_order_relaxed);

	objinvoke_local_forget_in_child();
	atomic_store(&objinvoke_server_threads_running, 0);
	if (fd >= 0)
		close(fd);
	atomic_store_explicit(&server_fd, -1, memory_order_release);
	objinvoke_local_unlock();
	pthread_mutex_unlock(&server_lock);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_register(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

int32_t objinvoke_server_get(int *fd)
{
	int32_t r = Object_OK;
	int new_fd;

	*fd = objinvoke_server_peek();
	if (*fd >= 0)
		return Object_OK;

	pthread_once(&atfork_once, atfork_register);
	pthread_mutex_lock(&server_lock);
	*fd = atomic_load_explicit(&server_fd, memory_order_relaxed);
	if (*fd < 0) {
		r = objinvoke_device_get_fd(OBJINVOKE_IOC_SERVER_NEW, &new_fd);
		if (r == Object_OK) {
			atomic_store_explicit(&server_fd, new_fd,
					      memory_order_release);
			*fd = new_fd;
		}
	}
	pthread_mutex_unlock(&server_lock);
	return r;
}

int32_t objinvoke_server_export(Object obj, int *fd)
{
	int32_t r;
	int sfd;

	*fd = -1;
	r = objinvoke_server_get(&sfd);
	if (r)
		return r;
	return objinvoke_local_export(sfd, obj, fd);
}

OBJINVOKE_EXPORT int32_t objinvoke_server_fd(int *fd)
{
	if (!fd)
		return Object_ERROR_INVALID;
	return objinvoke_server_get(fd);
}
