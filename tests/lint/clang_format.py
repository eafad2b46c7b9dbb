#!/usr/bin/env python3
"""clang_format.py ROOT [--list]: every C file in src/ is as clang-format
14 would write it (.clang-format at the root), issue 21. --list prints
the files that do not pass today.

Version 14 (Debian 12's clang-format-14, a package `make test` installs)
is asked for by name: other versions format some lines differently.
$CLANG_FORMAT names another binary."""

import concurrent.futures
import os
import shutil
import subprocess
import sys


def sources(root):
    out = []
    for folder, _, files in os.walk(os.path.join(root, "src")):
        for name in files:
            if name.endswith((".c", ".h")):
                path = os.path.join(folder, name)
                out.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return sorted(out)


def failing(root, tool, files):
    """(file, clang-format's complaint) of each of `files` it would change."""
    def check(f):
        r = subprocess.run([tool, "--dry-run", "--Werror", "--style=file",
                            f], cwd=root, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        return (f, r.stderr) if r.returncode != 0 else None

    # One call per file (its exit status says whether that file passes),
    # a few at a time.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return [r for r in pool.map(check, files) if r is not None]


def main():
    root = sys.argv[1]
    tool = os.environ.get("CLANG_FORMAT") or shutil.which("clang-format-14")
    if tool is None:
        print("not ok - clang-format-14 is missing (Debian package "
              "clang-format-14; `make deps-test-apt` installs it)")
        return 1
    files = sources(root)
    if "--list" in sys.argv[2:]:
        for f, _ in failing(root, tool, files):
            print(f)
        return 0
    bad = 0
    for f, why in failing(root, tool, files):
        print("not ok - %s is not formatted as .clang-format says: run "
              "`%s -i %s`" % (f, os.path.basename(tool), f))
        sys.stdout.write("".join("# " + line + "\n"
                                 for line in why.splitlines()[:12]))
        bad += 1
    if not bad:
        print("ok - %d files formatted as .clang-format says" % len(files))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
