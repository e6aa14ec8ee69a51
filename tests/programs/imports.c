/* imports — a program that leaves names undefined for exec to bind: calls
 * through the PLT (R_X86_64_JUMP_SLOT), a function pointer in data
 * (R_X86_64_64 or GLOB_DAT) and pointers to its own strings (RELATIVE).
 * Used by the host tests of modload/exec.c. */
#include <ghost.h>

/* Not const: kept in data, so that the relocations stay. */
uint32_t (*version_fn)(void) = counter_version;
const char *words[] = { "ghost", "bindings" };

int main(void)
{
    uint64_t total = 0;
    for (int i = 0; i < 3; i++)
        total = counter_add((uint64_t)words[i % 2][0]);
    return (int)(total + version_fn());
}
