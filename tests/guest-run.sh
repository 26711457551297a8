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

# A program still running after this many seconds is killed and fails, and
# the rest of the plan runs (the debug kernel's slowest takes ~4 minutes)
prog_timeout=900

# run PROGRAM: a TAP test program
run() {
	echo "# --- $*"
	prog=$1
	shift
	timeout -k 10 $prog_timeout "./$prog" "$@"
	rc=$?
	if [ $rc -ne 0 ]; then
		if [ $rc -eq 143 ] || [ $rc -eq 137 ]; then
			echo "not ok - $prog killed after ${prog_timeout}s (hung?)"
		else
			echo "not ok - $prog exited with status $rc"
		fi
		steps=$((steps + 1))
		fails=$((fails + 1))
	fi
}

# The edu devices (PCI 1234:11e8) QEMU was given: four on the root bus, and
# two behind a PCIe root port, which can be reset (the VFIO tests' own)
edus=
edus_rp=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] ||
		continue
	case ${d##*/} in
	0000:00:*) edus="$edus ${d##*/}" ;;
	*) edus_rp="$edus_rp ${d##*/}" ;;
	esac
done

# Kernel fault injection (tests/fail_nth.c): test builds only; the program
# says where the kernel has none (only the debug kernel has it)
fault_injection() {
	[ "$modbuild" = testbuild ] && run fail_nth "$@"
	return 0
}

# pci_tests DIR: iommufd_pci.ko from DIR drives the edu devices
pci_tests() {
	step "insmod $1/iommufd_pci.ko" insmod "$1/iommufd_pci.ko"
	for e in $edus; do
		step "hand edu $e to iommufd_pci" sh -c \
			"echo iommufd_pci >/sys/bus/pci/devices/$e/driver_override &&
			 echo $e >/sys/bus/pci/drivers_probe &&
			 test -c /dev/iommufd-pci/$e"
	done
	# shellcheck disable=SC2086
	run pci $edus
	# shellcheck disable=SC2086
	fault_injection pci $edus
	for e in $edus; do
		step "release edu $e" sh -c \
			"echo $e >/sys/bus/pci/drivers/iommufd_pci/unbind &&
			 ! test -e /dev/iommufd-pci/$e"
	done
	step "rmmod iommufd_pci" rmmod iommufd_pci
}

# The kernel's VFIO rebuilt with iommufd support, installed as DKMS does
# (6.12 kernels; 6.1's VFIO predates the device cdev)
updates=/lib/modules/$(uname -r)/updates/dkms
have_vfio() { [ -f "$updates/vfio.ko" ]; }
# VFIO speaks iommufd from 6.2 on: there the rebuilt VFIO must be installed
vfio_expected() {
	rel=$(uname -r)
	major=${rel%%.*}
	minor=${rel#*.}
	minor=${minor%%.*}
	[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 2 ]; }
}

# vfio_tests [vmm]: Debian's VFIO over the iommufd.ko loaded now: the device
# cdev ABI on the edu devices and, with "vmm", QEMU 10 assigning them
vfio_tests() {
	step "modprobe vfio-pci and vfio_iommu_type1 resolve to the rebuilt VFIO" sh -c \
		"modprobe vfio-pci && modprobe vfio_iommu_type1 && test -d /sys/class/vfio-dev"
	for e in $edus $edus_rp; do
		step "hand edu $e to vfio-pci: /dev/vfio/devices/vfioN" sh -c \
			"echo vfio-pci >/sys/bus/pci/devices/$e/driver_override &&
			 echo $e >/sys/bus/pci/drivers_probe &&
			 test -c /dev/vfio/devices/\$(ls /sys/bus/pci/devices/$e/vfio-dev)"
	done
	# shellcheck disable=SC2086
	run vfio_cdev $edus $edus_rp
	# shellcheck disable=SC2086
	fault_injection vfio $edus
	# shellcheck disable=SC2086
	[ "${1:-}" = vmm ] && run vmm $edus
	for e in $edus $edus_rp; do
		step "release edu $e from vfio-pci" sh -c \
			"echo $e >/sys/bus/pci/drivers/vfio-pci/unbind &&
			 echo >/sys/bus/pci/devices/$e/driver_override"
	done
	step "rmmod vfio-pci vfio-pci-core" rmmod vfio-pci vfio-pci-core
	# Modversions keep Debian's modules off the rebuilt vfio.ko
	step "in-tree vfio-pci-core.ko refuses the rebuilt vfio.ko" sh -c \
		"! insmod /lib/modules/\$(uname -r)/kernel/drivers/vfio/pci/vfio-pci-core.ko 2>/dev/null &&
		 dmesg | grep -q 'vfio_pci_core: disagrees about version of symbol'"
	step "rmmod vfio_iommu_type1 vfio" rmmod vfio_iommu_type1 vfio
}

# unload_new "NAMES": unloads every module not named in NAMES, users first
unload_new() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		left=
		for m in $(cut -d' ' -f1 /proc/modules); do
			case " $(echo $1) " in *" $m "*) continue ;; esac
			rmmod "$m" 2>/dev/null || left=1
		done
		[ -z "$left" ] && return 0
	done
	return 1
}

# Every module rebuilt with VFIO loads (and unloads) over iommufd.ko
vfio_modules_load() {
	for ko in "$updates"/*.ko; do
		m=$(basename "$ko" .ko)
		case $m in iommufd|iommufd_pci) continue ;; esac
		before=$(cut -d' ' -f1 /proc/modules)
		step "rebuilt $m.ko loads with its dependencies" modprobe "$m"
		step "and unloads with them" unload_new "$before"
	done
}

alive_is_zero() {
	[ "$(cat /sys/module/iommufd/parameters/objects_alive)" = 0 ]
}

# The debug kernel's leak detector: what leaks from here on is ours
kmemleak=/sys/kernel/debug/kmemleak
kmemleak_clean() {
	echo scan >$kmemleak && echo scan >$kmemleak || return 1
	if grep -q unreferenced $kmemleak; then
		head -n 80 $kmemleak
		return 1
	fi
}

echo "TAP version 13"
echo "# kernel $(uname -r)"
[ -w $kmemleak ] && echo clear >$kmemleak

# 64 huge pages of 2 MiB (the VM has 2 GiB) for the huge page tests
step "reserve 64 huge pages" \
	sh -c 'echo 64 > /proc/sys/vm/nr_hugepages && [ "$(cat /proc/sys/vm/nr_hugepages)" = 64 ]'

step "ABI layout matches the spec" ./abi_layout
step "ABI layout of the 6.2 test command matches the spec" ./abi_layout_62

echo "# --- production build"
modbuild=prod
step "insmod production iommufd.ko" insmod prod/iommufd.ko
step "/dev/iommu is a character device" test -c /dev/iommu
step "/dev/iommu has mode 0660" \
	sh -c '[ "$(stat -c %a /dev/iommu)" = 660 ]'
step "production build has only allow_unsafe_interrupts as parameter" \
	sh -c '[ "$(ls /sys/module/iommufd/parameters/)" = allow_unsafe_interrupts ]'
step "allow_unsafe_interrupts defaults to off" \
	sh -c '[ "$(cat /sys/module/iommufd/parameters/allow_unsafe_interrupts)" = N ]'
run dispatch
run objects
run ioas
run vfio
# shellcheck disable=SC2086
step "QEMU gave the VM four edu devices" sh -c "[ $(echo $edus | wc -w) = 4 ]"
# shellcheck disable=SC2086
step "and two behind a PCIe root port" sh -c "[ $(echo $edus_rp | wc -w) = 2 ]"
pci_tests prod
if have_vfio; then
	vfio_tests vmm
	vfio_modules_load
elif vfio_expected; then
	step "the rebuilt VFIO is installed for $(uname -r)" have_vfio
else
	echo "# $(uname -r): VFIO has no iommufd support; iommufd_pci.ko is the device path"
fi
step "rmmod production iommufd" rmmod iommufd
step "/dev/iommu is gone after rmmod" sh -c '! test -e /dev/iommu'

echo "# --- test build"
modbuild=testbuild
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
run dirty
run nested
run fault
run stress
run v62
run ro_pin
fault_injection
pci_tests test
if have_vfio; then
	step "the test build's module tree replaces the production one" \
		mount -o bind /payload/modtree-test "/lib/modules/$(uname -r)"
	vfio_tests vmm
fi
step "insmod iommufd_test_consumer.ko" insmod test/iommufd_test_consumer.ko
run consumer
fault_injection consumer
step "rmmod iommufd_test_consumer" rmmod iommufd_test_consumer
step "no object alive after all tests" alive_is_zero
step "rmmod test iommufd (no leaked reference)" rmmod iommufd

if [ -w $kmemleak ]; then
	step "kmemleak: nothing leaked during the tests" kmemleak_clean
fi
# On the debug kernel its checkers must have been on to the end: lockdep
# turns itself off after its first report (or a taint that makes it
# unreliable), and the kmemleak step above needs kmemleak
if [ -e /proc/lockdep_stats ]; then
	step "lockdep checked to the end (debug_locks 1)" \
		grep -qE 'debug_locks: +1$' /proc/lockdep_stats
	step "kmemleak checked the run" test -w $kmemleak
fi

# The plan of this script's own result lines; each program printed its own
echo "1..$steps"
[ $fails -eq 0 ]
