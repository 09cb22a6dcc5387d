/*
 * encode.h - a small x86 encoder: from an instruction kind to its bytes.
 *
 * Scenarios name their stores by kind ("mov_m32_r32", "movups_m128",
 * "rep_movsd_m32"), the same names core/decode.c gives when it decodes the
 * bytes: the mnemonic, "_m<bits>" for the memory destination, then
 * "_r<bits>" for a general register source, "_imm" for an immediate, or
 * nothing for a vector source. The synthesizer needs the bytes a compiler
 * would have emitted for such a store, because the SRO_INSN record carries
 * them and every model decodes them again. Each kind here encodes to one
 * instruction that stores through a base register plus displacement, as
 * writel(val, base + REG) compiles; tests/unit/test-synth.c checks that
 * every kind decodes back to itself with the same width.
 *
 * Covered: mov (8..64-bit, register and immediate), movnti, xchg, the
 * read-modify-write or/and/add/xor, the string stores movs/stos (rep
 * forms of every width, single movsd/stosd), SSE stores (movups, movaps, movdqu, movdqa, movntdq, movq,
 * movd) and AVX stores (vmovups, vmovdqu, vmovdqa, vmovntdq, 128 and 256).
 */
#ifndef SRO_SYNTH_ENCODE_H
#define SRO_SYNTH_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the source operand is given. */
enum sro_enc_form {
    SRO_ENC_GPR    = 0,     /* general register: "_r<bits>" */
    SRO_ENC_IMM    = 1,     /* immediate: "_imm" */
    SRO_ENC_VEC    = 2,     /* xmm/ymm register: no suffix */
    SRO_ENC_STRING = 3,     /* movs/stos: implicit operands */
};

/* Modes a kind exists in (bit mask). */
#define SRO_ENC_MODE16 (1u << 0)
#define SRO_ENC_MODE32 (1u << 1)
#define SRO_ENC_MODE64 (1u << 2)

/* One instruction kind the encoder knows. */
struct sro_enc_kind {
    const char *name;       /* the decoder's kind: "mov_m32_r32" */
    uint8_t     width;      /* bytes written per store */
    uint8_t     form;       /* enum sro_enc_form */
    uint8_t     modes;      /* SRO_ENC_MODE* it can be encoded in */
    bool        rmw;        /* reads the destination first (or, and, xchg) */
    bool        rep;        /* carries a rep prefix (string kinds) */
    uint8_t     prefix;     /* mandatory prefix: 0, 0x66, 0xf3 */
    uint8_t     vex;        /* 0: legacy; else 0x80 | L << 2 | pp (VEX) */
    uint8_t     op[2];      /* opcode bytes after 0x0f if op0f */
    bool        op0f;       /* two-byte opcode 0f xx */
    uint8_t     digit;      /* ModRM reg field for imm forms, 0xff: /r */
};

/* The operands of one encoded store. */
struct sro_enc_operands {
    unsigned int base;      /* base register 0..7, not 4 (sp) or 5 (bp);
                               in 16-bit mode: 0 bx, 1 si, 2 di */
    unsigned int src;       /* source register: GPR 0..15, vector 0..15 */
    int32_t      disp;      /* displacement from the base */
    uint64_t     imm;       /* immediate (IMM forms), low `width` bytes,
                               sign-extended from 32 bits for 64-bit */
};

/* The kind named `name`, or NULL. */
const struct sro_enc_kind *sro_enc_kind(const char *name);

/* Every kind: *n receives the count. */
const struct sro_enc_kind *sro_enc_kinds(unsigned int *n);

/*
 * Encode kind k in mode 16, 32 or 64 with operands *ops into out[15].
 * Returns the length, or -1 with a message in err when the kind does not
 * exist in that mode or an operand cannot be encoded (a 64-bit immediate
 * that is not a sign-extended 32-bit one, a register out of range).
 */
int sro_encode(const struct sro_enc_kind *k, unsigned int mode,
               const struct sro_enc_operands *ops, uint8_t out[15],
               char *err, size_t errlen);

#endif /* SRO_SYNTH_ENCODE_H */
