-- Test app: an HTTP server on 127.0.0.1 and ::1.
-- Arguments: port
local http = require "moonbridge_http"

local port = assert(tonumber((...)), "port expected")

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  { proto = "tcp", host = "::1", port = port },
  connect = http.generate_handler(function(request)
    local path = request.path
    if request.method ~= "GET" and request.method ~= "HEAD" and request.method ~= "POST" then
      request:send_status("405 Method Not Allowed")
      request:send_header("Allow", "GET, HEAD, POST")
      request:send_data("method not allowed\n")
    elseif path == "" then
      request:send_status("200 OK")
      request:send_header("Content-Type", "text/plain")
      request:send_data("Hello World!\n")
    elseif path == "pid" then
      request:send_status("200 OK")
      request:send_data(tostring(moonbridge_io.getpid()))
    elseif path == "error" then
      error("handler failed on purpose")
    elseif path == "echo" then
      local body = request.body
      request:send_status("200 OK")
      request:send_header("Content-Length", #body)
      request:send_data(body)
    elseif path == "catch-body-error" then
      -- A malformed body is answered by the server; a handler that catches
      -- the error must not be able to add to that response.
      request:send_status("200 OK")
      request:send_header("X-Must-Not-Be-Sent", "1")
      local ok, err = pcall(function() return request.body end)
      io.stderr:write("body error caught: ", tostring(err), "; faulty: ", tostring(request.faulty), "\n")
    elseif path == "params" then
      request:send_status("200 OK")
      local keys = {}
      for k, v in pairs(request.get_params) do keys[#keys+1] = k .. "=" .. v end
      for k, v in pairs(request.post_params) do keys[#keys+1] = "post:" .. k .. "=" .. v end
      table.sort(keys)
      request:send_data(table.concat(keys, "&"), "\n",
        "query=", request.query, "\n",
        "ua=", tostring(request.headers_value["user-agent"]), "\n",
        "accept=", table.concat(request.headers["Accept"], "|"), "\n")
    elseif path == "slow" then
      moonbridge_io.poll(nil, nil, 0.3)
      request:send_status("200 OK")
      request:send_data("slow\n")
    else
      request:send_status("404 Not Found")
      request:send_data("not found: ", path, "\n")
    end
    return true
  end),
  finish = function()
    io.stderr:write("finish handler ran in ", moonbridge_io.getpid(), "\n")
  end
}
