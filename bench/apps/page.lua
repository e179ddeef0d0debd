-- Page-rendering benchmark app (bench/page.ts), the Lua side of
-- bench/node-page.ts: a view of the kind Moonbridge apps render, 60 table
-- rows built with string.format, gsub-based HTML escaping and table.concat.
--
--   node bin/moonbridge-lua bench/apps/page.lua <port>
--
-- GET /page?title=...: the page (Content-Length); everything else: 404.

local http = require "moonbridge_http"

local port = assert(tonumber((...)), "port expected")

-- the "database": made once, rendered on every request
local rows = {}
for i = 1, 60 do
  rows[i] = { id = i, name = 'Item <' .. i .. '> & "co"', price = i * 1.25, qty = i % 7 }
end

local escapes = { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;", ['"'] = "&quot;" }
local function escape(s)
  return (string.gsub(s, '[<>&"]', escapes))
end

local function render(title)
  local out = { "<!DOCTYPE html>\n<html><head><title>", title, "</title></head><body><h1>", title, "</h1>\n<table>\n" }
  for i = 1, #rows do
    local r = rows[i]
    out[#out+1] = string.format('<tr class="%s"><td>%d</td><td>%s</td><td>%.2f</td><td>%d</td></tr>\n',
      i % 2 == 0 and "even" or "odd", r.id, escape(r.name), r.price, r.qty)
  end
  out[#out+1] = "</table></body></html>\n"
  return table.concat(out)
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  connect = http.generate_handler(function(request)
    if request.path ~= "page" then
      request:send_status("404 Not Found")
      request:send_header("Content-Length", 10)
      request:send_data("not found\n")
      return true
    end
    local body = render(escape(request.get_params.title or "Items"))
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/html; charset=UTF-8")
    request:send_header("Content-Length", #body)
    request:send_data(body)
    return true
  end),
}
