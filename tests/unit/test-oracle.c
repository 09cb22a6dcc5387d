/*
 * test-oracle.c - the reference verdicts of trace-format.md section 4.
 *
 * First the eleven groups of the conformance trace verdicts-basic.trace
 * (written by an independent implementation), rebuilt here by hand from
 * its records, must get exactly the verdicts of verdicts-basic.expect.json.
 * Then each rule and each reading chosen where section 4 leaves room, one
 * test each, with the exact verdict, deciding piece and intent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/oracle.h"

/* ---- building groups by hand ---- */

struct grp {
    struct sro_fault  fault;
    struct sro_insn   insn;
    struct sro_write  writes[4];
    unsigned int      nwrites;
    struct sro_done   done;
    bool              complete;
};

/* A plain (non-string) store of `width` bytes at gpa, page mfn. */
static void grp_init(struct grp *g, uint64_t gpa, uint64_t mfn,
                     unsigned int width, const char *kind)
{
    memset(g, 0, sizeof(*g));
    g->fault.gpa = gpa;
    g->fault.mfn = mfn;
    g->fault.path = SRO_PATH_HVM_421;
    g->fault.gla_valid = true;
    g->fault.code_size = SRO_CODE_64;
    g->fault.has_insn = true;
    g->insn.valid = true;
    g->insn.mode = 64;
    g->insn.store = true;
    g->insn.width = (uint8_t)width;
    strncpy(g->insn.kind, kind, sizeof(g->insn.kind) - 1);
    g->done.outcome = SRO_RETIRED;
    g->done.store_size = width;
    g->complete = true;
}

static void grp_write(struct grp *g, unsigned int off, unsigned int len,
                      unsigned int result, unsigned int dev)
{
    struct sro_write *w = &g->writes[g->nwrites++];

    w->mfn = g->fault.mfn;
    w->offset = (uint16_t)off;
    w->len = (uint8_t)len;
    w->result = (uint8_t)result;
    w->dev_offset = (uint16_t)dev;
    g->done.nwrites = g->nwrites;
}

static enum sro_verdict judge(const struct sro_prot *p, const struct grp *g,
                              struct sro_judgement *j)
{
    struct sro_page_prot pp;
    struct sro_judge_input in = {
        .fault = &g->fault, .insn = &g->insn, .page = &pp,
        .complete = g->complete, .writes = g->writes,
        .nwrites = g->nwrites, .done = &g->done,
    };

    sro_prot_page(p, g->fault.mfn, &pp);
    return sro_oracle_judge(&in, j);
}

/* The configuration of verdicts-basic.trace, from its records: 0xfe100
 * read-only 0x20..0x5f, 0xfe101 0x00..0x0f, 0xfe200 whole. */
static struct sro_prot *conformance_config(void)
{
    struct sro_prot *p = sro_prot_new();
    const uint32_t add1[5] = { 0xfe100020, 0, 64, 0, 0x800 };
    const uint32_t add2[5] = { 0xfe101000, 0, 16, 0, 0x800 };
    const uint32_t pages1[4] = { 0xfe100, 0, 0xfe101, 0 };
    const uint32_t pages2[4] = { 0xfe200, 0, 0xfe200, 0 };

    assert_non_null(p);
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_ADD, add1, 5), 0);
    assert_int_equal(sro_prot_apply_record(p, SRO_RANGE_ADD, add2, 5), 0);
    assert_int_equal(sro_prot_apply_record(p, SRO_RO_PAGES, pages1, 4), 0);
    assert_int_equal(sro_prot_apply_record(p, SRO_RO_PAGES, pages2, 4), 0);
    return p;
}

/* One expected line of verdicts-basic.expect.json, with the deciding
 * piece and the intent this implementation reports. */
struct expect {
    unsigned int     cpu;
    uint64_t         tsc;
    enum sro_verdict verdict;
    int              piece;
    enum sro_intent  intent;
};

/*
 * The eleven groups, in the order of the expect file. Offsets, lengths,
 * results, device offsets and outcomes are the records' own (decoded
 * from the trace's bytes); the instructions (89 07, 48 89 07, 0f 11 07,
 * c7 07 imm32, 66 0f 7f 07) are entered as the decoder describes them.
 */
static void test_conformance_verdicts(void **state)
{
    static const struct expect want[11] = {
        { 0, 1016080, SRO_V_CORRECT,          -1, SRO_ALLOW },
        { 1, 2000960, SRO_V_CORRECT,          -1, SRO_DENY },
        { 0, 1020206, SRO_V_MISDIRECTED,       0, SRO_ALLOW },
        { 1, 2001755, SRO_V_WRONGLY_ACCEPTED,  0, SRO_ALLOW },
        { 0, 1022357, SRO_V_WRONGLY_DENIED,   -1, SRO_ALLOW },
        { 1, 2006304, SRO_V_HARSH_DENY,       -1, SRO_DENY },
        { 0, 1026152, SRO_V_CORRECT,          -1, SRO_MIXED },
        { 1, 2010704, SRO_V_CORRECT,          -1, SRO_DENY },
        { 0, 1030139, SRO_V_WRONGLY_DENIED,    0, SRO_ALLOW },
        { 1, 2011505, SRO_V_WRONGLY_ACCEPTED,  0, SRO_DENY },
        { 0, 1032722, SRO_V_UNDECIDABLE,      -1, SRO_ALLOW },
    };
    struct sro_prot *p = conformance_config();
    struct grp g[11];
    struct sro_judgement j;

    (void)state;
    /* cpu 0, tsc 1016080: mov [rdi],eax at 0x08, written in place. */
    grp_init(&g[0], 0xf0100008, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g[0], 8, 4, SRO_WRITTEN, 8);
    /* cpu 1, tsc 2000960: at 0x28 (read-only), dropped, retired. */
    grp_init(&g[1], 0xf0100028, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g[1], 40, 4, SRO_DROPPED_RO, 0);
    /* cpu 0, tsc 1020206: at 0x68, written at offset 0 (the 4.20.0 bug). */
    grp_init(&g[2], 0xf0100068, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g[2], 104, 4, SRO_WRITTEN, 0);
    /* cpu 1, tsc 2001755: 8 bytes at 0x48 of 0xfe101, written at 0, which
     * is read-only there. */
    grp_init(&g[3], 0xf0101048, 0xfe101, 8, "mov_m64_r64");
    grp_write(&g[3], 72, 8, SRO_WRITTEN, 0);
    /* cpu 0, tsc 1022357: 4.20 HVM path, no GLA, at 0x10 (writable): no
     * write, domain crashed (NOT_ACCEPTED). */
    grp_init(&g[4], 0xf0100010, 0xfe100, 4, "mov_m32_r32");
    g[4].fault.path = SRO_PATH_HVM_420;
    g[4].fault.gla_valid = false;
    g[4].fault.gla = ~UINT64_C(0);
    g[4].done.outcome = SRO_DOMAIN_CRASH;
    g[4].done.reason = SRO_REASON_NOT_ACCEPTED;
    /* cpu 1, tsc 2006304: at 0x30 (read-only): no write, crashed. */
    grp_init(&g[5], 0xf0100030, 0xfe100, 4, "mov_m32_r32");
    g[5].fault.path = SRO_PATH_HVM_420;
    g[5].done.outcome = SRO_DOMAIN_CRASH;
    g[5].done.reason = SRO_REASON_NOT_ACCEPTED;
    /* cpu 0, tsc 1026152: movups 16 bytes at 0x18: first qword written,
     * second (read-only) dropped. */
    grp_init(&g[6], 0xf0100018, 0xfe100, 16, "movups_m128");
    grp_write(&g[6], 24, 8, SRO_WRITTEN, 24);
    grp_write(&g[6], 32, 8, SRO_DROPPED_RO, 0);
    /* cpu 1, tsc 2010704: mov dword [rdi],1 on the whole read-only page. */
    grp_init(&g[7], 0xf0200100, 0xfe200, 4, "mov_m32_imm");
    grp_write(&g[7], 256, 4, SRO_DROPPED_NO_ENTRY, 0);
    /* cpu 0, tsc 1030139: PV hardware domain, movdqa 16 bytes at 0x70
     * (writable), dropped for its size. */
    grp_init(&g[8], 0xfe100070, 0xfe100, 16, "movdqa_m128");
    g[8].fault.path = SRO_PATH_PV;
    g[8].fault.hwdom = true;
    grp_write(&g[8], 112, 16, SRO_DROPPED_BAD_SIZE, 0);
    /* cpu 1, tsc 2011505: at 0x48 (read-only), written in place. */
    grp_init(&g[9], 0xf0100048, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g[9], 72, 4, SRO_WRITTEN, 72);
    /* cpu 0, tsc 1032722: records lost inside the group. */
    grp_init(&g[10], 0xf0100050, 0xfe100, 4, "mov_m32_r32");
    g[10].complete = false;

    for ( unsigned int i = 0; i < 11; i++ )
    {
        enum sro_verdict v = judge(p, &g[i], &j);

        if ( v != want[i].verdict || j.piece != want[i].piece ||
             (v != SRO_V_UNDECIDABLE && j.intent != want[i].intent) )
            fail_msg("group cpu %u tsc %lu: got %s piece %d intent %s, "
                     "want %s piece %d intent %s", want[i].cpu,
                     (unsigned long)want[i].tsc, sro_verdict_name(v),
                     j.piece, sro_intent_name(j.intent),
                     sro_verdict_name(want[i].verdict), want[i].piece,
                     sro_intent_name(want[i].intent));
        assert_int_equal(j.verdict, v);
        assert_non_null(j.why);
    }
    sro_prot_free(p);
}

/* ---- intent ---- */

static void test_intent(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_page_prot pp, whole, unknown;

    (void)state;
    sro_prot_page(p, 0xfe100, &pp);
    sro_prot_page(p, 0xfe200, &whole);
    sro_prot_page(p, 0xfe999, &unknown);
    assert_int_equal(sro_oracle_intent(&pp, 0x1c, 4), SRO_ALLOW);
    assert_int_equal(sro_oracle_intent(&pp, 0x1c, 5), SRO_MIXED);
    assert_int_equal(sro_oracle_intent(&pp, 0x20, 64), SRO_DENY);
    assert_int_equal(sro_oracle_intent(&pp, 0x5f, 1), SRO_DENY);
    assert_int_equal(sro_oracle_intent(&pp, 0x5f, 2), SRO_MIXED);
    assert_int_equal(sro_oracle_intent(&pp, 0x60, 64), SRO_ALLOW);
    assert_int_equal(sro_oracle_intent(&pp, 0x00, 4096), SRO_MIXED);
    assert_int_equal(sro_oracle_intent(&pp, 0x20, 0), SRO_ALLOW);
    /* Bytes past the page are not counted. */
    assert_int_equal(sro_oracle_intent(&whole, 0xffc, 8), SRO_DENY);
    assert_int_equal(sro_oracle_intent(&whole, 0, 4096), SRO_DENY);
    assert_int_equal(sro_oracle_intent(&whole, 4096, 4), SRO_ALLOW);
    assert_int_equal(sro_oracle_intent(&unknown, 0, 8), SRO_ALLOW);
    /* Byte-exact holes make qwords mixed. */
    assert_int_equal(sro_prot_add_hole(p, 0xfe100022, 1), 0);
    sro_prot_page(p, 0xfe100, &pp);
    assert_int_equal(sro_oracle_intent(&pp, 0x20, 2), SRO_DENY);
    assert_int_equal(sro_oracle_intent(&pp, 0x20, 4), SRO_MIXED);
    assert_int_equal(sro_oracle_intent(&pp, 0x22, 1), SRO_ALLOW);
    sro_prot_free(p);
}

/* ---- UNDECIDABLE ---- */

static void test_undecidable(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_page_prot pp;
    struct sro_judgement j;
    struct grp g;
    struct sro_judge_input in;

    (void)state;
    grp_init(&g, 0xf0100008, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 8, 4, SRO_WRITTEN, 8);
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);

    g.complete = false;
    assert_int_equal(judge(p, &g, &j), SRO_V_UNDECIDABLE);
    assert_string_equal(j.why, "group incomplete");
    g.complete = true;

    g.insn.valid = false;
    assert_int_equal(judge(p, &g, &j), SRO_V_UNDECIDABLE);
    g.insn.valid = true;
    g.insn.store = false;
    assert_int_equal(judge(p, &g, &j), SRO_V_UNDECIDABLE);
    assert_string_equal(j.why, "instruction is not a store");
    g.insn.store = true;

    g.writes[0].result = SRO_RESULT_COUNT;
    assert_int_equal(judge(p, &g, &j), SRO_V_UNDECIDABLE);
    assert_int_equal(j.piece, 0);
    g.writes[0].result = SRO_WRITTEN;

    /* No SRO_INSN, no SRO_DONE, page nobody configured. */
    sro_prot_page(p, 0xfe100, &pp);
    in = (struct sro_judge_input){
        .fault = &g.fault, .insn = NULL, .page = &pp, .complete = true,
        .writes = g.writes, .nwrites = 1, .done = &g.done,
    };
    assert_int_equal(sro_oracle_judge(&in, &j), SRO_V_UNDECIDABLE);
    in.insn = &g.insn;
    in.done = NULL;
    assert_int_equal(sro_oracle_judge(&in, &j), SRO_V_UNDECIDABLE);
    in.done = &g.done;
    assert_int_equal(sro_oracle_judge(&in, &j), SRO_V_CORRECT);
    sro_prot_page(p, 0xfe300, &pp);
    assert_int_equal(sro_oracle_judge(&in, &j), SRO_V_UNDECIDABLE);
    assert_string_equal(j.why, "protection of the page unknown");
    sro_prot_free(p);
}

/* ---- the readings chosen, one by one ---- */

/* Guest offset read-only, device offset writable: WRONGLY_ACCEPTED. */
static void test_written_ro_guest_offset(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    grp_init(&g, 0xf0100040, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 0x40, 4, SRO_WRITTEN, 0x70);
    assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_ACCEPTED);
    assert_int_equal(j.piece, 0);
    assert_int_equal(j.intent, SRO_DENY);
    sro_prot_free(p);
}

/* Written with another length, or beyond the store: MISDIRECTED. */
static void test_written_other_length(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    grp_init(&g, 0xf0100008, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 8, 8, SRO_WRITTEN, 8);
    assert_int_equal(judge(p, &g, &j), SRO_V_MISDIRECTED);
    assert_int_equal(j.piece, 0);

    /* ... but a written piece that would reach read-only bytes is worse. */
    grp_init(&g, 0xf010001c, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 0x1c, 8, SRO_WRITTEN, 0x1c);
    assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_ACCEPTED);
    sro_prot_free(p);
}

/* Written to another page than the fault's: MISDIRECTED; dropped there:
 * no judgement from that piece. */
static void test_other_page(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    grp_init(&g, 0xf0100008, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 8, 4, SRO_WRITTEN, 8);
    g.writes[0].mfn = 0xfe101;
    assert_int_equal(judge(p, &g, &j), SRO_V_MISDIRECTED);

    grp_init(&g, 0xf0100040, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 0x40, 4, SRO_DROPPED_RO, 0);
    g.writes[0].mfn = 0xfe101;
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    sro_prot_free(p);
}

/* A piece of length 0 carries nothing and is ignored. */
static void test_zero_length_piece(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    grp_init(&g, 0xf0100008, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 0x20, 0, SRO_WRITTEN, 0x30);
    grp_write(&g, 8, 4, SRO_WRITTEN, 8);
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    sro_prot_free(p);
}

/* Writable bytes of a non-string store that no correct piece wrote:
 * WRONGLY_DENIED, decided by no single piece. */
static void test_coverage(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    grp_init(&g, 0xf0100000, 0xfe100, 16, "movups_m128");
    grp_write(&g, 0, 8, SRO_WRITTEN, 0);
    assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_DENIED);
    assert_int_equal(j.piece, -1);
    grp_write(&g, 8, 8, SRO_WRITTEN, 8);
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);

    /* MIXED store: the writable half written, the read-only half never
     * attempted: correct (nothing writable is missing). */
    grp_init(&g, 0xf0100018, 0xfe100, 16, "movups_m128");
    grp_write(&g, 0x18, 8, SRO_WRITTEN, 0x18);
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    assert_int_equal(j.intent, SRO_MIXED);

    /* A misdirected piece does not cover: MISDIRECTED wins anyway. */
    grp_init(&g, 0xf0100008, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 8, 4, SRO_WRITTEN, 0x10);
    assert_int_equal(judge(p, &g, &j), SRO_V_MISDIRECTED);
    sro_prot_free(p);
}

/* Dropped pieces: fine when all their bytes are read-only, wrong when
 * some are writable (MIXED included, e.g. under a byte hole). */
static void test_dropped_pieces(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    grp_init(&g, 0xf0100018, 0xfe100, 16, "movups_m128");
    grp_write(&g, 0x18, 8, SRO_WRITTEN, 0x18);
    grp_write(&g, 0x20, 8, SRO_DROPPED_RO, 0);
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);

    assert_int_equal(sro_prot_add_hole(p, 0xfe100024, 4), 0);
    assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_DENIED);
    assert_int_equal(j.piece, 1);
    sro_prot_free(p);
}

/* The precedence of section 4, whatever the order of the pieces; the
 * first piece wins among equals. */
static void test_precedence(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    grp_init(&g, 0xf0100000, 0xfe100, 64, "vmovdqu64_m512");
    grp_write(&g, 0x00, 8, SRO_DROPPED_RO, 0);       /* WRONGLY_DENIED */
    grp_write(&g, 0x08, 8, SRO_WRITTEN, 0x00);       /* MISDIRECTED */
    grp_write(&g, 0x10, 8, SRO_WRITTEN, 0x10);       /* fine */
    grp_write(&g, 0x20, 8, SRO_WRITTEN, 0x20);       /* WRONGLY_ACCEPTED */
    assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_ACCEPTED);
    assert_int_equal(j.piece, 3);
    g.nwrites = 3;
    assert_int_equal(judge(p, &g, &j), SRO_V_MISDIRECTED);
    assert_int_equal(j.piece, 1);
    g.nwrites = 1;
    assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_DENIED);
    assert_int_equal(j.piece, 0);
    g.writes[1] = g.writes[0];
    g.nwrites = 2;
    assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_DENIED);
    assert_int_equal(j.piece, 0);
    sro_prot_free(p);
}

/* DENY stores: CORRECT when retired, retried or handed on; HARSH_DENY
 * when the guest is faulted or crashed, with or without dropped pieces,
 * but never when something was written. */
static void test_harsh_deny(void **state)
{
    static const struct {
        uint8_t outcome;
        enum sro_verdict v;
    } cases[] = {
        { SRO_RETIRED, SRO_V_CORRECT },
        { SRO_RETRY, SRO_V_CORRECT },
        { SRO_PF_TO_GUEST, SRO_V_HARSH_DENY },
        { SRO_GP_TO_GUEST, SRO_V_HARSH_DENY },
        { SRO_EXCEPTION, SRO_V_HARSH_DENY },
        { SRO_DOMAIN_CRASH, SRO_V_HARSH_DENY },
        { SRO_NOT_HANDLED, SRO_V_CORRECT },
    };
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    for ( unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++ )
    {
        grp_init(&g, 0xf0100020, 0xfe100, 4, "mov_m32_r32");
        g.done.outcome = cases[i].outcome;
        assert_int_equal(judge(p, &g, &j), cases[i].v);
        grp_write(&g, 0x20, 4, SRO_DROPPED_RO, 0);
        assert_int_equal(judge(p, &g, &j), cases[i].v);
        assert_int_equal(j.piece, -1);
    }
    /* Written elsewhere on the page (a string store's later iteration):
     * something reached the device, so not HARSH_DENY. */
    grp_init(&g, 0xf010005c, 0xfe100, 4, "stosd");
    g.insn.string = true;
    g.insn.rep = true;
    g.done.outcome = SRO_GP_TO_GUEST;
    grp_write(&g, 0x5c, 4, SRO_DROPPED_RO, 0);
    grp_write(&g, 0x60, 4, SRO_WRITTEN, 0x60);
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    /* Harsh outcomes of an ALLOW store that was written are fine. */
    grp_init(&g, 0xf0100008, 0xfe100, 4, "mov_m32_r32");
    grp_write(&g, 8, 4, SRO_WRITTEN, 8);
    g.done.outcome = SRO_DOMAIN_CRASH;
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    sro_prot_free(p);
}

/* No piece at all: judged from the decoded store alone, whatever the
 * outcome (RETRY and NOT_HANDLED included). */
static void test_no_writes(void **state)
{
    static const uint8_t outcomes[] = {
        SRO_RETIRED, SRO_RETRY, SRO_PF_TO_GUEST, SRO_NOT_HANDLED,
    };
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    for ( unsigned int i = 0; i < sizeof(outcomes); i++ )
    {
        grp_init(&g, 0xf0100018, 0xfe100, 16, "movups_m128");
        g.done.outcome = outcomes[i];
        assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_DENIED);
        assert_int_equal(j.intent, SRO_MIXED);
        assert_int_equal(j.piece, -1);
    }
    sro_prot_free(p);
}

/* String stores: S is one iteration; pieces of later iterations may lie
 * anywhere on the page; only their offsets must agree; no coverage. */
static void test_string_store(void **state)
{
    struct sro_prot *p = conformance_config();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    grp_init(&g, 0xf0100010, 0xfe100, 4, "stosd");
    g.insn.string = true;
    g.insn.rep = true;
    grp_write(&g, 0x10, 4, SRO_WRITTEN, 0x10);
    grp_write(&g, 0x14, 4, SRO_WRITTEN, 0x14);
    grp_write(&g, 0x18, 4, SRO_WRITTEN, 0x18);
    grp_write(&g, 0x1c, 4, SRO_WRITTEN, 0x1c);
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    assert_int_equal(j.intent, SRO_ALLOW);
    g.writes[3].dev_offset = 0x00;
    assert_int_equal(judge(p, &g, &j), SRO_V_MISDIRECTED);
    assert_int_equal(j.piece, 3);
    g.writes[3].dev_offset = 0x1c;
    g.writes[3].offset = 0x20;
    g.writes[3].dev_offset = 0x20;
    g.writes[3].result = SRO_DROPPED_RO;
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    /* Only the first iteration was done: no coverage rule. */
    g.nwrites = 1;
    g.insn.width = 1;
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    sro_prot_free(p);
}

/* A store crossing the end of the page is judged on this page's bytes. */
static void test_page_crossing(void **state)
{
    struct sro_prot *p = sro_prot_new();
    struct sro_judgement j;
    struct grp g;

    (void)state;
    assert_int_equal(sro_prot_add(p, 0xfe100ff0, 8), 0);
    grp_init(&g, 0xf0100ffc, 0xfe100, 8, "mov_m64_r64");
    grp_write(&g, 0xffc, 4, SRO_WRITTEN, 0xffc);
    assert_int_equal(judge(p, &g, &j), SRO_V_CORRECT);
    assert_int_equal(j.intent, SRO_ALLOW);
    g.nwrites = 0;
    assert_int_equal(judge(p, &g, &j), SRO_V_WRONGLY_DENIED);
    sro_prot_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance_verdicts),
        cmocka_unit_test(test_intent),
        cmocka_unit_test(test_undecidable),
        cmocka_unit_test(test_written_ro_guest_offset),
        cmocka_unit_test(test_written_other_length),
        cmocka_unit_test(test_other_page),
        cmocka_unit_test(test_zero_length_piece),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_dropped_pieces),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_harsh_deny),
        cmocka_unit_test(test_no_writes),
        cmocka_unit_test(test_string_store),
        cmocka_unit_test(test_page_crossing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
