-- Test app: POST forms, multipart uploads, body and field streamers, the
-- parameter and header tables, and generate_handler with a poll_function
-- driven by a coroutine scheduler.
-- Arguments: port, port of the poll_function variant
local http = require "moonbridge_http"

local args = {...}
local port = assert(tonumber(args[1]), "port expected")
local scheduled_port = assert(tonumber(args[2]), "second port expected")

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys+1] = k end
  table.sort(keys)
  return keys
end

-- A text digest of a value: strings with their length and a checksum.
local function digest(s)
  local sum = 0
  for i = 1, #s, 997 do sum = (sum * 31 + s:byte(i)) % 1000003 end
  return string.format("%d:%d", #s, sum)
end

local function meta_text(m)
  return string.format("{field_name=%s,file_name=%s,content_type=%s}",
    tostring(m.field_name), tostring(m.file_name), tostring(m.content_type))
end

local function describe_fields(request, out)
  for _, k in ipairs(sorted_keys(request.post_params_list)) do
    local list = request.post_params_list[k]
    local metas = request.post_metadata_list[k]
    for i, v in ipairs(list) do
      out[#out+1] = string.format("field %s #%d %s %s", k, i, #v < 40 and (string.format("%q", v):gsub("\\\n", "\\n")) or digest(v),
        metas[i] and meta_text(metas[i]) or "-")
    end
  end
  for _, k in ipairs(sorted_keys(request.post_params)) do
    out[#out+1] = string.format("first %s %s", k, digest(request.post_params[k]))
  end
  for _, k in ipairs(sorted_keys(request.post_metadata)) do
    out[#out+1] = string.format("first-meta %s %s", k, meta_text(request.post_metadata[k]))
  end
end

local function rss_kb()
  local f = io.open("/proc/self/status")
  local text = f:read("a")
  f:close()
  return tonumber(text:match("VmRSS:%s*(%d+)"))
end

local routes = {}

-- 32 MB, more than the socket buffers hold
local function send_big(request)
  request:send_status("200 OK")
  request:send_header("Content-Length", 32 * 1024 * 1024)
  local piece = string.rep("x", 65536)
  for i = 1, 512 do request:send_data(piece) end
end

-- Raw answers: the field "file" as collected, and as streamed chunk by chunk.
local raw = {}
function raw.echo(request)
  return request.post_params.file
end
function raw.echostream(request)
  local parts = {}
  request:stream_post_param("file", function(chunk) parts[#parts+1] = chunk end)
  request:consume_input()
  return table.concat(parts)
end

function routes.fields(request, out)
  describe_fields(request, out)
end

-- stream_post_param for "file", stream_post_params for "^big_", the rest collected
function routes.stream(request, out)
  local log = {}
  local function streamer(tag)
    local n = 0
    return function(chunk, meta)
      if chunk == nil then
        log[#log+1] = string.format("%s end %d", tag, n)
      else
        if meta then log[#log+1] = string.format("%s first %d %s", tag, #chunk, meta_text(meta)) end
        assert(meta or #chunk > 0, "later chunks are never empty")
        n = n + #chunk
      end
    end
  end
  request:stream_post_param("file", streamer("file"))
  request:stream_post_params("^big_%d+$", streamer("pattern"))
  request:consume_input()
  for _, line in ipairs(log) do out[#out+1] = line end
  describe_fields(request, out)
  local ok, err = pcall(function() return request.body end)
  out[#out+1] = "body after consume: " .. tostring(ok) .. " " .. tostring(err):gsub("^.-: ", "")
end

-- a 50 MB upload streamed: the worker's RSS must stay flat. Reported: the
-- growth from the start, and from the point where 8 MB had been streamed (a
-- fresh worker first grows its young generation and touches new pages).
function routes.memory(request, out)
  local before, at8, peak, total = rss_kb(), nil, 0, 0
  local next_sample = 0
  request:stream_post_param("file", function(chunk)
    if chunk then
      total = total + #chunk
      if total >= next_sample then
        local now = rss_kb()
        peak = math.max(peak, now)
        if not at8 and total >= 8 * 1024 * 1024 then at8 = now end
        if os.getenv("RSS_TRACE") then io.stderr:write(total, " ", now, "\n") end
        next_sample = total + 1024 * 1024
      end
    end
  end)
  request:consume_input()
  peak = math.max(peak, rss_kb())
  out[#out+1] = string.format("total %d growth_kb %d after8_kb %d", total, peak - before, peak - at8)
end

function routes.body(request, out)
  out[#out+1] = "body " .. digest(request.body)
  describe_fields(request, out)
end

function routes.bodystream(request, out)
  local pieces, total, ended = 0, 0, false
  request:stream_request_body(function(chunk)
    if chunk == nil then ended = true else pieces = pieces + 1; total = total + #chunk end
  end)
  out[#out+1] = "fresh " .. tostring(request.fresh)
  request:consume_input()
  out[#out+1] = string.format("streamed %d bytes, ended %s", total, tostring(ended))
end

function routes.late(request, out)
  request:send_status("200 OK")
  local ok, err = pcall(request.stream_post_param, request, "x", function() end)
  out[#out+1] = "late streamer: " .. tostring(ok) .. " " .. tostring(err):gsub("^.-: ", "")
  describe_fields(request, out)
end

function routes.tables(request, out)
  for _, k in ipairs(sorted_keys(request.get_params)) do out[#out+1] = string.format("get %q=%q", k, request.get_params[k]) end
  out[#out+1] = "missing list: " .. type(request.get_params_list.missing) .. " " .. #request.get_params_list.missing
  out[#out+1] = "missing first: " .. tostring(request.get_params.missing)
  local n = 0
  for k in pairs(request.get_params_list) do n = n + 1 end
  out[#out+1] = "list names: " .. n
  out[#out+1] = "flag absent: " .. tostring(request.headers_flags["X-Flags"]["nope"])
  out[#out+1] = "flag present: " .. tostring(request.headers_flags["x-flags"]["B"])
  out[#out+1] = "flags of absent header: " .. tostring(request.headers_flags["X-None"]["a"])
  out[#out+1] = "csv string absent: " .. string.format("%q", request.headers_csv_string["X-None"])
  out[#out+1] = "csv table: " .. table.concat(request.headers_csv_table["X-Flags"], "|")
  out[#out+1] = "value absent: " .. tostring(request.headers_value["X-None"])
  for _, k in ipairs(sorted_keys(request.cookies)) do out[#out+1] = string.format("cookie %q=%q", k, request.cookies[k]) end
end

local function handler(request)
  if request.path == "big" then
    -- a client that never reads: the write stalls past stall_timeout
    send_big(request)
    return true
  end
  if raw[request.path] then
    local data = raw[request.path](request)
    request:send_status("200 OK")
    request:send_header("Content-Length", #data)
    request:send_data(data)
    return true
  end
  local route = routes[request.path]
  if not route then
    request:send_status("404 Not Found")
    return true
  end
  local out = {}
  route(request, out)
  if request.path ~= "late" then request:send_status("200 OK") end
  local text = table.concat(out, "\n") .. "\n"
  request:send_header("Content-Length", #text)
  request:send_data(text)
  return true
end

local plain = http.generate_handler(handler, { request_header_timeout = 5, stall_timeout = 3, idle_timeout = 5 })

-- With a poll_function: a scheduler runs the HTTP connection in a coroutine
-- next to a ticker coroutine, and tells in a header how often the HTTP code
-- waited through it and how often the ticker ran meanwhile.
local polls, ticks = {}, 0
local function scheduled_handler(request)
  if request.path == "big" then
    -- a client that does not read at first: the writes must wait
    send_big(request)
    return true
  end
  request:send_status("200 OK")
  local body = request.body
  local text = string.format("polls %s ticks %d body %d\n", table.concat(polls, ","), ticks, #body)
  request:send_header("Content-Length", #text)
  request:send_data(text)
  return true
end
local polling = http.generate_handler({
  poll_function = function(input_set, output_set, timeout, wakeup)
    polls[#polls+1] = (input_set and "r" or "") .. (output_set and "w" or "") .. (wakeup and "!" or "")
    return coroutine.yield("poll", input_set, output_set, timeout, wakeup)
  end,
  request_header_timeout = 5, stall_timeout = 3, idle_timeout = 5,
}, scheduled_handler)

local function run_scheduled(socket)
  local http_co = coroutine.create(polling)
  local ticker = coroutine.create(function() while true do ticks = ticks + 1; coroutine.yield() end end)
  local ok, what, i, o, t, w = coroutine.resume(http_co, socket)
  while coroutine.status(http_co) ~= "dead" do
    assert(ok, what)
    assert(what == "poll", "unexpected yield from the HTTP coroutine")
    -- wait in small steps, running the ticker in between
    local ready
    repeat
      coroutine.resume(ticker)
      ready = moonbridge_io.poll(i, o, 0.02)
      if t then t = t - 0.02 end
    until ready or (t and t <= 0)
    ok, what, i, o, t, w = coroutine.resume(http_co, ready)
  end
  assert(ok, what)
  return what
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  { proto = "tcp", host = "127.0.0.1", port = scheduled_port },
  connect = function(socket)
    if socket.local_tcpport == scheduled_port then
      polls, ticks = {}, 0
      return run_scheduled(socket)
    end
    return plain(socket)
  end,
}
