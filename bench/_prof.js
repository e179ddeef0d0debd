require('/work/main/dist/src/cli/stdio').installSyncStdio();
const { lua } = require('/work/main/node_modules/fengari');
const { native } = require('/work/main/dist/src/native/binding');
const { createServerState } = require('/work/main/dist/src/server/startup');
const { runScript } = require('/work/main/dist/src/lua/state');
const { Logger } = require('/work/main/dist/src/server/log');
const { IoHandle } = require('/work/main/dist/src/io/handle');
const { pushHandle } = require('/work/main/dist/src/io/lua-handle');
const n = native(); const c = n.constants;
const ctx = { pools: [], logger: new Logger({ fd: 2, debug: false, stats: false }), started: false };
const { L } = createServerState(ctx);
const r = runScript(L, '/work/main/examples/helloworld.lua', ['0']);
if (!r.ok) throw new Error(r.message);
const pool = ctx.pools[0];
const N = +process.argv[2] || 5000;
const req = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\n\r\n');
function round() {
  const [a, b] = n.socketpair(c.AF_UNIX, c.SOCK_STREAM, true);
  for (const fd of [a, b]) { n.setsockoptInt(fd, c.SOL_SOCKET, c.SO_SNDBUF, 8 << 20); n.setsockoptInt(fd, c.SOL_SOCKET, c.SO_RCVBUF, 8 << 20); }
  const all = Buffer.concat(Array(N).fill(req));
  let off = 0; while (off < all.length) { const w = n.write(b, all, off, all.length - off); if (w < 0) throw new Error('full'); off += w; }
  n.shutdown(b, c.SHUT_WR);
  const h = new IoHandle(a, 'unix', 'socket');
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, pool.connectRef);
  pushHandle(L, h);
  const t0 = process.hrtime.bigint();
  try { lua.lua_call(L, 1, 1); } catch (e) { n.write(2, Buffer.from("ERR " + (e && e.stack) + JSON.stringify(e) + "\n"), 0, 200); throw e; }
  const t1 = process.hrtime.bigint();
  lua.lua_settop(L, 0);
  let got = 0; const buf = Buffer.alloc(1 << 20); for (;;) { const x = n.read(b, buf, 0, buf.length); if (x <= 0) break; got += x; }
  n.close(b); if (!h.closed) h.close();
  { const m = Buffer.from(`${N} requests: ${(Number(t1 - t0) / 1e3 / N).toFixed(2)} us/request, ${got} bytes out\n`); n.write(1, m, 0, m.length); }
}
for (let i = 0; i < (+process.argv[3] || 3); i++) round();
