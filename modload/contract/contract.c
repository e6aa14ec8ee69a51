/* contract.c — compatibility rules between manifests (see contract.h and
 * the table in MODULES.md). Lock sets are compared by class name: the bit
 * masks of two manifests index different name tables.
 */
#include "modload/contract/contract.h"
#include "modload/contract/text.h"
#include <stdarg.h>
#include <string.h>

static const char *const clause_names[MOD_CLAUSE_COUNT] = {
    [MOD_CLAUSE_OK] = "ok",
    [MOD_CLAUSE_CONTEXT] = "context",
    [MOD_CLAUSE_SLEEPS] = "sleeps",
    [MOD_CLAUSE_REENTRANT] = "reentrant",
    [MOD_CLAUSE_USER_CALLABLE] = "user-callable",
    [MOD_CLAUSE_UPDATE] = "update",
    [MOD_CLAUSE_CALLER_HOLDS] = "caller-holds",
    [MOD_CLAUSE_ACQUIRES] = "acquires",
    [MOD_CLAUSE_LOCK_ORDER] = "lock order",
    [MOD_CLAUSE_MISSING_EXPORT] = "missing export",
    [MOD_CLAUSE_DUPLICATE] = "duplicate",
    [MOD_CLAUSE_MODULE_NAME] = "module name",
    [MOD_CLAUSE_UPDATE_NEVER] = "update never",
    [MOD_CLAUSE_STATE] = "state transfer",
    [MOD_CLAUSE_LOCK_CYCLE] = "lock cycle",
    [MOD_CLAUSE_LOCK_UNDEFINED] = "undefined lock class",
    [MOD_CLAUSE_LIMIT] = "limit",
};

const char *mod_contract_clause_name(enum mod_contract_clause clause)
{
    if ((unsigned)clause >= MOD_CLAUSE_COUNT)
        return "unknown clause";
    return clause_names[clause];
}

/* Fills @result with "PREFIX: clause 'NAME': DETAIL" and returns @clause.
 * @prefix already names the module and the symbol. */
static enum mod_contract_clause fail(struct mod_contract_result *result,
                                     enum mod_contract_clause clause, const char *prefix,
                                     const char *format, ...)
{
    struct mod_text text;
    va_list ap;
    if (!result)
        return clause;
    result->clause = clause;
    mod_text_start(&text, result->message, sizeof(result->message));
    mod_text_format(&text, "%s: clause '%s': ", prefix, mod_contract_clause_name(clause));
    va_start(ap, format);
    mod_text_vformat(&text, format, ap);
    va_end(ap);
    mod_text_finish(&text);
    return clause;
}

static enum mod_contract_clause pass(struct mod_contract_result *result)
{
    if (result) {
        result->clause = MOD_CLAUSE_OK;
        result->message[0] = '\0';
    }
    return MOD_CLAUSE_OK;
}

/* Update policies from the importer's point of view, weakest first: a
 * quiescent swap holds its calls, a live one does not, never means the
 * implementation is never replaced. */
static int update_strength(enum mod_update_policy policy)
{
    return policy == MOD_UPDATE_NEVER ? 2 : policy == MOD_UPDATE_CONCURRENT ? 1 : 0;
}

static bool has_lock(const struct mod_manifest *m, mod_lock_set set, const char *name)
{
    int index = mod_manifest_find_lock(m, name);
    return index >= 0 && index < 32 && (set & (1u << index));
}

/* The first class of @set (in @m's names) missing from @other_set of
 * @other, or NULL. */
static const char *first_missing(const struct mod_manifest *m, mod_lock_set set,
                                 const struct mod_manifest *other, mod_lock_set other_set)
{
    for (uint32_t i = 0; i < m->lock_name_count && i < 32; i++)
        if ((set & (1u << i)) && !has_lock(other, other_set, m->lock_names[i]))
            return m->lock_names[i];
    return NULL;
}

/* ------------------------------------------------------------ lock order */

void mod_lock_order_init(struct mod_lock_order *order)
{
    order->class_count = 0;
    order->edge_count = 0;
}

static int class_find(const struct mod_lock_order *order, const char *name)
{
    for (uint32_t i = 0; i < order->class_count; i++)
        if (strcmp(order->classes[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int class_intern(struct mod_lock_order *order, const char *name, const char *module)
{
    int found = class_find(order, name);
    if (found >= 0 || order->class_count == MOD_LOCK_ORDER_MAX_CLASSES)
        return found;
    struct mod_lock_class *c = &order->classes[order->class_count];
    size_t length = 0;
    while (length < sizeof(c->name) - 1 && name[length])
        length++;
    memcpy(c->name, name, length);
    c->name[length] = '\0';
    c->defined_by = NULL;
    c->named_by = module;
    return (int)order->class_count++;
}

enum mod_contract_clause mod_lock_order_add(struct mod_lock_order *order,
                                            const struct mod_manifest *m,
                                            struct mod_contract_result *result)
{
    char prefix[64];
    struct mod_text text;
    mod_text_start(&text, prefix, sizeof(prefix));
    mod_text_format(&text, "module '%s'", m->name);
    mod_text_finish(&text);
    for (uint32_t i = 0; i < m->lock_name_count; i++) {
        int index = class_intern(order, m->lock_names[i], m->name);
        if (index < 0)
            return fail(result, MOD_CLAUSE_LIMIT, prefix, "more than %u lock classes in the set",
                        MOD_LOCK_ORDER_MAX_CLASSES);
        if (m->defines & (1u << i))
            order->classes[index].defined_by = m->name;
    }
    for (uint32_t i = 0; i < m->order_count; i++) {
        int before = class_find(order, m->lock_names[m->orders[i].before]);
        int after = class_find(order, m->lock_names[m->orders[i].after]);
        bool known = false;
        for (uint32_t e = 0; e < order->edge_count && !known; e++)
            known = order->edges[e].before == before && order->edges[e].after == after;
        if (known)
            continue;
        if (order->edge_count == MOD_LOCK_ORDER_MAX_EDGES)
            return fail(result, MOD_CLAUSE_LIMIT, prefix, "more than %u lock orders in the set",
                        MOD_LOCK_ORDER_MAX_EDGES);
        order->edges[order->edge_count++] = (struct mod_lock_edge){
            (uint16_t)before,
            (uint16_t)after,
            m->name,
            m->orders[i].line,
        };
    }
    return pass(result);
}

bool mod_lock_order_before(const struct mod_lock_order *order, const char *a, const char *b)
{
    uint8_t seen[MOD_LOCK_ORDER_MAX_CLASSES / 8] = { 0 };
    uint16_t queue[MOD_LOCK_ORDER_MAX_CLASSES];
    uint32_t head = 0, tail = 0;
    int from = class_find(order, a), to = class_find(order, b);
    if (from < 0 || to < 0)
        return false;
    queue[tail++] = (uint16_t)from;
    seen[from / 8] |= (uint8_t)(1u << (from % 8));
    /* Breadth-first over the edges; each class enters the queue once. */
    while (head < tail) {
        uint16_t node = queue[head++];
        for (uint32_t e = 0; e < order->edge_count; e++) {
            uint16_t next = order->edges[e].after;
            if (order->edges[e].before != node || (seen[next / 8] & (1u << (next % 8))))
                continue;
            if (next == to)
                return true;
            seen[next / 8] |= (uint8_t)(1u << (next % 8));
            queue[tail++] = next;
        }
    }
    return false;
}

struct dfs_frame {
    uint16_t node;
    uint16_t via;       /* edge that led here (unused for the root) */
    uint32_t next_edge; /* where to resume scanning edges */
};

/* Message for the cycle closed by @closing, which leads back to the node
 * of stack[start]. */
static enum mod_contract_clause report_cycle(const struct mod_lock_order *order,
                                             const struct dfs_frame *stack, uint32_t start,
                                             uint32_t depth, uint32_t closing,
                                             struct mod_contract_result *result)
{
    struct mod_text text;
    if (!result)
        return MOD_CLAUSE_LOCK_CYCLE;
    result->clause = MOD_CLAUSE_LOCK_CYCLE;
    mod_text_start(&text, result->message, sizeof(result->message));
    mod_text_format(&text, "lock order cycle: %s", order->classes[stack[start].node].name);
    for (uint32_t k = start + 1; k <= depth; k++) {
        uint32_t e = k < depth ? stack[k].via : closing;
        const struct mod_lock_edge *edge = &order->edges[e];
        mod_text_format(&text, " < %s (module '%s', line %u)", order->classes[edge->after].name,
                        edge->module, edge->line);
    }
    mod_text_finish(&text);
    return MOD_CLAUSE_LOCK_CYCLE;
}

enum mod_contract_clause mod_lock_order_check(const struct mod_lock_order *order,
                                              struct mod_contract_result *result)
{
    enum { WHITE, GREY, BLACK };
    uint8_t colour[MOD_LOCK_ORDER_MAX_CLASSES] = { 0 };
    struct dfs_frame stack[MOD_LOCK_ORDER_MAX_CLASSES];
    /* Iterative depth-first search: a GREY class is on the stack, so an
     * edge to it closes a cycle. */
    for (uint32_t root = 0; root < order->class_count; root++) {
        uint32_t depth = 0;
        if (colour[root] != WHITE)
            continue;
        stack[0] = (struct dfs_frame){ (uint16_t)root, 0, 0 };
        colour[root] = GREY;
        while (true) {
            struct dfs_frame *top = &stack[depth];
            uint32_t e = top->next_edge;
            while (e < order->edge_count && order->edges[e].before != top->node)
                e++;
            if (e == order->edge_count) {
                colour[top->node] = BLACK;
                if (depth-- == 0)
                    break;
                continue;
            }
            top->next_edge = e + 1;
            uint16_t next = order->edges[e].after;
            if (colour[next] == GREY) {
                uint32_t start = 0;
                while (stack[start].node != next)
                    start++;
                return report_cycle(order, stack, start, depth + 1, e, result);
            }
            if (colour[next] == WHITE) {
                colour[next] = GREY;
                stack[++depth] = (struct dfs_frame){ next, (uint16_t)e, 0 };
            }
        }
    }
    return pass(result);
}

/* ------------------------------------------------------------ (a) imports */

/* The lock clauses of (a): what the export takes and needs held against
 * what the importer holds. */
static enum mod_contract_clause
check_import_locks(const struct mod_manifest *importer, const struct mod_contract *import,
                   const struct mod_manifest *exporter, const struct mod_contract *export,
                   const struct mod_lock_order *order, const char *prefix,
                   struct mod_contract_result *result)
{
    const char *missing = first_missing(exporter, export->caller_holds, importer, import->holds);
    if (missing)
        return fail(result, MOD_CLAUSE_CALLER_HOLDS, prefix,
                    "the export needs its caller to hold '%s', the importer does not hold it",
                    missing);
    for (uint32_t i = 0; i < exporter->lock_name_count && i < 32; i++) {
        const char *taken = exporter->lock_names[i];
        if (!(export->acquires & (1u << i)))
            continue;
        if (has_lock(importer, import->holds, taken))
            return fail(result, MOD_CLAUSE_ACQUIRES, prefix,
                        "the export acquires '%s', which the importer already holds "
                        "when calling (self-deadlock)",
                        taken);
        for (uint32_t h = 0; order && h < importer->lock_name_count && h < 32; h++) {
            const char *held = importer->lock_names[h];
            if ((import->holds & (1u << h)) && mod_lock_order_before(order, taken, held))
                return fail(result, MOD_CLAUSE_LOCK_ORDER, prefix,
                            "the export acquires '%s', ordered before '%s' which the "
                            "importer holds when calling (lock inversion)",
                            taken, held);
        }
    }
    return pass(result);
}

enum mod_contract_clause
mod_contract_check_import(const struct mod_manifest *importer, const struct mod_contract *import,
                          const struct mod_manifest *exporter, const struct mod_contract *export,
                          const struct mod_lock_order *order, struct mod_contract_result *result)
{
    char prefix[192];
    struct mod_text text;
    mod_text_start(&text, prefix, sizeof(prefix));
    mod_text_format(&text, "module '%s': import '%s' (exported by '%s')", importer->name,
                    import->symbol, exporter->name);
    mod_text_finish(&text);
    if (import->context & ~export->context)
        return fail(result, MOD_CLAUSE_CONTEXT, prefix,
                    "the importer calls it in context '%s', the export declares context '%s'",
                    mod_context_name(import->context), mod_context_name(export->context));
    /* A caller in interrupt context cannot bear a sleep, whatever it says. */
    bool needs_no_sleep =
        import->sleeps == MOD_SLEEPS_NEVER || (import->context & MOD_CONTEXT_INTERRUPT);
    if (needs_no_sleep && export->sleeps != MOD_SLEEPS_NEVER)
        return fail(result, MOD_CLAUSE_SLEEPS, prefix,
                    "the importer needs 'sleeps never' (context '%s'), the export declares "
                    "'sleeps %s'",
                    mod_context_name(import->context), mod_sleeps_name(export->sleeps));
    if (import->reentrant && !export->reentrant)
        return fail(result, MOD_CLAUSE_REENTRANT, prefix,
                    "the importer calls it concurrently ('reentrant yes'), the export "
                    "declares 'reentrant no'");
    if (import->user_callable && !export->user_callable)
        return fail(result, MOD_CLAUSE_USER_CALLABLE, prefix,
                    "the importer is user code ('user-callable yes'), the export declares "
                    "'user-callable no'");
    if (update_strength(export->update) < update_strength(import->update))
        return fail(result, MOD_CLAUSE_UPDATE, prefix,
                    "the importer accepts 'update %s' or stronger, the export declares "
                    "'update %s'",
                    mod_update_policy_name(import->update), mod_update_policy_name(export->update));
    return check_import_locks(importer, import, exporter, export, order, prefix, result);
}

/* ------------------------------------------------------------ (b) updates */

/* One export of the running version against its successor. */
static enum mod_contract_clause
check_export_kept(const struct mod_manifest *running, const struct mod_contract *old,
                  const struct mod_manifest *next, const struct mod_contract *new,
                  const char *prefix, struct mod_contract_result *result)
{
    const char *added;
    if (old->context & ~new->context)
        return fail(result, MOD_CLAUSE_CONTEXT, prefix,
                    "weakened from 'context %s' to "
                    "'context %s'",
                    mod_context_name(old->context), mod_context_name(new->context));
    if (old->sleeps == MOD_SLEEPS_NEVER && new->sleeps != MOD_SLEEPS_NEVER)
        return fail(result, MOD_CLAUSE_SLEEPS, prefix,
                    "weakened from 'sleeps never' to 'sleeps may'");
    if (old->reentrant && !new->reentrant)
        return fail(result, MOD_CLAUSE_REENTRANT, prefix,
                    "weakened from 'reentrant yes' to 'reentrant no'");
    if (old->user_callable && !new->user_callable)
        return fail(result, MOD_CLAUSE_USER_CALLABLE, prefix,
                    "weakened from 'user-callable yes' to 'user-callable no'");
    /* Running programs are bound to it: its C signature and where it runs
     * are its ABI. */
    if (old->user_callable &&
        (old->runs != new->runs || strcmp(old->prototype, new->prototype) != 0))
        return fail(result, MOD_CLAUSE_USER_CALLABLE, prefix,
                    "changed its ghost function from 'runs %s', '%s' to 'runs %s', '%s'",
                    mod_runs_name(old->runs), old->prototype, mod_runs_name(new->runs),
                    new->prototype);
    if (update_strength(new->update) < update_strength(old->update))
        return fail(result, MOD_CLAUSE_UPDATE, prefix,
                    "weakened from 'update %s' to "
                    "'update %s'",
                    mod_update_policy_name(old->update), mod_update_policy_name(new->update));
    added = first_missing(next, new->acquires, running, old->acquires);
    if (added)
        return fail(result, MOD_CLAUSE_ACQUIRES, prefix,
                    "the new version acquires '%s', the running one does not", added);
    added = first_missing(next, new->caller_holds, running, old->caller_holds);
    if (added)
        return fail(result, MOD_CLAUSE_CALLER_HOLDS, prefix,
                    "the new version needs its caller to hold '%s', the running one does not",
                    added);
    return pass(result);
}

static enum mod_contract_clause check_state_path(const struct mod_manifest *running,
                                                 const struct mod_manifest *next,
                                                 const char *prefix,
                                                 struct mod_contract_result *result)
{
    if (!running->state_version)
        return pass(result);
    if (!next->state_version)
        return fail(result, MOD_CLAUSE_STATE, prefix,
                    "the running version has state version %u, the new one is stateless "
                    "(the state would be lost)",
                    running->state_version);
    for (uint32_t i = 0; i < next->transfer_count && i < MOD_MANIFEST_MAX_TRANSFER; i++)
        if (next->transfer_from[i] == running->state_version)
            return pass(result);
    return fail(result, MOD_CLAUSE_STATE, prefix,
                "the new version (state %u) has no transfer from state version %u "
                "(add it to 'transfer-from')",
                next->state_version, running->state_version);
}

enum mod_contract_clause mod_contract_check_update(const struct mod_manifest *running,
                                                   const struct mod_manifest *next,
                                                   struct mod_contract_result *result)
{
    char prefix[192];
    struct mod_text text;
    mod_text_start(&text, prefix, sizeof(prefix));
    mod_text_format(&text, "module '%s': update %u.%u to %u.%u", running->name,
                    running->version_major, running->version_minor, next->version_major,
                    next->version_minor);
    mod_text_finish(&text);
    if (strcmp(running->name, next->name) != 0)
        return fail(result, MOD_CLAUSE_MODULE_NAME, prefix, "the new manifest is for module '%s'",
                    next->name);
    for (uint32_t i = 0; i < running->export_count; i++)
        if (running->exports[i].update == MOD_UPDATE_NEVER)
            return fail(result, MOD_CLAUSE_UPDATE_NEVER, prefix,
                        "export '%s' of the running version says 'update never'",
                        running->exports[i].symbol);
    for (uint32_t i = 0; i < running->export_count; i++) {
        const struct mod_contract *old = &running->exports[i];
        int found = mod_manifest_find_export(next, old->symbol);
        char export_prefix[MOD_CONTRACT_MESSAGE_SIZE / 2];
        mod_text_start(&text, export_prefix, sizeof(export_prefix));
        mod_text_format(&text, "%s: export '%s'", prefix, old->symbol);
        mod_text_finish(&text);
        if (found < 0)
            return fail(result, MOD_CLAUSE_MISSING_EXPORT, export_prefix,
                        "the new version removes it");
        enum mod_contract_clause clause =
            check_export_kept(running, old, next, &next->exports[found], export_prefix, result);
        if (clause)
            return clause;
    }
    return check_state_path(running, next, prefix, result);
}

enum mod_update_policy mod_contract_swap_policy(const struct mod_manifest *running)
{
    enum mod_update_policy policy = MOD_UPDATE_CONCURRENT;
    for (uint32_t i = 0; i < running->export_count; i++) {
        if (running->exports[i].update == MOD_UPDATE_NEVER)
            return MOD_UPDATE_NEVER;
        if (running->exports[i].update == MOD_UPDATE_QUIESCENT)
            policy = MOD_UPDATE_QUIESCENT;
    }
    return policy;
}

/* ------------------------------------------------------------ sets */

struct finding_sink {
    void (*report)(void *context, const struct mod_contract_result *finding);
    void *context;
    size_t count;
    struct mod_contract_result result;
};

static void sink_add(struct finding_sink *sink)
{
    sink->count++;
    if (sink->report)
        sink->report(sink->context, &sink->result);
}

/* Two manifests of one module name; one symbol exported by two modules. */
static void check_duplicates(const struct mod_manifest *const *manifests, size_t count,
                             struct finding_sink *sink)
{
    for (size_t a = 0; a < count; a++) {
        for (size_t b = a + 1; b < count; b++) {
            const struct mod_manifest *first = manifests[a], *second = manifests[b];
            if (strcmp(first->name, second->name) == 0) {
                fail(&sink->result, MOD_CLAUSE_DUPLICATE, "set", "module '%s' appears twice",
                     first->name);
                sink_add(sink);
                continue;
            }
            for (uint32_t e = 0; e < second->export_count; e++) {
                if (mod_manifest_find_export(first, second->exports[e].symbol) < 0)
                    continue;
                fail(&sink->result, MOD_CLAUSE_DUPLICATE, "set",
                     "symbol '%s' is exported by module '%s' and by module '%s'",
                     second->exports[e].symbol, first->name, second->name);
                sink_add(sink);
            }
        }
    }
}

static void check_imports(const struct mod_manifest *const *manifests, size_t count,
                          const struct mod_lock_order *order, struct finding_sink *sink)
{
    for (size_t m = 0; m < count; m++) {
        const struct mod_manifest *importer = manifests[m];
        for (uint32_t i = 0; i < importer->import_count; i++) {
            const struct mod_contract *import = &importer->imports[i];
            size_t x = 0;
            int found = -1;
            for (; x < count && found < 0; x++)
                found = mod_manifest_find_export(manifests[x], import->symbol);
            if (found < 0) {
                char prefix[160];
                struct mod_text text;
                mod_text_start(&text, prefix, sizeof(prefix));
                mod_text_format(&text, "module '%s': import '%s'", importer->name, import->symbol);
                mod_text_finish(&text);
                fail(&sink->result, MOD_CLAUSE_MISSING_EXPORT, prefix,
                     "no module of the set exports it");
                sink_add(sink);
                continue;
            }
            const struct mod_manifest *exporter = manifests[x - 1];
            if (mod_contract_check_import(importer, import, exporter, &exporter->exports[found],
                                          order, &sink->result))
                sink_add(sink);
        }
    }
}

size_t mod_contract_check_set(
    const struct mod_manifest *const *manifests, size_t count, struct mod_lock_order *scratch,
    void (*report)(void *context, const struct mod_contract_result *finding), void *context)
{
    struct finding_sink sink = { .report = report, .context = context };
    bool complete = true;
    check_duplicates(manifests, count, &sink);
    mod_lock_order_init(scratch);
    for (size_t m = 0; m < count && complete; m++) {
        if (mod_lock_order_add(scratch, manifests[m], &sink.result)) {
            sink_add(&sink);
            complete = false;
        }
    }
    for (uint32_t c = 0; c < scratch->class_count && complete; c++) {
        const struct mod_lock_class *class = &scratch->classes[c];
        if (class->defined_by)
            continue;
        char prefix[64];
        struct mod_text text;
        mod_text_start(&text, prefix, sizeof(prefix));
        mod_text_format(&text, "module '%s'", class->named_by);
        mod_text_finish(&text);
        fail(&sink.result, MOD_CLAUSE_LOCK_UNDEFINED, prefix,
             "names lock class '%s', which no module of the set defines", class->name);
        sink_add(&sink);
    }
    if (complete && mod_lock_order_check(scratch, &sink.result))
        sink_add(&sink);
    check_imports(manifests, count, complete ? scratch : NULL, &sink);
    return sink.count;
}
