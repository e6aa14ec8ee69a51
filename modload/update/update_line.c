/* update_line.c — the live-update line: COM2 (port 0x2f8, IRQ 3) and the
 * `updater` kernel thread that runs the receiver of updater/protocol.h.
 *
 * The UART's receive interrupt moves bytes into a ring, which the thread
 * also drains itself every millisecond or two (an edge-triggered receive
 * interrupt can be lost; the line must not stall); the thread alone owns
 * the receiver (protocol.h: not reentrant):
 * it feeds the ring's bytes, ticks the idle timeout, writes the replies
 * back to COM2 and, when a payload completes, hands its bytes and the
 * announced name to update_apply() (update.c), which verifies them before
 * anything is parsed: this file is transport only. Every refused frame is
 * counted by reason (receiver counters) and logged.
 */
#include <wisp/apic.h>
#include <wisp/cpu.h>
#include <wisp/format.h>
#include <wisp/initcall.h>
#include <wisp/kconsole.h>
#include <wisp/mm.h>
#include <wisp/percpu.h>
#include <wisp/printk.h>
#include <wisp/resource.h>
#include <wisp/sched.h>
#include <wisp/serial.h>
#include <wisp/time.h>
#include <wisp/trap.h>
#include <string.h>
#include "modload/update/update.h"
#include "updater/protocol.h"

/* Snapshot of the line's figures (read without a lock: each field is
 * whole, the set is not one instant). */
struct update_line_stats {
    uint64_t bytes_received; /* bytes the updater thread took from the ring */
    uint64_t ring_dropped;   /* bytes lost to a full ring (retransmitted) */
    uint64_t pushes, pushes_live;
    uint64_t last_apply_ns; /* verify + apply of the last payload */
    unsigned state;         /* enum upd_receiver_state */
};

#define COM2_IRQ          3
#define LINE_RING_SIZE    16384      /* power of two */
#define LINE_PAYLOAD_MAX  (1u << 20) /* largest section file accepted */
#define LINE_POLL_NS      (1 * NSEC_PER_MSEC)
#define LINE_IDLE_POLL_NS (2 * NSEC_PER_MSEC)

enum { UART_SCRATCH = 7 };

/* Single producer (the COM2 interrupt), single consumer (the updater
 * thread): head is written only by the interrupt, tail only by the thread;
 * the release/acquire pairs order the byte with its index. */
static uint8_t ring[LINE_RING_SIZE];
static unsigned ring_head, ring_tail;
static uint64_t ring_dropped; /* bytes lost to a full ring */

static struct upd_receiver receiver; /* owned by the updater thread */
static bool line_up;
static struct update_line_stats stats; /* written by the updater thread */

/* Serializes the producers of the ring: the interrupt, and the updater
 * thread's own poll (which recovers a receive interrupt the edge-triggered
 * line lost). */
static struct spinlock rx_lock = SPINLOCK_INIT("update_line.rx");

static void com2_drain(void)
{
    int c;
    uint64_t flags = spin_lock_irqsave(&rx_lock);
    while ((c = serial_getc(COM2_PORT)) >= 0) {
        unsigned head = __atomic_load_n(&ring_head, __ATOMIC_RELAXED);
        if (head - __atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE) == LINE_RING_SIZE) {
            ring_dropped++; /* the protocol retransmits what is lost */
            continue;
        }
        ring[head % LINE_RING_SIZE] = (uint8_t)c;
        __atomic_store_n(&ring_head, head + 1, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&rx_lock, flags);
}

static void com2_irq(struct trap_frame *f __unused) { com2_drain(); }

static bool ring_ready(void *arg __unused)
{
    return __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) != ring_tail;
}

/* Moves up to size bytes out of the ring. Updater thread only. */
static size_t ring_take(uint8_t *out, size_t size)
{
    unsigned head = __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE);
    size_t n = 0;
    while (ring_tail != head && n < size)
        out[n++] = ring[ring_tail++ % LINE_RING_SIZE];
    __atomic_store_n(&ring_tail, ring_tail, __ATOMIC_RELEASE);
    return n;
}

static uint64_t now_ms(void) { return clock_ns() / NSEC_PER_MSEC; }

/* The receiver's messages start with "update: " and name the reason. */
static void log_rejection(void *arg __unused, enum upd_reason reason __unused, const char *message)
{
    pr_warn("%s\n", message);
}

static void send_replies(void)
{
    uint8_t out[256];
    size_t n;
    while ((n = upd_receiver_take(&receiver, out, sizeof(out))) > 0)
        for (size_t i = 0; i < n; i++)
            serial_putc(COM2_PORT, (char)out[i]);
}

/* A complete payload: the transaction (update.c) gives the verdict, which
 * goes back over the line. */
static void handle_payload(void)
{
    struct upd_payload p;
    struct update_verdict v;
    char text[UPD_TEXT_MAX + 1];
    if (!upd_receiver_payload(&receiver, &p))
        return;
    uint64_t start = clock_ns();
    struct update_request req = { .announced = p.name, .by = "push", .received_ns = start };
    enum mod_status st = update_apply(p.data, p.size, &req, &v);
    if (st == MOD_OK)
        ksnprintf(text, sizeof(text), "live: %s", v.text);
    else
        ksnprintf(text, sizeof(text), "refused (%s): %s", mod_status_name(st), v.text);
    stats.last_apply_ns = clock_ns() - start;
    stats.pushes++;
    if (st == MOD_OK)
        stats.pushes_live++;
    pr_info("update: %s (%lu us)\n", text, stats.last_apply_ns / 1000);
    upd_receiver_verdict(&receiver, (uint16_t)st, text, now_ms());
}

static void updater_thread(void *arg __unused)
{
    uint8_t chunk[512];
    for (;;) {
        if (receiver.state == UPD_RX_IDLE) {
            /* Idle: poll rather than wait for the interrupt's wakeup, so
             * that a lost receive interrupt cannot stall the line. */
            while (!ring_ready(NULL)) {
                sched_sleep_ns(LINE_IDLE_POLL_NS);
                com2_drain();
            }
        }
        size_t n = ring_take(chunk, sizeof(chunk));
        if (n) {
            stats.bytes_received += n;
            if (upd_receiver_feed(&receiver, chunk, n, now_ms()) == UPD_EVENT_PAYLOAD)
                handle_payload();
        } else {
            upd_receiver_tick(&receiver, now_ms());
        }
        send_replies();
        if (!n && receiver.state != UPD_RX_IDLE) {
            sched_sleep_ns(LINE_POLL_NS); /* an open transfer: tick it */
            com2_drain();                 /* and do not rely on the interrupt alone */
        }
    }
}

/* A 16550 keeps what is written to its scratch register; an absent port
 * reads back 0xff. */
static bool com2_present(void)
{
    outb(COM2_PORT + UART_SCRATCH, 0x5a);
    if (inb(COM2_PORT + UART_SCRATCH) != 0x5a)
        return false;
    outb(COM2_PORT + UART_SCRATCH, 0xa5);
    return inb(COM2_PORT + UART_SCRATCH) == 0xa5;
}

/* Starts the line if a UART answers on COM2: the payload buffer (1 MiB),
 * the updater thread, the receive interrupt. A service initcall. */
static void update_line_start(void)
{
    if (!com2_present()) {
        pr_info("update: no UART on COM2; the update line is off\n");
        return;
    }
    struct resource_refusal why;
    if (resource_claim_core(RESOURCE_PORTS, COM2_PORT, COM2_PORT + 7, 0, "com2", &why) < 0 ||
        resource_claim_core(RESOURCE_IRQ, COM2_IRQ, COM2_IRQ, 0, "com2", &why) < 0) {
        pr_err("update: COM2 is not the core's (%s); the update line is off\n", why.message);
        return;
    }
    uint8_t *buffer = kmalloc(LINE_PAYLOAD_MAX);
    if (!buffer) {
        pr_err("update: no memory for the %u-byte payload buffer; the update line is off\n",
               LINE_PAYLOAD_MAX);
        return;
    }
    struct upd_receiver_config config = {
        .buffer = buffer,
        .capacity = LINE_PAYLOAD_MAX,
        .max_size = LINE_PAYLOAD_MAX,
        .log = log_rejection,
    };
    upd_receiver_init(&receiver, &config);
    serial_init(COM2_PORT);
    while (serial_getc(COM2_PORT) >= 0)
        ; /* stale bytes from before the boot */
    if (!thread_create("updater", updater_thread, NULL, -1)) {
        kfree(buffer);
        pr_err("update: cannot create the updater thread; the update line is off\n");
        return;
    }
    irq_register(VEC_IRQ_BASE + COM2_IRQ, com2_irq);
    ioapic_route_isa(COM2_IRQ, VEC_IRQ_BASE + COM2_IRQ, cpus[0].apic_id);
    serial_enable_rx_irq(COM2_PORT);
    __atomic_store_n(&line_up, true, __ATOMIC_RELEASE);
    pr_info("update: listening on COM2 (payloads up to %u KiB)\n", LINE_PAYLOAD_MAX / 1024);
}

SERVICE_INITCALL(update_line_start);

/* False when the line is off; else fills both snapshots. */
static bool update_line_stats(struct update_line_stats *out, struct upd_counters *counters)
{
    if (!__atomic_load_n(&line_up, __ATOMIC_ACQUIRE))
        return false;
    *out = stats;
    out->ring_dropped = ring_dropped;
    out->state = receiver.state;
    *counters = receiver.counters;
    return true;
}

static void update_line_print(void)
{
    struct update_line_stats s;
    struct upd_counters c;
    static const char *const states[] = { "idle", "receiving", "applying", "verdict sent" };
    if (!update_line_stats(&s, &c)) {
        kprintf("update line: off (no COM2)\n");
        return;
    }
    kprintf("update line: COM2, %s; %lu bytes in, %lu dropped by the ring\n",
            s.state < ARRAY_SIZE(states) ? states[s.state] : "?", s.bytes_received, s.ring_dropped);
    kprintf("  frames accepted %u; transfers started %u, completed %u, dropped %u\n",
            c.frames_accepted, c.transfers_started, c.transfers_completed, c.transfers_dropped);
    kprintf("  pushes %lu, live %lu, last apply %lu us\n", s.pushes, s.pushes_live,
            s.last_apply_ns / 1000);
    for (unsigned r = 1; r < UPD_REASON_COUNT; r++)
        if (c.rejected[r])
            kprintf("  rejected %-16s %u\n", upd_reason_name((enum upd_reason)r), c.rejected[r]);
}
KCONSOLE_COMMAND("updline", update_line_print,
                 "the update line (COM2): transfers, pushes, refused frames by reason");
