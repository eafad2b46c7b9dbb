-- create.lua: durable creates through the REST API, for bench/run.
--
-- Every connection POSTs new requests (customer "Sonstige Frage", each with
-- its own summary) until BENCH_SEND_SECONDS have passed; then it sends the
-- head of a request whose body never comes, which the server waits for
-- without writing anything, and the thread stops once its last create is
-- answered. So every create that was sent is answered within the run
-- (wrk's -d is longer), and the rows the database gained must equal the
-- 2xx answers. The token comes in a -H "Authorization: Bearer ..." header.
-- Prints one JSON line: creates, failures, the time from the first create
-- sent to the last answered, the latency of the creates alone, and per
-- phase of the server's Server-Timing header (phase_timing = on) its
-- p50/p99/max in ms ("phases", {} when no answer carried it).

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local lib = require("benchlib")

local send_seconds = tonumber(os.getenv("BENCH_SEND_SECONDS") or "5")
local desk = os.getenv("BENCH_DESK") or "1"
local tag = os.getenv("BENCH_TAG") or "x"
local threads = {}

-- Per thread (globals, so done() can read them with thread:get).
sent, answered, created, failed = 0, 0, 0, 0
first, last = 0, 0
timed = 0               -- answers that carried Server-Timing
phase_log = {}          -- "name=ms" of each phase of those answers
local stop_at, stalled, stall

function setup(thread)
	thread:set("id", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	wrk.headers["Content-Type"] = "application/json"
	stall = lib.stall_request(wrk.path)
end

function request()
	if lib.is_verify_call() then
		return wrk.format("POST", nil, nil, lib.create_body(desk, tag, id, 0))
	end
	local t = lib.now()
	if stop_at == nil then
		first = t
		stop_at = t + send_seconds
	end
	if t >= stop_at then
		stalled = true
		if sent == answered then
			wrk.thread:stop()
		end
		return stall
	end
	sent = sent + 1
	return wrk.format("POST", nil, nil, lib.create_body(desk, tag, id, sent))
end

function response(status, headers, body)
	answered = answered + 1
	last = lib.now()
	if status >= 200 and status < 300 then
		created = created + 1
	else
		failed = failed + 1
	end
	if lib.keep_timing(phase_log, headers) then
		timed = timed + 1
	end
	if stalled and sent == answered then
		wrk.thread:stop()
	end
end

-- The threads' counts summed, their phases merged, the span of all.
local function merged()
	local m = { created = 0, failed = 0, sent = 0, answered = 0, timed = 0 }
	local logs, t0, t1 = {}, nil, 0
	for _, th in ipairs(threads) do
		for k in pairs(m) do
			m[k] = m[k] + th:get(k)
		end
		table.insert(logs, th:get("phase_log"))
		local fi, la = th:get("first"), th:get("last")
		if fi > 0 and (t0 == nil or fi < t0) then t0 = fi end
		if la > t1 then t1 = la end
	end
	m.span = t1 - (t0 or t1)
	m.phases = lib.phases_json(lib.merge_timing(logs))
	return m
end

function done(summary, latency, requests)
	local m = merged()
	io.write(string.format('BENCH {"created": %d, "failed": %d, ' ..
		'"sent": %d, "answered": %d, "span_s": %.6f, "requests": %d, ' ..
		'"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
		'"errors": %d, "timed": %d, "phases": %s}\n', m.created, m.failed,
		m.sent, m.answered, m.span, summary.requests,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max, lib.socket_errors(summary),
		m.timed, m.phases))
end
