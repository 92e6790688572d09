# SPDX-License-Identifier: GPL-2.0
#
# Module build (what DKMS and a real host run):
#   make [KVER=...] [KDIR=...]        build md-llbitmap2.ko and raid456x.ko
#
# Rig (this project's VM test bench; see README.md):
#   make setup       install host tools and the build root of each kernel
#   make check       build through DKMS and run every scenario in QEMU
#   make torture [TORTURE_S=seconds] [SEED=N]  crash points and seeded
#                    random operations (tests/torture), "N passed, N failed"
#   make demo        the guided demo VM
#   make lint        checkpatch --strict, W=1 and sparse
#   make bench       benchmarks into BENCHMARKS.md
#   make package-test  build, install and purge the Debian packages

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
MDX_HDR := $(CURDIR)/build/md-$(KVER)
KERNEL ?= default
T ?=
J ?= 1
TORTURE_S ?=
SEED ?=

.PHONY: all modules headers clean install setup check check-long check-all torture demo lint bench package-test

all: modules

headers:
	@bash scripts/md-headers.sh $(KVER) $(KDIR) $(MDX_HDR)

modules: headers
	$(MAKE) -C $(KDIR) M=$(CURDIR) MDX_HDR=$(MDX_HDR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf build

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates/dkms modules_install

setup:
	scripts/setup-host
	scripts/setup-buildroot $(KERNEL)

check:
	scripts/check --kernel $(KERNEL) --jobs $(J) $(T)

# The full suite plus the scenarios headed "long=1" (about an hour more).
check-long:
	RIG_LONG=1 scripts/check --kernel $(KERNEL) --jobs $(J) $(T)

torture:
	TORTURE_S="$(TORTURE_S)" SEED="$(SEED)" scripts/torture --kernel $(KERNEL) $(T)

check-all:
	scripts/check --kernel all --jobs $(J) $(T)

demo:
	scripts/demo --kernel $(KERNEL)

lint:
	scripts/lint --kernel $(KERNEL)

bench:
	scripts/bench --kernel $(KERNEL)

package-test:
	scripts/test-package --kernel $(KERNEL)
