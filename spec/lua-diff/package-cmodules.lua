-- diff-env: LUA_PATH=./?.lua LUA_CPATH=./?.so;./?/core.so
-- C modules: the C and Croot searchers find files in package.cpath (they
-- cannot load them here, so only the first line of the error is compared);
-- package.loadlib's (nil, message, "open") where dlopen fails.
local function write(name, text) local f = assert(io.open(name, "w")) f:write(text) f:close() end
local function firstline(ok, msg) print(ok, (tostring(msg):match("^[^\n]*"))) end

write("fakec.so", "not a shared object")
firstline(pcall(require, "fakec"))
firstline(pcall(require, "fakec.sub"))
firstline(pcall(require, "fakec.sub.deeper"))
print(package.loaded.fakec, package.loaded["fakec.sub"])
-- a Lua module wins over a C one
write("both.lua", "return 'lua version'")
write("both.so", "")
print(require("both"))
-- a preload entry wins too
write("pre.so", "")
package.preload.pre = function() return "preloaded" end
print(require("pre"))
-- the C searcher comes before the all-in-one (Croot) searcher
write("fakec2.so", "")
firstline(pcall(require, "fakec2"))
-- nothing found: the usual message lists the C files tried
print(select(2, pcall(require, "absent.mod")))

-- package.loadlib never loads a library here
local function loadlib(...)
  local t = table.pack(pcall(package.loadlib, ...))
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " | ", 1, t.n))
end
loadlib("./nonexistent.so", "luaopen_x")
loadlib("/nonexistent/dir/lib.so", "*")
loadlib("nonexistent-in-search-path.so", "luaopen_x")
loadlib("./", "*")
loadlib("/", "luaopen_root")
loadlib("./fakec.so", "luaopen_fakec")
write("empty.so", "")
loadlib("./empty.so", "*")
write("text.so", string.rep("plain text, not an ELF file\n", 4))
loadlib("./text.so", "luaopen_text")
loadlib()
loadlib("./x.so")
loadlib({}, "f")
loadlib("./x.so", {})
loadlib(12, 34)
