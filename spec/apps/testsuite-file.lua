-- Runs one file of the official Lua 5.3 test suite as the suite's all.lua
-- would in portable mode (_port, _soft: no non-portable or long tests).
-- Arguments: the file name (relative to the working directory, the suite's
-- folder). Prints "==SUITE-PASSED==" when the file ran to its end.
local name = assert(..., "test file expected")
_port = true
_soft = true
local f = assert(loadfile(name))
f()
print("\n==SUITE-PASSED==")
