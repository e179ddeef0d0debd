-- string.format with %s (through tostring: __tostring, __name, numbers,
-- strings with NULs), %q (5.3.6's addquoted and hexadecimal floats), and
-- %a / %A (glibc's hexadecimal layout and rounding).
local long = string.rep("abcdefghij", 12)
local strings = {"", "a", "abc", "hello world", "with\0nul", long, "\255\128\1", "tab\there"}
for _, fmt in ipairs{"%s", "%5s", "%-5s|", "%.2s", "%5.2s", "%-5.2s|", "%.0s", "%10s", "%.10s", "%-12.3s|", "%99s", "%.99s", "%05s"} do
  for i, s in ipairs(strings) do
    print(fmt, i, pcall(string.format, fmt, s))
  end
end
for _, v in ipairs{1, -1, 0.5, -0.0, 1e15, 2^53, 1e100, 1/0, -1/0, 0/0, 1/3, 100.0, true, false} do
  print(string.format("%s|%10s|%-10s|%.3s", v, v, v, v))
end
print(string.format("%s %s", nil, nil), string.format("%5s|%-6s|", nil, true))
local m = setmetatable({}, {__tostring = function () return "hello" end})
print(string.format("%s %.3s %8s|%-8s|", m, m, m, m))
local n = setmetatable({}, {__name = "MyType"})
print(string.format("%.6s|%.8s|", n, n))
local z = setmetatable({}, {__tostring = function () return "a\0b" end})
print(#string.format("%s", z), pcall(string.format, "%.2s", z))
print(pcall(string.format, "%s", setmetatable({}, {__tostring = function () return 42 end})))
print(pcall(string.format, "%s", setmetatable({}, {__tostring = function () return {} end})))
-- long strings: no precision and 100 bytes or more means the whole string
print(string.format("%5s", long) == long, string.format("%-3s", long) == long, #string.format("%.50s", long))
print(#string.format("%s%s", long, long), string.format("x%sy", ""))
-- %q of every byte, alone and followed by a digit
local all = {}
for c = 0, 255 do all[#all + 1] = string.char(c) end
print(string.format("%q", table.concat(all)))
for c = 0, 40 do io.write(string.format("%q", string.char(c) .. "1"), string.format("%q", string.char(c) .. "a")) end
print()
print(string.format("%q", "\r\n\t\0\"\\\127x\0001\0009\00099"))
print(string.format("%q", 'say "hi"\n'), string.format("%q", "\\n"))
-- %q of numbers, nil and booleans
for _, v in ipairs{0, 1, -1, 42, -42, 2147483647, -2147483647, 1000000} do print(string.format("%q", v)) end
for _, v in ipairs{0.0, -0.0, 1.0, -1.0, 0.1, -0.1, 1/3, 1e100, 1e-100, 2^53, 2^63, 1.5, 2^-1074, 2^-1022,
                   1.7976931348623157e308, 1/0, -1/0, 0/0, -(0/0), 3.14159} do
  print(string.format("%q", v), string.format("%10.3q", v))
end
print(string.format("%q %q %q", nil, true, false))
print(pcall(string.format, "%q", {}), pcall(string.format, "%q", print))
print(load("return " .. string.format("%q", 0.1))() == 0.1, load("return " .. string.format("%q", -2^-1074))() == -2^-1074)
-- %a and %A
local hex = {0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.0, 3.0, 0.1, -0.1, 1/3, 2/3, 1e30, -1e30, 3e-20, 255.0, 1e100,
             1.7976931348623157e308, 2^-1022, 2^-1074, 3 * 2^-1074, 2^-1022 - 2^-1074, 1.96875, 1 + 2^-52,
             1 - 2^-53, 1.0625, 1.03125, 1.09375, 1/0, -1/0, 0/0, -(0/0)}
for _, fmt in ipairs{"%a", "%A", "%.0a", "%.1a", "%.2a", "%.3a", "%.12a", "%.13a", "%.20a", "%#a", "%#.0a",
                     "%+a", "% a", "%20a", "%-20a|", "%020a", "%+020.3A", "%#.0A", "%.1A", "%-+25.15a|"} do
  for i, v in ipairs(hex) do print(fmt, i, string.format(fmt, v)) end
end
