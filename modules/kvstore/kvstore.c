/* kvstore.c — a small RAM key-value store.
 *
 * Keys are strings of up to 31 bytes, values up to 256 bytes; at most 256
 * entries. Not in the boot configuration: it is loaded on demand the first
 * time something binds one of its exports.
 */
#include <wisp/module.h>
#include <wisp/mm.h>
#include <locks/mutex.h>
#include <string.h>

#define KV_KEY_MAX   32
#define KV_VALUE_MAX 256
#define KV_ENTRIES   256

struct kv_entry {
    char key[KV_KEY_MAX];
    uint32_t length;
    uint8_t value[KV_VALUE_MAX];
};

static struct mutex kv_lock = MUTEX_INIT(kv_lock, "kvstore.entries");
static struct kv_entry *entries[KV_ENTRIES]; /* kv_lock */

static int find(const char *key)
{
    for (int i = 0; i < KV_ENTRIES; i++)
        if (entries[i] && strcmp(entries[i]->key, key) == 0)
            return i;
    return -1;
}

/* Stores value under key. 0, or -1 (bad size, key too long, store full).
 * Process context, may sleep. */
int kv_put(const char *key, const void *value, uint32_t length)
{
    if (strnlen(key, KV_KEY_MAX) == KV_KEY_MAX || length > KV_VALUE_MAX)
        return -1;
    int rc = -1;
    mutex_lock(&kv_lock);
    int i = find(key);
    for (int j = 0; i < 0 && j < KV_ENTRIES; j++) {
        if (!entries[j] && (entries[j] = kzalloc(sizeof(struct kv_entry)))) {
            strlcpy(entries[j]->key, key, KV_KEY_MAX);
            i = j;
        }
    }
    if (i >= 0) {
        memcpy(entries[i]->value, value, length);
        entries[i]->length = length;
        rc = 0;
    }
    mutex_unlock(&kv_lock);
    return rc;
}
WISP_EXPORT(kv_put);

/* Copies the value of key into buffer (at most size bytes); returns its
 * full length, or -1 when absent. Process context, may sleep. */
int kv_get(const char *key, void *buffer, uint32_t size)
{
    mutex_lock(&kv_lock);
    int i = find(key), length = -1;
    if (i >= 0) {
        length = (int)entries[i]->length;
        memcpy(buffer, entries[i]->value, MIN((uint32_t)length, size));
    }
    mutex_unlock(&kv_lock);
    return length;
}
WISP_EXPORT(kv_get);

/* Removes key; 0, or -1 when absent. Process context, may sleep. */
int kv_delete(const char *key)
{
    mutex_lock(&kv_lock);
    int i = find(key);
    if (i >= 0) {
        kfree(entries[i]);
        entries[i] = NULL;
    }
    mutex_unlock(&kv_lock);
    return i >= 0 ? 0 : -1;
}
WISP_EXPORT(kv_delete);

static void kv_stop(void)
{
    for (int i = 0; i < KV_ENTRIES; i++) {
        kfree(entries[i]);
        entries[i] = NULL;
    }
}
WISP_MODULE_EXIT(kv_stop);
