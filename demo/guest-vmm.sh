#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The VMM demo inside the VM (busybox sh): the modules as DKMS installs them
# (iommufd.ko, and Debian's VFIO rebuilt with iommufd support, in
# /lib/modules/$(uname -r)/updates/dkms), QEMU's edu device handed to
# vfio-pci, then Debian 13's QEMU assigning it (./vmm-demo narrates), and
# everything taken down again. Ends with one TAP line so the harness can
# tell a demo that worked from one that did not.
cd /payload || exit 1

fail() {
	echo "not ok - $1"
	echo "1..1"
	exit 1
}

echo "== Booted Debian's kernel $(uname -r) with an emulated Intel IOMMU"
dmesg | grep -m1 -o 'DMAR: IOMMU enabled' | sed 's/^/   kernel says: /'
echo "   Debian ships it without CONFIG_IOMMUFD: no /dev/iommu, no VFIO device cdev."

echo
echo "== modprobe vfio-pci: DKMS installed iommufd.ko and the rebuilt VFIO in updates/dkms"
modprobe vfio-pci || fail "modprobe vfio-pci"
modprobe -D vfio-pci 2>/dev/null | sed -n 's|^insmod /lib/modules/[^/]*/|   loaded |p'
echo "   $(ls -l /dev/iommu)"

edu=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		edu=${d##*/}
		break
	fi
done
[ -n "$edu" ] || fail "no edu device"
echo
echo "== Hand QEMU's edu device $edu to vfio-pci"
echo vfio-pci >"/sys/bus/pci/devices/$edu/driver_override"
echo "$edu" >/sys/bus/pci/drivers_probe
cdev=/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$edu/vfio-dev" 2>/dev/null)
[ -c "$cdev" ] || fail "no VFIO cdev for $edu"
echo "   $(ls -l "$cdev")"
echo "   (and the legacy group node /dev/vfio/$(basename "$(readlink "/sys/bus/pci/devices/$edu/iommu_group")"))"

dmesg -c >/dev/null
./vmm-demo "$edu"
rc=$?

echo
echo "== Release the device and unload everything: nothing is left behind"
echo "$edu" >"/sys/bus/pci/devices/$edu/driver/unbind" || rc=1
rmmod vfio-pci vfio-pci-core vfio iommufd || rc=1
if [ $rc -eq 0 ]; then
	echo "ok - demo completed"
else
	echo "not ok - demo failed"
fi
echo "1..1"
