// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test build only (make TEST=1): what the in-VM tests need to reach paths
 * that correct userspace cannot, since Debian's kernels have neither KUnit
 * nor fault injection.
 *
 * fail_nth (module parameter, 0600): when set to N > 0, the N-th
 *   iommufd_should_fail() check from then on fails, and the count disarms.
 *   Allocation and lookup sites call it, so a test can walk N = 1, 2, ...
 *   until the call succeeds and prove each failure leaves nothing behind.
 * objects_alive (module parameter, 0400): number of objects allocated and
 *   not yet freed, over all contexts; back to zero when no context is open.
 * IOMMU_TEST_CMD: the test-only command of the 6.12 ABI.
 */
#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <uapi/linux/iommufd_test.h>

#include "iommufd_private.h"

static int fail_nth;
module_param(fail_nth, int, 0600);
MODULE_PARM_DESC(fail_nth, "Fail the N-th fault-injection point from now");

static atomic_t objects_alive = ATOMIC_INIT(0);
module_param_named(objects_alive, objects_alive.counter, int, 0400);
MODULE_PARM_DESC(objects_alive, "Objects allocated and not yet freed");

bool iommufd_should_fail(void)
{
	int old = READ_ONCE(fail_nth);

	do {
		if (old <= 0)
			return false;
	} while (!try_cmpxchg(&fail_nth, &old, old - 1));
	return old == 1;
}

void iommufd_test_object_count(int delta)
{
	atomic_add(delta, &objects_alive);
}

/* Reserve IOVA with no owner: it stays until the IOAS is destroyed */
static int iommufd_test_add_reserved(struct iommufd_ucmd *ucmd,
				     unsigned int ioas_id, u64 start,
				     u64 length)
{
	struct iommufd_ioas *ioas;
	u64 last;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(start, length - 1, &last))
		return -EOVERFLOW;

	ioas = iommufd_get_ioas(ucmd->ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_reserve_iova(&ioas->iopt, start, last, NULL);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int iommufd_test_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	/* The mock IOMMU and its other operations arrive with domains */
	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return iommufd_test_add_reserved(ucmd, cmd->id,
						 cmd->add_reserved.start,
						 cmd->add_reserved.length);
	default:
		return -EOPNOTSUPP;
	}
}
