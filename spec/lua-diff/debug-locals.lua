-- debug.getlocal / debug.setlocal: named locals, parameters, varargs
-- (negative indices), temporaries, C functions, coroutines, errors.
local str, show = dofile((...) .. "/show.lua")
local function locals(level)
  local out = {}
  for i = 1, 20 do
    local name, value = debug.getlocal(level + 1, i)
    if not name then break end
    out[#out + 1] = name .. "=" .. str(value)
  end
  return table.concat(out, " ")
end

local function f(a, b)
  local c = a + b
  do local inner = "in" print("block", locals(1)) end
  local d = c * 2
  print("after", locals(1))
  return d
end
f(1, 2)

-- parameter names of a function value (no activation)
local function params(x, y, ...) local z end
show(debug.getlocal(params, 1), debug.getlocal(params, 2), debug.getlocal(params, 3), debug.getlocal(params, 0))
show(debug.getlocal(params, -1), debug.getlocal(print, 1), debug.getlocal(function() end, 1))

-- varargs: negative indices
local function va(a, ...)
  local t = table.pack(...)
  for i = 1, t.n + 1 do show("vararg", -i, debug.getlocal(1, -i)) end
  show("set", debug.setlocal(1, -1, "changed"), debug.setlocal(1, -(t.n + 1), "none"))
  show("after set", ...)
  show("zero", debug.getlocal(1, 0))
end
va("fixed", 10, nil, 30)
va("fixed")
local function nova(a) show("no varargs", debug.getlocal(1, -1), debug.getlocal(1, 1)) end
nova(5)

-- setlocal
local function g()
  local v = 1
  show("setlocal", debug.setlocal(1, 1, 42), v)
  show("setlocal none", debug.setlocal(1, 5, 0))
  local function inner() show("outer set", debug.setlocal(2, 1, "from inner")) end
  inner()
  show("v now", v)
end
g()

-- temporaries and C functions
local function temps()
  return select(2, debug.getlocal(1, 1)), debug.getlocal(1, 3)
end
show("temps", temps())
show("C level", pcall(function() return debug.getlocal(2, 1) end))
show("C getlocal", select(2, pcall(debug.getlocal, 1, 1)))
show("level 0", debug.getlocal(0, 1))

-- coroutines
local co = coroutine.create(function(p, q)
  local inside = p + q
  coroutine.yield()
  return inside
end)
coroutine.resume(co, 3, 4)
show("co", debug.getlocal(co, 1, 1), debug.getlocal(co, 1, 2), debug.getlocal(co, 1, 3), debug.getlocal(co, 1, 4))
show("co set", debug.setlocal(co, 1, 3, 100))
show("co result", coroutine.resume(co))
show("co func", debug.getlocal(co, print, 1))

-- for-loop internals have names
for i = 1, 1 do
  local names = {}
  for j = 1, 40 do local n = debug.getlocal(1, j) if not n then break end if j > 9 then names[#names + 1] = n end end
  print("for", table.concat(names, " "))
end
for k, v in pairs({x = 1}) do
  local names = {}
  for j = 1, 40 do local n = debug.getlocal(1, j) if not n then break end if j > 9 then names[#names + 1] = n end end
  print("generic for", table.concat(names, " "))
end

-- errors
show(pcall(debug.getlocal, 100, 1))
show(pcall(debug.getlocal, -1, 1))
show(pcall(debug.getlocal, 1))
show(pcall(debug.getlocal, "x", 1))
show(pcall(debug.getlocal, 1, "x"))
show(pcall(debug.getlocal, 1.5, 1))
show(pcall(debug.setlocal, 100, 1, 0))
show(pcall(debug.setlocal, -1, 1, 10))
show(pcall(debug.setlocal, 1, 1))
show(pcall(debug.setlocal, 1))
show(pcall(debug.getlocal, co, 5, 1))
show(pcall(debug.setlocal, co, 5, 1, 1))
