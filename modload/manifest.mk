# modload/manifest.mk — manifests and contract rules: the parser, the
# canonical printer and the compatibility checks (pure C, kernel + host),
# their kernel build check and their fuzzer. Included by the top Makefile
# after modload/build.mk.

MANIFEST_SRC := modload/contract/manifest.c modload/contract/manifest_block.c modload/contract/manifest_print.c \
                modload/contract/manifest_claims.c modload/contract/manifest_interfaces.c \
                modload/contract/contract.c modload/contract/text.c
MANIFEST_HDR := modload/contract/manifest.h modload/contract/manifest_parser.h modload/contract/contract.h \
                modload/contract/text.h modload/contract/manifest_devices.h

# wisp-image reads a module's version from its manifest (modload/build.mk
# links these into it; the list is only known here).
$(WISP_IMAGE): $(MANIFEST_SRC)

# Host: the unit-test runner (tests/host/test_manifest.c) and host tools.
HOST_SHARED_SRC += $(MANIFEST_SRC)
$(BUILD)/host/unit-tests: $(MANIFEST_HDR) $(wildcard tests/host/data/manifests/*)
$(BUILD)/host/unit-tests: HOST_CFLAGS += \
    -DMANIFEST_TEST_DATA='"$(CURDIR)/tests/host/data/manifests"'

# Kernel: compiled with $(KERNEL_CFLAGS) by the top Makefile's $(BUILD)/k
# rule and linked into the core, so that the kernel build proves the code
# is freestanding.
MANIFEST_KERNEL_OBJ := $(MANIFEST_SRC:%.c=$(BUILD)/k/%.o)
KERNEL_EXTRA_OBJ += $(MANIFEST_KERNEL_OBJ)
$(MANIFEST_KERNEL_OBJ): $(MANIFEST_HDR)

# `make manifest-kernel`: the objects, linked together, import nothing but
# the kernel's mem* and str* functions.
.PHONY: manifest-kernel
manifest-kernel: $(MANIFEST_KERNEL_OBJ)
	@$(LD) -r -o $(BUILD)/k/manifest-check.o $(MANIFEST_KERNEL_OBJ)
	@undef=$$(nm -u $(BUILD)/k/manifest-check.o | awk '{print $$2}' | \
	    grep -vxE 'memcpy|memmove|memset|memcmp|strlen|strcmp'); \
	if [ -n "$$undef" ]; then echo "manifest: unexpected kernel imports: $$undef"; exit 1; fi
	@echo "  OK      manifest + contract build freestanding (imports: mem*, str*)"

# Fuzzer: parse, print, re-parse and compare; contract checks on the result.
FUZZ_MANIFEST := $(BUILD)/fuzz/fuzz_manifest
FUZZ_TARGETS += $(FUZZ_MANIFEST)
$(FUZZ_MANIFEST): tests/fuzz/fuzz_manifest.c $(MANIFEST_SRC) $(MANIFEST_HDR)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(MANIFEST_SRC) -o $@

# ---------------------------------------------------------------- audit
# modload/contract/audit.c and audit_devices.c (pure: the kernel console's
# `audit` shares them) and the host tool wisp-audit (modload/tools/wisp-audit.c).
# `make audit` audits the image (with the core manifest the image's core carries).
HOST_SHARED_SRC += modload/contract/audit.c modload/contract/audit_devices.c
KERNEL_C += modload/contract/audit.c modload/contract/audit_devices.c
WISP_AUDIT := $(BUILD)/host/wisp-audit
HOST_TOOLS += $(WISP_AUDIT)
WISP_AUDIT_SRC := modload/tools/wisp-audit.c modload/contract/audit.c \
                  modload/contract/audit_devices.c modload/format/error.c modload/format/elf.c \
                  modload/format/image.c $(MANIFEST_SRC) kernel/lib/format.c
$(WISP_AUDIT): $(WISP_AUDIT_SRC) $(wildcard modload/*/*.h)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel/include -I. $(WISP_AUDIT_SRC) -o $@

.PHONY: audit
audit: $(WISP_AUDIT) $(IMAGE)
	@$(WISP_AUDIT) $(IMAGE)
