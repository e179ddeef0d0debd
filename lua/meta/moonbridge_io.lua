---@meta moonbridge_io
-- LuaLS (lua-language-server) annotations for moonbridge_io, Moonbridge's
-- I/O library: the global `moonbridge_io` (no require needed), also
-- returned by `require "moonbridge_io"`.
-- Type information only: this file is never run.
--
-- Return conventions: expected I/O failures return nil (or false where an
-- operation would block) plus a message string, so that assert(...) works;
-- misuse (a closed handle, a wrong argument type) raises a Lua error.

---Status of a completed read: the terminator was the last byte read ("term"),
---maxlen bytes were read ("maxlen"), or EOF was reached ("eof").
---@alias moonbridge_io.read_status
---| "term"
---| "maxlen"
---| "eof"

---Status of a nonblocking read: as `moonbridge_io.read_status`, or "block" if
---the call returned early because it would block otherwise.
---@alias moonbridge_io.read_nb_status
---| "term"
---| "maxlen"
---| "eof"
---| "block"

---Called by the `_call` forms in a loop while the operation is blocked:
---`waitfunc(handle, mode, first, moonbridge_io)`, `mode` being "r" (reading,
---or waiting for a child process) or "w" (writing), `first` true only on the
---first call. Its results are ignored. A typical one polls the handle:
---`function(h, mode) moonbridge_io.poll(mode == "r" and {[h] = true} or nil, mode == "w" and {[h] = true} or nil) end`.
---@alias moonbridge_io.waitfunc fun(handle: moonbridge_io.handle|moonbridge_io.child, mode: "r"|"w", first: boolean, moonbridge_io: moonbridge_io)

---What poll(...) can wait for in its input set: I/O handles, raw file
---descriptors, listeners (incoming connections) and child handles (termination).
---@alias moonbridge_io.pollable moonbridge_io.handle|integer|moonbridge_io.listener|moonbridge_io.child

---An I/O handle: the socket passed to a "connect" handler, a socket from
---tcpconnect(...) or listener:accept(), a pipe of a child process, or one of
---moonbridge_io.stdin/stdout/stderr. Reads and writes are buffered.
---
---Any field may be set on a handle (it is stored per handle; a field can
---shadow a method). A socket passed to a "connect" handler is closed
---automatically when the handler returns normally, and reset when it raises an
---error. A socket that is not closed explicitly is reset (TCP RST) when its
---process ends.
---@class moonbridge_io.handle
---@field interval? string Documented by the reference for sockets of elapsed interval timers; interval (and main) handlers get a `moonbridge.scheduled` table with this field instead of a socket, so on a socket it is nil.
---@field local_ip4? string Local IPv4 address of a TCP connection, as text (e.g. `"127.0.0.1"`; the reference says 4 raw bytes, real Moonbridge gives text). Nil for other connections.
---@field local_ip6? string Local IPv6 address of a TCP connection, as text (e.g. `"::1"`, or `"::ffff:127.0.0.1"` for an IPv4 client of an IPv6 listener). Nil for other connections.
---@field local_tcpport? integer Local TCP port of a TCP connection.
---@field remote_ip4? string Remote IPv4 address of a TCP connection, as text.
---@field remote_ip6? string Remote IPv6 address of a TCP connection, as text.
---@field remote_tcpport? integer Remote TCP port of a TCP connection.
local handle = {}

---Reads up to `maxlen` bytes (nil: no limit) or until the optional
---`terminator` byte, which is included in the result; with neither, reads
---until EOF. Blocks until done.
---
---Returns the bytes read (possibly empty) and "term", "maxlen" or "eof" (EOF
---came first); on an I/O error, nil and the message. Raises an error on a
---closed handle.
---@param maxlen? integer Maximum number of bytes (nil: no limit).
---@param terminator? string A single byte (nil or "": none).
---@return string|nil data Bytes read (may be empty), or nil on an I/O error.
---@return moonbridge_io.read_status|string status_or_err Status, or the error message.
function handle:read(maxlen, terminator) end

---Same as handle:read(...), but does not block: the status is "block" if it
---returned early, with the bytes that could be read without blocking.
---@param maxlen? integer
---@param terminator? string
---@return string|nil data Bytes read (may be empty), or nil on an I/O error.
---@return moonbridge_io.read_nb_status|string status_or_err Status, or the error message.
function handle:read_nb(maxlen, terminator) end

---Same as handle:read(...), but calls `waitfunc(handle, "r", first,
---moonbridge_io)` (first true only on the first call) as long as reading is blocked.
---@param waitfunc moonbridge_io.waitfunc
---@param maxlen? integer
---@param terminator? string
---@return string|nil data
---@return moonbridge_io.read_status|string status_or_err
function handle:read_call(waitfunc, maxlen, terminator) end

---Alias for handle:read_call(coroutine.yield, maxlen, terminator): inside a
---coroutine, yields (handle, "r", first, moonbridge_io) while reading is blocked.
---@param maxlen? integer
---@param terminator? string
---@return string|nil data
---@return moonbridge_io.read_status|string status_or_err
function handle:read_yield(maxlen, terminator) end

---Same as handle:read(...), but discards the input and returns the number of
---discarded bytes and the status ("term", "maxlen" or "eof").
---@param maxlen? integer
---@param terminator? string
---@return integer|nil count Number of discarded bytes, or nil on an I/O error.
---@return moonbridge_io.read_status|string status_or_err Status, or the error message.
function handle:drain(maxlen, terminator) end

---Same as handle:drain(...), but does not block (the status may be "block").
---@param maxlen? integer
---@param terminator? string
---@return integer|nil count Number of discarded bytes, or nil on an I/O error.
---@return moonbridge_io.read_nb_status|string status_or_err Status, or the error message.
function handle:drain_nb(maxlen, terminator) end

---Same as handle:drain(...), but calls `waitfunc(handle, "r", first,
---moonbridge_io)` (first true only on the first call) as long as reading is blocked.
---@param waitfunc moonbridge_io.waitfunc
---@param maxlen? integer
---@param terminator? string
---@return integer|nil count
---@return moonbridge_io.read_status|string status_or_err
function handle:drain_call(waitfunc, maxlen, terminator) end

---Alias for handle:drain_call(coroutine.yield, maxlen, terminator).
---@param maxlen? integer
---@param terminator? string
---@return integer|nil count
---@return moonbridge_io.read_status|string status_or_err
function handle:drain_yield(maxlen, terminator) end

---Sends strings (or numbers) to the peer, buffered: call handle:flush(),
---handle:finish() or handle:close() eventually to send them out. Blocks while
---the buffer is full.
---
---Returns the handle itself (for chaining); on an I/O error, nil and the
---message. Raises an error on a finished or closed handle.
---@param ... string|number
---@return moonbridge_io.handle|nil self The handle, or nil on an I/O error.
---@return string? err The error message.
function handle:write(...) end

---Same as handle:write(...), but never blocks: what cannot be sent yet is kept
---in a buffer of unlimited size. Send it with handle:flush_nb(),
---handle:flush(), handle:finish() or handle:close().
---@param ... string|number
---@return integer|nil pending Bytes still buffered (0 if all but a small buffered portion was sent), or nil on an I/O error.
---@return string? err The error message.
function handle:write_nb(...) end

---Same as handle:write(...), but calls `waitfunc(handle, "w", first,
---moonbridge_io)` (first true only on the first call) as long as writing is blocked.
---@param waitfunc moonbridge_io.waitfunc
---@param ... string|number
---@return moonbridge_io.handle|nil self
---@return string? err
function handle:write_call(waitfunc, ...) end

---Alias for handle:write_call(coroutine.yield, ...).
---@param ... string|number
---@return moonbridge_io.handle|nil self
---@return string? err
function handle:write_yield(...) end

---Same as handle:write(...), but also flushes: all pending data is passed to
---the operating system. Returns the handle; on an I/O error, nil and the message.
---@param ... string|number
---@return moonbridge_io.handle|nil self The handle, or nil on an I/O error.
---@return string? err The error message.
function handle:flush(...) end

---Same as handle:write_nb(...), but also flushes as far as possible without blocking.
---@param ... string|number
---@return integer|nil pending Bytes not yet passed to the operating system (0: all flushed), or nil on an I/O error.
---@return string? err The error message.
function handle:flush_nb(...) end

---Same as handle:flush(...), but calls `waitfunc(handle, "w", first,
---moonbridge_io)` (first true only on the first call) as long as writing is blocked.
---@param waitfunc moonbridge_io.waitfunc
---@param ... string|number
---@return moonbridge_io.handle|nil self
---@return string? err
function handle:flush_call(waitfunc, ...) end

---Alias for handle:flush_call(coroutine.yield, ...).
---@param ... string|number
---@return moonbridge_io.handle|nil self
---@return string? err
function handle:flush_yield(...) end

---Flushes and sends a TCP FIN (EOF on the write stream); reading remains
---possible. Local sockets and pipes are closed instead, and later reads see
---EOF. Close the handle with handle:close() afterwards. Raises an error if
---the handle is already finished or closed.
---@return true|nil ok True, or nil on an I/O error.
---@return string? err The error message.
function handle:finish() end

---Flushes all data and closes the connection (TCP FIN). Read or drain all
---pending input first: unread input may make the peer see a TCP RST (use
---handle:finish() to send a FIN before waiting for the peer's EOF). Raises an
---error if the handle was already closed or reset.
---@return true|nil ok True, or nil on an I/O error.
---@return string? err The error message.
function handle:close() end

---Closes the connection without flushing, with a TCP RST if possible, to
---indicate an error condition; data sent before may be lost. Raises an error
---if the handle was already closed or reset.
---@return true|nil ok True, or nil on an I/O error.
---@return string? err The error message.
function handle:reset() end

---A listening socket, returned by moonbridge_io.tcplisten(...) and
---moonbridge_io.locallisten(...). Using a closed listener raises an error.
---@class moonbridge_io.listener
local listener = {}

---Blocks until a new incoming connection is available.
---@return moonbridge_io.handle|nil socket The connection, or nil on an I/O error.
---@return string? err The error message.
function listener:accept() end

---Like listener:accept(), but does not block: returns false and a notice
---("No incoming connection pending") if no connection is waiting. Put the
---listener in poll's input set to wait for one.
---@return moonbridge_io.handle|false|nil socket The connection, false if none is pending, or nil on an I/O error.
---@return string? notice_or_err The notice or error message.
function listener:accept_nb() end

---Closes the listening socket (the file of a local socket is not unlinked).
---@return true|nil ok True, or nil on an I/O error.
---@return string? err The error message.
function listener:close() end

---A child process, returned by moonbridge_io.exec(...). Put it in poll's
---input set to wait for its termination. Once it has been waited for, kill
---and wait raise an error.
---@class moonbridge_io.child
---@field stdin moonbridge_io.handle Writing end of the child's standard input.
---@field stdout moonbridge_io.handle Reading end of the child's standard output.
---@field stderr moonbridge_io.handle Reading end of the child's standard error.
local child = {}

---Sends a signal to the process.
---@param signal? integer Signal number (default 9, SIGKILL).
---@return moonbridge_io.child self
function child:kill(signal) end

---Waits for the process to terminate.
---@return integer status The exit code, or the negated signal number if a signal ended the process.
function child:wait() end

---Like child:wait(), but does not block: returns false and a notice
---("Process is still running") if the process has not terminated yet.
---@return integer|false status The exit code (negated signal number), or false.
---@return string? notice The notice.
function child:wait_nb() end

---Same as child:wait(), but calls `waitfunc(child, "r", first, moonbridge_io)`
---(first true only on the first call) as long as the process is running.
---@param waitfunc moonbridge_io.waitfunc
---@return integer status
function child:wait_call(waitfunc) end

---Alias for child:wait_call(coroutine.yield).
---@return integer status
function child:wait_yield() end

---The moonbridge_io module: a global, also `require "moonbridge_io"`.
---@class moonbridge_io
moonbridge_io = {}

---Method table of I/O handles (handle:read(...) etc.); methods added here are available on every handle.
---@type table<string, function>
moonbridge_io.handle_pt = {}

---Metatable of I/O handles.
---@type metatable
moonbridge_io.handle_mt = {}

---Method table of listeners (listener:accept() etc.).
---@type table<string, function>
moonbridge_io.listener_pt = {}

---Metatable of listeners.
---@type metatable
moonbridge_io.listener_mt = {}

---Method table of child handles (child:wait() etc.).
---@type table<string, function>
moonbridge_io.child_pt = {}

---Metatable of child handles.
---@type metatable
moonbridge_io.child_mt = {}

---Handle for the process's standard input (file descriptor 0).
---@type moonbridge_io.handle
moonbridge_io.stdin = nil

---Handle for the process's standard output (file descriptor 1).
---@type moonbridge_io.handle
moonbridge_io.stdout = nil

---Handle for the process's standard error (file descriptor 2; in a forked
---process, its lines go to the server's log).
---@type moonbridge_io.handle
moonbridge_io.stderr = nil

---Waits until at least one handle or file descriptor of `input_set` is ready
---for reading (or a listener has a connection, or a child has terminated), or
---one of `output_set` is ready for writing. The sets have the handles or file
---descriptors as keys and a true value, e.g. `{[socket] = true}`; nil is an
---empty set. Buffered input counts as ready.
---
---Returns true when ready (also, spuriously, when a signal other than SIGTERM
---interrupted the wait). On timeout returns false and "Timeout" (plus false
---with `wakeup_on_sigterm`), so that `assert(moonbridge_io.poll(...))` raises.
---With `wakeup_on_sigterm`, returns false, "SIGTERM received" and true at once
---if a SIGTERM arrived after moonbridge_io.catch_sigterm() (which every forked
---process has called).
---@param input_set? table<moonbridge_io.pollable, any>
---@param output_set? table<moonbridge_io.handle|integer, any>
---@param timeout? number Seconds, at most 1e8 (nil: no timeout; negative: returns at once).
---@param wakeup_on_sigterm? boolean Return if a SIGTERM was received.
---@return boolean ready
---@return string? message "Timeout" or "SIGTERM received".
---@return boolean? sigterm With `wakeup_on_sigterm`: whether SIGTERM was the cause.
function moonbridge_io.poll(input_set, output_set, timeout, wakeup_on_sigterm) end

---Returns the current process ID.
---@return integer pid
function moonbridge_io.getpid() end

---Returns a monotonic time reference in seconds, minus `previous` if given:
---`local start = moonbridge_io.timeref()` ... `moonbridge_io.timeref(start)`
---gives the seconds elapsed since.
---@param previous? number
---@return number seconds
function moonbridge_io.timeref(previous) end

---Installs a SIGTERM handler: instead of terminating the process, SIGTERM
---makes moonbridge_io.poll(..., true) return. Forked processes call it
---before they handle connections.
function moonbridge_io.catch_sigterm() end

---Opens a TCP connection (blocking).
---@param hostname string Host name or numeric address.
---@param port integer|string
---@return moonbridge_io.handle|nil socket The socket, or nil on error.
---@return string? err The error message.
function moonbridge_io.tcpconnect(hostname, port) end

---Same as moonbridge_io.tcpconnect(...), but returns a socket at once (the
---DNS lookup still blocks: use a numeric address to avoid it); connection
---errors may be reported on the first read or write.
---@param hostname string
---@param port integer|string
---@return moonbridge_io.handle|nil socket The socket, or nil on error.
---@return string? err The error message.
function moonbridge_io.tcpconnect_nb(hostname, port) end

---Connects to a local socket (Unix Domain Socket).
---@param path string
---@return moonbridge_io.handle|nil socket The socket, or nil on error.
---@return string? err The error message.
function moonbridge_io.localconnect(path) end

---Same as moonbridge_io.localconnect(path), but returns a socket at once;
---connection errors may be reported on the first read or write.
---@param path string
---@return moonbridge_io.handle|nil socket The socket, or nil on error.
---@return string? err The error message.
function moonbridge_io.localconnect_nb(path) end

---Opens a TCP port for listening: `"127.0.0.1"` or `"::1"` for the loopback
---interface, `"0.0.0.0"` or `"::"` for all interfaces (IPv4 or IPv6).
---@param hostname string
---@param port integer|string
---@return moonbridge_io.listener|nil listener The listener, or nil on an I/O error.
---@return string? err The error message.
function moonbridge_io.tcplisten(hostname, port) end

---Creates a local socket (Unix Domain Socket) for incoming connections; an
---existing socket file at `path` is deleted first.
---@param path string
---@return moonbridge_io.listener|nil listener The listener, or nil on an I/O error.
---@return string? err The error message.
function moonbridge_io.locallisten(path) end

---Executes a command (searched in PATH) with the given arguments; returns a
---child handle whose sockets stdin, stdout and stderr are connected to the process.
---@param command string
---@param ... string Arguments.
---@return moonbridge_io.child|nil child The child handle, or nil on error.
---@return string? err The error message.
function moonbridge_io.exec(command, ...) end

return moonbridge_io
