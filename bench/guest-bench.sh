#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make bench, inside the VM: the test build, huge pages, the program; then
# the same edu under Debian's own VFIO type1 (its in-tree modules, from
# intree/) against iommufd_pci.ko over the test build; then, where the
# kernel's VFIO was rebuilt, the production modules as DKMS installs them and
# QEMU through iommufd against QEMU through type1.
cd /payload || exit 1
echo 160 > /proc/sys/vm/nr_hugepages
insmod ./iommufd.ko || { echo "not ok - insmod"; echo "1..1"; exit 1; }
./bench
rc=$?
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/device")" = 0x11e8 ] && { edu=${d##*/}; break; }
done
if insmod ./iommufd_pci.ko; then
	loaded=
	while read -r m; do
		insmod "intree/$m.ko" || rc=1
		loaded="$m $loaded"
	done <intree/order
	./type1-bench "$edu" || rc=1
	for m in $loaded; do
		rmmod "$m" || rc=1
	done
	rmmod iommufd_pci || rc=1
else
	echo "not ok - insmod iommufd_pci"
	echo "1..1"
	rc=1
fi
rmmod iommufd || rc=1
if [ -f "/lib/modules/$(uname -r)/updates/dkms/vfio.ko" ]; then
	echo 0 > /proc/sys/vm/nr_hugepages
	modprobe vfio-pci && modprobe vfio_iommu_type1 || rc=1
	echo vfio-pci >"/sys/bus/pci/devices/$edu/driver_override"
	echo "$edu" >/sys/bus/pci/drivers_probe
	./vmm-bench "$edu" || rc=1
fi
exit $rc
