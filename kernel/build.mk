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
