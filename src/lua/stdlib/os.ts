/**
 * Lua 5.3's os library as PUC's loslib.c, replacing Fengari's: the system
 * part here (execute, exit, getenv, remove, rename, tmpname, setlocale) and
 * the time part in os-time.ts. Results follow lauxlib's luaL_fileresult and
 * luaL_execresult; the C library does the work (posix_spawn + waitpid for
 * system(), mkstemp, setlocale, strerror). Lua strings are byte strings:
 * file names and commands are passed as bytes, cut at a NUL as C would.
 */
import * as fs from 'fs';
import { lua, lauxlib, to_luastring, type LuaState } from 'fengari';
import { isErrnoError, native, type WaitResult } from '../../native/binding';
import { setGlobalModule } from '../modules';
import { cfunction } from '../cfunction';
import { pushText, text } from '../strings';
import { exitProcess } from './lifecycle';
import { OS_TIME_FUNCTIONS } from './os-time';
import { errnoOf, pushExecResult, pushFileError, pushSuccess } from './results';

/** LUA_TMPNAMTEMPLATE. */
const TMPNAM_TEMPLATE = '/tmp/lua_XXXXXX';
const EXIT_SUCCESS = 0;
const EXIT_FAILURE = 1;
/** glibc's system() when the shell cannot be started: W_EXITCODE(127, 0). */
const SHELL_FAILED = 127;

const MSG_TMPNAME = to_luastring('unable to generate a unique filename', true);
const CATNAMES = ['all', 'collate', 'ctype', 'monetary', 'numeric', 'time'].map((s) => to_luastring(s, true));
const CATNAME_ALL = CATNAMES[0];

/** The bytes up to the first NUL: the C string a char* argument holds. */
function cString(s: Uint8Array): Uint8Array {
  const nul = s.indexOf(0);
  return nul < 0 ? s : s.subarray(0, nul);
}

// ------------------------------------------------------------------ system()

type SystemResult = { status: WaitResult } | { errno: number };

/**
 * system(3) as glibc does it: `/bin/sh -c command` with the standard
 * descriptors inherited, then waitpid; a shell that cannot be started is
 * exit status 127. Like PUC's os_execute (and unlike l_popen), buffered Lua
 * output is not flushed first: `io.write("a") os.execute("echo b")` prints
 * "b\na" under lua5.3 when stdout is a pipe, a file or a terminal.
 */
function system(command: Uint8Array): SystemResult {
  const n = native();
  let pid: number;
  try {
    pid = n.spawn('/bin/sh', ['sh', '-c', command], [-1, -1, -1], false);
  } catch {
    return {
      status: {
        pid: -1, status: SHELL_FAILED << 8, exited: true, exitCode: SHELL_FAILED,
        signaled: false, signal: 0, coreDumped: false,
      },
    };
  }
  try {
    // The addon retries waitpid on EINTR; a null result only comes with WNOHANG.
    return { status: n.waitpid(pid, 0) as WaitResult };
  } catch (err) {
    return { errno: errnoOf(err) };
  }
}

const EXIT_0 = Buffer.from('exit 0', 'latin1');

const osExecute = cfunction((L) => {
  const cmd = lauxlib.luaL_optstring(L, 1, null) as Uint8Array | null;
  if (cmd === null) {
    // system(NULL): whether a shell is available, found by running one.
    const r = system(EXIT_0);
    lua.lua_pushboolean(L, 'status' in r && r.status.exited && r.status.exitCode === 0);
    return 1;
  }
  const r = system(cString(cmd));
  return 'status' in r ? pushExecResult(L, r.status) : pushFileError(L, r.errno, null);
});

// ------------------------------------------------------------------ os.exit

const osExit = cfunction((L) => {
  let status: number;
  if (lua.lua_isboolean(L, 1)) status = lua.lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
  else status = lauxlib.luaL_optinteger(L, 1, EXIT_SUCCESS) as number;
  // close = true would lua_close the state first: under Fengari that runs no
  // finalizers (it has no __gc), and every Lua file is flushed in any case.
  return exitProcess(status);
});

// ------------------------------------------------------------------ files

const osRemove = cfunction((L) => {
  const filename = cString(lauxlib.luaL_checkstring(L, 1) as Uint8Array);
  const path = Buffer.from(filename);
  try {
    // C's remove(): unlink, and rmdir for a directory.
    try {
      fs.unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
      fs.rmdirSync(path);
    }
  } catch (err) {
    return pushFileError(L, errnoOf(err), filename);
  }
  return pushSuccess(L);
});

const osRename = cfunction((L) => {
  const fromname = cString(lauxlib.luaL_checkstring(L, 1) as Uint8Array);
  const toname = cString(lauxlib.luaL_checkstring(L, 2) as Uint8Array);
  try {
    fs.renameSync(Buffer.from(fromname), Buffer.from(toname));
  } catch (err) {
    return pushFileError(L, errnoOf(err), null);
  }
  return pushSuccess(L);
});

const osTmpname = cfunction((L) => {
  const n = native();
  let name: Buffer;
  try {
    const made = n.mkstemp(TMPNAM_TEMPLATE);
    n.close(made.fd);
    name = made.path;
  } catch (err) {
    if (!isErrnoError(err)) throw err;
    return lauxlib.luaL_error(L, MSG_TMPNAME) as number;
  }
  lua.lua_pushstring(L, Uint8Array.prototype.slice.call(name));
  return 1;
});

// ------------------------------------------------------------------ environment

const osGetenv = cfunction((L) => {
  const name = text(cString(lauxlib.luaL_checkstring(L, 1) as Uint8Array));
  const value = name === '' ? undefined : process.env[name];
  if (value === undefined) lua.lua_pushnil(L);
  else pushText(L, value);
  return 1;
});

const osSetlocale = cfunction((L) => {
  const l = lauxlib.luaL_optstring(L, 1, null) as Uint8Array | null;
  const op = lauxlib.luaL_checkoption(L, 2, CATNAME_ALL, CATNAMES) as number;
  const c = native().constants;
  const category = [c.LC_ALL, c.LC_COLLATE, c.LC_CTYPE, c.LC_MONETARY, c.LC_NUMERIC, c.LC_TIME][op];
  const result = native().setlocale(category, l === null ? null : text(cString(l)));
  if (result === null) lua.lua_pushnil(L);
  else pushText(L, result);
  return 1;
});

const SYSLIB = {
  execute: osExecute,
  exit: osExit,
  getenv: osGetenv,
  remove: osRemove,
  rename: osRename,
  setlocale: osSetlocale,
  tmpname: osTmpname,
  ...OS_TIME_FUNCTIONS,
};

/** Replaces the global `os` (and package.loaded.os) with this library. */
export function openOs(L: LuaState): void {
  lauxlib.luaL_newlib(L, SYSLIB);
  setGlobalModule(L, 'os');
}
