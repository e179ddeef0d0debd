-- debug.getmetatable / setmetatable (any type, no __metatable protection),
-- getuservalue / setuservalue, getregistry.
local str, show = dofile((...) .. "/show.lua")

local t = setmetatable({}, {__metatable = "protected", __index = {k = "v"}})
show("protected", getmetatable(t), debug.getmetatable(t).__metatable, t.k)
show("set protected", pcall(setmetatable, t, {}))
show("debug set", debug.setmetatable(t, nil) == t, getmetatable(t), t.k)
show("string mt", debug.getmetatable("").__index == string)
show("no mt", debug.getmetatable(1), debug.getmetatable(nil), debug.getmetatable(print), debug.getmetatable(true))

-- metatables for non-table types
local nmt = {__index = function(n, k) return k .. n end, __call = function(n, x) return n + x end}
show("number mt", debug.setmetatable(10, nmt))
show("number use", (5).x, (5)(3), debug.getmetatable(1) == nmt)
debug.setmetatable(0, nil)
show("number cleared", debug.getmetatable(1), pcall(function() return (5).x end))
debug.setmetatable(nil, {__index = function() return "from nil" end})
show("nil mt", (nil).anything)
debug.setmetatable(nil, nil)
debug.setmetatable(true, {__len = function(b) return b and 1 or 0 end})
show("boolean mt", #true, #false)
debug.setmetatable(false, nil)
debug.setmetatable(print, {__index = {name = "a function"}})
show("function mt", print.name, (function() end).name)
debug.setmetatable(print, nil)
local co = coroutine.create(print)
debug.setmetatable(co, {__index = {kind = "thread"}})
show("thread mt", co.kind)
debug.setmetatable(co, nil)

-- errors
show(pcall(debug.setmetatable, {}, 1))
show(pcall(debug.setmetatable, {}))
show(pcall(debug.setmetatable, {}, "x"))
show(pcall(debug.getmetatable))

-- uservalues: only full userdata have them
show("uservalue of non-userdata", debug.getuservalue({}), debug.getuservalue(1), debug.getuservalue())
show("io userdata", type(io.stdout), debug.getuservalue(io.stdout))
local uv = {}
show("set uservalue", debug.setuservalue(io.stdout, uv) == io.stdout, debug.getuservalue(io.stdout) == uv)
show("set uservalue nil", debug.setuservalue(io.stdout, nil) == io.stdout, debug.getuservalue(io.stdout))
show(pcall(debug.setuservalue, io.stdout, 1))
show(pcall(debug.setuservalue, {}, {}))
show(pcall(debug.setuservalue, 1, 1))
show(pcall(debug.setuservalue, io.stdout))

-- the registry
local reg = debug.getregistry()
show("registry", type(reg), reg == debug.getregistry(), reg._LOADED == package.loaded, reg[2] == _G)
show("main thread", type(reg[1]), reg[1] == coroutine.running())
show("FILE*", type(reg["FILE*"]), reg["FILE*"] == debug.getmetatable(io.stdout))
show("_PRELOAD", reg._PRELOAD == package.preload)
local ref = #reg + 1
reg[ref] = "stored"
show("stored", debug.getregistry()[ref])
reg[ref] = nil
