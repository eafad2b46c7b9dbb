-- benchlib.lua: what bench/create.lua and bench/mixed.lua share: a clock,
-- percentiles, the Server-Timing header, the create's body, a stalled request.
--
-- wrk's thread:get copies only flat tables (a table inside a table crashes
-- Debian's wrk 4.1), so per-thread figures are kept in flat tables: numbers,
-- or "name=value" strings for the Server-Timing phases.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")

local M = {}

-- Seconds on CLOCK_MONOTONIC.
function M.now()
	ffi.C.clock_gettime(1, ts)
	return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

-- p (0..100) of the sorted array by nearest rank; nil when it is empty.
function M.percentile(sorted, p)
	local n = #sorted
	if n == 0 then
		return nil
	end
	local i = math.ceil(p / 100 * n)
	return sorted[math.max(1, math.min(n, i))]
end

-- '{"p50": .., "p99": .., "max": .., "n": ..}' of an array of ms.
function M.summary_json(values)
	local s = {}
	for i, v in ipairs(values) do
		s[i] = v
	end
	table.sort(s)
	if #s == 0 then
		return '{"n": 0}'
	end
	return string.format('{"p50": %.3f, "p99": %.3f, "max": %.3f, "n": %d}',
		M.percentile(s, 50), M.percentile(s, 99), s[#s], #s)
end

-- The values of every header called `name` in any case, joined by ", "
-- as HTTP allows for a list; nil when there is none.
function M.header(headers, name)
	local found = {}
	name = name:lower()
	for k, v in pairs(headers or {}) do
		if type(k) == "string" and k:lower() == name then
			table.insert(found, tostring(v))
		end
	end
	if #found == 0 then
		return nil
	end
	return table.concat(found, ", ")
end

-- The dur parameter of a metric's parameters (";dur=1.2;desc=x") in ms:
-- nil when missing or not a finite number >= 0. The first dur counts.
local function metric_dur(params)
	for p in params:gmatch(";([^;]*)") do
		local k, v = p:match("^%s*([^=%s]+)%s*=%s*(.-)%s*$")
		if k and k:lower() == "dur" then
			v = tonumber((v:gsub('^"(.*)"$', "%1")))
			if v and v == v and v >= 0 and v < math.huge then
				return v
			end
			return nil
		end
	end
	return nil
end

-- name -> ms of a Server-Timing value ("lock;dur=0.012, sql;dur=1.2").
-- Commas and semicolons inside quoted strings (desc="a, b") are text.
-- A metric without a usable dur or whose name is no HTTP token is left
-- out (missing, not 0); of a repeated name the first usable one counts.
function M.parse_timing(value)
	local out = {}
	value = value:gsub("\\.", "_"):gsub('"[^"]*"', function(q)
		return (q:gsub("[,;]", " "))
	end)
	for entry in (value .. ","):gmatch("([^,]*),") do
		local name, params = entry:match("^%s*([^;%s]+)%s*(.*)$")
		if name and name:match("^[%w!#$%%&'*+%-%.^_`|~]+$") and
		    out[name] == nil then
			out[name] = metric_dur(params)
		end
	end
	return out
end

-- Appends each phase of the answer's Server-Timing header to the flat
-- array log as "name=ms"; true when the answer carried the header.
function M.keep_timing(log, headers)
	local value = M.header(headers, "server-timing")
	if value == nil then
		return false
	end
	for name, ms in pairs(M.parse_timing(value)) do
		table.insert(log, name .. "=" .. ms)
	end
	return true
end

-- name -> array of ms, from the "name=ms" logs of all threads.
function M.merge_timing(logs)
	local by = {}
	for _, log in ipairs(logs) do
		for _, e in ipairs(log) do
			local name, ms = e:match("^(.*)=([^=]*)$")
			ms = tonumber(ms)
			if name and ms then
				by[name] = by[name] or {}
				table.insert(by[name], ms)
			end
		end
	end
	return by
end

local PHASE_ORDER = { lock = 1, sql = 2, commit = 3, sync = 4, total = 5 }

-- '{"lock": {...}, ...}' in the order of handling, unknown names after
-- (names are HTTP tokens: nothing to escape in JSON); "{}" when empty.
function M.phases_json(by)
	local names = {}
	for name in pairs(by) do
		table.insert(names, name)
	end
	table.sort(names, function(a, b)
		local x, y = PHASE_ORDER[a] or 99, PHASE_ORDER[b] or 99
		if x ~= y then
			return x < y
		end
		return a < b
	end)
	local parts = {}
	for _, name in ipairs(names) do
		table.insert(parts, string.format('"%s": %s', name,
			M.summary_json(by[name])))
	end
	return "{" .. table.concat(parts, ", ") .. "}"
end

-- The body of a create (customer "Sonstige Frage"), its own summary.
function M.create_body(desk, tag, id, n)
	return string.format('{"serviceDeskId": "%s", ' ..
		'"requestTypeId": "4", "requestFieldValues": {' ..
		'"summary": "Benchmark %s-%d-%d: Frage zu Gebühren", ' ..
		'"description": "Angelegt von **bench/run** über die REST-API ' ..
		'(Lauf %s, Anfrage %d). Bitte nicht bearbeiten."}}',
		desk, tag, id, n, tag, n)
end

-- The head of a POST to path whose body never comes: the server waits
-- for it without answering, so a thread that sends it sends no more.
function M.stall_request(path)
	local head = { "POST " .. path .. " HTTP/1.1" }
	for k, v in pairs(wrk.headers) do
		table.insert(head, k .. ": " .. v)
	end
	if not wrk.headers["Host"] then
		table.insert(head, "Host: " .. wrk.host .. ":" .. wrk.port)
	end
	table.insert(head, "Content-Length: 100")
	return table.concat(head, "\r\n") .. "\r\n\r\n"
end

-- wrk 4 calls request() once in the first thread's state before the run
-- to check what it returns (script_verify_request) and never sends that
-- request. True for that call: the first one of the thread whose id (set
-- in setup) is 1; it must still return a whole request.
local called = false
function M.is_verify_call()
	if called then
		return false
	end
	called = true
	return id == 1
end

-- Socket errors of wrk's summary, all kinds together.
function M.socket_errors(summary)
	local e = summary.errors
	return e.connect + e.read + e.write + e.timeout
end

return M
