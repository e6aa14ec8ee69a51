/* no_such_ghost — calls a name nothing exports (linked against a stand-in
 * libghost.so): exec refuses it. */
void no_such_ghost(void);

int main(void)
{
    no_such_ghost();
    return 0;
}
