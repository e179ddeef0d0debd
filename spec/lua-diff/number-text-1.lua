-- The text of floats ("%.14g", plus ".0" when it looks like an integer)
-- through tostring, print and concatenation: integral floats, powers of
-- two and ten, 14/15-digit boundaries, exact ties (glibc rounds half to
-- even on the binary value), infinities, NaNs and -0.0.
local values = {
  0.0, -0.0, 1.0, -1.0, 2.0, 10.0, 100.0, 1e5, 1e13, 99999999999999.0, 1e14, 1e15, 1e16,
  123456789012345.0, 100000000000005.0, 100000000000015.0, 1234567890123.25, 1234567890123.75,
  12345678901234.5, 12345678901235.5, 0.1, 0.2, 0.3, 0.1 + 0.2, 1/3, 2/3, 1e-4, 1e-5, 1e-7,
  0.00012345678901234, 0.000012345678901234, 1.5, 2.5, 1e100, -1e100, 1e300 * 1e10,
  -1e300 * 1e10, 0/0, -(0/0), 2^53, 2^53 + 1, 2^63, -2^63, 2^64, 2^31, -2^31, 2^32,
  1.7976931348623157e308, 2^-1022, 2^-1074, 5e-324, 2.2250738585072014e-308, 3.14159265358979,
  1e21, 1e22, 1e23, 4503599627370495.5, 0.5, 1e-10, 123.456, -123.456, 9.99999999999999e14,
  99999999999999.5, 999999999999995.0, 0.999999999999995, 9.999999999999995, 314.0e-2,
}
for i, v in ipairs(values) do
  print(i, v, tostring(v), v .. "", "" .. v .. "|" .. -v)
end
-- powers of two and ten
for e = -30, 70 do print(e, 2.0^e, -2.0^e, 10.0^e, 3 * 2.0^e) end
for e = 1000, 1074, 2 do print(e, 2.0^-e) end
-- integral floats around 10^14 and 2^53
for i = -5, 5 do print(i, 1e14 + i, 2^53 + 2 * i, 1e15 + i, 99999999999999.0 + i / 2) end
-- many fractions: k/7, k/1000, k/1024
for k = 1, 60 do print(k, k / 7, k / 1000, k / 1024, -k / 3 * 1e10, k * 1.1) end
-- exact ties at the 15th significant digit
for k = 0, 30 do
  local x = 100000000000000.0 + k * 10 + 5    -- 15 digits ending in 5
  print(k, x, x / 1000, x / 2^10, x * 2^20)
end
