/**
 * The moonbridge_http module (require "moonbridge_http"): generate_handler
 * and the encoding helpers. Parsing and framing are TypeScript; the handler
 * and the request object are Lua.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { key, latin1, pushLatin1, toBytes } from '../lua/strings';
import { checkHandle } from '../io/lua-handle';
import { Connection, serveConnection } from './connection';
import { runNative } from './driver';
import { pushPollingConnect } from './poll-driver';
import { readHttpOptions } from './options';
import { nativeRequestMetatable } from './lua-request';
import { decodeUri, encodeHtml, encodeUri } from './uri';

/**
 * generate_handler(handler[, options]) or generate_handler(options, handler):
 * returns connect(socket), which serves HTTP requests on the socket.
 */
const generateHandler = cfunction((L) => {
  let handlerIdx = 1;
  let optionsIdx = 2;
  if (lua.lua_type(L, 1) === lua.LUA_TTABLE && lua.lua_type(L, 2) === lua.LUA_TFUNCTION) {
    handlerIdx = 2;
    optionsIdx = 1;
  }
  lauxlib.luaL_checktype(L, handlerIdx, lua.LUA_TFUNCTION);
  const hasOptions = lua.lua_type(L, optionsIdx) === lua.LUA_TTABLE;
  if (!hasOptions && !lua.lua_isnoneornil(L, optionsIdx)) lauxlib.luaL_argerror(L, optionsIdx, key('table of options expected'));
  const options = readHttpOptions(L, hasOptions ? optionsIdx : 0);
  if (hasOptions) {
    const t = lua.lua_getfield(L, optionsIdx, key('poll_function'));
    // nil or false: moonbridge_io.poll, waited for natively (Moonbridge: options.poll_function or moonbridge_io.poll)
    if (lua.lua_toboolean(L, -1)) {
      if (t !== lua.LUA_TFUNCTION) {
        if (lauxlib.luaL_getmetafield(L, -1, key('__call')) === lua.LUA_TNIL) {
          lauxlib.luaL_argerror(L, optionsIdx, key('option "poll_function" must be a function'));
        }
        lua.lua_pop(L, 1);
      }
      // Every wait goes through the app's poll function, from Lua (so it may yield).
      pushPollingConnect(L, handlerIdx, lua.lua_gettop(L), options);
      return 1;
    }
    lua.lua_pop(L, 1);
  }
  const metatableRef = nativeRequestMetatable(L);
  lua.lua_pushvalue(L, handlerIdx);
  lua.lua_pushcclosure(L, cfunction((L2) => {
    const h = checkHandle(L2, 1);
    lua.lua_settop(L2, 1);
    lua.lua_pushvalue(L2, lua.lua_upvalueindex(1));
    const conn = new Connection(L2, h, 1, 2, options, metatableRef);
    lua.lua_pushboolean(L2, runNative(L2, serveConnection(conn)));
    return 1;
  }), 1);
  return 1;
});

function stringHelper(fn: (s: string) => string) {
  return cfunction((L) => {
    pushLatin1(L, fn(latin1(lauxlib.luaL_checklstring(L, 1) as Uint8Array)));
    return 1;
  });
}

const statusWithoutResponseBody = cfunction((L) => {
  const status = toBytes(L, 1);
  const code = status === null ? NaN : parseInt(latin1(status).slice(0, 3), 10);
  lua.lua_pushboolean(L, (code >= 100 && code <= 199) || code === 204 || code === 304);
  return 1;
});

export function openMoonbridgeHttp(L: LuaState): number {
  lua.lua_newtable(L);
  const functions: Record<string, (L: LuaState) => number> = {
    generate_handler: generateHandler,
    encode_html: stringHelper(encodeHtml),
    encode_uri: stringHelper(encodeUri),
    decode_uri: stringHelper(decodeUri),
    status_without_response_body: statusWithoutResponseBody,
  };
  for (const [name, fn] of Object.entries(functions)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, key(name));
  }
  return 1;
}
