-- moonbridge_io at scale: a coroutine scheduler over two outbound
-- connections, poll over thousands of descriptors, and handlers that leave
-- connections and children behind for the server to clean up. One command
-- line per connection; the answer is one line.
local io_ = moonbridge_io

-- A tiny scheduler: runs the tasks, and when a task yields in a _yield
-- method (yielding its handle and "r" or "w"), polls all waiting handles.
local function schedule(tasks)
  local waiting = {}
  local results = {}
  for i, f in ipairs(tasks) do waiting[i] = { co = coroutine.create(f) } end
  local left = #tasks
  while left > 0 do
    local rd, wr = {}, {}
    for i, t in pairs(waiting) do
      if t.handle == nil or t.ready then
        local ok, a, b = coroutine.resume(t.co)
        assert(ok, a)
        if coroutine.status(t.co) == "dead" then
          results[i] = a
          waiting[i] = nil
          left = left - 1
        else
          t.handle, t.mode = a, b
        end
      end
      if waiting[i] then
        if t.mode == "r" then rd[t.handle] = true else wr[t.handle] = true end
        t.ready = false
      end
    end
    if left > 0 then
      assert(io_.poll(rd, wr, 10))
      for _, t in pairs(waiting) do t.ready = true end
    end
  end
  return results
end

local commands = {}

-- sched <port>: two connections to the echo server, served at once by two coroutines
function commands.sched(sock, port)
  local function task(name)
    return function()
      local h = assert(io_.tcpconnect_nb("127.0.0.1", port))
      assert(h:write_yield(name, ":", string.rep(name, 2000), "\n"))
      assert(h:flush_yield())
      local line = assert(h:read_yield(nil, "\n"))
      h:close()
      return #line .. ":" .. line:sub(1, 6)
    end
  end
  local r = schedule{ task("a"), task("b") }
  return r[1] .. " " .. r[2]
end

-- poll <port> <n>: n connections; the server writes to the last one only
function commands.poll(sock, port, n)
  local handles, set = {}, {}
  for i = 1, tonumber(n) do
    handles[i] = assert(io_.tcpconnect("127.0.0.1", port))
    set[handles[i]] = true
  end
  assert(handles[#handles]:flush("last\n"))
  assert(io_.poll(set, nil, 10))
  local ready = {}
  for i, h in ipairs(handles) do
    local data = h:read_nb(nil, "\n")
    if data and #data > 0 then ready[#ready + 1] = i .. "=" .. data:gsub("\n", "") end
  end
  return "ready " .. table.concat(ready, ",")
end

-- leave <port> [exec]: a connection (and a child) left open for the server to clean up
function commands.leave(sock, port, exec)
  assert(io_.tcpconnect("127.0.0.1", port))
  if exec then assert(io_.exec("sleep", "30")) end
  return "left"
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber((...)) },
  max_fork = 2,
  connect = function(sock)
    local line = assert(sock:read(nil, "\n")):gsub("\n$", "")
    local words = {}
    for w in line:gmatch("%S+") do words[#words + 1] = w end
    local command = commands[words[1]]
    -- (a bare connect, as the test's wait for the port makes, gets no answer)
    if command then sock:flush(command(sock, table.unpack(words, 2)), "\n") end
    sock:close()
    return true
  end,
}
