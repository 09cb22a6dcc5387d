/*
 * live-xen.c - the Xen half of a live capture: host checks, libxenctrl
 * and libxenevtchn (see live-xen.h).
 *
 * The set-up follows what xentrace does, in this order, so that a failure
 * at any step leaves the host as it was: open the control interface, read
 * the host's CPUs, TSC frequency and Xen version, check the CPU mask, then
 * enable the trace buffers (which allocates them unless Xen already has
 * some), set the masks, map t_info read-only and each CPU's buffer
 * read-write (the consumer writes cons), send the state debug key, and
 * bind VIRQ_TBUF. Every error names the call that failed and why, with
 * libxenctrl's own message when it logged one.
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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_LIBXENCTRL
#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <xenctrl.h>
#include <xenevtchn.h>
#endif

#include "live-xen.h"

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

/* ------------------------------------------------------------------ */
/* Host checks: what a live capture needs before any Xen call.         */

static bool exists(const char *root, const char *path)
{
    char full[4096];
    struct stat st;

    snprintf(full, sizeof(full), "%s%s", root, path);
    return stat(full, &st) == 0;
}

int sro_live_xen_probe(const char *root, char *err, size_t errlen)
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
/* libxenctrl.                                                         */

#ifndef HAVE_LIBXENCTRL

struct sro_live_xen *sro_live_xen_open(const struct sro_live_opts *o,
                                       struct sro_live_info *info,
                                       struct sro_tbuf_ring **ring,
                                       int *evt_fd, char *err,
                                       size_t errlen)
{
    (void)o;
    (void)info;
    (void)ring;
    (void)evt_fd;
    set_err(err, errlen, "live capture is not available: srotrace was built "
            "without libxenctrl (install libxen-dev and rebuild)");
    return NULL;
}

void sro_live_xen_ack(struct sro_live_xen *x)
{
    (void)x;
}

int sro_live_xen_disable(struct sro_live_xen *x, char *err, size_t errlen)
{
    (void)x;
    set_err(err, errlen, "built without libxenctrl");
    return -1;
}

void sro_live_xen_close(struct sro_live_xen *x)
{
    (void)x;
}

#else /* HAVE_LIBXENCTRL */

struct sro_live_xen {
    xc_interface     *xch;
    xenevtchn_handle *xce;
    int               virq_port;    /* -1 if not bound */
    void             *t_info;       /* mapped read-only */
    size_t            t_info_bytes;
    unsigned int      ncpus;
    unsigned int      pages;        /* per CPU */
    void            **cpu_base;     /* per CPU: the mapping, or NULL */
    void           ***cpu_pages;    /* per CPU: its page pointers */
    struct sro_tbuf_ring *ring;
};

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

/* Why the last call failed: libxenctrl's message, or errno's. */
static const char *xc_why(int saved_errno)
{
    return xtl_last[0] ? xtl_last : strerror(saved_errno);
}

int sro_live_xen_disable(struct sro_live_xen *x, char *err, size_t errlen)
{
    if ( xc_tbuf_disable(x->xch) != 0 )
    {
        set_err(err, errlen, "xc_tbuf_disable failed: %s", xc_why(errno));
        return -1;
    }
    return 0;
}

void sro_live_xen_ack(struct sro_live_xen *x)
{
    xenevtchn_port_or_error_t port = xenevtchn_pending(x->xce);

    if ( port >= 0 )
        xenevtchn_unmask(x->xce, port);
}

void sro_live_xen_close(struct sro_live_xen *x)
{
    if ( !x )
        return;
    if ( x->cpu_base )
        for ( unsigned int cpu = 0; cpu < x->ncpus; cpu++ )
        {
            if ( x->cpu_base[cpu] )
                munmap(x->cpu_base[cpu],
                       (size_t)x->pages * SRO_TBUF_PAGE_SIZE);
            free(x->cpu_pages[cpu]);
        }
    free(x->cpu_base);
    free(x->cpu_pages);
    if ( x->t_info )
        munmap(x->t_info, x->t_info_bytes);
    sro_tbuf_ring_free(x->ring);
    if ( x->xce )
    {
        if ( x->virq_port >= 0 )
            xenevtchn_unbind(x->xce, x->virq_port);
        xenevtchn_close(x->xce);
    }
    if ( x->xch )
        xc_interface_close(x->xch);
    free(x);
}

/* Map CPU cpu's buffer and attach it. 0, or -1 with err set. */
static int map_cpu(struct sro_live_xen *x, unsigned int cpu, char *err,
                   size_t errlen)
{
    const uint32_t *mfns;
    xen_pfn_t *pfns;
    int rc = sro_tinfo_cpu_mfns(x->t_info, x->t_info_bytes, cpu, &mfns, err,
                                errlen);

    if ( rc <= 0 )
        return rc;
    pfns = calloc(x->pages, sizeof(*pfns));
    x->cpu_pages[cpu] = calloc(x->pages, sizeof(void *));
    if ( !pfns || !x->cpu_pages[cpu] )
    {
        free(pfns);
        set_err(err, errlen, "out of memory");
        return -1;
    }
    for ( unsigned int i = 0; i < x->pages; i++ )
        pfns[i] = mfns[i];
    x->cpu_base[cpu] = xc_map_foreign_pages(x->xch, DOMID_XEN,
                                            PROT_READ | PROT_WRITE, pfns,
                                            x->pages);
    free(pfns);
    if ( !x->cpu_base[cpu] )
    {
        set_err(err, errlen, "mapping cpu %u's trace buffer (%u pages) "
                "failed: %s", cpu, x->pages, xc_why(errno));
        return -1;
    }
    for ( unsigned int i = 0; i < x->pages; i++ )
        x->cpu_pages[cpu][i] =
            (unsigned char *)x->cpu_base[cpu] + (size_t)i * SRO_TBUF_PAGE_SIZE;
    return sro_tbuf_ring_attach(x->ring, cpu, x->cpu_pages[cpu]);
}

/* The host: CPUs, TSC Hz, Xen version. 0, or -1 with err set. */
static int read_host(struct sro_live_xen *x, struct sro_live_info *info,
                     char *err, size_t errlen)
{
    xc_physinfo_t phys = { 0 };
    xen_extraversion_t extra = "";
    int ver;

    if ( xc_physinfo(x->xch, &phys) != 0 )
    {
        set_err(err, errlen, "xc_physinfo failed: %s (not dom0?)",
                xc_why(errno));
        return -1;
    }
    x->ncpus = phys.max_cpu_id + 1;
    info->ncpus = x->ncpus;
    info->tsc_hz = (uint64_t)phys.cpu_khz * 1000;
    ver = xc_version(x->xch, XENVER_version, NULL);
    if ( ver >= 0 )
    {
        xc_version(x->xch, XENVER_extraversion, &extra);
        extra[sizeof(extra) - 1] = '\0';
        snprintf(info->xen_version, sizeof(info->xen_version), "%d.%d%s",
                 ver >> 16, ver & 0xffff, extra);
    }
    return 0;
}

/* t_info and every CPU's buffer into x->ring. 0, or -1 with err set. */
static int map_buffers(struct sro_live_xen *x, unsigned long t_info_mfn,
                       unsigned long t_info_size, struct sro_live_info *info,
                       char *err, size_t errlen)
{
    if ( t_info_mfn == 0 || t_info_size == 0 )
    {
        set_err(err, errlen, "no trace buffers: Xen reports none after "
                "enabling them");
        return -1;
    }
    x->t_info_bytes = t_info_size;
    x->t_info = xc_map_foreign_range(x->xch, DOMID_XEN, t_info_size,
                                     PROT_READ, t_info_mfn);
    if ( !x->t_info )
    {
        set_err(err, errlen, "mapping t_info (mfn %#lx, %lu bytes) failed: "
                "%s", t_info_mfn, t_info_size, xc_why(errno));
        return -1;
    }
    if ( sro_tinfo_pages(x->t_info, x->t_info_bytes, &x->pages, err,
                         errlen) )
        return -1;
    info->pages = x->pages;

    x->ring = sro_tbuf_ring_new(x->ncpus, x->pages);
    x->cpu_base = calloc(x->ncpus, sizeof(*x->cpu_base));
    x->cpu_pages = calloc(x->ncpus, sizeof(*x->cpu_pages));
    if ( !x->ring || !x->cpu_base || !x->cpu_pages )
    {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    for ( unsigned int cpu = 0; cpu < x->ncpus; cpu++ )
    {
        if ( map_cpu(x, cpu, err, errlen) < 0 )
            return -1;
        if ( x->cpu_base[cpu] )
            info->cpus_traced++;
    }
    if ( info->cpus_traced == 0 )
    {
        set_err(err, errlen, "no trace buffers: t_info lists no CPU with a "
                "buffer");
        return -1;
    }
    return 0;
}

struct sro_live_xen *sro_live_xen_open(const struct sro_live_opts *o,
                                       struct sro_live_info *info,
                                       struct sro_tbuf_ring **ring,
                                       int *evt_fd, char *err,
                                       size_t errlen)
{
    struct sro_live_xen *x = calloc(1, sizeof(*x));
    unsigned long t_info_mfn = 0, t_info_size = 0;
    unsigned int want = o->pages ? o->pages : SRO_LIVE_DEFAULT_PAGES;
    uint32_t mask = o->evt_mask ? o->evt_mask : SRO_LIVE_DEFAULT_EVT_MASK;
    xc_cpumap_t cpumap = NULL;

    if ( !x )
    {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    x->virq_port = -1;
    xtl_last[0] = '\0';
    x->xch = xc_interface_open(&quiet_logger, &quiet_logger, 0);
    if ( !x->xch )
    {
        set_err(err, errlen, "xc_interface_open failed: %s", xc_why(errno));
        goto fail;
    }
    if ( read_host(x, info, err, errlen) )
        goto fail;

    if ( o->cpu_mask )
    {
        int bits = xc_get_cpumap_size(x->xch) * 8;

        cpumap = bits > 0 ? xc_cpumap_alloc(x->xch) : NULL;
        if ( !cpumap )
        {
            set_err(err, errlen, "allocating a CPU map failed: %s",
                    xc_why(errno));
            goto fail;
        }
        if ( sro_live_parse_cpumask(o->cpu_mask, cpumap,
                                    (unsigned int)bits < x->ncpus ?
                                    (unsigned int)bits : x->ncpus,
                                    err, errlen) )
            goto fail;
    }

    /* From here on the host changes: undo on failure. */
    if ( xc_tbuf_enable(x->xch, want, &t_info_mfn, &t_info_size) != 0 )
    {
        set_err(err, errlen, "no trace buffers: xc_tbuf_enable(%u pages) "
                "failed: %s (is Xen built with CONFIG_TRACEBUFFER?)", want,
                xc_why(errno));
        goto fail;
    }
    if ( xc_tbuf_set_evt_mask(x->xch, mask) != 0 )
    {
        set_err(err, errlen, "xc_tbuf_set_evt_mask(%#x) failed: %s", mask,
                xc_why(errno));
        goto undo;
    }
    info->evt_mask = mask;
    if ( cpumap && xc_tbuf_set_cpu_mask(x->xch, cpumap) != 0 )
    {
        set_err(err, errlen, "xc_tbuf_set_cpu_mask(%s) failed: %s",
                o->cpu_mask, xc_why(errno));
        goto undo;
    }
    if ( map_buffers(x, t_info_mfn, t_info_size, info, err, errlen) )
        goto undo;
    if ( x->pages != want )
        snprintf(info->note, sizeof(info->note),
                 "Xen already had trace buffers of %u pages per CPU (set at "
                 "boot with tbuf_size= or by an earlier capture); they are "
                 "kept", x->pages);

    /*
     * The patched Xen's debug key emits the sub-page configuration as
     * trace records (an unpatched Xen ignores an unknown key), so that a
     * capture started after boot still knows which bytes are read-only.
     */
    info->state_requested =
        xc_send_debug_keys(x->xch, SRO_LIVE_STATE_KEY) == 0;

    /* VIRQ_TBUF: Xen's "half full" signal. Without it, poll. */
    *evt_fd = -1;
    x->xce = xenevtchn_open(&quiet_logger, 0);
    if ( x->xce )
        x->virq_port = xenevtchn_bind_virq(x->xce, VIRQ_TBUF);
    if ( x->xce && x->virq_port >= 0 )
    {
        *evt_fd = xenevtchn_fd(x->xce);
        info->virq = true;
    }
    else if ( !info->note[0] )
        snprintf(info->note, sizeof(info->note), "VIRQ_TBUF unavailable "
                 "(%s): reading the buffers every %u ms", xc_why(errno),
                 o->poll_ms ? o->poll_ms : SRO_LIVE_DEFAULT_POLL_MS);
    free(cpumap);
    *ring = x->ring;
    return x;

 undo:
    if ( !o->keep_tracing )
        xc_tbuf_disable(x->xch);
 fail:
    free(cpumap);
    sro_live_xen_close(x);
    return NULL;
}

#endif /* HAVE_LIBXENCTRL */
