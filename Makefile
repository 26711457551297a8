# SPDX-License-Identifier: GPL-2.0-only
#
# iommufd.ko, out of tree. Main targets (see README.md):
#   make            modules for every installed Debian kernel (or KDIR=...)
#   make TEST=1     the same, test build (adds the test-only parts)
#   make check      everything that is tested: style, ABI layout, dkms build,
#                   and the test suite in a VM per kernel
#   make demo       boots a VM and shows /dev/iommu at work
#   make bench      benchmark table from a VM per kernel
#   make style      checkpatch --strict, sparse and W=1 on every kernel
#   make dkms-install

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
kdir = /lib/modules/$(1)/build
endif

# QEMU's edu PCI device, able to reach every IOVA (its default mask is 28 bits)
EDU := edu,dma_mask=0xffffffffffffffff

build_suffix = $(if $(filter 1,$(2)),-test)
moddir = $(BUILD)/$(1)$(call build_suffix,$(1),$(2))

TESTS := dispatch objects ioas vfio domain alloc access dirty nested fault stress consumer pci
TEST_BINS := $(addprefix $(BUILD)/tests/,$(TESTS))
TEST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wno-missing-field-initializers \
	-Werror -static -pthread \
	-I$(ROOT)/include/uapi -I$(ROOT)/tests

.PHONY: all modules test-modules tests check style demo bench deps clean \
	dkms-install dkms-build abi-test vm-test

all: modules

modules:
	@[ -n "$(KERNELS)" ] || { echo "no kernel to build for"; exit 1; }
	@set -e; for k in $(KERNELS); do \
		echo "== building iommufd.ko for $$k$(if $(filter 1,$(TEST)), (test build))"; \
		scripts/build-module.sh $(call kdir,$$k) $(call moddir,$$k,$(TEST)) $(TEST); \
	done

test-modules:
	@$(MAKE) --no-print-directory modules TEST=1

$(BUILD)/tests/%: tests/%.c tests/tap.h tests/utils.h include/uapi/linux/iommufd.h \
		include/uapi/linux/iommufd_test.h tests/consumer/consumer_uapi.h \
		include/uapi/linux/iommufd_pci.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/tests/abi_layout: tests/abi/layout.c include/uapi/linux/iommufd.h \
		include/uapi/linux/iommufd_test.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

tests: $(TEST_BINS) $(BUILD)/tests/abi_layout

deps:
	@scripts/deps.sh

# The compile-time ABI test: it builds only if every size, offset and number
# matches the spec's tables
abi-test: $(BUILD)/tests/abi_layout
	@$(BUILD)/tests/abi_layout

vm-test: tests
	@$(MAKE) --no-print-directory modules TEST=0
	@$(MAKE) --no-print-directory modules TEST=1
	@tests/vm/check.sh --log-dir $(BUILD)/vm --kernels "$(KERNELS)" --mem 2048 \
		--payload-for-kver '$(ROOT)/tests/payload.sh $(BUILD)' \
		-- -device $(EDU) -device $(EDU) \
		-device $(EDU),addr=0x10.0,multifunction=on -device $(EDU),addr=0x10.1

check: deps
	@$(MAKE) --no-print-directory style
	@$(MAKE) --no-print-directory abi-test
	@$(MAKE) --no-print-directory dkms-build
	@$(MAKE) --no-print-directory vm-test

demo: deps
	@$(MAKE) --no-print-directory modules TEST=0 >/dev/null
	@$(MAKE) --no-print-directory $(BUILD)/demo/demo
	@k=$(firstword $(filter 6.12%,$(KERNELS)) $(KERNELS)); \
	echo "Booting Debian's $$k in QEMU (TCG, q35, intel-iommu); about 10 s..."; \
	scripts/vm-payload.sh $(BUILD) $$k demo 1024 demo/guest-demo.sh \
		$(BUILD)/$$k/iommufd.ko $(BUILD)/$$k/iommufd_pci.ko \
		$(BUILD)/demo/demo -- -device $(EDU)

bench: deps
	@$(MAKE) --no-print-directory modules TEST=1 >/dev/null
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench
	@set -e; for k in $(KERNELS); do \
		scripts/vm-payload.sh $(BUILD) $$k bench 3072 bench/guest-bench.sh \
			$(BUILD)/$$k-test/iommufd.ko $(BUILD)/bench/bench; \
	done

$(BUILD)/bench/bench: bench/bench.c tests/tap.h tests/utils.h \
		include/uapi/linux/iommufd.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/demo/demo: demo/demo.c include/uapi/linux/iommufd.h \
		include/uapi/linux/iommufd_pci.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $<

style:
	@scripts/style.sh "$(KERNELS)"

dkms-install:
	@scripts/dkms.sh install $(VERSION)

dkms-build:
	@scripts/dkms.sh build $(VERSION) "$(KERNELS)"

clean:
	rm -rf $(BUILD)
