-- string.format over pseudo-random doubles built from random bit patterns
-- (all magnitudes, subnormals included) and over random short binary
-- fractions (which tie often): every digit must be glibc's.
local seed = 12345.0
local function rand()   -- Park-Miller, in floats (exact below 2^53)
  seed = (seed * 16807.0) % 2147483647.0
  return seed
end
local function randomByte() return math.floor(rand() % 256) end
local function randomDouble()
  local b = {}
  for i = 1, 8 do b[i] = randomByte() end
  b[8] = b[8] % 0x80 + (rand() % 2 >= 1 and 0x80 or 0)
  if b[8] % 0x80 == 0x7f and b[7] >= 0xf0 then b[8] = b[8] - 1 end   -- no inf/nan
  return (string.unpack("<d", string.char(table.unpack(b))))
end
local formats = {"%.14g", "%.17g", "%.3e", "%g", "%.0e", "%.10e", "%#.6g", "%.1g", "%.20g", "%a", "%.4a", "%.15e"}
for i = 1, 300 do
  local x = randomDouble()
  local out = {}
  for j, f in ipairs(formats) do out[j] = string.format(f, x) end
  print(i, x, table.concat(out, " "))
end
-- fixed notation of moderate random values
for i = 1, 200 do
  local x = randomDouble()
  x = x % 1e6 * (rand() % 2 >= 1 and 1 or -1)
  print(i, string.format("%f %.0f %.2f %.12f %.30f %#.0f %.1f", x, x, x, x, x, x, x))
end
-- short binary fractions: m / 2^k, ties for many precisions
for i = 1, 300 do
  local k = math.floor(rand() % 20) + 1
  local x = math.floor(rand() % 2000000) / 2.0^k
  print(i, x, string.format("%.0f %.1f %.2f %.3f %.5f %.1e %.2e %.3e %.4g %.5g %.6g %.14g %.15g", x, x, x, x, x, x, x, x, x, x, x, x, x))
end
-- integers that tie at 14 or 15 significant digits
for i = 1, 100 do
  local d = math.floor(rand() % 100000) * 10.0 + 5
  local x = d * 10.0^math.floor(rand() % 12) + 100000000000000.0 * math.floor(rand() % 9 + 1)
  print(i, x, string.format("%.14g %.13g %.10g %.5e %.1e", x, x, x, x, x), x .. "")
end
