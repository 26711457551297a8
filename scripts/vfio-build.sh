#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/vfio-build.sh KDIR OUTDIR IOMMUFD_SYMVERS
#        scripts/vfio-build.sh --source-ok KDIR
#
# Rebuilds the kernel's own VFIO from Debian's source of that very kernel,
# with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV enabled, against our
# <linux/iommufd.h> and iommufd.ko's Module.symvers: the VFIO device cdev
# (/dev/vfio/devices/vfioN, VFIO_DEVICE_BIND_IOMMUFD) then works through our
# /dev/iommu. Every in-tree module that depends on vfio.ko (from
# modules.dep: vfio-pci, type1, variant drivers, mdev drivers such as kvmgt)
# is rebuilt too, since the layout of struct vfio_device changes with those
# options; the result is OUTDIR/*.ko, to be installed together.
#
# The source is a build dependency: /usr/src/linux-source-X.Y.tar.xz of the
# linux-source-X.Y package whose version is the kernel's. Nothing of it is
# copied into the repository; patches in vfio/patches/ (if any) are applied
# to the extracted copy. VFIO without the device cdev (before 6.6; 6.1
# among them) is left alone: nothing is built then (exit 0, with a note).
#
# A source of another version is refused, saying which package to install.
# With IOMMUFD_VFIO_OPTIONAL=1 (DKMS, which must still install iommufd.ko,
# e.g. for a kernel the archive has no source of any more, or one upgraded
# before its source) that is a warning and nothing is built. --source-ok
# only tells whether the build would go ahead (exit 0), or not (exit 1,
# saying why): dkms.conf lists the VFIO modules only then.
#
# Results are cached in $IOMMUFD_CACHE/vfio (default /var/cache/iommufd-oot),
# keyed by everything they are built from.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "$1" = --source-ok ]; then
	check=1
	kdir=$2
else
	kdir=$1
	out=$2
	symvers=$(readlink -f "$3")
fi

say() { echo "vfio-build: $*" >&2; }
die() { say "$*"; exit 1; }

kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
[ -n "$kver" ] || die "cannot read the kernel release of $kdir"

# vfio.ko and every module that depends on it, in build order
list=$("$root/scripts/vfio-modules.sh" "$kdir")
if [ -z "$list" ]; then
	[ $check = 1 ] && exit 0
	say "$kver: its VFIO has no device cdev for iommufd; keeping Debian's VFIO"
	rm -rf "$out"
	exit 0
fi
mapfile -t mods <<<"$list"

# The source of exactly this kernel: the linux-source package of its
# headers' version, or, for a kernel built from such a package (the debug
# kernel), the one its build tree names
if [ -f "$kdir/.iommufd-source" ]; then
	read -r srcpkg hver <"$kdir/.iommufd-source"
else
	series=$(echo "$kver" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	srcpkg=linux-source-$series
	hver=$(dpkg-query -W -f='${Version}' "linux-headers-$kver" 2>/dev/null || true)
	[ -n "$hver" ] || die "linux-headers-$kver is not installed as a package; cannot tell its version"
fi
tarball=/usr/src/$srcpkg.tar.xz
sver=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$srcpkg" 2>/dev/null || true)
if [ "$sver" != "installed $hver" ] || [ ! -f "$tarball" ]; then
	why="VFIO for $kver is rebuilt from Debian's source of that kernel: install $srcpkg version $hver (apt-get install $srcpkg=$hver); installed: ${sver:-none}"
	[ $check = 1 ] && die "$why"
	if [ "${IOMMUFD_VFIO_OPTIONAL:-0}" = 1 ]; then
		say "WARNING: $why. Until then $kver keeps Debian's VFIO, without the device cdev (then: dkms install iommufd/<version> -k $kver --force)"
		rm -rf "$out"
		exit 0
	fi
	die "$why"
fi
[ $check = 1 ] && exit 0

# Cache key: the source, the kernel, what we build with, and our exports
key=$( {
	echo "$kver $hver"
	printf '%s\n' "${mods[@]}"
	cat "$0" "$root/include/linux/iommufd.h"
	cat "$root"/vfio/patches/*.patch 2>/dev/null || true
	awk '$5 ~ /^IOMMUFD/' "$symvers" | sort
} | sha256sum | cut -c1-16)
cache=${IOMMUFD_CACHE:-/var/cache/iommufd-oot}/vfio/$kver-$key
if [ -f "$cache/.complete" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	cp "$cache"/*.ko "$out/"
	say "$kver: VFIO with iommufd support from the cache ($(ls "$out" | wc -l) modules)"
	exit 0
fi

say "$kver: rebuilding VFIO from $srcpkg $hver with iommufd support: ${mods[*]##*/}"
work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The directories of those modules, in the order they must be built
dirs=()
for m in "${mods[@]}"; do
	d=${m%/*}
	case " ${dirs[*]} " in *" $d "*) ;; *) dirs+=("$d") ;; esac
done
top=$srcpkg
# (tar wants each name once: not those below another one)
extract=()
for d in "${dirs[@]}"; do
	inner=0
	for e in "${dirs[@]}"; do
		case $d in "$e"/*) inner=1 ;; esac
	done
	[ $inner = 1 ] || extract+=("$top/$d")
done
tar -C "$work" -xf "$tarball" "${extract[@]}"
src=$work/$top

for p in "$root"/vfio/patches/*.patch; do
	[ -f "$p" ] || continue
	say "applying $(basename "$p")"
	patch -d "$src" -p1 --quiet --forward <"$p" || die "$(basename "$p") does not apply to $srcpkg $hver"
done

# Each directory is built with its own Makefile, limited to the modules we
# need there, with the two options switched on and our header first.
# Tracepoint headers name themselves relative to the kernel's include/trace
# (TRACE_INCLUDE_PATH ../../drivers/...): an empty include/trace in the
# extracted tree lets that path reach it.
mkdir -p "$src/include/trace"
extra=$symvers
for d in "${dirs[@]}"; do
	names=()
	for m in "${mods[@]}"; do
		[ "${m%/*}" = "$d" ] && names+=("${m##*/}.o")
	done
	cat >"$src/$d/Kbuild" <<-EOF
		# Generated by iommufd's scripts/vfio-build.sh
		CONFIG_IOMMUFD := m
		CONFIG_VFIO_DEVICE_CDEV := y
		NOSTDINC_FLAGS += -I$root/include
		ccflags-y += -DCONFIG_IOMMUFD_MODULE=1 -DCONFIG_VFIO_DEVICE_CDEV=1
		ccflags-y += -I$src/include/trace
		include \$(src)/Makefile
		obj-m := ${names[*]}
		obj-y :=
	EOF
	if ! make -C "$kdir" M="$src/$d" KBUILD_EXTRA_SYMBOLS="$extra" modules \
		>"$work/build.log" 2>&1; then
		cat "$work/build.log" >&2
		die "building $d failed"
	fi
	extra="$extra $src/$d/Module.symvers"
done

rm -rf "$out" "$cache.tmp"
mkdir -p "$out" "$cache.tmp"
for m in "${mods[@]}"; do
	[ -f "$src/$m.ko" ] || die "$m.ko was not built"
	# Without debug info, as Debian installs its own
	strip --strip-debug -o "$cache.tmp/${m##*/}.ko" "$src/$m.ko"
	cp "$cache.tmp/${m##*/}.ko" "$out/"
done
touch "$cache.tmp/.complete"
rm -rf "$cache"
mv "$cache.tmp" "$cache"
say "$kver: built ${#mods[@]} modules"
