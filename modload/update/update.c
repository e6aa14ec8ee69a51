/* update.c — the live-update transaction (MODULES.md, "Live update"):
 * what one pushed section does, from its bytes to the verdict. Read
 * update_apply() and transaction_locked() from top to bottom:
 *
 *   verify     the section file's entry, the announced name, its SHA-256
 *              and signature against the core's key (nothing is parsed
 *              before the signature holds);
 *   version    newer than the running version (or, for a module that is
 *              not loaded, not older than the kernel's minimum for it),
 *              unless the signed section asks for a rollback;
 *   parse      the ELF and the manifest, once (module_object_open); the
 *              manifest's version must be the section's;
 *   contract   the new manifest against the running one (same name, every
 *              export kept or strengthened, a state path) and the policy;
 *   load       relocated, linked, init run beside the live version — not
 *              published (module.c: module_load_object_locked);
 *   quiesce    (quiescent updates only) new chains paused, in-flight
 *              drained, bounded by UPDATE_QUIESCE_MS;
 *   transfer   the new version adopts the old one's state object;
 *   switch     the new version at the identity's next index, then one
 *              store of its generation (+ the bookkeeping);
 *   retire     the grace period: until no chain is inside old (its index's
 *              count 0), then old is freed — or later by the reaper.
 *
 * A module that is not loaded is loaded instead of swapped (the steps up
 * to parse, then load). A failure before the switch leaves the old
 * version live and untouched, frees what the attempt took and names the
 * step. Everything after verify runs under the module lock, so updates
 * are serialized with each other and with loads. This folder calls down
 * into the loader, the formats and the contracts, never the reverse.
 */
#include <wisp/printk.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/format.h>
#include <string.h>
#include "modload/contract/contract.h"
#include "modload/dispatch.h"
#include "modload/history.h"
#include "modload/module.h"
#include "modload/update/update.h"

#define UPDATE_QUIESCE_MS 200  /* longest a quiescent update pauses callers */
#define UPDATE_RETIRE_MS  2000 /* longest the updater waits for old chains */

#define VERSION_ARGS(v) (v) >> 16, (v)&0xffff

/* Rewrites err's message as "step: message". */
static enum mod_status step_failed(struct mod_error *err, enum mod_status st, const char *step)
{
    char message[MOD_ERROR_MESSAGE_MAX];
    strlcpy(message, err->message, sizeof(message));
    return mod_fail(err, st, "%s: %s", step, message);
}

/* ---- verify and version --------------------------------------------------- */

/* The payload is a section file whose name is the one announced and whose
 * signature verifies with the core's key. */
static enum mod_status verify(const void *bytes, size_t size, const char *announced,
                              struct mod_image_section *s, struct mod_error *err)
{
    enum mod_status st = mod_section_file_open(bytes, size, s, err);
    if (st == MOD_OK && announced && strcmp(s->name, announced) != 0)
        st = mod_fail(err, MOD_E_IMAGE_SECTION_NAME,
                      "the transfer announced '%s' but the section is '%s'", announced, s->name);
    if (st == MOD_OK)
        st = mod_image_verify_section(s, mod_signing_key, err);
    return st == MOD_OK ? MOD_OK : step_failed(err, st, "verify");
}

/* Forward only: a pushed version must be newer than the running one, and
 * a module that is not loaded must not come back older than the kernel's
 * minimum for it (its image version, or the last version that ran). A
 * section signed with MOD_SECTION_FLAG_ROLLBACK may go back. */
static enum mod_status check_version(const struct mod_image_section *s, const struct module *old,
                                     struct mod_error *err)
{
    if (s->flags & MOD_SECTION_FLAG_ROLLBACK)
        return MOD_OK;
    if (old && s->version <= old->version)
        return mod_fail(err, MOD_E_VERSION_OLD, "%s %u.%u is not newer than the running %u.%u",
                        s->name, VERSION_ARGS(s->version), VERSION_ARGS(old->version));
    uint32_t floor = module_version_floor(s->name);
    if (!old && s->version < floor)
        return mod_fail(err, MOD_E_VERSION_OLD,
                        "%s %u.%u is older than %u.%u, the kernel's minimum for it", s->name,
                        VERSION_ARGS(s->version), VERSION_ARGS(floor));
    return MOD_OK;
}

/* Parses the ELF and the manifest once; the manifest's version must be the
 * section's (what lsmod shows is what audit shows). */
static enum mod_status parse(const struct mod_image_section *s, bool pushed,
                             struct module_object *o, struct mod_error *err)
{
    enum mod_status st = module_object_open(o, s->name, s->version, s->content, s->size, err);
    if (st != MOD_OK)
        return step_failed(err, st, st == MOD_E_MANIFEST ? "contract" : "load");
    uint32_t manifest_version =
        (uint32_t)o->manifest->version_major << 16 | o->manifest->version_minor;
    if (pushed && manifest_version != s->version)
        return mod_fail(err, MOD_E_VERSION_MISMATCH,
                        "%s: the section says version %u.%u, its manifest says %u.%u", s->name,
                        VERSION_ARGS(s->version), VERSION_ARGS(manifest_version));
    return MOD_OK;
}

/* ---- contract ------------------------------------------------------------- */

/* A quiescent update pauses new callers: refused if any export may be
 * called from interrupt context, which cannot wait. */
static enum mod_status check_quiescent(const struct module *old, struct mod_error *err)
{
    for (unsigned i = 0; i < old->manifest->export_count; i++) {
        const struct mod_contract *c = &old->manifest->exports[i];
        if (c->context != MOD_CONTEXT_PROCESS)
            return mod_fail(
                err, MOD_E_CONTRACT,
                "policy: %s needs a quiescent update but export '%s' is callable from %s context, which cannot wait",
                old->name, c->symbol, mod_context_name(c->context));
    }
    return MOD_OK;
}

/* The new manifest against the running one, before any of its code runs;
 * then the policy: *quiescent when the old one asks for it or the state
 * layout changes. And the identity must have a free version index. */
static enum mod_status check_contract(const struct module *old, const struct mod_manifest *next,
                                      bool *quiescent, struct mod_error *err)
{
    struct mod_contract_result result;
    if (mod_contract_check_update(old->manifest, next, &result) != MOD_CLAUSE_OK)
        return mod_fail(err, MOD_E_CONTRACT, "contract: %s", result.message);
    *quiescent = mod_contract_swap_policy(old->manifest) == MOD_UPDATE_QUIESCENT ||
                 next->state_version != old->manifest->state_version;
    enum mod_status st = *quiescent ? check_quiescent(old, err) : MOD_OK;
    const struct mod_identity *id = old->identity;
    if (st == MOD_OK && id->versions[(id->generation + 1) % MOD_VERSIONS_MAX])
        st = mod_fail(
            err, MOD_E_BUSY,
            "retire: %u older versions of %s still have chains inside (at most %d at once); the running version stays live",
            id->retiring, old->name, MOD_VERSIONS_MAX - 2);
    return st;
}

/* ---- quiesce, transfer, switch, retire ------------------------------------ */

static void release_paused(struct mod_identity *id)
{
    __atomic_store_n(&id->paused, false, __ATOMIC_RELEASE);
    wake_up_all(&id->paused_wq);
}

/* Pauses new chains and waits for those inside old to leave. */
static enum mod_status quiesce(struct module *old, struct mod_error *err)
{
    struct mod_identity *id = old->identity;
    /* Pairs with the entry's increment-then-read of paused (dispatch.c):
     * every later entry waits, every earlier one is counted. */
    __atomic_store_n(&id->paused, true, __ATOMIC_SEQ_CST);
    if (mod_dispatch_wait_inactive(old, UPDATE_QUIESCE_MS))
        return MOD_OK;
    uint64_t inside = mod_dispatch_active(old);
    release_paused(id);
    return mod_fail(
        err, MOD_E_BUSY,
        "quiesce: %lu chains still inside %s after %d ms; released, the old version stays live",
        inside, old->name, UPDATE_QUIESCE_MS);
}

/* The state handover: next adopts old's state object (shared when the
 * layout is the same; converted otherwise, under quiescence). */
static enum mod_status transfer_state(struct module *old, struct module *next,
                                      struct mod_error *err)
{
    if (!old->state_get)
        return MOD_OK;
    if (!next->state_adopt)
        return mod_fail(
            err, MOD_E_CONTRACT,
            "transfer: %s %u.%u has state but the new version exports no wisp_state_adopt",
            old->name, VERSION_ARGS(old->version));
    void *state = old->state_get();
    int rc = next->state_adopt(state, old->manifest->state_version);
    if (rc != 0)
        return mod_fail(err, MOD_E_INIT, "transfer: wisp_state_adopt of %s %u.%u returned %d",
                        next->name, VERSION_ARGS(next->version), rc);
    return MOD_OK;
}

/* Puts next at the identity's next version index and switches to it with
 * one store: new chains enter next from here on. */
static void switch_to(struct module *old, struct module *next, struct update_report *r)
{
    struct mod_identity *id = old->identity;
    uint64_t switch_at = clock_ns();
    uint64_t g = id->generation + 1;
    next->version_index = (uint32_t)(g % MOD_VERSIONS_MAX);
    id->versions[next->version_index] = next;
    __atomic_store_n(&id->generation, g, __ATOMIC_SEQ_CST); /* the switch */
    r->serving_at = clock_ns();
    module_switch_version_locked(old, next);
    r->switch_ns = clock_ns() - switch_at;
}

/* Frees old once no chain can be in it. Its exit runs only if it is
 * stateless: a stateful version's state now belongs to the new one. A
 * version whose chains do not all leave within UPDATE_RETIRE_MS is handed
 * to the reaper (retire.c). */
static void retire(struct module *old, struct update_report *r)
{
    uint64_t start = clock_ns();
    bool drained = mod_dispatch_wait_inactive(old, UPDATE_RETIRE_MS);
    r->grace_ns = clock_ns() - start;
    if (drained) {
        module_free_version_locked(old, old->state_get == NULL);
        return;
    }
    pr_warn("update: %s %u.%u still has %lu chains inside after %d ms; freed when they leave\n",
            old->name, VERSION_ARGS(old->version), mod_dispatch_active(old), UPDATE_RETIRE_MS);
    r->old_kept = true;
    module_retire_later(old);
}

/* ---- the transaction ------------------------------------------------------ */

/* contract → load → quiesce → transfer → switch → retire, for a live
 * module old. Before the switch, a failure frees next and leaves old as
 * it was. Module lock held. */
static enum mod_status swap(struct module *old, struct module_object *o, const char *by,
                            struct update_report *r, struct mod_error *err)
{
    struct module *next = NULL;
    bool quiescent = false;
    enum mod_status st = check_contract(old, o->manifest, &quiescent, err);
    if (st == MOD_OK && (st = module_load_object_locked(o, old->identity, &next, err)))
        st = step_failed(err, st, st == MOD_E_INIT ? "init" : "load");
    uint64_t paused_at = clock_ns();
    if (st == MOD_OK && quiescent)
        st = quiesce(old, err);
    if (st == MOD_OK && (st = transfer_state(old, next, err)) && quiescent)
        release_paused(old->identity);
    if (st != MOD_OK) {
        if (next)
            module_free_version_locked(next, true);
        return st;
    }
    r->quiescent = quiescent;
    switch_to(old, next, r);
    if (quiescent) {
        release_paused(old->identity);
        r->blackout_ns = clock_ns() - paused_at;
    }
    r->load_ns = next->load_ns;
    module_history_add(next->name, next->version, by);
    retire(old, r);
    return MOD_OK;
}

/* A module that is not loaded: loaded as its first version. */
static enum mod_status load_new(struct module_object *o, struct update_verdict *v,
                                struct mod_error *err)
{
    struct module *m;
    enum mod_status st = module_load_object_locked(o, NULL, &m, err);
    if (st != MOD_OK)
        return step_failed(err, st, st == MOD_E_INIT ? "init" : "load");
    v->loaded = true;
    v->report.load_ns = m->load_ns;
    return MOD_OK;
}

/* Everything after verify, under the module lock. pushed: the section
 * came from outside, so the version rules apply. */
static enum mod_status transaction_locked(const struct mod_image_section *s, bool pushed,
                                          const struct update_request *req,
                                          struct update_verdict *v, struct mod_error *err)
{
    module_reap_locked();
    struct module *old = module_find_locked(s->name);
    struct module_object o = { 0 };
    v->report.old_version = old ? old->version : 0;
    enum mod_status st = pushed ? check_version(s, old, err) : MOD_OK;
    if (st == MOD_OK)
        st = parse(s, pushed, &o, err);
    if (st == MOD_OK)
        st = old ? swap(old, &o, req->by, &v->report, err) : load_new(&o, v, err);
    module_object_close(&o);
    return st;
}

/* The verdict's one line on success. */
static void describe(const struct mod_image_section *s, const struct update_request *req,
                     struct update_verdict *v)
{
    const struct update_report *r = &v->report;
    const char *rollback = s->flags & MOD_SECTION_FLAG_ROLLBACK ? " (signed rollback)" : "";
    if (v->loaded) {
        ksnprintf(v->text, sizeof(v->text), "%s %u.%u loaded (new module)%s", s->name,
                  VERSION_ARGS(s->version), rollback);
        return;
    }
    char blackout[48] = "";
    if (r->quiescent)
        ksnprintf(blackout, sizeof(blackout), ", blackout %lu us", r->blackout_ns / 1000);
    ksnprintf(
        v->text, sizeof(v->text),
        "%s %u.%u (was %u.%u)%s, %s swap: serving %lu us after the last frame (load %lu us), switch %lu ns%s, grace period %lu us%s",
        s->name, VERSION_ARGS(s->version), VERSION_ARGS(r->old_version), rollback,
        r->quiescent ? "quiescent" : "concurrent", (r->serving_at - req->received_ns) / 1000,
        r->load_ns / 1000, r->switch_ns, blackout, r->grace_ns / 1000,
        r->old_kept ? ", old version still busy: kept" : ", old version freed");
}

static enum mod_status apply(const struct mod_image_section *s, bool pushed,
                             const struct update_request *req, struct update_verdict *v,
                             struct mod_error *err)
{
    module_lock();
    enum mod_status st = transaction_locked(s, pushed, req, v, err);
    module_unlock();
    if (st == MOD_OK)
        describe(s, req, v);
    return st;
}

static enum mod_status finish(struct update_verdict *v, enum mod_status st,
                              const struct mod_error *err)
{
    v->status = st;
    if (st != MOD_OK)
        strlcpy(v->text, err->message, sizeof(v->text));
    return st;
}

enum mod_status update_apply(const void *bytes, size_t size, const struct update_request *req,
                             struct update_verdict *v)
{
    struct mod_image_section s;
    struct mod_error err = { 0 };
    memset(v, 0, sizeof(*v));
    enum mod_status st = verify(bytes, size, req->announced, &s, &err);
    if (st == MOD_OK)
        st = apply(&s, true, req, v, &err);
    return finish(v, st, &err);
}

enum mod_status update_apply_image_section(const struct mod_image_section *s,
                                           const struct update_request *req,
                                           struct update_verdict *v)
{
    struct mod_error err = { 0 };
    memset(v, 0, sizeof(*v));
    return finish(v, apply(s, false, req, v, &err), &err);
}
