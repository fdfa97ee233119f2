/* Counts heap allocations in the process it is preloaded into (LD_PRELOAD), for
 * test_allocation_counts.py, which compiles it (cc -shared -fPIC -O2 ... -ldl).
 *
 * Every call that allocates counts once: malloc, calloc, realloc and
 * reallocarray (as in swift-nio's allocation counter, a realloc of a live
 * block counts as one allocation and one free), posix_memalign, aligned_alloc,
 * memalign, valloc, pvalloc. free is counted apart, so allocations - frees is what was left
 * allocated. The real functions are glibc's, found with dlsym(RTLD_NEXT);
 * dlsym may itself call calloc, which is served from a small static buffer.
 *
 * The counters live in a file the test names in ISID_ALLOC_COUNTER_FILE,
 * mapped MAP_SHARED: the test reads them with pread(2) while the process runs,
 * so reading needs no signal, no thread and no allocation in the process. The
 * file holds little-endian uint64 words at these offsets:
 *
 *     0  allocations            8  frees          16  bytes requested
 *    24  trace control (written by the test; see below)
 *
 * Call sites (optional, for finding where allocations come from): with
 * ISID_ALLOC_TRACE_FILE set, each allocation made while the control word is 1
 * records its stack (backtrace(3)), and the block is followed until it is
 * freed; writing 2 to the control word stops that, and makes the next
 * allocation write a report to that file, one line per distinct stack:
 *
 *     COUNT LIVE MODULE+0xOFFSET MODULE+0xOFFSET ...   (innermost frame first)
 *
 * (LIVE: how many of the COUNT blocks were not freed while recording) and set
 * the control word to 3 when it is done. The test symbolizes it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

struct counters {
    _Atomic uint64_t allocations;
    _Atomic uint64_t frees;
    _Atomic uint64_t bytes;
    _Atomic uint64_t trace_control;
};

enum { TRACE_OFF = 0, TRACE_RECORDING = 1, TRACE_DUMP_REQUESTED = 2, TRACE_DUMPED = 3 };

/* Counted here until the constructor has mapped the file (and for good if there is none). */
static struct counters early_counters;
static struct counters *_Atomic counters = &early_counters;

static inline void count_allocation(size_t bytes) {
    struct counters *c = atomic_load_explicit(&counters, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->allocations, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->bytes, bytes, memory_order_relaxed);
}

static inline void count_free(void) {
    struct counters *c = atomic_load_explicit(&counters, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->frees, 1, memory_order_relaxed);
}

/* -- the real functions, and the bootstrap buffer dlsym's own allocations come from -- */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

static _Alignas(64) char bootstrap[16384];
static _Atomic size_t bootstrap_used;
static TLS int resolving;

static int from_bootstrap(const void *pointer) {
    return (const char *)pointer >= bootstrap && (const char *)pointer < bootstrap + sizeof bootstrap;
}

/* 16-byte header holding the size, so a realloc of a bootstrap block can copy it. */
static void *bootstrap_alloc(size_t size) {
    size_t need = ((size + 15) & ~(size_t)15) + 16;
    size_t offset = atomic_fetch_add(&bootstrap_used, need);
    if (offset + need > sizeof bootstrap) {
        return NULL;
    }
    char *block = bootstrap + offset;
    memcpy(block, &size, sizeof size);
    return block + 16; /* already zero: static storage, never reused */
}

static size_t bootstrap_size(const void *pointer) {
    size_t size;
    memcpy(&size, (const char *)pointer - 16, sizeof size);
    return size;
}

static void resolve(void) {
    resolving = 1;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_valloc = dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
    real_free = dlsym(RTLD_NEXT, "free"); /* last: ENSURE_RESOLVED tests it */
    resolving = 0;
}

#define ENSURE_RESOLVED(fallback)                                                                                      \
    do {                                                                                                               \
        if (__builtin_expect(real_free == NULL, 0)) {                                                                  \
            if (resolving) {                                                                                           \
                fallback;                                                                                              \
            }                                                                                                          \
            resolve();                                                                                                 \
        }                                                                                                              \
    } while (0)

/* -- call sites (only with ISID_ALLOC_TRACE_FILE) -- */

#define TRACE_DEPTH 32
#define TRACE_SLOTS 16384

struct trace_slot {
    uint64_t hash;
    uint64_t count;
    uint64_t live;
    int depth;
    void *frames[TRACE_DEPTH];
};

/* The blocks allocated while recording and not freed yet: open addressing on the address, 1 marks a removed
 * entry. Mapped only when tracing. */
#define LIVE_BITS 20
#define LIVE_PROBES 512
#define LIVE_REMOVED ((uintptr_t)1)

struct live_block {
    uintptr_t pointer;
    uint64_t slot;
};

static int trace_enabled;
static char trace_path[4096];
static struct trace_slot trace_slots[TRACE_SLOTS];
static struct live_block *live_blocks;
static _Atomic uint64_t trace_dropped;
static atomic_flag trace_lock = ATOMIC_FLAG_INIT;
static TLS int in_trace;

static void lock_trace(void) {
    while (atomic_flag_test_and_set_explicit(&trace_lock, memory_order_acquire)) {
    }
}

static void unlock_trace(void) { atomic_flag_clear_explicit(&trace_lock, memory_order_release); }

static size_t live_index(uintptr_t pointer) {
    return (size_t)(((uint64_t)pointer >> 4) * 0x9E3779B97F4A7C15ULL >> (64 - LIVE_BITS));
}

/* Under the lock. */
static void live_insert(void *pointer, size_t slot) {
    size_t index = live_index((uintptr_t)pointer);
    for (size_t probe = 0; probe < LIVE_PROBES; probe++) {
        struct live_block *block = &live_blocks[(index + probe) & ((1u << LIVE_BITS) - 1)];
        if (block->pointer == 0 || block->pointer == LIVE_REMOVED) {
            block->pointer = (uintptr_t)pointer;
            block->slot = slot;
            trace_slots[slot].live++;
            return;
        }
    }
}

/* Under the lock. */
static void live_remove(void *pointer) {
    size_t index = live_index((uintptr_t)pointer);
    for (size_t probe = 0; probe < LIVE_PROBES; probe++) {
        struct live_block *block = &live_blocks[(index + probe) & ((1u << LIVE_BITS) - 1)];
        if (block->pointer == (uintptr_t)pointer) {
            block->pointer = LIVE_REMOVED;
            trace_slots[block->slot].live--;
            return;
        }
        if (block->pointer == 0) {
            return;
        }
    }
}

static void write_all(int fd, const char *text, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, text, length);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        text += written;
        length -= (size_t)written;
    }
}

static char *append_text(char *out, const char *text) {
    while (*text) {
        *out++ = *text++;
    }
    return out;
}

static char *append_number(char *out, uint64_t value, int base) {
    char digits[24];
    int count = 0;
    do {
        digits[count++] = "0123456789abcdef"[value % (uint64_t)base];
        value /= (uint64_t)base;
    } while (value);
    while (count) {
        *out++ = digits[--count];
    }
    return out;
}

static void trace_dump(void) {
    int fd = open(trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return;
    }
    lock_trace();
    static char line[TRACE_DEPTH * 600 + 64];
    char *out = append_text(line, "# dropped ");
    out = append_number(out, atomic_load(&trace_dropped), 10);
    *out++ = '\n';
    write_all(fd, line, (size_t)(out - line));
    for (size_t i = 0; i < TRACE_SLOTS; i++) {
        struct trace_slot *slot = &trace_slots[i];
        if (slot->count == 0) {
            continue;
        }
        out = append_number(line, slot->count, 10);
        *out++ = ' ';
        out = append_number(out, slot->live, 10);
        for (int frame = 0; frame < slot->depth; frame++) {
            Dl_info info;
            *out++ = ' ';
            if (dladdr(slot->frames[frame], &info) && info.dli_fname && info.dli_fname[0]) {
                size_t length = strnlen(info.dli_fname, 512);
                memcpy(out, info.dli_fname, length);
                out += length;
                out = append_text(out, "+0x");
                out = append_number(out, (uint64_t)((char *)slot->frames[frame] - (char *)info.dli_fbase), 16);
            } else {
                out = append_text(out, "?+0x");
                out = append_number(out, (uint64_t)(uintptr_t)slot->frames[frame], 16);
            }
        }
        *out++ = '\n';
        write_all(fd, line, (size_t)(out - line));
        slot->count = 0;
        slot->live = 0;
    }
    memset(live_blocks, 0, sizeof(struct live_block) << LIVE_BITS);
    unlock_trace();
    close(fd);
}

__attribute__((noinline)) static void trace_allocation(void *pointer) {
    struct counters *c = atomic_load_explicit(&counters, memory_order_relaxed);
    uint64_t control = atomic_load_explicit(&c->trace_control, memory_order_relaxed);
    if (control != TRACE_RECORDING && control != TRACE_DUMP_REQUESTED) {
        return;
    }
    in_trace = 1; /* backtrace() and dladdr() may allocate: those allocations are counted, not traced */
    if (control == TRACE_DUMP_REQUESTED) {
        uint64_t expected = TRACE_DUMP_REQUESTED;
        if (atomic_compare_exchange_strong(&c->trace_control, &expected, TRACE_OFF)) {
            trace_dump();
            atomic_store(&c->trace_control, TRACE_DUMPED);
        }
        in_trace = 0;
        return;
    }
    void *frames[TRACE_DEPTH + 2];
    int depth = backtrace(frames, TRACE_DEPTH + 2);
    /* Drop this function and the hook that called it. */
    int skip = depth > 2 ? 2 : 0;
    depth -= skip;
    uint64_t hash = 1469598103934665603ULL;
    for (int i = 0; i < depth; i++) {
        hash = (hash ^ (uint64_t)(uintptr_t)frames[skip + i]) * 1099511628211ULL;
    }
    lock_trace();
    size_t index = (size_t)(hash % TRACE_SLOTS);
    int stored = 0;
    for (size_t probe = 0; probe < 64; probe++) {
        size_t at = (index + probe) % TRACE_SLOTS;
        struct trace_slot *slot = &trace_slots[at];
        if (slot->count == 0) {
            slot->hash = hash;
            slot->depth = depth;
            memcpy(slot->frames, frames + skip, (size_t)depth * sizeof(void *));
        } else if (slot->hash != hash || slot->depth != depth) {
            continue;
        }
        slot->count++;
        if (pointer != NULL) {
            live_insert(pointer, at);
        }
        stored = 1;
        break;
    }
    unlock_trace();
    if (!stored) {
        atomic_fetch_add(&trace_dropped, 1);
    }
    in_trace = 0;
}

static void trace_free(void *pointer) {
    struct counters *c = atomic_load_explicit(&counters, memory_order_relaxed);
    if (atomic_load_explicit(&c->trace_control, memory_order_relaxed) != TRACE_RECORDING) {
        return;
    }
    lock_trace();
    live_remove(pointer);
    unlock_trace();
}

#define TRACE(pointer)                                                                                                 \
    do {                                                                                                               \
        if (__builtin_expect(trace_enabled, 0) && !in_trace) {                                                         \
            trace_allocation(pointer);                                                                                 \
        }                                                                                                              \
    } while (0)

#define TRACE_FREE(pointer)                                                                                            \
    do {                                                                                                               \
        if (__builtin_expect(trace_enabled, 0) && !in_trace) {                                                         \
            trace_free(pointer);                                                                                       \
        }                                                                                                              \
    } while (0)

/* -- set-up -- */

__attribute__((constructor)) static void malloc_counter_init(void) {
    ENSURE_RESOLVED((void)0);
    const char *path = getenv("ISID_ALLOC_COUNTER_FILE");
    if (path != NULL && path[0] != '\0') {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            if (ftruncate(fd, 4096) == 0) {
                void *mapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                if (mapped != MAP_FAILED) {
                    struct counters *shared = mapped;
                    atomic_store(&shared->allocations, atomic_load(&early_counters.allocations));
                    atomic_store(&shared->frees, atomic_load(&early_counters.frees));
                    atomic_store(&shared->bytes, atomic_load(&early_counters.bytes));
                    atomic_store(&counters, shared);
                }
            }
            close(fd);
        }
    }
    const char *trace = getenv("ISID_ALLOC_TRACE_FILE");
    if (trace != NULL && trace[0] != '\0' && strlen(trace) < sizeof trace_path) {
        strcpy(trace_path, trace);
        /* backtrace() loads the unwinder on its first call (and allocates): do that now. */
        void *frames[4];
        in_trace = 1;
        backtrace(frames, 4);
        in_trace = 0;
        void *table = mmap(NULL, sizeof(struct live_block) << LIVE_BITS, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (table != MAP_FAILED) {
            live_blocks = table;
            trace_enabled = 1;
        }
    }
}

/* -- the interposed functions -- */

EXPORT void *malloc(size_t size) {
    ENSURE_RESOLVED(return bootstrap_alloc(size));
    count_allocation(size);
    void *pointer = real_malloc(size);
    TRACE(pointer);
    return pointer;
}

EXPORT void *calloc(size_t count, size_t size) {
    ENSURE_RESOLVED(return bootstrap_alloc(count * size));
    count_allocation(count * size);
    void *pointer = real_calloc(count, size);
    TRACE(pointer);
    return pointer;
}

EXPORT void *realloc(void *pointer, size_t size) {
    if (from_bootstrap(pointer)) {
        void *moved = malloc(size);
        if (moved != NULL) {
            size_t old = bootstrap_size(pointer);
            memcpy(moved, pointer, old < size ? old : size);
        }
        return moved;
    }
    ENSURE_RESOLVED(return bootstrap_alloc(size));
    if (pointer == NULL) {
        return malloc(size);
    }
    count_free();
    TRACE_FREE(pointer);
    if (size == 0) {
        return real_realloc(pointer, size);
    }
    count_allocation(size);
    void *moved = real_realloc(pointer, size);
    TRACE(moved);
    return moved;
}

EXPORT void *reallocarray(void *pointer, size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(pointer, total);
}

EXPORT void free(void *pointer) {
    if (pointer == NULL || from_bootstrap(pointer)) {
        return;
    }
    ENSURE_RESOLVED(return);
    count_free();
    TRACE_FREE(pointer);
    real_free(pointer);
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size) {
    ENSURE_RESOLVED(return ENOMEM);
    count_allocation(size);
    int status = real_posix_memalign(out, alignment, size);
    TRACE(status == 0 ? *out : NULL);
    return status;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size) {
    ENSURE_RESOLVED(return NULL);
    count_allocation(size);
    void *pointer = real_aligned_alloc(alignment, size);
    TRACE(pointer);
    return pointer;
}

EXPORT void *memalign(size_t alignment, size_t size) {
    ENSURE_RESOLVED(return NULL);
    count_allocation(size);
    void *pointer = real_memalign(alignment, size);
    TRACE(pointer);
    return pointer;
}

EXPORT void *valloc(size_t size) {
    ENSURE_RESOLVED(return NULL);
    count_allocation(size);
    void *pointer = real_valloc(size);
    TRACE(pointer);
    return pointer;
}

EXPORT void *pvalloc(size_t size) {
    ENSURE_RESOLVED(return NULL);
    count_allocation(size);
    void *pointer = real_pvalloc(size);
    TRACE(pointer);
    return pointer;
}
