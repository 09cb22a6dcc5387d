/*
 * x86-scan.h - our own reading of an x86 instruction's encoding (private
 * to core/decode.c and core/store-table.c).
 *
 * Capstone decodes the instruction; this module independently reads the
 * parts of its encoding that decide memory semantics: the legacy prefixes
 * (66, 67, F0, F2, F3, segment overrides), REX, VEX, EVEX and XOP, the
 * opcode map and opcode, ModRM, SIB and displacement, following the Intel
 * SDM volume 2, chapter 2. From these it derives the effective operand and
 * address sizes of the mode. store-table.c keys its table on this reading,
 * checks capstone's length against it, and for the few stores capstone
 * 4.0.2 cannot decode at all (movdiri, movdir64b, several AVX-512 stores)
 * formats the instruction text with the helpers below, in capstone's style.
 */
#ifndef SRO_X86_SCAN_H
#define SRO_X86_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The architectural limit on an instruction's length (#GP beyond it). */
#define X86_MAX_LEN 15

/* How the opcode was encoded. */
enum x86_enc {
    X86_LEGACY = 0,     /* legacy prefixes and escape bytes */
    X86_VEX    = 1,     /* C4/C5 */
    X86_EVEX   = 2,     /* 62 */
    X86_XOP    = 3,     /* AMD 8F (no stores: never in the table) */
    X86_3DNOW  = 4,     /* AMD 0F 0F (no stores: never in the table) */
};

/* Opcode maps (VEX/EVEX mmmmm numbering where one exists). */
enum x86_map {
    X86_MAP1    = 0,    /* one-byte opcodes */
    X86_MAP0F   = 1,
    X86_MAP0F38 = 2,
    X86_MAP0F3A = 3,
    X86_MAP5    = 5,    /* EVEX map 5 (AVX512-FP16) */
    X86_MAP6    = 6,
    X86_MAP_BAD = 7,    /* reserved map number: #UD */
};

/* Mandatory (SIMD) prefix: the last F2/F3, else 66; or VEX/EVEX pp. */
enum x86_pfx {
    X86_PFX_NONE = 0,
    X86_PFX_66   = 1,
    X86_PFX_F3   = 2,
    X86_PFX_F2   = 3,
};

/* What x86_scan() found. */
enum x86_scan_rc {
    X86_SCAN_OK        = 0,   /* opcode found (ModRM fields peeked if any) */
    X86_SCAN_EMPTY     = 1,   /* no byte at all */
    X86_SCAN_TRUNCATED = 2,   /* the bytes end before the opcode */
    X86_SCAN_TOO_LONG  = 3,   /* 15 bytes pass without an opcode */
};

struct x86_scan {
    const uint8_t *b;       /* the bytes (not owned) */
    size_t   n;             /* how many there are (at most X86_MAX_LEN) */
    unsigned int mode;      /* 16, 32 or 64 */

    /* Legacy prefixes, in the order they came. */
    uint8_t  nprefix;       /* legacy prefix bytes before REX/VEX/opcode */
    bool     opsize;        /* 66 */
    bool     adsize;        /* 67 */
    bool     lock;          /* F0 */
    uint8_t  rep;           /* 0, 0xF2 or 0xF3: the last of them */
    uint8_t  seg;           /* the last segment override byte, 0 if none */
    uint8_t  rex;           /* REX byte in effect (64-bit mode), 0 if none */

    /* Opcode. */
    uint8_t  enc;           /* enum x86_enc */
    uint8_t  map;           /* enum x86_map */
    uint8_t  pfx;           /* enum x86_pfx */
    uint8_t  opcode;
    uint8_t  opc_pos;       /* offset of the opcode byte */

    /* REX / VEX / EVEX payload (register extension bits already decoded
     * to 0/1: r = REX.R or inverted VEX.R, and so on). */
    bool     w;             /* REX.W, VEX.W or EVEX.W */
    bool     r, x, bx;      /* extensions of ModRM.reg, SIB.index, base */
    bool     r2;            /* EVEX.R' (reg bit 4) */
    bool     v2;            /* EVEX.V' (vvvv bit 4) */
    uint8_t  vvvv;          /* decoded (not inverted) VEX/EVEX.vvvv */
    uint8_t  l;             /* VEX.L or EVEX.L'L: 0, 1, 2 (3 reserved) */
    uint8_t  aaa;           /* EVEX opmask register */
    bool     z;             /* EVEX zeroing */
    bool     bcst;          /* EVEX.b */

    /* ModRM (peeked by x86_scan, completed by x86_scan_modrm). */
    bool     modrm_avail;   /* a byte follows the opcode */
    uint8_t  modrm, mod, reg, rm;
    bool     has_sib;
    uint8_t  sib;
    uint8_t  disp_size;     /* 0, 1, 2 or 4 */
    int64_t  disp;          /* sign-extended */
    uint8_t  modrm_end;     /* offset just past ModRM/SIB/displacement */

    /* Effective sizes in bytes. */
    uint8_t  osz;           /* operand size: 2, 4 or 8 */
    uint8_t  asz;           /* address size: 2, 4 or 8 */

    /* Non-NULL: the encoding raises #UD whatever the opcode, and why. */
    const char *ud;
};

/*
 * Read prefixes, escapes and the opcode of bytes[0..n) in `mode` (16, 32
 * or 64; n is clamped to X86_MAX_LEN) into *s, peeking at the ModRM byte
 * if one follows. Never reads past bytes[n-1]. Returns enum x86_scan_rc.
 */
int x86_scan(struct x86_scan *s, const uint8_t *bytes, size_t n,
             unsigned int mode);

/*
 * Parse ModRM, SIB and displacement after the opcode (the instruction has
 * a ModRM byte). Returns the offset just past them, or -1 when the bytes
 * end first.
 */
int x86_scan_modrm(struct x86_scan *s);

/* Register names as capstone prints them. size in bytes; NULL if none. */
const char *x86_gpr_name(unsigned int num, unsigned int size, bool rex);
/* "xmm3", "ymm17", "zmm31" into buf (bytes = 16, 32 or 64). */
void x86_vec_name(unsigned int num, unsigned int bytes, char *buf,
                  size_t len);

/* "dword ptr " etc. for an operand of `bytes` (empty if no such size). */
const char *x86_ptr_name(unsigned int bytes);

/*
 * Format the memory operand of a parsed ModRM (x86_scan_modrm done, mod !=
 * 3) as capstone does: "fs:[rdi + rax*4 + 0x10]". No size keyword.
 */
void x86_format_mem(const struct x86_scan *s, char *buf, size_t len);

/* Format an immediate as capstone does ("9", "0x10"). */
void x86_format_imm(uint64_t v, char *buf, size_t len);

#endif /* SRO_X86_SCAN_H */
