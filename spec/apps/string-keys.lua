-- Test app: strings whose bytes differ only in leading zeros of their hex
-- digits must be distinct table keys (Fengari 0.1.5 hashed them alike).
local a, b = "\1\35", "\18\3"          -- hex 01 23 and 12 03
local t = {}
t[a] = "a"
print(a == b, t[b], t[a], #a, #b)
local seen, collisions = {}, 0
for i = 0, 255 do
  for j = 0, 255, 17 do
    local k = string.char(i, j)
    if seen[k] then collisions = collisions + 1 end
    seen[k] = true
  end
end
print("collisions", collisions)
