-- debug.sethook / debug.gethook: line, call, return and count hooks,
-- masks, per-coroutine hooks, hooks turned off, argument errors.
local events = {}
local function record(event, line)
  local info = debug.getinfo(2, "Sn")
  local where = info.what == "C" and ("C:" .. tostring(info.name)) or ("L" .. tostring(line or "-") .. ":" .. tostring(info.name))
  events[#events + 1] = event .. "@" .. where
end
local function flush(label)
  print(label, table.concat(events, " "))
  events = {}
end

local function add(a, b)
  local c = a + b
  return c
end

-- line hook
debug.sethook(record, "l")
local x = add(1, 2)
x = x + 1
debug.sethook()
flush("line")

-- call and return hooks
debug.sethook(record, "cr")
add(3, 4)
local _ = select("#", 1, 2)
debug.sethook()
flush("call/return")

-- tail calls report "tail call"
local function tailee() return 1 end
local function tailer() return tailee() end
debug.sethook(record, "c")
tailer()
debug.sethook()
flush("tail call")

-- count hook
local count = 0
debug.sethook(function(event) count = count + 1 assert(event == "count") end, "", 1)
for i = 1, 10 do x = x + i end
debug.sethook()
print("count hook fired", count > 10)
count = 0
debug.sethook(function() count = count + 1 end, "", 1000000)
for i = 1, 10 do x = x + i end
debug.sethook()
print("sparse count hook", count)

-- gethook
print("no hook", debug.gethook())
local function h() end
debug.sethook(h, "crl", 5)
local f, mask, n = debug.gethook()
debug.sethook()
print("hook", f == h, mask, n)
debug.sethook(h, "l")
print("mask l", select(2, debug.gethook()))
debug.sethook(h, "c")
print("mask c", select(2, debug.gethook()))
debug.sethook(h, "r")
print("mask r", select(2, debug.gethook()))
debug.sethook(h, "rlc", 0)
print("mask rlc", select(2, debug.gethook()))
debug.sethook(h, "xyz")
print("no events", debug.gethook())
debug.sethook(h, "", 3)
f, mask, n = debug.gethook()
print("count only", f == h, mask, n)
debug.sethook(h, "l", -1)
print("negative count", select(2, debug.gethook()))
debug.sethook(nil)
print("off", debug.gethook())
debug.sethook(h, "l")
debug.sethook()
print("off again", debug.gethook())

-- hooks belong to a coroutine
local co = coroutine.create(function()
  local a = 1
  coroutine.yield(debug.gethook() ~= nil)
  a = a + 1
  return a
end)
local lines = {}
debug.sethook(co, function(_, line) lines[#lines + 1] = line end, "l")
print("main thread hook", debug.gethook())
print("coroutine hook", select(2, debug.gethook(co)))
print(coroutine.resume(co))
print(coroutine.resume(co))
print("coroutine lines", #lines > 0)
debug.sethook(co)
print("coroutine off", debug.gethook(co))

-- the hook sees the running function's locals and its line
local seen
debug.sethook(function(event, line)
  if seen == nil and debug.getinfo(2, "n").name == "add" then
    local name, value = debug.getlocal(2, 1)
    seen = tostring(name) .. "=" .. tostring(value)
  end
end, "l")
add(10, 20)
debug.sethook()
print("hook getlocal", seen)

-- a hook that errors
local ok, msg = pcall(function()
  local fired = false
  debug.sethook(function() if not fired then fired = true error("hook error") end end, "l")
  add(1, 1)
end)
debug.sethook()
print("hook error", ok, (msg:gsub("^.*:%d+: ", "")))

-- argument errors
print(pcall(debug.sethook, h))
print(pcall(debug.sethook, h, 1))
print(pcall(debug.sethook, 1, "l"))
print(pcall(debug.sethook, h, "l", "x"))
print(pcall(debug.sethook, h, {}))
print(pcall(debug.sethook, co, 1, "l"))
print(pcall(debug.gethook, 1))
debug.sethook()
