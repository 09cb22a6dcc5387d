/*
 * test-prot.c - core/prot.c reproduces subpage_mmio_ro_add() and
 * mmio_ro_ranges as a release build of Xen leaves them (8847d6e23f, plus
 * the boot-state check of 06fd6818ea), and its queries, holes, record
 * application and iteration say exactly what they promise.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/prot.h"

#define A(mfn, off) (((uint64_t)(mfn) << SRO_PAGE_SHIFT) | (off))

/* Expect page mfn to have exactly qwords [q0, q1] read-only (and bytes
 * 8*q0 .. 8*q1+7), kind `kind`. q0 > q1: none. */
static void expect_qwords(const struct sro_prot *p, uint64_t mfn,
                          enum sro_page_kind kind, unsigned int q0,
                          unsigned int q1)
{
    struct sro_page_prot pp;

    assert_int_equal(sro_prot_page(p, mfn, &pp), kind);
    assert_int_equal(pp.kind, kind);
    assert_true(pp.mfn == mfn);
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
    {
        bool want = q >= q0 && q <= q1;

        if ( sro_page_qword_ro(&pp, q) != want )
            fail_msg("mfn %#lx qword %u: got %d want %d",
                     (unsigned long)mfn, q, !want, want);
    }
    for ( unsigned int b = 0; b < SRO_PAGE_SIZE; b++ )
    {
        bool want = b / 8 >= q0 && b / 8 <= q1;

        if ( sro_page_byte_ro(&pp, b) != want ||
             sro_prot_byte_ro(p, mfn, b) != want )
            fail_msg("mfn %#lx byte %u: want %d", (unsigned long)mfn, b,
                     want);
    }
}

static void expect_whole(const struct sro_prot *p, uint64_t mfn)
{
    expect_qwords(p, mfn, SRO_PAGE_RO_WHOLE, 0, SRO_QWORDS - 1);
}

static void expect_unknown(const struct sro_prot *p, uint64_t mfn)
{
    struct sro_page_prot pp;

    assert_int_equal(sro_prot_page(p, mfn, &pp), SRO_PAGE_UNKNOWN);
    assert_false(sro_prot_page_known(p, mfn));
    for ( unsigned int b = 0; b < SRO_PAGE_SIZE; b += 7 )
        assert_false(sro_page_byte_ro(&pp, b));
    assert_false(sro_page_qword_ro(&pp, 0));
}

/* 8847d6e23f: start and size must be multiples of 8; size 0 is a no-op
 * success; a failure changes nothing. */
static void test_add_checks(void **state)
{
    struct sro_prot *p = sro_prot_new();

    (void)state;
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x24), 8), -EINVAL);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 12), -EINVAL);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x21), 0), -EINVAL);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 0), 0);
    expect_unknown(p, 0xfe100);
    /* Not a Xen rule: a range past 2^64. */
    assert_int_equal(sro_prot_add(p, UINT64_C(0xfffffffffffff000), 0x2000),
                     -EINVAL);
    expect_unknown(p, SRO_PROT_MFN_MAX);
    /* ... but the very last page is fine. */
    assert_int_equal(sro_prot_add(p, UINT64_C(0xfffffffffffff000), 0x1000),
                     0);
    expect_whole(p, SRO_PROT_MFN_MAX);
    sro_prot_free(p);
}

/* 06fd6818ea: after boot every aligned add is -EILSEQ, size 0 included;
 * the alignment check still comes first. */
static void test_after_boot(void **state)
{
    struct sro_prot *p = sro_prot_new();

    (void)state;
    assert_false(sro_prot_after_boot(p));
    sro_prot_set_after_boot(p, true);
    assert_true(sro_prot_after_boot(p));
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 64), -EILSEQ);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 0), -EILSEQ);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x24), 64), -EINVAL);
    expect_unknown(p, 0xfe100);
    /* Records still apply: they describe Xen's state, not a call. */
    assert_int_equal(sro_prot_add_ro_pages(p, 0xfe100, 0xfe100), 0);
    expect_whole(p, 0xfe100);
    sro_prot_reset(p);
    assert_false(sro_prot_after_boot(p));
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 64), 0);
    sro_prot_free(p);
}

/* A range inside one page gets an entry with its qwords; the page is in
 * mmio_ro_ranges too (kind SUBPAGE). */
static void test_add_subpage(void **state)
{
    struct sro_prot *p = sro_prot_new();
    struct sro_page_prot pp;

    (void)state;
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 64), 0);
    expect_qwords(p, 0xfe100, SRO_PAGE_SUBPAGE, 4, 11);
    sro_prot_page(p, 0xfe100, &pp);
    assert_false(pp.mapped);
    assert_true(sro_prot_page_known(p, 0xfe100));
    expect_unknown(p, 0xfe0ff);
    expect_unknown(p, 0xfe101);
    /* A range ending at the last byte but not starting at 0: entry. */
    assert_int_equal(sro_prot_add(p, A(0xfe102, 0xff8), 8), 0);
    expect_qwords(p, 0xfe102, SRO_PAGE_SUBPAGE, 511, 511);
    /* Starting at 0, not reaching the end: entry. */
    assert_int_equal(sro_prot_add(p, A(0xfe103, 0), 8), 0);
    expect_qwords(p, 0xfe103, SRO_PAGE_SUBPAGE, 0, 0);
    sro_prot_free(p);
}

/* A page covered exactly gets no entry: read-only as a whole. */
static void test_add_whole(void **state)
{
    struct sro_prot *p = sro_prot_new();

    (void)state;
    assert_int_equal(sro_prot_add(p, A(0xfe200, 0), 4096), 0);
    expect_whole(p, 0xfe200);
    assert_int_equal(sro_prot_add(p, A(0xfe300, 0), 3 * 4096), 0);
    expect_whole(p, 0xfe300);
    expect_whole(p, 0xfe301);
    expect_whole(p, 0xfe302);
    expect_unknown(p, 0xfe303);
    sro_prot_free(p);
}

/* Over several pages: first page from its offset, middle pages whole,
 * last page up to its offset; page-aligned ends get no entry. */
static void test_add_multi_page(void **state)
{
    struct sro_prot *p = sro_prot_new();

    (void)state;
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0xff8), 4096 + 16), 0);
    expect_qwords(p, 0xfe100, SRO_PAGE_SUBPAGE, 511, 511);
    expect_whole(p, 0xfe101);
    expect_qwords(p, 0xfe102, SRO_PAGE_SUBPAGE, 0, 0);

    assert_int_equal(sro_prot_add(p, A(0xfe200, 0), 4096 + 8), 0);
    expect_whole(p, 0xfe200);
    expect_qwords(p, 0xfe201, SRO_PAGE_SUBPAGE, 0, 0);

    assert_int_equal(sro_prot_add(p, A(0xfe300, 0x800), 4096 + 0x800), 0);
    expect_qwords(p, 0xfe300, SRO_PAGE_SUBPAGE, 0x100, 511);
    expect_whole(p, 0xfe301);
    expect_unknown(p, 0xfe302);
    sro_prot_free(p);
}

/* Release build: ASSERT(!oldbit) is compiled out, so a duplicate add and
 * an overlapping add succeed and leave the union. */
static void test_add_duplicate_overlap(void **state)
{
    struct sro_prot *p = sro_prot_new();

    (void)state;
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 64), 0);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 64), 0);
    expect_qwords(p, 0xfe100, SRO_PAGE_SUBPAGE, 4, 11);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x40), 64), 0);
    expect_qwords(p, 0xfe100, SRO_PAGE_SUBPAGE, 4, 15);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x18), 8), 0);
    expect_qwords(p, 0xfe100, SRO_PAGE_SUBPAGE, 3, 15);
    sro_prot_free(p);
}

/* Release build: ASSERT(rc || !rangeset_contains_singleton()) is compiled
 * out, so a partial add on a whole read-only page creates an entry and
 * the rest of the page becomes writable. */
static void test_partial_add_on_whole_page(void **state)
{
    struct sro_prot *p = sro_prot_new();

    (void)state;
    assert_int_equal(sro_prot_add(p, A(0xfe200, 0), 4096), 0);
    expect_whole(p, 0xfe200);
    assert_int_equal(sro_prot_add(p, A(0xfe200, 0x10), 8), 0);
    expect_qwords(p, 0xfe200, SRO_PAGE_SUBPAGE, 2, 2);
    sro_prot_free(p);
}

/* A range covering a page fully adds no entry and keeps the one the page
 * has: the page stays partly writable. */
static void test_whole_add_on_subpage(void **state)
{
    struct sro_prot *p = sro_prot_new();

    (void)state;
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 8), 0);
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0), 4096), 0);
    expect_qwords(p, 0xfe100, SRO_PAGE_SUBPAGE, 4, 4);
    /* Also as the middle page of a longer range. */
    assert_int_equal(sro_prot_add(p, A(0xfe0ff, 0), 3 * 4096), 0);
    expect_whole(p, 0xfe0ff);
    expect_qwords(p, 0xfe100, SRO_PAGE_SUBPAGE, 4, 4);
    expect_whole(p, 0xfe101);
    sro_prot_free(p);
}

/* SRO_RANGE_STATE: quarter q sets qwords 128q..128q+127 exactly, creates
 * the entry, carries `mapped`; without RO_PAGES the page is ENTRY_ONLY. */
static void test_set_quarter(void **state)
{
    struct sro_prot *p = sro_prot_new();
    struct sro_page_prot pp;
    const uint32_t bits[4] = { 0x00000003, 0, 0, 0x80000000 };
    const uint32_t none[4] = { 0, 0, 0, 0 };

    (void)state;
    assert_int_equal(sro_prot_set_quarter(p, 0xfe100, 1, true, bits), 0);
    assert_int_equal(sro_prot_page(p, 0xfe100, &pp), SRO_PAGE_ENTRY_ONLY);
    assert_true(pp.mapped);
    assert_true(sro_prot_page_known(p, 0xfe100));
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
        assert_int_equal(sro_page_qword_ro(&pp, q),
                         q == 128 || q == 129 || q == 255);
    assert_true(sro_page_byte_ro(&pp, 128 * 8));
    assert_true(sro_page_byte_ro(&pp, 255 * 8 + 7));
    assert_false(sro_page_byte_ro(&pp, 256 * 8));
    /* Another quarter leaves this one alone; the same one replaces. */
    assert_int_equal(sro_prot_set_quarter(p, 0xfe100, 0, false, bits), 0);
    sro_prot_page(p, 0xfe100, &pp);
    assert_false(pp.mapped);
    assert_true(sro_page_qword_ro(&pp, 0) && sro_page_qword_ro(&pp, 127));
    assert_true(sro_page_qword_ro(&pp, 129));
    assert_int_equal(sro_prot_set_quarter(p, 0xfe100, 1, false, none), 0);
    sro_prot_page(p, 0xfe100, &pp);
    assert_false(sro_page_qword_ro(&pp, 129));
    assert_true(sro_page_qword_ro(&pp, 1));
    /* RO_PAGES makes it SUBPAGE. */
    assert_int_equal(sro_prot_add_ro_pages(p, 0xfe100, 0xfe100), 0);
    assert_int_equal(sro_prot_page(p, 0xfe100, &pp), SRO_PAGE_SUBPAGE);
    /* Bad arguments change nothing. */
    assert_int_equal(sro_prot_set_quarter(p, 0xfe101, 4, false, bits),
                     -EINVAL);
    assert_int_equal(sro_prot_set_quarter(p, SRO_PROT_MFN_MAX + 1, 0, false,
                                          bits), -EINVAL);
    expect_unknown(p, 0xfe101);
    sro_prot_free(p);
}

/* SRO_RO_PAGES runs merge like Xen's rangeset; iteration is in mfn order
 * over runs and entries alike. */
static void test_ro_pages_and_iteration(void **state)
{
    struct sro_prot *p = sro_prot_new();
    struct sro_page_prot pp;
    const uint32_t bits[4] = { 1, 0, 0, 0 };
    static const uint64_t want[] = { 50, 100, 101, 102, 103, 104, 105, 200 };
    static const uint8_t kinds[] = {
        SRO_PAGE_ENTRY_ONLY, SRO_PAGE_RO_WHOLE, SRO_PAGE_RO_WHOLE,
        SRO_PAGE_SUBPAGE, SRO_PAGE_RO_WHOLE, SRO_PAGE_RO_WHOLE,
        SRO_PAGE_RO_WHOLE, SRO_PAGE_RO_WHOLE,
    };
    uint64_t cursor = 0;
    unsigned int n = 0;

    (void)state;
    assert_int_equal(sro_prot_add_ro_pages(p, 103, 105), 0);
    assert_int_equal(sro_prot_add_ro_pages(p, 100, 101), 0);
    assert_int_equal(sro_prot_add_ro_pages(p, 102, 102), 0);   /* joins */
    assert_int_equal(sro_prot_add_ro_pages(p, 104, 104), 0);   /* inside */
    assert_int_equal(sro_prot_add_ro_pages(p, 200, 200), 0);
    assert_int_equal(sro_prot_set_quarter(p, 50, 0, false, bits), 0);
    assert_int_equal(sro_prot_set_quarter(p, 102, 0, false, bits), 0);
    assert_int_equal(sro_prot_add_ro_pages(p, 7, 6), -EINVAL);
    assert_int_equal(sro_prot_add_ro_pages(p, 0, SRO_PROT_MFN_MAX + 1),
                     -EINVAL);
    expect_unknown(p, 6);
    expect_unknown(p, 99);
    expect_unknown(p, 106);
    while ( sro_prot_next_page(p, &cursor, &pp) )
    {
        assert_true(n < sizeof(want) / sizeof(want[0]));
        assert_true(pp.mfn == want[n]);
        assert_int_equal(pp.kind, kinds[n]);
        n++;
    }
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    /* Starting in the middle of a run. */
    cursor = 104;
    assert_true(sro_prot_next_page(p, &cursor, &pp));
    assert_true(pp.mfn == 104 && cursor == 105);
    sro_prot_free(p);
}

/* Byte-exact holes: ro_bytes loses them, a qword stays read-only while
 * one of its bytes is, a RO_WHOLE page becomes SUBPAGE, unknown stays
 * unknown, and the order of hole and configuration does not matter. */
static void test_holes(void **state)
{
    struct sro_prot *p = sro_prot_new();
    struct sro_page_prot pp;

    (void)state;
    assert_int_equal(sro_prot_add(p, A(0xfe100, 0x20), 64), 0);
    assert_int_equal(sro_prot_add_hole(p, A(0xfe100, 0x24), 2), 0);
    assert_int_equal(sro_prot_add_hole(p, A(0xfe100, 0x28), 8), 0);
    assert_int_equal(sro_prot_page(p, 0xfe100, &pp), SRO_PAGE_SUBPAGE);
    for ( unsigned int b = 0; b < SRO_PAGE_SIZE; b++ )
    {
        bool want = b >= 0x20 && b < 0x60 && b != 0x24 && b != 0x25 &&
                    !(b >= 0x28 && b < 0x30);

        assert_int_equal(sro_page_byte_ro(&pp, b), want);
        assert_int_equal(sro_prot_byte_ro(p, 0xfe100, b), want);
    }
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
        assert_int_equal(sro_page_qword_ro(&pp, q),
                         q >= 4 && q <= 11 && q != 5);

    /* Whole page with a hole: SUBPAGE. Hole first, then configuration. */
    assert_int_equal(sro_prot_add_hole(p, A(0xfe200, 0x8), 8), 0);
    expect_unknown(p, 0xfe200);
    assert_int_equal(sro_prot_add_ro_pages(p, 0xfe200, 0xfe200), 0);
    assert_int_equal(sro_prot_page(p, 0xfe200, &pp), SRO_PAGE_SUBPAGE);
    assert_true(sro_page_qword_ro(&pp, 0));
    assert_false(sro_page_qword_ro(&pp, 1));
    assert_false(sro_page_byte_ro(&pp, 8));
    assert_true(sro_page_byte_ro(&pp, 16));
    assert_false(sro_prot_byte_ro(p, 0xfe200, 15));

    /* A hole across a page boundary. */
    assert_int_equal(sro_prot_add(p, A(0xfe300, 0), 2 * 4096), 0);
    assert_int_equal(sro_prot_add_hole(p, A(0xfe300, 0xffe), 4), 0);
    assert_false(sro_prot_byte_ro(p, 0xfe300, 0xffe));
    assert_false(sro_prot_byte_ro(p, 0xfe301, 1));
    assert_true(sro_prot_byte_ro(p, 0xfe301, 2));
    assert_true(sro_prot_byte_ro(p, 0xfe300, 0xffd));

    assert_int_equal(sro_prot_add_hole(p, A(0xfe400, 0), 0), 0);
    assert_int_equal(sro_prot_add_hole(p, UINT64_MAX, 2), -EINVAL);
    assert_int_equal(sro_prot_add_hole(p, 0, (uint64_t)4097 * 4096), -E2BIG);
    sro_prot_free(p);
}

/* Configuration records as the conformance trace verdicts-basic.trace
 * carries them (words copied from it), and every error of the helper. */
static void test_apply_record(void **state)
{
    struct sro_prot *p = sro_prot_new();
    const uint32_t add1[5] = { 0xfe100020, 0, 64, 0, 0x800 };
    const uint32_t add2[5] = { 0xfe101000, 0, 16, 0, 0x800 };
    const uint32_t pages1[4] = { 0xfe100, 0, 0xfe101, 0 };
    const uint32_t pages2[4] = { 0xfe200, 0, 0xfe200, 0 };
    const uint32_t failed[5] = { 0xfe300000, 0, 4096, (uint32_t)-EINVAL,
                                 0x800 };
    const uint32_t bogus[5] = { 0xfe300004, 0, 8, 0, 0x800 };
    const uint32_t state_w[7] = { 0xfe400, 0, 0x102, 1, 0, 0, 0 };

    (void)state;
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_ADD, add1, 5), 0);
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_ADD, add2, 5), 0);
    assert_int_equal(sro_prot_apply_record(p, SRO_RO_PAGES, pages1, 4), 0);
    assert_int_equal(sro_prot_apply_record(p, SRO_RO_PAGES, pages2, 4), 0);
    expect_qwords(p, 0xfe100, SRO_PAGE_SUBPAGE, 4, 11);
    expect_qwords(p, 0xfe101, SRO_PAGE_SUBPAGE, 0, 1);
    expect_whole(p, 0xfe200);
    /* A failed add changed nothing in Xen. */
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_ADD, failed, 5), 0);
    expect_unknown(p, 0xfe300);
    /* A success these rules refuse. */
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_ADD, bogus, 5),
                     -EPROTO);
    expect_unknown(p, 0xfe300);
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_ADD, add1, 4),
                     -EINVAL);
    /* RANGE_STATE quarter 2, mapped, qword 256. */
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_STATE, state_w, 7),
                     0);
    expect_qwords(p, 0xfe400, SRO_PAGE_ENTRY_ONLY, 256, 256);
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_STATE, state_w, 6),
                     -EINVAL);
    assert_int_equal(sro_prot_apply_record(p, SRO_FAULT, state_w, 7),
                     SRO_PROT_NOT_CONFIG);
    assert_int_equal(sro_prot_apply_record(p, SRO_RO_PAGES, pages1, 3),
                     -EINVAL);
    sro_prot_free(p);
}

/* Thousands of pages: the hash map grows, every page stays right, and
 * reset forgets them all. */
static void test_many_pages(void **state)
{
    struct sro_prot *p = sro_prot_new();
    struct sro_page_prot pp;
    uint64_t cursor = 0, last = 0;
    unsigned int n = 0;

    (void)state;
    for ( unsigned int i = 0; i < 5000; i++ )
    {
        /* Pseudo-random distinct mfns, spread out. */
        uint64_t mfn = ((uint64_t)i * 2654435761u) % 100000007u;

        assert_int_equal(sro_prot_add(p, A(mfn, (i % 512) * 8), 8), 0);
    }
    for ( unsigned int i = 0; i < 5000; i++ )
    {
        uint64_t mfn = ((uint64_t)i * 2654435761u) % 100000007u;

        assert_int_equal(sro_prot_page(p, mfn, &pp), SRO_PAGE_SUBPAGE);
        assert_true(sro_page_qword_ro(&pp, i % 512));
        assert_false(sro_page_qword_ro(&pp, (i + 1) % 512));
    }
    while ( sro_prot_next_page(p, &cursor, &pp) )
    {
        assert_true(n == 0 || pp.mfn > last);
        last = pp.mfn;
        n++;
    }
    assert_int_equal(n, 5000);
    sro_prot_reset(p);
    cursor = 0;
    assert_false(sro_prot_next_page(p, &cursor, &pp));
    expect_unknown(p, 0);
    assert_int_equal(sro_prot_add(p, A(1, 8), 8), 0);
    expect_qwords(p, 1, SRO_PAGE_SUBPAGE, 1, 1);
    sro_prot_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_checks),
        cmocka_unit_test(test_after_boot),
        cmocka_unit_test(test_add_subpage),
        cmocka_unit_test(test_add_whole),
        cmocka_unit_test(test_add_multi_page),
        cmocka_unit_test(test_add_duplicate_overlap),
        cmocka_unit_test(test_partial_add_on_whole_page),
        cmocka_unit_test(test_whole_add_on_subpage),
        cmocka_unit_test(test_set_quarter),
        cmocka_unit_test(test_ro_pages_and_iteration),
        cmocka_unit_test(test_holes),
        cmocka_unit_test(test_apply_record),
        cmocka_unit_test(test_many_pages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
