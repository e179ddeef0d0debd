-- Test app of spec/30-http-fuzz.spec.ts: answers every request with a digest
-- of what the server parsed, so that two deliveries of the same bytes can be
-- compared without knowing the right answer beforehand.
-- Arguments: port
--
-- Small timeouts, so that the fuzzer's garbage and half requests are closed
-- quickly: a connection waiting for a request head is dropped after 2 s,
-- one that stalls in a body after 1 s.
local http = require "moonbridge_http"

local port = assert(tonumber((...)), "port expected")

-- A rolling checksum (h = h * 31 + byte, mod 2^24) over the bytes of s: cheap,
-- order-sensitive, so reordered or lost bytes change it. 24 bits because
-- Fengari's integers are 32-bit: h * 31 + 255 must stay below 2^31.
local function checksum(s)
  local h = 0
  for i = 1, #s, 64 do
    local bytes = { string.byte(s, i, math.min(i + 63, #s)) }
    for j = 1, #bytes do h = (h * 31 + bytes[j]) & 0xFFFFFF end
  end
  return string.format("%06x", h)
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local function digest(request)
  local out = {
    "method=" .. tostring(request.method),
    "path=" .. tostring(request.path),
    "query=" .. tostring(request.query),
  }
  -- Header names sorted (pairs order is not part of the API), the values of
  -- one name in the order they came.
  for _, name in ipairs(sorted_keys(request.headers)) do
    for i, value in ipairs(request.headers[name]) do
      out[#out + 1] = string.format("header %s[%d]=%s", name, i, value)
    end
  end
  local content_type = request.headers_value["content-type"] or ""
  if string.find(string.lower(content_type), "^multipart/form%-data") then
    -- post_params_list/post_metadata_list: every value, repeated names too.
    for _, name in ipairs(sorted_keys(request.post_params_list)) do
      local values = request.post_params_list[name]
      local metas = request.post_metadata_list[name] or {}
      for i, value in ipairs(values) do
        local meta = metas[i] or {}
        out[#out + 1] = string.format("part %s[%d] len=%d sum=%s file_name=%s content_type=%s",
          name, i, #value, checksum(value), tostring(meta.file_name), tostring(meta.content_type))
      end
    end
  else
    local body = request.body or ""
    out[#out + 1] = string.format("body len=%d sum=%s", #body, checksum(body))
  end
  return table.concat(out, "\n") .. "\n"
end

listen{
  { proto = "tcp", host = "127.0.0.1", port = port },
  connect = http.generate_handler(
    { idle_timeout = 2, request_header_timeout = 2, stall_timeout = 1, drain_timeout = 1 },
    function(request)
      local text = digest(request)
      request:send_status("200 OK")
      request:send_header("Content-Length", #text)
      request:send_data(text)
      return true
    end
  )
}
