#!/usr/bin/env python3
"""hostile-check.py HOSTILE_DIR PLAIN_DIR - the checks of test-hostile.sh.

Each directory holds the outputs (out.NAME) of every srotrace command over
one database: HOSTILE_DIR's names carry markup, quotes, backslashes and
control characters (given in the environment: H_FILE, H_HOST, H_XEN,
H_DEV, H_FORMULA, H_LSPCI, H_MODEL, H_DIR), PLAIN_DIR's are plain. Prints
one line per check: "ok|what" or "not ok|what|detail".
"""
import csv
import html.parser
import io
import json
import os
import re
import sys

hostile, plain = sys.argv[1], sys.argv[2]
H = {k: os.environ[k] for k in ("H_FILE", "H_HOST", "H_XEN", "H_DEV",
                                 "H_FORMULA", "H_LSPCI", "H_MODEL",
                                 "H_DIR")}
plugin = os.path.exists(os.path.join(hostile, H["H_DIR"], "model.so"))


def report(good, what, detail=""):
    detail = detail.replace("\n", "\\n").replace("|", "/")[:300]
    print("ok|%s" % what if good else "not ok|%s|%s" % (what, detail))


def read(d, name, mode="r"):
    with open(os.path.join(d, "out." + name) if "." not in name
              else os.path.join(d, name), mode) as f:
        return f.read()


def strings(v):
    """Every string inside a parsed JSON value."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


# ---- JSON: valid, and every hostile string comes back exactly ----

WANT_JSON = {
    "runs_json": ["H_FILE", "H_HOST", "H_XEN"],
    "report_json": ["H_FILE"],
    "audit_json": ["H_FILE"],
    "devices_json": ["H_DEV", "H_FORMULA", "H_LSPCI"],
    "replay_json": ["H_MODEL"] if plugin else [],
    "timeline_json": [],               # carries no run source
}
for name, keys in WANT_JSON.items():
    text = read(hostile, name)
    try:
        doc = json.loads(text)
    except ValueError as e:
        report(False, "%s: valid JSON" % name, str(e))
        continue
    report(True, "%s: valid JSON" % name)
    found = set(strings(doc))
    for k in keys:
        # Exactly, or as the start of a longer label ("NAME (SBDF)").
        hit = H[k] in found or any(s.startswith(H[k]) for s in found)
        report(hit, "%s: %s comes back exactly" % (name, k),
               "not among: %r" % sorted(found)[:12])

# ---- CSV: parses, fields come back, formulas defused ----

text = read(hostile, "audit_csv")
rows = list(csv.reader(io.StringIO(text, newline="")))
width = {len(r) for r in rows}
report(len(rows) > 1 and len(width) == 1,
       "audit --csv: every row has the header's width", "widths %r" % width)
header = rows[0] if rows else []
dev = header.index("device") if "device" in header else None
devs = {r[dev] for r in rows[1:]} if dev is not None else set()
report(any(d.startswith(H["H_DEV"]) for d in devs),
       "audit --csv: the device name comes back exactly", "got %r" % devs)
report(not any(d.startswith(("=", "+", "-", "@")) for d in devs),
       "audit --csv: no field starts a spreadsheet formula", "got %r" % devs)
report(any(d.startswith("'" + H["H_FORMULA"]) for d in devs),
       "audit --csv: a formula-like name is defused with a leading '",
       "got %r" % devs)


# ---- HTML: no markup added, names shown as text, no controls ----

class Shape(html.parser.HTMLParser):
    """The elements and attribute names of a document, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(a for a, _ in attrs))))
        self.text.extend(v for _, v in attrs if v)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def shape(d):
    p = Shape()
    p.feed(read(d, "report.html"))
    p.close()
    return p


hs, ps = shape(hostile), shape(plain)
extra = [t for t in set(hs.tags) if hs.tags.count(t) != ps.tags.count(t)]
report(not extra, "report --html: the hostile names add no element or "
       "attribute", "differs: %r" % sorted(extra)[:8])
report(not any(t[0] in ("img", "svg") and "onerror" in t[1] or
               "onload" in t[1] for t in hs.tags),
       "report --html: no event handler attribute")
alltext = "".join(hs.text)
# Control characters are shown as U+FFFD; compare what precedes them.
for k in ("H_FILE", "H_DEV"):
    visible = re.split(r"[\x00-\x08\x0b-\x1f\x7f]", H[k])
    longest = max(visible, key=len)
    report(longest in alltext,
           "report --html: %s is shown as text" % k, "no %r" % longest)
raw = read(hostile, "report.html", "rb")
ctl = sorted({c for c in raw if c < 0x20 and c not in (9, 10, 13)} |
             ({0x7f} if 0x7f in raw else set()))
report(not ctl, "report --html: no raw control character",
       "bytes %r" % ctl)

# ---- Text: nothing a terminal would act on ----

for name in ("runs", "report", "audit", "devices", "replay", "timeline",
             "record"):
    raw = read(hostile, name, "rb")
    bad = sorted({c for c in raw if (c < 0x20 and c not in (9, 10)) or
                  c == 0x7f})
    report(not bad, "%s: text output holds no control character" % name,
           "bytes %r in: %r" % (bad, raw[:200]))
