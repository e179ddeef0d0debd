-- Test app for memory_limit (spec/34-memory-limit.spec.ts). Arguments: the
-- port, the limit in bytes, and the HTTP driver ("native", or "poll": a
-- poll_function, so the Lua driver of moonbridge_http runs).
--   GET /pid        answers the worker's pid (a handler well under the limit)
--   GET /grow?mb=N  keeps an N MiB string (and a table) for the life of the
--                   worker, then answers "grew N pid P"
local http = require "moonbridge_http"

local port = assert(tonumber((...)), "port expected")
local limit = assert(tonumber((select(2, ...))), "memory limit expected")
local driver = select(3, ...) or "native"

local hoard = {}

local function handler(request)
  local path = request.path
  if path == "pid" then
    request:send_status("200 OK")
    request:send_data(tostring(moonbridge_io.getpid()))
    return true
  elseif path == "grow" then
    local mb = assert(tonumber(request.get_params.mb), "mb expected")
    hoard[#hoard + 1] = string.rep("x", mb * 1024 * 1024)
    local t = {}
    for i = 1, 10000 do t[i] = i end
    hoard[#hoard + 1] = t
    request:send_status("200 OK")
    request:send_data("grew ", mb, " pid ", moonbridge_io.getpid())
    return true
  end
  request:send_status("404 Not Found")
  return true
end

local options = {}
if driver == "poll" then
  options.poll_function = function(...) return moonbridge_io.poll(...) end
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  min_fork = 1, pre_fork = 1, max_fork = 2,
  memory_limit = limit,
  connect = http.generate_handler(handler, options),
}
