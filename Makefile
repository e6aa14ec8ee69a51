# Wisp — top-level build. `make help` lists the targets.
#
# Everything goes to build/. The dependency step (mk/deps.sh) installs the
# Debian packages and unpacks the Debian source packages the kernel compiles
# freestanding (Concurrency Kit, BearSSL).

BUILD    ?= build
CC       := gcc
NASM     := nasm
LD       := ld
QEMU     := qemu-system-x86_64
PYTHON   := python3
SMP      ?= 4
MEM      ?= 512M
CORE     := $(BUILD)/wisp.core
SRC_DIR  ?= $(BUILD)/src
CK_DIR   := $(SRC_DIR)/ck-0.7.1
BEARSSL_DIR := $(SRC_DIR)/bearssl-0.6+dfsg.1
# RELEASE=1 builds without the debug checks (lock validator, heap poisoning).
RELEASE  ?= 0
DEBUG_CFLAGS := $(if $(filter 1,$(RELEASE)),,-DWISP_DEBUG)

# Pure C shared by kernel and host tools/tests (one piece of code per idea).
# Folder fragments (modload/build.mk, updater/build.mk, ...) append to these:
#   HOST_SHARED_SRC   compiled into the host unit-test runner and host tools
#   KERNEL_EXTRA_OBJ  extra objects linked into the kernel
#   HOST_TOOLS        host programs built by `make all`
#   FUZZ_TARGETS      libFuzzer programs run by `make fuzz`
HOST_SHARED_SRC := kernel/lib/format.c
KERNEL_EXTRA_OBJ :=
HOST_TOOLS :=
FUZZ_TARGETS :=

.DEFAULT_GOAL := all
.PHONY: all iso run push debug test test-host test-qemu bench torture fuzz lint format clean help deps

help:
	@echo "make run      boot Wisp in QEMU to the shell (MONITOR=1: the kernel monitor; quit: Ctrl-A then X)"
	@echo "make test     host unit tests + in-kernel tests + QEMU end-to-end tests"
	@echo "make push MOD=name [ROLLBACK=1]  send a rebuilt module (its manifest's version) to the VM of make run"
	@echo "make debug    boot halted with the gdb stub; prints the gdb command"
	@echo "make bench    boot-time and other figures"
	@echo "make torture  long concurrency torture (DURATION=seconds)"
	@echo "make iso      build/wisp.iso (BIOS and UEFI bootable)"
	@echo "make lint     clang-format check and cppcheck (make format rewrites)"

# ---------------------------------------------------------------- deps
DEPS_STAMP := $(BUILD)/.deps-packages
$(DEPS_STAMP): mk/deps.sh
	@mkdir -p $(BUILD)
	@bash mk/deps.sh packages
	@touch $@

# The source packages (Concurrency Kit, BearSSL) unpack in one step, once:
# every file of theirs that a rule names waits for its stamp (so that a
# parallel make runs the step once, not once per file).
SOURCES_STAMP := $(SRC_DIR)/.unpacked
$(SOURCES_STAMP): | $(DEPS_STAMP)
	@bash mk/deps.sh sources $(SRC_DIR)
	@touch $@
$(CK_DIR)/src/%.c: | $(SOURCES_STAMP) ;
$(BEARSSL_DIR)/src/%.c: | $(SOURCES_STAMP) ;
$(BEARSSL_DIR)/inc/bearssl.h: | $(SOURCES_STAMP) ;
.PRECIOUS: $(CK_DIR)/src/%.c $(BEARSSL_DIR)/src/%.c

deps: $(DEPS_STAMP) $(SOURCES_STAMP)

# ---------------------------------------------------------------- kernel
GCC_INCLUDE := $(shell $(CC) -print-file-name=include)
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
    -ffreestanding -nostdinc -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
    -mgeneral-regs-only -fno-stack-protector -fno-omit-frame-pointer \
    -fstack-clash-protection -mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables \
    -fno-strict-aliasing -fno-common -ffunction-sections \
    -Ikernel/include -I. -isystem kernel/include/libc -isystem $(GCC_INCLUDE) \
    -idirafter /usr/include -DWISP_KERNEL $(DEBUG_CFLAGS)
KERNEL_LDFLAGS := -nostdlib -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
    -T kernel/arch/x86_64/kernel.ld

KERNEL_C := $(wildcard kernel/*.c kernel/*/*.c kernel/arch/x86_64/*.c \
              rcu/*.c locks/*.c tests/kernel/*.c tests/torture/*.c)
KERNEL_ASM := $(wildcard kernel/arch/x86_64/*.asm)

-include $(sort $(wildcard */*.mk))

# libFuzzer harnesses (clang, ASan + UBSan) that fragments add to
# FUZZ_TARGETS. `make fuzz FUZZ_TIME=60` runs each for FUZZ_TIME seconds;
# new inputs go to $(BUILD)/fuzz/corpus/NAME, seeds come from
# tests/fuzz/corpus/NAME. Defined here, after every fragment.
fuzz: $(FUZZ_TARGETS)
	@for f in $(FUZZ_TARGETS); do \
	    name=$$(basename $$f); corpus=$(BUILD)/fuzz/corpus/$${name#fuzz_}; \
	    mkdir -p $$corpus; echo "  FUZZ    $$name for $(FUZZ_TIME) s"; \
	    log=$(BUILD)/fuzz/$$name.log; \
	    $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $$corpus \
	        $$(ls -d tests/fuzz/corpus/$${name#fuzz_} 2>/dev/null) >$$log 2>&1; \
	    status=$$?; grep -E '^stat::number_of_executed_units|^#[0-9]+ *DONE' $$log; \
	    [ $$status = 0 ] || { tail -n 40 $$log; exit 1; }; \
	done

KERNEL_OBJ := $(KERNEL_C:%.c=$(BUILD)/k/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/k/%.o) \
              $(BUILD)/k/ck/ck_epoch.o $(KERNEL_EXTRA_OBJ)

$(BUILD)/k/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/k/%.o: %.asm | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -g -F dwarf -w+all $(NASM_DEFS) -MD $@.d $< -o $@

# The AP trampoline is a flat 16/32/64-bit binary embedded in the kernel.
TRAMPOLINE_BIN := $(BUILD)/k/kernel/arch/x86_64/trampoline.bin
$(TRAMPOLINE_BIN): kernel/arch/x86_64/trampoline.nasm
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f bin -w+all $< -o $@
$(BUILD)/k/kernel/arch/x86_64/trampoline_blob.o: $(TRAMPOLINE_BIN)
$(BUILD)/k/kernel/arch/x86_64/trampoline_blob.o: NASM_DEFS := -DTRAMPOLINE_BIN='"$(TRAMPOLINE_BIN)"'

# Concurrency Kit's epoch implementation, from Debian's source, kernel flags.
$(BUILD)/k/ck/ck_epoch.o: $(CK_DIR)/src/ck_epoch.c
	@mkdir -p $(@D)
	@echo "  CC      $< (ck)"
	@$(CC) $(KERNEL_CFLAGS) -Wno-sign-compare -c $< -o $@

# The list of kernel objects, rewritten only when it changes: deleting a
# source file then relinks the kernel too.
$(BUILD)/k/objects.list: FORCE
	@mkdir -p $(@D)
	@echo '$(KERNEL_OBJ)' | cmp -s - $@ || echo '$(KERNEL_OBJ)' > $@
.PHONY: FORCE

# Two links: the first has an empty symbol table; its symbols fill the second.
$(BUILD)/wisp.elf: $(KERNEL_OBJ) $(BUILD)/k/objects.list kernel/arch/x86_64/kernel.ld mk/gen-ksyms.sh
	@echo "  LD      $@"
	@bash mk/gen-ksyms.sh - $(BUILD)/k/ksyms0.c
	@$(CC) $(KERNEL_CFLAGS) -c $(BUILD)/k/ksyms0.c -o $(BUILD)/k/ksyms0.o
	@$(LD) $(KERNEL_LDFLAGS) -o $@.pass1 $(KERNEL_OBJ) $(BUILD)/k/ksyms0.o
	@bash mk/gen-ksyms.sh $@.pass1 $(BUILD)/k/ksyms1.c
	@$(CC) $(KERNEL_CFLAGS) -c $(BUILD)/k/ksyms1.c -o $(BUILD)/k/ksyms1.o
	@$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/k/ksyms1.o
	@bash mk/check-ksyms.sh $@.pass1 $@

# The core as it goes into the image: the same code and addresses, without
# debug information (gdb reads $(BUILD)/wisp.elf). Smaller to hash at boot.
$(CORE): $(BUILD)/wisp.elf
	@objcopy --strip-debug $< $@

# ---------------------------------------------------------------- image
ISO := $(BUILD)/wisp.iso
$(ISO): $(BUILD)/wisp.img mk/grub.cfg
	@mkdir -p $(BUILD)/iso/boot/grub
	@rm -f $(BUILD)/iso/boot/wisp.elf
	@cp $(BUILD)/wisp.img $(BUILD)/iso/boot/wisp.img
	@cp mk/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	@echo "  ISO     $@"
	@grub-mkrescue -o $@ $(BUILD)/iso >$(BUILD)/grub-mkrescue.log 2>&1 || \
	    { cat $(BUILD)/grub-mkrescue.log; exit 1; }

all: $(ISO) $(HOST_TOOLS)
iso: $(ISO)

QEMU_FLAGS := -M q35 -cpu max -smp $(SMP) -m $(MEM) -no-reboot -display none \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -cdrom $(ISO)

# The devices of `make run` (README.md, "Devices"): two virtio disks on raw
# images under build/ (64 MiB each, made once and kept), a virtio NIC on
# QEMU's user network with restrict=on (the guest reaches nothing outside
# this machine, and nothing reaches it), and QEMU's edu device (the edu
# module's). Add a disk or a NIC with QEMU_EXTRA='-drive ... -device ...'.
RUN_DISKS := $(BUILD)/disk0.img $(BUILD)/disk1.img
RUN_DEVICES := \
    -drive if=none,id=disk0,format=raw,file=$(BUILD)/disk0.img -device virtio-blk-pci,drive=disk0 \
    -drive if=none,id=disk1,format=raw,file=$(BUILD)/disk1.img -device virtio-blk-pci,drive=disk1 \
    -netdev user,id=net0,restrict=on -device virtio-net-pci,netdev=net0 \
    -device edu $(QEMU_EXTRA)
$(RUN_DISKS):
	@mkdir -p $(@D)
	@truncate -s 64M $@

# COM1 is the console (this terminal): the user-space shell, or the kernel
# monitor with MONITOR=1 (the kernel argument `monitor`, through fw_cfg).
# COM2 is the live-update line, a unix socket that `make push`
# (updater/wisp-push) connects to.
UPDATE_SOCKET := $(BUILD)/wisp-update.sock
comma := ,
run: $(ISO) $(RUN_DISKS)
	@echo "Booting Wisp: serial console below. Quit QEMU with Ctrl-A then X."
	@echo "Update line (COM2): $(UPDATE_SOCKET) — push with: make push MOD=name"
	$(QEMU) $(QEMU_FLAGS) $(RUN_DEVICES) -serial mon:stdio \
	    $(if $(MONITOR),-fw_cfg name=opt/wisp/cmdline$(comma)string=monitor) \
	    -chardev socket,id=upd,path=$(UPDATE_SOCKET),server=on,wait=off -serial chardev:upd

debug: $(ISO) $(RUN_DISKS)
	@echo "QEMU is halted with its gdb stub on :1234. In another terminal:"
	@echo "  gdb $(BUILD)/wisp.elf -ex 'target remote :1234'"
	@echo "Quit QEMU with Ctrl-A then X."
	$(QEMU) $(QEMU_FLAGS) $(RUN_DEVICES) -serial mon:stdio -s -S

# ---------------------------------------------------------------- tests
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
    -Ikernel/include -I. -fsanitize=address,undefined -fno-omit-frame-pointer
HOST_TEST_SRC := $(wildcard tests/host/*.c) $(HOST_SHARED_SRC)
$(BUILD)/host/unit-tests: $(HOST_TEST_SRC) $(wildcard tests/host/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(HOST_CFLAGS) $(HOST_TEST_SRC) -o $@

test-host: $(BUILD)/host/unit-tests
	@$(BUILD)/host/unit-tests

test-qemu: $(ISO)
	@$(PYTHON) tests/qemu/run.py --iso $(ISO) --smp $(SMP) --results $(BUILD)/qemu-results.txt

test: $(BUILD)/host/unit-tests $(ISO) test-images
	@$(PYTHON) tests/run-all.py --build $(BUILD) --iso $(ISO) --smp $(SMP)

DURATION ?= 600
torture: $(ISO)
	@$(PYTHON) tests/torture/run.py --iso $(ISO) --smp $(SMP) --duration $(DURATION) $(if $(BUSTED),--busted)

# Benchmarks run a release kernel (no lock validator, no poisoning), built
# in $(BUILD)/release; the test kernel is the debug one. Then Debian's Linux
# boots with the same QEMU settings and the native epoch benchmark runs, for
# the side-by-side table (docs/BENCHMARKS.md). QUICK=1: one boot per kind.
include tests/bench/bench.mk
QUICK ?= 0
bench: $(BENCH_NATIVE) $(BENCH_INITRD)
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/release SRC_DIR=$(SRC_DIR) RELEASE=1 iso \
	    bench-push-files
	@$(PYTHON) tests/qemu/bench.py --iso $(BUILD)/release/wisp.iso --smp $(SMP) \
	    $(if $(filter 1,$(QUICK)),--runs 1 --quick) --linux-initrd $(BENCH_INITRD) \
	    --native $(BENCH_NATIVE) --out-dir $(BENCH_OUT)

# Every C file the project owns (not the generated or test-data objects).
LINT_C := $(shell git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^tests/host/data/')
lint:
	@clang-format --dry-run --Werror $(LINT_C)
	@echo "  OK      clang-format ($(words $(LINT_C)) files)"
	@cppcheck --quiet --error-exitcode=1 --inline-suppr -Ikernel/include -I. \
	    --suppress=missingIncludeSystem --suppress=comparePointers \
	    $(filter %.c,$(LINT_C))
	@echo "  OK      cppcheck"

format:
	@clang-format -i $(LINT_C)

clean:
	rm -rf $(BUILD)/k $(BUILD)/host $(BUILD)/iso $(BUILD)/*.elf* $(ISO)

-include $(shell find $(BUILD)/k -name '*.d' 2>/dev/null)
