/*
 * live.c - live capture from Xen's trace buffers (see live.h).
 *
 * Three parts: the host checks (plain files, no Xen library, so that a
 * machine without Xen gets a precise message at once), the libxenctrl set
 * up and tear down (enable, masks, mapping, VIRQ_TBUF), and the capture
 * thread, which only knows a struct sro_tbuf_ring, a few file descriptors
 * to wait on, and a "disable tracing" hook, so that the tests can run it
 * over an in-memory replica (sro_live_open_ring()).
 *
 * Threads and signals: with handle_signals, SIGINT and SIGTERM are
 * blocked in the calling thread before the capture thread is created
 * (which inherits the mask), and the capture thread takes them from a
 * signalfd. A Ctrl-C therefore never interrupts the reader: it ends the
 * capture, the capture ends the stream, the reader sees a clean end.
 * SIGPIPE is blocked in the capture thread, so a reader that goes away
 * shows up as EPIPE on write.
 */

/*
 * Xen's public headers (pulled in by xenctrl.h) use anonymous unions and
 * refuse to compile when __STRICT_ANSI__ is defined, which -std=c11 does.
 * They are the only GNU C this file needs, so the flag is dropped here,
 * before any header, rather than building the whole tree as gnu11.
 */
#ifdef HAVE_LIBXENCTRL
#undef __STRICT_ANSI__
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LIBXENCTRL
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <xenctrl.h>
#include <xenevtchn.h>
#endif

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
    /* Hooks into the tracing backend. */
    int            (*disable)(struct live *l, char *err, size_t errlen);
    void           (*evt_ack)(struct live *l);
    struct sro_live_result res;
#ifdef HAVE_LIBXENCTRL
    xc_interface    *xch;
    xenevtchn_handle *xce;
    int              virq_port;
    void            *t_info;
    size_t           t_info_bytes;
    unsigned int     ncpus;
    unsigned int     pages;
    void           **cpu_base;      /* per CPU: the mapping, or NULL */
    void          ***cpu_pages;     /* per CPU: page pointers */
    bool             enabled;       /* we called xc_tbuf_enable */
#endif
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
/* Host checks: what a live capture needs before any Xen call.         */

static bool exists(const char *root, const char *path)
{
    char full[4096];
    struct stat st;

    snprintf(full, sizeof(full), "%s%s", root, path);
    return stat(full, &st) == 0;
}

/*
 * 0 if this looks like a Xen dom0 we may drive; else -1 with the first
 * thing missing in err. Looks only at files under root.
 */
static int probe_host(const char *root, char *err, size_t errlen)
{
    char path[4096], caps[256] = "";
    const char *privcmd;
    FILE *f;

    if ( exists(root, "/dev/xen/privcmd") )
        privcmd = "/dev/xen/privcmd";
    else if ( exists(root, "/proc/xen/privcmd") )
        privcmd = "/proc/xen/privcmd";
    else
    {
        set_err(err, errlen,
                "not running on Xen: neither %s/dev/xen/privcmd nor "
                "%s/proc/xen/privcmd exists (live capture needs a Xen dom0 "
                "with the xen-privcmd driver loaded)", root, root);
        return -1;
    }

    snprintf(path, sizeof(path), "%s/proc/xen/capabilities", root);
    f = fopen(path, "r");
    if ( f )
    {
        size_t n = fread(caps, 1, sizeof(caps) - 1, f);

        caps[n] = '\0';
        fclose(f);
        if ( !strstr(caps, "control_d") )
        {
            set_err(err, errlen,
                    "not dom0: %s does not list control_d (this is a guest "
                    "domain; live capture runs in dom0)", path);
            return -1;
        }
    }

    snprintf(path, sizeof(path), "%s%s", root, privcmd);
    if ( access(path, R_OK | W_OK) != 0 )
    {
        set_err(err, errlen, "cannot open %s: %s (live capture needs root)",
                path, strerror(errno));
        return -1;
    }
    return 0;
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
    if ( evt < n && fds[evt].revents && l->evt_ack )
        l->evt_ack(l);
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

    if ( !l->keep_tracing && l->disable )
        l->res.tracing_disabled =
            l->disable(l, disable_err, sizeof(disable_err)) == 0;

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

#ifdef HAVE_LIBXENCTRL
static void xen_teardown(struct live *l);
#endif

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
    rc = strcmp(l->res.stop_reason, "error") == 0 || l->res.error[0] ? -1
                                                                      : 0;
    if ( res )
        *res = l->res;

    close_fd(&l->stop_pipe[0]);
    close_fd(&l->stop_pipe[1]);
    close_fd(&l->sig_fd);
    if ( l->mask_changed )
        pthread_sigmask(SIG_SETMASK, &l->old_mask, NULL);
#ifdef HAVE_LIBXENCTRL
    if ( l->xch )
    {
        xen_teardown(l);
        live_reset(l);
        return rc;
    }
#endif
    /* A test's ring stays the test's. */
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

/* ------------------------------------------------------------------ */
/* libxenctrl.                                                         */

#ifdef HAVE_LIBXENCTRL

/* A logger that keeps libxenctrl's last message for our own. */
static char xtl_last[256];

static void xtl_vmessage(struct xentoollog_logger *logger,
                         xentoollog_level level, int errnoval,
                         const char *context, const char *format, va_list al)
{
    (void)logger;
    (void)level;
    (void)context;
    vsnprintf(xtl_last, sizeof(xtl_last), format, al);
    if ( errnoval >= 0 )
    {
        size_t n = strlen(xtl_last);

        snprintf(xtl_last + n, sizeof(xtl_last) - n, ": %s",
                 strerror(errnoval));
    }
}

static void xtl_destroy(struct xentoollog_logger *logger)
{
    (void)logger;
}

static xentoollog_logger quiet_logger = {
    .vmessage = xtl_vmessage,
    .destroy = xtl_destroy,
};

static const char *xc_why(int saved_errno)
{
    return xtl_last[0] ? xtl_last : strerror(saved_errno);
}

static int xen_disable(struct live *l, char *err, size_t errlen)
{
    if ( xc_tbuf_disable(l->xch) != 0 )
    {
        set_err(err, errlen, "xc_tbuf_disable failed: %s", xc_why(errno));
        return -1;
    }
    return 0;
}

static void xen_evt_ack(struct live *l)
{
    xenevtchn_port_or_error_t port = xenevtchn_pending(l->xce);

    if ( port >= 0 )
        xenevtchn_unmask(l->xce, port);
}

/* Undo whatever xen_setup() did (safe on a partial setup). */
static void xen_teardown(struct live *l)
{
    if ( l->cpu_base )
        for ( unsigned int cpu = 0; cpu < l->ncpus; cpu++ )
        {
            if ( l->cpu_base[cpu] )
                munmap(l->cpu_base[cpu],
                       (size_t)l->pages * SRO_TBUF_PAGE_SIZE);
            free(l->cpu_pages[cpu]);
        }
    free(l->cpu_base);
    free(l->cpu_pages);
    if ( l->t_info )
        munmap(l->t_info, l->t_info_bytes);
    sro_tbuf_ring_free(l->ring);
    if ( l->xce )
    {
        if ( l->virq_port >= 0 )
            xenevtchn_unbind(l->xce, l->virq_port);
        xenevtchn_close(l->xce);
    }
    if ( l->xch )
        xc_interface_close(l->xch);
}

/* Map CPU cpu's buffer and attach it. 0, or -1 with err set. */
static int xen_map_cpu(struct live *l, unsigned int cpu, char *err,
                       size_t errlen)
{
    const uint32_t *mfns;
    xen_pfn_t *pfns;
    int rc = sro_tinfo_cpu_mfns(l->t_info, l->t_info_bytes, cpu, &mfns, err,
                                errlen);

    if ( rc <= 0 )
        return rc;
    pfns = calloc(l->pages, sizeof(*pfns));
    l->cpu_pages[cpu] = calloc(l->pages, sizeof(void *));
    if ( !pfns || !l->cpu_pages[cpu] )
    {
        free(pfns);
        set_err(err, errlen, "out of memory");
        return -1;
    }
    for ( unsigned int i = 0; i < l->pages; i++ )
        pfns[i] = mfns[i];
    l->cpu_base[cpu] = xc_map_foreign_pages(l->xch, DOMID_XEN,
                                            PROT_READ | PROT_WRITE, pfns,
                                            l->pages);
    free(pfns);
    if ( !l->cpu_base[cpu] )
    {
        set_err(err, errlen, "mapping cpu %u's trace buffer (%u pages) "
                "failed: %s", cpu, l->pages, xc_why(errno));
        return -1;
    }
    for ( unsigned int i = 0; i < l->pages; i++ )
        l->cpu_pages[cpu][i] =
            (unsigned char *)l->cpu_base[cpu] + (size_t)i * SRO_TBUF_PAGE_SIZE;
    return sro_tbuf_ring_attach(l->ring, cpu, l->cpu_pages[cpu]);
}

/*
 * Everything from xc_interface_open() to a ring over mapped buffers.
 * 0, or -1 with err set and tracing disabled again if we enabled it.
 */
static int xen_setup(struct live *l, const struct sro_live_opts *o,
                     struct sro_live_info *info, char *err, size_t errlen)
{
    xc_physinfo_t phys = { 0 };
    xen_extraversion_t extra = "";
    unsigned long t_info_mfn = 0, t_info_size = 0;
    unsigned int want = o->pages ? o->pages : SRO_LIVE_DEFAULT_PAGES;
    uint32_t mask = o->evt_mask ? o->evt_mask : SRO_LIVE_DEFAULT_EVT_MASK;
    xc_cpumap_t cpumap = NULL;
    int ver;

    l->virq_port = -1;
    xtl_last[0] = '\0';
    l->xch = xc_interface_open(&quiet_logger, &quiet_logger, 0);
    if ( !l->xch )
    {
        set_err(err, errlen, "xc_interface_open failed: %s", xc_why(errno));
        return -1;
    }
    if ( xc_physinfo(l->xch, &phys) != 0 )
    {
        set_err(err, errlen, "xc_physinfo failed: %s (not dom0?)",
                xc_why(errno));
        return -1;
    }
    l->ncpus = phys.max_cpu_id + 1;
    info->ncpus = l->ncpus;
    info->tsc_hz = (uint64_t)phys.cpu_khz * 1000;
    ver = xc_version(l->xch, XENVER_version, NULL);
    if ( ver >= 0 )
    {
        xc_version(l->xch, XENVER_extraversion, &extra);
        extra[sizeof(extra) - 1] = '\0';
        snprintf(info->xen_version, sizeof(info->xen_version), "%d.%d%s",
                 ver >> 16, ver & 0xffff, extra);
    }

    if ( o->cpu_mask )
    {
        int bits = xc_get_cpumap_size(l->xch) * 8;

        cpumap = bits > 0 ? xc_cpumap_alloc(l->xch) : NULL;
        if ( !cpumap )
        {
            set_err(err, errlen, "allocating a CPU map failed: %s",
                    xc_why(errno));
            return -1;
        }
        if ( sro_live_parse_cpumask(o->cpu_mask, cpumap,
                                    (unsigned int)bits < l->ncpus ?
                                    (unsigned int)bits : l->ncpus,
                                    err, errlen) )
        {
            free(cpumap);
            return -1;
        }
    }

    /* From here on the host changes: undo on failure. */
    if ( xc_tbuf_enable(l->xch, want, &t_info_mfn, &t_info_size) != 0 )
    {
        set_err(err, errlen, "no trace buffers: xc_tbuf_enable(%u pages) "
                "failed: %s (is Xen built with CONFIG_TRACEBUFFER?)", want,
                xc_why(errno));
        free(cpumap);
        return -1;
    }
    l->enabled = true;
    if ( xc_tbuf_set_evt_mask(l->xch, mask) != 0 )
    {
        set_err(err, errlen, "xc_tbuf_set_evt_mask(%#x) failed: %s", mask,
                xc_why(errno));
        goto undo;
    }
    info->evt_mask = mask;
    if ( cpumap && xc_tbuf_set_cpu_mask(l->xch, cpumap) != 0 )
    {
        set_err(err, errlen, "xc_tbuf_set_cpu_mask(%s) failed: %s",
                o->cpu_mask, xc_why(errno));
        goto undo;
    }
    free(cpumap);
    cpumap = NULL;

    if ( t_info_mfn == 0 || t_info_size == 0 )
    {
        set_err(err, errlen, "no trace buffers: Xen reports none after "
                "enabling them");
        goto undo;
    }
    l->t_info_bytes = t_info_size;
    l->t_info = xc_map_foreign_range(l->xch, DOMID_XEN, t_info_size,
                                     PROT_READ, t_info_mfn);
    if ( !l->t_info )
    {
        set_err(err, errlen, "mapping t_info (mfn %#lx, %lu bytes) failed: "
                "%s", t_info_mfn, t_info_size, xc_why(errno));
        goto undo;
    }
    if ( sro_tinfo_pages(l->t_info, l->t_info_bytes, &l->pages, err,
                         errlen) )
        goto undo;
    info->pages = l->pages;
    if ( l->pages != want )
        snprintf(info->note, sizeof(info->note),
                 "Xen already had trace buffers of %u pages per CPU (set at "
                 "boot with tbuf_size= or by an earlier capture); they are "
                 "kept", l->pages);

    l->ring = sro_tbuf_ring_new(l->ncpus, l->pages);
    l->cpu_base = calloc(l->ncpus, sizeof(*l->cpu_base));
    l->cpu_pages = calloc(l->ncpus, sizeof(*l->cpu_pages));
    if ( !l->ring || !l->cpu_base || !l->cpu_pages )
    {
        set_err(err, errlen, "out of memory");
        goto undo;
    }
    for ( unsigned int cpu = 0; cpu < l->ncpus; cpu++ )
    {
        int rc = xen_map_cpu(l, cpu, err, errlen);

        if ( rc < 0 )
            goto undo;
        if ( l->cpu_base[cpu] )
            info->cpus_traced++;
    }
    if ( info->cpus_traced == 0 )
    {
        set_err(err, errlen, "no trace buffers: t_info lists no CPU with a "
                "buffer");
        goto undo;
    }

    /*
     * The patched Xen's debug key emits the sub-page configuration as
     * trace records (an unpatched Xen ignores an unknown key), so that a
     * capture started after boot still knows which bytes are read-only.
     */
    info->state_requested =
        xc_send_debug_keys(l->xch, SRO_LIVE_STATE_KEY) == 0;

    /* VIRQ_TBUF: Xen's "half full" signal. Without it, poll. */
    l->xce = xenevtchn_open(&quiet_logger, 0);
    if ( l->xce )
        l->virq_port = xenevtchn_bind_virq(l->xce, VIRQ_TBUF);
    if ( l->xce && l->virq_port >= 0 )
    {
        l->evt_fd = xenevtchn_fd(l->xce);
        l->evt_ack = xen_evt_ack;
        info->virq = true;
    }
    else if ( !info->note[0] )
        snprintf(info->note, sizeof(info->note), "VIRQ_TBUF unavailable "
                 "(%s): reading the buffers every %u ms", xc_why(errno),
                 o->poll_ms ? o->poll_ms : SRO_LIVE_DEFAULT_POLL_MS);
    l->disable = xen_disable;
    return 0;

 undo:
    free(cpumap);
    if ( !o->keep_tracing )
        xc_tbuf_disable(l->xch);
    return -1;
}
#endif /* HAVE_LIBXENCTRL */

FILE *sro_live_open(const struct sro_live_opts *opts,
                    struct sro_live_info *info, char *err, size_t errlen)
{
    struct live *l = &the_live;
    FILE *in = NULL;

    memset(info, 0, sizeof(*info));
    if ( l->thread_started )
    {
        set_err(err, errlen, "a live capture is already running");
        return NULL;
    }
    /* What is missing on the host comes first: it is what a user on a
     * machine without Xen needs to hear, whatever this build can do. */
    if ( probe_host(opts->root ? opts->root : "", err, errlen) )
        return NULL;
#ifndef HAVE_LIBXENCTRL
    set_err(err, errlen, "live capture is not available: srotrace was built "
            "without libxenctrl (install libxen-dev and rebuild)");
#else
    live_reset(l);
    if ( xen_setup(l, opts, info, err, errlen) )
    {
        xen_teardown(l);
        live_reset(l);
        return NULL;
    }
    in = start_thread(l, opts, err, errlen);
    if ( !in )
    {
        if ( !opts->keep_tracing )
            xc_tbuf_disable(l->xch);
        xen_teardown(l);
        live_reset(l);
    }
#endif
    return in;
}
