#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prints the releases of the kernels we build and test for: the ones Debian
# 12's metapackages currently point at (security updates move them), then
# Debian 13's from the Debian 13 root once scripts/debian13-root.sh has made
# it (make deps does), unless KERNELS is set. Fails, saying what is missing,
# if a kernel or its headers are not installed.
set -euo pipefail
# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh"

METAPACKAGES=${METAPACKAGES:-"linux-image-amd64 linux-image-6.12-amd64"}

if [ -n "${KERNELS:-}" ]; then
	kernels=$KERNELS
else
	kernels=
	for meta in $METAPACKAGES; do
		dep=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null) || {
			echo "kernels.sh: $meta is not installed" >&2
			exit 1
		}
		# "linux-image-6.1.0-56-amd64 (= 6.1.192-2)" -> 6.1.0-56-amd64
		rel=$(echo "$dep" | tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n1)
		[ -n "$rel" ] || { echo "kernels.sh: cannot parse $meta: $dep" >&2; exit 1; }
		kernels="$kernels $rel"
	done
	r=$(debian13_root)
	[ -n "$r" ] && kernels="$kernels $(cat "$r/.kernel")"
fi

for k in $kernels; do
	r=$(kernel_root "$k") || { echo "kernels.sh: /boot/vmlinuz-$k is missing" >&2; exit 1; }
	[ -f "$r/lib/modules/$k/build/Makefile" ] || {
		echo "kernels.sh: headers for $k are missing (linux-headers-$k${r:+ in $r})" >&2
		exit 1
	}
	echo "$k"
done
