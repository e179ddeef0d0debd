-- diff-env: TZ=America/New_York
-- os.date and os.time where DST changes: America/New_York, 2021-03-14
-- (02:00 -> 03:00) and 2021-11-07 (02:00 -> 01:00), plus older rules.
local function show(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) end
  return table.concat(out, " ")
end

local F = "%Y-%m-%d %H:%M:%S %z %Z|%c|%x %X|%I %p|%j %U %W %V %G %u %w|%Ec|%EX|%OH"
local instants = {
  1615705199, 1615705200, 1615705201, 1615708800,   -- spring forward
  1636264799, 1636264800, 1636268399, 1636268400,   -- fall back (01:xx twice)
  1636261200, 1636257600,
  0, -1, 86400 * 180, 2147483647, -2147483647,
  1173596400, 1173596399,                           -- 2007-03-11, the 2007 rules
  1162101600, 1162098000,                           -- 2006-10-29
  -1633280401, -1633280400,                         -- 1918-03-31, the first US DST
  -1, -31536000, -31536001,
}
for _, t in ipairs(instants) do
  print(t, os.date(F, t))
  print(t, os.date("!" .. F, t))
  print(t, show(os.date("*t", t)))
  print(t, show(os.date("!*t", t)))
end

local function try(t)
  local ok, r = pcall(os.time, t)
  print(ok, r, show(t))
end
for _, isdst in ipairs({ "nil", "true", "false" }) do
  local v = (isdst == "true") or (isdst == "false" and false) or nil
  print("isdst", isdst)
  for _, hm in ipairs({ { 1, 59 }, { 2, 0 }, { 2, 30 }, { 2, 59 }, { 3, 0 }, { 3, 30 } }) do
    try{ year = 2021, month = 3, day = 14, hour = hm[1], min = hm[2], isdst = v }
  end
  for _, hm in ipairs({ { 0, 59 }, { 1, 0 }, { 1, 30 }, { 1, 59 }, { 2, 0 }, { 2, 30 } }) do
    try{ year = 2021, month = 11, day = 7, hour = hm[1], min = hm[2], isdst = v }
  end
  try{ year = 2021, month = 3, day = 13, hour = 2 + 24, min = 30, isdst = v }
  try{ year = 2021, month = 11, day = 6, hour = 24 + 1, min = 30, isdst = v }
  try{ year = 2021, month = 3, day = 14, hour = 0, min = 0, sec = 3 * 3600, isdst = v }
  try{ year = 2021, month = 11, day = 7, hour = 0, min = 90, isdst = v }
end

-- round trips
for _, t in ipairs(instants) do
  local ok, r = pcall(os.time, os.date("*t", t))
  print(t, ok, r)
end
print(os.difftime(os.time{ year = 2021, month = 11, day = 8, hour = 0 }, os.time{ year = 2021, month = 11, day = 7, hour = 0 }))
print(os.difftime(os.time{ year = 2021, month = 3, day = 15, hour = 0 }, os.time{ year = 2021, month = 3, day = 14, hour = 0 }))
