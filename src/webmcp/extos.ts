/**
 * extos: a TypeScript replacement for WebMCP 2.1.0's C module of that name
 * (require "extos"). Same functions, arguments, results and messages as
 * extos.c: pfilter, listdir, stat, lstat, fstat, crypt, hires_time,
 * monotonic_hires_time. Written from the C module's behaviour, not its code.
 */
import * as fs from 'fs';
import * as os from 'os';
import { lua, lauxlib, type LuaState } from 'fengari';
import { cfunction } from '../lua/cfunction';
import { pushBytes, pushOwnedBytes } from '../lua/strings';
import { native } from '../native/binding';
import { crypt } from './extos/crypt';
import { pfilter } from './extos/pfilter';

const FILEHANDLE = lauxlib.LUA_FILEHANDLE as Uint8Array;
const b = (s: string): Uint8Array => Buffer.from(s, 'utf8');

/** luaL_checklstring as bytes (a number argument is converted, as in C). */
function checkBytes(L: LuaState, arg: number): Buffer {
  return Buffer.from(lauxlib.luaL_checklstring(L, arg) as Uint8Array);
}

/** The C library's message for a Node fs error (its code mapped to errno). */
function errnoOf(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  const n = code === undefined ? undefined : (os.constants.errno as Record<string, number>)[code];
  if (n !== undefined) return n;
  const e = (err as NodeJS.ErrnoException).errno;
  return typeof e === 'number' ? Math.abs(e) : 0;
}

function strerror(errno: number): string {
  return native().strerror(errno);
}

/** The bytes of a C string argument: up to the first NUL. */
function cPath(bytes: Buffer): Buffer {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** Pushes an integer (exact to 2^53 in this Fengari), or a float beyond. */
function pushInt(L: LuaState, v: bigint): void {
  if (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)) lua.lua_pushinteger(L, Number(v));
  else lua.lua_pushnumber(L, Number(v));
}

const S_IFMT = 0o170000n;

function pushStatTable(L: LuaState, st: fs.BigIntStats): void {
  lua.lua_createtable(L, 0, 19);
  const ints: Array<[string, bigint]> = [
    ['dev', st.dev], ['ino', st.ino], ['nlink', st.nlink],
    // st_atime etc. are whole seconds (time_t)
    ['atime', st.atimeNs / 1000000000n - (st.atimeNs < 0n && st.atimeNs % 1000000000n !== 0n ? 1n : 0n)],
    ['mtime', st.mtimeNs / 1000000000n - (st.mtimeNs < 0n && st.mtimeNs % 1000000000n !== 0n ? 1n : 0n)],
    ['ctime', st.ctimeNs / 1000000000n - (st.ctimeNs < 0n && st.ctimeNs % 1000000000n !== 0n ? 1n : 0n)],
    ['size', st.size], ['blksize', st.blksize], ['blocks', st.blocks],
    ['uid', st.uid], ['gid', st.gid], ['mode', st.mode],
  ];
  for (const [k, v] of ints) {
    pushInt(L, v);
    lua.lua_setfield(L, -2, b(k));
  }
  const fmt = st.mode & S_IFMT;
  const kinds: Array<[string, bigint]> = [
    ['isblk', 0o060000n], ['ischr', 0o020000n], ['isdir', 0o040000n], ['isfifo', 0o010000n],
    ['islnk', 0o120000n], ['isreg', 0o100000n], ['issock', 0o140000n],
  ];
  for (const [k, v] of kinds) {
    lua.lua_pushboolean(L, fmt === v);
    lua.lua_setfield(L, -2, b(k));
  }
}

function statImpl(L: LuaState, follow: boolean): number {
  const name = checkBytes(L, 1);
  let st: fs.BigIntStats;
  try {
    st = follow ? fs.statSync(cPath(name), { bigint: true }) : fs.lstatSync(cPath(name), { bigint: true });
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === os.constants.errno.ENOENT) lua.lua_pushboolean(L, false);
    else lua.lua_pushnil(L);
    pushOwnedBytes(L, Buffer.concat([Buffer.from('Could not get file stats for "'), cPath(name),
      Buffer.from(`": ${strerror(errno)}`, 'utf8')]));
    return 2;
  }
  pushStatTable(L, st);
  return 1;
}

interface LStream { f: { fd: number } | null; closef: unknown }

function extosFstat(L: LuaState): number {
  const p = lauxlib.luaL_checkudata(L, 1, FILEHANDLE) as LStream;
  if (p.closef === null || p.f === null) return lauxlib.luaL_error(L, b('attempt to use a closed file')) as number;
  let st: fs.BigIntStats;
  try {
    st = fs.fstatSync(p.f.fd, { bigint: true });
  } catch (err) {
    lua.lua_pushnil(L);
    pushOwnedBytes(L, Buffer.from(`Could not get file stats for open file: ${strerror(errnoOf(err))}`, 'utf8'));
    return 2;
  }
  pushStatTable(L, st);
  return 1;
}

function extosListdir(L: LuaState): number {
  const name = cPath(checkBytes(L, 1));
  let entries: Buffer[];
  try {
    // readdir order; Node leaves out "." and "..", which readdir(3) returns (put first here)
    entries = fs.readdirSync(name, { encoding: 'buffer' });
  } catch {
    lua.lua_pushnil(L);
    lua.lua_pushliteral(L, 'Could not list directory.');
    return 2;
  }
  lua.lua_settop(L, 0);
  lua.lua_createtable(L, entries.length + 2, 0);
  let i = 1;
  for (const e of [Buffer.from('.'), Buffer.from('..'), ...entries]) {
    pushBytes(L, e);
    lua.lua_rawseti(L, 1, i++);
  }
  return 1;
}

function extosCrypt(L: LuaState): number {
  const key = checkBytes(L, 1);
  const salt = checkBytes(L, 2);
  const result = crypt(key, salt);
  if (result === null) lua.lua_pushnil(L);
  else pushOwnedBytes(L, result);
  return 1;
}

/** CLOCK_REALTIME in seconds, to the microsecond where Node's clocks agree (else to the millisecond). */
function extosHiresTime(L: LuaState): number {
  const now = Date.now();
  const fine = performance.timeOrigin + performance.now();
  lua.lua_pushnumber(L, (Math.abs(fine - now) < 2 ? fine : now) / 1000);
  return 1;
}

/** Opens the module: the table of functions (no global set, as luaopen_extos with Lua 5.3). */
export function openExtos(L: LuaState): number {
  const start = native().monotonic();
  const functions: Array<[string, (L: LuaState) => number]> = [
    ['pfilter', pfilter],
    ['listdir', extosListdir],
    ['stat', (L1) => statImpl(L1, true)],
    ['lstat', (L1) => statImpl(L1, false)],
    ['fstat', extosFstat],
    ['crypt', extosCrypt],
    ['hires_time', extosHiresTime],
    ['monotonic_hires_time', (L1) => {
      lua.lua_pushnumber(L1, native().monotonic() - start);
      return 1;
    }],
  ];
  lua.lua_createtable(L, 0, functions.length);
  for (const [k, fn] of functions) {
    lua.lua_pushcfunction(L, cfunction(fn));
    lua.lua_setfield(L, -2, b(k));
  }
  return 1;
}
