/*
 * store-table.c - which x86 instruction forms write memory, how wide, and
 * whether they read it first: our own table, from the Intel SDM (volume 2,
 * the instruction pages and the opcode maps of appendix A), because
 * capstone 4.0.2 reports many stores as reads and cannot decode some at
 * all. See store-table.h for the columns and docs/decoding.md for how to
 * add an instruction.
 *
 * Rules are tried in order; the first that matches wins. A form that no
 * rule matches does not write memory (loads, cmp/test, lea, nop, ...).
 */
#include <stdio.h>
#include <string.h>

#include "store-table.h"

#define D(n)    (1u << (n))
#define DANY    0xffu
#define D0_6    0x7fu

#define STO     ST_STORE
#define RMW     (ST_STORE | ST_RMW)
#define RMWL    (ST_STORE | ST_RMW | ST_LOCKOK)
#define STK     (ST_STORE | ST_STACK)
#define STR     (ST_STORE | ST_STRING)

#define LEG     X86_LEGACY
#define VEX     X86_VEX
#define EVX     X86_EVEX
#define M1      X86_MAP1
#define M0F     X86_MAP0F
#define M38     X86_MAP0F38
#define M3A     X86_MAP0F3A
#define M5      X86_MAP5
#define CAP     FMT_CAPSTONE

/* Every column (see struct store_rule). */
#define RULE(enc, map, op, last, pfx, regs, rm, w, l, modes, form, imm, fl, \
             wd, fixed, src, fmt, names) \
    { enc, map, op, last, pfx, regs, rm, w, l, modes, form, imm, fl, wd, \
      fixed, src, fmt, names }

/* General-purpose: legacy encoding, any prefix, all modes, a memory
 * operand in ModRM. */
#define GP(map, op, regs, imm, fl, wd, fixed, src, names) \
    RULE(LEG, map, op, op, PF_ANY, regs, -1, SW_ANY, SL_ANY, STM_ALL, \
         FM_MEM, imm, fl, wd, fixed, src, CAP, names)

/* The same, "op r/m, r" forms that we can print ourselves. */
#define GPR(map, op, fl, wd, names) \
    RULE(LEG, map, op, op, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_ALL, \
         FM_MEM, IM_NONE, fl, wd, 0, SRC_REG, FMT_MG, names)

/* General-purpose without ModRM (implicit operands). */
#define GPN(op, modes, imm, fl, wd, src, names) \
    RULE(LEG, M1, op, op, PF_ANY, DANY, -1, SW_ANY, SL_ANY, modes, \
         FM_NONE, imm, fl, wd, 0, src, CAP, names)

/* String stores, printed by us when capstone gets the size or rep wrong. */
#define STRS(op, wd, names) \
    RULE(LEG, M1, op, op, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_ALL, \
         FM_NONE, IM_NONE, STR, wd, 0, SRC_NONE, FMT_STR, names)

/* SSE/MMX: legacy encoding, a mandatory prefix, a memory destination.
 * Printed by us when capstone misreads them (16-bit mode). */
#define SSE(map, op, pfx, w, modes, imm, wd, fixed, fmt, names) \
    RULE(LEG, map, op, op, pfx, DANY, -1, w, SL_ANY, modes, FM_MEM, imm, \
         STO, wd, fixed, SRC_NONE, fmt, names)

/* VEX and EVEX stores to a memory destination. */
#define VX(map, op, pfx, w, l, modes, imm, fl, wd, fixed, fmt, names) \
    RULE(VEX, map, op, op, pfx, DANY, -1, w, l, modes, FM_MEM, imm, \
         STO | (fl), wd, fixed, SRC_NONE, fmt, names)
#define EV(map, op, pfx, w, l, modes, imm, fl, wd, fixed, fmt, names) \
    RULE(EVX, map, op, op, pfx, DANY, -1, w, l, modes, FM_MEM, imm, \
         STO | (fl), wd, fixed, SRC_NONE, fmt, names)

static const struct store_rule rules[] = {
    /* ---- One-byte opcodes (SDM vol. 2, table A-2) ---- */

    /* ADD/OR/ADC/SBB/AND/SUB/XOR r/m, r: read-modify-write, lockable. */
    GPR(M1, 0x00, RMWL, WD_BYTE, "add"),
    GPR(M1, 0x01, RMWL, WD_OSZ, "add"),
    GPR(M1, 0x08, RMWL, WD_BYTE, "or"),
    GPR(M1, 0x09, RMWL, WD_OSZ, "or"),
    GPR(M1, 0x10, RMWL, WD_BYTE, "adc"),
    GPR(M1, 0x11, RMWL, WD_OSZ, "adc"),
    GPR(M1, 0x18, RMWL, WD_BYTE, "sbb"),
    GPR(M1, 0x19, RMWL, WD_OSZ, "sbb"),
    GPR(M1, 0x20, RMWL, WD_BYTE, "and"),
    GPR(M1, 0x21, RMWL, WD_OSZ, "and"),
    GPR(M1, 0x28, RMWL, WD_BYTE, "sub"),
    GPR(M1, 0x29, RMWL, WD_OSZ, "sub"),
    GPR(M1, 0x30, RMWL, WD_BYTE, "xor"),
    GPR(M1, 0x31, RMWL, WD_OSZ, "xor"),
    /* 38/39 CMP r/m, r only read. */

    /* Group 1 with an immediate: /0..6 read-modify-write, /7 CMP reads. */
    GP(M1, 0x80, D0_6, IM_B, RMWL, WD_BYTE, 0, SRC_IMM,
       "add|or|adc|sbb|and|sub|xor"),
    GP(M1, 0x81, D0_6, IM_Z, RMWL, WD_OSZ, 0, SRC_IMM,
       "add|or|adc|sbb|and|sub|xor"),
    RULE(LEG, M1, 0x82, 0x82, PF_ANY, D0_6, -1, SW_ANY, SL_ANY, STM_LEG,
         FM_MEM, IM_B, RMWL, WD_BYTE, 0, SRC_IMM, CAP,
         "add|or|adc|sbb|and|sub|xor"),
    GP(M1, 0x83, D0_6, IM_B, RMWL, WD_OSZ, 0, SRC_IMM,
       "add|or|adc|sbb|and|sub|xor"),

    /* ARPL r/m16, r16 (63 is MOVSXD, a load, in 64-bit mode). */
    RULE(LEG, M1, 0x63, 0x63, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_LEG,
         FM_MEM, IM_NONE, RMW, WD_FIXED, 2, SRC_REG, CAP, "arpl"),

    /* XCHG r/m, r: with a memory operand always locked (SDM: XCHG). */
    GPR(M1, 0x86, RMWL | ST_XLOCK, WD_BYTE, "xchg"),
    GPR(M1, 0x87, RMWL | ST_XLOCK, WD_OSZ, "xchg"),

    /* MOV r/m, r; MOV r/m16, Sreg (16 bits to memory whatever the
     * operand size); MOV moffs, AL/rAX. */
    RULE(LEG, M1, 0x88, 0x88, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_BYTE, 0, SRC_REG, FMT_MG, "mov"),
    RULE(LEG, M1, 0x89, 0x89, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_OSZ, 0, SRC_REG, FMT_MG, "mov"),
    GP(M1, 0x8c, 0x3f, IM_NONE, STO, WD_FIXED, 2, SRC_NONE, "mov"),
    GPN(0xa2, STM_ALL, IM_MOFFS, STO, WD_BYTE, SRC_ACC, "mov|movabs"),
    GPN(0xa3, STM_ALL, IM_MOFFS, STO, WD_OSZ, SRC_ACC, "mov|movabs"),

    /* MOV r/m, imm. */
    GP(M1, 0xc6, D(0), IM_B, STO, WD_BYTE, 0, SRC_IMM, "mov"),
    GP(M1, 0xc7, D(0), IM_Z, STO, WD_OSZ, 0, SRC_IMM, "mov"),

    /* POP r/m: stores the popped slot to the operand (not to the stack). */
    GP(M1, 0x8f, D(0), IM_NONE, STO, WD_STACK, 0, SRC_NONE, "pop"),

    /* String stores: one store per iteration to ES:[rDI]. */
    STRS(0xa4, WD_BYTE, "movsb"),
    STRS(0xa5, WD_OSZ, "movsw|movsd|movsq"),
    STRS(0xaa, WD_BYTE, "stosb"),
    STRS(0xab, WD_OSZ, "stosw|stosd|stosq"),
    STRS(0x6c, WD_BYTE, "insb"),
    STRS(0x6d, WD_OSZ4, "insw|insd"),

    /* Group 2 shifts and rotates (/6 is the SAL alias). */
    GP(M1, 0xc0, DANY, IM_B, RMW, WD_BYTE, 0, SRC_IMM,
       "rol|ror|rcl|rcr|shl|shr|sal|sar"),
    GP(M1, 0xc1, DANY, IM_B, RMW, WD_OSZ, 0, SRC_IMM,
       "rol|ror|rcl|rcr|shl|shr|sal|sar"),
    GP(M1, 0xd0, DANY, IM_NONE, RMW, WD_BYTE, 0, SRC_IMM,
       "rol|ror|rcl|rcr|shl|shr|sal|sar"),
    GP(M1, 0xd1, DANY, IM_NONE, RMW, WD_OSZ, 0, SRC_IMM,
       "rol|ror|rcl|rcr|shl|shr|sal|sar"),
    GP(M1, 0xd2, DANY, IM_NONE, RMW, WD_BYTE, 0, SRC_CL,
       "rol|ror|rcl|rcr|shl|shr|sal|sar"),
    GP(M1, 0xd3, DANY, IM_NONE, RMW, WD_OSZ, 0, SRC_CL,
       "rol|ror|rcl|rcr|shl|shr|sal|sar"),

    /* Group 3: NOT/NEG (TEST, MUL, DIV only read). Group 4/5: INC/DEC. */
    GP(M1, 0xf6, D(2) | D(3), IM_NONE, RMWL, WD_BYTE, 0, SRC_NONE, "not|neg"),
    GP(M1, 0xf7, D(2) | D(3), IM_NONE, RMWL, WD_OSZ, 0, SRC_NONE, "not|neg"),
    GP(M1, 0xfe, D(0) | D(1), IM_NONE, RMWL, WD_BYTE, 0, SRC_NONE, "inc|dec"),
    GP(M1, 0xff, D(0) | D(1), IM_NONE, RMWL, WD_OSZ, 0, SRC_NONE, "inc|dec"),

    /* Stack stores. */
    RULE(LEG, M1, 0xff, 0xff, PF_ANY, D(2), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_ANY, IM_NONE, STK, WD_NEAR, 0, SRC_NONE, CAP, "call"),
    GP(M1, 0xff, D(3), IM_NONE, STK, WD_FAR, 0, SRC_NONE, "lcall"),
    RULE(LEG, M1, 0xff, 0xff, PF_ANY, D(6), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_ANY, IM_NONE, STK, WD_STACK, 0, SRC_RMREG, CAP, "push"),
    RULE(LEG, M1, 0x50, 0x57, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_NONE, IM_NONE, STK, WD_STACK, 0, SRC_OPREG, CAP, "push"),
    GPN(0x68, STM_ALL, IM_Z, STK, WD_STACK, SRC_IMM, "push"),
    GPN(0x6a, STM_ALL, IM_B, STK, WD_STACK, SRC_IMM, "push"),
    GPN(0x06, STM_LEG, IM_NONE, STK, WD_STACK, SRC_NONE, "push"),
    GPN(0x0e, STM_LEG, IM_NONE, STK, WD_STACK, SRC_NONE, "push"),
    GPN(0x16, STM_LEG, IM_NONE, STK, WD_STACK, SRC_NONE, "push"),
    GPN(0x1e, STM_LEG, IM_NONE, STK, WD_STACK, SRC_NONE, "push"),
    GPN(0x60, STM_LEG, IM_NONE, STK, WD_PUSHA, SRC_NONE,
        "pusha|pushaw|pushal|pushad"),
    GPN(0x9c, STM_ALL, IM_NONE, STK, WD_STACK, SRC_NONE,
        "pushf|pushfd|pushfq"),
    GPN(0x9a, STM_LEG, IM_FARPTR, STK, WD_FAR, SRC_NONE, "lcall"),
    GPN(0xe8, STM_ALL, IM_REL_CS, STK, WD_NEAR, SRC_NONE, "call"),
    GPN(0xc8, STM_ALL, IM_ENTER, STK, WD_STACK, SRC_NONE, "enter"),

    /* x87 stores (escape opcodes D9, DB, DD, DF with a memory operand). */
    GP(M1, 0xd9, D(2) | D(3), IM_NONE, STO, WD_FIXED, 4, SRC_NONE,
       "fst|fstp"),
    GP(M1, 0xd9, D(6), IM_NONE, STO, WD_FENV, 0, SRC_NONE, "fnstenv"),
    GP(M1, 0xd9, D(7), IM_NONE, STO, WD_FIXED, 2, SRC_NONE, "fnstcw"),
    GP(M1, 0xdb, D(1) | D(2) | D(3), IM_NONE, STO, WD_FIXED, 4, SRC_NONE,
       "fisttp|fist|fistp"),
    GP(M1, 0xdb, D(7), IM_NONE, STO, WD_FIXED, 10, SRC_NONE, "fstp"),
    GP(M1, 0xdd, D(1) | D(2) | D(3), IM_NONE, STO, WD_FIXED, 8, SRC_NONE,
       "fisttp|fst|fstp"),
    GP(M1, 0xdd, D(6), IM_NONE, STO, WD_FSAVE, 0, SRC_NONE, "fnsave"),
    GP(M1, 0xdd, D(7), IM_NONE, STO, WD_FIXED, 2, SRC_NONE, "fnstsw"),
    GP(M1, 0xdf, D(1) | D(2) | D(3), IM_NONE, STO, WD_FIXED, 2, SRC_NONE,
       "fisttp|fist|fistp"),
    GP(M1, 0xdf, D(6), IM_NONE, STO, WD_FIXED, 10, SRC_NONE, "fbstp"),
    GP(M1, 0xdf, D(7), IM_NONE, STO, WD_FIXED, 8, SRC_NONE, "fistp"),

    /* ---- Two-byte opcodes 0F xx (table A-3) ---- */

    /* System-register stores: 16 bits, or the 6/10-byte table register. */
    GP(M0F, 0x00, D(0) | D(1), IM_NONE, STO, WD_FIXED, 2, SRC_NONE,
       "sldt|str"),
    GP(M0F, 0x01, D(0) | D(1), IM_NONE, STO, WD_DT, 0, SRC_NONE,
       "sgdt|sidt"),
    GP(M0F, 0x01, D(4), IM_NONE, STO, WD_FIXED, 2, SRC_NONE, "smsw"),
    /* CLZERO (AMD, 0F 01 FC): zeroes the 64-byte line at rAX. */
    RULE(LEG, M0F, 0x01, 0x01, PF_NOREP, D(7), 4, SW_ANY, SL_ANY, STM_ALL,
         FM_REG, IM_NONE, STO, WD_FIXED, 64, SRC_NONE, FMT_RAX, "clzero"),

    /* SETcc r/m8. */
    RULE(LEG, M0F, 0x90, 0x9f, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_BYTE, 0, SRC_NONE, CAP, "set*"),

    /* PUSH FS/GS. */
    RULE(LEG, M0F, 0xa0, 0xa0, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_NONE, IM_NONE, STK, WD_STACK, 0, SRC_NONE, CAP, "push"),
    RULE(LEG, M0F, 0xa8, 0xa8, PF_ANY, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_NONE, IM_NONE, STK, WD_STACK, 0, SRC_NONE, CAP, "push"),

    /* SHLD/SHRD r/m, r, imm8/CL. */
    GP(M0F, 0xa4, DANY, IM_B, RMW, WD_OSZ, 0, SRC_REG, "shld"),
    GP(M0F, 0xa5, DANY, IM_NONE, RMW, WD_OSZ, 0, SRC_REG, "shld"),
    GP(M0F, 0xac, DANY, IM_B, RMW, WD_OSZ, 0, SRC_REG, "shrd"),
    GP(M0F, 0xad, DANY, IM_NONE, RMW, WD_OSZ, 0, SRC_REG, "shrd"),

    /* BTS/BTR/BTC r/m, r and r/m, imm8 (BT only reads). */
    GPR(M0F, 0xab, RMWL, WD_OSZ, "bts"),
    GPR(M0F, 0xb3, RMWL, WD_OSZ, "btr"),
    GPR(M0F, 0xbb, RMWL, WD_OSZ, "btc"),
    GP(M0F, 0xba, D(5) | D(6) | D(7), IM_B, RMWL, WD_OSZ, 0, SRC_IMM,
       "bts|btr|btc"),

    /* CMPXCHG, XADD, CMPXCHG8B/16B. */
    GPR(M0F, 0xb0, RMWL, WD_BYTE, "cmpxchg"),
    GPR(M0F, 0xb1, RMWL, WD_OSZ, "cmpxchg"),
    GPR(M0F, 0xc0, RMWL, WD_BYTE, "xadd"),
    GPR(M0F, 0xc1, RMWL, WD_OSZ, "xadd"),
    GP(M0F, 0xc7, D(1), IM_NONE, RMWL, WD_CX8, 0, SRC_NONE,
       "cmpxchg8b|cmpxchg16b"),

    /* MOVNTI m32/m64, r. */
    RULE(LEG, M0F, 0xc3, 0xc3, PF_NP, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_W48, 0, SRC_REG, FMT_MG, "movnti"),

    /* Group 15 and 9 state saves (NP: 66 0F AE /6 is CLWB, not a store).
     * XSAVE* write a variable-size area; 576 is its smallest (legacy
     * region and header), see docs/decoding.md. */
    RULE(LEG, M0F, 0xae, 0xae, PF_NP, D(0), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 512, SRC_NONE, CAP,
         "fxsave|fxsave64"),
    RULE(LEG, M0F, 0xae, 0xae, PF_NP, D(3), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 4, SRC_NONE, CAP, "stmxcsr"),
    RULE(LEG, M0F, 0xae, 0xae, PF_NP, D(4), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 576, SRC_NONE, CAP,
         "xsave|xsave64"),
    RULE(LEG, M0F, 0xae, 0xae, PF_NP, D(6), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 576, SRC_NONE, CAP,
         "xsaveopt|xsaveopt64"),
    RULE(LEG, M0F, 0xc7, 0xc7, PF_NP, D(4), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 576, SRC_NONE, CAP,
         "xsavec|xsavec64"),
    RULE(LEG, M0F, 0xc7, 0xc7, PF_NP, D(5), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 576, SRC_NONE, CAP,
         "xsaves|xsaves64"),
    RULE(LEG, M0F, 0xc7, 0xc7, PF_NP, D(7), -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 8, SRC_NONE, CAP, "vmptrst"),

    /* SSE/SSE2 and MMX stores. */
    SSE(M0F, 0x11, PF_NP, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movups"),
    SSE(M0F, 0x11, PF_66, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movupd"),
    SSE(M0F, 0x11, PF_F3, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 4,
        FMT_MX, "movss"),
    SSE(M0F, 0x11, PF_F2, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MX, "movsd"),
    SSE(M0F, 0x13, PF_NP, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MX, "movlps"),
    SSE(M0F, 0x13, PF_66, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MX, "movlpd"),
    SSE(M0F, 0x17, PF_NP, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MX, "movhps"),
    SSE(M0F, 0x17, PF_66, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MX, "movhpd"),
    SSE(M0F, 0x29, PF_NP, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movaps"),
    SSE(M0F, 0x29, PF_66, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movapd"),
    SSE(M0F, 0x2b, PF_NP, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movntps"),
    SSE(M0F, 0x2b, PF_66, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movntpd"),
    SSE(M0F, 0x2b, PF_F3, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 4,
        FMT_MX, "movntss"),
    SSE(M0F, 0x2b, PF_F2, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MX, "movntsd"),
    SSE(M0F, 0x7e, PF_NP, SW_0, STM_ALL, IM_NONE, WD_FIXED, 4,
        FMT_MM, "movd"),
    SSE(M0F, 0x7e, PF_NP, SW_1, STM_64, IM_NONE, WD_FIXED, 8,
        FMT_MM, "movq"),
    SSE(M0F, 0x7e, PF_66, SW_0, STM_ALL, IM_NONE, WD_FIXED, 4,
        FMT_MX, "movd"),
    SSE(M0F, 0x7e, PF_66, SW_1, STM_64, IM_NONE, WD_FIXED, 8,
        FMT_MX, "movq"),
    SSE(M0F, 0x7f, PF_NP, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MM, "movq"),
    SSE(M0F, 0x7f, PF_66, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movdqa"),
    SSE(M0F, 0x7f, PF_F3, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movdqu"),
    SSE(M0F, 0xd6, PF_66, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MX, "movq"),
    SSE(M0F, 0xe7, PF_NP, SW_ANY, STM_ALL, IM_NONE, WD_FIXED, 8,
        FMT_MM, "movntq"),
    SSE(M0F, 0xe7, PF_66, SW_ANY, STM_ALL, IM_NONE, WD_VL, 0,
        FMT_MX, "movntdq"),
    /* MASKMOVQ/MASKMOVDQU: register operands, the store goes to
     * DS:[rDI]. */
    RULE(LEG, M0F, 0xf7, 0xf7, PF_NP, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_REG, IM_NONE, STO, WD_FIXED, 8, SRC_NONE, FMT_RR, "maskmovq"),
    RULE(LEG, M0F, 0xf7, 0xf7, PF_66, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_REG, IM_NONE, STO, WD_FIXED, 16, SRC_NONE, FMT_RR,
         "maskmovdqu"),

    /* ---- Three-byte opcodes 0F 38 xx and 0F 3A xx (tables) ---- */

    /* MOVBE m, r (F2 0F 38 F1 is CRC32, a load). */
    RULE(LEG, M38, 0xf1, 0xf1, PF_NOREP, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_OSZ, 0, SRC_REG, FMT_MG, "movbe"),
    /* MOVDIRI m32/m64, r (capstone 4.0.2 cannot decode it). */
    RULE(LEG, M38, 0xf9, 0xf9, PF_NP, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_W48, 0, SRC_REG, FMT_MG, "movdiri"),
    /* MOVDIR64B/ENQCMD/ENQCMDS r, m512: a 64-byte store to ES:[r]. */
    RULE(LEG, M38, 0xf8, 0xf8, PF_66, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 64, SRC_NONE, FMT_RM512,
         "movdir64b"),
    RULE(LEG, M38, 0xf8, 0xf8, PF_F2, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 64, SRC_NONE, FMT_RM512, "enqcmd"),
    RULE(LEG, M38, 0xf8, 0xf8, PF_F3, DANY, -1, SW_ANY, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 64, SRC_NONE, FMT_RM512, "enqcmds"),
    /* WRSS/WRUSS (CET shadow-stack stores). */
    RULE(LEG, M38, 0xf6, 0xf6, PF_NP, DANY, -1, SW_0, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 4, SRC_REG, FMT_MG, "wrssd"),
    RULE(LEG, M38, 0xf6, 0xf6, PF_NP, DANY, -1, SW_1, SL_ANY, STM_64,
         FM_MEM, IM_NONE, STO, WD_FIXED, 8, SRC_REG, FMT_MG, "wrssq"),
    RULE(LEG, M38, 0xf5, 0xf5, PF_66, DANY, -1, SW_0, SL_ANY, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 4, SRC_REG, FMT_MG, "wrussd"),
    RULE(LEG, M38, 0xf5, 0xf5, PF_66, DANY, -1, SW_1, SL_ANY, STM_64,
         FM_MEM, IM_NONE, STO, WD_FIXED, 8, SRC_REG, FMT_MG, "wrussq"),

    /* PEXTRB/W/D/Q, EXTRACTPS m, xmm, imm8. */
    SSE(M3A, 0x14, PF_66, SW_ANY, STM_ALL, IM_B, WD_FIXED, 1,
        FMT_MXI, "pextrb"),
    SSE(M3A, 0x15, PF_66, SW_ANY, STM_ALL, IM_B, WD_FIXED, 2,
        FMT_MXI, "pextrw"),
    SSE(M3A, 0x16, PF_66, SW_0, STM_ALL, IM_B, WD_FIXED, 4,
        FMT_MXI, "pextrd"),
    SSE(M3A, 0x16, PF_66, SW_1, STM_ALL, IM_B, WD_FIXED, 8,
        FMT_MXI, "pextrq"),
    SSE(M3A, 0x17, PF_66, SW_ANY, STM_ALL, IM_B, WD_FIXED, 4,
        FMT_MXI, "extractps"),

    /* ---- VEX (AVX, AVX2, AVX-512 mask registers) ---- */

    VX(M0F, 0x11, PF_NP, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovups"),
    VX(M0F, 0x11, PF_66, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovupd"),
    VX(M0F, 0x11, PF_F3, SW_ANY, SL_ANY, STM_ALL, IM_NONE, ST_LIG,
       WD_FIXED, 4, FMT_MX, "vmovss"),
    VX(M0F, 0x11, PF_F2, SW_ANY, SL_ANY, STM_ALL, IM_NONE, ST_LIG,
       WD_FIXED, 8, FMT_MX, "vmovsd"),
    VX(M0F, 0x13, PF_NP, SW_ANY, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 8,
       FMT_MX, "vmovlps"),
    VX(M0F, 0x13, PF_66, SW_ANY, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 8,
       FMT_MX, "vmovlpd"),
    VX(M0F, 0x17, PF_NP, SW_ANY, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 8,
       FMT_MX, "vmovhps"),
    VX(M0F, 0x17, PF_66, SW_ANY, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 8,
       FMT_MX, "vmovhpd"),
    VX(M0F, 0x29, PF_NP, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovaps"),
    VX(M0F, 0x29, PF_66, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovapd"),
    VX(M0F, 0x2b, PF_NP, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovntps"),
    VX(M0F, 0x2b, PF_66, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovntpd"),
    /* VMOVD/VMOVQ r/m, xmm: W1 is VMOVQ in 64-bit mode only. */
    VX(M0F, 0x7e, PF_66, SW_ANY, SL_128, STM_ALL, IM_NONE, 0, WD_W48, 0,
       CAP, "vmovd|vmovq"),
    VX(M0F, 0x7f, PF_66, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovdqa"),
    VX(M0F, 0x7f, PF_F3, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovdqu"),
    VX(M0F, 0xd6, PF_66, SW_ANY, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 8,
       FMT_MX, "vmovq"),
    VX(M0F, 0xe7, PF_66, SW_ANY, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovntdq"),
    RULE(VEX, M0F, 0xf7, 0xf7, PF_66, DANY, -1, SW_ANY, SL_128, STM_ALL,
         FM_REG, IM_NONE, STO, WD_FIXED, 16, SRC_NONE, FMT_RR,
         "vmaskmovdqu"),
    RULE(VEX, M0F, 0xae, 0xae, PF_NP, D(3), -1, SW_ANY, SL_128, STM_ALL,
         FM_MEM, IM_NONE, STO, WD_FIXED, 4, SRC_NONE, CAP, "vstmxcsr"),
    /* KMOVB/W/D/Q m, k (capstone 4.0.2 knows only B and W). */
    VX(M0F, 0x91, PF_66, SW_0, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 1,
       FMT_MK, "kmovb"),
    VX(M0F, 0x91, PF_NP, SW_0, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 2,
       FMT_MK, "kmovw"),
    VX(M0F, 0x91, PF_66, SW_1, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 4,
       FMT_MK, "kmovd"),
    VX(M0F, 0x91, PF_NP, SW_1, SL_128, STM_ALL, IM_NONE, 0, WD_FIXED, 8,
       FMT_MK, "kmovq"),
    /* VMASKMOVPS/PD, VPMASKMOVD/Q m, mask (vvvv), src. */
    VX(M38, 0x2e, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_VVVV, WD_VL, 0,
       CAP, "vmaskmovps"),
    VX(M38, 0x2f, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_VVVV, WD_VL, 0,
       CAP, "vmaskmovpd"),
    VX(M38, 0x8e, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_VVVV, WD_VL, 0,
       CAP, "vpmaskmovd"),
    VX(M38, 0x8e, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, ST_VVVV, WD_VL, 0,
       CAP, "vpmaskmovq"),
    /* VPEXTRB/W/D/Q, VEXTRACTPS: W is ignored outside 64-bit mode, where
     * capstone still says vpextrq. */
    VX(M3A, 0x14, PF_66, SW_ANY, SL_128, STM_ALL, IM_B, 0, WD_FIXED, 1,
       FMT_MXI, "vpextrb"),
    VX(M3A, 0x15, PF_66, SW_ANY, SL_128, STM_ALL, IM_B, 0, WD_FIXED, 2,
       FMT_MXI, "vpextrw"),
    VX(M3A, 0x16, PF_66, SW_0, SL_128, STM_ALL, IM_B, 0, WD_FIXED, 4,
       FMT_MXI, "vpextrd"),
    VX(M3A, 0x16, PF_66, SW_1, SL_128, STM_64, IM_B, 0, WD_FIXED, 8,
       FMT_MXI, "vpextrq"),
    VX(M3A, 0x16, PF_66, SW_1, SL_128, STM_LEG, IM_B, ST_OWN, WD_FIXED, 4,
       FMT_MXI, "vpextrd|vpextrq"),
    VX(M3A, 0x17, PF_66, SW_ANY, SL_128, STM_ALL, IM_B, 0, WD_FIXED, 4,
       FMT_MXI, "vextractps"),
    /* VEXTRACTF128/I128 m128, ymm, imm8; VCVTPS2PH m, xmm/ymm, imm8. */
    VX(M3A, 0x19, PF_66, SW_0, SL_256, STM_ALL, IM_B, 0, WD_FIXED, 16,
       FMT_MVI, "vextractf128"),
    VX(M3A, 0x39, PF_66, SW_0, SL_256, STM_ALL, IM_B, 0, WD_FIXED, 16,
       FMT_MVI, "vextracti128"),
    VX(M3A, 0x1d, PF_66, SW_0, SL_ANY, STM_ALL, IM_B, 0, WD_VL2, 0,
       FMT_MVI, "vcvtps2ph"),

    /* ---- EVEX (AVX-512): masked stores write at most the full width ---- */

    EV(M0F, 0x11, PF_NP, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovups"),
    EV(M0F, 0x11, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovupd"),
    EV(M0F, 0x11, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_LIG, WD_FIXED,
       4, FMT_MX, "vmovss"),
    EV(M0F, 0x11, PF_F2, SW_1, SL_ANY, STM_ALL, IM_NONE, ST_LIG, WD_FIXED,
       8, FMT_MX, "vmovsd"),
    EV(M0F, 0x13, PF_NP, SW_0, SL_128, STM_ALL, IM_NONE, ST_NOMASK,
       WD_FIXED, 8, FMT_MX, "vmovlps"),
    EV(M0F, 0x13, PF_66, SW_1, SL_128, STM_ALL, IM_NONE, ST_NOMASK,
       WD_FIXED, 8, FMT_MX, "vmovlpd"),
    EV(M0F, 0x17, PF_NP, SW_0, SL_128, STM_ALL, IM_NONE, ST_NOMASK,
       WD_FIXED, 8, FMT_MX, "vmovhps"),
    EV(M0F, 0x17, PF_66, SW_1, SL_128, STM_ALL, IM_NONE, ST_NOMASK,
       WD_FIXED, 8, FMT_MX, "vmovhpd"),
    EV(M0F, 0x29, PF_NP, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovaps"),
    EV(M0F, 0x29, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovapd"),
    EV(M0F, 0x2b, PF_NP, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_NOMASK, WD_VL,
       0, FMT_MV, "vmovntps"),
    EV(M0F, 0x2b, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, ST_NOMASK, WD_VL,
       0, FMT_MV, "vmovntpd"),
    EV(M0F, 0x7e, PF_66, SW_0, SL_128, STM_ALL, IM_NONE, ST_NOMASK,
       WD_FIXED, 4, FMT_MX, "vmovd"),
    EV(M0F, 0x7e, PF_66, SW_1, SL_128, STM_64, IM_NONE, ST_NOMASK,
       WD_FIXED, 8, FMT_MX, "vmovq"),
    EV(M0F, 0x7e, PF_66, SW_1, SL_128, STM_LEG, IM_NONE, ST_NOMASK,
       WD_FIXED, 4, FMT_MX, "vmovd"),
    EV(M0F, 0xd6, PF_66, SW_1, SL_128, STM_ALL, IM_NONE, ST_NOMASK,
       WD_FIXED, 8, FMT_MX, "vmovq"),
    EV(M0F, 0x7f, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovdqa32"),
    EV(M0F, 0x7f, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovdqa64"),
    EV(M0F, 0x7f, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovdqu32"),
    EV(M0F, 0x7f, PF_F3, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovdqu64"),
    EV(M0F, 0x7f, PF_F2, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovdqu8"),
    EV(M0F, 0x7f, PF_F2, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL, 0,
       FMT_MV, "vmovdqu16"),
    EV(M0F, 0xe7, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_NOMASK, WD_VL,
       0, FMT_MV, "vmovntdq"),

    /* Compressing stores: at most the full width (the mask decides). */
    EV(M38, 0x8a, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_ELEM, WD_VL, 0,
       FMT_MV, "vcompressps"),
    EV(M38, 0x8a, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, ST_ELEM, WD_VL, 0,
       FMT_MV, "vcompresspd"),
    EV(M38, 0x8b, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_ELEM, WD_VL, 0,
       FMT_MV, "vpcompressd"),
    EV(M38, 0x8b, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, ST_ELEM, WD_VL, 0,
       FMT_MV, "vpcompressq"),
    EV(M38, 0x63, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_ELEM, WD_VL, 0,
       FMT_MV, "vpcompressb"),
    EV(M38, 0x63, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, ST_ELEM, WD_VL, 0,
       FMT_MV, "vpcompressw"),

    /* Down-converting stores VPMOV[S|US]{WB,DB,QB,DW,QW,QD} m, vreg. */
    EV(M38, 0x30, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovwb"),
    EV(M38, 0x20, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovswb"),
    EV(M38, 0x10, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovuswb"),
    EV(M38, 0x31, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL4, 0,
       FMT_MV, "vpmovdb"),
    EV(M38, 0x21, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL4, 0,
       FMT_MV, "vpmovsdb"),
    EV(M38, 0x11, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL4, 0,
       FMT_MV, "vpmovusdb"),
    EV(M38, 0x32, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL8, 0,
       FMT_MV, "vpmovqb"),
    EV(M38, 0x22, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL8, 0,
       FMT_MV, "vpmovsqb"),
    EV(M38, 0x12, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL8, 0,
       FMT_MV, "vpmovusqb"),
    EV(M38, 0x33, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovdw"),
    EV(M38, 0x23, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovsdw"),
    EV(M38, 0x13, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovusdw"),
    EV(M38, 0x34, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL4, 0,
       FMT_MV, "vpmovqw"),
    EV(M38, 0x24, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL4, 0,
       FMT_MV, "vpmovsqw"),
    EV(M38, 0x14, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL4, 0,
       FMT_MV, "vpmovusqw"),
    EV(M38, 0x35, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovqd"),
    EV(M38, 0x25, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovsqd"),
    EV(M38, 0x15, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_VL2, 0,
       FMT_MV, "vpmovusqd"),

    /* Scatters: one element store per mask bit, to scattered addresses;
     * the width is one element's. */
    EV(M38, 0xa0, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_EW48, 0,
       CAP, "vpscatterdd"),
    EV(M38, 0xa0, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_EW48, 0,
       CAP, "vpscatterdq"),
    EV(M38, 0xa1, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_EW48, 0,
       CAP, "vpscatterqd"),
    EV(M38, 0xa1, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_EW48, 0,
       CAP, "vpscatterqq"),
    EV(M38, 0xa2, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_EW48, 0,
       CAP, "vscatterdps"),
    EV(M38, 0xa2, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_EW48, 0,
       CAP, "vscatterdpd"),
    EV(M38, 0xa3, PF_66, SW_0, SL_ANY, STM_ALL, IM_NONE, 0, WD_EW48, 0,
       CAP, "vscatterqps"),
    EV(M38, 0xa3, PF_66, SW_1, SL_ANY, STM_ALL, IM_NONE, 0, WD_EW48, 0,
       CAP, "vscatterqpd"),

    /* VPEXTRB/W/D/Q, VEXTRACTPS (no opmask). */
    EV(M3A, 0x14, PF_66, SW_ANY, SL_128, STM_ALL, IM_B, ST_NOMASK,
       WD_FIXED, 1, FMT_MXI, "vpextrb"),
    EV(M3A, 0x15, PF_66, SW_ANY, SL_128, STM_ALL, IM_B, ST_NOMASK,
       WD_FIXED, 2, FMT_MXI, "vpextrw"),
    EV(M3A, 0x16, PF_66, SW_0, SL_128, STM_ALL, IM_B, ST_NOMASK,
       WD_FIXED, 4, FMT_MXI, "vpextrd"),
    EV(M3A, 0x16, PF_66, SW_1, SL_128, STM_64, IM_B, ST_NOMASK,
       WD_FIXED, 8, FMT_MXI, "vpextrq"),
    EV(M3A, 0x16, PF_66, SW_1, SL_128, STM_LEG, IM_B, ST_NOMASK,
       WD_FIXED, 4, FMT_MXI, "vpextrd"),
    EV(M3A, 0x17, PF_66, SW_ANY, SL_128, STM_ALL, IM_B, ST_NOMASK,
       WD_FIXED, 4, FMT_MXI, "vextractps"),
    /* VEXTRACT{F,I}{32X4,64X2} (256/512) and {32X8,64X4} (512). */
    EV(M3A, 0x19, PF_66, SW_0, SL_256UP, STM_ALL, IM_B, 0, WD_FIXED, 16,
       FMT_MVI, "vextractf32x4"),
    EV(M3A, 0x19, PF_66, SW_1, SL_256UP, STM_ALL, IM_B, 0, WD_FIXED, 16,
       FMT_MVI, "vextractf64x2"),
    EV(M3A, 0x1b, PF_66, SW_0, SL_512, STM_ALL, IM_B, 0, WD_FIXED, 32,
       FMT_MVI, "vextractf32x8"),
    EV(M3A, 0x1b, PF_66, SW_1, SL_512, STM_ALL, IM_B, 0, WD_FIXED, 32,
       FMT_MVI, "vextractf64x4"),
    EV(M3A, 0x39, PF_66, SW_0, SL_256UP, STM_ALL, IM_B, 0, WD_FIXED, 16,
       FMT_MVI, "vextracti32x4"),
    EV(M3A, 0x39, PF_66, SW_1, SL_256UP, STM_ALL, IM_B, 0, WD_FIXED, 16,
       FMT_MVI, "vextracti64x2"),
    EV(M3A, 0x3b, PF_66, SW_0, SL_512, STM_ALL, IM_B, 0, WD_FIXED, 32,
       FMT_MVI, "vextracti32x8"),
    EV(M3A, 0x3b, PF_66, SW_1, SL_512, STM_ALL, IM_B, 0, WD_FIXED, 32,
       FMT_MVI, "vextracti64x4"),
    EV(M3A, 0x1d, PF_66, SW_0, SL_ANY, STM_ALL, IM_B, 0, WD_VL2, 0,
       FMT_MVI, "vcvtps2ph"),

    /* AVX512-FP16 (map 5): VMOVSH m16 {k}, xmm; VMOVW m16, xmm. */
    EV(M5, 0x11, PF_F3, SW_0, SL_ANY, STM_ALL, IM_NONE, ST_LIG, WD_FIXED,
       2, FMT_MX, "vmovsh"),
    EV(M5, 0x7e, PF_66, SW_ANY, SL_128, STM_ALL, IM_NONE, ST_NOMASK,
       WD_FIXED, 2, FMT_MX, "vmovw"),
};

const struct store_rule *store_rules(size_t *count)
{
    *count = sizeof(rules) / sizeof(rules[0]);
    return rules;
}

static bool pfx_matches(uint8_t want, const struct x86_scan *s)
{
    switch ( want )
    {
    case PF_ANY:   return true;
    case PF_NP:    return s->pfx == X86_PFX_NONE;
    case PF_66:    return s->pfx == X86_PFX_66;
    case PF_F3:    return s->pfx == X86_PFX_F3;
    case PF_F2:    return s->pfx == X86_PFX_F2;
    case PF_NOREP: return s->pfx == X86_PFX_NONE || s->pfx == X86_PFX_66;
    }
    return false;
}

static bool l_matches(uint8_t want, const struct x86_scan *s)
{
    switch ( want )
    {
    case SL_ANY:   return true;
    case SL_128:   return s->l == 0;
    case SL_256:   return s->l == 1;
    case SL_512:   return s->l == 2;
    case SL_256UP: return s->l == 1 || s->l == 2;
    }
    return false;
}

/* How rule_matches() compares. */
enum match {
    MATCH_ALL,          /* the rule covers the instruction */
    MATCH_CUT,          /* it would if a ModRM byte followed */
    MATCH_BUT_PREFIX,   /* it would without the mandatory-prefix check */
};

/* Whether rule r covers the instruction of *s, as `how` says. */
static bool rule_matches(const struct store_rule *r, const struct x86_scan *s,
                         enum match how)
{
    unsigned int mode_bit = s->mode == 64 ? STM_64 :
                            s->mode == 32 ? STM_32 : STM_16;
    bool partial = how == MATCH_CUT;

    if ( r->enc != s->enc || r->map != s->map ||
         s->opcode < r->op || s->opcode > r->op_last ||
         !(r->modes & mode_bit) || !l_matches(r->l, s) ||
         (how != MATCH_BUT_PREFIX && !pfx_matches(r->pfx, s)) )
        return false;
    if ( (r->w == SW_0 && s->w) || (r->w == SW_1 && !s->w) )
        return false;
    if ( r->form == FM_NONE )
        return !partial;
    if ( partial )
        return !s->modrm_avail;
    if ( !s->modrm_avail || !((r->regs >> s->reg) & 1) ||
         (r->rm >= 0 && s->rm != r->rm) )
        return false;
    return r->form == FM_ANY || (r->form == FM_MEM) == (s->mod != 3);
}

const struct store_rule *store_rule_find(const struct x86_scan *s)
{
    for ( size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++ )
        if ( rule_matches(&rules[i], s, MATCH_ALL) )
            return &rules[i];
    return NULL;
}

bool store_rule_cut_at_modrm(const struct x86_scan *s)
{
    for ( size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++ )
        if ( rule_matches(&rules[i], s, MATCH_CUT) )
            return true;
    return false;
}

const struct store_rule *store_rule_bad_prefix(const struct x86_scan *s,
                                               const char *mnem)
{
    for ( size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++ )
        if ( rules[i].pfx != PF_ANY &&
             rule_matches(&rules[i], s, MATCH_BUT_PREFIX) &&
             store_rule_names_match(&rules[i], mnem) )
            return &rules[i];
    return NULL;
}

/* Vector length in bytes: 16 for legacy SSE, else from VEX.L/EVEX.L'L. */
static unsigned int vector_length(const struct x86_scan *s)
{
    if ( s->enc == X86_LEGACY )
        return 16;
    return 16u << (s->l > 2 ? 2 : s->l);
}

unsigned int store_rule_width(const struct store_rule *r,
                              const struct x86_scan *s)
{
    bool w64 = s->mode == 64 && s->w;

    switch ( r->width )
    {
    case WD_BYTE:  return 1;
    case WD_OSZ:   return s->osz;
    case WD_OSZ4:  return s->osz > 4 ? 4 : s->osz;
    case WD_STACK:
        /* 64-bit mode: 64-bit pushes and pops unless 66 (REX.W wins). */
        if ( s->mode == 64 )
            return s->opsize && !s->w ? 2 : 8;
        return s->osz;
    case WD_NEAR:  return s->mode == 64 ? 8 : s->osz;
    case WD_FAR:   return 2u * s->osz;
    case WD_PUSHA: return 8u * s->osz;
    case WD_FIXED: return r->fixed;
    case WD_VL:    return vector_length(s);
    case WD_VL2:   return vector_length(s) / 2;
    case WD_VL4:   return vector_length(s) / 4;
    case WD_VL8:   return vector_length(s) / 8;
    case WD_W48:   return w64 ? 8 : 4;
    case WD_EW48:  return s->w ? 8 : 4;
    case WD_CX8:   return w64 ? 16 : 8;
    case WD_DT:    return s->mode == 64 ? 10 : 6;
    case WD_FENV:  return s->osz == 2 ? 14 : 28;
    case WD_FSAVE: return s->osz == 2 ? 94 : 108;
    }
    return 0;
}

int store_rule_length(const struct store_rule *r, struct x86_scan *s)
{
    int p;
    unsigned int imm = 0;

    if ( r->form == FM_NONE )
        p = s->opc_pos + 1;
    else if ( (p = x86_scan_modrm(s)) < 0 )
        return -1;
    switch ( r->imm )
    {
    case IM_NONE:    imm = 0; break;
    case IM_B:       imm = 1; break;
    case IM_W:       imm = 2; break;
    case IM_Z:       imm = s->osz == 2 ? 2 : 4; break;
    case IM_ENTER:   imm = 3; break;
    case IM_MOFFS:   imm = s->asz; break;
    case IM_FARPTR:  imm = s->osz == 2 ? 4 : 6; break;
    case IM_REL_CS:  return 0;
    }
    if ( (size_t)p + imm > s->n )
        return -1;
    return p + (int)imm;
}

bool store_rule_names_match(const struct store_rule *r, const char *mnem)
{
    const char *p = r->names;
    size_t mlen = strlen(mnem);

    while ( *p )
    {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if ( len > 0 && p[len - 1] == '*' )
        {
            if ( mlen >= len - 1 && strncmp(p, mnem, len - 1) == 0 )
                return true;
        }
        else if ( len == mlen && strncmp(p, mnem, len) == 0 )
            return true;
        if ( !end )
            break;
        p = end + 1;
    }
    return false;
}

unsigned int store_rule_src_bits(const struct store_rule *r,
                                 const struct x86_scan *s,
                                 unsigned int width, bool *imm)
{
    *imm = false;
    switch ( r->src )
    {
    case SRC_REG:
    case SRC_OPREG:
    case SRC_ACC:
        return width * 8;
    case SRC_RMREG:
        return s->mod == 3 ? width * 8 : 0;
    case SRC_CL:
        return 8;
    case SRC_IMM:
        *imm = true;
        return 0;
    }
    return 0;
}

const char *store_rule_ud(const struct store_rule *r,
                          const struct x86_scan *s)
{
    if ( s->lock && !(r->flags & ST_LOCKOK) )
        return "lock prefix on an instruction that cannot be locked (#UD)";
    if ( s->enc != X86_VEX && s->enc != X86_EVEX )
        return NULL;
    if ( !(r->flags & ST_VVVV) && (s->vvvv != 0 || s->v2) )
        return "VEX/EVEX.vvvv must be 1111b for this store (#UD)";
    if ( s->enc == X86_VEX )
        return NULL;
    if ( s->z )
        return "EVEX.z (zeroing) with a memory destination (#UD)";
    if ( s->bcst )
        return "EVEX.b (broadcast) with a memory destination (#UD)";
    if ( s->l == 3 && !(r->flags & ST_LIG) )
        return "EVEX.L'L = 11b is reserved (#UD)";
    if ( (r->flags & ST_NOMASK) && s->aaa )
        return "an opmask on a store that takes none (#UD)";
    return NULL;
}

/*
 * EVEX compresses an 8-bit displacement: it counts units of N bytes, N
 * the memory operand's size for the forms in this table (full vector,
 * half/quarter/eighth vector, tuples, scalars), or one element for the
 * compressing stores (SDM vol. 2, 2.7.5).
 */
static unsigned int disp8_scale(const struct store_rule *r,
                                const struct x86_scan *s, unsigned int width)
{
    if ( s->enc != X86_EVEX || s->disp_size != 1 )
        return 1;
    if ( r->flags & ST_ELEM )
        return s->opcode == 0x63 ? (s->w ? 2 : 1) : (s->w ? 8 : 4);
    return width;
}

/* Text of a string store (movs, stos, ins), as capstone prints them:
 * ES:[rDI] shows its segment outside 64-bit mode, the source its
 * override. */
static const char *format_string(const struct store_rule *r,
                                 const struct x86_scan *s, unsigned int width,
                                 char *mnem, size_t mnem_len,
                                 char *text, size_t text_len)
{
    static const char *const segs[] = {
        [0x26 - 0x26] = "es:", [0x2e - 0x26] = "cs:", [0x36 - 0x26] = "ss:",
        [0x3e - 0x26] = "ds:",
    };
    const char *base = r->op >= 0xa4 && r->op <= 0xa5 ? "movs" :
                       r->op >= 0xaa && r->op <= 0xab ? "stos" : "ins";
    const char *rep = s->rep == 0xf3 ? "rep " : s->rep == 0xf2 ? "repne " : "";
    const char *es = s->mode == 64 ? "" : "es:";
    const char *ptr = x86_ptr_name(width);
    const char *di = x86_gpr_name(7, s->asz, true);
    const char *seg = "";
    char suffix = width == 1 ? 'b' : width == 2 ? 'w' : width == 4 ? 'd' : 'q';

    if ( s->seg == 0x64 )
        seg = "fs:";
    else if ( s->seg == 0x65 )
        seg = "gs:";
    else if ( s->seg && s->seg <= 0x3e && segs[s->seg - 0x26] )
        seg = segs[s->seg - 0x26];
    snprintf(mnem, mnem_len, "%s%c", base, suffix);
    if ( base[0] == 'm' )
        snprintf(text, text_len, "%s%s %s%s[%s], %s%s[%s]", rep, mnem, ptr,
                 es, di, ptr, seg, x86_gpr_name(6, s->asz, true));
    else if ( base[0] == 's' )
        snprintf(text, text_len, "%s%s %s%s[%s], %s", rep, mnem, ptr, es, di,
                 x86_gpr_name(0, width, false));
    else
        snprintf(text, text_len, "%s%s %s%s[%s], dx", rep, mnem, ptr, es, di);
    return NULL;
}

const char *store_rule_format(const struct store_rule *r,
                              const struct x86_scan *s, unsigned int width,
                              char *mnem, size_t mnem_len,
                              char *text, size_t text_len)
{
    const char *ud, *name;
    char mem[96] = "", mask[8] = "", imm[24] = "";
    char reg[16];
    size_t nlen = strcspn(r->names, "|");
    unsigned int vnum = s->reg + 8u * s->r + 16u * s->r2;

    if ( (ud = store_rule_ud(r, s)) != NULL )
        return ud;
    if ( r->fmt == FMT_STR )
        return format_string(r, s, width, mnem, mnem_len, text, text_len);
    snprintf(mnem, mnem_len, "%.*s", (int)nlen, r->names);
    if ( s->mod != 3 )
    {
        struct x86_scan scaled = *s;

        scaled.disp *= disp8_scale(r, s, width);
        x86_format_mem(&scaled, mem, sizeof(mem));
    }
    if ( s->enc == X86_EVEX && s->aaa )
        snprintf(mask, sizeof(mask), " {k%u}", s->aaa);
    if ( r->imm == IM_B )
        x86_format_imm(s->b[s->modrm_end], imm, sizeof(imm));

    switch ( r->fmt )
    {
    case FMT_MG:
        name = x86_gpr_name(s->reg + 8u * s->r, width, s->rex != 0);
        snprintf(text, text_len, "%s%s %s%s, %s", s->lock ? "lock " : "",
                 mnem, x86_ptr_name(width), mem, name ? name : "?");
        break;
    case FMT_RM512:
        name = x86_gpr_name(s->reg + 8u * s->r, s->asz, true);
        snprintf(text, text_len, "%s %s, zmmword ptr %s", mnem,
                 name ? name : "?", mem);
        break;
    case FMT_MV:
    case FMT_MVI:
        x86_vec_name(vnum, vector_length(s), reg, sizeof(reg));
        snprintf(text, text_len, "%s %s%s%s, %s%s%s", mnem,
                 x86_ptr_name(width), mem, mask, reg,
                 r->fmt == FMT_MVI ? ", " : "", imm);
        break;
    case FMT_MX:
    case FMT_MXI:
        x86_vec_name(vnum, 16, reg, sizeof(reg));
        snprintf(text, text_len, "%s %s%s%s, %s%s%s", mnem,
                 x86_ptr_name(width), mem, mask, reg,
                 r->fmt == FMT_MXI ? ", " : "", imm);
        break;
    case FMT_MK:
        if ( s->r )
            return "VEX.R must be 1 for a mask register (#UD)";
        snprintf(text, text_len, "%s %s%s, k%u", mnem, x86_ptr_name(width),
                 mem, s->reg);
        break;
    case FMT_MM:
        snprintf(text, text_len, "%s %s%s, mm%u", mnem, x86_ptr_name(width),
                 mem, s->reg);
        break;
    case FMT_RR:
        if ( width == 8 )
            snprintf(text, text_len, "%s mm%u, mm%u", mnem, s->reg, s->rm);
        else
        {
            char src[16];

            x86_vec_name(s->reg + 8u * s->r, 16, reg, sizeof(reg));
            x86_vec_name(s->rm + 8u * s->bx, 16, src, sizeof(src));
            snprintf(text, text_len, "%s %s, %s", mnem, reg, src);
        }
        break;
    case FMT_RAX:
        name = x86_gpr_name(0, s->asz, true);
        snprintf(text, text_len, "%s %s", mnem, name ? name : "?");
        break;
    default:
        return "no own format for this instruction";
    }
    return NULL;
}
