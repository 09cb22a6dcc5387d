#!/bin/sh
# test-record.sh - `srotrace record` and `srotrace runs` end to end.
#
# The conformance traces of ../shared give exactly the counters of their
# .expect.json through `record --json`; a trace written by trace/writer.c
# (test-ingest --write-trace) gives its known counters and is read by
# xenalyze without complaint; bad inputs give exit 1, a message naming the
# file and the byte offset, and keep the rows before the damage; a locked,
# read-only or full database gives a clear message, exit 1, and leaves the
# earlier runs intact; SIGINT keeps what was read and marks the run.
#
# Read-only and full disks, as root (CI runs as root, so chmod does not
# stop writes): in a private mount namespace (unshare -m), a read-only
# bind mount of a directory and a 512 KiB tmpfs. Where mounting is not
# allowed those two checks print "ok # SKIP"; the full-disk case is also
# checked everywhere through `record --max-db-size`, the documented
# debugging option that makes sqlite report SQLITE_FULL (max_page_count).
. "$(dirname "$0")/lib.sh"

C=$SHARED_DIR/conformance
B=${SROTRACE_BUILD:-$(dirname "$SROTRACE")}

# json_check OUT EXPECT [KEY]: every key of EXPECT (or of its member KEY)
# has the same value in the last line of OUT; prints the differences.
json_check() {
    python3 - "$@" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().strip().splitlines()
got = json.loads(lines[-1]) if lines else {}
exp = json.load(open(sys.argv[2])) if sys.argv[2].endswith('.json') \
      else json.loads(sys.argv[2])
if len(sys.argv) > 3:
    exp = exp[sys.argv[3]]
bad = ["%s: got %r, want %r" % (k, got.get(k), v)
       for k, v in exp.items() if got.get(k) != v]
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

# check_json "what" OUT EXPECT [KEY]
check_json() {
    what=$1; shift
    if json_check "$@" >"$T/jdiff" 2>&1; then ok "$what"
    else not_ok "$what"; sed 's/^/# /' "$T/jdiff"; fi
}

# q DB SQL: one value from the database
q() { sqlite3 "$1" "$2"; }

# ---- options ----
check "record --help" "$SROTRACE" record --help
for o in --output --json --cpu-hz --xen-version --host --force --max-db-size; do
    check_grep "record --help lists $o" "$o" "$T/out"
done
check_exit 129 "record without a trace is a usage error" "$SROTRACE" record
check "runs --help" "$SROTRACE" runs --help
check_grep "runs --help lists --json" "--json" "$T/out"

# ---- conformance traces ----
D=$T/conf.db
check "record recorder-basic.trace" \
    "$SROTRACE" record --json -o "$D" "$C/recorder-basic.trace"
cp "$T/out" "$T/basic.json"
check_json "recorder-basic: counters of recorder-basic.expect.json" \
    "$T/basic.json" "$C/recorder-basic.expect.json"
check_json "recorder-basic: run 1, complete, nothing else wrong" \
    "$T/basic.json" '{"run": 1, "status": "complete", "orphan_writes": 0,
                      "stray_records": 0, "bad_records": 0, "error": null,
                      "source": "'"$C/recorder-basic.trace"'"}'
check_eq "recorder-basic: JSON is the last line, alone" \
    "$(wc -l <"$T/basic.json")" 1
check "record verdicts-basic.trace" \
    "$SROTRACE" record --json -o "$D" "$C/verdicts-basic.trace"
check_json "verdicts-basic: counters of verdicts-basic.expect.json" \
    "$T/out" "$C/verdicts-basic.expect.json" stats
check_eq "verdicts-basic: every group's page offset and decoded instruction kind" \
    "$(python3 - "$D" "$C/verdicts-basic.expect.json" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
bad = 0
for g in json.load(open(sys.argv[2]))["groups"]:
    row = db.execute("SELECT g.page_offset, i.kind FROM fault_groups g "
                     "LEFT JOIN instructions i ON i.id = g.insn "
                     "WHERE g.run = 2 AND g.cpu = ? AND g.tsc = ?",
                     (g["cpu"], g["tsc"])).fetchone()
    if row != (g["off"], g["insn"]):
        print("cpu %d tsc %d: got %r, want %r" % (g["cpu"], g["tsc"], row,
              (g["off"], g["insn"])))
        bad += 1
if not bad:
    print("all match")
EOF
)" "all match"
check_eq "rows: 41 fault groups in the database" \
    "$(q "$D" 'SELECT count(*) FROM fault_groups')" 41
check_eq "rows: 30 unknown records counted per event id" \
    "$(q "$D" 'SELECT sum(count) FROM unknown_events WHERE run = 1')" 30
check_eq "rows: indexes were created after the import" \
    "$(q "$D" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'fault_groups_run_domain'")" 1

# ---- duplicates, --force, pipes ----
check_exit 1 "the same file again is refused" \
    "$SROTRACE" record -o "$D" "$C/recorder-basic.trace"
check_grep "refusal names the file and the earlier run" \
    "recorder-basic.trace: already imported as run 1 .*--force" "$T/err"
check_eq "refused: no run added" "$(q "$D" 'SELECT count(*) FROM runs')" 2
check "--force imports it again" \
    "$SROTRACE" record -o "$D" --force "$C/recorder-basic.trace"
check_grep "human summary line" \
    "^run 3: 150 records, 30 groups \(2 incomplete\), 3 lost, 30 unknown, 0 bytes unused$" \
    "$T/out"
cat "$C/recorder-basic.trace" |
    "$SROTRACE" record --json -o "$D" - >"$T/pipe.json" 2>"$T/err"
check_eq "a pipe (-) is imported" "$?" 0
check_json "a pipe gives the same counters" "$T/pipe.json" \
    "$C/recorder-basic.expect.json"
check_json "a pipe's run is named -" "$T/pipe.json" '{"run": 4, "source": "-"}'

# ---- runs ----
check "runs lists the database" "$SROTRACE" runs "$D"
check_eq "runs: a header and 4 runs" "$(wc -l <"$T/out")" 5
check_grep "runs: run 2 row" \
    "^ +2 +complete +11 +1 +2 +[0-9T:-]+Z +- +.*verdicts-basic.trace$" "$T/out"
check "runs --json" "$SROTRACE" runs --json "$D"
check_eq "runs --json: 4 complete runs, 30+11+30+30 groups" "$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(len(r), set(x["status"] for x in r), sum(x["groups"] for x in r))' "$T/out")" \
    "4 {'complete'} 101"
check_exit 1 "runs on a missing database" "$SROTRACE" runs "$T/nope.db"
check_grep "runs: says which database is missing" "nope.db: no such database" "$T/err"

# ---- capture facts from the command line ----
check "record --cpu-hz --xen-version --host" "$SROTRACE" record -o "$T/facts.db" \
    --cpu-hz 2400M --xen-version 4.20.1 --host dom0-a "$C/verdicts-basic.trace"
check_eq "capture facts stored in the run row" \
    "$(q "$T/facts.db" 'SELECT tsc_hz, xen_version, host FROM runs')" \
    "2400000000|4.20.1|dom0-a"

# ---- a trace written by trace/writer.c ----
W=$T/writer.trace
check "writer trace: written" "$B/tests/test-ingest" --write-trace "$W"
check "writer trace: recorded" "$SROTRACE" record --json -o "$T/w.db" "$W"
check_json "writer trace: its known counters" "$T/out" \
    '{"records": 213, "groups": 50, "incomplete_groups": 2,
      "lost_records": 7, "unknown_records": 8, "bytes_unused": 0,
      "status": "complete", "error": null}'
if ! command -v xenalyze >/dev/null 2>&1; then
    ok "# SKIP xenalyze reads the writer's trace (xenalyze not installed)"
else
    xenalyze --summary "$W" >"$T/xa.out" 2>&1
    check_eq "xenalyze --summary exits 0 on the writer's trace" "$?" 0
    if grep -Eqi "short read|early_eof|short cpu_change|error" "$T/xa.out"
    then not_ok "xenalyze complains about nothing"; grep -Ei "short|error" "$T/xa.out" | sed 's/^/# /'
    else ok "xenalyze complains about nothing"; fi
    # Its per-CPU volume of class TRC_HW: every byte of our records.
    check_eq "xenalyze counts all 5816 bytes of TRC_HW records" \
        "$(awk '/Log volume summary/ {on = 1} on && $1 == "hw" {s += $3} END {print s + 0}' "$T/xa.out")" \
        5816
fi

# ---- bad input ----
# Hand-made files (offsets in comments): a good window of cpu 0 holding
# FAULT INSN WRITE DONE FAULT DONE (bytes 0..183), then the damage.
python3 - "$T" <<'EOF'
import struct, sys
t = sys.argv[1]
def rec(ev, words, tsc=None):
    hdr = ev | (len(words) << 28) | ((1 << 31) if tsc is not None else 0)
    b = struct.pack('<I', hdr)
    if tsc is not None:
        b += struct.pack('<Q', tsc)
    return b + struct.pack('<%dI' % len(words), *words)
def win(cpu, body, n=None):
    return struct.pack('<III', 0x2001f003, cpu, len(body) if n is None else n) + body
def fault(tsc, words=7):
    return rec(0x804010, [0x10002, 0x303, 0xffffffff, 0xffffffff, 0xfe100008, 0, 0xfe100][:words], tsc)
insn = rec(0x804011, [2, 0x0789, 0, 0, 0, 0x81234567, 0xffffffff])
write = rec(0x804012, [0xfe100, 0, 0x40008, 0x11223344, 0, 8])
def done(n): return rec(0x804014, [0, n, 4])
good = win(0, fault(10) + insn + write + done(1) + fault(20) + done(0))
assert len(good) == 184
# cut 10 bytes into the DONE at 236 (window 184, FAULT 196, DONE 236)
open(t + '/cut.trace', 'wb').write((good + win(1, fault(30) + done(0)))[:246])
# a window announcing 1000 bytes; only FAULT DONE (to 252) come
open(t + '/pastend.trace', 'wb').write(good + win(1, fault(30) + done(0), 1000))
# an SRO_FAULT of 6 words at 196, then a good group
open(t + '/words.trace', 'wb').write(good + win(1, fault(30, 6) + fault(40) + done(0)))
# 64 bytes of garbage at 184, then a good window
open(t + '/garbage.trace', 'wb').write(good + b'\xa5' * 64 + win(1, fault(50) + done(0)))
open(t + '/empty.trace', 'wb').close()
EOF
# bad NAME OFFSET COMPLETE_GROUPS WHAT: exit 1, "FILE: ... offset N" on
# stderr, JSON still printed, the complete groups before the damage kept.
bad() {
    f=$T/$1.trace
    "$SROTRACE" record --json -o "$T/bad.db" "$f" >"$T/out" 2>"$T/err"
    check_eq "$4: exit status 1" "$?" 1
    check_grep "$4: message names the file and offset $2" \
        "^$f: (.*)?offset $2\b" "$T/err"
    check_json "$4: JSON still printed, run complete" "$T/out" \
        '{"status": "complete"}'
    run=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["run"])' "$T/out" 2>/dev/null)
    check_eq "$4: the $3 complete groups are kept" \
        "$(q "$T/bad.db" "SELECT count(*) FROM fault_groups WHERE run = ${run:-0} AND complete")" "$3"
    check_eq "$4: the first problem is the run's error" \
        "$(q "$T/bad.db" "SELECT error LIKE '$f: %offset $2%' FROM runs WHERE id = ${run:-0}")" 1
}
bad cut 236 2 "truncated file"
check_json "truncated file: 10 bytes unused, the cut group incomplete" \
    "$T/out" '{"bytes_unused": 10, "groups": 3, "incomplete_groups": 1}'
bad pastend 252 3 "window past the end"
bad words 196 3 "wrong word count"
check_json "wrong word count: one bad record" "$T/out" '{"bad_records": 1}'
bad garbage 184 3 "garbage"
bad empty 0 0 "zero-length file"
check_exit 1 "a missing file: exit 1" "$SROTRACE" record -o "$T/bad.db" "$T/missing.trace"
check_grep "a missing file: named" "missing.trace: No such file" "$T/err"

# ---- a locked database ----
L=$T/locked.db
"$SROTRACE" record -o "$L" "$C/recorder-basic.trace" >/dev/null 2>&1
python3 - "$L" "$T/locked.ready" <<'EOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(30)
EOF
holder=$!
i=0; while [ ! -f "$T/locked.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check_exit 1 "locked database: exit 1" "$SROTRACE" record -o "$L" "$C/verdicts-basic.trace"
check_grep "locked database: clear message naming it" "locked.db: database is locked by another process" "$T/err"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
check_eq "locked database: earlier run intact, nothing added" \
    "$(q "$L" 'SELECT count(*), min(status), sum(groups_total) FROM runs')" "1|complete|30"

# ---- a full database ----
F=$T/full.db
"$SROTRACE" record -o "$F" "$C/recorder-basic.trace" >/dev/null 2>&1
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do cat "$W"; done >"$T/big.trace"
for i in 1 2 3 4 5; do cat "$T/big.trace"; done >"$T/big5.trace"
size=$(stat -c %s "$F")
check_exit 1 "--max-db-size: a full database gives exit 1" \
    "$SROTRACE" record -o "$F" --max-db-size $((size + 65536)) "$T/big5.trace"
check_grep "--max-db-size: clear message naming it" "full.db: database or disk is full" "$T/err"
check_eq "--max-db-size: earlier run intact" \
    "$(q "$F" 'SELECT status, groups_total FROM runs WHERE id = 1')" "complete|30"
check_eq "--max-db-size: the failed run is marked interrupted" \
    "$(q "$F" 'SELECT status FROM runs WHERE id = 2')" "interrupted"
check_eq "--max-db-size: the failed run's rows match its counters" \
    "$(q "$F" 'SELECT count(*) = (SELECT groups_total FROM runs WHERE id = 2) FROM fault_groups WHERE run = 2')" 1

# Real mounts, in a private mount namespace (cleaned up when it ends).
mkdir -p "$T/mnt"
if unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$T/mnt'" 2>/dev/null; then
    unshare -m sh -c '
        mount -t tmpfs -o size=512k tmpfs "$1/mnt" || exit 99
        "$2" record -o "$1/mnt/x.db" "$3/recorder-basic.trace" >/dev/null 2>&1
        "$2" record -o "$1/mnt/x.db" "$1/big5.trace" >"$1/tmpfs.out" 2>"$1/tmpfs.err"
        echo $? >"$1/tmpfs.rc"
        sqlite3 "$1/mnt/x.db" "SELECT status, groups_total FROM runs WHERE id = 1" >"$1/tmpfs.runs" 2>&1
    ' sh "$T" "$SROTRACE" "$C"
    check_eq "full tmpfs: exit 1" "$(cat "$T/tmpfs.rc" 2>/dev/null)" 1
    check_grep "full tmpfs: clear message" "x.db: database or disk is full" "$T/tmpfs.err"
    check_eq "full tmpfs: earlier run intact" "$(cat "$T/tmpfs.runs")" "complete|30"

    mkdir -p "$T/ro"
    "$SROTRACE" record -o "$T/ro/r.db" "$C/recorder-basic.trace" >/dev/null 2>&1
    unshare -m sh -c '
        mount --bind "$1/ro" "$1/ro" && mount -o remount,bind,ro "$1/ro" || exit 99
        "$2" record -o "$1/ro/r.db" "$3/verdicts-basic.trace" >"$1/ro.out" 2>"$1/ro.err"
        echo $? >"$1/ro.rc"
        "$2" record -o "$1/ro/new.db" "$3/verdicts-basic.trace" >/dev/null 2>"$1/ro2.err"
        echo $? >"$1/ro2.rc"
    ' sh "$T" "$SROTRACE" "$C"
    check_eq "read-only mount: exit 1" "$(cat "$T/ro.rc" 2>/dev/null)" 1
    check_grep "read-only mount: clear message naming the database" "r.db: database is read-only" "$T/ro.err"
    check_eq "read-only mount: earlier run intact" \
        "$(q "$T/ro/r.db" 'SELECT count(*), min(status) FROM runs')" "1|complete"
    check_eq "read-only mount, new database: exit 1" "$(cat "$T/ro2.rc" 2>/dev/null)" 1
    check_grep "read-only mount, new database: clear message" "new.db: (cannot open|database is read-only)" "$T/ro2.err"
else
    ok "# SKIP full tmpfs (mounting is not allowed here; --max-db-size covers SQLITE_FULL)"
    ok "# SKIP read-only mount (mounting is not allowed here)"
fi

# ---- SIGINT keeps what was read ----
# record reads a FIFO that stays open: it has taken the whole writer
# trace and waits for more when SIGINT comes. A watchdog kills it if it
# does not stop within 10 s (the check then fails instead of hanging).
S=$T/sig.db
mkfifo "$T/fifo"
"$SROTRACE" record --json -o "$S" "$T/fifo" >"$T/sig.out" 2>"$T/sig.err" &
rec=$!
exec 3<>"$T/fifo"      # read-write: never blocks, even if record died
cat "$W" >&3
# Wait until record has taken it all (nothing left in the pipe) and waits
# for more (blocked reading it: /proc/PID/wchan), or 10 s at most.
pending() {
    python3 -c 'import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
print(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"1234"))[0])' "$1"
}
i=0
while { [ "$(pending "$T/fifo")" != 0 ] ||
        ! grep -q pipe_read "/proc/$rec/wchan" 2>/dev/null; } && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
done
( sleep 10; kill -KILL "$rec" 2>/dev/null ) &
watchdog=$!
sleep 0.2
kill -INT "$rec"
wait "$rec"
check_eq "SIGINT: exit status 130" "$?" 130
kill "$watchdog" 2>/dev/null
exec 3>&-
check_eq "SIGINT: run interrupted, everything that was written kept" \
    "$(q "$S" 'SELECT status, records, groups_total, (SELECT count(*) FROM fault_groups) FROM runs')" \
    "interrupted|213|50|50"
check_json "SIGINT: JSON line says interrupted" "$T/sig.out" '{"status": "interrupted", "groups": 50}'
check_eq "SIGINT: no input problem reported" "$(cat "$T/sig.err")" ""
