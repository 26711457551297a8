#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The demo inside the VM (busybox sh): load both modules, hand QEMU's edu
# device to iommufd_pci, run the userspace driver, show what the kernel
# logged, take everything down again. Ends with one TAP line so the harness
# can tell a demo that worked from one that did not.
cd /payload || exit 1

fail() {
	echo "not ok - $1"
	echo "1..1"
	exit 1
}

echo "== Booted Debian kernel $(uname -r) with an emulated Intel IOMMU"
dmesg | grep -m1 -o 'DMAR: IOMMU enabled' | sed 's/^/   kernel says: /'

echo "== insmod iommufd.ko and iommufd_pci.ko (built out of tree for this kernel)"
insmod ./iommufd.ko || fail "insmod iommufd.ko"
insmod ./iommufd_pci.ko || fail "insmod iommufd_pci.ko"
echo "   $(ls -l /dev/iommu)"

# QEMU's edu device is PCI 1234:11e8
edu=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		edu=${d##*/}
		break
	fi
done
[ -n "$edu" ] || fail "no edu device"
echo "== Hand the edu device $edu to iommufd_pci (driver_override)"
echo "   it is in IOMMU group $(basename "$(readlink "/sys/bus/pci/devices/$edu/iommu_group")")"
echo iommufd_pci >"/sys/bus/pci/devices/$edu/driver_override"
echo "$edu" >/sys/bus/pci/drivers_probe
[ -c "/dev/iommufd-pci/$edu" ] || fail "no /dev/iommufd-pci/$edu"
echo "   $(ls -l "/dev/iommufd-pci/$edu")"

echo "== Run the userspace driver: ./driver-demo /dev/iommufd-pci/$edu"
dmesg -c >/dev/null
./driver-demo "/dev/iommufd-pci/$edu"
rc=$?
echo "== What the kernel logged meanwhile (the blocked DMA):"
dmesg | grep -i 'dmar' | sed 's/^/   /'
dmesg | grep -qi 'DMAR.*fault' || rc=1

echo "== Release the device and unload: nothing is left behind"
echo "$edu" >"/sys/bus/pci/devices/$edu/driver/unbind" || rc=1
rmmod iommufd_pci || rc=1
rmmod iommufd || rc=1
if [ $rc -eq 0 ]; then
	echo "ok - demo completed"
else
	echo "not ok - demo failed"
fi
echo "1..1"
