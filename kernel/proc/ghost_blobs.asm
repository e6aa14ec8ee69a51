; ghost_blobs.asm — the ghost code (ghost_code.asm, assembled flat) and the
; core's ghost manifest (ghost.wisp) as bytes in .rodata, for ghost_init().
; GHOST_CODE_BIN and GHOST_MANIFEST are set by kernel/build.mk.

        section .rodata
        global ghost_code_bytes, ghost_code_size, ghost_manifest_text, ghost_manifest_size
ghost_code_bytes:
        incbin GHOST_CODE_BIN
ghost_code_end:
ghost_manifest_text:
        incbin GHOST_MANIFEST
ghost_manifest_end:
        align 8
ghost_code_size:
        dq ghost_code_end - ghost_code_bytes
ghost_manifest_size:
        dq ghost_manifest_end - ghost_manifest_text
