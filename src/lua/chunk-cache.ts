/**
 * Compiled Lua files shared from the master to its workers. Fengari's
 * parser is about 30 times slower than PUC Lua's (LiquidFeedback's 492 files:
 * 0.75 s against 25 ms), and frameworks like WebMCP load their views and
 * models lazily, in the worker, after the fork: every new worker compiled the
 * same ~110 files again on its first page (about 0.3 s of its first second).
 *
 * So loading a file by name (loadfile, dofile, require of a Lua file, a
 * server script) goes through a cache of compiled chunks, keyed by the
 * file's name and load mode and checked against the file's bytes: a hit
 * gives a fresh closure of the cached prototype, exactly what compiling the
 * unchanged file again would give. A worker that compiles a file reports it
 * to the master (control message 'L'), and the master compiles it while it
 * has nothing else to do, so the workers it forks afterwards find it
 * compiled. Files that fail to compile are never cached.
 */
import * as fs from 'fs';
import { lua, lauxlib, type LuaState } from 'fengari';
import { moonbridge_pushproto, moonbridge_toproto } from 'fengari/src/lapi';

interface Entry { source: Buffer; proto: object }

/** At most this many files, and this many bytes of source, are kept. */
const MAX_ENTRIES = 4096;
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

/** One cache per Lua universe (global_State): prototypes belong to it. */
const caches = new WeakMap<object, { entries: Map<string, Entry>; bytes: number }>();

function cacheOf(L: LuaState): { entries: Map<string, Entry>; bytes: number } {
  const g = (L as unknown as { l_G: object }).l_G;
  let c = caches.get(g);
  if (c === undefined) {
    c = { entries: new Map(), bytes: 0 };
    caches.set(g, c);
  }
  return c;
}

/** The file's bytes, or null if it cannot be read (the loader then says why). */
function contentOf(filename: Uint8Array): Buffer | null {
  try {
    return fs.readFileSync(Buffer.from(filename));
  } catch {
    return null;
  }
}

function keyOf(filename: Uint8Array, mode: Uint8Array | null): string {
  return Buffer.from(filename).toString('latin1') + '\0' + (mode === null ? '' : Buffer.from(mode).toString('latin1'));
}

type Loader = (L: LuaState, filename: Uint8Array, mode: Uint8Array | null) => number;

/** Called with the name of each file a worker compiled itself (null: not in a worker). */
let reportCompiled: ((filename: Uint8Array) => void) | null = null;

/**
 * Stores the chunk on top of the stack, just compiled from filename, if the
 * file still holds `source` (so the prototype is the compiled source).
 */
function remember(L: LuaState, filename: Uint8Array, key: string, source: Buffer): boolean {
  const proto = moonbridge_toproto(L, -1) as object | null;
  if (proto === null) return false;
  const now = contentOf(filename);
  if (now === null || !now.equals(source)) return false;
  const c = cacheOf(L);
  const old = c.entries.get(key);
  if (old !== undefined) c.bytes -= old.source.length;
  else if (c.entries.size >= MAX_ENTRIES) return false;
  if (c.bytes + source.length > MAX_SOURCE_BYTES) return false;
  c.entries.set(key, { source, proto });
  c.bytes += source.length;
  return true;
}

/**
 * A hit needs the same name, the same mode and the same bytes in the file:
 * reading and comparing a file costs microseconds, compiling it
 * milliseconds, and no timestamp can be trusted to change with every write.
 */
function hook(L: LuaState, filename: Uint8Array, mode: Uint8Array | null, uncached: Loader): number | undefined {
  const source = contentOf(filename);
  if (source === null) return undefined;
  const key = keyOf(filename, mode);
  const hit = cacheOf(L).entries.get(key);
  if (hit !== undefined && hit.source.equals(source)) {
    moonbridge_pushproto(L, hit.proto);
    return lua.LUA_OK as number;
  }
  const status = uncached(L, filename, mode);
  if (status === lua.LUA_OK && remember(L, filename, key, source) && reportCompiled !== null) reportCompiled(filename);
  return status;
}

/** Routes every load of a file by name through the cache (once per process). */
export function installChunkCache(): void {
  lauxlib.moonbridge_set_loadfile_hook(hook);
}

/** In a worker: report each file it compiles (the master then compiles it for later workers). */
export function reportCompiledChunks(report: ((filename: Uint8Array) => void) | null): void {
  reportCompiled = report;
}

/**
 * In the master: compiles filename (mode nil, as loadfile(name) and
 * WebMCP's loadcached load it) into the cache unless it is there and
 * unchanged. Never raises; the stack is left as it was.
 */
export function precompile(L: LuaState, filename: Uint8Array): 'compiled' | 'cached' | 'failed' {
  const top = lua.lua_gettop(L);
  const key = keyOf(filename, null);
  const before = cacheOf(L).entries.get(key);
  try {
    // through luaL_loadfilex, whose hook hands out or stores the chunk
    if (lauxlib.luaL_loadfilex(L, filename, null) !== lua.LUA_OK) return 'failed';
  } catch {
    return 'failed'; // out of stack or memory: this file stays uncompiled
  } finally {
    lua.lua_settop(L, top);
  }
  const after = cacheOf(L).entries.get(key);
  return after === undefined ? 'failed' : after === before ? 'cached' : 'compiled';
}
