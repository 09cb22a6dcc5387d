/*
 * test-replayer.c - the replayer's pure parts: protection plans, the
 * default model for a Xen version, behaviour comparison, and the kinds of
 * change that `srotrace diff` groups by.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/prot.h"
#include "replayer/compare.h"
#include "replayer/diff.h"
#include "replayer/model-choice.h"
#include "replayer/plan.h"

static int parse(const char *text, struct sro_plan *plan, char *err)
{
    return sro_plan_parse("plan.txt", text, strlen(text), plan, err, 256);
}

static void test_plan_parses_every_form(void **state)
{
    struct sro_plan plan;
    char err[256];

    (void)state;
    assert_int_equal(parse("# DbC registers\n"
                           "0xfe100020 64\n"
                           "ro 0xfe101000 0x10   # comment\n"
                           "\n"
                           "ro-pages 0xfe200\n"
                           "ro-pages 0xfe300 0xfe302\n"
                           "writable 0xfe100024 4\n", &plan, err), 0);
    assert_int_equal(plan.n, 5);
    assert_int_equal(plan.lines[0].kind, SRO_PLAN_RO);
    assert_int_equal(plan.lines[0].a, 0xfe100020);
    assert_int_equal(plan.lines[0].b, 64);
    assert_int_equal(plan.lines[0].lineno, 2);
    assert_int_equal(plan.lines[1].kind, SRO_PLAN_RO);
    assert_int_equal(plan.lines[1].b, 16);
    assert_int_equal(plan.lines[2].kind, SRO_PLAN_RO_PAGES);
    assert_int_equal(plan.lines[2].a, 0xfe200);
    assert_int_equal(plan.lines[2].b, 0xfe200);
    assert_int_equal(plan.lines[3].b, 0xfe302);
    assert_int_equal(plan.lines[4].kind, SRO_PLAN_WRITABLE);
    assert_int_equal(plan.lines[4].lineno, 7);
    sro_plan_free(&plan);
}

static void test_plan_errors_name_file_and_line(void **state)
{
    struct sro_plan plan;
    char err[256];

    (void)state;
    assert_int_equal(parse("0x1000 8\nbogus 1 2\n", &plan, err), -1);
    assert_string_equal(err, "plan.txt:2: unknown keyword 'bogus' (expected "
                             "ro, ro-pages, writable or an address)");
    assert_int_equal(parse("0x1000\n", &plan, err), -1);
    assert_string_equal(err, "plan.txt:1: expected START SIZE");
    assert_int_equal(parse("ro 0x10zz 8\n", &plan, err), -1);
    assert_string_equal(err, "plan.txt:1: bad number '0x10zz'");
    assert_int_equal(parse("ro-pages 5 4\n", &plan, err), -1);
    assert_string_equal(err, "plan.txt:1: last mfn below first");
    assert_int_equal(parse("0xffffffffffffff00 0x200\n", &plan, err), -1);
    assert_string_equal(err, "plan.txt:1: range wraps past 2^64");
    assert_int_equal(parse("1 2 3 4 5\n", &plan, err), -1);
}

static void test_plan_applies_like_xen(void **state)
{
    struct sro_plan plan;
    struct sro_prot *p = sro_prot_new();
    struct sro_page_prot pp;
    char err[256];

    (void)state;
    assert_int_equal(parse("0xfe100020 64\nro-pages 0xfe200\n"
                           "writable 0xfe100024 4\n", &plan, err), 0);
    assert_int_equal(sro_plan_apply(&plan, p, err, sizeof(err)), 0);
    assert_int_equal(sro_prot_page(p, 0xfe100, &pp), SRO_PAGE_SUBPAGE);
    assert_true(sro_page_byte_ro(&pp, 0x20));
    assert_false(sro_page_byte_ro(&pp, 0x24));   /* the hole */
    assert_true(sro_page_byte_ro(&pp, 0x28));
    assert_false(sro_page_byte_ro(&pp, 0x60));
    assert_int_equal(sro_prot_page(p, 0xfe200, &pp), SRO_PAGE_RO_WHOLE);
    sro_plan_free(&plan);

    /* Xen refuses ranges that are not multiples of 8. */
    assert_int_equal(parse("0xfe100004 4\n", &plan, err), 0);
    assert_int_equal(sro_plan_apply(&plan, p, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "plan.txt:1: Xen refuses this range"));
    sro_plan_free(&plan);
    sro_prot_free(p);
}

static void test_model_for_xen_version(void **state)
{
    (void)state;
    assert_string_equal(sro_model_for_xen_version("4.20.0"), "xen-4.20.0");
    assert_string_equal(sro_model_for_xen_version("4.20.1"), "xen-4.20.1");
    assert_string_equal(sro_model_for_xen_version("4.20.3-pre"),
                        "xen-4.20.1");
    assert_string_equal(sro_model_for_xen_version("4.20"), "xen-4.20.1");
    assert_string_equal(sro_model_for_xen_version("4.21.0"), "xen-4.21");
    assert_string_equal(sro_model_for_xen_version("4.22-unstable"),
                        "xen-4.21");
    assert_string_equal(sro_model_for_xen_version(NULL), "xen-4.21");
    assert_string_equal(sro_model_for_xen_version("garbage"), "xen-4.21");
    assert_null(sro_model_for_xen_version("4.19.1"));
}

static struct sro_write wr(unsigned int off, unsigned int len,
                           unsigned int result, unsigned int dev)
{
    struct sro_write w = { .mfn = 0xfe100, .offset = (uint16_t)off,
                           .len = (uint8_t)len, .result = (uint8_t)result,
                           .dev_offset = (uint16_t)dev };
    return w;
}

static void test_compare_names_first_difference(void **state)
{
    struct sro_write a[2] = { wr(0x18, 8, SRO_WRITTEN, 0x18),
                              wr(0x20, 8, SRO_DROPPED_RO, 0) };
    struct sro_write b[2] = { wr(0x18, 8, SRO_WRITTEN, 0x18),
                              wr(0x20, 8, SRO_DROPPED_RO, 0x20) };
    struct sro_behaviour x = { a, 2, true, SRO_RETIRED };
    struct sro_behaviour y = { b, 2, true, SRO_RETIRED };
    char field[40], detail[96];

    (void)state;
    /* The device offset of a dropped piece means nothing. */
    assert_false(sro_behaviour_differs(&x, &y, field, sizeof(field), detail,
                                       sizeof(detail)));
    b[0].dev_offset = 0;
    assert_true(sro_behaviour_differs(&x, &y, field, sizeof(field), detail,
                                      sizeof(detail)));
    assert_string_equal(field, "writes[0].device_offset");
    assert_string_equal(detail, "0x18 -> 0");
    b[0].dev_offset = 0x18;
    b[1].result = SRO_WRITTEN;
    assert_true(sro_behaviour_differs(&x, &y, field, sizeof(field), detail,
                                      sizeof(detail)));
    assert_string_equal(field, "writes[1].result");
    assert_string_equal(detail, "DROPPED_RO -> WRITTEN");
    b[1].result = SRO_DROPPED_RO;
    y.nwrites = 1;
    assert_true(sro_behaviour_differs(&x, &y, field, sizeof(field), detail,
                                      sizeof(detail)));
    assert_string_equal(field, "nwrites");
    assert_string_equal(detail, "2 -> 1");
    y.nwrites = 2;
    y.outcome = SRO_DOMAIN_CRASH;
    assert_true(sro_behaviour_differs(&x, &y, field, sizeof(field), detail,
                                      sizeof(detail)));
    assert_string_equal(field, "outcome");
    assert_string_equal(detail, "RETIRED -> DOMAIN_CRASH");
    /* A recording without SRO_DONE has no outcome to compare. */
    x.has_done = false;
    assert_false(sro_behaviour_differs(&x, &y, field, sizeof(field), detail,
                                       sizeof(detail)));
}

static void test_format_writes(void **state)
{
    struct sro_write w[2] = { wr(0x68, 4, SRO_WRITTEN, 0),
                              wr(0x70, 4, SRO_DROPPED_RO, 0) };
    char buf[128];

    (void)state;
    sro_format_writes(w, 2, buf, sizeof(buf));
    assert_string_equal(buf, "0x68/4/WRITTEN@0 0x70/4/DROPPED_RO");
    sro_format_writes(w, 0, buf, sizeof(buf));
    assert_string_equal(buf, "");
}

static void test_diff_behaviour_text(void **state)
{
    struct sro_prediction p = { 0 };
    char buf[80];

    (void)state;
    sro_diff_behaviour(&p, true, buf, sizeof(buf));
    assert_string_equal(buf, "no write");
    p.done.outcome = SRO_DOMAIN_CRASH;
    sro_diff_behaviour(&p, true, buf, sizeof(buf));
    assert_string_equal(buf, "no write, DOMAIN_CRASH");
    p.done.outcome = SRO_RETIRED;
    p.nwrites = 3;
    p.writes[0] = wr(0x68, 4, SRO_WRITTEN, 0);
    p.writes[1] = wr(0x18, 8, SRO_WRITTEN, 0x18);
    p.writes[2] = wr(0x20, 8, SRO_DROPPED_RO, 0);
    sro_diff_behaviour(&p, true, buf, sizeof(buf));
    assert_string_equal(buf, "WRITTEN@0+WRITTEN+DROPPED_RO");
    p.nwrites = 2;
    p.writes[0] = wr(0x70, 8, SRO_WRITTEN, 0x70);
    sro_diff_behaviour(&p, true, buf, sizeof(buf));
    assert_string_equal(buf, "WRITTEN");       /* same parts fold */
    sro_diff_behaviour(&p, false, buf, sizeof(buf));
    assert_string_equal(buf, "no prediction");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_parses_every_form),
        cmocka_unit_test(test_plan_errors_name_file_and_line),
        cmocka_unit_test(test_plan_applies_like_xen),
        cmocka_unit_test(test_model_for_xen_version),
        cmocka_unit_test(test_compare_names_first_difference),
        cmocka_unit_test(test_format_writes),
        cmocka_unit_test(test_diff_behaviour_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
