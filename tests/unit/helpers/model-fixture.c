/*
 * model-fixture.c - see model-fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "model-fixture.h"

struct sro_insn mf_insn(const char *text, unsigned int width,
                        unsigned int flags)
{
    struct sro_insn i;

    memset(&i, 0, sizeof(i));
    i.valid = true;
    i.length = 3;
    i.mode = 64;
    i.store = !(flags & MF_NOSTORE);
    i.rmw = flags & MF_RMW;
    i.string = flags & MF_STRING;
    i.rep = flags & MF_REP;
    i.locked = flags & MF_LOCK;
    i.width = i.store ? width : 0;
    snprintf(i.text, sizeof(i.text), "%s", text);
    return i;
}

static void set_qword(struct sro_page_prot *pp, unsigned int q)
{
    pp->ro_qwords[q / 64] |= UINT64_C(1) << (q % 64);
    for ( unsigned int b = q * 8; b < q * 8 + 8; b++ )
        pp->ro_bytes[b / 64] |= UINT64_C(1) << (b % 64);
}

struct sro_page_prot mf_page(void)
{
    struct sro_page_prot pp;

    memset(&pp, 0, sizeof(pp));
    pp.mfn = MF_MFN;
    pp.kind = SRO_PAGE_SUBPAGE;
    for ( unsigned int q = 4; q <= 11; q++ )
        set_qword(&pp, q);
    return pp;
}

struct sro_page_prot mf_page_ro511(void)
{
    struct sro_page_prot pp = mf_page();

    set_qword(&pp, 511);
    return pp;
}

struct sro_page_prot mf_page_whole(void)
{
    struct sro_page_prot pp;

    memset(&pp, 0, sizeof(pp));
    pp.mfn = MF_MFN;
    pp.kind = SRO_PAGE_RO_WHOLE;
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
        set_qword(&pp, q);
    return pp;
}

struct sro_page_prot mf_page_unknown(void)
{
    struct sro_page_prot pp;

    memset(&pp, 0, sizeof(pp));
    pp.mfn = MF_MFN;
    pp.kind = SRO_PAGE_UNKNOWN;
    return pp;
}

void mf_setup(struct mf_case *c, unsigned int path, bool hwdom,
              bool gla_valid, unsigned int off, const struct sro_insn *insn,
              const struct sro_page_prot *page)
{
    memset(c, 0, sizeof(*c));
    c->fault.domain = hwdom ? 0 : 3;
    c->fault.path = path;
    c->fault.hwdom = hwdom;
    c->fault.gla_valid = gla_valid;
    c->fault.code_size = SRO_CODE_64;
    c->fault.gla = gla_valid ? MF_GLA_BASE + off : ~UINT64_C(0);
    c->fault.gpa = ((uint64_t)MF_MFN << SRO_PAGE_SHIFT) | off;
    c->fault.mfn = MF_MFN;
    c->fault.has_insn = true;
    c->fault.insn_len = 3;
    c->insn = *insn;
    c->page = *page;
    c->in.fault = &c->fault;
    c->in.insn = &c->insn;
    c->in.page = &c->page;
    c->in.reps = 1;
}

int mf_predict(const char *name, const struct mf_case *c,
               struct sro_prediction *out)
{
    char err[256];
    const struct sro_model *m = sro_model_find(name, err, sizeof(err));

    if ( !m )
        fail_msg("%s", err);
    memset(out, 0, sizeof(*out));
    return m->predict(m, &c->in, out);
}

void mf_expect_done(const struct sro_prediction *p, unsigned int outcome,
                    unsigned int reason, unsigned int rc,
                    unsigned int store_size, unsigned int nwrites)
{
    assert_string_equal(sro_outcome_name(p->done.outcome),
                        sro_outcome_name(outcome));
    assert_string_equal(sro_reason_name(p->done.reason),
                        sro_reason_name(reason));
    assert_int_equal(p->done.emul_rc, rc);
    assert_int_equal(p->done.store_size, store_size);
    assert_int_equal(p->nwrites, nwrites);
    assert_int_equal(p->done.nwrites, nwrites);
}

void mf_expect_write(const struct sro_prediction *p, unsigned int i,
                     unsigned int off, unsigned int len, unsigned int result,
                     unsigned int dev_offset)
{
    assert_true(i < p->nwrites);
    assert_int_equal(p->writes[i].mfn, MF_MFN);
    assert_int_equal(p->writes[i].offset, off);
    assert_int_equal(p->writes[i].len, len);
    assert_string_equal(sro_result_name(p->writes[i].result),
                        sro_result_name(result));
    assert_int_equal(p->writes[i].dev_offset, dev_offset);
}
