-- diff-env: LUA_PATH=first/?.lua;;last/?.lua LUA_CPATH_5_3=;;
-- ";;" in LUA_PATH and LUA_CPATH stands for the default path (whose
-- directories differ between builds: only its shape is compared).
local p = package.path
print(p:sub(1, 14), p:sub(-14))
print(p:find(";;", 1, true), p:find(";./?.lua;", 1, true) ~= nil, p:find("\1", 1, true))
local c = package.cpath
print(c:sub(1, 1) == ";", c:sub(-1) == ";", c:find(";;", 1, true), c:find("./?.so", 1, true) ~= nil)
for entry in c:gmatch("[^;]+") do assert(entry:find("?", 1, true) or entry:find("loadall", 1, true)) end
print("entries ok")
