/**
 * WebMCP's multirand module (src/webmcp/multirand.ts), run as an app's Lua
 * through bin/moonbridge-lua: ranges, uniformity (chi-square with a bound
 * that a fair source exceeds with probability far below 1e-9), charsets, and
 * multirand.c's argument errors.
 */
import { strict as assert } from 'assert';
import { runLua } from './helpers/run-lua';

function check(code: string): void {
  const r = runLua(`
local multirand = require "multirand"
local function errs(pattern, f, ...)
  local ok, msg = pcall(f, ...)
  if ok then error("no error, want " .. pattern, 2) end
  if not string.find(tostring(msg), pattern, 1, true) then error("error " .. tostring(msg) .. ", want " .. pattern, 2) end
end
-- chi-square statistic of counts[1..k] against n/k each
local function chi2(counts, k, n)
  local e, x = n / k, 0
  for i = 1, k do local d = (counts[i] or 0) - e; x = x + d * d / e end
  return x
end
${code}
print("done")
`);
  assert.equal(r.stdout.trim().split('\n').pop(), 'done', `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

describe('WebMCP multirand (TypeScript replacement of multirand.c)', function () {
  this.timeout(60000);

  it('integer(n) is uniform in 1..n, integer(a, b) in a..b', function () {
    check(`
      local counts, n = {}, 60000
      for _ = 1, n do
        local v = multirand.integer(6)
        assert(math.type(v) == "integer" and v >= 1 and v <= 6, v)
        counts[v] = (counts[v] or 0) + 1
      end
      local x = chi2(counts, 6, n); assert(x < 50, "chi-square (5 df) " .. x)
      counts = {}
      for _ = 1, n do
        local v = multirand.integer(-3, 6)
        assert(v >= -3 and v <= 6, v)
        counts[v + 4] = (counts[v + 4] or 0) + 1
      end
      x = chi2(counts, 10, n); assert(x < 60, "chi-square (9 df) " .. x)
      -- a range just above a power of two (most draws rejected): still uniform
      counts = {}
      for _ = 1, 20000 do local v = multirand.integer(0, 4); counts[v + 1] = (counts[v + 1] or 0) + 1 end
      x = chi2(counts, 5, 20000); assert(x < 50, "chi-square (4 df) " .. x)
      assert(multirand.integer(1) == 1 and multirand.integer(5, 5) == 5 and multirand.integer(-7, -7) == -7)
      for _ = 1, 100 do local v = multirand.integer(2, false); assert(v == 1 or v == 2) end
      local big = multirand.integer(math.maxinteger)
      assert(math.type(big) == "integer" and big >= 1)
      local seen = {}
      for _ = 1, 50 do seen[multirand.integer(math.mininteger, math.maxinteger)] = true end
      local distinct = 0; for _ in pairs(seen) do distinct = distinct + 1 end
      assert(distinct > 45, "full range: " .. distinct .. " distinct of 50")
      assert(multirand.integer("3") <= 3, "a numeric string is an integer")
    `);
  });

  it('integer raises multirand.c\'s argument errors', function () {
    check(`
      errs("bad argument #1 to", multirand.integer, 0); errs("(smaller than 1)", multirand.integer, 0)
      errs("(smaller than 1)", multirand.integer, -5)
      errs("Upper boundary is smaller than lower boundary.", multirand.integer, 3, 1)
      errs("number has no integer representation", multirand.integer, 1.5)
      errs("number has no integer representation", multirand.integer, 1, 2.5)
      errs("number expected, got nil", multirand.integer) -- settop(2) first, as in C
      errs("number expected, got string", multirand.integer, "x")
      errs("number expected, got string", multirand.integer, 1, "y")
    `);
  });

  it('fraction is a float in [0, 1] with mean and spread of a uniform', function () {
    check(`
      local n, sum, counts, seen = 40000, 0, {}, {}
      for _ = 1, n do
        local f = multirand.fraction()
        assert(math.type(f) == "float" and f >= 0 and f <= 1, f)
        sum = sum + f; seen[f] = true
        local b = math.min(math.floor(f * 10), 9) + 1; counts[b] = (counts[b] or 0) + 1
      end
      local mean = sum / n; assert(math.abs(mean - 0.5) < 0.02, "mean " .. mean)
      local x = chi2(counts, 10, n); assert(x < 60, "chi-square (9 df) " .. x)
      local distinct = 0; for _ in pairs(seen) do distinct = distinct + 1 end
      assert(distinct > n - 5, "distinct values " .. distinct)
      assert(multirand.fraction(1, 2) <= 1, "arguments are ignored")
    `);
  });

  it('string(length[, charset]) draws each byte uniformly from the charset', function () {
    check(`
      local s = multirand.string(26000)
      assert(#s == 26000 and not s:find("[^a-z]"), "default charset a-z")
      local counts = {}
      for i = 1, #s do local c = s:byte(i) - 96; counts[c] = (counts[c] or 0) + 1 end
      local x = chi2(counts, 26, 26000); assert(x < 100, "chi-square (25 df) " .. x)
      assert(multirand.string(0) == "" and multirand.string(-3) == "" and multirand.string(0, "") == "")
      assert(multirand.string(5, "x") == "xxxxx")
      local ab = multirand.string(1000, "ab"); assert(not ab:find("[^ab]") and ab:find("a") and ab:find("b"))
      local bin = multirand.string(2000, "\\0\\255"); assert(not bin:find("[^\\0\\255]") and bin:find("\\0") and bin:find("\\255"), "bytes")
      assert(not multirand.string(100, 12):find("[^12]"), "a number charset is its string")
      assert(#multirand.string(3, string.rep("z", 32767)) == 3, "32767 chars allowed")
      errs("Set of chars is too big.", multirand.string, 1, string.rep("z", 32768))
      errs("Assertion failed in C.", multirand.string, 1, "")
      errs("number expected, got nil", multirand.string)
      errs("number has no integer representation", multirand.string, 1.5)
      errs("string expected, got table", multirand.string, 1, {})
    `);
  });
});
