# sdk/sdk.mk — building Wisp programs with stock gcc and ld (sdk/README.md).
#
# A program is C compiled with $(SDK_CFLAGS) (which finds <ghost.h>) and
# linked with $(SDK_LDFLAGS) after the start-up code $(SDK_CRT0) against
# libghost.so: an ELF64 position-independent executable with no dynamic
# linker, every relocation applied at exec (-z now), its GOT read-only after
# that (-z relro), code, read-only data and data in pages of their own
# (-z separate-code), no executable stack. ghost.h and libghost.so are made
# by wisp-ghost from the manifests that declare ghost functions: the core's
# (kernel/proc/ghost.wisp) and every module's. Included by the top Makefile
# (*/*.mk).

SDK_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fPIE -nostdlib \
    -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -I$(BUILD)/sdk/include
SDK_LDFLAGS := -pie --no-dynamic-linker -z now -z relro -z noexecstack -z separate-code \
    -z max-page-size=4096 -nostdlib
SDK_CRT0 := $(BUILD)/sdk/crt0.o

$(SDK_CRT0): sdk/crt0.asm
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -w+all $< -o $@

# ghost.h and libghost.so, from the manifests.
SDK_GHOST_MANIFESTS := kernel/proc/ghost.wisp $(sort $(wildcard modules/*/manifest.wisp))
SDK_GHOST_H := $(BUILD)/sdk/include/ghost.h
SDK_LIBGHOST := $(BUILD)/sdk/lib/libghost.so
WISP_GHOST := $(BUILD)/host/wisp-ghost
HOST_TOOLS += $(WISP_GHOST) $(SDK_GHOST_H) $(SDK_LIBGHOST)
$(WISP_GHOST): sdk/wisp-ghost.c $(MANIFEST_SRC) $(MANIFEST_HDR)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel/include -I. sdk/wisp-ghost.c \
	    $(MANIFEST_SRC) -o $@
$(SDK_GHOST_H): $(WISP_GHOST) $(SDK_GHOST_MANIFESTS)
	@mkdir -p $(@D)
	@echo "  GHOST   $@"
	@$(WISP_GHOST) header $@ $(SDK_GHOST_MANIFESTS)
$(SDK_LIBGHOST): $(WISP_GHOST) $(SDK_GHOST_MANIFESTS)
	@mkdir -p $(@D)
	@echo "  GHOST   $@"
	@$(WISP_GHOST) stubs $(BUILD)/sdk/libghost.asm $(SDK_GHOST_MANIFESTS)
	@$(NASM) -f elf64 -w+all $(BUILD)/sdk/libghost.asm -o $(BUILD)/sdk/libghost.o
	@$(LD) -shared -soname libghost.so -z noexecstack -o $@ $(BUILD)/sdk/libghost.o

# <wisp/syscall.h>: error codes and the records of the listing calls.
SDK_SYSCALL_H := $(BUILD)/sdk/include/wisp/syscall.h
HOST_TOOLS += $(SDK_SYSCALL_H)
$(SDK_SYSCALL_H): kernel/include/wisp/syscall.h
	@mkdir -p $(@D)
	@cp $< $@

# <wisp/mutex.h>: the user mutex (futex_wait / futex_wake when contended).
SDK_MUTEX_H := $(BUILD)/sdk/include/wisp/mutex.h
HOST_TOOLS += $(SDK_MUTEX_H)
$(SDK_MUTEX_H): sdk/mutex.h
	@mkdir -p $(@D)
	@cp $< $@

# User code: objects under $(BUILD)/user/ (never linked into the kernel).
$(BUILD)/user/%.o: %.c | $(DEPS_STAMP) $(SDK_GHOST_H) $(SDK_SYSCALL_H) $(SDK_MUTEX_H)
	@mkdir -p $(@D)
	@echo "  CC      $< (user)"
	@$(CC) $(SDK_CFLAGS) -MMD -MP -c $< -o $@

# $(SDK_LINK): links $@ from crt0 and the objects among its prerequisites,
# against libghost.so (SDK_GHOST_DIR: where it is; tests link some
# programs against a stand-in).
SDK_GHOST_DIR = $(dir $(SDK_LIBGHOST))
SDK_LINK = $(LD) $(SDK_LDFLAGS) -o $@ $(SDK_CRT0) $(filter-out $(SDK_CRT0),$(filter %.o,$^)) \
    -L$(SDK_GHOST_DIR) -lghost

-include $(shell find $(BUILD)/user -name '*.d' 2>/dev/null)
.PRECIOUS: $(BUILD)/user/%.o

# The examples (sdk/examples/NAME.c): programs of the image, section NAME.
SDK_EXAMPLE_NAMES := $(basename $(notdir $(wildcard sdk/examples/*.c)))
$(BUILD)/sdk/examples/%.elf: $(BUILD)/user/sdk/examples/%.o $(SDK_CRT0) $(SDK_LIBGHOST)
	@mkdir -p $(@D)
	@echo "  LD      $@ (program)"
	@$(SDK_LINK)
IMAGE_PROGRAMS += $(foreach p,$(SDK_EXAMPLE_NAMES),$(p)=$(BUILD)/sdk/examples/$(p).elf)
$(IMAGE): $(SDK_EXAMPLE_NAMES:%=$(BUILD)/sdk/examples/%.elf)
