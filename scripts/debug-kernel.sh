#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/debug-kernel.sh [--print | --root]
#
# Builds (once) the debug kernel of make check and prints its release:
# Debian's linux-source-6.12 configured with allnoconfig plus
# tests/vm/debug-kernel.config (what the test VM needs, and lockdep, KASAN,
# kmemleak, fault injection, list/object/VM debugging), which Debian's own
# kernels do not have. The result is a root laid out like an installed
# kernel (boot/vmlinuz-K, lib/modules/K with its build tree as
# lib/modules/K/build), cached outside the checkout ($IOMMUFD_CACHE, default
# /var/cache/iommufd-oot), keyed by the source version and the fragment
# (and a layout number); it is built in place (the build tree records its path) and
# used only once marked complete, so an interrupted build is started over.
# --print only prints the release, --root the root (nothing if not built).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${IOMMUFD_CACHE:-/var/cache/iommufd-oot}
fragment=$root/tests/vm/debug-kernel.config
tarball=/usr/src/linux-source-6.12.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
# The layout of the result: bump it when this script changes what it makes
layout=1
key=$( {
	echo "$srcver $layout"
	cat "$fragment"
} | sha256sum | cut -c1-12)
kroot=$cache/debug-kernel-$key

if [ -f "$kroot/.complete" ]; then
	case ${1:-} in
	--root) echo "$kroot" ;;
	*) cat "$kroot/.kernel" ;;
	esac
	exit 0
fi
case ${1:-} in --print | --root) exit 0 ;; esac

say() { echo "debug-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

[ -n "$srcver" ] && [ -f "$tarball" ] ||
	die "needs Debian's linux-source-6.12 (apt-get install linux-source-6.12)"
for tool in flex bison bc; do
	command -v $tool >/dev/null || die "needs $tool (make deps installs it)"
done

mkdir -p "$cache"
rm -rf "$kroot"
mkdir -p "$kroot"
log=$cache/debug-kernel-$key.log
say "building a debug kernel from linux-source-6.12 $srcver (first run only;"
say "about 10 minutes on 2 cores, log: $log)"

say "[1/4] extracting the source"
tar -C "$kroot" -xf "$tarball"
mv "$kroot/linux-source-6.12" "$kroot/source"
src=$kroot/source
obj=$kroot/build
mkdir -p "$obj"

say "[2/4] configuring: allnoconfig + tests/vm/debug-kernel.config"
make -s -C "$src" O="$obj" LOCALVERSION=-iommufd-debug \
	KCONFIG_ALLCONFIG="$fragment" allnoconfig >"$log" 2>&1
# Every option of the fragment must have stuck (a renamed or unmet one
# would silently drop a checker)
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	k=${line%%=*}
	v=${line#*=}
	if [ "$v" = n ]; then
		grep -q "^$k=" "$obj/.config" && die "$k=n did not stick"
	else
		grep -qx "$line" "$obj/.config" || die "$line did not stick (see $obj/.config)"
	fi
done <"$fragment"

say "[3/4] building the kernel and its modules"
make -C "$src" O="$obj" LOCALVERSION=-iommufd-debug -j"$(nproc)" \
	bzImage modules >>"$log" 2>&1 || { tail -n 30 "$log" >&2; die "build failed (log: $log)"; }
kver=$(make -s -C "$src" O="$obj" LOCALVERSION=-iommufd-debug kernelrelease)

say "[4/4] installing it into the cache"
mkdir -p "$kroot/boot"
cp "$obj/arch/x86/boot/bzImage" "$kroot/boot/vmlinuz-$kver"
cp "$obj/.config" "$kroot/boot/config-$kver"
make -s -C "$src" O="$obj" LOCALVERSION=-iommufd-debug INSTALL_MOD_PATH="$kroot" \
	modules_install >>"$log" 2>&1
# External modules need the build tree, not its objects
find "$obj" -name '*.o' -delete
ln -sfn "$obj" "$kroot/lib/modules/$kver/build"
ln -sfn "$src" "$kroot/lib/modules/$kver/source"
# Which Debian source package this is, for rebuilding its VFIO
echo "linux-source-6.12 $srcver" >"$obj/.iommufd-source"
echo "$kver" >"$kroot/.kernel"
touch "$kroot/.complete"
for old in "$cache"/debug-kernel-*; do
	case $old in "$kroot" | *.log) ;; *) rm -rf "$old" ;; esac
done
say "done: $kver in $kroot"
echo "$kver"
