; core_manifest.asm — the core's manifest (kernel/core.wisp) as bytes in
; .rodata, parsed by module_core_manifest() (modload/module_manifest.c).
; CORE_MANIFEST is the path of the file, set by modload/kernel.mk.

        section .rodata
        global core_manifest_text, core_manifest_size
core_manifest_text:
        incbin CORE_MANIFEST
core_manifest_end:
        align 8
core_manifest_size:
        dq core_manifest_end - core_manifest_text
