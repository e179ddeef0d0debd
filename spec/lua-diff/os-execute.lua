-- diff-env: MB_OS_VAR=from-env
-- os.execute: system() through /bin/sh -c, luaL_execresult's results, the
-- child's output in order with Lua's (buffered io.write output is not
-- flushed first, as under PUC; print flushes), raw command bytes.
local function r(...)
  local out = { select('#', ...) }
  for i = 1, select('#', ...) do out[#out + 1] = tostring((select(i, ...))) end
  return table.concat(out, " ")
end

print(r(os.execute()))
print(r(os.execute(nil)))
print(r(os.execute("true")))
print(r(os.execute("false")))
print(r(os.execute("exit 3")))
print(r(os.execute("exit 255")))
print(r(os.execute("exit 256")))
print(r(os.execute("kill -9 $$")))
print(r(os.execute("kill -TERM $$")))
print(r(os.execute("kill -HUP $$")))
print(r(os.execute("kill -USR1 $$")))
print(r(os.execute("kill -PIPE $$")))
print(r(os.execute("kill -INT $$")))
print(r(os.execute("sh -c 'kill -9 $$'; exit $?")))
print(r(os.execute("no_such_command_for_moonbridge_lua_tests 2>/dev/null")))
print(r(os.execute("./no-such-file 2>/dev/null")))
print(r(os.execute("exit 3\0exit 4")))
print(r(os.execute("")))
print(r(os.execute(" ")))
print(r(os.execute(42)))
print(r(os.execute("(exit 7)")))
print(r(os.execute("exit 1 || true")))
print(r(os.execute("for i in 1 2 3; do :; done; test $i = 3")))

-- output of the child and of Lua
os.execute("echo from the shell")
print(r(os.execute("echo child; exit 2")))
os.execute("printf 'no newline'")
print("|after")
io.write("a")
os.execute("echo b")
io.write("c\n")
os.execute("echo d")
io.stdout:flush()
io.write("e")
io.stdout:flush()
os.execute("echo f")
print("g")
os.execute("printf '\\344\\377\\0\\n' | od -An -c")
os.execute("echo '\xe4\x80\xff' | od -An -tx1")
os.execute("echo $MB_OS_VAR ${MB_OS_UNSET:-unset}")
os.execute("echo $0")
os.execute("cat")                         -- stdin is the harness's (/dev/null)
os.execute("read line || echo eof")
os.execute("echo to stderr >&2")
os.execute("exec 1>&-; echo gone 2>/dev/null")
print("still here")
os.execute("echo one; echo two 1>&2; echo three")
for i = 1, 3 do os.execute("echo loop " .. i) end
print(r(os.execute("exit " .. 3 * 4)))

-- files the command makes are there when it returns
print(r(os.execute("echo made > made.txt")))
print(r(os.execute("test -f made.txt")), io.open("made.txt") ~= nil)
print(r(os.execute("test -f never.txt")))
os.remove("made.txt")

-- argument checks
print(pcall(os.execute, {}))
print(pcall(os.execute, true))
print(pcall(function () return os.execute(print) end))
