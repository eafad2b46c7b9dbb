#!/usr/bin/env python3
"""Both languages' catalogs hold the same keys, and every key that a
template (t.KEY) or the C code (web_t(rq, "KEY"), "err_..." keys) uses
exists in them. Prints 'N passed, N failed'."""

import glob
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."


def read_po(path):
    keys = {}
    msgid = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r'msgid "(.*)"$', line)
            if m:
                msgid = m.group(1)
                continue
            m = re.match(r'msgstr "(.*)"$', line)
            if m and msgid:
                keys[msgid] = m.group(1)
                msgid = None
    return keys


def catalog(lang):
    keys = {}
    for p in sorted(glob.glob(os.path.join(ROOT, "po", lang, "*.po"))):
        keys.update(read_po(p))
    return keys


def used_keys():
    used = set()
    for p in glob.glob(os.path.join(ROOT, "templates", "**", "*.mustache"), recursive=True):
        with open(p, encoding="utf-8") as f:
            used |= {(k, p) for k in re.findall(r"\{\{[#^/&{]?\s*t\.([A-Za-z0-9_]+)", f.read())}
    for p in glob.glob(os.path.join(ROOT, "src", "**", "*.c"), recursive=True):
        with open(p, encoding="utf-8") as f:
            text = f.read()
        used |= {(k, p) for k in re.findall(r'web_t\(\s*rq\s*,\s*"([A-Za-z0-9_]+)"', text)}
        used |= {(k, p) for k in re.findall(r'"(err_[a-z0-9_]+)"', text)}
    return used


def main():
    de, en = catalog("de"), catalog("en")
    failures = []
    if not de or not en:
        failures.append("catalogs missing")
    for k in sorted(set(de) ^ set(en)):
        failures.append("key %s is in only one language" % k)
    for k in sorted(set(de) | set(en)):
        if not de.get(k) or not en.get(k):
            failures.append("key %s has an empty text" % k)
    for k, where in sorted(used_keys()):
        if k not in de:
            failures.append("key %s used in %s is not in the catalogs" % (k, os.path.relpath(where, ROOT)))
    for f in failures:
        print("FAIL " + f)
    checks = 3
    failed = min(checks, len(failures))
    print("%d passed, %d failed" % (checks - failed, failed))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
