#!/usr/bin/env python3
"""settings_doc.py ROOT ZEK: the documents that name settings say what
`zek settings` says (src/settings.c, issue 21).

README.md's table of settings (under "Configuration"): every setting has
a row, every key in the table is a setting, and each row names the keys'
variables (ZEK_<KEY>) and flags as the table has them. The key column may
explain a key in parentheses; the keys are the backticked words outside
them.

docs/internals/limits.md: each `key` = DEFAULT names a setting and its
default (a number, optionally in KiB/MiB/GiB, or in s or ms as the
setting's help says, then any unit word); every
numeric setting the page names has its default stated once at least; every size
or count setting (max_*, *_bytes) is on the page; a field of struct
config (src/core/config.h) that is no setting is not named as if it were
one; and each backticked constant that src/ #defines is named on a line
that also names the file defining it (`src/x/y.h`), so the limits
compiled in say where they live."""

import os
import re
import subprocess
import sys

HEADER = "| file key | environment | flag | default |"


def table_rows(readme):
    lines = readme.split("\n")
    start = lines.index(HEADER) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in
                     re.split(r"(?<!\\)\|", line.strip().strip("|"))])
    return rows


def outside_parens(text):
    while True:
        shorter = re.sub(r"\([^()]*\)", "", text)
        if shorter == text:
            return text
        text = shorter


def backticked(text):
    return re.findall(r"`([^`]+)`", text)


def settings_table(zek):
    """key -> (env, flag or None, default, help, numeric) from `zek
    settings`; numeric: a number in a range (lo..hi)."""
    out = subprocess.run([zek, "settings"], check=True, capture_output=True,
                         text=True).stdout
    table = {}
    for line in out.splitlines():
        key, env, flag, default, values, help_text = line.split("\t")[:6]
        table[key] = (env, None if flag == "-" else flag, default, help_text,
                      ".." in values)
    return table


def readme_problems(root, table):
    with open(f"{root}/README.md", encoding="utf-8") as f:
        rows = table_rows(f.read())
    problems, seen = [], set()
    for cols in rows:
        keys = backticked(outside_parens(cols[0]))
        envs = backticked(cols[1])
        flags = backticked(cols[2])
        for key in keys:
            if key not in table:
                problems.append(f"README.md: `{key}` is no setting")
            elif key in seen:
                problems.append(f"README.md: `{key}` has two rows")
            seen.add(key)
        known = [k for k in keys if k in table]
        want_envs = [table[k][0] for k in known]
        if envs != want_envs:
            problems.append(f"README.md: {', '.join(keys)}: environment "
                            f"{envs}, want {want_envs}")
        want_flags = [table[k][1] for k in known if table[k][1]]
        if flags != want_flags:
            problems.append(f"README.md: {', '.join(keys)}: flags {flags}, "
                            f"want {want_flags}")
    for key in table:
        if key not in seen:
            problems.append(f"README.md: the setting `{key}` has no row")
    return problems


LIMITS = "docs/internals/limits.md"
UNITS = {"": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
STATED = re.compile(r"`([a-z][a-z0-9_]*)` = ([0-9][0-9,]*)"
                    r"(?: (KiB|MiB|GiB|ms|s)\b)?")
TIME_UNITS = ("ms", "s")
CONSTANT = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`")


def is_size_or_count(key, help_text):
    return key.startswith("max_") or help_text.endswith(", bytes")


def config_fields(root):
    """The fields of struct config (src/core/config.h)."""
    with open(f"{root}/src/core/config.h", encoding="utf-8") as f:
        text = f.read()
    body = text[text.index("struct config {"):]
    body = body[:body.index("\n};")]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return set(re.findall(r"(\w+);", body))


def defines(root):
    """constant -> the file under src/ that #defines it."""
    out = {}
    for folder, _, files in os.walk(f"{root}/src"):
        for name in files:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                for m in re.finditer(r"^#define ([A-Z][A-Z0-9_]*)\b", f.read(),
                                     re.M):
                    out.setdefault(m.group(1), os.path.relpath(path, root))
    return out


def limits_problems(root, table):
    with open(f"{root}/{LIMITS}", encoding="utf-8") as f:
        lines = f.read().split("\n")
    problems, named, stated = [], set(), set()
    fields, where = config_fields(root), defines(root)
    for n, line in enumerate(lines, 1):
        at = f"{LIMITS}:{n}"
        for m in STATED.finditer(line):
            key, number, unit = m.group(1), m.group(2), m.group(3) or ""
            if key not in table:
                problems.append(f"{at}: `{key}` = ... is no setting")
                continue
            if unit in TIME_UNITS:
                if not table[key][3].endswith(f", {unit}"):
                    problems.append(f"{at}: `{key}` = {number} {unit}: "
                                    f"the setting is not in {unit}")
                unit = ""
            value = int(number.replace(",", "")) * UNITS[unit]
            if str(value) != table[key][2]:
                problems.append(f"{at}: `{key}` = {number} {unit}: the "
                                f"default is {table[key][2]}")
            stated.add(key)
        for word in backticked(line):
            if word in table:
                named.add(word)
            elif word in fields:
                problems.append(f"{at}: `{word}` is no setting (a field "
                                f"of struct config fixed in code)")
        for const in CONSTANT.findall(line):
            path = where.get(const)
            if path is not None and path[len("src/"):] not in line:
                problems.append(f"{at}: `{const}` is defined in {path}; "
                                f"name the file on its line")
    for key in sorted(k for k in named - stated if table[k][4]):
        problems.append(f"{LIMITS}: `{key}` is named, but never as "
                        f"`{key}` = its default")
    for key, (_, _, _, help_text, _) in table.items():
        if is_size_or_count(key, help_text) and key not in stated:
            problems.append(f"{LIMITS}: the size or count setting `{key}` "
                            f"is missing (`{key}` = {table[key][2]})")
    return problems


def main():
    root, zek = sys.argv[1], sys.argv[2]
    table = settings_table(zek)
    problems = readme_problems(root, table) + limits_problems(root, table)
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(table)} settings, each in README.md's table; "
              f"{LIMITS} agrees")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
