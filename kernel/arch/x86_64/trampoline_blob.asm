; trampoline_blob.asm — embeds the assembled AP trampoline (trampoline.nasm).
section .rodata
global trampoline_start, trampoline_end
trampoline_start:
    incbin TRAMPOLINE_BIN
trampoline_end:
