-- io.tmpfile and large output through a pipe.
local t = io.tmpfile()
print(io.type(t))
t:write("temporary ", 123, "\n")
t:seek("set")
print(t:read("a"))
print(t:close())
local parts = {}
for i = 1, 20000 do parts[#parts + 1] = string.rep(string.char(65 + i % 26), 50) end
local big = table.concat(parts, "\n")
io.write(big, "\n")
print(#big)
for i = 1, 3000 do print(i, i * 2, "x") end
io.write("the end")
