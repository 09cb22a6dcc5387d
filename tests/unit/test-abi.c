/*
 * test-abi.c - the names and sizes of abi.h match trace-format.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/abi.h"

static void test_event_words(void **state)
{
    int max;

    (void)state;
    assert_int_equal(sro_event_words(SRO_RANGE_ADD, &max), 5);
    assert_int_equal(sro_event_words(SRO_RANGE_STATE, &max), 7);
    assert_int_equal(sro_event_words(SRO_RO_PAGES, &max), 4);
    assert_int_equal(sro_event_words(SRO_FAULT, &max), 7);
    assert_int_equal(sro_event_words(SRO_INSN, &max), 7);
    assert_int_equal(sro_event_words(SRO_WRITE, &max), 6);
    assert_int_equal(sro_event_words(SRO_DONE, &max), 3);
    assert_int_equal(sro_event_words(SRO_DATA, &max), 1);
    assert_int_equal(max, 7);
    assert_int_equal(sro_event_words(0x00804015, &max), -1);
    assert_int_equal(sro_event_words(TRC_LOST_RECORDS, &max), -1);
}

static void test_header_fields(void **state)
{
    uint32_t h = SRO_TREC_HDR(SRO_FAULT, 7, 1);

    (void)state;
    assert_int_equal(h, 0xf0804010u);
    assert_int_equal(SRO_TREC_EVENT(h), SRO_FAULT);
    assert_int_equal(SRO_TREC_NWORDS(h), 7);
    assert_int_equal(SRO_TREC_HAS_TSC(h), 1);
    assert_int_equal(SRO_TREC_HDR(TRC_TRACE_CPU_CHANGE, 2, 0), 0x2001f003u);
    assert_int_equal(SRO_TREC_BYTES(7, 1), 40);
    assert_int_equal(SRO_TREC_BYTES(6, 0), 28);
}

static void test_names_round_trip(void **state)
{
    (void)state;
    for ( unsigned int v = 0; v < SRO_VERDICT_COUNT; v++ )
        assert_int_equal(sro_verdict_from_name(sro_verdict_name(v)), v);
    for ( unsigned int r = 0; r < SRO_RESULT_COUNT; r++ )
        assert_int_equal(sro_result_from_name(sro_result_name(r)), r);
    for ( unsigned int o = 0; o < SRO_OUTCOME_COUNT; o++ )
        assert_int_equal(sro_outcome_from_name(sro_outcome_name(o)), o);
    assert_string_equal(sro_result_name(SRO_DROPPED_MISALIGNED),
                        "DROPPED_MISALIGNED");
    assert_string_equal(sro_outcome_name(SRO_NOT_HANDLED), "NOT_HANDLED");
    assert_string_equal(sro_reason_name(SRO_REASON_NOT_DOM_IO), "NOT_DOM_IO");
    assert_null(sro_verdict_name(SRO_VERDICT_COUNT));
    assert_int_equal(sro_verdict_from_name("BOGUS"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_words),
        cmocka_unit_test(test_header_fields),
        cmocka_unit_test(test_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
