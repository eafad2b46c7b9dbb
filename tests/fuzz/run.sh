#!/bin/sh
# run.sh BINARY TARGET FUZZDIR WORKDIR: the meson test of one libFuzzer target.
# Replays every input in FUZZDIR/regress/TARGET/, then fuzzes for
# ZEK_FUZZ_SECONDS (default 8) over a copy of FUZZDIR/corpus/TARGET/ in
# WORKDIR, so the repository's corpus is never written to.
set -eu
bin=$1 target=$2 src=$3 work=$4
secs=${ZEK_FUZZ_SECONDS:-8}

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$src/corpus/$target" ]; then
	cp "$src/corpus/$target"/* "$work/corpus/" 2>/dev/null || true
fi

# Inputs that once failed, one run each (file arguments: no fuzzing).
set --
if [ -d "$src/regress/$target" ]; then
	for f in "$src/regress/$target"/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
fi
if [ $# -gt 0 ]; then
	echo "replaying $# regression inputs"
	"$bin" -timeout=30 "$@"
fi

dict=
[ -f "$src/$target.dict" ] && dict="-dict=$src/$target.dict"
# shellcheck disable=SC2086
exec "$bin" $dict -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus"
