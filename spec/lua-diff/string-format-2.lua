-- string.format with the integer conversions (%d %i %u %o %x %X %c): flags,
-- widths, precisions (a zero precision prints nothing for 0), the
-- alternative forms of %o and %x, and negative values in the unsigned
-- conversions (two's complement of a 64-bit lua_Integer). Values stay
-- within 32 bits, where every Lua 5.3 build agrees.
local values = {
  0, 1, -1, 7, -7, 8, -8, 10, 15, 16, 255, 256, -256, 4095, 65535, 65536, 99999,
  123456789, -123456789, 2147483647, -2147483647 - 1, 1000000000, -1000000000,
  3.0, -0.0, 1e9, -2.0^31, 2.0^31 - 1,
}
local formats = {
  "%d", "%i", "%u", "%o", "%x", "%X", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+5d",
  "%-+5d|", "% 05d", "%+05d", "%.0d", "%.1d", "%.3d", "%.10d", "%8.3d", "%-8.3d|",
  "%08.3d", "%+.3d", "% .3d", "%#o", "%#x", "%#X", "%#.0o", "%#.0x", "%#5o", "%#05x",
  "%#-10X|", "%#.8x", "%#12.8x", "%010x", "%-010x|", "%.0x", "%.0o", "%.0u", "%5.0d|",
  "%+.0d", "% .0d", "%20u", "%-25o|", "%#25o", "%99d", "%.99d", "%#.99x", "%+-99.50i|",
  "%0+8i", "%u", "%#u", "%+u", "% x", "%+X",
}
for _, fmt in ipairs(formats) do
  for i, v in ipairs(values) do
    print(fmt, i, string.format(fmt, v))
  end
end
-- %c: the low byte, padded with spaces
for c = 0, 255 do io.write(string.format("%c", c)) end
print()
for _, fmt in ipairs{"%c", "%5c", "%-5c", "%05c", "%.3c", "%-1c", "%2c"} do
  for _, v in ipairs{0, 65, 97, 255, 256 + 66, -1, -255, 10, 34, 92, 3.0} do
    print(fmt, v, "[" .. string.format(fmt, v) .. "]", #string.format(fmt, v))
  end
end
print(string.format("%c%c%c", 0, 0, 0) == "\0\0\0", #string.format("%c", 0))
-- several items and literal text
print(string.format("%d-%x-%o %5.2d|%-5.2d|%c", 42, 42, 42, 7, 7, 65))
print(string.format("%%d %d %%", 3), string.format("100%%"), string.format("%%"))
print(string.format("%d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
