#!/bin/sh
# long.sh BUILDDIR SECONDS [TARGET...]: `make fuzz`. Runs each libFuzzer
# target (all by default) for SECONDS, FUZZ_JOBS (2) at a time, under
# nice, with a working corpus kept in var/fuzz/<target>/ (seeded from
# tests/fuzz/corpus/<target>/, which is read but never written). A crash
# is saved to var/fuzz/crashes/<target>/ and the target goes on for the
# rest of its time. Logs: var/fuzz/logs/<target>.log. Ends with one line
# per target and exits 1 when any target crashed.
set -u
build=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$src/../.." && pwd)
var=${FUZZ_VAR:-$root/var/fuzz}
all="form_urlencoded multipart headers router mustache markdown api_json"
max_restarts=20     # crashes after which a target gives up early

count_files() {
	find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l
}

count_crashes() {
	find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
	    -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | wc -l
}

# One target: fuzz until its time is used up, restarting after a crash.
run_one() {
	t=$1
	bin=$build/tests/fuzz/fuzz_$t
	corpus=$var/$t
	crashes=$var/crashes/$t
	log=$var/logs/$t.log
	mkdir -p "$corpus" "$crashes" "$var/logs"
	if [ "$(count_files "$corpus")" -eq 0 ]; then
		cp "$src/corpus/$t"/* "$corpus/"
	fi
	files0=$(count_files "$corpus")
	crashes0=$(count_crashes "$crashes")
	dict=
	[ -f "$src/$t.dict" ] && dict="-dict=$src/$t.dict"
	start=$(date +%s)
	execs=0
	restarts=0
	: >"$log"
	while :; do
		left=$((secs - ($(date +%s) - start)))
		[ "$left" -gt 0 ] || break
		# shellcheck disable=SC2086
		nice -n 10 "$bin" $dict -max_total_time="$left" -timeout=30 \
		    -rss_limit_mb=2048 -print_final_stats=1 \
		    -artifact_prefix="$crashes/" "$corpus" "$src/corpus/$t" \
		    >>"$log" 2>&1
		rc=$?
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		execs=$((execs + ${n:-0}))
		# the stats lines are summed per run: keep only this run's
		sed -i 's/^stat::number_of_executed_units:/stat::counted_units:/' "$log"
		[ "$rc" -eq 0 ] && break
		restarts=$((restarts + 1))
		if [ "$restarts" -ge "$max_restarts" ] || \
		    [ "$(count_crashes "$crashes")" -eq "$crashes0" ]; then
			break   # failing without saving a crash: do not spin
		fi
	done
	last=$(grep -a 'cov: ' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	units=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	files=$(count_files "$corpus")
	found=$(($(count_crashes "$crashes") - crashes0))
	# corpus: libFuzzer's units in use, then files kept (+ new this run)
	printf '%-16s %6ss %12s execs  cov %5s  ft %6s  corpus %5s (%s files, +%s)  crashes %s\n' \
	    "$t" "$(($(date +%s) - start))" "$execs" "${cov:-?}" "${ft:-?}" \
	    "${units:-?}" "$files" "$((files - files0))" "$found" \
	    >"$var/logs/$t.summary"
}

if [ "$build" = "--one" ]; then
	# internal: xargs calls back for one target; $secs holds the build dir
	build=$secs
	secs=$1
	run_one "$2"
	exit 0
fi

[ $# -gt 0 ] || set -- $all
for t in "$@"; do
	[ -x "$build/tests/fuzz/fuzz_$t" ] || {
		echo "long.sh: no $build/tests/fuzz/fuzz_$t (meson setup -Dfuzz=true)" >&2
		exit 2
	}
	rm -f "$var/logs/$t.summary"
done
mkdir -p "$var/logs"
echo "fuzzing $* for ${secs}s each, ${FUZZ_JOBS:-2} at a time; logs in $var/logs/"
printf '%s\n' "$@" | xargs -P "${FUZZ_JOBS:-2}" -I{} "$0" --one "$build" "$secs" {}

status=0
for t in "$@"; do
	if [ -f "$var/logs/$t.summary" ]; then
		cat "$var/logs/$t.summary"
		grep -q 'crashes 0$' "$var/logs/$t.summary" || status=1
	else
		echo "$t: no result (see $var/logs/$t.log)"
		status=1
	fi
done
[ "$status" -eq 0 ] || echo "crash inputs: $var/crashes/<target>/ (copy them to tests/fuzz/regress/<target>/ once fixed)"
exit "$status"
