/* syms — the symbol table: name, module, slot, bindings, contract
 * (symbol_list). `syms WORD` shows only the names that contain WORD. */
#include <ghost.h>
#include <wisp/syscall.h>
#include "user/lib/ulib.h"

static bool contains(const char *text, const char *word)
{
    size_t n = u_strlen(word);
    for (; *text; text++) {
        size_t i = 0;
        while (i < n && text[i] == word[i])
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

static void print_symbol(const struct sys_symbol_record *r)
{
    u_put_column(r->name, 28);
    u_put_column(r->module, 10);
    u_put_number_column(r->slot, 5);
    u_put_number_column(r->bindings, 8);
    u_put(r->user_callable ? "user  " : "      ");
    u_put(r->contract[0] ? r->contract : "-");
    u_put("\n");
}

int main(int argc, char **argv)
{
    static struct sys_symbol_record records[SYS_LIST_MAX];
    const char *word = argc > 1 ? argv[1] : "";
    unsigned shown = 0;
    u_put("SYMBOL                       MODULE      SLOT BINDINGS      CONTRACT\n");
    for (size_t start = 0;; start += SYS_LIST_MAX) {
        long n = symbol_list(records, start, SYS_LIST_MAX);
        if (n < 0) {
            u_put("syms: symbol_list failed\n");
            return 1;
        }
        for (long i = 0; i < n; i++) {
            if (contains(records[i].name, word)) {
                print_symbol(&records[i]);
                shown++;
            }
        }
        if (n < SYS_LIST_MAX)
            break;
    }
    u_put_number(shown);
    u_put(" symbols\n");
    return 0;
}
