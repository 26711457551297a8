#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/vfio-modules.sh KDIR
#
# Prints the modules scripts/vfio-build.sh rebuilds for the kernel whose
# headers are at KDIR, one per line, in the order they must be built, as
# paths in the kernel tree without .ko (drivers/vfio/vfio): vfio.ko and
# every in-tree module that depends on it, from the kernel's modules.dep
# and modules.order.
# Prints nothing for a kernel whose VFIO has no device cdev (before 6.6;
# 6.1 among them): iommufd cannot serve it. dkms.conf reads this list too.
set -euo pipefail

kdir=$1
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
[ -n "$kver" ] || { echo "vfio-modules: cannot read the kernel release of $kdir" >&2; exit 1; }

# Debian's headers for kbuild only include the common tree's Makefile,
# where <linux/vfio.h> is
srctree=$kdir
[ -f "$kdir/include/linux/vfio.h" ] ||
	srctree=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$kdir/Makefile")
grep -q CONFIG_VFIO_DEVICE_CDEV "$srctree/include/linux/vfio.h" 2>/dev/null || exit 0

# (LIB_MODULES: another /lib/modules, for tests)
moddep=${LIB_MODULES:-/lib/modules}/$kver/modules.dep
order=${LIB_MODULES:-/lib/modules}/$kver/modules.order
for f in "$moddep" "$order"; do
	[ -f "$f" ] || { echo "vfio-modules: $f is missing (is linux-image-$kver installed?)" >&2; exit 1; }
done
# Who needs whom, by module name, from modules.dep (each entry lists the
# module's whole dependency closure, so one level is enough); where the
# in-tree ones are, from modules.order, which a DKMS install leaves alone
# (modules.dep then names our copies in updates/ instead)
awk '
	function name(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); return p }
	FNR == NR {
		n = name($1); path[n] = $1
		sub(/^kernel\//, "", path[n]); sub(/\.ko(\.[a-z]+)?$/, "", path[n])
		next
	}
	{
		sub(/:$/, "", $1)
		n = name($1); deps[n] = ""
		for (i = 2; i <= NF; i++) deps[n] = deps[n] " " name($i)
	}
	function needs_vfio(n) { return n == "vfio" || index(deps[n] " ", " vfio ") }
	function depth(n,   k, a, i, d, best) {
		best = 0
		k = split(deps[n], a, " ")
		for (i = 1; i <= k; i++)
			if (needs_vfio(a[i])) { d = depth(a[i]) + 1; if (d > best) best = d }
		return best
	}
	END { for (n in path) if ((n in deps) && needs_vfio(n)) print depth(n), path[n] }
' "$order" "$moddep" | sort -k1,1n -k2 | cut -d' ' -f2
