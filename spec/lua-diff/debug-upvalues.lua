-- debug.getupvalue / setupvalue / upvalueid / upvaluejoin on Lua closures
-- and C functions; upvalue names, _ENV, sharing, errors.
local str, show = dofile((...) .. "/show.lua")

local a, b = 1, "two"
local function f() return a, b end
local function g() return a end
local function usesglobal() return print end
show("f", debug.getupvalue(f, 1))
show("f", debug.getupvalue(f, 2))
show("f", debug.getupvalue(f, 3))
show("f", debug.getupvalue(f, 0))
show("f", debug.getupvalue(f, -1))
show("global", debug.getupvalue(usesglobal, 1))
show("global env", select(2, debug.getupvalue(usesglobal, 1)) == _ENV)
show("main", debug.getupvalue(load("return x"), 1))
show("C", debug.getupvalue(print, 1))
local wrapped = coroutine.wrap(function() end)
show("C closure", debug.getupvalue(wrapped, 1))
show("C closure 2", debug.getupvalue(wrapped, 2))
local gm = string.gmatch("a", "a")
show("gmatch", debug.getupvalue(gm, 1))

-- setupvalue
show("set", debug.setupvalue(f, 1, 10), a)
show("set b", debug.setupvalue(f, 2, nil), f())
show("set none", debug.setupvalue(f, 3, 0))
show("set C", debug.setupvalue(print, 1, 0))
show("set C closure", debug.setupvalue(wrapped, 1, 0))
a, b = 1, "two"

-- sharing: upvalueid and upvaluejoin
show("same id", debug.upvalueid(f, 1) == debug.upvalueid(g, 1))
show("different id", debug.upvalueid(f, 1) == debug.upvalueid(f, 2))
show("id type", type(debug.upvalueid(f, 1)))
local function counter()
  local n = 0
  return function() n = n + 1 return n end
end
local c1, c2 = counter(), counter()
show("independent", c1(), c1(), c2())
show("ids differ", debug.upvalueid(c1, 1) == debug.upvalueid(c2, 1))
debug.upvaluejoin(c2, 1, c1, 1)
show("joined", debug.upvalueid(c1, 1) == debug.upvalueid(c2, 1), c2(), c1())
local env = {print = function() return "fake print" end}
local loaded = load("return print()")
debug.upvaluejoin(loaded, 1, function() return env end, 1)
show("joined env", loaded())
show("C upvalueid", pcall(debug.upvalueid, wrapped, 1))

-- errors
show(pcall(debug.getupvalue, f))
show(pcall(debug.getupvalue, {}, 1))
show(pcall(debug.getupvalue, f, "x"))
show(pcall(debug.setupvalue, f, 1))
show(pcall(debug.setupvalue, 1, 1, 1))
show(pcall(debug.upvalueid, f, 5))
show(pcall(debug.upvalueid, f, 0))
show(pcall(debug.upvalueid, print, 1))
show(pcall(debug.upvalueid, 1, 1))
show(pcall(debug.upvaluejoin, f, 1, g, 5))
show(pcall(debug.upvaluejoin, f, 9, g, 1))
show(pcall(debug.upvaluejoin, wrapped, 1, f, 1))
show(pcall(debug.upvaluejoin, f, 1, wrapped, 1))
show(pcall(debug.upvaluejoin, f, 1, "x", 1))
show(pcall(debug.upvaluejoin))
