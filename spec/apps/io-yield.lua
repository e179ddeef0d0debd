-- read_call / read_yield / write_yield / flush_yield under different
-- coroutine set-ups. The client sends a mode line, then a payload line in
-- many small pieces; the server answers "<mode> <waits> <payload>".
local io_ = moonbridge_io

-- Runs f(...) in a coroutine, answering every yield of a read/write_yield by
-- polling the handle it yielded (yield args: handle, mode).
local function run(f, ...)
  local co = coroutine.create(f)
  local ok, a, b = coroutine.resume(co, ...)
  local waits = 0
  while coroutine.status(co) ~= "dead" do
    assert(ok, a)
    waits = waits + 1
    if b == "r" then io_.poll({[a] = true}, nil, 10) else io_.poll(nil, {[a] = true}, 10) end
    ok, a, b = coroutine.resume(co)
  end
  assert(ok, a)
  return waits, a
end

local modes = {}

function modes.call(sock)
  local waits = 0
  local line = assert(sock:read_call(function(h, mode, first)
    waits = waits + 1
    io_.poll({[h] = true}, nil, 10)
  end, nil, "\n"))
  return waits, line
end

function modes.yield(sock)
  return run(function() return (assert(sock:read_yield(nil, "\n"))) end)
end

function modes.pcall(sock)
  return run(function()
    local ok, line = pcall(function() return assert(sock:read_yield(nil, "\n")) end)
    assert(ok, line)
    return line
  end)
end

function modes.nested(sock)
  -- an inner coroutine reads; the outer one passes its yields on
  return run(function()
    local inner = coroutine.create(function() return (assert(sock:read_yield(nil, "\n"))) end)
    local ok, a, b = coroutine.resume(inner)
    while coroutine.status(inner) ~= "dead" do
      assert(ok, a)
      coroutine.yield(a, b)
      ok, a, b = coroutine.resume(inner)
    end
    assert(ok, a)
    return a
  end)
end

function modes.wrap(sock)
  local waits = 0
  local f = coroutine.wrap(function() return (assert(sock:read_yield(nil, "\n"))) end)
  local a, b = f()
  while b == "r" do
    waits = waits + 1
    io_.poll({[a] = true}, nil, 10)
    a, b = f()
  end
  return waits, a
end

-- small writes stay buffered until a flush: "early" goes out only after the client's "go"
local function buffering(sock)
  assert(sock:write("early "))
  assert(sock:write_nb("and nb "))
  assert(sock:read(nil, "\n"))
  assert(sock:flush("flushed"))
  sock:close()
end

-- a handle closed while a coroutine waits in read_yield: resuming it raises a
-- Lua error in the coroutine (not a crash of the worker)
local function closed_while_waiting(sock)
  local child = assert(io_.exec("sleep", "5"))
  local co = coroutine.create(function() return child.stdout:read_yield() end)
  assert(coroutine.resume(co))
  child.stdout:close()
  local ok, err = coroutine.resume(co)
  child:kill():wait()
  assert(sock:flush(tostring(ok), " ", err))
  sock:close()
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber((...)) },
  connect = function(sock)
    local mode = assert(sock:read(nil, "\n")):gsub("\n$", "")
    if mode == "buffer" then buffering(sock) return true end
    if mode == "closed" then closed_while_waiting(sock) return true end
    local waits, line = modes[mode](sock)
    -- the answer goes out through flush_yield in a coroutine as well
    run(function() assert(sock:write_yield(mode, " ", waits > 0 and "waited" or "nowait", " ", line)) assert(sock:flush_yield()) end)
    sock:close()
    return true
  end,
}
