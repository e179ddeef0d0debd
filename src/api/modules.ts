/**
 * Lua modules written in JavaScript/TypeScript: defineLuaModule({...})
 * describes one; Lua loads it with require "name", finding it
 *   - in package.preload, after registerLuaModule(name, module), or
 *   - as name.js / name.cjs along package.path (the templates ending in
 *     ".lua", e.g. next to the app; looked up through package.preload's
 *     __index), a CommonJS file whose module.exports
 *     (or exports.default) is the defineLuaModule result.
 * This is also how an app replaces a C module it needs (require "extos"):
 * C modules cannot be loaded into Fengari. A Lua file of the same name on
 * package.path wins over a JS file. `require "js"` gives
 * fengari-interop's js library (raw JavaScript access from Lua).
 */
import * as fs from 'fs';
import * as path from 'path';
import { lua, lauxlib, type LuaState } from 'fengari';
import { pushJsFunction } from './call';
import { pushValues, type ConvertOptions } from './convert';
import { MoonbridgeApiError } from './errors';
import { runtime } from './runtime';

const MODULE = Symbol.for('moonbridge-lua.module');

/** A Lua module defined in JavaScript (the result of defineLuaModule). */
export interface LuaModule {
  readonly [MODULE]: true;
  readonly members: Readonly<Record<string, unknown>>;
  readonly options: Readonly<ConvertOptions>;
}

/**
 * Defines a Lua module: each function member becomes a Lua function (its
 * arguments and results converted, see the README), other members are
 * converted values. options.strings says how Lua strings reach the functions.
 */
export function defineLuaModule(members: Record<string, unknown>, options: ConvertOptions = {}): LuaModule {
  if (typeof members !== 'object' || members === null) throw new MoonbridgeApiError('defineLuaModule: an object of members expected');
  if (options.strings !== undefined && !['auto', 'string', 'buffer'].includes(options.strings)) {
    throw new MoonbridgeApiError(`defineLuaModule: option "strings" must be 'auto', 'string' or 'buffer', not ${String(options.strings)}`);
  }
  return Object.freeze({ [MODULE]: true as const, members: { ...members }, options: { ...options } });
}

export function isLuaModule(v: unknown): v is LuaModule {
  return typeof v === 'object' && v !== null && (v as { [MODULE]?: unknown })[MODULE] === true;
}

/** Pushes the module table of mod, named name (for messages). */
function pushModule(L: LuaState, name: string, mod: LuaModule): void {
  lua.lua_createtable(L, 0, Object.keys(mod.members).length);
  for (const [k, v] of Object.entries(mod.members)) {
    if (typeof v === 'function' && !('pushLuaValue' in v)) pushJsFunction(L, v as (...a: never[]) => unknown, `${name}.${k}`, mod.options);
    else pushValues(L, [v], `${name}.${k}`);
    lua.lua_setfield(L, -2, Buffer.from(k, 'utf8'));
  }
}

/** Makes require(name) in the app's Lua state load mod. */
export function registerLuaModule(name: string, mod: LuaModule): void {
  if (!isLuaModule(mod)) throw new MoonbridgeApiError(`registerLuaModule("${name}"): a defineLuaModule(...) result expected`);
  const { L } = runtime('registerLuaModule');
  preload(L, name, (L1) => {
    pushModule(L1, name, mod);
    return 1;
  });
}

function preload(L: LuaState, name: string, loader: (L: LuaState) => number): void {
  lua.lua_getglobal(L, Buffer.from('package'));
  lua.lua_getfield(L, -1, Buffer.from('preload'));
  lua.lua_pushcfunction(L, loader);
  lua.lua_setfield(L, -2, Buffer.from(name, 'utf8'));
  lua.lua_pop(L, 2);
}

/** The JS module files tried for name: package.path's ".lua" templates as ".js" and ".cjs". */
function candidates(templates: string, name: string): string[] {
  const file = name.split('.').join(path.sep);
  const out: string[] = [];
  for (const t of templates.split(';')) {
    if (!t.endsWith('.lua')) continue;
    const base = t.slice(0, -4).split('?').join(file);
    out.push(`${base}.js`, `${base}.cjs`);
  }
  return out;
}

/** The module a JS file exports, or a message saying why it is not one. */
function loadJsFile(file: string): LuaModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require(file) as unknown;
  const mod = isLuaModule(exported) ? exported
    : isLuaModule((exported as { default?: unknown } | null)?.default) ? (exported as { default: LuaModule }).default
    : null;
  if (mod === null) {
    throw new MoonbridgeApiError(`${file} does not export a defineLuaModule(...) result ` +
      '(module.exports = defineLuaModule({...}), or export default defineLuaModule({...}))');
  }
  return mod;
}

/**
 * __index of package.preload: the loader of name.js / name.cjs found along
 * package.path, unless a Lua file for name is there too (Lua files win, as
 * if this were a searcher after the Lua one). Going through package.preload
 * keeps package.searchers and require's messages exactly PUC Lua's.
 */
function preloadIndex(L: LuaState): number {
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) return 0;
  const name = Buffer.from(lua.lua_tostring(L, 2) as Uint8Array).toString('utf8');
  lua.lua_getglobal(L, Buffer.from('package'));
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return 0;
  lua.lua_getfield(L, -1, Buffer.from('path'));
  const templates = lua.lua_type(L, -1) === lua.LUA_TSTRING ? Buffer.from(lua.lua_tostring(L, -1) as Uint8Array).toString('utf8') : '';
  lua.lua_settop(L, 2);
  const files = candidates(templates, name);
  const js = files.find((f) => fs.existsSync(f));
  if (js === undefined) return 0;
  const luaFile = templates.split(';').map((t) => t.split('?').join(name.split('.').join(path.sep)))
    .find((f) => f.endsWith('.lua') && fs.existsSync(f));
  if (luaFile !== undefined) return 0;
  let mod: LuaModule;
  try {
    mod = loadJsFile(path.resolve(js));
  } catch (err) {
    return lauxlib.luaL_error(L, Buffer.from("error loading module '%s' from file '%s':\n\t%s"),
      Buffer.from(name), Buffer.from(js), Buffer.from((err as Error).message)) as number;
  }
  lua.lua_pushcfunction(L, (L1: LuaState) => {
    pushModule(L1, name, mod);
    return 1;
  });
  return 1;
}

/** Loader of require "js": fengari-interop's library. */
function openJs(L: LuaState): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const interop = require('fengari-interop') as { luaopen_js: (L: LuaState) => number };
  return interop.luaopen_js(L);
}

/**
 * Installs JS module support in a Lua state: name.js files found through
 * package.preload, and require "js".
 */
export function installJsModules(L: LuaState): void {
  lua.lua_getglobal(L, Buffer.from('package'));
  lua.lua_getfield(L, -1, Buffer.from('preload'));
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushcfunction(L, preloadIndex);
  lua.lua_setfield(L, -2, Buffer.from('__index'));
  lua.lua_setmetatable(L, -2);
  lua.lua_pop(L, 2);
  preload(L, 'js', openJs);
}

/**
 * A hint for a start-up or handler error caused by a module that is not
 * found: it may be a C module, which moonbridge-lua cannot load (logged
 * next to the error; require's own message stays PUC Lua's).
 */
export function missingModuleHint(message: string): string | null {
  const m = /module '([^']+)' not found:/.exec(message);
  if (m === null) return null;
  return `If "${m[1]}" is a C module: moonbridge-lua cannot load C modules; write a replacement in JavaScript or ` +
    `TypeScript with defineLuaModule and put it next to the app as ${m[1].split('.').join('/')}.js ` +
    '(see README "Replacing C modules")';
}
