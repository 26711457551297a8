#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make bench, inside the VM: the test build, huge pages, the program; then,
# where the kernel's VFIO was rebuilt, the production modules as DKMS
# installs them and QEMU through iommufd against QEMU through type1.
cd /payload || exit 1
echo 160 > /proc/sys/vm/nr_hugepages
insmod ./iommufd.ko || { echo "not ok - insmod"; echo "1..1"; exit 1; }
./bench
rc=$?
rmmod iommufd || rc=1
if [ -f "/lib/modules/$(uname -r)/updates/dkms/vfio.ko" ]; then
	echo 0 > /proc/sys/vm/nr_hugepages
	modprobe vfio-pci && modprobe vfio_iommu_type1 || rc=1
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/device")" = 0x11e8 ] && { edu=${d##*/}; break; }
	done
	echo vfio-pci >"/sys/bus/pci/devices/$edu/driver_override"
	echo "$edu" >/sys/bus/pci/drivers_probe
	./vmm-bench "$edu" || rc=1
fi
exit $rc
