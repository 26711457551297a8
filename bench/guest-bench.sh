#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make bench, inside the VM: the test build, huge pages, the program.
cd /payload || exit 1
echo 160 > /proc/sys/vm/nr_hugepages
insmod ./iommufd.ko || { echo "not ok - insmod"; echo "1..1"; exit 1; }
./bench
rc=$?
rmmod iommufd
exit $rc
