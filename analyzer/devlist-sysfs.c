/*
 * devlist-sysfs.c - read PCI devices from a sysfs tree (or a copy of one).
 *
 * For each /sys/bus/pci/devices/SSSS:BB:DD.F this reads `vendor`, `device`
 * and `class` (one hex number each), `resource` (one "start end flags"
 * line per BAR, then the ROM and bridge windows, which are skipped) and,
 * when it is there and readable beyond its first 64 bytes, the binary
 * `config` space, whose capability list gives the MSI-X table and PBA.
 * Regions and maps are bound as the lspci parser binds them. sysfs holds
 * no device names: those stay unknown.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devlist.h"
#include "util/xalloc.h"

#define SYSFS_BARS          6
#define IORESOURCE_MEM      0x200u
#define PCI_CAP_ID_MSIX     0x11u

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Is s a PCI address "SSSS:BB:DD.F" (a device directory)? */
static bool sbdf_name(const char *s)
{
    unsigned int a, b, c, d;
    char tail;

    return strlen(s) == 12 &&
           sscanf(s, "%4x:%2x:%2x.%1x%c", &a, &b, &c, &d, &tail) == 4;
}

/* Read a small text file into buf; returns 0 or -1 (errno kept). */
static int read_text(const char *path, char *buf, size_t buflen)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if ( !f )
        return -1;
    n = fread(buf, 1, buflen - 1, f);
    fclose(f);
    buf[n] = '\0';
    return 0;
}

/* A one-number file ("0x8086\n"); returns 0 or -1 with err set. */
static int read_hex(const char *dir, const char *file, unsigned long max,
                    long *out, char *err, size_t errlen)
{
    char path[8192], buf[64], *end;
    unsigned long v;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if ( read_text(path, buf, sizeof(buf)) )
    {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    errno = 0;
    v = strtoul(buf, &end, 16);
    while ( *end == '\n' || *end == ' ' )
        end++;
    if ( errno || end == buf || *end || v > max )
    {
        snprintf(err, errlen, "%s: offset 0: expected one hex number", path);
        return -1;
    }
    *out = (long)v;
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Find the MSI-X capability in config space; returns 1 and fills the
 * outputs, 0 if none can be found. */
static int find_msix(const uint8_t *cfg, size_t n, unsigned int *count,
                     int *tbar, uint32_t *toff, int *pbar, uint32_t *poff)
{
    unsigned int ptr, ttl = 48;

    if ( n < 0x40 || !(cfg[0x06] & 0x10) )
        return 0;
    ptr = cfg[0x34] & 0xfc;
    while ( ptr >= 0x40 && ptr + 12 <= n && ttl-- )
    {
        if ( cfg[ptr] == PCI_CAP_ID_MSIX )
        {
            uint32_t t = le32(cfg + ptr + 4), pb = le32(cfg + ptr + 8);

            *count = ((cfg[ptr + 2] | (unsigned int)cfg[ptr + 3] << 8) &
                      0x7ff) + 1;
            *tbar = (int)(t & 7);
            *toff = t & ~7u;
            *pbar = (int)(pb & 7);
            *poff = pb & ~7u;
            return 1;
        }
        ptr = cfg[ptr + 1] & 0xfc;
    }
    return 0;
}

/* Read one device directory into l: ids, class, memory BARs and, from
 * config when readable, the MSI-X table and PBA. 0 or -1 with err. */
static int read_device(struct dev_list *l, const char *dir, const char *sbdf,
                       char *err, size_t errlen)
{
    char path[8192], res[4096];
    long vendor, device, class_;
    uint64_t base[SYSFS_BARS] = { 0 }, size[SYSFS_BARS] = { 0 };
    struct dev_entry *d;
    const char *line;
    bool xhci_done = false;
    unsigned int lineno = 0;

    if ( read_hex(dir, "vendor", 0xffff, &vendor, err, errlen) ||
         read_hex(dir, "device", 0xffff, &device, err, errlen) ||
         read_hex(dir, "class", 0xffffff, &class_, err, errlen) )
        return -1;
    snprintf(path, sizeof(path), "%s/resource", dir);
    if ( read_text(path, res, sizeof(res)) )
    {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    for ( line = res; *line && lineno < SYSFS_BARS; lineno++ )
    {
        unsigned long long s, e, fl;
        const char *nl = strchr(line, '\n');

        if ( sscanf(line, "%llx %llx %llx", &s, &e, &fl) != 3 )
        {
            snprintf(err, errlen, "%s: offset %td: expected 'start end "
                     "flags'", path, line - res);
            return -1;
        }
        if ( (fl & IORESOURCE_MEM) && e > s )
        {
            base[lineno] = s;
            size[lineno] = e - s + 1;
        }
        if ( !nl )
            break;
        line = nl + 1;
    }
    d = devlist_add(l, sbdf, NULL, (int)vendor, (int)device, class_);
    for ( int i = 0; i < SYSFS_BARS; i++ )
    {
        const char *map = NULL;

        if ( !size[i] )
            continue;
        if ( class_ == DEVLIST_CLASS_XHCI && !xhci_done )
        {
            map = "xhci";
            xhci_done = true;
        }
        devlist_add_region(d, base[i], size[i], map, 0, i);
    }

    snprintf(path, sizeof(path), "%s/config", dir);
    {
        FILE *f = fopen(path, "rb");
        uint8_t cfg[4096];
        size_t n;
        unsigned int count;
        int tbar, pbar;
        uint32_t toff, poff;

        if ( !f )
            return 0;               /* no config: no MSI-X information */
        n = fread(cfg, 1, sizeof(cfg), f);
        fclose(f);
        if ( !find_msix(cfg, n, &count, &tbar, &toff, &pbar, &poff) )
            return 0;
        if ( tbar >= SYSFS_BARS || pbar >= SYSFS_BARS || !size[tbar] ||
             !size[pbar] || toff + count * 16ull > size[tbar] ||
             poff + (count + 63) / 64 * 8ull > size[pbar] )
        {
            snprintf(err, errlen, "%s: the MSI-X table or PBA lies outside "
                     "the device's memory BARs", path);
            return -1;
        }
        devlist_add_region(d, base[tbar] + toff, count * 16ull, "msix", 0,
                           tbar);
        devlist_add_region(d, base[pbar] + poff, (count + 63) / 64 * 8ull,
                           "msix-pba", 0, pbar);
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int devlist_read_sysfs(struct dev_list *l, const char *root, char *err,
                       size_t errlen)
{
    static const char *const subs[] = {
        "/sys/bus/pci/devices", "/bus/pci/devices", "",
    };
    char dir[4096];
    DIR *dh = NULL;
    struct dirent *e;
    char **names = NULL;
    unsigned int n = 0, cap = 0;
    int rc = 0;

    for ( unsigned int i = 0; i < sizeof(subs) / sizeof(subs[0]); i++ )
    {
        snprintf(dir, sizeof(dir), "%s%s", root, subs[i]);
        if ( is_dir(dir) )
            break;
        dir[0] = '\0';
    }
    if ( !dir[0] || !(dh = opendir(dir)) )
    {
        snprintf(err, errlen, "%s: not a sysfs tree (no bus/pci/devices)",
                 root);
        return -1;
    }
    while ( (e = readdir(dh)) != NULL )
    {
        if ( !sbdf_name(e->d_name) )
            continue;
        if ( n == cap )
        {
            cap = cap ? cap * 2 : 32;
            names = xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(dh);
    if ( n == 0 )
    {
        snprintf(err, errlen, "%s: no PCI devices in it", dir);
        free(names);
        return -1;
    }
    if ( n )
        qsort(names, n, sizeof(*names), cmp_str);
    for ( unsigned int i = 0; i < n; i++ )
    {
        char ddir[4096 + 32];

        snprintf(ddir, sizeof(ddir), "%s/%s", dir, names[i]);
        if ( rc == 0 )
            rc = read_device(l, ddir, names[i], err, errlen);
        free(names[i]);
    }
    free(names);
    return rc;
}
