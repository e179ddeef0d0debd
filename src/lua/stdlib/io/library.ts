/**
 * Lua 5.3's io library, as liolib.c, over C-like streams (c-file.ts):
 * io.open/close/read/write/lines/input/output/popen/tmpfile/type/flush,
 * the file methods (read, write, lines, seek, setvbuf, flush, close,
 * __tostring), and io.stdin/stdout/stderr as real streams on fds 0-2.
 * File handles are "FILE*" userdata, with PUC's messages and results.
 */
import * as fs from 'fs';
import { lua, lauxlib, type LuaState } from 'fengari';
import { native } from '../../../native/binding';
import { setGlobalModule } from '../../modules';
import { cfunction } from '../../cfunction';
import { key, latin1 } from '../../strings';
import { flushAll } from '../lifecycle';
import { formatG14 } from '../number-text';
import { errnoOf, pushExecResult, pushFileError, pushSuccess, waitChild } from '../results';
import { BUFFER_SIZE, CFile, fopen, type BufferMode } from './c-file';
import { trackFile, untrackFile } from './open-files';
import { readFormats } from './read';

/** luaL_Stream: the stream and how to close it (null: the handle is closed). */
interface LStream {
  f: CFile | null;
  closef: ((L: LuaState) => number) | null;
}

export const FILEHANDLE = lauxlib.LUA_FILEHANDLE as Uint8Array;
const IO_INPUT = key('_IO_input');
const IO_OUTPUT = key('_IO_output');
/** MAXARGLINE: formats io.lines / file:lines accept. */
const MAX_ARG_LINE = 250;

const tolstream = (L: LuaState): LStream => lauxlib.luaL_checkudata(L, 1, FILEHANDLE) as LStream;
const isclosed = (p: LStream): boolean => p.closef === null;

function tofile(L: LuaState): CFile {
  const p = tolstream(L);
  if (isclosed(p)) lauxlib.luaL_error(L, 'attempt to use a closed file');
  return p.f as CFile;
}

/** A closed handle first, so that a failing open leaves a consistent value. */
function newprefile(L: LuaState): LStream {
  const p = lua.lua_newuserdata(L, 0) as LStream;
  p.f = null;
  p.closef = null;
  lauxlib.luaL_setmetatable(L, FILEHANDLE);
  return p;
}

function auxClose(L: LuaState): number {
  const p = tolstream(L);
  const cf = p.closef as (L: LuaState) => number;
  p.closef = null;
  return cf(L);
}

/** Closes a regular file. */
function ioFclose(L: LuaState): number {
  const f = tolstream(L).f as CFile;
  untrackFile(f);
  const err = f.close();
  return err === 0 ? pushSuccess(L) : pushFileError(L, err, null);
}

/** Closes an io.popen stream and waits for its command: luaL_execresult. */
function ioPclose(L: LuaState): number {
  const f = tolstream(L).f as CFile;
  untrackFile(f);
  f.close();
  const status = waitChild(f.childPid);
  return status === null ? pushFileError(L, native().constants.ECHILD, null) : pushExecResult(L, status);
}

/** The standard streams stay open. */
function ioNoclose(L: LuaState): number {
  const p = tolstream(L);
  p.closef = ioNoclose;
  lua.lua_pushnil(L);
  lua.lua_pushliteral(L, 'cannot close standard file');
  return 2;
}

function newfile(L: LuaState): LStream {
  const p = newprefile(L);
  p.closef = ioFclose;
  return p;
}

function openInto(p: LStream, f: CFile): void {
  p.f = f;
  trackFile(f);
}

/** Opens fname or raises "cannot open file 'fname' (strerror)". */
function opencheck(L: LuaState, fname: Uint8Array, mode: string): void {
  const p = newfile(L);
  try {
    openInto(p, fopen(fname, mode));
  } catch (err) {
    lauxlib.luaL_error(L, 'cannot open file \'%s\' (%s)', fname, native().strerror(errnoOf(err)));
  }
}

/** l_checkmode: [rwa]%+?b* */
const checkmode = (mode: string): boolean => /^[rwa]\+?b*$/.test(mode);

const ioOpen = cfunction((L) => {
  const filename = lauxlib.luaL_checkstring(L, 1) as Uint8Array;
  const mode = latin1(lauxlib.luaL_optstring(L, 2, 'r') as Uint8Array);
  const p = newfile(L);
  lauxlib.luaL_argcheck(L, checkmode(mode), 2, 'invalid mode');
  try {
    openInto(p, fopen(filename, mode));
  } catch (err) {
    return pushFileError(L, errnoOf(err), filename);
  }
  return 1;
});

const ioPopen = cfunction((L) => {
  const command = lauxlib.luaL_checkstring(L, 1) as Uint8Array;
  const mode = latin1(lauxlib.luaL_optstring(L, 2, 'r') as Uint8Array);
  const p = newprefile(L);
  lauxlib.luaL_argcheck(L, mode === 'r' || mode === 'w', 2, 'invalid mode');
  const n = native();
  flushAll(); // as l_popen's fflush(NULL): the command's output comes after ours
  let ends: [number, number];
  try {
    ends = n.pipe();
  } catch (err) {
    return pushFileError(L, errnoOf(err), command);
  }
  const [ours, theirs] = mode === 'r' ? [ends[0], ends[1]] : [ends[1], ends[0]];
  const nul = command.indexOf(0);
  let pid: number;
  try {
    pid = n.spawn('/bin/sh', ['sh', '-c', nul >= 0 ? command.subarray(0, nul) : command],
      mode === 'r' ? [-1, theirs, -1] : [theirs, -1, -1], false);
  } catch (err) {
    n.close(ours);
    n.close(theirs);
    return pushFileError(L, errnoOf(err), command);
  }
  n.close(theirs);
  const f = new CFile(ours, mode === 'r', mode === 'w', 'full');
  f.childPid = pid;
  openInto(p, f);
  p.closef = ioPclose;
  return 1;
});

const ioTmpfile = cfunction((L) => {
  const p = newfile(L);
  const n = native();
  try {
    const { fd, path } = n.mkstemp('/tmp/lua_XXXXXX');
    fs.unlinkSync(path);
    openInto(p, new CFile(fd, true, true, 'full'));
  } catch (err) {
    return pushFileError(L, errnoOf(err), null);
  }
  return 1;
});

const ioType = cfunction((L) => {
  lauxlib.luaL_checkany(L, 1);
  const p = lauxlib.luaL_testudata(L, 1, FILEHANDLE) as LStream | null;
  if (p === null) lua.lua_pushnil(L);
  else if (isclosed(p)) lua.lua_pushliteral(L, 'closed file');
  else lua.lua_pushliteral(L, 'file');
  return 1;
});

const fTostring = cfunction((L) => {
  const p = tolstream(L);
  if (isclosed(p)) lua.lua_pushliteral(L, 'file (closed)');
  else lua.lua_pushliteral(L, `file (0x${(p.f as CFile).id.toString(16)})`);
  return 1;
});

const fClose = cfunction((L) => {
  tofile(L);
  return auxClose(L);
});

const ioClose = cfunction((L) => {
  if (lua.lua_isnone(L, 1)) lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, IO_OUTPUT);
  tofile(L);
  return auxClose(L);
});

function getiofile(L: LuaState, findex: Uint8Array): CFile {
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, findex);
  const p = lua.lua_touserdata(L, -1) as LStream;
  if (isclosed(p)) lauxlib.luaL_error(L, 'standard %s file is closed', findex.subarray(4));
  return p.f as CFile;
}

function giofile(L: LuaState, findex: Uint8Array, mode: string): number {
  if (!lua.lua_isnoneornil(L, 1)) {
    // Without __gc a replaced default file that is no longer referenced is
    // never closed (PUC's collector would close and so flush it): flush it
    // here, where it typically loses its last reference.
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, findex);
    const previous = lua.lua_touserdata(L, -1) as LStream;
    lua.lua_pop(L, 1);
    if (!isclosed(previous)) (previous.f as CFile).flush();
    const filename = lua.lua_tostring(L, 1) as Uint8Array | null;
    if (filename !== null) {
      opencheck(L, filename, mode);
    } else {
      tofile(L);
      lua.lua_pushvalue(L, 1);
    }
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, findex);
  }
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, findex);
  return 1;
}

const ioInput = cfunction((L) => giofile(L, IO_INPUT, 'r'));
const ioOutput = cfunction((L) => giofile(L, IO_OUTPUT, 'w'));

/** The iterator of io.lines / file:lines; upvalues: stream, n, toclose, formats. */
const ioReadline = cfunction((L) => {
  const p = lua.lua_touserdata(L, lua.lua_upvalueindex(1)) as LStream;
  let n = lua.lua_tointeger(L, lua.lua_upvalueindex(2)) as number;
  if (isclosed(p)) return lauxlib.luaL_error(L, 'file is already closed') as number;
  lua.lua_settop(L, 1);
  lauxlib.luaL_checkstack(L, n, 'too many arguments');
  for (let i = 1; i <= n; i++) lua.lua_pushvalue(L, lua.lua_upvalueindex(3 + i));
  n = readFormats(L, p.f as CFile, 2);
  if (lua.lua_toboolean(L, -n)) return n;
  if (n > 1) return lauxlib.luaL_error(L, '%s', lua.lua_tostring(L, -n + 1)) as number;
  if (lua.lua_toboolean(L, lua.lua_upvalueindex(3))) {
    lua.lua_settop(L, 0);
    lua.lua_pushvalue(L, lua.lua_upvalueindex(1));
    auxClose(L);
  }
  return 0;
});

function auxLines(L: LuaState, toclose: boolean): void {
  const n = lua.lua_gettop(L) - 1;
  lauxlib.luaL_argcheck(L, n <= MAX_ARG_LINE, MAX_ARG_LINE + 2, 'too many arguments');
  lua.lua_pushinteger(L, n);
  lua.lua_pushboolean(L, toclose);
  lua.lua_rotate(L, 2, 2);
  lua.lua_pushcclosure(L, ioReadline, 3 + n);
}

const fLines = cfunction((L) => {
  tofile(L);
  auxLines(L, false);
  return 1;
});

const ioLines = cfunction((L) => {
  let toclose: boolean;
  if (lua.lua_isnone(L, 1)) lua.lua_pushnil(L);
  if (lua.lua_isnil(L, 1)) {
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, IO_INPUT);
    lua.lua_replace(L, 1);
    tofile(L);
    toclose = false;
  } else {
    const filename = lauxlib.luaL_checkstring(L, 1) as Uint8Array;
    opencheck(L, filename, 'r');
    lua.lua_replace(L, 1);
    toclose = true;
  }
  auxLines(L, toclose);
  return 1;
});

const ioRead = cfunction((L) => readFormats(L, getiofile(L, IO_INPUT), 1));
const fRead = cfunction((L) => readFormats(L, tofile(L), 2));

/** g_write: strings as they are, integers as "%d", floats as "%.14g". */
function gwrite(L: LuaState, f: CFile, arg: number): number {
  let nargs = lua.lua_gettop(L) - arg;
  let status = true;
  for (; nargs-- > 0; arg++) {
    let bytes: Uint8Array;
    if (lua.lua_type(L, arg) === lua.LUA_TNUMBER) {
      const text = lua.lua_isinteger(L, arg)
        ? String(lua.lua_tointeger(L, arg))
        : formatG14(lua.lua_tonumber(L, arg) as number);
      bytes = Buffer.from(text, 'latin1');
    } else {
      bytes = lauxlib.luaL_checklstring(L, arg) as Uint8Array;
    }
    status = f.write(bytes) && status;
  }
  return status ? 1 : pushFileError(L, f.error, null);
}

const ioWrite = cfunction((L) => gwrite(L, getiofile(L, IO_OUTPUT), 1));

const fWrite = cfunction((L) => {
  const f = tofile(L);
  lua.lua_pushvalue(L, 1);
  return gwrite(L, f, 2);
});

const SEEK_MODES = [key('set'), key('cur'), key('end')];
const SEEK_NAMES = ['set', 'cur', 'end'] as const;

const fSeek = cfunction((L) => {
  const f = tofile(L);
  const op = lauxlib.luaL_checkoption(L, 2, 'cur', SEEK_MODES) as number;
  const offset = lauxlib.luaL_optinteger(L, 3, 0) as number;
  try {
    lua.lua_pushinteger(L, f.seek(SEEK_NAMES[op], offset));
  } catch (err) {
    return pushFileError(L, errnoOf(err), null);
  }
  return 1;
});

const VBUF_MODES = [key('no'), key('full'), key('line')];
const VBUF_NAMES: readonly BufferMode[] = ['no', 'full', 'line'];

const fSetvbuf = cfunction((L) => {
  const f = tofile(L);
  const op = lauxlib.luaL_checkoption(L, 2, null, VBUF_MODES) as number;
  lauxlib.luaL_optinteger(L, 3, BUFFER_SIZE); // checked; glibc ignores the size (no buffer given)
  return f.setvbuf(VBUF_NAMES[op]) ? pushSuccess(L) : pushFileError(L, f.error, null);
});

const ioFlush = cfunction((L) => {
  const f = getiofile(L, IO_OUTPUT);
  return f.flush() ? pushSuccess(L) : pushFileError(L, f.error, null);
});

const fFlush = cfunction((L) => {
  const f = tofile(L);
  return f.flush() ? pushSuccess(L) : pushFileError(L, f.error, null);
});

/** No finalizers run in Fengari; kept so that the metatable looks like PUC's. */
const fGc = cfunction((L) => {
  const p = tolstream(L);
  if (!isclosed(p) && p.f !== null) auxClose(L);
  return 0;
});

const IOLIB = {
  close: ioClose, flush: ioFlush, input: ioInput, lines: ioLines, open: ioOpen, output: ioOutput,
  popen: ioPopen, read: ioRead, tmpfile: ioTmpfile, type: ioType, write: ioWrite,
};

const FLIB = {
  close: fClose, flush: fFlush, lines: fLines, read: fRead, seek: fSeek, setvbuf: fSetvbuf,
  write: fWrite, __gc: fGc, __tostring: fTostring,
};

function createmeta(L: LuaState): void {
  // Fengari's own io library registered a "FILE*" metatable: start afresh.
  lua.lua_pushnil(L);
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, FILEHANDLE);
  lauxlib.luaL_newmetatable(L, FILEHANDLE);
  lua.lua_pushvalue(L, -1);
  lua.lua_setfield(L, -2, key('__index'));
  lauxlib.luaL_setfuncs(L, FLIB, 0);
  lua.lua_pop(L, 1);
}

let stdStreams: [CFile, CFile, CFile] | null = null;

/** The process's standard streams (created once; forked workers share them with the master). */
export function standardStreams(): [CFile, CFile, CFile] {
  if (stdStreams === null) {
    const tty = native().isatty(1);
    stdStreams = [
      new CFile(0, true, false, 'full'),
      new CFile(1, false, true, tty ? 'line' : 'full'),
      new CFile(2, false, true, 'no'),
    ];
    for (const f of stdStreams) trackFile(f);
  }
  return stdStreams;
}

function createstdfile(L: LuaState, f: CFile, k: Uint8Array | null, fname: string): void {
  const p = newprefile(L);
  p.f = f;
  p.closef = ioNoclose;
  if (k !== null) {
    lua.lua_pushvalue(L, -1);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, k);
  }
  lua.lua_setfield(L, -2, key(fname));
}

/** Replaces Fengari's partial io library (global io and package.loaded.io). */
export function openIo(L: LuaState): void {
  lauxlib.luaL_newlib(L, IOLIB);
  createmeta(L);
  const [stdin, stdout, stderr] = standardStreams();
  createstdfile(L, stdin, IO_INPUT, 'stdin');
  createstdfile(L, stdout, IO_OUTPUT, 'stdout');
  createstdfile(L, stderr, null, 'stderr');
  setGlobalModule(L, 'io');
}

