# modload/kernel.mk — the kernel-only half of modload/ (symbol table, module
# loader) and the Concurrency Kit hash set it uses. Included by the top
# Makefile before KERNEL_OBJ is defined.

KERNEL_C += modload/symtab.c modload/module.c

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
$(BUILD)/k/modload/module.o: KERNEL_CFLAGS += -I$(BEARSSL_DIR)/inc

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
KERNEL_C += modload/update_line.c modload/update.c modload/dispatch.c
KERNEL_EXTRA_OBJ += $(BUILD)/k/modload/dispatch_thunk.o
$(BUILD)/k/modload/update_line.o: KERNEL_CFLAGS += -I$(BEARSSL_DIR)/inc
$(BUILD)/k/modload/update_line.o: | $(BEARSSL_DIR)/inc/bearssl.h
