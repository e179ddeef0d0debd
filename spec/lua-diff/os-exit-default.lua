-- diff-exit: os.exit
-- os.exit() defaults to EXIT_SUCCESS; from a nested function, after a
-- child process, with a file still open for writing.
local f = assert(io.open("out.txt", "w"))
f:write("file data")
local function deep(n) if n == 0 then os.execute("true") io.write("deep\n") os.exit() end deep(n - 1) end
print("start")
local ok = pcall(deep, 10)
print("not reached", ok)
