# modules/build.mk — every folder modules/NAME/ is one module: its .c files
# are compiled with the module flags and linked (ld -r) into one ELF
# relocatable object, signed into the image as section NAME. Its
# manifest.wisp is added to the object as the non-loaded section
# .wisp.manifest (so the section's signature covers it).

MODULE_NAMES := $(notdir $(patsubst %/,%,$(wildcard modules/*/)))
MODULE_VERSION_DEFAULT := 1.0
# The one list of module compile flags: the kernel's (a module runs in
# ring 0 beside the core: -mcmodel=kernel, no red zone, no SSE) plus one
# section per function and per object, which the audit reads (the call
# graph, lock classes). Also used for the host tests' module objects
# (modload/build.mk) and the test modules (tests/build.mk).
MODULE_CFLAGS := $(filter-out -ffunction-sections,$(KERNEL_CFLAGS)) \
    -ffunction-sections -fdata-sections

$(BUILD)/modules/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $< (module)"
	@$(CC) $(MODULE_CFLAGS) -MMD -MP -c $< -o $@

# Links objects into $@ (ld -r) and adds the manifest $(1) as a section
# without SHF_ALLOC: the loader reads it from the object, never maps it.
MODULE_LINK = $(LD) -r -o $@ $(filter %.o,$^) && \
    objcopy --add-section .wisp.manifest=$(1) \
        --set-section-flags .wisp.manifest=contents,readonly $@

# One object per module: NAME.mod = ld -r of its sources + its manifest.
define module_rule
MODULE_SRC_$(1) := $$(wildcard modules/$(1)/*.c)
MODULE_OBJ_$(1) := $$(MODULE_SRC_$(1):%.c=$$(BUILD)/modules/%.o)
$$(BUILD)/modules/$(1).mod: $$(MODULE_OBJ_$(1)) modules/$(1)/manifest.wisp
	@echo "  LD      $$@"
	@$$(call MODULE_LINK,modules/$(1)/manifest.wisp)
IMAGE_MODULES += $(1)=$$(BUILD)/modules/$(1).mod
IMAGE_MODULE_OBJ += $$(BUILD)/modules/$(1).mod
endef
$(foreach m,$(MODULE_NAMES),$(eval $(call module_rule,$(m))))

IMAGE_CONFIG := modules/boot.conf
-include $(shell find $(BUILD)/modules -name '*.d' 2>/dev/null)

# modload/build.mk's image rule was read before the module list existed.
$(IMAGE): $(IMAGE_MODULE_OBJ) $(IMAGE_CONFIG)
