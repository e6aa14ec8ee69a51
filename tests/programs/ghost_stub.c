/* ghost_stub.c — a stand-in libghost.so with names that are no ghost
 * functions, so that not_user_callable and no_such_ghost link: the kernel
 * must refuse them at exec; and exit, which the start-up code calls. */
void kfree(void *p) { (void)p; }
void no_such_ghost(void) {}
void exit(int status)
{
    (void)status;
    for (;;)
        ;
}
