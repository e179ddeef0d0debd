-- Test app: workers that write to stdout and to files without flushing or
-- closing. Arguments: port, directory for the files.
local port, dir = tonumber((...)), select(2, ...)
listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  min_fork = 1, pre_fork = 1, max_fork = 2,
  connect = function(socket)
    local line = socket:read(nil, "\n")
    local pid = moonbridge_io.getpid()
    local word, keep = line:match("^(%w+) (%w+)")
    io.write("worker ", word, " ", pid, ";")
    local f = assert(io.open(dir .. "/" .. word .. ".txt", "w"))
    f:write("written by ", pid, " ")
    f:write(("x"):rep(100))
    socket:write(pid, "\n")
    socket:flush()
    return keep == "keep"
  end,
}
