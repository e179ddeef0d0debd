/**
 * Values between Lua and TypeScript, through the public API in a Lua state
 * made as the server makes it: round trips both ways, strings as bytes,
 * integers and floats, tables (shared and cyclic), functions both ways,
 * errors both ways with messages and tracebacks, reference lifetimes.
 */
import { strict as assert } from 'assert';
import { createServerState } from '../src/server/startup';
import { attachRuntime } from '../src/api/runtime';
import { timeout as luaTimeout } from '../src/server/timeout';
import { Logger } from '../src/server/log';
import {
  defineLuaModule, lua, LuaError, LuaFunction, LuaReference, MoonbridgeApiError, multi, registerLuaModule,
} from '../src/api/index';

function setUp(): void {
  const ctx = { pools: [], logger: new Logger({ fd: null, debug: false, stats: false }), started: false };
  const { L, listen } = createServerState(ctx);
  attachRuntime({ L, script: 'spec', listen, timeout: luaTimeout });
}

/** Lua's identity function: values go to Lua and come back. */
function roundTrip(...values: unknown[]): unknown[] {
  return lua.callMulti(lua.run('return function(...) return ... end') as LuaFunction, ...values);
}

/** What Lua sees: a description of the value made in Lua. */
const seenByLua = (v: unknown): unknown => lua.call(lua.run(`
  local function d(v, seen)
    local t = type(v)
    if t == "number" then return math.type(v) .. ":" .. string.format("%.17g", v) end
    if t == "string" then return "string:" .. #v .. ":" .. v:gsub("[^%w]", function(c) return string.format("\\\\%d", c:byte()) end) end
    if t ~= "table" then return t .. ":" .. tostring(v) end
    if seen[v] then return "<cycle>" end
    seen[v] = true
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local out = {}
    for _, k in ipairs(keys) do out[#out + 1] = d(k, seen) .. "=" .. d(v[k], seen) end
    seen[v] = nil
    return "{" .. table.concat(out, ",") .. "}"
  end
  return function(v) return d(v, {}) end`) as LuaFunction, v);

describe('TypeScript API: values between Lua and TypeScript', function () {
  before(setUp);

  it('round-trips scalars, keeping integers integers and floats floats', function () {
    const maxint = lua.global('math.maxinteger') as number;
    const values = [true, false, 0, 1, -1, 42, maxint, -maxint - 1, 1.5, -0.25, Infinity, -Infinity, 'text', ''];
    assert.deepEqual(roundTrip(...values), values);
    const [nan] = roundTrip(NaN);
    assert.ok(Number.isNaN(nan));
    assert.equal(seenByLua(3), 'integer:3');
    assert.equal(seenByLua(3.5), 'float:3.5');
    assert.equal(seenByLua(-0), 'float:-0');
    assert.equal(seenByLua(maxint + 1), `float:${maxint + 1}`, 'an integral number beyond the integer range is a float');
    assert.equal(seenByLua(BigInt(maxint)), `integer:${maxint}`);
    assert.throws(() => seenByLua(BigInt(maxint) + 1n), (e: Error) => e instanceof MoonbridgeApiError && /outside Lua's integer range/.test(e.message));
  });

  it('maps undefined and null to nil, and nil to undefined', function () {
    assert.equal(seenByLua(undefined), 'nil:nil');
    assert.equal(seenByLua(null), 'nil:nil');
    assert.deepEqual(roundTrip(1, undefined, 3), [1, undefined, 3]);
    assert.equal(lua.run('return nil'), undefined);
  });

  it('passes strings as UTF-8 bytes and Buffers byte for byte (NUL and bytes >= 0x80 included)', function () {
    assert.equal(seenByLua('é'), 'string:2:\\195\\169');
    const bytes = Buffer.from([0, 1, 0x7f, 0x80, 0xff, 0x0a, 0x41]);
    assert.equal(seenByLua(bytes), 'string:7:\\0\\1\\127\\128\\255\\10A');
    const [back] = roundTrip(bytes);
    assert.ok(Buffer.isBuffer(back), 'invalid UTF-8 comes back as a Buffer');
    assert.deepEqual(back, bytes);
    assert.deepEqual(roundTrip('a\0b', 'naïve ☃ 😀'), ['a\0b', 'naïve ☃ 😀']);
    assert.equal(lua.run('return #...', '=len', '😀'), 4);
  });

  it('converts Lua strings as asked: auto, always string, always Buffer', function () {
    const f = lua.run('return function() return "é", "\\255" end') as LuaFunction;
    assert.deepEqual(f.callMulti(), ['é', Buffer.from([0xff])]);
    assert.deepEqual(f.withStrings('buffer').callMulti(), [Buffer.from('é'), Buffer.from([0xff])]);
    assert.deepEqual(f.withStrings('string').callMulti(), ['é', '\ufffd']);
  });

  it('turns Lua tables into arrays, objects and Maps by their keys', function () {
    assert.deepEqual(lua.run('return {10, 20, 30}'), [10, 20, 30]);
    assert.deepEqual(lua.run('return {a = 1, b = {c = "d"}}'), { a: 1, b: { c: 'd' } });
    assert.deepEqual(lua.run('return {}'), {});
    const mixed = lua.run('return {1, 2, x = 3}') as Map<unknown, unknown>;
    assert.ok(mixed instanceof Map);
    assert.deepEqual([...mixed].sort((a, b) => String(a[0]).localeCompare(String(b[0]))), [[1, 1], [2, 2], ['x', 3]]);
    const sparse = lua.run('return {[1] = "a", [3] = "c"}') as Map<unknown, unknown>;
    assert.ok(sparse instanceof Map);
    assert.equal(sparse.get(3), 'c');
    const binaryKey = lua.run('return {["\\255"] = 1}') as Map<unknown, unknown>;
    assert.ok(binaryKey instanceof Map, 'a key that is not UTF-8 cannot be an object key');
    assert.deepEqual([...binaryKey.keys()], [Buffer.from([0xff])]);
  });

  it('turns JS arrays, objects, Maps and Sets into Lua tables', function () {
    assert.equal(seenByLua([1, 'two', [3]]), '{integer:1=integer:1,integer:2=string:3:two,integer:3={integer:1=integer:3}}');
    assert.equal(seenByLua({ b: 2, a: { c: true } }), '{string:1:a={string:1:c=boolean:true},string:1:b=integer:2}');
    assert.equal(seenByLua(new Map<unknown, unknown>([[1, 'x'], [true, 2.5]])), '{integer:1=string:1:x,boolean:true=float:2.5}');
    assert.equal(seenByLua(new Set(['p', 'q'])), '{string:1:p=boolean:true,string:1:q=boolean:true}');
    assert.throws(() => seenByLua(new Date()), /a Date cannot be passed to Lua/);
    assert.throws(() => seenByLua(Symbol('s')), /a symbol cannot be passed to Lua/);
    assert.throws(() => seenByLua(Promise.resolve(1)), /a Promise cannot be passed to Lua/);
  });

  it('keeps shared and cyclic tables shared and cyclic, both ways', function () {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    const same = lua.call(lua.run('return function(t) return t.self == t and t.shared == t.again end') as LuaFunction, cyclic);
    assert.equal(same, true);
    const back = lua.run('local t = {x = {}}; t.me = t; t.y = t.x; return t') as Record<string, unknown>;
    assert.equal(back.me, back);
    assert.equal(back.x, back.y);
  });

  it('lets Lua call JS functions (several results with multi) and TS call Lua functions', function () {
    const calls: unknown[][] = [];
    const add = (a: number, b: number): number => { calls.push([a, b]); return a + b; };
    assert.equal(lua.call(lua.run('return function(f) return f(2, 3) * 10 end') as LuaFunction, add), 50);
    assert.deepEqual(calls, [[2, 3]]);
    const two = (): unknown => multi('a', undefined, 3);
    assert.equal(lua.call(lua.run('return function(f) return select("#", f()) .. ":" .. tostring(select(3, f())) end') as LuaFunction, two), '3:3');
    const nothing = (): void => undefined;
    assert.equal(lua.call(lua.run('return function(f) return select("#", f()) end') as LuaFunction, nothing), 0);
    const gsub = lua.global('string.gsub') as LuaFunction;
    assert.deepEqual(gsub.callMulti('hello', 'l', 'L'), ['heLLo', 2]);
    assert.equal(lua.call('string.format', '%5.1f|%d|%s', 3.14159, 42, 'x'), '  3.1|42|x');
  });

  it('turns Lua errors into LuaError with message, value and Lua traceback', function () {
    const f = lua.run('return function() local function inner() error("boom") end inner() end', '@app.lua') as LuaFunction;
    assert.throws(() => f(), (e: unknown) => {
      assert.ok(e instanceof LuaError);
      assert.equal(e.message, 'app.lua:1: boom');
      assert.equal(e.value, 'app.lua:1: boom');
      assert.match(e.luaTraceback, /^app\.lua:1: boom\nstack traceback:\n/);
      assert.match(e.luaTraceback, /in (local|upvalue|function) '?inner'?/);
      return true;
    });
    assert.throws(() => lua.run('error({code = 7})'), (e: unknown) => e instanceof LuaError && (e.value as { code: number }).code === 7);
    assert.throws(() => lua.call('no.such.fn'), /lua: no\.such\.fn: such is not inside a table/);
  });

  it('turns JS exceptions into Lua errors at the calling line, with the JS stack', function () {
    function failing(): never {
      throw new TypeError('bad thing');
    }
    const r = lua.call(lua.run(`return function(f)
      local ok, err = pcall(f)
      return err
    end`, '@caller.lua') as LuaFunction, failing) as string;
    assert.match(r, /^TypeError: bad thing\nJS stack traceback:\n\tat failing /);
    const where = lua.call(lua.run('return function(f)\n  local ok, err = pcall(function() f() end)\n  return err\nend', '@caller.lua') as LuaFunction, failing) as string;
    assert.match(where, /^caller\.lua:2: TypeError: bad thing/, 'the position of the Lua line that called the JS function');
  });

  it('lets a Lua error cross TS code and reach Lua with its original value', function () {
    const relay = (f: LuaFunction): unknown => f();
    const r = lua.call(lua.run(`return function(relay)
      local ok, err = pcall(relay, function() error({tag = "x"}) end)
      return type(err) == "table" and err.tag
    end`) as LuaFunction, relay);
    assert.equal(r, 'x');
  });

  it('refuses a Promise from a JS function called by Lua, saying why', function () {
    const asyncFn = async (): Promise<number> => 1;
    const err = lua.call(lua.run('return function(f) local ok, e = pcall(f) return e end') as LuaFunction, asyncFn) as string;
    assert.match(err, /returned a Promise: .*synchronous \(workers have no event loop/);
  });

  it('releases references when the call they came with returns, unless retained', function () {
    let kept: LuaFunction | null = null;
    let retained: LuaFunction | null = null;
    const take = (f: LuaFunction, g: LuaFunction): void => { kept = f; retained = g.retain(); };
    lua.call(lua.run('return function(take) take(function() return 1 end, function() return 2 end) end') as LuaFunction, take);
    assert.throws(() => kept!(), (e: unknown) => e instanceof MoonbridgeApiError && /used after the call .* returned; call \.retain\(\)/.test(e.message));
    assert.equal(retained!(), 2);
    retained!.release();
    assert.equal(retained!.alive, false);
  });

  it('gives other userdata and threads as LuaReference, passed back as the same value', function () {
    const co = lua.run('return coroutine.create(function() end)') as LuaReference;
    assert.ok(co instanceof LuaReference);
    assert.equal(co.luaType, 'thread');
    assert.equal(lua.call(lua.run('return function(c) return type(c) end') as LuaFunction, co), 'thread');
  });

  it('makes modules from JS objects for require, with string options', function () {
    registerLuaModule('jsmath', defineLuaModule({
      version: '1.0',
      hypot: (a: number, b: number) => Math.hypot(a, b),
      bytes: (s: Buffer) => [...s],
    }, { strings: 'buffer' }));
    assert.deepEqual(lua.run('local m = require "jsmath"; return {m.version, m.hypot(3, 4), m.bytes("\\1\\255")}'), ['1.0', 5, [1, 255]]);
    assert.throws(() => defineLuaModule({}, { strings: 'latin1' as never }), /option "strings" must be/);
  });

  it('gives fengari-interop\'s js library to require "js"', function () {
    assert.equal(lua.run('local js = require "js"; return js.global.Math.max(2, 9)'), 9);
    assert.equal(lua.run('return type(require("js").new)'), 'function');
  });

  it('says how to run the app when the API is used outside a server', function () {
    const slot = Symbol.for('moonbridge-lua.runtime');
    const saved = (globalThis as Record<symbol, unknown>)[slot];
    delete (globalThis as Record<symbol, unknown>)[slot];
    try {
      assert.throws(() => lua.run('return 1'), /lua\.run works only in an app run by moonbridge-lua: start it with `npx moonbridge-lua app\.js`/);
    } finally {
      (globalThis as Record<symbol, unknown>)[slot] = saved;
    }
  });
});
