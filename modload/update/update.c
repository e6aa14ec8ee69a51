/* update.c — the live-update transaction (MODULES.md, "Live update"):
 * what a verified push does. A module that is not loaded is loaded; a live
 * one is replaced by a new version beside it:
 *
 *   contract   the new manifest against the running one (same name, every
 *              export kept or strengthened, a state path) and the policy;
 *   load       relocated, linked, init run — not published (module.c);
 *   quiesce    (quiescent updates only) new chains held, in-flight drained,
 *              bounded by UPDATE_QUIESCE_MS;
 *   transfer   the new version adopts the old one's state object;
 *   switch     the new version in the identity's next slot, then one store
 *              of its generation (+ the bookkeeping);
 *   retire     the grace period: until no chain is inside old (its slot's
 *              count 0), then old is freed.
 *
 * A failure before the switch leaves the old version live and untouched,
 * frees what the attempt took and names the step. Everything runs under
 * the module lock, so updates are serialized with each other and with
 * loads. Called by the updater thread (and tests); process context.
 */
#include <wisp/printk.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/format.h>
#include <rcu/rcu.h>
#include <string.h>
#include "modload/contract/contract.h"
#include "modload/dispatch.h"
#include "modload/format/elf.h"
#include "modload/contract/manifest.h"
#include "modload/module.h"
#include "modload/module_manifest.h"
#include "modload/history.h"
#include "modload/update/update.h"
#include "modload/update/update_line.h"
#include <wisp/mm.h>

#define UPDATE_QUIESCE_MS 200  /* longest a quiescent update holds callers */
#define UPDATE_RETIRE_MS  2000 /* longest the updater waits for old chains */

/* Rewrites err's message as "step: message". */
static enum mod_status step_failed(struct mod_error *err, enum mod_status st, const char *step)
{
    char message[MOD_ERROR_MESSAGE_MAX];
    strlcpy(message, err->message, sizeof(message));
    return mod_fail(err, st, "%s: %s", step, message);
}

/* The new manifest against the running one, before any of its code runs. */
static enum mod_status check_contract(struct module *old, const void *data, size_t size,
                                      struct mod_manifest **next_manifest, struct mod_error *err)
{
    struct mod_elf elf;
    enum mod_status st = mod_elf_parse(&elf, data, size, err);
    if (st)
        return step_failed(err, st, "load");
    struct module *probe = kzalloc(sizeof(*probe));
    if (!probe)
        return mod_fail(err, MOD_E_LAYOUT, "load: out of memory");
    strlcpy(probe->name, old->name, sizeof(probe->name));
    st = module_manifest_read(probe, &elf, err);
    *next_manifest = probe->manifest;
    kfree(probe);
    if (st)
        return step_failed(err, st, "contract");
    struct mod_contract_result result;
    if (mod_contract_check_update(old->manifest, *next_manifest, &result) != MOD_CLAUSE_OK)
        return mod_fail(err, MOD_E_CONTRACT, "contract: %s", result.message);
    return MOD_OK;
}

/* A quiescent update holds new callers: refused if any export may be
 * called from interrupt context, which cannot wait. */
static enum mod_status check_quiescent(struct module *old, struct mod_error *err)
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

static void release_held(struct mod_identity *id)
{
    __atomic_store_n(&id->held, false, __ATOMIC_RELEASE);
    wake_up_all(&id->held_wq);
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
            old->name, old->version >> 16, old->version & 0xffff);
    void *state = old->state_get();
    int rc = next->state_adopt(state, old->manifest->state_version);
    if (rc != 0)
        return mod_fail(err, MOD_E_INIT, "transfer: wisp_state_adopt of %s %u.%u returned %d",
                        next->name, next->version >> 16, next->version & 0xffff, rc);
    return MOD_OK;
}

/* Steps load → quiesce → transfer → switch. On failure old is untouched
 * and next is freed. Module lock held. */
static enum mod_status swap_locked(struct module *old, const struct mod_image_section *s,
                                   bool quiescent, struct update_report *r, struct mod_error *err)
{
    struct mod_identity *id = old->identity;
    struct module *next;
    enum mod_status st =
        module_load_version_locked(old, s->version, s->content, s->size, &next, err);
    if (st)
        return step_failed(err, st, st == MOD_E_INIT ? "init" : "load");
    uint64_t held_at = 0;
    if (quiescent) {
        held_at = clock_ns();
        /* Pairs with the entry's increment-then-read of held (dispatch.c):
         * every later entry waits, every earlier one is counted. */
        __atomic_store_n(&id->held, true, __ATOMIC_SEQ_CST);
        if (!mod_dispatch_wait_inactive(old, UPDATE_QUIESCE_MS)) {
            uint64_t inside = mod_dispatch_active(old);
            release_held(id);
            module_free_version_locked(next, true);
            return mod_fail(
                err, MOD_E_BUSY,
                "quiesce: %lu chains still inside %s after %d ms; released, the old version stays live",
                inside, old->name, UPDATE_QUIESCE_MS);
        }
    }
    st = transfer_state(old, next, err);
    if (st) {
        if (quiescent)
            release_held(id);
        module_free_version_locked(next, true);
        return st;
    }
    uint64_t switch_at = clock_ns();
    uint64_t g = id->generation + 1;
    next->version_slot = (uint32_t)(g % MOD_VERSION_SLOTS);
    id->versions[next->version_slot] = next;
    __atomic_store_n(&id->generation, g, __ATOMIC_SEQ_CST); /* the switch */
    r->serving_at = clock_ns();
    module_switch_version_locked(old, next);
    if (quiescent) {
        release_held(id);
        r->blackout_ns = clock_ns() - held_at;
    }
    r->switch_ns = clock_ns() - switch_at;
    r->load_ns = next->load_ns;
    return MOD_OK;
}

/* Frees old once no chain can be in it. Its exit runs only if it is
 * stateless: a stateful version's state now belongs to the new one. A
 * version whose chains do not all leave within UPDATE_RETIRE_MS is put on
 * the retiring list (retire.c), freed by the reaper. */
static void retire_locked(struct module *old, struct update_report *r)
{
    uint64_t start = clock_ns();
    bool drained = mod_dispatch_wait_inactive(old, UPDATE_RETIRE_MS);
    r->grace_ns = clock_ns() - start;
    if (!drained) {
        pr_warn("update: %s %u.%u still has %lu chains inside after %d ms; freed when they leave\n",
                old->name, old->version >> 16, old->version & 0xffff, mod_dispatch_active(old),
                UPDATE_RETIRE_MS);
        r->old_kept = true;
        module_retire_later(old);
        return;
    }
    module_free_version_locked(old, old->state_get == NULL);
}

enum mod_status update_module_locked(const struct mod_image_section *s, const char *by,
                                     struct update_report *r, struct mod_error *err)
{
    memset(r, 0, sizeof(*r));
    module_reap_locked();
    struct module *old = module_find_locked(s->name);
    if (!old)
        return mod_fail(err, MOD_E_NOT_FOUND, "update: %s is not loaded", s->name);
    r->old_version = old->version;
    struct mod_manifest *next_manifest = NULL;
    enum mod_status st = check_contract(old, s->content, s->size, &next_manifest, err);
    bool quiescent = false;
    if (st == MOD_OK) {
        quiescent = mod_contract_swap_policy(old->manifest) == MOD_UPDATE_QUIESCENT ||
                    next_manifest->state_version != old->manifest->state_version;
        if (quiescent)
            st = check_quiescent(old, err);
    }
    kfree(next_manifest);
    if (st)
        return st;
    r->quiescent = quiescent;
    struct mod_identity *id = old->identity;
    if (id->versions[(id->generation + 1) % MOD_VERSION_SLOTS])
        return mod_fail(
            err, MOD_E_BUSY,
            "retire: %u older versions of %s still have chains inside (at most %d at once); the running version stays live",
            id->retiring, old->name, MOD_VERSION_SLOTS - 2);
    st = swap_locked(old, s, quiescent, r, err);
    if (st)
        return st;
    module_history_add(s->name, s->version, by);
    retire_locked(old, r);
    return MOD_OK;
}

enum mod_status update_line_apply(const struct mod_image_section *s, uint64_t received_ns,
                                  struct mod_error *err)
{
    struct update_report r;
    module_lock();
    bool loaded = module_find_locked(s->name) != NULL;
    module_unlock();
    if (!loaded) {
        struct module *m;
        enum mod_status st = module_load_object(s->name, s->version, s->content, s->size, &m, err);
        if (st)
            return st;
        return mod_fail(err, MOD_OK, "%s %u.%u loaded (new module)", m->name, m->version >> 16,
                        m->version & 0xffff);
    }
    module_lock();
    enum mod_status st = update_module_locked(s, "push", &r, err);
    module_unlock();
    if (st)
        return st;
    char blackout[48] = "";
    if (r.quiescent)
        ksnprintf(blackout, sizeof(blackout), ", blackout %lu us", r.blackout_ns / 1000);
    return mod_fail(
        err, MOD_OK,
        "%s %u.%u (was %u.%u), %s swap: serving %lu us after the last frame (load %lu us), switch %lu ns%s, grace period %lu us%s",
        s->name, s->version >> 16, s->version & 0xffff, r.old_version >> 16, r.old_version & 0xffff,
        r.quiescent ? "quiescent" : "live", (r.serving_at - received_ns) / 1000, r.load_ns / 1000,
        r.switch_ns, blackout, r.grace_ns / 1000,
        r.old_kept ? ", old version still busy: kept" : ", old version freed");
}
