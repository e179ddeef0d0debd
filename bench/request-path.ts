/**
 * The user-space cost of one HTTP request in moonbridge-lua, without the
 * kernel's TCP stack and the scheduler: in one process, examples/helloworld.lua's
 * connect handler serves N pipelined requests written into a Unix socketpair.
 * Prints microseconds per request for each round. Complements bench/http.ts,
 * whose figures include everything a client sees.
 *
 *   node dist/bench/request-path.js [requests per round = 2000] [rounds = 6]
 */
import * as path from 'path';
import { lua } from 'fengari';
import { native } from '../src/native/binding';
import { installSyncStdio } from '../src/cli/stdio';
import { createServerState } from '../src/server/startup';
import { runScript } from '../src/lua/state';
import { Logger } from '../src/server/log';
import { IoHandle } from '../src/io/handle';
import { pushHandle } from '../src/io/lua-handle';
import type { ListenContext } from '../src/server/listen';

installSyncStdio();
const n = native();
const c = n.constants;
const requests = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 6);
const app = path.resolve(__dirname, '..', '..', 'examples', 'helloworld.lua');

const ctx: ListenContext = { pools: [], logger: new Logger({ fd: 2, debug: false, stats: false }), started: false };
const { L } = createServerState(ctx);
const loaded = runScript(L, app, ['0']);
if (!loaded.ok) throw new Error(loaded.message);
const pool = ctx.pools[0];
const request = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n');

function round(): { micros: number; bytes: number } {
  const [server, client] = n.socketpair(c.AF_UNIX, c.SOCK_STREAM, true);
  for (const fd of [server, client]) {
    n.setsockoptInt(fd, c.SOL_SOCKET, c.SO_SNDBUF, 4 << 20);
    n.setsockoptInt(fd, c.SOL_SOCKET, c.SO_RCVBUF, 4 << 20);
  }
  const input = Buffer.concat(Array.from({ length: requests }, () => request));
  for (let off = 0; off < input.length;) {
    const w = n.write(client, input, off, input.length - off);
    if (w < 0) throw new Error('requests do not fit the socket buffer: use fewer per round');
    off += w;
  }
  n.shutdown(client, c.SHUT_WR);
  const handle = new IoHandle(server, 'unix', 'socket');
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, pool.connectRef);
  pushHandle(L, handle);
  const started = process.hrtime.bigint();
  lua.lua_call(L, 1, 1);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e3;
  lua.lua_settop(L, 0);
  let bytes = 0;
  const buf = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    const r = n.read(client, buf, 0, buf.length);
    if (r <= 0) break;
    bytes += r;
  }
  n.close(client);
  if (!handle.closed) handle.close();
  return { micros: elapsed / requests, bytes };
}

for (let i = 1; i <= rounds; i++) {
  const r = round();
  process.stdout.write(`round ${i}: ${requests} requests, ${r.micros.toFixed(2)} us/request, ${r.bytes} bytes answered\n`);
}
