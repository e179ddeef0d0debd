-- An app needing a C module that is not there (as WebMCP needs extos).
local extos = require "extos"
listen{ { proto = "tcp", host = "127.0.0.1", port = tonumber((...)) }, connect = function() end }
