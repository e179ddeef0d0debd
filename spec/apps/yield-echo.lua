-- Test app: line echo written with the _yield methods inside a coroutine,
-- driven by a scheduler that polls what the coroutine waits for.
-- Arguments: port.
local port = assert(tonumber((...)), "port expected")

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  min_fork = 1, max_fork = 2,
  connect = function(socket)
    local waits = 0
    local co = coroutine.wrap(function()
      while true do
        local line, status = socket:read_yield(nil, "\n")
        if not line then error(status) end
        if line == "" or line == "quit\n" then break end
        assert(socket:write_yield("echo: ", line))
        assert(socket:flush_yield())
      end
      socket:flush_yield("waits>0: ", tostring(waits > 0), "\n")
      return "done"
    end)
    while true do
      local handle, mode, first, io = co()
      if handle == "done" then break end
      assert(io == moonbridge_io and type(first) == "boolean", "waitfunc arguments")
      waits = waits + 1
      if mode == "r" then moonbridge_io.poll({[handle] = true}, nil, 5)
      else moonbridge_io.poll(nil, {[handle] = true}, 5) end
    end
    return true
  end
}
