/* exec_small.c — a test module that test_reloc.c loads and RUNS on the
 * host. Host user space cannot hold the kernel's top 2 GiB, so this one is
 * built with -mcmodel=small and loaded below 2 GiB (MAP_32BIT); the
 * relocations are the same kinds (PC32, PLT32, 32S/32, 64, REX_GOTPCRELX).
 * Imports reach host functions through trampolines the test places low. */

extern int host_add(int a, int b);
extern int host_value;

static int counter = 10;
int table[3] = { 100, 200, 300 };
static int accumulated;
int (*adder)(int, int) = host_add;
int *table_pointer = &table[2];

__attribute__((noinline)) static int twice(int x)
{
    return x * 2;
}

static int read_host_value(void)
{
    int *p;
    __asm__("movq host_value@GOTPCREL(%%rip), %0" : "=r"(p));
    return *p;
}

int exec_entry(int x)
{
    accumulated += x;
    return host_add(x, counter) + adder(1, 2) + *table_pointer + read_host_value() +
           twice(x) + accumulated + table[x & 1];
}
