/**
 * Integers exact to 2^53 (the 54-bit integers of the patched Fengari, see
 * node_modules/fengari/src/linteger.js and README "Known differences"):
 * math.maxinteger is 2^53-1, every integer operation is exact in that range
 * and wraps around beyond it as BigInt.asIntN(54, exact result).
 *
 * Through a Lua state made as the server makes it. In-range behaviour is
 * compared with lua5.3's output (the oracle); wrap-around beyond 2^53 with a
 * BigInt oracle computed here.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import fc from 'fast-check';
import { createServerState } from '../src/server/startup';
import { attachRuntime } from '../src/api/runtime';
import { timeout as luaTimeout } from '../src/server/timeout';
import { Logger } from '../src/server/log';
import { lua, LuaFunction } from '../src/api/index';
import { lua53Available } from './helpers/lua-diff';

const MAX = 2n ** 53n - 1n;
const MIN = -(2n ** 53n);
const wrap = (x: bigint): bigint => BigInt.asIntN(54, x);

function setUp(): void {
  const ctx = { pools: [], logger: new Logger({ fd: null, debug: false, stats: false }), started: false };
  const { L, listen } = createServerState(ctx);
  attachRuntime({ L, script: 'spec', listen, timeout: luaTimeout });
}

/** The text a chunk returns, in our state. */
const ours = (chunk: string): string => lua.run(`return tostring((function() ${chunk} end)())`) as string;

/** The text the same chunk returns under lua5.3. */
function puc(chunk: string): string {
  const r = spawnSync('lua5.3', ['-e', `io.write(tostring((function() ${chunk} end)()))`], { encoding: 'latin1' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Lua source of an integer (the most negative one has no literal). */
const lit = (v: bigint): string => (v === MIN ? 'math.mininteger' : `(${v})`);

/** 54-bit integers, biased to the interesting places: small, near ±2^31, ±2^32, ±2^53. */
const int54 = fc.oneof(
  fc.bigInt({ min: MIN, max: MAX }),
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: 0n, max: 1000n }).map((k) => MAX - k),
  fc.bigInt({ min: 0n, max: 1000n }).map((k) => MIN + k),
  fc.bigInt({ min: -1000n, max: 1000n }).map((k) => 2n ** 31n + k),
  fc.bigInt({ min: -1000n, max: 1000n }).map((k) => -(2n ** 32n) + k),
  fc.bigInt({ min: -(2n ** 27n), max: 2n ** 27n }),
);

describe('integers exact to 2^53 (54-bit, wrap-around beyond)', function () {
  this.timeout(60000);
  before(setUp);

  it('has math.maxinteger 2^53-1 and math.mininteger -2^53, which wrap into each other', function () {
    assert.equal(ours('return math.maxinteger'), '9007199254740991');
    assert.equal(ours('return math.mininteger'), '-9007199254740992');
    assert.equal(ours('return math.maxinteger + 1 == math.mininteger and math.mininteger - 1 == math.maxinteger'), 'true');
    assert.equal(ours('return -math.mininteger == math.mininteger and math.mininteger // -1 == math.mininteger'), 'true');
    assert.equal(ours('return math.abs(math.mininteger) == math.mininteger'), 'true');
    assert.equal(ours('return math.mininteger % -1'), '0');
  });

  it('computes + - * // % unary minus exactly, wrapping as BigInt.asIntN(54) (property)', function () {
    const f = lua.run(`return function(a, b)
      local r = { a + b, a - b, a * b, -a }
      if b ~= 0 then r[5] = a // b; r[6] = a % b end
      for i = 1, 6 do if r[i] then assert(math.type(r[i]) == "integer", i); r[i] = tostring(r[i]) end end
      return table.concat(r, " ")
    end`) as LuaFunction;
    fc.assert(fc.property(int54, int54, (a, b) => {
      const exp = [wrap(a + b), wrap(a - b), wrap(a * b), wrap(-a)];
      if (b !== 0n) {
        let q = a / b;
        if (a % b !== 0n && (a < 0n) !== (b < 0n)) q -= 1n;
        exp.push(wrap(q), a - q * b);
      }
      assert.equal(lua.call(f, Number(a), Number(b)), exp.join(' '), `a=${a} b=${b}`);
    }), { numRuns: 3000 });
  });

  it('computes & | ~ ~x << >> on the 54-bit pattern; shifts by 54 or more give 0, >> is logical (property)', function () {
    const f = lua.run(`return function(a, b, s)
      return table.concat({ a & b, a | b, a ~ b, ~a, a << s, a >> s }, " ")
    end`) as LuaFunction;
    const u54 = (x: bigint): bigint => BigInt.asUintN(54, x);
    const shl = (x: bigint, s: number): bigint => (s <= -54 || s >= 54 ? 0n
      : s >= 0 ? wrap(x << BigInt(s)) : wrap(u54(x) >> BigInt(-s)));
    fc.assert(fc.property(int54, int54, fc.integer({ min: -70, max: 70 }), (a, b, s) => {
      const exp = [wrap(a & b), wrap(a | b), wrap(a ^ b), wrap(~a), shl(a, s), shl(a, -s)];
      assert.equal(lua.call(f, Number(a), Number(b), s), exp.join(' '), `a=${a} b=${b} s=${s}`);
    }), { numRuns: 3000 });
    assert.equal(ours('return -1 >> 1'), String(MAX));
    assert.equal(ours('return 1 << 53'), String(MIN));
    assert.equal(ours('local one = 1 return one << 54, -1 << 54, -1 >> 54, -1 >> -54'), '0');
  });

  it('folds constants in the parser as the VM computes them (property)', function () {
    fc.assert(fc.property(int54, int54, (a, b) => {
      const text = `return tostring(${lit(a)} + ${lit(b)}) .. " " .. tostring(${lit(a)} * ${lit(b)}) .. " " .. `
        + `tostring(${lit(a)} ~ ${lit(b)}) .. " " .. tostring(-${lit(a)})`;
      assert.equal(ours(text), [wrap(a + b), wrap(a * b), wrap(a ^ b), wrap(-a)].join(' '), text);
    }), { numRuns: 300 });
  });

  it('reads numerals and strings as Lua does: decimal overflow gives a float, hexadecimal wraps in 54 bits', function () {
    assert.equal(ours('return math.type(9007199254740991)'), 'integer');
    assert.equal(ours('return math.type(9007199254740992)'), 'float');
    assert.equal(ours('return math.type(-9007199254740991 - 1)'), 'integer');
    assert.equal(ours('return 0x7fffffffffffffff'), '-1');
    assert.equal(ours('return 0x1fffffffffffff'), String(MAX));
    assert.equal(ours('return 0x20000000000000'), String(MIN));
    assert.equal(ours('return 0xffffffffffffffff'), '-1');
    assert.equal(ours('return math.tointeger("0x10000000000001")'), String(wrap(0x10000000000001n)));
    // Lua 5.3: arithmetic on strings is float arithmetic; bitwise operators convert them to integers
    assert.equal(ours('return math.type("9007199254740990" + 1) .. " " .. tostring("9007199254740990" + 1 == 2^53 - 1)'), 'float true');
    assert.equal(ours('return ("9007199254740990" | 1) .. " " .. ("0x1fffffffffffff" ~ 0) .. " " .. math.type("10" * 2)'), `${MAX} ${MAX} float`);
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
      assert.equal(ours(`return 0x${v.toString(16)}`), String(wrap(v)));
      assert.equal(ours(`return tonumber("0x${v.toString(16)}")`), String(wrap(v)));
    }), { numRuns: 300 });
  });

  it('tonumber(s, base) accumulates with wrap-around in 54 bits (property)', function () {
    const f = lua.run('return function(s, b) return tostring(tonumber(s, b)) end') as LuaFunction;
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.integer({ min: 2, max: 36 }), (v, base) => {
      const s = v.toString(base);
      assert.equal(lua.call(f, s, base), String(wrap(v)), `${s} base ${base}`);
    }), { numRuns: 1000 });
    assert.equal(ours('return tostring(tonumber("1z", 36)) .. tostring(tonumber("8", 8)) .. tostring(tonumber(" -ff ", 16))'), '71nil-255');
  });

  it('formats %d %i %u %x %X %o as lua5.3: negatives as the 64-bit two\'s complement (property)', function () {
    const f = lua.run('return function(n) return string.format("%d %i %u %x %X %o %5d %-20x| %#x %.3d", n, n, n, n, n, n, n, n, n, n) end') as LuaFunction;
    fc.assert(fc.property(int54, (n) => {
      const u = BigInt.asUintN(64, n);
      const d = n.toString();
      const x = u.toString(16);
      const exp = `${d} ${d} ${u} ${x} ${x.toUpperCase()} ${u.toString(8)} ${d.padStart(5)} ${x.padEnd(20)}| `
        + `${n === 0n ? '0' : '0x' + x} ${n < 0n ? '-' + (-n).toString().padStart(3, '0') : d.padStart(3, '0')}`;
      assert.equal(lua.call(f, Number(n)), exp, `n=${n}`);
    }), { numRuns: 1000 });
    assert.equal(ours('return string.format("%x", -1)'), 'ffffffffffffffff');
    assert.equal(ours('return string.format("%q", math.mininteger)'), '0xffe0000000000000');
  });

  it('packs j J i8 I8 in 8 bytes (sign-extended) and unpacks them back; beyond 54 bits "does not fit" (property)', function () {
    const f = lua.run(`return function(n)
      local s = string.pack("<j", n)
      assert(#s == 8 and string.pack(">i8", n) == s:reverse() and string.pack("<J", n) == s)
      assert(string.unpack("<j", s) == n and string.unpack("<I8", s) == n and string.unpack("<i16", string.pack("<i16", n)) == n)
      return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
    end`) as LuaFunction;
    fc.assert(fc.property(int54, (n) => {
      const u = BigInt.asUintN(64, n);
      let hex = '';
      for (let i = 0n; i < 8n; i++) hex += ((u >> (8n * i)) & 255n).toString(16).padStart(2, '0');
      assert.equal(lua.call(f, Number(n)), hex, `n=${n}`);
    }), { numRuns: 1000 });
    assert.equal(ours('return select(2, pcall(string.unpack, "<j", "\\0\\0\\0\\0\\0\\0\\32\\0"))'), '8-byte integer does not fit into Lua Integer');
    assert.equal(ours('return select(2, pcall(string.unpack, "<I7", "\\255\\255\\255\\255\\255\\255\\255"))'), '7-byte integer does not fit into Lua Integer');
    assert.equal(ours('return string.unpack("<j", "\\255\\255\\255\\255\\255\\255\\31\\0")'), String(MAX));
    assert.equal(ours('return string.packsize("jJlLTn")'), '48');
  });

  it('has no integer for floats outside [-2^53, 2^53-1]: math.tointeger, bitwise operands, table keys', function () {
    assert.equal(ours('return math.tointeger(2^53)'), 'nil');
    assert.equal(ours('return math.tointeger(2^53 - 1)'), String(MAX));
    assert.equal(ours('return math.tointeger(-2^53)'), String(MIN));
    assert.equal(ours('return math.tointeger(-2^53 - 2)'), 'nil');
    assert.match(ours('return select(2, pcall(function(x) return x | 0 end, 2^53))'), /has no integer representation/);
    assert.equal(ours('return (2^53 - 1) | 0'), String(MAX));
    assert.equal(ours('return ("9007199254740991" | 0) .. " " .. math.type(2^40 // 1)'), `${MAX} float`);
    assert.equal(ours(`local t = {} t[2^40] = "a" t[2.0^40 + 1] = "b" t[1099511627777] = "c"
      local n, s = 0, "" for k, v in pairs(t) do n = n + 1 s = s .. math.type(k) .. ":" .. k .. "=" .. v .. " " end
      t[2^53] = "f" return n .. " " .. math.type(next({[2^53] = 1})) .. " " .. tostring(t[2^53]) .. " " .. tostring(t[2^40 | 0])`),
    '2 float f a');
    assert.equal(ours('local t = {[2^40] = 1} local k = next(t) return math.type(k) .. " " .. k'), 'integer 1099511627776');
    assert.equal(ours('local t = {} t[-0.0] = 1 local k = next(t) return math.type(k) .. " " .. 1/k'), 'integer inf');
  });

  it('compares integers and floats near 2^53 exactly', function () {
    const chunk = `local M = 9007199254740991 local F = 2.0^53
      return tostring(M < F) .. tostring(M + 0.0 == M) .. tostring(M - 1 < M + 0.0) .. tostring(F > M)
        .. tostring(-F <= -M - 1) .. tostring(-F == -M - 1) .. tostring(M // 1 == M) .. math.type(M // 1) .. math.type(M / 1)`;
    assert.equal(ours(chunk), 'truetruetruetruetruetruetrueintegerfloat');
    if (lua53Available()) assert.equal(ours(chunk), puc(chunk));
  });

  it('ends a for loop at math.maxinteger or math.mininteger instead of wrapping around (as Lua 5.4)', function () {
    assert.equal(ours('local s = "" for i = math.maxinteger - 2, math.maxinteger do s = s .. " " .. i end return s'),
      ` ${MAX - 2n} ${MAX - 1n} ${MAX}`);
    assert.equal(ours('local n = 0 for i = math.mininteger + 4, math.mininteger, -2 do n = n + 1 end return n'), '3');
    assert.equal(ours('local n = 0 for i = math.maxinteger - 10, math.maxinteger, 4 do n = n + 1 end return n'), '3');
    assert.equal(ours('local n = 0 for i = 1, 0 do n = n + 1 end for i = 0, 1, -1 do n = n + 1 end return n'), '0');
    assert.equal(ours('local n = 0 for i = math.mininteger, math.mininteger + 2 do n = n + 1 end return n'), '3');
    assert.equal(ours('local n = 0 for i = math.maxinteger, math.maxinteger, math.mininteger do n = n + 1 end return n'), '1');
    assert.equal(ours('local n = 0 for i = 1, 2^60 do n = n + 1 if n == 5 then break end end return n'), '5');
    assert.equal(ours('local n = 0 for i = 1, 3.5 do n = n + i end return n .. math.type(n)'), '6integer');
  });

  it('keeps integer constants beyond 32 bits through string.dump and load', function () {
    assert.equal(ours('local f = load(string.dump(function() return 1099511627776, -9007199254740991 - 1, 2^60, 0x7fffffff * 3 end)) '
      + 'local a, b, c, d = f() return a .. " " .. b .. " " .. math.type(c) .. " " .. d'), `1099511627776 ${MIN} float 6442450941`);
  });

  it('gives os.time() * 1000 exactly, and math.random integers anywhere up to 2^53', function () {
    assert.equal(ours('local t = os.time() return math.type(t * 1000) .. tostring(t * 1000 // 1000 == t and t * 1000 > 2^40)'), 'integertrue');
    assert.equal(ours(`for i = 1, 200 do
        local r = math.random(math.mininteger, -1) assert(math.type(r) == "integer" and r < 0)
        r = math.random(0, math.maxinteger) assert(r >= 0)
        r = math.random(2^52 | 0, (2^52 | 0) + 1) assert(r == 2^52 or r == 2^52 + 1)
        r = math.random(7) assert(r >= 1 and r <= 7)
      end return "ok"`), 'ok');
    assert.match(ours('return select(2, pcall(math.random, math.mininteger, math.maxinteger))'), /interval too large/);
    assert.equal(ours('return math.fmod(-6, 3) .. " " .. 1 / math.fmod(-6, 3) .. " " .. math.fmod(math.mininteger, -1) .. " " .. math.fmod(-7, 2^40 | 0)'), '0 inf 0 -7');
  });

  it('matches lua5.3 on integer operations within the range (oracle)', function () {
    if (!lua53Available()) this.skip();
    const chunk = `local r = {}
      local vals = { 0, 1, -1, 7, -7, 2^31 | 0, -(2^31 | 0), 2^32 | 0, 123456789012, -98765432109, 2^52 | 0, 3037000499 }
      for _, a in ipairs(vals) do for _, b in ipairs(vals) do
        if math.abs(a + 0.0 + b) < 2^53 then r[#r+1] = a + b end
        if math.abs(a + 0.0 - b) < 2^53 then r[#r+1] = a - b end
        if math.abs(a) < 2^26 and math.abs(b) < 2^26 then r[#r+1] = a * b end
        if b ~= 0 then r[#r+1] = a // b r[#r+1] = a % b r[#r+1] = math.fmod(a, b) end
        r[#r+1] = a & b r[#r+1] = a | b r[#r+1] = string.format("%x %X %o %d", a ~ b, a, b, a)
        r[#r+1] = tostring(a < b) .. tostring(a == b + 0.0) .. tostring(math.ult(a, b))
        if a >= 0 and a < 2^50 then r[#r+1] = (a << 3) .. " " .. (a >> 3) end
      end end
      for _, s in ipairs{ "0x7fffffff", "4294967296", "1e3", " 0x10 ", "-0", "281474976710656" } do r[#r+1] = tostring(math.tointeger(s)) .. math.type(tonumber(s)) end
      for b = 2, 36 do r[#r+1] = tonumber("1010zz", b) or "nil" end
      return table.concat(r, ",")`;
    const a = ours(chunk).split(','), b = puc(chunk).split(',');
    const diff = a.findIndex((v, i) => v !== b[i]);
    assert.equal(diff, -1, `item ${diff}: ours ${a[diff]}, lua5.3 ${b[diff]} after ${b.slice(Math.max(0, diff - 8), diff).join(',')}`);
    assert.equal(a.length, b.length);
  });
});
