/*
 * live.c - live capture from Xen's trace buffers (see live.h).
 *
 * The capture thread and the stream it writes. Talking to Xen is
 * live-xen.c's job (host checks, enabling, mapping, VIRQ_TBUF); the
 * thread only knows a struct sro_tbuf_ring, a few file descriptors to
 * wait on, and a handle to disable tracing with, which is absent when the
 * tests run it over an in-memory replica (sro_live_open_ring()).
 *
 * Threads and signals: with handle_signals, SIGINT and SIGTERM are
 * blocked in the calling thread before the capture thread is created
 * (which inherits the mask), and the capture thread takes them from a
 * signalfd. A Ctrl-C therefore never interrupts the reader: it ends the
 * capture, the capture ends the stream, the reader sees a clean end.
 * SIGPIPE is blocked in the capture thread, so a reader that goes away
 * shows up as EPIPE on write.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "live-xen.h"
#include "live.h"
#include "tbuf-ring.h"

struct live {
    struct sro_tbuf_ring *ring;
    FILE            *out;           /* write end of the pipe */
    FILE            *in;            /* read end, the caller's */
    int              stop_pipe[2];  /* sro_live_stop() writes a byte */
    int              sig_fd;        /* SIGINT/SIGTERM, or -1 */
    int              evt_fd;        /* VIRQ_TBUF's event channel, or -1 */
    bool             mask_changed;
    sigset_t         old_mask;      /* of the opening thread */
    pthread_t        thread;
    bool             thread_started;
    double           deadline;      /* CLOCK_MONOTONIC seconds; 0: none */
    unsigned int     poll_ms;
    bool             keep_tracing;
    struct sro_live_xen *xen;       /* NULL over a test's ring */
    struct sro_live_result res;
};

/* The one capture of this process; live_active guards sro_live_stop(). */
static struct live the_live;
static volatile sig_atomic_t live_active;

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if ( !err || !errlen )
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* CPU masks.                                                          */

static int set_cpu(uint8_t *map, unsigned int nbits, unsigned long cpu,
                   const char *s, char *err, size_t errlen)
{
    if ( cpu >= nbits )
    {
        set_err(err, errlen, "CPU mask '%s': CPU %lu is beyond the %u CPUs "
                "of this host", s, cpu, nbits);
        return -1;
    }
    map[cpu / 8] |= 1u << (cpu % 8);
    return 0;
}

int sro_live_parse_cpumask(const char *s, uint8_t *map, unsigned int nbits,
                           char *err, size_t errlen)
{
    bool any = false;

    memset(map, 0, (nbits + 7) / 8);
    if ( !s || !*s )
    {
        set_err(err, errlen, "CPU mask is empty");
        return -1;
    }
    if ( s[0] == '0' && (s[1] == 'x' || s[1] == 'X') )
    {
        size_t n = strlen(s + 2);

        if ( n == 0 )
        {
            set_err(err, errlen, "CPU mask '%s': no hex digits", s);
            return -1;
        }
        /* Rightmost digit = CPUs 0..3. */
        for ( size_t i = 0; i < n; i++ )
        {
            char ch = s[2 + n - 1 - i];
            unsigned int v;

            if ( ch >= '0' && ch <= '9' )
                v = ch - '0';
            else if ( ch >= 'a' && ch <= 'f' )
                v = ch - 'a' + 10;
            else if ( ch >= 'A' && ch <= 'F' )
                v = ch - 'A' + 10;
            else
            {
                set_err(err, errlen, "CPU mask '%s': '%c' is not a hex "
                        "digit", s, ch);
                return -1;
            }
            for ( unsigned int b = 0; b < 4; b++ )
                if ( v & (1u << b) )
                {
                    if ( set_cpu(map, nbits, 4 * i + b, s, err, errlen) )
                        return -1;
                    any = true;
                }
        }
    }
    else
    {
        const char *p = s;

        for ( ;; )
        {
            char *end;
            unsigned long lo, hi;

            if ( *p < '0' || *p > '9' )
                goto bad;
            lo = strtoul(p, &end, 10);
            hi = lo;
            p = end;
            if ( *p == '-' )
            {
                p++;
                if ( *p < '0' || *p > '9' )
                    goto bad;
                hi = strtoul(p, &end, 10);
                p = end;
                if ( hi < lo )
                {
                    set_err(err, errlen, "CPU mask '%s': range %lu-%lu runs "
                            "backwards", s, lo, hi);
                    return -1;
                }
            }
            for ( unsigned long c = lo; c <= hi; c++ )
            {
                if ( set_cpu(map, nbits, c, s, err, errlen) )
                    return -1;
                any = true;
            }
            if ( *p == '\0' )
                break;
            if ( *p != ',' )
                goto bad;
            p++;
        }
    }
    if ( !any )
    {
        set_err(err, errlen, "CPU mask '%s' selects no CPU", s);
        return -1;
    }
    return 0;

 bad:
    set_err(err, errlen, "CPU mask '%s': expected 0xHEX or a list such as "
            "0-3,6", s);
    return -1;
}

/* ------------------------------------------------------------------ */
/* The capture thread.                                                 */

/*
 * One round over every buffer into the stream, flushed. Returns 0, or -1
 * with res.stop_reason set ("reader closed" on EPIPE, else "error" and
 * res.error saying what failed).
 */
static int drain(struct live *l)
{
    int64_t n = sro_tbuf_ring_drain(l->ring, l->out, l->res.error,
                                    sizeof(l->res.error));

    if ( n >= 0 && fflush(l->out) != 0 )
    {
        set_err(l->res.error, sizeof(l->res.error), "writing the capture "
                "stream: %s", strerror(errno));
        n = -1;
    }
    if ( n < 0 )
    {
        if ( errno == EPIPE )
        {
            l->res.stop_reason = "reader closed";
            l->res.error[0] = '\0';
        }
        else
            l->res.stop_reason = "error";
        return -1;
    }
    l->res.drains++;
    return 0;
}

/* Wait for data, a signal, a stop request or the deadline. Returns the
 * reason to stop, or NULL to drain again. */
static const char *wait_round(struct live *l)
{
    struct pollfd fds[3];
    unsigned int n = 0, evt = 3, sig = 3;
    int timeout = l->poll_ms;

    if ( l->deadline > 0 )
    {
        double left = l->deadline - now_s();

        if ( left <= 0 )
            return "time limit";
        if ( left * 1000 < timeout )
            timeout = (int)(left * 1000) + 1;
    }
    fds[n++] = (struct pollfd){ .fd = l->stop_pipe[0], .events = POLLIN };
    if ( l->sig_fd >= 0 )
    {
        sig = n;
        fds[n++] = (struct pollfd){ .fd = l->sig_fd, .events = POLLIN };
    }
    if ( l->evt_fd >= 0 )
    {
        evt = n;
        fds[n++] = (struct pollfd){ .fd = l->evt_fd, .events = POLLIN };
    }
    if ( poll(fds, n, timeout) < 0 )
    {
        if ( errno == EINTR )
            return NULL;
        set_err(l->res.error, sizeof(l->res.error), "poll: %s",
                strerror(errno));
        return "error";
    }

    if ( fds[0].revents )
        return "stopped";
    if ( sig < n && fds[sig].revents )
    {
        struct signalfd_siginfo si;

        if ( read(l->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si) )
            return si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
    }
    if ( evt < n && fds[evt].revents )
        sro_live_xen_ack(l->xen);
    if ( l->deadline > 0 && now_s() >= l->deadline )
        return "time limit";
    return NULL;
}

/*
 * The capture thread: drain, wait, until a reason to stop; then disable
 * tracing (unless keep_tracing), drain once more and close the stream,
 * which the reader sees as its end. Leaves the outcome in l->res.
 */
static void *capture(void *arg)
{
    struct live *l = arg;
    sigset_t pipe_set;
    const char *why = NULL;
    char disable_err[sizeof(l->res.error)] = "";

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);

    while ( !why )
    {
        if ( drain(l) )
            break;              /* stop_reason says why */
        why = wait_round(l);
    }

    if ( !l->keep_tracing && l->xen )
        l->res.tracing_disabled =
            sro_live_xen_disable(l->xen, disable_err,
                                 sizeof(disable_err)) == 0;

    /* Whatever Xen wrote up to the disable: once more, then the end. A
     * reader that has gone away by now loses only this last round. */
    if ( why )
    {
        if ( strcmp(why, "error") != 0 )
            drain(l);
        l->res.stop_reason = why;
    }
    if ( disable_err[0] && !l->res.error[0] )
        memcpy(l->res.error, disable_err, sizeof(disable_err));
    fclose(l->out);
    l->out = NULL;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Opening and closing, common to Xen and the tests.                   */

static void live_reset(struct live *l)
{
    memset(l, 0, sizeof(*l));
    l->stop_pipe[0] = l->stop_pipe[1] = -1;
    l->sig_fd = -1;
    l->evt_fd = -1;
}

static void close_fd(int *fd)
{
    if ( *fd >= 0 )
        close(*fd);
    *fd = -1;
}

/*
 * Set up the pipe, the stop pipe, the signals, and start the thread over
 * l->ring. Returns the read end or NULL (err set; l's fds closed).
 */
static FILE *start_thread(struct live *l, const struct sro_live_opts *o,
                          char *err, size_t errlen)
{
    int fds[2] = { -1, -1 };

    l->poll_ms = o->poll_ms ? o->poll_ms : SRO_LIVE_DEFAULT_POLL_MS;
    l->keep_tracing = o->keep_tracing;
    l->deadline = o->seconds > 0 ? now_s() + o->seconds : 0;
    l->res.stop_reason = "error";

    if ( pipe2(l->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
         pipe2(fds, O_CLOEXEC) != 0 )
    {
        set_err(err, errlen, "creating the capture pipe: %s",
                strerror(errno));
        goto fail;
    }
    l->out = fdopen(fds[1], "w");
    if ( l->out )
        fds[1] = -1;
    l->in = fdopen(fds[0], "r");
    if ( l->in )
        fds[0] = -1;
    if ( !l->out || !l->in )
    {
        set_err(err, errlen, "opening the capture pipe: %s",
                strerror(errno));
        goto fail;
    }
    setvbuf(l->out, NULL, _IOFBF, 1 << 16);

    if ( o->handle_signals )
    {
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, &l->old_mask);
        l->mask_changed = true;
        l->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if ( l->sig_fd < 0 )
        {
            set_err(err, errlen, "signalfd: %s", strerror(errno));
            goto fail;
        }
    }

    live_active = 1;
    if ( pthread_create(&l->thread, NULL, capture, l) != 0 )
    {
        live_active = 0;
        set_err(err, errlen, "starting the capture thread failed");
        goto fail;
    }
    l->thread_started = true;
    return l->in;

 fail:
    close_fd(&fds[0]);
    close_fd(&fds[1]);
    if ( l->out )
        fclose(l->out);
    if ( l->in )
        fclose(l->in);
    l->out = l->in = NULL;
    close_fd(&l->stop_pipe[0]);
    close_fd(&l->stop_pipe[1]);
    close_fd(&l->sig_fd);
    if ( l->mask_changed )
        pthread_sigmask(SIG_SETMASK, &l->old_mask, NULL);
    l->mask_changed = false;
    return NULL;
}

void sro_live_stop(void)
{
    if ( live_active )
    {
        char c = 's';
        ssize_t rc = write(the_live.stop_pipe[1], &c, 1);

        (void)rc;   /* a full pipe already holds a stop request */
    }
}

int sro_live_close(FILE *stream, struct sro_live_result *res)
{
    struct live *l = &the_live;
    int rc;

    if ( !l->thread_started || stream != l->in )
    {
        if ( res )
        {
            memset(res, 0, sizeof(*res));
            res->stop_reason = "error";
            snprintf(res->error, sizeof(res->error),
                     "no live capture is open on this stream");
        }
        return -1;
    }
    sro_live_stop();
    fclose(l->in);              /* a blocked writer gets EPIPE */
    l->in = NULL;
    pthread_join(l->thread, NULL);
    live_active = 0;

    for ( unsigned int cpu = 0; cpu < sro_tbuf_ring_ncpus(l->ring); cpu++ )
    {
        struct sro_tbuf_cpu_stats st;

        sro_tbuf_ring_stats(l->ring, cpu, &st);
        l->res.bytes += st.bytes;
        l->res.windows += st.windows;
        l->res.bogus_cpus += st.bogus;
        if ( st.max_fill > l->res.max_fill )
            l->res.max_fill = st.max_fill;
    }
    rc = strcmp(l->res.stop_reason, "error") == 0 || l->res.error[0] ? -1 : 0;
    if ( res )
        *res = l->res;

    close_fd(&l->stop_pipe[0]);
    close_fd(&l->stop_pipe[1]);
    close_fd(&l->sig_fd);
    if ( l->mask_changed )
        pthread_sigmask(SIG_SETMASK, &l->old_mask, NULL);
    /* Frees Xen's ring; a test's ring stays the test's. */
    sro_live_xen_close(l->xen);
    live_reset(l);
    return rc;
}

FILE *sro_live_open_ring(struct sro_tbuf_ring *ring,
                         const struct sro_live_opts *opts, char *err,
                         size_t errlen)
{
    struct live *l = &the_live;
    FILE *in;

    if ( l->thread_started )
    {
        set_err(err, errlen, "a live capture is already running");
        return NULL;
    }
    live_reset(l);
    l->ring = ring;
    in = start_thread(l, opts, err, errlen);
    if ( !in )
        live_reset(l);
    return in;
}

FILE *sro_live_open(const struct sro_live_opts *opts,
                    struct sro_live_info *info, char *err, size_t errlen)
{
    struct live *l = &the_live;
    FILE *in;

    memset(info, 0, sizeof(*info));
    if ( l->thread_started )
    {
        set_err(err, errlen, "a live capture is already running");
        return NULL;
    }
    /* What is missing on the host comes first: it is what a user on a
     * machine without Xen needs to hear, whatever this build can do. */
    if ( sro_live_xen_probe(opts->root ? opts->root : "", err, errlen) )
        return NULL;
    live_reset(l);
    l->xen = sro_live_xen_open(opts, info, &l->ring, &l->evt_fd, err,
                               errlen);
    if ( !l->xen )
    {
        live_reset(l);
        return NULL;
    }
    in = start_thread(l, opts, err, errlen);
    if ( !in )
    {
        if ( !opts->keep_tracing )
            sro_live_xen_disable(l->xen, NULL, 0);
        sro_live_xen_close(l->xen);
        live_reset(l);
    }
    return in;
}
