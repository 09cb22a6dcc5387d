/*
 * timeline.c - collect one domain's events and mark where trouble began
 * (see timeline.h).
 *
 * Two queries: the groups of the domain in time order (with the latest
 * replay's verdict), and their pieces in group order; the pieces are
 * matched to their group by a binary search over group ids.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "storeinfo.h"
#include "timeline.h"

static const char events_sql[] =
    "SELECT g.id, g.tsc, g.vcpu, g.rip, coalesce(g.insn, 0), g.mfn, "
    "  g.page_offset, g.outcome, g.reason, coalesce(g.store_size, 0), "
    "  g.incomplete, v.verdict, "
    "  (SELECT w.length FROM dev_writes w WHERE w.grp = g.id "
    "   ORDER BY w.piece LIMIT 1) "
    "FROM fault_groups g "
    "LEFT JOIN verdicts v ON v.replay = ?2 AND v.grp = g.id "
    "WHERE g.run = ?1 AND g.domain = ?3 AND (?4 < 0 OR g.vcpu = ?4) "
    "ORDER BY g.tsc, g.id";

static const char pieces_sql[] =
    "SELECT w.grp, w.offset, w.length, w.result, w.dev_offset, w.data "
    "FROM dev_writes w JOIN fault_groups g ON g.id = w.grp "
    "WHERE g.run = ?1 AND g.domain = ?3 AND (?4 < 0 OR g.vcpu = ?4) "
    "ORDER BY w.grp, w.piece";

bool timeline_guest_fault(unsigned int o)
{
    return o == SRO_PF_TO_GUEST || o == SRO_GP_TO_GUEST ||
           o == SRO_EXCEPTION || o == SRO_DOMAIN_CRASH;
}

const char *timeline_fault_name(unsigned int o)
{
    switch ( o )
    {
    case SRO_PF_TO_GUEST:  return "#PF";
    case SRO_GP_TO_GUEST:  return "#GP";
    case SRO_EXCEPTION:    return "exception";
    case SRO_DOMAIN_CRASH: return "domain crash";
    default:               return sro_outcome_name(o) ? sro_outcome_name(o)
                                                      : "?";
    }
}

static bool is_wrong(unsigned int v)
{
    return v == SRO_V_WRONGLY_ACCEPTED || v == SRO_V_MISDIRECTED ||
           v == SRO_V_WRONGLY_DENIED || v == SRO_V_HARSH_DENY;
}

/* Prepare sql with ?1 run, ?2 replay, ?3 domain, ?4 vcpu (-1: all). */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql,
                          const struct runinfo *r, unsigned int domain,
                          int vcpu, struct sro_db_err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    if ( rc != SQLITE_OK )
    {
        sro_db_fail(db, rc, "reading the timeline", e);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_int64(st, 2, r->replay);
    sqlite3_bind_int64(st, 3, domain);
    sqlite3_bind_int64(st, 4, vcpu);
    return st;
}

/* Events sorted by group id, for matching pieces: indices into t->ev. */
static int cmp_by_grp(const void *a, const void *b, void *arg)
{
    const struct timeline *t = arg;
    int64_t x = t->ev[*(const unsigned int *)a].grp;
    int64_t y = t->ev[*(const unsigned int *)b].grp;

    return (x > y) - (x < y);
}

/* Attach each event's pieces (the first TIMELINE_MAX_PIECES; all are
 * counted). 0 or -1 with *e filled. */
static int read_pieces(sqlite3 *db, const struct runinfo *r,
                       struct timeline *t, struct sro_db_err *e)
{
    unsigned int *idx = malloc((t->n ? t->n : 1) * sizeof(*idx));
    sqlite3_stmt *st;
    int rc;

    if ( !idx )
        return sro_db_fail(db, SQLITE_NOMEM, "reading the timeline", e);
    for ( unsigned int i = 0; i < t->n; i++ )
        idx[i] = i;
    if ( t->n )
        qsort_r(idx, t->n, sizeof(*idx), cmp_by_grp, t);
    st = prep(db, pieces_sql, r, t->domain, t->vcpu, e);
    if ( !st )
    {
        free(idx);
        return -1;
    }
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        int64_t grp = sqlite3_column_int64(st, 0);
        size_t lo = 0, hi = t->n;
        struct timeline_event *ev = NULL;

        while ( lo < hi )
        {
            size_t mid = lo + (hi - lo) / 2;

            if ( t->ev[idx[mid]].grp == grp )
            {
                ev = &t->ev[idx[mid]];
                break;
            }
            if ( t->ev[idx[mid]].grp < grp )
                lo = mid + 1;
            else
                hi = mid;
        }
        if ( !ev )
            continue;
        if ( ev->npieces < TIMELINE_MAX_PIECES )
        {
            struct timeline_piece *p = &ev->pieces[ev->npieces];
            int n = sqlite3_column_bytes(st, 5);
            const void *data = sqlite3_column_blob(st, 5);

            p->offset = (uint16_t)(sqlite3_column_int(st, 1) & 0xfff);
            p->length = (uint8_t)sqlite3_column_int(st, 2);
            p->result = (uint8_t)sqlite3_column_int(st, 3);
            p->dev_offset = (uint16_t)(sqlite3_column_int(st, 4) & 0xfff);
            if ( n > (int)sizeof(p->data) )
                n = sizeof(p->data);
            if ( data && n > 0 )
                memcpy(p->data, data, (size_t)n);
            p->data_len = (uint8_t)(data && n > 0 ? n : 0);
        }
        ev->npieces++;
    }
    sqlite3_finalize(st);
    free(idx);
    return rc == SQLITE_DONE ? 0 : sro_db_fail(db, rc, "reading the "
                                               "timeline", e);
}

/* The value stored by the first piece, as a little-endian integer. */
static bool first_value(const struct timeline_event *ev, uint64_t *v)
{
    const struct timeline_piece *p = &ev->pieces[0];

    if ( !ev->npieces || !p->data_len || p->length > 8 )
        return false;
    *v = 0;
    for ( unsigned int i = 0; i < p->length && i < p->data_len; i++ )
        *v |= (uint64_t)p->data[i] << (8 * i);
    return true;
}

/* Register name and the fields its value sets. */
static void name_register(struct timeline_event *ev, const struct devbind *b)
{
    uint64_t addr = (ev->mfn << SRO_PAGE_SHIFT) + ev->offset;
    const struct regmap_inst *in;
    unsigned int delta;
    uint64_t v;

    devbind_register(b, addr, ev->width ? ev->width : 1, ev->reg,
                     sizeof(ev->reg), NULL, NULL);
    if ( devbind_locate(b, addr, &in, &delta) && first_value(ev, &v) &&
         delta < 8 && delta + ev->pieces[0].length <= in->reg->size )
        regmap_format_fields(in->reg, v << (8 * delta), ev->fields,
                             sizeof(ev->fields));
}

/* Mark, before each fault or crash of the guest, the first wrong
 * verdict since the previous one (mark_for = index of that fault). */
static void mark(struct timeline *t)
{
    int first = -1;

    for ( unsigned int i = 0; i < t->n; i++ )
    {
        struct timeline_event *ev = &t->ev[i];

        if ( first < 0 && ev->verdict != TIMELINE_NONE &&
             is_wrong(ev->verdict) )
            first = (int)i;
        if ( ev->outcome != TIMELINE_NONE &&
             timeline_guest_fault(ev->outcome) )
        {
            if ( first >= 0 )
                t->ev[first].mark_for = (int)i;
            first = -1;
        }
    }
}

int timeline_build(sqlite3 *db, const struct runinfo *r, unsigned int domain,
                   int vcpu, const struct symtab *syms,
                   const struct devbind *b, struct timeline *out,
                   struct sro_db_err *e)
{
    struct sro_insn_table *it;
    sqlite3_stmt *st;
    unsigned int cap = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    out->domain = domain;
    out->vcpu = vcpu;
    it = sro_insn_table_new(db, e);
    if ( !it )
        return -1;
    st = prep(db, events_sql, r, domain, vcpu, e);
    if ( !st )
    {
        sro_insn_table_free(it);
        return -1;
    }
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        struct timeline_event *ev;
        int64_t insn = sqlite3_column_int64(st, 4);

        if ( out->n == cap )
        {
            struct timeline_event *nev;

            cap = cap ? cap * 2 : 64;
            nev = realloc(out->ev, cap * sizeof(*nev));
            if ( !nev )
            {
                rc = SQLITE_NOMEM;
                break;
            }
            out->ev = nev;
        }
        ev = &out->ev[out->n++];
        memset(ev, 0, sizeof(*ev));
        ev->mark_for = -1;
        ev->grp = sqlite3_column_int64(st, 0);
        ev->tsc = sro_db_column_u64(st, 1);
        ev->vcpu = (uint16_t)sqlite3_column_int(st, 2);
        ev->has_rip = sqlite3_column_type(st, 3) != SQLITE_NULL;
        ev->rip = sro_db_column_u64(st, 3);
        if ( ev->has_rip )
            symtab_name(syms, ev->rip, ev->sym, sizeof(ev->sym));
        ev->mfn = sro_db_column_u64(st, 5);
        ev->offset = (uint16_t)(sqlite3_column_int(st, 6) & 0xfff);
        ev->outcome = sqlite3_column_type(st, 7) == SQLITE_NULL
                      ? TIMELINE_NONE : (uint8_t)sqlite3_column_int(st, 7);
        ev->reason = (uint8_t)sqlite3_column_int(st, 8);
        if ( sqlite3_column_type(st, 10) != SQLITE_NULL )
            snprintf(ev->incomplete, sizeof(ev->incomplete), "%s",
                     (const char *)sqlite3_column_text(st, 10));
        ev->verdict = sqlite3_column_type(st, 11) == SQLITE_NULL
                      ? TIMELINE_NONE : (uint8_t)sqlite3_column_int(st, 11);
        if ( storeinfo_text(it, insn, ev->insn, sizeof(ev->insn), ev->hex,
                            sizeof(ev->hex), e) ||
             storeinfo_width(it, insn, (unsigned int)sqlite3_column_int(st, 9),
                             (unsigned int)sqlite3_column_int(st, 12),
                             &ev->width, e) )
        {
            rc = SQLITE_ERROR;
            break;
        }
    }
    sqlite3_finalize(st);
    sro_insn_table_free(it);
    if ( rc != SQLITE_DONE )
    {
        if ( rc != SQLITE_ERROR )
            sro_db_fail(db, rc, "reading the timeline", e);
        timeline_free(out);
        return -1;
    }
    if ( read_pieces(db, r, out, e) )
    {
        timeline_free(out);
        return -1;
    }
    for ( unsigned int i = 0; i < out->n; i++ )
        name_register(&out->ev[i], b);
    mark(out);
    return 0;
}

void timeline_free(struct timeline *t)
{
    free(t->ev);
    t->ev = NULL;
    t->n = 0;
}

bool timeline_mark(const struct runinfo *r, const struct timeline *t,
                   unsigned int i, char *buf, size_t buflen)
{
    const struct timeline_event *ev = &t->ev[i], *f;
    char when[48];

    if ( ev->mark_for < 0 )
        return false;
    f = &t->ev[ev->mark_for];
    runinfo_time(r, f->tsc, when, sizeof(when));
    snprintf(buf, buflen, "first wrong verdict before the %s at %s%s",
             timeline_fault_name(f->outcome), when,
             (unsigned int)ev->mark_for == i ? " (this store)" : "");
    return true;
}

/* What happened to one piece, for people. */
static const char *piece_fate(const struct timeline_piece *p)
{
    switch ( p->result )
    {
    case SRO_WRITTEN:            return "written";
    case SRO_DROPPED_RO:         return "dropped (read-only)";
    case SRO_DROPPED_NO_ENTRY:   return "dropped (no sub-page entry)";
    case SRO_DROPPED_MAP_FAILED: return "dropped (map failed)";
    case SRO_DROPPED_BAD_SIZE:   return "dropped (bad size)";
    case SRO_DROPPED_MISALIGNED: return "dropped (misaligned)";
    default:                     return "?";
    }
}

/* How the fault ended, for people. */
static const char *outcome_text(unsigned int o)
{
    switch ( o )
    {
    case SRO_RETIRED:      return "retired";
    case SRO_RETRY:        return "retried";
    case SRO_PF_TO_GUEST:  return "#PF to the guest";
    case SRO_GP_TO_GUEST:  return "#GP to the guest";
    case SRO_EXCEPTION:    return "exception to the guest";
    case SRO_DOMAIN_CRASH: return "domain crashed";
    case SRO_NOT_HANDLED:  return "not handled";
    default:               return "?";
    }
}

void timeline_what(const struct timeline_event *ev, char *buf,
                   size_t buflen)
{
    size_t used = 0;
    unsigned int shown = ev->npieces < TIMELINE_MAX_PIECES
                         ? ev->npieces : TIMELINE_MAX_PIECES;

#define PUT(...) \
    do { \
        if ( used < buflen ) \
        { \
            int k_ = snprintf(buf + used, buflen - used, __VA_ARGS__); \
            used += k_ > 0 ? (size_t)k_ : 0; \
        } \
    } while ( 0 )

    if ( buflen )
        buf[0] = '\0';
    if ( !ev->npieces )
        PUT("no write");
    for ( unsigned int i = 0; i < shown; i++ )
    {
        const struct timeline_piece *p = &ev->pieces[i];

        PUT("%s%s", i ? ", " : "", piece_fate(p));
        if ( p->result == SRO_WRITTEN && p->dev_offset != p->offset )
            PUT(" @0x%03x, not 0x%03x", p->dev_offset, p->offset);
        else if ( ev->npieces > 1 )
            PUT(" @0x%03x", p->offset);
    }
    if ( ev->npieces > shown )
        PUT(" (+%u pieces)", ev->npieces - shown);
    if ( ev->outcome == TIMELINE_NONE )
        PUT("; incomplete%s%s", ev->incomplete[0] ? " " : "", ev->incomplete);
    else
        PUT("; %s", outcome_text(ev->outcome));
#undef PUT
}

void timeline_value(const struct timeline_event *ev, char *buf,
                    size_t buflen)
{
    const struct timeline_piece *p = &ev->pieces[0];
    uint64_t v;

    if ( buflen )
        buf[0] = '\0';
    if ( first_value(ev, &v) )
        snprintf(buf, buflen, "0x%0*" PRIx64, 2 * p->length, v);
    else if ( ev->npieces && p->data_len )
    {
        /* Wider than 8 bytes: the bytes in memory order. */
        size_t used = 0;

        for ( unsigned int i = 0; i < p->data_len && used + 3 < buflen; i++ )
            used += (size_t)snprintf(buf + used, buflen - used, "%02x",
                                     p->data[i]);
        if ( p->length > p->data_len && used + 4 < buflen )
            snprintf(buf + used, buflen - used, "...");
    }
}
