-- Test app for os.exit in a server. Arguments: a mode, then its arguments.
--   main CODE [PIDFILE]  the main chunk prints (some output still buffered),
--                        writes its pid to PIDFILE if given, then os.exit(CODE)
--   tcp PORT             a TCP server on 127.0.0.1: "exit N" answers "pid P"
--                        and os.exit(N)s in the connect handler (after
--                        buffering a line for stdout); "pid" answers "pid P"
local mode, arg1, arg2 = ...

if mode == "main" then
  print("main chunk running")
  io.write("buffered before os.exit\n")
  if arg2 then
    local f = assert(io.open(arg2, "w"))
    f:write(moonbridge_io.getpid(), "\n")
    f:close()
  end
  os.exit(assert(math.tointeger(tonumber(arg1)), "exit code expected"))
  error("os.exit returned")
end

assert(mode == "tcp", "mode main or tcp expected")
local port = assert(tonumber(arg1), "port expected")

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  min_fork = 1, pre_fork = 1, max_fork = 1,
  connect = function(socket)
    local line = socket:read(nil, "\n")
    local pid = moonbridge_io.getpid()
    socket:write("pid ", pid, "\n")
    socket:flush()
    local code = line and line:match("^exit (%d+)\n$")
    if code then
      io.write("worker ", pid, " leaves with os.exit(", code, ")\n")
      os.exit(tonumber(code))
      error("os.exit returned")
    end
    return true
  end,
  finish = function()
    io.stderr:write("finish handler ran\n")
  end,
}
