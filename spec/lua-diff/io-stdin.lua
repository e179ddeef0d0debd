-- Reading the standard input (a file).
-- diff-stdin: stdin.txt
print(io.read("n", "n", "n"))
print(io.read("l"))
print(io.read("L"))
print(io.stdin:read("l"))
for l in io.lines() do print("[" .. l .. "]") end
print(io.read("a") == "", io.read("l"), io.read(0))
print(io.stdin:seek("set", 2))
print(io.read(5))
print(pcall(io.stdin.close, io.stdin))
print(io.stdin:close())
