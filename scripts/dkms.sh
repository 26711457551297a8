#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/dkms.sh install VERSION ["KVER..."]
#        scripts/dkms.sh remove VERSION
#        scripts/dkms.sh build VERSION "KVER..."
#
# install: puts the sources in /usr/src/iommufd-VERSION and has DKMS build and
#          install, for each kernel (default: every kernel installed on this
#          machine), iommufd.ko, iommufd_pci.ko and, where the
#          kernel's VFIO has the device cdev (6.12), that VFIO rebuilt with
#          iommufd support, over Debian's. Installs the linux-source package
#          of those kernels first if needed. Nothing is loaded.
# remove:  removes it all again: Debian's own VFIO is back.
# build:   the CI check: with version VERSION-check, dkms build for each
#          kernel; for the Debian 13 root's kernel (inside that root) and
#          this machine's Debian 6.12 kernels that are not the running one
#          also dkms install, a check that modprobe picks the rebuilt VFIO,
#          and remove, checking that Debian's modules are back; then
#          everything removed again. Nothing is loaded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$root/scripts/kernel-lib.sh"
mode=$1
version=$2

# DKMS refuses modules whose version equals the installed one's: VFIO's is
# the kernel's own, so the version check is overridden for this package
force_file=/usr/share/dkms/modules_to_force_install/iommufd

apt_install() {
	echo "dkms: installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

if ! command -v dkms >/dev/null; then
	[ "$mode" = install ] || { echo "dkms: not installed (apt-get install dkms)"; exit 1; }
	apt_install dkms
fi

copy_sources() {
	rm -rf "$dest"
	mkdir -p "$dest"
	tar -C "$root" --exclude=./build --exclude=./.git -cf - . | tar -C "$dest" -xf -
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$version\"/" "$dest/dkms.conf"
}

remove() {
	dkms remove -m iommufd -v "$version" --all >/dev/null 2>&1 || true
}

# The modules DKMS builds for kernel $1
expected_modules() {
	echo iommufd iommufd_pci
	"$root/scripts/vfio-modules.sh" "/lib/modules/$1/build" | sed 's|.*/||'
}

# Whether kernel $1's VFIO is rebuilt (6.12: it has the device cdev)
rebuilds_vfio() {
	[ -n "$("$root/scripts/vfio-modules.sh" "/lib/modules/$1/build")" ]
}

# The kernel's source package, for rebuilding its VFIO, if it needs one;
# without it, that kernel's VFIO is not rebuilt (dkms.conf)
need_source() {
	local k=$1 series hver
	rebuilds_vfio "$k" || return 0
	series=$(echo "$k" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	hver=$(dpkg-query -W -f='${Version}' "linux-headers-$k")
	if [ "$(dpkg-query -W -f='${db:Status-Status} ${Version}' "linux-source-$series" 2>/dev/null)" != \
		"installed $hver" ]; then
		apt_install "linux-source-$series=$hver" ||
			echo "dkms: WARNING: cannot install linux-source-$series $hver (no longer in the archive?): $k gets /dev/iommu but keeps Debian's VFIO, without the device cdev"
	fi
}

# dkms build for kernel $1 and a check that every expected module was built
build_one() {
	local k=$1 m ko
	echo "== dkms build for $k"
	if ! dkms build -m iommufd -v "$version" -k "$k" >/tmp/iommufd-dkms.log 2>&1; then
		cat /tmp/iommufd-dkms.log
		find /var/lib/dkms/iommufd/"$version" -name make.log -exec cat {} \; 2>/dev/null
		echo "dkms: build for $k FAILED"
		return 1
	fi
	for m in $(expected_modules "$k"); do
		ko=$(find /var/lib/dkms/iommufd/"$version"/"$k" -name "$m.ko*" | head -n1)
		[ -n "$ko" ] || { echo "dkms: no $m.ko built for $k"; return 1; }
		echo "dkms: built $(basename "$ko") for $k"
	done
}

# Where modprobe finds module $2 for kernel $1
modpath() {
	modinfo -k "$1" -n "$2" 2>/dev/null || true
}

# dkms install and remove for kernel $1, checking what modprobe loads
install_remove_one() {
	local k=$1 m p
	echo "== dkms install and remove for $k"
	mkdir -p "$(dirname "$force_file")"
	echo iommufd_version-override >"$force_file"
	dkms install -m iommufd -v "$version" -k "$k" >/tmp/iommufd-dkms.log 2>&1 || {
		cat /tmp/iommufd-dkms.log
		echo "dkms: install for $k FAILED"
		return 1
	}
	for m in $(expected_modules "$k"); do
		p=$(modpath "$k" "$m")
		case $p in
		*/updates/dkms/*) echo "dkms: installed, modprobe $m loads $p" ;;
		*) echo "dkms: installed, but modprobe $m loads ${p:-nothing}"; return 1 ;;
		esac
	done
	dkms remove -m iommufd -v "$version" -k "$k" >/tmp/iommufd-dkms.log 2>&1 || {
		cat /tmp/iommufd-dkms.log
		echo "dkms: remove for $k FAILED"
		return 1
	}
	rm -f "$force_file"
	for m in $(expected_modules "$k" | grep -v '^iommufd'); do
		p=$(modpath "$k" "$m")
		case $p in
		*/kernel/*) echo "dkms: removed, modprobe $m loads Debian's $p" ;;
		*) echo "dkms: removed, but modprobe $m loads ${p:-nothing}"; return 1 ;;
		esac
	done
	# DKMS on Debian 13 moves Debian's modules aside while ours are installed
	if ! dpkg -V "linux-image-$k" >/tmp/iommufd-dkms.log 2>&1 || [ -s /tmp/iommufd-dkms.log ]; then
		cat /tmp/iommufd-dkms.log
		echo "dkms: removed, but linux-image-$k is not as Debian installed it"
		return 1
	fi
	echo "dkms: removed, linux-image-$k is as Debian installed it (dpkg -V)"
}

case $mode in
install)
	dest=/usr/src/iommufd-$version
	# Every kernel installed on this machine
	kernels=${3:-$(for d in /lib/modules/*/modules.dep; do
		[ -f "$d" ] && basename "$(dirname "$d")"
	done | tr '\n' ' ')}
	remove
	copy_sources
	mkdir -p "$(dirname "$force_file")"
	echo iommufd_version-override >"$force_file"
	dkms add -m iommufd -v "$version"
	for k in $kernels; do
		# The Debian 13 root's kernel is the tests', not this machine's
		[ -z "$(kernel_root "$k")" ] || continue
		[ -e "/lib/modules/$k/build/Makefile" ] || apt_install "linux-headers-$k"
		need_source "$k"
		dkms build -m iommufd -v "$version" -k "$k"
		dkms install -m iommufd -v "$version" -k "$k" --force
	done
	;;
remove)
	dkms remove -m iommufd -v "$version" --all
	rm -f "$force_file"
	;;
build | build-in-root)
	[ "$mode" = build ] && version=$version-check
	dest=/usr/src/iommufd-$version
	kernels=${3:?}
	remove
	copy_sources
	trap 'remove; rm -rf "$dest"' EXIT
	dkms add -m iommufd -v "$version" >/dev/null
	for k in $kernels; do
		r=$(kernel_root "$k")
		if [ -n "$r" ] && [ "$mode" = build ]; then
			# Inside the root, with its DKMS and toolchain
			run_in_root "$r" "$root/scripts/dkms.sh" build-in-root "$version" "$k"
			continue
		fi
		build_one "$k"
		# Install and remove where it is safe and says something: in the
		# Debian 13 root, and for this machine's Debian 6.12 kernels when
		# they are not the running one (nothing is loaded either way)
		if [ "$mode" = build-in-root ] ||
			{ [ "$k" != "$(uname -r)" ] && rebuilds_vfio "$k"; }; then
			install_remove_one "$k"
		fi
	done
	;;
*)
	echo "usage: $0 install|remove|build VERSION [KVERS]" >&2
	exit 2
	;;
esac
