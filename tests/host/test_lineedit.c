/* test_lineedit.c — the shell's line editor (user/shell/lineedit.c):
 * what a terminal's keys do to the line, the history, and the bytes the
 * terminal is told to show. */
#include "htest.h"
#include "user/shell/lineedit.h"

struct typed {
    int lines, cancels;
    char last[LINEEDIT_MAX];
    char echo[4096];
    size_t echo_length;
};

/* Feeds s byte by byte; records the finished lines and the echo. */
static void type(struct lineedit *e, struct typed *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char out[LINEEDIT_OUT_MAX];
        size_t length;
        enum lineedit_event ev = lineedit_feed(e, (uint8_t)s[i], out, sizeof(out), &length);
        for (size_t j = 0; j < length && t->echo_length < sizeof(t->echo) - 1; j++)
            t->echo[t->echo_length++] = out[j];
        t->echo[t->echo_length] = 0;
        if (ev == LINEEDIT_LINE) {
            t->lines++;
            size_t k = 0;
            for (const char *p = lineedit_line(e); *p; p++)
                t->last[k++] = *p;
            t->last[k] = 0;
        }
        t->cancels += ev == LINEEDIT_CANCELLED;
    }
}
#define TYPE(e, t, s) type(e, t, s, sizeof(s) - 1)

#define UP    "\x1b[A"
#define DOWN  "\x1b[B"
#define RIGHT "\x1b[C"
#define LEFT  "\x1b[D"

HTEST(lineedit_plain_line_is_echoed_and_finished_by_enter)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t, "ls -l\r");
    EXPECT_EQ(t.lines, 1);
    EXPECT_STREQ(t.last, "ls -l");
    EXPECT_STREQ(t.echo, "ls -l\r\n");
}

HTEST(lineedit_cr_lf_is_one_enter_and_lf_alone_is_one_too)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t, "a\r\nb\n\nc\r");
    EXPECT_EQ(t.lines, 4); /* "a", "b", "", "c" */
    EXPECT_STREQ(t.last, "c");
}

HTEST(lineedit_backspace_erases_before_the_cursor_on_screen_too)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t, "lx\x7f");
    EXPECT_STREQ(t.echo, "lx\b \b");
    TYPE(&e, &t, "s\b\bp\r");
    EXPECT_STREQ(t.last, "p");
    t.echo_length = 0;
    TYPE(&e, &t, "\x7f\x7f\r"); /* nothing to erase: no output but the Enter */
    EXPECT_STREQ(t.echo, "\r\n");
    EXPECT_STREQ(t.last, "");
}

HTEST(lineedit_arrows_move_and_insert_in_the_middle)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t, "ac" LEFT);
    t.echo_length = 0;
    TYPE(&e, &t, "b");
    EXPECT_STREQ(t.echo, "bc\b"); /* the tail redrawn, the cursor put back */
    TYPE(&e, &t, RIGHT RIGHT "d\r");
    EXPECT_STREQ(t.last, "abcd");
}

HTEST(lineedit_home_end_and_delete_keys_in_their_common_encodings)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t,
         "bc\x1b[H"
         "a\x1b[F"
         "d\x1b[1~\x1b[3~\x1b[4~e\x01X\x05Y\r");
    EXPECT_STREQ(t.last, "XbcdeY"); /* a inserted at home, then deleted there */
    TYPE(&e, &t, "12\x1bOH0\x1bOF3\r");
    EXPECT_STREQ(t.last, "0123");
}

HTEST(lineedit_history_goes_back_and_returns_to_the_draft)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t, "one\rtwo\rdr" UP);
    EXPECT_STREQ(lineedit_line(&e), "two");
    TYPE(&e, &t, UP);
    EXPECT_STREQ(lineedit_line(&e), "one");
    t.echo_length = 0;
    t.echo[0] = 0;
    TYPE(&e, &t, UP); /* no older line: the bell, nothing changes */
    EXPECT_STREQ(t.echo, "\a");
    EXPECT_STREQ(lineedit_line(&e), "one");
    TYPE(&e, &t, DOWN DOWN);
    EXPECT_STREQ(lineedit_line(&e), "dr");
    TYPE(&e, &t, UP "!\r");
    EXPECT_STREQ(t.last, "two!");
}

HTEST(lineedit_history_shows_a_shorter_line_over_a_longer_one)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t, "ab\rlonger");
    t.echo_length = 0;
    TYPE(&e, &t, UP);
    /* Back to column 0, the line, blanks over the rest, back again. */
    EXPECT_STREQ(t.echo, "\b\b\b\b\b\bab    \b\b\b\b");
}

HTEST(lineedit_history_keeps_the_newest_sixteen_without_repeats)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    for (int i = 0; i < 20; i++) {
        char line[8] = { 'c', (char)('a' + i), '\r' };
        type(&e, &t, line, 3);
        type(&e, &t, line, 3); /* the same line again is not stored twice */
    }
    EXPECT_EQ(e.history_count, (unsigned)LINEEDIT_HISTORY);
    for (int i = 0; i < LINEEDIT_HISTORY; i++)
        TYPE(&e, &t, UP);
    EXPECT_STREQ(lineedit_line(&e), "ce"); /* 20 lines, the oldest 4 gone */
}

HTEST(lineedit_a_full_line_refuses_more_with_the_bell)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    for (int i = 0; i < 200; i++)
        TYPE(&e, &t, "a");
    EXPECT_EQ(e.length, (size_t)LINEEDIT_MAX - 1);
    TYPE(&e, &t, "\r");
    EXPECT_EQ(t.lines, 1);
    EXPECT_EQ(t.last[LINEEDIT_MAX - 2], 'a');
    EXPECT_EQ(t.last[LINEEDIT_MAX - 1], 0);
    EXPECT_TRUE(strchr(t.echo, '\a') != NULL);
}

HTEST(lineedit_ctrl_c_drops_the_line_and_ctrl_u_erases_it)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t, "rm -rf\x03");
    EXPECT_EQ(t.cancels, 1);
    EXPECT_EQ(t.lines, 0);
    TYPE(&e, &t, "x\x15y\r");
    EXPECT_STREQ(t.last, "y");
    EXPECT_EQ(e.history_count, 1u); /* the dropped line is not in the history */
}

HTEST(lineedit_ignores_unknown_sequences_controls_and_high_bytes)
{
    static struct lineedit e;
    static struct typed t;
    lineedit_init(&e);
    TYPE(&e, &t, "a\x1b[99~\x1b[Z\x1bxb\x80\xff\x02\x1b[12345Ac\r");
    EXPECT_STREQ(t.last, "abc");
}

HTEST(lineedit_output_never_exceeds_the_capacity_given)
{
    static struct lineedit e;
    lineedit_init(&e);
    char out[LINEEDIT_OUT_MAX + 8];
    size_t length;
    for (int i = 0; i < 100; i++)
        lineedit_feed(&e, 'a', out, 4, &length);
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = 'z';
    lineedit_feed(&e, 0x1b, out, 4, &length);
    lineedit_feed(&e, '[', out, 4, &length);
    lineedit_feed(&e, 'H', out, 4, &length); /* home: 100 backspaces wanted */
    EXPECT_EQ(length, 4u);
    EXPECT_EQ(out[4], 'z');
}
