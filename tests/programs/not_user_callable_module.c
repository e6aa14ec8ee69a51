/* not_user_callable_module — calls kv_put, an export of the image module
 * kvstore that its manifest does not mark user-callable (linked against a
 * stand-in libghost.so): exec refuses it without loading kvstore, and
 * without counting a binding of kv_put when kvstore is loaded. */
int kv_put(const char *key, long value);

int main(void) { return kv_put("key", 1); }
