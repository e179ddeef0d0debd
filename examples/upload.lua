-- File uploads without holding them in memory: a form posts files as
-- multipart/form-data, and stream_post_param writes each one to disk as it
-- arrives; the other fields come in request.post_params.
--
--   npx moonbridge-lua examples/upload.lua [port] [directory]
--
-- Serves http://127.0.0.1:8080/ (the form) and POST /upload; files are
-- stored in the directory (default /tmp) under a sanitized name.

local http = require "moonbridge_http"

local args = {...}
local port = tonumber(args[1]) or 8080
local directory = args[2] or "/tmp"

local form = [[
<!DOCTYPE html>
<html>
<head><title>Upload</title></head>
<body>
<form method="post" action="/upload" enctype="multipart/form-data">
<p><input name="title" placeholder="Title"></p>
<p><input type="file" name="file" multiple></p>
<p><button>Upload</button></p>
</form>
</body>
</html>
]]

-- Only letters, digits, dot, dash and underscore; never a path.
local function safe_name(name)
  name = (name or ""):match("[^/\\]*$"):gsub("[^%w._-]", "_")
  if name == "" or name:match("^%.+$") then name = "upload" end
  return name
end

local function upload(request)
  local stored = {}
  local file, current
  request:stream_post_param("file", function(chunk, meta)
    if meta then
      current = { name = safe_name(meta.file_name), size = 0 }
      file = assert(io.open(directory .. "/" .. current.name, "wb"))
    end
    if chunk then
      file:write(chunk)
      current.size = current.size + #chunk
    else
      file:close()
      stored[#stored+1] = current
    end
  end)
  request:consume_input()   -- streams the files, collects the other fields
  request:send_status("200 OK")
  request:send_header("Content-Type", "text/plain; charset=UTF-8")
  request:send_data("title: ", request.post_params.title or "", "\n")
  for _, f in ipairs(stored) do
    request:send_data("stored ", f.name, " (", f.size, " bytes)\n")
  end
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  { proto = "tcp", host = "::1", port = port },
  connect = http.generate_handler(function(request)
    if request.path == "" and (request.method == "GET" or request.method == "HEAD") then
      request:send_status("200 OK")
      request:send_header("Content-Type", "text/html; charset=UTF-8")
      request:send_data(form)
    elseif request.path == "upload" and request.method == "POST" then
      upload(request)
    else
      request:send_status("404 Not Found")
      request:send_header("Content-Type", "text/plain")
      request:send_data("not found\n")
    end
    return true
  end),
}
