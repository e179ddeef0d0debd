-- Test app that fails while executing its main chunk.
local function fail() error("main chunk failed") end
fail()
