-- Patterns of one item with at most one quantifier, which the patched
-- Fengari matches by a byte table (patches/fengari+0.1.5.patch,
-- simple_pattern), next to patterns that only look like them: find, match,
-- gmatch and gsub with every kind of replacement, against lua5.3.

local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
all = table.concat(all)

local subjects = { "", "a", "hello world", "Item <1> & \"co\"", "a,b,,c,", "  x  y ", "]]^^$$%%..", "aaa", all }
local patterns = {
  ".", "a", "%a", "%A", "%d", "%s", "%S", "%w", "%p", "%x", "%c", "%u", "%l", "%g", "%z", "%Z", "%.", "%%", "%]",
  "[<>&\"]", "[^,]", "[a-z]", "[^a-z]", "[%a_]", "[%]]", "[]]", "[^]]", "[a-]", "[-a]", "[%-]", "[\0-\31]", "[^%s]",
  "^", "$", "^$", "x$", "a$", "$a", "^a", "^%a", "^[ha]",
  ".*", ".+", ".-", ".?", "a*", "a+", "a-", "a?", "%a+", "%s*", "[^,]+", "[^,]*", "[,]-", "^a*", "^%s+", "[%w]+",
  "%b()", "%f[%a]", "(a)", "()", "(%a+)", "a.", "aa", "%1", "^^", "^*", "*", "+a", "?",
}

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = type(t[i]) == "string" and string.format("%q", t[i]) or tostring(t[i]) end
  return table.concat(t, " ", 1, t.n)
end
local function try(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then return "error: " .. tostring(r[2]) end
  return show(table.unpack(r, 2, r.n))
end

local tr = { a = "<A>", [","] = false, ["<"] = "&lt;", ["\0"] = 0, l = "L" }
local function fr(x, y) if x == "o" then return nil end return "[" .. tostring(x) .. (y and "|" .. tostring(y) or "") .. "]" end

for pi, p in ipairs(patterns) do
  for si, s in ipairs(subjects) do
    local id = pi .. "." .. si
    print(id, "find", try(string.find, s, p), try(string.find, s, p, 3), try(string.find, s, p, -2))
    print(id, "match", try(string.match, s, p), try(string.match, s, p, 2))
    print(id, "gsub", try(string.gsub, s, p, "<%0>"), try(string.gsub, s, p, tr), try(string.gsub, s, p, fr))
    print(id, "gsub n", try(string.gsub, s, p, "#", 2), try(string.gsub, s, p, "%%", 0))
    local ok, err = pcall(function()
      local out, n = {}, 0
      for a, b in string.gmatch(s, p) do
        n = n + 1
        out[#out + 1] = show(a, b)
        if n > 600 then break end
      end
      print(id, "gmatch", n, table.concat(out, ","))
    end)
    if not ok then print(id, "gmatch error", err) end
  end
end
-- a pattern made anew on each call, and one used with and without anchor
for i = 1, 3 do print("dynamic", ("abcabc"):gsub("[" .. string.char(96 + i) .. "]", "!")) end
print("anchor", ("aab"):gsub("^a", "x"), ("aab"):gsub("a", "x"), ("aab"):find("^a", 2), ("^a"):gmatch("^a")())
print("bad repl", pcall(string.gsub, "abc", "%a", { a = {} }))
print("bad %", pcall(string.gsub, "abc", "%a", "%2"))
