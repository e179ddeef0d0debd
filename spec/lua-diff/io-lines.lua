-- io.lines and file:lines: formats, closing at the end, errors.
local f = io.open("l.txt", "w")
f:write("1 2 3\nfour\n\nsix\n7.5 8\n")
f:close()

for l in io.lines("l.txt") do print("[" .. l .. "]") end
for l in io.lines("l.txt", "L") do io.write("{", l, "}") end
print()
for a, b in io.lines("l.txt", 1, 2) do print(a, b) end
for n in io.lines("l.txt", "n") do print(n) end
for a, b, c in io.lines("l.txt", "n", "n", "l") do print(a, b, c) end

local h = io.open("l.txt")
local count = 0
for l in h:lines() do count = count + 1 end
print("count", count, io.type(h))
print(h:read("a") == "", h:seek("cur"))
h:seek("set", 2)
for w in h:lines(3) do io.write(w, "|") end
print()
h:close()
print(pcall(function() for l in h:lines() do end end))

local it = io.lines("l.txt")
print(it(), it(), it(), it(), it(), it())
print(pcall(it))

local g = io.open("l.txt")
local iter = g:lines()
print(iter())
g:close()
print(pcall(iter))

print(pcall(io.lines, "no-such-file.txt"))
print(pcall(io.lines, {}))
print(type(select(2, pcall(io.lines, "l.txt", "x"))))
local ok, err = pcall(function() for x in io.lines("l.txt", "x") do end end)
print(ok, err)
local args = {}
for i = 1, 251 do args[i] = "l" end
print((pcall(io.lines, "l.txt", table.unpack(args))))
args[251] = nil
print((pcall(io.lines, "l.txt", table.unpack(args))))

-- default input
io.input("l.txt")
for l in io.lines() do io.write(l, ";") end
print()
print(io.read("l"))
io.input():seek("set")
print(io.read("n", "n"))
io.input():close()
print(pcall(io.read))
print(pcall(io.lines))
io.input(io.stdin)
print(io.read("a"))
