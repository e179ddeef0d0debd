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
      if line == "finish\n" then
        -- half-close: FIN after the last words, then read what the client still sends
        socket:write("finishing\n")
        assert(socket:finish())
        local rest = socket:read()
        io.stderr:write("after finish read ", #rest, " bytes\n")
        return true
      end
      if line == "reset\n" then
        socket:write("never flushed\n")
        assert(socket:reset())
        return true
      end
      if line == "nb\n" then
        local queued = socket:write_nb("nb-written\n")
        local left = socket:flush_nb()
        local data, status = socket:read_nb()
        socket:write("queued=", queued, " left=", left, " read_nb=", status, " ", #data, "\n")
      elseif line == "once\n" then
        socket:write("pid ", moonbridge_io.getpid(), "\n")
        socket:flush()
        return false
      elseif line == "addr\n" then
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
