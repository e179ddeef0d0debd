-- The HTTP handler moonbridge-lua's master runs on synthetic requests before
-- it forks workers, in a Lua state of its own, so that V8 has compiled the
-- hot paths (HTTP parsing and framing, the request object, Fengari's VM)
-- once instead of in every worker. It must not touch anything outside.
local http = require "moonbridge_http"

-- A view of the kind apps render: rows through string.format, escaping by
-- gsub with a table, a function and a pattern, find/match/gmatch, sorting
-- with a comparator, closures, varargs, pcall, metatables and coroutines.
-- It warms Fengari's interpreter loop and string library with the shapes
-- app code gives them; its result is only measured.
local escapes = { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;", ['"'] = "&quot;" }
local function escape(s)
  return (string.gsub(s, '[<>&"]', escapes))
end
local Row = {}
Row.__index = Row
function Row.label(self) return self.name .. " #" .. self.id end
local rows = {}
for i = 1, 40 do
  rows[i] = setmetatable({ id = i, name = 'Item <' .. i .. '> & "co"', price = i * 1.25, qty = i % 7, tags = "a,b," .. i }, Row)
end
local function sum(...)
  local n = 0
  for i = 1, select("#", ...) do n = n + (select(i, ...)) end
  return n
end
local function view(title)
  table.sort(rows, function(a, b) return a.id % 3 < b.id % 3 or (a.id % 3 == b.id % 3 and a.id < b.id) end)
  local out = { "<!DOCTYPE html>\n<html><head><title>", escape(title), "</title></head><body>\n<table>\n" }
  for i = 1, #rows do
    local r = rows[i]
    local tags = {}
    for tag in string.gmatch(r.tags, "[^,]+") do tags[#tags + 1] = tag:upper() end
    out[#out + 1] = string.format('<tr class="%s"><td>%d</td><td>%s</td><td>%.2f</td><td>%5d</td><td>%s</td></tr>\n',
      i % 2 == 0 and "even" or "odd", r.id, escape(r:label()), r.price, r.qty, table.concat(tags, " "))
  end
  local ok, n = pcall(sum, 1, 2.5, 3)
  local words = string.gsub(title, "%w+", function(w) return w:sub(1, 1):upper() .. w:sub(2) end)
  local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
  co(1)
  out[#out + 1] = string.format("</table><p>%s %s %d %s %q</p></body></html>\n", tostring(ok), words, co(n) // 1,
    tostring(string.find(title, "(%a+)%s*$")), string.match(title, "^(%S+)"))
  return table.concat(out)
end

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
  elseif path == "view" then
    -- only the length goes out: the responses of a batch wait in the
    -- socket buffer until the batch ends
    local body = view(request.get_params.title or "weekly report & more")
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/plain")
    request:send_data(#body, "\n")
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
