-- Test app: floods stdout with print and io.write, interleaved, then ends
-- right after an unflushed write. Arguments: number of lines.
local n = tonumber((...)) or 10000
for i = 1, n do
  if i % 2 == 0 then print("print", i, ("p"):rep(100)) else io.write("write ", i, " ", ("w"):rep(100), "\n") end
end
io.write("last words without newline")
