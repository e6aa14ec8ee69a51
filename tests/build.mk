# tests/build.mk — test-only modules and the deliberately bad image that
# tests/qemu/e2e_image.py boots: one section of each kind the kernel must
# refuse (tampered, signed by another key, unsigned, not ELF, truncated
# ELF, unresolved import, failing init, an import cycle, no manifest, a
# manifest naming another module, an import contract not satisfied) beside
# the normal modules, and two bad program sections (tampered, not ELF).
# Each tests/modules/NAME/ has a manifest.wisp.

TEST_MODULE_NAMES := $(notdir $(patsubst %/,%,$(wildcard tests/modules/*/)))
define test_module_rule
TEST_MODULE_OBJ_$(1) := $$(patsubst %.c,$$(BUILD)/modules/%.o,$$(wildcard tests/modules/$(1)/*.c))
$$(BUILD)/test-modules/$(1).mod: $$(TEST_MODULE_OBJ_$(1)) tests/modules/$(1)/manifest.wisp
	@mkdir -p $$(@D)
	@$$(call MODULE_LINK,tests/modules/$(1)/manifest.wisp)
endef
$(foreach m,$(TEST_MODULE_NAMES),$(eval $(call test_module_rule,$(m))))

# plain without its manifest.
$(BUILD)/test-modules/no_manifest.mod: $(TEST_MODULE_OBJ_plain)
	@mkdir -p $(@D)
	@$(LD) -r -o $@ $^

BAD_DIR := $(BUILD)/test-images
BAD_IMAGE := $(BAD_DIR)/bad.img
BAD_ISO := $(BAD_DIR)/bad.iso
TM := $(BUILD)/test-modules

$(BAD_DIR)/other-key.pem:
	@mkdir -p $(@D)
	@openssl ecparam -name prime256v1 -genkey -noout -out $@

$(BAD_IMAGE): $(CORE) $(WISP_IMAGE) $(DEV_KEY) $(BAD_DIR)/other-key.pem \
              $(IMAGE_MODULE_OBJ) tests/qemu/bad-image.conf \
              $(foreach m,$(TEST_MODULE_NAMES),$(TM)/$(m).mod) $(TM)/no_manifest.mod \
              tests/qemu/corrupt.py $(BUILD)/programs/exit42.elf
	@echo "  IMAGE   $@ (deliberately bad sections)"
	@head -c 4096 /dev/urandom > $(BAD_DIR)/garbage.bin
	@head -c 600 $(TM)/plain.mod > $(BAD_DIR)/truncated.bin
	@$(WISP_IMAGE) build $@ --core $(CORE) --key $(DEV_KEY) \
	    $(addprefix --module ,$(IMAGE_MODULES)) \
	    --module tampered=$(TM)/plain.mod --unsigned-module unsigned=$(TM)/plain.mod \
	    --unchecked-module badelf=$(BAD_DIR)/garbage.bin \
	    --unchecked-module truncated=$(BAD_DIR)/truncated.bin \
	    --module badimport=$(TM)/bad_import.mod --module badinit=$(TM)/bad_init.mod \
	    --module cyclea=$(TM)/cycle_a.mod --module cycleb=$(TM)/cycle_b.mod \
	    --module nomanifest=$(TM)/no_manifest.mod --module wrongname=$(TM)/plain.mod \
	    --module badcontract=$(TM)/bad_contract.mod \
	    --unchecked-program badprog=$(BAD_DIR)/garbage.bin \
	    --program tamperedprog=$(BUILD)/programs/exit42.elf \
	    --config tests/qemu/bad-image.conf >/dev/null
	@$(WISP_IMAGE) append $@ --key $(BAD_DIR)/other-key.pem wrongkey=$(TM)/plain.mod >/dev/null
	@$(PYTHON) tests/qemu/corrupt.py $@ tampered
	@$(PYTHON) tests/qemu/corrupt.py $@ tamperedprog

$(BAD_ISO): $(BAD_IMAGE) mk/grub.cfg
	@mkdir -p $(BAD_DIR)/iso/boot/grub
	@cp $(BAD_IMAGE) $(BAD_DIR)/iso/boot/wisp.img
	@cp mk/grub.cfg $(BAD_DIR)/iso/boot/grub/grub.cfg
	@grub-mkrescue -o $@ $(BAD_DIR)/iso >$(BAD_DIR)/grub-mkrescue.log 2>&1 || \
	    { cat $(BAD_DIR)/grub-mkrescue.log; exit 1; }

test-images: $(BAD_ISO)
.PHONY: test-images

# The audit catalog (tests/audit/README.md): modules wrong on purpose that
# tests/host/test_audit.py audits with wisp-audit. Built with test-images.
AUDIT_CASE_NAMES := $(notdir $(patsubst %/,%,$(wildcard tests/audit/*/)))
define audit_case_rule
AUDIT_CASE_OBJ_$(1) := $$(patsubst %.c,$$(BUILD)/modules/%.o,$$(wildcard tests/audit/$(1)/*.c))
$$(BUILD)/audit/$(1).mod: $$(AUDIT_CASE_OBJ_$(1)) tests/audit/$(1)/manifest.wisp
	@mkdir -p $$(@D)
	@$$(call MODULE_LINK,tests/audit/$(1)/manifest.wisp)
endef
$(foreach m,$(AUDIT_CASE_NAMES),$(eval $(call audit_case_rule,$(m))))
test-images: $(foreach m,$(AUDIT_CASE_NAMES),$(BUILD)/audit/$(m).mod) $(WISP_AUDIT)

# Section files that tests/qemu/e2e_update_line.py pushes over COM2: a module
# the image does not load at boot (kvstore: a push loads it; at 0.9, older
# than the image's 1.0, it is refused), counter under a version its
# manifest does not say (refused), counter signed by another key, and the
# versions of counter and qcounter below.
UPDATE_TEST_DIR := $(BUILD)/test-update
$(UPDATE_TEST_DIR)/kvstore.sec: $(BUILD)/modules/kvstore.mod $(WISP_IMAGE) $(DEV_KEY)
	@mkdir -p $(@D)
	@$(WISP_IMAGE) section $@ --key $(DEV_KEY) kvstore@1.0=$<
$(UPDATE_TEST_DIR)/kvstore_old.sec: $(BUILD)/modules/kvstore.mod $(WISP_IMAGE) $(DEV_KEY)
	@mkdir -p $(@D)
	@$(WISP_IMAGE) section $@ --key $(DEV_KEY) kvstore@0.9=$<
$(UPDATE_TEST_DIR)/counter_mismatch.sec: $(BUILD)/modules/counter.mod $(WISP_IMAGE) $(DEV_KEY)
	@mkdir -p $(@D)
	@$(WISP_IMAGE) section $@ --key $(DEV_KEY) counter@9.0=$<
$(UPDATE_TEST_DIR)/counter-other-key.sec: $(BUILD)/modules/counter.mod $(WISP_IMAGE) \
                                           $(BAD_DIR)/other-key.pem
	@mkdir -p $(@D)
	@$(WISP_IMAGE) section $@ --key $(BAD_DIR)/other-key.pem counter@2.0=$<
# Versions of counter (tests/modules/counter_*): NAME.sec is section
# "counter" at the version its manifest says.
UPDATE_COUNTER_VERSIONS := counter_v2=2.0 counter_v3=3.0 counter_bad_init=4.0 \
    counter_bad_adopt=5.0 counter_weaker=6.0 counter_bad_import=7.0 counter_layout2=8.0
define update_counter_rule
$$(UPDATE_TEST_DIR)/$(1).sec: $$(TM)/$(1).mod $$(WISP_IMAGE) $$(DEV_KEY)
	@mkdir -p $$(@D)
	@$$(WISP_IMAGE) section $$@ --key $$(DEV_KEY) counter@$(2)=$$<
endef
$(foreach v,$(UPDATE_COUNTER_VERSIONS),$(eval $(call update_counter_rule,$(word 1,$(subst =, ,$(v))),$(word 2,$(subst =, ,$(v))))))
# qcounter (not in the image): v1 is loaded by a push, v2 and v3 swap it
# quiescently.
$(UPDATE_TEST_DIR)/qcounter_v%.sec: $(TM)/qcounter_v%.mod $(WISP_IMAGE) $(DEV_KEY)
	@mkdir -p $(@D)
	@$(WISP_IMAGE) section $@ --key $(DEV_KEY) qcounter@$*.0=$<
# qcounter 2.0 signed as a rollback (from 3.0: the same state layout).
$(UPDATE_TEST_DIR)/qcounter_v2_rollback.sec: $(TM)/qcounter_v2.mod $(WISP_IMAGE) $(DEV_KEY)
	@mkdir -p $(@D)
	@$(WISP_IMAGE) section $@ --key $(DEV_KEY) --rollback qcounter@2.0=$<
# counter 1.0 again (the image's): refused once newer ones ran, unless
# signed as a rollback.
$(UPDATE_TEST_DIR)/counter_v1.sec: $(BUILD)/modules/counter.mod $(WISP_IMAGE) $(DEV_KEY)
	@mkdir -p $(@D)
	@$(WISP_IMAGE) section $@ --key $(DEV_KEY) counter@1.0=$<
$(UPDATE_TEST_DIR)/counter_v1_rollback.sec: $(BUILD)/modules/counter.mod $(WISP_IMAGE) $(DEV_KEY)
	@mkdir -p $(@D)
	@$(WISP_IMAGE) section $@ --key $(DEV_KEY) --rollback counter@1.0=$<
test-images: $(addprefix $(UPDATE_TEST_DIR)/,kvstore.sec kvstore_old.sec counter_mismatch.sec \
             counter-other-key.sec counter_v1.sec counter_v1_rollback.sec qcounter_v1.sec \
             qcounter_v2.sec qcounter_v3.sec qcounter_v2_rollback.sec \
             $(addsuffix .sec,$(foreach v,$(UPDATE_COUNTER_VERSIONS),$(word 1,$(subst =, ,$(v)))))) \
             $(BUILD)/host/wisp-push

# Test programs (tests/programs/NAME.c, one program each), built with the
# SDK (sdk/sdk.mk) and signed into the image as program sections: the
# in-kernel tests of tests/kernel/test_process.c spawn them by name, the
# host tests of modload/format/exec.c load them. ghost_stub.c is not a program: it
# is a stand-in libghost.so with names that are no ghost functions, for the
# programs that exec must refuse (TEST_UNBOUND_PROGRAMS).
TEST_PROGRAM_NAMES := $(filter-out ghost_stub,$(basename $(notdir $(wildcard tests/programs/*.c))))
TEST_PROGRAM_ELF := $(TEST_PROGRAM_NAMES:%=$(BUILD)/programs/%.elf)
TEST_UNBOUND_PROGRAMS := not_user_callable not_user_callable_module no_such_ghost
TEST_GHOST_STUB := $(BUILD)/programs/stub/libghost.so
$(TEST_GHOST_STUB): tests/programs/ghost_stub.c
	@mkdir -p $(@D)
	@$(CC) -shared -fPIC -nostdlib -O2 -Wl,-soname,libghost.so $< -o $@
$(BUILD)/programs/%.elf: $(BUILD)/user/tests/programs/%.o $(SDK_CRT0) $(SDK_LIBGHOST)
	@mkdir -p $(@D)
	@echo "  LD      $@ (program)"
	@$(SDK_LINK)
$(TEST_UNBOUND_PROGRAMS:%=$(BUILD)/programs/%.elf): $(TEST_GHOST_STUB)
$(TEST_UNBOUND_PROGRAMS:%=$(BUILD)/programs/%.elf): SDK_GHOST_DIR = $(dir $(TEST_GHOST_STUB))
$(BUILD)/user/tests/programs/%.o: SDK_CFLAGS += -Ikernel/include -I.

IMAGE_PROGRAMS += $(foreach p,$(TEST_PROGRAM_NAMES),$(p)=$(BUILD)/programs/$(p).elf)
$(IMAGE): $(TEST_PROGRAM_ELF)
$(BUILD)/host/unit-tests: $(TEST_PROGRAM_ELF)
$(BUILD)/host/unit-tests: HOST_CFLAGS += -DEXEC_TEST_PROGRAMS='"$(BUILD)/programs"'

# The test modules of tests/kernel/test_devices.c inside the kernel.
DEVICE_BLOB_NAMES := claimer claimer_bad_init com1_again edu_v2 compute_extra compute_v2 \
    compute_v2i compute_extra_v2
DEVICE_BLOBS_OBJ := $(BUILD)/k/tests/kernel/device_blobs.o
KERNEL_EXTRA_OBJ += $(DEVICE_BLOBS_OBJ)
$(DEVICE_BLOBS_OBJ): tests/kernel/device_blobs.asm $(DEVICE_BLOB_NAMES:%=$(TM)/%.mod)
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -w+all -DTM='"$(TM)"' $< -o $@

# counter 2.0 inside the kernel, for test_ghost.c's live swap under
# running programs.
COUNTER_V2_BLOB_OBJ := $(BUILD)/k/tests/kernel/counter_v2_blob.o
KERNEL_EXTRA_OBJ += $(COUNTER_V2_BLOB_OBJ)
$(COUNTER_V2_BLOB_OBJ): tests/kernel/counter_v2_blob.asm $(TM)/counter_v2.mod
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -w+all -DCOUNTER_V2='"$(TM)/counter_v2.mod"' $< -o $@

# The in-guest fuzzer (tests/programs/fuzz.c, driven by tests/qemu/e2e_fuzz.py):
# `make fuzz-guest FUZZ_TIME=600` runs it for FUZZ_TIME seconds from a seed
# the fuzzer picks (FUZZ_SEED=N replays one), after the regression seeds of
# tests/fuzz/guest-seeds.txt; `make fuzz` runs it before the host fuzzers.
FUZZ_SEED ?= 0
.PHONY: fuzz-guest
fuzz-guest: iso
	@python3 tests/qemu/e2e_fuzz.py --time $(FUZZ_TIME) --seed $(FUZZ_SEED)
fuzz: fuzz-guest
