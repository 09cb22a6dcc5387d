# test-summary.sh - the per-run summaries that make `report` and `audit`
# fast (analyzer/summary.h): `record` counts one per run as it stores the
# rows, `replay` makes one per complete replay; the report and the audit read from them exactly
# what they read from the per-group tables without them (the same bytes
# in text, JSON and HTML, with wrong verdicts, lost records, miscounted
# and misdirected pieces, several runs and replays); an older database
# without the tables gets them at the next `record`; the hand-made
# analyzer fixture (rows inserted directly, pieces naming no group) gives
# the same answers through its summaries.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/analyzer-lib.sh"

# outputs DB TAG: every rendering of the report and the audit into $T/TAG.*
outputs() {
    "$SROTRACE" report "$1" >"$T/$2.rt" 2>&1
    "$SROTRACE" report "$1" --json >"$T/$2.rj" 2>&1
    "$SROTRACE" report "$1" --html "$T/$2.html" >/dev/null 2>&1
    "$SROTRACE" audit "$1" >"$T/$2.at" 2>&1
    for r in $(sqlite3 "$1" "SELECT id FROM runs ORDER BY id"); do
        "$SROTRACE" audit "$1" --run "$r" --json >>"$T/$2.aj" 2>&1
        "$SROTRACE" audit "$1" --run "$r" --csv >>"$T/$2.aj" 2>&1
    done
}

# same_without DB WHAT: outputs with the summaries equal those without.
same_without() {
    rm -f "$T"/with.* "$T"/without.*
    outputs "$1" with
    sqlite3 "$1" "PRAGMA foreign_keys = ON; DELETE FROM summaries"
    check_eq "$2: no summary left" \
        "$(sqlite3 "$1" 'SELECT count(*) FROM sum_groups')" 0
    outputs "$1" without
    for f in rt rj html at aj; do
        if cmp -s "$T/with.$f" "$T/without.$f"; then ok "$2: same $f"
        else not_ok "$2: same $f"; diff "$T/with.$f" "$T/without.$f" |
            head -10 | sed 's/^/# /'; fi
    done
}

tr1=$T/a.trace tr2=$T/b.trace db=$T/s.db
check "synth xhci-dbc with deviations" "$SROTRACE" synth xhci-dbc -q \
    --groups 4000 -o "$tr1" --inject offset0:0.02 --inject write-ro:0.02 \
    --inject drop-allowed:0.02 --inject miscount:0.01 --lost 0.002
check "synth buggy-guest" "$SROTRACE" synth \
    examples/scenarios/buggy-guest.scn -q --groups 3000 -o "$tr2"
check "record two runs" "$SROTRACE" record -o "$db" "$tr1" "$tr2"
check_eq "record made one summary per run" \
    "$(sqlite3 "$db" 'SELECT group_concat(run || ":" || coalesce(replay, "-"))
                      FROM summaries')" "1:-,2:-"
check_eq "every group counted once" \
    "$(sqlite3 "$db" 'SELECT s.run, sum(g.faults) FROM sum_groups g
                      JOIN summaries s ON s.id = g.summary GROUP BY 1')" \
    "$(sqlite3 "$db" 'SELECT run, count(*) FROM fault_groups GROUP BY 1')"
check "replay run 1" "$SROTRACE" replay "$db" --run 1 -q
check "replay run 2 through xen-4.20.0" "$SROTRACE" replay "$db" --run 2 -q \
    --model xen-4.20.0
check "replay run 1 through xen-4.20.0" "$SROTRACE" replay "$db" --run 1 -q \
    --model xen-4.20.0
check_eq "replay made one summary per replay" \
    "$(sqlite3 "$db" 'SELECT count(*) FROM summaries WHERE replay IS NOT NULL')" 3
check_eq "verdicts counted as stored" \
    "$(sqlite3 "$db" 'SELECT sum(g.faults) FROM sum_groups g
                      JOIN summaries s ON s.id = g.summary
                      WHERE s.replay = 3 AND g.verdict IN (1, 2, 3, 4)')" \
    "$(sqlite3 "$db" 'SELECT count(*) FROM verdicts
                      WHERE replay = 3 AND verdict IN (1, 2, 3, 4)')"
check "report run 1" "$SROTRACE" report "$db" --run 1
check_grep "the report lists wrong verdicts" 'WRONGLY|MISDIRECTED|HARSH' \
    "$T/out"
same_without "$db" "synthetic runs"

# A database made before the summary tables: the next record adds them.
check "drop the summary tables" sqlite3 "$db" \
    "DROP TABLE sum_groups; DROP TABLE sum_pieces; DROP TABLE sum_rips;
     DROP TABLE sum_wrong; DROP TABLE summaries"
check "report without the tables" "$SROTRACE" report "$db" --run 1
check "record into the older database" "$SROTRACE" record -o "$db" --force \
    "$tr2"
check_eq "runs and complete replays summarised" \
    "$(sqlite3 "$db" 'SELECT count(*) FROM summaries')" 6

# The hand-made fixture: its summaries come from a record into it.
fx=$T/f.db
make_fixture_db "$fx" || not_ok "fixture database"
check "record into the fixture" "$SROTRACE" record -o "$fx" "$tr2"
check_eq "fixture runs and replay 1 summarised" \
    "$(sqlite3 "$fx" 'SELECT group_concat(run || ":" || coalesce(replay, "-"))
                      FROM (SELECT * FROM summaries
                            ORDER BY run, replay IS NOT NULL)')" \
    "1:-,1:1,2:-,3:-"
same_without "$fx" "fixture"
