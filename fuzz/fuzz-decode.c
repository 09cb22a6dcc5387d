/*
 * fuzz-decode.c - the instruction decoder (core/decode.h) over any bytes.
 *
 * Input: byte 0 picks the mode (16, 32, 64, or now and then an invalid
 * one), the rest are the instruction bytes as an SRO_INSN record would
 * carry them (any length: the decoder must cap it). Checked:
 *
 *   - a return of 0 means valid, -1 means not valid, with a reason in
 *     text either way, and text and kind NUL-terminated;
 *   - a valid instruction has 1..15 bytes, no more than were given, and
 *     echoes the mode;
 *   - a store is 1..255 bytes wide (width; store_bytes for the wider
 *     xsave family, where width is 0, never over a page), a non-store
 *     has width 0; a string instruction is a store;
 *   - the cache changes nothing: a decoder with a tiny cache (constant
 *     evictions) and one with a large cache agree, and a second decode of
 *     the same bytes (a cache hit) gives the same answer;
 *   - the instruction is decided by its own bytes: decoding only its
 *     `length` bytes gives the same instruction.
 */
#include <string.h>

#include "core/decode.h"
#include "fuzz.h"

static struct sro_decoder *small, *large;

/* Field-by-field equality (the struct has padding). */
static int same(const struct sro_insn *a, const struct sro_insn *b)
{
    return a->valid == b->valid && a->length == b->length &&
           a->mode == b->mode && a->store == b->store && a->rmw == b->rmw &&
           a->string == b->string && a->rep == b->rep &&
           a->locked == b->locked && a->width == b->width &&
           a->stack == b->stack && a->store_bytes == b->store_bytes &&
           strcmp(a->text, b->text) == 0 && strcmp(a->kind, b->kind) == 0;
}

static void check_insn(int rc, const struct sro_insn *in, size_t n,
                       unsigned int mode)
{
    FUZZ_CHECK(fuzz_terminated(in->text, sizeof(in->text)),
               "text not terminated");
    FUZZ_CHECK(fuzz_terminated(in->kind, sizeof(in->kind)),
               "kind not terminated");
    FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
    FUZZ_CHECK((rc == 0) == in->valid, "rc %d but valid %d", rc, in->valid);
    if ( !in->valid )
    {
        FUZZ_CHECK(in->text[0], "invalid without a reason");
        return;
    }
    FUZZ_CHECK(in->mode == mode, "mode %u, asked %u", in->mode, mode);
    FUZZ_CHECK(in->length >= 1 && in->length <= 15 && in->length <= n,
               "length %u of %zu bytes", in->length, n);
    /* width is 8 bits: the x87 state stores (fnsave: 94 or 108 bytes)
     * fit, the xsave family (512, 576) is only in store_bytes. */
    FUZZ_CHECK(in->store_bytes <= 4096, "store_bytes %u", in->store_bytes);
    if ( in->store )
    {
        FUZZ_CHECK(in->width > 0 || in->store_bytes > 255,
                   "store of width %u, store_bytes %u (%s)", in->width,
                   in->store_bytes, in->text);
        FUZZ_CHECK(in->store_bytes == in->width || in->width == 0,
                   "width %u but store_bytes %u (%s)", in->width,
                   in->store_bytes, in->text);
    }
    else
        FUZZ_CHECK(in->width == 0, "non-store of width %u (%s)", in->width,
                   in->text);
    FUZZ_CHECK(!in->string || in->store, "string but not a store (%s)",
               in->text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned int modes[8] = { 16, 32, 64, 64, 32, 64, 0, 8 };
    struct sro_insn a, b, c;
    unsigned int mode;
    const uint8_t *bytes;
    size_t n;
    int ra, rb, rc;

    if ( !small )
    {
        small = sro_decoder_new(4);
        large = sro_decoder_new(0);
        FUZZ_CHECK(small && large, "out of memory");
    }
    if ( size < 1 )
        return 0;
    mode = modes[data[0] & 7];
    bytes = data + 1;
    n = size - 1;

    ra = sro_decode(small, bytes, n, mode, &a);
    check_insn(ra, &a, n, mode);
    if ( mode != 16 && mode != 32 && mode != 64 )
    {
        FUZZ_CHECK(ra == -1, "mode %u accepted", mode);
        return 0;
    }
    rb = sro_decode(large, bytes, n, mode, &b);
    FUZZ_CHECK(ra == rb && same(&a, &b), "caches disagree: '%s' vs '%s'",
               a.text, b.text);
    rb = sro_decode(large, bytes, n, mode, &b);     /* a cache hit */
    FUZZ_CHECK(ra == rb && same(&a, &b), "cache hit differs: '%s' vs '%s'",
               a.text, b.text);

    if ( a.valid && a.length < n )
    {
        rc = sro_decode(small, bytes, a.length, mode, &c);
        FUZZ_CHECK(rc == 0 && same(&a, &c),
                   "its own %u bytes decode otherwise: '%s' vs '%s'",
                   a.length, a.text, c.text);
    }
    return 0;
}
