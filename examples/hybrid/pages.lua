-- The HTML views of the hybrid example, in Lua. handle(request) is called
-- from the TypeScript entry (app.ts) for every path that is not /api/*.
local http = require "moonbridge_http"
local stats = require "textstats"   -- written in TypeScript (textstats.ts)

local enc = http.encode_html

local function page(request, title, body)
  request:send_status("200 OK")
  request:send_header("Content-Type", "text/html; charset=UTF-8")
  request:send_data("<!DOCTYPE html><html><head><title>", enc(title), "</title></head><body>",
    "<h1>", enc(title), "</h1>", body, "</body></html>")
end

local M = {}

function M.handle(request)
  if request.path == "" then
    page(request, "Hybrid example", table.concat{
      '<form method="post" action="/stats"><textarea name="text"></textarea>',
      '<button>Count words</button></form>',
      '<p><a href="/api/status">/api/status</a> is served by TypeScript.</p>',
    })
  elseif request.path == "stats" and request.method == "POST" then
    local text = request.post_params.text or ""
    local chars, lines = stats.size(text)
    local rows = {}
    for i, entry in ipairs(stats.top(text, 5)) do
      rows[i] = string.format("<tr><td>%s</td><td>%d</td></tr>", enc(entry.word), entry.count)
    end
    page(request, "Word count", string.format("<p>%d characters, %d lines</p><table>%s</table>",
      chars, lines, table.concat(rows)))
  else
    request:send_status("404 Not Found")
    request:send_header("Content-Type", "text/plain")
    request:send_data("not found: ", request.path, "\n")
  end
  return true
end

return M
