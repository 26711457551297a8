#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The demo inside the VM (busybox sh): load the module, show the device, run
# the demo program, unload. Ends with one TAP line so the harness can tell a
# demo that worked from one that did not.
cd /payload || exit 1
echo "== Booted Debian kernel $(uname -r) with an emulated Intel IOMMU"
dmesg | grep -m1 -o 'DMAR: IOMMU enabled' | sed 's/^/   kernel says: /'
echo "== insmod iommufd.ko (built out of tree for this kernel)"
insmod ./iommufd.ko || { echo "not ok - insmod failed"; echo "1..1"; exit 1; }
echo "   $(ls -l /dev/iommu)"
./demo
rc=$?
echo "== rmmod iommufd: no reference left behind"
rmmod iommufd && rc2=0 || rc2=1
if [ $rc -eq 0 ] && [ $rc2 -eq 0 ]; then
	echo "ok - demo completed"
else
	echo "not ok - demo failed"
fi
echo "1..1"
