/* test_contract.c — the compatibility rules of modload/contract.c, each
 * both ways (satisfied and refused, with the clause and message): (a) an
 * import against an export, (b) an update against the running version,
 * (c) lock order cycles, and the whole-set audit. Test names start with
 * "manifest_" so that `unit-tests manifest` runs them with the parser's.
 */
#include "htest.h"
#include "modload/contract/contract.h"
#include <stdio.h>

#define CONTRACT(context, sleeps, reentrant, user, update) \
    "  context " context "\n  sleeps " sleeps "\n  reentrant " reentrant "\n  user-callable " user \
    "\n  update " update "\n"
#define PLAIN  CONTRACT("process", "may", "no", "no", "quiescent")
#define STRONG CONTRACT("any", "never", "yes", "yes", "never")

static struct mod_manifest importer, exporter, running, next;
static struct mod_lock_order order;
static struct mod_contract_result result;

static void must_parse(struct htest_ctx *ctx, struct mod_manifest *m, const char *text)
{
    struct mod_manifest_error error;
    if (mod_manifest_parse(m, text, strlen(text), "t.wisp", &error) != MOD_MANIFEST_OK)
        HTEST_FAIL("test manifest does not parse: %s", error.message);
}

/* Module "user" imports f with @import_body; module "lib" exports f with
 * @export_body and defines classes lib.a < lib.b < lib.c. */
static enum mod_contract_clause check_pair(struct htest_ctx *ctx, const char *import_body,
                                           const char *export_body)
{
    char text[1024];
    snprintf(text, sizeof(text), "module user\nversion 1.0\nlock user.held\nimport f {\n%s}\n",
             import_body);
    must_parse(ctx, &importer, text);
    snprintf(text, sizeof(text),
             "module lib\nversion 1.0\nlock lib.a\nlock lib.b\nlock lib.c\n"
             "order lib.a < lib.b\norder lib.b < lib.c\nexport f {\n%s}\n",
             export_body);
    must_parse(ctx, &exporter, text);
    mod_lock_order_init(&order);
    mod_lock_order_add(&order, &importer, NULL);
    mod_lock_order_add(&order, &exporter, NULL);
    return mod_contract_check_import(&importer, &importer.imports[0], &exporter,
                                     &exporter.exports[0], &order, &result);
}

#define EXPECT_PAIR_OK(import_body, export_body) \
    do { \
        EXPECT_EQ(check_pair(ctx, import_body, export_body), MOD_CLAUSE_OK); \
        EXPECT_STREQ(result.message, ""); \
    } while (0)

#define EXPECT_PAIR_REFUSED(import_body, export_body, clause_, message_) \
    do { \
        EXPECT_EQ(check_pair(ctx, import_body, export_body), clause_); \
        EXPECT_EQ(result.clause, clause_); \
        EXPECT_STREQ(result.message, message_); \
    } while (0)

#define PREFIX "module 'user': import 'f' (exported by 'lib'): clause "

/* ------------------------------------------------------------ (a) imports */

HTEST(manifest_import_satisfied_by_an_equal_or_stronger_export)
{
    EXPECT_PAIR_OK(PLAIN, PLAIN);
    EXPECT_PAIR_OK(PLAIN, STRONG);
    EXPECT_PAIR_OK(STRONG, STRONG);
}

HTEST(manifest_import_context_needs_the_export_to_allow_it)
{
    EXPECT_PAIR_OK(CONTRACT("interrupt", "never", "no", "no", "concurrent"),
                   CONTRACT("interrupt", "never", "no", "no", "concurrent"));
    EXPECT_PAIR_OK(CONTRACT("interrupt", "never", "no", "no", "concurrent"),
                   CONTRACT("any", "never", "no", "no", "concurrent"));
    EXPECT_PAIR_REFUSED(CONTRACT("interrupt", "never", "no", "no", "concurrent"),
                        CONTRACT("process", "never", "no", "no", "concurrent"), MOD_CLAUSE_CONTEXT,
                        PREFIX "'context': the importer calls it in context 'interrupt', the "
                               "export declares context 'process'");
    EXPECT_PAIR_REFUSED(CONTRACT("any", "never", "no", "no", "concurrent"),
                        CONTRACT("interrupt", "never", "no", "no", "concurrent"),
                        MOD_CLAUSE_CONTEXT,
                        PREFIX "'context': the importer calls it in context 'any', the export "
                               "declares context 'interrupt'");
    EXPECT_PAIR_REFUSED(CONTRACT("process", "may", "no", "no", "concurrent"),
                        CONTRACT("interrupt", "never", "no", "no", "concurrent"),
                        MOD_CLAUSE_CONTEXT,
                        PREFIX "'context': the importer calls it in context 'process', the "
                               "export declares context 'interrupt'");
}

HTEST(manifest_import_that_cannot_sleep_needs_a_non_sleeping_export)
{
    EXPECT_PAIR_OK(CONTRACT("process", "never", "no", "no", "concurrent"),
                   CONTRACT("process", "never", "no", "no", "concurrent"));
    EXPECT_PAIR_REFUSED(CONTRACT("process", "never", "no", "no", "concurrent"),
                        CONTRACT("process", "may", "no", "no", "concurrent"), MOD_CLAUSE_SLEEPS,
                        PREFIX "'sleeps': the importer needs 'sleeps never' (context "
                               "'process'), the export declares 'sleeps may'");
}

HTEST(manifest_import_from_interrupt_context_needs_no_sleep_whatever_it_says)
{
    /* The parser refuses "context interrupt, sleeps may"; a manifest built
     * in memory can still say it, and the rule must not trust it. */
    check_pair(ctx, CONTRACT("interrupt", "never", "no", "no", "concurrent"),
               CONTRACT("process", "may", "no", "no", "concurrent"));
    importer.imports[0].sleeps = MOD_SLEEPS_MAY;
    exporter.exports[0].context = MOD_CONTEXT_ANY;
    EXPECT_EQ(mod_contract_check_import(&importer, &importer.imports[0], &exporter,
                                        &exporter.exports[0], NULL, &result),
              MOD_CLAUSE_SLEEPS);
    EXPECT_STREQ(result.message, PREFIX "'sleeps': the importer needs 'sleeps never' (context "
                                        "'interrupt'), the export declares 'sleeps may'");
}

HTEST(manifest_import_reentrant_needs_a_reentrant_export)
{
    EXPECT_PAIR_OK(CONTRACT("process", "may", "no", "no", "concurrent"),
                   CONTRACT("process", "may", "no", "no", "concurrent"));
    EXPECT_PAIR_OK(CONTRACT("process", "may", "yes", "no", "concurrent"),
                   CONTRACT("process", "may", "yes", "no", "concurrent"));
    EXPECT_PAIR_REFUSED(CONTRACT("process", "may", "yes", "no", "concurrent"),
                        CONTRACT("process", "may", "no", "no", "concurrent"), MOD_CLAUSE_REENTRANT,
                        PREFIX "'reentrant': the importer calls it concurrently ('reentrant "
                               "yes'), the export declares 'reentrant no'");
}

HTEST(manifest_import_by_user_code_needs_a_user_callable_export)
{
    EXPECT_PAIR_OK(CONTRACT("process", "may", "no", "yes", "concurrent"),
                   CONTRACT("process", "may", "no", "yes", "concurrent"));
    EXPECT_PAIR_REFUSED(CONTRACT("process", "may", "no", "yes", "concurrent"),
                        CONTRACT("process", "may", "no", "no", "concurrent"),
                        MOD_CLAUSE_USER_CALLABLE,
                        PREFIX "'user-callable': the importer is user code ('user-callable "
                               "yes'), the export declares 'user-callable no'");
}

HTEST(manifest_import_update_policy_orders_quiescent_concurrent_never)
{
    static const char *const policy[] = { "quiescent", "concurrent", "never" };
    for (int want = 0; want < 3; want++) {
        for (int have = 0; have < 3; have++) {
            char import_body[256], export_body[256], expected[320];
            snprintf(import_body, sizeof(import_body), CONTRACT("process", "may", "no", "no", "%s"),
                     policy[want]);
            snprintf(export_body, sizeof(export_body), CONTRACT("process", "may", "no", "no", "%s"),
                     policy[have]);
            if (have >= want) {
                EXPECT_PAIR_OK(import_body, export_body);
                continue;
            }
            snprintf(expected, sizeof(expected),
                     PREFIX "'update': the importer accepts 'update %s' or stronger, the "
                            "export declares 'update %s'",
                     policy[want], policy[have]);
            EXPECT_PAIR_REFUSED(import_body, export_body, MOD_CLAUSE_UPDATE, expected);
        }
    }
}

HTEST(manifest_import_must_hold_what_the_export_needs_held)
{
    EXPECT_PAIR_OK(PLAIN "  holds lib.b\n", PLAIN "  caller-holds lib.b\n");
    EXPECT_PAIR_OK(PLAIN "  holds lib.b user.held\n", PLAIN "  caller-holds lib.b\n");
    EXPECT_PAIR_REFUSED(PLAIN "  holds user.held\n", PLAIN "  caller-holds lib.b\n",
                        MOD_CLAUSE_CALLER_HOLDS,
                        PREFIX "'caller-holds': the export needs its caller to hold 'lib.b', "
                               "the importer does not hold it");
    EXPECT_PAIR_REFUSED(PLAIN, PLAIN "  caller-holds lib.b\n", MOD_CLAUSE_CALLER_HOLDS,
                        PREFIX "'caller-holds': the export needs its caller to hold 'lib.b', "
                               "the importer does not hold it");
}

HTEST(manifest_import_holding_a_class_refuses_an_export_taking_it_again)
{
    EXPECT_PAIR_OK(PLAIN "  holds user.held\n", PLAIN "  acquires lib.a\n");
    EXPECT_PAIR_REFUSED(PLAIN "  holds lib.a\n", PLAIN "  acquires lib.a\n", MOD_CLAUSE_ACQUIRES,
                        PREFIX "'acquires': the export acquires 'lib.a', which the importer "
                               "already holds when calling (self-deadlock)");
}

HTEST(manifest_import_holding_a_class_refuses_an_export_taking_one_ordered_before)
{
    /* lib.a < lib.b < lib.c: holding lib.b, taking lib.c is in order. */
    EXPECT_PAIR_OK(PLAIN "  holds lib.b\n", PLAIN "  acquires lib.c\n");
    EXPECT_PAIR_REFUSED(PLAIN "  holds lib.b\n", PLAIN "  acquires lib.a\n", MOD_CLAUSE_LOCK_ORDER,
                        PREFIX "'lock order': the export acquires 'lib.a', ordered before "
                               "'lib.b' which the importer holds when calling (lock "
                               "inversion)");
    /* Through a chain of orders. */
    EXPECT_PAIR_REFUSED(PLAIN "  holds lib.c\n", PLAIN "  acquires lib.a\n", MOD_CLAUSE_LOCK_ORDER,
                        PREFIX "'lock order': the export acquires 'lib.a', ordered before "
                               "'lib.c' which the importer holds when calling (lock "
                               "inversion)");
    /* Unordered classes are not refused (the run-time validator sees them). */
    EXPECT_PAIR_OK(PLAIN "  holds user.held\n", PLAIN "  acquires lib.a\n");
    /* Without an order table only the class held itself is caught. */
    check_pair(ctx, PLAIN "  holds lib.b\n", PLAIN "  acquires lib.a\n");
    EXPECT_EQ(mod_contract_check_import(&importer, &importer.imports[0], &exporter,
                                        &exporter.exports[0], NULL, &result),
              MOD_CLAUSE_OK);
}

HTEST(manifest_import_check_accepts_a_null_result)
{
    check_pair(ctx, PLAIN, PLAIN);
    EXPECT_EQ(mod_contract_check_import(&importer, &importer.imports[0], &exporter,
                                        &exporter.exports[0], &order, NULL),
              MOD_CLAUSE_OK);
    exporter.exports[0].context = MOD_CONTEXT_INTERRUPT;
    EXPECT_EQ(mod_contract_check_import(&importer, &importer.imports[0], &exporter,
                                        &exporter.exports[0], &order, NULL),
              MOD_CLAUSE_CONTEXT);
}

/* ------------------------------------------------------------ (b) updates */

/* Module "m" 1.0 exports f with @old_body, 1.1 with @new_body. */
static enum mod_contract_clause check_update(struct htest_ctx *ctx, const char *old_body,
                                             const char *new_body)
{
    char text[1024];
    snprintf(text, sizeof(text), "module m\nversion 1.0\nlock m.a\nlock m.b\nexport f {\n%s}\n",
             old_body);
    must_parse(ctx, &running, text);
    snprintf(text, sizeof(text), "module m\nversion 1.1\nlock m.b\nlock m.a\nexport f {\n%s}\n",
             new_body);
    must_parse(ctx, &next, text);
    return mod_contract_check_update(&running, &next, &result);
}

#define EXPECT_UPDATE_OK(old_body, new_body) \
    do { \
        EXPECT_EQ(check_update(ctx, old_body, new_body), MOD_CLAUSE_OK); \
        EXPECT_STREQ(result.message, ""); \
    } while (0)

#define EXPECT_UPDATE_REFUSED(old_body, new_body, clause_, message_) \
    do { \
        EXPECT_EQ(check_update(ctx, old_body, new_body), clause_); \
        EXPECT_STREQ(result.message, message_); \
    } while (0)

#define UPDATE_PREFIX "module 'm': update 1.0 to 1.1: export 'f': clause "

HTEST(manifest_update_keeping_every_contract_is_allowed)
{
    EXPECT_UPDATE_OK(PLAIN, PLAIN);
    EXPECT_UPDATE_OK(CONTRACT("any", "never", "yes", "yes", "concurrent") "  acquires m.a\n",
                     CONTRACT("any", "never", "yes", "yes", "concurrent") "  acquires m.a\n");
}

HTEST(manifest_update_context_may_widen_never_narrow)
{
    EXPECT_UPDATE_OK(CONTRACT("process", "never", "no", "no", "concurrent"),
                     CONTRACT("any", "never", "no", "no", "concurrent"));
    EXPECT_UPDATE_OK(CONTRACT("interrupt", "never", "no", "no", "concurrent"),
                     CONTRACT("any", "never", "no", "no", "concurrent"));
    EXPECT_UPDATE_REFUSED(CONTRACT("any", "never", "no", "no", "concurrent"),
                          CONTRACT("process", "never", "no", "no", "concurrent"),
                          MOD_CLAUSE_CONTEXT,
                          UPDATE_PREFIX "'context': weakened from 'context any' to 'context "
                                        "process'");
    EXPECT_UPDATE_REFUSED(CONTRACT("process", "never", "no", "no", "concurrent"),
                          CONTRACT("interrupt", "never", "no", "no", "concurrent"),
                          MOD_CLAUSE_CONTEXT,
                          UPDATE_PREFIX "'context': weakened from 'context process' to "
                                        "'context interrupt'");
}

HTEST(manifest_update_may_stop_sleeping_never_start)
{
    EXPECT_UPDATE_OK(CONTRACT("process", "may", "no", "no", "concurrent"),
                     CONTRACT("process", "never", "no", "no", "concurrent"));
    EXPECT_UPDATE_REFUSED(CONTRACT("process", "never", "no", "no", "concurrent"),
                          CONTRACT("process", "may", "no", "no", "concurrent"), MOD_CLAUSE_SLEEPS,
                          UPDATE_PREFIX "'sleeps': weakened from 'sleeps never' to 'sleeps "
                                        "may'");
}

HTEST(manifest_update_may_become_reentrant_never_stop)
{
    EXPECT_UPDATE_OK(CONTRACT("process", "may", "no", "no", "concurrent"),
                     CONTRACT("process", "may", "yes", "no", "concurrent"));
    EXPECT_UPDATE_REFUSED(CONTRACT("process", "may", "yes", "no", "concurrent"),
                          CONTRACT("process", "may", "no", "no", "concurrent"),
                          MOD_CLAUSE_REENTRANT,
                          UPDATE_PREFIX "'reentrant': weakened from 'reentrant yes' to "
                                        "'reentrant no'");
}

HTEST(manifest_update_may_become_user_callable_never_stop)
{
    EXPECT_UPDATE_OK(CONTRACT("process", "may", "no", "no", "concurrent"),
                     CONTRACT("process", "may", "no", "yes", "concurrent"));
    EXPECT_UPDATE_REFUSED(CONTRACT("process", "may", "no", "yes", "concurrent"),
                          CONTRACT("process", "may", "no", "no", "concurrent"),
                          MOD_CLAUSE_USER_CALLABLE,
                          UPDATE_PREFIX "'user-callable': weakened from 'user-callable yes' "
                                        "to 'user-callable no'");
}

HTEST(manifest_update_keeps_a_ghost_functions_prototype_and_where_it_runs)
{
    EXPECT_UPDATE_OK(
        CONTRACT("process", "may", "yes", "yes", "concurrent") "  prototype int f(int a)\n",
        CONTRACT("process", "may", "yes", "yes", "concurrent") "  prototype int f(int a)\n");
    EXPECT_UPDATE_REFUSED(
        CONTRACT("process", "may", "yes", "yes", "concurrent") "  prototype int f(int a)\n",
        CONTRACT("process", "may", "yes", "yes", "concurrent") "  prototype long f(long a)\n",
        MOD_CLAUSE_USER_CALLABLE,
        UPDATE_PREFIX "'user-callable': changed its ghost function from 'runs gate', 'int f(int "
                      "a)' to 'runs gate', 'long f(long a)'");
}

HTEST(manifest_update_policy_may_move_towards_live_and_never_only)
{
    EXPECT_UPDATE_OK(CONTRACT("process", "may", "no", "no", "quiescent"),
                     CONTRACT("process", "may", "no", "no", "concurrent"));
    EXPECT_UPDATE_OK(CONTRACT("process", "may", "no", "no", "concurrent"),
                     CONTRACT("process", "may", "no", "no", "never"));
    EXPECT_UPDATE_REFUSED(CONTRACT("process", "may", "no", "no", "concurrent"),
                          CONTRACT("process", "may", "no", "no", "quiescent"), MOD_CLAUSE_UPDATE,
                          UPDATE_PREFIX "'update': weakened from 'update concurrent' to 'update "
                                        "quiescent'");
}

HTEST(manifest_update_of_a_version_with_an_update_never_export_is_refused)
{
    EXPECT_UPDATE_REFUSED(CONTRACT("process", "may", "no", "no", "never"),
                          CONTRACT("process", "may", "no", "no", "never"), MOD_CLAUSE_UPDATE_NEVER,
                          "module 'm': update 1.0 to 1.1: clause 'update never': export 'f' of "
                          "the running version says 'update never'");
}

HTEST(manifest_update_may_take_fewer_locks_never_more)
{
    EXPECT_UPDATE_OK(PLAIN "  acquires m.a m.b\n", PLAIN "  acquires m.b\n");
    EXPECT_UPDATE_OK(PLAIN "  acquires m.a\n", PLAIN);
    EXPECT_UPDATE_REFUSED(PLAIN "  acquires m.a\n", PLAIN "  acquires m.a m.b\n",
                          MOD_CLAUSE_ACQUIRES,
                          UPDATE_PREFIX "'acquires': the new version acquires 'm.b', the "
                                        "running one does not");
    EXPECT_UPDATE_REFUSED(PLAIN, PLAIN "  acquires x.y\n", MOD_CLAUSE_ACQUIRES,
                          UPDATE_PREFIX "'acquires': the new version acquires 'x.y', the "
                                        "running one does not");
}

HTEST(manifest_update_may_need_fewer_caller_locks_never_more)
{
    EXPECT_UPDATE_OK(PLAIN "  caller-holds m.a m.b\n", PLAIN "  caller-holds m.a\n");
    EXPECT_UPDATE_REFUSED(PLAIN "  caller-holds m.a\n", PLAIN "  caller-holds m.a m.b\n",
                          MOD_CLAUSE_CALLER_HOLDS,
                          UPDATE_PREFIX "'caller-holds': the new version needs its caller to "
                                        "hold 'm.b', the running one does not");
}

HTEST(manifest_update_may_add_exports_never_remove_them)
{
    must_parse(ctx, &running, "module m\nversion 1.0\nexport f {\n" PLAIN "}\n");
    must_parse(ctx, &next,
               "module m\nversion 1.1\nexport g {\n" PLAIN "}\n"
               "export f {\n" PLAIN "}\n");
    EXPECT_EQ(mod_contract_check_update(&running, &next, &result), MOD_CLAUSE_OK);
    EXPECT_EQ(mod_contract_check_update(&next, &running, &result), MOD_CLAUSE_MISSING_EXPORT);
    EXPECT_STREQ(result.message, "module 'm': update 1.1 to 1.0: export 'g': clause 'missing "
                                 "export': the new version removes it");
}

HTEST(manifest_update_must_be_for_the_same_module)
{
    must_parse(ctx, &running, "module m\nversion 1.0\n");
    must_parse(ctx, &next, "module n\nversion 1.1\n");
    EXPECT_EQ(mod_contract_check_update(&running, &next, &result), MOD_CLAUSE_MODULE_NAME);
    EXPECT_STREQ(result.message, "module 'm': update 1.0 to 1.1: clause 'module name': the new "
                                 "manifest is for module 'n'");
    /* Any version order: v2 -> v1 is an update like any other. */
    must_parse(ctx, &next, "module m\nversion 0.9\n");
    EXPECT_EQ(mod_contract_check_update(&running, &next, &result), MOD_CLAUSE_OK);
}

HTEST(manifest_update_needs_a_state_transfer_path)
{
    /* stateless -> stateful: nothing to transfer */
    must_parse(ctx, &running, "module m\nversion 1.0\n");
    must_parse(ctx, &next, "module m\nversion 1.1\nstate 1\n");
    EXPECT_EQ(mod_contract_check_update(&running, &next, &result), MOD_CLAUSE_OK);
    /* stateful -> stateless: the state would be lost */
    EXPECT_EQ(mod_contract_check_update(&next, &running, &result), MOD_CLAUSE_STATE);
    EXPECT_STREQ(result.message, "module 'm': update 1.1 to 1.0: clause 'state transfer': the "
                                 "running version has state version 1, the new one is "
                                 "stateless (the state would be lost)");
    /* same layout still needs a transfer function that takes it */
    must_parse(ctx, &running, "module m\nversion 1.0\nstate 1\n");
    must_parse(ctx, &next, "module m\nversion 1.1\nstate 1\n");
    EXPECT_EQ(mod_contract_check_update(&running, &next, &result), MOD_CLAUSE_STATE);
    EXPECT_STREQ(result.message, "module 'm': update 1.0 to 1.1: clause 'state transfer': the "
                                 "new version (state 1) has no transfer from state version 1 "
                                 "(add it to 'transfer-from')");
    must_parse(ctx, &next, "module m\nversion 1.1\nstate 2\ntransfer-from 3 1\n");
    EXPECT_EQ(mod_contract_check_update(&running, &next, &result), MOD_CLAUSE_OK);
    must_parse(ctx, &next, "module m\nversion 1.1\nstate 2\ntransfer-from 2 3\n");
    EXPECT_EQ(mod_contract_check_update(&running, &next, &result), MOD_CLAUSE_STATE);
}

HTEST(manifest_update_counter_1_2_to_2_0_example_is_allowed_and_not_back)
{
    must_parse(
        ctx, &running,
        "module counter\nversion 1.2\nstate 2\ntransfer-from 1 2\nlock counter.total\n"
        "export counter_read {\n" CONTRACT("process", "may", "yes", "yes", "concurrent") "}\n");
    must_parse(
        ctx, &next,
        "module counter\nversion 2.0\nstate 3\ntransfer-from 2 3\nlock counter.total\n"
        "export counter_read {\n" CONTRACT("any", "never", "yes", "yes", "concurrent") "}\n");
    EXPECT_EQ(mod_contract_check_update(&running, &next, &result), MOD_CLAUSE_OK);
    EXPECT_EQ(mod_contract_check_update(&next, &running, &result), MOD_CLAUSE_CONTEXT);
    EXPECT_STREQ(result.message, "module 'counter': update 2.0 to 1.2: export 'counter_read': "
                                 "clause 'context': weakened from 'context any' to 'context "
                                 "process'");
}

HTEST(manifest_swap_policy_is_the_most_demanding_export)
{
    must_parse(ctx, &running, "module m\nversion 1.0\n");
    EXPECT_EQ(mod_contract_swap_policy(&running), MOD_UPDATE_CONCURRENT);
    must_parse(ctx, &running,
               "module m\nversion 1.0\nexport f {\n" CONTRACT(
                   "process", "may", "no", "no",
                   "concurrent") "}\nexport g {\n" CONTRACT("process", "may", "no", "no",
                                                            "quiescent") "}\n");
    EXPECT_EQ(mod_contract_swap_policy(&running), MOD_UPDATE_QUIESCENT);
    running.exports[0].update = MOD_UPDATE_NEVER;
    EXPECT_EQ(mod_contract_swap_policy(&running), MOD_UPDATE_NEVER);
}

/* ------------------------------------------------------------ (c) lock order */

static struct mod_manifest set_storage[4];

HTEST(manifest_lock_order_follows_chains_across_modules)
{
    must_parse(ctx, &set_storage[0], "module a\nversion 1.0\nlock a.x\norder a.x < b.y\n");
    must_parse(ctx, &set_storage[1], "module b\nversion 1.0\nlock b.y\norder b.y < c.z\n");
    mod_lock_order_init(&order);
    EXPECT_EQ(mod_lock_order_add(&order, &set_storage[0], &result), MOD_CLAUSE_OK);
    EXPECT_EQ(mod_lock_order_add(&order, &set_storage[1], &result), MOD_CLAUSE_OK);
    EXPECT_TRUE(mod_lock_order_before(&order, "a.x", "b.y"));
    EXPECT_TRUE(mod_lock_order_before(&order, "a.x", "c.z"));
    EXPECT_FALSE(mod_lock_order_before(&order, "c.z", "a.x"));
    EXPECT_FALSE(mod_lock_order_before(&order, "a.x", "a.x"));
    EXPECT_FALSE(mod_lock_order_before(&order, "a.x", "unknown.class"));
    EXPECT_EQ(mod_lock_order_check(&order, &result), MOD_CLAUSE_OK);
    EXPECT_EQ(order.class_count, 3);
    EXPECT_EQ(order.edge_count, 2);
    EXPECT_STREQ(order.classes[0].defined_by, "a");
    EXPECT_NULL(order.classes[2].defined_by);
}

HTEST(manifest_lock_order_reports_a_two_module_cycle_with_who_declared_it)
{
    must_parse(ctx, &set_storage[0], "module a\nversion 1.0\nlock a.x\norder a.x < b.y\n");
    must_parse(ctx, &set_storage[1], "module b\nversion 1.0\nlock b.y\n\norder b.y < a.x\n");
    mod_lock_order_init(&order);
    mod_lock_order_add(&order, &set_storage[0], NULL);
    mod_lock_order_add(&order, &set_storage[1], NULL);
    EXPECT_EQ(mod_lock_order_check(&order, &result), MOD_CLAUSE_LOCK_CYCLE);
    EXPECT_EQ(result.clause, MOD_CLAUSE_LOCK_CYCLE);
    EXPECT_STREQ(result.message, "lock order cycle: a.x < b.y (module 'a', line 4) < a.x "
                                 "(module 'b', line 5)");
}

HTEST(manifest_lock_order_reports_a_longer_cycle_after_an_acyclic_part)
{
    must_parse(ctx, &set_storage[0],
               "module a\nversion 1.0\nlock a.w\nlock a.x\n"
               "order a.w < a.x\norder a.x < b.y\n");
    must_parse(ctx, &set_storage[1], "module b\nversion 1.0\nlock b.y\norder b.y < c.z\n");
    must_parse(ctx, &set_storage[2], "module c\nversion 1.0\nlock c.z\norder c.z < a.x\n");
    mod_lock_order_init(&order);
    for (int i = 0; i < 3; i++)
        mod_lock_order_add(&order, &set_storage[i], NULL);
    EXPECT_EQ(mod_lock_order_check(&order, &result), MOD_CLAUSE_LOCK_CYCLE);
    EXPECT_STREQ(result.message, "lock order cycle: a.x < b.y (module 'a', line 6) < c.z "
                                 "(module 'b', line 4) < a.x (module 'c', line 4)");
}

HTEST(manifest_lock_order_keeps_one_edge_declared_twice)
{
    must_parse(ctx, &set_storage[0], "module a\nversion 1.0\nlock a.x\norder a.x < b.y\n");
    must_parse(ctx, &set_storage[1], "module b\nversion 1.0\nlock b.y\norder a.x < b.y\n");
    mod_lock_order_init(&order);
    mod_lock_order_add(&order, &set_storage[0], NULL);
    mod_lock_order_add(&order, &set_storage[1], NULL);
    EXPECT_EQ(order.edge_count, 1);
    EXPECT_EQ(mod_lock_order_check(&order, &result), MOD_CLAUSE_OK);
}

HTEST(manifest_lock_order_refuses_more_classes_or_edges_than_it_holds)
{
    static char text[8192];
    mod_lock_order_init(&order);
    enum mod_contract_clause clause = MOD_CLAUSE_OK;
    /* Each manifest names 32 classes: the ninth overflows 256. */
    for (int m = 0; m < 9 && !clause; m++) {
        char *p = text + sprintf(text, "module m%d\nversion 1.0\n", m);
        for (int i = 0; i < 32; i += 2)
            p += sprintf(p, "order x%d.a%d < x%d.b%d\n", m, i, m, i);
        must_parse(ctx, &set_storage[0], text);
        clause = mod_lock_order_add(&order, &set_storage[0], &result);
    }
    EXPECT_EQ(clause, MOD_CLAUSE_LIMIT);
    EXPECT_STREQ(result.message, "module 'm8': clause 'limit': more than 256 lock classes in "
                                 "the set");
}

/* ------------------------------------------------------------ sets */

struct findings {
    size_t count;
    char messages[8][MOD_CONTRACT_MESSAGE_SIZE];
    enum mod_contract_clause clauses[8];
};

static void collect(void *context, const struct mod_contract_result *finding)
{
    struct findings *f = context;
    if (f->count < 8) {
        memcpy(f->messages[f->count], finding->message, sizeof(finding->message));
        f->clauses[f->count] = finding->clause;
    }
    f->count++;
}

static size_t check_set(struct htest_ctx *ctx, struct findings *f, int count, const char *a,
                        const char *b, const char *c)
{
    const char *texts[3] = { a, b, c };
    const struct mod_manifest *set[3];
    memset(f, 0, sizeof(*f));
    for (int i = 0; i < count; i++) {
        must_parse(ctx, &set_storage[i], texts[i]);
        set[i] = &set_storage[i];
    }
    return mod_contract_check_set(set, (size_t)count, &order, collect, f);
}

#define EXPORTER "module lib\nversion 1.0\nlock lib.a\nexport f {\n" PLAIN "  acquires lib.a\n}\n"

HTEST(manifest_set_of_compatible_modules_has_no_findings)
{
    struct findings f;
    EXPECT_EQ(
        check_set(ctx, &f, 2, EXPORTER, "module user\nversion 1.0\nimport f {\n" PLAIN "}\n", NULL),
        0);
    EXPECT_EQ(f.count, 0);
}

HTEST(manifest_set_reports_unresolved_and_incompatible_imports)
{
    struct findings f;
    EXPECT_EQ(check_set(ctx, &f, 2, EXPORTER,
                        "module user\nversion 1.0\nimport g {\n" PLAIN "}\nimport f {\n" CONTRACT(
                            "process", "may", "yes", "no", "quiescent") "}\n",
                        NULL),
              2);
    EXPECT_EQ(f.clauses[0], MOD_CLAUSE_MISSING_EXPORT);
    EXPECT_STREQ(f.messages[0], "module 'user': import 'g': clause 'missing export': no module "
                                "of the set exports it");
    EXPECT_EQ(f.clauses[1], MOD_CLAUSE_REENTRANT);
}

HTEST(manifest_set_reports_duplicate_modules_and_exports)
{
    struct findings f;
    EXPECT_EQ(check_set(ctx, &f, 3, EXPORTER, EXPORTER,
                        "module other\nversion 1.0\nexport f {\n" PLAIN "}\n"),
              3);
    EXPECT_STREQ(f.messages[0], "set: clause 'duplicate': module 'lib' appears twice");
    EXPECT_STREQ(f.messages[1], "set: clause 'duplicate': symbol 'f' is exported by module "
                                "'lib' and by module 'other'");
    EXPECT_EQ(f.clauses[2], MOD_CLAUSE_DUPLICATE); /* the second 'lib' and 'other' */
}

HTEST(manifest_set_reports_lock_classes_no_module_defines)
{
    struct findings f;
    EXPECT_EQ(check_set(ctx, &f, 1,
                        "module user\nversion 1.0\nexport g {\n" PLAIN "  acquires gone.lock\n}\n",
                        NULL, NULL),
              1);
    EXPECT_EQ(f.clauses[0], MOD_CLAUSE_LOCK_UNDEFINED);
    EXPECT_STREQ(f.messages[0], "module 'user': clause 'undefined lock class': names lock class "
                                "'gone.lock', which no module of the set defines");
}

HTEST(manifest_set_reports_cycles_and_order_violations)
{
    struct findings f;
    EXPECT_EQ(check_set(ctx, &f, 2,
                        "module lib\nversion 1.0\nlock lib.a\norder lib.a < user.b\n"
                        "export f {\n" PLAIN "  acquires lib.a\n}\n",
                        "module user\nversion 1.0\nlock user.b\norder user.b < lib.a\n"
                        "import f {\n" PLAIN "  holds user.b\n}\n",
                        NULL),
              2);
    EXPECT_EQ(f.clauses[0], MOD_CLAUSE_LOCK_CYCLE);
    EXPECT_STREQ(f.messages[0], "lock order cycle: lib.a < user.b (module 'lib', line 4) < "
                                "lib.a (module 'user', line 4)");
    EXPECT_EQ(f.clauses[1], MOD_CLAUSE_LOCK_ORDER);
}

HTEST(manifest_set_of_the_examples_audits_clean)
{
    static const char *const names[] = { "counter.wisp", "console.wisp", "clock.wisp" };
    static char text[4096];
    const struct mod_manifest *set[3];
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", MANIFEST_TEST_DATA, names[i]);
        FILE *file = fopen(path, "rb");
        ASSERT_NOT_NULL(file);
        size_t size = fread(text, 1, sizeof(text), file);
        fclose(file);
        struct mod_manifest_error error;
        ASSERT_EQ(mod_manifest_parse(&set_storage[i], text, size, names[i], &error),
                  MOD_MANIFEST_OK);
        set[i] = &set_storage[i];
    }
    struct findings f;
    memset(&f, 0, sizeof(f));
    EXPECT_EQ(mod_contract_check_set(set, 3, &order, collect, &f), 0);
    if (f.count)
        HTEST_FAIL("first finding: %s", f.messages[0]);
    EXPECT_EQ(mod_contract_check_set(set, 3, &order, NULL, NULL), 0);
}

HTEST(manifest_clause_names)
{
    EXPECT_STREQ(mod_contract_clause_name(MOD_CLAUSE_LOCK_ORDER), "lock order");
    EXPECT_STREQ(mod_contract_clause_name(MOD_CLAUSE_COUNT), "unknown clause");
}
