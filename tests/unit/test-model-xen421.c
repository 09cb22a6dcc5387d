/*
 * test-model-xen421.c - the model "xen-4.21" (RELEASE-4.21.0, master).
 *
 * PV is the 4.20.1 path (38d0780979 and 8dbd9966f8 included); HVM is the
 * path of 8f36bde2b2: hvm_hap_nested_page_fault() sends a write to a page
 * in mmio_ro_ranges to handle_mmio_with_translation(), the full emulator
 * (hvm_emulate_ops) splits it into chunks of at most 8 bytes
 * (hvmemul_phys_mmio_access()) and each chunk ends in subpage_mmio_write()
 * (hvm/mmio.c) or, without a sub-page entry, in hvmemul_do_io()'s null
 * handler. The tests named "fix_*" show 4.21 fixing the known bugs that
 * test-model-xen420.c reproduces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/model-fixture.h"

#define M    "xen-4.21"
#define PV   SRO_PATH_PV
#define H420 SRO_PATH_HVM_420
#define H421 SRO_PATH_HVM_421

static void run(unsigned int path, bool hwdom, bool gla, unsigned int off,
                struct sro_insn i, struct sro_page_prot pp,
                struct sro_prediction *out)
{
    struct mf_case c;

    mf_setup(&c, path, hwdom, gla, off, &i, &pp);
    assert_int_equal(mf_predict(M, &c, out), 0);
}

/* An HVM fault, asked with path 3 and again with path 2 (a 4.20
 * recording replayed through 4.21): the answers must be the same. */
static void hvm(bool hwdom, bool gla, unsigned int off, struct sro_insn i,
                struct sro_page_prot pp, struct sro_prediction *out)
{
    struct sro_prediction other;

    run(H420, hwdom, gla, off, i, pp, &other);
    run(H421, hwdom, gla, off, i, pp, out);
    assert_memory_equal(out, &other, sizeof(other));
}

static struct sro_insn mov32(void)
{
    return mf_insn("mov dword ptr [rdi], eax", 4, 0);
}

/* ---- PV: as 4.20.1 ---- */

/* subpage_mmio_write_emulate() with `addr += offset` (38d0780979). */
static void pv_written_at_offset(void **state)
{
    struct sro_prediction p;

    (void)state;
    run(PV, true, true, 0x68, mf_insn("mov qword ptr [rdi], rax", 8, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 8, 1);
    mf_expect_write(&p, 0, 0x68, 8, SRO_WRITTEN, 0x68);
}

/* The rest of the PV cases, as 4.20.x: RO / no entry dropped and retired,
 * misaligned and read-modify-write #PF, SSE #PF (no ->get_fpu). */
static void pv_cases(void **state)
{
    struct sro_prediction p;

    (void)state;
    run(PV, true, true, 0x20, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x20, 4, SRO_DROPPED_RO, 0);
    run(PV, true, true, 0x10, mov32(), mf_page_whole(), &p);
    mf_expect_write(&p, 0, 0x10, 4, SRO_DROPPED_NO_ENTRY, 0);
    run(PV, true, true, 0x12, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_BAD_ACCESS, 1, 4, 1);
    mf_expect_write(&p, 0, 0x12, 4, SRO_DROPPED_MISALIGNED, 0);
    run(PV, true, true, 0x10, mf_insn("add dword ptr [rdi], eax", 4,
                                      MF_RMW), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_NOT_A_STORE, 1, 0, 0);
    run(PV, true, true, 0x10, mf_insn("movups xmmword ptr [rdi], xmm0", 16,
                                      0), mf_page(), &p);
    mf_expect_done(&p, SRO_PF_TO_GUEST, SRO_REASON_EMULATION_FAILED, 1, 0,
                   0);
}

/* ---- HVM 4.21 ---- */

/* subpage_mmio_write(): aligned, writable -> subpage_mmio_write_emulate()
 * writes at the offset; hardware domain or not, GLA or not. */
static void hvm_written(void **state)
{
    struct sro_prediction p;

    (void)state;
    for ( unsigned int k = 0; k < 4; k++ )
    {
        hvm(k & 1, k & 2, 0x10, mov32(), mf_page(), &p);
        mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
        mf_expect_write(&p, 0, 0x10, 4, SRO_WRITTEN, 0x10);
    }
}

/* 8f36bde2b2 fixes the no-GLA crash of 4.20 (hvm_emulate_one_mmio()
 * compared with gla = ~0): the MMIO handler takes the address from the
 * GPA. Qword 511 read-only no longer matters either. */
static void fix_no_gla(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(false, false, 0x10, mov32(), mf_page_ro511(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x10, 4, SRO_WRITTEN, 0x10);
}

/* 38d0780979: the written offset is the addressed one on HVM too. */
static void fix_offset(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(true, true, 0x7f8, mf_insn("mov qword ptr [rdi], rax", 8, 0),
        mf_page(), &p);
    mf_expect_write(&p, 0, 0x7f8, 8, SRO_WRITTEN, 0x7f8);
}

/* A read-only qword: subpage_mmio_write_emulate() "ignoring write",
 * X86EMUL_OKAY: retired, for every domain (4.20 crashed a domU). */
static void hvm_dropped_ro(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(false, true, 0x20, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x20, 4, SRO_DROPPED_RO, 0);
}

/* No sub-page entry: subpage_mmio_accept() declines, no ioreq server
 * claims the address, hvmemul_do_io() runs the null handler (no p2m
 * fixup for writes to mmio_ro_ranges, 8f36bde2b2): dropped, retired. */
static void hvm_dropped_no_entry(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(true, true, 0x10, mov32(), mf_page_whole(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x10, 4, SRO_DROPPED_NO_ENTRY, 0);
    hvm(false, false, 0x13, mov32(), mf_page_whole(), &p);
    mf_expect_write(&p, 0, 0x13, 4, SRO_DROPPED_NO_ENTRY, 0);
}

/* subpage_mmio_write(): !IS_ALIGNED(addr, len) -> "ignoring write",
 * X86EMUL_OKAY: dropped and retired (PV gives #PF, 4.20 HVM crashed). */
static void hvm_misaligned_dropped(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(true, true, 0x12, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x12, 4, SRO_DROPPED_MISALIGNED, 0);
}

/* 8dbd9966f8 and the chunking of hvmemul_phys_mmio_access(): a 16-byte
 * SSE store becomes two 8-byte chunks, each judged by its own qword. */
static void fix_wide_store_chunks(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(true, true, 0x10, mf_insn("movups xmmword ptr [rdi], xmm0", 16, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 16, 2);
    mf_expect_write(&p, 0, 0x10, 8, SRO_WRITTEN, 0x10);
    mf_expect_write(&p, 1, 0x18, 8, SRO_WRITTEN, 0x18);

    /* Straddling the read-only qwords: the writable half is written. */
    hvm(false, true, 0x18, mf_insn("movdqu xmmword ptr [rdi], xmm0", 16, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 16, 2);
    mf_expect_write(&p, 0, 0x18, 8, SRO_WRITTEN, 0x18);
    mf_expect_write(&p, 1, 0x20, 8, SRO_DROPPED_RO, 0);

    /* AVX-512, 64 bytes at 0x40: qwords 8..11 read-only, 12..15 not. */
    hvm(true, true, 0x40, mf_insn("vmovdqu64 zmmword ptr [rdi], zmm0", 64,
                                  0), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 64, 8);
    for ( unsigned int k = 0; k < 8; k++ )
        mf_expect_write(&p, k, 0x40 + 8 * k, 8,
                        k < 4 ? SRO_DROPPED_RO : SRO_WRITTEN,
                        k < 4 ? 0 : 0x40 + 8 * k);
}

/* Chunks keep the size rule, not alignment: a misaligned 16-byte store
 * gives two misaligned 8-byte chunks; a 10-byte x87 store 8 + 2. */
static void hvm_chunk_shapes(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(true, true, 0x14, mf_insn("movups xmmword ptr [rdi], xmm0", 16, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 16, 2);
    mf_expect_write(&p, 0, 0x14, 8, SRO_DROPPED_MISALIGNED, 0);
    mf_expect_write(&p, 1, 0x1c, 8, SRO_DROPPED_MISALIGNED, 0);

    hvm(true, true, 0x70, mf_insn("fstp xword ptr [rdi]", 10, 0), mf_page(),
        &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 10, 2);
    mf_expect_write(&p, 0, 0x70, 8, SRO_WRITTEN, 0x70);
    mf_expect_write(&p, 1, 0x78, 2, SRO_WRITTEN, 0x78);
}

/* linear_write() splits an access at the page end: of a 4-byte store at
 * 0xffe only the 2 bytes on this page reach it, and they are aligned. */
static void hvm_page_crossing(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(true, true, 0xffe, mov32(), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0xffe, 2, SRO_WRITTEN, 0xffe);
}

/* hvmemul_rmw(): linear_read() through subpage_mmio_read(), then
 * linear_write(): a read-modify-write is written like a plain store
 * (4.20 gave #PF / crash). Locked ones the same; cmpxchg16b after its
 * 16-byte ->read goes through hvmemul_cmpxchg() -> linear_write(). */
static void hvm_rmw_written(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(false, true, 0x10, mf_insn("or dword ptr [rdi], 1", 4, MF_RMW),
        mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x10, 4, SRO_WRITTEN, 0x10);
    hvm(true, true, 0x60, mf_insn("lock xadd qword ptr [rdi], rax", 8,
                                  MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_write(&p, 0, 0x60, 8, SRO_WRITTEN, 0x60);
    hvm(true, true, 0x60, mf_insn("lock cmpxchg16b xmmword ptr [rdi]", 16,
                                  MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 16, 2);
    mf_expect_write(&p, 0, 0x60, 8, SRO_WRITTEN, 0x60);
    mf_expect_write(&p, 1, 0x68, 8, SRO_WRITTEN, 0x68);
}

/* 0fc7.c: cmpxchg16b on an operand not 16-aligned -> #GP(0) generated by
 * the emulator, X86EMUL_EXCEPTION, injected by hvm_emulate_one_insn(). */
static void hvm_exception(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(true, true, 0x68, mf_insn("lock cmpxchg16b xmmword ptr [rdi]", 16,
                                  MF_RMW | MF_LOCK), mf_page(), &p);
    mf_expect_done(&p, SRO_EXCEPTION, SRO_REASON_NONE, 2, 0, 0);
}

/* hvmemul_blk(): no mapping of an MMIO page -> X86EMUL_UNHANDLEABLE ->
 * handle_mmio() false -> hvm_hap_nested_page_fault() injects #GP(0). */
static void hvm_movdiri_gp(void **state)
{
    struct sro_prediction p;

    (void)state;
    hvm(true, true, 0x10, mf_insn("movdiri dword ptr [rdi], eax", 4, 0),
        mf_page(), &p);
    mf_expect_done(&p, SRO_GP_TO_GUEST, SRO_REASON_EMULATION_FAILED, 1, 4,
                   0);
    hvm(true, true, 0x40, mf_insn("movdir64b rdi, zmmword ptr [rsi]", 64,
                                  0), mf_page(), &p);
    mf_expect_done(&p, SRO_GP_TO_GUEST, SRO_REASON_EMULATION_FAILED, 1, 64,
                   0);
}

/* hvmemul_rep_stos() / hvmemul_rep_movs() return UNHANDLEABLE for
 * p2m_mmio_direct; x86_emulate() falls back to one ->write: one
 * iteration per fault, whatever in->reps says. */
static void hvm_rep_one_iteration(void **state)
{
    struct mf_case c;
    struct sro_insn i = mf_insn("rep stosq qword ptr [rdi], rax", 8,
                                MF_STRING | MF_REP);
    struct sro_page_prot pp = mf_page();
    struct sro_prediction p;

    (void)state;
    mf_setup(&c, H421, true, true, 0x80, &i, &pp);
    c.in.reps = 32;
    assert_int_equal(mf_predict(M, &c, &p), 0);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 8, 1);
    mf_expect_write(&p, 0, 0x80, 8, SRO_WRITTEN, 0x80);

    hvm(true, true, 0x84, mf_insn("rep movsd dword ptr [rdi], dword ptr "
                                  "[rsi]", 4, MF_STRING | MF_REP), mf_page(),
        &p);
    mf_expect_done(&p, SRO_RETIRED, SRO_REASON_NONE, 0, 4, 1);
    mf_expect_write(&p, 0, 0x84, 4, SRO_WRITTEN, 0x84);
}

/* hvmemul_insn_fetch() fails: #PF injected (X86EMUL_EXCEPTION). */
static void hvm_fetch_failed(void **state)
{
    struct mf_case c;
    struct sro_insn i;
    struct sro_page_prot pp = mf_page();
    struct sro_prediction p;

    (void)state;
    memset(&i, 0, sizeof(i));
    mf_setup(&c, H421, false, false, 0x10, &i, &pp);
    c.fault.insn_len = 0;
    assert_int_equal(mf_predict(M, &c, &p), 0);
    mf_expect_done(&p, SRO_EXCEPTION, SRO_REASON_NONE, 2, 0, 0);
}

/* Declined: a load (x86_insn_is_mem_access() would emulate it as one; a
 * write fault from it means the bytes are not what faulted), no SRO_INSN,
 * unknown page, non-hardware PV domain. */
static void declined(void **state)
{
    struct mf_case c;
    struct sro_insn i = mf_insn("mov eax, dword ptr [rdi]", 0, MF_NOSTORE);
    struct sro_page_prot pp = mf_page(), unk = mf_page_unknown();
    struct sro_prediction p;

    (void)state;
    mf_setup(&c, H421, true, true, 0x10, &i, &pp);
    assert_int_equal(mf_predict(M, &c, &p), -1);
    i = mov32();
    mf_setup(&c, H421, true, true, 0x10, &i, &pp);
    c.fault.has_insn = false;
    assert_int_equal(mf_predict(M, &c, &p), -1);
    mf_setup(&c, H421, true, true, 0x10, &i, &unk);
    assert_int_equal(mf_predict(M, &c, &p), -1);
    mf_setup(&c, PV, false, true, 0x10, &i, &pp);
    assert_int_equal(mf_predict(M, &c, &p), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pv_written_at_offset),
        cmocka_unit_test(pv_cases),
        cmocka_unit_test(hvm_written),
        cmocka_unit_test(fix_no_gla),
        cmocka_unit_test(fix_offset),
        cmocka_unit_test(hvm_dropped_ro),
        cmocka_unit_test(hvm_dropped_no_entry),
        cmocka_unit_test(hvm_misaligned_dropped),
        cmocka_unit_test(fix_wide_store_chunks),
        cmocka_unit_test(hvm_chunk_shapes),
        cmocka_unit_test(hvm_page_crossing),
        cmocka_unit_test(hvm_rmw_written),
        cmocka_unit_test(hvm_exception),
        cmocka_unit_test(hvm_movdiri_gp),
        cmocka_unit_test(hvm_rep_one_iteration),
        cmocka_unit_test(hvm_fetch_failed),
        cmocka_unit_test(declined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
