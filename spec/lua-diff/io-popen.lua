-- io.popen "r" and "w", the exit status triple of close, ordering with our own output.
local p = io.popen("echo one; echo two")
print(io.type(p))
print(p:read("l"))
print(p:read("a"))
print(p:close())

print(io.popen("exit 3"):close())
print(io.popen("kill -9 $$"):close())
print(io.popen("true"):close())

for l in io.popen("printf 'a\\nb\\nc'"):lines() do io.write("<", l, ">") end
print()

io.write("before ")
io.flush()
local w = io.popen("cat", "w")
print(io.type(w))
w:write("through cat\n")
print(w:close())
io.write("after\n")

local w2 = io.popen("tr a-z A-Z", "w")
w2:write("upper ", 1.5, "\n")
w2:flush()
print(w2:close())

print(pcall(io.popen, "true", "rw"))
print(pcall(io.popen, "true", "x"))
print(pcall(io.popen))
local big = io.popen("i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done")
local n = 0
for l in big:lines() do n = n + 1 end
print(n, big:close())
local status = io.popen("exit 255")
print(status:read("a"), status:close())
local rp = io.popen("echo x")
print(pcall(rp.seek, rp, "set"))
print(rp:seek("cur"))
rp:close()
local wr = io.popen("cat > /dev/null", "w")
print(wr:read("a"))
wr:close()
print(io.popen("echo 'stderr goes elsewhere' 1>&2; echo ok"):read("a"))
