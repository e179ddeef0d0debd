-- Test app: an interval listener and a main listener in separate pools.
-- The interval handler logs its runs; the main handler logs, sleeps a while and
-- returns, which ends the server gracefully.
local main_seconds = tonumber((...)) or 1.1
listen{
  { proto = "interval", name = "tick", delay = 0.2 },
  connect = function(arg)
    io.stderr:write("interval ", tostring(arg.interval), " run in ", moonbridge_io.getpid(), "\n")
    return true
  end
}
listen{
  { proto = "main", name = "boss" },
  connect = function(arg)
    io.stderr:write("main ", tostring(arg.main), " started\n")
    moonbridge_io.poll(nil, nil, main_seconds)
    io.stderr:write("main done\n")
  end,
  finish = function() io.stderr:write("main worker finished\n") end
}
