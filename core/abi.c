/*
 * abi.c - names of the codes defined in abi.h, and their inverses.
 *
 * The spellings are the ones trace-format.md uses; JSON output, the
 * database and the conformance files all use these exact strings.
 */
#include <string.h>

#include "abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const result_names[] = {
    "WRITTEN", "DROPPED_RO", "DROPPED_NO_ENTRY", "DROPPED_MAP_FAILED",
    "DROPPED_BAD_SIZE", "DROPPED_MISALIGNED",
};

static const char *const outcome_names[] = {
    "RETIRED", "RETRY", "PF_TO_GUEST", "GP_TO_GUEST", "EXCEPTION",
    "DOMAIN_CRASH", "NOT_HANDLED",
};

static const char *const reason_names[] = {
    "NONE", "NOT_ACCEPTED", "BAD_ACCESS", "NOT_A_STORE", "EMULATION_FAILED",
    "NOT_DOM_IO",
};

static const char *const verdict_names[] = {
    "CORRECT", "WRONGLY_ACCEPTED", "MISDIRECTED", "WRONGLY_DENIED",
    "HARSH_DENY", "UNDECIDABLE",
};

static const char *const path_names[] = {
    "unknown", "pv", "hvm-4.20", "hvm-4.21",
};

static const char *const intent_names[] = { "ALLOW", "DENY", "MIXED" };

static const char *name_of(const char *const *names, unsigned int n,
                           unsigned int code)
{
    return code < n ? names[code] : NULL;
}

static int code_of(const char *const *names, unsigned int n, const char *name)
{
    for ( unsigned int i = 0; i < n; i++ )
        if ( strcmp(names[i], name) == 0 )
            return (int)i;
    return -1;
}

const char *sro_result_name(unsigned int r)
{
    return name_of(result_names, ARRAY_SIZE(result_names), r);
}

const char *sro_outcome_name(unsigned int o)
{
    return name_of(outcome_names, ARRAY_SIZE(outcome_names), o);
}

const char *sro_reason_name(unsigned int r)
{
    return name_of(reason_names, ARRAY_SIZE(reason_names), r);
}

const char *sro_verdict_name(unsigned int v)
{
    return name_of(verdict_names, ARRAY_SIZE(verdict_names), v);
}

const char *sro_path_name(unsigned int p)
{
    return name_of(path_names, ARRAY_SIZE(path_names), p);
}

const char *sro_intent_name(unsigned int i)
{
    return name_of(intent_names, ARRAY_SIZE(intent_names), i);
}

int sro_verdict_from_name(const char *name)
{
    return code_of(verdict_names, ARRAY_SIZE(verdict_names), name);
}

int sro_result_from_name(const char *name)
{
    return code_of(result_names, ARRAY_SIZE(result_names), name);
}

int sro_outcome_from_name(const char *name)
{
    return code_of(outcome_names, ARRAY_SIZE(outcome_names), name);
}

const char *sro_event_name(uint32_t ev)
{
    switch ( ev )
    {
    case TRC_LOST_RECORDS:      return "TRC_LOST_RECORDS";
    case TRC_TRACE_WRAP_BUFFER: return "TRC_TRACE_WRAP_BUFFER";
    case TRC_TRACE_CPU_CHANGE:  return "TRC_TRACE_CPU_CHANGE";
    case SRO_RANGE_ADD:         return "SRO_RANGE_ADD";
    case SRO_RANGE_STATE:       return "SRO_RANGE_STATE";
    case SRO_RO_PAGES:          return "SRO_RO_PAGES";
    case SRO_FAULT:             return "SRO_FAULT";
    case SRO_INSN:              return "SRO_INSN";
    case SRO_WRITE:             return "SRO_WRITE";
    case SRO_DATA:              return "SRO_DATA";
    case SRO_DONE:              return "SRO_DONE";
    }
    return NULL;
}

int sro_event_words(uint32_t ev, int *max)
{
    int n;

    switch ( ev )
    {
    case SRO_RANGE_ADD:   n = SRO_RANGE_ADD_WORDS; break;
    case SRO_RANGE_STATE: n = SRO_RANGE_STATE_WORDS; break;
    case SRO_RO_PAGES:    n = SRO_RO_PAGES_WORDS; break;
    case SRO_FAULT:       n = SRO_FAULT_WORDS; break;
    case SRO_INSN:        n = SRO_INSN_WORDS; break;
    case SRO_WRITE:       n = SRO_WRITE_WORDS; break;
    case SRO_DONE:        n = SRO_DONE_WORDS; break;
    case SRO_DATA:
        if ( max )
            *max = SRO_DATA_MAX_WORDS;
        return 1;
    default:
        return -1;
    }
    if ( max )
        *max = n;
    return n;
}
