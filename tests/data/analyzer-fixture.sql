-- analyzer-fixture.sql - a hand-made database for the analyzer's CLI tests
-- (tests/cli/test-audit.sh, test-report.sh, test-timeline.sh,
-- test-html.sh). Load schema.sql first, then this.
--
-- Run 1 (Xen 4.20.0, 2 GHz TSC, 0.6 s): an xHCI controller at 0xfe100000
-- whose Debug Capability sits at BAR+0x8700, so page 0xfe108 has the 64
-- read-only bytes 0x700..0x73f; an I210 whose MSI-X table page 0xfe200 is
-- read-only as a whole. Dom0 takes the controller from the BIOS (USBLEGSUP
-- byte 3) and pokes DCCTRL twice; HVM domain 3 writes around the DbC and
-- suffers every bug of the release: a store written at offset 0 instead
-- of 0x800 (MISDIRECTED), a read-only store that faulted it (HARSH_DENY),
-- a writable store dropped (WRONGLY_DENIED) and one that crashed it.
-- Replay 1 (xen-4.20, complete) judged them; replay 2 was interrupted.
--
-- Run 2 (no TSC frequency, never replayed): dom0 writes DCCTRL and the
-- write reaches the device: read-only bytes reached.

INSERT INTO runs (id, source, sha256, size, host, xen_version, tsc_hz,
                  started_at, finished_at, status, records, groups_total,
                  incomplete_groups, lost_records, first_tsc, last_tsc)
VALUES (1, 'xhci-lab.trace', NULL, 4096, 'lab', '4.20.0', 2000000000,
        '2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z', 'complete', 60, 10,
        1, 5, 1000000000, 2200000000),
       (2, 'second.trace', NULL, 512, 'lab', NULL, NULL,
        '2025-01-02T00:00:00Z', '2025-01-02T00:00:01Z', 'complete', 6, 1,
        0, 0, 5000, 9000);

INSERT INTO range_adds (run, seq, cpu, tsc, start, size, rc, flags) VALUES
    (1, 0, 0, 1000000000, 4262496000, 64, 0, 2051),
    (2, 0, 0, 5000, 4262496000, 64, 0, 2051);
-- 4262496000 = 0xfe108700; flags 0x803: first and last page sub-page, 8 B
INSERT INTO ro_pages (run, seq, cpu, tsc, first_mfn, last_mfn) VALUES
    (1, 1, 0, 1000000000, 1040648, 1040648),    -- 0xfe108
    (1, 2, 0, 1000000000, 1040896, 1040896),    -- 0xfe200
    (2, 1, 0, 5000, 1040648, 1040648);

INSERT INTO instructions (id, bytes, mode) VALUES
    (1, X'8907', 64),           -- mov dword ptr [rdi], eax
    (2, X'48895008', 64),       -- mov qword ptr [rax + 8], rdx
    (3, X'c6470301', 64);       -- mov byte ptr [rdi + 3], 1

-- id run seq off cpu tsc dom vcpu path gla_valid hwdom code_size gla gpa
-- mfn page_offset rip insn outcome reason emul_rc done_nwrites store_size
-- nwrites complete incomplete
INSERT INTO fault_groups VALUES
 (1, 1, 10, 400, 0, 1100000000, 0, 0, 1,
  1, 1, 3, NULL, 4262494211, 1040648, 3, -2130702320,
  3, 0, 0, 0, 1, 1, 1, 1, NULL),
 (2, 1, 14, 560, 1, 1120000000, 0, 1, 1,
  1, 1, 3, NULL, 4262496032, 1040648, 1824, -2130702272,
  1, 0, 0, 0, 1, 4, 1, 1, NULL),
 (3, 1, 18, 720, 1, 1140000000, 0, 1, 1,
  1, 1, 3, NULL, 4262496032, 1040648, 1824, -2130702272,
  1, 0, 0, 0, 1, 4, 1, 1, NULL),
 (4, 1, 22, 880, 2, 1200000000, 3, 0, 3,
  1, 0, 3, NULL, 3221227520, 1040648, 2048, -1610608624,
  1, 0, 0, 0, 1, 4, 1, 1, NULL),
 (5, 1, 30, 1200, 2, 1400000000, 3, 0, 3,
  1, 0, 3, NULL, 3221227280, 1040648, 1808, -1610608576,
  2, 2, 0, 2, 1, 8, 1, 1, NULL),
 (6, 1, 38, 1520, 3, 1600000000, 3, 1, 3,
  1, 0, 3, NULL, 3221227328, 1040648, 1856, -1610608512,
  1, 0, 0, 0, 1, 4, 1, 1, NULL),
 (7, 1, 42, 1680, 3, 1800000000, 3, 1, 3,
  1, 0, 3, NULL, 3221227328, 1040648, 1856, -1610608512,
  1, 0, 0, 0, 1, 4, 1, 1, NULL),
 (8, 1, 46, 1840, 3, 2000000000, 3, 1, 2,
  0, 0, 3, NULL, 3221227336, 1040648, 1864, -1610608496,
  1, 5, 0, 1, 0, 4, 0, 1, NULL),
 (9, 1, 50, 2000, 2, 1500000000, 3, 0, 3,
  1, 0, 3, NULL, 3221227300, 1040648, 1828, -1610608576,
  1, NULL, NULL, NULL, NULL, NULL, 0, 0, 'eof'),
 (10, 1, 26, 1040, 2, 1300000000, 3, 0, 3,
  1, 0, 3, NULL, 3221229580, 1040896, 12, -1610608384,
  1, 0, 0, 0, 1, 4, 1, 1, NULL),
 (11, 2, 3, 100, 0, 7000, 0, 0, 1,
  1, 1, 3, NULL, 4262496032, 1040648, 1824, -2130702272,
  1, 0, 0, 0, 1, 4, 1, 1, NULL);
-- rips (stored as two's complement, schema.sql): 0xffffffff81001010 (g1),
-- 0xffffffff81001040 (g2, g3, g11), 0xffffffffa0001010 (g4),
-- 0xffffffffa0001040 (g5, g9), 0xffffffffa0001080 (g6, g7),
-- 0xffffffffa0001090 (g8), 0xffffffffa0001100 (g10)

-- id run grp piece cpu tsc mfn offset length result dev_offset data
INSERT INTO dev_writes VALUES
 (1, 1, 1, 0, 0, 1100000000, 1040648, 3, 1, 0, 3, X'01'),
 (2, 1, 2, 0, 1, 1120000000, 1040648, 1824, 4, 1, 1824, X'01000080'),
 (3, 1, 3, 0, 1, 1140000000, 1040648, 1824, 4, 1, 1824, X'00000000'),
 (4, 1, 4, 0, 2, 1200000000, 1040648, 2048, 4, 0, 0, X'78563412'),
 (5, 1, 5, 0, 2, 1400000000, 1040648, 1808, 8, 1, 1808,
  X'0010adde00000000'),
 (6, 1, 6, 0, 3, 1600000000, 1040648, 1856, 4, 1, 1856, X'efbeadde'),
 (7, 1, 7, 0, 3, 1800000000, 1040648, 1856, 4, 0, 1856, X'efbeadde'),
 (8, 1, 10, 0, 2, 1300000000, 1040896, 12, 4, 2, 12, X'01000000'),
 (9, 2, 11, 0, 0, 7000, 1040648, 1824, 4, 0, 1824, X'01000080');

INSERT INTO lost_spans (run, cpu, tsc, count, domain, vcpu, first_tsc,
                        file_offset)
VALUES (1, 2, 1450000000, 5, 3, 0, 1440000000, 1900);

INSERT INTO replays (id, run, model, core_build, created_at, status,
                     groups_total, divergences, correct, wrongly_accepted,
                     misdirected, wrongly_denied, harsh_deny, undecidable)
VALUES (1, 1, 'xen-4.20', 'test', '2025-01-03T00:00:00Z', 'complete', 10, 0,
        5, 0, 1, 2, 1, 1),
       (2, 1, 'xen-4.21', 'test', '2025-01-04T00:00:00Z', 'interrupted', 0,
        0, 0, 0, 0, 0, 0, 0);

-- replay grp verdict intent piece pred_verdict diverged diverged_field
-- pred_outcome pred_writes
INSERT INTO verdicts VALUES
 (1, 1, 0, 0, NULL, 0, 0, NULL, 0, NULL),
 (1, 2, 0, 1, NULL, 0, 0, NULL, 0, NULL),
 (1, 3, 0, 1, NULL, 0, 0, NULL, 0, NULL),
 (1, 4, 2, 0, 0, 2, 0, NULL, 0, NULL),
 (1, 5, 4, 1, NULL, 4, 0, NULL, 2, NULL),
 (1, 6, 3, 0, 0, 3, 0, NULL, 0, NULL),
 (1, 7, 0, 0, NULL, 0, 0, NULL, 0, NULL),
 (1, 8, 3, 0, NULL, 3, 0, NULL, 5, NULL),
 (1, 9, 5, NULL, NULL, 5, 0, NULL, NULL, NULL),
 (1, 10, 0, 1, NULL, 0, 0, NULL, 0, NULL),
 (2, 1, 1, 0, NULL, 1, 0, NULL, 0, NULL);

INSERT INTO devices (id, run, sbdf, name, vendor, device, class, regmap,
                     base, size, map_base) VALUES
 (1, NULL, '0000:00:14.0', 'Intel xHCI', 32902, 41837, 787248, 'xhci',
  4262461440, 65536, 0),
 (2, NULL, '0000:00:14.0', 'Intel xHCI', 32902, 41837, 787248, 'xhci-dbc',
  4262496000, 64, 0),
 (3, NULL, '0000:00:14.0', 'Intel xHCI', 32902, 41837, 787248,
  'xhci-legsup', 4262494208, 8, 0),
 (4, NULL, '0000:03:00.0', 'I210', 32902, 5427, 131072, 'msix', 4263510016,
  80, 0);
