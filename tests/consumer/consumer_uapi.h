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

#endif
