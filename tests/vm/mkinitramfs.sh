#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds the test VM's initramfs: a gzip'ed newc cpio holding busybox-static
# (with its applet links), tests/vm/init as /init and the caller's payload
# directory (modules, static test binaries, run.sh) under /payload, except
# its rootfs/ subdirectory, whose contents go to the archive's root as they
# are (a /lib/modules tree, programs with their libraries).
#
#   mkinitramfs.sh --kver KVER --out FILE.cpio.gz --payload DIR
#
# Nothing comes from the kernel's /lib/modules unless the payload's rootfs/
# brings it (tests/vm/modtree.sh): the serial console, devtmpfs and the
# Intel IOMMU are built into Debian's kernels.
#
# The archive is reproducible: files are sorted, owned by root, dated
# SOURCE_DATE_EPOCH (default 0), and cpio/gzip add no inode numbers or names.
set -euo pipefail

usage() {
	echo "usage: $0 --kver KVER --out FILE.cpio.gz --payload DIR" >&2
	exit 2
}
die() { echo "mkinitramfs: $*" >&2; exit 1; }

kver='' out='' payload=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--payload) payload=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	*) echo "mkinitramfs: unknown argument: $1" >&2; usage ;;
	esac
done
if [ -z "$kver" ] || [ -z "$out" ] || [ -z "$payload" ]; then usage; fi
[ -d "$payload" ] || die "payload directory $payload does not exist"

here=$(cd "$(dirname "$0")" && pwd)
init_script=$here/init
[ -f "$init_script" ] || die "$init_script is missing"

# busybox must be the static build: the initramfs has no libc.
# (BUSYBOX=path overrides the search.)
busybox=''
for b in ${BUSYBOX:-/bin/busybox /usr/bin/busybox}; do
	[ -x "$b" ] && { busybox=$b; break; }
done
[ -n "$busybox" ] || die "busybox not found; install busybox-static (apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; install busybox-static (apt-get install busybox-static)"
fi

for tool in cpio gzip; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install $tool)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkinitramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,mnt,root,etc,payload}
chmod 1777 "$root/tmp"

install -m 0755 "$busybox" "$root/bin/busybox"
# Applet links, at the paths busybox itself suggests (bin/sh, sbin/poweroff...).
while read -r applet; do
	[ -n "$applet" ] || continue
	case $applet in */*) ;; *) applet=bin/$applet ;; esac
	[ "$applet" = bin/busybox ] && continue
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <("$busybox" --list-full 2>/dev/null || "$busybox" --list)

install -m 0755 "$init_script" "$root/init"
# The kernel opens /dev/console for init before devtmpfs is mounted; the
# node needs root to create, and init copes without it (it reopens the
# console after mounting devtmpfs).
mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

if [ -d "$payload/rootfs" ]; then
	cp -a "$payload/rootfs"/. "$root/"
fi
tar -C "$payload" --exclude=./rootfs -cf - . | tar -C "$root/payload" -xf -
[ -f "$root/payload/run.sh" ] || echo "mkinitramfs: warning: $payload/run.sh is missing" >&2
[ -f "$root/payload/run.sh" ] && chmod 0755 "$root/payload/run.sh"

# Deterministic archive: fixed dates, sorted names, root ownership.
epoch=${SOURCE_DATE_EPOCH:-0}
find "$root" -exec touch -h -d "@$epoch" {} +
mkdir -p "$(dirname "$out")"
(
	cd "$root"
	find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible
) | gzip -n -6 >"$out.tmp"
mv "$out.tmp" "$out"
