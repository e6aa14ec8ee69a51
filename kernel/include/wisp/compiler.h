/* compiler.h — attributes and small helpers used across the kernel. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define likely(x)           __builtin_expect(!!(x), 1)
#define unlikely(x)         __builtin_expect(!!(x), 0)
#define __noreturn          __attribute__((noreturn))
#define __packed            __attribute__((packed))
#define __aligned(n)        __attribute__((aligned(n)))
#define __section(s)        __attribute__((section(s)))
#define __used              __attribute__((used))
#define __unused            __attribute__((unused))
#define __printf(a, b)      __attribute__((format(printf, a, b)))
#define __cacheline_aligned __aligned(64)

#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define barrier()        __asm__ volatile("" ::: "memory")
#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)
