/* contract.h — the compatibility rules between manifests (the table in
 * MODULES.md, "Manifests and contracts"):
 *
 *   (a) mod_contract_check_import   an import is satisfied by an export only
 *                                   if the export is at least as strong;
 *   (b) mod_contract_check_update   a new version keeps or strengthens every
 *                                   export and can take over the state;
 *   (c) mod_lock_order_check        the union of declared lock orders is
 *                                   acyclic;
 *   mod_contract_check_set          (a) and (c) over a whole set of modules.
 *
 * Each check returns MOD_CLAUSE_OK or the clause that failed, and fills a
 * struct mod_contract_result whose message names the module, the symbol
 * and the clause. Pure code: no allocation, no locks; callable from any
 * context. The lock order refers to the manifests it was built from
 * (module names): they must outlive it.
 */
#pragma once
#include "modload/contract/manifest.h"

enum mod_contract_clause {
    MOD_CLAUSE_OK = 0,
    MOD_CLAUSE_CONTEXT,        /* export not callable from the importer's context */
    MOD_CLAUSE_SLEEPS,         /* export may sleep, importer cannot bear it */
    MOD_CLAUSE_REENTRANT,      /* importer calls concurrently, export not reentrant */
    MOD_CLAUSE_USER_CALLABLE,  /* importer is user code, export not user-callable */
    MOD_CLAUSE_UPDATE,         /* export's update policy more disruptive than accepted */
    MOD_CLAUSE_CALLER_HOLDS,   /* export needs a class held that the importer does not */
    MOD_CLAUSE_ACQUIRES,       /* export takes a class the importer holds; or an
                                  * update takes a class the old version did not */
    MOD_CLAUSE_LOCK_ORDER,     /* export takes a class ordered before a held one */
    MOD_CLAUSE_MISSING_EXPORT, /* import unresolved, or an update drops an export */
    MOD_CLAUSE_DUPLICATE,      /* two modules of one name, or one symbol exported twice */
    MOD_CLAUSE_MODULE_NAME,    /* an update for another module */
    MOD_CLAUSE_UPDATE_NEVER,   /* the running version has an `update never` export */
    MOD_CLAUSE_STATE,          /* no state-transfer path from the running version */
    MOD_CLAUSE_LOCK_CYCLE,     /* the declared orders form a cycle */
    MOD_CLAUSE_LOCK_UNDEFINED, /* a class named that no module defines */
    MOD_CLAUSE_LIMIT,          /* the lock order table is full */
    MOD_CLAUSE_COUNT
};

#define MOD_CONTRACT_MESSAGE_SIZE 384u

struct mod_contract_result {
    enum mod_contract_clause clause;
    /* "module 'counter': import 'console_write' (exported by 'console'):
     *  clause 'context': ..." */
    char message[MOD_CONTRACT_MESSAGE_SIZE];
};

/* The word of a clause in messages and in MODULES.md ("context", ...). */
const char *mod_contract_clause_name(enum mod_contract_clause clause);

/* ------------------------------------------------------------ lock order */

#define MOD_LOCK_ORDER_MAX_CLASSES 256u
#define MOD_LOCK_ORDER_MAX_EDGES   512u

struct mod_lock_class {
    char name[MOD_MANIFEST_NAME_SIZE];
    const char *defined_by; /* module name, NULL while no manifest defines it */
    const char *named_by;   /* first module that names it */
};

struct mod_lock_edge {
    uint16_t before, after; /* indexes into classes: before < after */
    const char *module;     /* module that declared it */
    uint32_t line;          /* of its `order` line */
};

/* The union of the lock classes and orders of a set of manifests (about
 * 30 KiB: give it static or heap storage, not a kernel stack). */
struct mod_lock_order {
    uint32_t class_count, edge_count;
    struct mod_lock_class classes[MOD_LOCK_ORDER_MAX_CLASSES];
    struct mod_lock_edge edges[MOD_LOCK_ORDER_MAX_EDGES];
};

void mod_lock_order_init(struct mod_lock_order *order);

/* Adds the classes and `order` lines of @manifest. MOD_CLAUSE_LIMIT when
 * the table is full (nothing of @manifest is then known to be complete). */
enum mod_contract_clause mod_lock_order_add(struct mod_lock_order *order,
                                            const struct mod_manifest *manifest,
                                            struct mod_contract_result *result);

/* True when a chain of declared orders puts class @a before class @b. */
bool mod_lock_order_before(const struct mod_lock_order *order, const char *a, const char *b);

/* (c) MOD_CLAUSE_LOCK_CYCLE naming every class of one cycle and, for each
 * edge, the module and line that declared it; else MOD_CLAUSE_OK. */
enum mod_contract_clause mod_lock_order_check(const struct mod_lock_order *order,
                                              struct mod_contract_result *result);

/* ------------------------------------------------------------ the rules */

/**
 * mod_contract_check_import - (a): does @export of module @exporter
 * satisfy @import of module @importer? @order (may be NULL: then only a
 * class held and acquired at once is caught) gives the declared lock order.
 */
enum mod_contract_clause
mod_contract_check_import(const struct mod_manifest *importer, const struct mod_contract *import,
                          const struct mod_manifest *exporter, const struct mod_contract *export,
                          const struct mod_lock_order *order, struct mod_contract_result *result);

/**
 * mod_contract_check_update - (b): may @next replace the @running version
 * of a module? Same module name, no `update never` export in @running,
 * every export of @running kept in @next at least as strong, and a state
 * transfer from @running's state version. Imports of @next and the lock
 * order are checked against the system with mod_contract_check_set().
 */
enum mod_contract_clause mod_contract_check_update(const struct mod_manifest *running,
                                                   const struct mod_manifest *next,
                                                   struct mod_contract_result *result);

/* How a swap of @running must proceed: NEVER if an export says so, else
 * QUIESCENT if an export needs it, else LIVE (also for no exports). */
enum mod_update_policy mod_contract_swap_policy(const struct mod_manifest *running);

/**
 * mod_contract_check_set - every finding of a set of manifests: duplicate
 * modules or exports, lock classes no module defines, lock order cycles,
 * and each import resolved by symbol name and checked with (a). Calls
 * @report (may be NULL) once per finding and returns their number. @scratch
 * is overwritten with the set's lock order.
 */
size_t mod_contract_check_set(
    const struct mod_manifest *const *manifests, size_t count, struct mod_lock_order *scratch,
    void (*report)(void *context, const struct mod_contract_result *finding), void *context);
