-- collectgarbage: every option of Lua 5.3, results and errors (no memory figures).
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    if math.type(v) then t[i] = math.type(v) .. ":" .. tostring(v)
    elseif type(v) == "string" then t[i] = string.format("%q", v)
    else t[i] = tostring(v) end
  end
  print(table.concat(t, " ", 1, t.n))
end

-- default option and "collect"
show(collectgarbage())
show(collectgarbage(nil))
show(collectgarbage("collect"))
show(collectgarbage("collect", 0))
show(collectgarbage("collect", 10))

-- stop / restart / isrunning
show(collectgarbage("isrunning"))
show(collectgarbage("stop"))
show(collectgarbage("isrunning"))
show(collectgarbage("stop"))
show(collectgarbage("isrunning"))
show(collectgarbage("collect"))
show(collectgarbage("isrunning"))
show(collectgarbage("restart"))
show(collectgarbage("isrunning"))
show(collectgarbage("restart"))
show(collectgarbage("isrunning"))

-- count: a float, in KB, positive
local c = collectgarbage("count")
print(math.type(c), c > 0, c == c)
print(math.type(collectgarbage("count", 5)))

-- step: a boolean
show(type(collectgarbage("step")))
show(type(collectgarbage("step", 0)))
show(collectgarbage("step", 100000))
collectgarbage("stop")
show(collectgarbage("step", 100000), collectgarbage("isrunning"))
collectgarbage("restart")

-- setpause / setstepmul return the previous value
show(collectgarbage("setpause", 150))
show(collectgarbage("setpause", 300))
show(collectgarbage("setpause"))
show(collectgarbage("setpause", 200))
show(collectgarbage("setpause", 0))
show(collectgarbage("setpause", 200))
show(collectgarbage("setpause", 2.0))
show(collectgarbage("setpause", 200))
show(collectgarbage("setpause", "100"))
show(collectgarbage("setpause", 200))
show(collectgarbage("setstepmul", 300))
show(collectgarbage("setstepmul", 10))
show(collectgarbage("setstepmul", 39))
show(collectgarbage("setstepmul", 40))
show(collectgarbage("setstepmul", 41))
show(collectgarbage("setstepmul"))
show(collectgarbage("setstepmul", -5))
show(collectgarbage("setstepmul", 200))
show(collectgarbage("setstepmul", 1000))
show(collectgarbage("setstepmul", 200))

-- bad options and arguments
local function err(...) show(pcall(collectgarbage, ...)) end
err("generational")
err("incremental")
err("nooption")
err("")
err("COLLECT")
err("count ")
err(1)
err(1.5)
err({})
err(true)
err(print)
err("step", 1.5)
err("step", "x")
err("setpause", {})
err("collect", 0.5)
err("setstepmul", "1e1")
err("setpause", math.huge)
err("collect", "10")

-- collectgarbage is a C function
local info = debug.getinfo(collectgarbage, "S")
show(info.what, info.short_src, info.source)

-- count moves when the program allocates
local before = collectgarbage("count")
local keep = {}
for i = 1, 20000 do keep[i] = {i, tostring(i)} end
show(collectgarbage("count") > before)
keep = nil
show(collectgarbage("collect"))
