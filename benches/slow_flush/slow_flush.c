/*
 * A disk whose flush is slow, for the throughput harness (benches/README.md,
 * "A flush of 2-4 ms"). Loaded with LD_PRELOAD into a throwaway PostgreSQL
 * server: every fsync/fdatasync does the real flush, then sleeps
 * DCMS_FLUSH_DELAY_US microseconds (default 3000), the flush cost issue 4
 * assumes and this machine's disk does not have (about 90 us here,
 * pg_test_fsync). PostgreSQL serialises its WAL flushes itself, so one
 * sleeping flush at a time is what a slow device would give.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static long delay_us(void) {
    static long cached = -1;
    if (cached < 0) {
        const char *text = getenv("DCMS_FLUSH_DELAY_US");
        long value = text ? strtol(text, NULL, 10) : 3000;
        cached = value > 0 ? value : 0;
    }
    return cached;
}

static void slow_down(void) {
    long us = delay_us();
    struct timespec pause = {us / 1000000, (us % 1000000) * 1000};
    /* A signal may cut the sleep short; the rest is slept. */
    while (nanosleep(&pause, &pause) != 0) {
    }
}

typedef int (*flush_fn)(int);

/* The real function `name` (looked up once), then the delay. */
static int flush_then_wait(flush_fn *real, const char *name, int fd) {
    if (!*real) *real = (flush_fn)dlsym(RTLD_NEXT, name);
    int rc = *real ? (*real)(fd) : -1;
    slow_down();
    return rc;
}

int fsync(int fd) {
    static flush_fn real;
    return flush_then_wait(&real, "fsync", fd);
}

int fdatasync(int fd) {
    static flush_fn real;
    return flush_then_wait(&real, "fdatasync", fd);
}
