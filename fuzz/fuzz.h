/*
 * fuzz.h - what every fuzz target of fuzz/ shares.
 *
 * Each fuzz/fuzz-NAME.c defines LLVMFuzzerTestOneInput() over one public
 * API of srotrace and checks that API's invariants on whatever bytes it is
 * given. The same source is linked two ways (see the Makefile):
 *
 *   - with clang's -fsanitize=fuzzer,address,undefined into
 *     build/fuzz/fuzz/NAME (`make fuzz`: libFuzzer explores for a
 *     bounded time, docs/hardening.md);
 *   - with the ordinary compiler and fuzz/replay-main.c into
 *     $(O)/fuzz/NAME (`make tests`): a plain program that runs every file
 *     of fuzz/corpus/NAME/ and fuzz/regressions/NAME/ once, so that the
 *     seeds and every crash ever found are replayed by `make test` under
 *     ASan and UBSan without clang.
 *
 * A broken invariant is reported by FUZZ_CHECK(): a message naming the
 * target and the condition, then abort(), which both libFuzzer and the
 * replayer report as a crash with the input that caused it.
 */
#ifndef SRO_FUZZ_H
#define SRO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                              \
    do {                                                                   \
        if ( !(cond) )                                                     \
        {                                                                  \
            fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__,     \
                    __LINE__, #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
            abort();                                                       \
        }                                                                  \
    } while ( 0 )

/* A NUL-terminated copy of data[0..size) for parsers of text (heap: ASan
 * sees reads past the end). The caller frees it. NULL if out of memory. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if ( s )
    {
        for ( size_t i = 0; i < size; i++ )
            s[i] = (char)data[i];
        s[size] = '\0';
    }
    return s;
}

/* Is s NUL-terminated within n bytes? */
static inline int fuzz_terminated(const char *s, size_t n)
{
    for ( size_t i = 0; i < n; i++ )
        if ( !s[i] )
            return 1;
    return 0;
}

#endif /* SRO_FUZZ_H */
