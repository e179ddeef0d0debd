-- file:write (numbers as PUC writes them), seek, setvbuf, flush.
local f = assert(io.open("w.txt", "w"))
print(f:write(1, " ", 1.0, " ", -0.0, " ", 2^53, " ", 1e15, " ", 1e100, " ", 0.1, " ", -123, " ", 1/3, "\n") == f)
print(f:write(3.14159265358979, " ", 100, " ", 1e-7, " ", 2^63, " ", -2^31, " ", 255 // 1, " ", 7 / 2, "\n") == f)
f:write(1/0, " ", -1/0, " ", 123456789012, " ", 5e-324, " ", 1.5e308, "\n")
print(f:seek("cur"), f:seek("set"), f:seek("end"), f:seek())
print(f:seek("set", 3), f:seek("cur", 2), f:seek("cur", -1), f:seek("end", -4))
f:close()
io.write(io.open("w.txt"):read("a"))

f = io.open("s.txt", "w+")
f:write("0123456789")
print(f:seek("set", 4))
f:write("AB")
print(f:seek("cur"))
f:seek("set")
print(f:read("a"))
print(f:seek("end", 5))
f:write("Z")
f:seek("set")
local all = f:read("a")
print(#all, (all:gsub("%z", ".")))
print(f:seek("set", -1))
print(pcall(f.seek, f, "bad"))
print(pcall(f.seek, f, "set", 1.5))
print(pcall(f.seek, f, "set", "x"))
print(f:seek("set", 2), f:read(2), f:seek("cur"))
f:write("--")
f:seek("set")
print(f:read("a"))
f:close()

-- read, then write at the logical position
f = io.open("s.txt", "r+")
print(f:read(3))
f:write("|")
f:seek("set")
print(f:read("a"))
f:close()

-- setvbuf
f = io.open("v.txt", "w")
print(f:setvbuf("no"), f:setvbuf("full"), f:setvbuf("line"), f:setvbuf("full", 1024), f:setvbuf("line", 16))
print(pcall(f.setvbuf, f, "bad"))
print(pcall(f.setvbuf, f))
print(f:flush(), io.flush())
f:write("buffered")
local r = io.open("v.txt")
print("before flush:", r:read("a"))
f:flush()
print("after flush:", r:read("a"))
f:setvbuf("no")
f:write("+direct")
print("unbuffered:", r:read("a"))
f:setvbuf("line")
f:write("no newline yet")
print("line mode:", r:read("a"))
f:write("\n")
print("line mode:", r:read("a"))
r:close()
f:close()

-- many small writes, then one big one
f = io.open("big.txt", "w")
for i = 1, 5000 do f:write(i, "\n") end
f:write(("x"):rep(100000), "\n")
f:close()
local n, last = 0
for l in io.lines("big.txt") do n = n + 1 last = l end
print(n, #last)

-- io.write returns the default output
print(io.write("") == io.stdout, io.write() == io.output())

-- when buffered output reaches the file (glibc: 4096-byte buffers, whole
-- blocks written directly, line buffering up to the last newline)
local function watch(mode, writes)
  local w = io.open("watch.txt", "w")
  if mode then w:setvbuf(mode) end
  local r = io.open("watch.txt")
  local seen = {}
  for _, n in ipairs(writes) do
    w:write(type(n) == "number" and ("x"):rep(n) or n)
    seen[#seen + 1] = #r:read("a")
  end
  w:close()
  r:close()
  print(mode, table.concat(seen, " "))
end
watch(nil, {100, 4000, 5000, 3, 10000, 4096, 1, 8192, 20000})
watch("full", {4095, 1, 1, 4096})
watch("line", {"abc", "de\nfg", "hij", "\n", "k\nl\nm", ("z"):rep(5000) .. "\nq"})
watch("no", {"a", "bc", 5000})
