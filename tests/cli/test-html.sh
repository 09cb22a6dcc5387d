# test-html.sh - `srotrace report --html` in a real headless browser
# (Debian's chromium): the page loads with no console error, its DOM has
# one heat map SVG of 512 qword cells per protected page, hostile strings
# from the database stay text, nothing is fetched from anywhere, and the
# screenshot is a real picture. Skipped when chromium is not installed
# (`make test` installs it: scripts/install-deps --test).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/analyzer-lib.sh"
db=$T/a.db
make_fixture_db "$db" || { not_ok "fixture database"; exit 1; }

# Hostile strings wherever the database holds free text.
sqlite3 "$db" "UPDATE devices SET name = '<script>alert(1)</script>\"''&' WHERE sbdf = '0000:00:14.0';
UPDATE runs SET source = '<img src=x onerror=alert(2)>', xen_version = '4.20.0</title><b>' WHERE id = 1;
UPDATE replays SET model = 'm\"><svg onload=alert(3)>' WHERE id = 1;"

check "report --html" "$SROTRACE" report "$db" --html "$T/r.html"
html=$T/r.html
check_eq "no script element at all" "$(grep -ci '<script' "$html")" "0"
check_eq "no injected element" "$(grep -ciE '<img|<svg onload|</title><b>' "$html")" "0"
check_eq "nothing fetched: no URL" "$(grep -ciE 'https?:|//[a-z]|@import|url\((["'"'"'])?[a-z]' "$html")" "0"
check_grep "device name escaped" '&lt;script&gt;alert\(1\)&lt;/script&gt;&quot;&#39;&amp;' "$html"
check_grep "run source escaped" '&lt;img src=x onerror=alert\(2\)&gt;' "$html"
check_eq "3 heat maps (2 pages of run 1, 1 of run 2)" \
    "$(grep -c '<svg class="heatmap"' "$html")" "3"
check_eq "512 cells per heat map" "$(grep -c '<rect class="q"' "$html")" "1536"
check_eq "8 + 512 + 8 read-only qwords hatched" \
    "$(grep -c '<rect class="ro"' "$html")" "528"
check_eq "4 qwords outlined for wrong verdicts" \
    "$(grep -c '<rect class="wrong"' "$html")" "4"
check_grep "register names on hover" \
    '<title>0x720\.\.0x727 DCCTRL\.\.DCST: 3 stores, read-only</title>' "$html"

if ! command -v chromium >/dev/null 2>&1; then
    echo "ok $((_n + 1)) # SKIP chromium is not installed"
    exit 0
fi

# chromium FLAGS...: run headless on the page, log on $T/log.
browse() {
    prof=$(mktemp -d "$T/prof.XXXXXX")
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$prof" \
        --enable-logging=stderr --v=0 "$@" "file://$html" 2>"$T/log"
}

if browse --dump-dom >"$T/dom"; then ok "chromium loads the page"
else not_ok "chromium loads the page"; tail -5 "$T/log" | sed 's/^/# /'; fi
check_eq "no console error while loading" \
    "$(grep -cE 'Uncaught|ERROR:CONSOLE|CONSOLE\(' "$T/log")" "0"
check_eq "DOM: 512 cells in each heat map" \
    "$(python3 -c 'import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.maps = []; s.inmap = 0
    def handle_starttag(s, tag, a):
        a = dict(a)
        if tag == "svg" and "heatmap" in (a.get("class") or "").split():
            s.maps.append(0); s.inmap = 1
        elif tag == "rect" and s.inmap and a.get("class") == "q":
            s.maps[-1] += 1
    def handle_endtag(s, tag):
        if tag == "svg": s.inmap = 0
p = P(); p.feed(open(sys.argv[1]).read()); print(p.maps)' "$T/dom")" \
    "[512, 512, 512]"
check_grep "DOM: hostile device name is text" \
    '&lt;script&gt;alert\(1\)&lt;/script&gt;' "$T/dom"
check_eq "DOM: no script element was created" "$(grep -ci '<script' "$T/dom")" "0"

if browse --screenshot="$T/shot.png" --window-size=1280,2000 >/dev/null &&
   [ -f "$T/shot.png" ]; then ok "screenshot taken"
else not_ok "screenshot taken"; tail -5 "$T/log" | sed 's/^/# /'; fi
size=$(wc -c <"$T/shot.png" 2>/dev/null || echo 0)
if [ "$size" -gt 60000 ]; then ok "screenshot is a real picture ($size bytes)"
else not_ok "screenshot is a real picture ($size bytes)"; fi
check_eq "PNG signature" "$(head -c 8 "$T/shot.png" | od -An -tx1 | tr -d ' ')" \
    "89504e470d0a1a0a"
