/* fuzz_manifest.c — libFuzzer harness for the manifest parser, printer and
 * contract rules: parse arbitrary bytes; when they parse, the canonical
 * print must parse again and print identically (the round trip), and every
 * rule of contract.c runs on the result against itself. Any mismatch
 * aborts. Seeds: tests/fuzz/corpus/manifest (the example manifests and
 * small variations).
 */
#include "modload/contract/contract.h"
#include "modload/contract/manifest.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct mod_manifest first, second;
static struct mod_lock_order order;
static char text_first[MOD_MANIFEST_MAX_SIZE], text_second[MOD_MANIFEST_MAX_SIZE];

static void check_message(const char *message, size_t size)
{
    if (memchr(message, '\0', size) == NULL)
        abort();
}

static void exercise_rules(const struct mod_manifest *m, const struct mod_manifest *copy)
{
    struct mod_contract_result result;
    const struct mod_manifest *set[2] = { m, copy };
    mod_contract_check_update(m, copy, &result);
    check_message(result.message, sizeof(result.message));
    mod_contract_swap_policy(m);
    mod_contract_check_set(set, 2, &order, NULL, NULL);
    mod_lock_order_init(&order);
    mod_lock_order_add(&order, m, &result);
    mod_lock_order_check(&order, &result);
    check_message(result.message, sizeof(result.message));
    for (uint32_t i = 0; i < m->import_count; i++)
        for (uint32_t e = 0; e < m->export_count; e++)
            mod_contract_check_import(m, &m->imports[i], copy, &copy->exports[e], &order, &result);
    for (uint32_t a = 0; a < m->lock_name_count; a++)
        for (uint32_t b = 0; b < m->lock_name_count; b++)
            mod_lock_order_before(&order, m->lock_names[a], m->lock_names[b]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mod_manifest_error error;
    if (mod_manifest_parse(&first, data, size, "fuzz", &error) != MOD_MANIFEST_OK) {
        check_message(error.message, sizeof(error.message));
        if (error.code == MOD_MANIFEST_OK || error.message[0] == '\0')
            abort();
        return 0;
    }
    size_t length = mod_manifest_print(&first, text_first, sizeof(text_first));
    if (length >= sizeof(text_first))
        abort();
    if (mod_manifest_parse(&second, text_first, length, "canonical", &error) != MOD_MANIFEST_OK)
        abort();
    size_t again = mod_manifest_print(&second, text_second, sizeof(text_second));
    if (again != length || memcmp(text_first, text_second, length) != 0)
        abort();
    exercise_rules(&first, &second);
    return 0;
}
