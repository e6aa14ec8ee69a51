/* audit_sink.h — how audit.c and audit_devices.c report findings: a sink
 * counts them and hands each to the caller's report function (which may be
 * NULL when only the count is wanted). Private to modload/contract/. */
#ifndef WISP_MODLOAD_CONTRACT_AUDIT_SINK_H
#define WISP_MODLOAD_CONTRACT_AUDIT_SINK_H

#include "modload/contract/audit.h"

struct mod_audit_sink {
    mod_audit_report_fn report;
    void *context;
    size_t count;
};

/* Formats one finding of KIND, counts it and reports it. */
void mod_audit_emit(struct mod_audit_sink *sink, enum mod_audit_kind kind, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
