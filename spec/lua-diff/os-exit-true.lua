-- diff-exit: os.exit
-- os.exit(true) is EXIT_SUCCESS (0), from inside a coroutine, with close.
print("before")
local co = coroutine.wrap(function ()
  io.write("in coroutine")
  coroutine.yield()
  os.exit(true, true)
end)
co()
io.write(" | resumed")
co()
print("not reached")
