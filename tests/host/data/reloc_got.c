/* reloc_got.c — a test module whose GOT loads are assembled without
 * relaxation (-Wa,-mrelax-relocations=no), giving plain R_X86_64_GOTPCREL. */

extern int imported_value;

int *got_address(void)
{
    int *p;
    __asm__("movq imported_value@GOTPCREL(%%rip), %0" : "=r"(p));
    return p;
}
