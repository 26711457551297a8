#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/demo.sh BUILD KVER
#
# Boots KVER in QEMU with the production module and the demo program, and
# streams what the demo prints.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
kver=$2
payload=$build/demo/payload-$kver

rm -rf "$payload"
mkdir -p "$payload"
cp "$build/$kver/iommufd.ko" "$build/demo/demo" "$payload/"
cp "$root/demo/guest-demo.sh" "$payload/run.sh"

echo "Booting Debian's $kver in QEMU (TCG, q35, intel-iommu); about 10 s..."
"$root/tests/vm/mkinitramfs.sh" --kver "$kver" --out "$build/demo/initramfs-$kver.cpio.gz" \
	--payload "$payload" >/dev/null
"$root/tests/vm/run-vm.sh" --kver "$kver" --initramfs "$build/demo/initramfs-$kver.cpio.gz" \
	--log-dir "$build/demo" --name "demo-$kver" --timeout 300 --stream
