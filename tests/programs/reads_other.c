/* reads_other — reads OTHER_VA, where owns_data has its marker: past this
 * program's small image, so the read must fault. */
#include <stdint.h>

#define OTHER_VA 0x480000ul

int main(void) { return (int)*(volatile uint64_t *)OTHER_VA; }
