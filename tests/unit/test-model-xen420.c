/*
 * test-model-xen420.c - the models "xen-4.20.0" and "xen-4.20.1".
 *
 * Every test runs against both models (cmocka prestate): they share the PV
 * path and the 4.20 HVM path and differ only where 38d0780979 (write at
 * the page offset; 4.20.1 has it as dee15facf8) and 8dbd9966f8 (stores
 * over 8 bytes; 4.20.1: 35cb38b222) changed mm.c. Each test names the Xen
 * code it follows; docs/models.md has the same cases as a table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/model-fixture.h"

struct rel {
    const char *model;
    bool        fixed;          /* 4.20.1: dee15facf8 + 35cb38b222 */
};

static const struct rel r4200 = { "xen-4.20.0", false };
static const struct rel r4201 = { "xen-4.20.1", true };

#define PV   SRO_PATH_PV
#define H420 SRO_PATH_HVM_420
#define H421 SRO_PATH_HVM_421

/* Where an allowed store at `off` lands on the device. */
static unsigned int dev(const struct rel *r, unsigned int off)
{
    /* subpage_mmio_write_emulate(): `addr += offset` only since
     * 38d0780979; 4.20.0 writes at the start of the page. */
    return r->fixed ? off : 0;
}

static void run(const struct rel *r, unsigned int path, bool hwdom,
                bool gla, unsigned int off, struct sro_insn i,
                struct sro_page_prot pp, struct sro_prediction *out)
{
    struct mf_case c;

    mf_setup(&c, path, hwdom, gla, off, &i, &pp);
    assert_int_equal(mf_predict(r->model, &c, out), 0);
}

static struct sro_insn mov32(void)
{
    return mf_insn("mov dword ptr [rdi], eax", 4, 0);
}

/* ---- PV: pv_ro_page_fault() -> mmio_ro_do_page_fault() ---- */

/* mmio_ro_emulated_write() accepts a naturally aligned store at %cr2;
 * subpage_mmio_write_emulate() writes it (4.20.0: at offset 0). */
static void pv_written(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x10, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x10, 4, SRO_WRITTEN, dev(r, 0x10));
}

/* The known bug of 4.20.0 (fixed by 38d0780979): a store to the
 * doorbell-like qword at 0x68 lands on offset 0 of the device. */
static void pv_known_bug_offset_zero(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x68, mf_insn("mov qword ptr [rdi], rax", 8, 0),
        mf_page(), &p);
    mf_expect_write(&p, 0, 0x68, 8, SRO_WRITTEN, r->fixed ? 0x68 : 0);
}

/* subpage_mmio_write_emulate(): test_bit(offset / 8, ro_elems) ->
 * "ignoring write"; mmio_ro_emulated_write() still returns OKAY. */
static void pv_dropped_ro(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x20, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x20, 4, SRO_DROPPED_RO, 0);
}

/* subpage_mmio_write_emulate(): no sub-page entry -> silent return. */
static void pv_dropped_no_entry(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x10, mov32(), mf_page_whole(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x10, 4, SRO_DROPPED_NO_ENTRY, 0);
}

/* mmio_ro_emulated_write(): ((bytes | offset) & (bytes - 1)) -> "bad
 * access", X86EMUL_UNHANDLEABLE; pv_ro_page_fault() returns 0 and
 * do_page_fault() delivers the #PF. */
static void pv_misaligned_pf(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x12, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_BAD_ACCESS, 1, 4, 1);
    mf_expect_write(&p, 0, 0x12, 4, SRO_DROPPED_MISALIGNED, 0);
}

/* x86_emulate() DstMem decode: read_ulong() of the destination ->
 * x86emul_unhandleable_rw (mmio_ro_emulate_ops.read) -> #PF. */
static void pv_rmw_pf(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x10, mf_insn("or dword ptr [rdi], 1", 4, MF_RMW),
        mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_NOT_A_STORE, 1, 0, 0);
}

/* Same decode: lock prefix -> fail_if(!ops->cmpxchg), no read at all. */
static void pv_locked_rmw_pf(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x10,
        mf_insn("lock xadd dword ptr [rdi], eax", 4, MF_RMW | MF_LOCK),
        mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_EMULATION_FAILED, 1, 0,
                   0);
}

/* Stores over 8 bytes: SSE/AVX stores need ->get_fpu, which
 * mmio_ro_emulate_ops lacks (x86emul_get_fpu(): fail_if(!ops->get_fpu)),
 * so they never reach mmio_ro_emulated_write(): #PF, in both releases. */
static void pv_wide_store_pf(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x10,
        mf_insn("movups xmmword ptr [rdi], xmm0", 16, 0), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_EMULATION_FAILED, 1, 0,
                   0);
    run(r, PV, true, true, 0x40,
        mf_insn("vmovdqu64 zmmword ptr [rdi], zmm0", 64, 0), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_EMULATION_FAILED, 1, 0,
                   0);
    /* movq m64, xmm is 8 bytes but SSE all the same. */
    run(r, PV, true, true, 0x10, mf_insn("movq qword ptr [rdi], xmm0", 8, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_EMULATION_FAILED, 1, 0,
                   0);
}

/* movdiri: fail_if(!ops->blk) (x86_emulate.c, 0f38 f9). */
static void pv_movdiri_pf(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x10, mf_insn("movdiri dword ptr [rdi], eax", 4,
                                         0), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_EMULATION_FAILED, 1, 0,
                   0);
}

/* rep stos: no ->rep_stos in mmio_ro_emulate_ops, so x86_emulate() does
 * one iteration (nr_reps = 1) and the guest re-executes for the rest;
 * in->reps changes nothing. */
static void pv_rep_stos_one_iteration(void **state)
{
    const struct rel *r = *state;
    struct mf_case c;
    struct sro_insn i = mf_insn("rep stosd dword ptr [rdi], eax", 4,
                                MF_STRING | MF_REP);
    struct sro_page_prot pp = mf_page();
    struct sro_prediction p;

    mf_setup(&c, PV, true, true, 0x60, &i, &pp);
    c.in.reps = 16;
    assert_int_equal(mf_predict(r->model, &c, &p), 0);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x60, 4, SRO_WRITTEN, dev(r, 0x60));
}

/* movs reads its source through ->read: x86emul_unhandleable_rw; so does
 * pop to memory (its stack slot). */
static void pv_movs_and_pop_pf(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x10,
        mf_insn("rep movsd dword ptr [rdi], dword ptr [rsi]", 4,
                MF_STRING | MF_REP), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_NOT_A_STORE, 1, 0, 0);
    run(r, PV, true, true, 0x10, mf_insn("pop qword ptr [rdi]", 8, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_NOT_A_STORE, 1, 0, 0);
}

/* pv_emul_is_mem_write() (->validate) refuses an instruction that does
 * not write memory. */
static void pv_not_a_store_pf(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x10, mf_insn("mov eax, dword ptr [rdi]", 0,
                                         MF_NOSTORE), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_NOT_A_STORE, 1, 0, 0);
}

/* setcc and movnti are plain ->write stores (no FPU, no read). */
static void pv_setcc_movnti_written(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    run(r, PV, true, true, 0x11, mf_insn("sete byte ptr [rdi]", 1, 0),
        mf_page(), &p);
    mf_expect_write(&p, 0, 0x11, 1, SRO_WRITTEN, dev(r, 0x11));
    run(r, PV, true, true, 0x18, mf_insn("movnti qword ptr [rdi], rax", 8,
                                         0), mf_page(), &p);
    mf_expect_write(&p, 0, 0x18, 8, SRO_WRITTEN, dev(r, 0x18));
}

/* ptwr_emulated_insn_fetch() fails -> #PF raised by the emulator,
 * X86EMUL_EXCEPTION, injected by pv_ro_page_fault(). */
static void pv_fetch_failed(void **state)
{
    const struct rel *r = *state;
    struct mf_case c;
    struct sro_insn i;
    struct sro_page_prot pp = mf_page();
    struct sro_prediction p;

    memset(&i, 0, sizeof(i));
    mf_setup(&c, PV, true, true, 0x10, &i, &pp);
    c.fault.insn_len = 0;
    assert_int_equal(mf_predict(r->model, &c, &p), 0);
    mf_expect_done(&p, SRO_EXCEPTION, SRO_REASON_NONE, 2, 0, 0);
}

/* What the models decline: a non-hardware PV domain (ptwr_do_page_fault,
 * no group), a page no configuration covers, bytes that do not decode, a
 * group without SRO_INSN, an unknown path. */
static void declined(void **state)
{
    const struct rel *r = *state;
    struct mf_case c;
    struct sro_insn i = mov32();
    struct sro_page_prot pp = mf_page(), unk = mf_page_unknown();
    struct sro_prediction p;

    mf_setup(&c, PV, false, true, 0x10, &i, &pp);
    assert_int_equal(mf_predict(r->model, &c, &p), -1);
    mf_setup(&c, PV, true, true, 0x10, &i, &unk);
    assert_int_equal(mf_predict(r->model, &c, &p), -1);
    mf_setup(&c, H420, true, true, 0x10, &i, &unk);
    assert_int_equal(mf_predict(r->model, &c, &p), -1);
    mf_setup(&c, PV, true, true, 0x10, &i, &pp);
    c.insn.valid = false;
    assert_int_equal(mf_predict(r->model, &c, &p), -1);
    mf_setup(&c, PV, true, true, 0x10, &i, &pp);
    c.fault.has_insn = false;
    assert_int_equal(mf_predict(r->model, &c, &p), -1);
    mf_setup(&c, SRO_PATH_UNKNOWN, true, true, 0x10, &i, &pp);
    assert_int_equal(mf_predict(r->model, &c, &p), -1);
    /* A store this table does not place (sgdt: two ->write calls). */
    i = mf_insn("sgdt ptr [rdi]", 10, 0);
    mf_setup(&c, PV, true, true, 0x10, &i, &pp);
    assert_int_equal(mf_predict(r->model, &c, &p), -1);
}

/* ---- HVM 4.20: hvm_hap_nested_page_fault() -> hvm_emulate_one_mmio() --
 * Every HVM test runs with path 2 and path 3 (a 4.21 recording): 4.20
 * has one HVM path for both. */

static void hvm(const struct rel *r, bool hwdom, bool gla, unsigned int off,
                struct sro_insn i, struct sro_page_prot pp,
                struct sro_prediction *out)
{
    struct sro_prediction other;

    run(r, H421, hwdom, gla, off, i, pp, &other);
    run(r, H420, hwdom, gla, off, i, pp, out);
    assert_memory_equal(out, &other, sizeof(other));
}

/* Hardware domain: no accept check; mmio_ro_emulated_write() with
 * cr2 = gla (valid GLA) writes; hvm_emulate_one_mmio() == OKAY. */
static void hvm_hwdom_written(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    hvm(r, true, true, 0x10, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x10, 4, SRO_WRITTEN, dev(r, 0x10));
}

/* Other domains: subpage_mmio_write_accept() finds the entry and a
 * writable qword at PAGE_OFFSET(gla). */
static void hvm_domu_written(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    hvm(r, false, true, 0x68, mf_insn("mov qword ptr [rdi], rax", 8, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 8, 1);
    mf_expect_write(&p, 0, 0x68, 8, SRO_WRITTEN, dev(r, 0x68));
}

/* subpage_mmio_write_accept() false on a read-only qword or a page
 * without entry: hvm_hap_nested_page_fault() returns 0 and
 * ept_handle_violation() crashes the domain, no emulation. */
static void hvm_domu_denied_crash(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    hvm(r, false, true, 0x20, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, 1, 0, 0);
    hvm(r, false, true, 0x10, mov32(), mf_page_whole(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, 1, 0, 0);
}

/* Hardware domain skips the accept check: the read-only qword and the
 * entry-less page are dropped by subpage_mmio_write_emulate(), retired. */
static void hvm_hwdom_dropped(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    hvm(r, true, true, 0x20, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x20, 4, SRO_DROPPED_RO, 0);
    hvm(r, true, true, 0x10, mov32(), mf_page_whole(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x10, 4, SRO_DROPPED_NO_ENTRY, 0);
}

/* The known bug fixed by 8f36bde2b2 (not in 4.20.x): without a valid GLA
 * (AMD always) cr2 = ~0, mmio_ro_emulated_write() refuses every store as
 * not at %cr2, hvm_emulate_one_mmio() != OKAY, the domain is crashed; for
 * a domU the accept check looks at qword 511 first. */
static void hvm_known_bug_no_gla_crash(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    hvm(r, true, false, 0x10, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_BAD_ACCESS, 1, 4, 0);
    hvm(r, false, false, 0x10, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_BAD_ACCESS, 1, 4, 0);
    hvm(r, false, false, 0x10, mov32(), mf_page_ro511(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, 1, 0, 0);
    /* Even a store to a read-only qword crashes the hardware domain. */
    hvm(r, true, false, 0x20, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_BAD_ACCESS, 1, 4, 0);
}

/* Misaligned: "bad access" -> crash (not a #PF as on PV). */
static void hvm_misaligned_crash(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    hvm(r, true, true, 0x0c, mf_insn("mov qword ptr [rdi], rax", 8, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_BAD_ACCESS, 1, 8, 1);
    mf_expect_write(&p, 0, 0x0c, 8, SRO_DROPPED_MISALIGNED, 0);
}

/* hvm_ro_emulate_ops_mmio has the same gaps as the PV table: a
 * read-modify-write reads through x86emul_unhandleable_rw, SSE needs
 * ->get_fpu: both crash the domain. */
static void hvm_rmw_and_sse_crash(void **state)
{
    const struct rel *r = *state;
    struct sro_prediction p;

    hvm(r, true, true, 0x10, mf_insn("or dword ptr [rdi], 1", 4, MF_RMW),
        mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_A_STORE, 1, 0, 0);
    hvm(r, false, true, 0x10, mf_insn("movdqa xmmword ptr [rdi], xmm1", 16,
                                      0), mf_page(), &p);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_EMULATION_FAILED, 1, 0,
                   0);
}

/* hvm_emulate_one_mmio(): X86EMUL_EXCEPTION injects the #PF of the failed
 * fetch, but hvm_hap_nested_page_fault() still returns 0: crash. */
static void hvm_fetch_failed_crash(void **state)
{
    const struct rel *r = *state;
    struct mf_case c;
    struct sro_insn i;
    struct sro_page_prot pp = mf_page();
    struct sro_prediction p;

    memset(&i, 0, sizeof(i));
    mf_setup(&c, H420, true, true, 0x10, &i, &pp);
    c.fault.insn_len = 0;
    assert_int_equal(mf_predict(r->model, &c, &p), 0);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_EMULATION_FAILED, 2, 0,
                   0);
    /* The accept check comes first and needs no instruction. */
    mf_setup(&c, H420, false, true, 0x20, &i, &pp);
    c.fault.has_insn = false;
    assert_int_equal(mf_predict(r->model, &c, &p), 0);
    mf_expect_done(&p, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, 1, 0, 0);
}

#define BOTH(fn) \
    cmocka_unit_test_prestate(fn, (void *)&r4200), \
    cmocka_unit_test_prestate(fn, (void *)&r4201)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(pv_written),
        BOTH(pv_known_bug_offset_zero),
        BOTH(pv_dropped_ro),
        BOTH(pv_dropped_no_entry),
        BOTH(pv_misaligned_pf),
        BOTH(pv_rmw_pf),
        BOTH(pv_locked_rmw_pf),
        BOTH(pv_wide_store_pf),
        BOTH(pv_movdiri_pf),
        BOTH(pv_rep_stos_one_iteration),
        BOTH(pv_movs_and_pop_pf),
        BOTH(pv_not_a_store_pf),
        BOTH(pv_setcc_movnti_written),
        BOTH(pv_fetch_failed),
        BOTH(declined),
        BOTH(hvm_hwdom_written),
        BOTH(hvm_domu_written),
        BOTH(hvm_domu_denied_crash),
        BOTH(hvm_hwdom_dropped),
        BOTH(hvm_known_bug_no_gla_crash),
        BOTH(hvm_misaligned_crash),
        BOTH(hvm_rmw_and_sse_crash),
        BOTH(hvm_fetch_failed_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
