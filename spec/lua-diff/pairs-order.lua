-- pairs order: PUC's array part (1..n, in order, including a table's
-- integer keys around holes) comes before the other keys. Keys outside the
-- array part come in hash order, which differs between implementations, so
-- they are printed sorted.
local function order(t)
  local ints, others, intsfirst, seenother = {}, {}, true, false
  for k in pairs(t) do
    if math.type(k) == "integer" and k >= 1 then
      ints[#ints + 1] = tostring(k)
      if seenother then intsfirst = false end
    else
      others[#others + 1] = tostring(k)
      seenother = true
    end
  end
  table.sort(others)
  return table.concat(ints, " ") .. " | " .. table.concat(others, " ") .. (intsfirst and "" or "  (ints not first)")
end
local function show(label, t) print(label, order(t)) end

show("ctor mixed", {10, 20, x = 1, 30})
show("ctor hash first", {x = 1, y = 2, 10, 20, 30})
show("ctor interleaved", {x = 1, 10, y = 2, 20, z = 3, 30})
show("ctor only array", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
show("ctor only hash", {a = 1, b = 2, c = 3})
show("ctor explicit keys", {[1] = "a", [2] = "b", [3] = "c"})
show("ctor explicit+list", {[1] = "a", "b", "c", x = 1})
show("ctor hole", {1, nil, 3, x = 1})
show("ctor two holes", {1, nil, 3, nil, 5, y = 2})
show("ctor leading nil", {nil, 2, 3, x = 1})
show("ctor trailing nil", {1, 2, nil, x = 1})
show("ctor varargs", (function(...) return {n = select("#", ...), ...} end)(1, 2, 3))
show("ctor varargs nil", (function(...) return {n = select("#", ...), ...} end)(1, nil, 3))
show("ctor long", (function() local t = {k = true} for i = 1, 60 do t[#t + 1] = i end return t end)())
show("ctor big", {x = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
  21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
  44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55})
show("table.pack", table.pack(1, 2, 3))
show("table.pack nils", table.pack(1, nil, 3, nil, 5))

local t = {}
for i = 1, 10 do t[i] = i end
t.x = 1
show("loop fill", t)
t = {}
for i = 10, 1, -1 do t[i] = i end
show("reverse fill", t)
t = {}
t.x = 1
t[1] = 1
t[2] = 2
show("hash then ints", t)
t = {a = 1}
for i = 1, 20 do t[#t + 1] = i end
show("append #t+1", t)
t = {}
for i = 1, 8 do table.insert(t, i) end
t.name = "n"
table.insert(t, 1, 0)
show("table.insert", t)
table.remove(t, 1)
table.remove(t)
show("table.remove", t)
t = {x = 1, y = 2}
for i = 1, 5 do t[i] = i * 10 end
show("hash then loop", t)
t = {}
for i = 1, 10, 2 do t[i] = i end
for i = 2, 10, 2 do t[i] = i end
show("odd then even", t)
t = {1, 2, 3, 4, 5, 6, 7, 8}
t[4] = nil
show("hole made", t)
t[4] = 4
show("hole filled", t)
t = {1, 2, 3}
t[1] = nil
show("first removed", t)
t[1] = 1
show("first restored", t)
t = {}
t[3], t[2], t[1] = 3, 2, 1
show("multiple assign", t)
t = {1, 2, 3, [0] = 0, [-1] = -1, [1.5] = 1.5, x = "x"}
show("zero negative float", t)
t = {1, 2, 3}
t[2.0] = "two"
t[4.0] = "four"
show("float integral keys", t)
t = setmetatable({}, {__newindex = rawset})
for i = 1, 4 do t[i] = i end
t.k = 1
show("rawset via __newindex", t)
t = {}
for i = 1, 5 do rawset(t, i, i) end
rawset(t, "z", 1)
show("rawset", t)

-- next visits the same order; reassigning and clearing during traversal is allowed
t = {10, 20, 30, x = 1}
local k, v = next(t)
print("next", k, v, next(t, k))
local n = 0
for key in pairs(t) do t[key] = nil n = n + 1 end
print("cleared", n, next(t))
t = {1, 2, 3, 4, 5, y = 0}
for key, val in pairs(t) do t[key] = val * 2 end
print("doubled", t[1], t[5], t.y)
print(pcall(next, {}, "missing"))
print(pcall(next, {1, 2}, 3))

-- ipairs and # are unaffected
t = {x = 1, 1, 2, 3}
local s = {}
for i, val in ipairs(t) do s[#s + 1] = i .. "=" .. val end
print("ipairs", table.concat(s, " "), #t)
