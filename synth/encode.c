/*
 * encode.c - instruction kind to bytes; see encode.h.
 *
 * One table row per kind. Encoding is the textbook order: legacy prefixes
 * (rep, operand size, the mandatory SSE prefix), REX or VEX, opcode, ModRM
 * with a base register and a displacement, immediate. Nothing here needs
 * SIB bytes: the base is never sp/bp (and r12/r13 are not offered).
 */
#include <stdio.h>
#include <string.h>

#include "encode.h"

#define ALL   (SRO_ENC_MODE16 | SRO_ENC_MODE32 | SRO_ENC_MODE64)
#define P32   (SRO_ENC_MODE32 | SRO_ENC_MODE64)
#define P64   SRO_ENC_MODE64
#define R     0xff                      /* ModRM reg = source register */
#define VEX(l, pp) (0x80 | ((l) << 2) | (pp))

/* name, width, form, modes, rmw, rep, prefix, vex, op, op0f, digit */
static const struct sro_enc_kind kinds[] = {
    /* mov r/m, reg and mov r/m, imm */
    { "mov_m8_r8",      1, SRO_ENC_GPR, ALL, false, false, 0, 0, {0x88}, false, R },
    { "mov_m16_r16",    2, SRO_ENC_GPR, ALL, false, false, 0, 0, {0x89}, false, R },
    { "mov_m32_r32",    4, SRO_ENC_GPR, ALL, false, false, 0, 0, {0x89}, false, R },
    { "mov_m64_r64",    8, SRO_ENC_GPR, P64, false, false, 0, 0, {0x89}, false, R },
    { "mov_m8_imm",     1, SRO_ENC_IMM, ALL, false, false, 0, 0, {0xc6}, false, 0 },
    { "mov_m16_imm",    2, SRO_ENC_IMM, ALL, false, false, 0, 0, {0xc7}, false, 0 },
    { "mov_m32_imm",    4, SRO_ENC_IMM, ALL, false, false, 0, 0, {0xc7}, false, 0 },
    { "mov_m64_imm",    8, SRO_ENC_IMM, P64, false, false, 0, 0, {0xc7}, false, 0 },
    /* non-temporal GPR store */
    { "movnti_m32_r32", 4, SRO_ENC_GPR, P32, false, false, 0, 0, {0xc3}, true, R },
    { "movnti_m64_r64", 8, SRO_ENC_GPR, P64, false, false, 0, 0, {0xc3}, true, R },
    /* read-modify-write */
    { "xchg_m32_r32",   4, SRO_ENC_GPR, ALL, true,  false, 0, 0, {0x87}, false, R },
    { "xchg_m64_r64",   8, SRO_ENC_GPR, P64, true,  false, 0, 0, {0x87}, false, R },
    { "or_m32_r32",     4, SRO_ENC_GPR, ALL, true,  false, 0, 0, {0x09}, false, R },
    { "or_m64_r64",     8, SRO_ENC_GPR, P64, true,  false, 0, 0, {0x09}, false, R },
    { "and_m32_r32",    4, SRO_ENC_GPR, ALL, true,  false, 0, 0, {0x21}, false, R },
    { "and_m64_r64",    8, SRO_ENC_GPR, P64, true,  false, 0, 0, {0x21}, false, R },
    { "add_m32_r32",    4, SRO_ENC_GPR, ALL, true,  false, 0, 0, {0x01}, false, R },
    { "xor_m32_r32",    4, SRO_ENC_GPR, ALL, true,  false, 0, 0, {0x31}, false, R },
    { "or_m32_imm",     4, SRO_ENC_IMM, ALL, true,  false, 0, 0, {0x81}, false, 1 },
    { "and_m32_imm",    4, SRO_ENC_IMM, ALL, true,  false, 0, 0, {0x81}, false, 4 },
    /* string stores: one element, or rep-prefixed (one fault per
     * iteration: the engine makes a burst of them) */
    { "movsd_m32",      4, SRO_ENC_STRING, ALL, false, false, 0, 0, {0xa5}, false, 0 },
    { "stosd_m32",      4, SRO_ENC_STRING, ALL, false, false, 0, 0, {0xab}, false, 0 },
    { "rep_movsb_m8",   1, SRO_ENC_STRING, ALL, false, true, 0, 0, {0xa4}, false, 0 },
    { "rep_movsw_m16",  2, SRO_ENC_STRING, ALL, false, true, 0, 0, {0xa5}, false, 0 },
    { "rep_movsd_m32",  4, SRO_ENC_STRING, ALL, false, true, 0, 0, {0xa5}, false, 0 },
    { "rep_movsq_m64",  8, SRO_ENC_STRING, P64, false, true, 0, 0, {0xa5}, false, 0 },
    { "rep_stosb_m8",   1, SRO_ENC_STRING, ALL, false, true, 0, 0, {0xaa}, false, 0 },
    { "rep_stosw_m16",  2, SRO_ENC_STRING, ALL, false, true, 0, 0, {0xab}, false, 0 },
    { "rep_stosd_m32",  4, SRO_ENC_STRING, ALL, false, true, 0, 0, {0xab}, false, 0 },
    { "rep_stosq_m64",  8, SRO_ENC_STRING, P64, false, true, 0, 0, {0xab}, false, 0 },
    /* SSE stores */
    { "movups_m128",   16, SRO_ENC_VEC, P32, false, false, 0,    0, {0x11}, true, R },
    { "movaps_m128",   16, SRO_ENC_VEC, P32, false, false, 0,    0, {0x29}, true, R },
    { "movntps_m128",  16, SRO_ENC_VEC, P32, false, false, 0,    0, {0x2b}, true, R },
    { "movdqu_m128",   16, SRO_ENC_VEC, P32, false, false, 0xf3, 0, {0x7f}, true, R },
    { "movdqa_m128",   16, SRO_ENC_VEC, P32, false, false, 0x66, 0, {0x7f}, true, R },
    { "movntdq_m128",  16, SRO_ENC_VEC, P32, false, false, 0x66, 0, {0xe7}, true, R },
    { "movq_m64",       8, SRO_ENC_VEC, P32, false, false, 0x66, 0, {0xd6}, true, R },
    { "movd_m32",       4, SRO_ENC_VEC, P32, false, false, 0x66, 0, {0x7e}, true, R },
    /* AVX stores (two-byte VEX, map 0f) */
    { "vmovups_m128",  16, SRO_ENC_VEC, P32, false, false, 0, VEX(0, 0), {0x11}, true, R },
    { "vmovdqu_m128",  16, SRO_ENC_VEC, P32, false, false, 0, VEX(0, 2), {0x7f}, true, R },
    { "vmovups_m256",  32, SRO_ENC_VEC, P32, false, false, 0, VEX(1, 0), {0x11}, true, R },
    { "vmovdqu_m256",  32, SRO_ENC_VEC, P32, false, false, 0, VEX(1, 2), {0x7f}, true, R },
    { "vmovdqa_m256",  32, SRO_ENC_VEC, P32, false, false, 0, VEX(1, 1), {0x7f}, true, R },
    { "vmovntdq_m256", 32, SRO_ENC_VEC, P32, false, false, 0, VEX(1, 1), {0xe7}, true, R },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const struct sro_enc_kind *sro_enc_kind(const char *name)
{
    for ( unsigned int i = 0; i < NKINDS; i++ )
        if ( strcmp(kinds[i].name, name) == 0 )
            return &kinds[i];
    return NULL;
}

const struct sro_enc_kind *sro_enc_kinds(unsigned int *n)
{
    *n = NKINDS;
    return kinds;
}

static unsigned int mode_bit(unsigned int mode)
{
    switch ( mode )
    {
    case 16: return SRO_ENC_MODE16;
    case 32: return SRO_ENC_MODE32;
    case 64: return SRO_ENC_MODE64;
    }
    return 0;
}

/* Does the operand size need the 0x66 prefix in this mode? */
static bool needs_opsize(const struct sro_enc_kind *k, unsigned int mode)
{
    if ( k->form == SRO_ENC_VEC )
        return false;
    if ( mode == 16 )
        return k->width == 4;
    return k->width == 2;
}

/*
 * ModRM (and displacement) for [base + disp] with ModRM.reg = reg.
 * Returns the number of bytes written to out, or -1 if the base cannot be
 * encoded.
 */
static int put_modrm(uint8_t *out, unsigned int mode, unsigned int reg,
                     unsigned int base, int32_t disp)
{
    static const uint8_t rm16[] = { 7 /* bx */, 4 /* si */, 5 /* di */ };
    unsigned int n = 0, rm, mod;
    bool d8 = disp >= -128 && disp <= 127;

    if ( mode == 16 )
    {
        if ( base >= sizeof(rm16) || disp < -32768 || disp > 65535 )
            return -1;
        rm = rm16[base];
        mod = disp == 0 ? 0 : d8 ? 1 : 2;
        out[n++] = (uint8_t)(mod << 6 | (reg & 7) << 3 | rm);
        if ( mod == 1 )
            out[n++] = (uint8_t)disp;
        else if ( mod == 2 )
        {
            out[n++] = (uint8_t)disp;
            out[n++] = (uint8_t)(disp >> 8);
        }
        return (int)n;
    }
    if ( base > 7 || base == 4 || base == 5 )
        return -1;
    mod = disp == 0 ? 0 : d8 ? 1 : 2;
    out[n++] = (uint8_t)(mod << 6 | (reg & 7) << 3 | base);
    if ( mod == 1 )
        out[n++] = (uint8_t)disp;
    else if ( mod == 2 )
        for ( unsigned int i = 0; i < 4; i++ )
            out[n++] = (uint8_t)((uint32_t)disp >> (8 * i));
    return (int)n;
}

int sro_encode(const struct sro_enc_kind *k, unsigned int mode,
               const struct sro_enc_operands *ops, uint8_t out[15],
               char *err, size_t errlen)
{
    unsigned int n = 0, src = ops->src;
    bool has_modrm = k->form != SRO_ENC_STRING;
    bool uses_src = k->form == SRO_ENC_GPR || k->form == SRO_ENC_VEC;
    int m;

    if ( !(k->modes & mode_bit(mode)) )
    {
        snprintf(err, errlen, "%s cannot be encoded in %u-bit code",
                 k->name, mode);
        return -1;
    }
    if ( uses_src && src > (mode == 64 ? 15u : 7u) )
    {
        snprintf(err, errlen, "%s: source register %u out of range in "
                 "%u-bit code", k->name, src, mode);
        return -1;
    }
    if ( k->form == SRO_ENC_IMM && k->width == 8 &&
         (uint64_t)(int64_t)(int32_t)ops->imm != ops->imm )
    {
        snprintf(err, errlen, "%s: immediate 0x%llx is not a sign-extended "
                 "32-bit value", k->name, (unsigned long long)ops->imm);
        return -1;
    }

    if ( k->rep )
        out[n++] = 0xf3;
    if ( needs_opsize(k, mode) )
        out[n++] = 0x66;
    if ( k->prefix )
        out[n++] = k->prefix;
    if ( k->vex )
    {
        /* C5 [R' vvvv' L pp]: R' and vvvv' stored inverted. */
        out[n++] = 0xc5;
        out[n++] = (uint8_t)((src >= 8 ? 0 : 0x80) | 0x78 | (k->vex & 0x7));
    }
    else if ( mode == 64 )
    {
        uint8_t rex = 0x40;

        if ( k->width == 8 && k->form != SRO_ENC_VEC )
            rex |= 0x08;                    /* REX.W */
        if ( uses_src && src >= 8 )
            rex |= 0x04;                    /* REX.R */
        if ( rex != 0x40 )
            out[n++] = rex;
    }
    if ( k->op0f && !k->vex )           /* VEX C5 implies the 0f map */
        out[n++] = 0x0f;
    out[n++] = k->op[0];
    if ( has_modrm )
    {
        unsigned int reg = k->digit == R ? src : k->digit;

        m = put_modrm(out + n, mode, reg, ops->base, ops->disp);
        if ( m < 0 )
        {
            snprintf(err, errlen, "%s: base register %u or displacement %d "
                     "cannot be encoded in %u-bit code", k->name, ops->base,
                     ops->disp, mode);
            return -1;
        }
        n += (unsigned int)m;
    }
    if ( k->form == SRO_ENC_IMM )
    {
        unsigned int ib = k->width == 8 ? 4 : k->width;

        for ( unsigned int i = 0; i < ib; i++ )
            out[n++] = (uint8_t)(ops->imm >> (8 * i));
    }
    return (int)n;
}
