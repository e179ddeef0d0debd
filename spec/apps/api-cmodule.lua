-- An app needing a C module that is not there (LuaFileSystem; extos is built in now).
local lfs = require "lfs"
listen{ { proto = "tcp", host = "127.0.0.1", port = tonumber((...)) }, connect = function() end }
