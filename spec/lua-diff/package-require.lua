-- diff-env: LUA_PATH=./?.lua;./?/init.lua LUA_CPATH=./?.so;./lib?.so
-- require: the searchers' messages, loaders' arguments, package.loaded and
-- package.preload, loading errors, C modules found in package.cpath.
local fixtures = ...
local pkg = fixtures .. "/pkg"
local function clean(s) return (s:gsub(pkg:gsub("%p", "%%%0"), "<pkg>")) end
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = type(t[i]) == "string" and clean(t[i]) or tostring(t[i]) end
  print(table.concat(t, " | ", 1, t.n))
end
local function try(name) show(pcall(require, name)) end

print(package.path)
print(package.cpath)
print(#package.searchers)
for i, s in ipairs(package.searchers) do print(i, type(s), debug.getinfo(s, "S").what) end

-- missing modules: every searcher contributes its lines
try("nothere")
try("a.b.c")
try("a-b")
try("")

-- modules in the working directory
local function write(name, text) local f = assert(io.open(name, "w")) f:write(text) f:close() end
write("here.lua", "return {n = select('#', ...), name = ..., file = select(2, ...)}")
local m = require("here")
show(m.n, m.name, m.file, require("here") == m, package.loaded.here == m)
show(select("#", require("here")))

-- modules under the fixtures
package.path = pkg .. "/?.lua;" .. pkg .. "/?/init.lua"
show(require("sub.dir.mod"))
show(require("withinit"))
local a = require("args")
show(a.name, a.file, a.n)
try("syntaxerr")
try("failing")
local ok, e = pcall(require, "failtable")
show(ok, type(e), type(e) == "table" and e.code)
show(require("retfalse"), package.loaded.retfalse)
show(require("retnothing"), COUNT, package.loaded.retnothing)
show(require("retnothing"), COUNT)
show(require("setsloaded"), package.loaded.setsloaded)
show(require("setsandreturns"), package.loaded.setsandreturns)
try("sub.dir.nothere")

-- package.loaded and package.preload
package.loaded.fake = "fake value"
show(require("fake"))
package.loaded.fake = false
package.preload.fake = function(...) return "from preload", select("#", ...), ... end
show(require("fake"))
package.loaded.fake = nil
show(require("fake"))
package.preload.fake = function() end
package.loaded.fake = nil
show(require("fake"), package.loaded.fake)
package.preload.fake = function() error("preload failed") end
package.loaded.fake = nil
try("fake")
show(require("string") == string, require("_G") == _G, require("package") == package)
show(package.loaded.fengari, package.jspath)

-- a searcher may return a message, nothing, or a loader and extra value
table.insert(package.searchers, 2, function(name)
  if name == "custom" then return function(n, x) return "custom:" .. n .. ":" .. tostring(x) end, "extra" end
  if name == "silent" then return end
  return "\n\tno custom '" .. name .. "'"
end)
show(require("custom"))
try("silent")
try("nowhere")
table.remove(package.searchers, 2)
table.insert(package.searchers, function() return 42 end)
try("nowhere")
table.remove(package.searchers)

-- bad package fields
local path, cpath, searchers = package.path, package.cpath, package.searchers
package.path = nil
try("x1")
package.path = 42
try("x2")
package.path = path
package.cpath = {}
try("x3")
package.cpath = 17
try("x4")
package.cpath = cpath
package.searchers = nil
try("x5")
package.searchers = "not a table"
try("x6")
package.searchers = searchers

-- argument errors
show(pcall(require))
show(pcall(require, {}))
show(pcall(require, nil))
try(12)
