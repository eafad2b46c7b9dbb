#!/usr/bin/env python3
"""settings_doc.py ROOT ZEK: README.md's table of settings (under
"Configuration") says what `zek settings` says (src/settings.c, issue 21):
every setting has a row, every key in the table is a setting, and each
row names the keys' variables (ZEK_<KEY>) and flags as the table has
them. The key column may explain a key in parentheses; the keys are the
backticked words outside them."""

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


def main():
    root, zek = sys.argv[1], sys.argv[2]
    out = subprocess.run([zek, "settings"], check=True, capture_output=True,
                         text=True).stdout
    table = {}
    for line in out.splitlines():
        key, env, flag = line.split("\t")[:3]
        table[key] = (env, None if flag == "-" else flag)
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
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(table)} settings, each in README.md's table")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
