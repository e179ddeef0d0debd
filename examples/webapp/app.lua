-- A small but complete web application on moonbridge_http.
--
--   npx moonbridge-lua examples/webapp/app.lua [port]
--
-- Listens on 127.0.0.1 and ::1, port 8080 unless a port is given as the first
-- script argument; open http://127.0.0.1:8080/ in a browser. It shows:
--
--   * an HTML form: GET /form shows it, POST /form (urlencoded) checks it;
--     invalid input shows the form again (422) with the messages and with the
--     values the user typed; valid input is answered "303 See Other" with a
--     Location pointing at a result page (/hello?name=...): the
--     POST/redirect/GET pattern, so reloading the result page does not post
--     again;
--   * cookies: a visit counter ("visits") and, when the form's "remember me"
--     box is ticked, the name ("name"), both sent with Set-Cookie and read back
--     from request.cookies; POST /forget deletes the name cookie;
--   * static files from the static/ folder next to this file (whatever the
--     working directory is), byte for byte, with a Content-Type from the file
--     extension and a Content-Length; names are checked after percent-decoding
--     so "..", "%2e%2e", hidden files and odd characters never leave static/;
--   * 404 for unknown paths, 405 (with an Allow header) for a known path with
--     another method, 415 for a form body that is not
--     application/x-www-form-urlencoded (this example accepts only that
--     encoding, which is what a browser sends for a form without file fields);
--     413 (from moonbridge_http itself) for a body over 16 KiB;
--   * http.encode_html on everything that came from the client (form fields,
--     cookies, the path) before it goes into HTML.
--
-- Each connection is served by one worker process, and workers share no Lua
-- state: whatever must survive from one request to the next travels in the
-- URL or in a cookie here (a real application would use a database).
--
-- Try it with curl:
--   curl -i http://127.0.0.1:8080/form
--   curl -i --data-urlencode 'name=' http://127.0.0.1:8080/form          # 422, error message
--   curl -i --data-urlencode 'name=<Ada>' -d age=36 -d remember=on \
--        http://127.0.0.1:8080/form                                       # 303 + Location + Set-Cookie
--   curl -iL -c /tmp/jar -b /tmp/jar -d name=Ada -d remember=on http://127.0.0.1:8080/form
--   curl -i -b /tmp/jar -c /tmp/jar http://127.0.0.1:8080/                # "Welcome back, Ada", visits
--   curl -s http://127.0.0.1:8080/static/moon.png | cmp - examples/webapp/static/moon.png
--   curl -i --path-as-is http://127.0.0.1:8080/static/../app.lua          # 404
--   curl -i -X DELETE http://127.0.0.1:8080/form                         # 405, Allow: GET, HEAD, POST
--   curl -i -F name=Ada http://127.0.0.1:8080/form                       # 415 (multipart/form-data)

local http = require "moonbridge_http"

local port = tonumber((...)) or 8080

-- The folder of this script: debug.getinfo gives "@" plus the path the script
-- was loaded from (relative to the working directory the server started in,
-- which the workers keep).
local script_dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local static_dir = script_dir .. "static/"

local content_types = {
  css = "text/css; charset=UTF-8",
  html = "text/html; charset=UTF-8",
  txt = "text/plain; charset=UTF-8",
  js = "text/javascript; charset=UTF-8",
  json = "application/json",
  png = "image/png",
  jpg = "image/jpeg",
  jpeg = "image/jpeg",
  gif = "image/gif",
  svg = "image/svg+xml",
  ico = "image/x-icon",
}

local cookie_attributes = "; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"

local function h(s)  -- HTML-escape anything (nil becomes "")
  return http.encode_html(tostring(s or ""))
end

-- Sends a complete HTML page. extra_headers: a list of {name, value} pairs.
local function send_page(request, status, title, body, extra_headers)
  request:send_status(status)
  request:send_header("Content-Type", "text/html; charset=UTF-8")
  for _, header in ipairs(extra_headers or {}) do
    request:send_header(header[1], header[2])
  end
  request:send_data(
    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"UTF-8\">\n",
    "<title>", h(title), "</title>\n",
    "<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body>\n",
    body,
    "<footer>moonbridge-lua example web application, served by worker ",
    moonbridge_io.getpid(), "</footer>\n</body>\n</html>\n"
  )
end

local function error_page(request, status, message, allow)
  send_page(request, status, status,
    "<h1>" .. h(status) .. "</h1>\n<p>" .. message .. "</p>\n<p><a href=\"/\">Home</a></p>\n",
    allow and { { "Allow", allow } })
end

local function redirect(request, location, extra_headers)
  local headers = { { "Location", location } }
  for _, header in ipairs(extra_headers or {}) do headers[#headers + 1] = header end
  send_page(request, "303 See Other", "See Other",
    "<p>Continue at <a href=\"" .. h(location) .. "\">" .. h(location) .. "</a>.</p>\n", headers)
end

-- The visit counter cookie as a number (0 when missing or not a small number).
local function visits_cookie(request)
  local v = request.cookies.visits
  if type(v) == "string" and v:match("^%d%d?%d?%d?%d?%d?%d?%d?%d?$") then return tonumber(v) end
  return 0
end

-- Home page: greets a remembered name and counts visits in a cookie.
local function home(request)
  local visits = visits_cookie(request) + 1
  local name = request.cookies.name
  local greeting
  if name and name ~= "" then
    greeting = "<p>Welcome back, <strong>" .. h(name) .. "</strong>!</p>\n" ..
      "<form method=\"post\" action=\"/forget\"><button>Forget my name</button></form>\n"
  else
    greeting = "<p>Hello, stranger. <a href=\"/form\">Tell me your name</a>.</p>\n"
  end
  send_page(request, "200 OK", "Moonbridge web app",
    "<h1><img src=\"/static/moon.png\" width=\"16\" height=\"16\" alt=\"\">Moonbridge web app</h1>\n" ..
    greeting ..
    "<p>This is visit number " .. visits .. " of this browser (counted in a cookie).</p>\n" ..
    "<ul>\n<li><a href=\"/form\">The form</a></li>\n" ..
    "<li><a href=\"/static/about.txt\">A static text file</a></li>\n</ul>\n",
    { { "Set-Cookie", "visits=" .. visits .. cookie_attributes } })
end

-- The form, with optional error messages and the values to fill in.
local function form_page(request, status, values, errors)
  local parts = { "<h1>Who are you?</h1>\n" }
  if errors and #errors > 0 then
    parts[#parts + 1] = "<div class=\"error\"><p>Please correct the following:</p>\n<ul>\n"
    for _, message in ipairs(errors) do parts[#parts + 1] = "<li>" .. h(message) .. "</li>\n" end
    parts[#parts + 1] = "</ul></div>\n"
  end
  parts[#parts + 1] =
    "<form method=\"post\" action=\"/form\">\n" ..
    "<p><label for=\"name\">Name</label> <input id=\"name\" name=\"name\" value=\"" .. h(values.name) ..
    "\" maxlength=\"40\" required></p>\n" ..
    "<p><label for=\"age\">Age (optional)</label> <input id=\"age\" name=\"age\" value=\"" .. h(values.age) ..
    "\" size=\"4\"></p>\n" ..
    "<p><label><input type=\"checkbox\" name=\"remember\" value=\"on\"" ..
    (values.remember and " checked" or "") .. "> remember me (cookie)</label></p>\n" ..
    "<p><button>Send</button></p>\n</form>\n"
  send_page(request, status, "The form", table.concat(parts))
end

local function show_form(request)
  form_page(request, "200 OK", { name = request.cookies.name, remember = true })
end

-- The media type of the request body in lower case, without parameters
-- ("application/x-www-form-urlencoded; charset=UTF-8" gives
-- "application/x-www-form-urlencoded"); nil when the header is missing or was
-- sent more than once (headers_value is false then).
local function media_type(request)
  local value = request.headers_value["Content-Type"]
  if type(value) ~= "string" then return nil end
  return value:match("^%s*([^;%s]*)"):lower()
end

local function handle_form(request)
  -- Check the encoding before touching request.post_params: that reads the
  -- body. A body the handler never reads is skipped by moonbridge_http, so
  -- the connection stays usable for the next request.
  if media_type(request) ~= "application/x-www-form-urlencoded" then
    error_page(request, "415 Unsupported Media Type",
      "The form must be sent as application/x-www-form-urlencoded.")
    return
  end
  local params = request.post_params  -- the first value of each field
  local name = (params.name or ""):match("^%s*(.-)%s*$")
  local age = (params.age or ""):match("^%s*(.-)%s*$")
  local remember = params.remember == "on"
  local errors = {}
  local length = utf8.len(name)
  if name == "" then
    errors[#errors + 1] = "The name is required."
  elseif not length then
    errors[#errors + 1] = "The name is not valid UTF-8."
  elseif length > 40 then
    errors[#errors + 1] = "The name is longer than 40 characters."
  elseif name:find("%c") then
    errors[#errors + 1] = "The name contains control characters."
  end
  if age ~= "" and not (age:match("^%d%d?%d?$") and tonumber(age) >= 1 and tonumber(age) <= 150) then
    errors[#errors + 1] = "The age must be a whole number from 1 to 150."
  end
  if #errors > 0 then
    form_page(request, "422 Unprocessable Entity", { name = params.name, age = params.age, remember = remember }, errors)
    return
  end
  local location = "/hello?name=" .. http.encode_uri(name)
  if age ~= "" then location = location .. "&age=" .. age end
  local cookies = {}
  if remember then
    cookies[1] = { "Set-Cookie", "name=" .. http.encode_uri(name) .. cookie_attributes }
  end
  redirect(request, location, cookies)
end

-- The result page the form redirects to.
local function hello(request)
  local name = request.get_params.name
  if not name or name == "" then
    redirect(request, "/form")
    return
  end
  local age = (request.get_params.age or ""):match("^%d%d?%d?$")  -- digits only, or nil
  send_page(request, "200 OK", "Hello",
    "<h1>Hello, " .. h(name) .. "!</h1>\n" ..
    (age and "<p>" .. h(age) .. " years young.</p>\n" or "") ..
    "<p><a href=\"/\">Home</a> · <a href=\"/form\">Again</a></p>\n")
end

local function forget(request)
  redirect(request, "/", { { "Set-Cookie", "name=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" } })
end

-- Percent-decodes a path (request.path is not decoded; "+" stays "+").
local function decode_path(s)
  return (s:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end))
end

-- Serves static/<rel>; rel is the raw path below "static/".
local function static_file(request, rel)
  local decoded = decode_path(rel)
  -- Every segment must be a plain name that does not start with a dot: this
  -- refuses "", ".", "..", hidden files, backslashes, NUL bytes...
  for segment in (decoded .. "/"):gmatch("([^/]*)/") do
    if not segment:match("^[%w_%-][%w_%-%.]*$") then
      error_page(request, "404 Not Found", "No such file.")
      return
    end
  end
  local file = io.open(static_dir .. decoded, "rb")
  local data = file and file:read("a")  -- nil for a folder ("Is a directory")
  if file then file:close() end
  if not data then
    error_page(request, "404 Not Found", "No such file.")
    return
  end
  local extension = decoded:match("%.([%w]+)$")
  request:send_status("200 OK")
  request:send_header("Content-Type", content_types[extension and extension:lower()] or "application/octet-stream")
  request:send_header("Content-Length", #data)
  request:send_header("Cache-Control", "max-age=60")
  request:send_data(data)  -- ignored for HEAD: headers only
end

local routes = {
  [""] = { GET = home },
  form = { GET = show_form, POST = handle_form },
  hello = { GET = hello },
  forget = { POST = forget },
}

local function allowed(methods)
  local list = {}
  for method in pairs(methods) do list[#list + 1] = method end
  if methods.GET then list[#list + 1] = "HEAD" end
  table.sort(list)
  return table.concat(list, ", ")
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },  -- IPv4
  { proto = "tcp", host = "::1", port = port },        -- IPv6
  connect = http.generate_handler(
    {
      request_body_size_limit = 16 * 1024,  -- a form is small; larger bodies get 413
      static_headers = { "X-Content-Type-Options: nosniff" },
    },
    function(request)
      -- HEAD is answered like GET: moonbridge_http sends the headers and
      -- drops the body.
      local method = request.method == "HEAD" and "GET" or request.method
      -- request.path has no leading slash and no query, and it is not
      -- percent-decoded ("static/a%20b.txt"); it is nil only for "OPTIONS *".
      local path = request.path or ""
      local static_rel = path:match("^static/(.*)$")
      local methods = static_rel and { GET = true } or routes[path]
      if not methods or request.path == nil then
        error_page(request, "404 Not Found", "Nothing here: /" .. h(path) .. ".")
      elseif not methods[method] then
        error_page(request, "405 Method Not Allowed",
          "This page does not support " .. h(request.method) .. ".", allowed(methods))
      elseif static_rel then
        static_file(request, static_rel)
      else
        methods[method](request)
      end
      return true  -- keep this worker for the next connection
    end
  )
}
