-- Test app for the annotation spec: reports what the running modules expose.
-- Arguments: port. Listens on 127.0.0.1 and ::1.
--
-- GET /report?names=a,b,c answers, one "section name type" line each:
--   global     every string key of _G as the main chunk saw it (listen is
--              removed before handlers run)
--   io         pairs(moonbridge_io); handle_pt, handle_mt likewise
--   http       pairs(require "moonbridge_http")
--   request-raw  pairs(request) before anything is probed
--   request    type(request[name]) for every candidate name ("error" if it raised)
--   socket     type(request.socket[name]) for every candidate name
-- GET /outward?names=...&port=N probes the objects of moonbridge_io.tcplisten
-- (on 127.0.0.1:N) and moonbridge_io.exec("/bin/true") where those exist
-- (sections listener, child, and listener-index/child-index for the tables
-- behind their metatables' __index).
--   require-main, require-worker  what require "moonbridge_io",
--              "moonbridge_http" and "moonbridge" gave in the main chunk and
--              in the worker (values percent-encoded where they are text)
-- A second pool's interval and main handlers write "introspect scheduled KEY
-- TYPE" to stderr for every key of their argument.
local http = require "moonbridge_http"

local port = assert(tonumber((...)), "port expected")

local function sorted_keys(t)
  local list = {}
  for k in pairs(t) do
    if type(k) == "string" then list[#list + 1] = k end
  end
  table.sort(list)
  return list
end

local globals = {}
for _, k in ipairs(sorted_keys(_G)) do globals[#globals + 1] = { k, type(_G[k]) } end

local function encode(s)
  return (string.gsub(tostring(s), "[^%w_./-]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function is_c(f)
  return type(f) == "function" and debug.getinfo(f, "S").what == "C"
end

-- What require gives for Moonbridge's module names: the real modules, and for
-- "moonbridge" (no such module in Moonbridge) "module not found", without
-- running anything (an annotation file would replace listen and timeout).
local function require_checks(section)
  local lines = {}
  local function add(name, value) lines[#lines + 1] = section .. " " .. name .. " " .. tostring(value) end
  local listen0, timeout0, version0 = listen, timeout, _MOONBRIDGE_VERSION
  local ok, mod = pcall(require, "moonbridge_io")
  add("moonbridge_io.ok", ok)
  add("moonbridge_io.is_global", ok and rawequal(mod, moonbridge_io))
  add("moonbridge_io.poll_is_C", ok and type(mod) == "table" and is_c(mod.poll))
  ok, mod = pcall(require, "moonbridge_http")
  add("moonbridge_http.ok", ok)
  add("moonbridge_http.generate_handler_is_C", ok and type(mod) == "table" and is_c(mod.generate_handler))
  ok, mod = pcall(require, "moonbridge")
  add("moonbridge.ok", ok)
  add("moonbridge.message", encode(mod))
  add("moonbridge.loaded", package.loaded.moonbridge ~= nil)
  add("globals_kept", rawequal(listen, listen0) and rawequal(timeout, timeout0) and
    _MOONBRIDGE_VERSION == version0 and is_c(timeout) and (listen == nil or is_c(listen)))
  for _, name in ipairs{ "moonbridge", "moonbridge_io", "moonbridge_http" } do
    add(name .. ".searchpath", encode(package.searchpath(name, package.path) or "none"))
  end
  add("package.path", encode(package.path))
  return lines
end

local require_main = require_checks("require-main")

local function report(request, lines)
  local body = table.concat(lines, "\n") .. "\n"
  request:send_status("200 OK")
  request:send_header("Content-Type", "text/plain")
  request:send_header("Content-Length", #body)
  request:send_data(body)
end

local function names_of(request)
  local names = {}
  for name in string.gmatch(request.query:match("names=([%w_,]*)") or "", "[%w_]+") do
    names[#names + 1] = name
  end
  return names
end

local function enumerate(lines, section, t)
  if type(t) ~= "table" then return end
  for _, k in ipairs(sorted_keys(t)) do lines[#lines + 1] = section .. " " .. k .. " " .. type(t[k]) end
end

local function probe(lines, section, obj, names)
  for _, name in ipairs(names) do
    local ok, v = pcall(function() return obj[name] end)
    lines[#lines + 1] = section .. " " .. name .. " " .. (ok and type(v) or "error")
  end
end

local function probe_object(lines, section, obj, names)
  if type(obj) == "table" then enumerate(lines, section .. "-raw", obj) end
  local mt = getmetatable(obj)
  if type(mt) == "table" and type(mt.__index) == "table" then enumerate(lines, section .. "-index", mt.__index) end
  probe(lines, section, obj, names)
end

local function outward(request, names)
  local lines = {}
  local outport = tonumber(request.query:match("port=(%d+)"))
  if type(moonbridge_io.tcplisten) == "function" and outport then
    local ok, l, err = pcall(moonbridge_io.tcplisten, "127.0.0.1", outport)
    if ok and l then
      probe_object(lines, "listener", l, names)
      pcall(function() l:close() end)
    else
      lines[#lines + 1] = "listener-error " .. tostring(ok and err or l):gsub("%s", "_")
    end
  end
  if type(moonbridge_io.exec) == "function" then
    local ok, c, err = pcall(moonbridge_io.exec, "/bin/true")
    if ok and c then
      probe_object(lines, "child", c, names)
      -- reap the child, bounded: at most about 2 s
      pcall(function()
        for _ = 1, 40 do
          if c:wait_nb() then return end
          moonbridge_io.poll(nil, nil, 0.05)
        end
        c:kill()
        c:wait()
      end)
    else
      lines[#lines + 1] = "child-error " .. tostring(ok and err or c):gsub("%s", "_")
    end
  end
  return lines
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  { proto = "tcp", host = "::1", port = port },
  pre_fork = 1, min_fork = 1, max_fork = 2,
  connect = http.generate_handler(function(request)
    local lines = {}
    if request.path == "report" then
      -- raw fields first: probing caches computed fields in the request table
      enumerate(lines, "request-raw", request)
      local names = names_of(request)
      for _, g in ipairs(globals) do lines[#lines + 1] = "global " .. g[1] .. " " .. g[2] end
      enumerate(lines, "io", moonbridge_io)
      enumerate(lines, "handle_pt", moonbridge_io.handle_pt)
      enumerate(lines, "handle_mt", moonbridge_io.handle_mt)
      enumerate(lines, "http", require "moonbridge_http")
      probe(lines, "request", request, names)
      probe(lines, "socket", request.socket, names)
      for _, line in ipairs(require_main) do lines[#lines + 1] = line end
      for _, line in ipairs(require_checks("require-worker")) do lines[#lines + 1] = line end
    elseif request.path == "outward" then
      lines = outward(request, names_of(request))
    else
      lines[1] = "ok"
    end
    report(request, lines)
    return true
  end)
}

listen{
  { proto = "interval", name = "tick", delay = 0.2 },
  -- returns true: its process stays, so the server does not shut down
  { proto = "main", name = "once" },
  pre_fork = 1, min_fork = 1, max_fork = 1,
  connect = function(arg)
    local parts = {}
    for _, k in ipairs(sorted_keys(arg)) do
      parts[#parts + 1] = "introspect scheduled " .. k .. " " .. type(arg[k]) .. "\n"
    end
    io.stderr:write(table.concat(parts))
    return true
  end
}
