-- Fork-rate benchmark app (bench/fork-rate.ts): every connection gets one
-- line and then the worker ends (the connect handler returns false), so the
-- master forks a fresh worker for each connection.
--
--   node bin/moonbridge-lua bench/apps/fork.lua <port>

local port = assert(tonumber((...)), "port expected")

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  pre_fork = 1,
  min_fork = 1,
  max_fork = 4,
  connect = function(socket)
    socket:write("ok\n")
    return false
  end,
}
