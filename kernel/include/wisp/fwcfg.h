/* fwcfg.h — QEMU fw_cfg file reader (boot-time only, not thread-safe). */
#pragma once
#include <stddef.h>

/* Reads up to size bytes of the named file; returns its full size or -1. */
long fwcfg_read_file(const char *name, void *buf, size_t size);
