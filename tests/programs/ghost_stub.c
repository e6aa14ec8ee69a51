/* ghost_stub.c — a stand-in libghost.so with names that are no ghost
 * functions, so that not_user_callable, not_user_callable_module and
 * no_such_ghost link: the kernel must refuse them at exec; and exit, which
 * the start-up code calls. */
void kfree(void *p) { (void)p; }
int kv_put(const char *key, long value)
{
    (void)key;
    return (int)value;
}
void no_such_ghost(void) {}
void exit(int status)
{
    (void)status;
    for (;;)
        ;
}
