-- Test app: moonbridge_io connections and listeners in every phase.
-- Arguments: port (a raw TCP listener), main_port (a listener the main chunk
-- serves one connection on, before listen{}), interval_port (a listener each
-- interval run opens), echo_port (a TCP echo server on 127.0.0.1), echo_path
-- (a Unix-socket echo server). Reports go to stderr, one line each.
local port, main_port, interval_port, echo_port, echo_path = ...
port, main_port, interval_port = tonumber(port), tonumber(main_port), tonumber(interval_port)
local io_ = moonbridge_io

local function log(...)
  io.stderr:write(table.concat({...}, " "), "\n")
  io.stderr:flush()
end

-- one line through tcpconnect and localconnect
local function roundtrip(phase)
  local results = {}
  for _, c in ipairs{
    { "tcp", function() return io_.tcpconnect("127.0.0.1", echo_port) end },
    { "tcpnb", function() return io_.tcpconnect_nb("127.0.0.1", echo_port) end },
    { "local", function() return io_.localconnect(echo_path) end },
    { "localnb", function() return io_.localconnect_nb(echo_path) end },
  } do
    local s, err = c[2]()
    if not s then
      results[#results + 1] = c[1] .. "=nil:" .. tostring(err)
    else
      s:write(phase, "-", c[1], "\n"):flush()
      local line = s:read(nil, "\n")
      results[#results + 1] = c[1] .. "=" .. tostring(line):gsub("\n", "")
      s:close()
    end
  end
  log("roundtrip", phase, table.concat(results, " "))
end

-- a listener: accept_nb and poll 0 before a connection, then one echoed line
local function serve(phase, l)
  local a1, a2 = l:accept_nb()
  local p1, p2 = io_.poll({[l] = true}, nil, 0)
  log("listening", phase, tostring(a1), a2, tostring(p1), p2)
  if not io_.poll({[l] = true}, nil, 10) then
    log("timeout", phase)
    return
  end
  local conn = assert(l:accept())
  local line = assert(conn:read(nil, "\n"))
  conn:write(phase, " got ", line):flush()
  conn:close()
  log("served", phase, (line:gsub("\n", "")))
end

roundtrip("main-chunk")
do
  local l = assert(io_.tcplisten("127.0.0.1", main_port))
  serve("main-chunk", l)
  l:close()
end
-- a listener made in the master, used by workers that inherit it
local shared = assert(io_.tcplisten("127.0.0.1", main_port))

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  min_fork = 1, pre_fork = 1, max_fork = 1,
  prepare = function() roundtrip("prepare") end,
  connect = function(socket)
    roundtrip("connect")
    local line = socket:read(nil, "\n")
    if line == "shared\n" then
      socket:write("ok\n"):flush()
      serve("shared", shared)
    end
    socket:write("bye\n"):flush()
    return false
  end,
  finish = function() roundtrip("finish") end,
}

listen{
  { proto = "interval", name = "tick", delay = 0.3 },
  connect = function()
    roundtrip("interval")
    local l, err = io_.tcplisten("127.0.0.1", interval_port)
    if not l then
      log("interval tcplisten failed", err)
      return true
    end
    serve("interval", l)
    l:close()
    return true
  end,
}

listen{
  { proto = "main", name = "boss" },
  connect = function()
    roundtrip("main")
    local l, err = io_.tcplisten(nil, 0)
    log("main tcplisten nil host", tostring(l ~= nil), tostring(err))
    if l then l:close() end
    io_.poll(nil, nil, 3600)
  end,
}
