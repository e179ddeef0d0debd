-- Reading the standard input (a pipe).
-- diff-stdin-pipe: stdin.txt
print(io.read("n", "n"))
print(io.stdin:read(3))
print(io.stdin:seek("cur"))
local rest = io.read("a")
print(#rest, rest)
print(io.read("a"), io.read("l"), io.read(1))
