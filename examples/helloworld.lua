-- Minimal Moonbridge application: "Hello World!" over HTTP.
--
--   npx moonbridge-lua examples/helloworld.lua [port]
--
-- Listens on 127.0.0.1 and ::1, port 8080 unless a port is given as the first
-- script argument. "/" gets an HTML page, any other path 404, any method other
-- than GET and HEAD 405.

local http = require "moonbridge_http"

local port = tonumber((...)) or 8080

local hello_page = [[
<!DOCTYPE html>
<html>
<head><title>Hello World Application</title></head>
<body><h1>Hello World!</h1></body>
</html>
]]

local function error_page(request, status, allow)
  request:send_status(status)
  if allow then request:send_header("Allow", allow) end
  request:send_header("Content-Type", "text/html; charset=UTF-8")
  request:send_data(
    "<!DOCTYPE html>\n<html>\n<head><title>", status, "</title></head>\n",
    "<body><h1>", http.encode_html(status), "</h1></body>\n</html>\n"
  )
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },  -- IPv4
  { proto = "tcp", host = "::1", port = port },        -- IPv6
  connect = http.generate_handler(
    function(request)
      if request.method ~= "GET" and request.method ~= "HEAD" then
        error_page(request, "405 Method not allowed", "GET, HEAD")
      elseif request.path == "" then
        request:send_status("200 OK")
        request:send_header("Content-Type", "text/html; charset=UTF-8")
        request:send_data(hello_page)
      else
        error_page(request, "404 Not Found")
      end
      return true
    end
  )
}
