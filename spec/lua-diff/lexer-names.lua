-- the scanner's names, reserved words and string literals (moonbridge-lua
-- patch: names are looked up by key before a string is made, reserved words
-- make none)
local endx, localx, nil_, _and, Or, NOT = 1, 2, 3, 4, 5, 6
print(endx, localx, nil_, _and, Or, NOT)
local t = { ["end"] = "e", ["local"] = "l", local_ = "x", ["function"] = "f" }
print(t["end"], t["local"], t.local_, t["function"], "end" == "e" .. "nd")
local s1, s2 = "repeated", "repeated"
print(s1 == s2, rawequal(s1, s2), #s1)
for _, src in ipairs{
  "local end = 1", "x = = 1", "local function end() end", "return 1 +", "goto continue",
  "::a:: ::a::", "local x <const> = 1", "return (function(a, a) return a end)(1, 2)", "x = 'unfinished",
  "return ...", "local a = {1, 2, 3} return #a", "return not nil and true or false",
  "do local until_ = 1 repeat until_ = until_ + 1 until until_ > 3 return until_ end",
  "return [[long\nstring]] .. [==[with ]] inside]==]",
  "return 0x10, 1e2, .5, 3 // 2, 7 >> 1, ~5",
} do
  local f, err = load(src, "=src")
  if f then print(src:sub(1, 20), "->", select("#", f()), f()) else print(src:sub(1, 20), "error:", err) end
end
-- many distinct names in one chunk
local parts = {}
for i = 1, 300 do parts[#parts + 1] = "local v" .. i .. " = " .. i end
parts[#parts + 1] = "return v1 + v150 + v199"
print(pcall(load(table.concat(parts, "\n"))))
local names = {}
for i = 1, 150 do names[#names + 1] = "n" .. i .. " = " .. i end
print(load("local t = {" .. table.concat(names, ", ") .. "} return t.n1 + t.n150")())
