#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/vm-payload.sh BUILD KVER NAME MEM_MIB GUEST_SCRIPT FILE...
#                              [-- QEMU-ARGS...]
#
# Boots KVER in QEMU with a payload of FILEs and GUEST_SCRIPT as its run.sh,
# streaming what it prints (make demo, make bench). Logs go to BUILD/NAME.
# QEMU-ARGS are added to QEMU's command line (e.g. -device edu).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
kver=$2
name=$3
mem=$4
guest=$5
shift 5
files=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	files+=("$1")
	shift
done
[ $# -gt 0 ] && shift
dir=$build/$name
payload=$dir/payload-$kver

rm -rf "$payload"
mkdir -p "$payload"
cp "${files[@]}" "$payload/"
cp "$guest" "$payload/run.sh"

"$root/tests/vm/mkinitramfs.sh" --kver "$kver" \
	--out "$dir/initramfs-$kver.cpio.gz" --payload "$payload" >/dev/null
"$root/tests/vm/run-vm.sh" --kver "$kver" \
	--initramfs "$dir/initramfs-$kver.cpio.gz" --mem "$mem" \
	--log-dir "$dir" --name "$name-$kver" --timeout 1200 --stream -- "$@"
