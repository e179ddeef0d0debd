/**
 * The package library as PUC Lua 5.3 (loadlib.c) has it, over Fengari's:
 * Fengari keeps require and the preload and Lua searchers (which are PUC's);
 * the host replaces what is JavaScript-specific, and package.searchpath
 * (Fengari's loops on an empty separator, which PUC takes as "no separator").
 *
 * - package.path is PUC's default (LUA_PATH_DEFAULT of luaconf.h) followed
 *   by the app's directory and moonbridge-lua's own lua/ folder; package.cpath
 *   is PUC's LUA_CPATH_DEFAULT. LUA_PATH_5_3/LUA_PATH and LUA_CPATH_5_3/
 *   LUA_CPATH override them as in PUC, ";;" standing for the default.
 * - Fengari's package.jspath and its .js searchers go: the C and Croot
 *   searchers search package.cpath as PUC's do, and contribute the same
 *   "no file" lines to require's message; a C module they do find cannot be
 *   loaded, and the error says so and what to use instead.
 * - package.loadlib never loads: it returns PUC's (nil, message, "open"),
 *   the message being what dlopen would say where it would fail.
 */
import * as fs from 'fs';
import * as path from 'path';
import { lua, lauxlib, type LuaState } from 'fengari';
import { native } from '../../native/binding';
import { key, pushBytes, pushText, text, toBytes } from '../strings';

const LUA_ROOT = '/usr/local/';
const LUA_LDIR = `${LUA_ROOT}share/lua/5.3/`;
const LUA_CDIR = `${LUA_ROOT}lib/lua/5.3/`;
/** LUA_PATH_DEFAULT of PUC's luaconf.h (non-Windows). */
export const PUC_PATH_DEFAULT =
  `${LUA_LDIR}?.lua;${LUA_LDIR}?/init.lua;${LUA_CDIR}?.lua;${LUA_CDIR}?/init.lua;./?.lua;./?/init.lua`;
/** LUA_CPATH_DEFAULT of PUC's luaconf.h (non-Windows). */
export const PUC_CPATH_DEFAULT = `${LUA_CDIR}?.so;${LUA_CDIR}loadall.so;./?.so`;

const PATH_SEP = 0x3b; // ';'
const PATH_MARK = Buffer.from('?');
const DIRSEP = Buffer.from('/');
const DOT = Buffer.from('.');
/** The placeholder setpath puts where ";;" stood, before substituting the default. */
const AUXMARK = Buffer.from('\x01');

const C_MODULES_HELP = 'C modules cannot be loaded in moonbridge-lua: replace it with a JavaScript ' +
  'or TypeScript module made with defineLuaModule, as a .js file of the same name (see README "Replacing C modules")';

/** The directory holding moonbridge-lua's own Lua modules: lua/ in the installed package. */
let packageLuaDir: string | null = null;
function moonbridgeLuaDir(): string {
  if (packageLuaDir === null) {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    packageLuaDir = path.join(dir, 'lua');
  }
  return packageLuaDir;
}

/** The app directory per Lua universe (global_State), for package.path's default. */
const appDirectories = new WeakMap<object, string>();
const universe = (L: LuaState): object => (L as unknown as { l_G: object }).l_G;

/** The default package.path: PUC's, the app's directory, then moonbridge-lua's lua/ folder. */
function defaultPath(L: LuaState): string {
  const dirs = [appDirectories.get(universe(L)), moonbridgeLuaDir()];
  let result = PUC_PATH_DEFAULT;
  for (const dir of dirs) if (dir !== undefined) result += `;${dir}/?.lua;${dir}/?/init.lua`;
  return result;
}

/** Replaces every occurrence of pattern in s by replacement (luaL_gsub, on bytes). */
function gsub(s: Buffer, pattern: Buffer, replacement: Buffer): Buffer {
  if (pattern.length === 0) return s;
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = s.indexOf(pattern, from); at >= 0; at = s.indexOf(pattern, from)) {
    parts.push(s.subarray(from, at), replacement);
    from = at + pattern.length;
  }
  if (from === 0) return s;
  parts.push(s.subarray(from));
  return Buffer.concat(parts);
}

/** registry.LUA_NOENV, set by a host that wants environment variables ignored (lua -E). */
function noenv(L: LuaState): boolean {
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, key('LUA_NOENV'));
  const b = lua.lua_toboolean(L, -1) as boolean;
  lua.lua_pop(L, 1);
  return b;
}

/** setpath of loadlib.c: the versioned variable, else the plain one, else the default; ";;" means the default. */
function pathValue(L: LuaState, envname: string, dft: string): Buffer {
  let value = process.env[`${envname}_5_3`];
  if (value === undefined) value = process.env[envname];
  if (value === undefined || noenv(L)) return Buffer.from(dft, 'utf8');
  const marked = gsub(Buffer.from(value, 'utf8'), Buffer.from(';;'), Buffer.from(';\x01;'));
  return gsub(marked, AUXMARK, Buffer.from(dft, 'utf8'));
}

/** Pushes the package table (registry._LOADED.package). */
function pushPackageTable(L: LuaState): void {
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lauxlib.LUA_LOADED_TABLE as Uint8Array);
  lua.lua_getfield(L, -1, key('package'));
  lua.lua_remove(L, -2);
}

function setPathField(L: LuaState, field: string, value: Buffer): void {
  pushPackageTable(L);
  pushBytes(L, value);
  lua.lua_setfield(L, -2, key(field));
  lua.lua_pop(L, 1);
}

/**
 * searchpath of loadlib.c: the first readable file among path's templates
 * with name (its seps turned into dirseps) for "?", or the message listing
 * every file tried ("\n\tno file '...'" each).
 */
function searchpath(name: Buffer, templates: Buffer, sep: Buffer, dirsep: Buffer): { file: Buffer } | { message: Buffer } {
  const tried: Buffer[] = [];
  if (sep.length > 0) name = gsub(name, sep, dirsep);
  let i = 0;
  for (;;) {
    while (i < templates.length && templates[i] === PATH_SEP) i++;
    if (i >= templates.length) break;
    let end = templates.indexOf(PATH_SEP, i);
    if (end < 0) end = templates.length;
    const filename = gsub(templates.subarray(i, end), PATH_MARK, name);
    i = end;
    if (readable(filename)) return { file: filename };
    tried.push(Buffer.from("\n\tno file '"), filename, Buffer.from("'"));
  }
  return { message: Buffer.concat(tried) };
}

/** readable of loadlib.c: whether fopen(filename, "r") succeeds. */
function readable(filename: Buffer): boolean {
  try {
    fs.closeSync(fs.openSync(filename, 'r'));
    return true;
  } catch {
    return false;
  }
}

/** package.searchpath(name, path [, sep [, rep]]): the file name, or nil and the "no file" lines. */
function searchpathFunction(L: LuaState): number {
  // Checked last to first, as the C compiler evaluates ll_searchpath's arguments (the first error wins).
  const rep = lua.lua_isnoneornil(L, 4) ? DIRSEP : checkBuffer(L, 4);
  const sep = lua.lua_isnoneornil(L, 3) ? DOT : checkBuffer(L, 3);
  const templates = checkBuffer(L, 2);
  const name = checkBuffer(L, 1);
  const result = searchpath(name, templates, sep, rep);
  if ('file' in result) {
    pushBytes(L, result.file);
    return 1;
  }
  lua.lua_pushnil(L);
  pushBytes(L, result.message);
  return 2;
}

/** A Lua string argument as a Buffer (luaL_checkstring). */
function checkBuffer(L: LuaState, arg: number): Buffer {
  const bytes = lauxlib.luaL_checkstring(L, arg) as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * findfile of loadlib.c for package.cpath: the C module file for name, or
 * null with the "no file" lines pushed as the searcher's result.
 */
function findCFile(L: LuaState, name: Buffer): Buffer | null {
  lua.lua_getfield(L, lua.lua_upvalueindex(1), key('cpath'));
  const templates = toBytes(L, -1);
  if (templates === null) lauxlib.luaL_error(L, key("'package.%s' must be a string"), key('cpath'));
  const result = searchpath(name, Buffer.from(templates!), DOT, DIRSEP);
  if ('file' in result) return result.file;
  pushBytes(L, result.message);
  return null;
}

/** checkload of loadlib.c for a C module file that was found: it cannot be loaded here. */
function cannotLoad(L: LuaState, name: Buffer, filename: Buffer): number {
  return lauxlib.luaL_error(L, key("error loading module '%s' from file '%s':\n\t%s"),
    name, filename, key(C_MODULES_HELP)) as number;
}

/** searcher_C of loadlib.c: a C library for the module in package.cpath. */
function searcherC(L: LuaState): number {
  const name = checkBuffer(L, 1);
  const filename = findCFile(L, name);
  if (filename === null) return 1;
  return cannotLoad(L, name, filename);
}

/** searcher_Croot of loadlib.c: for "a.b.c", a C library for "a" (all-in-one libraries). */
function searcherCroot(L: LuaState): number {
  const name = checkBuffer(L, 1);
  const dot = name.indexOf(DOT);
  if (dot < 0) return 0;
  pushBytes(L, name.subarray(0, dot));
  const filename = findCFile(L, name.subarray(0, dot));
  if (filename === null) return 1;
  return cannotLoad(L, name, filename);
}

/** sizeof(Elf64_Ehdr): dlopen rejects a shorter file as "file too short". */
const ELF_HEADER_SIZE = 64;
const ELF_MAGIC = Buffer.from('\x7fELF', 'latin1');

/**
 * What dlopen's dlerror says about path where it would fail (a missing file,
 * a directory, a file that is not ELF); for a real shared object, that C
 * modules cannot be loaded here.
 */
function dlopenMessage(file: Buffer): string {
  const p = text(file);
  const errnoText = (err: unknown): string =>
    native().strerror(Math.abs((err as { errno?: number }).errno ?? 5));
  // Without a slash dlopen searches the system's library directories, not the working directory.
  if (file.indexOf(DIRSEP) < 0) return `${p}: cannot open shared object file: No such file or directory`;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    return `${p}: cannot open shared object file: ${errnoText(err)}`;
  }
  try {
    const header = Buffer.alloc(ELF_HEADER_SIZE);
    let n: number;
    try {
      n = fs.readSync(fd, header, 0, ELF_HEADER_SIZE, 0);
    } catch (err) {
      return `${p}: cannot read file data: ${errnoText(err)}`;
    }
    if (n < ELF_HEADER_SIZE) return `${p}: file too short`;
    if (!header.subarray(0, 4).equals(ELF_MAGIC)) return `${p}: invalid ELF header`;
    return `${p}: ${C_MODULES_HELP}`;
  } finally {
    fs.closeSync(fd);
  }
}

/** package.loadlib(path, funcname): (nil, message, "open"), as when dlopen fails. */
function loadlib(L: LuaState): number {
  const file = checkBuffer(L, 1);
  lauxlib.luaL_checkstring(L, 2);
  lua.lua_pushnil(L);
  pushText(L, dlopenMessage(file));
  lua.lua_pushstring(L, key('open'));
  return 3;
}

/** Replaces the JavaScript-specific parts of Fengari's package library (see the header). */
export function openPackage(L: LuaState): void {
  pushPackageTable(L);
  const pkg = lua.lua_gettop(L);
  lua.lua_pushnil(L);
  lua.lua_setfield(L, pkg, key('jspath'));
  lua.lua_pushcfunction(L, loadlib);
  lua.lua_setfield(L, pkg, key('loadlib'));
  lua.lua_pushcfunction(L, searchpathFunction);
  lua.lua_setfield(L, pkg, key('searchpath'));
  lua.lua_getfield(L, pkg, key('searchers'));
  lua.lua_pushvalue(L, pkg);
  lua.lua_pushcclosure(L, searcherC, 1);
  lua.lua_rawseti(L, -2, 3);
  lua.lua_pushvalue(L, pkg);
  lua.lua_pushcclosure(L, searcherCroot, 1);
  lua.lua_rawseti(L, -2, 4);
  lua.lua_pop(L, 1);
  lua.lua_pop(L, 1);
  setPathField(L, 'path', pathValue(L, 'LUA_PATH', defaultPath(L)));
  setPathField(L, 'cpath', pathValue(L, 'LUA_CPATH', PUC_CPATH_DEFAULT));
}

/**
 * Makes dir (the app's directory) part of package.path's default, after
 * PUC's directories and before moonbridge-lua's lua/ folder. Call it before
 * the app runs: it recomputes package.path.
 */
export function setAppDirectory(L: LuaState, dir: string): void {
  appDirectories.set(universe(L), path.resolve(dir));
  setPathField(L, 'path', pathValue(L, 'LUA_PATH', defaultPath(L)));
}
