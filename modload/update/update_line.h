/* update_line.h — the live-update line (COM2) and its `updater` thread
 * (update_line.c); the protocol is updater/PROTOCOL.md. Kernel only. */
#pragma once
#include <wisp/compiler.h>

struct upd_counters;

/* Snapshot of the line's figures (read without a lock: each field is
 * whole, the set is not one instant). */
struct update_line_stats {
    uint64_t bytes_received; /* bytes the updater thread took from the ring */
    uint64_t ring_dropped;   /* bytes lost to a full ring (retransmitted) */
    uint64_t pushes, pushes_live;
    uint64_t last_apply_ns; /* verify + apply of the last payload */
    unsigned state;         /* enum upd_receiver_state */
};

/* False when the line is off; else fills both snapshots. */
bool update_line_stats(struct update_line_stats *out, struct upd_counters *counters);
