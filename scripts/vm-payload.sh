#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/vm-payload.sh [--vmm] [--append KERNEL-ARGS] [--intree MODS]
#                              BUILD KVER NAME MEM_MIB GUEST_SCRIPT FILE...
#                              [-- QEMU-ARGS...]
#
# Boots KVER in QEMU with a payload of FILEs and GUEST_SCRIPT as its run.sh,
# streaming what it prints (make demo, make bench). Logs go to BUILD/NAME.
# QEMU-ARGS are added to QEMU's command line (e.g. -device edu). --vmm adds
# the VMM setting: the production modules and the rebuilt VFIO installed in
# the guest's /lib/modules as DKMS installs them, and Debian 13's QEMU.
# --append adds KERNEL-ARGS to the guest kernel's command line (make bench:
# 1 GiB huge pages, which only the command line can reserve).
# --intree puts the kernel's own modules MODS (names, space-separated) and
# every module they need, decompressed, in the payload's intree/, with
# intree/order listing them in the order to insmod them (make bench: Debian's
# VFIO type1, whether or not the rebuilt VFIO is installed).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$root/scripts/kernel-lib.sh"
vmm=0
append=()
intree=
while :; do
	case "${1:-}" in
	--vmm) vmm=1; shift ;;
	--append) append=(--append "${2:?}"); shift 2 ;;
	--intree) intree=${2:?}; shift 2 ;;
	*) break ;;
	esac
done
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
if [ $vmm = 1 ]; then
	ls "$build/$kver"/vfio/*.ko >/dev/null 2>&1 || {
		echo "vm-payload: no rebuilt VFIO for $kver (its VFIO has no device cdev)" >&2
		exit 1
	}
	"$root/tests/vm/modtree.sh" "$kver" "$payload/rootfs/lib/modules/$kver" \
		"$build/$kver/iommufd.ko" "$build/$kver/iommufd_pci.ko" "$build/$kver"/vfio/*.ko
	"$root/tests/vm/qemu-overlay.sh" "$payload/rootfs"
fi
if [ -n "$intree" ]; then
	moddir=$(kernel_root "$kver")/lib/modules/$kver
	mkdir -p "$payload/intree"
	# modules.dep lists what a module needs last-loaded first
	for m in $intree; do
		awk -v want="$m" '
			function name(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); gsub(/-/, "_", p); return p }
			{
				sub(/:$/, "", $1)
				w = want; gsub(/-/, "_", w)
				if (name($1) == w) {
					for (i = NF; i >= 1; i--) print $i
					found = 1
				}
			}
			END { if (!found) exit 1 }' "$moddir/modules.dep" || {
			echo "vm-payload: $kver has no module $m" >&2
			exit 1
		}
	done | awk '!seen[$0]++' >"$payload/intree/paths"
	while read -r p; do
		n=$(basename "${p%.ko*}")
		case $p in
		*.ko) cp "$moddir/$p" "$payload/intree/$n.ko" ;;
		*.xz) xz -dc "$moddir/$p" >"$payload/intree/$n.ko" ;;
		*.gz) gzip -dc "$moddir/$p" >"$payload/intree/$n.ko" ;;
		*.zst) zstd -qdc "$moddir/$p" >"$payload/intree/$n.ko" ;;
		esac
		echo "$n"
	done <"$payload/intree/paths" >"$payload/intree/order"
	rm "$payload/intree/paths"
fi

"$root/tests/vm/mkinitramfs.sh" --kver "$kver" \
	--out "$dir/initramfs-$kver.cpio.gz" --payload "$payload" >/dev/null
"$root/tests/vm/run-vm.sh" --kver "$kver" \
	--initramfs "$dir/initramfs-$kver.cpio.gz" --mem "$mem" \
	--log-dir "$dir" --name "$name-$kver" --timeout 1200 --stream \
	${append[@]+"${append[@]}"} -- "$@"
