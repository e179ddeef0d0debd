-- webmcp_accelerator: what encode.html, slot.put_into, slot.put and ui.tag
-- produce, under lua5.3 with WebMCP's compiled C module (the oracle) and
-- under moonbridge-lua. The framework's globals are stood in for by the
-- minimal tables the functions use.
encode = {}
slot = { _data = setmetatable({}, { __index = function(t, k) local s = { string_fragments = {} }; t[k] = s; return s end }),
  _active_slot = "default" }
ui = {}
print(require "webmcp_accelerator")
print(type(encode.html), type(slot.put_into), type(slot.put), type(ui.tag))

local function fragments(name)
  local f = slot._data[name].string_fragments
  local out = {}
  for i = 1, #f do out[i] = tostring(f[i]) end
  slot._data[name].string_fragments = {}
  return #f .. ": " .. table.concat(out, "|")
end

for _, s in ipairs{ "", "plain", "<b>", "a & b", '"q"', "<<>>&&\"\"", "tail<", ">head", "mixed <a href=\"x&y\">t</a> end", "\0<\0" } do
  print(string.format("%q", encode.html(s)))
end
print(encode.html(42), math.type(encode.html(42)), encode.html(1.5))
print(pcall(encode.html))
print(pcall(encode.html, {}))
local long = string.rep("x<y", 10000)
print(#encode.html(long), encode.html(long):sub(1, 20))

slot.put("a", "b", 3)
slot.put()
print(fragments("default"))
slot.put_into("other", "x", "y")
print(fragments("other"), fragments("default"))
print(pcall(slot.put_into))

ui.tag{ tag = "div", content = "text & more" }
print(fragments("default"))
ui.tag{ tag = "br" }
print(fragments("default"))
ui.tag{ attr = { id = "i" }, content = "span?" }
print(fragments("default"))
ui.tag{ attr = {}, content = "no tag" }
print(fragments("default"))
ui.tag{ content = "bare" }
print(fragments("default"))
ui.tag{}
print(fragments("default"))
ui.tag{ tag = "a", attr = { href = "/x?a=1&b=\"2\"" } }
print(fragments("default"))
ui.tag{ tag = "p", attr = { class = { "one", "two", "three" } }, content = "classes" }
print(fragments("default"))
ui.tag{ tag = "p", attr = { class = "<plain>" }, content = "class string" }
print(fragments("default"))
ui.tag{ tag = "ul", content = function()
  ui.tag{ tag = "li", content = "one" }
  ui.tag{ tag = "li", content = function() slot.put("<raw>") end }
end }
print(fragments("default"))
ui.tag{ tag = "x", content = 5 }
print(fragments("default"))
print(pcall(ui.tag, { tag = "x", attr = "notatable" }))
print(pcall(ui.tag, { tag = "x", attr = { v = true } }))
print(pcall(ui.tag))
slot._active_slot = "second"
ui.tag{ tag = "i", content = "elsewhere" }
print(fragments("second"), fragments("default"))
print("done")
