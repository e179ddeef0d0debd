/**
 * Server.start: a Node program starts an app as a child server without
 * node flags of its own, learns when every listener is bound (and the real
 * ports) from the master's readiness report, stops it, and gets the startup
 * error text and exit code when the app fails.
 */
import { strict as assert } from 'assert';
import * as path from 'path';
import { Server, ServerStartError, type RunningServer } from '../src/api/index';
import { APPS, ROOT, alive, completeResponses, exchange, within } from './helpers/server';

const running: RunningServer[] = [];

async function start(options: Parameters<typeof Server.start>[0]): Promise<RunningServer> {
  const s = await within(Server.start(options), 20000, 'Server.start');
  running.push(s);
  return s;
}

async function get(port: number, target: string): Promise<string> {
  const r = await exchange(port, `GET ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`, {
    timeout: 10000, done: (d) => completeResponses(d) === 1,
  });
  return r.data;
}

describe('Server.start', function () {
  afterEach(function () {
    for (const s of running.splice(0)) {
      try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  });

  it('resolves once the listeners are bound, with the real port of port 0, and serves at once', async function () {
    const s = await start({ script: path.join(ROOT, 'examples', 'helloworld.lua'), args: ['0'] });
    assert.ok(s.port !== undefined && s.port > 0, `a real port: ${s.port}`);
    assert.deepEqual(s.listeners.map((l) => [l.proto, l.address]), [['tcp', '127.0.0.1'], ['tcp', '::1']].filter((l) => s.listeners.some((x) => x.address === l[1])));
    assert.ok(alive(s.pid));
    // no polling: the first request right after the promise resolved is answered
    assert.match(await get(s.port!, '/'), /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(s.logs.some((l) => /Pool #1 created/.test(l)), s.logs.join('\n'));
  });

  it('stops the server with SIGTERM (exit code 0) or another signal (128 + its number)', async function () {
    const a = await start({ script: path.join(ROOT, 'examples', 'helloworld.lua'), args: ['0'] });
    assert.equal(await within(a.stop(), 10000, 'stop'), 0);
    assert.ok(a.logs.some((l) => /Terminating with exit code 0/.test(l)));
    assert.equal(alive(a.pid), false);
    const b = await start({ script: path.join(ROOT, 'examples', 'helloworld.lua'), args: ['0'] });
    assert.equal(await within(b.stop('SIGKILL'), 10000, 'stop'), 137);
  });

  it('runs JS entries (CommonJS and ES modules) with cwd, args and env', async function () {
    const c = await start({ script: 'api-app.js', cwd: APPS, args: ['0', '0'], env: { MOONBRIDGE_TEST: '1' } });
    assert.equal(c.listeners.length, 2);
    assert.match(await get(c.listeners[0].port!, '/lua?word=x'), /X-X-X/);
    const e = await start({ script: path.join(APPS, 'api-esm.mjs'), args: ['0'] });
    const r = await get(e.port!, '/there');
    assert.match(r, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r, /esm there true/);
  });

  it('rejects with the start-up error and exit code 3 when the app fails', async function () {
    await assert.rejects(Server.start({ script: path.join(APPS, 'api-cmodule.lua'), args: ['0'] }), (e: unknown) => {
      assert.ok(e instanceof ServerStartError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /Error while executing "[^"]*api-cmodule\.lua": [^\n]*module 'lfs' not found:/);
      assert.match(e.message, /If "lfs" is a C module/);
      return true;
    });
    await assert.rejects(Server.start({ script: path.join(APPS, 'api-entry.ts') }), (e: unknown) => {
      assert.ok(e instanceof ServerStartError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /api-entry\.ts is TypeScript: compile it to JavaScript first/);
      return true;
    });
    await assert.rejects(Server.start({ script: path.join(APPS, 'no-such-app.lua') }), (e: unknown) => {
      assert.ok(e instanceof ServerStartError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /Error while loading "[^"]*no-such-app\.lua": cannot open/);
      return true;
    });
  });

  it('rejects a port in use with the listen error, naming the listener', async function () {
    const s = await start({ script: path.join(ROOT, 'examples', 'helloworld.lua'), args: ['0'] });
    await assert.rejects(Server.start({ script: path.join(ROOT, 'examples', 'helloworld.lua'), args: [String(s.port)] }), (e: unknown) => {
      assert.ok(e instanceof ServerStartError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /Could not initialize listener #1: Address already in use/);
      return true;
    });
  });
});
