-- debug.traceback: messages, levels, C functions ("[C]: in function
-- 'pcall'", "[C]: in ?"), tail calls, coroutines, long stacks. Tracebacks
-- are taken inside coroutines so that they do not reach the main chunk,
-- which the interpreters call differently.
local function clean(s) return (s:gsub("[%w_%.%-/]*/", "")) end
local function run(f, ...) return coroutine.wrap(f)(...) end

print(run(function() return clean(debug.traceback()) end))
print(run(function() return clean(debug.traceback("message")) end))
print(run(function() return clean(debug.traceback("message", 0)) end))
print(run(function() return clean(debug.traceback("message", 1)) end))
print(run(function() return clean(debug.traceback("message", 2)) end))
print(run(function() return clean(debug.traceback("message", 50)) end))
print(run(function() return clean(debug.traceback(nil, 1)) end))
print(run(function() return clean(debug.traceback(12)) end))
print(run(function() return clean(debug.traceback("")) end))
print(run(function() return clean(debug.traceback("two\nlines")) end))

-- non-string messages come back untouched
local t = {}
print(debug.traceback(t) == t, debug.traceback(print) == print, debug.traceback(true), debug.traceback(false, 1))
print(select("#", debug.traceback(nil)), type(debug.traceback(nil)))

-- named functions, C functions, methods, fields
local obj = {}
function obj:method() return clean(debug.traceback("in method")) end
function obj.field() return clean(debug.traceback("in field")) end
local function loc() return clean(debug.traceback("in local")) end
function globalfn() return clean(debug.traceback("in global")) end
print(run(function() return obj:method() end))
print(run(function() local r = obj.field() return r end))
print(run(function() local r = loc() return r end))
print(run(function() local r = globalfn() return r end))
print(run(function() return select(2, pcall(debug.traceback, "through pcall")) end):gsub("[%w_%.%-/]*/", ""))
print(run(function() return select(2, pcall(loc)) end))
print(run(function() return select(2, xpcall(error, debug.traceback, "raised")) end):gsub("[%w_%.%-/]*/", ""))
print(run(function() return select(2, xpcall(function() local x = nil; return x.y end, function(m) return clean(debug.traceback(m, 2)) end)) end))
print(run(function() local s = string.gsub("x", "x", function() return clean(debug.traceback("in gsub")) end) return s end))
print(run(function() local r table.sort({2, 1}, function(a, b) r = clean(debug.traceback("in sort")) return a < b end) return r end))
local mt = {__index = function() return clean(debug.traceback("in __index")) end,
  __add = function() return clean(debug.traceback("in __add")) end}
print(run(function() local r = setmetatable({}, mt).x return r end))
print(run(function() local r = setmetatable({}, mt) + 1 return r end))
do  -- C-function names in traceback (as db.lua checks)
  local st, msg = (function() return pcall end)()(debug.traceback)
  print(st, (msg:match("pcall") ~= nil))
end

-- tail calls
local function tail3() return clean(debug.traceback("tail")) end
local function tail2() return tail3() end
local function tail1() return tail2() end
print(run(function() local r = tail1() return r end))

-- other threads
local co = coroutine.create(function(a)
  local function deeper(n) if n == 0 then coroutine.yield() else deeper(n - 1) end end
  deeper(a)
end)
coroutine.resume(co, 3)
print(clean(debug.traceback(co)))
print(clean(debug.traceback(co, "msg")))
print(clean(debug.traceback(co, "msg", 0)))
print(clean(debug.traceback(co, "msg", 1)))
print(clean(debug.traceback(co, "msg", 3)))
print(clean(debug.traceback(co, "msg", 10)))
print(clean(debug.traceback(co, nil, 2)))
print(debug.traceback(co, t) == t)
local dead = coroutine.create(function() error("dead") end)
coroutine.resume(dead)
print(clean(debug.traceback(dead)))
print(clean(debug.traceback(dead, "dead one")))
print(clean(debug.traceback(coroutine.create(print), "fresh")))

-- long stacks are cut: 10 levels, "...", then the last 11
local function deep(n) if n == 0 then return clean(debug.traceback("deep")) end local r = deep(n - 1) return r end
print(run(function() local r = deep(30) return r end))
print(run(function() local r = deep(19) return r end))
print(run(function() local r = deep(20) return r end))
print(run(function() local r = deep(21) return r end))

-- argument errors
print(pcall(debug.traceback, "m", "x"))
print(pcall(debug.traceback, "m", 1.5))
print(pcall(debug.traceback, co, "m", {}))
