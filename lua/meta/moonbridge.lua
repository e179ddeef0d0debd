---@meta _
-- LuaLS (lua-language-server) annotations for the globals Moonbridge
-- provides to an application: listen{...}, timeout(...), _MOONBRIDGE_VERSION
-- (moonbridge_io is in moonbridge_io.lua beside this file).
-- Type information only: this file is never run, and it is not a module
-- (real Moonbridge has no module "moonbridge"; `require "moonbridge"` fails).

---Version of the Moonbridge API this server implements, e.g. `"1.0.1"`.
---@type string
_MOONBRIDGE_VERSION = "1.0.1"

---A TCP listener.
---@class moonbridge.listener.tcp
---@field proto "tcp"
---@field host? string Interface to listen on: `"127.0.0.1"` or `"::1"` (loopback), `"0.0.0.0"` or `"::"` (all interfaces); default `"::"` (all, IPv6 and IPv4).
---@field port integer|string TCP port: a number or a string getaddrinfo accepts (a service name too). Required.

---A local socket (Unix Domain Socket) listener.
---@class moonbridge.listener.local
---@field proto "local"
---@field path string Path of the socket (at most 107 bytes); an existing socket file there is deleted first, and the file is unlinked again when the server terminates. Required.

---An interval timer: the "connect" handler is called with the table `{interval = name}` (a `moonbridge.scheduled`) every `delay` seconds, the first time one `delay` after start-up; runs never overlap.
---@class moonbridge.listener.interval
---@field proto "interval"
---@field name? string Name passed as the `interval` field of the handler's argument (default `""`).
---@field delay number Seconds between two runs: greater than 0, at most 1e8. Required.
---@field strict? boolean If true, each run is due `delay` seconds after the previous due time (or at once if that has passed); otherwise (default) `delay` seconds after the previous run ended.

---A main handler: the "connect" handler is called once, as soon as a process is idle, with the table `{main = name}` (a `moonbridge.scheduled`); when the process that ran it ends (the handler returned anything but `true`, raised an error, or was killed), the whole server shuts down gracefully.
---@class moonbridge.listener.main
---@field proto "main"
---@field name? string Name passed as the `main` field of the handler's argument (default `""`).

---One entry of the sequence part of listen{...}.
---@alias moonbridge.listener
---| moonbridge.listener.tcp
---| moonbridge.listener.local
---| moonbridge.listener.interval
---| moonbridge.listener.main

---The argument of a "connect" handler called for an interval or main listener
---(instead of a socket): a new plain table.
---@class moonbridge.scheduled
---@field interval? string Name of the elapsed interval timer (interval listeners; `""` if unnamed).
---@field main? string Name of the main listener (main listeners; `""` if unnamed).

---The table passed to listen{...}: the listeners as its sequence (1 to 100 of
---them), and the options of the pool. The fork options are read only if the
---pool has a tcp, local or interval listener; a pool of main listeners only
---forks one process per listener. Time options are seconds from 0 to 1e8, or
---false (meaning 0).
---@class moonbridge.listen_options
---@field [integer] moonbridge.listener
---@field pre_fork? integer Number of spare (idle or starting) processes to keep forked (default 1).
---@field min_fork? integer Minimum number of processes (default max(pre_fork, 2)).
---@field max_fork? integer Maximum number of processes (default max(min_fork, 16)).
---@field fork_delay? number|false Seconds between forking two processes (default 0.25).
---@field fork_error_delay? number|false Seconds to wait before forking after a fork error or a process that died in "prepare" (default 2; at least fork_delay).
---@field exit_delay? number|false Seconds between terminating two excess idle processes (default 60).
---@field idle_timeout? number|false Seconds a process may wait idle for a new connection before it is terminated (and replaced); 0 or false: never (the default).
---@field idle_time? number|false The name the reference uses for `idle_timeout` (used if `idle_timeout` is not set).
---@field memory_limit? number Maximum private memory in bytes of a worker (moonbridge-lua measures Private_Clean + Private_Dirty of /proc/self/smaps_rollup, checked when a handler returns and every 16th call into Lua from the HTTP layer); past it the handler fails with "not enough memory" and the worker exits with status 1 (default 0: no limit).
---@field prepare? fun() Called once in every forked process before it handles connections; an error there ends the process.
---@field connect fun(socket: moonbridge_io.handle|moonbridge.scheduled): boolean? Called for every connection (with its socket), elapsed interval or main run (with a `moonbridge.scheduled` table). Return exactly `true` to let the process handle further connections; anything else makes it exit (and "finish" run) after the handler returns. Required.
---@field finish? fun() Called once in every process before it exits normally.

---Initializes the Moonbridge Network Server: creates one pool of processes
---with the given listeners and handlers, binding its sockets at once (errors,
---e.g. `Could not initialize listener #1: Address already in use`, are raised
---and can be caught with pcall).
---
---May be called several times (one pool each), but only from the main chunk:
---the global `listen` is removed before the first process is forked, so a
---"prepare", "connect", or "finish" handler cannot register listeners.
---
---Handlers run in forked processes: each has its own copy of the global
---variables, and changes are not shared between processes.
---@param options moonbridge.listen_options
function listen(options) end

---Sets, queries, or disables the timer that kills the current process
---(SIGALRM; no Lua code runs when it fires).
---
---* `timeout()` returns the remaining time in seconds (0 if no timer is set).
---* `timeout(seconds)` kills the process after `seconds`; `timeout(0)` or
---  `timeout(false)` disables the timer. Returns the time that was remaining
---  before (0 if none).
---* `timeout(seconds, func, ...)` calls `func(...)` under a sub-timer of
---  `seconds` and returns what `func` returns (no success flag, errors
---  propagate). A shorter timeout set before has precedence; it keeps running
---  during the call.
---
---Timers are reset (disabled) when a "prepare" or "connect" handler returns;
---the HTTP module arms `response_timeout` around each request handler. Use the
---idle_timeout option of listen{...} to end processes that wait too long for
---a new connection. Timers are not inherited by forked processes: a timer set
---in the main chunk would kill the master process.
---@overload fun(): number
---@overload fun(seconds: number|false): number
---@param seconds number|false Time in seconds (0 to 1e8); 0 or false disables the timer.
---@param func fun(...): ... Function to run under the sub-timer.
---@param ... any Arguments passed to `func`.
---@return any ... The return values of `func`.
function timeout(seconds, func, ...) end
