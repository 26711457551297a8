/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel API of iommufd.ko for consumer drivers (symbol namespace IOMMUFD).
 *
 * This header shadows the kernel's own <linux/iommufd.h>, whose stubs exist
 * for kernels built without CONFIG_IOMMUFD. A consumer built together with
 * the out-of-tree module defines IOMMUFD_OOT (our Kbuild does) and gets the
 * real declarations; built without it, it gets stubs that behave as "no
 * iommufd": every constructor fails with -EOPNOTSUPP and every
 * reference-dropping call is a no-op, so a caller can be written once.
 */
#ifndef __LINUX_IOMMUFD_H
#define __LINUX_IOMMUFD_H

#include <linux/err.h>
#include <linux/types.h>

struct device;
struct file;
struct iommu_group;
struct iommufd_access;
struct iommufd_ctx;
struct iommufd_device;
struct page;

/**
 * struct iommufd_access_ops - what a driver using an access provides
 * @needs_pin_pages: the driver pins pages (iommufd_access_pin_pages()); the
 *	IOAS alignment then becomes PAGE_SIZE
 * @unmap: drop every pin intersecting [@iova, @iova + @length - 1] before
 *	returning. Called when that IOVA is being unmapped, and with (0,
 *	ULONG_MAX) when the access is detached or moves to another IOAS. It
 *	may sleep and call iommufd_access_unpin_pages().
 */
struct iommufd_access_ops {
	u8 needs_pin_pages : 1;
	void (*unmap)(void *data, unsigned long iova, unsigned long length);
};

/* Flags of iommufd_access_rw() */
enum {
	IOMMUFD_ACCESS_RW_READ = 0,
	IOMMUFD_ACCESS_RW_WRITE = 1 << 0,
	/* The caller is a kernel thread: borrow the memory's mm to copy */
	IOMMUFD_ACCESS_RW_KTHREAD = 1 << 1,
};

#if IS_ENABLED(CONFIG_IOMMUFD) || defined(IOMMUFD_OOT)
void iommufd_ctx_get(struct iommufd_ctx *ictx);
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file);
struct iommufd_ctx *iommufd_ctx_from_fd(int fd);
void iommufd_ctx_put(struct iommufd_ctx *ictx);
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx, struct iommu_group *group);

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct device *dev, u32 *id);
void iommufd_device_unbind(struct iommufd_device *idev);
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id);
void iommufd_device_detach(struct iommufd_device *idev);
struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev);
u32 iommufd_device_to_id(struct iommufd_device *idev);

struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ictx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id);
void iommufd_access_destroy(struct iommufd_access *access);
int iommufd_access_attach(struct iommufd_access *access, u32 ioas_id);
int iommufd_access_replace(struct iommufd_access *access, u32 ioas_id);
void iommufd_access_detach(struct iommufd_access *access);
int iommufd_access_pin_pages(struct iommufd_access *access,
			     unsigned long iova, unsigned long length,
			     struct page **out_pages, unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length);
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, size_t length, unsigned int flags);

/* For VFIO only (symbol namespace IOMMUFD_VFIO) */
int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx, u32 *out_ioas_id);
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx);
int iommufd_vfio_compat_set_no_iommu(struct iommufd_ctx *ictx);
#else
static inline void iommufd_ctx_get(struct iommufd_ctx *ictx)
{
}

static inline struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
}

static inline bool iommufd_ctx_has_group(struct iommufd_ctx *ictx,
					 struct iommu_group *group)
{
	return false;
}

static inline struct iommufd_device *
iommufd_device_bind(struct iommufd_ctx *ictx, struct device *dev, u32 *id)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iommufd_device_unbind(struct iommufd_device *idev)
{
}

static inline int iommufd_device_attach(struct iommufd_device *idev,
					u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_device_replace(struct iommufd_device *idev,
					 u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_device_detach(struct iommufd_device *idev)
{
}

static inline struct iommufd_ctx *
iommufd_device_to_ictx(struct iommufd_device *idev)
{
	return NULL;
}

static inline u32 iommufd_device_to_id(struct iommufd_device *idev)
{
	return 0;
}

static inline struct iommufd_access *
iommufd_access_create(struct iommufd_ctx *ictx,
		      const struct iommufd_access_ops *ops, void *data, u32 *id)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iommufd_access_destroy(struct iommufd_access *access)
{
}

static inline int iommufd_access_attach(struct iommufd_access *access,
					u32 ioas_id)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_access_replace(struct iommufd_access *access,
					 u32 ioas_id)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_access_detach(struct iommufd_access *access)
{
}

static inline int iommufd_access_pin_pages(struct iommufd_access *access,
					   unsigned long iova,
					   unsigned long length,
					   struct page **out_pages,
					   unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_access_unpin_pages(struct iommufd_access *access,
					      unsigned long iova,
					      unsigned long length)
{
}

static inline int iommufd_access_rw(struct iommufd_access *access,
				    unsigned long iova, void *data,
				    size_t length, unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx,
						  u32 *out_ioas_id)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx)
{
	return -EOPNOTSUPP;
}

static inline int iommufd_vfio_compat_set_no_iommu(struct iommufd_ctx *ictx)
{
	return -EOPNOTSUPP;
}
#endif

#endif
