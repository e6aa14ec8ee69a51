# sdk/sdk.mk — building Wisp programs with stock gcc and ld (sdk/README.md).
#
# A program is C compiled with $(SDK_CFLAGS) and linked with
# $(SDK_LDFLAGS) after the start-up code $(SDK_CRT0): an ELF64 position-
# independent executable with no dynamic linker, every relocation applied
# at exec (-z now), its GOT read-only after that (-z relro), code, read-only
# data and data in pages of their own (-z separate-code), no executable
# stack. Included by the top Makefile (*/*.mk).

SDK_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fPIE -nostdlib \
    -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -Isdk/include
SDK_LDFLAGS := -pie --no-dynamic-linker -z now -z relro -z noexecstack -z separate-code \
    -z max-page-size=4096 -nostdlib
SDK_CRT0 := $(BUILD)/sdk/crt0.o

$(SDK_CRT0): sdk/crt0.asm
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -w+all $< -o $@

# User code: objects under $(BUILD)/user/ (never linked into the kernel).
$(BUILD)/user/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $< (user)"
	@$(CC) $(SDK_CFLAGS) -MMD -MP -c $< -o $@

# $(call SDK_LINK): links $@ from crt0 and the objects among the prerequisites.
SDK_LINK = $(LD) $(SDK_LDFLAGS) -o $@ $(SDK_CRT0) $(filter-out $(SDK_CRT0),$(filter %.o,$^))

-include $(shell find $(BUILD)/user -name '*.d' 2>/dev/null)
.PRECIOUS: $(BUILD)/user/%.o
