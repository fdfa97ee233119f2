#ifndef ISID_HEAP_TUNING_H
#define ISID_HEAP_TUNING_H

/// Sets glibc's M_TRIM_THRESHOLD (malloc.h, which Swift's Glibc module does not export).
/// Returns 1 on success, 0 where the allocator has no such setting.
int isid_set_malloc_trim_threshold(int bytes);

#endif
