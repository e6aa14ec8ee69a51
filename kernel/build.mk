# kernel/build.mk — kernel pieces that are not plain C or arch assembly:
# the ghost pages' user-mode code (a flat binary) and the core's ghost
# manifest, embedded by kernel/proc/ghost_blobs.asm. Included by the top
# Makefile (*/*.mk) before KERNEL_OBJ is defined.

GHOST_CODE_BIN := $(BUILD)/k/kernel/proc/ghost_code.bin
$(GHOST_CODE_BIN): kernel/proc/ghost_code.asm kernel/proc/ghost_layout.inc
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f bin -w+all $< -o $@

GHOST_BLOBS_OBJ := $(BUILD)/k/kernel/proc/ghost_blobs.o
KERNEL_EXTRA_OBJ += $(GHOST_BLOBS_OBJ)
$(GHOST_BLOBS_OBJ): kernel/proc/ghost_blobs.asm $(GHOST_CODE_BIN) kernel/proc/ghost.wisp
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -w+all -DGHOST_CODE_BIN='"$(GHOST_CODE_BIN)"' \
	    -DGHOST_MANIFEST='"kernel/proc/ghost.wisp"' $< -o $@

# gate.asm includes kernel/proc/ghost_layout.inc.
$(BUILD)/k/kernel/arch/x86_64/gate.o: kernel/proc/ghost_layout.inc

# kcov (kernel/proc/kcov.c): debug builds instrument the code behind the
# gate — the process code, memory, the module loader — so that a fuzzer in
# user mode can see which kernel code its calls reached. kcov.c itself is
# the hook and stays uninstrumented.
KCOV_C := $(filter-out kernel/proc/kcov.c,$(wildcard kernel/proc/*.c)) $(wildcard kernel/mm/*.c) \
          modload/symtab.c modload/module.c modload/boot_image.c modload/link.c \
          modload/identity.c modload/module_manifest.c
ifneq ($(RELEASE),1)
$(KCOV_C:%.c=$(BUILD)/k/%.o): KERNEL_CFLAGS += -fsanitize-coverage=trace-pc
endif
