/*
 * reader.c - the streaming xentrace reader of reader.h.
 *
 * Input is read in large blocks into one buffer and decoded in place; a
 * record is copied out only into the caller's struct sro_rec. The buffer
 * keeps the unread tail of the last block and is refilled when less than
 * one whole record (at most 40 bytes) or window header (12 bytes) is
 * left, so the reader never seeks and never holds more than one block.
 * A regular file is read with fread() of READ_BLOCK bytes. Anything else
 * (a pipe from xentrace, a socket, a terminal) is read with read(2) on its
 * descriptor, which returns what has arrived instead of waiting for a
 * whole block as fread() would: records are handed out as they come.
 * Every byte is hashed (SHA-256) as it arrives.
 *
 * State between calls: whether we are inside a window, its CPU and the
 * input offset where it ends, and for each CPU the TSC of its last record
 * that carried one (a record without a TSC inherits it; a TSC lower than
 * that is a reset, counted).
 *
 * TRC_TRACE_WRAP_BUFFER. Xen's trace() (xen/common/trace.c) inserts it
 * when the next record would not fit before the physical end of the
 * per-CPU ring: insert_wrap_record() writes one ordinary t_rec whose own
 * size (header, a TSC if needed to take up the room, then garbage words)
 * is exactly the bytes left to the ring's end, never more than 40. The
 * consumer, xentrace (tools/xentrace/xentrace.c, write_buffer()), then
 * writes a window that wraps as two chunks, the ring's tail and its head,
 * under one CPU_CHANGE header whose count covers both. So in a file the
 * wrap record is a self-sized record in the middle of a window, followed
 * by more records of the same window; the reader skips that record alone,
 * by its header's size, and carries on (xenalyze does the same). Its TSC,
 * if it has one, is not used for inheritance: the record is padding.
 *
 * Bad input. Every structural problem makes sro_reader_next() return -1
 * with sro_reader_error() = "NAME: offset N: what; how we went on". The
 * problems: a window header that is not 0x2001f003, names a CPU of
 * SRO_READER_MAX_CPUS or more, or counts bytes that are not whole words;
 * a record whose size runs past its window's end; a window header where
 * a record was due (the previous window's count was wrong: the reader
 * starts the new window there, skipping nothing). Except for that last
 * case the reader then scans forward, 4-byte aligned as all offsets of a
 * valid file are, for the next plausible window header (0x2001f003, a CPU
 * below SRO_READER_MAX_CPUS, a byte count that is a multiple of 4) and
 * resumes there; what it passed over is counted in bytes_skipped. All
 * records handed out before the problem stay valid. The CPU limit is
 * Xen's own (NR_CPUS is at most 16383), so no real capture is refused;
 * a failed read (not EINTR) is reported the same way and ends the input.
 *
 * A cut-off tail (the input ends inside a window header, a record, or a
 * window's announced byte count, e.g. a garbage count of 4 GiB) is not an
 * error: sro_reader_next() returns 0, sro_reader_bytes_unused() counts the
 * bytes that could not make a whole record, and sro_reader_error() says
 * "NAME: capture cut off inside a record at offset N; M bytes unused".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/sha256.h"
#include "reader.h"

#define READ_BLOCK      (1u << 20)      /* bytes per fread() */
#define WINDOW_HDR_LEN  12u
#define MAX_REC_LEN     SRO_TREC_BYTES(SRO_TREC_MAX_WORDS, 1)
#define CPU_CHANGE_HDR  SRO_TREC_HDR(TRC_TRACE_CPU_CHANGE, 2, 0)

/* What we know of one CPU's clock. */
struct cpu_clock {
    uint64_t tsc;               /* TSC of its last record that had one */
    bool     seen;              /* tsc is meaningful */
};

struct sro_reader {
    FILE       *in;             /* not ours */
    int         fd;             /* its descriptor, when read directly */
    bool        direct;         /* read(fd) instead of fread(in) */
    char       *name;           /* for messages */

    uint8_t    *buf;            /* READ_BLOCK bytes */
    size_t      pos;            /* next unread byte in buf */
    size_t      len;            /* bytes valid in buf */
    uint64_t    base;           /* input offset of buf[0] */
    bool        eof;            /* the stream has nothing more */
    int         read_errno;     /* errno of a failed read, or 0 */
    bool        ended;          /* next() returns 0 from now on */

    bool        in_window;      /* between a window header and its end */
    uint32_t    cpu;            /* CPU of the current window */
    uint64_t    win_end;        /* input offset where that window ends */

    struct cpu_clock *clock;    /* indexed by CPU, nclock entries */
    uint32_t    nclock;

    struct sha256_ctx sha;      /* over every byte read */
    uint64_t    bytes_read;
    uint64_t    bytes_unused;
    uint64_t    bytes_skipped;
    uint64_t    windows;
    uint64_t    tsc_resets;
    uint64_t    errors;
    char        err[320];       /* last message; empty = none */
};

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t cur_offset(const struct sro_reader *r)
{
    return r->base + r->pos;
}

static inline size_t avail(const struct sro_reader *r)
{
    return r->len - r->pos;
}

struct sro_reader *sro_reader_new(FILE *in, const char *name)
{
    struct sro_reader *r = calloc(1, sizeof(*r));
    struct stat st;

    if ( !r )
        return NULL;
    r->in = in;
    r->fd = fileno(in);
    r->direct = r->fd >= 0 && fstat(r->fd, &st) == 0 && !S_ISREG(st.st_mode);
    r->name = strdup(name ? name : "-");
    r->buf = malloc(READ_BLOCK);
    if ( !r->name || !r->buf )
    {
        sro_reader_free(r);
        return NULL;
    }
    sha256_init(&r->sha);
    return r;
}

void sro_reader_free(struct sro_reader *r)
{
    if ( !r )
        return;
    free(r->name);
    free(r->buf);
    free(r->clock);
    free(r);
}

/* Set the last message to "NAME: " + the formatted text. */
static void set_error(struct sro_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(struct sro_reader *r, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(r->err, sizeof(r->err), "%s: ", r->name);

    if ( n < 0 || (size_t)n >= sizeof(r->err) )
        return;
    va_start(ap, fmt);
    vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
    va_end(ap);
}

/* Append formatted text to the last message. */
static void add_error(struct sro_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_error(struct sro_reader *r, const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(r->err);

    va_start(ap, fmt);
    vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
    va_end(ap);
}

/*
 * Read up to `want` bytes into p: what fread() gives of a regular file,
 * or what one read(2) gives of anything else (a pipe: what has arrived,
 * waiting only if nothing has; interrupted reads are retried). Returns
 * the count; 0 means the end of input or an error (read_errno set).
 */
static size_t read_some(struct sro_reader *r, uint8_t *p, size_t want)
{
    if ( r->direct )
    {
        for ( ;; )
        {
            ssize_t n = read(r->fd, p, want);

            if ( n >= 0 )
                return (size_t)n;
            if ( errno != EINTR )
            {
                r->read_errno = errno;
                return 0;
            }
        }
    }
    else
    {
        size_t n;

        errno = 0;
        n = fread(p, 1, want, r->in);
        if ( n == 0 && ferror(r->in) )
            r->read_errno = errno ? errno : EIO;
        return n;
    }
}

/*
 * Make at least `need` (<= READ_BLOCK) unread bytes available in buf,
 * reading more if the stream has them. Returns whether it could; on false
 * the stream is at its end (or failed: read_errno) and avail() is what is
 * left. Every byte read is hashed and counted here, and only here.
 */
static bool fill(struct sro_reader *r, size_t need)
{
    if ( avail(r) >= need )
        return true;
    if ( r->eof )
        return false;
    memmove(r->buf, r->buf + r->pos, avail(r));
    r->base += r->pos;
    r->len -= r->pos;
    r->pos = 0;
    while ( r->len < need )
    {
        size_t n = read_some(r, r->buf + r->len, READ_BLOCK - r->len);

        if ( n == 0 )
        {
            r->eof = true;
            break;
        }
        sha256_update(&r->sha, r->buf + r->len, n);
        r->bytes_read += n;
        r->len += n;
    }
    return r->len >= need;
}

/* The 12 bytes at p could be a window header. */
static bool plausible_window(const uint8_t *p)
{
    return le32(p) == CPU_CHANGE_HDR && le32(p + 4) < SRO_READER_MAX_CPUS &&
           le32(p + 8) % 4 == 0;
}

/*
 * After a problem at input offset `bad` (the reader positioned there):
 * scan forward from bad + 4, at 4-byte steps, for a plausible window
 * header, and position the reader on it, or at the end of input if there
 * is none. The bytes passed over are counted as skipped and the message
 * already set is completed with where reading resumes.
 */
static void resync(struct sro_reader *r, uint64_t bad)
{
    r->in_window = false;
    r->pos += 4;
    for ( ;; )
    {
        if ( !fill(r, WINDOW_HDR_LEN) )
        {
            /* Too little left for any window header: nothing to resume. */
            r->pos = r->len;
            r->bytes_skipped += cur_offset(r) - bad;
            r->ended = true;
            add_error(r, "; no window header follows (%" PRIu64
                      " bytes skipped to the end)", cur_offset(r) - bad);
            return;
        }
        while ( avail(r) >= WINDOW_HDR_LEN )
        {
            if ( plausible_window(r->buf + r->pos) )
            {
                r->bytes_skipped += cur_offset(r) - bad;
                add_error(r, "; skipped %" PRIu64
                          " bytes to the next window header at offset %"
                          PRIu64, cur_offset(r) - bad, cur_offset(r));
                return;
            }
            r->pos += 4;
        }
    }
}

/* The input ended inside something: `left` bytes (from the current
 * offset) could not be used. Ends the input. */
static void cut_off(struct sro_reader *r)
{
    size_t left = avail(r);

    if ( r->read_errno )
    {
        set_error(r, "offset %" PRIu64 ": read error: %s", cur_offset(r),
                  strerror(r->read_errno));
        r->errors++;
    }
    else if ( left > 0 )
        set_error(r, "capture cut off inside a record at offset %" PRIu64
                  "; %zu bytes unused", cur_offset(r), left);
    else
        set_error(r, "capture cut off inside the window of cpu %" PRIu32
                  " at offset %" PRIu64 " (%" PRIu64 " of its bytes missing)"
                  "; 0 bytes unused", r->cpu, cur_offset(r),
                  r->win_end - cur_offset(r));
    r->bytes_unused += left;
    r->pos = r->len;
    r->ended = true;
}

/* TSC bookkeeping for a record of cpu: returns the TSC the record has. */
static uint64_t clock_tick(struct sro_reader *r, uint32_t cpu, bool has_tsc,
                           uint64_t tsc)
{
    struct cpu_clock *c;

    if ( cpu >= r->nclock )
    {
        uint32_t n = r->nclock ? r->nclock : 64;
        struct cpu_clock *p;

        while ( n <= cpu )
            n *= 2;
        p = realloc(r->clock, n * sizeof(*p));
        if ( !p )
            return has_tsc ? tsc : 0;   /* keep going without history */
        memset(p + r->nclock, 0, (n - r->nclock) * sizeof(*p));
        r->clock = p;
        r->nclock = n;
    }
    c = &r->clock[cpu];
    if ( !has_tsc )
        return c->seen ? c->tsc : 0;
    if ( c->seen && tsc < c->tsc )
        r->tsc_resets++;
    c->tsc = tsc;
    c->seen = true;
    return tsc;
}

/* Start a window at the current offset (fill() has made 12 bytes
 * available). Returns false, with the problem reported and the reader
 * resynchronised, if the header is not a plausible one. */
static bool open_window(struct sro_reader *r)
{
    const uint8_t *p = r->buf + r->pos;
    uint64_t off = cur_offset(r);
    uint32_t hdr = le32(p), cpu = le32(p + 4), bytes = le32(p + 8);

    if ( hdr != CPU_CHANGE_HDR )
        set_error(r, "offset %" PRIu64 ": expected a window header "
                  "(TRC_TRACE_CPU_CHANGE, 0x%08" PRIx32 "), found 0x%08"
                  PRIx32, off, CPU_CHANGE_HDR, hdr);
    else if ( cpu >= SRO_READER_MAX_CPUS )
        set_error(r, "offset %" PRIu64 ": window header names cpu %" PRIu32
                  " (at most %u CPUs exist)", off, cpu, SRO_READER_MAX_CPUS);
    else if ( bytes % 4 )
        set_error(r, "offset %" PRIu64 ": window header counts %" PRIu32
                  " bytes, not a whole number of 4-byte words", off, bytes);
    else
    {
        r->pos += WINDOW_HDR_LEN;
        r->in_window = true;
        r->cpu = cpu;
        r->win_end = cur_offset(r) + bytes;
        r->windows++;
        return true;
    }
    r->errors++;
    resync(r, off);
    return false;
}

int sro_reader_next(struct sro_reader *r, struct sro_rec *rec)
{
    for ( ;; )
    {
        const uint8_t *p;
        uint64_t off, left;
        uint32_t hdr, size;
        unsigned int n;

        if ( r->ended )
            return 0;
        if ( !r->in_window )
        {
            if ( !fill(r, WINDOW_HDR_LEN) )
            {
                if ( avail(r) == 0 && !r->read_errno )
                {
                    r->ended = true;    /* clean end between windows */
                    return 0;
                }
                cut_off(r);
                return r->read_errno ? -1 : 0;
            }
            if ( !open_window(r) )
                return -1;
            continue;
        }

        off = cur_offset(r);
        left = r->win_end - off;
        if ( left == 0 )
        {
            r->in_window = false;
            continue;
        }
        if ( !fill(r, 4) )
        {
            cut_off(r);
            return r->read_errno ? -1 : 0;
        }
        p = r->buf + r->pos;
        hdr = le32(p);
        if ( hdr == CPU_CHANGE_HDR )
        {
            set_error(r, "offset %" PRIu64 ": window header inside the "
                      "window of cpu %" PRIu32 ", %" PRIu64 " bytes before "
                      "its announced end; starting the new window there",
                      off, r->cpu, left);
            r->errors++;
            r->in_window = false;
            return -1;
        }
        n = SRO_TREC_NWORDS(hdr);
        size = SRO_TREC_BYTES(n, SRO_TREC_HAS_TSC(hdr));
        if ( size > left )
        {
            set_error(r, "offset %" PRIu64 ": record of %" PRIu32 " bytes "
                      "(header 0x%08" PRIx32 ") runs past the end of its "
                      "window (%" PRIu64 " bytes left)", off, size, hdr, left);
            r->errors++;
            resync(r, off);
            return -1;
        }
        if ( !fill(r, size) )
        {
            cut_off(r);
            return r->read_errno ? -1 : 0;
        }
        p = r->buf + r->pos;
        r->pos += size;
        if ( SRO_TREC_EVENT(hdr) == TRC_TRACE_WRAP_BUFFER )
            continue;

        rec->event = SRO_TREC_EVENT(hdr);
        rec->nwords = (uint8_t)n;
        rec->has_tsc = SRO_TREC_HAS_TSC(hdr);
        rec->cpu = r->cpu;
        rec->offset = off;
        p += 4;
        if ( rec->has_tsc )
        {
            rec->tsc = clock_tick(r, r->cpu, true,
                                  le32(p) | ((uint64_t)le32(p + 4) << 32));
            p += 8;
        }
        else
            rec->tsc = clock_tick(r, r->cpu, false, 0);
        for ( unsigned int i = 0; i < n; i++ )
            rec->w[i] = le32(p + 4 * i);
        return 1;
    }
}

const char *sro_reader_error(const struct sro_reader *r)
{
    return r->err[0] ? r->err : NULL;
}

uint64_t sro_reader_bytes_read(const struct sro_reader *r)
{
    return r->bytes_read;
}

uint64_t sro_reader_bytes_unused(const struct sro_reader *r)
{
    return r->bytes_unused;
}

uint64_t sro_reader_bytes_skipped(const struct sro_reader *r)
{
    return r->bytes_skipped;
}

uint64_t sro_reader_windows(const struct sro_reader *r)
{
    return r->windows;
}

uint64_t sro_reader_tsc_resets(const struct sro_reader *r)
{
    return r->tsc_resets;
}

uint64_t sro_reader_errors(const struct sro_reader *r)
{
    return r->errors;
}

void sro_reader_sha256(const struct sro_reader *r, char hex[65])
{
    sha256_hex_now(&r->sha, hex);
}
