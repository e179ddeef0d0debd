-- Test app: a raw TCP line echo server (no HTTP) on 127.0.0.1.
-- Arguments: port. "quit" ends the connection, "crash" raises an error,
-- "addr" answers with the socket's address fields.
local port = assert(tonumber((...)), "port expected")

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  min_fork = 1, pre_fork = 1, max_fork = 4,
  connect = function(socket)
    while true do
      local line, status = socket:read(nil, "\n")
      if not line then error(status) end
      if line == "" then break end
      if line == "quit\n" then break end
      if line == "crash\n" then error("crash requested") end
      if line == "addr\n" then
        socket:write(socket.local_ip4, " ", socket.local_tcpport, " ", socket.remote_ip4, " ", socket.remote_tcpport, "\n")
      else
        socket:write(line)
      end
      socket:flush()
      if status == "eof" then break end
    end
    socket:write("bye\n")
    return true
  end
}
