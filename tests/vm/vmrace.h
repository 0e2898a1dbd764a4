/* SPDX-License-Identifier: MIT */
/*
 * vmrace.h - making a race happen every run: the test points the test
 * kernel's module has (kernel/testpoint.h), and pages whose first touch
 * stalls until the test lets it go (userfaultfd), so that a user copy
 * inside the kernel stops exactly where the test wants it.
 */
#ifndef OBJINVOKE_VM_RACE_H
#define OBJINVOKE_VM_RACE_H

#include <stddef.h>

/*
 * Make the next count threads that reach test point name stop there for
 * ms milliseconds.  Returns how often it was hit before, for
 * vm_tp_wait().  Skips the case on a module built without test points.
 */
int vm_tp_arm(const char *name, unsigned int ms, unsigned int count);
/* Threads that have stopped at name since the module loaded. */
int vm_tp_hits(const char *name);
/* Wait (up to 10 s, else fail) until name is hit after `before` hits:
 * a thread is inside the window. */
void vm_tp_wait(const char *name, int before);

/* A page whose first access stalls until vm_stall_release(). */
struct vm_stall {
	int uffd;
	char *page;
	size_t size;
};

void vm_stall_new(struct vm_stall *st);
/* Wait (up to 10 s, else fail) until something touched the page. */
void vm_stall_wait(struct vm_stall *st);
/* Fill the page with len bytes of data (zeros after) and let it go on. */
void vm_stall_release(struct vm_stall *st, const void *data, size_t len);
void vm_stall_free(struct vm_stall *st);

#endif /* OBJINVOKE_VM_RACE_H */
