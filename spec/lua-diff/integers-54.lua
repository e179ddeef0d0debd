-- Integers beyond 32 bits, within the 54-bit range of the patched Fengari
-- ([-2^53, 2^53-1]): every result here is the same as with PUC's 64-bit
-- integers (wrap-around beyond 2^53 is in spec/33-integers-54.spec.ts).
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = (math.type(v) or type(v)) .. ":" .. tostring(v)
  end
  print(table.concat(t, " "))
end

local big = { 2^31 | 0, -(2^31 | 0), 2^32 | 0, 4294967295, 1099511627776, -1099511627777,
  123456789012345, -98765432109876, 2^52 | 0, 9007199254740991, (-9007199254740991 - 1), 3037000499, 94906265 }
for _, a in ipairs(big) do
  for _, b in ipairs{ 1, -1, 2, -3, 7, 1000, 65536, 4294967296, -4294967297, 12345678901 } do
    local s, d = a + 0.0 + b, a + 0.0 - b
    show(a, b, math.abs(s) < 2^53 and a + b or "skip", math.abs(d) < 2^53 and a - b or "skip",
      (a + 0.0) // b == 2^53 and "skip" or a // b, a % b, math.fmod(a, b), a / b, a < b, a <= b, a == b, math.ult(a, b))
    if math.abs(a * 1.0 * b) < 2^53 then show(a * b) end
    show(a & b, a | b, a ~ b, ~a, a & 0xffffffffffff)
  end
end

-- shifts that stay within 53 bits
for _, a in ipairs{ 1, 3, 0xffff, 0x7fffffff, 4294967295, 123456789 } do
  for _, s in ipairs{ 0, 1, 5, 16, 20, 31, 32 } do
    if a < 2^(52 - s) then show(a << s, (a << s) >> s, a >> s, a >> (s + 20)) end
  end
end

-- numerals, conversions and text
for _, s in ipairs{ "9007199254740991", "-9007199254740991", "4503599627370496", "0x1fffffffffffff",
    "0xfffffffffffff", "123456789012", " 0x10000000 ", "1e15", "9007199254740991.0", "2^53" } do
  show(s, tonumber(s), math.tointeger(tonumber(s) or 0))
end
for _, base in ipairs{ 2, 8, 10, 16, 36 } do
  show(tonumber("1111111111111111", base > 10 and 10 or base),
    tonumber("zzzzzzzzzz", 36), tonumber("7fffffffff", 16), tonumber("-1ffffffffffff", 16))
end
show(9007199254740991, 0x7fffffff * 0x10000, 2^40 // 1, 2^40 | 0, math.tointeger(2^52), math.tointeger(2^52 + 0.5))
show(string.format("%d|%5d|%-14d|%x|%X|%o|%#x|%.15d|%+d", 2^40 | 0, -123456789012, 98765432109, 2^48 | 0,
  123456789012345, 2^45 | 0, 4294967296, 99999999999, 1099511627776))
show(string.format("%x %X %o %u", -1, -4294967296, -8, 4294967295), string.format("%q", 1099511627776))
show(tostring(4503599627370496), 4503599627370496 .. "", #tostring(-9007199254740991))

-- comparisons of integers with floats near 2^53 (floats hold all these integers exactly)
local M = 9007199254740991
show(M < 2^53, M + 1.0 == 2^53, M == M + 0.0, M - 1 < M + 0.0, -M - 1 == -2^53, M // 2, M % 1000, M >> 1)

-- table keys: integral floats are integer keys
local t = {}
t[2^40] = "a"; t[1099511627776] = "b"; t[2^52 + 0.0] = "c"; t[4503599627370497] = "d"
local keys = {}
for k, v in pairs(t) do keys[#keys + 1] = math.type(k) .. ":" .. k .. "=" .. v end
table.sort(keys)
print(table.concat(keys, " "))

-- for loops with big bounds and steps
local n, last = 0, nil
for i = 2^40 | 0, (2^40 | 0) + 10, 3 do n = n + 1; last = i end
show(n, last)
for i = 4503599627370496, 4503599627370490, -2 do n = n + 1; last = i end
show(n, last)

-- pack and unpack of 8-byte integers within 53 bits
for _, v in ipairs{ 0, 1, -1, 1099511627776, -1099511627776, 9007199254740991, (-9007199254740991 - 1) } do
  local s = string.pack("<j", v)
  show(#s, string.unpack("<j", s), string.unpack(">i8", string.pack(">i8", v)), (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)))
end
show(string.unpack("<I6", "\255\255\255\255\255\255"), string.unpack("<i6", "\255\255\255\255\255\127"), string.packsize("jJlLT"))

-- string.dump keeps big constants
show(load(string.dump(function() return 1099511627776, -4503599627370497, 0x7fffffffff end))())

-- os.time() in milliseconds
local now = os.time()
show(math.type(now * 1000), now * 1000 // 1000 == now, now * 1000 % 1000)
