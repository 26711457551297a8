#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/debian13-root.sh [--print]
#
# Makes (once) a Debian 13 (trixie) root with debootstrap, from Debian's
# archive, and prints its path. It holds what Debian 13's kernel needs and
# Debian 12 lacks: the gcc-14 toolchain its headers were built with, its
# headers, its kernel (/boot/vmlinuz-K and /lib/modules/K), the matching linux-source-6.12 for rebuilding VFIO, and the
# QEMU 10 that the VMM tests run inside the test VM.
#
# The root is a cache outside the checkout ($IOMMUFD_CACHE, default
# /var/cache/iommufd-oot), keyed by this script's contents: changing the
# package list makes a new one. It is built in a temporary directory and
# renamed into place when complete, so an interrupted run leaves nothing
# half made. --print only prints the path (empty if there is no root yet).
set -euo pipefail

cache=${IOMMUFD_CACHE:-/var/cache/iommufd-oot}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
key=$(sha256sum "$0" | cut -c1-12)
root=$cache/debian13-$key

if [ "${1:-}" = --print ]; then
	[ -f "$root/.complete" ] && echo "$root"
	exit 0
fi
if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi

say() { echo "debian13-root: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "making the Debian 13 root needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || {
	say "installing debootstrap (first run only)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
}

# Toolchain and kernel build needs, VFIO source, QEMU (no recommends: what
# -accel qtest and vfio-pci need), module tools, style tools
pkgs=(
	build-essential bc kmod cpio xz-utils zstd patch
	linux-image-amd64 linux-headers-amd64 linux-source-6.12
	sparse dkms
	qemu-system-x86
)

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.debian13-tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=$cache/debian13-$key.log
say "making a Debian 13 root in $root (first run only; about 5 minutes, log: $log)"

say "[1/3] debootstrap trixie (${#pkgs[@]} packages and their dependencies)"
debootstrap --variant=minbase --include="$(
	IFS=,
	echo "${pkgs[*]}"
)" trixie "$tmp" "$mirror" >"$log" 2>&1 || {
	tail -n 20 "$log" >&2
	die "debootstrap failed (log: $log)"
}

say "[2/3] checking the Debian 13 kernel"
kver=$(chroot "$tmp" dpkg-query -W -f='${Depends}' linux-image-amd64 |
	tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n1)
[ -n "$kver" ] || die "cannot tell which kernel linux-image-amd64 points at"
for f in "boot/vmlinuz-$kver" "lib/modules/$kver/modules.dep" "lib/modules/$kver/build/Makefile"; do
	[ -e "$tmp/$f" ] || die "the Debian 13 root lacks /$f"
done

say "[3/3] cleaning up"
chroot "$tmp" apt-get clean >/dev/null 2>&1 || true
echo "$kver" >"$tmp/.kernel"
touch "$tmp/.complete"
mv "$tmp" "$root"
trap - EXIT
# Older roots (other keys) are no longer used
for old in "$cache"/debian13-*; do
	[ "$old" = "$root" ] || [ "$old" = "$log" ] || case $old in
		*.log) ;;
		*) [ -d "$old" ] && rm -rf "$old" ;;
	esac
done
say "done: $root (kernel $kver)"
echo "$root"
