/**
 * examples/hybrid: a TypeScript entry compiled by the user's tsc against the
 * package's published types (strict mode), Lua views required from it, and a
 * Lua module written in TypeScript, served by forked workers.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Server, type RunningServer } from '../src/api/index';
import { ROOT, completeResponses, exchange, responseBody, within } from './helpers/server';

const DIR = path.join(ROOT, 'examples', 'hybrid');

function utf8Body(raw: string): string {
  return responseBody(raw).toString('utf8');
}

describe('examples/hybrid (TypeScript entry + Lua views + a TS Lua module)', function () {
  let server: RunningServer;

  before(async function () {
    this.timeout(90000);
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    const r = spawnSync(process.execPath, [tsc, '-p', DIR], { cwd: ROOT, encoding: 'utf8', timeout: 80000 });
    assert.equal(r.status, 0, `tsc -p examples/hybrid failed (strict mode against the published .d.ts):\n${r.stdout}${r.stderr}`);
    server = await within(Server.start({ script: path.join(DIR, 'app.js'), args: ['0'] }), 20000, 'start');
  });
  after(async function () {
    if (server !== undefined) await within(server.stop(), 10000, 'stop');
  });

  async function request(raw: string): Promise<string> {
    const r = await exchange(server.port!, raw, { timeout: 10000, done: (d) => completeResponses(d) === 1 });
    return r.data;
  }

  it('serves the Lua home page through the TS entry, with the TS static header', async function () {
    const r = await request('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    assert.match(r, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r, /\r\nServer: moonbridge-lua hybrid example\r\n/);
    assert.match(utf8Body(r), /<h1>Hybrid example<\/h1><form method="post" action="\/stats">/);
  });

  it('serves /api/* in TypeScript from a forked worker', async function () {
    const status = JSON.parse(utf8Body(await request('GET /api/status HTTP/1.1\r\nHost: t\r\n\r\n'))) as { worker: number; uptime: number };
    assert.notEqual(status.worker, server.pid);
    assert.equal(typeof status.uptime, 'number');
    const form = 'a=1&b=%C3%A9';
    const echo = await request(`POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`);
    assert.deepEqual(JSON.parse(utf8Body(echo)), { a: '1', b: 'é' });
    assert.equal(utf8Body(await request('GET /api/shout?text=moon HTTP/1.1\r\nHost: t\r\n\r\n')), 'MOON');
    assert.match(await request('GET /api/nothing HTTP/1.1\r\nHost: t\r\n\r\n'), /^HTTP\/1\.1 404 Not Found\r\n/);
  });

  it('lets the Lua view use the module written in TypeScript (tables and two results back)', async function () {
    const text = 'Der Hund, der Hund und die Katze\nzwei <b>';
    const form = `text=${encodeURIComponent(text)}`;
    const r = await request(`POST /stats HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`);
    const html = utf8Body(r);
    assert.match(html, /<p>41 characters, 2 lines<\/p>/);
    assert.match(html, /<table><tr><td>der<\/td><td>2<\/td><\/tr><tr><td>hund<\/td><td>2<\/td><\/tr><tr><td>b<\/td><td>1<\/td><\/tr><tr><td>die<\/td><td>1<\/td><\/tr><tr><td>katze<\/td><td>1<\/td><\/tr><\/table>/);
  });
});
