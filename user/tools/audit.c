/* audit — the live contract audit: each loaded module's contracts and the
 * checks across them, as the kernel prints them (audit). Exits with the
 * number of findings (at most 255). */
#include <ghost.h>
#include "user/lib/ulib.h"

int main(void)
{
    long findings = audit();
    if (findings < 0) {
        u_put("audit: failed, error ");
        u_put_signed(findings);
        u_put("\n");
        return 255;
    }
    return findings > 255 ? 255 : (int)findings;
}
