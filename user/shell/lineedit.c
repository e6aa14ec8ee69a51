/* lineedit.c — the shell's line editor (lineedit.h). The terminal's cursor
 * is moved left with backspace (BS, 0x08) and the tail of the line is
 * redrawn after each edit, so only plain VT100 behaviour is assumed.
 *
 * Invariants after every feed: cursor <= length < LINEEDIT_MAX,
 * line[length] == 0, history_count <= LINEEDIT_HISTORY,
 * browsing <= history_count, and at most out_capacity bytes written.
 */
#include "user/shell/lineedit.h"

#define ESC 0x1b
#define BEL 0x07
#define BS  0x08
#define DEL 0x7f

struct output {
    char *bytes;
    size_t capacity, length;
};

static void put(struct output *o, char c)
{
    if (o->length < o->capacity)
        o->bytes[o->length++] = c;
}

static void put_n(struct output *o, char c, size_t n)
{
    while (n-- > 0)
        put(o, c);
}

static void put_str(struct output *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
}

static size_t text_length(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void copy_text(char *to, const char *from)
{
    size_t i = 0;
    for (; from[i] && i < LINEEDIT_MAX - 1; i++)
        to[i] = from[i];
    to[i] = 0;
}

static bool same_text(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    return a[i] == b[i];
}

void lineedit_init(struct lineedit *e)
{
    char *p = (char *)e;
    for (size_t i = 0; i < sizeof(*e); i++)
        p[i] = 0;
}

const char *lineedit_line(const struct lineedit *e) { return e->line; }

/* Redraws from the cursor to the end, blanks `erase` stale cells after
 * it, and puts the terminal's cursor back where ours is. */
static void redraw_tail(struct lineedit *e, struct output *o, size_t erase)
{
    put_str(o, e->line + e->cursor, e->length - e->cursor);
    put_n(o, ' ', erase);
    put_n(o, BS, e->length - e->cursor + erase);
}

static void insert(struct lineedit *e, struct output *o, char c)
{
    if (e->length == LINEEDIT_MAX - 1) {
        put(o, BEL);
        return;
    }
    for (size_t i = e->length; i > e->cursor; i--)
        e->line[i] = e->line[i - 1];
    e->line[e->cursor] = c;
    e->line[++e->length] = 0;
    put(o, c);
    e->cursor++;
    redraw_tail(e, o, 0);
}

/* Deletes the byte at the cursor. */
static void delete_at(struct lineedit *e, struct output *o)
{
    if (e->cursor == e->length)
        return;
    for (size_t i = e->cursor; i < e->length; i++)
        e->line[i] = e->line[i + 1];
    e->length--;
    redraw_tail(e, o, 1);
}

static void move_to(struct lineedit *e, struct output *o, size_t to)
{
    if (to < e->cursor)
        put_n(o, BS, e->cursor - to);
    else
        put_str(o, e->line + e->cursor, to - e->cursor);
    e->cursor = to;
}

/* Shows `text` instead of the current line, cursor at its end. */
static void replace_line(struct lineedit *e, struct output *o, const char *text)
{
    size_t old = e->length;
    move_to(e, o, 0);
    copy_text(e->line, text);
    e->length = text_length(e->line);
    e->cursor = e->length;
    put_str(o, e->line, e->length);
    if (old > e->length) {
        put_n(o, ' ', old - e->length);
        put_n(o, BS, old - e->length);
    }
}

/* The k-th newest history line, 1 <= k <= history_count. */
static const char *history_entry(const struct lineedit *e, unsigned k)
{
    return e->history[(e->history_next + LINEEDIT_HISTORY - k) % LINEEDIT_HISTORY];
}

static void browse(struct lineedit *e, struct output *o, bool older)
{
    if (older ? e->browsing == e->history_count : e->browsing == 0) {
        put(o, BEL);
        return;
    }
    if (e->browsing == 0)
        copy_text(e->draft, e->line);
    e->browsing += older ? 1 : -1;
    replace_line(e, o, e->browsing ? history_entry(e, e->browsing) : e->draft);
}

static void remember(struct lineedit *e)
{
    if (e->length == 0 || (e->history_count && same_text(history_entry(e, 1), e->line)))
        return;
    copy_text(e->history[e->history_next], e->line);
    e->history_next = (e->history_next + 1) % LINEEDIT_HISTORY;
    if (e->history_count < LINEEDIT_HISTORY)
        e->history_count++;
}

static void start_new_line(struct lineedit *e)
{
    e->length = e->cursor = 0;
    e->line[0] = 0;
    e->browsing = 0;
}

/* A complete escape sequence: ESC [ X, ESC [ N ~, ESC O X. */
static void escape_sequence(struct lineedit *e, struct output *o)
{
    uint8_t kind = e->escape[1], last = e->escape[e->escape_length - 1];
    if (last == '~') {
        if (e->escape_length != 4)
            return;
        switch (e->escape[2]) {
        case '1':
        case '7':
            move_to(e, o, 0);
            break;
        case '4':
        case '8':
            move_to(e, o, e->length);
            break;
        case '3':
            delete_at(e, o);
            break;
        }
        return;
    }
    if (e->escape_length != 3 || (kind != '[' && kind != 'O'))
        return;
    switch (last) {
    case 'A':
        browse(e, o, true);
        break;
    case 'B':
        browse(e, o, false);
        break;
    case 'C':
        if (e->cursor < e->length)
            move_to(e, o, e->cursor + 1);
        break;
    case 'D':
        if (e->cursor > 0)
            move_to(e, o, e->cursor - 1);
        break;
    case 'H':
        move_to(e, o, 0);
        break;
    case 'F':
        move_to(e, o, e->length);
        break;
    }
}

/* One byte of an escape sequence; true while the sequence goes on. A
 * control sequence (ESC [) is parameter bytes 0x30..0x3f then one final
 * byte 0x40..0x7e (ECMA-48); one too long for the buffer is read to its
 * end and dropped, so that its tail is not taken for typed text. */
static bool escape_byte(struct lineedit *e, struct output *o, uint8_t byte)
{
    if (e->escape_length == 1)
        return (e->escape[e->escape_length++] = byte) == '[' || byte == 'O';
    bool parameter = byte >= 0x30 && byte <= 0x3f;
    if (e->escape[1] == '[' && parameter) {
        if (e->escape_length < sizeof(e->escape))
            e->escape[e->escape_length++] = byte;
        else
            e->escape_overflow = true;
        return true;
    }
    if (e->escape_length < sizeof(e->escape) && !e->escape_overflow) {
        e->escape[e->escape_length++] = byte;
        escape_sequence(e, o);
    }
    e->escape_overflow = false;
    return false; /* the final byte (or, after ESC O, any byte) ends it */
}

enum lineedit_event lineedit_feed(struct lineedit *e, uint8_t byte, char *out, size_t out_capacity,
                                  size_t *out_length)
{
    struct output o = { out, out_capacity, 0 };
    enum lineedit_event event = LINEEDIT_NONE;
    bool after_cr = e->after_cr;
    e->after_cr = false;
    if (e->finished) {
        start_new_line(e);
        e->finished = false;
    }
    if (e->escape_length) {
        if (!escape_byte(e, &o, byte))
            e->escape_length = 0;
        *out_length = o.length;
        return LINEEDIT_NONE;
    }
    switch (byte) {
    case '\n':
        if (after_cr)
            break; /* the LF of a CR LF */
        /* fall through */
    case '\r':
        e->after_cr = byte == '\r';
        put_str(&o, "\r\n", 2);
        remember(e);
        event = LINEEDIT_LINE;
        break;
    case DEL:
    case BS:
        if (e->cursor > 0) {
            put(&o, BS);
            e->cursor--;
            delete_at(e, &o);
        }
        break;
    case ESC:
        e->escape[0] = ESC;
        e->escape_length = 1;
        break;
    case 'A' - '@':
        move_to(e, &o, 0);
        break;
    case 'E' - '@':
        move_to(e, &o, e->length);
        break;
    case 'U' - '@':
        replace_line(e, &o, "");
        break;
    case 'C' - '@':
        put_str(&o, "^C\r\n", 4);
        event = LINEEDIT_CANCELLED;
        break;
    default:
        if (byte >= 0x20 && byte < 0x7f)
            insert(e, &o, (char)byte);
    }
    e->finished = event != LINEEDIT_NONE;
    *out_length = o.length;
    return event;
}
