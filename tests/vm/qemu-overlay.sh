#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: tests/vm/qemu-overlay.sh OUTDIR
#
# Adds to OUTDIR Debian 13's QEMU (qemu-system-x86_64 10.x, unmodified)
# as it sits in the Debian 13 root: the binary, every library it links, the
# dynamic loader and its cache, and the firmware a PC machine loads, at their
# own paths. mkinitramfs.sh --overlay puts it into the test VM's root, where
# it runs as on a Debian 13 system, as the VMM of the VFIO tests.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$here/../../scripts/kernel-lib.sh"
out=$1

r=$(debian13_root)
[ -n "$r" ] || { echo "qemu-overlay: no Debian 13 root (scripts/debian13-root.sh makes it)" >&2; exit 1; }
qemu=/usr/bin/qemu-system-x86_64

mkdir -p "$out"
# Every file at its path in the root, symlinks resolved
copy() {
	mkdir -p "$out$(dirname "$1")"
	cp -L "$r$1" "$out$1"
}
copy $qemu
# ldd run in the root: "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)"
while read -r lib; do
	copy "$lib"
done < <(run_in_root "$r" ldd $qemu | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
copy /etc/ld.so.cache
# What -M pc loads: SeaBIOS, and QEMU's own blobs
for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin \
	/usr/share/qemu/linuxboot_dma.bin; do
	copy "$f"
done
