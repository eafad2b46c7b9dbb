#!/bin/sh
# build_deb.sh SOURCE OUT: the Debian package of SOURCE, built by
# dpkg-buildpackage from a copy of the files git knows (committed or not,
# symlinks as symlinks) in OUT/src, so that SOURCE gets no obj-*/ or
# debian/zek/; the .deb lands in OUT. `make deb` (then lintian) and
# tests/package/maintainer.py (meson test 'package-root') build it so.
# DEB_BUILD_OPTIONS passes through (the test adds noddebs: no -dbgsym).
set -eu
src=$1
out=$2
rm -rf "$out"
mkdir -p "$out/src"
out=$(cd "$out" && pwd)
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 cp -P --parents -t "$out/src")
cd "$out/src"
dpkg-buildpackage -b -us -uc -j2
