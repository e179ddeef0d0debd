-- string.format with random specifications: random flag sets (repeats
-- included), widths, precisions (also an empty one, "%.d"), every
-- conversion Lua accepts, on integers, floats, strings and special values;
-- errors are printed too.
local seed = 4242.0
local function rand(n) seed = (seed * 16807.0) % 2147483647.0; return math.floor(seed % n) end
local flagsChars = {"-", "+", " ", "#", "0"}
local convs = {"d", "i", "u", "o", "x", "X", "c", "e", "E", "f", "g", "G", "a", "A", "s", "q"}
local vals = {0, 1, -1, 42, -42, 255, 65535, 2147483647, -2147483647, 0.0, -0.0, 0.5, 1.5, -2.5, 1/3, 1e100, -1e-100,
  2^-1074, 1e9, 123456.789, 1/0, -1/0, 0/0, "abc", "", "hello world", 3.0, 1e300, 9.5, 0.05}
for i = 1, 4000 do
  local f = "%"
  for j = 1, rand(4) do f = f .. flagsChars[rand(5) + 1] end
  if rand(2) == 1 then f = f .. rand(30) end
  if rand(2) == 1 then f = f .. "." .. (rand(3) == 0 and "" or rand(40)) end
  local c = convs[rand(#convs) + 1]
  f = f .. c
  local v = vals[rand(#vals) + 1]
  local ok, r = pcall(string.format, "[" .. f .. "]", v)
  print(f, ok, r)
end
