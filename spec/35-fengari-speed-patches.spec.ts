/**
 * What the speed patches to Fengari (patches/fengari+0.1.5.patch) promise
 * beyond unchanged behaviour, which spec/lua-diff/vm-stack-metafields.lua
 * checks against lua5.3: the Lua stack stays a packed JavaScript array
 * (V8 turned it into a dictionary after a deep recursion when slots were
 * deleted), strings of one byte are shared, and metafield lookups leave the
 * stack as lua_rawget did. The V8 checks run in a child node with
 * --allow-natives-syntax.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { lua, lauxlib, type LuaState } from 'fengari';
import { createLuaState } from '../src/lua/state';

const STATE_MODULE = path.join(__dirname, '..', 'src', 'lua', 'state.js');

/** Runs `body` (JavaScript with L, lua, lauxlib, run(src) and natives) in a child node; returns what it prints as JSON. */
function inChildNode(body: string): unknown {
  const script = `
    const { createLuaState } = require(${JSON.stringify(STATE_MODULE)});
    const { lua, lauxlib } = require('fengari');
    const L = createLuaState();
    const run = (src) => { if (lauxlib.luaL_dostring(L, Buffer.from(src)) !== 0) throw new Error(lua.lua_tojsstring(L, -1)); };
    const mode = (a) => ({ dictionary: %HasDictionaryElements(a), holey: %HasHoleyElements(a) });
    ${body}`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], {
    cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', timeout: 20000,
  });
  assert.equal(r.status, 0, `child node failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function dostring(L: LuaState, src: string): void {
  assert.equal(lauxlib.luaL_dostring(L, Buffer.from(src)), lua.LUA_OK, String(lua.lua_tojsstring(L, -1)));
}

describe('Fengari speed patches', function () {
  this.timeout(30000);

  it('keeps the Lua stack a packed array through recursion, varargs and stack overflow', function () {
    const modes = inChildNode(`
      const out = { fresh: mode(L.stack) };
      run('local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end f(300)');
      out.recursion = mode(L.stack);
      run('local t = {} for i = 1, 5000 do t[i] = i end assert(select("#", table.unpack(t)) == 5000)');
      out.varargs = mode(L.stack);
      run('local function g() return g() + 1 end assert(not pcall(g))');
      out.overflow = mode(L.stack);
      run('co = coroutine.create(function() local function f(n) if n == 0 then return coroutine.yield(1) end return f(n - 1) end return f(200) end) coroutine.resume(co)');
      lua.lua_getglobal(L, Buffer.from('co'));
      out.thread = mode(lua.lua_tothread(L, -1).stack);
      console.log(JSON.stringify(out));`) as Record<string, { dictionary: boolean; holey: boolean }>;
    for (const [when, m] of Object.entries(modes)) {
      assert.deepEqual(m, { dictionary: false, holey: false }, `L.stack after ${when}`);
    }
  });

  it('shares the strings of one byte, which still work as table keys', function () {
    const L = createLuaState();
    dostring(L, 'return ("xay"):sub(2, 2), string.char(97), ("bab"):match("a"), ("xy"):sub(2, 1), string.char()');
    const a1 = lua.lua_tolstring(L, 1), a2 = lua.lua_tolstring(L, 2), a3 = lua.lua_tolstring(L, 3);
    assert.equal(a1, a2, 'sub and string.char give the same string object');
    assert.equal(a1, a3);
    assert.deepEqual([...a1], [97]);
    assert.equal(lua.lua_tolstring(L, 4).length, 0);
    assert.equal(lua.lua_tolstring(L, 5).length, 0);
    // as table keys from either source
    dostring(L, 't = {} for i = 0, 255 do t[string.char(i)] = i end local s = 0 for c in ("\\0\\1abc\\255"):gmatch(".") do s = s + t[c] end assert(s == 0 + 1 + 97 + 98 + 99 + 255)');
  });

  it('looks metafields up without leaving anything on the stack', function () {
    const L = createLuaState();
    dostring(L, 'return setmetatable({}, { __tostring = function() return "T!" end, __name = 7 }), {}, "s"');
    const top = lua.lua_gettop(L);
    assert.equal(lauxlib.luaL_getmetafield(L, 1, Buffer.from('__tostring')), lua.LUA_TFUNCTION);
    assert.equal(lua.lua_gettop(L), top + 1);
    lua.lua_pop(L, 1);
    assert.equal(lauxlib.luaL_getmetafield(L, 1, Buffer.from('__name')), lua.LUA_TNUMBER);
    assert.equal(lua.lua_tonumber(L, -1), 7);
    lua.lua_pop(L, 1);
    assert.equal(lauxlib.luaL_getmetafield(L, 1, Buffer.from('__index')), lua.LUA_TNIL, 'absent field');
    assert.equal(lauxlib.luaL_getmetafield(L, 2, Buffer.from('__index')), lua.LUA_TNIL, 'no metatable');
    assert.equal(lauxlib.luaL_getmetafield(L, 3, Buffer.from('__index')), lua.LUA_TTABLE, 'the string metatable');
    lua.lua_pop(L, 1);
    assert.equal(lua.lua_gettop(L), top);
    assert.equal(lua.lua_tojsstring(L, -1), 's');
    assert.equal(new TextDecoder().decode(lauxlib.luaL_tolstring(L, 1)), 'T!');
  });
});
