-- debug.getinfo: every field for Lua, C (host) and main functions, stack
-- levels, options, names, tail calls, errors.
local function fmt(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    return "{" .. table.concat(keys, ",") .. "}"
  end
  if type(v) == "function" then return "function" end
  return tostring(v)
end
local FIELDS = {"source", "short_src", "what", "linedefined", "lastlinedefined", "currentline",
  "name", "namewhat", "nups", "nparams", "isvararg", "istailcall", "activelines", "func"}
local function dump(label, t)
  if t == nil then print(label, "nil") return end
  local out = {}
  for _, f in ipairs(FIELDS) do
    if t[f] ~= nil then out[#out + 1] = f .. "=" .. fmt(t[f]) end
  end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  print(label, n, table.concat(out, " "))
end
local function src(t) if t and t.source then t.source = t.source:match("[^/]*$") t.short_src = t.short_src:match("[^/]*$") end return t end

-- C functions
dump("print", debug.getinfo(print))
dump("print S", debug.getinfo(print, "S"))
dump("print l", debug.getinfo(print, "l"))
dump("print u", debug.getinfo(print, "u"))
dump("print n", debug.getinfo(print, "n"))
dump("print t", debug.getinfo(print, "t"))
dump("print L", debug.getinfo(print, "L"))
dump("print f", debug.getinfo(print, "f"))
dump("string.format", debug.getinfo(string.format, "Su"))
dump("coroutine.wrap", debug.getinfo(coroutine.wrap(function() end), "Su"))
dump("io.write", debug.getinfo(io.write, "S"))
dump("empty options", debug.getinfo(print, ""))

-- Lua functions
local function three(a, b, c)
  local x = a
  return x
end
local function va(a, ...) return a end
local up1, up2 = 1, 2
local function ups() return up1 + up2 end
dump("three", src(debug.getinfo(three)))
dump("three SL", src(debug.getinfo(three, "SL")))
dump("three u", debug.getinfo(three, "u"))
dump("va u", debug.getinfo(va, "u"))
dump("ups u", debug.getinfo(ups, "u"))
dump("loaded", debug.getinfo(load("return 1", "=chunk"), "S"))
dump("loaded string", debug.getinfo(load("local a = 1\nreturn a"), "SL"))
dump("loaded at", debug.getinfo(load("return 1", "@some/file.lua"), "S"))
dump("long name", debug.getinfo(load("return 1", "=" .. string.rep("n", 100)), "S"))
dump("long string", debug.getinfo(load("return 1 --" .. string.rep("s", 100)), "S"))
dump("multiline", debug.getinfo(load("\nreturn 1"), "S"))
dump("long file", debug.getinfo(load("return 1", "@" .. string.rep("d/", 40) .. "f.lua"), "S"))
local oneline = function() return 1 end
dump("oneline", src(debug.getinfo(oneline, "S")))

-- stack levels
local function level(n, opts) return src(debug.getinfo(n, opts)) end
dump("level 0", debug.getinfo(0, "Sn"))
dump("level 1", level(1, "Slnt"))
local function inner() return level(2, "Slnt"), level(3, "Sn") end
local a, b = inner()
dump("level 2", a)
dump("level 3", b)
dump("level 1000", debug.getinfo(1000))
dump("level -1", debug.getinfo(-1))
dump("level huge", debug.getinfo(2147483647))

-- names of called functions
local t = {}
function t.field() return debug.getinfo(1, "n") end
function t:method() return debug.getinfo(1, "n") end
local function loc() return debug.getinfo(1, "n") end
glob = function() return debug.getinfo(1, "n") end
dump("field", t.field())
dump("method", t:method())
dump("local", loc())
dump("global", glob())
dump("upvalue", (function() return loc() end)())
dump("tail call", (function() return loc() end)())
local function tailer() return debug.getinfo(1, "nt") end
local function caller() return tailer() end
dump("tail", caller())
local function notail() local r = debug.getinfo(1, "nt") return r end
dump("no tail", notail())
for _ in function() dump("for iterator", debug.getinfo(1, "n")) end do end
local mt = {__index = function() return debug.getinfo(1, "n") end,
  __add = function() return debug.getinfo(1, "n") end,
  __call = function() return debug.getinfo(1, "n") end,
  __concat = function() return debug.getinfo(1, "n") end,
  __eq = function() dump("eq", debug.getinfo(1, "n")) return true end,
  __lt = function() dump("lt", debug.getinfo(1, "n")) return true end,
  __len = function() return debug.getinfo(1, "n") end,
  __unm = function() return debug.getinfo(1, "n") end}
local o = setmetatable({}, mt)
dump("__index", o.missing)
dump("__add", o + 1)
dump("__call", o())
dump("__concat", o .. "x")
local _ = o == setmetatable({}, mt)
_ = o < o
dump("__len", #o)
dump("__unm", -o)
dump("pcall'd", select(2, pcall(loc)))
dump("via C", select(2, pcall(function() return debug.getinfo(2, "Sn") end)))

-- the function and thread forms
local co = coroutine.create(function(x) coroutine.yield(debug.getinfo(1, "l").currentline) return x end)
local _, line = coroutine.resume(co)
local ci = debug.getinfo(co, 1, "Sl")
print("coroutine", ci.what, ci.currentline == line, debug.getinfo(co, 0, "S").what)
dump("coroutine level 2", debug.getinfo(co, 2, "S"))
dump("coroutine func", debug.getinfo(co, print, "S"))
dump("main", src(debug.getinfo(1, "S")))

-- errors
local function pc(ok, v) print(ok, type(v) == "table" and "table" or v) end
pc(pcall(debug.getinfo))
pc(pcall(debug.getinfo, print, "X"))
pc(pcall(debug.getinfo, print, "Sq"))
pc(pcall(debug.getinfo, {}))
pc(pcall(debug.getinfo, "1"))
pc(pcall(debug.getinfo, 1.5))
pc(pcall(debug.getinfo, co, "x"))
pc(pcall(debug.getinfo, print, 42))
