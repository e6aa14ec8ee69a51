# user/build.mk — user-space programs' pure parts that are tested on the
# host: the shell's line editor (user/shell/lineedit.c) goes into the host
# unit tests and has its own fuzzer. Included by the top Makefile.

LINEEDIT_SRC := user/shell/lineedit.c
HOST_SHARED_SRC += $(LINEEDIT_SRC)

# ---------------------------------------------------------------- fuzz
FUZZ_TARGETS += $(BUILD)/fuzz/fuzz_lineedit
$(BUILD)/fuzz/fuzz_lineedit: tests/fuzz/fuzz_lineedit.c $(LINEEDIT_SRC) user/shell/lineedit.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(LINEEDIT_SRC) -o $@

# ---------------------------------------------------------------- programs
# The shell (user/shell/) and the tools (user/tools/NAME.c, one program
# each), built with the SDK like any program and carried in the image as
# program sections of those names. Each links user/lib/ulib.c.
USER_LIB_OBJ := $(BUILD)/user/user/lib/ulib.o
USER_TOOL_NAMES := $(basename $(notdir $(wildcard user/tools/*.c)))
USER_PROGRAM_ELF := $(BUILD)/user/bin/shell.elf $(USER_TOOL_NAMES:%=$(BUILD)/user/bin/%.elf)

$(BUILD)/user/bin/shell.elf: $(BUILD)/user/user/shell/shell.o $(BUILD)/user/user/shell/lineedit.o \
    $(USER_LIB_OBJ) $(SDK_CRT0) $(SDK_LIBGHOST)
	@mkdir -p $(@D)
	@echo "  LD      $@ (program)"
	@$(SDK_LINK)
$(BUILD)/user/bin/%.elf: $(BUILD)/user/user/tools/%.o $(USER_LIB_OBJ) $(SDK_CRT0) $(SDK_LIBGHOST)
	@mkdir -p $(@D)
	@echo "  LD      $@ (program)"
	@$(SDK_LINK)

$(BUILD)/user/user/%.o: SDK_CFLAGS += -I.
IMAGE_PROGRAMS += shell=$(BUILD)/user/bin/shell.elf
IMAGE_PROGRAMS += $(foreach p,$(USER_TOOL_NAMES),$(p)=$(BUILD)/user/bin/$(p).elf)
$(IMAGE): $(USER_PROGRAM_ELF)
