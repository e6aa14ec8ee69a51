/* error.h — the status codes and error record shared by the image reader,
 * the ELF reader, the relocator and signature verification.
 *
 * Every function that can fail on bad input returns an enum mod_status and,
 * when given a struct mod_error, fills it with the code and a one-line
 * message naming what failed and where (section, symbol, relocation index).
 * Pure code: no allocation, no locks; callable from any context.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

enum mod_status {
    MOD_OK = 0,
    /* image trailer */
    MOD_E_IMAGE_TRUNCATED,       /* file shorter than the footer or table says */
    MOD_E_IMAGE_MAGIC,           /* footer magic missing: no trailer */
    MOD_E_IMAGE_VERSION,         /* footer version or size unknown */
    MOD_E_IMAGE_TABLE,           /* table offset/size/count inconsistent */
    MOD_E_IMAGE_SECTION_BOUNDS,  /* section offset+size outside the content area */
    MOD_E_IMAGE_SECTION_OVERLAP, /* sections overlap or are not in offset order */
    MOD_E_IMAGE_SECTION_TYPE,    /* unknown type, or core/config misplaced */
    MOD_E_IMAGE_SECTION_NAME,    /* empty, unterminated or bad characters */
    MOD_E_IMAGE_DUPLICATE_NAME,  /* two sections with one name */
    MOD_E_IMAGE_RESERVED,        /* reserved field or unknown flag not zero */
    MOD_E_NOT_FOUND,             /* no section of that name */
    /* signatures */
    MOD_E_UNSIGNED,  /* section carries no signature */
    MOD_E_CHECKSUM,  /* content SHA-256 differs from the table's */
    MOD_E_SIGNATURE, /* signature does not verify with the key */
    MOD_E_KEY,       /* key missing, unreadable or not P-256 */
    /* ELF object */
    MOD_E_ELF_TRUNCATED,      /* shorter than the ELF header */
    MOD_E_ELF_MAGIC,          /* not an ELF file */
    MOD_E_ELF_CLASS,          /* not ELFCLASS64 little-endian version 1 */
    MOD_E_ELF_TYPE,           /* not ET_REL */
    MOD_E_ELF_MACHINE,        /* not EM_X86_64 */
    MOD_E_ELF_HEADER,         /* header sizes/counts/indexes invalid */
    MOD_E_ELF_SECTION_BOUNDS, /* section data outside the file */
    MOD_E_ELF_SECTION,        /* unsupported type/flags/alignment */
    MOD_E_ELF_STRING,         /* string table unterminated or name out of range */
    MOD_E_ELF_SYMTAB,         /* symbol table malformed */
    MOD_E_ELF_SYMBOL,         /* symbol with bad section/type/value */
    MOD_E_ELF_RELOC_SECTION,  /* relocation section with bad link/info */
    /* layout and relocation */
    MOD_E_LAYOUT,         /* sections too large or alignment too big */
    MOD_E_RELOC_TYPE,     /* relocation type not supported */
    MOD_E_RELOC_SYMBOL,   /* symbol index out of range or not loaded */
    MOD_E_RELOC_BOUNDS,   /* relocated field outside its section */
    MOD_E_RELOC_OVERFLOW, /* value does not fit a 32-bit field */
    MOD_E_UNRESOLVED,     /* import not found by the resolver */
    MOD_E_CONFIG,         /* boot configuration line malformed */
    /* kernel loader */
    MOD_E_INIT,  /* the module's init returned an error */
    MOD_E_CYCLE, /* modules import from each other in a cycle */
    MOD_E_BUSY,  /* other modules still import from it */
    /* manifests and contracts */
    MOD_E_MANIFEST, /* no .wisp.manifest, or it does not parse or match */
    MOD_E_CONTRACT, /* an import's contract is not satisfied */
    /* executables (exec.h) */
    MOD_E_EXEC_TYPE,    /* not a position-independent executable (ET_DYN) */
    MOD_E_EXEC_SEGMENT, /* a program header is malformed or not allowed */
    MOD_E_EXEC_DYNAMIC, /* the dynamic section or one of its tables is malformed */
    /* the loader and live update */
    MOD_E_NO_MEMORY,        /* the kernel is out of memory (heap, pages, module area) */
    MOD_E_ALREADY_LOADED,   /* a module of that name is already loaded */
    MOD_E_VERSION_OLD,      /* the pushed version is not newer than the running one */
    MOD_E_VERSION_MISMATCH, /* the manifest's version differs from the section's */
    MOD_STATUS_COUNT
};

#define MOD_ERROR_MESSAGE_MAX 384

struct mod_error {
    enum mod_status code;
    char message[MOD_ERROR_MESSAGE_MAX];
};

/* Short stable name of a status ("checksum mismatch", ...). */
const char *mod_status_name(enum mod_status code);

/* Records code and a formatted message in err (if err is not NULL) and
 * returns code, so that callers can write `return mod_fail(err, ...)`. */
enum mod_status mod_fail(struct mod_error *err, enum mod_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Overflow-safe range check: does [offset, offset+length) lie in [0, size)? */
static inline int mod_range_ok(uint64_t offset, uint64_t length, uint64_t size)
{
    return offset <= size && length <= size - offset;
}
