#ifndef ISID_THREAD_SANITIZER_H
#define ISID_THREAD_SANITIZER_H

#include <stdint.h>

// ThreadSanitizer's annotations for synchronisation it cannot see. Declared weak: in a binary built with
// ThreadSanitizer its runtime defines them; in any other binary they stay null and the calls below are a
// test and a branch.
void __tsan_acquire(void *addr) __attribute__((weak));
void __tsan_release(void *addr) __attribute__((weak));

/// Tells ThreadSanitizer that what the thread that last called isid_tsan_release(id) did happens before what
/// this thread does next. `id` names the synchronisation object (an address); it is never dereferenced.
static inline void isid_tsan_acquire(uintptr_t id) {
    if (__tsan_acquire) __tsan_acquire((void *)id);
}

/// The other half of isid_tsan_acquire.
static inline void isid_tsan_release(uintptr_t id) {
    if (__tsan_release) __tsan_release((void *)id);
}

/// 1 in a binary built with ThreadSanitizer, 0 otherwise.
static inline int isid_tsan_is_active(void) { return __tsan_acquire != 0; }

#endif
