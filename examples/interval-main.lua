-- Timers and a main program next to a network listener.
--
--   npx moonbridge-lua examples/interval-main.lua [port] [seconds]
--
-- Three listen{} calls make three pools of worker processes; each pool has its
-- own handlers and its own workers:
--
--   Pool #1, HTTP on 127.0.0.1 and ::1, port 8080 unless a port is given as
--     the first script argument: "/" answers in plain text with the worker's
--     pid, the server's uptime and how many requests this worker served.
--
--   Pool #2, two interval timers ({proto = "interval", ...}): no connection,
--     the master calls the connect handler of an idle worker of the pool with
--     a plain table {interval = <name>} when a timer is due. The first run is
--     due <delay> seconds after the server has started; then
--       "heartbeat", delay = 1 (not strict): the next run is due one second
--         after the previous run *ended*. Each run works for 0.3 s, so the
--         runs start 1.3 s apart.
--       "report", delay = 2, strict = true: the next run is due two seconds
--         after the previous one was *due*, so the runs start 2 s apart
--         although each takes 0.5 s: they stay on a fixed grid. (A run that
--         takes longer than the delay makes the next one start when it ends:
--         runs of one timer never overlap.)
--     The times logged are seconds since the script was loaded (the timers
--     start a moment later, once all listeners are set up).
--
--   Pool #3, a main listener ({proto = "main", ...}): its connect handler runs
--     once, in a worker of its own, right after start-up, with the table
--     {main = <name>}. Here it waits: <seconds> seconds when given as the
--     second script argument, otherwise until the server gets SIGTERM
--     (moonbridge_io.poll with wakeup_on_sigterm). When the worker that ran a
--     main handler ends, the whole server shuts down gracefully: the other
--     workers finish what they are doing, their finish handlers run, and the
--     server exits with code 0.
--
-- prepare and finish handlers run once per worker process, when it starts
-- and when it ends; here they only log.
--
-- Logging: what a worker writes to io.stderr goes to the server's log (its
-- stderr, or the -l file), one entry per line, with a timestamp and the
-- prefix "[Pool #N, PID P]". print writes to the server's stdout as it is,
-- without timestamp or prefix (the "report" timer uses it).
--
-- Workers share no Lua state: each has its own copy of the variables below
-- (the request and run counters count per worker).
--
-- Try it:
--   npx moonbridge-lua examples/interval-main.lua 8080 10   # shuts down after 10 s
--   curl http://127.0.0.1:8080/                             # meanwhile

local http = require "moonbridge_http"

local port = tonumber((select(1, ...))) or 8080
local run_seconds = tonumber((select(2, ...)))  -- nil: the main handler waits for SIGTERM

-- A time reference taken before any worker is forked: timeref() is a
-- monotonic clock, so every worker can measure the uptime against it.
local started = moonbridge_io.timeref()

-- One log entry (stderr; the master adds timestamp and prefix).
local function log(...)
  io.stderr:write(string.format(...), "\n")
end

-- Pool #1: an HTTP listener. -------------------------------------------------

local served = 0  -- per worker: each worker process has its own copy

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  { proto = "tcp", host = "::1", port = port },
  pre_fork = 1, min_fork = 2, max_fork = 4,
  prepare = function()
    log("HTTP worker ready")
  end,
  connect = http.generate_handler(function(request)
    if request.path ~= "" then
      request:send_status("404 Not Found")
      request:send_header("Content-Type", "text/plain; charset=UTF-8")
      request:send_data("Not found.\n")
      return true
    end
    served = served + 1
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/plain; charset=UTF-8")
    request:send_data(string.format("worker %d, up %.1f s, request %d of this worker\n",
      moonbridge_io.getpid(), moonbridge_io.timeref(started), served))
    return true
  end),
  finish = function()
    log("HTTP worker finished after %d requests", served)
  end,
}

-- Pool #2: interval timers. --------------------------------------------------

local runs = 0  -- per worker

-- Waits (sleeps) for the given number of seconds without using the CPU.
local function work_for(seconds)
  moonbridge_io.poll(nil, nil, seconds)
end

listen{
  { proto = "interval", name = "heartbeat", delay = 1 },
  { proto = "interval", name = "report", delay = 2, strict = true },
  -- Two workers, so that the two timers do not wait for each other.
  pre_fork = 1, min_fork = 2, max_fork = 2,
  prepare = function()
    log("timer worker ready")
  end,
  connect = function(event)
    -- event is a plain table {interval = "heartbeat"} (no socket).
    local at = moonbridge_io.timeref(started)
    runs = runs + 1
    if event.interval == "heartbeat" then
      log("heartbeat at %.2f s (run %d of this worker)", at, runs)
      work_for(0.3)
    else
      print(string.format("report at %.2f s: worker %d, %d KiB of Lua memory",
        at, moonbridge_io.getpid(), math.floor(collectgarbage("count"))))
      work_for(0.5)
    end
    return true  -- keep this worker for the next run
  end,
  finish = function()
    log("timer worker finished after %d runs", runs)
  end,
}

-- Pool #3: the main program. -------------------------------------------------

listen{
  { proto = "main", name = "supervisor" },
  prepare = function()
    log("main worker ready")
  end,
  connect = function(event)
    -- event is a plain table {main = "supervisor"}.
    log("main %q started", event.main)
    -- A real main program would do its work here. This one waits, and wakes
    -- up early on SIGTERM: catch_sigterm() turns SIGTERM into a flag, and
    -- poll's 4th argument makes poll return when it is set.
    moonbridge_io.catch_sigterm()
    local deadline = run_seconds and moonbridge_io.timeref() + run_seconds
    local reason
    while true do
      local wait = deadline and deadline - moonbridge_io.timeref()  -- nil: no limit
      if wait and wait <= 0 then
        reason = string.format("%g s are over", run_seconds)
        break
      end
      local _, _, sigterm = moonbridge_io.poll(nil, nil, wait, true)
      if sigterm then
        reason = "SIGTERM received"
        break
      end
    end
    log("main: %s, returning", reason)
    -- Not returning true: this worker ends, and with it the server.
  end,
  finish = function()
    log("main worker finished")
  end,
}
