-- Form-POST benchmark app (bench/form.ts), the Lua side of bench/node-form.ts.
--
--   node bin/moonbridge-lua bench/apps/form.lua <port>
--
-- POST /urlencoded: reads request.post_params (application/x-www-form-urlencoded)
--   and answers "fields=<count> value_bytes=<sum of decoded value lengths>\n".
-- POST /upload: multipart/form-data; reads request.post_params and
--   request.post_metadata and answers
--   "fields=<count> file_size=<#file> file_name=<name> content_type=<type>\n".
-- Everything else: 404. Answers carry Content-Length (no chunked framing), so
-- both servers send the same body bytes and the digest comparison is exact.

local http = require "moonbridge_http"

local port = assert(tonumber((...)), "port expected")

local function answer(request, status, text)
  request:send_status(status)
  request:send_header("Content-Type", "text/plain")
  request:send_header("Content-Length", #text)
  request:send_data(text)
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  connect = http.generate_handler(
    -- 2 MiB is plenty for the 1 MiB upload; the default (64 MiB) would do too,
    -- the explicit limit documents what the app expects.
    { request_body_size_limit = 2 * 1024 * 1024 },
    function(request)
      if request.method ~= "POST" then
        answer(request, "405 Method Not Allowed", "POST only\n")
      elseif request.path == "urlencoded" then
        local count, bytes = 0, 0
        for _, value in pairs(request.post_params) do
          count = count + 1
          bytes = bytes + #value
        end
        answer(request, "200 OK", string.format("fields=%d value_bytes=%d\n", count, bytes))
      elseif request.path == "upload" then
        local count = 0
        for _ in pairs(request.post_params) do count = count + 1 end
        local file = request.post_params.file
        local meta = request.post_metadata.file
        answer(request, "200 OK", string.format(
          "fields=%d file_size=%d file_name=%s content_type=%s\n",
          count, file and #file or -1,
          meta and tostring(meta.file_name) or "-", meta and tostring(meta.content_type) or "-"))
      else
        answer(request, "404 Not Found", "not found\n")
      end
      return true
    end
  )
}
