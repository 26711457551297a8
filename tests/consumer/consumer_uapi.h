/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioctls of /dev/iommufd_test_consumer, a test-only module that uses the
 * exported iommufd context API the way a consumer driver does.
 */
#ifndef IOMMUFD_TEST_CONSUMER_UAPI_H
#define IOMMUFD_TEST_CONSUMER_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define CONSUMER_TYPE 'C'
/* iommufd_ctx_from_fd() on the fd, then put: 0 or its errno */
#define CONSUMER_CHECK_FD _IOW(CONSUMER_TYPE, 0x40, __s32)
/* Keep the fd's context: iommufd_ctx_from_file() plus iommufd_ctx_get() */
#define CONSUMER_HOLD_FD _IOW(CONSUMER_TYPE, 0x41, __s32)
/* Drop both references taken by CONSUMER_HOLD_FD */
#define CONSUMER_DROP _IO(CONSUMER_TYPE, 0x42)

/*
 * One VFIO compat helper (namespace IOMMUFD_VFIO) on the context of @fd:
 * the ioctl returns its result, GET_ID also fills @out_ioas_id
 */
enum {
	CONSUMER_COMPAT_GET_ID,
	CONSUMER_COMPAT_CREATE,
	CONSUMER_COMPAT_SET_NO_IOMMU,
};

struct consumer_vfio_compat {
	__s32 fd;
	__u32 op;
	__u32 out_ioas_id;
};

#define CONSUMER_VFIO_COMPAT _IOWR(CONSUMER_TYPE, 0x43, struct consumer_vfio_compat)

#endif
