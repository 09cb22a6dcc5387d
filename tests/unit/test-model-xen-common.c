/*
 * test-model-xen-common.c - the shared pieces of the Xen models
 * (core/models/xen-common.h) and the registry.
 *
 * - the instruction classes that decide a store's fate on the PV and 4.20
 *   paths (which x86_emulate() hook it needs first);
 * - mmio_ro_emulated_write() / subpage_mmio_write_emulate() called
 *   directly with sizes no instruction brings to them on those paths:
 *   the 4.20.0 vs 8dbd9966f8 behaviour for stores over 8 bytes;
 * - the chunking of hvmemul_phys_mmio_access() (4.21);
 * - sro_builtin_models[]: names, ABI version, NULL end, lookup;
 * - real instruction bytes through core/decode.c, then the models;
 * - over a grid of faults, the models differ exactly as docs/models.md
 *   section 3 says: 4.20.0 vs 4.20.1 only in where WRITTEN lands, 4.20.1
 *   vs 4.21 never on PV.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/decode.h"
#include "core/models/xen-common.h"
#include "helpers/model-fixture.h"

/* The release flags as the three model files set them. */
static const struct sro_xen_release rel4200 = { "4.20.0", false, false,
                                                false };
static const struct sro_xen_release rel4201 = { "4.20.1", true, true,
                                                false };

static void classes(void **state)
{
    static const struct {
        const char *text;
        unsigned int width, flags;
        enum sro_xen_insn_class cls;
    } t[] = {
        { "mov dword ptr [rdi], eax", 4, 0, SRO_XI_PLAIN },
        { "mov byte ptr [rip + 0x10], 1", 1, 0, SRO_XI_PLAIN },
        { "movabs qword ptr [0xfe100068], rax", 8, 0, SRO_XI_PLAIN },
        { "movnti dword ptr [rdi], eax", 4, 0, SRO_XI_PLAIN },
        { "movbe word ptr [rdi], ax", 2, 0, SRO_XI_PLAIN },
        { "sete byte ptr [rdi]", 1, 0, SRO_XI_PLAIN },
        { "setae byte ptr [rdi]", 1, 0, SRO_XI_PLAIN },
        { "stosb byte ptr es:[rdi], al", 1, MF_STRING, SRO_XI_PLAIN },
        { "rep stosd dword ptr es:[edi], eax", 4, MF_STRING | MF_REP,
          SRO_XI_PLAIN },
        { "add dword ptr [rdi], eax", 4, MF_RMW, SRO_XI_RMW },
        { "lock or dword ptr [rdi], 1", 4, MF_RMW | MF_LOCK,
          SRO_XI_RMW_LOCKED },
        /* xchg: the CPU's implicit lock is no lock prefix to Xen. */
        { "xchg qword ptr [rdi], rax", 8, MF_RMW | MF_LOCK, SRO_XI_RMW },
        { "lock cmpxchg dword ptr [rdi], ecx", 4, MF_RMW | MF_LOCK,
          SRO_XI_RMW_LOCKED },
        { "rep lock xadd dword ptr [rdi], eax", 4, MF_RMW | MF_LOCK,
          SRO_XI_RMW_LOCKED },
        { "cmpxchg8b qword ptr [rdi]", 8, MF_RMW, SRO_XI_CMPXCHGNB },
        { "lock cmpxchg16b xmmword ptr [rdi]", 16, MF_RMW | MF_LOCK,
          SRO_XI_CMPXCHGNB },
        { "movsb byte ptr es:[rdi], byte ptr [rsi]", 1, MF_STRING,
          SRO_XI_READS_OTHER },
        { "rep movsq qword ptr [rdi], qword ptr [rsi]", 8,
          MF_STRING | MF_REP, SRO_XI_READS_OTHER },
        { "pop qword ptr [rdi]", 8, 0, SRO_XI_READS_OTHER },
        { "movsd qword ptr [rdi], xmm0", 8, 0, SRO_XI_FPU },
        { "movd dword ptr [rdi], xmm0", 4, 0, SRO_XI_FPU },
        { "movq qword ptr [rdi], mm0", 8, 0, SRO_XI_FPU },
        { "movups xmmword ptr [rdi], xmm0", 16, 0, SRO_XI_FPU },
        { "movntdq xmmword ptr [rdi], xmm0", 16, 0, SRO_XI_FPU },
        { "vmovdqu ymmword ptr [rdi], ymm0", 32, 0, SRO_XI_FPU },
        { "vmovdqa64 zmmword ptr [rdi], zmm0", 64, 0, SRO_XI_FPU },
        { "pextrw word ptr [rdi], xmm0, 1", 2, 0, SRO_XI_FPU },
        { "fstp dword ptr [rdi]", 4, 0, SRO_XI_FPU },
        { "fnstsw word ptr [rdi]", 2, 0, SRO_XI_FPU },
        { "movdiri dword ptr [rdi], eax", 4, 0, SRO_XI_BLK },
        { "movdir64b rdi, zmmword ptr [rsi]", 64, 0, SRO_XI_BLK },
        { "mov eax, dword ptr [rdi]", 0, MF_NOSTORE, SRO_XI_NOT_STORE },
        { "sgdt ptr [rdi]", 10, 0, SRO_XI_UNKNOWN },
        { "fxsave ptr [rdi]", 512, 0, SRO_XI_UNKNOWN },
        { "push qword ptr [rdi]", 8, 0, SRO_XI_UNKNOWN },
        { "setssbsy", 1, 0, SRO_XI_UNKNOWN },
    };
    struct sro_insn i;

    (void)state;
    for ( size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++ )
    {
        i = mf_insn(t[k].text, t[k].width, t[k].flags);
        if ( sro_xen_insn_class(&i) != t[k].cls )
            fail_msg("%s: class %s, expected %s", t[k].text,
                     sro_xen_insn_class_name(sro_xen_insn_class(&i)),
                     sro_xen_insn_class_name(t[k].cls));
    }
    /* Without text, the kind's mnemonic counts. */
    i = mf_insn("", 4, 0);
    strcpy(i.kind, "mov_m32_r32");
    assert_int_equal(sro_xen_insn_class(&i), SRO_XI_PLAIN);
    assert_string_equal(sro_xen_insn_class_name(SRO_XI_BLK), "blk");
}

/* 8dbd9966f8 at the function: in 4.20.0 a naturally aligned 16-byte
 * access at %cr2 goes on to subpage_mmio_write_emulate(), which checks
 * the entry and the first qword, maps the page, and reaches the default:
 * case (ASSERT_UNREACHABLE(), then write_ignored in a release build). */
static void over8_4200(void **state)
{
    struct sro_page_prot pp = mf_page(), whole = mf_page_whole();
    struct sro_prediction p;
    struct sro_xen_wr r;

    (void)state;
    memset(&p, 0, sizeof(p));
    r = sro_xen_mmio_ro_emulated_write(&rel4200, &pp, 0x10, 16, true, &p);
    assert_int_equal(r.rc, SRO_X86EMUL_OKAY);
    r = sro_xen_mmio_ro_emulated_write(&rel4200, &pp, 0x20, 16, true, &p);
    assert_int_equal(r.rc, SRO_X86EMUL_OKAY);
    r = sro_xen_mmio_ro_emulated_write(&rel4200, &whole, 0x40, 32, true, &p);
    assert_int_equal(r.rc, SRO_X86EMUL_OKAY);
    assert_int_equal(p.nwrites, 3);
    mf_expect_write(&p, 0, 0x10, 16, SRO_DROPPED_BAD_SIZE, 0);
    mf_expect_write(&p, 1, 0x20, 16, SRO_DROPPED_RO, 0);
    mf_expect_write(&p, 2, 0x40, 32, SRO_DROPPED_NO_ENTRY, 0);
}

/* After 8dbd9966f8 (4.20.1, 4.21): bytes > 8 never reach
 * subpage_mmio_write_emulate(): BAD_SIZE if the page has an entry (even
 * on a read-only qword), NO_ENTRY otherwise. */
static void over8_fixed(void **state)
{
    struct sro_page_prot pp = mf_page(), whole = mf_page_whole();
    struct sro_prediction p;

    (void)state;
    memset(&p, 0, sizeof(p));
    sro_xen_mmio_ro_emulated_write(&rel4201, &pp, 0x10, 16, true, &p);
    sro_xen_mmio_ro_emulated_write(&rel4201, &pp, 0x20, 16, true, &p);
    sro_xen_mmio_ro_emulated_write(&rel4201, &whole, 0x40, 32, true, &p);
    assert_int_equal(p.nwrites, 3);
    mf_expect_write(&p, 0, 0x10, 16, SRO_DROPPED_BAD_SIZE, 0);
    mf_expect_write(&p, 1, 0x20, 16, SRO_DROPPED_BAD_SIZE, 0);
    mf_expect_write(&p, 2, 0x40, 32, SRO_DROPPED_NO_ENTRY, 0);
}

/* The "bad access" test of mmio_ro_emulated_write(): sizes that are 0 or
 * not a power of 2 -> BAD_SIZE, misaligned -> MISALIGNED, aligned but not
 * at %cr2 -> no record; all X86EMUL_UNHANDLEABLE. */
static void bad_access(void **state)
{
    struct sro_page_prot pp = mf_page();
    struct sro_prediction p;
    struct sro_xen_wr r;

    (void)state;
    memset(&p, 0, sizeof(p));
    r = sro_xen_mmio_ro_emulated_write(&rel4201, &pp, 0x10, 0, true, &p);
    assert_true(r.bad_access);
    r = sro_xen_mmio_ro_emulated_write(&rel4201, &pp, 0x10, 6, true, &p);
    assert_int_equal(r.rc, SRO_X86EMUL_UNHANDLEABLE);
    r = sro_xen_mmio_ro_emulated_write(&rel4201, &pp, 0x14, 8, true, &p);
    assert_true(r.bad_access);
    r = sro_xen_mmio_ro_emulated_write(&rel4201, &pp, 0x10, 8, false, &p);
    assert_true(r.bad_access);
    assert_int_equal(r.rc, SRO_X86EMUL_UNHANDLEABLE);
    assert_int_equal(p.nwrites, 3);
    mf_expect_write(&p, 0, 0x10, 0, SRO_DROPPED_BAD_SIZE, 0);
    mf_expect_write(&p, 1, 0x10, 6, SRO_DROPPED_BAD_SIZE, 0);
    mf_expect_write(&p, 2, 0x14, 8, SRO_DROPPED_MISALIGNED, 0);
}

/* hvmemul_phys_mmio_access(): chunk = highest power of 2 <= size, at most
 * 8, shrunk to fit the rest; linear_write() stops at the page end. */
static void chunks(void **state)
{
    static const struct {
        unsigned int off, len, n, sizes[8];
    } t[] = {
        { 0x100, 1, 1, { 1 } },
        { 0x100, 8, 1, { 8 } },
        { 0x100, 16, 2, { 8, 8 } },
        { 0x100, 64, 8, { 8, 8, 8, 8, 8, 8, 8, 8 } },
        { 0x100, 10, 2, { 8, 2 } },
        { 0x100, 6, 2, { 4, 2 } },
        { 0x100, 3, 2, { 2, 1 } },
        { 0x100, 12, 2, { 8, 4 } },
        { 0xffc, 8, 1, { 4 } },
        { 0xff8, 16, 1, { 8 } },
    };
    struct sro_page_prot pp = mf_page();
    struct sro_prediction p;

    (void)state;
    for ( size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++ )
    {
        unsigned int off = t[k].off;

        memset(&p, 0, sizeof(p));
        sro_xen_hvm421_write(&pp, t[k].off, t[k].len, &p);
        assert_int_equal(p.nwrites, t[k].n);
        for ( unsigned int c = 0; c < t[k].n; c++ )
        {
            assert_int_equal(p.writes[c].offset, off);
            assert_int_equal(p.writes[c].len, t[k].sizes[c]);
            off += t[k].sizes[c];
        }
    }
}

/* The registry: three models in release order, then the two designs of
 * the review (core/models/alt-common.h), the current ABI, each found by
 * name; an unknown name fails with a message. */
static void registry(void **state)
{
    static const char *const names[] = {
        "xen-4.20.0", "xen-4.20.1", "xen-4.21", "carve-out", "ept-spp",
    };
    char err[256] = "";
    unsigned int n = 0;

    (void)state;
    for ( ; sro_builtin_models[n]; n++ )
    {
        const struct sro_model *m = sro_builtin_models[n];

        assert_true(n < 5);
        assert_string_equal(m->name, names[n]);
        assert_int_equal(m->abi_version, SRO_MODEL_ABI_VERSION);
        assert_non_null(m->predict);
        assert_true(m->summary && strlen(m->summary) > 20);
        assert_ptr_equal(sro_model_find(names[n], err, sizeof(err)), m);
    }
    assert_int_equal(n, 5);
    assert_null(sro_model_find("xen-4.19", err, sizeof(err)));
    assert_true(strlen(err) > 0);
}

/* A model answers nothing when given nothing, and -1 for a snapshot of
 * another page than the fault's. */
static void bad_input(void **state)
{
    struct mf_case c;
    struct sro_insn i = mf_insn("mov dword ptr [rdi], eax", 4, 0);
    struct sro_page_prot pp = mf_page();
    struct sro_prediction p;
    const struct sro_model *m = sro_builtin_models[0];

    (void)state;
    assert_int_equal(m->predict(m, NULL, &p), -1);
    mf_setup(&c, SRO_PATH_PV, true, true, 0x10, &i, &pp);
    c.page.mfn = MF_MFN + 1;
    assert_int_equal(mf_predict("xen-4.21", &c, &p), -1);
}

/* Compare two predictions record for record; `dev_only` allows WRITTEN
 * records to differ in dev_offset alone (4.20.0: 0, 4.20.1: the offset). */
static void same(int ra, const struct sro_prediction *a, int rb,
                 const struct sro_prediction *b, bool dev_only,
                 const char *what)
{
    if ( ra != rb )
        fail_msg("%s: returns %d vs %d", what, ra, rb);
    if ( ra )
        return;
    if ( memcmp(&a->done, &b->done, sizeof(a->done)) ||
         a->nwrites != b->nwrites )
        fail_msg("%s: outcomes differ", what);
    for ( unsigned int k = 0; k < a->nwrites; k++ )
    {
        struct sro_write wa = a->writes[k], wb = b->writes[k];

        if ( dev_only && wa.result == SRO_WRITTEN )
        {
            assert_int_equal(wa.dev_offset, 0);
            assert_int_equal(wb.dev_offset, wb.offset);
            wa.dev_offset = wb.dev_offset;
        }
        if ( memcmp(&wa, &wb, sizeof(wa)) )
            fail_msg("%s: write %u differs", what, k);
    }
}

static void grid_differences(void **state)
{
    static const unsigned int offs[] = {
        0x0, 0x8, 0x10, 0x12, 0x20, 0x5c, 0x60, 0xff8, 0xffc,
    };
    struct sro_insn insns[8];
    struct sro_page_prot pages[3] = {
        mf_page(), mf_page_ro511(), mf_page_whole(),
    };
    unsigned int compared = 0, n421_same = 0;

    (void)state;
    insns[0] = mf_insn("mov byte ptr [rdi], al", 1, 0);
    insns[1] = mf_insn("mov dword ptr [rdi], eax", 4, 0);
    insns[2] = mf_insn("mov qword ptr [rdi], rax", 8, 0);
    insns[3] = mf_insn("or dword ptr [rdi], 1", 4, MF_RMW);
    insns[4] = mf_insn("movups xmmword ptr [rdi], xmm0", 16, 0);
    insns[5] = mf_insn("movdiri dword ptr [rdi], eax", 4, 0);
    insns[6] = mf_insn("rep stosd dword ptr [rdi], eax", 4,
                       MF_STRING | MF_REP);
    insns[7] = mf_insn("pop qword ptr [rdi]", 8, 0);

    for ( unsigned int path = SRO_PATH_PV; path <= SRO_PATH_HVM_421;
          path++ )
    for ( unsigned int k = 0; k < 4; k++ )
    for ( size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++ )
    for ( size_t i = 0; i < 8; i++ )
    for ( size_t g = 0; g < 3; g++ )
    {
        struct mf_case c;
        struct sro_prediction p0, p1, p2;
        int r0, r1, r2;

        mf_setup(&c, path, k & 1, k & 2, offs[o], &insns[i], &pages[g]);
        r0 = mf_predict("xen-4.20.0", &c, &p0);
        r1 = mf_predict("xen-4.20.1", &c, &p1);
        r2 = mf_predict("xen-4.21", &c, &p2);
        same(r0, &p0, r1, &p1, true, "4.20.0 vs 4.20.1");
        if ( path == SRO_PATH_PV )
            same(r1, &p1, r2, &p2, false, "PV 4.20.1 vs 4.21");
        else if ( !r1 && !r2 && !memcmp(&p1, &p2, sizeof(p1)) )
            n421_same++;
        compared++;
    }
    assert_int_equal(compared, 3 * 4 * 9 * 8 * 3);
    /*
     * HVM cases 4.21 predicts like 4.20.1 (section 3: H1, H2, H4 and rep
     * stos): a valid GLA, a plain store (mov 1/4/8, rep stosd) naturally
     * aligned, and the hardware domain or an accepted domU. Aligned
     * offsets of the grid: 9 for 1 byte, 8 for 4, 6 for 8, 8 for stosd =
     * 31 per page; hwdom on 3 pages: 93. domU needs an entry and a
     * writable qword at the offset: 24 on mf_page() (0x20 and 0x5c are
     * read-only), 17 on mf_page_ro511() (0xff8, 0xffc too), 0 on the whole
     * page: 41. Per HVM path 134, two paths.
     */
    assert_int_equal(n421_same, 2 * (93 + 41));
}

/* Real bytes, decoded by core/decode.c in 64-bit mode, then predicted:
 * the class must come out of the decoder's answer as it does from the
 * hand-built instructions of the other tests. */
static void decoded_bytes(void **state)
{
    static const struct {
        uint8_t bytes[8];
        unsigned int n;
        enum sro_xen_insn_class cls;
        unsigned int pv_outcome, pv_reason, hvm421_writes;
    } t[] = {
        /* mov [rdi], eax: PV written; 4.21 one write */
        { { 0x89, 0x07 }, 2, SRO_XI_PLAIN, SRO_RETIRED, SRO_REASON_NONE, 1 },
        /* rep stosd */
        { { 0xf3, 0xab }, 2, SRO_XI_PLAIN, SRO_RETIRED, SRO_REASON_NONE, 1 },
        /* xchg [rdi], rax: implicit lock, Xen reads first */
        { { 0x48, 0x87, 0x07 }, 3, SRO_XI_RMW, SRO_PF_TO_GUEST,
          SRO_REASON_NOT_A_STORE, 1 },
        /* lock xadd [rdi], eax */
        { { 0xf0, 0x0f, 0xc1, 0x07 }, 4, SRO_XI_RMW_LOCKED, SRO_PF_TO_GUEST,
          SRO_REASON_EMULATION_FAILED, 1 },
        /* movups [rdi], xmm0: 4.21 two chunks */
        { { 0x0f, 0x11, 0x07 }, 3, SRO_XI_FPU, SRO_PF_TO_GUEST,
          SRO_REASON_EMULATION_FAILED, 2 },
        /* vmovdqu64 [rdi], zmm0: 4.21 eight chunks */
        { { 0x62, 0xf1, 0xfe, 0x48, 0x7f, 0x07 }, 6, SRO_XI_FPU,
          SRO_PF_TO_GUEST, SRO_REASON_EMULATION_FAILED, 8 },
        /* movdiri [rdi], eax: 4.21 #GP, no write */
        { { 0x0f, 0x38, 0xf9, 0x07 }, 4, SRO_XI_BLK, SRO_PF_TO_GUEST,
          SRO_REASON_EMULATION_FAILED, 0 },
        /* pop qword [rdi] */
        { { 0x8f, 0x07 }, 2, SRO_XI_READS_OTHER, SRO_PF_TO_GUEST,
          SRO_REASON_NOT_A_STORE, 1 },
    };
    struct sro_decoder *d = sro_decoder_new(0);
    struct sro_page_prot pp = mf_page();

    (void)state;
    assert_non_null(d);
    for ( size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++ )
    {
        struct sro_insn i;
        struct mf_case c;
        struct sro_prediction p;

        assert_int_equal(sro_decode(d, t[k].bytes, t[k].n, 64, &i), 0);
        if ( sro_xen_insn_class(&i) != t[k].cls )
            fail_msg("%s: class %s", i.text,
                     sro_xen_insn_class_name(sro_xen_insn_class(&i)));
        /* Offset 0x40 is 64-aligned; qwords 8..11 are read-only. */
        mf_setup(&c, SRO_PATH_PV, true, true, 0x40, &i, &pp);
        assert_int_equal(mf_predict("xen-4.20.1", &c, &p), 0);
        assert_int_equal(p.done.outcome, t[k].pv_outcome);
        assert_int_equal(p.done.reason, t[k].pv_reason);
        mf_setup(&c, SRO_PATH_HVM_421, false, false, 0x40, &i, &pp);
        assert_int_equal(mf_predict("xen-4.21", &c, &p), 0);
        assert_int_equal(p.nwrites, t[k].hvm421_writes);
    }
    sro_decoder_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classes),
        cmocka_unit_test(over8_4200),
        cmocka_unit_test(over8_fixed),
        cmocka_unit_test(bad_access),
        cmocka_unit_test(chunks),
        cmocka_unit_test(registry),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(grid_differences),
        cmocka_unit_test(decoded_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
