/* flavour_ck_epoch.c — plain Concurrency Kit epochs (libck): one record
 * per reader thread, ck_epoch_begin/end around the read, the slot a
 * ck_pr pointer, ck_epoch_synchronize_wait for the grace period. */
#include <ck_epoch.h>
#include <ck_pr.h>
#include <stdlib.h>

static ck_epoch_t epoch;
/* One cache line per record, as Wisp's per-CPU records have. */
static struct {
    ck_epoch_record_t record;
} __attribute__((aligned(64))) records[2];
static __thread ck_epoch_record_t *record;
static struct bench_object *slot;

static void flavour_init(void)
{
    ck_epoch_init(&epoch);
    for (int i = 0; i < 2; i++)
        ck_epoch_register(&epoch, &records[i].record, NULL);
}

static void thread_online(int idx) { record = &records[idx].record; }
static void thread_offline(void) {}

#define FLAVOUR_VAR           flavour_ck_epoch
#define FLAVOUR_NAME          "ck_epoch"
#define READ_LOCK()           ck_epoch_begin(record, NULL)
#define READ_UNLOCK()         ck_epoch_end(record, NULL)
#define QUIESCENT()           ((void)0)
#define SLOT_LOAD()           ((struct bench_object *)ck_pr_load_ptr(&slot))
#define SLOT_SWAP(new_object) ((struct bench_object *)ck_pr_fas_ptr(&slot, (new_object)))
#define SYNCHRONIZE()         ck_epoch_synchronize_wait(&epoch, NULL, NULL)
#include "bench_loop.h"
