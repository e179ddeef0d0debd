-- file:read formats: "n", "l", "L", "a", counts, several at once, errors.
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = type(t[i]) == "string" and string.format("%q", t[i]) or tostring(t[i]) end print(t.n, table.concat(t, " ")) end
local function file(content) local f = io.open("r.txt", "wb") f:write(content) f:close() return io.open("r.txt", "rb") end

local f = file("line one\nline two\r\n\nlast")
show(f:read())
show(f:read("L"))
show(f:read("l"))
show(f:read("*l"))
show(f:read("l"))
show(f:read("l"))
show(f:read("a"))
show(f:read("a"))
show(f:read(0))
show(f:read(1))
f:close()

f = file("abcdefghij")
show(f:read(3, 0, 2, "a"))
show(f:read(0))
show(f:read("a", "a", "l"))
f:close()

f = file("1 2.5 -3 0x10 1e2 .5 5. -.5e-1 0x1p4 0xA.8p0 +7 1e+2 1E-2 0X1F")
local nums = {}
for i = 1, 15 do nums[i] = tostring(f:read("n")) end
print(table.concat(nums, " "))
show(f:read("n"))
f:close()

for _, s in ipairs{"", "   ", "abc", "-", "+", "0x", "0xg", "1e", "1e+", "- 1", "--1", "1..2", ".", "..5",
                   "0x.p1", "1e5x", "12abc", "  \t\n 77", "0x1P-1", "inf", "nan", "1,5", "0b101",
                   "00012", "0x00000000000000000000000000001", ("9"):rep(199), ("9"):rep(200), ("9"):rep(201),
                   "1" .. ("0"):rep(30), "0." .. ("0"):rep(150) .. "1"} do
  f = file(s)
  local n = f:read("n")
  print(string.format("%q", s:sub(1, 40)), math.type(n), n ~= nil and string.format("%.6g", n) or "nil", string.format("%q", f:read("a"):sub(1, 20)))
  f:close()
end

f = file("10 20\n30\nabc 40")
show(f:read("n", "n", "n", "n", "n"))
show(f:read("l"))
f:close()

f = file("x\ny\n")
show(f:read("L", "L", "L"))
f:close()
f = file("no newline")
show(f:read("L"))
show(f:read("L"))
f:close()

f = file(("z"):rep(20000) .. "\n" .. ("y"):rep(9000))
local a = f:read("l")
local b = f:read("l")
print(#a, #b, a:sub(1, 3), b:sub(-3))
f:close()

f = file("0123456789")
show(f:read(100))
show(f:read(100))
f:close()

f = file("hello")
print(pcall(f.read, f, "x"))
print(pcall(f.read, f, "*x"))
print(pcall(f.read, f, {}))
print(pcall(f.read, f, 1.5))
print(pcall(f.read, f, "l", "q"))
print(pcall(f.read, f, -1))
show(f:read(1))
f:close()

-- reading a write-only file
f = io.open("w.txt", "w")
show(f:read("a"))
show(f:read("l"))
f:close()
-- binary: every byte value survives
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
all = table.concat(all):rep(3)
f = io.open("bin", "wb") f:write(all) f:close()
f = io.open("bin", "rb")
local back = f:read("a")
print(#back, back == all)
f:seek("set", 0)
local lines = 0
for l in f:lines("L") do lines = lines + 1 end
print("lines", lines)
f:close()
