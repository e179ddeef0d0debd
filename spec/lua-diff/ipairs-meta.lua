-- ipairs: __ipairs (honoured by lua5.3 built with LUA_COMPAT_5_2, as Debian's is),
-- __index on plain tables, and non-table arguments
local three = setmetatable({}, { __ipairs = function(t)
  return function(_, i) if i < 3 then return i + 1, "v" .. (i + 1) end end, t, 0
end })
for i, v in ipairs(three) do print(i, v) end
local a, b, c = ipairs(three)
print(type(a), b == three, c)
local byindex = setmetatable({}, { __index = function(_, i) if i <= 4 then return i * i end end })
for i, v in ipairs(byindex) do print(i, v) end
for i, v in ipairs{ 1, 2, nil, 4 } do print(i, v) end
print(pcall(ipairs))
local f, s, i = ipairs("text")
print(type(f), s, i)
print(pcall(f, s, i))
-- a __ipairs returning fewer values is padded to three
local short = setmetatable({}, { __ipairs = function() return next end })
print(select("#", ipairs(short)), ipairs(short) == next)
-- the metamethod gets the table and its errors propagate
print(pcall(ipairs, setmetatable({}, { __ipairs = function(t) error("from __ipairs") end })))
