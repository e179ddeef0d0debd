/**
 * The cache of compiled Lua files (src/lua/chunk-cache.ts): loading a file
 * again gives what compiling it again would (fresh closures and upvalues,
 * the new content the moment the file changes, even within one timestamp
 * tick and at the same size; the mode's check; errors never cached), and a
 * file a worker compiled is compiled by the master for the workers it forks
 * later, which still see a file's changes.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { runLua } from './helpers/run-lua';
import { freePort, killAll, startServer, waitFor } from './helpers/server';

describe('compiled-chunk cache', function () {
  this.timeout(60000);

  it('gives fresh closures of unchanged files and recompiles changed ones at once', function () {
    const r = runLua(`
      local p = os.tmpname()
      local function write(s) local f = assert(io.open(p, "w")); f:write(s); f:close() end
      write("local n = 0; return function() n = n + 1; return n end")
      local a, b = loadfile(p)(), loadfile(p)()
      print(a(), a(), b(), a ~= b)
      -- same size, written at once: only the bytes tell the difference
      for i = 1, 50 do
        write("return " .. (i % 10))
        local got = loadfile(p)()
        if got ~= i % 10 then print("stale", i, got) end
      end
      write("return ...")
      print(dofile(p), select("#", loadfile(p)(1, 2, 3)))
      -- environment argument: each load gets its own
      write("return x")
      print(loadfile(p, "t", { x = "env one" })(), loadfile(p, "t", { x = "env two" })(), loadfile(p)())
      -- the mode is checked for cached files too
      print(loadfile(p, "b"))
      -- errors are not cached, and the error comes back each time
      write("return +")
      print(loadfile(p))
      print(loadfile(p))
      write("return 'fixed'")
      print(loadfile(p)())
      os.remove(p)
      print(loadfile(p))
    `);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(lines.map((l) => l.replace(/\/tmp\/lua_\w+/g, 'FILE')), [
      '1\t2\t1\ttrue',
      'nil\t3',
      'env one\tenv two\tnil',
      "nil\tattempt to load a text chunk (mode is 'b')",
      "nil\tFILE:1: unexpected symbol near '+'",
      "nil\tFILE:1: unexpected symbol near '+'",
      'fixed',
      'nil\tcannot open FILE: No such file or directory',
    ], r.stderr);
  });

  it('has the master compile what workers compiled; later workers see changes', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-chunks-'));
    const mod = path.join(dir, 'view.lua');
    const app = path.join(dir, 'app.lua');
    const port = await freePort();
    fs.writeFileSync(mod, 'return "first version"\n');
    fs.writeFileSync(app, `
      listen{
        { proto = "tcp", host = "127.0.0.1", port = ${port} },
        min_fork = 1, max_fork = 1,
        connect = function(socket)
          socket:write(dofile(${JSON.stringify(mod)}), "\\n")
          return false -- one connection per worker: every request is a new worker
        end,
      }
    `);
    const ask = (): Promise<string> => new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      let got = '';
      sock.on('data', (b) => { got += b.toString(); });
      sock.on('end', () => resolve(got.trim()));
      sock.on('error', reject);
    });
    try {
      const server = startServer(['-d', app]);
      await waitFor(() => ask().then((a) => a === 'first version', () => false), 10000, 'the listener');
      assert.equal(await ask(), 'first version');
      await waitFor(() => server.stderr().includes(`Compiled "${mod}" for new workers`), 10000, 'the master compiling view.lua');
      assert.equal(await ask(), 'first version');
      fs.writeFileSync(mod, 'return "other version"\n'); // same size
      assert.equal(await ask(), 'other version');
      assert.equal(await ask(), 'other version');
      assert.doesNotMatch(server.stderr(), /Error/);
    } finally {
      killAll();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
