/*
 * test-assemble.c - trace/assemble.c: group reassembly (trace-format.md
 * section 3.2) on hand-made traces read through the reader.
 *
 * Covers the decoding of every field of FAULT, INSN, WRITE, DATA and
 * DONE; each way a group ends (complete, lost records inside, a new
 * FAULT first, end of input, a miscounting DONE); groups split across
 * windows and interleaved with other CPUs and other classes; orphan
 * writes, stray records, records with wrong word counts, unknown events,
 * configuration records, callback results; and the two conformance
 * traces of $SHARED_DIR against their expect files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/trace-bytes.h"

static void test_decode_every_field(void **state)
{
    struct tb b;
    struct tb_run *r;
    const struct sro_group *g;
    const struct sro_fault *f;
    const struct sro_write *w;

    (void)state;
    tb_init(&b);
    tb_win(&b, 6);
    tb_rec(&b, SRO_FAULT, true, 0x123456789aull, 7,
           0x12340056u,                 /* domain 0x1234, vcpu 0x56 */
           0xabcd0333u,                 /* path 3, gla, hwdom, 64-bit */
           0x12345678u, 0xffff8000u,    /* gla */
           0xfe100abcu, 0x1u,           /* gpa */
           0x87654321u);                /* mfn low */
    tb_rec(&b, SRO_INSN, false, 0, 7, 0xabcdef0fu, 0x04030201u,
           0x08070605u, 0x0c0b0a09u, 0xff0f0e0du, 0x89abcdefu, 0xffffffffu);
    tb_rec(&b, SRO_WRITE, false, 0, 6, 0x87654321u, 0xabcdu,
           SRO_WRITE_W2(0xabc, 8, SRO_DROPPED_RO), 0x44332211u, 0x88776655u,
           0xfff00123u);
    tb_rec(&b, SRO_DONE, false, 0, 3, 0xee010405u, 1u, 8u);
    tb_end(&b);
    tb_win(&b, 0);
    tb_rec(&b, SRO_FAULT, true, 5, 7, 0, SRO_PATH_PV | (SRO_CODE_16 << 8),
           0xffffffffu, 0xffffffffu, 0xfe200000u, 0, 0xfe200u);
    tb_rec(&b, SRO_INSN, false, 0, 7, 0, 0, 0, 0, 0, 0x1000u, 0);
    tb_rec(&b, SRO_DONE, false, 0, 3, SRO_DONE_W0(SRO_PF_TO_GUEST, 0, 0),
           0u, 0u);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->ngroups, 2);
    g = &r->groups[0];
    f = &g->fault;
    assert_int_equal(g->incomplete, SRO_COMPLETE);
    assert_int_equal(g->file_offset, 12);
    assert_int_equal(f->cpu, 6);
    assert_int_equal(f->tsc, 0x123456789aull);
    assert_int_equal(f->domain, 0x1234);
    assert_int_equal(f->vcpu, 0x56);
    assert_int_equal(f->path, SRO_PATH_HVM_421);
    assert_true(f->gla_valid);
    assert_true(f->hwdom);
    assert_int_equal(f->code_size, SRO_CODE_64);
    assert_int_equal(f->gla, 0xffff800012345678ull);
    assert_int_equal(f->gpa, 0x1fe100abcull);
    assert_int_equal(f->mfn, 0xabcd87654321ull);
    assert_true(f->has_insn);
    assert_int_equal(f->insn_len, 15);
    for ( unsigned int k = 0; k < 15; k++ )
        assert_int_equal(f->insn[k], k + 1);
    assert_int_equal(f->insn[15], 0);
    assert_int_equal(f->rip, 0xffffffff89abcdefull);

    assert_int_equal(g->nwrites, 1);
    w = &g->writes[0];
    assert_int_equal(w->mfn, 0xabcd87654321ull);
    assert_int_equal(w->offset, 0xabc);
    assert_int_equal(w->len, 8);
    assert_int_equal(w->result, SRO_DROPPED_RO);
    assert_int_equal(w->dev_offset, 0x123);
    assert_int_equal(w->data_len, 8);
    for ( unsigned int k = 0; k < 8; k++ )
        assert_int_equal(w->data[k], 0x11 * (k + 1));

    assert_true(g->has_done);
    assert_int_equal(g->done.outcome, SRO_DOMAIN_CRASH);
    assert_int_equal(g->done.reason, SRO_REASON_EMULATION_FAILED);
    assert_int_equal(g->done.emul_rc, SRO_X86EMUL_UNHANDLEABLE);
    assert_int_equal(g->done.nwrites, 1);
    assert_int_equal(g->done.store_size, 8);

    g = &r->groups[1];
    f = &g->fault;
    assert_int_equal(g->incomplete, SRO_COMPLETE);
    assert_int_equal(f->cpu, 0);
    assert_int_equal(f->domain, 0);
    assert_int_equal(f->path, SRO_PATH_PV);
    assert_false(f->gla_valid);
    assert_false(f->hwdom);
    assert_int_equal(f->code_size, SRO_CODE_16);
    assert_int_equal(f->gla, ~0ull);
    assert_int_equal(f->mfn, 0xfe200);
    assert_true(f->has_insn);
    assert_int_equal(f->insn_len, 0);               /* the fetch failed */
    assert_int_equal(f->rip, 0x1000);
    assert_int_equal(g->nwrites, 0);
    assert_int_equal(g->done.outcome, SRO_PF_TO_GUEST);

    assert_int_equal(r->stats.records, 7);
    assert_int_equal(r->stats.groups, 2);
    assert_int_equal(r->stats.incomplete_groups, 0);
    assert_int_equal(r->stats.bad_records, 0);
    assert_int_equal(r->stats.stray_records, 0);
    tb_run_free(r);
    tb_free(&b);
}

/* SRO_DATA: one and two continuations, bytes little-endian within words,
 * bytes past the length or past SRO_WRITE_DATA_MAX dropped, and other
 * classes standing between a WRITE and its DATA. */
static void test_write_data(void **state)
{
    struct tb b;
    struct tb_run *r;
    const struct sro_group *g;

    (void)state;
    tb_init(&b);
    tb_win(&b, 1);
    tb_fault(&b, 100, 0xfe100000);
    /* 16 bytes: 8 in WRITE, 8 in one DATA. */
    tb_write(&b, 0xfe100, 0x10, 16, SRO_DROPPED_BAD_SIZE,
             0x0706050403020100ull);
    tb_rec(&b, 0x00021001, true, 101, 1, 0);        /* another class */
    tb_rec(&b, SRO_DATA, false, 0, 2, 0x0b0a0908u, 0x0f0e0d0cu);
    /* 64 bytes: 8 + 28 + 28. */
    tb_write(&b, 0xfe100, 0x40, 64, SRO_WRITTEN, 0x0706050403020100ull);
    tb_rec(&b, SRO_DATA, false, 0, 7, 0x0b0a0908u, 0x0f0e0d0cu, 0x13121110u,
           0x17161514u, 0x1b1a1918u, 0x1f1e1d1cu, 0x23222120u);
    tb_rec(&b, SRO_DATA, false, 0, 7, 0x27262524u, 0x2b2a2928u, 0x2f2e2d2cu,
           0x33323130u, 0x37363534u, 0x3b3a3938u, 0x3f3e3d3cu);
    /* 12 bytes, but a DATA of 8: bytes 12..15 are not data. */
    tb_write(&b, 0xfe100, 0x80, 12, SRO_DROPPED_BAD_SIZE, 0x1111111111111111);
    tb_rec(&b, SRO_DATA, false, 0, 2, 0x22222222u, 0x33333333u);
    /* 4 bytes: garbage beyond the length in the WRITE is not data. */
    tb_write(&b, 0xfe100, 0x90, 4, SRO_WRITTEN, 0xffffffff44444444ull);
    /* 200 bytes: capped at SRO_WRITE_DATA_MAX; a third DATA adds nothing. */
    tb_write(&b, 0xfe100, 0xa0, 200, SRO_DROPPED_BAD_SIZE, 0);
    for ( unsigned int i = 0; i < 3; i++ )
        tb_rec(&b, SRO_DATA, false, 0, 7, 0x55555555u, 0x55555555u,
               0x55555555u, 0x55555555u, 0x55555555u, 0x55555555u,
               0x55555555u);
    /* 16 bytes with two short DATA records: 4 bytes each. */
    tb_write(&b, 0xfe100, 0xb0, 16, SRO_WRITTEN, 0);
    tb_rec(&b, SRO_DATA, false, 0, 1, 0x66666666u);
    tb_rec(&b, SRO_DATA, false, 0, 1, 0x77777777u);
    tb_done(&b, 6);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->ngroups, 1);
    g = &r->groups[0];
    assert_int_equal(g->incomplete, SRO_COMPLETE);
    assert_int_equal(g->nwrites, 6);

    assert_int_equal(g->writes[0].len, 16);
    assert_int_equal(g->writes[0].data_len, 16);
    for ( unsigned int k = 0; k < 16; k++ )
        assert_int_equal(g->writes[0].data[k], k);

    assert_int_equal(g->writes[1].data_len, 64);
    for ( unsigned int k = 0; k < 64; k++ )
        assert_int_equal(g->writes[1].data[k], k);

    assert_int_equal(g->writes[2].data_len, 12);
    assert_int_equal(g->writes[2].data[7], 0x11);
    assert_int_equal(g->writes[2].data[8], 0x22);
    assert_int_equal(g->writes[2].data[11], 0x22);
    assert_int_equal(g->writes[2].data[12], 0);

    assert_int_equal(g->writes[3].data_len, 4);
    assert_int_equal(g->writes[3].data[3], 0x44);
    assert_int_equal(g->writes[3].data[4], 0);

    assert_int_equal(g->writes[4].len, 200);
    assert_int_equal(g->writes[4].data_len, SRO_WRITE_DATA_MAX);
    assert_int_equal(g->writes[4].data[7], 0);
    assert_int_equal(g->writes[4].data[8], 0x55);
    assert_int_equal(g->writes[4].data[63], 0x55);

    assert_int_equal(g->writes[5].data_len, 16);
    assert_int_equal(g->writes[5].data[8], 0x66);
    assert_int_equal(g->writes[5].data[12], 0x77);

    assert_int_equal(r->stats.unknown_records, 1);
    assert_int_equal(r->stats.stray_records, 0);
    tb_run_free(r);
    tb_free(&b);
}

/* A group split across two windows of its CPU, with another CPU's window
 * and group in between and an empty window after: groups come out in the
 * order they end. */
static void test_group_split_across_windows(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_fault(&b, 10, 0xfe100008);                   /* offset 12 */
    tb_insn(&b);
    tb_end(&b);
    tb_win(&b, 1);
    tb_fault(&b, 20, 0xfe100010);
    tb_insn(&b);
    tb_write(&b, 0xfe100, 0x10, 4, SRO_WRITTEN, 0x1234);
    tb_done(&b, 1);
    tb_end(&b);
    tb_win(&b, 0);
    tb_write(&b, 0xfe100, 0x8, 4, SRO_WRITTEN, 0x5678);
    tb_done(&b, 1);
    tb_end(&b);
    tb_win(&b, 0);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->ngroups, 2);
    assert_int_equal(r->groups[0].fault.cpu, 1);
    assert_int_equal(r->groups[0].fault.tsc, 20);
    assert_int_equal(r->groups[0].writes[0].data[1], 0x12);
    assert_int_equal(r->groups[1].fault.cpu, 0);
    assert_int_equal(r->groups[1].fault.tsc, 10);
    assert_int_equal(r->groups[1].file_offset, 12);
    assert_int_equal(r->groups[1].incomplete, SRO_COMPLETE);
    assert_true(r->groups[1].fault.has_insn);
    assert_int_equal(r->groups[1].fault.insn_len, 2);
    assert_int_equal(r->groups[1].fault.insn[0], 0x89);
    assert_int_equal(r->groups[1].nwrites, 1);
    assert_int_equal(r->groups[1].writes[0].offset, 8);
    assert_int_equal(r->groups[1].writes[0].data[0], 0x78);
    assert_int_equal(r->stats.groups, 2);
    assert_int_equal(r->stats.incomplete_groups, 0);
    tb_run_free(r);
    tb_free(&b);
}

/* Records of other classes between every record of a group. */
static void test_other_classes_inside_group(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 2);
    tb_fault(&b, 50, 0xfe100020);
    tb_rec(&b, 0x00021001, true, 51, 2, 1, 2);          /* TRC_SCHED */
    tb_insn(&b);
    tb_rec(&b, 0x0008f002, false, 0, 0);                 /* TRC_HVM */
    tb_write(&b, 0xfe100, 0x20, 4, SRO_WRITTEN, 0xaa);
    tb_rec(&b, 0x00802001, true, 52, 1, 7);              /* TRC_HW other */
    tb_done(&b, 1);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->ngroups, 1);
    assert_int_equal(r->groups[0].incomplete, SRO_COMPLETE);
    assert_true(r->groups[0].fault.has_insn);
    assert_int_equal(r->groups[0].nwrites, 1);
    assert_int_equal(r->stats.unknown_records, 3);
    assert_int_equal(r->nunknown, 3);
    assert_int_equal(r->stats.records, 7);
    tb_run_free(r);
    tb_free(&b);
}

/* TRC_LOST_RECORDS inside a group: incomplete (lost), but collected up to
 * its DONE; outside a group it only counts. */
static void test_lost_inside_group(void **state)
{
    struct tb b;
    struct tb_run *r;
    const struct sro_group *g;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_rec(&b, TRC_LOST_RECORDS, true, 5, 4, 2u, 0x00020001u, 4u, 0u);
    tb_fault(&b, 10, 0xfe100008);
    tb_insn(&b);
    tb_rec(&b, TRC_LOST_RECORDS, true, 11, 4, 5u, 0x00020001u, 1234u, 0u);
    tb_write(&b, 0xfe100, 0x8, 4, SRO_WRITTEN, 1);
    tb_done(&b, 1);
    tb_fault(&b, 20, 0xfe100010);
    tb_done(&b, 0);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->ngroups, 2);
    g = &r->groups[0];
    assert_int_equal(g->incomplete, SRO_INC_LOST);
    assert_true(g->has_done);
    assert_int_equal(g->nwrites, 1);
    assert_int_equal(g->fault.tsc, 10);
    assert_int_equal(r->groups[1].incomplete, SRO_COMPLETE);
    assert_int_equal(r->stats.lost_records, 7);
    assert_int_equal(r->stats.lost_events, 2);
    assert_int_equal(r->stats.incomplete_groups, 1);
    assert_int_equal(r->stats.unknown_records, 0);
    assert_int_equal(r->nlosts, 2);
    assert_int_equal(r->losts[1].w[0], 5);
    assert_int_equal(r->losts[1].w[2], 1234);
    assert_int_equal(r->losts[1].tsc, 11);
    tb_run_free(r);
    tb_free(&b);
}

/* A new FAULT before DONE ends the open group (new_fault; lost if records
 * were lost in it); the new group goes on normally. */
static void test_new_fault_before_done(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 3);
    tb_fault(&b, 10, 0xfe100008);
    tb_write(&b, 0xfe100, 0x8, 4, SRO_WRITTEN, 1);
    tb_fault(&b, 20, 0xfe100010);
    tb_rec(&b, TRC_LOST_RECORDS, true, 21, 4, 1u, 0u, 21u, 0u);
    tb_fault(&b, 30, 0xfe100018);
    tb_insn(&b);
    tb_write(&b, 0xfe100, 0x18, 4, SRO_WRITTEN, 3);
    tb_done(&b, 1);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->ngroups, 3);
    assert_int_equal(r->groups[0].fault.tsc, 10);
    assert_int_equal(r->groups[0].incomplete, SRO_INC_NEW_FAULT);
    assert_false(r->groups[0].has_done);
    assert_int_equal(r->groups[0].nwrites, 1);
    assert_int_equal(r->groups[1].fault.tsc, 20);
    assert_int_equal(r->groups[1].incomplete, SRO_INC_LOST);
    assert_int_equal(r->groups[1].nwrites, 0);
    assert_int_equal(r->groups[2].fault.tsc, 30);
    assert_int_equal(r->groups[2].incomplete, SRO_COMPLETE);
    assert_int_equal(r->groups[2].writes[0].offset, 0x18);
    assert_int_equal(r->stats.incomplete_groups, 2);
    tb_run_free(r);
    tb_free(&b);
}

/* Groups still open at the end come out incomplete (eof), by CPU number;
 * a cut-off record does not disturb that. */
static void test_eof_inside_group(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 7);
    tb_fault(&b, 10, 0xfe100008);
    tb_insn(&b);
    tb_end(&b);
    tb_win_n(&b, 3, 200);
    tb_fault(&b, 20, 0xfe100010);
    tb_write(&b, 0xfe100, 0x10, 4, SRO_WRITTEN, 1);
    tb_u32(&b, SRO_TREC_HDR(SRO_DONE, 3, 0));           /* cut off */
    r = tb_collect(&b);

    assert_int_equal(r->ngroups, 2);
    assert_int_equal(r->groups[0].fault.cpu, 3);
    assert_int_equal(r->groups[0].incomplete, SRO_INC_EOF);
    assert_int_equal(r->groups[0].nwrites, 1);
    assert_false(r->groups[0].has_done);
    assert_int_equal(r->groups[1].fault.cpu, 7);
    assert_int_equal(r->groups[1].incomplete, SRO_INC_EOF);
    assert_true(r->groups[1].fault.has_insn);
    assert_int_equal(r->stats.incomplete_groups, 2);
    assert_int_equal(r->bytes_unused, 4);
    tb_run_free(r);
    tb_free(&b);
}

/* DONE counting other than the writes seen. */
static void test_count_mismatch(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_fault(&b, 10, 0xfe100008);
    tb_write(&b, 0xfe100, 0x8, 4, SRO_WRITTEN, 1);
    tb_write(&b, 0xfe100, 0xc, 4, SRO_WRITTEN, 2);
    tb_done(&b, 1);
    tb_fault(&b, 20, 0xfe100008);
    tb_write(&b, 0xfe100, 0x8, 4, SRO_WRITTEN, 1);
    tb_done(&b, 3);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->ngroups, 2);
    assert_int_equal(r->groups[0].incomplete, SRO_INC_COUNT_MISMATCH);
    assert_true(r->groups[0].has_done);
    assert_int_equal(r->groups[0].nwrites, 2);
    assert_int_equal(r->groups[0].done.nwrites, 1);
    assert_int_equal(r->groups[1].incomplete, SRO_INC_COUNT_MISMATCH);
    assert_int_equal(r->groups[1].nwrites, 1);
    assert_int_equal(r->stats.incomplete_groups, 2);
    tb_run_free(r);
    tb_free(&b);
}

/* WRITE (with DATA) outside a group: an orphan, reported once nothing can
 * continue it (the next record of ours on its CPU, or the end). */
static void test_orphan_writes(void **state)
{
    struct tb b;
    struct tb_run *r;
    uint64_t off1, off2;

    (void)state;
    tb_init(&b);
    tb_win(&b, 1);
    off1 = tb_write(&b, 0xfe100, 0x30, 16, SRO_WRITTEN, 0x0706050403020100);
    tb_end(&b);
    tb_win(&b, 2);
    tb_fault(&b, 5, 0xfe100000);                     /* other CPU */
    tb_end(&b);
    tb_win(&b, 1);
    tb_rec(&b, SRO_DATA, false, 0, 2, 0x0b0a0908u, 0x0f0e0d0cu);
    tb_done(&b, 0);                                  /* stray */
    off2 = tb_write(&b, 0xfe101, 0x40, 4, SRO_DROPPED_RO, 0x99);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->norphans, 2);
    assert_int_equal(r->orphan_recs[0].offset, off1);
    assert_int_equal(r->orphan_recs[0].cpu, 1);
    assert_int_equal(r->orphans[0].offset, 0x30);
    assert_int_equal(r->orphans[0].len, 16);
    assert_int_equal(r->orphans[0].data_len, 16);
    for ( unsigned int k = 0; k < 16; k++ )
        assert_int_equal(r->orphans[0].data[k], k);
    assert_int_equal(r->orphan_recs[1].offset, off2);
    assert_int_equal(r->orphans[1].mfn, 0xfe101);
    assert_int_equal(r->orphans[1].result, SRO_DROPPED_RO);
    assert_int_equal(r->orphans[1].data_len, 4);
    assert_int_equal(r->stats.orphan_writes, 2);
    assert_int_equal(r->stats.stray_records, 1);
    /* The group of cpu 2 never ended. */
    assert_int_equal(r->ngroups, 1);
    assert_int_equal(r->groups[0].incomplete, SRO_INC_EOF);
    assert_int_equal(r->groups[0].nwrites, 0);
    tb_run_free(r);
    tb_free(&b);
}

/* INSN/DONE/DATA outside a group, a second INSN, an INSN after a WRITE
 * and a DATA not after a WRITE: counted as stray and skipped. */
static void test_stray_records(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_insn(&b);                                         /* stray */
    tb_done(&b, 0);                                      /* stray */
    tb_rec(&b, SRO_DATA, false, 0, 1, 1u);               /* stray */
    tb_fault(&b, 10, 0xfe100008);
    tb_rec(&b, SRO_DATA, false, 0, 1, 1u);               /* stray */
    tb_insn(&b);
    tb_insn(&b);                                         /* stray */
    tb_write(&b, 0xfe100, 0x8, 4, SRO_WRITTEN, 1);
    tb_insn(&b);                                         /* stray */
    tb_rec(&b, SRO_DATA, false, 0, 1, 1u);               /* stray */
    tb_done(&b, 1);
    tb_done(&b, 1);                                      /* stray */
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->stats.stray_records, 8);
    assert_int_equal(r->ngroups, 1);
    assert_int_equal(r->groups[0].incomplete, SRO_COMPLETE);
    assert_int_equal(r->groups[0].nwrites, 1);
    assert_int_equal(r->groups[0].writes[0].data_len, 4);
    assert_int_equal(r->stats.orphan_writes, 0);
    assert_int_equal(r->stats.bad_records, 0);
    tb_run_free(r);
    tb_free(&b);
}

/* Records of ours with the wrong number of words are skipped, counted
 * and explained; the records around them are handled as if they were
 * not there. */
static void test_wrong_word_counts(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_rec(&b, SRO_FAULT, true, 1, 6, 0, 3, 0, 0, 0, 0);
    tb_write(&b, 0xfe100, 0x8, 4, SRO_WRITTEN, 1);      /* orphan */
    tb_rec(&b, SRO_DATA, false, 0, 0);
    tb_fault(&b, 10, 0xfe100008);
    tb_rec(&b, SRO_DONE, false, 0, 4, 0, 0, 0, 0);
    tb_rec(&b, SRO_RANGE_ADD, true, 11, 7, 0, 0, 0, 0, 0, 0, 0);
    tb_rec(&b, SRO_INSN, false, 0, 1, 0);
    tb_done(&b, 0);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->stats.bad_records, 5);
    assert_int_equal(r->nproblems, 5);
    assert_string_equal(r->problems[0],
                        "SRO_FAULT with 6 words (it has 7): skipped");
    assert_string_equal(r->problems[1],
                        "SRO_DATA with 0 words (it has 1 to 7): skipped");
    assert_string_equal(r->problems[2],
                        "SRO_DONE with 4 words (it has 3): skipped");
    assert_string_equal(r->problems[3],
                        "SRO_RANGE_ADD with 7 words (it has 5): skipped");
    assert_string_equal(r->problems[4],
                        "SRO_INSN with 1 words (it has 7): skipped");
    assert_int_equal(r->stats.orphan_writes, 1);
    assert_int_equal(r->stats.config_records, 0);
    assert_int_equal(r->ngroups, 1);
    assert_int_equal(r->groups[0].incomplete, SRO_COMPLETE);
    assert_false(r->groups[0].fault.has_insn);
    assert_int_equal(r->stats.records, 8);
    tb_run_free(r);
    tb_free(&b);
}

/* Event ids that are neither ours nor generic: counted as unknown, even
 * in our class; the callback may be NULL. */
static void test_unknown_events(void **state)
{
    static const uint32_t ids[] = {
        0x00804015, 0x00804000, 0x00804fff, 0x0001f004, 0x00802001, 0,
    };
    const struct sro_assemble_ops ops = { 0 };
    struct sro_assembler *a = sro_assembler_new(&ops, NULL);
    struct sro_rec rec;

    (void)state;
    memset(&rec, 0, sizeof(rec));
    for ( unsigned int i = 0; i < 6; i++ )
    {
        rec.event = ids[i];
        rec.nwords = (uint8_t)i;
        assert_int_equal(sro_assembler_feed(a, &rec), 0);
        assert_null(sro_assembler_last_problem(a));
    }
    assert_int_equal(sro_assembler_stats(a)->unknown_records, 6);
    assert_int_equal(sro_assembler_stats(a)->records, 6);
    assert_int_equal(sro_assembler_finish(a), 0);
    sro_assembler_free(a);
}

/* Configuration records pass through with their words; they need no
 * group and do not disturb one. */
static void test_config_records(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_rec(&b, SRO_RANGE_ADD, true, 1, 5, 0xfe100020u, 0, 64, 0, 0x803);
    tb_fault(&b, 10, 0xfe100008);
    tb_rec(&b, SRO_RANGE_STATE, false, 0, 7, 0xfe100u, 0, 0x101, 0xf0, 0, 0,
           0);
    tb_rec(&b, SRO_RO_PAGES, true, 12, 4, 0xfe100u, 0, 0xfe1ffu, 0);
    tb_done(&b, 0);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nconfigs, 3);
    assert_int_equal(r->stats.config_records, 3);
    assert_int_equal(r->configs[0].event, SRO_RANGE_ADD);
    assert_int_equal(r->configs[0].w[0], 0xfe100020u);
    assert_int_equal(r->configs[0].w[4], 0x803);
    assert_int_equal(r->configs[1].event, SRO_RANGE_STATE);
    assert_int_equal(r->configs[1].tsc, 10);
    assert_int_equal(r->configs[1].w[2], 0x101);
    assert_int_equal(r->configs[2].event, SRO_RO_PAGES);
    assert_int_equal(r->configs[2].w[2], 0xfe1ff);
    assert_int_equal(r->ngroups, 1);
    assert_int_equal(r->groups[0].incomplete, SRO_COMPLETE);
    tb_run_free(r);
    tb_free(&b);
}

static int ret7_group(void *ctx, const struct sro_group *g)
{
    (*(unsigned int *)ctx)++;
    (void)g;
    return 7;
}

static int ret3_orphan(void *ctx, const struct sro_rec *rec,
                       const struct sro_write *w)
{
    (*(unsigned int *)ctx)++;
    (void)rec;
    (void)w;
    return 3;
}

static struct sro_rec mkrec(uint32_t event, unsigned int nwords)
{
    struct sro_rec rec;

    memset(&rec, 0, sizeof(rec));
    rec.event = event;
    rec.nwords = (uint8_t)nwords;
    return rec;
}

/* A callback's non-zero result is what feed/finish return. */
static void test_callback_results(void **state)
{
    const struct sro_assemble_ops ops = {
        .group = ret7_group, .orphan_write = ret3_orphan,
    };
    unsigned int calls = 0;
    struct sro_assembler *a = sro_assembler_new(&ops, &calls);
    struct sro_rec fault = mkrec(SRO_FAULT, 7), done = mkrec(SRO_DONE, 3);
    struct sro_rec write = mkrec(SRO_WRITE, 6);

    (void)state;
    assert_int_equal(sro_assembler_feed(a, &fault), 0);
    assert_int_equal(sro_assembler_feed(a, &done), 7);
    assert_int_equal(sro_assembler_feed(a, &write), 0);
    assert_int_equal(sro_assembler_feed(a, &fault), 3);   /* orphan told */
    assert_int_equal(sro_assembler_finish(a), 7);         /* eof group */
    assert_int_equal(sro_assembler_finish(a), 0);         /* nothing left */
    assert_int_equal(calls, 3);
    sro_assembler_free(a);
}

static int count_group(void *ctx, const struct sro_group *g)
{
    *(struct sro_group *)ctx = *g;
    return 0;
}

/* A group keeps at most SRO_GROUP_MAX_WRITES writes: the rest are bad
 * records and the group ends miscounted. CPUs beyond the reader's range
 * are refused too. */
static void test_write_cap(void **state)
{
    const struct sro_assemble_ops ops = { .group = count_group };
    struct sro_group last;
    struct sro_assembler *a = sro_assembler_new(&ops, &last);
    struct sro_rec fault = mkrec(SRO_FAULT, 7), done = mkrec(SRO_DONE, 3);
    struct sro_rec write = mkrec(SRO_WRITE, 6);

    (void)state;
    sro_assembler_feed(a, &fault);
    for ( unsigned int i = 0; i <= SRO_GROUP_MAX_WRITES; i++ )
    {
        write.w[2] = SRO_WRITE_W2(i & 0xfff, 1, 0);
        sro_assembler_feed(a, &write);
    }
    assert_string_equal(sro_assembler_last_problem(a),
                        "SRO_WRITE beyond the 65536 one group keeps (or out "
                        "of memory): skipped");
    done.w[1] = SRO_GROUP_MAX_WRITES + 1;
    sro_assembler_feed(a, &done);
    assert_int_equal(last.nwrites, SRO_GROUP_MAX_WRITES);
    assert_int_equal(last.incomplete, SRO_INC_COUNT_MISMATCH);
    assert_int_equal(last.writes[SRO_GROUP_MAX_WRITES - 1].offset,
                     (SRO_GROUP_MAX_WRITES - 1) & 0xfff);
    assert_int_equal(sro_assembler_stats(a)->bad_records, 1);

    fault.cpu = SRO_READER_MAX_CPUS;
    sro_assembler_feed(a, &fault);
    assert_string_equal(sro_assembler_last_problem(a),
                        "SRO_FAULT on cpu 16384 (at most 16384 CPUs exist): "
                        "skipped");
    assert_int_equal(sro_assembler_stats(a)->bad_records, 2);
    sro_assembler_free(a);
}

/* ---- Conformance traces ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;

    if ( !f )
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    s = malloc(n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, n, f), n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* The number after "key": at or after *p; *p moves past it. */
static unsigned long long json_num(const char **p, const char *key)
{
    char pat[64];
    const char *q;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    q = strstr(*p, pat);
    assert_non_null(q);
    q += strlen(pat);
    *p = q;
    return strtoull(q, NULL, 10);
}

static const char *shared_dir(void)
{
    const char *d = getenv("SHARED_DIR");

    return d && *d ? d : "../shared";
}

static struct tb_run *run_conformance(const char *name, char **expect)
{
    char path[512];
    FILE *f;
    struct tb_run *r;

    snprintf(path, sizeof(path), "%s/conformance/%s.expect.json",
             shared_dir(), name);
    *expect = slurp(path);
    if ( !*expect )
    {
        print_message("no %s: skipped\n", path);
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/conformance/%s.trace", shared_dir(),
             name);
    f = fopen(path, "rb");
    assert_non_null(f);
    r = tb_collect_file(f, path);
    fclose(f);
    return r;
}

static void test_conformance_recorder_basic(void **state)
{
    char *expect;
    const char *p;
    struct tb_run *r = run_conformance("recorder-basic", &expect);

    (void)state;
    if ( !r )
        skip();
    p = expect;
    assert_int_equal(r->stats.groups, json_num(&p, "groups"));
    assert_int_equal(r->stats.incomplete_groups,
                     json_num(&p, "incomplete_groups"));
    assert_int_equal(r->stats.lost_records, json_num(&p, "lost_records"));
    assert_int_equal(r->stats.unknown_records,
                     json_num(&p, "unknown_records"));
    assert_int_equal(r->bytes_unused, json_num(&p, "bytes_unused"));
    assert_int_equal(r->nerrors, 0);
    assert_string_equal(r->final_error, "");
    assert_int_equal(r->stats.bad_records, 0);
    assert_int_equal(r->stats.stray_records, 0);
    assert_int_equal(r->stats.orphan_writes, 0);
    /* This file's own SHA-256, as sha256sum computes it. */
    assert_string_equal(r->sha, "45feb71cd0470f5a58a04af629087841ecb6beb7"
                                "4d8d243dbbd259139b0daa85");
    tb_run_free(r);
    free(expect);
}

static void test_conformance_verdicts_basic(void **state)
{
    char *expect;
    const char *p;
    struct tb_run *r = run_conformance("verdicts-basic", &expect);
    bool matched[TB_MAX] = { false };
    unsigned int n = 0;

    (void)state;
    if ( !r )
        skip();
    p = strstr(expect, "\"stats\"");
    assert_non_null(p);
    assert_int_equal(r->stats.groups, json_num(&p, "groups"));
    assert_int_equal(r->stats.incomplete_groups,
                     json_num(&p, "incomplete_groups"));
    assert_int_equal(r->stats.lost_records, json_num(&p, "lost_records"));
    assert_int_equal(r->stats.unknown_records,
                     json_num(&p, "unknown_records"));
    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->bytes_unused, 0);

    /* Every listed group (cpu, tsc, page offset) is exactly one of ours. */
    p = strstr(expect, "\"groups\": [");
    assert_non_null(p);
    while ( strstr(p, "\"cpu\":") )
    {
        unsigned long long cpu = json_num(&p, "cpu");
        unsigned long long tsc = json_num(&p, "tsc");
        unsigned long long off = json_num(&p, "off");
        unsigned int hits = 0;

        for ( unsigned int i = 0; i < r->ngroups; i++ )
            if ( r->groups[i].fault.cpu == cpu &&
                 r->groups[i].fault.tsc == tsc &&
                 (r->groups[i].fault.gpa & 0xfff) == off )
            {
                assert_false(matched[i]);
                matched[i] = true;
                hits++;
            }
        assert_int_equal(hits, 1);
        n++;
    }
    assert_int_equal(n, 11);
    assert_int_equal(r->ngroups, 11);
    tb_run_free(r);
    free(expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_every_field),
        cmocka_unit_test(test_write_data),
        cmocka_unit_test(test_group_split_across_windows),
        cmocka_unit_test(test_other_classes_inside_group),
        cmocka_unit_test(test_lost_inside_group),
        cmocka_unit_test(test_new_fault_before_done),
        cmocka_unit_test(test_eof_inside_group),
        cmocka_unit_test(test_count_mismatch),
        cmocka_unit_test(test_orphan_writes),
        cmocka_unit_test(test_stray_records),
        cmocka_unit_test(test_wrong_word_counts),
        cmocka_unit_test(test_unknown_events),
        cmocka_unit_test(test_config_records),
        cmocka_unit_test(test_callback_results),
        cmocka_unit_test(test_write_cap),
        cmocka_unit_test(test_conformance_recorder_basic),
        cmocka_unit_test(test_conformance_verdicts_basic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
