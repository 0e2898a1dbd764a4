// SPDX-License-Identifier: MIT
/*
 * Dispatch threads: a pool that serves the process's objects.
 *
 * Each thread blocks in poll() on the server fd and on the pool's eventfd,
 * takes what waits with non-blocking SERVER_RECV (several threads wake for
 * one request; the others just find nothing) and answers it.  Stopping is
 * one write to the eventfd, which stays readable, so every thread sees it
 * at its next poll: no signals, and objinvoke_server_stop() is safe even
 * in a signal handler.  The threads block all signals so that handlers
 * run on the program's own threads.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "libobject_private.h"

/* More would be a mistake of the caller's, not a wish. */
#define MAX_THREADS	1024

struct objinvoke_server_threads {
	int sfd;		/* invariant */
	int efd;		/* invariant: written once to stop */
	unsigned int n;		/* threads created */
	atomic_int result;	/* the first error a thread ended with */
	pthread_t tid[];
};

static void end_with(struct objinvoke_server_threads *t, int32_t r)
{
	int expected = Object_OK;

	atomic_compare_exchange_strong(&t->result, &expected, r);
}

/* Serve until stopped or the server ends; 0 to go on polling. */
static int32_t serve_once(struct objinvoke_server_threads *t,
			  struct objinvoke_reqbuf *rb, bool *stop)
{
	struct pollfd p[2] = {
		{ .fd = t->sfd, .events = POLLIN },
		{ .fd = t->efd, .events = POLLIN },
	};
	int32_t r;

	if (poll(p, 2, -1) < 0) {
		if (errno == EINTR)
			return Object_OK;
		objinvoke_log("poll: errno %d", errno);
		return objinvoke_result_from_errno(errno);
	}
	if (p[1].revents) {
		*stop = true;
		return Object_OK;
	}
	if (!p[0].revents)
		return Object_OK;
	r = objinvoke_serve_pending(t->sfd, rb);
	/* Hung up with nothing left to receive: polling again would spin. */
	if (r == Object_OK && p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		r = Object_ERROR_DEFUNCT;
	return r;
}

static void *serve_thread(void *arg)
{
	struct objinvoke_server_threads *t = arg;
	struct objinvoke_reqbuf rb;
	bool stop = false;
	int32_t r = Object_OK;

	objinvoke_reqbuf_init(&rb);
	while (!stop && r == Object_OK)
		r = serve_once(t, &rb, &stop);
	if (r)
		end_with(t, r);
	objinvoke_reqbuf_free(&rb);
	atomic_fetch_sub(&objinvoke_server_threads_running, 1);
	return NULL;
}

OBJINVOKE_EXPORT void objinvoke_server_stop(struct objinvoke_server_threads *t)
{
	uint64_t one = 1;
	int saved_errno = errno;

	/* Only async-signal-safe calls here.  A full counter still polls
	 * readable, so a failed write has already done its job. */
	if (t)
		(void)!write(t->efd, &one, sizeof(one));
	errno = saved_errno;
}

OBJINVOKE_EXPORT int32_t objinvoke_server_join(struct objinvoke_server_threads *t)
{
	unsigned int i;
	int32_t r;

	if (!t)
		return Object_ERROR_INVALID;
	for (i = 0; i < t->n; i++)
		pthread_join(t->tid[i], NULL);
	r = atomic_load(&t->result);
	close(t->efd);
	free(t);
	return r;
}

static int32_t create_threads(struct objinvoke_server_threads *t,
			      unsigned int nthreads)
{
	sigset_t all, old;
	int err = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);	/* inherited */
	for (t->n = 0; t->n < nthreads; t->n++) {
		atomic_fetch_add(&objinvoke_server_threads_running, 1);
		err = pthread_create(&t->tid[t->n], NULL, serve_thread, t);
		if (err) {
			atomic_fetch_sub(&objinvoke_server_threads_running, 1);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err)
		return Object_OK;
	objinvoke_log("pthread_create: errno %d", err);
	return err == EAGAIN ? Object_ERROR_NOSLOTS : Object_ERROR_KMEM;
}

OBJINVOKE_EXPORT int32_t objinvoke_server_start(unsigned int nthreads,
						struct objinvoke_server_threads **out)
{
	struct objinvoke_server_threads *t;
	int32_t r;
	int sfd;

	if (!out)
		return Object_ERROR_INVALID;
	*out = NULL;
	if (nthreads == 0 || nthreads > MAX_THREADS)
		return Object_ERROR_INVALID;
	r = objinvoke_server_get(&sfd);
	if (r)
		return r;

	t = malloc(sizeof(*t) + nthreads * sizeof(t->tid[0]));
	if (!t)
		return Object_ERROR_KMEM;
	memset(t, 0, sizeof(*t));
	t->sfd = sfd;
	atomic_init(&t->result, Object_OK);
	t->efd = eventfd(0, EFD_CLOEXEC);
	if (t->efd < 0) {
		r = objinvoke_result_from_errno(errno);
		objinvoke_log("eventfd: errno %d", errno);
		free(t);
		return r;
	}
	r = create_threads(t, nthreads);
	if (r) {
		objinvoke_server_stop(t);
		(void)objinvoke_server_join(t);
		return r;
	}
	*out = t;
	return Object_OK;
}
