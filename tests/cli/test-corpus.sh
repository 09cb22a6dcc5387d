#!/bin/sh
# test-corpus.sh - every damaged trace of tests/corpus/ through
# `srotrace record --json`, against tests/corpus/MANIFEST.
#
# For each line of the manifest (made by tests/corpus/make-corpus.py from a
# reference model of trace-format.md; docs/hardening.md): import the file
# into a database of its own, under `timeout 20` (a hang fails), and check
#   - the exit status, and that nothing crashed (no sanitizer report);
#   - the counters of the JSON line (records, groups, incomplete groups,
#     orphan writes, stray and bad records, lost and unknown records,
#     bytes unused, TSC resets, problems);
#   - the rows kept: fault_groups (all, and incomplete ones) and
#     dev_writes, equal to the counters; the run is 'complete';
#   - the first diagnostic on stderr: file name, byte offset, what;
#   - `replay` and `report` of what was kept exit 0 (no crash, no hang);
#   - PRAGMA integrity_check says ok.
# One TAP line per file; the details of a failure follow it as comments.
. "$(dirname "$0")/lib.sh"

corpus="$SROTRACE_SRCDIR/tests/corpus"
manifest="$corpus/MANIFEST"
[ -f "$manifest" ] || { not_ok "tests/corpus/MANIFEST exists"; exit 1; }
command -v sqlite3 >/dev/null || { ok "# SKIP sqlite3 missing"; exit 0; }

# json FIELD: the value of FIELD in $T/out's JSON line.
json() {
    sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$T/out" | tail -n 1
}

n=0
tab=$(printf '\t')
while IFS="$tab" read -r name want_exit records groups incomplete writes \
        orphans stray bad lost unknown unused resets problems regex; do
    case "$name" in ''|\#*) continue ;; esac
    n=$((n + 1))
    file="$name.trace"
    db="$T/$name.db"
    why=""
    # Import from inside the corpus so that messages name "NAME.trace".
    (cd "$corpus" && timeout 20 "$SROTRACE" record -o "$db" --json "$file") \
        >"$T/out" 2>"$T/err"
    got_exit=$?
    [ "$got_exit" -eq 124 ] && why="$why; hung (killed after 20 s)"
    [ "$got_exit" -ne "$want_exit" ] && why="$why; exit $got_exit, want $want_exit"
    if grep -Eq 'Sanitizer|runtime error|Segmentation|Aborted' "$T/err"; then
        why="$why; crashed"
    fi
    for kv in records=$records groups=$groups \
              incomplete_groups=$incomplete orphan_writes=$orphans \
              stray_records=$stray bad_records=$bad lost_records=$lost \
              unknown_records=$unknown bytes_unused=$unused \
              tsc_resets=$resets problems=$problems; do
        k=${kv%%=*} v=${kv#*=}
        g=$(json "$k")
        [ "$g" = "$v" ] || why="$why; $k $g, want $v"
    done
    [ "$(json status)" = '"complete"' ] || why="$why; status $(json status)"
    rows=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM fault_groups) || ' ' ||
                                 (SELECT count(*) FROM fault_groups
                                  WHERE complete = 0) || ' ' ||
                                 (SELECT count(*) FROM dev_writes) || ' ' ||
                                 (SELECT count(*) FROM dev_writes
                                  WHERE grp IS NULL)" 2>&1)
    [ "$rows" = "$groups $incomplete $writes $orphans" ] ||
        why="$why; rows (groups incomplete writes orphans) $rows, want $groups $incomplete $writes $orphans"
    # What was kept must not trip up the commands that read it.
    for cmd in "replay --quiet" report; do
        # shellcheck disable=SC2086
        timeout 20 "$SROTRACE" $cmd "$db" >"$T/out2" 2>"$T/err2"
        rc=$?
        [ "$rc" -eq 0 ] || why="$why; $cmd: exit $rc: $(head -n 1 "$T/err2")"
    done
    integ=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
    [ "$integ" = ok ] || why="$why; integrity_check: $integ"
    if [ -n "$regex" ]; then
        first=$(head -n 1 "$T/err")
        echo "$first" | grep -Eq -- "^$regex" ||
            why="$why; first diagnostic '$first', want /^$regex/"
        # The run row keeps it as its error, too.
        err=$(sqlite3 "$db" 'SELECT error FROM runs' 2>&1)
        echo "$err" | grep -Eq -- "^$regex" ||
            why="$why; runs.error '$err', want /^$regex/"
    elif [ -s "$T/err" ]; then
        why="$why; unexpected stderr: $(head -n 1 "$T/err")"
    fi
    if [ -z "$why" ]; then
        ok "$name"
    else
        not_ok "$name"
        echo "$why" | sed 's/^; //; s/; /\n/g' | sed 's/^/#   /'
        sed 's/^/#   stderr: /' "$T/err" | head -n 5
    fi
    rm -f "$db" "$db-wal" "$db-shm"
done <"$manifest"

check_eq "the manifest lists at least 40 damaged traces" \
    "$([ "$n" -ge 41 ] && echo yes)" yes
