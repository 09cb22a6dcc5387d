# test-live.sh - `srotrace record --live` on a machine without Xen.
#
# It must say exactly what is missing, exit non-zero within a second, and
# leave the database alone: an existing one keeps every byte (sha256
# before and after), a missing one is not created. Bad live options are
# usage errors (129) whatever the host. On a real Xen host the no-Xen
# checks are skipped (the capture would start).
. "$(dirname "$0")/lib.sh"

trace=$SHARED_DIR/conformance/recorder-basic.trace
db=$T/live.db

now_ms() { date +%s%3N; }

if [ -e /dev/xen/privcmd ] || [ -e /proc/xen/privcmd ]; then
    for i in 1 2 3 4 5 6 7 8; do ok "# skip: this host has Xen"; done
else
    # An existing database, made by a normal import.
    check "a database to protect" "$SROTRACE" record -o "$db" "$trace"
    before=$(sha256sum "$db" | cut -d' ' -f1)
    files_before=$(ls "$T" | sort | tr '\n' ' ')

    t0=$(now_ms)
    "$SROTRACE" record --live -o "$db" -T 5 >"$T/out" 2>"$T/err"
    rc=$?
    t1=$(now_ms)
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 129 ]; then ok "--live fails (exit $rc)"
    else not_ok "--live fails (exit $rc)"; fi
    check_eq "--live gives up within a second" \
        "$([ $((t1 - t0)) -lt 1000 ] && echo yes || echo "no: $((t1 - t0)) ms")" \
        yes
    check_grep "the message says what is missing" \
        "^srotrace record: --live: not running on Xen: neither /dev/xen/privcmd nor /proc/xen/privcmd exists" \
        "$T/err"
    check_eq "the database is untouched" \
        "$(sha256sum "$db" | cut -d' ' -f1)" "$before"
    check_eq "no file appeared beside it" \
        "$(ls "$T" | sort | tr '\n' ' ')" "$files_before"

    "$SROTRACE" record --live -o "$T/none.db" >"$T/out" 2>"$T/err"
    check_eq "a missing database is not created" \
        "$([ -e "$T/none.db" ] && echo created || echo absent)" absent
    check_eq "nothing on standard output" "$(cat "$T/out")" ""
fi

check_exit 129 "--live takes no trace file" \
    "$SROTRACE" record --live -o "$db" "$trace"
check_grep "... and says so" "--live takes no TRACE argument" "$T/err"
check_exit 129 "a bad -c is a usage error" \
    "$SROTRACE" record --live -o "$db" -c 3-1
check_grep "... naming the mask" "CPU mask '3-1': range 3-1 runs backwards" \
    "$T/err"
check_exit 129 "a bad -T is a usage error" \
    "$SROTRACE" record --live -o "$db" -T soon
check_exit 129 "-S over 65535 pages is a usage error" \
    "$SROTRACE" record --live -o "$db" -S 65536
check_exit 129 "-T without --live is a usage error" \
    "$SROTRACE" record -o "$db" -T 3 "$trace"
