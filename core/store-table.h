/*
 * store-table.h - our own table of the x86 instructions that write memory
 * (private to core/decode.c and core/store-table.c).
 *
 * Capstone 4.0.2's operand access flags are wrong for many stores, so the
 * memory semantics of an instruction come from this table instead: one
 * rule per instruction form of the Intel SDM that writes memory, keyed the
 * way the SDM's opcode column is (encoding, opcode map, opcode, mandatory
 * prefix, ModRM.reg digit, W, L, operating modes, register or memory
 * form). An instruction that matches no rule does not write memory.
 *
 * A rule also says how wide the store is in terms of the encoding
 * (operand size, vector length, a fixed size...), what the source operand
 * is (for the `kind` name), how long the instruction must be (to check
 * capstone's length), and, for the forms capstone 4.0.2 cannot decode,
 * how to print the instruction ourselves.
 */
#ifndef SRO_STORE_TABLE_H
#define SRO_STORE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86-scan.h"

/* What a rule says about the memory access (flags). */
#define ST_STORE    0x0001u   /* writes memory */
#define ST_RMW      0x0002u   /* reads the destination first */
#define ST_STRING   0x0004u   /* string instruction: one store per iteration */
#define ST_STACK    0x0008u   /* the store goes to the stack ([rsp]) */
#define ST_XLOCK    0x0010u   /* locked even without F0 (xchg with memory) */
#define ST_LOCKOK   0x0020u   /* F0 is allowed */
#define ST_NOMASK   0x0040u   /* EVEX: no opmask allowed (aaa must be 0) */
#define ST_LIG      0x0080u   /* VEX/EVEX.L is ignored */
#define ST_VVVV     0x0100u   /* VEX/EVEX.vvvv names an operand */
#define ST_OWN      0x0200u   /* capstone misnames this form: print it
                                 ourselves (fmt) and name it by names */
#define ST_ELEM     0x0400u   /* EVEX disp8 scales by the element size
                                 (Tuple1 Scalar compress), not the width */

/* Source operand, for the kind name. */
enum store_src {
    SRC_NONE = 0,   /* no register/immediate source (vector, memory...) */
    SRC_REG,        /* general-purpose register in ModRM.reg */
    SRC_OPREG,      /* general-purpose register in the opcode's low bits */
    SRC_RMREG,      /* ModRM.rm when it names a register (push r/m) */
    SRC_ACC,        /* al/ax/eax/rax (mov moffs) */
    SRC_CL,         /* cl (shift counts) */
    SRC_IMM,        /* an immediate, including the implicit 1 of D0/D1 */
};

struct store_rule {
    uint8_t  enc;       /* enum x86_enc */
    uint8_t  map;       /* enum x86_map */
    uint8_t  op;        /* first opcode */
    uint8_t  op_last;   /* last opcode (setcc is a range) */
    uint8_t  pfx;       /* enum store_pfx */
    uint8_t  regs;      /* ModRM.reg digits allowed, bit n = /n */
    int8_t   rm;        /* ModRM.rm, -1 any (only clzero needs one) */
    uint8_t  w;         /* enum store_w */
    uint8_t  l;         /* enum store_l */
    uint8_t  modes;     /* STM_16 | STM_32 | STM_64 */
    uint8_t  form;      /* enum store_form */
    uint8_t  imm;       /* enum store_imm */
    uint16_t flags;     /* ST_* */
    uint8_t  width;     /* enum store_width */
    uint16_t fixed;     /* bytes, for WD_FIXED */
    uint8_t  src;       /* enum store_src */
    uint8_t  fmt;       /* enum store_fmt: how to print it without capstone */
    const char *names;  /* SDM mnemonics, '|' between alternatives, a '*'
                           ending matches any suffix ("set*") */
};

/* Mandatory prefix of a rule. */
enum store_pfx {
    PF_ANY = 0,     /* general-purpose: 66 is operand size, F2/F3 rep */
    PF_NP,          /* none of 66/F2/F3 (VEX/EVEX: pp = 0) */
    PF_66,
    PF_F3,
    PF_F2,
    PF_NOREP,       /* no F2/F3; 66 allowed as operand size (movbe) */
};

enum store_w { SW_ANY = 0, SW_0, SW_1 };
enum store_l { SL_ANY = 0, SL_128, SL_256, SL_512, SL_256UP };

#define STM_16  1u
#define STM_32  2u
#define STM_64  4u
#define STM_ALL (STM_16 | STM_32 | STM_64)
#define STM_LEG (STM_16 | STM_32)

enum store_form {
    FM_MEM = 0,     /* ModRM with a memory operand (mod != 3) */
    FM_REG,         /* ModRM naming registers only (mod == 3) */
    FM_ANY,         /* ModRM, either */
    FM_NONE,        /* no ModRM byte */
};

enum store_imm {
    IM_NONE = 0,
    IM_B,           /* ib */
    IM_W,           /* iw */
    IM_Z,           /* iw or id by operand size (never 8 bytes) */
    IM_ENTER,       /* iw, ib */
    IM_MOFFS,       /* an address-size offset */
    IM_FARPTR,      /* ptr16:16 or ptr16:32 */
    IM_REL_CS,      /* a call displacement: its size differs by vendor in
                       64-bit mode, so the length is capstone's */
};

enum store_width {
    WD_BYTE = 0,    /* 1 */
    WD_OSZ,         /* operand size: 2, 4 or 8 */
    WD_OSZ4,        /* operand size, at most 4 (ins) */
    WD_STACK,       /* a stack slot: 8 in 64-bit mode unless 66 (2) */
    WD_NEAR,        /* near call: 8 in 64-bit mode (Intel), else a slot */
    WD_FAR,         /* far call: return CS and IP, 2 * operand size */
    WD_PUSHA,       /* 8 registers of the operand size */
    WD_FIXED,       /* `fixed` bytes */
    WD_VL,          /* vector length: 16 (legacy), VEX.L, EVEX.L'L */
    WD_VL2,         /* half the vector length (down-converting stores) */
    WD_VL4,
    WD_VL8,
    WD_W48,         /* 8 if REX.W/VEX.W/EVEX.W in 64-bit mode, else 4 */
    WD_EW48,        /* 8 if EVEX.W in any mode (scatter elements), else 4 */
    WD_CX8,         /* cmpxchg8b 8, cmpxchg16b (REX.W, 64-bit) 16 */
    WD_DT,          /* sgdt/sidt: 10 in 64-bit mode, else 6 */
    WD_FENV,        /* fnstenv: 14 with a 16-bit operand size, else 28 */
    WD_FSAVE,       /* fnsave: 94 with a 16-bit operand size, else 108 */
};

/* How to print a rule's instruction without capstone. */
enum store_fmt {
    FMT_CAPSTONE = 0,  /* capstone prints it; we cannot */
    FMT_MG,            /* "<size> ptr [m], <gpr of the width>" */
    FMT_RM512,         /* "<gpr of the address size>, zmmword ptr [m]" */
    FMT_MV,            /* "<size> ptr [m] {k}, <vector reg of VL>" */
    FMT_MX,            /* "<size> ptr [m] {k}, xmm" */
    FMT_MVI,           /* "<size> ptr [m] {k}, <vector reg of VL>, imm8" */
    FMT_MXI,           /* "<size> ptr [m], xmm, imm8" */
    FMT_MK,            /* "<size> ptr [m], k" */
    FMT_MM,            /* "<size> ptr [m], mm" (MMX) */
    FMT_RR,            /* "xmm, xmm" or "mm, mm" by the width (maskmov) */
    FMT_RAX,           /* "<mnemonic> <rAX of the address size>" */
    FMT_STR,           /* string store: "[rep ]stosd dword ptr es:[edi], eax" */
};

/*
 * The rule for the instruction scanned into *s (x86_scan() returned OK),
 * or NULL when it writes no memory. Looks only at the scan.
 */
const struct store_rule *store_rule_find(const struct x86_scan *s);

/* True when the bytes of *s end at an opcode that some rule would take
 * with a ModRM byte after it: the instruction was cut short. */
bool store_rule_cut_at_modrm(const struct x86_scan *s);

/*
 * A store rule that covers the instruction of *s, named mnem by capstone,
 * but for its mandatory prefix: the SDM's NP and prefix columns say that
 * such a prefix makes it #UD or another instruction, never this one
 * (capstone decodes "66 0f ae 07" as fxsave). NULL if none.
 */
const struct store_rule *store_rule_bad_prefix(const struct x86_scan *s,
                                               const char *mnem);

/* Bytes one execution (one iteration of a string) of r writes. */
unsigned int store_rule_width(const struct store_rule *r,
                              const struct x86_scan *s);

/*
 * The instruction length r implies for *s (parses ModRM into *s), or 0
 * when the rule leaves the length to capstone (IM_REL_CS), or -1 when the
 * bytes end before it.
 */
int store_rule_length(const struct store_rule *r, struct x86_scan *s);

/* True when capstone's mnemonic (prefix words such as "lock " already
 * removed) is one of the rule's names. */
bool store_rule_names_match(const struct store_rule *r, const char *mnem);

/*
 * Bits of the general-purpose source register for the kind name (0: no
 * register source) and whether the source is an immediate.
 */
unsigned int store_rule_src_bits(const struct store_rule *r,
                                 const struct x86_scan *s,
                                 unsigned int width, bool *imm);

/*
 * Why the form of rule r is #UD as *s encodes it, or NULL: a lock prefix
 * on a store that cannot be locked; for VEX/EVEX a vvvv that names no
 * operand but is not 1111b, EVEX zeroing or broadcast on a memory
 * destination, L'L = 11b, or an opmask where the form takes none.
 */
const char *store_rule_ud(const struct store_rule *r,
                          const struct x86_scan *s);

/*
 * Print the instruction of rule r (fmt != FMT_CAPSTONE; x86_scan_modrm
 * done) into mnem (its mnemonic) and text ("mnemonic operands"). Returns
 * NULL, or why the encoding is invalid (#UD) for this form.
 */
const char *store_rule_format(const struct store_rule *r,
                              const struct x86_scan *s, unsigned int width,
                              char *mnem, size_t mnem_len,
                              char *text, size_t text_len);

/* The whole table, for tests and documentation. */
const struct store_rule *store_rules(size_t *count);

#endif /* SRO_STORE_TABLE_H */
