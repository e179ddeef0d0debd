-- A Lua app that hands some routes to a module written in TypeScript
-- (tsroutes.js next to this file) and calls it with Lua values.
local http = require "moonbridge_http"
local ts = require "tsroutes"

local function template(page)
  local out = { "<h1>", http.encode_html(page.title), "</h1><ul>" }
  for _, item in ipairs(page.items) do out[#out + 1] = "<li>" .. http.encode_html(item) .. "</li>" end
  out[#out + 1] = "</ul>"
  return table.concat(out)
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = tonumber((...)) },
  connect = http.generate_handler(function(request)
    if request.path == "ts" then
      return ts.hello(request)
    elseif request.path == "override" then
      -- a method set in the request table itself is what TS calls too, as Lua would
      local send_data = request.send_data
      request.send_data = function(self, ...) return send_data(self, "[", ..., "]") end
      return ts.hello(request)
    end
    request:send_status("200 OK")
    request:send_header("Content-Type", "text/plain")
    if request.path == "render" then
      request:send_data(ts.render(template, { "a<b", "c" }))
    elseif request.path == "split" then
      local k, v = ts.split(request.get_params.s)
      request:send_data(k, "|", v)
    elseif request.path == "split-error" then
      local ok, err = pcall(ts.split, "nothing")
      request:send_data(tostring(ok), "|", err)
    elseif request.path == "cmodule" then
      local ok, err = pcall(require, "lfs")
      request:send_data(err)
    elseif request.path == "js" then
      local js = require "js"
      request:send_data(js.global.JSON:stringify(js.global.Math:max(3, 8)))
    else
      request:send_data("lua route ", request.path)
    end
    return true
  end)
}
