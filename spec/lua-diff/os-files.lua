-- diff-env: MB_OS_SET=value MB_OS_EMPTY= MB_OS_SPACES=a_b_c LC_ALL=C
-- os.remove, os.rename (luaL_fileresult: nil, message, errno), os.tmpname,
-- os.getenv, os.setlocale ("C" only) and os.clock. Runs in a fresh cwd.
local function r(...)
  local out = { select('#', ...) }
  for i = 1, select('#', ...) do out[#out + 1] = tostring((select(i, ...))) end
  return table.concat(out, " | ")
end
local function exists(name) return (os.execute("test -e '" .. name .. "'")) == true end
local function make(name, text) os.execute("printf '" .. (text or "x") .. "' > '" .. name .. "'") end

-- os.remove
print(r(os.remove("missing")))
print(r(os.remove("")))
print(r(os.remove("missing\0hidden")))
print(r(os.remove("dir/missing")))
print(r(os.remove("/")))
print(r(os.remove("\xe4\xff-missing")))
make("f1")
print(exists("f1"), r(os.remove("f1")), exists("f1"))
print(r(os.remove("f1")))
os.execute("mkdir d1")
print(exists("d1"), r(os.remove("d1")), exists("d1"))
os.execute("mkdir d2; touch d2/inside")
print(r(os.remove("d2")))
print(r(os.remove("d2/inside/deeper")))
print(r(os.remove("d2/inside")), r(os.remove("d2")))
make("f2")
print(r(os.remove("f2/")))
print(r(os.remove("f2\0/ignored")), exists("f2"))
os.execute("mkdir -p ro/sub; touch ro/file; chmod a-w ro")
print(r(os.remove("ro/file")), r(os.remove("ro/sub")))
os.execute("chmod u+w ro; rm -rf ro")
os.execute("ln -s nowhere dangling")
print(r(os.remove("dangling")), exists("dangling"))
make("\xe4\xff")
print(r(os.remove("\xe4\xff")), exists("\xe4\xff"))
print(r(os.remove(12)))
make("34")
print(r(os.remove(34)))

-- os.rename
print(r(os.rename("missing", "other")))
print(r(os.rename("missing\0x", "other")))
print(r(os.rename("", "other")))
make("a", "A")
print(r(os.rename("a", "b")), exists("a"), exists("b"))
print(r(os.rename("b", "b")), exists("b"))
make("c", "C")
print(r(os.rename("b", "c")), exists("b"))
os.execute("cat c; echo")
os.execute("mkdir dd")
print(r(os.rename("c", "dd")))
print(r(os.rename("dd", "c")))
print(r(os.rename("dd", "dd/sub")))
os.execute("mkdir ee; touch ee/x")
print(r(os.rename("dd", "ee")))
print(r(os.rename("ee", "dd")), exists("dd/x"))
print(r(os.rename("dd", "ff")), exists("ff/x"))
print(r(os.rename("c", "nodir/c")))
print(r(os.rename("c", "c/d")))
print(r(os.rename("c", "z\0ignored")), exists("z"))
print(r(os.rename("z", "\xe4\x80")), exists("\xe4\x80"))
print(r(os.rename(1, 2)))
print(pcall(os.rename, "z"))
print(pcall(os.rename))
print(pcall(os.rename, {}, "x"))
print(pcall(os.remove))
print(pcall(function () return os.remove(nil) end))
print(pcall(function () return os.rename("a", true) end))

-- os.tmpname
local t1, t2 = os.tmpname(), os.tmpname()
print(type(t1), #t1, t1:match("^/tmp/lua_%w%w%w%w%w%w$") ~= nil, t1 ~= t2)
print(exists(t1), exists(t2))
os.execute("test -s " .. t1 .. " || echo empty")
print(r(os.remove(t1)), r(os.remove(t2)), exists(t1))
print(select('#', os.tmpname()) == 1 and "one result" or "?")
print(os.tmpname(1, 2):sub(1, 9))

-- os.getenv
print(os.getenv("MB_OS_SET"), os.getenv("MB_OS_EMPTY") == "", os.getenv("MB_OS_SPACES"))
print(os.getenv("MB_OS_UNSET"), os.getenv(""), os.getenv("MB_OS_SET\0junk"), os.getenv("MB_OS_SE"))
print(os.getenv("MB_OS_SET=value"), os.getenv("="), os.getenv(123), os.getenv("LC_ALL"))
print(type(os.getenv("PATH")), select('#', os.getenv("nothing")))
print(pcall(os.getenv))
print(pcall(os.getenv, {}))
print(pcall(function () return os.getenv(nil) end))

-- os.setlocale
print(os.setlocale())
for _, cat in ipairs({ "all", "collate", "ctype", "monetary", "numeric", "time" }) do
  print(cat, os.setlocale(nil, cat), os.setlocale("C", cat), os.setlocale(nil, cat))
end
print(os.setlocale("C"), os.setlocale("POSIX"), os.setlocale(""), os.setlocale())
print(os.setlocale("no_SUCH.locale"), os.setlocale("no_SUCH.locale", "numeric"), os.setlocale())
print(os.setlocale("C\0junk"), os.setlocale(nil, "all"))
print(pcall(os.setlocale, nil, "x"))
print(pcall(os.setlocale, "C", "ALL"))
print(pcall(os.setlocale, "C", ""))
print(pcall(function () return os.setlocale(nil, "times") end))
print(pcall(os.setlocale, {}))
print(pcall(os.setlocale, "C", {}))
print(pcall(os.setlocale, "C", nil), pcall(os.setlocale, 1))

-- os.clock: CPU seconds, a float that grows with work
local c0 = os.clock()
print(type(c0), math.type(c0), c0 >= 0)
local x, c1 = 0, c0
for _ = 1, 100 do
  for i = 1, 100000 do x = x + i % 7 end
  c1 = os.clock()
  if c1 > c0 then break end
end
print(c1 > c0, c1 - c0 < 60, x > 0, os.clock() >= c1)
os.execute("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done")
print(os.clock() - c1 < 0.5)   -- the child's CPU time is not ours
print(os.clock(1, 2) >= 0, select('#', os.clock()))
