-- diff-env: TZ=Europe/Berlin
-- os.date: every C99/POSIX strftime conversion (and the E/O modifiers) on
-- fixed times, "!" for UTC, "*t" tables, literal bytes, argument checks.
local ALL1 = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%"
local ALL2 = { "Ec", "EC", "Ex", "EX", "Ey", "EY", "Od", "Oe", "OH", "OI",
               "Om", "OM", "OS", "Ou", "OU", "OV", "Ow", "OW", "Oy" }

local times = {
  0, -1, 1, 59, 3599, 86399, 86400, -86400, -86401,
  951782400, 951868799, 951868800,      -- 2000-02-29, the leap day
  1078012800, 1078099199,               -- 2004-02-29
  -2147483647 - 1, -2147483647,         -- 1901-12-13, the 32-bit edge
  -631152000, -1000000000, -2000000000, -1,
  1234567890, 1000000000, 2000000000, 2147483647, 2147483646,
  1616893199, 1616893200, 1616893201,   -- 2021-03-28, CET -> CEST
  1635641999, 1635642000, 1635645600,   -- 2021-10-31, CEST -> CET
  1609372800, 1609459199, 1609459200, 1609718400,  -- ISO weeks around 2021-01-01
  1230508800, 1230595200, 1262217600, 1293753600,  -- 2008-12-29, 2008-12-30, 2009-12-31, 2010-12-31
  1104537600, 1136073600, 1167609600,              -- Jan 1 of 2005, 2006, 2007
  946684800, 978307200, 1009843200, 1041379200,    -- Jan 1 of 2000..2003
  43200, 46800, 82800, 3600 * 12 + 1,              -- noon / pm / midnight edges
}

local function conversions(prefix, t)
  local out = {}
  for c in ALL1:gmatch(".") do
    out[#out + 1] = c .. "=" .. os.date(prefix .. "%" .. c, t)
  end
  for _, c in ipairs(ALL2) do
    out[#out + 1] = c .. "=" .. os.date(prefix .. "%" .. c, t)
  end
  return table.concat(out, "|")
end

for _, t in ipairs(times) do
  print(t, "local", conversions("", t))
  print(t, "utc", conversions("!", t))
end

-- "*t" and "!*t" tables, keys in sorted order
local function show(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) .. ":" .. (math.type(t[k]) or type(t[k])) end
  return table.concat(out, " ")
end
for _, t in ipairs(times) do
  print("*t", t, show(os.date("*t", t)))
  print("!*t", t, show(os.date("!*t", t)))
end

-- whole formats, the default format, literal bytes
print(os.date(nil, 0))
print(os.date("%c", 0) == os.date(nil, 0), os.date("!%c", 0) == os.date("!", 0) .. os.date("!%c", 0))
print(os.date("%Y-%m-%dT%H:%M:%S%z (%Z) %A, %d. %B %Y, day %j, week %U/%W/%V", 1234567890))
print(os.date("!%Y-%m-%dT%H:%M:%SZ", 1234567890))
print(("%q"):format(os.date("a\0b%Y\0%m", 86400 * 40)))
print(("%q"):format(os.date("\xe4\xff%Y\x80\x7f", 0)))
print(os.date("", 0) == "", os.date("!", 0) == "", #os.date("no conversions at all", 0))
print(os.date("%%%%%n%t|", 0) == "%%\n\t|")
print(os.date("!*tx", 0), os.date("*t ", 0), os.date("**t", 0), os.date("!!*t", 0))
print(type(os.date("*t\0ignored", 0)), type(os.date("!*t\0", 0)))
print(os.date(12345, 0), os.date(1.5, 0))
local long = string.rep("%c|", 500)
print(#os.date(long, 0), os.date(long, 0) == string.rep(os.date("%c|", 0), 500))
print(#os.date(string.rep("x", 100000), 0))

-- the time argument
print(os.date("!%c", "86400"), os.date("!%c", 86400.0), os.date("!%c", "0x10"))
print(type(os.date("!%c", nil)), type(os.date()), type(os.date(nil)), type(os.date("*t")))
print(os.date("*t").year >= 2024, os.date("!*t").isdst)
for _, v in ipairs({ 1.5, "1.5", "x", {}, true, -0.5, 0/0, 1/0 }) do
  print(pcall(os.date, "%c", v))
end
print(pcall(function () return os.date("%c", 0.25) end))

-- invalid conversion specifiers (the message shows the rest of the format, up to a NUL)
local bad = {
  "%", "%Ez", "%E", "%O", "%Oz", "%OY", "%EV", "%q", "%5d", "%-d", "%_H", "%0e", "%#c",
  "%k", "%l", "%P", "%s", "%+", "%L", "%f", "%i", "%J", "%K", "%N", "%o", "%Q", "%v", "%1",
  "abc%", "%Y%", "%Y%Ez and more", "%Ez\0hidden", "%\0x", "%E\0", "%O\0S", "x%\xe4y", "%\xff",
  "!%", "!%Ez", "!*t%", "%E%", "%O%", "%EE", "%OO", "%Ecc%Ez",
}
for _, f in ipairs(bad) do
  print(("%q"):format(f), pcall(os.date, f, 0))
end
print(pcall(function () return os.date("%Ez") end))
print(pcall(function () return os.date("%Q", 0) end))

-- argument types
print(pcall(os.date, {}))
print(pcall(os.date, true, 0))
print(pcall(function () return os.date(print) end))
print(pcall(function () return os.date("%c", {}) end))
print(select('#', os.date("%c", 0)), select('#', os.date("*t", 0)))
