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
