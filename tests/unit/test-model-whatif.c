/*
 * test-model-whatif.c - the models of the designs from the review thread:
 * "carve-out" (the page read-only as a whole, byte-exact writable holes
 * written through) and "ept-spp" (EPT sub-page write permission, 128-byte
 * sub-pages, no emulation). core/models/carve-out.c and ept-spp.c say
 * what each predicts; docs/models.md section 4 tabulates it.
 *
 * Case by case on the fixture page (qwords 4..11, bytes 0x20..0x5f,
 * read-only): aligned, unaligned, wide and partial stores, byte holes, a
 * page read-only as a whole, the instruction kinds, what each declines.
 * Then both against the oracle, on every store line of every example
 * scenario (encoded and decoded as the synthesizer does) under its own
 * configuration and again with random byte-exact holes, and on random
 * faults over random configurations (fixed seed): carve-out never gets a
 * wrong verdict when the holes are byte-exact, which is its point;
 * ept-spp's verdict is WRONGLY_DENIED exactly where a store with writable
 * bytes touches a 128-byte sub-page holding a read-only byte (the
 * granularity is coarser than the configuration), HARSH_DENY exactly
 * where every byte is read-only (no emulation: the guest is faulted or
 * crashed), and CORRECT everywhere else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/oracle.h"
#include "helpers/model-fixture.h"
#include "synth/encode.h"
#include "synth/scenario.h"

#define CO   "carve-out"
#define SPP  "ept-spp"
#define PV   SRO_PATH_PV
#define H421 SRO_PATH_HVM_421
#define OKAY SRO_X86EMUL_OKAY
#define UNH  SRO_X86EMUL_UNHANDLEABLE
#define EXC  SRO_X86EMUL_EXCEPTION

/* Predict with model `m`; assert it answers. */
static void run(const char *m, unsigned int path, bool hwdom,
                unsigned int off, struct sro_insn i, struct sro_page_prot pp,
                struct sro_prediction *out)
{
    struct mf_case c;

    mf_setup(&c, path, hwdom, true, off, &i, &pp);
    assert_int_equal(mf_predict(m, &c, out), 0);
}

/* The oracle's verdict on a prediction of the same case. */
static enum sro_verdict verdict(unsigned int path, unsigned int off,
                                struct sro_insn i, struct sro_page_prot pp,
                                const struct sro_prediction *p)
{
    struct mf_case c;
    struct sro_judgement j;
    struct sro_judge_input in;

    mf_setup(&c, path, true, true, off, &i, &pp);
    in = (struct sro_judge_input){
        .fault = &c.fault, .insn = &c.insn, .page = &c.page,
        .complete = true, .writes = p->writes, .nwrites = p->nwrites,
        .done = &p->done,
    };
    return sro_oracle_judge(&in, &j);
}

/* Does the model decline the case? */
static bool declines(const char *m, struct mf_case *c)
{
    struct sro_prediction p;

    return mf_predict(m, c, &p) == -1;
}

static struct sro_insn mov32(void)
{
    return mf_insn("mov dword ptr [rdi], eax", 4, 0);
}

static struct sro_insn mov64(void)
{
    return mf_insn("mov qword ptr [rdi], rax", 8, 0);
}

static struct sro_insn movups(void)
{
    return mf_insn("movups xmmword ptr [rdi], xmm0", 16, 0);
}

/* The fixture page with bytes [a, b) made writable (a byte-exact hole). */
static struct sro_page_prot page_hole(struct sro_page_prot pp, unsigned int a,
                                      unsigned int b)
{
    for ( unsigned int k = a; k < b; k++ )
        pp.ro_bytes[k / 64] &= ~(UINT64_C(1) << (k % 64));
    return pp;
}

/* The fixture page with bytes [a, b) made read-only. */
static struct sro_page_prot page_ro(struct sro_page_prot pp, unsigned int a,
                                    unsigned int b)
{
    for ( unsigned int k = a; k < b; k++ )
    {
        pp.ro_bytes[k / 64] |= UINT64_C(1) << (k % 64);
        pp.ro_qwords[k / 512] |= UINT64_C(1) << ((k / 8) % 64);
    }
    return pp;
}

/* ---- carve-out, case by case ---- */

/* All bytes in a hole: written whole at the guest's offset, whatever the
 * alignment or width; the instruction retires. */
static void co_written_whole(void **state)
{
    struct sro_prediction p;

    (void)state;
    for ( unsigned int path = PV; path <= H421; path++ )
    {
        run(CO, path, true, 0x10, mov32(), mf_page(), &p);
        mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 4, 1);
        mf_expect_write(&p, 0, 0x10, 4, SRO_WRITTEN, 0x10);
    }
    /* Unaligned: xen-4.21 PV gives #PF [MISALIGNED]; carve-out writes. */
    run(CO, PV, true, 0x13, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 4, 1);
    mf_expect_write(&p, 0, 0x13, 4, SRO_WRITTEN, 0x13);
    /* Wide: one 16-byte and one 64-byte write, not 8-byte chunks. */
    run(CO, H421, false, 0x60, movups(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 16, 1);
    mf_expect_write(&p, 0, 0x60, 16, SRO_WRITTEN, 0x60);
    run(CO, PV, true, 0x80, mf_insn("vmovdqu64 zmmword ptr [rdi], zmm0", 64,
                                    0), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 64, 1);
    mf_expect_write(&p, 0, 0x80, 64, SRO_WRITTEN, 0x80);
    assert_int_equal(verdict(PV, 0x80, mf_insn("vmovdqu64 zmmword ptr "
                                               "[rdi], zmm0", 64, 0),
                             mf_page(), &p), SRO_V_CORRECT);
    /* Running past the page end: the part on this page. */
    run(CO, H421, true, 0xffc, mov64(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 8, 1);
    mf_expect_write(&p, 0, 0xffc, 4, SRO_WRITTEN, 0xffc);
}

/* Partly in a hole: the hole bytes are written, the others dropped, as
 * runs in address order; the guest is not faulted. */
static void co_partial(void **state)
{
    struct sro_prediction p;

    (void)state;
    run(CO, PV, true, 0x1c, mov64(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 8, 2);
    mf_expect_write(&p, 0, 0x1c, 4, SRO_WRITTEN, 0x1c);
    mf_expect_write(&p, 1, 0x20, 4, SRO_DROPPED_RO, 0);
    assert_int_equal(verdict(PV, 0x1c, mov64(), mf_page(), &p),
                     SRO_V_CORRECT);

    run(CO, H421, false, 0x58, movups(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 16, 2);
    mf_expect_write(&p, 0, 0x58, 8, SRO_DROPPED_RO, 0);
    mf_expect_write(&p, 1, 0x60, 8, SRO_WRITTEN, 0x60);

    /* A 64-byte store over half the read-only block: two runs of 32. */
    run(CO, H421, true, 0x40, mf_insn("vmovdqu64 zmmword ptr [rdi], zmm0",
                                      64, 0), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 64, 2);
    mf_expect_write(&p, 0, 0x40, 32, SRO_DROPPED_RO, 0);
    mf_expect_write(&p, 1, 0x60, 32, SRO_WRITTEN, 0x60);
}

/* Byte-exact holes (what-if `writable` lines): bytes 0x41, 0x42 only. */
static void co_byte_holes(void **state)
{
    struct sro_page_prot pp = page_hole(mf_page(), 0x41, 0x43);
    struct sro_prediction p;

    (void)state;
    run(CO, H421, false, 0x40, mov32(), pp, &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 4, 3);
    mf_expect_write(&p, 0, 0x40, 1, SRO_DROPPED_RO, 0);
    mf_expect_write(&p, 1, 0x41, 2, SRO_WRITTEN, 0x41);
    mf_expect_write(&p, 2, 0x43, 1, SRO_DROPPED_RO, 0);
    assert_int_equal(verdict(H421, 0x40, mov32(), pp, &p), SRO_V_CORRECT);
    /* A 2-byte store exactly on the hole, unaligned: written whole. */
    run(CO, PV, true, 0x41, mf_insn("mov word ptr [rdi], ax", 2, 0), pp, &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 2, 1);
    mf_expect_write(&p, 0, 0x41, 2, SRO_WRITTEN, 0x41);
}

/* Nothing writable: dropped, retired. A page without any hole is read-
 * only as a whole: DROPPED_NO_ENTRY. */
static void co_denied(void **state)
{
    struct sro_prediction p;

    (void)state;
    run(CO, H421, false, 0x20, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 4, 1);
    mf_expect_write(&p, 0, 0x20, 4, SRO_DROPPED_RO, 0);
    assert_int_equal(verdict(H421, 0x20, mov32(), mf_page(), &p),
                     SRO_V_CORRECT);
    run(CO, PV, true, 0x13, mov32(), mf_page_whole(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 4, 1);
    mf_expect_write(&p, 0, 0x13, 4, SRO_DROPPED_NO_ENTRY, 0);
    assert_int_equal(verdict(PV, 0x13, mov32(), mf_page_whole(), &p),
                     SRO_V_CORRECT);
}

/* The instruction kind does not decide: RMW (locked or not, xchg), string
 * stores (one iteration), cmpxchg8b/16b, movdir64b go through the holes;
 * the architectural #GP of a misaligned cmpxchg16b/movdir64b stays. */
static void co_insn_kinds(void **state)
{
    struct sro_prediction p;
    struct mf_case c;
    struct sro_insn stos = mf_insn("rep stosd dword ptr [rdi], eax", 4,
                                   MF_STRING | MF_REP);
    struct sro_page_prot pp = mf_page();

    (void)state;
    run(CO, PV, true, 0x1c, mf_insn("lock add qword ptr [rdi], rax", 8,
                                    MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 8, 2);
    mf_expect_write(&p, 0, 0x1c, 4, SRO_WRITTEN, 0x1c);
    mf_expect_write(&p, 1, 0x20, 4, SRO_DROPPED_RO, 0);
    run(CO, PV, true, 0x10, mf_insn("xchg dword ptr [rdi], eax", 4,
                                    MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_write(&p, 0, 0x10, 4, SRO_WRITTEN, 0x10);

    mf_setup(&c, PV, true, true, 0x18, &stos, &pp);
    c.in.reps = 5;
    assert_int_equal(mf_predict(CO, &c, &p), 0);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 4, 1);
    mf_expect_write(&p, 0, 0x18, 4, SRO_WRITTEN, 0x18);

    run(CO, H421, true, 0x70, mf_insn("lock cmpxchg16b xmmword ptr [rdi]",
                                      16, MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 16, 1);
    mf_expect_write(&p, 0, 0x70, 16, SRO_WRITTEN, 0x70);
    run(CO, H421, true, 0x68, mf_insn("lock cmpxchg16b xmmword ptr [rdi]",
                                      16, MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_done(&p, SRO_EXCEPTION, SRO_REASON_NONE, EXC, 0, 0);
    run(CO, PV, true, 0x80, mf_insn("movdir64b rdi, zmmword ptr [rsi]", 64,
                                    0), mf_page(), &p);
    mf_expect_write(&p, 0, 0x80, 64, SRO_WRITTEN, 0x80);
    run(CO, PV, true, 0x88, mf_insn("movdir64b rdi, zmmword ptr [rsi]", 64,
                                    0), mf_page(), &p);
    mf_expect_done(&p, SRO_EXCEPTION, SRO_REASON_NONE, EXC, 0, 0);
}

/* What carve-out declines or cannot know. */
static void co_declines(void **state)
{
    struct mf_case c;
    struct sro_insn i = mov32(), load = mf_insn("mov eax, dword ptr [rdi]",
                                                4, MF_NOSTORE);
    struct sro_insn push = mf_insn("push qword ptr [rdi]", 8, 0);
    struct sro_page_prot pp = mf_page(), unknown = mf_page_unknown();
    struct sro_prediction p;

    (void)state;
    mf_setup(&c, PV, false, true, 0x10, &i, &pp);      /* PV domU */
    assert_true(declines(CO, &c));
    mf_setup(&c, H421, true, true, 0x10, &i, &unknown);
    assert_true(declines(CO, &c));
    mf_setup(&c, H421, true, true, 0x10, &load, &pp);
    assert_true(declines(CO, &c));
    mf_setup(&c, H421, true, true, 0x10, &push, &pp);  /* unplaced kind */
    assert_true(declines(CO, &c));
    mf_setup(&c, H421, true, true, 0x10, &i, &pp);
    c.fault.has_insn = false;                          /* no SRO_INSN */
    assert_true(declines(CO, &c));
    c.fault.has_insn = true;
    c.fault.insn_len = 0;                              /* fetch failed: */
    c.insn.valid = false;                              /* nothing decoded */
    assert_int_equal(mf_predict(CO, &c, &p), 0);
    mf_expect_done(&p, SRO_EXCEPTION, SRO_REASON_NONE, EXC, 0, 0);
}

/* ---- ept-spp, case by case ---- */

/* On the fixture page sub-page 0 (0x00..0x7f) holds the read-only bytes
 * 0x20..0x5f, so SPP must protect all of it; sub-pages 1..31 are
 * writable. */
static void spp_writable_subpages(void **state)
{
    struct sro_prediction p;

    (void)state;
    for ( unsigned int path = PV; path <= H421; path++ )
    {
        run(SPP, path, path == PV, 0x80, mov32(), mf_page(), &p);
        mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 0, 1);
        mf_expect_write(&p, 0, 0x80, 4, SRO_WRITTEN, 0x80);
    }
    /* Unaligned, wide, across two writable sub-pages: the hardware. */
    run(SPP, H421, false, 0xfa, movups(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, OKAY, 0, 1);
    mf_expect_write(&p, 0, 0xfa, 16, SRO_WRITTEN, 0xfa);
    assert_int_equal(verdict(H421, 0xfa, movups(), mf_page(), &p),
                     SRO_V_CORRECT);
    run(SPP, H421, true, 0x80, mf_insn("lock or dword ptr [rdi], eax", 4,
                                       MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_write(&p, 0, 0x80, 4, SRO_WRITTEN, 0x80);
}

/* A store touching sub-page 0: refused before any byte is written,
 * writable bytes or not. HVM: the EPT violation crashes the domain; PV:
 * the #PF is delivered. */
static void spp_refused(void **state)
{
    struct sro_prediction p;

    (void)state;
    /* Writable bytes 0x10..0x13, but in sub-page 0: coarser than the
     * configuration -> WRONGLY_DENIED. */
    run(SPP, H421, false, 0x10, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, UNH, 0, 0);
    assert_int_equal(verdict(H421, 0x10, mov32(), mf_page(), &p),
                     SRO_V_WRONGLY_DENIED);
    run(SPP, PV, true, 0x10, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_NOT_ACCEPTED, UNH, 0, 0);
    /* Read-only bytes: refused too, and the guest punished: HARSH_DENY. */
    run(SPP, H421, false, 0x20, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, UNH, 0, 0);
    assert_int_equal(verdict(H421, 0x20, mov32(), mf_page(), &p),
                     SRO_V_HARSH_DENY);
    /* Crossing from sub-page 0 into sub-page 1. */
    run(SPP, H421, true, 0x7c, mov64(), mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, UNH, 0, 0);
    /* A page read-only as a whole: every sub-page protected. */
    run(SPP, PV, true, 0x800, mov32(), mf_page_whole(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_NOT_ACCEPTED, UNH, 0, 0);
}

/* Byte-exact configurations: one read-only byte protects its 128 bytes,
 * and a hole writable only in part of a sub-page does not open it. */
static void spp_granularity(void **state)
{
    struct sro_page_prot one = page_ro(mf_page(), 0x9ff, 0xa00);
    struct sro_page_prot holes = page_ro(page_hole(mf_page(), 0x20, 0x60),
                                         0x7f, 0x80);
    struct sro_prediction p;

    (void)state;
    run(SPP, H421, false, 0x980, mov32(), one, &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, UNH, 0, 0);
    run(SPP, H421, false, 0xa00, mov32(), one, &p);
    mf_expect_write(&p, 0, 0xa00, 4, SRO_WRITTEN, 0xa00);
    /* Sub-page 0 writable but for byte 0x7f: still protected; a hole on
     * that byte opens it. */
    run(SPP, H421, false, 0x10, mov32(), holes, &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, UNH, 0, 0);
    holes = page_hole(holes, 0x7f, 0x80);
    run(SPP, H421, false, 0x10, mov32(), holes, &p);
    mf_expect_write(&p, 0, 0x10, 4, SRO_WRITTEN, 0x10);
}

/* Without a decoded store: refused when the faulting byte's sub-page is
 * protected, declined otherwise; misaligned cmpxchg16b #GP. */
static void spp_no_insn(void **state)
{
    struct mf_case c;
    struct sro_insn i = mov32(), load = mf_insn("mov eax, dword ptr [rdi]",
                                                4, MF_NOSTORE);
    struct sro_page_prot pp = mf_page(), unknown = mf_page_unknown();
    struct sro_prediction p;

    (void)state;
    mf_setup(&c, H421, false, true, 0x10, &i, &pp);
    c.fault.insn_len = 0;
    c.insn.valid = false;
    assert_int_equal(mf_predict(SPP, &c, &p), 0);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, UNH, 0, 0);
    mf_setup(&c, H421, false, true, 0x90, &i, &pp);
    c.fault.insn_len = 0;
    c.insn.valid = false;
    assert_true(declines(SPP, &c));
    mf_setup(&c, H421, false, true, 0x10, &load, &pp);
    assert_true(declines(SPP, &c));
    mf_setup(&c, PV, false, true, 0x10, &i, &pp);
    assert_true(declines(SPP, &c));
    mf_setup(&c, H421, false, true, 0x10, &i, &unknown);
    assert_true(declines(SPP, &c));

    run(SPP, H421, true, 0x88, mf_insn("lock cmpxchg16b xmmword ptr [rdi]",
                                       16, MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_done(&p, SRO_EXCEPTION, SRO_REASON_NONE, EXC, 0, 0);
}

/* ---- against the oracle: the rule each design must follow ---- */

/* Does [off, off+len) on this page touch a 128-byte sub-page that holds
 * a read-only byte? Plain loops over the snapshot's bytes. */
static bool touches_protected_subpage(const struct sro_page_prot *pp,
                                      unsigned int off, unsigned int len)
{
    unsigned int end = off + len > 4096 ? 4096 : off + len;

    for ( unsigned int s = off / 128; s <= (end - 1) / 128; s++ )
        for ( unsigned int b = s * 128; b < s * 128 + 128; b++ )
            if ( sro_page_byte_ro(pp, b) )
                return true;
    return false;
}

/* Counts of what the checks below saw, so that the tests can say they
 * covered every verdict they claim to. */
struct tally {
    unsigned int cases;
    unsigned int co_correct;
    unsigned int spp[SRO_VERDICT_COUNT];
};

/*
 * Check both models on one fault: carve-out answers and its verdict is
 * CORRECT (or it declines a kind it cannot place, or the architectural
 * #GP applies); ept-spp's verdict follows the granularity rule. `what`
 * names the case in a failure.
 */
static void check_fault(const struct sro_fault *f, const struct sro_insn *i,
                        const struct sro_page_prot *pp, struct tally *t,
                        const char *what)
{
    static const char *const names[2] = { CO, SPP };
    struct sro_model_input in = { .fault = f, .insn = i, .page = pp,
                                  .reps = 1 };
    unsigned int off = f->gpa & 4095;
    struct sro_prediction p;
    struct sro_judgement j;

    t->cases++;
    for ( unsigned int m = 0; m < 2; m++ )
    {
        char err[128];
        const struct sro_model *model = sro_model_find(names[m], err,
                                                       sizeof(err));
        struct sro_judge_input ji;
        enum sro_verdict want;
        int rc;

        assert_non_null(model);
        memset(&p, 0, sizeof(p));
        rc = model->predict(model, &in, &p);
        if ( rc != 0 )
            fail_msg("%s: %s declined %s @%#x", what, names[m], i->text,
                     off);
        ji = (struct sro_judge_input){
            .fault = f, .insn = i, .page = pp, .complete = true,
            .writes = p.writes, .nwrites = p.nwrites, .done = &p.done,
        };
        sro_oracle_judge(&ji, &j);
        if ( p.done.outcome == SRO_EXCEPTION )
        {
            /* Only the architectural #GP of a misaligned operand. */
            if ( !(strstr(i->text, "cmpxchg16b") && (off & 15)) &&
                 !(strstr(i->text, "movdir64b") && (off & 63)) )
                fail_msg("%s: %s raised an exception for %s @%#x", what,
                         names[m], i->text, off);
            continue;
        }
        if ( m == 0 )
        {
            if ( j.verdict != SRO_V_CORRECT )
                fail_msg("%s: carve-out %s @%#x: %s (%s)", what, i->text,
                         off, sro_verdict_name(j.verdict), j.why);
            t->co_correct++;
            continue;
        }
        if ( !touches_protected_subpage(pp, off, i->width) )
            want = SRO_V_CORRECT;
        else if ( sro_oracle_intent(pp, off, i->width) == SRO_DENY )
            want = SRO_V_HARSH_DENY;
        else
            want = SRO_V_WRONGLY_DENIED;
        if ( j.verdict != want )
            fail_msg("%s: ept-spp %s @%#x: %s, want %s", what, i->text, off,
                     sro_verdict_name(j.verdict), sro_verdict_name(want));
        t->spp[want]++;
    }
}

/* ---- a small fixed-seed generator (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned int below(unsigned int n)
{
    return (unsigned int)(rnd() % n);
}

/* Carve `n` random byte-exact holes (1..24 bytes) into page mfn. */
static void random_holes(struct sro_prot *prot, uint64_t mfn, unsigned int n)
{
    for ( unsigned int k = 0; k < n; k++ )
        assert_int_equal(sro_prot_add_hole(prot, (mfn << 12) + below(4096),
                                           1 + below(24)), 0);
}

/*
 * Every store line of scenario `name`, encoded and decoded as the
 * synthesizer does, under the scenario's configuration and again with
 * random byte-exact holes carved into each of its pages.
 */
static void check_scenario(const char *name, struct tally *t)
{
    char path[128], err[256];
    struct sro_scenario *s;
    struct sro_prot *prot;
    struct sro_decoder *d = sro_decoder_new(0);

    snprintf(path, sizeof(path), "examples/scenarios/%s.scn", name);
    if ( sro_scenario_load(path, &s, err, sizeof(err)) )
        fail_msg("%s", err);
    for ( unsigned int round = 0; round < 2; round++ )
    {
        prot = sro_prot_new();
        assert_non_null(prot);
        for ( unsigned int k = 0; k < s->nprotects; k++ )
            assert_int_equal(sro_prot_add(prot, s->protects[k].start,
                                          s->protects[k].size), 0);
        for ( unsigned int k = 0; k < s->nro_pages; k++ )
            assert_int_equal(sro_prot_add_ro_pages(prot, s->ro_pages[k].first,
                                                   s->ro_pages[k].last), 0);
        for ( unsigned int k = 0; round && k < s->npages; k++ )
            random_holes(prot, s->pages[k].mfn, 6);

        for ( unsigned int k = 0; k < s->nstores; k++ )
        {
            const struct sro_scn_store *st = &s->stores[k];
            const struct sro_scn_page *pg = &s->pages[st->page];
            const struct sro_scn_guest *gu = &s->guests[pg->guest];
            unsigned int mode = sro_mode_of_code_size(gu->code_size);
            struct sro_enc_operands ops = { .base = 3, .src = 1,
                                            .disp = 0x100, .imm = 1 };
            struct sro_fault f;
            struct sro_insn insn;
            struct sro_page_prot pp;
            uint8_t bytes[15];
            char what[160];
            int n = sro_encode(st->kind, mode, &ops, bytes, err, sizeof(err));

            if ( n < 0 )
                fail_msg("%s: %s", path, err);
            assert_int_equal(sro_decode(d, bytes, (size_t)n, mode, &insn), 0);
            memset(&f, 0, sizeof(f));
            f.domain = gu->domain;
            f.path = gu->type == SRO_SCN_PV ? SRO_PATH_PV
                                            : gu->path ? gu->path : H421;
            f.hwdom = gu->hwdom;
            f.gla_valid = gu->gla_valid;
            f.code_size = gu->code_size;
            f.mfn = pg->mfn;
            f.gpa = (pg->gfn << 12) | st->offset;
            f.gla = gu->gla_valid ? pg->va + st->offset : ~UINT64_C(0);
            f.has_insn = true;
            f.insn_len = (uint8_t)n;
            memcpy(f.insn, bytes, (size_t)n);
            sro_prot_page(prot, pg->mfn, &pp);
            snprintf(what, sizeof(what), "%s line %u%s", path, st->line,
                     round ? " with holes" : "");
            check_fault(&f, &insn, &pp, t, what);
        }
        sro_prot_free(prot);
    }
    sro_scenario_free(s);
    sro_decoder_free(d);
}

static void scenarios_against_oracle(void **state)
{
    static const char *const names[] = {
        "xhci-dbc", "msix-adjacent", "memcpy-toio", "buggy-guest", "amd-hvm",
    };
    struct tally t = { 0 };

    (void)state;
    rng_state = 10;
    for ( unsigned int k = 0; k < 5; k++ )
        check_scenario(names[k], &t);
    /* Every store line answered by both, twice; each ept-spp verdict the
     * rule names was reached (the scenarios have stores of each kind). */
    assert_int_equal(t.co_correct, t.cases);
    assert_true(t.spp[SRO_V_CORRECT] > 0);
    assert_true(t.spp[SRO_V_WRONGLY_DENIED] > 0);
    assert_true(t.spp[SRO_V_HARSH_DENY] > 0);
    assert_int_equal(t.spp[SRO_V_CORRECT] + t.spp[SRO_V_WRONGLY_DENIED] +
                     t.spp[SRO_V_HARSH_DENY], t.cases);
}

/* Instructions the random faults draw from. */
static struct sro_insn random_insn(void)
{
    static const struct {
        const char  *text;
        unsigned int width, flags;
    } kinds[] = {
        { "mov byte ptr [rdi], al", 1, 0 },
        { "mov word ptr [rdi], ax", 2, 0 },
        { "mov dword ptr [rdi], eax", 4, 0 },
        { "mov qword ptr [rdi], rax", 8, 0 },
        { "movnti dword ptr [rdi], eax", 4, 0 },
        { "or dword ptr [rdi], eax", 4, MF_RMW },
        { "lock and qword ptr [rdi], rax", 8, MF_RMW | MF_LOCK },
        { "xchg word ptr [rdi], ax", 2, MF_RMW | MF_LOCK },
        { "rep stosb byte ptr [rdi], al", 1, MF_STRING | MF_REP },
        { "movsd dword ptr [rdi], dword ptr [rsi]", 4, MF_STRING },
        { "movups xmmword ptr [rdi], xmm0", 16, 0 },
        { "vmovdqu ymmword ptr [rdi], ymm0", 32, 0 },
        { "vmovdqu64 zmmword ptr [rdi], zmm0", 64, 0 },
        { "fstp tbyte ptr [rdi]", 10, 0 },
        { "lock cmpxchg8b qword ptr [rdi]", 8, MF_RMW | MF_LOCK },
        { "lock cmpxchg16b xmmword ptr [rdi]", 16, MF_RMW | MF_LOCK },
        { "movdiri dword ptr [rdi], eax", 4, 0 },
        { "movdir64b rdi, zmmword ptr [rsi]", 64, 0 },
    };
    unsigned int k = below(sizeof(kinds) / sizeof(kinds[0]));

    return mf_insn(kinds[k].text, kinds[k].width, kinds[k].flags);
}

/*
 * Random configurations over two pages in mmio_ro_ranges (0..3 Xen adds
 * of random aligned ranges, so a page may stay read-only as a whole, then
 * random byte holes), random faults on them: 400 configurations x 150
 * faults.
 */
static void random_against_oracle(void **state)
{
    struct tally t = { 0 };
    const uint64_t base = 0xfe100;

    (void)state;
    rng_state = 20;
    for ( unsigned int cfg = 0; cfg < 400; cfg++ )
    {
        struct sro_prot *prot = sro_prot_new();

        assert_non_null(prot);
        for ( unsigned int k = below(4); k-- > 0; )
            assert_int_equal(sro_prot_add(prot, (base << 12) +
                                          8 * below(2 * 512),
                                          8 * (1 + below(64))), 0);
        assert_int_equal(sro_prot_add_ro_pages(prot, base, base + 1), 0);
        random_holes(prot, base + below(2), below(8));

        for ( unsigned int k = 0; k < 150; k++ )
        {
            struct sro_insn insn = random_insn();
            struct sro_page_prot pp;
            struct sro_fault f;
            unsigned int off = below(4096);
            char what[64];

            memset(&f, 0, sizeof(f));
            f.path = 1 + below(3);
            f.hwdom = f.path == SRO_PATH_PV || below(2);
            f.gla_valid = below(2);
            f.code_size = SRO_CODE_64;
            f.mfn = base + below(2);
            f.gpa = (f.mfn << 12) | off;
            f.gla = f.gla_valid ? 0xffffc90000000000 + off : ~UINT64_C(0);
            f.has_insn = true;
            f.insn_len = 3;
            sro_prot_page(prot, f.mfn, &pp);
            snprintf(what, sizeof(what), "config %u fault %u", cfg, k);
            check_fault(&f, &insn, &pp, &t, what);
        }
        sro_prot_free(prot);
    }
    assert_int_equal(t.cases, 400 * 150);
    assert_true(t.co_correct > 50000);
    assert_true(t.spp[SRO_V_CORRECT] > 1000);
    assert_true(t.spp[SRO_V_WRONGLY_DENIED] > 1000);
    assert_true(t.spp[SRO_V_HARSH_DENY] > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(co_written_whole),
        cmocka_unit_test(co_partial),
        cmocka_unit_test(co_byte_holes),
        cmocka_unit_test(co_denied),
        cmocka_unit_test(co_insn_kinds),
        cmocka_unit_test(co_declines),
        cmocka_unit_test(spp_writable_subpages),
        cmocka_unit_test(spp_refused),
        cmocka_unit_test(spp_granularity),
        cmocka_unit_test(spp_no_insn),
        cmocka_unit_test(scenarios_against_oracle),
        cmocka_unit_test(random_against_oracle),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
