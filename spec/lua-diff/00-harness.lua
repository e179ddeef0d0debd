-- The corpus harness itself: arguments, working directory, output order.
local fixtures = ...
print(type(fixtures), fixtures:match("fixtures$") ~= nil)
for i = 1, 3 do io.write(i, " ") end
print()
io.stdout:write("to stdout\n")
print(select('#', ...))
