; device_blobs.asm — the test modules of tests/kernel/test_devices.c as
; bytes (tests/modules/NAME, linked by tests/build.mk): NAME_object and
; NAME_size for each. The paths are set by tests/build.mk (-DTM=...).

%macro blob 1
%defstr %%name %1
%strcat %%path TM, "/", %%name, ".mod"
        global %1_object, %1_size
        align 16
%1_object:
        incbin %%path
%1_end:
        align 8
%1_size:
        dq %1_end - %1_object
%endmacro

        section .rodata
blob claimer
blob claimer_bad_init
blob com1_again
blob edu_v2
blob compute_extra
blob compute_v2
blob compute_v2i
blob compute_extra_v2
