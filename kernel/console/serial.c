/* serial.c — polled 16550 UART output and input. Called with the console lock
 * held for output; input is read by one consumer (the console thread). */
#include <wisp/serial.h>
#include <wisp/cpu.h>

enum {
    UART_DATA = 0,
    UART_IER = 1,
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    LSR_DATA_READY = 0x01,
    LSR_THR_EMPTY = 0x20,
};

void serial_init(uint16_t port)
{
    outb(port + UART_IER, 0x00); /* no interrupts while configuring */
    outb(port + UART_LCR, 0x80); /* divisor latch */
    outb(port + UART_DATA, 1);   /* 115200 baud */
    outb(port + UART_IER, 0);
    outb(port + UART_LCR, 0x03); /* 8N1 */
    outb(port + UART_FCR, 0xc7); /* FIFOs on, cleared, 14-byte threshold */
    outb(port + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ line enable) */
}

void serial_putc(uint16_t port, char c)
{
    while (!(inb(port + UART_LSR) & LSR_THR_EMPTY))
        cpu_relax();
    outb(port + UART_DATA, (uint8_t)c);
}

int serial_getc(uint16_t port)
{
    if (!(inb(port + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(port + UART_DATA);
}

void serial_enable_rx_irq(uint16_t port) { outb(port + UART_IER, 0x01); }
