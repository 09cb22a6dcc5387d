/*
 * test-oracle-property.c - the protection state and the oracle agree with
 * a brute-force byte map written independently here.
 *
 * A fixed-seed generator makes random configurations (Xen adds, aligned
 * or not, overlapping, across pages, after boot or not; RANGE_STATE
 * quarters; RO_PAGES runs; byte holes) over a few neighbouring pages and,
 * on each, random stores (offset, width 1..64, string or not, valid or
 * not) with random SRO_WRITE pieces and outcomes: 360000 cases, over
 * 150000 of them decidable. The brute force keeps one bool per byte and
 * per qword and re-derives each verdict from the words of
 * trace-format.md section 4 with plain loops. Every page state,
 * every intent and every verdict (with its deciding piece) must agree.
 * Reproducible: the seed is fixed and a failure names the case number.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/oracle.h"

#define NPAGES   4              /* pages BASE .. BASE+3 */
#define BASE     UINT64_C(0xfe100)
#define NCONFIGS 6000
#define NSTORES  60             /* per configuration: 360000 cases */
#define PAGE     4096

/* ---- a small, fixed-seed generator (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static unsigned int below(unsigned int n)
{
    return (unsigned int)(rnd() % n);
}

/* ---- the brute force: one bool per byte ---- */

struct bf_page {
    bool whole;                 /* in mmio_ro_ranges */
    bool entry;                 /* has a sub-page entry */
    bool mapped;
    bool qro[PAGE / 8];         /* the entry's read-only qwords */
    bool hole[PAGE];            /* carved writable */
};

struct bf {
    struct bf_page pg[NPAGES + 1];  /* the last one is never touched */
    bool after_boot;
};

static struct bf_page *bf_page(struct bf *b, uint64_t mfn)
{
    return mfn >= BASE && mfn < BASE + NPAGES ? &b->pg[mfn - BASE] : NULL;
}

/*
 * Xen's add, stated page by page rather than first/last as Xen's code
 * does: every page the range touches joins mmio_ro_ranges; a page the
 * range covers entirely gets nothing more; any other page gets an entry
 * (created if needed) with the qwords the range touches set.
 */
static int bf_add(struct bf *b, uint64_t start, uint64_t size)
{
    if ( start % 8 || size % 8 )
        return -EINVAL;
    if ( b->after_boot )
        return -EILSEQ;
    for ( uint64_t m = start / PAGE; size && m <= (start + size - 1) / PAGE;
          m++ )
    {
        struct bf_page *pg = bf_page(b, m);
        uint64_t lo = m * PAGE, hi = lo + PAGE;    /* [lo, hi) */
        uint64_t s = start > lo ? start : lo;
        uint64_t e = start + size < hi ? start + size : hi;

        assert_non_null(pg);
        pg->whole = true;
        if ( s == lo && e == hi )
            continue;
        pg->entry = true;
        for ( uint64_t a = s; a < e; a++ )
            pg->qro[(a - lo) / 8] = true;
    }
    return 0;
}

static bool bf_ro(const struct bf_page *pg, unsigned int b)
{
    bool ro = pg->entry ? pg->qro[b / 8] : pg->whole;

    return ro && !pg->hole[b];
}

static bool bf_any_hole(const struct bf_page *pg)
{
    for ( unsigned int b = 0; b < PAGE; b++ )
        if ( pg->hole[b] )
            return true;
    return false;
}

static enum sro_page_kind bf_kind(const struct bf_page *pg)
{
    if ( pg->entry )
        return pg->whole ? SRO_PAGE_SUBPAGE : SRO_PAGE_ENTRY_ONLY;
    if ( pg->whole )
        return bf_any_hole(pg) ? SRO_PAGE_SUBPAGE : SRO_PAGE_RO_WHOLE;
    return SRO_PAGE_UNKNOWN;
}

/* ---- random configurations, applied to both ---- */

static uint64_t rand_addr(void)
{
    /* Near the interesting places: page starts and ends, or anywhere. */
    uint64_t page = BASE + below(NPAGES);
    unsigned int off;

    switch ( below(4) )
    {
    case 0:  off = 0; break;
    case 1:  off = PAGE - 8 * (1 + below(4)); break;
    default: off = below(PAGE / 8) * 8; break;
    }
    if ( below(10) == 0 )
        off += 1 + below(7);            /* misaligned */
    return page * PAGE + off;
}

static void random_config(struct sro_prot *p, struct bf *b)
{
    unsigned int nops = 1 + below(6);

    sro_prot_reset(p);
    memset(b, 0, sizeof(*b));
    for ( unsigned int i = 0; i < nops; i++ )
    {
        switch ( below(10) )
        {
        case 0: case 1: case 2: case 3: case 4:
        {
            uint64_t start = rand_addr(), size, limit;

            switch ( below(6) )
            {
            case 0:  size = 0; break;
            case 1:  size = PAGE * (1 + below(2)); break;
            case 2:  /* up to the end of this page or the next */
                size = PAGE - start % PAGE + PAGE * below(2); break;
            default: size = 8 * (1 + below(64)); break;
            }
            if ( below(12) == 0 )
                size += 1 + below(7);
            /* Keep the range inside the pages under test. */
            limit = (BASE + NPAGES) * PAGE - start;
            if ( size > limit )
                size = limit & ~UINT64_C(7);
            if ( below(20) == 0 )
            {
                b->after_boot = true;
                sro_prot_set_after_boot(p, true);
            }
            assert_int_equal(sro_prot_add(p, start, size),
                             bf_add(b, start, size));
            break;
        }
        case 5: case 6:
        {
            uint64_t first = BASE + below(NPAGES);
            uint64_t last = first + below((unsigned int)
                                          (BASE + NPAGES - first));

            assert_int_equal(sro_prot_add_ro_pages(p, first, last), 0);
            for ( uint64_t m = first; m <= last; m++ )
                bf_page(b, m)->whole = true;
            break;
        }
        case 7:
        {
            uint64_t mfn = BASE + below(NPAGES);
            unsigned int q = below(4);
            bool mapped = below(2);
            uint32_t bits[4];
            struct bf_page *pg = bf_page(b, mfn);

            for ( unsigned int k = 0; k < 4; k++ )
                bits[k] = below(3) ? 0 : (uint32_t)rnd();
            assert_int_equal(sro_prot_set_quarter(p, mfn, q, mapped, bits),
                             0);
            pg->entry = true;
            pg->mapped = mapped;
            for ( unsigned int k = 0; k < 128; k++ )
                pg->qro[128 * q + k] = (bits[k / 32] >> (k % 32)) & 1;
            break;
        }
        default:
        {
            uint64_t start = rand_addr() + below(8);
            uint64_t size = below(3) ? 1 + below(16) : 1 + below(2 * PAGE);

            if ( start >= (BASE + NPAGES) * PAGE )
                start = (BASE + NPAGES) * PAGE - 1;

            if ( start + size > (BASE + NPAGES) * PAGE )
                size = (BASE + NPAGES) * PAGE - start;
            assert_int_equal(sro_prot_add_hole(p, start, size), 0);
            for ( uint64_t a = start; a < start + size; a++ )
                bf_page(b, a / PAGE)->hole[a % PAGE] = true;
            break;
        }
        }
    }
}

/* Every page of the state equals the byte map, queries and snapshot. */
static void compare_state(const struct sro_prot *p, struct bf *b,
                          unsigned int config)
{
    for ( uint64_t m = BASE - 1; m <= BASE + NPAGES; m++ )
    {
        struct bf_page none = { 0 };
        const struct bf_page *pg = bf_page(b, m) ? bf_page(b, m) : &none;
        struct sro_page_prot pp;
        enum sro_page_kind kind = bf_kind(pg);

        if ( sro_prot_page(p, m, &pp) != kind )
            fail_msg("config %u mfn %#lx: kind %u, brute force %u", config,
                     (unsigned long)m, pp.kind, kind);
        assert_int_equal(sro_prot_page_known(p, m),
                         kind != SRO_PAGE_UNKNOWN);
        if ( pg->entry )
            assert_int_equal(pp.mapped, pg->mapped);
        for ( unsigned int q = 0; q < PAGE / 8; q++ )
        {
            bool any = false;

            for ( unsigned int k = 0; k < 8; k++ )
                any |= bf_ro(pg, 8 * q + k);
            if ( sro_page_qword_ro(&pp, q) != any )
                fail_msg("config %u mfn %#lx qword %u: %d", config,
                         (unsigned long)m, q, !any);
        }
        for ( unsigned int x = 0; x < PAGE; x++ )
            if ( sro_page_byte_ro(&pp, x) != bf_ro(pg, x) ||
                 sro_prot_byte_ro(p, m, x) != bf_ro(pg, x) )
                fail_msg("config %u mfn %#lx byte %u: %d", config,
                         (unsigned long)m, x, !bf_ro(pg, x));
    }
}

/* ---- the verdict, by brute force ---- */

/* ALLOW/DENY/MIXED over bytes [off, off+len) that lie in the page. */
static enum sro_intent bf_intent(const struct bf_page *pg, unsigned int off,
                                 unsigned int len)
{
    unsigned int ro = 0, n = 0;

    for ( unsigned int x = off; x < off + len; x++ )
        if ( x < PAGE )
        {
            n++;
            ro += bf_ro(pg, x);
        }
    if ( ro == 0 )
        return SRO_ALLOW;
    return ro == n ? SRO_DENY : SRO_MIXED;
}

static bool bf_any_ro(const struct bf_page *pg, unsigned int off,
                      unsigned int len)
{
    for ( unsigned int x = off; x < off + len && x < PAGE; x++ )
        if ( bf_ro(pg, x) )
            return true;
    return false;
}

/* Rank of a wrong verdict in section 4's order (lower wins). */
static int rank(enum sro_verdict v)
{
    switch ( v )
    {
    case SRO_V_WRONGLY_ACCEPTED: return 0;
    case SRO_V_MISDIRECTED:      return 1;
    case SRO_V_WRONGLY_DENIED:   return 2;
    case SRO_V_HARSH_DENY:       return 3;
    default:                     return 99;
    }
}

struct bf_case {
    struct sro_fault fault;
    struct sro_insn  insn;
    struct sro_write w[8];
    unsigned int     n;
    struct sro_done  done;
    bool             complete;
};

static enum sro_verdict bf_judge(const struct bf_page *pg, bool known,
                                 const struct bf_case *c, int *piece,
                                 enum sro_intent *intent)
{
    enum sro_verdict best = SRO_V_CORRECT;
    unsigned int s = c->fault.gpa % PAGE, width = c->insn.width;
    bool covered[256] = { false }, wrote = false;

    *piece = -1;
    if ( !c->complete || !c->insn.valid || !c->insn.store || !width ||
         !known )
        return SRO_V_UNDECIDABLE;
    for ( unsigned int i = 0; i < c->n; i++ )
        if ( c->w[i].result > SRO_DROPPED_MISALIGNED )
        {
            *piece = (int)i;
            return SRO_V_UNDECIDABLE;
        }
    *intent = bf_intent(pg, s, width);

    for ( unsigned int i = 0; i < c->n; i++ )
    {
        const struct sro_write *w = &c->w[i];
        enum sro_verdict v = SRO_V_CORRECT;

        if ( w->len == 0 )
            continue;
        if ( w->result == SRO_WRITTEN )
        {
            wrote = true;
            if ( w->mfn != c->fault.mfn )
                v = SRO_V_MISDIRECTED;
            else if ( bf_any_ro(pg, w->dev_offset, w->len) ||
                      bf_any_ro(pg, w->offset, w->len) )
                v = SRO_V_WRONGLY_ACCEPTED;
            else if ( w->dev_offset != w->offset )
                v = SRO_V_MISDIRECTED;
            else if ( !c->insn.string &&
                      (w->offset < s || w->offset + w->len > s + width) )
                v = SRO_V_MISDIRECTED;
            else if ( !c->insn.string )
                for ( unsigned int x = w->offset; x < w->offset + w->len;
                      x++ )
                    covered[x - s] = true;
        }
        else if ( w->mfn == c->fault.mfn &&
                  bf_intent(pg, w->offset, w->len) != SRO_DENY )
            v = SRO_V_WRONGLY_DENIED;
        if ( rank(v) < rank(best) )
        {
            best = v;
            *piece = (int)i;
        }
    }

    if ( *intent != SRO_DENY && (c->n == 0 || !c->insn.string) )
    {
        bool missing = false;

        for ( unsigned int x = s; x < s + width && x < PAGE; x++ )
            if ( !bf_ro(pg, x) && !covered[x - s] )
                missing = true;
        if ( missing && rank(SRO_V_WRONGLY_DENIED) < rank(best) )
        {
            best = SRO_V_WRONGLY_DENIED;
            *piece = -1;
        }
    }
    if ( best == SRO_V_CORRECT && *intent == SRO_DENY && !wrote &&
         (c->done.outcome == SRO_PF_TO_GUEST ||
          c->done.outcome == SRO_GP_TO_GUEST ||
          c->done.outcome == SRO_EXCEPTION ||
          c->done.outcome == SRO_DOMAIN_CRASH) )
        best = SRO_V_HARSH_DENY;
    return best;
}

/* A random store on page mfn, with random pieces. */
static void random_case(struct bf_case *c, uint64_t mfn)
{
    unsigned int off, width;

    memset(c, 0, sizeof(*c));
    width = below(4) ? 1u << below(4) : 1 + below(64);
    off = below(3) ? below(0x200) : below(PAGE);
    if ( below(4) == 0 )
        off &= ~(width - 1 < 8 ? width - 1 : 7);
    c->fault.mfn = mfn;
    c->fault.gpa = UINT64_C(0xf0000000) + (mfn - BASE) * PAGE + off;
    c->insn.valid = below(40) != 0;
    c->insn.store = below(40) != 0;
    c->insn.string = below(8) == 0;
    c->insn.width = (uint8_t)(below(100) ? width : 0);
    c->complete = below(30) != 0;
    c->done.outcome = (uint8_t)below(SRO_OUTCOME_COUNT);

    c->n = below(4) == 0 ? 0 : 1 + below(8);
    for ( unsigned int i = 0; i < c->n; i++ )
    {
        struct sro_write *w = &c->w[i];

        if ( below(2) )
        {
            /* A plausible piece: a qword of the store. */
            unsigned int q = off / 8 * 8 + 8 * i;

            w->offset = (uint16_t)((q > off ? q : off) % PAGE);
            w->len = (uint8_t)(8 - w->offset % 8);
        }
        else
        {
            w->offset = (uint16_t)(off + below(24) - below(8)) % PAGE;
            w->len = (uint8_t)below(17);
        }
        w->dev_offset = below(5) ? w->offset : (uint16_t)below(PAGE);
        w->result = (uint8_t)(below(2) ? SRO_WRITTEN
                                       : below(200) ? below(SRO_RESULT_COUNT)
                                       : SRO_RESULT_COUNT);
        w->mfn = below(50) ? mfn : mfn + 1;
    }
    c->done.nwrites = c->n;
}

static void test_property(void **state)
{
    struct sro_prot *p = sro_prot_new();
    static struct bf b;
    unsigned long cases = 0, per_verdict[SRO_VERDICT_COUNT] = { 0 };

    (void)state;
    rng_state = UINT64_C(0x5eed5eed);
    for ( unsigned int cfg = 0; cfg < NCONFIGS; cfg++ )
    {
        random_config(p, &b);
        compare_state(p, &b, cfg);
        for ( unsigned int k = 0; k < NSTORES; k++ )
        {
            uint64_t mfn = BASE + (below(20) ? below(NPAGES) : NPAGES);
            struct bf_page none = { 0 };
            const struct bf_page *pg = bf_page(&b, mfn) ? bf_page(&b, mfn)
                                                        : &none;
            struct bf_case c;
            struct sro_page_prot pp;
            struct sro_judgement j;
            enum sro_verdict want;
            enum sro_intent want_intent = SRO_ALLOW;
            int want_piece;
            struct sro_judge_input in;

            random_case(&c, mfn);
            sro_prot_page(p, mfn, &pp);
            in = (struct sro_judge_input){
                .fault = &c.fault, .insn = &c.insn, .page = &pp,
                .complete = c.complete, .writes = c.w, .nwrites = c.n,
                .done = &c.done,
            };
            want = bf_judge(pg, bf_kind(pg) != SRO_PAGE_UNKNOWN, &c,
                            &want_piece, &want_intent);
            sro_oracle_judge(&in, &j);
            if ( j.verdict != want || j.piece != want_piece ||
                 (want != SRO_V_UNDECIDABLE && j.intent != want_intent) )
                fail_msg("case %lu (config %u): oracle %s piece %d intent "
                         "%s, brute force %s piece %d intent %s", cases, cfg,
                         sro_verdict_name(j.verdict), j.piece,
                         sro_intent_name(j.intent), sro_verdict_name(want),
                         want_piece, sro_intent_name(want_intent));
            /* intent() on its own, over a random range. */
            {
                unsigned int o = below(PAGE), l = below(300);

                if ( sro_oracle_intent(&pp, o, l) != bf_intent(pg, o, l) )
                    fail_msg("case %lu: intent of [%u, +%u)", cases, o, l);
            }
            per_verdict[want]++;
            cases++;
        }
    }
    print_message("%lu cases:", cases);
    for ( unsigned int v = 0; v < SRO_VERDICT_COUNT; v++ )
        print_message(" %s %lu", sro_verdict_name(v), per_verdict[v]);
    print_message("\n");
    assert_true(cases - per_verdict[SRO_V_UNDECIDABLE] >= 100000);
    /* The generator reaches every verdict often. */
    for ( unsigned int v = 0; v < SRO_VERDICT_COUNT; v++ )
        assert_true(per_verdict[v] >= 1000);
    sro_prot_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
