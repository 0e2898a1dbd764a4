// SPDX-License-Identifier: MIT
/*
 * The process's server: one server fd hosts every local object the
 * process exports.  It is created the first time one is needed (an
 * export, objinvoke_server_fd(), objinvoke_server_start()), so a process
 * that only calls remote objects never has one, and it lives as long as
 * the process: the kernel object fds it handed out stay valid only while
 * it is open.
 */
#include <pthread.h>

#include <linux/objinvoke.h>

#include "objinvoke-private.h"

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

int32_t objinvoke_server_get(int *fd)
{
	int32_t r = Object_OK;
	int new_fd;

	*fd = objinvoke_server_peek();
	if (*fd >= 0)
		return Object_OK;

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

OBJINVOKE_EXPORT int32_t objinvoke_server_fd(int *fd)
{
	if (!fd)
		return Object_ERROR_INVALID;
	return objinvoke_server_get(fd);
}
