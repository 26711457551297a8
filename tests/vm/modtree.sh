#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: tests/vm/modtree.sh KVER OUTDIR MODULE.ko...
#
# Makes OUTDIR a /lib/modules/KVER tree for the test VM, laid out as DKMS
# installs ours: the given modules under updates/dkms/, and under kernel/
# every in-tree module they depend on (modules.dep of the kernel's
# /lib/modules/KVER, host or Debian 13 root) plus the in-tree modules of the
# same names, decompressed for busybox's insmod. depmod then runs on it, so
# busybox modprobe in the guest resolves names as a Debian system would:
# updates/ before kernel/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$here/../../scripts/kernel-lib.sh"
kver=$1
out=$2
shift 2

moddir=$(kernel_root "$kver")/lib/modules/$kver
[ -f "$moddir/modules.dep" ] || { echo "modtree: no $moddir/modules.dep" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/updates/dkms"
names=()
for ko in "$@"; do
	cp "$ko" "$out/updates/dkms/"
	n=$(basename "$ko" .ko)
	names+=("${n//-/_}")
done

# In-tree modules named like ours, and everything any of them needs
mapfile -t want < <(awk -v names=" ${names[*]} " '
	function name(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); gsub(/-/, "_", p); return p }
	{
		m = $1; sub(/:$/, "", m)
		if (index(names, " " name(m) " ")) {
			print m
			for (i = 2; i <= NF; i++) print $i
		}
	}' "$moddir/modules.dep" | sort -u)
for m in "${want[@]}"; do
	dst=$out/${m%.ko*}.ko
	mkdir -p "$(dirname "$dst")"
	case $m in
	*.ko) cp "$moddir/$m" "$dst" ;;
	*.xz) xz -dc "$moddir/$m" >"$dst" ;;
	*.gz) gzip -dc "$moddir/$m" >"$dst" ;;
	*.zst) zstd -qdc "$moddir/$m" >"$dst" ;;
	esac
done
cp "$moddir"/modules.builtin* "$moddir/modules.order" "$out/" 2>/dev/null || true

# depmod -b wants BASE/lib/modules/KVER
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lib/modules"
ln -s "$(cd "$out" && pwd)" "$tmp/lib/modules/$kver"
depmod -b "$tmp" "$kver"
