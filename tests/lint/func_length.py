#!/usr/bin/env python3
"""func_length.py ROOT [--list]: no C function in src/ is longer than
LIMIT lines, but those in tests/lint/long_functions.txt, and that list only
shrinks (STYLE.md: small functions; issue 21).

A function's length is the number of lines strictly between the line of
the opening brace of its body and the line of its closing brace: blank
lines and comments inside count, the signature and the braces do not. So
a function whose body is `{`, 80 lines, `}` is 80 long and passes.

Functions are found by a scanner that drops comments, string and char
literals and preprocessor lines, then matches braces: a `{` at file level
whose preceding declaration ends with `)` (and has no `=`) opens a
function body; its name is the identifier before the declaration's first
top-level `(`.

long_functions.txt has one `path:function length` a line (# comments):
a listed function may not grow beyond its recorded length, one that
shrank gets its new length written down, and one that is LIMIT or
shorter now, or gone, must leave the list. --list prints the
lines the list would have today."""

import os
import re
import sys

LIMIT = 80
ALLOW = os.path.join("tests", "lint", "long_functions.txt")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip(text):
    """The code of a C file with comments, literals and preprocessor lines
    blanked out (newlines kept, so offsets map to the same lines)."""
    out = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c in " \t":
            out.append(c)
            i += 1
            continue
        if line_start and c == "#":
            # A directive, with its continuation lines.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            continue
        line_start = False
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
            continue
        if c == "\n":
            line_start = True
        out.append(c)
        i += 1
    return "".join(out)


def name_of(decl):
    """The function name in a declaration `static int\\nfoo(int a)`, or
    None when decl does not look like a function definition."""
    decl = decl.strip()
    if not decl.endswith(")") or "=" in decl:
        return None
    depth = 0
    for k, c in enumerate(decl):
        if c == "(":
            if depth == 0:
                names = IDENT.findall(decl[:k])
                return names[-1] if names else None
            depth += 1
        elif c == ")":
            depth -= 1
    return None


def functions(path):
    """(name, length, line) of every function defined in the file."""
    with open(path, encoding="utf-8") as f:
        code = strip(f.read())
    found = []
    depth, decl_from, body = 0, 0, None
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0:
                name = name_of(code[decl_from:i])
                body = (name, i) if name else None
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                sys.exit("%s: unbalanced braces near line %d"
                         % (path, code.count("\n", 0, i) + 1))
            if depth == 0:
                if body:
                    first = code.count("\n", 0, body[1])
                    last = code.count("\n", 0, i)
                    found.append((body[0], last - first - 1, first + 1))
                body = None
                decl_from = i + 1
        elif c == ";" and depth == 0:
            decl_from = i + 1
    if depth != 0:
        sys.exit("%s: unbalanced braces" % path)
    return found


def measured(root):
    """{"path:function": length} of every function in src/."""
    out = {}
    for folder, _, files in os.walk(os.path.join(root, "src")):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            for fn, length, _ in functions(path):
                key = "%s:%s" % (rel, fn)
                # Two definitions of one name (#if branches): the longer.
                out[key] = max(length, out.get(key, 0))
    return out


def listed(root):
    out = {}
    with open(os.path.join(root, ALLOW), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 2 or ":" not in parts[0] or not parts[1].isdigit():
                sys.exit("%s:%d: want `path:function length`" % (ALLOW, n))
            out[parts[0]] = int(parts[1])
    return out


def main():
    root = sys.argv[1]
    seen = measured(root)
    long = {k: v for k, v in seen.items() if v > LIMIT}
    if "--list" in sys.argv[2:]:
        for key, length in sorted(long.items()):
            print("%s %d" % (key, length))
        return 0
    ok = listed(root)
    bad = 0
    for key, length in sorted(long.items()):
        if key not in ok:
            print("not ok - %s is %d lines (limit %d): split it into "
                  "well-named helpers" % (key, length, LIMIT))
            bad += 1
        elif length > ok[key]:
            print("not ok - %s grew from %d to %d lines: %s may only "
                  "shrink; split it instead" % (key, ok[key], length, ALLOW))
            bad += 1
        elif length < ok[key]:
            # The number follows the function down, so it cannot grow
            # back unseen.
            print("not ok - %s shrank from %d to %d lines: write %d in %s"
                  % (key, ok[key], length, length, ALLOW))
            bad += 1
    for key, was in sorted(ok.items()):
        if key in long:
            continue
        now = seen.get(key)
        print("not ok - %s lists %s (%d lines), which is %s now: remove "
              "the line" % (ALLOW, key, was,
                            "gone" if now is None else "%d lines" % now))
        bad += 1
    if not bad:
        print("ok - no function over %d lines but the %d listed in %s"
              % (LIMIT, len(ok), ALLOW))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
