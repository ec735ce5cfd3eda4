-- Mixed requests for bench/serve_load.sh: the queries of bench/queries.txt
-- as JSON searches (6 in 10), date-filtered newest-first searches (1 in
-- 10), whole search pages with timeline and facets (2 in 10) and
-- timelines (1 in 10).
local queries = {}
for line in io.lines("bench/queries.txt") do
  if #line > 0 then queries[#queries + 1] = line end
end

local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local n = 0
function setup(thread)
  thread:set("offset", math.random(1, 1000))
end

function request()
  n = n + 1
  local q = encode(queries[(n * 7 + (offset or 0)) % #queries + 1])
  local kind = n % 10
  local path
  if kind < 6 then
    path = "/api/search?q=" .. q
  elseif kind < 7 then
    path = "/api/search?q=" .. q .. "&since=1987-03&until=1987-04&sort=newest"
  elseif kind < 9 then
    path = "/?q=" .. q
  else
    path = "/api/timeline?q=" .. q
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  io.write(string.format(
    "requests %d in %.1f s: %.0f/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; errors: %d connect, %d read, %d write, %d timeout, %d non-2xx\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
