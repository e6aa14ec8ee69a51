/* fuzz_exec.c — libFuzzer harness for the executable loader: parse, copy
 * and relocate arbitrary bytes at a user-half base, with a resolver that
 * knows some names and refuses others. Seeds: tests/fuzz/corpus/exec (SDK-
 * built test programs of tests/programs). */
#include "modload/format/exec.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int resolve(void *context, const char *name, uint64_t *address, const char **why)
{
    (void)context;
    size_t n = strlen(name);
    if (n == 0 || name[0] == 'm') {
        *why = "refused by the fuzzer";
        return -1;
    }
    *address = 0x7fff00000000ull + n * 64;
    return 0;
}

static uint8_t *page(void *context, uint64_t index)
{
    return (uint8_t *)context + index * MOD_EXEC_PAGE_SIZE;
}

/* Images above this size are not allocated (the parse itself is tested). */
#define FUZZ_MAX_IMAGE (4u << 20)

static int count_import(void *context, const char *name)
{
    *(size_t *)context += strlen(name);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mod_exec exec;
    struct mod_error err;
    if (mod_exec_parse(&exec, "fuzz", data, size, &err) != MOD_OK)
        return 0;
    size_t names = 0;
    mod_exec_for_each_import(&exec, count_import, &names);
    if (exec.image_size > FUZZ_MAX_IMAGE)
        return 0;
    uint8_t *image = malloc(exec.image_size);
    struct mod_exec_target target = { page, resolve, image, 0x400000 };
    target.context = image;
    mod_exec_copy(&exec, &target);
    mod_exec_relocate(&exec, &target, &err);
    free(image);
    return 0;
}
