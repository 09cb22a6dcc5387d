/*
 * oracle.c - the reference verdicts of trace-format.md section 4.
 *
 * The guest's store S is [gpa & 0xfff, + width) with the width decoded
 * from the instruction (per iteration for string stores: S is then the
 * first iteration). Bytes are the unit. Every recorded (or predicted)
 * SRO_WRITE piece p is judged on its own:
 *
 *   WRITTEN  WRONGLY_ACCEPTED if a byte of [p.dev_off, +len) or of
 *            [p.off, +len) is read-only; else MISDIRECTED if p.dev_off !=
 *            p.off, or (non-string store) [p.off, +len) is not inside S,
 *            or the piece names another page than the fault's.
 *   dropped  WRONGLY_DENIED unless every byte of [p.off, +len) is
 *            read-only.
 *
 * Then the store as a whole: a non-string store with pieces whose
 * writable bytes are not all covered by correctly written pieces is
 * WRONGLY_DENIED; a store with no piece at all is WRONGLY_DENIED unless
 * its intent is DENY; a DENY store of which nothing reached the device is
 * HARSH_DENY when the guest was faulted (#PF, #GP, another exception) or
 * crashed. The first verdict in the order WRONGLY_ACCEPTED, MISDIRECTED,
 * WRONGLY_DENIED, HARSH_DENY wins; ties go to the lowest piece index.
 *
 * Where section 4 leaves room for two readings, the choices made here are
 * listed in sro_oracle_judge()'s comment.
 */
#include <string.h>

#include "oracle.h"

/*
 * Read-only bytes in [off, end) of the page, end <= SRO_PAGE_SIZE: true
 * if any is, and *all (may be NULL) set to whether every one is (true for
 * an empty range). Masks, not counts: this runs several times per judged
 * group.
 */
static bool any_ro(const struct sro_page_prot *pp, unsigned int off,
                   unsigned int end, bool *all)
{
    bool any = false, every = true;

    while ( off < end )
    {
        unsigned int w = off / 64, lo = off % 64;
        unsigned int hi = end - w * 64 < 64 ? end - w * 64 : 64;
        uint64_t mask = (hi == 64 ? ~UINT64_C(0) : (UINT64_C(1) << hi) - 1) &
                        ~((UINT64_C(1) << lo) - 1);
        uint64_t ro = pp->ro_bytes[w] & mask;

        any |= ro != 0;
        every &= ro == mask;
        off = w * 64 + hi;
    }
    if ( all )
        *all = every;
    return any;
}

/* [off, off+len) clipped to the page: the end. */
static unsigned int clip_end(unsigned int off, unsigned int len)
{
    unsigned long end = (unsigned long)off + len;

    return end > SRO_PAGE_SIZE ? SRO_PAGE_SIZE : (unsigned int)end;
}

/*
 * ALLOW if no byte of [off, off+len) is read-only, DENY if all are, MIXED
 * otherwise. Bytes past the end of the page are not this page's and are
 * not counted; an empty range is ALLOW. Unknown pages have no read-only
 * byte, so this says ALLOW for them: callers judge those UNDECIDABLE
 * first.
 */
enum sro_intent sro_oracle_intent(const struct sro_page_prot *pp,
                                  unsigned int off, unsigned int len)
{
    unsigned int end = clip_end(off, len);
    bool all;

    if ( off >= end || !any_ro(pp, off, end, &all) )
        return SRO_ALLOW;
    return all ? SRO_DENY : SRO_MIXED;
}

/* Does the guest see a fault or a crash? */
static bool harsh_outcome(unsigned int outcome)
{
    return outcome == SRO_PF_TO_GUEST || outcome == SRO_GP_TO_GUEST ||
           outcome == SRO_EXCEPTION || outcome == SRO_DOMAIN_CRASH;
}

/* The verdict so far: keeps the first in precedence order. */
struct tally {
    enum sro_verdict verdict;
    int              piece;
    const char      *why;
};

static void tally(struct tally *t, enum sro_verdict v, int piece,
                  const char *why)
{
    if ( t->verdict == SRO_V_CORRECT || v < t->verdict )
    {
        t->verdict = v;
        t->piece = piece;
        t->why = why;
    }
}

static enum sro_verdict finish(struct sro_judgement *out,
                               enum sro_verdict v, int piece,
                               const char *why)
{
    out->verdict = v;
    out->piece = piece;
    out->why = why;
    return v;
}

/*
 * Judge one group (in->fault, insn, page, done and writes as recorded or
 * predicted). Fills *out and returns its verdict; reads nothing after it
 * returns (out->why is static).
 *
 * Readings of section 4 where it leaves a choice:
 *  - A WRITTEN piece whose guest offset hits read-only bytes but whose
 *    device offset is writable is WRONGLY_ACCEPTED, not MISDIRECTED: the
 *    guest's bytes for read-only registers were accepted. Section 4's
 *    precedence puts WRONGLY_ACCEPTED first either way when the device
 *    offset is read-only.
 *  - A WRITTEN piece longer than the guest's store, or partly outside it,
 *    is MISDIRECTED ("with another length"); for string stores only the
 *    offsets are compared (S is one iteration, pieces are several).
 *  - A piece that names another page than the fault's: WRITTEN is
 *    MISDIRECTED; a dropped one says nothing (its protection is not in
 *    this group).
 *  - Pieces of length 0 carry no byte and are ignored. Pieces whose
 *    result code section 3.2 does not define make the group UNDECIDABLE.
 *  - Bytes of a store past the end of the page belong to another page
 *    whose protection the group does not carry: only this page's bytes
 *    are judged.
 *  - HARSH_DENY needs, as section 4 says, that nothing reached the
 *    device: a group with a WRITTEN piece is never HARSH_DENY.
 *  - Every group is judged on its own: a RETRY or NOT_HANDLED of an
 *    ALLOW store with no piece is WRONGLY_DENIED, even though a later
 *    fault (or another handler) may complete it.
 *  - The width is the decoder's, not SRO_DONE's store_size.
 */
enum sro_verdict sro_oracle_judge(const struct sro_judge_input *in,
                                  struct sro_judgement *out)
{
    const struct sro_page_prot *pp = in->page;
    const struct sro_insn *insn = in->insn;
    struct tally t = { SRO_V_CORRECT, -1, "matches the guest's intent" };
    uint64_t covered[4] = { 0 };            /* bytes of S, width <= 255 */
    unsigned int s_off, s_len, s_end;
    bool written = false;

    out->intent = SRO_ALLOW;
    if ( !in->complete || !in->done || !in->fault )
        return finish(out, SRO_V_UNDECIDABLE, -1, "group incomplete");
    if ( !insn || !insn->valid )
        return finish(out, SRO_V_UNDECIDABLE, -1,
                      "instruction missing or undecodable");
    if ( !insn->store || insn->width == 0 )
        return finish(out, SRO_V_UNDECIDABLE, -1,
                      "instruction is not a store");
    if ( !pp || pp->kind == SRO_PAGE_UNKNOWN )
        return finish(out, SRO_V_UNDECIDABLE, -1,
                      "protection of the page unknown");
    for ( unsigned int i = 0; i < in->nwrites; i++ )
        if ( in->writes[i].result >= SRO_RESULT_COUNT )
            return finish(out, SRO_V_UNDECIDABLE, (int)i,
                          "write with an unknown result code");

    s_off = in->fault->gpa & (SRO_PAGE_SIZE - 1);
    s_len = insn->width;
    s_end = clip_end(s_off, s_len);
    out->intent = sro_oracle_intent(pp, s_off, s_len);

    for ( unsigned int i = 0; i < in->nwrites; i++ )
    {
        const struct sro_write *w = &in->writes[i];
        unsigned int off = w->offset & (SRO_PAGE_SIZE - 1);
        unsigned int dev = w->dev_offset & (SRO_PAGE_SIZE - 1);

        if ( w->len == 0 )
            continue;
        if ( w->result != SRO_WRITTEN )
        {
            if ( w->mfn == pp->mfn &&
                 sro_oracle_intent(pp, off, w->len) != SRO_DENY )
                tally(&t, SRO_V_WRONGLY_DENIED, (int)i,
                      "writable bytes were dropped");
            continue;
        }
        written = true;
        if ( w->mfn != pp->mfn )
        {
            tally(&t, SRO_V_MISDIRECTED, (int)i,
                  "written to another page than the faulting one");
            continue;
        }
        if ( any_ro(pp, dev, clip_end(dev, w->len), NULL) )
        {
            tally(&t, SRO_V_WRONGLY_ACCEPTED, (int)i,
                  "read-only bytes of the device were written");
            continue;
        }
        if ( any_ro(pp, off, clip_end(off, w->len), NULL) )
        {
            tally(&t, SRO_V_WRONGLY_ACCEPTED, (int)i,
                  "bytes the guest aimed at read-only bytes were written");
            continue;
        }
        if ( dev != off )
        {
            tally(&t, SRO_V_MISDIRECTED, (int)i,
                  "written at another offset than the guest addressed");
            continue;
        }
        if ( insn->string )
            continue;
        if ( off < s_off || off + w->len > s_off + s_len )
        {
            tally(&t, SRO_V_MISDIRECTED, (int)i,
                  "written beyond the bytes the guest's store addressed");
            continue;
        }
        for ( unsigned int b = off - s_off; b < off - s_off + w->len; b++ )
            covered[b / 64] |= UINT64_C(1) << (b % 64);
    }

    if ( in->nwrites == 0 )
    {
        if ( out->intent != SRO_DENY )
            tally(&t, SRO_V_WRONGLY_DENIED, -1,
                  "writable bytes never reached the device");
    }
    else if ( !insn->string && out->intent != SRO_DENY )
    {
        for ( unsigned int b = s_off; b < s_end; b++ )
            if ( !sro_page_byte_ro(pp, b) &&
                 !((covered[(b - s_off) / 64] >> ((b - s_off) % 64)) & 1) )
            {
                tally(&t, SRO_V_WRONGLY_DENIED, -1,
                      "writable bytes of the store never reached the "
                      "device");
                break;
            }
    }

    if ( t.verdict == SRO_V_CORRECT && out->intent == SRO_DENY &&
         !written && harsh_outcome(in->done->outcome) )
        tally(&t, SRO_V_HARSH_DENY, -1,
              "a write the device ignores faulted or crashed the guest");

    return finish(out, t.verdict, t.piece, t.why);
}
