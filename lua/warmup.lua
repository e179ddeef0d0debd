-- The HTTP handler moonbridge-lua's master runs on synthetic requests before
-- it forks workers, in a Lua state of its own, so that V8 has compiled the
-- hot paths (HTTP parsing and framing, the request object, Fengari's VM)
-- once instead of in every worker. It must not touch anything outside.
local http = require "moonbridge_http"

return http.generate_handler(function(request)
  local path = request.path
  if request.method == "POST" and (path == "form" or path == "upload") then
    local n = 0
    for k, v in pairs(request.post_params) do n = n + #k + #v end
    for k, m in pairs(request.post_metadata) do n = n + #(m.file_name or "") end
    request:send_status("200 OK")
    request:send_data(n, "\n")
  elseif request.method == "POST" then
    local body = request.body
    request:send_status("200 OK")
    request:send_header("Content-Length", #body)
    request:send_data(body)
  elseif path == "" then
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/html; charset=UTF-8")
    request:send_data("<!DOCTYPE html>\n<html><body><h1>Hello</h1></body></html>\n")
  elseif path == "params" then
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/plain")
    request:send_data(request.get_params.a or "", request.headers_value["user-agent"] or "")
  else
    request:send_status("404 Not Found")
    request:send_data("not found: ", path, "\n")
  end
  return true
end)
