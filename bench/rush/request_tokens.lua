-- wrk script: the shared harness script (../shared/bench/wrk/request.lua) plus a fresh
-- personal token per request, sent as "Authorization: Bearer TOKEN".
--
-- env: RUSH_BASE_LUA   path of the shared request.lua (loaded unchanged)
--      RUSH_TOKENS     file with one token per line
--      RUSH_THREADS    number of wrk threads (default 2): thread k uses lines k, k+T, ...
-- run.sh puts this file where run_wrk.sh expects wrk/request.lua (a directory of links to
-- the shared harness), so that measure.sh and run_wrk.sh run unchanged.
-- When a thread runs out of tokens it reuses its last one: the server then answers 200
-- (the existing registration), which the result shows as a non-201 status.

dofile(assert(os.getenv("RUSH_BASE_LUA"), "RUSH_BASE_LUA not set"))

local base_init = init
local tokens, next_token = {}, 0
exhausted = 0

function init(args)
   base_init(args)
   local nthreads = tonumber(os.getenv("RUSH_THREADS") or "2")
   local mine = ((tid or 1) - 1) % nthreads
   local i = 0
   local path = assert(os.getenv("RUSH_TOKENS"), "RUSH_TOKENS not set")
   for line in io.lines(path) do
      if i % nthreads == mine and line ~= "" then tokens[#tokens + 1] = line end
      i = i + 1
   end
   assert(#tokens > 0, "no tokens for thread " .. tostring(tid))
end

local format = wrk.format
wrk.format = function(method, path, headers, body)
   if headers == nil then return format(method, path, headers, body) end  -- wrk's static default
   next_token = next_token + 1
   if next_token > #tokens then
      next_token = #tokens
      exhausted = exhausted + 1
   end
   headers["Authorization"] = "Bearer " .. tokens[next_token]
   return format(method, path, headers, body)
end

local base_done = done
function done(summary, latency, requests)
   local reused = 0
   for _, t in ipairs(threads_list or {}) do reused = reused + (t:get("exhausted") or 0) end
   if reused > 0 then
      io.stderr:write("WARNING: token file too short, " .. reused .. " requests reused a token\n")
   end
   base_done(summary, latency, requests)
end

local base_setup = setup
threads_list = {}
function setup(thread)
   table.insert(threads_list, thread)
   base_setup(thread)
end
