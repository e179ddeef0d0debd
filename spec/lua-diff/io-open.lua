-- io.open: modes, errors, io.type, tostring, closing.
local function show(...) print(select('#', ...), ...) end
local function try(...) print(pcall(...)) end

local f = assert(io.open("a.txt", "w"))
print(io.type(f), tostring(f):match("^file %(0x%x+%)$") ~= nil)
print(f:write("alpha\n", "beta\n") == f)
print(f:write("x") == f)
show(f:close())
print(io.type(f), tostring(f))
try(f.write, f, "again")
try(f.close, f)
try(f.read, f)
try(f.lines, f)
try(f.seek, f)

for _, mode in ipairs{"r", "rb", "r+", "r+b", "rbb", "w", "wb", "w+", "a", "ab", "a+", "a+b"} do
  local g, err = io.open("a.txt", mode)
  print(mode, io.type(g), err)
  if g then g:close() end
end
for _, mode in ipairs{"", "x", "rw", "br", "r+x", "+", "ra", "rb+", "w++", "rt"} do
  try(io.open, "a.txt", mode)
end

show(io.open("does-not-exist.txt"))
show(io.open("does-not-exist.txt", "r+"))
show(io.open("no/such/dir/file.txt", "w"))
show(io.open(".", "w"))
show(io.open(".", "a"))
local d = io.open(".", "r")
print("directory opens for reading:", io.type(d))
show(d:read("l"))
show(d:read("a"))
show(d:read(1))
show(d:close())
try(io.open)
try(io.open, {})
try(io.open, "a.txt", 1)
print(io.open("a.txt", "r"):read("a"))

-- "a" appends, "w" truncates, "r+" writes in place
local g = io.open("b.txt", "w") g:write("12345") g:close()
g = io.open("b.txt", "a") g:write("678") g:close()
print(io.open("b.txt"):read("a"))
g = io.open("b.txt", "r+") g:write("ab") g:close()
print(io.open("b.txt"):read("a"))
g = io.open("b.txt", "w+") print(g:read("a") == "") g:write("new") g:seek("set") print(g:read("a")) g:close()
g = io.open("b.txt", "a+") g:write("!") g:seek("set") print(g:read("a")) g:close()

-- io.type
print(io.type(io.stdin), io.type(io.stdout), io.type(io.stderr))
print(io.type(nil), io.type(42), io.type({}), io.type(print))
try(io.type)
print(io.stdout == io.output(), io.stdin == io.input())
print(tostring(io.stdout):match("^file %(0x%x+%)$") ~= nil)
show(io.stdout:close())
show(io.stderr:close())
print(io.type(io.stdout))
print(getmetatable(io.stdout).__name)
local names = {}
for k in pairs(getmetatable(io.stdout)) do names[#names + 1] = k end
table.sort(names)
print(table.concat(names, " "))
names = {}
for k in pairs(io) do names[#names + 1] = k end
table.sort(names)
print(table.concat(names, " "))
try(io.stdout.write, 1)
try(io.stdout.write, {})
try(io.stdout.write, io.stdout, {})
try(io.stdout.write, io.stdout, nil)
try(io.stdout.write, io.stdout, true)
