/* module.h — what a module's source includes to declare itself.
 *
 *     #include <wisp/module.h>
 *
 *     uint64_t counter_add(uint64_t n) { ... }
 *     WISP_EXPORT(counter_add);            // gets a slot in the symbol table
 *
 *     static int start(void) { ...; return 0; }   // non-zero: load fails
 *     static void stop(void) { ... }
 *     WISP_MODULE_INIT(start);
 *     WISP_MODULE_EXIT(stop);
 *
 * A module is an ELF relocatable object (all its .c files linked with
 * `ld -r`), signed into the image by the build (modules/build.mk). Its
 * name and version come from its image section. Everything it calls that
 * it does not define is an import, resolved against the symbol table and
 * called through that symbol's slot — so a live update of the module that
 * exports it reaches this caller too. Imports of data are allowed only for
 * the core's EXPORT_DATA symbols (they are not swappable).
 */
#pragma once
#include <wisp/compiler.h>

/* The export list is a non-loaded ELF section of NUL-terminated names:
 * the loader reads it from the object, never from the running module. */
#define WISP_EXPORT(sym) \
    __asm__(".pushsection .wisp.exports,\"\",@progbits\n\t" \
            ".asciz \"" #sym "\"\n\t.popsection"); \
    extern __typeof__(sym) sym

#define WISP_MODULE_INIT(fn) \
    int wisp_module_init(void) { return fn(); }
#define WISP_MODULE_EXIT(fn) \
    void wisp_module_exit(void) { fn(); }
