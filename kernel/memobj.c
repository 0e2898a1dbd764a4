// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: memory objects and mappings
 *
 * A dma-buf fd passed where an object is expected becomes a memory object
 * (struct oi_memobj): the kernel imports the dma-buf and finds where its
 * pages are (below), so scattered pages are as good as contiguous ones.
 * The TEE receives the memory object by NS ID
 * like any object and maps it with the primordial object's map-region
 * method, which makes a mapping object (struct oi_mapping) and answers
 * with its region.  The mapping holds the memory object, and the memory
 * object holds the dma-buf: the memory stays valid while the TEE holds the
 * mapping, even after every fd is closed, and goes with the last unmap.
 *
 * Each live mapping has a window in the bridge xarray; the emulator
 * backend serves mmap() of a window page by page from it and revokes the
 * window's pages when the mapping goes (backend_emu.c).  A fault installs
 * its page table entry itself, under the bridge's lock held for reading,
 * and a mapping leaves the bridge under the same lock held for writing
 * before its pages are unmapped: an entry is either in place before the
 * unmap (which removes it) or never made.  A memory object from a dma-buf
 * the exporter made read-only is mapped read-only.
 *
 * When a memory object goes back to userspace it goes as a dma-buf fd of
 * the same dma-buf, so the receiver can map it.
 *
 * One dma-buf is one memory object while it lives: the import is kept in
 * a tree keyed by the dma-buf, so passing the same memory again costs a
 * lookup, not an attachment and a page walk; an invocation with a memory
 * object costs the same at 4 KiB as at 64 MiB.
 *
 * The bridge needs struct pages, and an importer may only find them in
 * two sound ways: the exporter's kernel mapping (dma_buf_vmap()) when it
 * is ordinary memory, which every heap gives; or, for udmabuf, whose
 * buffers are memfd pages by construction and which has no vmap before
 * Linux 6.2, the pages of an attachment's table (attached with the
 * module's own bridge device, as vgem does; never under
 * CONFIG_DMABUF_DEBUG, which scrambles importers' page links on purpose).
 * Any other dma-buf (device memory, exporters without vmap) is refused at
 * import with -EOPNOTSUPP.  The bridge is an emulation of what the
 * hypervisor does on hardware, where the real TEE maps physical memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "internal.h"
#include "testpoint.h"
#include "trace.h"

MODULE_IMPORT_NS(DMA_BUF);

/**
 * struct oi_memobj - a dma-buf the kernel imported
 * @base:     the object.
 * @node:     in oi_memobjs, under oi_memobjs_lock.
 * @dmabuf:   a reference to the dma-buf; invariant.
 * @vmap:     the exporter's kernel mapping, when the pages are found
 *            through it; invariant.
 * @attach:   otherwise (udmabuf), the bridge device's attachment; invariant.
 * @sgt:      its mapped table; invariant.
 * @pages:    the pages of @sgt, in order; invariant.
 * @npages:   pages the dma-buf spans; invariant.
 * @writable: the dma-buf's file is writable; invariant.
 */
struct oi_memobj {
	struct oi_object base;
	struct rb_node node;
	struct dma_buf *dmabuf;
	struct iosys_map vmap;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	struct page **pages;
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

static void oi_memobj_unimport(struct oi_memobj *mem);

/* dma-buf -> its memory object, no reference: destroy erases it. */
static struct rb_root oi_memobjs = RB_ROOT;
static DEFINE_MUTEX(oi_memobjs_lock);

/*
 * Window -> mapping, no reference: the mapping's destroy erases it, with
 * oi_bridge_sem held for writing; faults hold it for reading.
 */
static DEFINE_XARRAY_ALLOC1(oi_bridge);
static DECLARE_RWSEM(oi_bridge_sem);
static u32 oi_bridge_next;
/* The device that attaches to dma-bufs for the bridge (udmabuf only). */
static struct platform_device *oi_bridge_dev;
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
	oi_memobj_unimport(mem);
	dma_buf_put(mem->dmabuf);
	kfree(mem);
}

static const struct oi_object_ops oi_memobj_ops = {
	.kind = OI_KIND_MEMORY,
	.invoke = oi_memobj_invoke,
	.destroy = oi_memobj_destroy,
};

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

/* Page @idx of the memory: O(1) either way. */
static struct page *oi_memobj_page(struct oi_memobj *mem, unsigned long idx)
{
	void *va;

	if (mem->pages)
		return mem->pages[idx];
	va = mem->vmap.vaddr + (idx << PAGE_SHIFT);
	return is_vmalloc_addr(va) ? vmalloc_to_page(va) : virt_to_page(va);
}

/* The exporter's kernel mapping, if it is ordinary memory with pages. */
static int oi_memobj_import_vmap(struct oi_memobj *mem)
{
	void *va;
	int ret;

	if (oi_test_fault(OI_TP_MEM_NO_VMAP))
		return -EOPNOTSUPP;	/* as an exporter without vmap */
	ret = dma_buf_vmap(mem->dmabuf, &mem->vmap);
	if (ret)
		return ret;
	va = mem->vmap.vaddr;
	if (!mem->vmap.is_iomem && va && PAGE_ALIGNED(va) &&
	    (is_vmalloc_addr(va) || virt_addr_valid(va)))
		return 0;
	dma_buf_vunmap(mem->dmabuf, &mem->vmap);
	iosys_map_clear(&mem->vmap);
	return -EOPNOTSUPP;
}

/* udmabuf: the pages of the bridge device's attachment, in order. */
static int oi_memobj_import_table(struct oi_memobj *mem)
{
	struct sg_page_iter piter;
	unsigned long i = 0;
	int ret;

	if (IS_ENABLED(CONFIG_DMABUF_DEBUG) ||
	    strcmp(mem->dmabuf->exp_name, "udmabuf"))
		return -EOPNOTSUPP;
	mem->attach = dma_buf_attach(mem->dmabuf, &oi_bridge_dev->dev);
	if (IS_ERR(mem->attach))
		return PTR_ERR(mem->attach);
	mem->sgt = dma_buf_map_attachment_unlocked(mem->attach,
						   DMA_BIDIRECTIONAL);
	if (IS_ERR(mem->sgt)) {
		ret = PTR_ERR(mem->sgt);
		goto err_detach;
	}
	ret = -ENOMEM;
	mem->pages = kvcalloc(mem->npages, sizeof(*mem->pages),
			      GFP_KERNEL_ACCOUNT);
	if (!mem->pages)
		goto err_unmap;
	for_each_sgtable_page(mem->sgt, &piter, 0) {
		if (i == mem->npages)
			break;
		mem->pages[i++] = sg_page_iter_page(&piter);
	}
	ret = -EINVAL;	/* the table must cover the dma-buf */
	if (i < mem->npages)
		goto err_free;
	return 0;

err_free:
	kvfree(mem->pages);
	mem->pages = NULL;
err_unmap:
	dma_buf_unmap_attachment_unlocked(mem->attach, mem->sgt,
					  DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(mem->dmabuf, mem->attach);
	mem->attach = NULL;
	return ret;
}

/* Find the pages of @dmabuf (whose reference @mem takes over). */
static int oi_memobj_import(struct oi_memobj *mem, struct dma_buf *dmabuf)
{
	int ret;

	mem->dmabuf = dmabuf;
	mem->writable = dmabuf->file->f_mode & FMODE_WRITE;
	mem->npages = PAGE_ALIGN(dmabuf->size) >> PAGE_SHIFT;
	ret = oi_memobj_import_vmap(mem);
	if (ret)
		ret = oi_memobj_import_table(mem);
	return ret;
}

static void oi_memobj_unimport(struct oi_memobj *mem)
{
	if (mem->pages) {
		kvfree(mem->pages);
		dma_buf_unmap_attachment_unlocked(mem->attach, mem->sgt,
						  DMA_BIDIRECTIONAL);
		dma_buf_detach(mem->dmabuf, mem->attach);
	} else {
		dma_buf_vunmap(mem->dmabuf, &mem->vmap);
	}
}

/**
 * oi_memobj_from_fd() - a memory object for the dma-buf behind @fd
 * @fd: a file descriptor of the calling process.
 *
 * Context: process context.
 * Return: a new reference, or ERR_PTR(): -EINVAL when @fd is not a
 *         dma-buf, -EOPNOTSUPP for memory the bridge cannot reach (see
 *         DOC above), or the import's error.
 */
struct oi_object *oi_memobj_from_fd(int fd)
{
	struct rb_node **link, *parent;
	struct oi_memobj *mem;
	struct dma_buf *dmabuf;
	int ret;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return ERR_PTR(-EINVAL);	/* neither an object nor memory */

	/* Held across the import, so one dma-buf never gets two. */
	mutex_lock(&oi_memobjs_lock);
	mem = oi_memobj_find_locked(dmabuf, &link, &parent);
	if (mem) {
		mutex_unlock(&oi_memobjs_lock);
		dma_buf_put(dmabuf);	/* the memory object has its own */
		return &mem->base;
	}
	ret = -ENOMEM;
	mem = kzalloc(sizeof(*mem), GFP_KERNEL_ACCOUNT);
	if (mem)
		ret = oi_memobj_import(mem, dmabuf);
	if (ret) {
		mutex_unlock(&oi_memobjs_lock);
		kfree(mem);
		dma_buf_put(dmabuf);
		return ERR_PTR(ret);
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

	/* No fault is between its lookup and its page table entry now. */
	down_write(&oi_bridge_sem);
	xa_erase(&oi_bridge, map->window);
	up_write(&oi_bridge_sem);
	/* Whatever the TEE still has mapped goes now. */
	if (oi_bridge_revoke)
		oi_bridge_revoke((u64)map->window * OBJINVOKE_EMU_WINDOW, size);
	trace_objinvoke_unmap(&map->mem->base,
			      (u64)map->window * OBJINVOKE_EMU_WINDOW, size);
	oi_object_put(&map->mem->base);	/* get: oi_map_region() */
	kfree(map);
}

static const struct oi_object_ops oi_mapping_ops = {
	.kind = OI_KIND_MAPPING,
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

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	oi_object_init(&map->base, &oi_mapping_ops);
	map->perms = QTEE_PERM_READ | (mem->writable ? QTEE_PERM_WRITE : 0);
	ret = xa_alloc_cyclic(&oi_bridge, &map->window, map,
			      XA_LIMIT(1, U32_MAX >> 8), &oi_bridge_next,
			      GFP_KERNEL_ACCOUNT);
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
	trace_objinvoke_map(&mem->base, (u64)map->window * OBJINVOKE_EMU_WINDOW,
			    mem->dmabuf->size, map->perms);
	inv->args[qtee_idx_oo(inv->counts)].o = &map->base;
	inv->result = QTEE_OK;
	return 0;
}

/**
 * oi_bridge_fault() - map the page behind a bridge address for the TEE
 * @vmf: a fault in a VM_MIXEDMAP mapping of the bridge, whose page offset
 *       is window * WINDOW + offset.
 *
 * The page table entry is made here, under the bridge's lock, so that a
 * mapping's release either finds it (and unmaps it) or makes this fault
 * find nothing: the TEE never keeps a page past the release.
 *
 * Context: a page fault (mmap_lock held for reading).
 * Return: VM_FAULT_NOPAGE when the entry is in place, VM_FAULT_SIGBUS
 *         outside a live mapping or for a write to a read-only one,
 *         VM_FAULT_OOM.
 */
vm_fault_t oi_bridge_fault(struct vm_fault *vmf)
{
	unsigned long per_window = OBJINVOKE_EMU_WINDOW >> PAGE_SHIFT;
	unsigned long idx = vmf->pgoff % per_window;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	struct oi_mapping *map;
	int err;

	down_read(&oi_bridge_sem);
	map = xa_load(&oi_bridge, vmf->pgoff / per_window);
	if (map && idx < map->mem->npages &&
	    (!write || map->perms & QTEE_PERM_WRITE)) {
		oi_test_point(OI_TP_BRIDGE_FAULT);
		err = vm_insert_page(vmf->vma, vmf->address & PAGE_MASK,
				     oi_memobj_page(map->mem, idx));
		if (!err || err == -EBUSY)	/* -EBUSY: another fault won */
			ret = VM_FAULT_NOPAGE;
		else if (err == -ENOMEM)
			ret = VM_FAULT_OOM;
	}
	up_read(&oi_bridge_sem);
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
 *
 * Context: module init.
 * Return: 0 or -errno.
 */
int oi_memory_init(void)
{
	int ret;

	/* A device of our own for the attachments, not the misc device. */
	oi_bridge_dev = platform_device_register_simple("objinvoke-bridge",
							 PLATFORM_DEVID_NONE,
							 NULL, 0);
	if (IS_ERR(oi_bridge_dev))
		return PTR_ERR(oi_bridge_dev);
	/* The emulated bridge reaches memory through the CPU: any address. */
	ret = dma_coerce_mask_and_coherent(&oi_bridge_dev->dev,
					   DMA_BIT_MASK(64));
	if (ret)
		platform_device_unregister(oi_bridge_dev);
	return ret;
}

/**
 * oi_memory_exit() - undo oi_memory_init()
 *
 * Context: module exit, once every memory object is gone.
 */
void oi_memory_exit(void)
{
	platform_device_unregister(oi_bridge_dev);
}
