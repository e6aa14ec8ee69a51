; counter_v2_blob.asm — the test module counter 2.0 (tests/modules/
; counter_v2: counter_version() returns 2) as bytes, for the in-kernel test
; that swaps counter under running programs (test_ghost.c). COUNTER_V2 is
; the object's path, set by tests/build.mk.

        section .rodata
        global counter_v2_object, counter_v2_size
        align 16
counter_v2_object:
        incbin COUNTER_V2
counter_v2_end:
        align 8
counter_v2_size:
        dq counter_v2_end - counter_v2_object
