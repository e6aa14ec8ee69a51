/* manifest.h — a module's manifest: its name, version, state layout, lock
 * classes and the concurrency contract of every export and import.
 *
 * The manifest is text (grammar in MODULES.md, "Manifests and contracts"),
 * written next to the module's source and carried in the module's signed
 * section as `.wisp.manifest`. mod_manifest_parse() turns it into a
 * struct mod_manifest; mod_manifest_print() writes that back in canonical
 * form. The rules that compare contracts live in contract.h.
 *
 * Pure code: no allocation, no locks, no global state; callable from any
 * context. The caller provides the struct mod_manifest (about 12 KiB: keep it
 * off small kernel stacks). Input is (pointer, size): it need not be
 * NUL-terminated and nothing past size is read.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits. Input over a limit is refused with MOD_MANIFEST_E_LIMIT. */
#define MOD_MANIFEST_MAX_SIZE       (64u * 1024u) /* bytes of text */
#define MOD_MANIFEST_MAX_LINE       1024u         /* bytes per line, newline excluded */
#define MOD_MANIFEST_MAX_WORDS      16u           /* words per line, comment excluded */
#define MOD_MANIFEST_NAME_MAX       63u           /* symbol and lock class names */
#define MOD_MANIFEST_NAME_SIZE      (MOD_MANIFEST_NAME_MAX + 1u)
#define MOD_MANIFEST_MODULE_MAX     31u /* fits an image section name */
#define MOD_MANIFEST_MAX_EXPORTS    96u /* the core exports ~70 */
#define MOD_MANIFEST_MAX_IMPORTS    32u
#define MOD_MANIFEST_MAX_LOCK_NAMES 32u    /* classes defined or referenced */
#define MOD_MANIFEST_MAX_ORDERS     32u    /* `order A < B` lines */
#define MOD_MANIFEST_MAX_LIST       8u     /* classes in one acquires/holds line */
#define MOD_MANIFEST_MAX_TRANSFER   8u     /* versions in `transfer-from` */
#define MOD_MANIFEST_MAX_STATE      65535u /* state layout versions 1.. */
#define MOD_MANIFEST_ERROR_SIZE     320u
#define MOD_MANIFEST_PROTOTYPE_MAX  127u /* bytes of a `prototype` (C declaration) */
#define MOD_MANIFEST_MAX_CLAIMS     16u  /* `claims` lines */
#define MOD_MANIFEST_MAX_INTERFACES 4u   /* `interface` lines */
#define MOD_MANIFEST_MAX_METHODS    16u  /* `method` blocks, over all its interfaces */
#define MOD_MANIFEST_MAX_IMPLEMENTS 4u   /* `implements` lines */
#define MOD_MANIFEST_IID_MAX        47u  /* interface names */
#define MOD_MANIFEST_CLSID_MAX      23u  /* class names */

enum mod_manifest_status {
    MOD_MANIFEST_OK = 0,
    MOD_MANIFEST_E_SIZE,         /* empty, or larger than MOD_MANIFEST_MAX_SIZE */
    MOD_MANIFEST_E_CHARACTER,    /* NUL, CR, control or non-ASCII byte */
    MOD_MANIFEST_E_SYNTAX,       /* a word other than the grammar expects */
    MOD_MANIFEST_E_UNKNOWN_KEY,  /* directive or field name not in the grammar */
    MOD_MANIFEST_E_DUPLICATE,    /* the same export/import/field/class twice */
    MOD_MANIFEST_E_MISSING,      /* a required directive or field is absent */
    MOD_MANIFEST_E_LIMIT,        /* a name, line or count over its limit */
    MOD_MANIFEST_E_CONFLICT,     /* fields that contradict each other */
    MOD_MANIFEST_E_UNTERMINATED, /* input ends inside an export/import block */
    MOD_MANIFEST_STATUS_COUNT
};

/* Where code may be called from. A bit set: ANY = PROCESS | INTERRUPT. */
enum mod_context {
    MOD_CONTEXT_PROCESS = 1,
    MOD_CONTEXT_INTERRUPT = 2,
    MOD_CONTEXT_ANY = 3,
};

enum mod_sleeps { MOD_SLEEPS_NEVER = 1, MOD_SLEEPS_MAY = 2 };

/* How the module's exports may be replaced while the system runs:
 * CONCURRENT  callers never wait: new call chains enter the new version
 *             while chains already inside finish on the old one;
 * QUIESCENT   new calls are paused and in-flight calls drained (a blackout);
 * NEVER       the running implementation is never replaced.
 * (The manifest word `live` of earlier versions is refused with a message
 * naming `concurrent`.) */
enum mod_update_policy {
    MOD_UPDATE_CONCURRENT = 1,
    MOD_UPDATE_QUIESCENT = 2,
    MOD_UPDATE_NEVER = 3,
};

/* Where a user-callable export runs when a program calls it (its ghost
 * function, MODULES.md "Ghost bindings"): GATE, in ring 0 through the
 * system-call gate (the default); USER, as ghost code in user mode (the
 * core's ghost code only). */
enum mod_runs { MOD_RUNS_GATE = 0, MOD_RUNS_USER = 1 };

/* Lock class sets are bit masks over struct mod_manifest.lock_names. */
typedef uint32_t mod_lock_set;

/* An export's contract is a promise; an import's is a requirement (what the
 * importer does when it calls): context it calls from, whether it can bear
 * a sleep, whether it calls concurrently (reentrant), the classes it holds
 * (holds), whether it is user code (user_callable), and the least
 * disruptive update policy it accepts. `acquires` and `caller_holds` are
 * export-only; `holds` is import-only (always 0 in the other). */
struct mod_contract {
    char symbol[MOD_MANIFEST_NAME_SIZE];
    enum mod_context context;
    enum mod_sleeps sleeps;
    bool reentrant;
    bool user_callable;
    enum mod_update_policy update;
    mod_lock_set acquires;     /* export: classes it takes */
    mod_lock_set caller_holds; /* export: classes the caller must hold */
    mod_lock_set holds;        /* import: classes held when calling */
    uint32_t line;             /* of the `export`/`import` line */
    /* export, user-callable only: where it runs, and its C declaration for
     * the SDK's ghost.h ("" when not given): words separated by one space */
    enum mod_runs runs;
    char prototype[MOD_MANIFEST_PROTOTYPE_MAX + 1];
};

/* Devices (MODULES.md, "Devices, resources and interfaces"): what the
 * module may claim, the interfaces it defines (their methods' contracts)
 * and the ones it implements. */
enum mod_claim_kind { MOD_CLAIM_PCI = 1, MOD_CLAIM_PORTS = 2, MOD_CLAIM_IRQ = 3 };

struct mod_claim_decl {
    enum mod_claim_kind kind;
    uint32_t first, last; /* pci: vendor << 16 | device (first == last) */
    uint32_t line;
};

struct mod_interface_decl {
    char iid[MOD_MANIFEST_IID_MAX + 1];
    uint16_t major, minor;
    uint8_t first_method, method_count; /* its methods: methods[first..] */
    uint32_t line;
};

/* The class implements iid; method M is its export CLSID_M. */
struct mod_implements_decl {
    char iid[MOD_MANIFEST_IID_MAX + 1];
    char clsid[MOD_MANIFEST_CLSID_MAX + 1];
    uint16_t major, minor;
    uint32_t line;
};

struct mod_lock_order_decl {
    uint8_t before, after; /* indexes into lock_names: before < after */
    uint32_t line;
};

/* What mod_manifest_parse() fills. Invariants the printer and the contract
 * rules rely on (a manifest built in memory must keep them): every count
 * is within its limit, every lock index and set bit is below
 * lock_name_count, names are NUL-terminated, transfer_from is sorted. */
struct mod_manifest {
    char name[MOD_MANIFEST_MODULE_MAX + 1];
    uint16_t version_major, version_minor; /* image version = major<<16|minor */
    uint16_t state_version;                /* 0: stateless */
    uint8_t transfer_count;                /* 0: no state-transfer function */
    uint16_t transfer_from[MOD_MANIFEST_MAX_TRANSFER];
    uint8_t lock_name_count;
    char lock_names[MOD_MANIFEST_MAX_LOCK_NAMES][MOD_MANIFEST_NAME_SIZE];
    mod_lock_set defines; /* classes this module defines */
    uint8_t order_count;
    struct mod_lock_order_decl orders[MOD_MANIFEST_MAX_ORDERS];
    uint8_t export_count, import_count;
    struct mod_contract exports[MOD_MANIFEST_MAX_EXPORTS];
    struct mod_contract imports[MOD_MANIFEST_MAX_IMPORTS];
    uint8_t claim_count, interface_count, method_count, implements_count;
    struct mod_claim_decl claims[MOD_MANIFEST_MAX_CLAIMS];
    struct mod_interface_decl interfaces[MOD_MANIFEST_MAX_INTERFACES];
    struct mod_contract methods[MOD_MANIFEST_MAX_METHODS]; /* symbol: the method's name */
    struct mod_implements_decl implements[MOD_MANIFEST_MAX_IMPLEMENTS];
};

struct mod_manifest_error {
    enum mod_manifest_status code;
    uint32_t line, column; /* 1-based; 0 when not about one place */
    /* "FILE:LINE:COLUMN: what was found and what was expected" */
    char message[MOD_MANIFEST_ERROR_SIZE];
};

/**
 * mod_manifest_parse - parse manifest text into @manifest.
 * @file: name used in error messages (not opened); may be NULL.
 *
 * Returns MOD_MANIFEST_OK, or the status of the first error with @err (may
 * be NULL) naming the line, column and what was expected. On error
 * @manifest holds a partial result that must not be used.
 * Context: any. Sleeps: never. Reads at most @size bytes of @text.
 */
enum mod_manifest_status mod_manifest_parse(struct mod_manifest *manifest, const void *text,
                                            size_t size, const char *file,
                                            struct mod_manifest_error *err);

/**
 * mod_manifest_print - write @manifest in canonical form (the layout the
 * grammar shows, lock sets sorted by name, two spaces of indent).
 *
 * Writes at most @size bytes including a terminating NUL (when @size > 0)
 * and returns the length of the whole text, as snprintf does: the output is
 * complete when the result is below @size. Parsing the output gives an
 * equal manifest. Context: any. Sleeps: never.
 */
size_t mod_manifest_print(const struct mod_manifest *manifest, char *out, size_t size);

/* Short stable name of a status ("syntax error", ...). */
const char *mod_manifest_status_name(enum mod_manifest_status code);

/* Grammar words for the enums ("interrupt", "never", "quiescent", ...). */
const char *mod_context_name(enum mod_context context);
const char *mod_sleeps_name(enum mod_sleeps sleeps);
const char *mod_update_policy_name(enum mod_update_policy policy);
const char *mod_runs_name(enum mod_runs runs);

/* Index of @symbol among the manifest's exports (or imports), -1 if none. */
int mod_manifest_find_export(const struct mod_manifest *manifest, const char *symbol);
int mod_manifest_find_import(const struct mod_manifest *manifest, const char *symbol);

/* Index of lock class @name in lock_names, -1 if the manifest never names it. */
int mod_manifest_find_lock(const struct mod_manifest *manifest, const char *name);
