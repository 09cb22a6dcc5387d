/*
 * prot.c - the protection state of prot.h: Xen's mmio_ro_ranges and
 * subpage_ro_ranges, replayed.
 *
 * Every rule below follows xen/arch/x86/mm.c as of 8847d6e23f ("x86/mm:
 * add API for marking only part of a MMIO page read only", in 4.20.0),
 * unchanged in 4.20.x, 4.21.0 and master except for the boot-state check
 * that 06fd6818ea added (4.21.0). We model a release build: Xen's
 * ASSERT()s are compiled out, which matters in two places (see
 * add_page_qwords() and sro_prot_add()).
 *
 * Data layout, chosen for the replayer's access pattern (one page query
 * per fault, millions of faults, a handful of configured pages):
 *  - whole read-only pages (mmio_ro_ranges) are a sorted array of disjoint,
 *    non-adjacent inclusive intervals, merged on insertion exactly like
 *    Xen's rangeset; a query is a binary search. One BAR of thousands of
 *    pages costs one interval.
 *  - per-page data (Xen's sub-page entry, and what-if holes) lives in one
 *    struct page_rec per mfn, found through an open-addressing hash map
 *    (mfn -> record, linear probing, load <= 1/2, never shrinks: records
 *    are never removed: Xen removes an entry only on its -ENOMEM rollback,
 *    which sro_prot_add() never needs). A second array keeps the
 *    same records sorted by mfn for in-order iteration.
 * A record that has neither an entry nor a hole is invisible: allocating
 * one is not a change of state, which is how sro_prot_add() stays atomic
 * when this process runs out of memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prot.h"

#define QWORD_WORDS (SRO_QWORDS / 64)      /* 8 u64 per qword bitmap */
#define BYTE_WORDS  (SRO_PAGE_SIZE / 64)   /* 64 u64 per byte bitmap */

/* Per-page data beyond mmio_ro_ranges. */
struct page_rec {
    uint64_t mfn;
    bool     has_entry;                 /* Xen has a subpage_ro_range */
    bool     mapped;                    /* its `mapped` is set */
    bool     has_hole;                  /* holes[] is not empty */
    uint64_t ro_qwords[QWORD_WORDS];    /* the entry's ro_elems */
    uint64_t holes[BYTE_WORDS];         /* bit b: byte b carved writable */
};

/* One run of whole pages in mmio_ro_ranges, inclusive. */
struct run {
    uint64_t first;
    uint64_t last;
};

struct sro_prot {
    struct run       *runs;     /* sorted, disjoint, non-adjacent */
    size_t            nruns;
    size_t            runs_cap;
    struct page_rec **slots;    /* hash table, NULL = empty */
    size_t            nslots;   /* power of two, 0 before the first */
    struct page_rec **sorted;   /* the same records by ascending mfn */
    size_t            nrecs;
    size_t            sorted_cap;
    bool              after_boot;
};

/* ---- the hash map ---- */

static size_t slot_of(uint64_t mfn, size_t nslots)
{
    return (size_t)((mfn * UINT64_C(0x9e3779b97f4a7c15)) >> 32) &
           (nslots - 1);
}

/* The record of mfn, or NULL. */
static struct page_rec *rec_find(const struct sro_prot *p, uint64_t mfn)
{
    if ( !p->nslots )
        return NULL;
    for ( size_t i = slot_of(mfn, p->nslots); p->slots[i];
          i = (i + 1) & (p->nslots - 1) )
        if ( p->slots[i]->mfn == mfn )
            return p->slots[i];
    return NULL;
}

static void slot_insert(struct page_rec **slots, size_t nslots,
                        struct page_rec *r)
{
    size_t i = slot_of(r->mfn, nslots);

    while ( slots[i] )
        i = (i + 1) & (nslots - 1);
    slots[i] = r;
}

/* Room for one more record in both arrays; 0 or -ENOMEM (no change). */
static int rec_reserve(struct sro_prot *p)
{
    if ( (p->nrecs + 1) * 2 > p->nslots )
    {
        size_t n = p->nslots ? p->nslots * 2 : 64;
        struct page_rec **slots = calloc(n, sizeof(*slots));

        if ( !slots )
            return -ENOMEM;
        for ( size_t i = 0; i < p->nrecs; i++ )
            slot_insert(slots, n, p->sorted[i]);
        free(p->slots);
        p->slots = slots;
        p->nslots = n;
    }
    if ( p->nrecs == p->sorted_cap )
    {
        size_t n = p->sorted_cap ? p->sorted_cap * 2 : 32;
        struct page_rec **s = realloc(p->sorted, n * sizeof(*s));

        if ( !s )
            return -ENOMEM;
        p->sorted = s;
        p->sorted_cap = n;
    }
    return 0;
}

/* Index in sorted[] of the first record with mfn >= `mfn`. */
static size_t rec_lower_bound(const struct sro_prot *p, uint64_t mfn)
{
    size_t lo = 0, hi = p->nrecs;

    while ( lo < hi )
    {
        size_t mid = lo + (hi - lo) / 2;

        if ( p->sorted[mid]->mfn < mfn )
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The record of mfn, created empty (invisible) if missing; NULL only when
 * out of memory, with the state unchanged. */
static struct page_rec *rec_get(struct sro_prot *p, uint64_t mfn)
{
    struct page_rec *r = rec_find(p, mfn);
    size_t at;

    if ( r )
        return r;
    if ( rec_reserve(p) )
        return NULL;
    r = calloc(1, sizeof(*r));
    if ( !r )
        return NULL;
    r->mfn = mfn;
    slot_insert(p->slots, p->nslots, r);
    at = rec_lower_bound(p, mfn);
    memmove(&p->sorted[at + 1], &p->sorted[at],
            (p->nrecs - at) * sizeof(p->sorted[0]));
    p->sorted[at] = r;
    p->nrecs++;
    return r;
}

/* ---- the whole-page runs ---- */

/* Index of the first run with last >= mfn (nruns if none). */
static size_t run_lower_bound(const struct sro_prot *p, uint64_t mfn)
{
    size_t lo = 0, hi = p->nruns;

    while ( lo < hi )
    {
        size_t mid = lo + (hi - lo) / 2;

        if ( p->runs[mid].last < mfn )
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool run_contains(const struct sro_prot *p, uint64_t mfn)
{
    size_t i = run_lower_bound(p, mfn);

    return i < p->nruns && p->runs[i].first <= mfn;
}

/* Room for one more run; 0 or -ENOMEM (no change). */
static int run_reserve(struct sro_prot *p)
{
    if ( p->nruns == p->runs_cap )
    {
        size_t n = p->runs_cap ? p->runs_cap * 2 : 16;
        struct run *r = realloc(p->runs, n * sizeof(*r));

        if ( !r )
            return -ENOMEM;
        p->runs = r;
        p->runs_cap = n;
    }
    return 0;
}

/*
 * Add [first, last] to the runs as Xen's rangeset_add_range() does: the
 * union, with overlapping and adjacent runs merged. Needs run_reserve()
 * first; cannot fail.
 */
static void run_add(struct sro_prot *p, uint64_t first, uint64_t last)
{
    /* First run that overlaps or touches [first, last] from below. */
    size_t i = run_lower_bound(p, first ? first - 1 : 0);
    size_t j = i;

    /* Runs i..j-1 overlap or touch it. */
    while ( j < p->nruns &&
            (last == UINT64_MAX || p->runs[j].first <= last + 1) )
        j++;
    if ( i == j )
    {
        memmove(&p->runs[i + 1], &p->runs[i],
                (p->nruns - i) * sizeof(p->runs[0]));
        p->runs[i].first = first;
        p->runs[i].last = last;
        p->nruns++;
        return;
    }
    if ( p->runs[i].first < first )
        first = p->runs[i].first;
    if ( p->runs[j - 1].last > last )
        last = p->runs[j - 1].last;
    p->runs[i].first = first;
    p->runs[i].last = last;
    memmove(&p->runs[i + 1], &p->runs[j],
            (p->nruns - j) * sizeof(p->runs[0]));
    p->nruns -= j - i - 1;
}

/* ---- life cycle ---- */

struct sro_prot *sro_prot_new(void)
{
    return calloc(1, sizeof(struct sro_prot));
}

void sro_prot_reset(struct sro_prot *p)
{
    for ( size_t i = 0; i < p->nrecs; i++ )
        free(p->sorted[i]);
    p->nrecs = 0;
    if ( p->nslots )
        memset(p->slots, 0, p->nslots * sizeof(p->slots[0]));
    p->nruns = 0;
    p->after_boot = false;
}

void sro_prot_free(struct sro_prot *p)
{
    if ( !p )
        return;
    sro_prot_reset(p);
    free(p->slots);
    free(p->sorted);
    free(p->runs);
    free(p);
}

void sro_prot_set_after_boot(struct sro_prot *p, bool after_boot)
{
    p->after_boot = after_boot;
}

bool sro_prot_after_boot(const struct sro_prot *p)
{
    return p->after_boot;
}

/* ---- subpage_mmio_ro_add() ---- */

/*
 * Mark qwords off_s/8 .. off_e/8 of r's entry read-only, creating the
 * entry: subpage_mmio_ro_add_page() (8847d6e23f). Xen walks
 * i = off_s; i <= off_e; i += 8 and sets bit i/8; with off_s a multiple of
 * 8 and off_e = 8k+7 that is exactly qwords off_s/8 .. off_e/8. A bit that
 * was already set trips ASSERT(!oldbit) in a debug build only: a release
 * build keeps the union, so duplicate and overlapping adds are harmless.
 */
static void add_page_qwords(struct page_rec *r, unsigned int off_s,
                            unsigned int off_e)
{
    for ( unsigned int q = off_s / SRO_GRAN; q <= off_e / SRO_GRAN; q++ )
        r->ro_qwords[q / 64] |= UINT64_C(1) << (q % 64);
    r->has_entry = true;
}

int sro_prot_add(struct sro_prot *p, uint64_t start, uint64_t size)
{
    uint64_t end, mfn_s, mfn_e;
    unsigned int off_s, off_e;
    bool sub_s, sub_e;
    struct page_rec *rs = NULL, *re = NULL;

    /* subpage_mmio_ro_add(), 8847d6e23f: start and size must both be
     * multiples of MMIO_RO_SUBPAGE_GRAN (8); checked before anything. */
    if ( start % SRO_GRAN || size % SRO_GRAN )
        return -EINVAL;

    /* 06fd6818ea (4.21.0, master): after SYS_STATE_smp_boot the add is
     * refused (ASSERT_UNREACHABLE() is compiled out), before the size-0
     * test, so an aligned size 0 after boot is -EILSEQ too. */
    if ( p->after_boot )
        return -EILSEQ;

    /* 8847d6e23f: size 0 succeeds and does nothing. */
    if ( !size )
        return 0;

    /* Not a Xen rule: Xen would compute a wrapped `end` (paddr_t) and hand
     * rangeset_add_range() s > e; no physical address is that high. */
    if ( size - 1 > UINT64_MAX - start )
        return -EINVAL;

    end = start + size - 1;
    mfn_s = start >> SRO_PAGE_SHIFT;
    mfn_e = end >> SRO_PAGE_SHIFT;
    off_s = start & (SRO_PAGE_SIZE - 1);
    off_e = end & (SRO_PAGE_SIZE - 1);

    /*
     * 8847d6e23f: which pages get a sub-page entry. A range within one
     * page gets one unless it covers the page exactly; otherwise the first
     * page gets one if the range starts inside it, the last page if the
     * range ends inside it. Pages covered fully get none.
     */
    if ( mfn_s == mfn_e )
    {
        sub_s = off_s != 0 || off_e != SRO_PAGE_SIZE - 1;
        sub_e = false;
    }
    else
    {
        sub_s = off_s != 0;
        sub_e = off_e != SRO_PAGE_SIZE - 1;
    }

    /* Take all memory first (records are invisible until they get an
     * entry), so that what follows cannot fail half-way. */
    if ( sub_s && !(rs = rec_get(p, mfn_s)) )
        return -ENOMEM;
    if ( sub_e && !(re = rec_get(p, mfn_e)) )
        return -ENOMEM;
    if ( run_reserve(p) )
        return -ENOMEM;

    /*
     * 8847d6e23f: the first page gets qwords off_s .. (its end, or the
     * range's end if in the same page), the last page 0 .. off_e. Xen then
     * ASSERTs that a page getting a *new* entry was not already read-only
     * as a whole; compiled out, a partial add on a RO_WHOLE page creates
     * the entry anyway and the page becomes writable except for the new
     * qwords. Conversely a page that the range covers fully gets no entry
     * and keeps the one it had: it stays partly writable, the whole-page
     * add is lost on it (Xen's write handlers look for the entry first).
     */
    if ( sub_s )
        add_page_qwords(rs, off_s,
                        mfn_s == mfn_e ? off_e : SRO_PAGE_SIZE - 1);
    if ( sub_e )
        add_page_qwords(re, 0, off_e);

    /* 8847d6e23f: every page of the range joins mmio_ro_ranges, the
     * partial ones included (rangeset_add_range(), -ENOMEM only; its
     * rollback through subpage_mmio_ro_remove_page() is never taken). */
    run_add(p, mfn_s, mfn_e);
    return 0;
}

/* ---- records ---- */

int sro_prot_set_quarter(struct sro_prot *p, uint64_t mfn, unsigned int q,
                         bool mapped, const uint32_t bits[4])
{
    struct page_rec *r;

    if ( q > 3 || mfn > SRO_PROT_MFN_MAX )
        return -EINVAL;
    if ( !(r = rec_get(p, mfn)) )
        return -ENOMEM;
    /* Qwords 128q .. 128q+127 are u64 words 2q and 2q+1 of ro_elems. */
    r->ro_qwords[2 * q] = bits[0] | (uint64_t)bits[1] << 32;
    r->ro_qwords[2 * q + 1] = bits[2] | (uint64_t)bits[3] << 32;
    r->mapped = mapped;
    r->has_entry = true;
    return 0;
}

int sro_prot_add_ro_pages(struct sro_prot *p, uint64_t first, uint64_t last)
{
    if ( first > last || last > SRO_PROT_MFN_MAX )
        return -EINVAL;
    if ( run_reserve(p) )
        return -ENOMEM;
    run_add(p, first, last);
    return 0;
}

int sro_prot_add_hole(struct sro_prot *p, uint64_t start, uint64_t size)
{
    uint64_t end, mfn_s, mfn_e;

    if ( !size )
        return 0;
    if ( size - 1 > UINT64_MAX - start )
        return -EINVAL;
    end = start + size - 1;
    mfn_s = start >> SRO_PAGE_SHIFT;
    mfn_e = end >> SRO_PAGE_SHIFT;
    if ( mfn_e - mfn_s >= SRO_PROT_HOLE_MAX_PAGES )
        return -E2BIG;
    /* Records first, all or nothing. */
    for ( uint64_t m = mfn_s; ; m++ )
    {
        if ( !rec_get(p, m) )
            return -ENOMEM;
        if ( m == mfn_e )
            break;
    }
    for ( uint64_t m = mfn_s; ; m++ )
    {
        struct page_rec *r = rec_find(p, m);
        unsigned int b0 = m == mfn_s ? start & (SRO_PAGE_SIZE - 1) : 0;
        unsigned int b1 = m == mfn_e ? end & (SRO_PAGE_SIZE - 1)
                                     : SRO_PAGE_SIZE - 1;

        for ( unsigned int b = b0; b <= b1; b++ )
            r->holes[b / 64] |= UINT64_C(1) << (b % 64);
        r->has_hole = true;
        if ( m == mfn_e )
            break;
    }
    return 0;
}

int sro_prot_apply_record(struct sro_prot *p, uint32_t event,
                          const uint32_t *w, unsigned int nwords)
{
    int rc;

    switch ( event )
    {
    case SRO_RANGE_ADD:
        if ( nwords != SRO_RANGE_ADD_WORDS )
            return -EINVAL;
        /* A failed add left Xen's state as it was (the checks come before
         * any change; the -ENOMEM paths roll back). */
        if ( w[3] != 0 )
            return 0;
        rc = sro_prot_add(p, w[0] | (uint64_t)w[1] << 32, w[2]);
        if ( rc == -ENOMEM )
            return rc;
        return rc ? -EPROTO : 0;

    case SRO_RANGE_STATE:
        if ( nwords != SRO_RANGE_STATE_WORDS )
            return -EINVAL;
        return sro_prot_set_quarter(p, w[0] | (uint64_t)w[1] << 32,
                                    SRO_STATE_QUARTER(w[2]),
                                    w[2] & SRO_STATE_MAPPED, &w[3]);

    case SRO_RO_PAGES:
        if ( nwords != SRO_RO_PAGES_WORDS )
            return -EINVAL;
        return sro_prot_add_ro_pages(p, w[0] | (uint64_t)w[1] << 32,
                                     w[2] | (uint64_t)w[3] << 32);

    default:
        return SRO_PROT_NOT_CONFIG;
    }
}

/* ---- queries ---- */

/* Bit i of `bits` (0..255) becomes byte i of the result, 0x00 or 0xff:
 * spread the bits one per byte, test each byte for non-zero without
 * carries (a byte is at most 0x80, plus 0x7f stays within it), widen. */
static uint64_t expand8(unsigned int bits)
{
    uint64_t m = ((uint64_t)bits * UINT64_C(0x0101010101010101)) &
                 UINT64_C(0x8040201008040201);

    m = (m + UINT64_C(0x7f7f7f7f7f7f7f7f)) & UINT64_C(0x8080808080808080);
    return (m >> 7) * 0xff;
}

/* Snapshot of mfn given its record (or NULL) and run membership. */
static enum sro_page_kind fill(const struct page_rec *r, bool whole,
                               uint64_t mfn, struct sro_page_prot *out)
{
    bool entry = r && r->has_entry;

    memset(out, 0, sizeof(*out));
    out->mfn = mfn;
    if ( !entry && !whole )
        return out->kind = SRO_PAGE_UNKNOWN;

    if ( entry )
    {
        out->kind = whole ? SRO_PAGE_SUBPAGE : SRO_PAGE_ENTRY_ONLY;
        out->mapped = r->mapped;
        memcpy(out->ro_qwords, r->ro_qwords, sizeof(out->ro_qwords));
    }
    else
    {
        out->kind = SRO_PAGE_RO_WHOLE;
        memset(out->ro_qwords, 0xff, sizeof(out->ro_qwords));
    }
    /* Bytes 64w .. 64w+63 are qwords 8w .. 8w+7. */
    for ( unsigned int wd = 0; wd < BYTE_WORDS; wd++ )
        out->ro_bytes[wd] = expand8((out->ro_qwords[wd / 8] >>
                                     (8 * (wd % 8))) & 0xff);

    if ( r && r->has_hole )
    {
        for ( unsigned int wd = 0; wd < BYTE_WORDS; wd++ )
            out->ro_bytes[wd] &= ~r->holes[wd];
        /* A qword stays read-only while any of its bytes is. */
        memset(out->ro_qwords, 0, sizeof(out->ro_qwords));
        for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
            if ( (out->ro_bytes[q / 8] >> (8 * (q % 8))) & 0xff )
                out->ro_qwords[q / 64] |= UINT64_C(1) << (q % 64);
        if ( out->kind == SRO_PAGE_RO_WHOLE )
            out->kind = SRO_PAGE_SUBPAGE;
    }
    return out->kind;
}

enum sro_page_kind sro_prot_page(const struct sro_prot *p, uint64_t mfn,
                                 struct sro_page_prot *out)
{
    return fill(rec_find(p, mfn), run_contains(p, mfn), mfn, out);
}

bool sro_prot_page_known(const struct sro_prot *p, uint64_t mfn)
{
    const struct page_rec *r = rec_find(p, mfn);

    return (r && r->has_entry) || run_contains(p, mfn);
}

bool sro_prot_byte_ro(const struct sro_prot *p, uint64_t mfn,
                      unsigned int off)
{
    const struct page_rec *r;
    bool ro;

    if ( off >= SRO_PAGE_SIZE )
        return false;
    r = rec_find(p, mfn);
    if ( r && r->has_entry )
        ro = (r->ro_qwords[off / 512] >> (off / 8 % 64)) & 1;
    else
        ro = run_contains(p, mfn);
    if ( ro && r && r->has_hole )
        ro = !((r->holes[off / 64] >> (off % 64)) & 1);
    return ro;
}

bool sro_prot_next_page(const struct sro_prot *p, uint64_t *cursor,
                        struct sro_page_prot *out)
{
    uint64_t c = *cursor, best = UINT64_MAX;
    bool found = false;
    size_t i;

    /* The first record with an entry at or after the cursor. */
    for ( i = rec_lower_bound(p, c); i < p->nrecs; i++ )
        if ( p->sorted[i]->has_entry )
        {
            best = p->sorted[i]->mfn;
            found = true;
            break;
        }
    /* The first whole page at or after the cursor. */
    i = run_lower_bound(p, c);
    if ( i < p->nruns )
    {
        uint64_t m = p->runs[i].first > c ? p->runs[i].first : c;

        if ( !found || m < best )
            best = m;
        found = true;
    }
    if ( !found )
        return false;
    sro_prot_page(p, best, out);
    /* best <= SRO_PROT_MFN_MAX: the cursor cannot wrap. */
    *cursor = best + 1;
    return true;
}
