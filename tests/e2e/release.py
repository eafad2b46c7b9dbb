#!/usr/bin/env python3
"""Runs a part of the end-to-end suite against the release build.

usage: release.py SOURCE_ROOT [BUILD_DIR]   (BUILD_DIR defaults to SOURCE_ROOT/build)

The sanitizer build finds memory errors, but the binary people run is built
without sanitizers, with the production allocator, and fails differently (a
stack overflow that ASan reports as an error kills a release server). This
brings BUILD_DIR's zek up to date (`ninja -C BUILD_DIR zek`; `make test` sets
the folder up as `make build` does) and runs MODULES against it. Skips (77)
when BUILD_DIR is not configured; fails when it is a sanitizer build."""

import json
import os
import subprocess
import sys

MODULES = ["solo_formflood", "test_forms", "test_portal", "test_requests"]


def main():
    root = os.path.abspath(sys.argv[1])
    build = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "build"))
    if not os.path.exists(os.path.join(build, "build.ninja")):
        print("no release build in %s: `make test` (or `meson setup build`) sets it up" % build)
        return 77
    with open(os.path.join(build, "meson-info", "intro-buildoptions.json")) as f:
        opts = {o["name"]: o["value"] for o in json.load(f)}
    if opts.get("b_sanitize") not in ("none", [], None):
        print("%s is a sanitizer build (b_sanitize=%s), not a release build" % (build, opts["b_sanitize"]))
        return 1
    subprocess.run(["ninja", "-C", build, "zek"], check=True)
    binary = os.path.join(build, "zek")
    return subprocess.run([sys.executable, os.path.join(root, "tests/e2e/run.py"), binary] + MODULES).returncode


if __name__ == "__main__":
    sys.exit(main())
