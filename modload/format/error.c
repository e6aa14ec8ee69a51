/* error.c — status names and the error record (see error.h). */
#include "modload/format/error.h"
#include <stdarg.h>
#include <wisp/format.h>

static const char *const status_names[MOD_STATUS_COUNT] = {
    [MOD_OK] = "ok",
    [MOD_E_IMAGE_TRUNCATED] = "image truncated",
    [MOD_E_IMAGE_MAGIC] = "no image trailer",
    [MOD_E_IMAGE_VERSION] = "unknown image version",
    [MOD_E_IMAGE_TABLE] = "bad section table",
    [MOD_E_IMAGE_SECTION_BOUNDS] = "section out of bounds",
    [MOD_E_IMAGE_SECTION_OVERLAP] = "sections overlap",
    [MOD_E_IMAGE_SECTION_TYPE] = "bad section type",
    [MOD_E_IMAGE_SECTION_NAME] = "bad section name",
    [MOD_E_IMAGE_DUPLICATE_NAME] = "duplicate section name",
    [MOD_E_IMAGE_RESERVED] = "reserved field set",
    [MOD_E_NOT_FOUND] = "not found",
    [MOD_E_UNSIGNED] = "unsigned section",
    [MOD_E_CHECKSUM] = "checksum mismatch",
    [MOD_E_SIGNATURE] = "bad signature",
    [MOD_E_KEY] = "bad key",
    [MOD_E_ELF_TRUNCATED] = "ELF truncated",
    [MOD_E_ELF_MAGIC] = "not ELF",
    [MOD_E_ELF_CLASS] = "not ELF64 little-endian",
    [MOD_E_ELF_TYPE] = "not a relocatable object",
    [MOD_E_ELF_MACHINE] = "not x86-64",
    [MOD_E_ELF_HEADER] = "bad ELF header",
    [MOD_E_ELF_SECTION_BOUNDS] = "ELF section out of bounds",
    [MOD_E_ELF_SECTION] = "unsupported ELF section",
    [MOD_E_ELF_STRING] = "bad ELF string",
    [MOD_E_ELF_SYMTAB] = "bad symbol table",
    [MOD_E_ELF_SYMBOL] = "bad symbol",
    [MOD_E_ELF_RELOC_SECTION] = "bad relocation section",
    [MOD_E_LAYOUT] = "bad layout",
    [MOD_E_RELOC_TYPE] = "unsupported relocation",
    [MOD_E_RELOC_SYMBOL] = "bad relocation symbol",
    [MOD_E_RELOC_BOUNDS] = "relocation out of bounds",
    [MOD_E_RELOC_OVERFLOW] = "relocation overflow",
    [MOD_E_UNRESOLVED] = "unresolved import",
    [MOD_E_CONFIG] = "bad boot configuration",
    [MOD_E_INIT] = "module init failed",
    [MOD_E_CYCLE] = "import cycle",
    [MOD_E_BUSY] = "module in use",
    [MOD_E_MANIFEST] = "bad manifest",
    [MOD_E_CONTRACT] = "contract not satisfied",
    [MOD_E_EXEC_TYPE] = "not a position-independent executable",
    [MOD_E_EXEC_SEGMENT] = "bad program segment",
    [MOD_E_EXEC_DYNAMIC] = "bad dynamic section",
    [MOD_E_NO_MEMORY] = "out of memory",
    [MOD_E_ALREADY_LOADED] = "already loaded",
    [MOD_E_VERSION_OLD] = "version not newer",
    [MOD_E_VERSION_MISMATCH] = "version mismatch",
};

const char *mod_status_name(enum mod_status code)
{
    if ((unsigned)code >= MOD_STATUS_COUNT || !status_names[code])
        return "unknown status";
    return status_names[code];
}

enum mod_status mod_fail(struct mod_error *err, enum mod_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        kvsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}
