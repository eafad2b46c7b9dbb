-- stats.lua: wrk prints its figures as one JSON line for bench/run.
-- Only done() is defined, so wrk sends its static request at full speed.

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format('BENCH {"requests": %d, "duration_us": %d, ' ..
		'"bytes": %d, "non2xx": %d, "errors": %d, "p50_us": %d, ' ..
		'"p90_us": %d, "p99_us": %d, "max_us": %d}\n',
		summary.requests, summary.duration, summary.bytes, e.status,
		e.connect + e.read + e.write + e.timeout,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max))
end
