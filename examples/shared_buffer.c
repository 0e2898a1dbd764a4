// SPDX-License-Identifier: MIT
/*
 * shared_buffer: share 1 MiB with the TEE without copying it.
 *
 * The client allocates a memory object (a dma-buf, mapped here), fills
 * it, and passes the object, not the bytes, to the TEE's memory service:
 * the TEE maps the same pages, hashes all of them and fills part of them.
 * The client then reads the TEE's bytes in place.  Every CPU access goes
 * between objinvoke_memory_begin_cpu() and _end_cpu(), as dma-buf
 * exporters ask, and never overlaps a call that hands the memory to the
 * TEE.  Exit status 0 means the TEE saw exactly our bytes and we saw
 * exactly its.
 *
 * Needs the objinvoke module, a TEE (or the emulator) and a dma-buf heap
 * or udmabuf (OBJINVOKE_MEMORY=heap|udmabuf picks one).
 */
#include <stdarg.h>
#include <stdio.h>

#include "IClientEnv.h"
#include "IMemService.h"
#include "MinkCom.h"
#include "libobject.h"

#include "help_version.h"

#define BUF_SIZE	(1U << 20)
#define FILL_OFFSET	4096U	/* where the TEE writes, and how much */
#define FILL_LEN	8192U
#define FILL_BYTE	0xA5

/* Report a failed call; returns 1 so callers can `return failed(...)`. */
static int failed(const char *what, int32_t r)
{
	fprintf(stderr, "shared_buffer: %s failed: %d\n", what, (int)r);
	return 1;
}

/* libobject never prints; show its diagnostics, they say why. */
static void log_to_stderr(const char *fmt, va_list ap)
{
	fputs("libobject: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* The memory service's checksum (FNV-1a 64), computed here to compare. */
static uint64_t fnv1a64(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A pattern that differs from byte to byte and page to page. */
static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 31 + i / 4096);
}

static int fill(Object mem, unsigned char *p, size_t size, uint64_t *hash)
{
	int32_t r;
	size_t i;

	r = objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_WRITE);
	if (r)
		return failed("begin_cpu(WRITE)", r);
	for (i = 0; i < size; i++)
		p[i] = pattern(i);
	*hash = fnv1a64(p, size);
	r = objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_WRITE);
	if (r)
		return failed("end_cpu(WRITE)", r);
	printf("filled %zu bytes at %p, FNV-1a 0x%016llx\n", size, (void *)p,
	       (unsigned long long)*hash);
	return 0;
}

/* The TEE's fill is there, and not a byte around it changed. */
static int check(Object mem, const unsigned char *p, size_t size)
{
	size_t i, bad = 0, first = 0;
	int32_t r;

	r = objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_READ);
	if (r)
		return failed("begin_cpu(READ)", r);
	for (i = 0; i < size; i++) {
		int in = i >= FILL_OFFSET && i < FILL_OFFSET + FILL_LEN;
		unsigned char want = in ? FILL_BYTE : pattern(i);

		if (p[i] != want && !bad++)
			first = i;
	}
	r = objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_READ);
	if (r)
		return failed("end_cpu(READ)", r);
	if (bad) {
		fprintf(stderr, "shared_buffer: %zu bytes differ, first at %zu\n",
			bad, first);
		return 1;
	}
	printf("read in place: bytes %u..%u are 0x%02x, the rest unchanged\n",
	       FILL_OFFSET, FILL_OFFSET + FILL_LEN - 1, FILL_BYTE);
	return 0;
}

static int share(Object svc, Object mem)
{
	uint64_t ours = 0, theirs = 0;
	size_t size = 0;
	void *addr = NULL;
	int32_t r;

	r = MinkCom_getMemoryObjectInfo(mem, &addr, &size);
	if (r)
		return failed("MinkCom_getMemoryObjectInfo", r);
	if (fill(mem, addr, size, &ours))
		return 1;

	/* One call, one object argument: the megabyte itself is not sent. */
	r = IMemService_hash(svc, mem, 0, size, &theirs);
	if (r)
		return failed("IMemService_hash", r);
	printf("TEE hashed it in place: 0x%016llx (%s)\n",
	       (unsigned long long)theirs, theirs == ours ? "same" : "DIFFERENT");
	if (theirs != ours)
		return 1;

	r = IMemService_fill(svc, mem, FILL_OFFSET, FILL_LEN, FILL_BYTE);
	if (r)
		return failed("IMemService_fill", r);
	printf("TEE filled %u bytes at offset %u with 0x%02x\n", FILL_LEN,
	       FILL_OFFSET, FILL_BYTE);
	return check(mem, addr, size);
}

static const char help[] =
	"usage: shared_buffer [--help] [--version]\n"
	"\n"
	"Shares 1 MiB with the TEE without copying it.  Allocates a memory object\n"
	"(a dma-buf, mapped here), fills it, and passes the object to the\n"
	"emulator's memory service, which hashes all of it and fills part of it in\n"
	"place; the client then reads the TEE's bytes.  Exits 0 when the TEE saw\n"
	"exactly our bytes and we saw exactly its.\n"
	"\n"
	HELP_NEEDS_TEE HELP_NEEDS_MEMORY;

int main(int argc, char **argv)
{
	Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;
	Object mem = Object_NULL;
	int32_t r;
	int bad;

	answer_help_and_version(argc, argv, "shared_buffer", help, 0);

	objinvoke_set_log_handler(log_to_stderr);

	r = MinkCom_getRootEnvObject(&root);
	if (r)
		return setup_failed("shared_buffer", "MinkCom_getRootEnvObject",
				    r);
	r = MinkCom_getClientEnvObject(root, &env);
	if (r == Object_OK)
		r = MinkCom_getMemoryObject(root, BUF_SIZE, &mem);
	Object_release(root);
	if (r) {
		Object_RELEASE_IF(env);
		return setup_failed("shared_buffer",
				    "client env or memory object", r);
	}
	printf("allocated a %u-byte memory object (dma-buf fd %d)\n", BUF_SIZE,
	       objinvoke_object_fd(mem));

	r = IClientEnv_open(env, IMemService_UID, &svc);
	Object_release(env);
	if (r) {
		Object_release(mem);
		return failed("open IMemService", r);
	}
	bad = share(svc, mem);
	Object_release(svc);
	/* The last reference: unmapped, and freed once the TEE has let go. */
	Object_release(mem);
	if (bad)
		return 1;
	printf("shared_buffer: the TEE and we shared 1 MiB without a copy\n");
	return 0;
}
