/* serial.h — 16550 UART driver (COM1 console, COM2 update line). */
#pragma once
#include <wisp/compiler.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8

void serial_init(uint16_t port);
void serial_putc(uint16_t port, char c);
/* Returns the next received byte, or -1 when none is waiting. */
int serial_getc(uint16_t port);
/* Enables the "data received" interrupt of the UART. */
void serial_enable_rx_irq(uint16_t port);
