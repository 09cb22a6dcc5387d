/*
 * test-what-if-report.c - replayer/what-if-report.c: the fate of a
 * behaviour, and the report built from hand-made replay results.
 *
 * Fates: the outcome decides unless the store retired; then the WRITTEN
 * records at the guest's offsets do (all bytes, some, none, elsewhere).
 * The report: only changed fates are kept, counted per (domain, page,
 * offset, width, from, to, cause); the cause is "plan" when the model,
 * asked under the recorded protection, agrees with the recording, else
 * "model"; register names come from the namer; incomplete groups and
 * declined predictions are counted apart; the output is sorted, the
 * plan's changes first; control characters in names never reach the
 * terminal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/model-fixture.h"
#include "replayer/what-if-report.h"

static struct sro_write wr(unsigned int off, unsigned int len,
                           unsigned int result, unsigned int dev)
{
    struct sro_write w;

    memset(&w, 0, sizeof(w));
    w.mfn = MF_MFN;
    w.offset = (uint16_t)off;
    w.len = (uint8_t)len;
    w.result = (uint8_t)result;
    w.dev_offset = (uint16_t)dev;
    return w;
}

static void fates(void **state)
{
    struct sro_write w[3];

    (void)state;
    w[0] = wr(0x10, 8, SRO_WRITTEN, 0x10);
    w[1] = wr(0x18, 8, SRO_WRITTEN, 0x18);
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 16, w, 2, SRO_RETIRED),
                     SRO_FATE_WRITTEN);
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 16, w, 1, SRO_RETIRED),
                     SRO_FATE_PARTLY);
    w[1] = wr(0x18, 8, SRO_DROPPED_RO, 0);
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 16, w, 2, SRO_RETIRED),
                     SRO_FATE_PARTLY);
    assert_int_equal(sro_fate_of(MF_MFN, 0x18, 8, &w[1], 1, SRO_RETIRED),
                     SRO_FATE_DROPPED);
    assert_int_equal(sro_fate_of(MF_MFN, 0x18, 8, NULL, 0, SRO_RETIRED),
                     SRO_FATE_DROPPED);
    w[2] = wr(0x10, 4, SRO_WRITTEN, 0);         /* 4.20.0: at offset 0 */
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 4, &w[2], 1, SRO_RETIRED),
                     SRO_FATE_MISDIRECTED);
    w[2].mfn = MF_MFN + 1;                      /* another page */
    w[2].dev_offset = 0x10;
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 4, &w[2], 1, SRO_RETIRED),
                     SRO_FATE_MISDIRECTED);
    /* The outcome decides when the instruction did not retire, writes or
     * not. */
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 16, w, 2, SRO_DOMAIN_CRASH),
                     SRO_FATE_CRASH);
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 4, NULL, 0, SRO_PF_TO_GUEST),
                     SRO_FATE_PF);
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 4, NULL, 0, SRO_GP_TO_GUEST),
                     SRO_FATE_GP);
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 4, NULL, 0, SRO_EXCEPTION),
                     SRO_FATE_EXCEPTION);
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 4, NULL, 0, SRO_RETRY),
                     SRO_FATE_RETRY);
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 4, NULL, 0, SRO_NOT_HANDLED),
                     SRO_FATE_NOT_HANDLED);
    /* Width unknown: any written byte counts as written. */
    assert_int_equal(sro_fate_of(MF_MFN, 0x10, 0, w, 1, SRO_RETIRED),
                     SRO_FATE_WRITTEN);
    assert_string_equal(sro_fate_name(SRO_FATE_DROPPED), "dropped");
    assert_null(sro_fate_name(SRO_FATE_COUNT));
}

/* Names offset 0x10 "CTRL" and nothing else; counts its calls. */
static unsigned int namer_calls;

static void namer(void *ctx, uint64_t mfn, unsigned int off,
                  unsigned int len, char *buf, size_t buflen)
{
    (void)ctx;
    (void)len;
    namer_calls++;
    snprintf(buf, buflen, "%s", mfn == MF_MFN && off == 0x10 ? "CTRL" : "");
}

/* A replay result of a 4-byte mov at `off` by `domain`, recorded as
 * `rec` (one write or none) with outcome `out`, predicted under the plan
 * as `pred`/`pout`. The recorded protection is the fixture page. */
struct fixture {
    struct sro_stored_group sg;
    struct sro_write        rec;
    struct sro_insn         insn;
    struct sro_page_prot    page;
    struct sro_group_result r;
};

static void make(struct fixture *f, int64_t id, uint16_t domain,
                 unsigned int off, const struct sro_write *rec,
                 unsigned int out, const struct sro_write *pred,
                 unsigned int pout)
{
    memset(f, 0, sizeof(*f));
    f->insn = mf_insn("mov dword ptr [rdi], eax", 4, 0);
    f->sg.id = id;
    f->sg.g.fault.domain = domain;
    f->sg.g.fault.path = SRO_PATH_PV;
    f->sg.g.fault.hwdom = true;
    f->sg.g.fault.has_insn = true;
    f->sg.g.fault.insn_len = 3;
    f->sg.g.fault.mfn = MF_MFN;
    f->sg.g.fault.gpa = ((uint64_t)MF_MFN << 12) | off;
    if ( rec )
    {
        f->rec = *rec;
        f->sg.g.writes = &f->rec;
        f->sg.g.nwrites = 1;
    }
    f->sg.g.has_done = true;
    f->sg.g.done.outcome = (uint8_t)out;
    f->r.sg = &f->sg;
    f->r.insn = &f->insn;
    f->page = mf_page();
    f->r.page = &f->page;
    f->r.predicted[0] = true;
    f->r.pred[0].done.outcome = (uint8_t)pout;
    if ( pred )
    {
        f->r.pred[0].writes[0] = *pred;
        f->r.pred[0].nwrites = 1;
    }
}

static void report(void **state)
{
    const struct sro_model *m = sro_model_find("xen-4.21", NULL, 0);
    struct sro_whatif_report w;
    struct sro_write wrote = wr(0x10, 4, SRO_WRITTEN, 0x10);
    struct sro_write drop = wr(0x10, 4, SRO_DROPPED_RO, 0);
    struct sro_write wrote68 = wr(0x68, 4, SRO_WRITTEN, 0x68);
    struct sro_write drop68 = wr(0x68, 4, SRO_DROPPED_RO, 0);
    struct fixture *f = calloc(1, sizeof(*f));
    char *buf = NULL;
    size_t len = 0;
    FILE *out;

    (void)state;
    assert_non_null(m);
    assert_non_null(f);
    namer_calls = 0;
    sro_whatif_init(&w, m, "p.plan", namer, NULL);

    /* Three stores to CTRL (0x10, writable now) that a plan drops: the
     * model agrees with the recording under the recorded protection, so
     * the plan is the cause. */
    for ( int64_t id = 1; id <= 3; id++ )
    {
        make(f, id, 3, 0x10, &wrote, SRO_RETIRED, &drop, SRO_RETIRED);
        assert_int_equal(sro_whatif_add(&w, &f->r), 0);
    }
    /* Unchanged fate: not kept. */
    make(f, 4, 3, 0x10, &wrote, SRO_RETIRED, &wrote, SRO_RETIRED);
    assert_int_equal(sro_whatif_add(&w, &f->r), 0);
    /* Recorded as a crash at 0x68; under the recorded protection the
     * model writes it already: the model's doing. Four of them. */
    for ( int64_t id = 5; id <= 8; id++ )
    {
        make(f, id, 7, 0x68, NULL, SRO_DOMAIN_CRASH, &wrote68, SRO_RETIRED);
        assert_int_equal(sro_whatif_add(&w, &f->r), 0);
    }
    /* Not compared: incomplete, and declined. */
    make(f, 9, 3, 0x68, &drop68, SRO_RETIRED, &wrote68, SRO_RETIRED);
    f->sg.g.incomplete = SRO_INC_EOF;
    assert_int_equal(sro_whatif_add(&w, &f->r), 0);
    make(f, 10, 3, 0x68, &drop68, SRO_RETIRED, &wrote68, SRO_RETIRED);
    f->r.predicted[0] = false;
    assert_int_equal(sro_whatif_add(&w, &f->r), 0);

    assert_int_equal(w.groups, 8);
    assert_int_equal(w.changed, 7);
    assert_int_equal(w.changed_by_plan, 3);
    assert_int_equal(w.incomplete, 1);
    assert_int_equal(w.not_predicted, 1);
    assert_int_equal(w.nchanges, 2);
    assert_int_equal(namer_calls, 2);       /* once per new change */

    sro_whatif_sort(&w);
    assert_true(w.changes[0].by_plan);      /* the plan's first, though */
    assert_int_equal(w.changes[0].groups, 3);   /* smaller */
    assert_string_equal(w.changes[0].reg, "CTRL");
    assert_int_equal(w.changes[0].from, SRO_FATE_WRITTEN);
    assert_int_equal(w.changes[0].to, SRO_FATE_DROPPED);
    assert_int_equal(w.changes[0].example_group, 1);
    assert_false(w.changes[1].by_plan);
    assert_int_equal(w.changes[1].groups, 4);
    assert_int_equal(w.changes[1].domain, 7);
    assert_int_equal(w.changes[1].from, SRO_FATE_CRASH);
    assert_int_equal(w.changes[1].to, SRO_FATE_WRITTEN);

    out = open_memstream(&buf, &len);
    assert_non_null(out);
    sro_whatif_print_text(&w, out);
    fclose(out);
    assert_string_equal(buf,
        "\nwhat-if p.plan, through xen-4.21: 7 of 8 groups would change "
        "fate (3 by the plan)\n"
        "  3 4-byte stores by domain 3 to CTRL (mfn 0xfe100 offset 0x10) "
        "would be dropped (they reached the device)\n"
        "  4 more would change without the plan too (the model differs "
        "from the recording):\n"
        "    4 4-byte stores by domain 7 to mfn 0xfe100 offset 0x68 would "
        "now reach the device (they crashed the domain)\n"
        "  not compared: 1 incomplete group, 1 without a prediction\n");
    free(buf);

    out = open_memstream(&buf, &len);
    assert_non_null(out);
    {
        struct json j;

        json_init(&j, out, false);
        json_object_begin(&j);
        sro_whatif_print_json(&w, &j);
        json_object_end(&j);
        json_end(&j);
    }
    fclose(out);
    assert_string_equal(buf,
        "{\"what_if\":{\"plan\":\"p.plan\",\"model\":\"xen-4.21\","
        "\"groups\":8,\"changed\":7,\"changed_by_plan\":3,\"incomplete\":1,"
        "\"not_predicted\":1,\"changes\":["
        "{\"domain\":3,\"mfn\":\"0xfe100\",\"offset\":16,\"length\":4,"
        "\"register\":\"CTRL\",\"from\":\"written\",\"to\":\"dropped\","
        "\"cause\":\"plan\",\"groups\":3,\"example_group\":1},"
        "{\"domain\":7,\"mfn\":\"0xfe100\",\"offset\":104,\"length\":4,"
        "\"register\":null,\"from\":\"crash\",\"to\":\"written\","
        "\"cause\":\"model\",\"groups\":4,\"example_group\":5}]}}\n");
    free(buf);
    free(f);
    sro_whatif_free(&w);
}

/* Names everything with an escape sequence. */
static void evil_namer(void *ctx, uint64_t mfn, unsigned int off,
                       unsigned int len, char *buf, size_t buflen)
{
    (void)ctx;
    (void)mfn;
    (void)off;
    (void)len;
    snprintf(buf, buflen, "R\x1b[2J");
}

/* Control characters in the plan path and register names do not reach
 * the terminal. */
static void hostile_names(void **state)
{
    const struct sro_model *m = sro_model_find("xen-4.21", NULL, 0);
    struct sro_whatif_report w;
    struct sro_write wrote = wr(0x10, 4, SRO_WRITTEN, 0x10);
    struct sro_write drop = wr(0x10, 4, SRO_DROPPED_RO, 0);
    struct fixture *f = calloc(1, sizeof(*f));
    char *buf = NULL;
    size_t len = 0;
    FILE *out;

    (void)state;
    assert_non_null(f);
    sro_whatif_init(&w, m, "p\n\x1b]0;x\a.plan", evil_namer, NULL);
    make(f, 1, 3, 0x10, &wrote, SRO_RETIRED, &drop, SRO_RETIRED);
    assert_int_equal(sro_whatif_add(&w, &f->r), 0);
    out = open_memstream(&buf, &len);
    assert_non_null(out);
    sro_whatif_print_text(&w, out);
    fclose(out);
    assert_string_equal(buf,
        "\nwhat-if p??]0;x?.plan, through xen-4.21: 1 of 1 groups would "
        "change fate (1 by the plan)\n"
        "  1 4-byte store by domain 3 to R?[2J (mfn 0xfe100 offset 0x10) "
        "would be dropped (they reached the device)\n");
    free(buf);
    free(f);
    sro_whatif_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fates),
        cmocka_unit_test(report),
        cmocka_unit_test(hostile_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
