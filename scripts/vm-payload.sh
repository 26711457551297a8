#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/vm-payload.sh BUILD KVER NAME MEM_MIB GUEST_SCRIPT FILE...
#
# Boots KVER in QEMU with a payload of FILEs and GUEST_SCRIPT as its run.sh,
# streaming what it prints (make demo, make bench). Logs go to BUILD/NAME.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
kver=$2
name=$3
mem=$4
guest=$5
shift 5
dir=$build/$name
payload=$dir/payload-$kver

rm -rf "$payload"
mkdir -p "$payload"
cp "$@" "$payload/"
cp "$guest" "$payload/run.sh"

"$root/tests/vm/mkinitramfs.sh" --kver "$kver" \
	--out "$dir/initramfs-$kver.cpio.gz" --payload "$payload" >/dev/null
"$root/tests/vm/run-vm.sh" --kver "$kver" \
	--initramfs "$dir/initramfs-$kver.cpio.gz" --mem "$mem" \
	--log-dir "$dir" --name "$name-$kver" --timeout 1200 --stream
