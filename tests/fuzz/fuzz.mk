# SPDX-License-Identifier: GPL-2.0-only
#
# Userspace fuzzing of the pure mechanisms of the IO page table (included by
# the top Makefile; see tests/fuzz/ and docs/architecture.md). Each target
# is built twice: with libFuzzer (clang-14, ASan, UBSan) and as a plain
# program (gcc, ASan, UBSan) that replays the corpus and random inputs.
# The kernel's own rbtree and interval tree come from Debian's linux-source
# tarball, extracted into build/fuzz/linux, never into the checkout.
#
#   make fuzz-test   bounded: corpus replay, random inputs, ~60 s of fuzzing
#   make fuzz        FUZZ_SECONDS (default 600) of fuzzing per target

FUZZ_TARGETS := iova span pin
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_LINUX := $(FUZZ_DIR)/linux
FUZZ_SECONDS ?= 600
FUZZ_TEST_SECONDS ?= 60
FUZZ_CLANG ?= clang-14
FUZZ_KERNEL_FILES := lib/rbtree.c lib/interval_tree.c include/linux/rbtree.h \
	include/linux/rbtree_types.h include/linux/rbtree_augmented.h \
	include/linux/interval_tree.h include/linux/interval_tree_generic.h
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Werror -Wno-pointer-sign -Wno-format-zero-length -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -I$(ROOT)/tests/fuzz/shim -I$(FUZZ_LINUX)/include \
	-DIOPT_RUN_RECORD_MIN=2 \
	-include $(ROOT)/tests/fuzz/shim/fuzz_kernel.h \
	-iquote $(ROOT)/tests/fuzz/shim/private -iquote $(ROOT)/src
FUZZ_SHIM := $(wildcard tests/fuzz/shim/*.h tests/fuzz/shim/*/*.h \
	tests/fuzz/shim/linux/sched/*.h) tests/fuzz/fuzz.h
# Each target's sources besides its own file and the kernel's trees
FUZZ_SRC_iova := src/iopt_span.c src/iopt_reserved.c
FUZZ_DEP_iova := src/iopt_holes.c src/io_pagetable.h
FUZZ_SRC_span := src/iopt_span.c
FUZZ_DEP_span := src/io_pagetable.h
# pages.c unchanged, copied so that its "iommufd_private.h" is the shim's
FUZZ_SRC_pin := $(FUZZ_DIR)/src/pages.c src/iopt_span.c
FUZZ_DEP_pin := src/io_pagetable.h
fuzz_srcs = tests/fuzz/$(1).c $(FUZZ_SRC_$(1)) $(FUZZ_LINUX)/lib/rbtree.c \
	$(FUZZ_LINUX)/lib/interval_tree.c

.PHONY: fuzz fuzz-test fuzz-build
.SECONDEXPANSION:

$(FUZZ_LINUX)/.stamp: $(UAPI_SRC)
	@rm -rf $(FUZZ_LINUX) && mkdir -p $(FUZZ_LINUX)
	tar -C $(FUZZ_LINUX) --strip-components=1 -xf $< \
		$(addprefix linux-source-6.12/,$(FUZZ_KERNEL_FILES))
	@touch $@

$(FUZZ_DIR)/%-fuzz: tests/fuzz/%.c $(FUZZ_SHIM) $(FUZZ_LINUX)/.stamp \
		$$(FUZZ_SRC_$$*) $$(FUZZ_DEP_$$*)
	$(FUZZ_CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ \
		$(call fuzz_srcs,$*)

$(FUZZ_DIR)/%-replay: tests/fuzz/%.c tests/fuzz/replay.c $(FUZZ_SHIM) \
		$(FUZZ_LINUX)/.stamp $$(FUZZ_SRC_$$*) $$(FUZZ_DEP_$$*)
	gcc $(FUZZ_CFLAGS) -fsanitize=address,undefined -o $@ \
		$(call fuzz_srcs,$*) tests/fuzz/replay.c

$(FUZZ_DIR)/src/pages.c: src/pages.c
	@mkdir -p $(dir $@)
	cp $< $@

fuzz-build: $(foreach t,$(FUZZ_TARGETS),$(FUZZ_DIR)/$(t)-fuzz $(FUZZ_DIR)/$(t)-replay)

# libFuzzer on a copy of the seed corpus (what it finds stays in build/);
# a failing input lands in build/fuzz/ as crash-*, replay it with
# build/fuzz/<target>-replay FILE
fuzz_run = set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus-$$t; \
		echo "== fuzzing $$t for $(1) s"; \
		$(FUZZ_DIR)/$$t-fuzz -max_total_time=$(1) -max_len=4096 -timeout=10 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/$$t- \
			$(FUZZ_DIR)/corpus-$$t tests/fuzz/corpus/$$t \
			2>$(FUZZ_DIR)/$$t.log || { tail -n 60 $(FUZZ_DIR)/$$t.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' \
			$(FUZZ_DIR)/$$t.log | tr '\n' ' '; echo; \
	done

fuzz-test: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== replaying $$t: corpus and 3000 random inputs"; \
		(cd $(FUZZ_DIR) && ./$$t-replay -r 3000 $(ROOT)/tests/fuzz/corpus/$$t); \
	done
	@$(call fuzz_run,$$(( $(FUZZ_TEST_SECONDS) / $(words $(FUZZ_TARGETS)) )))

fuzz: fuzz-build
	@$(call fuzz_run,$(FUZZ_SECONDS))
