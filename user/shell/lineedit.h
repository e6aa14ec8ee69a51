/* lineedit.h — the shell's line editor: bytes from a serial terminal in,
 * what the terminal must show and finished lines out. Pure C with no
 * library calls (a user program links nothing but the ghost API), compiled
 * into the shell and into the host unit tests and fuzzer.
 *
 * Keys (VT100/xterm sequences as a serial terminal sends them):
 *   printable        insert at the cursor
 *   Enter (CR / LF)  finish the line (CR LF counts once)
 *   Backspace / ^H   delete before the cursor;  Delete (ESC [3~): at it
 *   Left / Right     move;  Home / End (ESC [H ESC [F ESC [1~ ESC [4~ ESC OH ESC OF)
 *   Up / Down        older / newer line of the history (the line being
 *                    typed is kept and comes back after the newest)
 *   ^A / ^E          home / end;  ^U: erase the line;  ^C: drop the line
 * Anything else (other control bytes, unknown sequences, bytes >= 0x80) is
 * ignored. A line is at most LINEEDIT_MAX - 1 bytes: what does not fit is
 * refused (the terminal bell). The editor never writes past `out_capacity`
 * bytes of output per byte fed: LINEEDIT_OUT_MAX is always enough.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINEEDIT_MAX     128
#define LINEEDIT_HISTORY 16
#define LINEEDIT_OUT_MAX (3 * LINEEDIT_MAX + 16)

enum lineedit_event {
    LINEEDIT_NONE,      /* keep feeding */
    LINEEDIT_LINE,      /* a line is finished: lineedit_line() */
    LINEEDIT_CANCELLED, /* ^C: the line was dropped */
};

struct lineedit {
    char line[LINEEDIT_MAX];
    size_t length, cursor;
    char history[LINEEDIT_HISTORY][LINEEDIT_MAX];
    unsigned history_count;   /* lines stored, at most LINEEDIT_HISTORY */
    unsigned history_next;    /* where the next line goes (a ring) */
    unsigned browsing;        /* 0: the line being typed; k: the k-th newest */
    char draft[LINEEDIT_MAX]; /* the line being typed, while browsing */
    uint8_t escape[4];        /* an escape sequence being read */
    unsigned escape_length;
    bool escape_overflow; /* longer than escape[]: read to its end, dropped */
    bool after_cr;        /* the last byte was CR: a following LF is the same Enter */
    bool finished;        /* the last feed ended the line: the next one starts anew */
};

void lineedit_init(struct lineedit *e);

/* Feeds one byte. The bytes the terminal must show (echo, redraw, a bell)
 * are written to out, at most out_capacity (LINEEDIT_OUT_MAX is enough);
 * *out_length is set to how many. */
enum lineedit_event lineedit_feed(struct lineedit *e, uint8_t byte, char *out, size_t out_capacity,
                                  size_t *out_length);

/* The finished line (NUL-terminated), valid until the next feed. */
const char *lineedit_line(const struct lineedit *e);
