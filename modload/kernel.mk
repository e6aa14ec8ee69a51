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
