#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: tests/payload.sh BUILD KVER DIR
#
# Fills DIR with what the guest needs to test kernel KVER: the production and
# test builds of the modules, the static test programs and run.sh (the test
# plan, tests/guest-run.sh). Called by tests/vm/check.sh for each kernel.
set -euo pipefail

build=$1
kver=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$out/prod" "$out/test"
cp "$build/$kver/iommufd.ko" "$build/$kver/iommufd_pci.ko" "$out/prod/"
cp "$build/$kver-test/iommufd.ko" "$build/$kver-test/iommufd_test_consumer.ko" \
	"$build/$kver-test/iommufd_pci.ko" "$out/test/"
for t in abi_layout dispatch objects ioas vfio domain alloc access dirty nested fault stress consumer pci; do
	cp "$build/tests/$t" "$out/"
done
cp "$here/guest-run.sh" "$out/run.sh"
chmod +x "$out/run.sh"
