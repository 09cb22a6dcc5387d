/*
 * records.c - split a group into records through trace/writer.c; see
 * records.h.
 *
 * The scratch writer has one CPU and writes into a fixed memory stream;
 * each call encodes one group, flushes it as one window and parses the
 * window back (header word, optional TSC, extra words), then rewinds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/writer.h"
#include "records.h"

/* One window of the largest group, with room to spare. */
#define SCRATCH_BYTES (12 + SRO_SYNTH_MAX_RECS * 40 + 64)

struct sro_group_splitter {
    uint8_t            buf[SCRATCH_BYTES];
    FILE              *mem;     /* fmemopen() over buf */
    struct sro_writer *w;       /* one CPU, writing to mem */
};

struct sro_group_splitter *sro_group_splitter_new(void)
{
    struct sro_group_splitter *s = calloc(1, sizeof(*s));

    if ( !s )
        return NULL;
    s->mem = fmemopen(s->buf, sizeof(s->buf), "w");
    if ( s->mem )
        s->w = sro_writer_new(s->mem, 1);
    if ( !s->w )
    {
        sro_group_splitter_free(s);
        return NULL;
    }
    return s;
}

void sro_group_splitter_free(struct sro_group_splitter *s)
{
    if ( !s )
        return;
    if ( s->w )
        sro_writer_close(s->w);
    if ( s->mem )
        fclose(s->mem);
    free(s);
}

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

int sro_group_split(struct sro_group_splitter *s,
                    const struct sro_synth_group *g,
                    struct sro_synth_rec *out)
{
    struct sro_fault f = g->fault;
    long end;
    uint32_t off = 12;
    int n = 0, write = -1;

    f.cpu = 0;
    rewind(s->mem);
    if ( sro_write_group(s->w, &f, g->pred.writes, g->pred.nwrites,
                         g->has_done ? &g->pred.done : NULL) ||
         sro_writer_flush_cpu(s->w, 0, false) || fflush(s->mem) )
        return -1;
    end = ftell(s->mem);
    if ( end < 12 || (uint32_t)end != 12 + get_le32(s->buf + 8) )
        return -1;
    while ( off < (uint32_t)end )
    {
        struct sro_synth_rec *r = &out[n];
        uint32_t hdr = get_le32(s->buf + off);

        if ( n == SRO_SYNTH_MAX_RECS )
            return -1;
        r->event = SRO_TREC_EVENT(hdr);
        r->nwords = (uint8_t)SRO_TREC_NWORDS(hdr);
        r->has_tsc = SRO_TREC_HAS_TSC(hdr);
        r->bytes = SRO_TREC_BYTES(r->nwords, r->has_tsc);
        if ( off + r->bytes > (uint32_t)end )
            return -1;
        r->tsc = 0;
        if ( r->has_tsc )
            r->tsc = get_le32(s->buf + off + 4) |
                     (uint64_t)get_le32(s->buf + off + 8) << 32;
        for ( unsigned int i = 0; i < r->nwords; i++ )
            r->w[i] = get_le32(s->buf + off + 4 + 8 * r->has_tsc + 4 * i);
        if ( r->event == SRO_WRITE )
            write++;
        r->write = r->event == SRO_WRITE || r->event == SRO_DATA ? write : -1;
        off += r->bytes;
        n++;
    }
    return n;
}
