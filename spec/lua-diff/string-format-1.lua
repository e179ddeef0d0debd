-- string.format with the floating-point conversions (%e %E %f %g %G) over
-- edge values: every flag combination, widths and precisions, rounding
-- ties (glibc rounds the exact binary value half to even), huge and
-- subnormal magnitudes, infinities and NaNs.
local values = {
  0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 3.5, -2.5, 0.125, 0.375, 9.5, 99.5, 999.5,
  0.05, 0.15, 0.25, 0.35, 0.45, 1.005, 2.675, 1e-5, 1e-4, 9.9999e-5, 0.0001, 123456.0,
  1234567.0, 0.1, 0.2, 0.3, 1/3, 2/3, 3.14159265358979, 2^53, 2^53 + 2, 2^63, 2^64,
  1e15, 1e16, 1e21, 1e22, 1e23, 123456789012345.0, 100000000000005.0,
  1234567890123.25, 1e100, -1e100, 1e300, 1.7976931348623157e308, 2^-1022,
  2^-1074, 3 * 2^-1074, 2^-1022 - 2^-1074, 1e-300, 9.999999999999999e-5,
  0.000123456, 99999.95, 999999.5, 9999995.0, 0.95, 0.995, 1/0, -1/0, 0/0, -(0/0),
}
local formats = {
  "%e", "%E", "%f", "%g", "%G", "%.0e", "%.0f", "%.0g", "%.1e", "%.1f", "%.1g",
  "%.2e", "%.2f", "%.3g", "%.5e", "%.10f", "%.14g", "%.15g", "%.16g", "%.17g",
  "%.20e", "%.25f", "%#e", "%#.0e", "%#f", "%#.0f", "%#g", "%#.0g", "%#.3g", "%#G",
  "%+e", "%+f", "%+g", "% e", "% f", "% g", "%+ g", "%12e", "%-12e|", "%012e",
  "%15f", "%-15f|", "%015f", "%12g", "%-12g|", "%012g", "%+015.3e", "%-+15.3e|",
  "% 015.2f", "%#012.4g", "%-#12.1f|", "%99.2e", "%.99e", "%5.1f", "%05.1f",
}
for _, fmt in ipairs(formats) do
  for i, v in ipairs(values) do
    print(fmt, i, string.format(fmt, v))
  end
end
-- more precisions on values that tie or nearly tie
for p = 0, 20 do
  for _, v in ipairs{0.5, 1.5, 2.5, 0.125, 0.0625, 1.0625, 5e-1, 2.675, 1.25e-3, 7.5e-5, 4503599627370497.5} do
    print(p, string.format("%." .. p .. "f|%." .. p .. "e|%." .. p .. "g", v, v, v))
  end
end
-- fixed notation of huge values prints every integer digit
print(string.format("%.99f", 1e308))
print(string.format("%.99f", -1.7976931348623157e308))
print(string.format("%.99f", 2^-1074))
print(string.format("%.0f", 2^1023), string.format("%f", 1e22), string.format("%.3f", 2^70))
