/*
 * decode.c - decode instruction bytes into a struct sro_insn, with a cache.
 *
 * Three sources are combined (see docs/decoding.md):
 *   - capstone 4.0.2 gives the text, the length and validity;
 *   - x86-scan.c reads the encoding itself (prefixes, REX/VEX/EVEX, opcode,
 *     ModRM), independently of capstone;
 *   - store-table.c, keyed on that reading, says whether the instruction
 *     writes memory, whether it reads it first, how wide, and whether it is
 *     a string or stack store.
 * When capstone and the table disagree on an instruction the table knows
 * (its length or its mnemonic), the decode fails rather than guess, except
 * for the forms the table can print itself (capstone 4.0.2 cannot decode
 * movdiri, movdir64b and several AVX-512 stores at all).
 *
 * The cache is an open-addressing hash table of a fixed power-of-two
 * number of slots keyed by (bytes, length, mode). A lookup probes
 * CACHE_PROBE consecutive slots; a miss decodes and takes an empty slot of
 * the probe window or evicts one of them in turn. A hit is a hash, at most
 * four 16-byte compares and one copy of the struct: far cheaper than
 * capstone, which is what a trace of the same few instructions needs.
 *
 * A decoder is not thread-safe: use one per thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone.h>

#include "abi.h"
#include "decode.h"
#include "store-table.h"
#include "x86-scan.h"

#define CACHE_DEFAULT_SLOTS 4096u
#define CACHE_MAX_SLOTS     (1u << 20)
#define CACHE_PROBE         4u

struct cache_slot {
    uint64_t k0, k1;            /* the bytes, zero-padded to 16 */
    uint8_t  n;                 /* byte count; 0 = empty slot */
    uint8_t  mode;              /* 16, 32 or 64 */
    struct sro_insn insn;       /* the decode */
};

/* Capstone state for one mode, opened on first use. */
struct cs_state {
    bool     tried;             /* cs_open attempted */
    bool     ok;                /* handle and insn are usable */
    csh      handle;
    cs_insn *insn;              /* scratch for cs_disasm_iter */
};

struct sro_decoder {
    struct cache_slot *slots;   /* nslots entries */
    unsigned int nslots;        /* power of two */
    unsigned int victim;        /* rotates eviction in a full window */
    uint64_t hits, misses;
    struct cs_state cs[3];       /* 16-, 32-, 64-bit */
};

struct sro_decoder *sro_decoder_new(unsigned int cache_slots)
{
    struct sro_decoder *d = calloc(1, sizeof(*d));
    unsigned int n = 16;

    if ( !d )
        return NULL;
    if ( cache_slots == 0 )
        cache_slots = CACHE_DEFAULT_SLOTS;
    if ( cache_slots > CACHE_MAX_SLOTS )
        cache_slots = CACHE_MAX_SLOTS;
    while ( n < cache_slots )
        n <<= 1;
    d->slots = calloc(n, sizeof(*d->slots));
    if ( !d->slots )
    {
        free(d);
        return NULL;
    }
    d->nslots = n;
    return d;
}

void sro_decoder_free(struct sro_decoder *d)
{
    if ( !d )
        return;
    for ( unsigned int i = 0; i < 3; i++ )
        if ( d->cs[i].ok )
        {
            cs_free(d->cs[i].insn, 1);
            cs_close(&d->cs[i].handle);
        }
    free(d->slots);
    free(d);
}

void sro_decoder_stats(const struct sro_decoder *d, uint64_t *hits,
                       uint64_t *misses)
{
    if ( hits )
        *hits = d ? d->hits : 0;
    if ( misses )
        *misses = d ? d->misses : 0;
}

unsigned int sro_mode_of_code_size(unsigned int code_size)
{
    switch ( code_size )
    {
    case SRO_CODE_16: return 16;
    case SRO_CODE_32: return 32;
    }
    return 64;
}

/* The capstone state for mode, opening it on first use (NULL: failed). */
static struct cs_state *cs_for(struct sro_decoder *d, unsigned int mode)
{
    struct cs_state *m = &d->cs[mode == 16 ? 0 : mode == 32 ? 1 : 2];
    cs_mode csm = mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32
                                                       : CS_MODE_64;

    if ( !m->tried )
    {
        m->tried = true;
        if ( cs_open(CS_ARCH_X86, csm, &m->handle) != CS_ERR_OK )
            return NULL;
        cs_option(m->handle, CS_OPT_DETAIL, CS_OPT_ON);
        m->insn = cs_malloc(m->handle);
        if ( !m->insn )
        {
            cs_close(&m->handle);
            return NULL;
        }
        m->ok = true;
    }
    return m->ok ? m : NULL;
}

/* Capstone's decode of bytes[0..n): its insn, or NULL. */
static const cs_insn *cs_decode(struct cs_state *m, const uint8_t *bytes,
                                size_t n)
{
    const uint8_t *code = bytes;
    size_t size = n;
    uint64_t addr = 0;

    if ( !cs_disasm_iter(m->handle, &code, &size, &addr, m->insn) )
        return NULL;
    return m->insn;
}

/*
 * Whether capstone's decode of an instruction that rule r prints itself
 * agrees with the table beyond the mnemonic: the size of its first memory
 * operand (capstone 4.0.2 gets it wrong when 66 comes before F2/F3), and
 * for string stores the repeat prefix (it drops F2 on movs).
 */
static bool cs_agrees(const cs_insn *ci, const struct store_rule *r,
                      const struct x86_scan *s)
{
    const cs_x86 *x = &ci->detail->x86;

    if ( r->fmt == FMT_STR &&
         (s->rep != 0) != (strncmp(ci->mnemonic, "rep", 3) == 0) )
        return false;
    for ( unsigned int i = 0; i < x->op_count; i++ )
        if ( x->operands[i].type == X86_OP_MEM )
            return x->operands[i].size == store_rule_width(r, s);
    return true;
}

/* Mark *out undecodable, with a reason. Returns -1. */
static int fail(struct sro_insn *out, const char *why)
{
    out->valid = false;
    out->store = out->rmw = out->string = out->rep = out->locked = false;
    out->stack = false;
    out->width = 0;
    out->store_bytes = 0;
    snprintf(out->text, sizeof(out->text), "%s", why);
    snprintf(out->kind, sizeof(out->kind), "invalid");
    return -1;
}

/*
 * Capstone's mnemonic without prefix words ("lock cmpxchg" -> "cmpxchg",
 * "rep stosd" -> "stosd"), and movabs (capstone's name for a 64-bit
 * moffs) as mov.
 */
static void base_mnemonic(const char *mnem, char *out, size_t len)
{
    const char *last = strrchr(mnem, ' ');

    last = last ? last + 1 : mnem;
    snprintf(out, len, "%s", strcmp(last, "movabs") == 0 ? "mov" : last);
}

/* A string instruction that F2/F3 repeat (movs/stos/ins store; cmps,
 * scas, lods, outs only read). */
static bool is_string_op(const struct x86_scan *s)
{
    if ( s->enc != X86_LEGACY || s->map != X86_MAP1 )
        return false;
    switch ( s->opcode )
    {
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
    case 0xa4: case 0xa5: case 0xa6: case 0xa7:
    case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
        return true;
    }
    return false;
}

/*
 * Why capstone could not decode bytes[0..n): if it decodes them padded
 * with zeros to 15 bytes into something longer than n, they were cut.
 */
static int fail_capstone(struct sro_insn *out, struct cs_state *m,
                         const uint8_t *bytes, size_t n)
{
    uint8_t pad[X86_MAX_LEN] = { 0 };
    const cs_insn *ci;

    if ( n < X86_MAX_LEN )
    {
        memcpy(pad, bytes, n);
        ci = cs_decode(m, pad, sizeof(pad));
        if ( ci && ci->size > n )
        {
            char why[64];

            snprintf(why, sizeof(why), "truncated: needs %u bytes, got %zu",
                     (unsigned int)ci->size, n);
            return fail(out, why);
        }
    }
    return fail(out, "not a valid instruction (capstone cannot decode it)");
}

/* "mnemonic op_str" (or the mnemonic alone) into text, cut to fit. */
static void join_text(char *text, size_t len, const char *mnem,
                      const char *ops)
{
    size_t used = 0;

    for ( const char *p = mnem; *p && used + 1 < len; p++ )
        text[used++] = *p;
    if ( *ops && used + 1 < len )
        text[used++] = ' ';
    for ( const char *p = ops; *p && used + 1 < len; p++ )
        text[used++] = *p;
    text[used] = '\0';
}

/*
 * Fill the semantics of table rule r into *out (valid, length and text are
 * set by the caller) and build the kind from mnem, the instruction's
 * mnemonic without prefix words.
 */
static void fill_store(struct sro_insn *out, const struct store_rule *r,
                       const struct x86_scan *s, const char *mnem)
{
    unsigned int width = store_rule_width(r, s);
    unsigned int src_bits;
    bool imm;
    char suffix[16] = "";

    out->store = true;
    out->rmw = r->flags & ST_RMW;
    out->string = r->flags & ST_STRING;
    out->stack = r->flags & ST_STACK;
    out->rep = out->string && s->rep;
    out->locked = s->lock || (r->flags & ST_XLOCK);
    out->store_bytes = (uint16_t)width;
    out->width = width <= 255 ? (uint8_t)width : 0;

    /* The kind (docs/decoding.md): string stores carry no source. */
    src_bits = store_rule_src_bits(r, s, width, &imm);
    if ( !out->string && src_bits )
        snprintf(suffix, sizeof(suffix), "_r%u", src_bits);
    else if ( !out->string && imm )
        snprintf(suffix, sizeof(suffix), "_imm");
    snprintf(out->kind, sizeof(out->kind), "%s%s_m%u%s",
             out->rep ? "rep_" : "", mnem, width * 8, suffix);
}

/*
 * Decode without the cache. bytes[0..n) with 1 <= n <= 15, mode 16/32/64.
 */
static int decode_uncached(struct sro_decoder *d, const uint8_t *bytes,
                           size_t n, unsigned int mode, struct sro_insn *out)
{
    struct x86_scan s;
    const struct store_rule *r = NULL;
    struct cs_state *m;
    const cs_insn *ci;
    char mnem[32];
    int need = 0, scan_rc;
    bool names_ok = false;

    switch ( scan_rc = x86_scan(&s, bytes, n, mode) )
    {
    case X86_SCAN_EMPTY:
        return fail(out, "empty input");
    case X86_SCAN_TOO_LONG:
        return fail(out, "15 bytes of prefixes: longer than an instruction "
                         "may be (#GP)");
    case X86_SCAN_OK:
        r = store_rule_find(&s);
        break;
    }
    if ( r && (need = store_rule_length(r, &s)) < 0 )
        return fail(out, "truncated: the bytes end inside the instruction");
    if ( !(m = cs_for(d, mode)) )
        return fail(out, "capstone could not be opened");
    ci = cs_decode(m, bytes, n);
    if ( ci )
    {
        base_mnemonic(ci->mnemonic, mnem, sizeof(mnem));
        names_ok = r && store_rule_names_match(r, mnem);
    }

    /* A form the table prints itself, when capstone cannot or is wrong. */
    if ( r && r->fmt != FMT_CAPSTONE &&
         (!ci || (r->flags & ST_OWN) || !names_ok || ci->size != need ||
          !cs_agrees(ci, r, &s)) )
    {
        const char *ud;

        if ( s.ud )
            return fail(out, s.ud);
        ud = store_rule_format(r, &s, store_rule_width(r, &s), mnem,
                               sizeof(mnem), out->text, sizeof(out->text));
        if ( ud )
            return fail(out, ud);
        out->valid = true;
        out->length = (uint8_t)need;
        fill_store(out, r, &s, mnem);
        return 0;
    }

    if ( !ci && scan_rc == X86_SCAN_TRUNCATED )
        return fail(out, "truncated: the bytes end before the opcode");
    if ( !ci && scan_rc == X86_SCAN_OK && !r && store_rule_cut_at_modrm(&s) )
        return fail(out, "truncated: the bytes end before the ModRM byte");
    if ( !ci )
        return fail_capstone(out, m, bytes, n);
    if ( s.ud )
        return fail(out, s.ud);
    if ( r && need > 0 && ci->size != need )
    {
        char why[96];

        snprintf(why, sizeof(why), "decoders disagree: capstone reads %u "
                 "bytes, the store table %d", (unsigned int)ci->size, need);
        return fail(out, why);
    }
    if ( r && store_rule_ud(r, &s) )
        return fail(out, store_rule_ud(r, &s));
    if ( r && !names_ok )
    {
        char why[96];

        snprintf(why, sizeof(why), "decoders disagree: capstone says '%s', "
                 "the store table '%s'", mnem, r->names);
        return fail(out, why);
    }

    if ( !r && scan_rc == X86_SCAN_OK && store_rule_bad_prefix(&s, mnem) )
        return fail(out, "a 66, F2 or F3 prefix this store does not allow "
                         "(#UD)");

    out->valid = true;
    out->length = (uint8_t)ci->size;
    join_text(out->text, sizeof(out->text), ci->mnemonic, ci->op_str);
    if ( r )
    {
        fill_store(out, r, &s, mnem);
        return 0;
    }
    out->rep = is_string_op(&s) && s.rep;
    out->locked = s.lock;
    snprintf(out->kind, sizeof(out->kind), "%s", mnem);
    return 0;
}

/* 64-bit hash of a cache key (a multiply-xorshift mix). */
static uint64_t key_hash(uint64_t k0, uint64_t k1, unsigned int n,
                         unsigned int mode)
{
    uint64_t h = k0 * 0x9e3779b97f4a7c15ull;

    h ^= (k1 + ((uint64_t)n << 8 | mode)) * 0xc2b2ae3d27d4eb4full;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h;
}

int sro_decode(struct sro_decoder *d, const uint8_t *bytes, size_t n,
               unsigned int mode, struct sro_insn *out)
{
    uint8_t key[16] = { 0 };
    uint64_t k0, k1, h;
    struct cache_slot *slot = NULL;
    unsigned int idx;

    if ( mode != 16 && mode != 32 && mode != 64 )
    {
        char why[48];

        memset(out, 0, sizeof(*out));
        snprintf(why, sizeof(why), "mode %u is not 16, 32 or 64", mode);
        return fail(out, why);
    }
    if ( n == 0 || !bytes || !d )
    {
        memset(out, 0, sizeof(*out));
        out->mode = (uint8_t)mode;
        return fail(out, n == 0 ? "empty input" : !bytes ? "no bytes"
                                                         : "no decoder");
    }
    if ( n > X86_MAX_LEN )
        n = X86_MAX_LEN;

    memcpy(key, bytes, n);
    memcpy(&k0, key, 8);
    memcpy(&k1, key + 8, 8);
    h = key_hash(k0, k1, (unsigned int)n, mode);
    idx = (unsigned int)h & (d->nslots - 1);
    for ( unsigned int i = 0; i < CACHE_PROBE; i++ )
    {
        struct cache_slot *c = &d->slots[(idx + i) & (d->nslots - 1)];

        if ( c->n == n && c->mode == mode && c->k0 == k0 && c->k1 == k1 )
        {
            d->hits++;
            *out = c->insn;
            return out->valid ? 0 : -1;
        }
        if ( !slot && c->n == 0 )
            slot = c;
    }
    /* A hit copies the whole struct; only a miss needs it zeroed. */
    d->misses++;
    memset(out, 0, sizeof(*out));
    out->mode = (uint8_t)mode;
    decode_uncached(d, bytes, n, mode, out);
    out->mode = (uint8_t)mode;
    if ( !slot )
        slot = &d->slots[(idx + d->victim++ % CACHE_PROBE) &
                         (d->nslots - 1)];
    slot->k0 = k0;
    slot->k1 = k1;
    slot->n = (uint8_t)n;
    slot->mode = (uint8_t)mode;
    slot->insn = *out;
    return out->valid ? 0 : -1;
}
