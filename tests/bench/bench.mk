# tests/bench/bench.mk — what `make bench` builds besides the release
# kernel: the native epoch benchmark and the Linux initramfs. Included by
# the top Makefile (this folder is one level too deep for its */*.mk).

BENCH_OUT    := $(BUILD)/bench

# The benchmarks' own Debian packages (mk/deps.sh bench-packages), installed
# on first use: `make test` does not need them.
BENCH_DEPS_STAMP := $(BUILD)/.deps-bench-packages
$(BENCH_DEPS_STAMP): mk/deps.sh | $(DEPS_STAMP)
	@bash mk/deps.sh bench-packages
	@touch $@
BENCH_NATIVE := $(BENCH_OUT)/epoch-native
BENCH_INITRD := $(BENCH_OUT)/linux/initramfs.cpio

# Wisp's read path from the kernel headers, with the host shim first on the
# include path (tests/bench/native/shim/wisp/percpu.h replaces the kernel's).
BENCH_NATIVE_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
    -Itests/bench/native/shim -I. -Ikernel/include
$(BENCH_NATIVE): $(wildcard tests/bench/native/*.c tests/bench/native/*.h \
                   tests/bench/native/shim/wisp/*.h) rcu/rcu.h rcu/epoch_table.h | $(BENCH_DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(BENCH_NATIVE_CFLAGS) $(filter %.c,$^) -o $@ \
	    -lck -lurcu-memb -lurcu-qsbr -lurcu-common -lpthread

$(BENCH_INITRD): $(wildcard tests/bench/linux/* tests/bench/linux/rcubench/*) | $(BENCH_DEPS_STAMP)
	@bash tests/bench/linux/build-initramfs.sh $(@D)

# The push benchmark (tests/bench/push.py) boots the release image and
# pushes the section files of tests/build.mk with wisp-push: the top
# Makefile's `bench` builds them in the release build directory, in the
# same sub-make as the release ISO.
BENCH_PUSH_FILES = $(WISP_PUSH) $(addprefix $(UPDATE_TEST_DIR)/,counter_v1_rollback.sec \
                   counter_v2.sec counter_v3.sec qcounter_v1.sec qcounter_v2.sec qcounter_v3.sec \
                   qcounter_v2_rollback.sec)
bench-push-files: $(BENCH_PUSH_FILES)
.PHONY: bench-push-files
