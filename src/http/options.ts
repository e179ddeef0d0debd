/**
 * Options of moonbridge_http.generate_handler, with Moonbridge 1.0.1's
 * defaults. Both the documented (request_header_size_limit,
 * request_body_size_limit) and the implemented (header_size_limit,
 * body_size_limit) names are accepted; the documented one wins.
 */
import { lua, type LuaState } from 'fengari';
import { raise } from '../lua/errors';
import { key, latin1, toBytes } from '../lua/strings';

export interface HttpOptions {
  maximumInputChunkSize: number;
  minimumOutputChunkSize: number;
  headerSizeLimit: number;
  bodySizeLimit: number;
  /** Seconds; null = disabled (false). */
  idleTimeout: number | null;
  stallTimeout: number | null;
  requestHeaderTimeout: number | null;
  responseTimeout: number | null;
  drainTimeout: number | null;
  /** Complete "Key: value" lines sent after every status line. */
  staticHeaders: string[];
}

function optNumber(L: LuaState, idx: number, name: string): number | null {
  const t = lua.lua_getfield(L, idx, key(name));
  const v = lua.lua_tonumber(L, -1) as number;
  lua.lua_pop(L, 1);
  if (t === lua.LUA_TNIL) return null;
  if (t !== lua.LUA_TNUMBER || !(v >= 0)) raise(L, `Option "${name}" of generate_handler must be a non-negative number`);
  return v;
}

/** A timeout option: number of seconds, false = disabled, nil = default. */
function optTimeout(L: LuaState, idx: number, name: string, dflt: number): number | null {
  const t = lua.lua_getfield(L, idx, key(name));
  if (t === lua.LUA_TBOOLEAN && !lua.lua_toboolean(L, -1)) {
    lua.lua_pop(L, 1);
    return null;
  }
  lua.lua_pop(L, 1);
  return optNumber(L, idx, name) ?? dflt;
}

/**
 * Reads static_headers: a string (split into lines), or a list of "Key: value"
 * strings or {key, value} pairs. Leaves values on the stack: the caller
 * restores the stack top.
 */
function staticHeaders(L: LuaState, idx: number): string[] {
  const t = lua.lua_getfield(L, idx, key('static_headers'));
  const lines: string[] = [];
  if (t === lua.LUA_TNIL) return lines;
  if (t === lua.LUA_TSTRING) {
    for (const line of latin1(toBytes(L, -1) as Uint8Array).split(/[\r\n]+/)) if (line !== '') lines.push(line);
    return lines;
  }
  if (t !== lua.LUA_TTABLE) raise(L, 'Option "static_headers" of generate_handler must be a string or a table');
  const tbl = lua.lua_gettop(L);
  const count = lua.lua_rawlen(L, tbl) as number;
  for (let i = 1; i <= count; i++) {
    const et = lua.lua_rawgeti(L, tbl, i);
    if (et === lua.LUA_TSTRING) {
      lines.push(latin1(toBytes(L, -1) as Uint8Array));
    } else if (et === lua.LUA_TTABLE) {
      lua.lua_rawgeti(L, -1, 1);
      lua.lua_rawgeti(L, -2, 2);
      const k = toBytes(L, -2);
      const v = toBytes(L, -1);
      if (k === null || v === null) raise(L, `Entry #${i} of option "static_headers" must be a {key, value} pair of strings`);
      lines.push(`${latin1(k)}: ${latin1(v)}`);
      lua.lua_pop(L, 2);
    } else {
      raise(L, `Entry #${i} of option "static_headers" must be a string or a {key, value} pair`);
    }
    lua.lua_pop(L, 1);
  }
  // key-value form: static_headers = {["X-Key"] = "value"}
  lua.lua_pushnil(L);
  while (lua.lua_next(L, tbl) !== 0) {
    if (lua.lua_type(L, -2) === lua.LUA_TSTRING) {
      const v = toBytes(L, -1);
      if (v === null) raise(L, 'Values of option "static_headers" must be strings');
      lines.push(`${latin1(toBytes(L, -2) as Uint8Array)}: ${latin1(v)}`);
    }
    lua.lua_pop(L, 1);
  }
  return lines;
}

/** Parses the options table at idx (absolute index), or the defaults when idx is 0. */
export function readHttpOptions(L: LuaState, idx: number): HttpOptions {
  const defaults: HttpOptions = {
    maximumInputChunkSize: 16384,
    minimumOutputChunkSize: 1024,
    headerSizeLimit: 1024 * 1024,
    bodySizeLimit: 64 * 1024 * 1024,
    idleTimeout: 65,
    stallTimeout: 60,
    requestHeaderTimeout: 120,
    responseTimeout: 3600,
    drainTimeout: 2,
    staticHeaders: [],
  };
  if (idx === 0) return defaults;
  const chunk = optNumber(L, idx, 'chunk_size');
  const top = lua.lua_gettop(L);
  const headers = staticHeaders(L, idx);
  lua.lua_settop(L, top);
  return {
    maximumInputChunkSize: optNumber(L, idx, 'maximum_input_chunk_size') ?? chunk ?? defaults.maximumInputChunkSize,
    minimumOutputChunkSize: optNumber(L, idx, 'minimum_output_chunk_size') ?? chunk ?? defaults.minimumOutputChunkSize,
    headerSizeLimit: optNumber(L, idx, 'request_header_size_limit') ?? optNumber(L, idx, 'header_size_limit') ?? defaults.headerSizeLimit,
    bodySizeLimit: optNumber(L, idx, 'request_body_size_limit') ?? optNumber(L, idx, 'body_size_limit') ?? defaults.bodySizeLimit,
    idleTimeout: optTimeout(L, idx, 'idle_timeout', 65),
    stallTimeout: optTimeout(L, idx, 'stall_timeout', 60),
    requestHeaderTimeout: optTimeout(L, idx, 'request_header_timeout', 120),
    responseTimeout: optTimeout(L, idx, 'response_timeout', 3600),
    drainTimeout: optTimeout(L, idx, 'drain_timeout', 2),
    staticHeaders: headers,
  };
}
