# mini-docker in C — one kernel feature per stage.
#   make               build every stage
#   make stage-01      build one stage (01-uts/demo)
#   make test          build and run every test (unit, integration; root for most)
#   sudo make deps     install the packages (Debian/Ubuntu; prints the dnf line elsewhere)
#   sudo make tour     run every finished stage's demo, in order
#   sudo make lessons  re-run every lesson sample where it was captured (host, VMs)
#   sudo make check-05 one stage's tests only: unit, integration, lesson samples
#   make CC=clang      any C11 compiler; SANITIZE=1 adds ASan+UBSan

CC      ?= cc
CFLAGS  ?= -O2 -g
STAGES  := 01-uts 02-user 03-pid-ipc 04-mount-proc 05-cgroup-cpu 06-cgroup-memory 07-overlayfs 08-mini-docker
INCLUDES := -Icommon $(addprefix -I,$(STAGES))
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror $(INCLUDES)
ifeq ($(SANITIZE),1)
override CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=address,undefined
endif

PKGS_CAP    := $(shell pkg-config --cflags --libs libcap 2>/dev/null || echo -lcap)
PKGS_CRYPTO := $(shell pkg-config --cflags --libs libcrypto 2>/dev/null || echo -lcrypto)
PKGS_CMOCKA := $(shell pkg-config --cflags --libs cmocka 2>/dev/null || echo -lcmocka)
PKGS_JSON   := $(shell pkg-config --cflags --libs json-c 2>/dev/null || echo -ljson-c)
PKGS_TAR    := $(shell pkg-config --cflags --libs libarchive 2>/dev/null || echo -larchive)
PKGS_SECCOMP := $(shell pkg-config --cflags --libs libseccomp 2>/dev/null || echo -lseccomp)
PKGS_NET    := $(shell pkg-config --cflags --libs libmnl libnftables 2>/dev/null || echo -lmnl -lnftables)
# digest.c opens libcrypto with dlopen (see there): its headers, and -ldl
# for the C libraries that still keep dlopen outside libc.
DLCRYPTO    := $(shell pkg-config --cflags libcrypto 2>/dev/null) -ldl

HEADERS := $(wildcard common/*.h */*.h)
COMMON  := common/common.c

DEMOS := 01-uts/demo 02-user/demo 03-pid-ipc/demo 04-mount-proc/demo 05-cgroup-cpu/demo 06-cgroup-memory/demo 07-overlayfs/demo 08-mini-docker/mini-docker \
	08-mini-docker/mini-docker-layer
CHECKS := $(addprefix check-,01 02 03 04 05 06 07 08)
UNIT  := tests/unit/test_ns tests/unit/test_userns tests/unit/test_mountinfo tests/unit/test_cgvalue tests/unit/test_overlay tests/unit/test_options \
	tests/unit/test_image tests/unit/test_record tests/unit/test_state tests/unit/test_confine tests/unit/test_pidns \
	tests/unit/test_template tests/unit/test_change tests/unit/test_network

.PHONY: all clean test test-unit test-host test-sanitized test-vm-v2 test-vm-v1 vm deps tour soak fuzz bench lessons lessons-update $(CHECKS) $(addprefix stage-,01 02 03 04 05 06 07 08) rootfs
all: $(DEMOS) 08-mini-docker/demo

stage-01: 01-uts/demo
stage-02: 02-user/demo
stage-03: 03-pid-ipc/demo
stage-04: 04-mount-proc/demo
stage-05: 05-cgroup-cpu/demo
stage-06: 06-cgroup-memory/demo
stage-07: 07-overlayfs/demo
stage-08: 08-mini-docker/mini-docker 08-mini-docker/mini-docker-layer 08-mini-docker/demo

# Each stage links the modules of the stages it builds on; none copies them.
01-uts/demo: 01-uts/demo.c 01-uts/ns.c 01-uts/uts.c 01-uts/nslimit.c $(COMMON)
02-user/demo: 02-user/demo.c 02-user/userns.c 02-user/nsowner.c 01-uts/ns.c $(COMMON)
02-user/demo: LDLIBS += $(PKGS_CAP)
03-pid-ipc/demo: 03-pid-ipc/demo.c 03-pid-ipc/pidns.c 01-uts/ns.c $(COMMON)
04-mount-proc/demo: 04-mount-proc/demo.c 04-mount-proc/mountinfo.c 04-mount-proc/mounts.c \
	03-pid-ipc/pidns.c 01-uts/ns.c $(COMMON)
CGROUP := 05-cgroup-cpu/cgroup.c 05-cgroup-cpu/cglimits.c 05-cgroup-cpu/cgstats.c 05-cgroup-cpu/freezer.c 05-cgroup-cpu/cgvalue.c 04-mount-proc/mountinfo.c
05-cgroup-cpu/demo: 05-cgroup-cpu/demo.c 05-cgroup-cpu/loops.c 05-cgroup-cpu/cgtour.c $(CGROUP) $(COMMON)
06-cgroup-memory/demo: 06-cgroup-memory/demo.c 06-cgroup-memory/cgspawn.c 06-cgroup-memory/afterjoin.c \
	06-cgroup-memory/pidsmax.c $(CGROUP) $(COMMON)
07-overlayfs/demo: 07-overlayfs/demo.c 07-overlayfs/lab.c 07-overlayfs/overlay.c 07-overlayfs/rmtree.c 02-user/userns.c \
	04-mount-proc/mounts.c $(COMMON)
07-overlayfs/demo: LDLIBS += $(PKGS_CRYPTO)
# 08's network (NETWORK.md): the host side, linked wherever the reaper is.
NET := 08-mini-docker/network.c 08-mini-docker/bridge.c 08-mini-docker/netlink.c 08-mini-docker/ipam.c 08-mini-docker/nat.c \
	08-mini-docker/netfiles.c 08-mini-docker/netopts.c
MINI_DOCKER := $(NET) 08-mini-docker/netchild.c 08-mini-docker/main.c 08-mini-docker/runner.c 08-mini-docker/claim.c 08-mini-docker/streams.c 08-mini-docker/detach.c 08-mini-docker/init.c 08-mini-docker/rootfs.c \
	08-mini-docker/options.c 08-mini-docker/caps.c 08-mini-docker/record.c 08-mini-docker/store.c 08-mini-docker/lookup.c 08-mini-docker/reconcile.c \
	08-mini-docker/statedir.c 08-mini-docker/tty.c 08-mini-docker/inspect.c 08-mini-docker/signal.c 08-mini-docker/exec.c 08-mini-docker/digest.c 08-mini-docker/helper.c \
	08-mini-docker/ref.c 08-mini-docker/layerstore.c 08-mini-docker/layergc.c 08-mini-docker/image.c 08-mini-docker/load.c 08-mini-docker/oci.c 08-mini-docker/commit.c \
	08-mini-docker/member.c 08-mini-docker/enter.c 08-mini-docker/inroot.c 08-mini-docker/seccomp_profile.c 08-mini-docker/seccomp_cache.c 08-mini-docker/user.c 08-mini-docker/selfexe.c \
	08-mini-docker/exitcode.c 08-mini-docker/template.c 08-mini-docker/tplvalue.c \
	08-mini-docker/change.c 08-mini-docker/table.c 08-mini-docker/imageinspect.c 08-mini-docker/imagelist.c \
	08-mini-docker/inspectcmd.c 08-mini-docker/save.c \
	07-overlayfs/overlay.c 07-overlayfs/rmtree.c \
	06-cgroup-memory/cgspawn.c 04-mount-proc/mounts.c 03-pid-ipc/pidns.c 02-user/userns.c \
	01-uts/ns.c 01-uts/uts.c $(CGROUP) $(COMMON)
08-mini-docker/mini-docker: $(MINI_DOCKER)
08-mini-docker/mini-docker: LDLIBS += $(PKGS_CAP) $(PKGS_SECCOMP) $(PKGS_JSON) $(DLCRYPTO) $(PKGS_NET)
# The tar side of the image commands, a program of its own so that only it
# loads libarchive (see 08-mini-docker/helper.h).
LAYER := 08-mini-docker/layer.c 08-mini-docker/pack.c 08-mini-docker/savetar.c 08-mini-docker/digest.c 07-overlayfs/overlay.c 07-overlayfs/rmtree.c $(COMMON)
08-mini-docker/mini-docker-layer: 08-mini-docker/layer_main.c $(LAYER)
08-mini-docker/mini-docker-layer: LDLIBS += $(PKGS_TAR) $(DLCRYPTO)
# `demo` is mini-docker itself: called by that name it narrates a sample run.
08-mini-docker/demo: 08-mini-docker/mini-docker
	ln -sf mini-docker $@

# The default image (Debian's busybox-static): a directory, imported as busybox:latest.
ROOTFS ?= /var/lib/mini-docker/images/busybox
rootfs: 08-mini-docker/mini-docker
	@bash 08-mini-docker/mkrootfs.sh $(ROOTFS) ./08-mini-docker/mini-docker

$(DEMOS) $(UNIT): $(HEADERS) Makefile
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)

tests/unit/test_ns: tests/unit/test_ns.c 01-uts/ns.c 01-uts/uts.c 01-uts/nslimit.c $(COMMON)
tests/unit/test_userns: tests/unit/test_userns.c 02-user/userns.c $(COMMON)
tests/unit/test_pidns: tests/unit/test_pidns.c 03-pid-ipc/pidns.c $(COMMON)
tests/unit/test_mountinfo: tests/unit/test_mountinfo.c 04-mount-proc/mountinfo.c 03-pid-ipc/pidns.c $(COMMON)
tests/unit/test_cgvalue: tests/unit/test_cgvalue.c 06-cgroup-memory/cgspawn.c 05-cgroup-cpu/cgtour.c $(CGROUP) $(COMMON)
tests/unit/test_overlay: tests/unit/test_overlay.c 07-overlayfs/overlay.c 07-overlayfs/rmtree.c $(COMMON)
tests/unit/test_options: tests/unit/test_options.c 08-mini-docker/options.c 08-mini-docker/netopts.c 08-mini-docker/caps.c \
	08-mini-docker/exitcode.c 05-cgroup-cpu/cgvalue.c 04-mount-proc/mountinfo.c 01-uts/uts.c $(COMMON)
tests/unit/test_options: LDLIBS += $(PKGS_CAP)
# The image test links the image side only (and the store it checks containers in).
tests/unit/test_image: tests/unit/test_image.c 08-mini-docker/digest.c 08-mini-docker/layer.c 08-mini-docker/pack.c 08-mini-docker/savetar.c \
	08-mini-docker/ref.c 08-mini-docker/layerstore.c 08-mini-docker/layergc.c 08-mini-docker/image.c 08-mini-docker/helper.c 08-mini-docker/record.c 08-mini-docker/store.c 08-mini-docker/lookup.c 08-mini-docker/reconcile.c 08-mini-docker/statedir.c 03-pid-ipc/pidns.c \
	07-overlayfs/overlay.c 07-overlayfs/rmtree.c $(NET) 08-mini-docker/options.c 01-uts/uts.c $(CGROUP) $(COMMON)
tests/unit/test_image: LDLIBS += $(PKGS_JSON) $(DLCRYPTO) $(PKGS_TAR) $(PKGS_NET)
# lifecycle.c's formatters come with the commands that start containers:
# the record test links mini-docker, as test_state does.
tests/unit/test_record: tests/unit/test_record.c $(filter-out 08-mini-docker/main.c,$(MINI_DOCKER))
tests/unit/test_record: LDLIBS += $(PKGS_CAP) $(PKGS_SECCOMP) $(PKGS_JSON) $(DLCRYPTO) $(PKGS_NET)
tests/unit/test_state: tests/unit/test_state.c $(filter-out 08-mini-docker/main.c,$(MINI_DOCKER))
tests/unit/test_state: LDLIBS += $(PKGS_CAP) $(PKGS_SECCOMP) $(PKGS_JSON) $(DLCRYPTO) $(PKGS_NET)
tests/unit/test_confine: tests/unit/test_confine.c 08-mini-docker/user.c 08-mini-docker/seccomp_profile.c 08-mini-docker/options.c 08-mini-docker/netopts.c 05-cgroup-cpu/cgvalue.c 04-mount-proc/mountinfo.c 01-uts/uts.c \
	08-mini-docker/caps.c $(COMMON)
tests/unit/test_confine: LDLIBS += $(PKGS_CAP) $(PKGS_SECCOMP) $(PKGS_JSON)
tests/unit/test_template: tests/unit/test_template.c 08-mini-docker/template.c 08-mini-docker/tplvalue.c
tests/unit/test_template: LDLIBS += $(PKGS_JSON)
tests/unit/test_change: tests/unit/test_change.c 08-mini-docker/change.c $(COMMON)
tests/unit/test_change: LDLIBS += $(PKGS_JSON)
tests/unit/test_network: tests/unit/test_network.c 08-mini-docker/netopts.c 08-mini-docker/ipam.c 08-mini-docker/nat.c \
	08-mini-docker/netfiles.c 08-mini-docker/options.c 05-cgroup-cpu/cgvalue.c 04-mount-proc/mountinfo.c 01-uts/uts.c \
	08-mini-docker/caps.c $(COMMON)
tests/unit/test_network: LDLIBS += $(PKGS_NET) $(PKGS_CAP)
$(UNIT): LDLIBS += $(PKGS_CMOCKA)

# make test: unit tests, integration tests on this host, then the same
# integration tests in a qemu VM with pure cgroup v2 and with v1 only.
test: all $(UNIT)
	@bash tests/run.sh unit host vm-self vm-v2 vm-v1

test-unit: $(UNIT)
	@bash tests/run.sh unit

test-host: all $(UNIT)
	@bash tests/run.sh unit host

# CI's second pass, built with SANITIZE=1: unit and this host. (A VM pass
# built with ASan takes 20-25 minutes under TCG: run it by hand with
# `make SANITIZE=1 test` when changing the runner.) The plain `make test`
# that follows covers every layout.
test-sanitized: all $(UNIT)
	@bash tests/run.sh unit host

# libFuzzer targets for every parser of user or kernel text (clang).
FUZZ_RUNS ?= 1000000
FUZZ := tests/fuzz/fuzz_values tests/fuzz/fuzz_kernel_text tests/fuzz/fuzz_store
tests/fuzz/fuzz_values: tests/fuzz/fuzz_values.c 05-cgroup-cpu/cgvalue.c \
	04-mount-proc/mountinfo.c 08-mini-docker/options.c 08-mini-docker/netopts.c 01-uts/uts.c $(COMMON)
tests/fuzz/fuzz_kernel_text: tests/fuzz/fuzz_kernel_text.c 05-cgroup-cpu/cgvalue.c \
	04-mount-proc/mountinfo.c 01-uts/ns.c 03-pid-ipc/pidns.c 02-user/userns.c $(COMMON)
tests/fuzz/fuzz_store: tests/fuzz/fuzz_store.c $(filter-out 08-mini-docker/main.c,$(MINI_DOCKER)) \
	08-mini-docker/layer.c 08-mini-docker/savetar.c
tests/fuzz/fuzz_store: LDLIBS += $(PKGS_CAP) $(PKGS_SECCOMP) $(PKGS_JSON) $(DLCRYPTO) $(PKGS_TAR) $(PKGS_NET)
$(FUZZ): $(HEADERS) Makefile
	clang -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1 -std=gnu11 -Wall -Wextra -Werror \
		$(INCLUDES) -o $@ $(filter %.c,$^) $(LDLIBS)
fuzz: $(FUZZ)
	@bash tests/fuzz/run.sh $(FUZZ_RUNS)

# Start-up and limit benchmarks against unshare, bwrap, crun, runc (not in make test).
bench: all
	@bash tests/bench/bench.sh

# The full residue soak of the hardening suite (make test runs 50 runs).
soak: all
	@SOAK_RUNS=500 bash tests/integration/08-hardening.sh

# Every lesson's "What you should see" is a real run: check them all again
# (here, then one VM boot per layout), or re-capture them into the pages.
lessons: all
	@bash tests/lessons.sh check

lessons-update: all
	@bash tests/lessons.sh update

# One stage's tests only, on this host: make check-01 ... make check-08.
$(CHECKS): check-%: all $(UNIT)
	@bash tests/run.sh stage-$*

test-vm-v2: all
	@bash tests/run.sh vm-v2

test-vm-v1: all
	@bash tests/run.sh vm-v1

# A pure cgroup v2 machine for the labs: a shell in the VM, repository built.
vm: all
	@bash tests/vm/vm.sh shell v2

deps:
	@bash tests/deps.sh

tour: all rootfs
	@bash tests/tour.sh

clean:
	rm -f $(DEMOS) $(UNIT) 08-mini-docker/demo $(FUZZ)
