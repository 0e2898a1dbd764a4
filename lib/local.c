// SPDX-License-Identifier: MIT
/*
 * Local objects this process hosts through its server.  The server fd
 * is the caller's to give (server.c makes it, and takes table_lock across
 * fork()), so the table knows nothing of how the server is made.
 *
 * Each exported local Object has one entry, found two ways: by the Object
 * itself (its invoke function and context), so that passing the same
 * Object again reuses its kernel object, and by the cookie the kernel
 * hands back with each request.  Cookies are serial numbers, never
 * reused, so a request naming an entry that is gone is recognised rather
 * than followed to freed memory.
 *
 * Lifetime: the entry holds one reference to the Object, taken at
 * registration and dropped when the server's release request arrives
 * (the last kernel-side holder is gone: TEE, other processes and our own
 * fds alike), exactly once.  Once SERVER_GET says ENOENT the release is on
 * its way: the entry leaves the by-object tree, so the next export
 * registers anew, but stays findable by cookie until the release arrives,
 * for requests still queued before it.
 *
 * Locking: table_lock protects both trees, the cookie counter and every
 * field of every entry not marked invariant.  No user code runs under it
 * except Object_retain() of a newly registered object (a refcount bump);
 * the Object_release() of a released entry always runs unlocked, since it
 * may free an object whose destructor calls into libobject again.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/tree.h>

#include "libobject_private.h"

struct objinvoke_local {
	RB_ENTRY(objinvoke_local) by_obj;	/* while attached */
	RB_ENTRY(objinvoke_local) by_cookie;	/* until released */
	Object obj;		/* invariant */
	uint64_t cookie;	/* invariant */
	uint32_t handle;	/* invariant once in the trees */
	bool attached;		/* in by_obj: exports reuse this entry */
	bool released;		/* the release request came */
	unsigned int calls;	/* requests dispatching to obj now */
};

static int cmp_obj(const struct objinvoke_local *a,
		   const struct objinvoke_local *b)
{
	uintptr_t ai = (uintptr_t)a->obj.invoke, bi = (uintptr_t)b->obj.invoke;
	uintptr_t ac = (uintptr_t)a->obj.context, bc = (uintptr_t)b->obj.context;

	if (ai != bi)
		return ai < bi ? -1 : 1;
	if (ac != bc)
		return ac < bc ? -1 : 1;
	return 0;
}

static int cmp_cookie(const struct objinvoke_local *a,
		      const struct objinvoke_local *b)
{
	if (a->cookie != b->cookie)
		return a->cookie < b->cookie ? -1 : 1;
	return 0;
}

RB_HEAD(obj_tree, objinvoke_local);
RB_HEAD(cookie_tree, objinvoke_local);
/* RB_GENERATE_STATIC wants an __unused that libbsd leaves undefined. */
#define TREE_FN	__attribute__((unused)) static
RB_GENERATE_INTERNAL(obj_tree, objinvoke_local, by_obj, cmp_obj, TREE_FN)
RB_GENERATE_INTERNAL(cookie_tree, objinvoke_local, by_cookie, cmp_cookie,
		     TREE_FN)

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj_tree objects = RB_INITIALIZER(&objects);
static struct cookie_tree cookies = RB_INITIALIZER(&cookies);
static uint64_t last_cookie;

static void detach_locked(struct objinvoke_local *e)
{
	if (e->attached) {
		RB_REMOVE(obj_tree, &objects, e);
		e->attached = false;
	}
}

/* A fresh fd for an entry already registered; ENOENT detaches it. */
static int32_t get_fd_locked(int sfd, struct objinvoke_local *e, int *fd)
{
	struct objinvoke_server_get get;
	int err;

	memset(&get, 0, sizeof(get));
	get.handle = e->handle;
	if (ioctl(sfd, OBJINVOKE_IOC_SERVER_GET, &get) == 0) {
		if (get.fd > INT_MAX) {
			objinvoke_log("SERVER_GET: bad fd %u",
				      (unsigned int)get.fd);
			return Object_ERROR_REMOTE;
		}
		*fd = (int)get.fd;
		return Object_OK;
	}
	err = errno;
	if (err == ENOENT) {
		detach_locked(e);
		return Object_ERROR_DEFUNCT;	/* detached: registered anew */
	}
	objinvoke_log("SERVER_GET handle %u: errno %d",
		      (unsigned int)e->handle, err);
	return objinvoke_result_from_errno(err);
}

/*
 * Register @obj under a new entry.  On failure nothing is left in the
 * table, and *@retained says whether the caller must drop the reference
 * taken here (unlocked).
 */
static int32_t add_locked(int sfd, Object obj, int *fd, bool *retained)
{
	struct objinvoke_server_add add;
	struct objinvoke_local *e;
	int32_t r;

	e = calloc(1, sizeof(*e));
	if (!e) {
		objinvoke_log("no memory to export a local object");
		return Object_ERROR_KMEM;
	}
	e->obj = obj;
	e->cookie = ++last_cookie;

	memset(&add, 0, sizeof(add));
	add.cookie = e->cookie;
	r = Object_retain(obj);
	if (r) {
		objinvoke_log("local object refused retain: %d", (int)r);
		free(e);
		return r;
	}
	*retained = true;
	if (ioctl(sfd, OBJINVOKE_IOC_SERVER_ADD, &add) < 0) {
		int err = errno;

		objinvoke_log("SERVER_ADD: errno %d", err);
		r = objinvoke_result_from_errno(err);
	} else if (add.fd > INT_MAX || add.handle == 0) {
		/* A broken kernel: nothing we could name the object by. */
		objinvoke_log("SERVER_ADD: bad fd %u or handle %u",
			      (unsigned int)add.fd, (unsigned int)add.handle);
		/*
		 * A real fd beside handle 0 is still ours to close, or the
		 * registration leaks with it (found by the libobject fuzzer).
		 */
		if (add.fd <= INT_MAX)
			close((int)add.fd);
		r = Object_ERROR_REMOTE;
	}
	if (r) {
		free(e);
		return r;	/* the caller releases obj, unlocked */
	}
	e->handle = add.handle;
	e->attached = true;
	RB_INSERT(obj_tree, &objects, e);
	RB_INSERT(cookie_tree, &cookies, e);
	*fd = (int)add.fd;
	return Object_OK;
}

int32_t objinvoke_local_export(int sfd, Object obj, int *fd)
{
	struct objinvoke_local key, *e;
	bool retained = false;
	int32_t r;

	*fd = -1;
	key.obj = obj;
	pthread_mutex_lock(&table_lock);
	e = RB_FIND(obj_tree, &objects, &key);
	if (e) {
		r = get_fd_locked(sfd, e, fd);
		/*
		 * Register anew only if ENOENT detached the entry: ENODEV and
		 * ESHUTDOWN are DEFUNCT too, and a second entry for the same
		 * Object would not go into the tree, yet would be removed
		 * from it later (the libobject fuzzer found the corruption).
		 */
		if (e->attached) {
			pthread_mutex_unlock(&table_lock);
			return r;
		}
	}
	r = add_locked(sfd, obj, fd, &retained);
	pthread_mutex_unlock(&table_lock);
	if (r && retained)
		(void)Object_release(obj);
	return r;
}

static struct objinvoke_local *find_locked(uint64_t cookie, uint32_t handle)
{
	struct objinvoke_local key, *e;

	key.cookie = cookie;
	e = RB_FIND(cookie_tree, &cookies, &key);
	if (e && e->handle != handle) {
		objinvoke_log("request for cookie %llu with handle %u, not %u",
			      (unsigned long long)cookie,
			      (unsigned int)handle, (unsigned int)e->handle);
		return NULL;
	}
	return e;
}

/* Unlink a released entry nobody dispatches to; its reference is next. */
static Object unlink_locked(struct objinvoke_local *e)
{
	Object obj = e->obj;

	RB_REMOVE(cookie_tree, &cookies, e);
	free(e);
	return obj;
}

struct objinvoke_local *objinvoke_local_get(uint64_t cookie, uint32_t handle,
					    Object *obj)
{
	struct objinvoke_local *e;

	pthread_mutex_lock(&table_lock);
	e = find_locked(cookie, handle);
	if (e && e->released)
		e = NULL;
	if (e) {
		e->calls++;
		*obj = e->obj;
	}
	pthread_mutex_unlock(&table_lock);
	if (!e)
		objinvoke_log("request for unknown cookie %llu",
			      (unsigned long long)cookie);
	return e;
}

void objinvoke_local_put(struct objinvoke_local *e)
{
	Object obj = Object_NULL;

	pthread_mutex_lock(&table_lock);
	if (--e->calls == 0 && e->released)
		obj = unlink_locked(e);
	pthread_mutex_unlock(&table_lock);
	Object_RELEASE_IF(obj);
}

void objinvoke_local_released(uint64_t cookie, uint32_t handle)
{
	struct objinvoke_local *e;
	Object obj = Object_NULL;

	pthread_mutex_lock(&table_lock);
	e = find_locked(cookie, handle);
	if (e && !e->released) {
		e->released = true;
		detach_locked(e);
		/* Requests still running drop the reference when done. */
		if (e->calls == 0)
			obj = unlink_locked(e);
	} else {
		e = NULL;
	}
	pthread_mutex_unlock(&table_lock);
	if (!e)
		objinvoke_log("release of unknown cookie %llu ignored",
			      (unsigned long long)cookie);
	Object_RELEASE_IF(obj);
}

/*
 * In a child after fork(): the entries describe the parent's exports,
 * served by the parent's server.  The child forgets them without
 * releasing anything (the references belong to the parent's registration)
 * and starts with an empty table.  Called single-threaded, by the atfork
 * handler, with table_lock held since the prepare handler.
 */
void objinvoke_local_forget_in_child(void)
{
	struct objinvoke_local *e, *next;

	RB_INIT(&objects);
	for (e = RB_MIN(cookie_tree, &cookies); e; e = next) {
		next = RB_NEXT(cookie_tree, &cookies, e);
		RB_REMOVE(cookie_tree, &cookies, e);
		free(e);
	}
}

void objinvoke_local_lock(void)
{
	pthread_mutex_lock(&table_lock);
}

void objinvoke_local_unlock(void)
{
	pthread_mutex_unlock(&table_lock);
}
