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
-- sent to the last answered, and the latency of the creates alone.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")

local function now()
	ffi.C.clock_gettime(1, ts)      -- CLOCK_MONOTONIC
	return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local send_seconds = tonumber(os.getenv("BENCH_SEND_SECONDS") or "5")
local desk = os.getenv("BENCH_DESK") or "1"
local tag = os.getenv("BENCH_TAG") or "x"
local threads = {}

-- Per thread (globals, so done() can read them with thread:get).
sent, answered, created, failed = 0, 0, 0, 0
first, last = 0, 0
local stop_at, stalled, stall

function setup(thread)
	thread:set("id", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	wrk.headers["Content-Type"] = "application/json"
	local head = { "POST " .. wrk.path .. " HTTP/1.1" }
	for k, v in pairs(wrk.headers) do
		table.insert(head, k .. ": " .. v)
	end
	if not wrk.headers["Host"] then
		table.insert(head, "Host: " .. wrk.host .. ":" .. wrk.port)
	end
	table.insert(head, "Content-Length: 100")
	stall = table.concat(head, "\r\n") .. "\r\n\r\n"
end

function request()
	local t = now()
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
	local body = string.format('{"serviceDeskId": "%s", ' ..
		'"requestTypeId": "4", "requestFieldValues": {' ..
		'"summary": "Benchmark %s-%d-%d: Frage zu Gebühren", ' ..
		'"description": "Angelegt von **bench/run** über die REST-API ' ..
		'(Lauf %s, Anfrage %d). Bitte nicht bearbeiten."}}',
		desk, tag, id, sent, tag, sent)
	return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
	answered = answered + 1
	last = now()
	if status >= 200 and status < 300 then
		created = created + 1
	else
		failed = failed + 1
	end
	if stalled and sent == answered then
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local c, f, s, a, t0, t1 = 0, 0, 0, 0, nil, 0
	for _, th in ipairs(threads) do
		c = c + th:get("created")
		f = f + th:get("failed")
		s = s + th:get("sent")
		a = a + th:get("answered")
		local fi, la = th:get("first"), th:get("last")
		if fi > 0 and (t0 == nil or fi < t0) then t0 = fi end
		if la > t1 then t1 = la end
	end
	io.write(string.format('BENCH {"created": %d, "failed": %d, ' ..
		'"sent": %d, "answered": %d, "span_s": %.6f, "requests": %d, ' ..
		'"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
		'"errors": %d}\n', c, f, s, a, t1 - (t0 or t1), summary.requests,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max,
		summary.errors.connect + summary.errors.read +
		summary.errors.write + summary.errors.timeout))
end
