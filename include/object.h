/* SPDX-License-Identifier: MIT */
/*
 * object.h: the Mink object model.
 *
 * Source-compatible with the object.h that Mink client code and the C
 * headers of Mink's IDL compiler include: same names, same values, same
 * macros.  An Object is a value of two pointers, an invoke function and
 * its context; every call on an object, including retain and release, is
 * an invocation.  Written for objinvoke from the published facts of the
 * interface (docs/libobject.md).
 */
#ifndef OBJECT_H
#define OBJECT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t ObjectOp;
typedef uint32_t ObjectCounts;
typedef void *ObjectCxt;

typedef struct ObjectBuf {
	void *ptr;
	size_t size;
} ObjectBuf;

typedef struct ObjectBufIn {
	const void *ptr;
	size_t size;
} ObjectBufIn;

typedef union ObjectArg ObjectArg;

typedef int32_t (*ObjectInvoke)(ObjectCxt h, ObjectOp op, ObjectArg *args,
				ObjectCounts counts);

typedef struct Object {
	ObjectInvoke invoke;
	ObjectCxt context;
} Object;

union ObjectArg {
	ObjectBuf b;
	ObjectBufIn bi;
	Object o;
};

/* Annotations for readers; they expand to nothing. */
#define OBJECT_NOT_RETAINED
#define OBJECT_CONSUMED

/* ---- operations ---- */

#define ObjectOp_METHOD_MASK		((ObjectOp)0x0000FFFFu)
#define ObjectOp_methodID(op)		((op) & ObjectOp_METHOD_MASK)
#define ObjectOp_METHOD_USERMAX		((ObjectOp)0x00003FFFu)

#define ObjectOp_MODIFIER_MASK		((ObjectOp)0xFFFF0000u)
#define ObjectOp_REMOTE_BUFS		((ObjectOp)0x00010000u)

/* Local ops are answered by the transport itself, never forwarded. */
#define ObjectOp_LOCAL			((ObjectOp)0x00008000u)
#define ObjectOp_isLocal(op)		(((op) & ObjectOp_LOCAL) != 0)

#define Object_OP_release		(ObjectOp_METHOD_MASK - 0)
#define Object_OP_retain		(ObjectOp_METHOD_MASK - 1)

/* ---- counts: BI | BO << 4 | OI << 8 | OO << 12 ---- */

#define ObjectCounts_pack(nBI, nBO, nOI, nOO) \
	((ObjectCounts)((nBI) | ((nBO) << 4) | ((nOI) << 8) | ((nOO) << 12)))

#define ObjectCounts_maxBI		0xF
#define ObjectCounts_maxBO		0xF
#define ObjectCounts_maxOI		0xF
#define ObjectCounts_maxOO		0xF

#define ObjectCounts_numBI(k)		((size_t)(((k) >> 0) & ObjectCounts_maxBI))
#define ObjectCounts_numBO(k)		((size_t)(((k) >> 4) & ObjectCounts_maxBO))
#define ObjectCounts_numOI(k)		((size_t)(((k) >> 8) & ObjectCounts_maxOI))
#define ObjectCounts_numOO(k)		((size_t)(((k) >> 12) & ObjectCounts_maxOO))
#define ObjectCounts_numBuffers(k)	(ObjectCounts_numBI(k) + ObjectCounts_numBO(k))
#define ObjectCounts_numObjects(k)	(ObjectCounts_numOI(k) + ObjectCounts_numOO(k))
#define ObjectCounts_total(k)		(ObjectCounts_numBuffers(k) + ObjectCounts_numObjects(k))

#define ObjectCounts_indexBI(k)		0
#define ObjectCounts_indexBO(k)		(ObjectCounts_indexBI(k) + ObjectCounts_numBI(k))
#define ObjectCounts_indexOI(k)		(ObjectCounts_indexBO(k) + ObjectCounts_numBO(k))
#define ObjectCounts_indexOO(k)		(ObjectCounts_indexOI(k) + ObjectCounts_numOI(k))
#define ObjectCounts_indexBuffers(k)	ObjectCounts_indexBI(k)
#define ObjectCounts_indexObjects(k)	ObjectCounts_indexOI(k)

/* ---- results ---- */

#define Object_OK			0
#define Object_ERROR			1
#define Object_ERROR_INVALID		2
#define Object_ERROR_SIZE_IN		3
#define Object_ERROR_SIZE_OUT		4
#define Object_ERROR_MEM		5
#define Object_ERROR_USERBASE		10

#define Object_ERROR_DEFUNCT		(-90)
#define Object_ERROR_ABORT		(-91)
#define Object_ERROR_BADOBJ		(-92)
#define Object_ERROR_NOSLOTS		(-93)
#define Object_ERROR_MAXARGS		(-94)
#define Object_ERROR_MAXDATA		(-95)
#define Object_ERROR_UNAVAIL		(-96)
#define Object_ERROR_KMEM		(-97)
#define Object_ERROR_REMOTE		(-98)
#define Object_ERROR_BUSY		(-99)
#define Object_ERROR_AUTH		(-100)
#define Object_ERROR_REPLAY		(-101)
#define Object_ERROR_MAXREPLAY		(-102)
#define Object_ERROR_TIMEOUT		(-103)

#define Object_isOK(err)		((err) == 0)
#define Object_isERROR(err)		((err) != 0)

/* ---- invoking and lifetime ---- */

#define Object_invoke(o, op, args, k) \
	((o).invoke((o).context, (op), (args), (k)))

#define Object_NULL			((Object){ NULL, NULL })
#define Object_isNull(o)		((o).invoke == NULL)

static inline int32_t Object_release(Object o)
{
	return Object_invoke(o, Object_OP_release, NULL, 0);
}

static inline int32_t Object_retain(Object o)
{
	return Object_invoke(o, Object_OP_retain, NULL, 0);
}

#define Object_RELEASE_IF(o)				\
	do {						\
		Object o_ = (o);			\
		if (!Object_isNull(o_))			\
			(void)Object_release(o_);	\
	} while (0)

/* Retain @obj, release what *@loc held, and store @obj there. */
static inline void Object_replace(Object *loc, Object obj)
{
	if (!Object_isNull(obj))
		(void)Object_retain(obj);
	if (!Object_isNull(*loc))
		(void)Object_release(*loc);
	*loc = obj;
}

#define Object_ASSIGN(loc, obj)		Object_replace(&(loc), (obj))
#define Object_ASSIGN_NULL(loc)		Object_replace(&(loc), Object_NULL)
#define Object_INIT(loc, obj)				\
	do {						\
		Object i_ = (obj);			\
		(loc) = i_;				\
		if (!Object_isNull(i_))			\
			(void)Object_retain(i_);	\
	} while (0)

#ifdef __cplusplus
}
#endif

#endif /* OBJECT_H */
