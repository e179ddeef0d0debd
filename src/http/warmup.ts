/**
 * JIT warm-up before forking. Each worker is a fork of the master, so code
 * V8 has optimized in the master is optimized in every worker from its first
 * request; otherwise every worker spends its first thousands of requests
 * compiling the same functions again. The master serves synthetic requests
 * over a socketpair to lua/warmup.lua's handler, in a separate Lua state
 * (the app's state and globals are not touched).
 */
import * as path from 'path';
import { lua, lauxlib, type LuaState } from 'fengari';
import { native } from '../native/binding';
import { IoHandle } from '../io/handle';
import { pushHandle } from '../io/lua-handle';
import { pushMoonbridgeIo } from '../io/library';
import { createLuaState, runScript } from '../lua/state';
import { preloadModule, setGlobalModule } from '../lua/modules';
import { pcallTraceback } from '../lua/errors';
import { resetTimeout } from '../server/timeout';
import { openMoonbridgeHttp } from './module';

const WARMUP_SCRIPT = path.resolve(__dirname, '..', '..', '..', 'lua', 'warmup.lua');

/** A small browser-like upload (a field and a file). */
function multipartRequest(): string {
  const body = '--w\r\nContent-Disposition: form-data; name="title"\r\n\r\nwarm\r\n' +
    '--w\r\nContent-Disposition: form-data; name="file"; filename="w.txt"\r\nContent-Type: text/plain\r\n\r\n' +
    'line one\r\nline two\r\n--w--\r\n';
  return `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=w\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

const REQUESTS = [
  'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: warmup\r\nAccept: */*\r\n\r\n',
  'GET /params?a=1&b=x%20y HTTP/1.1\r\nHost: localhost\r\nUser-Agent: warmup/1.0\r\n\r\n',
  'HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n',
  'GET /view?title=weekly+report+%26+more HTTP/1.1\r\nHost: localhost\r\n\r\n',
  'POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world',
  'GET /missing HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n',
  'POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 17\r\n\r\nname=a+b&value=%41',
  multipartRequest(),
].map((s) => Buffer.from(s, 'latin1'));

/** Serves `batch` pipelined requests on a fresh socketpair; throws on failure. */
function serveBatch(L: LuaState, handlerRef: number, batch: number): void {
  const n = native();
  const c = n.constants;
  const [server, client] = n.socketpair(c.AF_UNIX, c.SOCK_STREAM, true);
  try {
    const input = Buffer.concat(Array.from({ length: batch }, (_, i) => REQUESTS[i % REQUESTS.length]));
    let off = 0;
    while (off < input.length) {
      const w = n.write(client, input, off, input.length - off);
      if (w < 0) throw new Error('warm-up requests do not fit the socket buffer');
      off += w;
    }
    n.shutdown(client, c.SHUT_WR);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, handlerRef);
    pushHandle(L, new IoHandle(server, 'unix', 'socket'));
    const error = pcallTraceback(L, 1, 0);
    if (error !== null) throw new Error(error);
  } finally {
    n.close(client);
    if (n.isOpen(server)) n.close(server);
  }
}

/**
 * How long the warm-up may take, and its batches. Most of what a batch
 * gains is in the first ones: with the page app (bench/apps/page.lua) the
 * workers' first 250 ms served ~700 req/s after no warm-up, ~1,500 after two
 * batches of 250 requests (0.5 s), the steady rate after about 4 s either
 * way; a batch of 250 takes 0.5 s unoptimized, 0.25 s once warm. Start-up
 * (spawn to first response) of the hello world is ~0.3 s without warm-up.
 */
export const WARMUP_BUDGET_SECONDS = 0.5;
const WARMUP_BATCH = 125;
const WARMUP_MAX_BATCHES = 16;

/**
 * Runs the warm-up: batches until `budgetSeconds` are spent (at least one);
 * returns its duration in seconds and the batch count. Never fails the
 * server: errors are returned.
 */
export function warmUpHttp(budgetSeconds = WARMUP_BUDGET_SECONDS): { seconds: number; batches: number; error: string | null } {
  const n = native();
  const started = n.monotonic();
  let batches = 0;
  const L = createLuaState();
  try {
    pushMoonbridgeIo(L);
    setGlobalModule(L, 'moonbridge_io');
    preloadModule(L, 'moonbridge_http', openMoonbridgeHttp);
    const loaded = runScriptReturning(L);
    if (typeof loaded === 'string') return { seconds: n.monotonic() - started, batches, error: loaded };
    do {
      serveBatch(L, loaded, WARMUP_BATCH);
      batches++;
    } while (batches < WARMUP_MAX_BATCHES && n.monotonic() - started < budgetSeconds);
    return { seconds: n.monotonic() - started, batches, error: null };
  } catch (err) {
    return { seconds: n.monotonic() - started, batches, error: err instanceof Error ? err.message : String(err) };
  } finally {
    resetTimeout();
  }
}

/** Loads lua/warmup.lua and stores the handler it returns; the registry ref, or the error text. */
function runScriptReturning(L: LuaState): number | string {
  const result = runScript(L, WARMUP_SCRIPT, [], 1);
  if (!result.ok) return result.message;
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
}
