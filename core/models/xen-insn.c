/*
 * xen-insn.c - which x86_emulate() hooks an instruction needs.
 *
 * On the PV path and the 4.20 HVM path the emulator runs with an ops table
 * of ->read (x86emul_unhandleable_rw), ->write, ->insn_fetch and ->validate
 * only (mmio_ro_emulate_ops in pv/ro-page-fault.c, hvm_ro_emulate_ops_mmio
 * in hvm/emulate.c). So what decides a store's fate there is not its width
 * but what else x86_emulate() must call first (xen/arch/x86/x86_emulate/):
 *
 *  - x87/MMX/SSE/AVX: x86emul_get_fpu() does fail_if(!ops->get_fpu);
 *  - movdiri, movdir64b: fail_if(!ops->blk);
 *  - cmpxchg8b/16b (0fc7.c): fail_if(!ops->cmpxchg);
 *  - a read-modify-write (DstMem without Mov): fail_if(!ops->cmpxchg) with
 *    a lock prefix, else read_ulong() of the destination -> ->read;
 *  - movs reads its source, pop its stack slot, through ->read.
 *
 * The decoder (core/decode.h) says store/rmw/string/width; the mnemonic,
 * the first word of insn->text after prefixes, names the rest. Mnemonics
 * are capstone's, lower case. A store this file does not place is UNKNOWN
 * and the models decline it rather than guess.
 */
#include <string.h>

#include "xen-common.h"

/* Copy the mnemonic of `text` (after rep/lock/... prefixes) into m. */
static void mnemonic(const char *text, char *m, size_t size)
{
    /* With their lengths: this runs once per replayed group. */
#define PREFIX(s) { s, sizeof(s) - 1 }
    static const struct {
        const char *word;
        size_t      len;
    } prefixes[] = {
        PREFIX("rep"), PREFIX("repe"), PREFIX("repz"), PREFIX("repne"),
        PREFIX("repnz"), PREFIX("lock"), PREFIX("xacquire"),
        PREFIX("xrelease"), PREFIX("bnd"), PREFIX("notrack"),
        PREFIX("data16"), PREFIX("addr32"), PREFIX("addr16"),
    };
#undef PREFIX
    size_t n, i;
    bool again = true;

    while ( again )
    {
        again = false;
        while ( *text == ' ' )
            text++;
        n = strcspn(text, " ");
        for ( i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++ )
            if ( n == prefixes[i].len && !strncmp(text, prefixes[i].word, n) )
            {
                text += n;
                again = true;
                break;
            }
    }
    n = strcspn(text, " ");
    if ( n >= size )
        n = size - 1;
    memcpy(m, text, n);
    m[n] = '\0';
}

/*
 * An explicit lock prefix, as x86_emulate()'s decode sees it
 * (lock_prefix). xchg with memory is locked by the CPU without one, and
 * a decoder may say `locked` for it; Xen's DstMem decode does not, so
 * xchg reads its destination first. capstone prints "lock" only for the
 * prefix itself: the text decides when there is one.
 */
static bool explicit_lock(const struct sro_insn *insn)
{
    const char *t = insn->text;

    if ( !t[0] )
        return insn->locked;
    for ( ;; )
    {
        size_t n;

        while ( *t == ' ' )
            t++;
        n = strcspn(t, " ");
        if ( n == 4 && !strncmp(t, "lock", 4) )
            return true;
        if ( !n || !t[n] || strncmp(t, "rep", 3) )
            return false;       /* only rep* may stand before lock */
        t += n;
    }
}

static bool starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static bool in_list(const char *m, const char *const *list)
{
    for ( ; *list; list++ )
        if ( !strcmp(m, *list) )
            return true;
    return false;
}

/* GPR stores that x86_emulate() writes back with one ->write and no
 * other hook (DstMem|Mov, or their own case doing the same). */
static const char *const plain[] = {
    "mov", "movabs", "movnti", "movbe", "stosb", "stosw", "stosd", "stosq",
    NULL,
};

/* The SSE/MMX stores whose mnemonics carry no 'v'/'f' hint. */
static const char *const simd[] = {
    "movd", "movq", "movss", "movsd", "movups", "movaps", "movupd",
    "movapd", "movdqu", "movdqa", "movntdq", "movntps", "movntpd", "movntq",
    "movntss", "movntsd", "movlps", "movhps", "movlpd", "movhpd",
    "maskmovq", "maskmovdqu", "pextrb", "pextrw", "pextrd", "pextrq",
    "extractps", "stmxcsr", "kmovb", "kmovw", "kmovd", "kmovq", NULL,
};

/* Stores that go elsewhere (->blk, ->read_segment, ->read_cr, the stack)
 * and that this table does not model. */
static const char *const unknown[] = {
    "fxsave", "fxsave64", "xsave", "xsave64", "xsaveopt", "xsaveopt64",
    "xsavec", "xsavec64", "xsaves", "xsaves64", "fsave", "fnsave",
    "fstenv", "fnstenv", "vmptrst", "vmread", NULL,
};

enum sro_xen_insn_class sro_xen_insn_class(const struct sro_insn *insn)
{
    char m[32];

    if ( !insn->store )
        return SRO_XI_NOT_STORE;

    mnemonic(insn->text[0] ? insn->text : insn->kind, m, sizeof(m));
    /* A kind such as "mov_m32_r32" names its mnemonic before the '_'. */
    if ( !insn->text[0] )
        m[strcspn(m, "_")] = '\0';

    if ( !strcmp(m, "cmpxchg8b") || !strcmp(m, "cmpxchg16b") )
        return SRO_XI_CMPXCHGNB;
    if ( !strcmp(m, "movdiri") || !strcmp(m, "movdir64b") )
        return SRO_XI_BLK;
    if ( insn->string && starts(m, "movs") )
        return SRO_XI_READS_OTHER;
    if ( !strcmp(m, "pop") )
        return SRO_XI_READS_OTHER;
    if ( insn->rmw )
        return explicit_lock(insn) ? SRO_XI_RMW_LOCKED : SRO_XI_RMW;
    /* plain and unknown share no mnemonic: the common case goes first. */
    if ( in_list(m, plain) || (starts(m, "set") && strlen(m) <= 5) )
        return SRO_XI_PLAIN;
    if ( in_list(m, unknown) )
        return SRO_XI_UNKNOWN;
    if ( in_list(m, simd) || m[0] == 'v' || m[0] == 'f' )
        return SRO_XI_FPU;
    return SRO_XI_UNKNOWN;
}

const char *sro_xen_insn_class_name(enum sro_xen_insn_class c)
{
    static const char *const names[] = {
        [SRO_XI_PLAIN] = "plain",
        [SRO_XI_RMW] = "rmw",
        [SRO_XI_RMW_LOCKED] = "lock-rmw",
        [SRO_XI_READS_OTHER] = "reads-other",
        [SRO_XI_FPU] = "fpu",
        [SRO_XI_BLK] = "blk",
        [SRO_XI_CMPXCHGNB] = "cmpxchg8b/16b",
        [SRO_XI_NOT_STORE] = "not-a-store",
        [SRO_XI_UNKNOWN] = "unknown",
    };

    return (unsigned int)c < sizeof(names) / sizeof(names[0]) ? names[c]
                                                              : NULL;
}
