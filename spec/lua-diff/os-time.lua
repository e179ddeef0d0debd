-- diff-env: TZ=Europe/Berlin
-- os.time: date tables normalised by mktime (and updated in place), the
-- defaults, isdst around the DST changes, field checks and errors.
local function show(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    local text = type(v) == "table" and "{}" or tostring(v)
    out[#out + 1] = k .. "=" .. text .. (math.type(v) == "float" and "f" or "")
  end
  return table.concat(out, " ")
end

local function try(t)
  local ok, r = pcall(os.time, t)
  print(ok, r, math.type(r), show(t))
end

-- plain dates, defaults (hour 12, min 0, sec 0)
try{ year = 2000, month = 1, day = 1 }
try{ year = 2000, month = 1, day = 1, hour = 0 }
try{ year = 1970, month = 1, day = 1, hour = 1 }
try{ year = 1970, month = 1, day = 1, hour = 0 }
try{ year = 1970, month = 1, day = 1, hour = 0, min = 59, sec = 59 }  -- mktime's -1: an error
try{ year = 1970, month = 1, day = 1, hour = 0, min = 59, sec = 58 }
try{ year = 2038, month = 1, day = 19, hour = 4, min = 14, sec = 7 }
try{ year = 1901, month = 12, day = 13, hour = 21, min = 45, sec = 52 }
try{ year = 2004, month = 2, day = 29 }
try{ year = 2001, month = 2, day = 29 }
try{ year = 1900 + 100, month = 2, day = 30 }
try{ year = 2024, month = 12, day = 31, hour = 23, min = 59, sec = 59 }

-- normalisation: out-of-range fields carry over
try{ year = 2020, month = 13, day = 1 }
try{ year = 2020, month = 0, day = 1 }
try{ year = 2020, month = -11, day = 1 }
try{ year = 2020, month = 25, day = 15 }
try{ year = 2020, month = 3, day = 0 }
try{ year = 2020, month = 3, day = -1 }
try{ year = 2021, month = 3, day = 0 }
try{ year = 2020, month = 1, day = 366 }
try{ year = 2020, month = 1, day = 1000 }
try{ year = 2020, month = 1, day = 1, sec = 3600 }
try{ year = 2020, month = 1, day = 1, sec = -1 }
try{ year = 2020, month = 1, day = 1, sec = 86400 * 31 }
try{ year = 2020, month = 1, day = 1, min = -1 }
try{ year = 2020, month = 1, day = 1, min = 1440 }
try{ year = 2020, month = 1, day = 1, hour = 24 }
try{ year = 2020, month = 1, day = 1, hour = -13 }
try{ year = 2020, month = 1, day = 1, hour = 25, min = 61, sec = 61 }
try{ year = 2020, month = 1, day = 1, hour = 0, min = 0, sec = 0, wday = 99, yday = -5 }

-- isdst around the changes (2021-03-28 02:00 does not exist; 2021-10-31 02:00-03:00 happens twice)
for _, isdst in ipairs({ "nil", "true", "false" }) do
  local v = (isdst == "true") or (isdst == "false" and false) or nil
  print("isdst", isdst)
  try{ year = 2021, month = 3, day = 28, hour = 1, min = 30, isdst = v }
  try{ year = 2021, month = 3, day = 28, hour = 2, min = 30, isdst = v }
  try{ year = 2021, month = 3, day = 28, hour = 3, min = 30, isdst = v }
  try{ year = 2021, month = 10, day = 31, hour = 1, min = 30, isdst = v }
  try{ year = 2021, month = 10, day = 31, hour = 2, min = 30, isdst = v }
  try{ year = 2021, month = 10, day = 31, hour = 3, min = 30, isdst = v }
  try{ year = 2021, month = 7, day = 1, isdst = v }
  try{ year = 2021, month = 1, day = 1, isdst = v }
end
try{ year = 2021, month = 7, day = 1, isdst = 0 }      -- 0 is true in Lua
try{ year = 2021, month = 1, day = 1, isdst = "no" }

-- field conversions: integral floats and numeric strings are integers
try{ year = 2000.0, month = 1.0, day = 1.0, hour = 6.0 }
try{ year = "2000", month = " 2 ", day = "0x1f", min = "1e1" }
try{ year = 2000, month = 1, day = 1, sec = -0.0 }

-- errors, in the order loslib.c reads the fields (sec, min, hour, day, month, year)
try{}
try{ year = 2000 }
try{ year = 2000, month = 1 }
try{ year = 2000, day = 1 }
try{ month = 1, day = 1 }
try{ year = 2000, month = 1, day = 1.5 }
try{ year = 2000, month = 1, day = "x" }
try{ year = 2000, month = 1, day = {} }
try{ year = 2000, month = 1, day = true }
try{ year = 2000, month = 1.5, day = "x" }
try{ year = 2000, month = 1, day = 1, sec = "1.5" }
try{ year = 2000, month = 1, day = 1, min = 0/0 }
try{ year = 2000, month = 1, day = 1, hour = 1/0 }
try{ year = "a", month = "b", day = 1, sec = "c" }
try{ year = 2^30, month = 1, day = 1 }
try{ year = -2^30, month = 1, day = 1 }
try{ year = 2^31, month = 1, day = 1 }
try{ year = -2^31, month = 1, day = 1 }
try{ year = 2^40, month = 1, day = 1 }
try{ year = -2^62, month = 1, day = 1 }
try{ year = 2^63, month = 1, day = 1 }
try{ year = "3000000000", month = 1, day = 1 }
try{ year = 2000, month = 1073741824, day = 1 }
try{ year = 2000, month = -1073741824, day = 1 }
try{ year = 2000, month = 1, day = 1073741824 }
try{ year = 2000, month = 1, day = -1073741824 }
try{ year = 2000, month = 1, day = 1, hour = 1073741824 }
try{ year = 2000, month = 1, day = 1, min = -1073741824 }
try{ year = 2000, month = 1, day = 1, sec = 1073741824 }
try{ year = 2000, month = 1, day = 1, sec = -1073741823 }  -- in bounds
print(pcall(os.time, 5))
print(pcall(os.time, "x"))
print(pcall(function () return os.time(true) end))
print(select('#', pcall(os.time, nil)), math.type(select(2, pcall(os.time, nil))), math.type(select(2, pcall(os.time))))
print(math.type(os.time()), os.time() > 1700000000, select('#', os.time()))

-- a table outside the 32-bit integer range is still normalised in place
-- (only the result is beyond this build's integers: see the report)
for _, t in ipairs({
  { year = 3000, month = 13, day = 1 },
  { year = 1800, month = 0, day = 0, hour = 48 },
  { year = 9999, month = 12, day = 31, hour = 23, min = 59, sec = 60 },
  { year = 1900, month = 1, day = 1, hour = 0 },
}) do
  pcall(os.time, t)
  print(t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst)
end

-- fields are read with __index and written with __newindex, in setallfields' order
local written = {}
local proxy = setmetatable({}, {
  __index = { year = 2010, month = 6, day = 15, hour = 8 },
  __newindex = function (t, k, v) written[#written + 1] = k .. "=" .. tostring(v); rawset(t, k, v) end,
})
print(os.time(proxy), table.concat(written, " "))
written = {}
print(os.time(proxy), table.concat(written, " "))

-- round trips through os.date("*t")
for _, t in ipairs({ 0, 1, 86400, 951782400, 1234567890, 1616893200, 1635642000, 1635645600, 2147483647, -2147483647 }) do
  local d = os.date("*t", t)
  print(t, os.time(d), os.time(os.date("*t", t)) == t, d.isdst)
end
print(os.time(os.date("*t", 1635638400)), os.time(os.date("*t", 1635642000)))

-- os.difftime
print(os.difftime(10, 3), os.difftime(3, 10), os.difftime(0, 0), math.type(os.difftime(1, 0)))
print(os.difftime(2147483647, -2147483647), os.difftime("10", "4"), os.difftime(5.0, 2))
print(os.difftime(os.time{ year = 2021, month = 3, day = 29, hour = 0 }, os.time{ year = 2021, month = 3, day = 28, hour = 0 }))
print(pcall(os.difftime, 1))
print(pcall(os.difftime))
print(pcall(os.difftime, 1, 1.5))
print(pcall(os.difftime, "x", 1))
print(pcall(function () return os.difftime(1, {}) end))
print(pcall(os.difftime, 1, nil))
