// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault queues (uapi.md §7.6): IOMMU_FAULT_QUEUE_ALLOC makes a FAULT object
 * and its fd. A HW page table allocated with the object's ID (nested ones,
 * IOMMU_HWPT_FAULT_ID_VALID) sends the I/O page faults of the devices
 * attached to it there; userspace reads them from the fd in groups (struct
 * iommu_hwpt_pgfault records, the last with IOMMU_PGFAULT_FLAGS_LAST_PAGE)
 * and answers each group by writing a struct iommu_hwpt_page_response with
 * its cookie.
 *
 * A group is queued on deliver until read; reading gives it the lowest
 * free cookie and moves it to the response xarray until answered. Every
 * group gets exactly one answer: userspace's, or IOMMUFD_PAGE_RESP_INVALID
 * when its device detaches from (or moves off) the HW page table, when the
 * fd is closed (nobody could answer any more; faults arriving later are
 * answered at once), or when there is no queue to take it.
 *
 * Lifetime: the fd holds a users reference on the FAULT object, so
 * IOMMU_DESTROY is EBUSY until it is closed, and a reference on the
 * context, which it keeps alive; each HW page table using the queue holds
 * a users reference too.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

/* One page request group of a device */
struct iommufd_fault_group {
	/* On deliver, or on a list of groups being answered */
	struct list_head node;
	struct iommufd_device *idev;
	iommufd_fault_respond_fn respond;
	u32 cookie;
	unsigned int nrecords;
	struct iommu_hwpt_pgfault records[];
};

/* Answer @group and free it; under the queue's mutex */
static void iommufd_fault_group_answer(struct iommufd_fault *fault,
				       struct iommufd_fault_group *group,
				       u32 code)
{
	lockdep_assert_held(&fault->mutex);
	group->respond(group->idev, group->records[0].grpid, code);
	kfree(group);
}

/*
 * Answer every group of @idev (all of them if NULL) with INVALID: the
 * undelivered ones and those awaiting a response
 */
static void iommufd_fault_answer_invalid(struct iommufd_fault *fault,
					 struct iommufd_device *idev)
{
	struct iommufd_fault_group *group, *next;
	unsigned long index;

	lockdep_assert_held(&fault->mutex);
	list_for_each_entry_safe(group, next, &fault->deliver, node) {
		if (idev && group->idev != idev)
			continue;
		list_del(&group->node);
		iommufd_fault_group_answer(fault, group,
					   IOMMUFD_PAGE_RESP_INVALID);
	}
	xa_for_each(&fault->response, index, group) {
		if (idev && group->idev != idev)
			continue;
		xa_erase(&fault->response, index);
		iommufd_fault_group_answer(fault, group,
					   IOMMUFD_PAGE_RESP_INVALID);
	}
}

/**
 * iommufd_fault_respond_device() - answer a leaving device's faults
 * @fault: the queue of the HW page table the device leaves
 * @idev: the device, which has left (no new faults can come)
 *
 * Its pending groups, read or not, are answered INVALID (objects.md §5.2).
 */
void iommufd_fault_respond_device(struct iommufd_fault *fault,
				  struct iommufd_device *idev)
{
	mutex_lock(&fault->mutex);
	iommufd_fault_answer_invalid(fault, idev);
	mutex_unlock(&fault->mutex);
}

void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault =
		container_of(obj, struct iommufd_fault, obj);

	/*
	 * Nothing can be pending: the fd, closed by now, answered what it had,
	 * and no device is attached to a HW page table using the queue
	 */
	WARN_ON(!list_empty(&fault->deliver) || !xa_empty(&fault->response));
	xa_destroy(&fault->response);
	mutex_destroy(&fault->mutex);
}

/**
 * iommufd_get_fault() - look up a FAULT object for the current ioctl
 * @ictx: context
 * @id: its ID
 *
 * Return: the queue with a shortterm reference, or ERR_PTR(-ENOENT).
 */
struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, u32 id)
{
	return container_of(iommufd_get_object(ictx, id, IOMMUFD_OBJ_FAULT),
			    struct iommufd_fault, obj);
}

/**
 * iommufd_device_report_fault() - a device raised an I/O page fault group
 * @idev: the device
 * @records: the group's page requests, the last one with
 *	     IOMMU_PGFAULT_FLAGS_LAST_PAGE (dev_id, length and cookie are
 *	     filled in here)
 * @nrecords: their number, at least one
 * @respond: how the group gets its answer, exactly once
 *
 * The group goes to the fault queue of the HW page table the device is
 * attached to; without one (or if it cannot be queued) it is answered
 * INVALID at once.
 */
void iommufd_device_report_fault(struct iommufd_device *idev,
				 const struct iommu_hwpt_pgfault *records,
				 unsigned int nrecords,
				 iommufd_fault_respond_fn respond)
{
	struct iommufd_fault_group *group;
	struct iommufd_fault *fault;
	unsigned int i;

	group = iommufd_should_fail() ? NULL :
		kzalloc(struct_size(group, records, nrecords),
			GFP_KERNEL_ACCOUNT);
	if (!group) {
		respond(idev, records[nrecords - 1].grpid,
			IOMMUFD_PAGE_RESP_INVALID);
		return;
	}
	group->idev = idev;
	group->respond = respond;
	group->nrecords = nrecords;
	for (i = 0; i != nrecords; i++) {
		group->records[i] = records[i];
		group->records[i].dev_id = idev->obj.id;
		group->records[i].length = 0;
		group->records[i].cookie = 0;
		group->records[i].__reserved = 0;
	}

	/* The attachment cannot change meanwhile: it takes idev->lock */
	mutex_lock(&idev->lock);
	fault = idev->hwpt ? idev->hwpt->fault : NULL;
	if (fault) {
		mutex_lock(&fault->mutex);
		if (fault->released) {
			iommufd_fault_group_answer(fault, group,
						   IOMMUFD_PAGE_RESP_INVALID);
		} else {
			list_add_tail(&group->node, &fault->deliver);
			wake_up_interruptible(&fault->wait_queue);
		}
		mutex_unlock(&fault->mutex);
	} else {
		respond(idev, records[nrecords - 1].grpid,
			IOMMUFD_PAGE_RESP_INVALID);
		kfree(group);
	}
	mutex_unlock(&idev->lock);
}

/*
 * read(): whole groups, as many as fit in @count (a multiple of the record
 * size); nothing pending is 0, it never blocks
 */
static ssize_t iommufd_fault_fops_read(struct file *filep, char __user *buf,
				       size_t count, loff_t *ppos)
{
	const size_t record = sizeof(struct iommu_hwpt_pgfault);
	struct iommufd_fault *fault = filep->private_data;
	struct iommufd_fault_group *group;
	size_t done = 0, size;
	unsigned int i;
	int rc = 0;

	if (*ppos || count % record)
		return -ESPIPE;

	mutex_lock(&fault->mutex);
	while ((group = list_first_entry_or_null(&fault->deliver,
						 struct iommufd_fault_group,
						 node))) {
		size = group->nrecords * record;
		if (size > count - done) {
			/* Not even the first group fits */
			if (!done)
				rc = -EINVAL;
			break;
		}
		rc = iommufd_should_fail() ? -ENOMEM :
		     xa_alloc(&fault->response, &group->cookie, group,
			      xa_limit_32b, GFP_KERNEL_ACCOUNT);
		if (rc)
			break;
		for (i = 0; i != group->nrecords; i++)
			group->records[i].cookie = group->cookie;
		if (copy_to_user(buf + done, group->records, size)) {
			xa_erase(&fault->response, group->cookie);
			rc = -EFAULT;
			break;
		}
		list_del(&group->node);
		done += size;
	}
	mutex_unlock(&fault->mutex);
	return done ? done : rc;
}

/* write(): responses, each answering the group of its cookie */
static ssize_t iommufd_fault_fops_write(struct file *filep,
					const char __user *buf, size_t count,
					loff_t *ppos)
{
	struct iommufd_fault *fault = filep->private_data;
	struct iommu_hwpt_page_response response;
	struct iommufd_fault_group *group;
	size_t done;
	int rc = 0;

	if (*ppos || count % sizeof(response))
		return -ESPIPE;

	mutex_lock(&fault->mutex);
	for (done = 0; done != count; done += sizeof(response)) {
		if (copy_from_user(&response, buf + done, sizeof(response))) {
			rc = -EFAULT;
			break;
		}
		if (response.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    response.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		group = xa_erase(&fault->response, response.cookie);
		if (!group) {
			rc = -EINVAL;
			break;
		}
		iommufd_fault_group_answer(fault, group, response.code);
	}
	mutex_unlock(&fault->mutex);
	return done ? done : rc;
}

static __poll_t iommufd_fault_fops_poll(struct file *filep,
					struct poll_table_struct *wait)
{
	struct iommufd_fault *fault = filep->private_data;
	__poll_t mask = EPOLLOUT;

	poll_wait(filep, &fault->wait_queue, wait);
	mutex_lock(&fault->mutex);
	if (!list_empty(&fault->deliver))
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&fault->mutex);
	return mask;
}

/* Nobody can answer the queue's faults any more: answer them INVALID */
static int iommufd_fault_fops_release(struct inode *inode, struct file *filep)
{
	struct iommufd_fault *fault = filep->private_data;
	struct iommufd_ctx *ictx = fault->ictx;

	mutex_lock(&fault->mutex);
	fault->released = true;
	iommufd_fault_answer_invalid(fault, NULL);
	mutex_unlock(&fault->mutex);
	/* From here on the object may be destroyed */
	refcount_dec(&fault->obj.users);
	iommufd_ctx_put(ictx);
	return 0;
}

/* Not seekable: no llseek, and positional reads and writes are ESPIPE */
static const struct file_operations iommufd_fault_fops = {
	.owner = THIS_MODULE,
	.read = iommufd_fault_fops_read,
	.write = iommufd_fault_fops_write,
	.poll = iommufd_fault_fops_poll,
	.release = iommufd_fault_fops_release,
};

/**
 * iommufd_fault_alloc_ioctl() - IOMMU_FAULT_QUEUE_ALLOC (uapi.md §7.6)
 * @ucmd: the call
 *
 * The fd number is reserved and written back before the file exists, so
 * that after the file is made nothing can fail: a file cannot be undone
 * synchronously (its release runs later, and would find the object gone).
 *
 * Return: 0, or the errno of the first failing step.
 */
int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct iommufd_fault *fault;
	struct file *filep;
	int fdno, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	fault = iommufd_object_alloc(ucmd->ictx, struct iommufd_fault,
				     IOMMUFD_OBJ_FAULT);
	if (IS_ERR(fault))
		return PTR_ERR(fault);
	fault->ictx = ucmd->ictx;
	mutex_init(&fault->mutex);
	INIT_LIST_HEAD(&fault->deliver);
	xa_init_flags(&fault->response, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	init_waitqueue_head(&fault->wait_queue);

	fdno = iommufd_should_fail() ? -EMFILE :
	       get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto out_abort;
	}
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_put_fdno;

	filep = iommufd_should_fail() ? ERR_PTR(-ENOMEM) :
		anon_inode_getfile("[iommufd-pgfault]", &iommufd_fault_fops,
				   fault, O_RDWR);
	if (IS_ERR(filep)) {
		rc = PTR_ERR(filep);
		goto out_put_fdno;
	}
	/* The file's references, dropped by its release */
	refcount_inc(&fault->obj.users);
	iommufd_ctx_get(fault->ictx);

	iommufd_object_finalize(ucmd->ictx, &fault->obj);
	fd_install(fdno, filep);
	return 0;

out_put_fdno:
	put_unused_fd(fdno);
out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &fault->obj);
	return rc;
}
