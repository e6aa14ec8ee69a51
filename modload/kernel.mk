# modload/kernel.mk — the kernel-only half of modload/ (symbol table, module
# loader) and the Concurrency Kit hash set it uses. Included by the top
# Makefile before KERNEL_OBJ is defined.

# The loader proper: one concern per file (modload/README.md).
KERNEL_C += modload/symtab.c modload/module.c modload/area.c modload/boot_image.c \
            modload/link.c modload/identity.c modload/retire.c modload/history.c

$(BUILD)/k/ck/ck_hs.o: $(CK_DIR)/src/ck_hs.c
	@mkdir -p $(@D)
	@echo "  CC      $< (ck)"
	@$(CC) $(KERNEL_CFLAGS) -Wno-sign-compare -Wno-unused-parameter -c $< -o $@
KERNEL_EXTRA_OBJ += $(BUILD)/k/ck/ck_hs.o

# The pure loader library and BearSSL's verifier (modload/build.mk builds
# both with the kernel's flags), and the public key the core trusts.
KERNEL_EXTRA_OBJ += $(MODLOAD_KERNEL_OBJ) $(BEARSSL_KERNEL_LIB) $(BUILD)/k/keys/signing-key.o
$(BUILD)/k/keys/signing-key.o: $(DEV_PUBKEY_C)
	@mkdir -p $(@D)
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# The core's manifest (kernel/core.wisp), embedded as bytes: module imports
# of core functions are checked against it at load.
KERNEL_EXTRA_OBJ += $(BUILD)/k/modload/core_manifest.o
KERNEL_C += modload/module_manifest.c
$(BUILD)/k/modload/core_manifest.o: kernel/core.wisp
$(BUILD)/k/modload/core_manifest.o: NASM_DEFS := -DCORE_MANIFEST='"kernel/core.wisp"'

# Export guards (debug builds): run-time contract checks on every call into
# a module's exports (modload/module_guard.h).
KERNEL_C += modload/module_guard.c
KERNEL_EXTRA_OBJ += $(BUILD)/k/modload/guard_thunk.o

# The live-update line (COM2 and the updater thread), what a push does, and
# the dispatch thunks that keep each call chain on one version.
KERNEL_C += modload/update/update_line.c modload/update/update.c modload/dispatch.c
KERNEL_EXTRA_OBJ += $(BUILD)/k/modload/dispatch_thunk.o
$(BUILD)/k/modload/update/update_line.o: KERNEL_CFLAGS += -I$(BEARSSL_DIR)/inc
$(BUILD)/k/modload/update/update_line.o: | $(BEARSSL_DIR)/inc/bearssl.h

# The layering rule (modload/README.md, "Who may include whom"), checked
# before the kernel links, as the freestanding checks keep the pure code
# honest: format/ and contract/ never include the loader, the loader never
# includes update/, kernel/ never includes update/.
LAYER_SRC := $(shell find modload kernel -name '*.[ch]' 2>/dev/null)
$(BUILD)/wisp.elf: $(BUILD)/k/layers.ok
$(BUILD)/k/layers.ok: mk/check-layers.sh $(LAYER_SRC)
	@mkdir -p $(@D)
	@bash mk/check-layers.sh
	@touch $@
