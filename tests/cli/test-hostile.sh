#!/bin/sh
# test-hostile.sh - hostile names end up escaped in every output format.
#
# A trace file name, a host name, a Xen version, PCI device names (from
# srotrace's own device-list format and from lspci output) and a model
# plugin's name and path carry markup (<script>, "><img onerror=...>),
# quotes, backslashes, a newline, a terminal escape sequence and other
# control characters. The same capture is recorded once with these names
# and once with plain ones, then every output is checked by
# tests/cli/hostile-check.py (python3):
#   JSON   runs, report, audit, devices list, replay, timeline --json
#          parse, and give back each hostile string exactly;
#   CSV    audit --csv parses (RFC 4180) into rows of equal width, the
#          device field gives back the name exactly, and a name a
#          spreadsheet would run as a formula is defused with a quote;
#   HTML   report --html has exactly the elements and attributes of the
#          plain report (the names added no markup), shows the names as
#          text, and holds no raw control character;
#   text   runs, report, audit, devices list, replay, timeline print no
#          escape sequence or other control character.
# Then the sources are audited for SQL built from strings: every query
# must bind its values (sqlite3_bind_*), so no format string near SQL.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null; then
    ok "# SKIP python3 is missing"
    exit 0
fi
conf="$SHARED_DIR/conformance/verdicts-basic.trace"
[ -f "$conf" ] || { not_ok "conformance trace $conf exists"; exit 1; }

esc=$(printf '\033')
# No '/' in a file name; the rest is fair game.
h_file=$(printf 'ev%s[31mil"><img src=x onerror=alert(1)><script>alert(2)<\\script>'"'"'q\\b\nl\001.trace' "$esc")
h_host='"><img src=x onerror=alert(3)>'
h_xen=$(printf '4.21<b>&amp;"\t%s[2J' "$esc")
h_dev=$(printf '<script>alert("dev")</script> \\ & %s]0;pwned\a x' "$esc")
h_formula='=HYPERLINK("http://x","click")'
h_lspci='Evil <img src=x onerror=alert(4)> "Corp" Controller'
h_model=$(printf 'evil<svg onload=alert(5)>"'"'"'\\\t%s[2J' "$esc")
h_dir=$(printf 'plug<i>"'"'"' in')

# make_db DIR FILE HOST XEN DEV FORMULA LSPCI MODEL PLUGDIR: record the
# conformance capture as DIR/FILE, import three devices, replay it
# through a plugin named MODEL at DIR/PLUGDIR/model.so, and write every
# output into DIR/out.* (exit statuses in DIR/status).
make_db() {
    d=$1
    mkdir -p "$d/$9"
    cp "$conf" "$d/$2"
    : >"$d/status"
    run() { # name command...: stdout to out.NAME, status noted
        n=$1; shift
        (cd "$d" && "$@") >"$d/out.$n" 2>"$d/err.$n"
        echo "$n $?" >>"$d/status"
    }
    run record "$SROTRACE" record -o h.db --host "$3" --xen-version "$4" "$2"
    # srotrace's own device list: the name is quoted, \" and \\ escaped.
    q=$(printf '%s' "$5" | sed 's/\\/\\\\/g; s/"/\\"/g')
    f=$(printf '%s' "$6" | sed 's/\\/\\\\/g; s/"/\\"/g')
    printf 'DEVICE 0000:00:14.0 "%s" 8086:a36d 0c0330\nregion 0xfe100000 4K xhci-dbc 0\nDEVICE 0000:00:15.0 "%s" 8086:a36e 0c0330\nregion 0xfe101000 4K xhci-dbc 0\n' \
        "$q" "$f" >"$d/devices.txt"
    run import "$SROTRACE" devices import devices.txt h.db
    printf '00:16.0 Serial bus controller [0c80]: %s [8086:1234] (rev 01)\n\tRegion 0: Memory at fe200000 (64-bit, non-prefetchable) [size=4K]\n' \
        "$7" >"$d/lspci.txt"
    run lspci "$SROTRACE" devices import lspci.txt h.db --format lspci
    if [ -n "$plugin_src" ]; then
        # The name as a C string of octal escapes, between the halves.
        cname=$(printf '%s' "$8" | od -An -v -to1 | tr -s ' \n' '  ' |
                sed 's/ *\([0-7][0-7]*\)/\\\1/g; s/ //g')
        { sed '/@NAME@/,$d' "$plugin_src"
          printf '    .name = "%s",\n' "$cname"
          sed '1,/@NAME@/d' "$plugin_src"; } >"$d/$9/model.c"
        if ${CC:-cc} -shared -fPIC -I"$SROTRACE_SRCDIR" -o "$d/$9/model.so" \
                "$d/$9/model.c" 2>"$d/err.cc"; then
            run replay_json "$SROTRACE" replay h.db --model "./$9/model.so" --json
            run replay "$SROTRACE" replay h.db --model "./$9/model.so"
        fi
    fi
    [ -s "$d/out.replay" ] || {
        run replay_json "$SROTRACE" replay h.db --json
        run replay "$SROTRACE" replay h.db
    }
    run runs "$SROTRACE" runs h.db
    run runs_json "$SROTRACE" runs h.db --json
    run report "$SROTRACE" report h.db --html report.html
    run report_json "$SROTRACE" report h.db --json
    run audit "$SROTRACE" audit h.db
    run audit_json "$SROTRACE" audit h.db --json
    run audit_csv "$SROTRACE" audit h.db --csv
    run devices "$SROTRACE" devices list h.db
    run devices_json "$SROTRACE" devices list h.db --json
    run timeline "$SROTRACE" timeline h.db --domain 1
    run timeline_json "$SROTRACE" timeline h.db --domain 1 --json
}

# A model plugin whose name is @NAME@: it drops every store (a valid,
# simple prediction); only its name matters here.
plugin_src=""
if command -v "${CC:-cc}" >/dev/null; then
    plugin_src="$T/plugin.c.in"
    cat >"$plugin_src" <<'EOF'
#include "core/model.h"

static int predict(const struct sro_model *m,
                   const struct sro_model_input *in,
                   struct sro_prediction *out)
{
    (void)m;
    out->done.outcome = SRO_RETIRED;
    out->done.nwrites = 1;
    sro_pred_add_write(out, in->fault->mfn, in->fault->gpa & 0xfff,
                       in->insn->valid ? in->insn->width : 0,
                       SRO_DROPPED_RO, in->fault->gpa & 0xfff);
    return 0;
}

static const struct sro_model model = {
    .abi_version = SRO_MODEL_ABI_VERSION,
    .name = "@NAME@",
    .summary = "drops every store",
    .predict = predict,
};

sro_model_plugin_fn sro_model_plugin;

const struct sro_model *sro_model_plugin(unsigned int abi_version)
{
    return abi_version == SRO_MODEL_ABI_VERSION ? &model : NULL;
}
EOF
fi

make_db "$T/hostile" "$h_file" "$h_host" "$h_xen" "$h_dev" "$h_formula" \
    "$h_lspci" "$h_model" "$h_dir"
make_db "$T/plain" "plain.trace" "host1" "4.21.0" "xhci one" "xhci two" \
    "Plain Controller" "plain-model" "plugdir"

# Every command ran.
for d in hostile plain; do
    bad=$(awk '$2 != 0' "$T/$d/status")
    check_eq "$d names: every command exits 0" "$bad" ""
    [ -z "$bad" ] || for n in $(echo "$bad" | cut -d' ' -f1); do
        sed 's/^/#   /' "$T/$d/err.$n" | head -n 3
    done
done
[ -n "$plugin_src" ] && [ -s "$T/hostile/$h_dir/model.so" ] ||
    ok "# SKIP plugin names: no C compiler"

export H_FILE="$h_file" H_HOST="$h_host" H_XEN="$h_xen" H_DEV="$h_dev" \
       H_FORMULA="$h_formula" H_LSPCI="$h_lspci" H_MODEL="$h_model" \
       H_DIR="$h_dir"
python3 "$SROTRACE_SRCDIR/tests/cli/hostile-check.py" "$T/hostile" \
    "$T/plain" >"$T/py.out" 2>"$T/py.err"
[ -s "$T/py.err" ] && { not_ok "hostile-check.py ran"; sed 's/^/#   /' "$T/py.err"; }
while IFS='|' read -r verdict what detail; do
    if [ "$verdict" = ok ]; then ok "$what"
    else not_ok "$what"; [ -n "$detail" ] && echo "#   $detail"; fi
done <"$T/py.out"

# SQL is never assembled from strings: no printf-family call formats text
# with an SQL keyword in it (values are bound with sqlite3_bind_*). The one
# exception: PRAGMA takes no bound parameter, so db/db.c formats the
# integer page count of `max_page_count` (a number, never a string).
sqlfmt=$(cd "$SROTRACE_SRCDIR" && grep -nE \
    '(printf|sprintf|snprintf|asprintf|mprintf)\([^;]*"[^"]*\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|PRAGMA|WHERE|VALUES)\b' \
    -- */*.c */*/*.c 2>/dev/null |
    grep -vE '^(tests|fuzz)/' |
    grep -v '"PRAGMA max_page_count = %llu"')
check_eq "no SQL text built with a printf-family function" "$sqlfmt" ""
# Nor with sqlite's own quoting (%q, %Q, %w), which would hide the same.
quoted=$(cd "$SROTRACE_SRCDIR" && grep -nE 'sqlite3_(v?mprintf|snprintf|str_appendf)' \
    -- */*.c */*/*.c 2>/dev/null | grep -vE '^(tests|fuzz)/')
check_eq "no SQL built with sqlite3_mprintf quoting" "$quoted" ""
