/*
 * sqlite-raw.c - the raw sqlite baseline for `srotrace record`.
 *
 *   sqlite-raw TRACE DB
 *
 * How fast can sqlite itself take the rows the recorder stores for TRACE?
 * The trace is parsed (reader + assembler, untimed) into chunks of
 * CHUNK_GROUPS groups held in memory; each chunk is then inserted with one
 * prepared statement per table, all chunks in ONE transaction, into a
 * fresh database DB (removed first) opened with sro_db_open(): the
 * recorder's schema and PRAGMAs (WAL, synchronous=NORMAL, foreign keys),
 * and none of the secondary indexes (the recorder builds those after its
 * import). Only the inserts and the COMMIT are timed.
 *
 * The rows are the recorder's (recorder/db-sink.c): per group one
 * fault_groups row with the same 25 columns bound the same way, one
 * dev_writes row per SRO_WRITE, and an instructions row the first time a
 * (bytes, mode) pair is seen (found here through a hash table filled while
 * parsing, so the timed part does no lookup at all). Configuration,
 * lost-record and unknown-event rows are left out: a handful per trace.
 *
 * Prints one human line, then one JSON object as the last line:
 * {"groups", "writes", "insns", "rows", "seconds", "cpu_seconds",
 *  "rows_per_s", "groups_per_s", "cpu_groups_per_s", "parse_seconds"};
 * the cpu_ figures count the CPU time of the process (user + system) over
 * the same timed parts, which a busy machine inflates less than wall time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/decode.h"
#include "db/db.h"
#include "trace/assemble.h"
#include "trace/reader.h"

#define CHUNK_GROUPS 65536u     /* groups parsed before they are inserted */

/* One fault_groups row, with what its dev_writes rows need. */
struct row {
    struct sro_fault fault;
    struct sro_done  done;
    bool             has_done;
    uint8_t          incomplete;
    uint64_t         seq;           /* group index (the recorder stores its
                                       SRO_FAULT's record index: an integer
                                       of the same size) */
    uint64_t         file_offset;
    int64_t          insn;          /* instructions.id, 0 if no SRO_INSN */
    bool             new_insn;      /* insert that instructions row first */
    unsigned int     first_write;   /* index into bench.writes */
    unsigned int     nwrites;       /* dev_writes rows of the group */
};

/* A (bytes, mode) -> id hash table with linear probing. */
struct insn_slot {
    uint8_t len;                    /* bytes used; 0xff: empty slot */
    uint8_t mode;                   /* 16, 32 or 64 */
    uint8_t bytes[16];              /* as fetched */
    int64_t id;                     /* instructions.id given to it */
};

struct bench {
    struct row       *rows;         /* the chunk: CHUNK_GROUPS entries */
    unsigned int      nrows;        /* used */
    struct sro_write *writes;       /* the chunk's writes; grows as needed */
    unsigned int      nwrites, cap_writes;
    struct insn_slot *slots;        /* instruction table, power of 2 */
    unsigned int      nslots, used;
    int64_t           next_insn;    /* last instructions.id given */
    sqlite3          *db;
    sqlite3_stmt     *st_insn, *st_group, *st_write; /* one per table */
    uint64_t          groups, total_writes, insns; /* rows, all chunks */
    double            seconds;      /* inside inserts and COMMIT: wall */
    double            cpu_seconds;  /* the same, CPU time of the process */
    int               failed;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static double cpu_s(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static uint32_t hash_key(const uint8_t *b, unsigned int len,
                         unsigned int mode)
{
    uint32_t h = 2166136261u ^ mode;

    for ( unsigned int i = 0; i < len; i++ )
        h = (h ^ b[i]) * 16777619u;
    return h ^ len;
}

/* Double the table (load stays under a half). 0 or -1. */
static int grow_slots(struct bench *b)
{
    unsigned int n = b->nslots ? b->nslots * 2 : 1024;
    struct insn_slot *s = malloc(n * sizeof(*s));

    if ( !s )
        return -1;
    for ( unsigned int i = 0; i < n; i++ )
        s[i].len = 0xff;
    for ( unsigned int i = 0; i < b->nslots; i++ )
    {
        struct insn_slot *o = &b->slots[i];
        uint32_t h;

        if ( o->len == 0xff )
            continue;
        for ( h = hash_key(o->bytes, o->len, o->mode) & (n - 1);
              s[h].len != 0xff; h = (h + 1) & (n - 1) )
            ;
        s[h] = *o;
    }
    free(b->slots);
    b->slots = s;
    b->nslots = n;
    return 0;
}

/* The id of (bytes, mode); *fresh set when it was not seen before (the
 * caller inserts the row). -1 on out of memory. */
static int64_t insn_lookup(struct bench *b, const uint8_t *bytes,
                           unsigned int len, unsigned int mode, bool *fresh)
{
    uint32_t h;

    if ( (b->used + 1) * 2 > b->nslots && grow_slots(b) )
        return -1;
    for ( h = hash_key(bytes, len, mode) & (b->nslots - 1);
          b->slots[h].len != 0xff; h = (h + 1) & (b->nslots - 1) )
    {
        struct insn_slot *s = &b->slots[h];

        if ( s->len == len && s->mode == mode && !memcmp(s->bytes, bytes, len) )
        {
            *fresh = false;
            return s->id;
        }
    }
    b->slots[h].len = (uint8_t)len;
    b->slots[h].mode = (uint8_t)mode;
    memcpy(b->slots[h].bytes, bytes, len);
    b->slots[h].id = ++b->next_insn;
    b->used++;
    *fresh = true;
    return b->slots[h].id;
}

/* Insert one chunk's rows (timed by the caller). 0 or -1. */
static int insert_chunk(struct bench *b)
{
    for ( unsigned int i = 0; i < b->nrows; i++ )
    {
        const struct row *r = &b->rows[i];
        const struct sro_fault *f = &r->fault;
        sqlite3_stmt *st = b->st_group;
        int64_t grp;

        if ( r->new_insn )
        {
            sqlite3_bind_int64(b->st_insn, 1, r->insn);
            if ( f->insn_len )
                sqlite3_bind_blob(b->st_insn, 2, f->insn, f->insn_len,
                                  SQLITE_STATIC);
            else
                sqlite3_bind_zeroblob(b->st_insn, 2, 0);
            sqlite3_bind_int(b->st_insn, 3,
                             (int)sro_mode_of_code_size(f->code_size));
            if ( sqlite3_step(b->st_insn) != SQLITE_DONE )
                return -1;
            sqlite3_reset(b->st_insn);
        }
        sro_db_bind_u64(st, 2, r->seq);
        sro_db_bind_u64(st, 3, r->file_offset);
        sqlite3_bind_int64(st, 4, f->cpu);
        sro_db_bind_u64(st, 5, f->tsc);
        sqlite3_bind_int(st, 6, f->domain);
        sqlite3_bind_int(st, 7, f->vcpu);
        sqlite3_bind_int(st, 8, f->path);
        sqlite3_bind_int(st, 9, f->gla_valid);
        sqlite3_bind_int(st, 10, f->hwdom);
        sqlite3_bind_int(st, 11, f->code_size);
        if ( f->gla_valid )
            sro_db_bind_u64(st, 12, f->gla);
        else
            sqlite3_bind_null(st, 12);
        sro_db_bind_u64(st, 13, f->gpa);
        sro_db_bind_u64(st, 14, f->mfn);
        sqlite3_bind_int(st, 15, (int)(f->gpa & (SRO_PAGE_SIZE - 1)));
        if ( f->has_insn )
        {
            sro_db_bind_u64(st, 16, f->rip);
            sqlite3_bind_int64(st, 17, r->insn);
        }
        else
        {
            sqlite3_bind_null(st, 16);
            sqlite3_bind_null(st, 17);
        }
        if ( r->has_done )
        {
            sqlite3_bind_int(st, 18, r->done.outcome);
            sqlite3_bind_int(st, 19, r->done.reason);
            sqlite3_bind_int(st, 20, r->done.emul_rc);
            sqlite3_bind_int64(st, 21, r->done.nwrites);
            sqlite3_bind_int64(st, 22, r->done.store_size);
        }
        else
            for ( int c = 18; c <= 22; c++ )
                sqlite3_bind_null(st, c);
        sqlite3_bind_int64(st, 23, r->nwrites);
        sqlite3_bind_int(st, 24, r->incomplete == SRO_COMPLETE);
        sqlite3_bind_text(st, 25, sro_incomplete_name(r->incomplete), -1,
                          SQLITE_STATIC);
        if ( sqlite3_step(st) != SQLITE_DONE )
            return -1;
        sqlite3_reset(st);
        grp = sqlite3_last_insert_rowid(b->db);

        st = b->st_write;
        for ( unsigned int k = 0; k < r->nwrites; k++ )
        {
            const struct sro_write *w = &b->writes[r->first_write + k];
            unsigned int n = w->data_len < w->len ? w->data_len : w->len;

            sqlite3_bind_int64(st, 2, grp);
            sqlite3_bind_int(st, 3, (int)k);
            sqlite3_bind_int64(st, 4, f->cpu);
            sro_db_bind_u64(st, 5, f->tsc);
            sro_db_bind_u64(st, 6, w->mfn);
            sqlite3_bind_int(st, 7, w->offset);
            sqlite3_bind_int(st, 8, w->len);
            sqlite3_bind_int(st, 9, w->result);
            sqlite3_bind_int(st, 10, w->dev_offset);
            if ( n )
                sqlite3_bind_blob(st, 11, w->data, (int)n, SQLITE_STATIC);
            else
                sqlite3_bind_zeroblob(st, 11, 0);
            if ( sqlite3_step(st) != SQLITE_DONE )
                return -1;
            sqlite3_reset(st);
        }
    }
    return 0;
}

/* Insert the chunk held, timing only that. 0 or -1. */
static int flush(struct bench *b)
{
    double t0 = now_s(), c0 = cpu_s();
    int rc = insert_chunk(b);

    b->seconds += now_s() - t0;
    b->cpu_seconds += cpu_s() - c0;
    b->nrows = 0;
    b->nwrites = 0;
    if ( rc )
        fprintf(stderr, "sqlite-raw: %s\n", sqlite3_errmsg(b->db));
    return rc;
}

/* Assembler callback: copy the group into the chunk. */
static int on_group(void *ctx, const struct sro_group *g)
{
    struct bench *b = ctx;
    struct row *r;

    if ( b->nwrites + g->nwrites > b->cap_writes )
    {
        unsigned int cap = (b->nwrites + g->nwrites) * 2;
        struct sro_write *w = realloc(b->writes, cap * sizeof(*w));

        if ( !w )
            return -1;
        b->writes = w;
        b->cap_writes = cap;
    }
    r = &b->rows[b->nrows++];
    r->fault = g->fault;
    r->done = g->done;
    r->has_done = g->has_done;
    r->incomplete = g->incomplete;
    r->seq = b->groups++;
    r->file_offset = g->file_offset;
    r->insn = 0;
    r->new_insn = false;
    if ( g->fault.has_insn )
    {
        r->insn = insn_lookup(b, g->fault.insn, g->fault.insn_len,
                              sro_mode_of_code_size(g->fault.code_size),
                              &r->new_insn);
        if ( r->insn < 0 )
            return -1;
        b->insns += r->new_insn;
    }
    r->first_write = b->nwrites;
    r->nwrites = g->nwrites;
    memcpy(&b->writes[b->nwrites], g->writes,
           g->nwrites * sizeof(*g->writes));
    b->nwrites += g->nwrites;
    b->total_writes += g->nwrites;
    return b->nrows == CHUNK_GROUPS ? flush(b) : 0;
}

/* Remove the database at path and its side files, if any. */
static void remove_db(const char *path)
{
    static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
    char p[4096];

    for ( unsigned int i = 0; i < 4; i++ )
    {
        snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
        unlink(p);
    }
}

/* Create DB fresh, its run row, and the three statements. 0 or -1. */
static int open_db(struct bench *b, const char *path)
{
    struct sro_db_err e;

    remove_db(path);
    b->db = sro_db_open(path, SRO_DB_WRITE, &e);
    if ( !b->db )
    {
        fprintf(stderr, "sqlite-raw: %s\n", e.msg);
        return -1;
    }
    if ( sro_db_exec(b->db, "INSERT INTO runs (id, source, started_at, "
                     "status) VALUES (1, 'sqlite-raw', 'now', 'recording')",
                     &e) ||
         !(b->st_insn = sro_db_prepare(b->db, "INSERT INTO instructions "
                                       "(id, bytes, mode) VALUES (?1, ?2, "
                                       "?3)", &e)) ||
         !(b->st_group = sro_db_prepare(b->db, "INSERT INTO fault_groups "
                  "(run, seq, file_offset, cpu, tsc, domain, vcpu, path, "
                  "gla_valid, hwdom, code_size, gla, gpa, mfn, page_offset, "
                  "rip, insn, outcome, reason, emul_rc, done_nwrites, "
                  "store_size, nwrites, complete, incomplete) VALUES (?1, "
                  "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                  "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
                  &e)) ||
         !(b->st_write = sro_db_prepare(b->db, "INSERT INTO dev_writes "
                  "(run, grp, piece, cpu, tsc, mfn, offset, length, result, "
                  "dev_offset, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                  "?8, ?9, ?10, ?11)", &e)) )
    {
        fprintf(stderr, "sqlite-raw: %s\n", e.msg);
        return -1;
    }
    sqlite3_bind_int64(b->st_group, 1, 1);
    sqlite3_bind_int64(b->st_write, 1, 1);
    return 0;
}

int main(int argc, char **argv)
{
    const struct sro_assemble_ops ops = { .group = on_group };
    struct bench b = { 0 };
    struct sro_reader *r;
    struct sro_assembler *a;
    struct sro_rec rec;
    struct sro_db_err e;
    double t_all, t0, c0;
    FILE *in;
    int rc = 0;

    if ( argc != 3 )
    {
        fprintf(stderr, "usage: sqlite-raw TRACE DB\n");
        return 2;
    }
    if ( !(in = fopen(argv[1], "rb")) )
    {
        perror(argv[1]);
        return 1;
    }
    b.rows = malloc(CHUNK_GROUPS * sizeof(*b.rows));
    if ( !b.rows || open_db(&b, argv[2]) )
        return 1;
    r = sro_reader_new(in, argv[1]);
    a = sro_assembler_new(&ops, &b);
    if ( !r || !a )
        return 1;

    t_all = now_s();
    t0 = now_s();
    c0 = cpu_s();
    if ( sro_db_begin(b.db, &e) )
    {
        fprintf(stderr, "sqlite-raw: %s\n", e.msg);
        return 1;
    }
    b.seconds += now_s() - t0;
    b.cpu_seconds += cpu_s() - c0;
    while ( rc == 0 && sro_reader_next(r, &rec) != 0 )
        rc = sro_assembler_feed(a, &rec);
    if ( rc == 0 )
        rc = sro_assembler_finish(a);
    if ( rc == 0 && b.nrows )
        rc = flush(&b);
    t0 = now_s();
    c0 = cpu_s();
    if ( rc == 0 && sro_db_commit(b.db, &e) )
    {
        fprintf(stderr, "sqlite-raw: %s\n", e.msg);
        rc = -1;
    }
    b.seconds += now_s() - t0;
    b.cpu_seconds += cpu_s() - c0;
    t_all = now_s() - t_all;
    if ( rc )
        return 1;

    {
        uint64_t rows = b.groups + b.total_writes + b.insns;

        printf("raw sqlite: %" PRIu64 " groups, %" PRIu64 " rows in %.3f s "
               "(cpu %.3f s): %.0f rows/s, %.0f groups/s (parsing, untimed: "
               "%.3f s)\n", b.groups, rows, b.seconds, b.cpu_seconds,
               rows / b.seconds, b.groups / b.seconds, t_all - b.seconds);
        printf("{\"groups\":%" PRIu64 ",\"writes\":%" PRIu64 ",\"insns\":%"
               PRIu64 ",\"rows\":%" PRIu64 ",\"seconds\":%.4f,"
               "\"cpu_seconds\":%.4f,\"rows_per_s\":%.0f,"
               "\"groups_per_s\":%.0f,\"cpu_groups_per_s\":%.0f,"
               "\"parse_seconds\":%.4f}\n", b.groups, b.total_writes,
               b.insns, rows, b.seconds, b.cpu_seconds, rows / b.seconds,
               b.groups / b.seconds, b.groups / b.cpu_seconds,
               t_all - b.seconds);
    }
    sqlite3_finalize(b.st_insn);
    sqlite3_finalize(b.st_group);
    sqlite3_finalize(b.st_write);
    sro_db_close(b.db);
    sro_assembler_free(a);
    sro_reader_free(r);
    fclose(in);
    free(b.rows);
    free(b.writes);
    free(b.slots);
    return 0;
}
