/*
 * mirror.c - follow section 3.2 over the emitted records; see mirror.h.
 *
 * The rules are those of trace/assemble.c, the reader's side, record for
 * record. Per CPU: whether a group is open (its SRO_FAULT was seen and
 * neither its SRO_DONE, another SRO_FAULT nor the end has come since),
 * whether a TRC_LOST_RECORDS fell inside it (it stays open: the records
 * after the loss still go to it, even when they belonged to a later group
 * whose SRO_FAULT was lost, and it ends as "lost" whatever ends it), and
 * what an SRO_DATA would continue (the SRO_WRITE just before it, of the
 * group or an orphan, with no other record of ours or loss between;
 * records of other classes do not interrupt). With an expect file, the
 * open group keeps a copy of what the reader has of it so far, written
 * as one JSON line when it closes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "util/json.h"
#include "inject.h"
#include "mirror.h"

enum data_to { DATA_NONE, DATA_GROUP, DATA_ORPHAN };

struct cpu_mirror {
    bool             open;          /* a group is open */
    bool             lost;          /* lost records fell inside it */
    uint8_t          data_to;       /* enum data_to */
    bool             has_insn;
    unsigned int     nwrites;       /* SRO_WRITE records seen in it */
    /* With an expect file: what the reader has of the open group. */
    struct sro_fault fault;         /* of its SRO_FAULT (insn fields from
                                       the SRO_INSN it got, if any) */
    const char      *kind;          /* of the group its SRO_INSN was of */
    const char      *target;        /* of the group its SRO_FAULT was of */
    unsigned int     line, deviations;
    struct sro_write writes[SRO_PRED_MAX_WRITES];
};

struct sro_mirror {
    unsigned int            ncpus;
    FILE                   *expect;
    struct cpu_mirror      *cpu;
    struct sro_mirror_stats st;
};

struct sro_mirror *sro_mirror_new(unsigned int ncpus, FILE *expect)
{
    struct sro_mirror *m = calloc(1, sizeof(*m));

    if ( !m )
        return NULL;
    m->cpu = calloc(ncpus, sizeof(*m->cpu));
    if ( !m->cpu )
    {
        free(m);
        return NULL;
    }
    m->ncpus = ncpus;
    m->expect = expect;
    return m;
}

void sro_mirror_free(struct sro_mirror *m)
{
    if ( !m )
        return;
    free(m->cpu);
    free(m);
}

/* n bytes as a JSON string of lowercase hex. */
static void put_hex(struct json *j, const uint8_t *p, unsigned int n)
{
    static const char digits[] = "0123456789abcdef";
    char buf[2 * SRO_WRITE_DATA_MAX + 1];

    for ( unsigned int i = 0; i < n; i++ )
    {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
    }
    json_stringn(j, buf, 2 * n);
}

/* One JSON line for the group open on c, ended by done (or NULL). */
static void write_line(struct sro_mirror *m, const struct cpu_mirror *c,
                       const struct sro_done *done, unsigned int why)
{
    const struct sro_fault *f = &c->fault;
    struct json j;

    json_init(&j, m->expect, false);
    json_object_begin(&j);
    json_kv_uint(&j, "cpu", f->cpu);
    json_kv_uint(&j, "tsc", f->tsc);
    json_kv_uint(&j, "domain", f->domain);
    json_kv_uint(&j, "vcpu", f->vcpu);
    json_kv_string(&j, "path", sro_path_name(f->path));
    json_kv_bool(&j, "gla_valid", f->gla_valid);
    json_kv_bool(&j, "hwdom", f->hwdom);
    json_kv_uint(&j, "code_size", f->code_size);
    json_key(&j, "gla");
    if ( f->gla_valid )
        json_uint(&j, f->gla);
    else
        json_null(&j);
    json_kv_uint(&j, "gpa", f->gpa);
    json_kv_uint(&j, "mfn", f->mfn);
    json_kv_uint(&j, "offset", f->gpa & (SRO_PAGE_SIZE - 1));
    json_kv_bool(&j, "insn", c->has_insn);
    json_key(&j, "kind");
    json_string(&j, c->has_insn ? c->kind : NULL);
    json_key(&j, "insn_bytes");
    if ( c->has_insn )
        put_hex(&j, f->insn, f->insn_len);
    else
        json_null(&j);
    json_key(&j, "rip");
    if ( c->has_insn )
        json_uint(&j, f->rip);
    else
        json_null(&j);
    json_kv_string(&j, "store", c->target);
    json_kv_uint(&j, "line", c->line);
    json_kv_bool(&j, "done", done != NULL);
    json_key(&j, "outcome");
    json_string(&j, done ? sro_outcome_name(done->outcome) : NULL);
    json_key(&j, "reason");
    json_string(&j, done ? sro_reason_name(done->reason) : NULL);
    json_key(&j, "emul_rc");
    if ( done )
        json_uint(&j, done->emul_rc);
    else
        json_null(&j);
    json_key(&j, "done_nwrites");
    if ( done )
        json_uint(&j, done->nwrites);
    else
        json_null(&j);
    json_key(&j, "store_size");
    if ( done )
        json_uint(&j, done->store_size);
    else
        json_null(&j);
    json_key(&j, "writes");
    json_array_begin(&j);
    for ( unsigned int i = 0; i < c->nwrites; i++ )
    {
        const struct sro_write *w = &c->writes[i];

        json_object_begin(&j);
        json_kv_uint(&j, "mfn", w->mfn);
        json_kv_uint(&j, "offset", w->offset);
        json_kv_uint(&j, "length", w->len);
        json_kv_string(&j, "result", sro_result_name(w->result));
        json_kv_uint(&j, "dev_offset", w->dev_offset);
        json_key(&j, "data");
        put_hex(&j, w->data, w->data_len);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_kv_bool(&j, "complete", why == SRO_COMPLETE);
    json_key(&j, "incomplete");
    json_string(&j, sro_incomplete_name(why));
    json_key(&j, "inject");
    json_array_begin(&j);
    for ( unsigned int d = 0; d < SRO_DEV_COUNT; d++ )
        if ( c->deviations & (1u << d) )
            json_string(&j, sro_deviation_name(d));
    json_array_end(&j);
    json_object_end(&j);
    json_end(&j);
}

/* The open group of c ends: complete, or incomplete for `why` (lost, if
 * records were lost inside it, whatever ended it). */
static void close_group(struct sro_mirror *m, struct cpu_mirror *c,
                        const struct sro_done *done, unsigned int why)
{
    if ( c->lost )
        why = SRO_INC_LOST;
    m->st.groups++;
    if ( why != SRO_COMPLETE )
        m->st.incomplete_groups++;
    if ( m->expect )
        write_line(m, c, done, why);
    c->open = false;
    c->lost = false;
    c->data_to = DATA_NONE;
}

void sro_mirror_group_rec(struct sro_mirror *m, unsigned int cpu,
                          const struct sro_synth_group *g, uint32_t event,
                          int write)
{
    struct cpu_mirror *c = &m->cpu[cpu];

    m->st.records++;
    if ( event != SRO_DATA )
        c->data_to = DATA_NONE;
    switch ( event )
    {
    case SRO_FAULT:
        if ( c->open )
            close_group(m, c, NULL, SRO_INC_NEW_FAULT);
        c->open = true;
        c->lost = false;
        c->has_insn = false;
        c->nwrites = 0;
        if ( m->expect )
        {
            c->fault = g->fault;
            c->target = g->target;
            c->line = g->line;
            c->deviations = g->deviations;
        }
        break;
    case SRO_INSN:
        if ( !c->open || c->has_insn || c->nwrites > 0 )
            m->st.stray_records++;
        else
        {
            c->has_insn = true;
            if ( m->expect )
            {
                c->kind = g->kind;
                c->fault.insn_len = g->fault.insn_len;
                memcpy(c->fault.insn, g->fault.insn, sizeof(c->fault.insn));
                c->fault.rip = g->fault.rip;
            }
        }
        break;
    case SRO_WRITE:
        if ( !c->open )
        {
            m->st.orphan_writes++;
            c->data_to = DATA_ORPHAN;
        }
        else
        {
            if ( m->expect && c->nwrites < SRO_PRED_MAX_WRITES )
                c->writes[c->nwrites] = g->pred.writes[write];
            c->nwrites++;
            c->data_to = DATA_GROUP;
        }
        break;
    case SRO_DATA:
        if ( c->data_to == DATA_NONE )
            m->st.stray_records++;
        break;
    case SRO_DONE:
        if ( !c->open )
            m->st.stray_records++;
        else
            close_group(m, c, &g->pred.done,
                        c->nwrites == g->pred.done.nwrites
                        ? SRO_COMPLETE : SRO_INC_COUNT_MISMATCH);
        break;
    }
}

void sro_mirror_group(struct sro_mirror *m, const struct sro_synth_group *g)
{
    unsigned int cpu = g->fault.cpu;

    sro_mirror_group_rec(m, cpu, g, SRO_FAULT, -1);
    if ( g->fault.has_insn )
        sro_mirror_group_rec(m, cpu, g, SRO_INSN, -1);
    for ( unsigned int i = 0; i < g->pred.nwrites; i++ )
    {
        unsigned int len = g->pred.writes[i].len;

        sro_mirror_group_rec(m, cpu, g, SRO_WRITE, (int)i);
        if ( len > SRO_WRITE_DATA_MAX )
            len = SRO_WRITE_DATA_MAX;
        /* SRO_DATA records: 28 bytes each beyond the first 8. */
        for ( unsigned int k = 8; k < len; k += 4 * SRO_DATA_MAX_WORDS )
            sro_mirror_group_rec(m, cpu, g, SRO_DATA, (int)i);
    }
    if ( g->has_done )
        sro_mirror_group_rec(m, cpu, g, SRO_DONE, -1);
}

void sro_mirror_lost(struct sro_mirror *m, unsigned int cpu, uint32_t count)
{
    struct cpu_mirror *c = &m->cpu[cpu];

    m->st.records++;
    m->st.lost_events++;
    m->st.lost_records += count;
    if ( c->open )
        c->lost = true;
    c->data_to = DATA_NONE;
}

void sro_mirror_other(struct sro_mirror *m, unsigned int cpu)
{
    (void)cpu;                  /* other classes interrupt nothing */
    m->st.records++;
    m->st.unknown_records++;
}

void sro_mirror_config(struct sro_mirror *m)
{
    m->st.records++;
    m->st.config_records++;
}

int sro_mirror_finish(struct sro_mirror *m, uint64_t bytes,
                      uint64_t bytes_unused)
{
    struct json j;

    for ( unsigned int i = 0; i < m->ncpus; i++ )
        if ( m->cpu[i].open )
            close_group(m, &m->cpu[i], NULL, SRO_INC_EOF);
    if ( !m->expect )
        return 0;
    json_init(&j, m->expect, false);
    json_object_begin(&j);
    json_key(&j, "stats");
    json_object_begin(&j);
    json_kv_uint(&j, "records", m->st.records);
    json_kv_uint(&j, "config_records", m->st.config_records);
    json_kv_uint(&j, "groups", m->st.groups);
    json_kv_uint(&j, "incomplete_groups", m->st.incomplete_groups);
    json_kv_uint(&j, "lost_records", m->st.lost_records);
    json_kv_uint(&j, "lost_events", m->st.lost_events);
    json_kv_uint(&j, "unknown_records", m->st.unknown_records);
    json_kv_uint(&j, "orphan_writes", m->st.orphan_writes);
    json_kv_uint(&j, "stray_records", m->st.stray_records);
    json_kv_uint(&j, "bytes", bytes);
    json_kv_uint(&j, "bytes_unused", bytes_unused);
    json_object_end(&j);
    json_object_end(&j);
    json_end(&j);
    return fflush(m->expect) || ferror(m->expect) ? -1 : 0;
}

const struct sro_mirror_stats *sro_mirror_stats(const struct sro_mirror *m)
{
    return &m->st;
}
