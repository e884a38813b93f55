# SPDX-License-Identifier: GPL-2.0
#
# tlbh - test harness for the kernel's TLB gather/flush machinery.
#
#   make              build tlbh.ko for KDIR (default: the running kernel)
#   make run          boot a test guest with the module, print the report
#   make check        everything: host checks + the VM matrix
#   make check-all    the same on every kernel target (adds PREEMPT_RT)
#   make unit         the engine's host runner (no VM)
#   make selftests    build the kselftest binaries
#   make kernels      build (or reuse) the cached test kernels
#   make docs         build Documentation/ with Sphinx; any warning fails
#   make explore POLICY=name [ADD=rule,..] [DROP=rule,..] [BUDGET=s] [REPLAY=1]
#                     find the rule set's race, write it as a scenario file
#                     (build/explore/), REPLAY=1: run it on a test VM too
#   make coverage     each rule of each upstream policy dropped alone
#   make soak [SOAK_CHECKS=n]  every fixed variant, n checks (10^5) each,
#                     on a test VM (KERNEL=, default stock-6.1)
#   make clean
#
# run and check install their Debian packages themselves when missing.

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

run:
	tools/run $(KERNEL)

soak:
	$(if $(SOAK_CHECKS),SOAK_CHECKS=$(SOAK_CHECKS)) tools/soak $(KERNEL)

check:
	tools/check $(TARGETS)

check-all:
	tools/check --all

unit:
	$(MAKE) -C kunit/host run

selftests:
	$(MAKE) -C selftests

# -C: no conf.py, the few settings are given here; -E: read every file
# again, so that a warning in an unchanged file is not forgotten.
docs:
	@command -v sphinx-build >/dev/null || \
		{ echo "docs: sphinx-build missing (Debian: python3-sphinx, installed by tools/deps)" >&2; exit 1; }
	@$(MAKE) -s -C kunit/host policy_doc
	@mkdir -p build/gen
	kunit/host/policy_doc > build/gen/policies.rst
	kunit/host/policy_doc -c > build/gen/cases.rst
	sphinx-build -q -W --keep-going -n -E -C -D project=tlbh \
		-D highlight_language=none -b html Documentation build/docs

# The explorer (kunit/host/explore.c, Documentation/explorer.rst).
POLICY ?= upstream-current
BUDGET ?= 10
TARGET ?= stock-6.1
COVERAGE_BUDGET ?= 10

explore:
	@$(MAKE) -s -C kunit/host explore
	@mkdir -p build/explore
	@rc=0; kunit/host/explore -p $(POLICY) $(if $(ADD),-a $(ADD)) \
		$(if $(DROP),-d $(DROP)) -b $(BUDGET) -O build/explore \
		> build/explore/explore.log || rc=$$?; \
	cat build/explore/explore.log; \
	[ $$rc -eq 0 ] || [ $$rc -eq 3 ] || exit $$rc; \
	file=$$(sed -n 's/^written  *//p' build/explore/explore.log); \
	if [ -n "$(REPLAY)" ] && [ -n "$$file" ]; then \
		tools/replay -t $(TARGET) "$$file"; fi

# A rule no longer caught must not leave its old file behind.
coverage:
	@$(MAKE) -s -C kunit/host explore
	rm -rf build/coverage
	kunit/host/explore -C -b $(COVERAGE_BUDGET) -O build/coverage

# The report of make run has the coverage matrix.
run: coverage

.PHONY: explore coverage

# The kernel oracle (Documentation/oracle.rst): TARGETS=test-7.2 for one.
diff:
	oracle/run $(TARGETS)

.PHONY: diff

kernels:
	tools/deps
	tools/build-kernel 6.1
	tools/build-kernel 6.12
	tools/build-kernel 7.2

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C selftests clean
	[ ! -f kunit/host/Makefile ] || $(MAKE) -C kunit/host clean
	rm -rf build

.PHONY: all modules run soak check check-all unit selftests kernels docs clean
