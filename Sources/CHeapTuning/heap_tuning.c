#include "heap_tuning.h"

#include <stdlib.h> /* on glibc this defines __GLIBC__ */

#if defined(__GLIBC__)
#include <malloc.h>

int isid_set_malloc_trim_threshold(int bytes) { return mallopt(M_TRIM_THRESHOLD, bytes); }
#else
int isid_set_malloc_trim_threshold(int bytes) {
    (void)bytes;
    return 0;
}
#endif
