// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access objects: in-kernel users of an IOAS, such as an emulated or
 * mediated device driver (or the test build's test access), that read and
 * write IOAS memory with the CPU or pin its pages, where a real device would
 * DMA through a domain (objects.md §8.1, §10.3).
 *
 * A driver creates an access (an ACCESS object that its creator holds, so
 * IOMMU_DESTROY of it is always EBUSY, and a reference on the context),
 * attaches it to one IOAS at a time (a users reference on the IOAS, and an
 * entry in the IO page table's access_list), then pins pages, unpins them
 * and copies through it. Pins are per exact range and are counted by the
 * pages objects, so a page is pinned once whoever holds it (pages.c).
 *
 * Unmapping an area the access has pinned calls the driver's unmap callback,
 * which must unpin before returning (the unmap retries, then fails with
 * EDEADLOCK). Detaching, moving to another IOAS and destroying call it for
 * the whole IOVA space.
 *
 * Locking: attach_lock serialises attach, replace, detach and destroy;
 * ioas_lock protects ioas (where new pins and copies go) and ioas_unpin
 * (where the pins are) and is held through every pin, unpin and copy, so
 * once a detach has cleared ioas under it no new pin can start. The
 * callback runs with neither held: it unpins, which takes ioas_lock. Where
 * these locks go in the module's order: docs/architecture.md, "Locking and
 * lifetime rules".
 */
#include <linux/iommufd.h>
#include <linux/overflow.h>

#include "iommufd_private.h"

/* Destroy op: the owner detached it already (or the context is torn down) */
void iommufd_access_destroy_object(struct iommufd_object *obj)
{
	struct iommufd_access *access =
		container_of(obj, struct iommufd_access, obj);

	WARN_ON(access->ioas || access->ioas_unpin);
	mutex_destroy(&access->ioas_lock);
	mutex_destroy(&access->attach_lock);
}

/**
 * iommufd_access_create() - create an access, not attached to any IOAS
 * @ictx: context, on which the caller holds a reference
 * @ops: the driver's callbacks; @ops->unmap is required to pin pages
 * @data: passed to @ops->unmap
 * @id: out: the ACCESS object's ID
 *
 * The access holds a reference on @ictx until iommufd_access_destroy().
 *
 * Return: the access, or an ERR_PTR: -EINVAL for an access that pins pages
 * but has no unmap callback (its pins could never be revoked), -ENOMEM.
 */
struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ictx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id)
{
	struct iommufd_access *access;

	if (ops->needs_pin_pages && !ops->unmap)
		return ERR_PTR(-EINVAL);

	access = iommufd_object_alloc(ictx, struct iommufd_access,
				      IOMMUFD_OBJ_ACCESS);
	if (IS_ERR(access))
		return access;
	access->ops = ops;
	access->data = data;
	access->ictx = ictx;
	mutex_init(&access->attach_lock);
	mutex_init(&access->ioas_lock);
	/* The creator's reference: userspace can never destroy it */
	refcount_inc(&access->obj.users);
	iommufd_ctx_get(ictx);
	iommufd_object_finalize(ictx, &access->obj);
	*id = access->obj.id;
	return access;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_create, IOMMUFD_NS);

/*
 * Put the access on the IO page table of @ioas (looked up by the caller);
 * the access then holds a users reference on it.
 */
static int iommufd_access_join_ioas(struct iommufd_access *access,
				    struct iommufd_ioas *ioas, u32 *list_id)
{
	int rc;

	rc = iopt_add_access(&ioas->iopt, access, access->ops->needs_pin_pages,
			     list_id);
	if (!rc)
		refcount_inc(&ioas->obj.users);
	return rc;
}

/*
 * Stop new pins and copies, let the driver drop its pins, then take the
 * access off the IOAS it pinned in. With @new, the access moves there.
 */
static void iommufd_access_leave_ioas(struct iommufd_access *access,
				      struct iommufd_ioas *new, u32 new_list_id)
{
	struct iommufd_ioas *old;

	lockdep_assert_held(&access->attach_lock);

	mutex_lock(&access->ioas_lock);
	old = access->ioas_unpin;
	access->ioas = NULL;
	mutex_unlock(&access->ioas_lock);

	if (access->ops->unmap)
		access->ops->unmap(access->data, 0, ULONG_MAX);

	mutex_lock(&access->ioas_lock);
	iopt_remove_access(&old->iopt, access->iopt_access_list_id,
			   access->ops->needs_pin_pages);
	access->ioas = new;
	access->ioas_unpin = new;
	access->iopt_access_list_id = new_list_id;
	mutex_unlock(&access->ioas_lock);
	refcount_dec(&old->obj.users);
}

/**
 * iommufd_access_attach() - attach an access to an IOAS
 * @access: an access that is not attached
 * @ioas_id: the IOAS's ID
 *
 * Return: 0; -ENOENT if @ioas_id is not an IOAS; -EADDRINUSE if the access
 * pins pages and an area of the IOAS is not PAGE_SIZE aligned; -EINVAL if
 * the access is attached already; -ENOMEM.
 */
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id)
{
	struct iommufd_ioas *ioas;
	u32 list_id;
	int rc = 0;

	mutex_lock(&access->attach_lock);
	if (WARN_ON(access->ioas_unpin)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	ioas = iommufd_get_ioas(access->ictx, ioas_id);
	if (IS_ERR(ioas)) {
		rc = PTR_ERR(ioas);
		goto out_unlock;
	}
	rc = iommufd_access_join_ioas(access, ioas, &list_id);
	iommufd_put_object(access->ictx, &ioas->obj);
	if (rc)
		goto out_unlock;
	mutex_lock(&access->ioas_lock);
	access->ioas = ioas;
	access->ioas_unpin = ioas;
	access->iopt_access_list_id = list_id;
	mutex_unlock(&access->ioas_lock);
out_unlock:
	mutex_unlock(&access->attach_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_attach, IOMMUFD_NS);

/**
 * iommufd_access_replace() - move an access to another IOAS
 * @access: an attached access
 * @ioas_id: the new IOAS's ID
 *
 * The access joins the new IOAS first (so a failure changes nothing), then
 * its unmap callback drops every pin, and it leaves the old one. Meanwhile
 * new pins and copies fail with -ENOENT.
 *
 * Return: 0 (also for the IOAS it is on); -ENOENT if not attached or
 * @ioas_id is not an IOAS; -EADDRINUSE if the new IOAS has an area not
 * aligned for a pinning access; -ENOMEM.
 */
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id)
{
	struct iommufd_ioas *ioas;
	u32 list_id;
	int rc = 0;

	mutex_lock(&access->attach_lock);
	if (!access->ioas_unpin) {
		rc = -ENOENT;
		goto out_unlock;
	}
	ioas = iommufd_get_ioas(access->ictx, ioas_id);
	if (IS_ERR(ioas)) {
		rc = PTR_ERR(ioas);
		goto out_unlock;
	}
	if (ioas != access->ioas_unpin)
		rc = iommufd_access_join_ioas(access, ioas, &list_id);
	iommufd_put_object(access->ictx, &ioas->obj);
	if (!rc && ioas != access->ioas_unpin)
		iommufd_access_leave_ioas(access, ioas, list_id);
out_unlock:
	mutex_unlock(&access->attach_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_replace, IOMMUFD_NS);

/**
 * iommufd_access_detach() - detach an access from its IOAS
 * @access: an attached access
 *
 * The unmap callback is called for (0, ULONG_MAX) first; new pins and
 * copies fail with -ENOENT from the start.
 */
void iommufd_access_detach(struct iommufd_access *access)
{
	mutex_lock(&access->attach_lock);
	if (!WARN_ON(!access->ioas_unpin))
		iommufd_access_leave_ioas(access, NULL, 0);
	mutex_unlock(&access->attach_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_detach, IOMMUFD_NS);

/**
 * iommufd_access_destroy() - detach if attached, and destroy an access
 * @access: from iommufd_access_create()
 *
 * Waits for ioctls and unmap notifications still using the object, then
 * drops the access's context reference (which may tear the context down).
 */
void iommufd_access_destroy(struct iommufd_access *access)
{
	struct iommufd_ctx *ictx = access->ictx;

	mutex_lock(&access->attach_lock);
	if (access->ioas_unpin)
		iommufd_access_leave_ioas(access, NULL, 0);
	mutex_unlock(&access->attach_lock);

	iommufd_object_destroy_owned(ictx, &access->obj);
	iommufd_ctx_put(ictx);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_destroy, IOMMUFD_NS);

/**
 * iommufd_access_notify_unmap() - ask an IOAS's accesses to drop pins
 * @iopt: the IO page table, whose locks the caller does not hold
 * @iova: first IOVA being unmapped
 * @length: bytes
 *
 * Calls every attached access's unmap callback. The list is read under
 * iova_rwsem, and each access is held by a shortterm reference while its
 * callback runs without the lock; a detach removes the access from the list
 * before its destroy waits for such references.
 */
void iommufd_access_notify_unmap(struct io_pagetable *iopt, unsigned long iova,
				 unsigned long length)
{
	struct iommufd_access *access;
	unsigned long index;

	down_read(&iopt->iova_rwsem);
	xa_for_each(&iopt->access_list, index, access) {
		if (!access->ops->unmap ||
		    !iommufd_lock_obj(access->ictx, &access->obj))
			continue;
		up_read(&iopt->iova_rwsem);

		access->ops->unmap(access->data, iova, length);

		iommufd_put_object(access->ictx, &access->obj);
		/* xa_for_each() carries on from the index: entries may change */
		down_read(&iopt->iova_rwsem);
	}
	up_read(&iopt->iova_rwsem);
}

/**
 * iommufd_access_pin_pages() - pin the pages behind an IOVA range
 * @access: an access created with needs_pin_pages
 * @iova: first IOVA, any byte alignment
 * @length: bytes
 * @out_pages: gets one page per PAGE_SIZE page from ALIGN_DOWN(@iova,
 *	PAGE_SIZE) to ALIGN(@iova + @length, PAGE_SIZE)
 * @flags: IOMMUFD_ACCESS_RW_WRITE if the driver will write to them
 *
 * The pages stay pinned until iommufd_access_unpin_pages() with the same
 * @iova and @length, which the unmap callback must call when asked. The
 * same range may be pinned several times.
 *
 * Return: 0; -EINVAL for @length 0, an area being unmapped or not page
 * aligned; -EOVERFLOW if the range wraps; -ENOENT if not attached or not
 * all mapped; -EPERM without the areas' permission; pinning errors
 * (-EFAULT, -ENOMEM for RLIMIT_MEMLOCK).
 */
int iommufd_access_pin_pages(struct iommufd_access *access,
			     unsigned long iova, unsigned long length,
			     struct page **out_pages, unsigned int flags)
{
	unsigned long last;
	int rc;

	if (WARN_ON_ONCE(!access->ops->needs_pin_pages)) {
		/* The IOAS alignment does not keep its areas pinnable */
		return -EINVAL;
	}
	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas)
		rc = -ENOENT;
	else
		rc = iopt_access_pin_pages(&access->ioas->iopt, iova, last,
					   out_pages,
					   flags & IOMMUFD_ACCESS_RW_WRITE);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_pin_pages, IOMMUFD_NS);

/**
 * iommufd_access_unpin_pages() - undo iommufd_access_pin_pages()
 * @access: the access
 * @iova: as pinned
 * @length: as pinned
 */
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length)
{
	unsigned long last;

	if (WARN_ON(!length) || WARN_ON(check_add_overflow(iova, length - 1,
							   &last)))
		return;

	mutex_lock(&access->ioas_lock);
	if (!WARN_ON(!access->ioas_unpin))
		iopt_access_unpin_pages(&access->ioas_unpin->iopt, iova, last);
	mutex_unlock(&access->ioas_lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_unpin_pages, IOMMUFD_NS);

/**
 * iommufd_access_rw() - copy between a kernel buffer and IOAS memory
 * @access: the access
 * @iova: first IOVA, any byte alignment
 * @data: kernel buffer
 * @length: bytes
 * @flags: IOMMUFD_ACCESS_RW_WRITE to write IOAS memory (else read it);
 *	IOMMUFD_ACCESS_RW_KTHREAD when called from a kernel thread
 *
 * No long-term pin is taken; the range may span several areas.
 *
 * Return: 0; -EINVAL for @length 0 or an area being unmapped; -EOVERFLOW
 * if the range wraps; -ENOENT if not attached or not all mapped; -EPERM
 * without the areas' permission; -EFAULT if the memory cannot be reached.
 */
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, size_t length, unsigned int flags)
{
	unsigned long last;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas)
		rc = -ENOENT;
	else
		rc = iopt_access_rw(&access->ioas->iopt, iova, last, data,
				    flags);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_access_rw, IOMMUFD_NS);

#ifdef IOMMUFD_TEST
/* MOCK_FLAGS_ACCESS_SYZ: {u32 nth area, u32 offset} of the access's IOAS */
u64 iommufd_access_test_syz_iova(struct iommufd_access *access, u64 syz)
{
	u64 iova = 0;

	mutex_lock(&access->ioas_lock);
	if (access->ioas)
		iova = iopt_test_nth_area_iova(&access->ioas->iopt,
					       lower_32_bits(syz),
					       upper_32_bits(syz));
	mutex_unlock(&access->ioas_lock);
	return iova;
}
#endif
