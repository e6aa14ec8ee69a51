# modload/build.mk — the module loader library, BearSSL, the signing key,
# the wisp-image host tool, the image and the fuzzers. Included by the top
# Makefile before KERNEL_OBJ and the host test rule are defined.

MODLOAD_PURE_SRC := modload/format/error.c modload/format/elf.c modload/format/reloc.c modload/format/exec.c \
                    modload/format/image.c modload/format/verify.c modload/format/config.c
MODLOAD_HOST_SRC := $(MODLOAD_PURE_SRC) modload/tools/sign.c modload/tools/builder.c

# ---------------------------------------------------------------- BearSSL
# Host: the whole library (signing, key and PEM decoding for the tool).
BEARSSL_HOST_LIB := $(BUILD)/host/bearssl/libbearssl.a
BEARSSL_ALL_SRC = $(wildcard $(BEARSSL_DIR)/src/*/*.c) $(BEARSSL_DIR)/src/settings.c
BEARSSL_HOST_CFLAGS := -O2 -fPIC -I$(BEARSSL_DIR)/inc -I$(BEARSSL_DIR)/src

$(BUILD)/host/bearssl/%.o: $(BEARSSL_DIR)/src/%.c
	@mkdir -p $(@D)
	@$(CC) $(BEARSSL_HOST_CFLAGS) -c $< -o $@

# The source list is only known once the sources are unpacked: recursive make.
$(BEARSSL_HOST_LIB): | $(BEARSSL_DIR)/inc/bearssl.h
	@echo "  AR      $@"
	@$(MAKE) --no-print-directory bearssl-host-objs
	@rm -f $@
	@ar rcs $@ $$(find $(BUILD)/host/bearssl -name '*.o' | sort)

.PHONY: bearssl-host-objs bearssl-kernel modload-kernel
bearssl-host-objs: $(patsubst $(BEARSSL_DIR)/src/%.c,$(BUILD)/host/bearssl/%.o,$(BEARSSL_ALL_SRC))

# Kernel: SHA-256 and ECDSA P-256 verification only, freestanding with the
# kernel's flags (see DEPENDENCY-NOTES). Not yet in KERNEL_EXTRA_OBJ: the
# kernel integration adds $(BEARSSL_KERNEL_LIB) and $(MODLOAD_KERNEL_OBJ).
BEARSSL_KERNEL_FILES := hash/sha2small.c codec/dec32be.c codec/enc32be.c \
    codec/ccopy.c ec/ecdsa_i31_vrfy_asn1.c ec/ecdsa_i31_vrfy_raw.c \
    ec/ecdsa_atr.c ec/ecdsa_i31_bits.c ec/ec_p256_m31.c ec/ec_secp256r1.c \
    ec/ec_secp384r1.c ec/ec_secp521r1.c \
    $(addprefix int/i31_,$(addsuffix .c,add bitlen decmod decode encode fmont \
        iszero modpow modpow2 montmul muladd ninv31 rshift sub tmont)) \
    int/i32_div32.c
BEARSSL_KERNEL_OBJ := $(BEARSSL_KERNEL_FILES:%.c=$(BUILD)/k/bearssl/%.o)
BEARSSL_KERNEL_LIB := $(BUILD)/k/bearssl/libbearssl-verify.a

$(BUILD)/k/bearssl/%.o: $(BEARSSL_DIR)/src/%.c | $(BEARSSL_DIR)/inc/bearssl.h
	@mkdir -p $(@D)
	@echo "  CC      $< (bearssl)"
	@$(CC) $(KERNEL_CFLAGS) -I$(BEARSSL_DIR)/inc -I$(BEARSSL_DIR)/src -c $< -o $@

$(BEARSSL_KERNEL_LIB): $(BEARSSL_KERNEL_OBJ)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

# The loader library with kernel flags (only modload/*.c's pure files).
MODLOAD_KERNEL_OBJ := $(MODLOAD_PURE_SRC:%.c=$(BUILD)/k/%.o)
$(MODLOAD_KERNEL_OBJ): KERNEL_CFLAGS += -I$(BEARSSL_DIR)/inc
$(BUILD)/k/modload/format/verify.o: | $(BEARSSL_DIR)/inc/bearssl.h

# Proves that BearSSL and the loader build freestanding and that, linked
# together, they need nothing from outside but the kernel's mem* and
# ksnprintf family.
bearssl-kernel modload-kernel: $(BEARSSL_KERNEL_LIB) $(MODLOAD_KERNEL_OBJ)
	@$(LD) -r -o $(BUILD)/k/modload-check.o $(MODLOAD_KERNEL_OBJ) \
	    --whole-archive $(BEARSSL_KERNEL_LIB) --no-whole-archive
	@undef=$$(nm -u $(BUILD)/k/modload-check.o | awk '{print $$2}' | \
	    grep -vxE 'memcpy|memmove|memset|memcmp|strlen|strnlen|strcmp|kvsnprintf'); \
	if [ -n "$$undef" ]; then echo "modload: unexpected kernel imports: $$undef"; exit 1; fi
	@echo "  OK      modload + BearSSL build freestanding (imports: mem*, str*, kvsnprintf)"

# ---------------------------------------------------------------- host
HOST_SHARED_SRC += $(MODLOAD_HOST_SRC) $(BEARSSL_HOST_LIB)

# Module objects the host tests load, built like real modules.
MODLOAD_TEST_DATA_SRC := $(wildcard tests/host/data/*.c)
MODLOAD_TEST_DATA := $(MODLOAD_TEST_DATA_SRC:tests/host/data/%.c=$(BUILD)/host/data/%.o)
# They use the one list of module compile flags, MODULE_CFLAGS
# (modules/build.mk; a recipe expands it when it runs).
$(BUILD)/host/data/%.o: tests/host/data/%.c
	@mkdir -p $(@D)
	@$(CC) $(MODULE_CFLAGS) $(MODULE_CFLAGS_$*) -c $< -o $@
# Plain R_X86_64_GOTPCREL needs the assembler's relaxation turned off.
MODULE_CFLAGS_reloc_got := -Wa,-mrelax-relocations=no
# Runs on the host (test_reloc.c): must live below 2 GiB there.
MODULE_CFLAGS_exec_small := -mcmodel=small

$(BUILD)/host/unit-tests: $(MODLOAD_TEST_DATA)
$(BUILD)/host/unit-tests: HOST_CFLAGS += -I$(BEARSSL_DIR)/inc \
    -DMODLOAD_TEST_DATA='"$(BUILD)/host/data"'

WISP_IMAGE := $(BUILD)/host/wisp-image
HOST_TOOLS += $(WISP_IMAGE)
$(WISP_IMAGE): modload/tools/wisp-image.c $(MODLOAD_HOST_SRC) $(wildcard modload/*/*.h) \
               kernel/lib/format.c $(BEARSSL_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Ikernel/include -I. \
	    -I$(BEARSSL_DIR)/inc modload/tools/wisp-image.c $(MODLOAD_HOST_SRC) $(MANIFEST_SRC) \
	    kernel/lib/format.c $(BEARSSL_HOST_LIB) -o $@

# ---------------------------------------------------------------- keys
# The development key pair: generated once per build folder, never
# committed. The core gets the public key as a C array (mod_signing_key).
DEV_KEY := $(BUILD)/keys/dev-key.pem
DEV_PUBKEY := $(BUILD)/keys/dev-pub.der
DEV_PUBKEY_C := $(BUILD)/keys/signing-key.c
$(DEV_KEY):
	@mkdir -p $(@D)
	@echo "  KEYGEN  $@ (development key, P-256)"
	@umask 077 && openssl ecparam -name prime256v1 -genkey -noout -out $@
$(DEV_PUBKEY): $(DEV_KEY)
	@openssl ec -in $< -pubout -outform DER -out $@ 2>/dev/null
$(DEV_PUBKEY_C): $(DEV_KEY) $(WISP_IMAGE)
	@$(WISP_IMAGE) pubkey --key $(DEV_KEY) --c mod_signing_key > $@
keys: $(DEV_KEY) $(DEV_PUBKEY) $(DEV_PUBKEY_C)
.PHONY: keys

# ---------------------------------------------------------------- image
# The bootable image: the core ELF plus signed sections. Modules are added
# by modules/build.mk as NAME=OBJECT pairs in IMAGE_MODULES (objects in
# IMAGE_MODULE_OBJ), programs as NAME=ELF pairs in IMAGE_PROGRAMS (their
# fragments add them as prerequisites); IMAGE_CONFIG is the boot
# configuration file.
IMAGE := $(BUILD)/wisp.img
IMAGE_MODULES ?=
IMAGE_MODULE_OBJ ?=
IMAGE_PROGRAMS ?=
IMAGE_CONFIG ?= $(BUILD)/boot.conf
$(BUILD)/boot.conf:
	@mkdir -p $(@D)
	@printf '# boot configuration: one "load NAME" per line\n' > $@
$(IMAGE): $(CORE) $(WISP_IMAGE) $(DEV_KEY) $(IMAGE_CONFIG) $(IMAGE_MODULE_OBJ)
	@echo "  IMAGE   $@"
	@$(WISP_IMAGE) build $@ --core $(CORE) --key $(DEV_KEY) \
	    --config $(IMAGE_CONFIG) $(addprefix --module ,$(IMAGE_MODULES)) \
	    $(addprefix --program ,$(IMAGE_PROGRAMS))
image: $(IMAGE)
.PHONY: image

# ---------------------------------------------------------------- fuzz
# libFuzzer harnesses (clang, ASan + UBSan). `make fuzz FUZZ_TIME=60` runs
# every FUZZ_TARGETS program for FUZZ_TIME seconds each; new inputs go to
# build/fuzz/corpus/NAME, seeds come from tests/fuzz/corpus/NAME.
FUZZ_TIME ?= 60
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -Ikernel/include -I. -I$(BEARSSL_DIR)/inc
FUZZ_TARGETS += $(BUILD)/fuzz/fuzz_image $(BUILD)/fuzz/fuzz_elf $(BUILD)/fuzz/fuzz_exec
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(MODLOAD_HOST_SRC) $(wildcard modload/*/*.h) \
                      kernel/lib/format.c $(BEARSSL_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(MODLOAD_HOST_SRC) kernel/lib/format.c \
	    $(BEARSSL_HOST_LIB) -o $@

# `make fuzz` itself is in the top Makefile (after every fragment).
