#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: tests/host/scripts.sh
#
# Host-side tests (TAP) of the build scripts whose mistakes no VM test
# would show: which modules are rebuilt with VFIO, that a linux-source of
# another version is refused, and where each kernel lives. Needs the Debian
# 12 kernels installed (make deps); the Debian 13 checks run when its root
# exists.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$root/scripts/kernel-lib.sh"
n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

k61=$(ls /lib/modules | grep '^6\.1\.' | head -n1)
k612=$(ls /lib/modules | grep '^6\.12\.' | head -n1)

# --- vfio-modules.sh
out=$("$root/scripts/vfio-modules.sh" "/lib/modules/$k61/build")
ok $? "vfio-modules.sh runs for $k61"
[ -z "$out" ]
ok $? "6.1's VFIO has no device cdev: nothing to rebuild"

out=$("$root/scripts/vfio-modules.sh" "/lib/modules/$k612/build")
ok $? "vfio-modules.sh runs for $k612"
[ "$(echo "$out" | head -n1)" = drivers/vfio/vfio ]
ok $? "vfio.ko comes first (the others depend on it)"
for m in drivers/vfio/pci/vfio-pci drivers/vfio/pci/vfio-pci-core \
	drivers/vfio/vfio_iommu_type1 drivers/gpu/drm/i915/kvmgt; do
	echo "$out" | grep -qx "$m"
	ok $? "$m is rebuilt (it depends on vfio.ko)"
done
! echo "$out" | grep -q mdev
ok $? "mdev.ko, which does not depend on vfio.ko, is not"
[ "$(echo "$out" | grep -n vfio-pci-core | cut -d: -f1)" -lt \
	"$(echo "$out" | grep -nx drivers/vfio/pci/vfio-pci | cut -d: -f1)" ]
ok $? "vfio-pci-core before vfio-pci"

# After a DKMS install, modules.dep names our copies in updates/ (and DKMS on
# Debian 13 moves Debian's away): the list must not change
mkdir -p "$tmp/lib/$k612"
cp "/lib/modules/$k612/modules.order" "$tmp/lib/$k612/"
sed -E 's#^kernel/drivers/(vfio/(pci/)?|gpu/drm/i915/)((vfio|kvmgt)[^/:]*\.ko[^:]*):#updates/dkms/\3:#' \
	"/lib/modules/$k612/modules.dep" | sed -E 's# kernel/drivers/vfio/vfio\.ko[^ ]*# updates/dkms/vfio.ko#' \
	>"$tmp/lib/$k612/modules.dep"
grep -q '^updates/dkms/vfio.ko' "$tmp/lib/$k612/modules.dep"
ok $? "(a modules.dep as after a DKMS install)"
[ "$(LIB_MODULES=$tmp/lib "$root/scripts/vfio-modules.sh" "/lib/modules/$k612/build")" = "$out" ]
ok $? "vfio-modules.sh gives the same list after a DKMS install"

# --- vfio-build.sh refuses a linux-source of another version
mkdir -p "$tmp/bin"
cat >"$tmp/bin/dpkg-query" <<'SHIM'
#!/bin/sh
case "$*" in
*linux-source-*) echo "installed 6.12.0-0-fake" ;;
*) exec /usr/bin/dpkg-query "$@" ;;
esac
SHIM
chmod +x "$tmp/bin/dpkg-query"
hver=$(dpkg-query -W -f='${Version}' "linux-headers-$k612")
msg=$(PATH=$tmp/bin:$PATH IOMMUFD_CACHE=$tmp/cache "$root/scripts/vfio-build.sh" \
	"/lib/modules/$k612/build" "$tmp/vfio" /dev/null 2>&1)
rc=$?
[ $rc != 0 ]
ok $? "vfio-build.sh fails with a linux-source of another version"
echo "$msg" | grep -qF "apt-get install linux-source-6.12=$hver"
ok $? "and says which package and version to install"
[ ! -e "$tmp/vfio" ]
ok $? "and builds nothing"
msg=$(PATH=$tmp/bin:$PATH "$root/scripts/vfio-build.sh" --source-ok "/lib/modules/$k612/build" 2>&1)
rc=$?
[ $rc = 1 ] && echo "$msg" | grep -qF "apt-get install linux-source-6.12=$hver"
ok $? "vfio-build.sh --source-ok says no, and why"
"$root/scripts/vfio-build.sh" --source-ok "/lib/modules/$k612/build"
ok $? "and yes with the right linux-source installed"
msg=$(PATH=$tmp/bin:$PATH IOMMUFD_CACHE=$tmp/cache IOMMUFD_VFIO_OPTIONAL=1 \
	"$root/scripts/vfio-build.sh" "/lib/modules/$k612/build" "$tmp/vfio" /dev/null 2>&1)
rc=$?
[ $rc = 0 ] && [ ! -e "$tmp/vfio" ] && echo "$msg" | grep -q WARNING
ok $? "under DKMS (IOMMUFD_VFIO_OPTIONAL=1) it warns and builds nothing, without failing"

# --- dkms.conf: the VFIO modules are listed only where they can be built
# built_modules [PATH]: the modules dkms.conf lists for $k612, as DKMS
# evaluates it
mkdir -p "$tmp/src"
ln -s "$root" "$tmp/src/iommufd-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")"
built_modules() {
	PATH=${1:-$PATH} kernelver=$k612 kernel_source_dir=/lib/modules/$k612/build \
		source_tree=$tmp/src bash -c '. "$0"; echo "${BUILT_MODULE_NAME[*]}"' \
		"$root/dkms.conf"
}
want="iommufd iommufd_pci $(echo "$out" | sed 's|.*/||' | tr '\n' ' ')"
[ "$(built_modules)" = "${want% }" ]
ok $? "dkms.conf lists iommufd, iommufd_pci and the VFIO modules for $k612"
[ "$(built_modules "$tmp/bin:$PATH")" = "iommufd iommufd_pci" ]
ok $? "and only iommufd and iommufd_pci without the kernel's linux-source"

# --- kernel-lib.sh
[ "$(kernel_root "$k612")" = "" ]
ok $? "kernel_root: $k612 is the host's"
! kernel_root 0.0.0-none >/dev/null
ok $? "kernel_root: an unknown kernel fails"
r13=$(debian13_root)
if [ -n "$r13" ]; then
	k13=$(cat "$r13/.kernel")
	[ "$(kernel_root "$k13")" = "$r13" ]
	ok $? "kernel_root: $k13 lives in the Debian 13 root"
	[ "$(run_in_root "$r13" sh -c '. /etc/os-release; echo $VERSION_ID')" = 13 ]
	ok $? "run_in_root runs in Debian 13"
	! mount | grep -q "$r13"
	ok $? "and leaves nothing mounted"
fi

echo "1..$n"
[ $fails = 0 ]
