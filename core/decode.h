/*
 * decode.h - which x86 instructions store to memory, and how wide.
 *
 * Capstone 4.0.2 gives the text and operands; it misreports many stores as
 * reads (SSE/AVX stores, movnti, cmpxchg, ...) and cannot decode movdiri
 * or movdir64b at all. store-table.c is our own table, checked against the
 * Intel SDM by tests/unit/test-decode.c, that decides the memory
 * semantics; capstone only supplies the mnemonic, length and operands.
 *
 * Decodes are cached by (byte string, mode): a trace repeats the same few
 * instructions millions of times.
 */
#ifndef SRO_DECODE_H
#define SRO_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One decoded instruction. */
struct sro_insn {
    bool    valid;          /* decoded at all */
    uint8_t length;         /* instruction length in bytes */
    uint8_t mode;           /* 16, 32 or 64 */
    bool    store;          /* writes memory */
    bool    rmw;            /* reads the destination before writing it */
    bool    string;         /* stos/movs (one store per iteration) */
    bool    rep;            /* carries a rep/repe/repne prefix that
                               repeats it (string instructions only) */
    bool    locked;         /* carries a lock prefix, or is xchg with
                               memory (locked without one) */
    uint8_t width;          /* bytes written per store; 0 if not a store */
    char    text[96];       /* "mov dword ptr [rdi], eax" */
    char    kind[32];       /* "mov_m32_r32", "movups_m128", "mov_m32_imm" */
    /* Added after the first draft (appended: the fields above keep their
     * offsets). */
    bool    stack;          /* the store goes to the stack at [rsp]
                               (push, call, enter), not to an operand */
    uint16_t store_bytes;   /* bytes written per store, also when over 255
                               (fxsave 512, xsave 576), where width,
                               8 bits like SRO_WRITE's length, is 0 */
};

struct sro_decoder;

/* A decoder with a cache of `cache_slots` entries (0: a default). */
struct sro_decoder *sro_decoder_new(unsigned int cache_slots);
void sro_decoder_free(struct sro_decoder *d);

/*
 * Decode the instruction at bytes[0..n). mode is 16, 32 or 64. Returns 0
 * and fills *out, or -1 when the bytes decode to nothing (out->valid is
 * false, out->kind is "invalid" and out->text says why: empty, truncated,
 * too long, #UD, ...). Only the first 15 bytes are looked at; bytes after
 * the instruction are ignored (out->length says how many it has). Results,
 * failures included, are cached by (bytes, n, mode). Garbage in never
 * crashes and never reads past bytes[n-1]. d may not be shared between
 * threads.
 */
int sro_decode(struct sro_decoder *d, const uint8_t *bytes, size_t n,
               unsigned int mode, struct sro_insn *out);

/* mode (16/32/64) for an enum sro_code_size; unknown defaults to 64. */
unsigned int sro_mode_of_code_size(unsigned int code_size);

/* Cache statistics, for --stats and the benchmarks. */
void sro_decoder_stats(const struct sro_decoder *d, uint64_t *hits,
                       uint64_t *misses);

#endif /* SRO_DECODE_H */
