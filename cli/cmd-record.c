/*
 * cmd-record.c - `srotrace record`: import xentrace captures into a
 * database, one run per input.
 *
 * The command turns options into calls: open the database (db/db.h),
 * refuse a file already imported (by its SHA-256, computed in a first
 * pass; a pipe cannot be checked), import each input stream with
 * sro_ingest() (recorder/ingest.h), print one summary per run, and at the
 * end decode the new instruction rows and build the indexes, once. record_stream() imports one named FILE *,
 * whatever produces it: a file, standard input, or a live capture.
 *
 * --live reads Xen's trace buffers on dom0 (recorder/live.h): the capture
 * is opened before the database, so that a host without Xen gets its
 * error without the database being touched, and its stream is imported
 * like standard input, with the Xen version and TSC frequency of the
 * host. The capture owns SIGINT and SIGTERM: they end it cleanly, and the
 * run is complete.
 *
 * SIGINT and SIGTERM stop the import between records: what was read is
 * committed, the run is marked 'interrupted', and the exit status is 130
 * or 143 as a shell expects. A second signal kills at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../analyzer/devstore.h"
#include "../analyzer/summary.h"
#include "../db/db.h"
#include "../recorder/ingest.h"
#include "../recorder/live.h"
#include "../util/json.h"
#include "../util/parse-options.h"
#include "../util/progress.h"
#include "../util/sha256.h"
#include "builtin.h"

static const char *const record_usage[] = {
    "srotrace record [-o DB] [--json] [--cpu-hz HZ] [--xen-version V] "
    "[--host NAME] [--force] TRACE... | -",
    "srotrace record --live [-o DB] [-T SECONDS] [-S PAGES] [-c CPUMASK] "
    "[--keep-tracing]",
    NULL
};

struct record_opts {
    const char *db;             /* database path */
    bool        json;           /* JSON summary lines */
    uint64_t    cpu_hz;         /* runs.tsc_hz; 0 unknown */
    const char *xen_version;
    const char *host;
    bool        force;          /* import a file already imported */
    bool        live;           /* capture from Xen's trace buffers */
    const char *live_time;      /* -T: seconds, as given */
    uint64_t    live_pages;     /* -S: buffer pages per CPU; 0 default */
    const char *cpu_mask;       /* -c */
    bool        keep_tracing;
    const char *sysfs_root;     /* where dom0's PCI devices are read */
    uint64_t    max_db_size;    /* debugging: simulate a full disk */
};

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t input_fd = -1;    /* the stream being read */
static int devnull_fd = -1;

/*
 * SIGINT/SIGTERM: note the signal, and put /dev/null under the input's
 * descriptor (dup2() is async-signal-safe), so that a read blocked on a
 * pipe, which the reader retries when interrupted, ends at once: the
 * import sees the end of its input and stops there.
 */
static void on_signal(int sig)
{
    stop_signal = sig;
    if ( input_fd >= 0 && devnull_fd >= 0 )
        dup2(devnull_fd, input_fd);
}

/* Install on_signal; SA_RESETHAND so that a second signal kills. */
static void catch_signals(void)
{
    struct sigaction sa;

    devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/*
 * SHA-256 of a whole regular file, read from its start; the stream is
 * rewound afterwards. Returns 0, or -1 with errno set (or stopped by a
 * signal).
 */
static int file_sha256(FILE *f, char hex[65])
{
    static uint8_t buf[1 << 16];
    struct sha256_ctx c;
    size_t n;

    sha256_init(&c);
    while ( (n = fread(buf, 1, sizeof(buf), f)) > 0 && !stop_signal )
        sha256_update(&c, buf, n);
    if ( ferror(f) || stop_signal )
    {
        if ( !errno )
            errno = EINTR;
        return -1;
    }
    sha256_hex_now(&c, hex);
    rewind(f);
    return 0;
}

/* Progress of one stream (drawn only when stderr is a terminal). */
static void on_progress(void *ctx, uint64_t bytes, uint64_t records,
                        uint64_t groups)
{
    (void)records;
    progress_update(ctx, bytes, groups);
}

static void print_json(const struct sro_ingest_result *r, const char *source)
{
    const struct sro_run_totals *t = &r->totals;
    struct json j;

    json_init(&j, stdout, false);
    json_object_begin(&j);
    json_kv_int(&j, "run", r->run);
    json_kv_string(&j, "source", source);
    json_kv_string(&j, "status", r->status);
    json_kv_uint(&j, "records", t->records);
    json_kv_uint(&j, "groups", t->groups);
    json_kv_uint(&j, "incomplete_groups", t->incomplete_groups);
    json_kv_uint(&j, "lost_records", t->lost_records);
    json_kv_uint(&j, "unknown_records", t->unknown_records);
    json_kv_uint(&j, "orphan_writes", t->orphan_writes);
    json_kv_uint(&j, "stray_records", t->stray_records);
    json_kv_uint(&j, "bad_records", t->bad_records);
    json_kv_uint(&j, "bytes_unused", t->bytes_unused);
    json_kv_uint(&j, "tsc_resets", t->tsc_resets);
    json_kv_uint(&j, "size", t->size);
    json_kv_string(&j, "sha256", t->sha256[0] ? t->sha256 : NULL);
    json_kv_uint(&j, "problems", r->diagnostics);
    json_kv_string(&j, "error", r->db_err.msg[0] ? r->db_err.msg
                                : r->error[0] ? r->error : NULL);
    json_object_end(&j);
    json_end(&j);
}

static void print_summary(const struct sro_ingest_result *r)
{
    const struct sro_run_totals *t = &r->totals;

    printf("run %" PRId64 "%s: %" PRIu64 " records, %" PRIu64 " groups (%"
           PRIu64 " incomplete), %" PRIu64 " lost, %" PRIu64 " unknown, %"
           PRIu64 " bytes unused\n", r->run,
           strcmp(r->status, "complete") ? " (interrupted)" : "",
           t->records, t->groups, t->incomplete_groups, t->lost_records,
           t->unknown_records, t->bytes_unused);
}

/*
 * Import one open stream `in`, called `name` (runs.source and messages),
 * into a new run of db and print its summary. Returns the exit status for
 * this input: 0, 1 (bad input or database error), or 128 + the signal.
 * *db_failed is set when the database failed (no point going on).
 */
static int record_stream(sqlite3 *db, FILE *in, const char *name,
                         const struct record_opts *ro, bool *db_failed)
{
    struct progress progress;
    struct stat sb;
    struct sro_ingest_opts o = {
        .info = {
            .source = name,
            .host = ro->host,
            .xen_version = ro->xen_version,
            .tsc_hz = ro->cpu_hz,
        },
        .stop = &stop_signal,
        .diag = stderr,
        .progress = on_progress,
        .progress_ctx = &progress,
    };
    struct sro_ingest_result *r = malloc(sizeof(*r));
    int rc;

    if ( !r )
    {
        fprintf(stderr, "srotrace record: out of memory\n");
        *db_failed = true;
        return SRO_EXIT_ERROR;
    }
    progress_start(&progress, name, fstat(fileno(in), &sb) == 0 &&
                   S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0);
    input_fd = fileno(in);
    rc = sro_ingest(db, in, &o, r);
    input_fd = -1;
    progress_end(&progress);

    if ( rc == SRO_INGEST_DB_ERROR )
    {
        fprintf(stderr, "srotrace record: %s\n", r->db_err.msg);
        if ( r->run )
            fprintf(stderr, "srotrace record: run %" PRId64 " (%s) is "
                    "incomplete: marked interrupted\n", r->run, name);
        *db_failed = true;
    }
    if ( r->run )
    {
        if ( ro->json )
            print_json(r, name);
        else
            print_summary(r);
    }
    fflush(stdout);
    free(r);
    switch ( rc )
    {
    case SRO_INGEST_OK:
        return SRO_EXIT_OK;
    case SRO_INGEST_STOPPED:
        return 128 + (int)stop_signal;
    default:
        return SRO_EXIT_ERROR;
    }
}

/*
 * Import the file (or "-": standard input) `path`: refuse a regular file
 * already imported (same sha256, a complete run) unless --force. Returns
 * the exit status for this input.
 */
static int record_path(sqlite3 *db, const char *path,
                       const struct record_opts *ro, bool *db_failed)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *in = is_stdin ? stdin : fopen(path, "rb");
    struct stat sb;
    bool regular;
    int rc;

    if ( !in )
    {
        fprintf(stderr, "srotrace record: %s: %s\n", path, strerror(errno));
        return SRO_EXIT_ERROR;
    }
    if ( fstat(fileno(in), &sb) != 0 )
        memset(&sb, 0, sizeof(sb));
    if ( S_ISDIR(sb.st_mode) )
    {
        fprintf(stderr, "srotrace record: %s: is a directory\n", path);
        fclose(in);
        return SRO_EXIT_ERROR;
    }
    regular = S_ISREG(sb.st_mode);
    if ( !ro->force && !is_stdin && regular )
    {
        struct sro_db_err e;
        char hex[65];
        int64_t run;
        int found;

        errno = 0;
        input_fd = fileno(in);
        found = file_sha256(in, hex);
        input_fd = -1;
        if ( found )
        {
            if ( !stop_signal )
                fprintf(stderr, "srotrace record: %s: %s\n", path,
                        strerror(errno));
            fclose(in);
            return stop_signal ? 128 + (int)stop_signal : SRO_EXIT_ERROR;
        }
        found = sro_db_find_run_by_sha256(db, hex, &run, &e);
        if ( found != 0 )
        {
            if ( found > 0 )
                fprintf(stderr, "srotrace record: %s: already imported as "
                        "run %" PRId64 " (same sha256 %.16s...); use --force "
                        "to import it again\n", path, run, hex);
            else
            {
                fprintf(stderr, "srotrace record: %s\n", e.msg);
                *db_failed = true;
            }
            fclose(in);
            return SRO_EXIT_ERROR;
        }
    }
    rc = record_stream(db, in, path, ro, db_failed);
    if ( !is_stdin )
        fclose(in);
    return rc;
}

/*
 * Check the live options and fill *lo. Returns 0, or 129 after printing
 * what is wrong (these are usage errors on any host).
 */
static int live_options(const struct record_opts *ro, int n,
                        struct sro_live_opts *lo)
{
    uint8_t map[SRO_READER_MAX_CPUS / 8];
    char err[256];

    if ( n )
    {
        fprintf(stderr, "error: --live takes no TRACE argument\n");
        return 129;
    }
    if ( ro->live_time )
    {
        char *end;

        errno = 0;
        lo->seconds = strtod(ro->live_time, &end);
        if ( errno || end == ro->live_time || *end || !(lo->seconds > 0) ||
             lo->seconds > 1e9 )
        {
            fprintf(stderr, "error: -T wants a number of seconds > 0, not "
                    "'%s'\n", ro->live_time);
            return 129;
        }
    }
    if ( ro->live_pages > UINT16_MAX )
    {
        fprintf(stderr, "error: -S: Xen's trace buffers have at most %u "
                "pages per CPU, not %" PRIu64 "\n", UINT16_MAX,
                ro->live_pages);
        return 129;
    }
    /* The syntax now; the CPUs the host has, once it is known. */
    if ( ro->cpu_mask &&
         sro_live_parse_cpumask(ro->cpu_mask, map, SRO_READER_MAX_CPUS, err,
                                sizeof(err)) )
    {
        fprintf(stderr, "error: -c: %s\n", err);
        return 129;
    }
    lo->pages = (unsigned int)ro->live_pages;
    lo->cpu_mask = ro->cpu_mask;
    lo->keep_tracing = ro->keep_tracing;
    lo->handle_signals = true;
    return 0;
}

/*
 * Bind the PCI devices of this host (sysfs under root) to the newest run,
 * placing the xHCI DbC from the ranges Xen protected, so that reports
 * name registers without a `devices import`. Failure is only a warning:
 * the capture itself is what matters.
 */
static void snapshot_devices(sqlite3 *db, const char *root)
{
    struct sro_db_err e = { 0 };
    struct dev_list l;
    unsigned int ndbc = 0, rows = 0;
    sqlite3_stmt *st;
    int64_t run = 0;
    char err[512];

    if ( sqlite3_prepare_v2(db, "SELECT max(id) FROM runs", -1, &st, NULL)
         == SQLITE_OK )
    {
        if ( sqlite3_step(st) == SQLITE_ROW )
            run = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    devlist_init(&l);
    if ( !run )
        ;
    else if ( devlist_read_sysfs(&l, root, err, sizeof(err)) )
        fprintf(stderr, "srotrace record: --live: no device snapshot: %s\n",
                err);
    else if ( devstore_place_dbc(db, run, &l, &ndbc, &e) ||
              devstore_save(db, run, &l, &rows, &e) )
        fprintf(stderr, "srotrace record: --live: no device snapshot: %s\n",
                e.msg);
    else
        fprintf(stderr, "srotrace record: --live: %u device regions bound to "
                "run %" PRId64 "%s\n", rows, run,
                ndbc ? ", xHCI DbC placed" : "");
    devlist_free(&l);
}

/*
 * `record --live`: capture until -T, Ctrl-C or SIGTERM into one run.
 * Returns the exit status.
 */
static int record_live(struct record_opts *ro, const struct sro_live_opts *lo)
{
    struct sro_live_info info;
    struct sro_live_result res;
    struct sro_db_err e;
    bool db_failed = false;
    char err[512];
    sqlite3 *db;
    FILE *in;
    int status;

    in = sro_live_open(lo, &info, err, sizeof(err));
    if ( !in )
    {
        fprintf(stderr, "srotrace record: --live: %s\n", err);
        return SRO_EXIT_ERROR;
    }
    if ( info.note[0] )
        fprintf(stderr, "srotrace record: --live: %s\n", info.note);
    fprintf(stderr, "srotrace record: --live: Xen %s, %u CPUs traced, %u "
            "pages each, event mask %#x%s\n",
            info.xen_version[0] ? info.xen_version : "(unknown version)",
            info.cpus_traced, info.pages, info.evt_mask,
            lo->seconds > 0 ? "" : "; Ctrl-C to stop");

    db = sro_db_open(ro->db, SRO_DB_WRITE, &e);
    if ( db && ro->max_db_size &&
         sro_db_set_max_size(db, ro->max_db_size, &e) )
    {
        sro_db_close(db);
        db = NULL;
    }
    if ( !db )
    {
        fprintf(stderr, "srotrace record: %s\n", e.msg);
        sro_live_stop();
        sro_live_close(in, &res);
        return SRO_EXIT_ERROR;
    }

    if ( !ro->xen_version && info.xen_version[0] )
        ro->xen_version = info.xen_version;
    if ( !ro->cpu_hz )
        ro->cpu_hz = info.tsc_hz;
    status = record_stream(db, in, "live", ro, &db_failed);
    if ( !db_failed )
        snapshot_devices(db, ro->sysfs_root ? ro->sysfs_root : "/");

    if ( sro_live_close(in, &res) )
    {
        fprintf(stderr, "srotrace record: --live: %s\n", res.error);
        if ( status == SRO_EXIT_OK )
            status = SRO_EXIT_ERROR;
    }
    fprintf(stderr, "srotrace record: --live: %" PRIu64 " bytes in %" PRIu64
            " windows, stopped by %s; tracing %s\n", res.bytes, res.windows,
            res.stop_reason, res.tracing_disabled ? "disabled"
                             : lo->keep_tracing ? "left on" : "NOT disabled");
    if ( res.bogus_cpus )
        fprintf(stderr, "srotrace record: --live: %u CPU buffer(s) dropped "
                "for impossible pointers\n", res.bogus_cpus);

    if ( !db_failed && (sro_db_fill_instructions(db, &e) < 0 ||
                        sro_db_create_indexes(db, &e) ||
                        summary_build_missing(db, &e)) )
    {
        fprintf(stderr, "srotrace record: %s\n", e.msg);
        status = SRO_EXIT_ERROR;
    }
    sro_db_close(db);
    return status;
}

int cmd_record(int argc, const char **argv)
{
    struct record_opts ro = { .db = SRO_DB_DEFAULT };
    const struct option options[] = {
        OPT_STRING('o', "output", &ro.db, "DB",
                   "database to write (default srotrace.db; created if "
                   "missing)"),
        OPT_BOOL(0, "json", &ro.json,
                 "print one JSON object per run, the last line of output"),
        OPT_U64(0, "cpu-hz", &ro.cpu_hz, "HZ",
                "TSC ticks per second of the traced host (e.g. 2400M)"),
        OPT_STRING(0, "xen-version", &ro.xen_version, "V",
                   "Xen version of the traced host (e.g. 4.20.1)"),
        OPT_STRING(0, "host", &ro.host, "NAME",
                   "name of the traced host"),
        OPT_BOOL(0, "force", &ro.force,
                 "import a file even if it was imported before"),
        OPT_GROUP("Live capture (on a Xen dom0, as root)"),
        OPT_BOOL(0, "live", &ro.live,
                 "capture from Xen's trace buffers instead of TRACE"),
        OPT_STRING('T', "time", &ro.live_time, "SECONDS",
                   "stop the live capture after SECONDS"),
        OPT_U64('S', "buffer-pages", &ro.live_pages, "PAGES",
                "trace buffer pages per CPU (default 32; Xen keeps the "
                "size set at boot)"),
        OPT_STRING('c', "cpu-mask", &ro.cpu_mask, "CPUMASK",
                   "CPUs to trace: 0xHEX or a list such as 0-3,6"),
        OPT_BOOL(0, "keep-tracing", &ro.keep_tracing,
                 "leave tracing enabled when the capture ends"),
        OPT_STRING(0, "sysfs-root", &ro.sysfs_root, "DIR",
                   "read the PCI devices from this copy of / (default /)"),
        OPT_GROUP("Debugging"),
        OPT_U64(0, "max-db-size", &ro.max_db_size, "BYTES",
                "fail as on a full disk once the database would grow past "
                "BYTES"),
        OPT_END()
    };
    struct sro_db_err e;
    bool db_failed = false;
    int status = SRO_EXIT_OK;
    sqlite3 *db;
    int n;

    n = parse_options(argc, argv, options, record_usage);
    if ( ro.live )
    {
        struct sro_live_opts lo = { 0 };
        int rc = live_options(&ro, n, &lo);

        return rc ? rc : record_live(&ro, &lo);
    }
    if ( ro.live_time || ro.live_pages || ro.cpu_mask || ro.keep_tracing ||
         ro.sysfs_root )
    {
        fprintf(stderr, "error: -T, -S, -c, --keep-tracing and --sysfs-root "
                "go with --live\n");
        return 129;
    }
    if ( n == 0 )
    {
        fprintf(stderr, "error: no trace to record (give a file, or - for "
                "standard input)\n");
        usage_with_options_to(stderr, record_usage, options);
        return 129;
    }
    for ( int i = 0, pipes = 0; i < n; i++ )
        if ( strcmp(argv[i], "-") == 0 && ++pipes > 1 )
        {
            fprintf(stderr, "srotrace record: '-' (standard input) may be "
                    "given once\n");
            return 129;
        }

    db = sro_db_open(ro.db, SRO_DB_WRITE, &e);
    if ( !db )
    {
        fprintf(stderr, "srotrace record: %s\n", e.msg);
        return SRO_EXIT_ERROR;
    }
    if ( ro.max_db_size && sro_db_set_max_size(db, ro.max_db_size, &e) )
    {
        fprintf(stderr, "srotrace record: %s\n", e.msg);
        sro_db_close(db);
        return SRO_EXIT_ERROR;
    }
    catch_signals();

    for ( int i = 0; i < n && !db_failed && !stop_signal; i++ )
    {
        int rc = record_path(db, argv[i], &ro, &db_failed);

        if ( rc > status )
            status = rc;
    }
    if ( stop_signal )
        status = 128 + (int)stop_signal;
    else if ( !db_failed && (sro_db_fill_instructions(db, &e) < 0 ||
                             sro_db_create_indexes(db, &e) ||
                        summary_build_missing(db, &e)) )
    {
        fprintf(stderr, "srotrace record: %s\n", e.msg);
        status = SRO_EXIT_ERROR;
    }
    sro_db_close(db);
    return status;
}
