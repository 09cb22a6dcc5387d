#!/bin/sh
# run.sh BUILD_DIR quick|full - srotrace's benchmarks, as `make bench-quick`
# and `make bench` run them.
#
# Everything is measured in one run on one machine, so that each stage can
# be given as a ratio to the physical limit of its own dependency:
#
#   raw sqlite     bench/sqlite-raw: the recorder's rows (fault_groups,
#                  dev_writes, instructions) inserted with one prepared
#                  statement per table in one transaction, no secondary
#                  index, fresh database, the recorder's PRAGMAs
#   raw capstone   bench/capstone-raw: cs_disasm (detail on) of every
#                  group's instruction bytes, no cache
#   core replay    bench/core-replay: the per-group work of replay (decode
#                  cache, xen-4.21 model, oracle on both, comparison) on
#                  the trace's groups held in memory, timed beside raw
#                  capstone on the same groups in the same process:
#                  core_replay_vs_capstone (no sqlite: see
#                  docs/performance.md for why the two ratios differ)
#   record         `srotrace record` of a synthesized trace (xhci-dbc
#                  scenario), indexes included: ingest_vs_sqlite
#   replay         `srotrace replay --model xen-4.21` (oracle + model,
#                  verdicts stored): replay_vs_capstone; and with
#                  --no-store beside it (end to end, from sqlite)
#   report, audit  on the largest database, after record built its indexes
#   memory         peak RSS of record and replay at both sizes
#   parse          bench/trace-parse (reader alone, reader + assembler)
#                  beside `xenalyze --summary` on the same file
#
# quick: 200k and 1M groups (under two minutes on 2 cores); full: 1M and
# 10M. BENCH_SIZES="SMALL LARGE" overrides the sizes. Temporary files go
# to $TMPDIR (default /tmp) and are deleted. Prints a table, then one JSON
# object as the last line. Exit status: 0, or 1 if a stage failed (a
# missed target is reported, not an error).
set -u

build=${1:?usage: run.sh BUILD_DIR quick|full}
mode=${2:?usage: run.sh BUILD_DIR quick|full}
build=$(cd "$build" && pwd) || exit 1
srotrace="$build/srotrace"
case $mode in
    quick) sizes=${BENCH_SIZES:-"200000 1000000"} ;;
    full)  sizes=${BENCH_SIZES:-"1000000 10000000"} ;;
    *)     echo "run.sh: mode must be quick or full, not '$mode'" >&2; exit 2 ;;
esac
for p in "$srotrace" "$build/bench/sqlite-raw" "$build/bench/capstone-raw" \
         "$build/bench/core-replay" "$build/bench/trace-parse"; do
    if [ ! -x "$p" ]; then
        echo "run.sh: $p is missing: build it first (make O=... bench)" >&2
        exit 1
    fi
done
if [ ! -x /usr/bin/time ]; then
    echo "run.sh: /usr/bin/time is needed for peak RSS (apt-get install time)" >&2
    exit 1
fi
largest=0
for n in $sizes; do
    [ "$n" -gt "$largest" ] && largest=$n
done

# Disk: a group takes about 150 bytes of trace and 200 of database, and the
# raw baseline writes its own database and WAL: 900 bytes a group is ample.
tmproot=${TMPDIR:-/tmp}
need_kb=$((largest * 900 / 1024 + 102400))
free_kb=$(df -Pk "$tmproot" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt "$need_kb" ]; then
    echo "run.sh: $tmproot has $((free_kb / 1024)) MiB free; $largest groups" \
         "need about $((need_kb / 1024)) MiB (set TMPDIR)" >&2
    exit 1
fi
work=$(mktemp -d "$tmproot/srotrace-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# --- helpers -------------------------------------------------------------

load() { # the 1-minute load average
    cut -d' ' -f1 /proc/loadavg
}

jget() { # KEY JSON: a number or string value of the top-level KEY
    printf '%s\n' "$2" | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" |
        head -n1
}

calc() { # EXPRESSION (awk syntax) -> value, 3 decimals
    awk "BEGIN { printf \"%.3f\", $1 }"
}

per_s() { # COUNT SECONDS -> COUNT per second, whole (0 if no time passed)
    awk "BEGIN { printf \"%.0f\", ($2 > 0 ? $1 / $2 : 0) }"
}

ratio() { # A B -> A / B, 3 decimals (0 if B is 0)
    awk "BEGIN { printf \"%.3f\", ($2 > 0 ? $1 / $2 : 0) }"
}

fail() {
    echo "run.sh: $*" >&2
    exit 1
}

# timed OUT CMD...: run CMD with stdout to OUT; sets t_wall, t_cpu (s) and
# rss_kb (peak resident set of CMD).
timed() {
    out=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"$out" \
        2>"$work/stderr" || {
        cat "$work/stderr" >&2
        fail "failed: $*"
    }
    set -- $(tail -n1 "$work/time")
    t_wall=$1
    t_cpu=$(calc "$2 + $3")
    rss_kb=$4
}

# One line of the table, printed as soon as its stage is done.
row() { # STAGE GROUPS SECONDS RATE UNIT NOTE RSS_MIB LOAD
    printf '%-26s %9s %9s %12s %-10s %-24s %8s %5s\n' \
        "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8"
}

mib() { # KB -> MiB, one decimal
    awk "BEGIN { printf \"%.1f\", $1 / 1024 }"
}

# --- the machine ---------------------------------------------------------

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1 |
    tr -d '"\\')
mem_mib=$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)
ncpu=$(nproc)
load_start=$(load)
sqlite_v=$(pkg-config --modversion sqlite3 2>/dev/null)
capstone_v=$(pkg-config --modversion capstone 2>/dev/null)
echo "srotrace benchmarks ($mode): sizes $sizes groups"
echo "machine: $ncpu x $cpu_model, $mem_mib MiB, load $load_start" \
     "(sqlite ${sqlite_v:-?}, capstone ${capstone_v:-?})"
if awk "BEGIN { exit !($load_start > $ncpu) }"; then
    echo "note: load $load_start is above the $ncpu CPUs: wall times are" \
         "inflated; see the cpu-time ratios too"
fi
echo

json_sizes=""
t_start=$(date +%s)
row stage groups seconds rate unit note "rss MiB" load

for n in $sizes; do
    trace="$work/t$n.trace"
    db="$work/t$n.db"

    # Synthesize: about 5 records of ours per group, plus noise records.
    l=$(load)
    timed /dev/null "$srotrace" synth xhci-dbc --groups "$n" -o "$trace" -q
    trace_bytes=$(stat -c %s "$trace")
    row "synth xhci-dbc" "$n" "$t_wall" "$(per_s "$n" "$t_wall")" groups/s \
        "$(calc "$trace_bytes / 1048576") MiB trace" "$(mib "$rss_kb")" "$l"

    # Raw sqlite: the recorder's rows, one transaction, no index.
    l=$(load)
    timed "$work/out" "$build/bench/sqlite-raw" "$trace" "$work/raw.db"
    j=$(tail -n1 "$work/out")
    raw_gps=$(jget groups_per_s "$j")
    raw_cpu_gps=$(jget cpu_groups_per_s "$j")
    raw_rps=$(jget rows_per_s "$j")
    raw_s=$(jget seconds "$j")
    raw_rows=$(jget rows "$j")
    rm -f "$work/raw.db" "$work/raw.db-wal" "$work/raw.db-shm"
    row "raw sqlite insert" "$n" "$raw_s" "$raw_gps" groups/s \
        "$raw_rps rows/s" "-" "$l"

    # Raw capstone: every group's bytes, no cache.
    l=$(load)
    timed "$work/out" "$build/bench/capstone-raw" "$trace"
    j=$(tail -n1 "$work/out")
    cs_dps=$(jget decodes_per_s "$j")
    cs_cpu_dps=$(jget cpu_decodes_per_s "$j")
    cs_iter=$(jget iter_decodes_per_s "$j")
    cs_s=$(jget seconds "$j")
    row "raw capstone cs_disasm" "$n" "$cs_s" "$cs_dps" decodes/s \
        "iter: $cs_iter/s" "-" "$l"

    # The replay core alone, beside capstone in the same process.
    l=$(load)
    timed "$work/out" "$build/bench/core-replay" "$trace" xen-4.21
    j=$(tail -n1 "$work/out")
    [ "$(jget groups "$j")" = "$n" ] || fail "core-replay saw $(jget groups "$j") groups of $n"
    core_gps=$(jget core_groups_per_s "$j")
    core_s=$(jget core_seconds "$j")
    core_cs_dps=$(jget capstone_decodes_per_s "$j")
    core_ratio=$(jget core_replay_vs_capstone "$j")
    core_ratio_cpu=$(jget core_replay_vs_capstone_cpu "$j")
    row "core replay (decode cache + model + oracle)" "$n" "$core_s" \
        "$core_gps" groups/s "x$core_ratio of capstone" "$(mib "$rss_kb")" \
        "$l"

    # Record (indexes included: what the user waits for).
    l=$(load)
    timed "$work/out" "$srotrace" record -o "$db" "$trace" --json
    j=$(tail -n1 "$work/out")
    [ "$(jget groups "$j")" = "$n" ] || fail "record stored $(jget groups "$j") groups of $n"
    rec_wall=$t_wall
    rec_cpu=$t_cpu
    rec_rss=$rss_kb
    rec_load=$l
    rec_gps=$(per_s "$n" "$rec_wall")
    ingest_ratio=$(ratio "$rec_gps" "$raw_gps")
    ingest_ratio_cpu=$(ratio "$(per_s "$n" "$rec_cpu")" "$raw_cpu_gps")
    db_bytes=$(stat -c %s "$db")
    # The baseline must insert the very rows record stored.
    if command -v sqlite3 >/dev/null 2>&1; then
        rec_rows=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM fault_groups)
            + (SELECT count(*) FROM dev_writes)
            + (SELECT count(*) FROM instructions)")
        [ "$rec_rows" = "$raw_rows" ] ||
            fail "record stored $rec_rows rows, sqlite-raw inserted $raw_rows"
    fi
    row "record" "$n" "$rec_wall" "$rec_gps" groups/s \
        "x$ingest_ratio of raw sqlite" "$(mib "$rec_rss")" "$l"

    # Replay, verdicts stored (the default), then without storing.
    l=$(load)
    timed "$work/out" "$srotrace" replay "$db" --model xen-4.21 --json
    j=$(tail -n1 "$work/out")
    [ "$(jget groups "$j")" = "$n" ] || fail "replay saw $(jget groups "$j") groups of $n"
    rep_wall=$t_wall
    rep_cpu=$t_cpu
    rep_rss=$rss_kb
    rep_load=$l
    rep_gps=$(per_s "$n" "$rep_wall")
    replay_ratio=$(ratio "$rep_gps" "$cs_dps")
    replay_ratio_cpu=$(ratio "$(per_s "$n" "$rep_cpu")" "$cs_cpu_dps")
    row "replay xen-4.21 (stored)" "$n" "$rep_wall" "$rep_gps" groups/s \
        "x$replay_ratio of capstone" "$(mib "$rep_rss")" "$l"

    l=$(load)
    timed "$work/out" "$srotrace" replay "$db" --model xen-4.21 --json \
        --no-store
    rns_wall=$t_wall
    rns_gps=$(per_s "$n" "$rns_wall")
    rns_ratio=$(ratio "$rns_gps" "$cs_dps")
    row "replay xen-4.21 --no-store" "$n" "$rns_wall" "$rns_gps" groups/s \
        "x$rns_ratio of capstone" "$(mib "$rss_kb")" "$l"

    json_size="\"$n\":{\"trace_bytes\":$trace_bytes,\"db_bytes\":$db_bytes"
    json_size="$json_size,\"raw_sqlite_groups_per_s\":$raw_gps"
    json_size="$json_size,\"raw_sqlite_rows_per_s\":$raw_rps"
    json_size="$json_size,\"raw_sqlite_rows\":$raw_rows"
    json_size="$json_size,\"raw_sqlite_cpu_groups_per_s\":$raw_cpu_gps"
    json_size="$json_size,\"raw_capstone_decodes_per_s\":$cs_dps"
    json_size="$json_size,\"raw_capstone_cpu_decodes_per_s\":$cs_cpu_dps"
    json_size="$json_size,\"raw_capstone_iter_decodes_per_s\":$cs_iter"
    json_size="$json_size,\"core_replay_groups_per_s\":$core_gps"
    json_size="$json_size,\"core_replay_capstone_decodes_per_s\":$core_cs_dps"
    json_size="$json_size,\"core_replay_vs_capstone\":$core_ratio"
    json_size="$json_size,\"core_replay_vs_capstone_cpu\":$core_ratio_cpu"
    json_size="$json_size,\"record_s\":$rec_wall,\"record_cpu_s\":$rec_cpu"
    json_size="$json_size,\"record_groups_per_s\":$rec_gps"
    json_size="$json_size,\"record_rss_kb\":$rec_rss,\"record_load\":$rec_load"
    json_size="$json_size,\"ingest_vs_sqlite\":$ingest_ratio"
    json_size="$json_size,\"ingest_vs_sqlite_cpu\":$ingest_ratio_cpu"
    json_size="$json_size,\"replay_s\":$rep_wall,\"replay_cpu_s\":$rep_cpu"
    json_size="$json_size,\"replay_groups_per_s\":$rep_gps"
    json_size="$json_size,\"replay_rss_kb\":$rep_rss,\"replay_load\":$rep_load"
    json_size="$json_size,\"replay_vs_capstone\":$replay_ratio"
    json_size="$json_size,\"replay_vs_capstone_cpu\":$replay_ratio_cpu"
    json_size="$json_size,\"replay_nostore_groups_per_s\":$rns_gps"
    json_size="$json_size,\"replay_nostore_vs_capstone\":$rns_ratio"

    if [ "$n" = "$largest" ]; then
        # Analysis, on the database record indexed.
        l=$(load)
        timed /dev/null "$srotrace" report "$db"
        report_s=$t_wall
        report_cpu=$t_cpu
        report_load=$l
        row "report" "$n" "$report_s" "-" "" "target < 5 s" \
            "$(mib "$rss_kb")" "$l"
        l=$(load)
        timed /dev/null "$srotrace" audit "$db"
        audit_s=$t_wall
        audit_cpu=$t_cpu
        audit_load=$l
        row "audit" "$n" "$audit_s" "-" "" "target < 5 s" \
            "$(mib "$rss_kb")" "$l"

        # Format parsing only, beside xenalyze.
        l=$(load)
        timed "$work/out" "$build/bench/trace-parse" "$trace"
        set -- $(sed -n 's/^reader  .* in *\([0-9.]*\) s: *\([0-9.]*\) MB\/s, *\([0-9.]*\) M records.*/\1 \2 \3/p' "$work/out")
        [ $# -eq 3 ] || fail "trace-parse printed no reader line"
        parse_s=$1
        parse_mbs=$2
        parse_mrs=$3
        set -- $(sed -n 's/^reader+assembler .* in *\([0-9.]*\) s: *\([0-9.]*\) MB\/s.*/\1 \2/p' "$work/out")
        asm_s=${1:-0}
        asm_mbs=${2:-0}
        row "trace reader alone" "$n" "$parse_s" "$parse_mbs" MB/s \
            "$parse_mrs M records/s" "$(mib "$rss_kb")" "$l"
        row "trace reader+assembler" "$n" "$asm_s" "$asm_mbs" MB/s "" "-" "$l"
        if command -v xenalyze >/dev/null 2>&1; then
            l=$(load)
            timed /dev/null xenalyze --summary "$trace"
            xen_s=$t_wall
            xen_mbs=$(ratio "$trace_bytes / 1000000" "$xen_s")
            row "xenalyze --summary" "$n" "$xen_s" "$xen_mbs" MB/s "" \
                "$(mib "$rss_kb")" "$l"
        else
            xen_s=null
            xen_mbs=null
            row "xenalyze --summary" "$n" "-" "-" "" "not installed" "-" "$l"
        fi
        json_size="$json_size,\"report_s\":$report_s,\"report_cpu_s\":$report_cpu"
        json_size="$json_size,\"report_load\":$report_load"
        json_size="$json_size,\"audit_s\":$audit_s,\"audit_cpu_s\":$audit_cpu"
        json_size="$json_size,\"audit_load\":$audit_load"
        json_size="$json_size,\"reader_s\":$parse_s,\"reader_mb_per_s\":$parse_mbs"
        json_size="$json_size,\"reader_assembler_mb_per_s\":$asm_mbs"
        json_size="$json_size,\"xenalyze_summary_s\":$xen_s"
        json_size="$json_size,\"xenalyze_mb_per_s\":$xen_mbs"
        top_ingest=$ingest_ratio
        top_replay=$replay_ratio
        top_ingest_cpu=$ingest_ratio_cpu
        top_replay_cpu=$replay_ratio_cpu
        top_rec_gps=$rec_gps
        top_rep_gps=$rep_gps
        top_raw_gps=$raw_gps
        top_cs_dps=$cs_dps
        top_core=$core_ratio
        top_core_cpu=$core_ratio_cpu
        top_core_gps=$core_gps
        top_report=$report_s
        top_audit=$audit_s
    fi
    json_sizes="$json_sizes${json_sizes:+,}$json_size}"
    eval "rss_rec_$n=$rec_rss rss_rep_$n=$rep_rss"
    rm -f "$trace" "$db" "$db-wal" "$db-shm"
done

# Memory: the largest size against the smallest.
smallest=$largest
for n in $sizes; do
    [ "$n" -lt "$smallest" ] && smallest=$n
done
eval "rs=\$rss_rec_$smallest rl=\$rss_rec_$largest"
eval "ps=\$rss_rep_$smallest pl=\$rss_rep_$largest"
rec_growth=$(ratio "$rl" "$rs")
rep_growth=$(ratio "$pl" "$ps")
peak_mib=$(awk "BEGIN { m = ($rl > $pl ? $rl : $pl); printf \"%.1f\", m / 1024 }")

verdict() { # CONDITION (awk) -> met|MISSED
    awk "BEGIN { if ($1) print \"met\"; else print \"MISSED\" }"
}
t_ingest=$(verdict "$top_ingest >= 0.6")
t_replay=$(verdict "$top_replay >= 1.0")
t_core=$(verdict "$top_core >= 1.0")
t_rss=$(verdict "$rec_growth <= 1.1 && $rep_growth <= 1.1 && $peak_mib < 64")
t_report=$(verdict "$top_report < 5")
t_audit=$(verdict "$top_audit < 5")

echo
echo "targets at $largest groups:"
echo "  ingest_vs_sqlite    $top_ingest (cpu-time: $top_ingest_cpu)   >= 0.6   $t_ingest"
echo "  replay_vs_capstone  $top_replay (cpu-time: $top_replay_cpu)   >= 1.0   $t_replay" \
     "(end to end, from sqlite)"
echo "  core_replay_vs_capstone  $top_core (cpu-time: $top_core_cpu)   >= 1.0   $t_core" \
     "(decode cache + model + oracle)"
echo "  peak RSS            record x$rec_growth, replay x$rep_growth from" \
     "$smallest to $largest; max $peak_mib MiB   flat, < 64   $t_rss"
echo "  report              $top_report s   < 5   $t_report"
echo "  audit               $top_audit s   < 5   $t_audit"
echo "elapsed $(( $(date +%s) - t_start )) s, load now $(load)"

printf '{"mode":"%s","groups":%s,"ingest_vs_sqlite":%s,"replay_vs_capstone":%s' \
    "$mode" "$largest" "$top_ingest" "$top_replay"
printf ',"ingest_vs_sqlite_cpu":%s,"replay_vs_capstone_cpu":%s' \
    "$top_ingest_cpu" "$top_replay_cpu"
printf ',"record_groups_per_s":%s,"raw_sqlite_groups_per_s":%s' \
    "$top_rec_gps" "$top_raw_gps"
printf ',"replay_groups_per_s":%s,"raw_capstone_decodes_per_s":%s' \
    "$top_rep_gps" "$top_cs_dps"
printf ',"core_replay_vs_capstone":%s,"core_replay_vs_capstone_cpu":%s' \
    "$top_core" "$top_core_cpu"
printf ',"core_replay_groups_per_s":%s' "$top_core_gps"
printf ',"report_s":%s,"audit_s":%s' "$top_report" "$top_audit"
printf ',"rss_growth_record":%s,"rss_growth_replay":%s,"peak_rss_mib":%s' \
    "$rec_growth" "$rep_growth" "$peak_mib"
printf ',"targets":{"ingest":"%s","replay":"%s","core_replay":"%s","rss":"%s","report":"%s","audit":"%s"}' \
    "$t_ingest" "$t_replay" "$t_core" "$t_rss" "$t_report" "$t_audit"
printf ',"machine":{"nproc":%s,"cpu":"%s","mem_mib":%s,"load_start":%s,"load_end":%s}' \
    "$ncpu" "$cpu_model" "$mem_mib" "$load_start" "$(load)"
printf ',"sizes":{%s}}\n' "$json_sizes"
