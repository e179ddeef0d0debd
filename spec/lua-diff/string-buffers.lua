-- The lauxlib string buffer (patched in Fengari to grow and append in
-- place): results built across every growth step by gsub, format, rep,
-- concat and tostring, including pieces of 1, 15, 16 and 17 bytes around the
-- short-copy threshold, embedded zeros and all byte values.

-- (float arithmetic: exact under both VMs, whatever their integer width)
local function digest(s)
  local h = 0.0
  for i = 1, #s do h = (h * 31.0 + s:byte(i)) % 2147483647.0 end
  return #s .. ":" .. string.format("%.0f", h)
end

-- table.concat across growth boundaries (64, 128, ... bytes)
for _, size in ipairs({ 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 4095, 4096, 4097, 100000 }) do
  local parts = {}
  for i = 1, 50 do parts[i] = string.rep(string.char(i % 256), size % 37 + (i % 3)) end
  print("concat", size, digest(table.concat(parts, string.rep("-", size % 19))))
end

-- gsub copying unmatched characters one by one, and replacements of many sizes
local text = {}
for i = 0, 255 do text[#text+1] = string.char(i) end
text = table.concat(text):rep(40)
print("gsub1", digest((text:gsub("[aeiou]", "<%0>"))))
print("gsub2", digest((text:gsub("%d", { ["1"] = "one", ["2"] = string.rep("x", 16), ["3"] = string.rep("y", 17) }))))
print("gsub3", digest((text:gsub("(.)(.)", function(a, b) return b .. a end))))
print("gsub4", select(2, text:gsub("\0", "\0\0")), digest((text:gsub("\0", "\0\0"))))

-- string.format with many items, widths around the thresholds
local f = {}
for i = 1, 300 do
  f[#f+1] = string.format("%5d|%-16s|%17.3f|%q|%x", i, string.rep("s", i % 20), i / 7, "a\0b\n" .. i, i * 977)
end
print("format", digest(table.concat(f, "\n")))

-- string.rep with separators, and tostring of many values
print("rep", digest(string.rep("abc", 1000, ", ")), digest(string.rep("\0", 70000)))
local t = {}
for i = 1, 2000 do t[i] = tostring(i * 1.5) .. tostring(i) end
print("tostring", digest(table.concat(t)))

-- string.pack/unpack build through the same buffer
print("pack", digest(string.pack("<i4 z s1 i8", 7, "zero-terminated", "short", 123456789)))
