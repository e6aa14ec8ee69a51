# updater/build.mk — the update transport library (kernel and host), the
# host tools wisp-push and wisp-recv-sim, and the protocol fuzzer. Included
# by the top Makefile after modload/build.mk (BearSSL's SHA-256 comes from
# there: BEARSSL_HOST_LIB on the host, BEARSSL_KERNEL_LIB in the kernel).

UPDATER_SRC := updater/protocol.c updater/receiver.c updater/sender.c
UPDATER_HDR := updater/protocol.h

# ---------------------------------------------------------------- kernel
# Compiled freestanding with the kernel's flags and linked into the kernel;
# the kernel's update glue calls the receiver.
UPDATER_KERNEL_OBJ := $(UPDATER_SRC:%.c=$(BUILD)/k/%.o)
KERNEL_EXTRA_OBJ += $(UPDATER_KERNEL_OBJ)
$(UPDATER_KERNEL_OBJ): KERNEL_CFLAGS += -I$(BEARSSL_DIR)/inc
$(UPDATER_KERNEL_OBJ): | $(BEARSSL_DIR)/inc/bearssl.h

# ---------------------------------------------------------------- host
HOST_SHARED_SRC += $(UPDATER_SRC)

UPDATER_HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel/include -I. \
    -I$(BEARSSL_DIR)/inc
WISP_PUSH := $(BUILD)/host/wisp-push
WISP_RECV_SIM := $(BUILD)/host/wisp-recv-sim
HOST_TOOLS += $(WISP_PUSH) $(WISP_RECV_SIM)

$(WISP_PUSH) $(WISP_RECV_SIM): $(BUILD)/host/wisp-%: updater/wisp-%.c $(UPDATER_SRC) $(UPDATER_HDR) kernel/lib/format.c \
                      $(BEARSSL_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(UPDATER_HOST_CFLAGS) $< $(UPDATER_SRC) kernel/lib/format.c \
	    $(BEARSSL_HOST_LIB) -o $@

# tests/host/test_push.py drives both tools over a unix socket.
test: $(WISP_PUSH) $(WISP_RECV_SIM)
test-host: $(WISP_PUSH) $(WISP_RECV_SIM)

# ---------------------------------------------------------------- fuzz
FUZZ_TARGETS += $(BUILD)/fuzz/fuzz_protocol
$(BUILD)/fuzz/fuzz_protocol: tests/fuzz/fuzz_protocol.c $(UPDATER_SRC) $(UPDATER_HDR) \
                             kernel/lib/format.c $(BEARSSL_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(UPDATER_SRC) kernel/lib/format.c \
	    $(BEARSSL_HOST_LIB) -o $@

# ---------------------------------------------------------------- push
# make push MOD=name [ROLLBACK=1] [PUSH_VERSION=MAJOR.MINOR]: rebuilds the
# module, writes its signed section file and sends it over the update line
# of the VM that `make run` started (UPDATE_SOCKET, the top Makefile). The
# version is the one the module's manifest says (the kernel refuses a
# section whose version is not its manifest's, and a version that is not
# newer than the running one: bump `version` in manifest.wisp). ROLLBACK=1
# signs the rollback flag into the section, so that an older version may
# replace a newer one (MODULES.md, "Forward only"). wisp-push shows the
# progress and throughput, prints the kernel's verdict and exits 0 only
# when the new version is live.
PUSH_VERSION ?= $(shell sed -n 's/^version[[:space:]]*\([0-9.]*\).*/\1/p' \
                    modules/$(MOD)/manifest.wisp 2>/dev/null | head -n 1)
push: $(WISP_PUSH) $(WISP_IMAGE) $(DEV_KEY)
	@test -n "$(MOD)" || { echo "usage: make push MOD=name [ROLLBACK=1] [PUSH_VERSION=MAJOR.MINOR]"; exit 2; }
	@test -d modules/$(MOD) || { echo "make push: no module folder modules/$(MOD)"; exit 2; }
	@test -n "$(PUSH_VERSION)" || { echo "make push: modules/$(MOD)/manifest.wisp names no version"; exit 2; }
	@test -S $(UPDATE_SOCKET) || { echo "make push: no VM listening on $(UPDATE_SOCKET) (start one with make run)"; exit 3; }
	@$(MAKE) --no-print-directory $(BUILD)/modules/$(MOD).mod
	@mkdir -p $(BUILD)/push
	@$(WISP_IMAGE) section $(BUILD)/push/$(MOD).sec --key $(DEV_KEY) \
	    $(if $(filter 1,$(ROLLBACK)),--rollback) $(MOD)@$(PUSH_VERSION)=$(BUILD)/modules/$(MOD).mod
	@$(WISP_PUSH) $(UPDATE_SOCKET) $(BUILD)/push/$(MOD).sec --name $(MOD)
