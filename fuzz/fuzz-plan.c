/*
 * fuzz-plan.c - the `--ranges` / `--what-if` plan parser (replayer/plan.h)
 * and the protection state it is applied to (core/prot.h).
 *
 * Input: the plan text, handed over with its length (the parser must not
 * read past it: there is no NUL). Checked:
 *
 *   - a failed parse or apply gives one message "plan.txt:LINE: what"
 *     (or "plan.txt: what") and frees everything;
 *   - every parsed line has a line number within the text, ro-pages
 *     lines have first <= last, other lines do not wrap past 2^64;
 *   - applied to an empty state, each of the first lines alone makes the
 *     first and last byte of its ro range read-only, the ends of its
 *     ro-pages run known, or leaves its writable hole writable; after the
 *     whole plan, the snapshot of every page a line names is coherent
 *     (its byte map and qword map agree: a qword is read-only iff one of
 *     its bytes is).
 */
#include <string.h>

#include "core/prot.h"
#include "fuzz.h"
#include "replayer/plan.h"

/* Does the snapshot's qword map say what its byte map implies? */
static void check_page(const struct sro_prot *p, uint64_t mfn)
{
    struct sro_page_prot pp;
    enum sro_page_kind k = sro_prot_page(p, mfn, &pp);

    FUZZ_CHECK(k == pp.kind && k <= SRO_PAGE_ENTRY_ONLY, "kind %u", k);
    FUZZ_CHECK(pp.mfn == mfn, "snapshot of mfn 0x%llx for 0x%llx",
               (unsigned long long)pp.mfn, (unsigned long long)mfn);
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
    {
        bool any = false;

        for ( unsigned int b = q * 8; b < q * 8 + 8; b++ )
            any = any || sro_page_byte_ro(&pp, b);
        FUZZ_CHECK(any == sro_page_qword_ro(&pp, q),
                   "mfn 0x%llx qword %u: bytes say %d, qwords %d",
                   (unsigned long long)mfn, q, any,
                   sro_page_qword_ro(&pp, q));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sro_plan plan;
    struct sro_prot *p;
    char err[512];
    unsigned int lines = 1;
    int rc;

    for ( size_t i = 0; i < size; i++ )
        lines += data[i] == '\n';
    memset(err, 'x', sizeof(err));
    rc = sro_plan_parse("plan.txt", (const char *)data, size, &plan, err,
                        sizeof(err));
    if ( rc )
    {
        FUZZ_CHECK(rc == -1, "rc %d", rc);
        FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) &&
                   strncmp(err, "plan.txt:", 9) == 0,
                   "message does not name the plan: %.80s", err);
        FUZZ_CHECK(plan.lines == NULL && plan.path == NULL,
                   "a failed parse kept memory");
        return 0;
    }
    FUZZ_CHECK(plan.n <= plan.cap, "n %u > cap %u", plan.n, plan.cap);
    for ( unsigned int i = 0; i < plan.n; i++ )
    {
        const struct sro_plan_line *l = &plan.lines[i];

        FUZZ_CHECK(l->lineno >= 1 && l->lineno <= lines, "line %u of %u",
                   l->lineno, lines);
        FUZZ_CHECK(i == 0 || plan.lines[i - 1].lineno < l->lineno,
                   "lines out of order");
        if ( l->kind == SRO_PLAN_RO_PAGES )
            FUZZ_CHECK(l->a <= l->b, "ro-pages %llu > %llu",
                       (unsigned long long)l->a, (unsigned long long)l->b);
        else
            FUZZ_CHECK(l->b <= UINT64_MAX - l->a, "range wraps");
    }

    p = sro_prot_new();
    FUZZ_CHECK(p != NULL, "out of memory");
    memset(err, 'x', sizeof(err));
    rc = sro_plan_apply(&plan, p, err, sizeof(err));
    if ( rc )
        FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) &&
                   strncmp(err, "plan.txt:", 9) == 0,
                   "apply message does not name the plan: %.80s", err);
    for ( unsigned int i = 0; i < plan.n && i < 32; i++ )
    {
        const struct sro_plan_line *l = &plan.lines[i];

        check_page(p, l->a >> SRO_PAGE_SHIFT);
        if ( l->kind != SRO_PLAN_RO_PAGES )
            check_page(p, (l->a + (l->b ? l->b - 1 : 0)) >> SRO_PAGE_SHIFT);
    }
    sro_prot_free(p);

    /* Each of the first lines alone: what it protects is protected. (In a
     * whole plan a later partial range may give a whole read-only page a
     * sub-page entry, making it partly writable again, as Xen's release
     * builds do.) */
    for ( unsigned int i = 0; i < plan.n && i < 8; i++ )
    {
        const struct sro_plan_line *l = &plan.lines[i];
        struct sro_plan one = plan;

        one.lines = &plan.lines[i];
        one.n = 1;
        p = sro_prot_new();
        FUZZ_CHECK(p != NULL, "out of memory");
        rc = sro_plan_apply(&one, p, err, sizeof(err));
        if ( rc == 0 && l->kind == SRO_PLAN_RO_PAGES )
            FUZZ_CHECK(sro_prot_page_known(p, l->a) &&
                       sro_prot_page_known(p, l->b),
                       "ro-pages line %u not known", l->lineno);
        else if ( rc == 0 && l->kind == SRO_PLAN_RO && l->b )
        {
            uint64_t last = l->a + l->b - 1;

            FUZZ_CHECK(sro_prot_byte_ro(p, l->a >> SRO_PAGE_SHIFT,
                                        l->a & (SRO_PAGE_SIZE - 1)),
                       "line %u: first byte not read-only", l->lineno);
            FUZZ_CHECK(sro_prot_byte_ro(p, last >> SRO_PAGE_SHIFT,
                                        last & (SRO_PAGE_SIZE - 1)),
                       "line %u: last byte not read-only", l->lineno);
        }
        else if ( rc == 0 && l->kind == SRO_PLAN_WRITABLE && l->b )
            FUZZ_CHECK(!sro_prot_byte_ro(p, l->a >> SRO_PAGE_SHIFT,
                                         l->a & (SRO_PAGE_SIZE - 1)),
                       "line %u: a hole in nothing is read-only", l->lineno);
        sro_prot_free(p);
    }
    sro_plan_free(&plan);
    return 0;
}
