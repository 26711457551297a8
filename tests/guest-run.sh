#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The test plan, run by the guest's init (busybox sh) with its output on the
# test serial port. Module loading and unloading are tests themselves; each
# test program prints TAP, and one that exits non-zero (a failed check, a
# crash) is reported as a failure here too.
cd /payload || exit 1

fails=0
steps=0

# step DESCRIPTION COMMAND...: one TAP line for a shell command
step() {
	desc=$1
	shift
	steps=$((steps + 1))
	if "$@" >/tmp/step.out 2>&1; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		sed 's/^/# /' /tmp/step.out
		fails=$((fails + 1))
	fi
}

# run PROGRAM: a TAP test program
run() {
	echo "# --- $1"
	"./$1"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "not ok - $1 exited with status $rc"
		steps=$((steps + 1))
		fails=$((fails + 1))
	fi
}

alive_is_zero() {
	[ "$(cat /sys/module/iommufd/parameters/objects_alive)" = 0 ]
}

echo "TAP version 13"
echo "# kernel $(uname -r)"

# 64 huge pages of 2 MiB (the VM has 2 GiB) for the huge page tests
step "reserve 64 huge pages" \
	sh -c 'echo 64 > /proc/sys/vm/nr_hugepages && [ "$(cat /proc/sys/vm/nr_hugepages)" = 64 ]'

step "ABI layout matches the spec" ./abi_layout

echo "# --- production build"
step "insmod production iommufd.ko" insmod prod/iommufd.ko
step "/dev/iommu is a character device" test -c /dev/iommu
step "/dev/iommu has mode 0660" \
	sh -c '[ "$(stat -c %a /dev/iommu)" = 660 ]'
step "production build has no test-only parameters" \
	sh -c '! ls /sys/module/iommufd/parameters/ 2>/dev/null | grep -q .'
run dispatch
run objects
run ioas
run vfio
step "rmmod production iommufd" rmmod iommufd
step "/dev/iommu is gone after rmmod" sh -c '! test -e /dev/iommu'

echo "# --- test build"
step "insmod test iommufd.ko" insmod test/iommufd.ko
step "test build has fail_nth and objects_alive" \
	test -e /sys/module/iommufd/parameters/fail_nth \
	-a -e /sys/module/iommufd/parameters/objects_alive
run dispatch
run objects
run ioas
run vfio
run domain
run alloc
run access
run stress
step "insmod iommufd_test_consumer.ko" insmod test/iommufd_test_consumer.ko
run consumer
step "rmmod iommufd_test_consumer" rmmod iommufd_test_consumer
step "no object alive after all tests" alive_is_zero
step "rmmod test iommufd (no leaked reference)" rmmod iommufd

# The plan of this script's own result lines; each program printed its own
echo "1..$steps"
[ $fails -eq 0 ]
