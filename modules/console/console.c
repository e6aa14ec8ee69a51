/* console.c — the serial console driver (COM1 input).
 *
 * The core writes its log to COM1 itself (it must work before any module
 * loads, and in a panic); this driver owns the console's input: the UART's
 * receive interrupt fills a ring buffer and wakes the reader. One reader at
 * a time (the console prompt, later the shell).
 *
 * ^C is the console's interrupt key: the handler hands it to the core
 * (console_interrupt), which ends the console's foreground program if
 * there is one; then the byte is dropped. With no foreground program ^C is
 * an ordinary byte (the shell's line editor cancels the line with it).
 * It claims COM1's ports and IO-APIC line in the resource registry (the
 * core's log writes to COM1 too, polled, without a claim: it must work
 * before any module and in a panic).
 * When the core ends a program that is waiting in console_getc (^C, kill,
 * exit from another of its threads), it calls console_cancel_read: the
 * reader wakes with -1 rather than sleeping on until the next key.
 */
#include <wisp/module.h>
#include <wisp/serial.h>
#include <wisp/sched.h>
#include <wisp/trap.h>
#include <wisp/apic.h>
#include <wisp/percpu.h>
#include <wisp/kconsole.h>
#include <wisp/resource.h>

#define INPUT_SIZE 256
#define COM1_IRQ   4
#define KEY_CTRL_C 0x03

/* Single producer (the interrupt), single consumer (console_getc). */
static char input[INPUT_SIZE];
static unsigned input_head, input_tail;
static struct wait_queue input_wq = WAIT_QUEUE_INIT(input_wq);
static uint64_t dropped;
static bool cancelled; /* console_cancel_read: the reader gets -1 */

static void uart_irq(struct trap_frame *f __unused)
{
    int c;
    while ((c = serial_getc(COM1_PORT)) >= 0) {
        if (c == KEY_CTRL_C && console_interrupt())
            continue;
        unsigned head = __atomic_load_n(&input_head, __ATOMIC_RELAXED);
        unsigned next = (head + 1) % INPUT_SIZE;
        if (next == __atomic_load_n(&input_tail, __ATOMIC_ACQUIRE)) {
            dropped++; /* full: the byte is lost */
            continue;
        }
        input[head] = (char)c;
        __atomic_store_n(&input_head, next, __ATOMIC_RELEASE);
    }
    wake_up_one(&input_wq);
}

static bool input_ready(void *arg __unused)
{
    return __atomic_load_n(&input_head, __ATOMIC_ACQUIRE) != input_tail ||
           __atomic_load_n(&cancelled, __ATOMIC_ACQUIRE);
}

/* Returns the next byte typed on the console, sleeping until there is one;
 * -1 once after console_cancel_read. Process context, may sleep; one
 * reader at a time. */
int console_getc(void)
{
    wait_queue_wait(&input_wq, input_ready, NULL);
    if (__atomic_exchange_n(&cancelled, false, __ATOMIC_ACQ_REL))
        return -1;
    char c = input[input_tail];
    __atomic_store_n(&input_tail, (input_tail + 1) % INPUT_SIZE, __ATOMIC_RELEASE);
    return (unsigned char)c;
}
WISP_EXPORT(console_getc);

/* The reader in console_getc (now, or the next one) returns -1 at once:
 * the core ends the program that waits there. Any context. */
void console_cancel_read(void)
{
    __atomic_store_n(&cancelled, true, __ATOMIC_RELEASE);
    wake_up_one(&input_wq);
}
WISP_EXPORT(console_cancel_read);

/* Bytes lost because nobody read them in time. */
uint64_t console_dropped(void) { return dropped; }
WISP_EXPORT(console_dropped);

static int console_start(void)
{
    /* COM1 is this driver's: another driver for it is refused (and so is
     * this one, if another came first: the registry logs who has it). A
     * new version loaded for an update gets the claims its identity has. */
    if (resource_claim(RESOURCE_PORTS, COM1_PORT, COM1_PORT + 7, 0, "com1", NULL) < 0 ||
        resource_claim(RESOURCE_IRQ, COM1_IRQ, COM1_IRQ, 0, "com1", NULL) < 0)
        return -1;
    irq_register(VEC_IRQ_BASE + COM1_IRQ, uart_irq);
    ioapic_route_isa(COM1_IRQ, VEC_IRQ_BASE + COM1_IRQ, cpus[0].apic_id);
    serial_enable_rx_irq(COM1_PORT);
    return 0;
}
WISP_MODULE_INIT(console_start);
