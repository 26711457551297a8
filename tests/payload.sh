#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: tests/payload.sh BUILD KVER DIR
#
# Fills DIR with what the guest needs to test kernel KVER: the production and
# test builds of the modules, the static test programs and run.sh (the test
# plan, tests/guest-run.sh). Called by tests/vm/check.sh for each kernel.
# Where the kernel's VFIO was rebuilt with iommufd support (BUILD/KVER/vfio,
# 6.12 kernels), DIR/rootfs also gets the /lib/modules/KVER tree a DKMS
# install makes (tests/vm/modtree.sh; DIR/modtree-test is the test build's)
# and Debian 13's QEMU, the VMM of the VFIO tests (tests/vm/qemu-overlay.sh).
set -euo pipefail

build=$1
kver=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$out/prod" "$out/test"
cp "$build/$kver/iommufd.ko" "$build/$kver/iommufd_pci.ko" "$out/prod/"
cp "$build/$kver-test/iommufd.ko" "$build/$kver-test/iommufd_test_consumer.ko" \
	"$build/$kver-test/iommufd_pci.ko" "$out/test/"
for t in abi_layout abi_layout_62 dispatch objects ioas vfio domain alloc access dirty \
	nested fault stress consumer pci v62 ro_pin vfio_cdev vmm fail_nth; do
	cp "$build/tests/$t" "$out/"
done
if ls "$build/$kver"/vfio/*.ko >/dev/null 2>&1; then
	"$here/vm/modtree.sh" "$kver" "$out/rootfs/lib/modules/$kver" \
		"$build/$kver/iommufd.ko" "$build/$kver/iommufd_pci.ko" "$build/$kver"/vfio/*.ko
	# The same for the test build, which the guest mounts over it
	"$here/vm/modtree.sh" "$kver" "$out/modtree-test" "$build/$kver-test/iommufd.ko" \
		"$build/$kver-test/iommufd_pci.ko" "$build/$kver-test"/vfio/*.ko
	"$here/vm/qemu-overlay.sh" "$out/rootfs"
fi
cp "$here/guest-run.sh" "$out/run.sh"
chmod +x "$out/run.sh"
