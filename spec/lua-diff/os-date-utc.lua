-- diff-env: TZ=UTC
-- os.date and os.time in UTC: local time and "!" agree, every day of a
-- leap year and of a common year, ISO weeks, round trips.
local F = "%a %A %b %B %C %d %D %e %F %g %G %h %H %I %j %m %M %p %r %R %S %T %u %U %V %w %W %x %X %y %Y %z %Z"
local same = true
for day = 0, 366 * 2 do
  local t = 946684800 + day * 86400 + (day % 24) * 3600 + day % 60   -- 2000 and 2001
  local l, u = os.date(F, t), os.date("!" .. F, t)
  if l ~= u then same = false end
  if day % 7 == 0 then print(t, l) end
  local d = os.date("*t", t)
  if os.time(d) ~= t then print("round trip", t, os.time(d)) end
end
print("local == utc", same)

for year = 1902, 2037, 5 do
  local t = os.time{ year = year, month = 1, day = 1, hour = 0 }
  print(year, t, os.date("%G-W%V-%u %g %U %W %j %a", t), os.date("%c", t))
  local t2 = os.time{ year = year, month = 12, day = 31, hour = 23, min = 59, sec = 59 }
  print(year, t2, os.date("%G-W%V-%u %j %a", t2))
end

for _, t in ipairs({ 0, -1, 2147483647, -2147483647, 951782400, 68256000, 1 }) do
  local d = os.date("*t", t)
  local keys = {}
  for k in pairs(d) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(d[k]) end
  print(t, table.concat(out, " "))
end

print(os.time{ year = 1970, month = 1, day = 1, hour = 0 })
print(os.time{ year = 1970, month = 1, day = 2, hour = 0, sec = -1 })
print(pcall(os.time, { year = 1969, month = 12, day = 31, hour = 23, min = 59, sec = 59 }))
print(pcall(os.time, { year = 1969, month = 12, day = 31, hour = 23, min = 59, sec = 58 }))
print(pcall(os.time, { year = 2038, month = 1, day = 19, hour = 3, min = 14, sec = 7 }))
print(pcall(os.time, { year = 1901, month = 12, day = 13, hour = 20, min = 45, sec = 52 }))
print(os.date("%c", os.time{ year = 2016, month = 12, day = 31, hour = 23, min = 59, sec = 60 }))
