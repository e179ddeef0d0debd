-- Test app for moonbridge_io.exec: a raw TCP server on 127.0.0.1 that runs
-- one scenario per connection (the first line names it) and writes its
-- results, one per line. Arguments: port. exec also runs in the main chunk
-- (master), prepare, an interval handler and finish.
local port = assert(tonumber((...)), "port expected")
local io_ = moonbridge_io

local function run(...)
  local c, err = io_.exec(...)
  if not c then return nil, err end
  local out = c.stdout:read()
  local errout = c.stderr:read()
  return c:wait(), out, errout
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v):gsub("\n", "n") end
  return tostring(v)
end

-- the main chunk runs in the master
local main_status, main_out = run("sh", "-c", "echo main-$((6*7))")
MAIN_RESULT = show(main_status) .. " " .. show(main_out)

local prepare_result = "not run"

local scenarios = {}

-- >1 MB on stdout and stderr, interleaved in 64 KiB pieces (more than a
-- socket buffer holds), read with poll on both: no deadlock, nothing lost.
function scenarios.big(socket)
  local c = assert(io_.exec("sh", "-c",
    's=$(head -c 65536 /dev/zero | tr "\\0" x); i=0; while [ $i -lt 20 ]; do printf %s "$s"; printf %s "$s" | tr x y >&2; i=$((i+1)); done'))
  local counts = { [c.stdout] = 0, [c.stderr] = 0 }
  local bad = 0
  local open = { [c.stdout] = true, [c.stderr] = true }
  local polls = 0
  while next(open) do
    assert(io_.poll(open, nil, 10), "poll timed out")
    polls = polls + 1
    for h in pairs(open) do
      local data, status = h:read_nb()
      counts[h] = counts[h] + #data
      local want = h == c.stdout and "x" or "y"
      if data:find("[^" .. want .. "]") then bad = bad + 1 end
      if status == "eof" then open[h] = nil end
    end
  end
  socket:write("out=", counts[c.stdout], " err=", counts[c.stderr], " bad=", bad, " multi=", tostring(polls > 2),
    " status=", c:wait(), "\n")
end

-- stdin fed by the parent and closed with finish(); cat echoes it
function scenarios.cat(socket)
  local c = assert(io_.exec("cat"))
  local piece = string.rep("0123456789abcdef", 4096) -- 64 KiB
  local written, read = 0, {}
  -- write 1 MiB while reading what comes back (cat would block otherwise)
  for _ = 1, 16 do
    c.stdin:write_nb(piece)
    written = written + #piece
    while c.stdin:flush_nb() > 0 do
      io_.poll({ [c.stdout] = true }, { [c.stdin] = true }, 10)
      local data = c.stdout:read_nb()
      read[#read + 1] = data
    end
  end
  assert(c.stdin:finish())
  read[#read + 1] = c.stdout:read()
  local all = table.concat(read)
  socket:write("written=", written, " read=", #all, " same=", tostring(all == string.rep(piece, 16)),
    " status=", c:wait(), "\n")
end

function scenarios.status(socket)
  local results = {}
  for _, cmd in ipairs{ "exit 0", "exit 7", "exit 255", "kill -TERM $$", "kill -KILL $$", "kill -USR1 $$" } do
    local c = assert(io_.exec("/bin/sh", "-c", cmd))
    results[#results + 1] = tostring(c:wait())
  end
  socket:write("statuses ", table.concat(results, " "), "\n")
end

function scenarios.kill(socket)
  local c = assert(io_.exec("sleep", "100"))
  local same = rawequal(c:kill(), c)
  local s1 = c:wait()
  local c2 = assert(io_.exec("sleep", "100"))
  c2:kill(15)
  local s2 = c2:wait()
  local ok, err = pcall(c.kill, c)
  local ok2, err2 = pcall(c.wait, c)
  socket:write("kill returns self=", tostring(same), " default=", s1, " term=", s2, "\n")
  socket:write("collected kill: ", tostring(ok), " ", tostring(err), "\n")
  socket:write("collected wait: ", tostring(ok2), " ", tostring(err2), "\n")
end

function scenarios.waitnb(socket)
  -- a child that runs until its stdin is closed
  local c = assert(io_.exec("sh", "-c", "read x; exit 3"))
  local r1, msg = c:wait_nb()
  socket:write("running: ", show(r1), " ", show(msg), "\n")
  c.stdin:write("line\n")
  c.stdin:flush()
  assert(io_.poll({ [c] = true }, nil, 10), "child did not exit")
  local r2, msg2 = c:wait_nb()
  socket:write("exited: ", show(r2), " ", show(msg2), "\n")
  local ok, err = pcall(c.wait_nb, c)
  socket:write("again: ", tostring(ok), " ", tostring(err), "\n")
end

function scenarios.missing(socket)
  for _, cmd in ipairs{ "/nonexistent/program", "no-such-command-mb-test", "/etc/passwd", "/" } do
    local c, err = io_.exec(cmd, "arg")
    socket:write(cmd, ": ", show(c), " ", show(err), "\n")
  end
end

function scenarios.path(socket)
  local status, out = run("printf", "%s-%s", "a", "b")
  socket:write("printf: ", show(status), " ", show(out), "\n")
  status, out = run("mb-exec-test-cmd", "one", "two words")
  socket:write("custom: ", show(status), " ", show(out), "\n")
  status, out = run("mb-exec-test-plain", "x y")
  socket:write("plain: ", show(status), " ", show(out), "\n")
end

function scenarios.poll(socket)
  local c = assert(io_.exec("sleep", "0.5"))
  local t0 = io_.timeref()
  local r1, m1 = io_.poll({ [c] = true }, nil, 0.05)
  local r2 = io_.poll({ [c] = true }, nil, 10)
  local elapsed = io_.timeref(t0)
  -- poll does not collect the child: wait still gets the status
  local status = c:wait()
  local ok, err = pcall(io_.poll, { [c] = true }, nil, 0)
  socket:write("before: ", show(r1), " ", show(m1), " after: ", show(r2), " waited=", tostring(elapsed >= 0.4 and elapsed < 5),
    " status=", status, "\n")
  socket:write("collected poll: ", tostring(ok), " ", tostring(err), "\n")
  -- a child with output: its stdout and the child itself in one set
  local c2 = assert(io_.exec("sh", "-c", "echo hi; exit 4"))
  local got = ""
  while true do
    io_.poll({ [c2] = true, [c2.stdout] = true }, nil, 10)
    local data, st = c2.stdout:read_nb()
    got = got .. data
    if st == "eof" then break end
  end
  socket:write("mixed: ", show(got), " ", c2:wait(), "\n")
end

function scenarios.yield(socket)
  local c = assert(io_.exec("sleep", "0.3"))
  local yields, args = 0, nil
  local co = coroutine.create(function() return "done", c:wait_yield() end)
  while true do
    local res = table.pack(coroutine.resume(co))
    assert(res[1], res[2])
    if coroutine.status(co) == "dead" then
      socket:write("wait_yield: ", res[2], " ", res[3], " yields>1=", tostring(yields > 1), "\n")
      break
    end
    yields = yields + 1
    if yields == 1 then
      args = rawequal(res[2], c) and res[3] == "r" and res[4] == true and rawequal(res[5], io_) and res.n == 5
    elseif res[4] ~= false then
      args = false
    end
    io_.poll({ [c] = true }, nil, 0.05)
  end
  socket:write("yield args: ", tostring(args), "\n")
  -- wait_call: the waitfunc waits with poll
  local c2 = assert(io_.exec("sh", "-c", "sleep 0.2; exit 5"))
  local calls = 0
  local status = c2:wait_call(function(child, mode, first, mod)
    calls = calls + 1
    assert(rawequal(child, c2) and mode == "r" and first == (calls == 1) and rawequal(mod, io_))
    mod.poll({ [child] = true }, nil, 10)
  end)
  socket:write("wait_call: ", status, " calls=", calls, "\n")
  -- an exited child: wait_call returns without calling waitfunc
  local c3 = assert(io_.exec("true"))
  io_.poll({ [c3] = true }, nil, 10)
  local called = false
  socket:write("wait_call exited: ", c3:wait_call(function() called = true end), " called=", tostring(called), "\n")
  -- errors inside waitfunc propagate
  local c4 = assert(io_.exec("sleep", "10"))
  local ok, err = pcall(c4.wait_call, c4, function() error("from waitfunc") end)
  socket:write("waitfunc error: ", tostring(ok), " ", tostring(err):gsub("^.-: ", ""), "\n")
  c4:kill()
  c4:wait()
  -- collected by someone else while wait_yield is suspended: the resumed wait raises
  local c5 = assert(io_.exec("sleep", "10"))
  local co5 = coroutine.create(function() return c5:wait_yield() end)
  assert(coroutine.resume(co5))
  c5:kill()
  c5:wait()
  local ok5, err5 = coroutine.resume(co5)
  socket:write("resumed after collection: ", tostring(ok5), " ", tostring(err5):gsub("^.-: ", ""), "\n")
end

function scenarios.fds(socket)
  -- the shell's descriptors 0 to 1023, tested with the builtin [ -e ] (which opens none)
  local status, out = run("sh", "-c",
    'n=; i=0; while [ $i -lt 1024 ]; do [ -e /proc/$$/fd/$i ] && n="$n $i"; i=$((i+1)); done; printf "open:%s" "$n"')
  socket:write("fds: ", status, " ", out, "\n")
  local c = assert(io_.exec("true"))
  socket:write("stdin=", type(c.stdin), " same=", tostring(rawequal(c.stdin, c.stdin)),
    " handle_mt=", tostring(getmetatable(c.stdout) == io_.handle_mt),
    " child_mt=", tostring(getmetatable(c) == io_.child_mt),
    " wait_pt=", tostring(c.wait == io_.child_pt.wait), "\n")
  c.extra = 42
  c.wait_nb = nil -- setting nil on the child's table leaves the method
  socket:write("extra=", tostring(c.extra), " wait_nb=", type(c.wait_nb), "\n")
  c:wait()
end

-- leaves a child running: it is killed and reaped when the connection ends
-- (the test looks at the worker's children before it sends the next line)
function scenarios.leave(socket)
  local c = assert(io_.exec("sleep", "100"))
  -- and one that exits at once, never waited for: a zombie until the run ends
  local t = assert(io_.exec("true"))
  assert(io_.poll({ [t] = true }, nil, 10))
  socket:write("worker ", io_.getpid(), "\n")
  socket:flush()
  socket:read(nil, "\n")
  socket:write("returning\n")
  return true
end

function scenarios.crash(socket)
  local c = assert(io_.exec("sleep", "100"))
  socket:write("worker ", io_.getpid(), "\n")
  socket:flush()
  socket:read(nil, "\n")
  error("crash with a running child")
end

function scenarios.phases(socket)
  socket:write("main: ", MAIN_RESULT, "\n")
  socket:write("prepare: ", prepare_result, "\n")
  socket:write("worker ", io_.getpid(), "\n")
end

function scenarios.once(socket)
  socket:write("worker ", io_.getpid(), "\n")
  socket:flush()
  return false
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  { proto = "interval", name = "exec-interval", delay = 1 },
  min_fork = 1, pre_fork = 1, max_fork = 4,
  prepare = function()
    local status, out = run("sh", "-c", "echo prepare")
    prepare_result = show(status) .. " " .. show(out)
  end,
  connect = function(socket)
    if socket.interval then
      local status, out = run("sh", "-c", "echo interval")
      -- and one left running (its pid first on its stdout): killed when the interval run ends
      local c = assert(io_.exec("sh", "-c", "echo $$; exec sleep 100"))
      local pid = c.stdout:read(nil, "\n")
      io.stderr:write("interval exec ", show(status), " ", show(out), " left ", pid)
      return true
    end
    local line = socket:read(nil, "\n")
    local name = line and line:match("^(%w+)")
    local f = name and scenarios[name]
    if not f then
      socket:write("unknown scenario\n")
      return true
    end
    local keep = f(socket)
    if keep == false then return false end
    return true
  end,
  finish = function()
    local status, out = run("sh", "-c", "echo finish")
    local c = assert(io_.exec("sh", "-c", "echo $$; exec sleep 100"))
    local pid = c.stdout:read(nil, "\n")
    io.stderr:write("finish exec ", show(status), " ", show(out), " left ", pid)
  end,
}
