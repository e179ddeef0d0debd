-- A line protocol over plain TCP (no HTTP): moonbridge_io sockets directly.
--
--   npx moonbridge-lua examples/tcp-lines.lua [port] [idle seconds] [connection seconds]
--
-- Listens on 127.0.0.1 and ::1, port 7000 unless a port is given as the first
-- script argument. Talk to it with any line-based client:
--
--   nc 127.0.0.1 7000          (or: telnet 127.0.0.1 7000)
--
-- The server greets with "+OK ...", then answers one line per command, POP3
-- style: "+OK ..." on success, "-ERR ..." on failure. Commands are
-- case-insensitive; lines may end in "\n" or "\r\n":
--
--   ECHO <text>    +OK <text>
--   UPPER <text>   +OK <TEXT>   (string.upper: ASCII letters only)
--   INFO           +OK worker <pid>, client <ip> port <port>, command <n>, <s> s left
--   HELP           +OK followed by the list of commands
--   QUIT           +OK bye, and the server closes the connection
--
-- What it shows:
--
--   * socket:read(maxlen, "\n") reads one line (terminator included) and says
--     why it stopped: "term" (a whole line), "maxlen" (line too long: the
--     rest of the line is discarded with socket:drain) or "eof";
--   * socket:write(...) only buffers; socket:flush(...) writes its arguments
--     too and sends everything buffered: each answer, however many lines,
--     goes out with one flush;
--   * idle handling: moonbridge_io.poll waits at most <idle seconds> (default
--     30) for the next command; a silent client gets "-ERR idle timeout" and
--     the connection is closed politely;
--   * timeout(seconds) per connection: a hard limit (default 300 s) for the
--     whole connection, whatever the client does (a client that sends half a
--     line and stops would otherwise keep a blocking read waiting forever).
--     When it expires the worker process is killed (SIGALRM), the client's
--     connection is reset, the master logs "exited prematurely due to
--     timeout" and forks a replacement. timeout() without arguments reports
--     the time left (INFO shows it); the timer is reset when the handler
--     returns.
--
-- Each connection is served by one worker process at a time, with blocking
-- calls: no callbacks, no coroutines. Up to max_fork connections are served at
-- once; more wait in the listen backlog until a worker is free.

local port = tonumber((select(1, ...))) or 7000
local idle_seconds = tonumber((select(2, ...))) or 30
local connection_seconds = tonumber((select(3, ...))) or 300

local max_line = 1024  -- bytes per command line, terminator included

local help = {
  "ECHO <text>   answers <text>",
  "UPPER <text>  answers <text> in upper case",
  "INFO          worker, client address, command count, time left",
  "HELP          this list",
  "QUIT          ends the connection",
}

-- Logs to the server's log (stderr): the master adds a timestamp and
-- "[Pool #1, PID <pid>]".
local function log(...)
  io.stderr:write(string.format(...), "\n")
end

-- Answers one command line (given without its line ending) by writing to
-- the socket's buffer; the caller flushes. Returns true to end the connection.
local function answer(socket, line, count)
  local command, argument = line:match("^%s*(%S*)%s?(.*)$")
  command = command:upper()
  if command == "ECHO" then
    socket:write("+OK ", argument, "\r\n")
  elseif command == "UPPER" then
    socket:write("+OK ", argument:upper(), "\r\n")
  elseif command == "INFO" then
    socket:write(string.format("+OK worker %d, client %s port %d, command %d, %d s left\r\n",
      moonbridge_io.getpid(), socket.remote_ip4 or socket.remote_ip6, socket.remote_tcpport,
      count, math.ceil(timeout())))
  elseif command == "HELP" then
    -- A multi-line answer, ended by a line with a single dot (as in POP3).
    socket:write("+OK commands:\r\n")
    for _, text in ipairs(help) do socket:write("  ", text, "\r\n") end
    socket:write(".\r\n")
  elseif command == "QUIT" then
    socket:write("+OK bye\r\n")
    return true
  elseif command == "" then
    socket:write("-ERR empty line, try HELP\r\n")
  else
    socket:write("-ERR unknown command ", string.format("%q", command), ", try HELP\r\n")
  end
  return false
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },  -- IPv4
  { proto = "tcp", host = "::1", port = port },        -- IPv6
  pre_fork = 1, min_fork = 2, max_fork = 8,

  connect = function(socket)
    -- The hard limit for this connection; when the handler returns, the
    -- server resets the timer before the worker waits for the next one.
    timeout(connection_seconds)
    socket:flush("+OK tcp-lines ready, worker ", moonbridge_io.getpid(), ", type HELP\r\n")
    local count = 0
    while true do
      -- Idle handling: wait for input at most idle_seconds. poll counts data
      -- the socket has already buffered (several lines sent at once) as ready.
      if not moonbridge_io.poll({ [socket] = true }, nil, idle_seconds) then
        socket:flush("-ERR idle timeout, closing\r\n")
        log("client %s idle for %g s, closing", socket.remote_ip4 or socket.remote_ip6, idle_seconds)
        break
      end
      local line, status = socket:read(max_line, "\n")
      if not line then
        -- An I/O error (e.g. the client reset the connection): nothing more
        -- can be sent. Returning true keeps the worker for the next client.
        log("read error: %s", status)
        return true
      end
      if status == "maxlen" then
        -- No "\n" in the first max_line bytes: discard the rest of the line
        -- (however long it is: the connection's timeout() bounds the wait).
        socket:drain(nil, "\n")
        socket:flush("-ERR line too long (at most ", max_line, " bytes)\r\n")
      elseif line ~= "" then  -- "" only at EOF
        count = count + 1
        local command_line = line:gsub("\r?\n$", "")  -- without the line ending
        local quit = answer(socket, command_line, count)
        local ok, err = socket:flush()
        if not ok then
          -- The client is gone (e.g. it closed without reading the answer).
          log("write error: %s", err)
          return true
        end
        if quit then break end
      end
      if status == "eof" then break end  -- the client closed its side
    end
    -- close() flushes and sends FIN. (The server would close the socket
    -- anyway when the handler returns.)
    socket:close()
    return true  -- keep this worker for the next connection
  end,
}
