-- Test app: the poll_function option of generate_handler is checked when the
-- handler is generated (false or nil: moonbridge_io.poll; a callable table works).
local http = require "moonbridge_http"
assert(http.generate_handler(function() end, { poll_function = false }))
assert(http.generate_handler(function() end, { poll_function = setmetatable({}, { __call = function(_, ...) return moonbridge_io.poll(...) end }) }))
local ok, err = pcall(http.generate_handler, function() end, { poll_function = 5 })
print(ok, err)
listen{ { proto = "main" }, connect = function() end }
