-- Binary-exact reads and writes: a PNG, every byte value, NULs and CRLFs.
local fixtures = ...
local f = assert(io.open(fixtures .. "/gradient.png", "rb"))
local png = f:read("a")
f:close()
local sum = 0
for i = 1, #png do sum = (sum * 31 + png:byte(i)) % 65521 end
print(#png, sum, png:sub(1, 8) == "\137PNG\r\n\26\n", select(2, png:gsub("%z", "")))
local out = assert(io.open("copy.png", "wb"))
out:write(png)
out:close()
local back = io.open("copy.png", "rb"):read("a")
print(back == png)
local g = io.open(fixtures .. "/gradient.png", "r")
local chunks = {}
repeat local c = g:read(100) chunks[#chunks + 1] = c until not c
print(#chunks, table.concat(chunks) == png)
g:seek("set", 16)
print(string.unpack(">I4>I4", g:read(8)))
g:close()
local s = "a\0b\r\n\0\255\254\r\r\n\n"
io.open("z.bin", "w"):write(s):close()
local z = io.open("z.bin"):read("a")
print(#z, z == s)
io.stdout:write("raw bytes: ", s, "\n")
print("nul in print:", "a\0b")
