#!/usr/bin/env python3
"""raw_html.py ROOT: every unescaped output of an HTML template is one
that was looked at. Mustache escapes {{x}}; {{{x}}} and {{&x}} do not, so
each of those in templates/ (but the plain-text mails) must stand in
tests/lint/raw_html.txt with the reason it is safe, and that list may name
nothing the templates no longer have."""

import os
import re
import sys

RAW = re.compile(r"\{\{\{\s*([^}\s]+)\s*\}\}\}|\{\{&\s*([^}\s]+)\s*\}\}")


def found(root):
    seen = set()
    for folder, _, files in os.walk(os.path.join(root, "templates")):
        rel = os.path.relpath(folder, root)
        if rel.replace(os.sep, "/").startswith("templates/mail/text"):
            continue
        for name in files:
            if not name.endswith(".mustache"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                for m in RAW.finditer(f.read()):
                    seen.add((os.path.relpath(path, root).replace(os.sep, "/"),
                              m.group(1) or m.group(2)))
    return seen


def listed(root):
    out = set()
    with open(os.path.join(root, "tests", "lint", "raw_html.txt"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or not parts[2].strip():
                sys.exit("raw_html.txt:%d: want template, variable and why, tab-separated" % n)
            out.add((parts[0], parts[1]))
    return out


def main():
    root = sys.argv[1]
    seen, ok = found(root), listed(root)
    bad = False
    for t, v in sorted(seen - ok):
        print("not ok - %s outputs {{{%s}}} unescaped: escape it, or say in "
              "tests/lint/raw_html.txt why it is safe" % (t, v))
        bad = True
    for t, v in sorted(ok - seen):
        print("not ok - tests/lint/raw_html.txt lists %s %s, which no template has" % (t, v))
        bad = True
    if not bad:
        print("ok - %d unescaped outputs, each with its reason" % len(seen))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
