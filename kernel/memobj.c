// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: memory objects and mappings
 *
 * A dma-buf fd passed where an object is expected becomes a memory object
 * (struct oi_memobj): the kernel imports the dma-buf, attaches to it and
 * maps the attachment, so any exporter works and scattered pages are as
 * good as contiguous ones.  The TEE receives the memory object by NS ID
 * like any object and maps it with the primordial object's map-region
 * method, which makes a mapping object (struct oi_mapping) and answers
 * with its region.  The mapping holds the memory object, and the memory
 * object holds the dma-buf: the memory stays valid while the TEE holds the
 * mapping, even after every fd is closed, and goes with the last unmap.
 *
 * Each live mapping has a window in the bridge xarray; the emulator
 * backend serves mmap() of a window page by page from it and revokes the
 * window's pages when the mapping goes (backend_emu.c).  A memory object
 * from a dma-buf the exporter made read-only is mapped read-only.
 *
 * When a memory object goes back to userspace it goes as a dma-buf fd of
 * the same dma-buf, so the receiver can map it.
 *
 * One dma-buf is one memory object while it lives: the import is kept in
 * a tree keyed by the dma-buf, so passing the same memory again costs a
 * lookup, not an attachment and a page walk; an invocation with a memory
 * object costs the same at 4 KiB as at 64 MiB.
 *
 * The pages behind the bridge are taken from the attachment's scatterlist.
 * That is more than a dma-buf importer is usually allowed, and fine for
 * the system heap and udmabuf, whose buffers are ordinary pages; the
 * bridge is an emulation of what the hypervisor does on hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rbtree.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "objinvoke.h"

MODULE_IMPORT_NS(DMA_BUF);

/**
 * struct oi_memobj - a dma-buf the kernel imported
 * @base:     the object.
 * @node:     in oi_memobjs, under oi_memobjs_lock.
 * @dmabuf:   a reference to the dma-buf; invariant.
 * @attach:   the kernel's attachment; invariant.
 * @sgt:      the attachment's mapping; invariant.
 * @npages:   pages the dma-buf spans; invariant.
 * @writable: the dma-buf's file is writable; invariant.
 */
struct oi_memobj {
	struct oi_object base;
	struct rb_node node;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	unsigned long npages;
	bool writable;
};

/**
 * struct oi_mapping - the TEE's mapping of a memory object
 * @base:   the object; releasing it unmaps.
 * @mem:    the memory object; a reference.  Invariant.
 * @window: its window in the bridge; invariant.
 * @perms:  QTEE_PERM_*; invariant.
 */
struct oi_mapping {
	struct oi_object base;
	struct oi_memobj *mem;
	u32 window;
	u32 perms;
};

static const struct oi_object_ops oi_memobj_ops;
static const struct oi_object_ops oi_mapping_ops;

/* dma-buf -> its memory object, no reference: destroy erases it. */
static struct rb_root oi_memobjs = RB_ROOT;
static DEFINE_MUTEX(oi_memobjs_lock);

/* Window -> mapping, no reference: the mapping's destroy erases it. */
static DEFINE_XARRAY_ALLOC1(oi_bridge);
static u32 oi_bridge_next;
static struct device *oi_dma_dev;
static void (*oi_bridge_revoke)(u64 start, u64 len);

static struct oi_memobj *to_memobj(struct oi_object *obj)
{
	return container_of(obj, struct oi_memobj, base);
}

bool oi_object_is_memory(struct oi_object *obj)
{
	return obj->ops == &oi_memobj_ops;
}

static int oi_memobj_invoke(struct oi_object *obj, struct oi_invocation *inv)
{
	/* Memory is mapped, not called. */
	inv->result = QTEE_ERROR_INVALID;
	return 0;
}

static void oi_memobj_destroy(struct oi_object *obj)
{
	struct oi_memobj *mem = to_memobj(obj);

	mutex_lock(&oi_memobjs_lock);
	rb_erase(&mem->node, &oi_memobjs);
	mutex_unlock(&oi_memobjs_lock);
	dma_buf_unmap_attachment_unlocked(mem->attach, mem->sgt,
					  DMA_BIDIRECTIONAL);
	dma_buf_detach(mem->dmabuf, mem->attach);
	dma_buf_put(mem->dmabuf);
	kfree(mem);
}

static const struct oi_object_ops oi_memobj_ops = {
	.name = "memory",
	.invoke = oi_memobj_invoke,
	.destroy = oi_memobj_destroy,
};

/*
 * The mapped table must cover the dma-buf.  Checked by walking its
 * entries, not its pages: a heap's buffer is a few large chunks, so the
 * import costs about the same whatever the size.
 */
static int oi_memobj_check_table(struct oi_memobj *mem)
{
	struct scatterlist *sg;
	u64 covered = 0;
	unsigned int i;

	mem->npages = PAGE_ALIGN(mem->dmabuf->size) >> PAGE_SHIFT;
	for_each_sgtable_sg(mem->sgt, sg, i)
		covered += sg->length;
	return covered >= (u64)mem->npages << PAGE_SHIFT ? 0 : -EINVAL;
}

/* Page @idx of the memory, found by walking the table's entries. */
static struct page *oi_memobj_page(struct oi_memobj *mem, unsigned long idx)
{
	u64 want = (u64)idx << PAGE_SHIFT, start = 0;
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(mem->sgt, sg, i) {
		if (want < start + sg->length)
			return nth_page(sg_page(sg),
					(sg->offset + want - start) >> PAGE_SHIFT);
		start += sg->length;
	}
	return NULL;
}

/* The live memory object of @dmabuf, with a reference, or NULL. */
static struct oi_memobj *oi_memobj_find_locked(struct dma_buf *dmabuf,
					       struct rb_node ***link,
					       struct rb_node **parent)
{
	struct oi_memobj *mem;

	lockdep_assert_held(&oi_memobjs_lock);
	*link = &oi_memobjs.rb_node;
	*parent = NULL;
	while (**link) {
		*parent = **link;
		mem = rb_entry(*parent, struct oi_memobj, node);
		/*
		 * A dying one stays in the tree until its destroy: pass it
		 * by on the right, where a new one for the same dma-buf goes.
		 */
		if (dmabuf == mem->dmabuf && kref_get_unless_zero(&mem->base.ref))
			return mem;
		*link = dmabuf < mem->dmabuf ? &(*parent)->rb_left :
					       &(*parent)->rb_right;
	}
	return NULL;
}

/* Attach and map @dmabuf (whose reference @mem takes over). */
static int oi_memobj_import(struct oi_memobj *mem, struct dma_buf *dmabuf)
{
	int ret;

	mem->dmabuf = dmabuf;
	mem->writable = dmabuf->file->f_mode & FMODE_WRITE;
	mem->attach = dma_buf_attach(dmabuf, oi_dma_dev);
	if (IS_ERR(mem->attach))
		return PTR_ERR(mem->attach);
	mem->sgt = dma_buf_map_attachment_unlocked(mem->attach,
						   DMA_BIDIRECTIONAL);
	if (IS_ERR(mem->sgt)) {
		ret = PTR_ERR(mem->sgt);
		goto err_detach;
	}
	ret = oi_memobj_check_table(mem);
	if (ret)
		goto err_unmap;
	return 0;

err_unmap:
	dma_buf_unmap_attachment_unlocked(mem->attach, mem->sgt,
					  DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(dmabuf, mem->attach);
	return ret;
}

/**
 * oi_memobj_from_fd() - a memory object for the dma-buf behind @fd
 * @fd:  a file descriptor of the calling process.
 * @err: out: -EINVAL when @fd is not a dma-buf, or the import's error.
 *
 * Context: process context.
 * Return: a new reference, or NULL.
 */
struct oi_object *oi_memobj_from_fd(int fd, int *err)
{
	struct rb_node **link, *parent;
	struct oi_memobj *mem;
	struct dma_buf *dmabuf;
	int ret;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf)) {
		*err = -EINVAL;	/* neither an object nor memory */
		return NULL;
	}

	/* Held across the import, so one dma-buf never gets two. */
	mutex_lock(&oi_memobjs_lock);
	mem = oi_memobj_find_locked(dmabuf, &link, &parent);
	if (mem) {
		mutex_unlock(&oi_memobjs_lock);
		dma_buf_put(dmabuf);	/* the memory object has its own */
		return &mem->base;
	}
	ret = -ENOMEM;
	mem = kzalloc(sizeof(*mem), GFP_KERNEL);
	if (mem)
		ret = oi_memobj_import(mem, dmabuf);
	if (ret) {
		mutex_unlock(&oi_memobjs_lock);
		kfree(mem);
		dma_buf_put(dmabuf);
		*err = ret;
		return NULL;
	}
	oi_object_init(&mem->base, &oi_memobj_ops);
	rb_link_node(&mem->node, parent, link);
	rb_insert_color(&mem->node, &oi_memobjs);
	mutex_unlock(&oi_memobjs_lock);
	return &mem->base;
}

/**
 * oi_memobj_file() - the dma-buf file a memory object goes out as
 * @obj: a memory object.
 *
 * Context: any.
 * Return: a new reference to the dma-buf's file.
 */
struct file *oi_memobj_file(struct oi_object *obj)
{
	return get_file(to_memobj(obj)->dmabuf->file);
}

/* ---- mappings: the primordial object's map region ---- */

static struct oi_mapping *to_mapping(struct oi_object *obj)
{
	return container_of(obj, struct oi_mapping, base);
}

static int oi_mapping_invoke(struct oi_object *obj, struct oi_invocation *inv)
{
	inv->result = QTEE_ERROR_INVALID;	/* releasing it is all it does */
	return 0;
}

static void oi_mapping_destroy(struct oi_object *obj)
{
	struct oi_mapping *map = to_mapping(obj);
	u64 size = (u64)map->mem->npages << PAGE_SHIFT;

	xa_erase(&oi_bridge, map->window);
	/* Whatever the TEE still has mapped goes now. */
	if (oi_bridge_revoke)
		oi_bridge_revoke((u64)map->window * OBJINVOKE_EMU_WINDOW, size);
	oi_object_put(&map->mem->base);	/* get: oi_map_region() */
	kfree(map);
}

static const struct oi_object_ops oi_mapping_ops = {
	.name = "mapping",
	.invoke = oi_mapping_invoke,
	.destroy = oi_mapping_destroy,
};

static void put_le64(u8 *p, u64 v)
{
	__le64 le = cpu_to_le64(v);

	memcpy(p, &le, sizeof(le));
}

/**
 * oi_map_region() - the primordial object's map region, for the TEE
 * @inv: IO the memory object, BO the region (20 bytes), OO the mapping.
 *
 * Context: process context.
 * Return: 0 with inv->result set, or -errno.
 */
int oi_map_region(struct oi_invocation *inv)
{
	unsigned int bo = QTEE_IDX_BO(inv->counts), io = qtee_idx_io(inv->counts);
	u8 region[QTEE_MAP_REGION_SIZE];
	struct oi_mapping *map;
	struct oi_memobj *mem;
	__le32 perms;
	int ret;

	if (inv->counts != QTEE_COUNTS(0, 1, 1, 1)) {
		inv->result = QTEE_ERROR_INVALID;
		return 0;
	}
	if (inv->args[bo].b.size < QTEE_MAP_REGION_SIZE) {
		inv->result = QTEE_ERROR_SIZE_OUT;
		return 0;
	}
	if (!inv->args[io].o || !oi_object_is_memory(inv->args[io].o)) {
		inv->result = QTEE_ERROR_BADOBJ;	/* only memory maps */
		return 0;
	}
	mem = to_memobj(inv->args[io].o);

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	oi_object_init(&map->base, &oi_mapping_ops);
	map->perms = QTEE_PERM_READ | (mem->writable ? QTEE_PERM_WRITE : 0);
	ret = xa_alloc_cyclic(&oi_bridge, &map->window, map,
			      XA_LIMIT(1, U32_MAX >> 8), &oi_bridge_next,
			      GFP_KERNEL);
	if (ret < 0) {
		kfree(map);
		return ret;
	}
	oi_object_get(&mem->base);	/* put: oi_mapping_destroy() */
	map->mem = mem;

	put_le64(region, (u64)map->window * OBJINVOKE_EMU_WINDOW);
	put_le64(region + 8, mem->dmabuf->size);
	perms = cpu_to_le32(map->perms);
	memcpy(region + 16, &perms, sizeof(perms));
	ret = oi_arg_write(inv, bo, region, sizeof(region));
	if (ret) {
		oi_object_put(&map->base);
		return ret;
	}
	inv->args[qtee_idx_oo(inv->counts)].o = &map->base;
	inv->result = QTEE_OK;
	return 0;
}

/**
 * oi_bridge_page() - the page behind a bridge address, for a fault
 * @pgoff: page offset into the bridge (window * WINDOW + offset).
 * @write: the access writes.
 * @page:  out: the page, with a reference.
 *
 * Context: any context that may take a spinlock.
 * Return: 0, -ENXIO outside a live mapping, -EACCES for a write to a
 *         read-only one.
 */
int oi_bridge_page(pgoff_t pgoff, bool write, struct page **page)
{
	unsigned long per_window = OBJINVOKE_EMU_WINDOW >> PAGE_SHIFT;
	unsigned long idx = pgoff % per_window;
	struct oi_mapping *map;
	int ret = -ENXIO;

	xa_lock(&oi_bridge);
	map = xa_load(&oi_bridge, pgoff / per_window);
	if (map && idx < map->mem->npages) {
		if (write && !(map->perms & QTEE_PERM_WRITE)) {
			ret = -EACCES;
		} else {
			*page = oi_memobj_page(map->mem, idx);
			if (*page) {
				get_page(*page);
				ret = 0;
			}
		}
	}
	xa_unlock(&oi_bridge);
	return ret;
}

/**
 * oi_bridge_check() - may the range [@pgoff, @pgoff + @npages) be mapped?
 * @pgoff:  page offset into the bridge.
 * @npages: its length.
 * @write:  with write access.
 *
 * Context: any context that may take a spinlock.
 * Return: 0, -ENXIO or -EACCES.
 */
int oi_bridge_check(pgoff_t pgoff, unsigned long npages, bool write)
{
	unsigned long per_window = OBJINVOKE_EMU_WINDOW >> PAGE_SHIFT;
	unsigned long idx = pgoff % per_window;
	struct oi_mapping *map;
	int ret = -ENXIO;

	xa_lock(&oi_bridge);
	map = xa_load(&oi_bridge, pgoff / per_window);
	if (map && npages <= map->mem->npages &&
	    idx <= map->mem->npages - npages)
		ret = write && !(map->perms & QTEE_PERM_WRITE) ? -EACCES : 0;
	xa_unlock(&oi_bridge);
	return ret;
}

/**
 * oi_bridge_set_revoke() - how the backend takes bridge pages back
 * @revoke: called with a bridge byte range when its mapping goes.
 *
 * Context: module init.
 */
void oi_bridge_set_revoke(void (*revoke)(u64 start, u64 len))
{
	oi_bridge_revoke = revoke;
}

/**
 * oi_memory_init() - set up memory objects
 * @dev: the device that attaches to dma-bufs on the TEE's behalf.
 *
 * Context: module init.
 * Return: 0 or -errno.
 */
int oi_memory_init(struct device *dev)
{
	oi_dma_dev = dev;
	/* The kernel's own view of the memory: any address will do. */
	return dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64));
}
