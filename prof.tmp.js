const M = '/work/main/dist/src/';
const { lua, lauxlib } = require('/work/main/node_modules/fengari');
const st = require(M + 'lua/state.js'), mods = require(M + 'lua/modules.js'), lib = require(M + 'io/library.js'), mh = require(M + 'http/module.js');
const { native } = require(M + 'native/binding.js'); const { IoHandle } = require(M + 'io/handle.js'); const { pushHandle } = require(M + 'io/lua-handle.js');
const { pcallTraceback } = require(M + 'lua/errors.js');
const L = st.createLuaState(); lib.pushMoonbridgeIo(L); mods.setGlobalModule(L, 'moonbridge_io'); mods.preloadModule(L, 'moonbridge_http', mh.openMoonbridgeHttp);
const r = st.runScript(L, process.argv[2], [], 1); if (!r.ok) throw new Error(r.message);
const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
const body = Array.from({length: 10}, (_, i) => `field${i}=${'v%41+'.repeat(19)}`).join('&');
const req = Buffer.from(process.env.GET ? `GET / HTTP/1.1\r\nHost: x\r\n\r\n` : `POST /urlencoded HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 'latin1');
const n = native(), c = n.constants;
function batch(k) {
  const [server, client] = n.socketpair(c.AF_UNIX, c.SOCK_STREAM, true);
  const input = Buffer.concat(Array(k).fill(req)); let off = 0;
  // writer: interleave writes with serving is complex; use small batches fitting the buffer
  while (off < input.length) { const w = n.write(client, input, off, input.length - off); if (w < 0) throw new Error('full'); off += w; }
  n.shutdown(client, c.SHUT_WR);
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref); pushHandle(L, new IoHandle(server, 'unix', 'socket'));
  const e = pcallTraceback(L, 1, 0); if (e) throw new Error(e);
  // drain client
  const buf = Buffer.alloc(1 << 20); while (n.read(client, buf, 0, buf.length) > 0) {}
  n.close(client); if (n.isOpen(server)) n.close(server);
}
for (let i = 0; i < 20; i++) batch(100);
const t = process.hrtime.bigint(); const N = 200;
for (let i = 0; i < N; i++) batch(100);
const dt = Number(process.hrtime.bigint() - t) / 1e9; console.log('req/s', (N * 100 / dt).toFixed(0), 'us/req', (dt / N / 100 * 1e6).toFixed(1));
