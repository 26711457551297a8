# SPDX-License-Identifier: GPL-2.0-only
#
# iommufd.ko, out of tree. Main targets (see README.md):
#   make            modules for every installed Debian kernel (or KDIR=...)
#   make TEST=1     the same, test build (adds the test-only parts)
#   make check      everything that is tested: style, ABI layout, dkms build,
#                   the test suite in a VM per kernel (the Debian kernels
#                   and a debug kernel with lockdep, KASAN and kmemleak),
#                   and make demo
#   make demo       boots Debian 13's kernel in a VM: QEMU 10 assigns a PCI
#                   device through /dev/iommu and the rebuilt VFIO
#   make demo-driver the same VM idea with a userspace driver of our own
#   make bench      benchmark table from a VM per kernel
#   make fuzz-test  the IO page table's mechanisms fuzzed in userspace, bounded
#   make fuzz       the same for FUZZ_SECONDS (default 600) per target
#   make style      checkpatch --strict, sparse and W=1 on every kernel
#   make dkms-install   iommufd.ko, iommufd_pci.ko and the rebuilt VFIO through
#                       DKMS for this machine's kernels (make dkms-remove undoes)

ROOT := $(CURDIR)
BUILD := $(ROOT)/build
TEST ?= 0
VERSION := $(shell sed -n 's/^\#define IOMMUFD_VERSION "\(.*\)"/\1/p' src/version.h)

ifdef KDIR
# The release the headers were built for (Debian's kernel.release differs)
KERNELS := $(or $(KVER),$(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h))
kdir = $(KDIR)
else
KERNELS ?= $(shell scripts/kernels.sh)
kdir = $$(scripts/kernels.sh --kdir $(1))
endif
# The VM tests also run on the debug kernel (lockdep, KASAN, kmemleak, fault
# injection), built by make deps; DEBUG_KERNEL= skips it
DEBUG_KERNEL ?= $(shell scripts/kernels.sh --debug)
# The slowest first: VM_JOBS kernels boot at a time, each VM with 2 vCPUs
VM_KERNELS := $(strip $(DEBUG_KERNEL) $(KERNELS))
VM_JOBS ?= 2

# QEMU's edu PCI device, able to reach every IOVA (its default mask is 28 bits)
EDU := edu,dma_mask=0xffffffffffffffff

build_suffix = $(if $(filter 1,$(2)),-test)
moddir = $(BUILD)/$(1)$(call build_suffix,$(1),$(2))

TESTS := dispatch objects ioas vfio domain alloc access dirty nested fault stress \
	consumer pci v62 ro_pin vfio_cdev vmm fail_nth
TEST_BINS := $(addprefix $(BUILD)/tests/,$(TESTS))
# 6.12's <linux/vfio.h> (the device cdev ioctls), from Debian's linux-source
# package (Debian 12's libc headers are 6.1's), cleaned as headers_install does
UAPI_SRC := /usr/src/linux-source-6.12.tar.xz
UAPI_VFIO := $(BUILD)/uapi/linux/vfio.h
TEST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wno-missing-field-initializers \
	-Werror -static -pthread \
	-I$(ROOT)/include/uapi -I$(BUILD)/uapi -I$(ROOT)/tests
# A program of the 6.2 generation: the 6.2 layout of the test command
$(BUILD)/tests/v62: TEST_CFLAGS += -DIOMMUFD_TEST_ABI_6_2

.PHONY: all modules test-modules tests check style demo demo-driver bench deps clean \
	dkms-install dkms-remove dkms-build abi-test host-test vm-test debug-kernel

all: modules

modules:
	@[ -n "$(KERNELS)" ] || { echo "no kernel to build for"; exit 1; }
	@set -e; for k in $(KERNELS); do \
		echo "== building iommufd.ko for $$k$(if $(filter 1,$(TEST)), (test build))"; \
		scripts/build-module.sh $(call kdir,$$k) $(call moddir,$$k,$(TEST)) $(TEST); \
	done

test-modules:
	@$(MAKE) --no-print-directory modules TEST=1

$(UAPI_VFIO): $(UAPI_SRC)
	@mkdir -p $(dir $@)
	tar -xOf $< linux-source-6.12/include/uapi/linux/vfio.h | \
		sed -E 's/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g' >$@.tmp
	@mv $@.tmp $@

$(BUILD)/tests/%: tests/%.c tests/tap.h tests/utils.h tests/qemu_client.h tests/edu.h \
		include/uapi/linux/iommufd.h include/uapi/linux/iommufd_test.h \
		tests/consumer/consumer_uapi.h include/uapi/linux/iommufd_pci.h $(UAPI_VFIO)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/tests/abi_layout: tests/abi/layout.c include/uapi/linux/iommufd.h \
		include/uapi/linux/iommufd_test.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

# The same checks against the 6.2 layout of the test command
$(BUILD)/tests/abi_layout_62: tests/abi/layout.c include/uapi/linux/iommufd.h \
		include/uapi/linux/iommufd_test.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -DIOMMUFD_TEST_ABI_6_2 -o $@ $<

tests: $(TEST_BINS) $(BUILD)/tests/abi_layout $(BUILD)/tests/abi_layout_62

deps:
	@scripts/deps.sh

# The compile-time ABI test: it builds only if every size, offset and number
# matches the spec's tables
abi-test: $(BUILD)/tests/abi_layout $(BUILD)/tests/abi_layout_62
	@$(BUILD)/tests/abi_layout
	@$(BUILD)/tests/abi_layout_62

# The VM's edu devices: two alone in their IOMMU groups, two functions of one
# slot (one group), and two functions behind a PCIe root port, which can be
# reset (the VFIO hot reset tests). It has a 1 GiB huge page (pci.c's 1 GiB
# IOPTE), which only the command line can reserve, and 4 GiB of RAM: with 3,
# q35 leaves no free 1 GiB-aligned GiB to reserve it from.
vm-test: tests
	@$(MAKE) --no-print-directory modules TEST=0 KERNELS="$(VM_KERNELS)"
	@$(MAKE) --no-print-directory modules TEST=1 KERNELS="$(VM_KERNELS)"
	@tests/vm/check.sh --log-dir $(BUILD)/vm --kernels "$(VM_KERNELS)" --jobs $(VM_JOBS) --mem 4096 \
		--timeout 1800 --append "hugepagesz=1G hugepages=1" \
		--payload-for-kver '$(ROOT)/tests/payload.sh $(BUILD)' \
		-- -cpu qemu64,+pdpe1gb -device $(EDU) -device $(EDU) \
		-device $(EDU),addr=0x10.0,multifunction=on -device $(EDU),addr=0x10.1 \
		-device pcie-root-port,id=rp0,chassis=1,addr=0x11 \
		-device $(EDU),bus=rp0,addr=0.0,multifunction=on -device $(EDU),bus=rp0,addr=0.1

# Host-side tests of the build scripts (which modules VFIO needs, refusing a
# mismatched source, where each kernel lives) and of how a VM run is judged
# (each kind of kernel report fails it)
host-test:
	@tests/host/scripts.sh
	@tests/host/judge.sh

# The debug kernel (lockdep, KASAN, kmemleak, fault injection) from Debian's
# linux-source-6.12, built once and cached outside the checkout
debug-kernel: deps
	@scripts/debug-kernel.sh >/dev/null

check: deps
	@$(MAKE) --no-print-directory debug-kernel
	@$(MAKE) --no-print-directory style
	@$(MAKE) --no-print-directory abi-test
	@$(MAKE) --no-print-directory host-test
	@$(MAKE) --no-print-directory dkms-build
	@$(MAKE) --no-print-directory fuzz-test
	@$(MAKE) --no-print-directory vm-test
	@echo "== make demo (the main job), as a user runs it"
	@$(MAKE) --no-print-directory demo

# The VMM story on Debian 13's kernel: QEMU 10 assigns the edu through
# /dev/iommu and Debian's VFIO rebuilt with iommufd support
demo: deps
	@k=$$(cat $$(scripts/debian13-root.sh)/.kernel); \
	echo "Building iommufd.ko and Debian's VFIO with iommufd support for $$k..."; \
	$(MAKE) --no-print-directory modules TEST=0 KERNELS=$$k >/dev/null && \
	$(MAKE) --no-print-directory $(BUILD)/demo/vmm-demo && \
	echo "Booting Debian 13's kernel $$k in QEMU (TCG, q35, intel-iommu); about a minute..." && \
	scripts/vm-payload.sh --vmm $(BUILD) $$k demo 1024 demo/guest-vmm.sh \
		$(BUILD)/demo/vmm-demo -- -device $(EDU)

# The userspace-driver story: a driver of our own for the edu through
# iommufd_pci.ko
demo-driver: deps
	@$(MAKE) --no-print-directory modules TEST=0 >/dev/null
	@$(MAKE) --no-print-directory $(BUILD)/demo/driver-demo
	@k=$(firstword $(filter 6.12%,$(KERNELS)) $(KERNELS)); \
	echo "Booting Debian's $$k in QEMU (TCG, q35, intel-iommu); about 10 s..."; \
	scripts/vm-payload.sh $(BUILD) $$k demo-driver 1024 demo/guest-driver.sh \
		$(BUILD)/$$k/iommufd.ko $(BUILD)/$$k/iommufd_pci.ko \
		$(BUILD)/demo/driver-demo -- -device $(EDU)

# Per kernel: the mock-domain table (test build), Debian's VFIO type1
# against iommufd_pci.ko on an edu (test build), and where VFIO is rebuilt,
# QEMU through iommufd against QEMU through type1 (production build).
# make bench KERNELS="..." runs a subset.
BENCH_BINS := $(addprefix $(BUILD)/bench/,bench type1-bench vmm-bench)
bench: deps
	@$(MAKE) --no-print-directory modules TEST=1 >/dev/null
	@$(MAKE) --no-print-directory modules TEST=0 >/dev/null
	@$(MAKE) --no-print-directory $(BENCH_BINS)
	@set -e; for k in $(KERNELS); do \
		vmm=$$(ls $(BUILD)/$$k/vfio/*.ko >/dev/null 2>&1 && echo --vmm || true); \
		scripts/vm-payload.sh $$vmm --append "hugepagesz=1G hugepages=1" \
			--intree "vfio-pci vfio_iommu_type1" \
			$(BUILD) $$k bench 6144 bench/guest-bench.sh \
			$(BUILD)/$$k-test/iommufd.ko $(BUILD)/$$k-test/iommufd_pci.ko \
			$(BENCH_BINS) -- -cpu qemu64,+pdpe1gb -device $(EDU); \
	done

$(BUILD)/bench/bench: bench/bench.c bench/bench.h tests/tap.h tests/utils.h \
		include/uapi/linux/iommufd.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/bench/type1-bench: bench/type1-bench.c bench/bench.h tests/tap.h \
		tests/utils.h include/uapi/linux/iommufd.h \
		include/uapi/linux/iommufd_pci.h $(UAPI_VFIO)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/bench/vmm-bench: bench/vmm-bench.c tests/qemu_client.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/demo/driver-demo: demo/driver.c include/uapi/linux/iommufd.h \
		include/uapi/linux/iommufd_pci.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/demo/vmm-demo: demo/vmm.c tests/qemu_client.h tests/edu.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

style:
	@scripts/style.sh "$(KERNELS)"

dkms-install:
	@scripts/dkms.sh install $(VERSION)

dkms-remove:
	@scripts/dkms.sh remove $(VERSION)

dkms-build:
	@scripts/dkms.sh build $(VERSION) "$(KERNELS)"

clean:
	rm -rf $(BUILD)

# make fuzz-test, make fuzz
include tests/fuzz/fuzz.mk
