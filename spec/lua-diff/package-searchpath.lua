-- package.searchpath: templates, separators, the "no file" message, argument errors.
local fixtures = ...
local pkg = fixtures .. "/pkg"
local function clean(s) return (s:gsub(pkg:gsub("%p", "%%%0"), "<pkg>")) end
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = type(t[i]) == "string" and clean(t[i]) or tostring(t[i]) end
  print(table.concat(t, " | ", 1, t.n))
end
local f = assert(io.open("present.lua", "w")) f:write("return 1") f:close()
f = assert(io.open("present.x", "w")) f:close()

show(package.searchpath("present", "./?.lua"))
show(package.searchpath("present", "./?.x;./?.lua"))
show(package.searchpath("absent", "./?.lua"))
show(package.searchpath("absent", "./?.lua;./?/init.lua;"))
show(package.searchpath("absent", ";;./?.lua;;;./?.x;"))
show(package.searchpath("absent", ""))
show(package.searchpath("absent", ";"))
show(package.searchpath("absent", ";;;;"))
show(package.searchpath("absent", "no-mark"))
show(package.searchpath("absent", "??"))

-- separators
show(package.searchpath("sub.dir.mod", pkg .. "/?.lua"))
show(package.searchpath("sub.dir.mod", pkg .. "/?.lua", "."))
show(package.searchpath("sub.dir.mod", pkg .. "/?.lua", ""))
show(package.searchpath("sub_dir_mod", pkg .. "/?.lua", "_", "/"))
show(package.searchpath("sub.dir.mod", pkg .. "/?.lua", ".", "\\"))
show(package.searchpath("sub..dir", pkg .. "/?.lua", ".."))
show(package.searchpath("sub::dir::mod", pkg .. "/?.lua", "::"))
show(package.searchpath("sub.dir.mod", pkg .. "/?.lua", ".", ""))
show(package.searchpath("sub.dir.mod", pkg .. "/?.lua", ".", "/./"))
show(package.searchpath("a.b", "?;?.?;x?y?z"))
show(package.searchpath("a.b", "?;?.?;x?y?z", "b", "c"))
show(package.searchpath("", "./?.lua"))
show(package.searchpath(".", "./?.lua"))
show(package.searchpath("withinit", pkg .. "/?.lua;" .. pkg .. "/?/init.lua"))

-- directories are "readable" (fopen succeeds on them)
show(package.searchpath("sub", pkg .. "/?"))
show(package.searchpath("sub", pkg .. "/?/dir"))
show(package.searchpath("sub.dir", pkg .. "/?"))

-- magic characters are plain text
show(package.searchpath("a%b", "./%?.lua"))
show(package.searchpath("a.b", "./[?].lua", "%.", "-"))
show(package.searchpath("a(b", "./?(.lua"))

-- numbers are strings, nil means the default
show(package.searchpath(12, 34))
show(package.searchpath(1.5, "?.x"))
show(package.searchpath("present", "./?.lua", nil, nil))
show(package.searchpath("sub.dir.mod", pkg .. "/?.lua", nil, "/"))

-- argument errors
show(pcall(package.searchpath))
show(pcall(package.searchpath, "x"))
show(pcall(package.searchpath, "x", {}))
show(pcall(package.searchpath, "x", "y", {}))
show(pcall(package.searchpath, "x", "y", ".", {}))
show(pcall(package.searchpath, nil, "y"))
show(pcall(package.searchpath, {}, {}))
show(pcall(package.searchpath, nil, nil, {}))
show(pcall(package.searchpath, true, "y"))
