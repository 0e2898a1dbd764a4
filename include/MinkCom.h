/* SPDX-License-Identifier: MIT */
/*
 * MinkCom.h: the entry points through which Mink client code reaches the
 * TEE.  Names and signatures are those Mink clients call; the results are
 * Object results (object.h).
 */
#ifndef MINKCOM_H
#define MINKCOM_H

#include <stddef.h>

#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * MinkCom_getRootEnvObject() - the TEE's root object
 * @obj: out: the root object, or Object_NULL on failure.  The caller owns
 *       it and releases it with Object_release().
 *
 * The root object is handed out whether or not a TEE is attached: the
 * first invocation, MinkCom_getClientEnvObject(), tells.
 *
 * Return: Object_OK; Object_ERROR_UNAVAIL when /dev/objinvoke does not
 * exist (module not loaded); Object_ERROR_AUTH when the caller may not
 * open it; another error mapped from the kernel's errno.  The log handler
 * (libobject.h) is told what to do about the first two.
 */
int MinkCom_getRootEnvObject(Object *obj);

/**
 * MinkCom_getClientEnvObject() - register a client environment
 * @root: the root object (borrowed).
 * @obj:  out: the client environment, bound to the calling process's
 *        credentials as the kernel sees them at this call; Object_NULL on
 *        failure.
 *
 * Return: Object_OK or the root object's result: Object_ERROR_DEFUNCT
 * when no TEE is attached (no emulator running), which the log handler
 * is told in so many words.
 */
int MinkCom_getClientEnvObject(Object root, Object *obj);

/**
 * MinkCom_getClientEnvObjectWithCreds() - register with given credentials
 * @root:  the root object (borrowed).
 * @creds: a credentials object (borrowed), e.g. from
 *         objinvoke_get_credentials(), possibly received from another
 *         process.  Object_NULL means the caller's own credentials.
 * @obj:   out: the client environment, or Object_NULL on failure.
 *
 * Return: Object_OK or the root object's result.
 */
int MinkCom_getClientEnvObjectWithCreds(Object root, Object creds,
					Object *obj);

/**
 * MinkCom_getMemoryObject() - allocate shareable memory
 * @root:   unused: the memory does not come from the TEE (kept for Mink's
 *          signature).
 * @size:   bytes wanted (nonzero), rounded up to whole pages.
 * @memObj: out: a read-write memory object (zero-filled), or Object_NULL
 *          on failure.  The caller owns it and releases it with
 *          Object_release(), which unmaps and frees the memory once the
 *          TEE holds it no more.
 *
 * objinvoke_memory_alloc(size, 0, memObj): a dma-buf from
 * /dev/dma_heap/system, or through /dev/udmabuf where no heap exists
 * (libobject.h, docs/libobject.md).
 *
 * Return: Object_OK; Object_ERROR_UNAVAIL when neither device exists;
 * another error as objinvoke_memory_alloc() returns it.
 */
int MinkCom_getMemoryObject(Object root, size_t size, Object *memObj);

/**
 * MinkCom_getMemoryObjectInfo() - where a memory object is mapped
 * @memObj:  a memory object (borrowed).
 * @address: out: the start of this process's mapping of all of it, valid
 *           while a reference to @memObj is held; NULL on failure.  NULL
 *           may be passed when not wanted.
 * @size:    out: its size in bytes (whole pages); 0 on failure.  May be
 *           NULL.
 *
 * Bracket access with objinvoke_memory_begin_cpu() and _end_cpu().  A
 * read-only memory object is mapped read-only: writing faults.
 *
 * Return: Object_OK; Object_ERROR_INVALID when @memObj is not a memory
 * object.
 */
int MinkCom_getMemoryObjectInfo(Object memObj, void **address, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* MINKCOM_H */
