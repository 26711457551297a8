#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/bench.sh BUILD KVER
#
# Boots KVER with 3 GiB and the test build of the module, runs the
# benchmark and streams its table.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
kver=$2
payload=$build/bench/payload-$kver

rm -rf "$payload"
mkdir -p "$payload"
cp "$build/$kver-test/iommufd.ko" "$build/bench/bench" "$payload/"
cp "$root/bench/guest-bench.sh" "$payload/run.sh"

"$root/tests/vm/mkinitramfs.sh" --kver "$kver" \
	--out "$build/bench/initramfs-$kver.cpio.gz" --payload "$payload" >/dev/null
"$root/tests/vm/run-vm.sh" --kver "$kver" \
	--initramfs "$build/bench/initramfs-$kver.cpio.gz" --mem 3072 \
	--log-dir "$build/bench" --name "bench-$kver" --timeout 1200 --stream
