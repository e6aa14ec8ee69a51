/* update.h — the live-update transaction (update.c; design in MODULES.md,
 * "Live update"). Kernel only. */
#pragma once
#include <wisp/compiler.h>
#include "modload/format/error.h"
#include "modload/format/image.h"

/* What one swap took. */
struct update_report {
    uint32_t old_version; /* 0: the module was not loaded */
    bool quiescent;
    bool old_kept;        /* chains still inside old after the bound: not freed yet */
    uint64_t load_ns;     /* verify-free part: relocate, link, init */
    uint64_t switch_ns;   /* the store of current and the bookkeeping */
    uint64_t serving_at;  /* clock_ns() when new chains started entering the new version */
    uint64_t blackout_ns; /* quiescent: callers paused → released */
    uint64_t grace_ns;    /* after the switch, until no chain was inside old */
};

/* What the caller asks. */
struct update_request {
    const char *announced; /* the name the transfer announced, or NULL */
    const char *by;        /* the history's word: "push", "test" */
    uint64_t received_ns;  /* clock_ns() of the last frame, for "serving N us after" */
};

/* The answer: MOD_OK with a one-line summary, or the status and the
 * reason naming the step ("verify: ...", "contract: ...", "init: ..."). */
struct update_verdict {
    enum mod_status status;
    bool loaded; /* the module was not loaded: this was its first load */
    struct update_report report;
    char text[MOD_ERROR_MESSAGE_MAX];
};

/**
 * update_apply - the one entry point of a live update: the bytes of a
 * pushed section file in, the verdict out. Verify (section file, announced
 * name, SHA-256, signature), version (newer than the running version, or
 * not older than the kernel's minimum for a module that is not loaded,
 * unless the section is a signed rollback), parse the ELF and manifest
 * once (the manifest's version must be the section's), then load a module
 * that is not loaded, or swap a live one: contract, load beside, quiesce,
 * transfer, switch, retire. All or nothing: on failure the running version
 * is live and untouched. Process context, sleeps; takes the module lock.
 * @bytes need only live for the call.
 */
enum mod_status update_apply(const void *bytes, size_t size, const struct update_request *req,
                             struct update_verdict *v);

/* The same transaction from a section of the verified boot image that an
 * in-kernel caller (tests, torture, benchmarks) labels with a version of
 * its choice: no verify step and no version rules — the bytes are already
 * the kernel's own. */
enum mod_status update_apply_image_section(const struct mod_image_section *s,
                                           const struct update_request *req,
                                           struct update_verdict *v);
