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
