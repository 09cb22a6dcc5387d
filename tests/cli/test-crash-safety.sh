#!/bin/sh
# test-crash-safety.sh - a database survives what happens to the processes
# writing it: SIGKILL at random points, a full disk, a read-only medium,
# and readers while a writer works.
#
#   1. `record` of a large capture (srotrace synth, 100000 groups) is
#      timed once, then killed with SIGKILL three times, at random points
#      of the first, middle and last third of that time (the delays are
#      printed). After each: PRAGMA integrity_check
#      is ok, the two runs recorded before are untouched (rows and
#      counters), the killed run's rows match the counters it committed,
#      and the next `record` marks it 'interrupted'. Then `record --force`
#      of the same file completes with every group.
#   2. `replay` of that run is timed, then killed the same way: the
#      database is intact, the killed replay is not 'complete', an earlier
#      replay's verdicts are untouched, `report` uses the complete replay,
#      and a new replay completes.
#   3. In a private mount namespace (where mounting is allowed): `replay`
#      into a full tmpfs fails with exit 1 and a clear message, leaving an
#      intact database whose earlier replay still reads; on a read-only
#      mount `replay` fails the same way while `runs`, `report` and
#      `audit` still read it. (`record` on a full disk or a read-only
#      database: test-record.sh.)
#   4. `runs` and `report` while `record` writes (WAL), fed slowly
#      through a pipe: they exit 0, see the complete runs and the one
#      being recorded, and are never blocked.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || { ok "# SKIP sqlite3 is missing"; exit 0; }
q() { sqlite3 "$1" "$2" 2>&1; }
# rand LO HI: a random integer in [LO, HI].
rand() {
    r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    echo $(( $1 + r % ($2 - $1 + 1) ))
}
# msleep MS
msleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

N=100000
DB=$T/crash.db
"$SROTRACE" synth xhci-dbc -o "$T/a.trace" --groups 300 --seed 1 -q &&
"$SROTRACE" synth xhci-dbc -o "$T/b.trace" --groups 500 --seed 2 -q &&
"$SROTRACE" synth xhci-dbc -o "$T/big.trace" --groups $N --seed 3 -q
check_eq "synthesized the captures" "$?" 0
"$SROTRACE" record -o "$DB" "$T/a.trace" "$T/b.trace" >/dev/null 2>&1
"$SROTRACE" replay "$DB" --run 1 --quiet >/dev/null 2>&1

# What runs 1 and 2 hold, and replay 1's verdicts.
earlier() {
    q "$DB" "SELECT r.id, r.status, r.groups_total, r.records,
                    (SELECT count(*) FROM fault_groups WHERE run = r.id),
                    (SELECT count(*) FROM dev_writes WHERE run = r.id),
                    (SELECT count(*) FROM range_adds WHERE run = r.id)
             FROM runs r WHERE r.id <= 2 ORDER BY r.id;
             SELECT id, status, groups_total,
                    (SELECT count(*) FROM verdicts WHERE replay = 1)
             FROM replays WHERE id = 1" | tr '\n' ' '
}
before=$(earlier)
check_eq "two runs and a replay to protect" \
    "$(q "$DB" 'SELECT count(*) FROM runs WHERE status = "complete"') $(q "$DB" 'SELECT status FROM replays WHERE id = 1')" \
    "2 complete"

# now_ms: milliseconds since the epoch.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# kill_after MS PID: SIGKILL PID after MS ms; says whether it was still
# running ("killed") or had finished ("finished").
kill_after() {
    msleep "$1"
    if kill -KILL "$2" 2>/dev/null; then echo killed; else echo finished; fi
    wait "$2" 2>/dev/null
}

# ---- 1. SIGKILL during record ----
# A whole import first, to know how long one takes: the kills fall at
# random points of the first, middle and last third of that time.
t0=$(now_ms)
"$SROTRACE" record -o "$DB" --json "$T/big.trace" >"$T/out" 2>"$T/err"
rc=$?
dur=$(( $(now_ms) - t0 ))
big=$(sed -n 's/.*"run":\([0-9]*\).*/\1/p' "$T/out")
check_eq "the large capture imports whole (${dur} ms)" \
    "$rc $(q "$DB" "SELECT status, groups_total FROM runs WHERE id = ${big:-0}")" \
    "0 complete|$N"
for when in early middle late; do
    case $when in
        early)  ms=$(rand $((dur / 20)) $((dur / 3))) ;;
        middle) ms=$(rand $((dur / 3)) $((dur * 2 / 3))) ;;
        late)   ms=$(rand $((dur * 2 / 3)) $((dur * 9 / 10))) ;;
    esac
    "$SROTRACE" record -o "$DB" --force "$T/big.trace" >/dev/null 2>&1 &
    what=$(kill_after "$ms" $!)
    echo "# record $what after ${ms} ms"
    check_eq "record killed $when: integrity_check" \
        "$(q "$DB" 'PRAGMA integrity_check')" ok
    check_eq "record killed $when: runs 1 and 2 untouched" "$(earlier)" \
        "$before"
    killed=$(q "$DB" "SELECT max(id) FROM runs WHERE status = 'recording'")
    if [ -n "$killed" ]; then
        check_eq "record killed $when: its rows match its committed counters" \
            "$(q "$DB" "SELECT groups_total = (SELECT count(*) FROM
                        fault_groups WHERE run = $killed) FROM runs
                        WHERE id = $killed")" 1
        "$SROTRACE" record -o "$DB" --force "$T/a.trace" >/dev/null 2>&1
        check_eq "record killed $when: the next record marks it interrupted" \
            "$(q "$DB" "SELECT status FROM runs WHERE id = $killed")" \
            interrupted
    else
        # Killed before its run row was committed, or it had finished.
        ok "# SKIP record killed $when: no run row of it ($what)"
    fi
done
"$SROTRACE" record -o "$DB" --force --json "$T/big.trace" >"$T/out" 2>"$T/err"
check_eq "record --force after the kills completes" "$?" 0
again=$(sed -n 's/.*"run":\([0-9]*\).*/\1/p' "$T/out")
check_eq "record --force: every group is there" \
    "$(q "$DB" "SELECT status, groups_total, (SELECT count(*) FROM
                fault_groups WHERE run = ${again:-0}) FROM runs
                WHERE id = ${again:-0}")" "complete|$N|$N"
check_eq "record --force: integrity_check" "$(q "$DB" 'PRAGMA integrity_check')" ok

# ---- 2. SIGKILL during replay ----
t0=$(now_ms)
"$SROTRACE" replay "$DB" --run "$big" --quiet >/dev/null 2>&1
dur=$(( $(now_ms) - t0 ))
done_replay=$(q "$DB" "SELECT max(id) FROM replays WHERE run = $big AND
                       status = 'complete'")
check_eq "the large run replays whole (${dur} ms)" \
    "$(q "$DB" "SELECT groups_total FROM replays WHERE id = ${done_replay:-0}")" "$N"
ms=$(rand $((dur / 10)) $((dur * 8 / 10)))
"$SROTRACE" replay "$DB" --run "$big" --quiet >/dev/null 2>&1 &
what=$(kill_after "$ms" $!)
echo "# replay $what after ${ms} ms"
killed=$(q "$DB" "SELECT max(id) FROM replays")
check_eq "replay killed: integrity_check" "$(q "$DB" 'PRAGMA integrity_check')" ok
check_eq "replay killed: earlier runs and replay untouched" "$(earlier)" \
    "$before"
if [ "$what" = killed ] && [ "$killed" != "$done_replay" ]; then
    check_eq "replay killed: its replay is not complete" \
        "$(q "$DB" "SELECT status FROM replays WHERE id = $killed")" running
else
    ok "# SKIP replay killed: it had $what"
fi
# The latest complete replay: done_replay, unless the "killed" one had
# finished in time.
latest=$(q "$DB" "SELECT max(id) FROM replays WHERE run = $big AND
                  status = 'complete'")
"$SROTRACE" report "$DB" --run "$big" --json >"$T/out" 2>"$T/err"
check_grep "replay killed: report uses the latest complete replay ($latest)" \
    "\"replay\":\\{\"id\":$latest," "$T/out"
"$SROTRACE" replay "$DB" --run "$big" --json >"$T/out" 2>"$T/err"
check_eq "replay after the kill completes" "$?" 0
check_eq "replay after the kill: every group judged" \
    "$(q "$DB" "SELECT status, groups_total, (SELECT count(*) FROM verdicts
                v WHERE v.replay = replays.id) FROM replays WHERE id =
                (SELECT max(id) FROM replays)")" "complete|$N|$N"

# ---- 3. full disk and read-only medium, for replay ----
mkdir -p "$T/mnt" "$T/ro"
if unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$T/mnt'" 2>/dev/null; then
    # A database holding run 1 (300 groups) and its replay, on a tmpfs
    # with room for little more: replaying the b run (500 groups) fills it.
    "$SROTRACE" record -o "$T/small.db" "$T/a.trace" "$T/b.trace" >/dev/null 2>&1
    "$SROTRACE" replay "$T/small.db" --run 1 --quiet >/dev/null 2>&1
    sqlite3 "$T/small.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    size=$(stat -c %s "$T/small.db")
    unshare -m sh -c '
        mount -t tmpfs -o size=$(( ($2 + 65536) / 1024 ))k tmpfs "$1/mnt" || exit 99
        cp "$1/small.db" "$1/mnt/full.db"
        "$3" replay "$1/mnt/full.db" --run 2 --quiet >"$1/full.out" 2>"$1/full.err"
        echo $? >"$1/full.rc"
        sqlite3 "$1/mnt/full.db" "PRAGMA integrity_check" >"$1/full.integrity" 2>&1
        sqlite3 "$1/mnt/full.db" "SELECT count(*) FROM verdicts WHERE replay = 1;
            SELECT count(*) FROM replays WHERE status = \"complete\"" \
            >"$1/full.rows" 2>&1
        "$3" report "$1/mnt/full.db" >"$1/full.report" 2>&1
        echo $? >>"$1/full.rc"
    ' sh "$T" "$size" "$SROTRACE"
    check_eq "replay on a full disk: exit 1, then report still works (exit 0)" \
        "$(tr '\n' ' ' <"$T/full.rc")" "1 0 "
    check_grep "replay on a full disk: clear message naming the database" \
        "full.db: database or disk is full" "$T/full.err"
    check_eq "replay on a full disk: integrity_check" \
        "$(cat "$T/full.integrity")" ok
    check_eq "replay on a full disk: the earlier replay keeps its 300 verdicts" \
        "$(tr '\n' ' ' <"$T/full.rows")" "300 1 "

    cp "$T/small.db" "$T/ro/r.db"
    unshare -m sh -c '
        mount --bind "$1/ro" "$1/ro" && mount -o remount,bind,ro "$1/ro" || exit 99
        "$2" replay "$1/ro/r.db" --run 2 --quiet >"$1/ro.out" 2>"$1/ro.err"
        echo $? >"$1/ro.rc"
        for c in runs report audit; do
            "$2" $c "$1/ro/r.db" >"$1/ro.$c" 2>&1
            echo $? >>"$1/ro.rc"
        done
    ' sh "$T" "$SROTRACE"
    check_eq "read-only mount: replay exits 1; runs, report, audit exit 0" \
        "$(tr '\n' ' ' <"$T/ro.rc")" "1 0 0 0 "
    check_grep "read-only mount: replay says the database is read-only" \
        "r.db: (attempt to write a readonly database|database is read-only)" "$T/ro.err"
    check_eq "read-only mount: database unchanged" \
        "$(cmp -s "$T/small.db" "$T/ro/r.db" && echo same)" same
    i=2
    for c in runs report audit; do
        [ "$(sed -n "${i}p" "$T/ro.rc")" = 0 ] ||
            sed "s/^/#   $c: /" "$T/ro.$c" | head -n 3
        i=$((i + 1))
    done
else
    ok "# SKIP replay on a full disk (mounting is not allowed here)"
    ok "# SKIP replay on a read-only mount (mounting is not allowed here)"
fi

# ---- 4. readers while record writes (WAL) ----
# record reads the large capture from a pipe fed 1 MiB every 0.1 s, so it
# is writing for a while however fast the machine; runs and report read
# the database meanwhile, over and over.
size=$(stat -c %s "$T/big.trace")
{ i=0
  while [ $((i * 1048576)) -lt "$size" ]; do
      dd if="$T/big.trace" bs=1048576 skip=$i count=1 2>/dev/null
      msleep 100
      i=$((i + 1))
  done; } | "$SROTRACE" record -o "$DB" --json - >"$T/rec.out" 2>"$T/rec.err" &
pid=$!
msleep 300
bad="" reads=0 saw_recording=no
while kill -0 "$pid" 2>/dev/null && [ $reads -lt 40 ]; do
    start=$(now_ms)
    "$SROTRACE" runs "$DB" >"$T/runs.out" 2>"$T/runs.err" || bad="$bad runs:$?"
    "$SROTRACE" report "$DB" --run 1 >"$T/rep.out" 2>"$T/rep.err" || bad="$bad report:$?"
    [ $(( $(now_ms) - start )) -le 3000 ] || bad="$bad slow"
    grep -Eq '^ +[0-9]+ +recording' "$T/runs.out" && saw_recording=yes
    reads=$((reads + 1))
    msleep 100
done
wait "$pid"
rc=$?
echo "# $reads rounds of runs + report while record wrote"
check_eq "runs and report while record writes: exit 0, never blocked" "$bad" ""
[ -z "$bad" ] || sed 's/^/#   /' "$T/runs.err" "$T/rep.err" | head -n 4
check_eq "runs while record writes: sees the run being recorded" \
    "$saw_recording" yes
check_grep "runs while record writes: lists the complete runs" \
    "^ +1 +complete" "$T/runs.out"
check_eq "the record that was read from completes, every group kept" \
    "$rc $(sed -n 's/.*"groups":\([0-9]*\).*/\1/p' "$T/rec.out")" "0 $N"
check_eq "after readers and writer: integrity_check" \
    "$(q "$DB" 'PRAGMA integrity_check')" ok
