#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/dkms.sh install VERSION ["KVER..."]
#        scripts/dkms.sh build VERSION "KVER..."
#
# install: puts the sources in /usr/src/iommufd-VERSION and has DKMS build and
#          install iommufd.ko and iommufd_pci.ko for each kernel (default: the Debian kernels of
#          scripts/kernels.sh). Nothing is loaded.
# build:   the CI check: the same with version VERSION-check, dkms build for
#          each kernel, then everything removed again.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mode=$1
version=$2
kernels=${3:-$("$root/scripts/kernels.sh" | tr '\n' ' ')}

command -v dkms >/dev/null || { echo "dkms: not installed (apt-get install dkms)"; exit 1; }
[ "$mode" = build ] && version=$version-check
dest=/usr/src/iommufd-$version

copy_sources() {
	rm -rf "$dest"
	mkdir -p "$dest"
	tar -C "$root" --exclude=./build --exclude=./.git -cf - . | tar -C "$dest" -xf -
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$version\"/" "$dest/dkms.conf"
}

remove() {
	dkms remove -m iommufd -v "$version" --all >/dev/null 2>&1 || true
}

case $mode in
install)
	remove
	copy_sources
	dkms add -m iommufd -v "$version"
	for k in $kernels; do
		dkms build -m iommufd -v "$version" -k "$k"
		dkms install -m iommufd -v "$version" -k "$k" --force
	done
	;;
build)
	remove
	copy_sources
	trap 'remove; rm -rf "$dest"' EXIT
	dkms add -m iommufd -v "$version" >/dev/null
	for k in $kernels; do
		echo "== dkms build for $k"
		if ! dkms build -m iommufd -v "$version" -k "$k" >/tmp/iommufd-dkms.log 2>&1; then
			cat /tmp/iommufd-dkms.log
			find /var/lib/dkms/iommufd/"$version" -name make.log -exec cat {} \; 2>/dev/null
			echo "dkms: build for $k FAILED"
			exit 1
		fi
		for m in iommufd iommufd_pci; do
			ko=$(find /var/lib/dkms/iommufd/"$version"/"$k" -name "$m.ko*" | head -n1)
			[ -n "$ko" ] || { echo "dkms: no $m.ko built for $k"; exit 1; }
			echo "dkms: built $(basename "$ko") for $k"
		done
	done
	;;
*)
	echo "usage: $0 install|build VERSION [KVERS]" >&2
	exit 2
	;;
esac
