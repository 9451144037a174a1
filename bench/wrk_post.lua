-- wrk script for the webhook benchmark: POSTs the AdmissionReview bodies
-- given after "--" in rotation, over wrk's keep-alive connections.
--
--   wrk -t2 -c16 -d10s -s bench/wrk_post.lua https://127.0.0.1:8443/validate?timeout=10s \
--       -- bodies/deployment-update.json bodies/application-sync.json bodies/pvc-delete.json
--
-- Every request gets a fresh-looking uid (the API server sends a new one per
-- call); the requests are formatted once, in init(), so the Lua side costs
-- the client next to nothing per request.  done() prints one line the driver
-- parses:
--   BENCH requests=N seconds=S rps=R p50_us=.. p90_us=.. p99_us=.. max_us=..
--         errors=E non2xx=.. (non2xx is wrk's "Non-2xx or 3xx responses")

local VARIANTS = 64
local reqs = {}
local n = 0
local next_req = 1

local function read_file(path)
	local f = assert(io.open(path, "rb"))
	local s = f:read("*a")
	f:close()
	return s
end

-- Replaces the last group of the request uid (12 hex digits) with `tag`.
local function with_uid(body, tag)
	local out, count = body:gsub('("uid":"%x+%-%x+%-%x+%-%x+%-)%x+(")',
				     "%1" .. string.format("%012x", tag) .. "%2", 1)
	assert(count == 1, "body without a request uid")
	return out
end

function init(args)
	assert(#args > 0, "usage: wrk ... -s wrk_post.lua URL -- BODY.json...")
	local bodies = {}
	for i, path in ipairs(args) do
		bodies[i] = read_file(path)
	end
	-- Different threads get different uids: each thread's Lua state runs
	-- init() on its own, so mix in a random thread tag.
	math.randomseed(os.time() + math.floor(os.clock() * 1e6))
	local thread_tag = math.random(0, 0xffff) * 0x100000000
	local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
	for v = 1, VARIANTS do
		for i, body in ipairs(bodies) do
			n = n + 1
			reqs[n] = wrk.format("POST", nil, headers,
					     with_uid(body, thread_tag + v * 16 + i))
		end
	end
end

function request()
	local r = reqs[next_req]
	next_req = next_req % n + 1
	return r
end

function done(summary, latency, requests)
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format("BENCH requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d " ..
			       "p99_us=%d max_us=%d errors=%d non2xx=%d\n",
			       summary.requests, secs, summary.requests / secs,
			       latency:percentile(50), latency:percentile(90),
			       latency:percentile(99), latency.max,
			       e.connect + e.read + e.write + e.timeout, e.status))
end
