-- schema.sql - the srotrace database, version 1.
--
-- The one place that defines it: the binary embeds this file at build time
-- (db/schema.S) and `make install` ships it for people who query with the
-- sqlite3 shell. A database is created by running the part above the
-- "@indexes" marker; the part below it is run after a bulk load, because
-- indexes built once over sorted data are far cheaper than maintained row
-- by row during an import.
--
-- Conventions: addresses, MFNs and TSCs are INTEGER (sqlite stores 64-bit
-- signed; values >= 2^63 are stored as their two's complement and the code
-- converts back). Codes (result, outcome, reason, verdict, path) are the
-- numbers of ../shared/trace-format.md; the lookup tables at the end give
-- their names so that plain SQL can print them.

PRAGMA user_version = 1;

-- One capture imported by one `srotrace record` invocation.
CREATE TABLE IF NOT EXISTS runs (
    id                INTEGER PRIMARY KEY,
    source            TEXT NOT NULL,      -- file name, '-' for a pipe, 'live'
    sha256            TEXT,               -- of the bytes read
    size              INTEGER,            -- bytes read
    host              TEXT,
    xen_version       TEXT,               -- e.g. '4.20.1'; NULL if unknown
    tsc_hz            INTEGER,            -- TSC ticks per second; NULL if unknown
    started_at        TEXT NOT NULL,      -- ISO 8601 UTC, import start
    finished_at       TEXT,
    status            TEXT NOT NULL CHECK (status IN
                          ('recording', 'complete', 'interrupted')),
    writer_host       TEXT,               -- host and pid of the process that
    writer_pid        INTEGER,            -- is recording: a later open marks a
                                          -- 'recording' run of a dead writer
                                          -- 'interrupted'
    records           INTEGER NOT NULL DEFAULT 0,
    groups_total      INTEGER NOT NULL DEFAULT 0,
    incomplete_groups INTEGER NOT NULL DEFAULT 0,
    lost_records      INTEGER NOT NULL DEFAULT 0, -- sum of TRC_LOST_RECORDS w0
    unknown_records   INTEGER NOT NULL DEFAULT 0,
    orphan_writes     INTEGER NOT NULL DEFAULT 0,
    stray_records     INTEGER NOT NULL DEFAULT 0,
    bad_records       INTEGER NOT NULL DEFAULT 0,
    bytes_unused      INTEGER NOT NULL DEFAULT 0,
    tsc_resets        INTEGER NOT NULL DEFAULT 0,
    first_tsc         INTEGER,
    last_tsc          INTEGER,
    error             TEXT                -- first diagnostic, "FILE: offset N: ..."
);

-- SRO_RANGE_ADD: one call of subpage_mmio_ro_add().
CREATE TABLE IF NOT EXISTS range_adds (
    id        INTEGER PRIMARY KEY,
    run       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,           -- record index in the input
    cpu       INTEGER NOT NULL,
    tsc       INTEGER,
    start     INTEGER NOT NULL,           -- machine physical address
    size      INTEGER NOT NULL,
    rc        INTEGER NOT NULL,           -- 0 or -errno
    flags     INTEGER NOT NULL            -- w4: first/last sub-page, granularity
);

-- SRO_RANGE_STATE: one quarter of one sub-page entry.
CREATE TABLE IF NOT EXISTS range_states (
    id        INTEGER PRIMARY KEY,
    run       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    cpu       INTEGER NOT NULL,
    tsc       INTEGER,
    mfn       INTEGER NOT NULL,
    quarter   INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 3),
    mapped    INTEGER NOT NULL,
    ro_bits   BLOB NOT NULL               -- 16 bytes, LSB first, as w3..w6
);

-- SRO_RO_PAGES: one run of whole read-only MMIO pages, inclusive.
CREATE TABLE IF NOT EXISTS ro_pages (
    id        INTEGER PRIMARY KEY,
    run       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    cpu       INTEGER NOT NULL,
    tsc       INTEGER,
    first_mfn INTEGER NOT NULL,
    last_mfn  INTEGER NOT NULL
);

-- Distinct instruction byte strings, decoded once.
CREATE TABLE IF NOT EXISTS instructions (
    id        INTEGER PRIMARY KEY,
    bytes     BLOB NOT NULL,              -- as fetched (may be empty)
    mode      INTEGER NOT NULL,           -- 16, 32 or 64
    text      TEXT,                       -- disassembly, NULL if undecodable
    kind      TEXT,                       -- e.g. 'mov_m32_r32'
    is_store  INTEGER,
    is_rmw    INTEGER,
    is_string INTEGER,
    width     INTEGER,                    -- bytes stored per store
    UNIQUE (bytes, mode)
);

-- One write fault (SRO_FAULT ... SRO_DONE), complete or not.
CREATE TABLE IF NOT EXISTS fault_groups (
    id            INTEGER PRIMARY KEY,
    run           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,       -- record index of its SRO_FAULT
    file_offset   INTEGER NOT NULL,       -- byte offset of its SRO_FAULT
    cpu           INTEGER NOT NULL,
    tsc           INTEGER NOT NULL,
    domain        INTEGER NOT NULL,
    vcpu          INTEGER NOT NULL,
    path          INTEGER NOT NULL,       -- 1 PV, 2 HVM 4.20, 3 HVM 4.21
    gla_valid     INTEGER NOT NULL,
    hwdom         INTEGER NOT NULL,
    code_size     INTEGER NOT NULL,       -- 0 unknown, 1 16-bit, 2 32, 3 64
    gla           INTEGER,                -- NULL when not valid
    gpa           INTEGER NOT NULL,
    mfn           INTEGER NOT NULL,
    page_offset   INTEGER NOT NULL,       -- gpa & 0xfff: what the guest addressed
    rip           INTEGER,                -- NULL without SRO_INSN
    insn          INTEGER REFERENCES instructions(id), -- NULL without SRO_INSN
    outcome       INTEGER,                -- NULL without SRO_DONE
    reason        INTEGER,
    emul_rc       INTEGER,
    done_nwrites  INTEGER,                -- SRO_DONE w1
    store_size    INTEGER,                -- SRO_DONE w2
    nwrites       INTEGER NOT NULL,       -- SRO_WRITE records seen
    complete      INTEGER NOT NULL,
    incomplete    TEXT                    -- NULL, 'lost', 'new_fault', 'eof',
                                          -- 'count_mismatch'
);

-- One device-level write attempt (SRO_WRITE + SRO_DATA).
CREATE TABLE IF NOT EXISTS dev_writes (
    id          INTEGER PRIMARY KEY,
    run         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    grp         INTEGER REFERENCES fault_groups(id), -- NULL: orphan write
    piece       INTEGER NOT NULL,         -- index within its group
    cpu         INTEGER NOT NULL,
    tsc         INTEGER,
    mfn         INTEGER NOT NULL,
    offset      INTEGER NOT NULL,         -- page offset the guest addressed
    length      INTEGER NOT NULL,
    result      INTEGER NOT NULL,         -- 0 WRITTEN, 1.. DROPPED_*
    dev_offset  INTEGER NOT NULL,         -- page offset written on the device
    data        BLOB                      -- the bytes the trace carried
);

-- TRC_LOST_RECORDS, one row each.
CREATE TABLE IF NOT EXISTS lost_spans (
    id          INTEGER PRIMARY KEY,
    run         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    cpu         INTEGER NOT NULL,
    tsc         INTEGER,                  -- TSC of the record
    count       INTEGER NOT NULL,         -- records lost
    domain      INTEGER,
    vcpu        INTEGER,
    first_tsc   INTEGER,                  -- TSC of the first loss
    file_offset INTEGER NOT NULL
);

-- Records of other classes, counted per event id.
CREATE TABLE IF NOT EXISTS unknown_events (
    run     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    event   INTEGER NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (run, event)
) WITHOUT ROWID;

-- One `srotrace replay` of a run through one model.
CREATE TABLE IF NOT EXISTS replays (
    id               INTEGER PRIMARY KEY,
    run              INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    model            TEXT NOT NULL,       -- 'xen-4.21' or a plugin path
    core_build       TEXT NOT NULL,       -- srotrace version + build id
    what_if          TEXT,                -- configuration plan file, if any
    created_at       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN
                         ('running', 'complete', 'interrupted')),
    groups_total     INTEGER NOT NULL DEFAULT 0,
    divergences      INTEGER NOT NULL DEFAULT 0,
    correct          INTEGER NOT NULL DEFAULT 0,
    wrongly_accepted INTEGER NOT NULL DEFAULT 0,
    misdirected      INTEGER NOT NULL DEFAULT 0,
    wrongly_denied   INTEGER NOT NULL DEFAULT 0,
    harsh_deny       INTEGER NOT NULL DEFAULT 0,
    undecidable      INTEGER NOT NULL DEFAULT 0
);

-- One row per group per replay: the reference verdict of what was
-- recorded, and whether the model predicted something else.
CREATE TABLE IF NOT EXISTS verdicts (
    replay        INTEGER NOT NULL REFERENCES replays(id) ON DELETE CASCADE,
    grp           INTEGER NOT NULL REFERENCES fault_groups(id),
    verdict       INTEGER NOT NULL,       -- of the recorded behaviour
    intent        INTEGER,                -- ALLOW 0, DENY 1, MIXED 2
    piece         INTEGER,                -- write that decided a wrong verdict
    pred_verdict  INTEGER,                -- of the model's prediction
    diverged      INTEGER NOT NULL,       -- recorded != predicted
    diverged_field TEXT,                  -- first differing field
    pred_outcome  INTEGER,
    pred_writes   TEXT,                   -- "off/len/RESULT@dev ..." if diverged
    PRIMARY KEY (replay, grp)
) WITHOUT ROWID;

-- Devices whose pages are protected, and the register map that names them.
CREATE TABLE IF NOT EXISTS devices (
    id        INTEGER PRIMARY KEY,
    run       INTEGER REFERENCES runs(id) ON DELETE CASCADE, -- NULL: all runs
    sbdf      TEXT,                       -- '0000:00:14.0'
    name      TEXT,
    vendor    INTEGER,
    device    INTEGER,
    class     INTEGER,
    regmap    TEXT,                       -- register map name, e.g. 'xhci'
    base      INTEGER NOT NULL,           -- machine address of the region
    size      INTEGER NOT NULL,
    map_base  INTEGER NOT NULL DEFAULT 0  -- register map offset at `base`
);

-- Per-run summaries, so that `report` and `audit` read a few hundred rows
-- instead of every group (docs/performance.md; analyzer/summary.h).
-- `record` counts the run (replay NULL) as it stores its rows, `replay`
-- each complete replay as it judges the groups; a run or replay without
-- one (older databases, hand-made rows) is counted by one ordered pass at
-- the next writable `record`, and the analyzer asks the per-group tables
-- until then.
CREATE TABLE IF NOT EXISTS summaries (
    id        INTEGER PRIMARY KEY,
    run       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    replay    INTEGER REFERENCES replays(id) ON DELETE CASCADE, -- NULL: no
                                          -- verdicts
    UNIQUE (run, replay)
);

-- Groups counted per key: every group of the run falls in exactly one row.
-- store_size is coalesced to 0; first_len is the length of the group's
-- first piece (NULL: no piece); verdict NULL: no verdict row.
CREATE TABLE IF NOT EXISTS sum_groups (
    summary     INTEGER NOT NULL REFERENCES summaries(id) ON DELETE CASCADE,
    domain      INTEGER,
    vcpu        INTEGER,
    mfn         INTEGER,
    page_offset INTEGER,
    insn        INTEGER,
    store_size  INTEGER,
    first_len   INTEGER,
    outcome     INTEGER,
    verdict     INTEGER,
    hwdom       INTEGER,                  -- max over the groups
    faults      INTEGER NOT NULL,
    reached     INTEGER NOT NULL,         -- groups with a piece WRITTEN at
                                          -- the offset it addressed
    misdirected INTEGER NOT NULL,         -- ... WRITTEN elsewhere
    first_tsc   INTEGER,                  -- min and max (signed, as stored)
    last_tsc    INTEGER
);

-- Pieces of the run counted per (their group's key, where they went).
-- grouped: 0 orphan (g_* NULL), 1 of a group of the run, 2 naming a group
-- that is not one of the run's (g_* NULL).
CREATE TABLE IF NOT EXISTS sum_pieces (
    summary       INTEGER NOT NULL REFERENCES summaries(id) ON DELETE CASCADE,
    grouped       INTEGER NOT NULL,
    g_mfn         INTEGER,
    g_page_offset INTEGER,
    g_insn        INTEGER,
    g_store_size  INTEGER,
    g_first_len   INTEGER,
    mfn           INTEGER,
    dev_offset    INTEGER,
    length        INTEGER,
    result        INTEGER,
    pieces        INTEGER NOT NULL
);

-- Groups per (instruction (0: none), RIP (NULL: none)).
CREATE TABLE IF NOT EXISTS sum_rips (
    summary   INTEGER NOT NULL REFERENCES summaries(id) ON DELETE CASCADE,
    insn      INTEGER,
    rip       INTEGER,
    faults    INTEGER NOT NULL
);

-- For each wrong verdict (1..4), the first 50 groups by (tsc, id): enough
-- for the report's list of the first 50 by (verdict, tsc, id).
CREATE TABLE IF NOT EXISTS sum_wrong (
    summary   INTEGER NOT NULL REFERENCES summaries(id) ON DELETE CASCADE,
    grp       INTEGER NOT NULL
);

-- Names of the codes, for plain SQL.
CREATE TABLE IF NOT EXISTS result_names  (code INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE IF NOT EXISTS outcome_names (code INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE IF NOT EXISTS reason_names  (code INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE IF NOT EXISTS verdict_names (code INTEGER PRIMARY KEY, name TEXT);
INSERT OR IGNORE INTO result_names VALUES
    (0, 'WRITTEN'), (1, 'DROPPED_RO'), (2, 'DROPPED_NO_ENTRY'),
    (3, 'DROPPED_MAP_FAILED'), (4, 'DROPPED_BAD_SIZE'),
    (5, 'DROPPED_MISALIGNED');
INSERT OR IGNORE INTO outcome_names VALUES
    (0, 'RETIRED'), (1, 'RETRY'), (2, 'PF_TO_GUEST'), (3, 'GP_TO_GUEST'),
    (4, 'EXCEPTION'), (5, 'DOMAIN_CRASH'), (6, 'NOT_HANDLED');
INSERT OR IGNORE INTO reason_names VALUES
    (0, 'NONE'), (1, 'NOT_ACCEPTED'), (2, 'BAD_ACCESS'), (3, 'NOT_A_STORE'),
    (4, 'EMULATION_FAILED'), (5, 'NOT_DOM_IO');
INSERT OR IGNORE INTO verdict_names VALUES
    (0, 'CORRECT'), (1, 'WRONGLY_ACCEPTED'), (2, 'MISDIRECTED'),
    (3, 'WRONGLY_DENIED'), (4, 'HARSH_DENY'), (5, 'UNDECIDABLE');

-- The latest complete replay of each run.
CREATE VIEW IF NOT EXISTS latest_replay AS
    SELECT run, max(id) AS replay FROM replays
    WHERE status = 'complete' GROUP BY run;

-- Faults per domain and verdict (latest replay; NULL verdict: not replayed).
CREATE VIEW IF NOT EXISTS faults_per_domain_verdict AS
    SELECT g.run, g.domain, vn.name AS verdict, count(*) AS faults
    FROM fault_groups g
    LEFT JOIN latest_replay lr ON lr.run = g.run
    LEFT JOIN verdicts v ON v.replay = lr.replay AND v.grp = g.id
    LEFT JOIN verdict_names vn ON vn.code = v.verdict
    GROUP BY g.run, g.domain, v.verdict;

-- Writes per page and guest-addressed offset, with their fates.
CREATE VIEW IF NOT EXISTS writes_per_offset AS
    SELECT w.run, w.mfn, w.offset, w.length, rn.name AS result,
           count(*) AS writes
    FROM dev_writes w JOIN result_names rn ON rn.code = w.result
    GROUP BY w.run, w.mfn, w.offset, w.length, w.result;

-- @indexes: everything below runs after a bulk load.
--
-- Few on purpose: building an index costs a sort of the whole table, which
-- was a third of `record`'s time with more of them (docs/performance.md).
-- The replayer reads groups and writes in rowid order and needs none; the
-- report and the audit scan whole runs, where an index does not help.
-- dev_writes_grp serves per-group lookups (timeline); fault_groups_run_domain
-- the timeline of one guest; the configuration tables are small.
CREATE INDEX IF NOT EXISTS fault_groups_run_domain
    ON fault_groups (run, domain, vcpu, tsc);
CREATE INDEX IF NOT EXISTS dev_writes_grp ON dev_writes (grp, piece);
CREATE INDEX IF NOT EXISTS range_adds_run ON range_adds (run, seq);
CREATE INDEX IF NOT EXISTS range_states_run ON range_states (run, seq);
CREATE INDEX IF NOT EXISTS ro_pages_run ON ro_pages (run, seq);
CREATE INDEX IF NOT EXISTS lost_spans_run ON lost_spans (run, cpu, tsc);
