# test-report.sh - `srotrace report` on a hand-made database
# (tests/data/analyzer-fixture.sql): per run, per domain and vCPU and per
# page: faults, outcomes, verdicts of the latest complete replay (or "not
# replayed"), lost records, time span; the wrong verdicts first; the top
# instructions; text and JSON with exact numbers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/analyzer-lib.sh"
db=$T/a.db
make_fixture_db "$db" || { not_ok "fixture database"; exit 1; }

check "report (every run)" "$SROTRACE" report "$db"
cp "$T/out" "$T/text"
check_grep "run 1 header" '^run 1: xhci-lab\.trace$' "$T/text"
check_grep "run 1: Xen, status, length from the TSC" \
    '^  Xen 4\.20\.0, complete, 0\.600000 s \(TSC 2\.000 GHz\)$' "$T/text"
check_grep "run 1: counters" \
    '^  10 faults \(1 incomplete\), 5 lost records in 1 span, 0 orphan writes$' "$T/text"
check_grep "run 1: the latest complete replay, not the interrupted one" \
    '^  verdicts of replay 1 \(xen-4\.20, 2025-01-03T00:00:00Z\)$' "$T/text"
check_grep "wrong verdicts first" '^  4 wrong verdicts$' "$T/text"
check_eq "wrong verdicts in precedence order, then time" \
    "$(sed -n '/wrong verdicts$/,/^$/p' "$T/text" | awk '/^    0\./ {print $1 "/" $(NF - 1)}' | tr '\n' ' ')" \
    "0.100000/MISDIRECTED 0.300000/WRONGLY_DENIED 0.500000/WRONGLY_DENIED 0.200000/HARSH_DENY "
check_grep "wrong verdict with its register" \
    '^    0\.200000    3     0  0xfe108   0x710  DCERSTBA  mov qword ptr \[rax \+ 8\], rdx  HARSH_DENY      PF_TO_GUEST$' "$T/text"
check_grep "verdict totals" '^  verdicts   ok 5  mis 1  den 2  harsh 1  undec 1$' "$T/text"
check_grep "outcome totals" '^  outcomes   ret 7  #PF 1  crash 1  open 1$' "$T/text"
check_grep "domain 3 vCPU 0 row, with its lost records" \
    '^      3     0       4      2   1    1    0      1      1    2    1      0     1     5  0\.100000  0\.250000$' "$T/text"
check_grep "hardware domain marked" '^     0\*     1       2      0   2 ' "$T/text"
check_grep "page row with device" \
    '^    0xfe108  sub-page         9        3        4      4   4    1    2      1      1    6    1      1     1  Intel xHCI \(0000:00:14\.0\)$' "$T/text"
check_grep "top instruction with RIPs" \
    '^         8      3      4  mov dword ptr \[rdi\], eax +8907 +0xffffffff81001040 \(2\) 0xffffffffa0001080 \(2\) 0xffffffffa0001010 \(1\)$' "$T/text"
check_grep "run 2: length unknown" '^  Xen version unknown, complete, length unknown \(no TSC frequency\)$' "$T/text"
check_grep "run 2: not replayed" "^  not replayed: no verdicts \(run 'srotrace replay'\)$" "$T/text"

check "report --json" "$SROTRACE" report "$db" --json
check_eq "JSON run totals" \
    "$(json "$T/out" '[(r["run"], r["faults"], r["span_seconds"], r["lost_records"],
        r["replay"] and r["replay"]["id"], r["wrong"]) for r in d["runs"]]')" \
    "[(1, 10, 0.6, 5, 1, 4), (2, 1, None, 0, None, None)]"
check_eq "JSON verdicts and outcomes of run 1" \
    "$(json "$T/out" '(d["runs"][0]["verdicts"], d["runs"][0]["outcomes"])')" \
    "({'CORRECT': 5, 'WRONGLY_ACCEPTED': 0, 'MISDIRECTED': 1, 'WRONGLY_DENIED': 2, 'HARSH_DENY': 1, 'UNDECIDABLE': 1, 'NONE': 0}, {'RETIRED': 7, 'RETRY': 0, 'PF_TO_GUEST': 1, 'GP_TO_GUEST': 0, 'EXCEPTION': 0, 'DOMAIN_CRASH': 1, 'NOT_HANDLED': 0, 'NONE': 1})"
check_eq "JSON wrong verdicts (groups, registers)" \
    "$(json "$T/out" '[(w["group"], w["verdict"], w["register"], w["rip"])
        for w in d["runs"][0]["wrong_verdicts"]]')" \
    "[(4, 'MISDIRECTED', None, '0xffffffffa0001010'), (6, 'WRONGLY_DENIED', None, '0xffffffffa0001080'), (8, 'WRONGLY_DENIED', None, '0xffffffffa0001090'), (5, 'HARSH_DENY', 'DCERSTBA', '0xffffffffa0001040')]"
check_eq "JSON per domain and vCPU" \
    "$(json "$T/out" '[(v["domain"], v["vcpu"], v["hardware_domain"], v["faults"],
        v["wrong"], v["lost_records"], v["first_time"], v["last_time"])
        for v in d["runs"][0]["domains"]]')" \
    "[(0, 0, True, 1, 0, 0, 0.05, 0.05), (0, 1, True, 2, 0, 0, 0.06, 0.07), (3, 0, False, 4, 2, 5, 0.1, 0.25), (3, 1, False, 3, 2, 0, 0.3, 0.5)]"
check_eq "JSON per page" \
    "$(json "$T/out" '[(p["mfn"], p["protection"], p["ro_qwords"], p["faults"],
        p["written"], p["dropped"], p["wrong"], p["device"])
        for p in d["runs"][0]["pages"]]')" \
    "[(1040648, 'subpage', 8, 9, 3, 4, 4, 'Intel xHCI (0000:00:14.0)'), (1040896, 'whole', 512, 1, 0, 1, 0, 'I210 (0000:03:00.0)')]"
check_eq "JSON instructions" \
    "$(json "$T/out" '[(i["text"], i["bytes"], i["width"], i["faults"], i["wrong"],
        [r["rip"] for r in i["rips"]]) for i in d["runs"][0]["instructions"]]')" \
    "[('mov dword ptr [rdi], eax', '8907', 4, 8, 3, ['0xffffffff81001040', '0xffffffffa0001080', '0xffffffffa0001010']), ('mov qword ptr [rax + 8], rdx', '48895008', 8, 1, 1, ['0xffffffffa0001040']), ('mov byte ptr [rdi + 3], 1', 'c6470301', 1, 1, 0, ['0xffffffff81001010'])]"
check_eq "JSON run 2: not replayed, no verdicts" \
    "$(json "$T/out" '(d["runs"][1]["verdicts"], d["runs"][1]["wrong_verdicts"],
        d["runs"][1]["domains"][0]["first_time"], d["runs"][1]["tsc_hz"])')" \
    "(None, [], None, None)"

check "report --run 2" "$SROTRACE" report "$db" --run 2 --json
check_eq "--run 2 only" "$(json "$T/out" '[r["run"] for r in d["runs"]]')" "[2]"

# A newer complete replay takes over; a later interrupted one does not.
sqlite3 "$db" "INSERT INTO replays (id, run, model, core_build, created_at, status)
    VALUES (3, 1, 'xen-4.21', 't', '2025-01-05T00:00:00Z', 'complete');
    INSERT INTO verdicts SELECT 3, grp, 0, intent, NULL, 0, 0, NULL, 0, NULL
    FROM verdicts WHERE replay = 1;
    INSERT INTO replays (id, run, model, core_build, created_at, status)
    VALUES (4, 1, 'xen-4.20.0', 't', '2025-01-06T00:00:00Z', 'running');"
check "report after a newer replay" "$SROTRACE" report "$db" --run 1 --json
check_eq "replay 3 judged every group CORRECT" \
    "$(json "$T/out" '(d["runs"][0]["replay"]["id"], d["runs"][0]["verdicts"]["CORRECT"], d["runs"][0]["wrong"])')" \
    "(3, 10, 0)"

# Errors.
check_exit 1 "missing database" "$SROTRACE" report "$T/none.db"
check_exit 1 "no such run" "$SROTRACE" report "$db" --run 9
check_grep "no such run: message" 'no run 9' "$T/err"
check_exit 1 "HTML into a missing directory" "$SROTRACE" report "$db" --html "$T/no/such/dir/r.html"
check_grep "HTML error names the file" "^srotrace report: $T/no/such/dir/r\.html\.tmp[0-9]*: No such file or directory$" "$T/err"
rm -f "$T/empty.db"
sqlite3 "$T/empty.db" <schema.sql
check_exit 1 "a database without runs" "$SROTRACE" report "$T/empty.db"
check_grep "no runs: message" 'no runs$' "$T/err"

# A run with no faults at all (and nothing protected).
sqlite3 "$db" "INSERT INTO runs (id, source, started_at, status)
    VALUES (3, 'empty.trace', '2025-01-07T00:00:00Z', 'complete')"
check "report of an empty run" "$SROTRACE" report "$db" --run 3 --html "$T/e.html"
check_grep "empty run: said so" '^  no write faults$' "$T/out"
check_grep "empty run: the HTML says so too" 'no write faults and no sub-page protection in this run' "$T/e.html"
check "JSON of an empty run" "$SROTRACE" report "$db" --run 3 --json
check_eq "empty run: JSON" \
    "$(json "$T/out" '(d["runs"][0]["faults"], d["runs"][0]["domains"], d["runs"][0]["pages"], d["runs"][0]["span_seconds"])')" \
    "(0, [], [], None)"
check "audit of an empty run" "$SROTRACE" audit "$db" --run 3 --json
check_eq "empty run: audit" "$(json "$T/out" '(d["pages"], d["ro_reached"])')" "([], False)"
check "timeline of an empty run" "$SROTRACE" timeline "$db" --run 3 --domain 0
