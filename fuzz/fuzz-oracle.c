/*
 * fuzz-oracle.c - protection state, every built-in model and the oracle
 * (core/prot.h, core/model.h, core/oracle.h) on random faults.
 *
 * The input is consumed as a stream of fields (missing bytes read as 0):
 * up to 8 configuration records (RANGE_ADD, RANGE_STATE, RO_PAGES, with
 * the right word count or a wrong one) and direct sro_prot_add() calls
 * build a protection state; then one fault (path, flags, code size, GPA,
 * MFN, up to 15 instruction bytes) and a recorded group (writes, done,
 * complete or not) are drawn. The instruction is decoded in the fault's
 * mode. Checked:
 *
 *   - sro_prot_apply_record() returns one of its documented values;
 *   - every page snapshot is coherent (kind, mfn, qword map = byte map);
 *   - sro_oracle_intent() agrees with a byte-by-byte count;
 *   - each built-in model returns 0 or -1, and on 0 a well-formed
 *     prediction: outcome, reason and results within the ABI's codes,
 *     at most SRO_PRED_MAX_WRITES writes, page offsets below 4096, no
 *     data; the same input twice gives the same prediction;
 *   - the oracle judges the prediction and the recorded group with a
 *     verdict and intent in range, a deciding piece that exists, a reason
 *     string, and UNDECIDABLE for an unknown page or an incomplete group.
 */
#include <errno.h>
#include <string.h>

#include "core/decode.h"
#include "core/model.h"
#include "core/oracle.h"
#include "core/prot.h"
#include "fuzz.h"

/* A cursor over the input. */
struct in {
    const uint8_t *p;
    size_t         n;
};

static uint64_t take(struct in *in, unsigned int bytes)
{
    uint64_t v = 0;

    for ( unsigned int i = 0; i < bytes; i++ )
    {
        v |= (uint64_t)(in->n ? *in->p : 0) << (8 * i);
        if ( in->n )
        {
            in->p++;
            in->n--;
        }
    }
    return v;
}

static struct sro_decoder *decoder;

static void check_snapshot(const struct sro_page_prot *pp, uint64_t mfn)
{
    FUZZ_CHECK(pp->mfn == mfn && pp->kind <= SRO_PAGE_ENTRY_ONLY,
               "snapshot mfn 0x%llx kind %u", (unsigned long long)pp->mfn,
               pp->kind);
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
    {
        bool any = false;

        for ( unsigned int b = q * 8; b < q * 8 + 8; b++ )
            any = any || sro_page_byte_ro(pp, b);
        FUZZ_CHECK(any == sro_page_qword_ro(pp, q),
                   "qword %u: bytes say %d", q, any);
    }
    if ( pp->kind == SRO_PAGE_UNKNOWN )
        for ( unsigned int i = 0; i < SRO_PAGE_SIZE / 64; i++ )
            FUZZ_CHECK(pp->ro_bytes[i] == 0, "unknown page with ro bytes");
}

static void check_intent(const struct sro_page_prot *pp, unsigned int off,
                         unsigned int len)
{
    enum sro_intent got = sro_oracle_intent(pp, off, len), want;
    unsigned int ro = 0, all = 0;

    for ( unsigned long b = off; b < (unsigned long)off + len &&
          b < SRO_PAGE_SIZE; b++ )
    {
        all++;
        ro += sro_page_byte_ro(pp, (unsigned int)b);
    }
    want = ro == 0 ? SRO_ALLOW : ro == all ? SRO_DENY : SRO_MIXED;
    FUZZ_CHECK(got == want, "intent(%u, %u) = %d, bytes say %d", off, len,
               got, want);
}

static void check_judgement(const struct sro_judge_input *ji,
                            const struct sro_judgement *j,
                            enum sro_verdict v)
{
    FUZZ_CHECK(v == j->verdict && v < SRO_VERDICT_COUNT, "verdict %d", v);
    FUZZ_CHECK(sro_verdict_name(v) != NULL, "verdict %d has no name", v);
    FUZZ_CHECK(j->why != NULL, "no reason given");
    FUZZ_CHECK(j->piece >= -1 && j->piece < (int)ji->nwrites,
               "piece %d of %u", j->piece, ji->nwrites);
    if ( v != SRO_V_UNDECIDABLE )
        FUZZ_CHECK(j->intent <= SRO_MIXED, "intent %d", j->intent);
    if ( ji->page->kind == SRO_PAGE_UNKNOWN || !ji->complete )
        FUZZ_CHECK(v == SRO_V_UNDECIDABLE, "%s for an unknown page or an "
                   "incomplete group", sro_verdict_name(v));
}

static void check_prediction(const struct sro_model *m,
                             const struct sro_prediction *p)
{
    FUZZ_CHECK(p->done.outcome < SRO_OUTCOME_COUNT, "%s: outcome %u",
               m->name, p->done.outcome);
    FUZZ_CHECK(p->done.reason < SRO_REASON_COUNT, "%s: reason %u", m->name,
               p->done.reason);
    FUZZ_CHECK(p->nwrites <= SRO_PRED_MAX_WRITES, "%s: %u writes", m->name,
               p->nwrites);
    for ( unsigned int i = 0; i < p->nwrites; i++ )
    {
        const struct sro_write *w = &p->writes[i];

        FUZZ_CHECK(w->result < SRO_RESULT_COUNT, "%s: write %u result %u",
                   m->name, i, w->result);
        FUZZ_CHECK(w->offset < SRO_PAGE_SIZE && w->dev_offset <
                   SRO_PAGE_SIZE, "%s: write %u offsets", m->name, i);
        FUZZ_CHECK(w->data_len == 0, "%s: write %u has data", m->name, i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    struct sro_prot *p = sro_prot_new();
    struct sro_fault f;
    struct sro_insn insn;
    struct sro_page_prot page;
    struct sro_write writes[8];
    struct sro_done done;
    struct sro_judge_input ji;
    struct sro_judgement j;
    uint64_t mfns[8];
    unsigned int ncfg, nmfn = 0, nw;

    FUZZ_CHECK(p != NULL, "out of memory");
    if ( !decoder )
        FUZZ_CHECK((decoder = sro_decoder_new(0)) != NULL, "out of memory");

    /* Protection. */
    sro_prot_set_after_boot(p, take(&in, 1) & 1);
    ncfg = take(&in, 1) & 7;
    for ( unsigned int i = 0; i < ncfg; i++ )
    {
        static const uint32_t events[4] = {
            SRO_RANGE_ADD, SRO_RANGE_STATE, SRO_RO_PAGES, SRO_FAULT,
        };
        unsigned int sel = (unsigned int)take(&in, 1);
        uint32_t ev = events[sel & 3], w[7];
        int words = sro_event_words(ev, NULL);
        unsigned int nwords = sel & 0x80 ? (sel >> 4) & 7 : (unsigned int)words;
        int rc;

        for ( unsigned int k = 0; k < 7; k++ )
            w[k] = (uint32_t)take(&in, 4);
        /* Keep addresses near a few pages so that faults find them. */
        if ( !(sel & 0x40) )
        {
            w[1] = 0;
            if ( ev == SRO_RANGE_ADD )
                w[0] = 0xfe100000u | (w[0] & 0x3fff), w[3] = 0;
            else
                w[0] = 0xfe100u | (w[0] & 3);
            if ( ev == SRO_RO_PAGES )
                w[2] = w[0] + (w[2] & 1), w[3] = 0;
        }
        rc = sro_prot_apply_record(p, ev, w, nwords);
        FUZZ_CHECK(rc == 0 || rc == SRO_PROT_NOT_CONFIG || rc == -EINVAL ||
                   rc == -EPROTO, "apply_record(0x%x, %u words) = %d",
                   (unsigned int)ev, nwords, rc);
        FUZZ_CHECK(ev != SRO_FAULT || rc == SRO_PROT_NOT_CONFIG,
                   "a fault applied as configuration");
        if ( ev != SRO_RANGE_ADD )
            mfns[nmfn++] = w[0] | (uint64_t)w[1] << 32;
        else
            mfns[nmfn++] = (w[0] | (uint64_t)w[1] << 32) >> SRO_PAGE_SHIFT;
    }
    if ( take(&in, 1) & 1 )
    {
        uint64_t start = 0xfe100000u + take(&in, 2), len = take(&in, 2);
        int rc = sro_prot_add(p, start, len);

        FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EILSEQ,
                   "sro_prot_add = %d", rc);
    }

    /* The fault. */
    memset(&f, 0, sizeof(f));
    f.cpu = (uint32_t)take(&in, 1);
    f.tsc = take(&in, 2);
    f.domain = (uint16_t)take(&in, 2);
    f.vcpu = (uint16_t)take(&in, 1);
    {
        unsigned int b = (unsigned int)take(&in, 1);

        f.path = b & 3;
        f.gla_valid = b & 4;
        f.hwdom = b & 8;
        f.code_size = (b >> 4) & 3;
    }
    f.gpa = take(&in, 8);
    f.gla = f.gla_valid ? take(&in, 8) : ~UINT64_C(0);
    if ( nmfn && (take(&in, 1) & 1) )
    {
        f.mfn = mfns[take(&in, 1) % nmfn];
        f.gpa = (f.mfn << SRO_PAGE_SHIFT) | (f.gpa & (SRO_PAGE_SIZE - 1));
    }
    else
        f.mfn = (f.gpa >> SRO_PAGE_SHIFT) & SRO_PROT_MFN_MAX;
    f.has_insn = true;
    f.insn_len = (uint8_t)(take(&in, 1) % 16);
    for ( unsigned int i = 0; i < f.insn_len; i++ )
        f.insn[i] = (uint8_t)take(&in, 1);
    f.rip = take(&in, 8);

    sro_decode(decoder, f.insn, f.insn_len,
               sro_mode_of_code_size(f.code_size), &insn);
    FUZZ_CHECK(sro_prot_page(p, f.mfn, &page) == page.kind, "kind");
    check_snapshot(&page, f.mfn);
    FUZZ_CHECK(sro_prot_page_known(p, f.mfn) ==
               (page.kind != SRO_PAGE_UNKNOWN), "page_known disagrees");
    for ( unsigned int i = 0; i < 4; i++ )
    {
        unsigned int off = (unsigned int)take(&in, 2) & 0x1fff;
        unsigned int len = (unsigned int)take(&in, 1);

        check_intent(&page, off, len);
        FUZZ_CHECK(sro_prot_byte_ro(p, f.mfn, off) ==
                   sro_page_byte_ro(&page, off), "byte_ro(%u) disagrees",
                   off);
    }

    /* Every built-in model, twice. */
    for ( unsigned int i = 0; sro_builtin_models[i]; i++ )
    {
        const struct sro_model *m = sro_builtin_models[i];
        struct sro_model_input mi = {
            .fault = &f, .insn = &insn, .page = &page,
            .reps = (unsigned int)take(&in, 1) % 80,
        };
        static struct sro_prediction a, b;
        int ra, rb;

        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        ra = m->predict(m, &mi, &a);
        rb = m->predict(m, &mi, &b);
        FUZZ_CHECK(ra == 0 || ra == -1, "%s returned %d", m->name, ra);
        FUZZ_CHECK(ra == rb && memcmp(&a, &b, sizeof(a)) == 0,
                   "%s: two predictions differ", m->name);
        if ( ra == 0 )
        {
            struct sro_judge_input pji = {
                .fault = &f, .insn = &insn, .page = &page, .complete = true,
                .writes = a.writes, .nwrites = a.nwrites, .done = &a.done,
            };

            check_prediction(m, &a);
            check_judgement(&pji, &j, sro_oracle_judge(&pji, &j));
        }
    }

    /* A recorded group. */
    nw = (unsigned int)take(&in, 1) % 9;
    memset(writes, 0, sizeof(writes));
    for ( unsigned int i = 0; i < nw; i++ )
    {
        struct sro_write *w = &writes[i];
        uint64_t v = take(&in, 4);

        w->mfn = v & 1 ? f.mfn + (v & 2) : f.mfn;
        w->offset = (uint16_t)((v >> 2) & 0xfff);
        w->dev_offset = v & (1u << 14) ? (uint16_t)((v >> 15) & 0xfff)
                                       : w->offset;
        w->len = (uint8_t)take(&in, 1);
        w->result = (uint8_t)(take(&in, 1) % SRO_RESULT_COUNT);
    }
    memset(&done, 0, sizeof(done));
    done.outcome = (uint8_t)(take(&in, 1) % SRO_OUTCOME_COUNT);
    done.reason = (uint8_t)(take(&in, 1) % SRO_REASON_COUNT);
    done.nwrites = nw;
    done.store_size = (uint32_t)take(&in, 1);
    ji = (struct sro_judge_input){
        .fault = &f, .insn = take(&in, 1) & 1 ? &insn : NULL, .page = &page,
        .complete = take(&in, 1) & 3, .writes = writes, .nwrites = nw,
        .done = take(&in, 1) & 7 ? &done : NULL,
    };
    check_judgement(&ji, &j, sro_oracle_judge(&ji, &j));

    sro_prot_free(p);
    return 0;
}
