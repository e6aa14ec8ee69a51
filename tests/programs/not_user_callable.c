/* not_user_callable — calls kfree, a core function that no manifest marks
 * user-callable (linked against a stand-in libghost.so): exec refuses it. */
void kfree(void *p);

int main(void)
{
    kfree(0);
    return 0;
}
