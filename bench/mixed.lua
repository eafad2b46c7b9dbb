-- mixed.lua: the writes of bench/run's mixed rows, while another wrk reads.
--
-- Each connection cycles through what a customer does to a request:
-- create it (POST .../request), comment on it (POST .../{key}/comment,
-- the key from the create's "issueKey"), withdraw it (POST
-- .../{key}/transition {"id": "11"}: closes the reporter's own open
-- request, 204), then create the next. Run it with one connection per
-- thread (wrk -tN -cN): wrk tells request() and response() nothing about
-- the connection, so a thread can follow only one connection's cycle.
-- The URL is the create's (.../rest/servicedeskapi/request), the token
-- comes in a -H "Authorization: Bearer ..." header. As in create.lua, a
-- thread stops sending after BENCH_SEND_SECONDS and every write sent is
-- answered within wrk's longer -d.
-- Prints one JSON line: per kind (create, comment, withdraw) the writes
-- sent, answered, 2xx and failed, their latency p50/p99/max in ms, and
-- the failures' statuses; the time from the first write sent to the last
-- answered; writes whose answer never came (a timeout, a closed
-- connection) as "lost".

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local lib = require("benchlib")

local send_seconds = tonumber(os.getenv("BENCH_SEND_SECONDS") or "5")
local desk = os.getenv("BENCH_DESK") or "1"
local tag = os.getenv("BENCH_TAG") or "x"
local KINDS = { "create", "comment", "withdraw" }
local threads = {}

-- Per thread (globals, flat tables, so done() can read them).
counts = {}             -- "create_sent", "create_ok", ... -> n
fails = {}              -- "comment 409" -> n
lat_create, lat_comment, lat_withdraw = {}, {}, {}     -- ms
first, last, lost = 0, 0, 0
local stop_at, stall
local pending, sent_at  -- the kind in flight and when it was sent
local next_kind, key, n = "create", nil, 0

function setup(thread)
	thread:set("id", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	wrk.headers["Content-Type"] = "application/json"
	stall = lib.stall_request(wrk.path)
	for _, kind in ipairs(KINDS) do
		for _, what in ipairs({ "sent", "answered", "ok", "failed" }) do
			counts[kind .. "_" .. what] = 0
		end
	end
end

local function add(name, by)
	counts[name] = counts[name] + (by or 1)
end

-- The request of a kind: a new request, or a step on the last one made.
local function build(kind)
	local base = wrk.path
	if kind == "create" then
		n = n + 1
		return wrk.format("POST", base, nil,
			lib.create_body(desk, "mixed-" .. tag, id, n))
	elseif kind == "comment" then
		return wrk.format("POST", base .. "/" .. key .. "/comment", nil,
			string.format('{"body": "Nachtrag %d von bench/run ' ..
			'(gemischte Last). Bitte nicht beantworten.", ' ..
			'"public": true}', n))
	end
	return wrk.format("POST", base .. "/" .. key .. "/transition", nil,
		'{"id": "11"}')
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
	if pending then         -- its answer never came: start a new cycle
		lost = lost + 1
		pending, next_kind = nil, "create"
	end
	if t >= stop_at then
		wrk.thread:stop()
		return stall
	end
	pending, sent_at = next_kind, t
	add(pending .. "_sent")
	return build(pending)
end

-- What follows an answer of kind: a comment and a withdrawal on the
-- request just made, then the next create.
local function after(kind, ok, body)
	if kind == "create" then
		key = ok and body and body:match('"issueKey"%s*:%s*"([%w%-]+)"')
		return key and "comment" or "create"
	elseif kind == "comment" then
		return "withdraw"
	end
	return "create"
end

function response(status, headers, body)
	local kind = pending
	if kind == nil then
		return
	end
	pending = nil
	last = lib.now()
	local ok = status >= 200 and status < 300
	add(kind .. "_answered")
	add(kind .. (ok and "_ok" or "_failed"))
	if not ok then
		local f = kind .. " " .. status
		fails[f] = (fails[f] or 0) + 1
	end
	table.insert(_G["lat_" .. kind], (last - sent_at) * 1000)
	next_kind = after(kind, ok, body)
end

-- Sums the flat tables of every thread by key.
local function sum_by_key(name)
	local all = {}
	for _, th in ipairs(threads) do
		for k, v in pairs(th:get(name)) do
			all[k] = (all[k] or 0) + v
		end
	end
	return all
end

-- All threads' latencies of one kind, in one array.
local function latencies(kind)
	local all = {}
	for _, th in ipairs(threads) do
		for _, v in ipairs(th:get("lat_" .. kind)) do
			table.insert(all, v)
		end
	end
	return all
end

local function kind_json(kind, c)
	return string.format('"%s": {"sent": %d, "answered": %d, "ok": %d, ' ..
		'"failed": %d, "latency": %s}', kind, c[kind .. "_sent"] or 0,
		c[kind .. "_answered"] or 0, c[kind .. "_ok"] or 0,
		c[kind .. "_failed"] or 0, lib.summary_json(latencies(kind)))
end

local function fails_json()
	local parts = {}
	for k, v in pairs(sum_by_key("fails")) do
		table.insert(parts, string.format('"%s": %d', k, v))
	end
	return "{" .. table.concat(parts, ", ") .. "}"
end

-- From the first write sent to the last answered, over all threads.
local function span()
	local t0, t1 = nil, 0
	for _, th in ipairs(threads) do
		local fi, la = th:get("first"), th:get("last")
		if fi > 0 and (t0 == nil or fi < t0) then t0 = fi end
		if la > t1 then t1 = la end
	end
	return t1 - (t0 or t1)
end

function done(summary, latency, requests)
	local c, kinds, lost_all = sum_by_key("counts"), {}, 0
	for _, kind in ipairs(KINDS) do
		table.insert(kinds, kind_json(kind, c))
	end
	for _, th in ipairs(threads) do
		lost_all = lost_all + th:get("lost")
	end
	io.write(string.format('BENCH {"kinds": {%s}, "fails": %s, ' ..
		'"span_s": %.6f, "lost": %d, "requests": %d, "errors": %d}\n',
		table.concat(kinds, ", "), fails_json(), span(), lost_all,
		summary.requests, lib.socket_errors(summary)))
end
