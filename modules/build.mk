# modules/build.mk — every folder modules/NAME/ is one module: its .c files
# are compiled with the module flags and linked (ld -r) into one ELF
# relocatable object, signed into the image as section NAME.

MODULE_NAMES := $(notdir $(patsubst %/,%,$(wildcard modules/*/)))
MODULE_VERSION_DEFAULT := 1.0
MODULE_KERNEL_CFLAGS := $(filter-out -ffunction-sections,$(KERNEL_CFLAGS)) \
    -ffunction-sections -fdata-sections

$(BUILD)/modules/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $< (module)"
	@$(CC) $(MODULE_KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# One object per module: NAME.ko.o = ld -r of its sources.
define module_rule
MODULE_SRC_$(1) := $$(wildcard modules/$(1)/*.c)
MODULE_OBJ_$(1) := $$(MODULE_SRC_$(1):%.c=$$(BUILD)/modules/%.o)
$$(BUILD)/modules/$(1).mod: $$(MODULE_OBJ_$(1))
	@echo "  LD      $$@"
	@$$(LD) -r -o $$@ $$^
IMAGE_MODULES += $(1)=$$(BUILD)/modules/$(1).mod
IMAGE_MODULE_OBJ += $$(BUILD)/modules/$(1).mod
endef
$(foreach m,$(MODULE_NAMES),$(eval $(call module_rule,$(m))))

IMAGE_CONFIG := modules/boot.conf
-include $(shell find $(BUILD)/modules -name '*.d' 2>/dev/null)

# modload/build.mk's image rule was read before the module list existed.
$(IMAGE): $(IMAGE_MODULE_OBJ) $(IMAGE_CONFIG)
