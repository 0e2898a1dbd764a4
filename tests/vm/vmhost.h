/* SPDX-License-Identifier: MIT */
/*
 * vmhost.h - a test host: a server with one object, served by threads
 * that answer with raw ioctls, for the VM tests of servers and callbacks.
 */
#ifndef OBJINVOKE_VM_HOST_H
#define OBJINVOKE_VM_HOST_H

#include <pthread.h>
#include <stdint.h>
#include <stddef.h>

#include <linux/objinvoke.h>

/* Methods of the test host's objects. */
#define HOST_ECHO	0	/* BI -> BO */
#define HOST_GIVE	1	/* OO: the host's own object again */
#define HOST_TAKE	2	/* IO: invoke it with HOST_ECHO, BO its answer */
#define HOST_BIG	3	/* BO: answers one byte more than reserved */
#define HOST_BADFD	4	/* OO: answers a closed fd */
#define HOST_FILEFD	5	/* OO: answers a regular file's fd */

#define HOST_MAX_THREADS 8

struct host {
	int srv;
	int obj;	/* the hosted object's fd, kept by the host */
	uint32_t handle;
	pthread_t thread;	/* the first serving thread */
	pthread_t more[HOST_MAX_THREADS - 1];	/* host_start()'s others */
	int threads;
	int releases;	/* release requests seen */
	int reply_errno;	/* errno of the last failed reply */
	int replies;		/* replies made: the invoker may wake first */
};

/* Buffers a request is received into. */
struct inbox {
	struct objinvoke_arg args[60];
	char buf[8192];
	struct objinvoke_request req;
};

int server_new(void);
int server_add(int srv, uint64_t cookie, uint32_t *handle);
void inbox_arm(struct inbox *in, uint32_t flags);
/* Serve one invoke request as the test host does; returns REPLY's result. */
int host_serve(struct host *h, struct inbox *in);
void *host_loop(void *arg);
void host_start(struct host *h, int threads);
void host_stop(struct host *h);
/* Wait until the host has made n replies in all (reply_errno is then set). */
void host_wait_replies(struct host *h, int n);
/* HOST_ECHO on obj: the result; *got the bytes echoed. */
int32_t host_echo(int obj, const char *msg, char *out, size_t out_len,
		  uint64_t *got);

#endif /* OBJINVOKE_VM_HOST_H */
