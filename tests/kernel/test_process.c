/* test_process.c — processes, the gate and isolation, with small user
 * programs written as position-independent code blobs (loaded at
 * USER_CODE_VA by process_spawn; the stack is RW+NX, code R+X).
 *
 * Each blob is a label pair in .rodata: user_NAME and user_NAME_end.
 */
#include <wisp/ktest.h>
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/cpu.h>
#include <wisp/printk.h>
#include <wisp/trap.h>
#include <wisp/mm.h>
#include <modload/symtab.h>

/* clang-format off */
#define S_(x) #x
#define S(x) S_(x)
#define SYSCALL(n) "mov $" S(n) ", %eax\n syscall\n"
#define EXIT_WITH_EAX "mov %eax, %edi\n" SYSCALL(SYS_EXIT)
#define BLOB(name, body)                                                   \
    __asm__(".pushsection .rodata\n .global user_" #name "\n user_" #name  \
            ":\n" body "\n .global user_" #name "_end\n user_" #name       \
            "_end:\n .popsection\n");                                      \
    extern const uint8_t user_##name[], user_##name##_end[];               \
    static struct program prog_##name = {                           \
        #name, user_##name, 0, 0 }

BLOB(exit42, "mov $42, %edi\n" SYSCALL(SYS_EXIT));
BLOB(hello, "lea msg_hello(%rip), %rdi\n mov $22, %esi\n" SYSCALL(SYS_WRITE)
     "cmp $22, %rax\n jne 1f\n xor %edi, %edi\n" SYSCALL(SYS_EXIT)
     "1: mov $1, %edi\n" SYSCALL(SYS_EXIT)
     "msg_hello: .ascii \"hello from ring 3 ok\\n\\n\"");
BLOB(read_kernel, "movabs $0xffffffff80100000, %rax\n mov (%rax), %rax\n"
     "xor %edi, %edi\n" SYSCALL(SYS_EXIT));
BLOB(write_kernel, "movabs $0xffffffff80100000, %rax\n movq $1, (%rax)\n"
     "xor %edi, %edi\n" SYSCALL(SYS_EXIT));
BLOB(read_slots, "movabs $" S(SYM_SLOTS_VA) ", %rax\n mov 8(%rax), %rax\n"
     "xor %edi, %edi\n" SYSCALL(SYS_EXIT));
BLOB(read_direct_map, "movabs $0xffff800000100000, %rax\n mov (%rax), %rax\n"
     "xor %edi, %edi\n" SYSCALL(SYS_EXIT));
BLOB(jump_kernel, "movabs $0xffffffff80100000, %rax\n jmp *%rax\n");
BLOB(write_code, "lea 0(%rip), %rax\n movb $0x90, (%rax)\n xor %edi, %edi\n" SYSCALL(SYS_EXIT));
BLOB(exec_stack, "movb $0xc3, -64(%rsp)\n lea -64(%rsp), %rax\n call *%rax\n"
     "xor %edi, %edi\n" SYSCALL(SYS_EXIT));
BLOB(undefined_opcode, "ud2\n");
BLOB(privileged, "cli\n xor %edi, %edi\n" SYSCALL(SYS_EXIT));
BLOB(int_gate, "int $0x80\n xor %edi, %edi\n" SYSCALL(SYS_EXIT));
/* Bad arguments come back as errors: a kernel pointer, an unmapped one,
 * a huge length, an unknown call number, a kernel status pointer, a pid
 * that is no child. Exits 0 when every one does. */
BLOB(bad_arguments,
     "movabs $0xffffffff80100000, %rdi\n mov $8, %esi\n" SYSCALL(SYS_WRITE)
     "cmp $-14, %rax\n jne 1f\n"
     "mov $0x10000000, %edi\n mov $8, %esi\n" SYSCALL(SYS_WRITE)
     "cmp $-14, %rax\n jne 1f\n"
     "mov %rsp, %rdi\n mov $-1, %rsi\n" SYSCALL(SYS_WRITE)
     "cmp $-14, %rax\n jne 1f\n"
     "mov $1000, %eax\n syscall\n cmp $-38, %rax\n jne 1f\n"
     "movabs $0xffffffff80100000, %rsi\n mov $1, %edi\n" SYSCALL(SYS_WAIT)
     "cmp $-14, %rax\n jne 1f\n"
     "xor %esi, %esi\n mov $1, %edi\n" SYSCALL(SYS_WAIT)
     "cmp $-10, %rax\n jne 1f\n"
     "xor %edi, %edi\n" SYSCALL(SYS_EXIT)
     "1: mov $1, %edi\n" SYSCALL(SYS_EXIT));
/* xmm0 keeps its value across many yields while other processes run. */
BLOB(sse_keeps_state,
     "mov %rsp, %rbx\n movq $0x1234567, %rax\n movq %rax, %xmm0\n mov $200, %r12d\n"
     "2: " SYSCALL(SYS_YIELD) "movq %xmm0, %rax\n cmp $0x1234567, %rax\n jne 1f\n"
     "dec %r12d\n jnz 2b\n xor %edi, %edi\n" SYSCALL(SYS_EXIT)
     "1: mov $1, %edi\n" SYSCALL(SYS_EXIT));
BLOB(sse_clobber,
     "mov $200, %r12d\n 2: movq %r12, %xmm0\n" SYSCALL(SYS_YIELD)
     "dec %r12d\n jnz 2b\n xor %edi, %edi\n" SYSCALL(SYS_EXIT));
/* Writes a marker into its data page, then sleeps 50 ms. */
BLOB(owns_data, "movq $0x5a5a, 0x1000+" S(USER_CODE_VA) "\n mov $50000000, %edi\n"
     SYSCALL(SYS_SLEEP) "xor %edi, %edi\n" SYSCALL(SYS_EXIT));
/* Reads the address where owns_data's page is mapped in owns_data only. */
BLOB(reads_other, "mov 0x1000+" S(USER_CODE_VA) ", %rax\n xor %edi, %edi\n" SYSCALL(SYS_EXIT));
/* Spawns "exit42", waits and exits with the child's status + 1. */
BLOB(parent, "lea name_exit42(%rip), %rdi\n mov $6, %esi\n" SYSCALL(SYS_SPAWN)
     "test %rax, %rax\n js 1f\n mov %rax, %rdi\n lea -16(%rsp), %rsi\n" SYSCALL(SYS_WAIT)
     "test %rax, %rax\n jnz 1f\n mov -16(%rsp), %edi\n inc %edi\n" SYSCALL(SYS_EXIT)
     "1: mov $1, %edi\n" SYSCALL(SYS_EXIT)
     "name_exit42: .ascii \"exit42\"");
/* 100000 null calls; exits with the cycles per call. */
BLOB(null_calls, "rdtsc\n shl $32, %rdx\n or %rax, %rdx\n mov %rdx, %rbx\n mov $100000, %r12d\n"
     "2: " SYSCALL(SYS_NULL) "dec %r12d\n jnz 2b\n"
     "rdtsc\n shl $32, %rdx\n or %rdx, %rax\n sub %rbx, %rax\n xor %edx, %edx\n"
     "mov $100000, %ecx\n div %rcx\n" EXIT_WITH_EAX);

/* clang-format on */

static int run(struct program *prog, const uint8_t *end, size_t data_pages)
{
    prog->code_size = (size_t)(end - prog->code);
    prog->data_pages = data_pages;
    int err = 0;
    struct process *p = process_spawn(prog, NULL, &err);
    if (!p)
        return err;
    return process_wait(p);
}

#define RUN(name)     run(&prog_##name, user_##name##_end, 0)
#define FAULT(vector) (SYS_EXIT_FAULT_BASE + (vector))

KTEST(process_exit_status_reaches_waiter) { KEXPECT_EQ(RUN(exit42), 42); }

KTEST(process_writes_console_through_gate) { KEXPECT_EQ(RUN(hello), 0); }

KTEST(process_cannot_read_or_write_kernel_memory)
{
    unsigned before = process_count();
    KEXPECT_EQ(RUN(read_kernel), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(RUN(write_kernel), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(RUN(read_direct_map), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(process_count(), before);
}

KTEST(process_cannot_read_the_slot_table) { KEXPECT_EQ(RUN(read_slots), FAULT(VEC_PAGE_FAULT)); }

KTEST(process_cannot_run_kernel_code_or_write_its_code_or_run_its_stack)
{
    KEXPECT_EQ(RUN(jump_kernel), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(RUN(write_code), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(RUN(exec_stack), FAULT(VEC_PAGE_FAULT));
}

KTEST(process_fault_on_ud_and_privileged_instructions_ends_it)
{
    KEXPECT_EQ(RUN(undefined_opcode), FAULT(VEC_INVALID_OPCODE));
    KEXPECT_EQ(RUN(privileged), FAULT(VEC_GPF));
    KEXPECT_EQ(RUN(int_gate), FAULT(VEC_GPF)); /* no software-interrupt entry */
}

KTEST(process_bad_syscall_arguments_return_errors) { KEXPECT_EQ(RUN(bad_arguments), 0); }

KTEST(process_cannot_read_another_process_memory)
{
    struct program *owner = &prog_owns_data;
    owner->code_size = (size_t)(user_owns_data_end - user_owns_data);
    owner->data_pages = 1;
    int err = 0;
    struct process *a = process_spawn(owner, NULL, &err);
    KASSERT_TRUE(a != NULL);
    KEXPECT_EQ(RUN(reads_other), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(process_wait(a), 0); /* the owner carried on */
}

KTEST(process_sse_state_survives_switches)
{
    struct program *keep = &prog_sse_keeps_state;
    struct program *clobber = &prog_sse_clobber;
    keep->code_size = (size_t)(user_sse_keeps_state_end - user_sse_keeps_state);
    clobber->code_size = (size_t)(user_sse_clobber_end - user_sse_clobber);
    struct process *p[6];
    int err = 0;
    for (int i = 0; i < 6; i++)
        p[i] = process_spawn(i % 2 ? clobber : keep, NULL, &err);
    for (int i = 0; i < 6; i++) {
        KASSERT_TRUE(p[i] != NULL);
        KEXPECT_EQ(process_wait(p[i]), 0);
    }
}

KTEST(process_spawns_and_waits_for_a_child)
{
    struct program *child = &prog_exit42;
    child->code_size = (size_t)(user_exit42_end - user_exit42);
    program_register(child);
    KEXPECT_EQ(RUN(parent), 43);
}

KTEST(process_many_in_parallel_and_memory_comes_back)
{
    size_t before = pmm_free_page_count();
    struct process *p[16];
    int err = 0;
    struct program *prog = &prog_exit42;
    prog->code_size = (size_t)(user_exit42_end - user_exit42);
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 16; i++)
            p[i] = process_spawn(prog, NULL, &err);
        for (int i = 0; i < 16; i++)
            if (p[i])
                KEXPECT_EQ(process_wait(p[i]), 42);
    }
    sched_sleep_ns(20 * 1000 * 1000); /* detached threads are freed at exit */
    KEXPECT_LE((long)before - (long)pmm_free_page_count(), 64);
}

KTEST(bench_gate_null_call)
{
    int cycles = RUN(null_calls);
    KEXPECT_GT(cycles, 0);
    kprintf("bench: gate_null_call %d cycles\n", cycles);
}
