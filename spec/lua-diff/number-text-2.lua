-- Where Lua turns floats into text: tostring, `..` (both sides, numbers
-- with numbers), table.concat, string.rep, string.format('%s'), string
-- functions taking numbers as strings, print with several values, and
-- math.tointeger/math.type around integral floats.
print(tostring(-0.0), -0.0 .. "", 0.0 .. "", 1e300 * 1e10 .. "", -1e300 * 1e10 .. "", 2^31 .. "")
print(1.0 .. 2.0, 1 .. 2, 1.5 .. -1, -0.0 .. -0.0, 2^53 .. 2^63)
print(table.concat({1.0, 2.5, -0.0, 1e100, 1/0, 0/0, 3, 1e15, 2^-1074}, ","))
print(table.concat({0.1, 0.2, 0.30000000000000004}, " "))
print(string.rep(1.5, 3), string.rep(1.0, 2, 0.5), string.rep(-0.0, 2, ""))
print(string.format("%s %s %s %s %s", 1e100, 1.0, -0.0, 2^53, 0/0))
print(string.format("%s|%8s|%-8s|%.3s", 1.25, 2.0, 1e15, 1/3))
print(#tostring(1/3), (1/3 .. ""):len(), string.len(1e15), string.upper(1e100), string.byte(1.5, 1, -1))
print(string.sub(123.0, 1, 3), string.reverse(1e15), ("x"):rep(2, 1.0))
print(math.tointeger(3.0), math.tointeger(-0.0), math.tointeger(3.5), math.tointeger(2^30), math.type(2^31))
print(math.type(1.0), math.type(1), math.type(2^53), 3 // 1.0, 7 / 2, 3 * 1.0, 2^2, 10 // 3.0, 7 % 2.5, -7 % 2.5)
print(1e15, 1e16, 123456789012345.0, 2^53, 1e-5, 1e-4, 5e-324, -(0/0), 0/0, math.huge, -math.huge)
print(math.pi, -math.pi, math.pi * 1e20, math.pi / 1e20)
print(tostring(1e15):find("e"), tostring(100.0):find("%."), tonumber(tostring(1/3)), tonumber(tostring(2^53)))
print(string.format("%d", 3.0), pcall(string.format, "%d", 3.5), pcall(string.format, "%x", 2.5))
print(string.format("%5.1f|%-8.3e|%g", 3.0, 2.5, 100.0), 10 / 2, 1 / 2, 3 - 3.0, -3 + 3.0)
local t = {}
for i = 1, 20 do t[#t + 1] = i / 4 .. "" end
print(table.concat(t, " "))
for i = 1, 20 do io.write(tostring(i / 8), " ", tostring(-i * 1e14 / 3), " ") end
print()
