-- Test app: outgoing connections and listeners of moonbridge_io, driven by
-- command lines on a raw TCP listener (127.0.0.1, port = first argument).
-- Every command answers one line; fields are separated by "|".
--   tcp|HOST|PORT|MSG, tcpnb|..., local|PATH|MSG, localnb|PATH|MSG:
--     connect, send MSG, read the echoed line; answers
--     "ok|<reply>|<remote_ip4 or remote_ip6>|<remote_tcpport>|<local_ip4 or local_ip6>"
--     or "nil|<message>" (connect failed) or "ioerr|<message>" (first I/O failed)
--   listen|PORT and locallisten|PATH: answers "ready|<accept_nb results>|<poll 0 results>",
--     then waits (10 s at most) in poll for a connection, echoes one line on it
--     and answers "done|<accepted line>" (or "timeout")
--   leak|PORT: opens a listener and returns without closing it
--   many|HOST|PORT|N: N connections (every other one left open); answers "many|<n ok>"
--   pid: answers "pid|<worker pid>"
local port = assert(tonumber((...)), "port expected")
local io_ = moonbridge_io

local function split(line)
  local t = {}
  for field in (line .. "|"):gmatch("([^|]*)|") do t[#t + 1] = field end
  return t
end

local function exchange(sock, msg)
  local ok, err = sock:write(msg, "\n")
  if not ok then return "ioerr|" .. tostring(err) end
  ok, err = sock:flush()
  if not ok then return "ioerr|" .. tostring(err) end
  local reply, status = sock:read(nil, "\n")
  if not reply then return "ioerr|" .. tostring(status) end
  local answer = table.concat({
    "ok", (reply:gsub("\n$", "")),
    tostring(sock.remote_ip4 or sock.remote_ip6), tostring(sock.remote_tcpport),
    tostring(sock.local_ip4 or sock.local_ip6),
  }, "|")
  assert(sock:close())
  return answer
end

local function serve_listener(cmd, l)
  local a1, a2 = l:accept_nb()
  local p1, p2 = io_.poll({[l] = true}, nil, 0)
  cmd:write("ready|", tostring(a1), " ", tostring(a2), "|", tostring(p1), " ", tostring(p2), "\n")
  cmd:flush()
  local answer
  if io_.poll({[l] = true}, nil, 10) then
    local conn = assert(l:accept())
    local line = assert(conn:read(nil, "\n"))
    conn:write(line)
    conn:flush()
    conn:close()
    answer = "done|" .. line:gsub("\n$", "")
  else
    answer = "timeout"
  end
  assert(l:close())
  local ok, err = pcall(l.accept, l)
  return answer .. "|" .. tostring(ok) .. " " .. tostring(err):gsub("^.-: ", "")
end

local commands = {}

function commands.tcp(c, a) local s, err = io_.tcpconnect(a[2], a[3]); if not s then return "nil|" .. err end; return exchange(s, a[4]) end
function commands.tcpnb(c, a) local s, err = io_.tcpconnect_nb(a[2], a[3]); if not s then return "nil|" .. err end; return exchange(s, a[4]) end
commands["local"] = function(c, a) local s, err = io_.localconnect(a[2]); if not s then return "nil|" .. err end; return exchange(s, a[3]) end
function commands.localnb(c, a) local s, err = io_.localconnect_nb(a[2]); if not s then return "nil|" .. err end; return exchange(s, a[3]) end

function commands.listen(c, a)
  local l, err = io_.tcplisten("127.0.0.1", a[2])
  if not l then return "nil|" .. err end
  return serve_listener(c, l)
end

function commands.locallisten(c, a)
  local l, err = io_.locallisten(a[2])
  if not l then return "nil|" .. err end
  return serve_listener(c, l)
end

function commands.leak(c, a)
  local l, err = io_.tcplisten("127.0.0.1", a[2])
  if not l then return "nil|" .. err end
  return "leaked"
end

function commands.many(c, a)
  local ok = 0
  for i = 1, tonumber(a[4]) do
    local s = io_.tcpconnect(a[2], a[3])
    if s then
      s:write("x", i, "\n"):flush()
      local line = s:read(nil, "\n")
      if line and line:sub(-#("x" .. i) - 2) == " x" .. i .. "\n" then ok = ok + 1 end
      if i % 2 == 0 then s:close() end
    end
  end
  return "many|" .. ok
end

function commands.pid() return "pid|" .. io_.getpid() end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  min_fork = 1, pre_fork = 1, max_fork = 1,
  connect = function(socket)
    while true do
      local line = socket:read(nil, "\n")
      if not line or line == "" then break end
      local a = split((line:gsub("\n$", "")))
      local f = commands[a[1]]
      local ok, answer = pcall(f or error, socket, a)
      if not ok then answer = "error|" .. tostring(answer) end
      socket:write(answer, "\n")
      socket:flush()
    end
    return true
  end
}
