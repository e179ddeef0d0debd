-- Test app for the HTTP conformance spec (spec/28-http-conformance.spec.ts).
-- Every request is answered with "200 OK", a Content-Length and a digest of
-- what the handler saw, one item per line:
--   method=..., path=..., query=..., host=..., then each header as
--   "name: value" (lower-case names, sorted; several values joined by "|"),
--   then "body=" and the body as read through request.body.
-- So the expected response of every valid request is an exact string.
-- Special paths:
--   SMUG           "SMUGGLED\n": a hidden (smuggled) request must never get it;
--   split-header   tries send_header with CR LF in the value (response splitting);
--   split-name     tries send_header with CR LF in the name;
--   split-status   tries send_status with CR LF in the text;
--   each answers with the error message it got.
-- Small limits and timeouts make the limit and slow-client cases fast.
-- Arguments: port
local http = require "moonbridge_http"

local port = assert(tonumber((...)), "port expected")

local function digest(request)
  local names = {}
  for name in pairs(request.headers) do names[#names + 1] = name end
  table.sort(names)
  local out = {
    "method=" .. request.method,
    "path=" .. tostring(request.path),
    "query=" .. tostring(request.query),
    "host=" .. request.host,
  }
  for _, name in ipairs(names) do
    out[#out + 1] = name .. ": " .. table.concat(request.headers[name], "|")
  end
  out[#out + 1] = "body=" .. request.body
  return table.concat(out, "\n") .. "\n"
end

local function answer(request, text)
  request:send_status("200 OK")
  request:send_header("Content-Length", #text)
  request:send_data(text)
end

local attempts = {
  ["split-header"] = function(request)
    request:send_status("200 OK")
    request:send_header("X-A", "a\r\nX-Injected: 1")
  end,
  ["split-name"] = function(request)
    request:send_status("200 OK")
    request:send_header("X\r\nX-Injected", "1")
  end,
  ["split-status"] = function(request)
    request:send_status("200 OK\r\nX-Injected: 1")
  end,
}

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  connect = http.generate_handler({
    header_size_limit = 1024,
    body_size_limit = 10000,
    idle_timeout = 3,
    request_header_timeout = 3,
    stall_timeout = 2,
  }, function(request)
    local path = request.path
    if path == "SMUG" then
      answer(request, "SMUGGLED\n")
    elseif attempts[path] then
      local ok, err = pcall(attempts[path], request)
      -- A refused call leaves the response as it was: the refused status
      -- was not sent, so a valid one can be.
      if path == "split-status" then request:send_status("200 OK") end
      -- Without the "file:line: " position, which depends on how the script was named.
      local message = tostring(err):gsub("^[^\n]-:%d+: ", "")
      local text = "refused=" .. tostring(not ok) .. "\n" .. message .. "\n"
      request:send_header("Content-Length", #text)
      request:send_data(text)
    else
      answer(request, digest(request))
    end
    return true
  end),
}
