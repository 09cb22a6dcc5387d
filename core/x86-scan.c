/*
 * x86-scan.c - see x86-scan.h.
 *
 * Follows the Intel SDM volume 2, chapter 2 ("Instruction Format"): up to
 * fifteen bytes of legacy prefixes, REX (64-bit mode only, and only when
 * it immediately precedes the opcode), VEX/EVEX/XOP (C4/C5/62/8F, which
 * outside 64-bit mode are LES/LDS/BOUND/POP unless the next byte has the
 * form that those instructions cannot take), escape bytes, the opcode,
 * then ModRM, SIB and displacement with 16-bit or 32/64-bit addressing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "x86-scan.h"

/* The bytes of s still available from offset i. */
static bool have(const struct x86_scan *s, size_t i)
{
    return i < s->n;
}

static uint8_t mode_osz(const struct x86_scan *s)
{
    if ( s->mode == 64 )
        return s->w && s->enc == X86_LEGACY ? 8 : s->opsize ? 2 : 4;
    if ( s->mode == 32 )
        return s->opsize ? 2 : 4;
    return s->opsize ? 4 : 2;
}

static uint8_t mode_asz(const struct x86_scan *s)
{
    if ( s->mode == 64 )
        return s->adsize ? 4 : 8;
    if ( s->mode == 32 )
        return s->adsize ? 2 : 4;
    return s->adsize ? 4 : 2;
}

/*
 * C4/C5/62 start a VEX/EVEX prefix in 64-bit mode, and elsewhere only when
 * the next byte's top bits are 11 (LES/LDS/BOUND take a memory operand).
 * 8F starts XOP when the next byte's map field is 8 or more (POP is /0).
 */
static bool is_vex_like(const struct x86_scan *s, uint8_t c, uint8_t next)
{
    if ( c == 0x8f )
        return (next & 0x1f) >= 8;
    if ( c != 0xc4 && c != 0xc5 && c != 0x62 )
        return false;
    return s->mode == 64 || (next & 0xc0) == 0xc0;
}

/* Decode a VEX, EVEX or XOP prefix at offset i. Returns the opcode's
 * offset, or 0 when the bytes end first. */
static size_t scan_vex(struct x86_scan *s, size_t i)
{
    const uint8_t *b = s->b;
    uint8_t c = b[i];

    if ( s->opsize || s->rep || s->lock || s->rex )
        s->ud = "VEX/EVEX after a 66, F2, F3, F0 or REX prefix (#UD)";
    if ( c == 0xc5 )
    {
        if ( !have(s, i + 2) )
            return 0;
        s->enc = X86_VEX;
        s->r = !(b[i + 1] & 0x80);
        s->vvvv = (~b[i + 1] >> 3) & 0xf;
        s->l = (b[i + 1] >> 2) & 1;
        s->pfx = b[i + 1] & 3;
        s->map = X86_MAP0F;
        return i + 2;
    }
    if ( c == 0xc4 || c == 0x8f )
    {
        unsigned int m = b[i + 1] & 0x1f;

        if ( !have(s, i + 3) )
            return 0;
        s->enc = c == 0xc4 ? X86_VEX : X86_XOP;
        s->r = !(b[i + 1] & 0x80);
        s->x = !(b[i + 1] & 0x40);
        s->bx = !(b[i + 1] & 0x20);
        s->w = b[i + 2] >> 7;
        s->vvvv = (~b[i + 2] >> 3) & 0xf;
        s->l = (b[i + 2] >> 2) & 1;
        s->pfx = b[i + 2] & 3;
        s->map = c == 0xc4 && m >= 1 && m <= 3 ? m : X86_MAP_BAD;
        return i + 3;
    }
    /* EVEX: P0 = R X B R' 0 m m m, P1 = W vvvv 1 pp, P2 = z L'L b V' aaa */
    if ( !have(s, i + 4) )
        return 0;
    s->enc = X86_EVEX;
    s->r = !(b[i + 1] & 0x80);
    s->x = !(b[i + 1] & 0x40);
    s->bx = !(b[i + 1] & 0x20);
    s->r2 = !(b[i + 1] & 0x10);
    if ( b[i + 1] & 0x08 )
        s->ud = "EVEX reserved bit P0[3] set (#UD)";
    switch ( b[i + 1] & 7 )
    {
    case 1: s->map = X86_MAP0F; break;
    case 2: s->map = X86_MAP0F38; break;
    case 3: s->map = X86_MAP0F3A; break;
    case 5: s->map = X86_MAP5; break;
    case 6: s->map = X86_MAP6; break;
    default: s->map = X86_MAP_BAD; break;
    }
    s->w = b[i + 2] >> 7;
    s->vvvv = (~b[i + 2] >> 3) & 0xf;
    if ( !(b[i + 2] & 0x04) )
        s->ud = "EVEX fixed bit P1[2] clear (#UD)";
    s->pfx = b[i + 2] & 3;
    s->z = b[i + 3] >> 7;
    s->l = (b[i + 3] >> 5) & 3;
    s->bcst = (b[i + 3] >> 4) & 1;
    s->v2 = !(b[i + 3] & 0x08);
    s->aaa = b[i + 3] & 7;
    return i + 4;
}

/* Outside 64-bit mode only eight registers exist: the extension bits are
 * ignored (R and X are necessarily set, being the "mod = 11" bits). */
static void drop_extensions(struct x86_scan *s)
{
    if ( s->mode == 64 )
        return;
    s->r = s->x = s->bx = s->r2 = s->v2 = false;
    s->vvvv &= 7;
}

int x86_scan(struct x86_scan *s, const uint8_t *bytes, size_t n,
             unsigned int mode)
{
    size_t i = 0;

    memset(s, 0, sizeof(*s));
    s->b = bytes;
    s->n = n > X86_MAX_LEN ? X86_MAX_LEN : n;
    s->mode = mode;
    if ( s->n == 0 )
        return X86_SCAN_EMPTY;

    for ( ;; i++ )
    {
        uint8_t c;

        if ( !have(s, i) )
            return i >= X86_MAX_LEN ? X86_SCAN_TOO_LONG : X86_SCAN_TRUNCATED;
        c = bytes[i];
        switch ( c )
        {
        case 0x66: s->opsize = true; break;
        case 0x67: s->adsize = true; break;
        case 0xf0: s->lock = true; break;
        case 0xf2: case 0xf3: s->rep = c; break;
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
            s->seg = c;
            break;
        default:
            if ( mode == 64 && (c & 0xf0) == 0x40 )
            {
                /* REX; a later one replaces it. */
                s->rex = c;
                continue;
            }
            goto opcode;
        }
        /* A legacy prefix after REX makes the REX void (SDM 2.2.1). */
        s->rex = 0;
        s->nprefix++;
    }

 opcode:
    s->w = s->rex & 8;
    s->r = s->rex & 4;
    s->x = s->rex & 2;
    s->bx = s->rex & 1;
    if ( !have(s, i + 1) && (bytes[i] == 0xc4 || bytes[i] == 0xc5 ||
                             bytes[i] == 0x62 || bytes[i] == 0x8f) )
        return X86_SCAN_TRUNCATED;  /* a VEX/EVEX/XOP or a ModRM follows */
    if ( have(s, i + 1) && is_vex_like(s, s->b[i], s->b[i + 1]) )
    {
        i = scan_vex(s, i);
        if ( i == 0 )
            return X86_SCAN_TRUNCATED;
    }
    else
    {
        s->enc = X86_LEGACY;
        s->map = X86_MAP1;
        if ( bytes[i] == 0x0f )
        {
            if ( !have(s, ++i) )
                return X86_SCAN_TRUNCATED;
            if ( bytes[i] == 0x38 || bytes[i] == 0x3a )
            {
                s->map = bytes[i] == 0x38 ? X86_MAP0F38 : X86_MAP0F3A;
                i++;
            }
            else if ( bytes[i] == 0x0f )
            {
                s->enc = X86_3DNOW;
                s->map = X86_MAP_BAD;
            }
            else
                s->map = X86_MAP0F;
        }
        s->pfx = s->rep == 0xf3 ? X86_PFX_F3 : s->rep == 0xf2 ? X86_PFX_F2 :
                 s->opsize ? X86_PFX_66 : X86_PFX_NONE;
    }
    if ( !have(s, i) )
        return X86_SCAN_TRUNCATED;
    drop_extensions(s);
    s->opcode = bytes[i];
    s->opc_pos = (uint8_t)i;
    s->osz = mode_osz(s);
    s->asz = mode_asz(s);
    if ( have(s, i + 1) )
    {
        s->modrm_avail = true;
        s->modrm = bytes[i + 1];
        s->mod = s->modrm >> 6;
        s->reg = (s->modrm >> 3) & 7;
        s->rm = s->modrm & 7;
    }
    return X86_SCAN_OK;
}

int x86_scan_modrm(struct x86_scan *s)
{
    size_t p = s->opc_pos + 1u;

    if ( !s->modrm_avail )
        return -1;
    p++;
    s->has_sib = false;
    s->disp_size = 0;
    s->disp = 0;
    if ( s->mod != 3 )
    {
        if ( s->asz == 2 )
        {
            if ( s->mod == 2 || (s->mod == 0 && s->rm == 6) )
                s->disp_size = 2;
            else if ( s->mod == 1 )
                s->disp_size = 1;
        }
        else
        {
            if ( s->rm == 4 )
            {
                if ( !have(s, p) )
                    return -1;
                s->has_sib = true;
                s->sib = s->b[p++];
            }
            if ( s->mod == 2 ||
                 (s->mod == 0 && (s->rm == 5 ||
                                  (s->has_sib && (s->sib & 7) == 5))) )
                s->disp_size = 4;
            else if ( s->mod == 1 )
                s->disp_size = 1;
        }
    }
    if ( p + s->disp_size > s->n )
        return -1;
    switch ( s->disp_size )
    {
    case 1:
        s->disp = (int8_t)s->b[p];
        break;
    case 2:
        s->disp = (int16_t)(s->b[p] | s->b[p + 1] << 8);
        break;
    case 4:
        s->disp = (int32_t)((uint32_t)s->b[p] | (uint32_t)s->b[p + 1] << 8 |
                            (uint32_t)s->b[p + 2] << 16 |
                            (uint32_t)s->b[p + 3] << 24);
        break;
    }
    p += s->disp_size;
    s->modrm_end = (uint8_t)p;
    return (int)p;
}

const char *x86_gpr_name(unsigned int num, unsigned int size, bool rex)
{
    static const char *const r64[16] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    static const char *const r32[16] = {
        "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
        "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
    };
    static const char *const r16[16] = {
        "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
        "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w",
    };
    static const char *const r8[16] = {
        "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b",
    };
    static const char *const r8legacy[4] = { "ah", "ch", "dh", "bh" };

    if ( num >= 16 )
        return NULL;
    switch ( size )
    {
    case 8: return r64[num];
    case 4: return r32[num];
    case 2: return r16[num];
    case 1: return !rex && num >= 4 && num < 8 ? r8legacy[num - 4] : r8[num];
    }
    return NULL;
}

void x86_vec_name(unsigned int num, unsigned int bytes, char *buf,
                  size_t len)
{
    char c = bytes == 64 ? 'z' : bytes == 32 ? 'y' : 'x';

    snprintf(buf, len, "%cmm%u", c, num);
}

const char *x86_ptr_name(unsigned int bytes)
{
    switch ( bytes )
    {
    case 1:  return "byte ptr ";
    case 2:  return "word ptr ";
    case 4:  return "dword ptr ";
    case 8:  return "qword ptr ";
    case 10: return "xword ptr ";
    case 16: return "xmmword ptr ";
    case 32: return "ymmword ptr ";
    case 64: return "zmmword ptr ";
    }
    return "";
}

void x86_format_imm(uint64_t v, char *buf, size_t len)
{
    if ( v < 10 )
        snprintf(buf, len, "%" PRIu64, v);
    else
        snprintf(buf, len, "0x%" PRIx64, v);
}

/* Append " + d" / " - d" for a displacement after a register. */
static void append_disp(char *buf, size_t len, int64_t disp)
{
    char num[24];
    size_t used = strlen(buf);

    if ( disp == 0 )
        return;
    x86_format_imm(disp < 0 ? (uint64_t)0 - (uint64_t)disp : (uint64_t)disp,
                   num, sizeof(num));
    snprintf(buf + used, len - used, " %c %s", disp < 0 ? '-' : '+', num);
}

void x86_format_mem(const struct x86_scan *s, char *buf, size_t len)
{
    static const char *const base16[8] = {
        "bx + si", "bx + di", "bp + si", "bp + di", "si", "di", "bp", "bx",
    };
    const char *seg = "";
    char inner[80] = "";
    const char *base = NULL, *index = NULL;
    unsigned int scale = 1;
    uint64_t mask = s->asz == 8 ? UINT64_MAX :
                    s->asz == 4 ? UINT32_MAX : UINT16_MAX;

    switch ( s->seg )
    {
    case 0x26: seg = "es:"; break;
    case 0x2e: seg = "cs:"; break;
    case 0x36: seg = "ss:"; break;
    case 0x3e: seg = "ds:"; break;
    case 0x64: seg = "fs:"; break;
    case 0x65: seg = "gs:"; break;
    }

    if ( s->asz == 2 )
    {
        if ( !(s->mod == 0 && s->rm == 6) )
            base = base16[s->rm];
    }
    else if ( !s->has_sib )
    {
        if ( s->mod == 0 && s->rm == 5 )
            base = s->mode == 64 ? (s->asz == 8 ? "rip" : "eip") : NULL;
        else
            base = x86_gpr_name(s->rm + 8u * s->bx, s->asz, true);
    }
    else
    {
        unsigned int b = s->sib & 7, idx = ((s->sib >> 3) & 7) + 8u * s->x;

        if ( !(b == 5 && s->mod == 0) )
            base = x86_gpr_name(b + 8u * s->bx, s->asz, true);
        if ( idx != 4 )
            index = x86_gpr_name(idx, s->asz, true);
        scale = 1u << (s->sib >> 6);
    }

    if ( !base && !index )
        x86_format_imm((uint64_t)s->disp & mask, inner, sizeof(inner));
    else
    {
        if ( base && index )
            snprintf(inner, sizeof(inner), "%s + %s", base, index);
        else
            snprintf(inner, sizeof(inner), "%s", base ? base : index);
        if ( index && scale > 1 )
        {
            size_t used = strlen(inner);

            snprintf(inner + used, sizeof(inner) - used, "*%u", scale);
        }
        append_disp(inner, sizeof(inner), s->disp);
    }
    snprintf(buf, len, "%s[%s]", seg, inner);
}
