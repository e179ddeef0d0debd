-- Fengari patched for speed (patches/fengari+0.1.5.patch): stack slots are
-- cleared by assignment instead of delete, luaL_getmetafield looks events
-- up with a cached key, and strings of 0 and 1 bytes are shared. Each must
-- leave behaviour as lua5.3 has it.

-- deep recursion grows the stack; values above the top must read as nil
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print("depth", depth(5000))
local function count(...) return select("#", ...) end
local big = {}
for i = 1, 3000 do big[i] = i end
print("unpack", count(table.unpack(big)), select(3000, table.unpack(big)))
print("nils", count(nil, nil, nil), select(2, nil, 2, nil))
local function holes(...) local a, b, c, d = ... return a, b, c, d end
print("holes", holes(1), holes(1, nil, 3))
local ok, err = pcall(function() local function inf(n) return inf(n + 1) + 1 end return inf(1) end)
print("overflow", ok, (tostring(err):gsub("^.-:%d+: ", "")))
print("after overflow", depth(100), count(table.unpack(big, 1, 200)))
local co = coroutine.wrap(function(...)
  local n = depth(2000)
  local x = coroutine.yield(n, ...)
  return depth(10) + x
end)
print("coroutine", co(1, 2, 3))
print("coroutine", co(5))

-- metafields through luaL_getmetafield: __tostring, __name, __metatable,
-- __pairs, and the string metatable
local T = setmetatable({}, { __tostring = function() return "a T" end })
print("tostring", tostring(T), string.format("%s|%10s", T, T))
local N = setmetatable({}, { __name = "MyType" })
print("name", (tostring(N):gsub("0x%x+", "ADDR"):gsub(": [%x]+$", ": ADDR")))
print("bad arg", select(2, pcall(string.rep, N)))
print("bad tostring", pcall(tostring, setmetatable({}, { __tostring = function() return 1 end })))
print("metatable", getmetatable(setmetatable({}, { __metatable = "locked" })))
print("locked", pcall(setmetatable, setmetatable({}, { __metatable = false }), {}))
local P = setmetatable({}, { __pairs = function(t) return function(_, k) if not k then return 1, "one" end end, t, nil end })
for k, v in pairs(P) do print("pairs", k, v) end
local smt = getmetatable("")
smt.__tostring = function(s) return "<" .. s .. ">" end
print("string __tostring", tostring("x"), tostring(12))
smt.__tostring = nil
print("string plain", tostring("x"), tostring(12), tostring(1.5))
smt.__name = "STR"
print("string name", tostring("y"))
smt.__name = nil
-- the same event name from a new string each time
for i = 1, 3 do
  local mt = { ["__to" .. "string"] = function() return "dyn" .. i end }
  print("dynamic", tostring(setmetatable({}, mt)))
end

-- strings of no and of one byte: all 256, as table keys, through the
-- string library, compared and concatenated
local keys, n = {}, 0
for i = 0, 255 do
  local c = string.char(i)
  assert(c == ("x" .. c):sub(2, 2) and #c == 1 and c:byte() == i)
  keys[c] = i
end
for i = 0, 255 do n = n + keys[string.char(i)] end
print("bytes", n, keys[""], ("abc"):sub(2, 1) == "", #("abc"):sub(5))
local seen = {}
for ch in ("hello world"):gmatch(".") do seen[#seen + 1] = ch:upper() end
print("gmatch", table.concat(seen, ","))
print("gsub", ("a<b>&c"):gsub(".", { ["<"] = "&lt;", [">"] = "&gt;" }))
print("gsub captures", ("abc"):gsub("(.)", "%1%1"), ("abc"):gsub("", "-"))
print("compare", "a" < "b", "\0" < "\1", "" < "\0", "a" == string.char(97), ("\255"):byte())
print("rep", ("x"):rep(3, ""), (""):rep(5) == "", string.char() == "")
