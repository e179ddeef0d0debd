/**
 * Apps written against the TypeScript API, on real forked servers: a JS-only
 * app (HTTP and a TCP line protocol), and a Lua app that hands routes to a
 * TS module found next to it and calls it with Lua values. What a user sees:
 * bytes on the wire, log lines, exit codes.
 */
import { strict as assert } from 'assert';
import * as net from 'net';
import {
  app, completeResponses, exchange, freePort, killAll, responseBody, startServer, waitFor, waitUntilServing, within,
  type RunningServer,
} from './helpers/server';

async function get(port: number, target: string, extra = ''): Promise<string> {
  const r = await exchange(port, `GET ${target} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`, {
    timeout: 10000, done: (d) => completeResponses(d) === 1,
  });
  return r.data;
}

/** The body of a response as UTF-8 text. */
function dechunk(raw: string): string {
  return responseBody(raw).toString('utf8');
}

/**
 * A line-protocol client: after the greeting, sends each line once the
 * answer to the previous one arrived; resolves with everything (UTF-8) when
 * the server closes.
 */
function talk(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = Buffer.alloc(0);
    let answered = 0;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no close; got ${JSON.stringify(data.toString())}`)); }, 10000);
    sock.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      const complete = data.toString('latin1').split('\n').length - 1;
      while (answered < complete && answered < lines.length) sock.write(lines[answered++]);
    });
    sock.on('close', () => { clearTimeout(timer); resolve(data.toString('utf8')); });
    sock.on('error', reject);
  });
}

describe('TypeScript API: a JS-only app (spec/apps/api-app.js)', function () {
  let server: RunningServer;
  let httpPort: number;
  let tcpPort: number;

  before(async function () {
    httpPort = await freePort();
    tcpPort = await freePort();
    server = startServer([app('api-app.js'), String(httpPort), String(tcpPort)]);
    await waitUntilServing(httpPort);
  });
  after(killAll);

  it('serves requests from a TS handler: method, path, query, params, headers, cookies', async function () {
    const r = await get(httpPort, '/echo?a=1&a=2&b=%C3%A9', 'User-Agent: UA/1\r\nAccept: text/x\r\nCookie: c=1; d=x%20y\r\nConnection: keep-alive, Close\r\n');
    assert.match(r, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r, /\r\nX-App: api-app\r\n/, 'generateHandler options (staticHeaders) reach the Lua module');
    const j = JSON.parse(dechunk(r)) as Record<string, unknown>;
    assert.deepEqual({ ...j, pid: 0, absent: undefined }, {
      method: 'GET', path: 'echo', query: '?a=1&a=2&b=%C3%A9', get: { a: '1', b: 'é' }, getList: { a: ['1', '2'], b: ['é'] },
      agent: ['UA/1'], accept: 'text/x', flags: true, cookies: { c: '1', d: 'x y' }, host: 'test', pid: 0, absent: undefined,
    });
    assert.deepEqual(j.absent, { headers: [], flag: false, flagOfAbsent: false, value: null }, 'headers not sent, as in Lua');
    assert.notEqual(j.pid, server.pid, 'the handler runs in a forked worker');
  });

  it('keeps the connection alive across requests to a TS handler', async function () {
    const two = 'GET /lua?word=ab HTTP/1.1\r\nHost: t\r\n\r\nGET /lua?word=c HTTP/1.1\r\nHost: t\r\n\r\n';
    const r = await exchange(httpPort, two, { timeout: 10000, done: (d) => completeResponses(d) === 2 });
    assert.equal(r.closed, false);
    const [first, second] = r.data.split(/(?=HTTP\/1\.1 200)/);
    assert.equal(dechunk(first), 'AB-AB-AB', 'lua.call of a Lua global from TS');
    assert.equal(dechunk(second), 'C-C-C');
  });

  it('releases the references each request made: the Lua registry does not grow over 300 requests', async function () {
    const one = 'GET /echo?a=1 HTTP/1.1\r\nHost: t\r\nCookie: c=1\r\n\r\nGET /socket HTTP/1.1\r\nHost: t\r\n\r\n';
    const reg = 'GET /registry HTTP/1.1\r\nHost: t\r\n\r\n';
    // the first requests make what lives for good (the registry's free list head, cached metatables)
    const raw = one + reg + one.repeat(150) + reg;
    const r = await exchange(httpPort, raw, { timeout: 20000, done: (d) => completeResponses(d) === 304 });
    const parts = r.data.split(/(?=HTTP\/1\.1 200 OK\r\n)/);
    assert.equal(parts.length, 304, `304 responses on one connection (closed: ${r.closed})`);
    assert.equal(r.closed, false);
    const before = Number(dechunk(parts[2]));
    const after = Number(dechunk(parts[parts.length - 1]));
    assert.ok(before > 0, `registry entries: ${before}`);
    assert.equal(after, before, 'registry entries before and after 300 requests on one connection (one worker)');
  });

  it('waits through a pollFunction written in TS (Sockets in, io.poll results out)', async function () {
    const got = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(httpPort, '127.0.0.1', () => {
        sock.write('POST /polls HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\n');
        setTimeout(() => sock.write('abc'), 200);
      });
      let d = '';
      sock.on('data', (c: Buffer) => {
        d += c.toString('latin1');
        if (completeResponses(d) === 1) { sock.destroy(); resolve(d); }
      });
      sock.on('error', reject);
      setTimeout(() => reject(new Error(`no answer: ${d}`)), 10000);
    });
    const r = JSON.parse(dechunk(got)) as { body: number; count: number; membersOk: boolean; timeouts: Array<number | null> };
    assert.equal(r.body, 3);
    assert.ok(r.count >= 2, `the wait for the request and for the body went through it (${r.count})`);
    assert.equal(r.membersOk, true);
    // the wait for a request has idle_timeout (65 s), the body wait stall_timeout (60 s)
    assert.deepEqual(r.timeouts.slice(-2), [65, 60]);
  });

  it('gives POST parameters, the raw body and streamed bodies', async function () {
    const form = 'x=1&y=%26&x=2';
    const p = await exchange(httpPort, `POST /post HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`,
      { timeout: 10000, done: (d) => completeResponses(d) === 1 });
    assert.deepEqual(JSON.parse(dechunk(p.data)), { params: { x: '1', y: '&' }, list: { x: ['1', '2'], y: ['&'] } });
    const bin = Buffer.concat([Buffer.from([0x7f, 0, 0xff, 0x80, 1, 2, 3, 4]), Buffer.alloc(70000, 0x61)]);
    const b = await exchange(httpPort, Buffer.concat([Buffer.from(`POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: ${bin.length}\r\n\r\n`), bin]),
      { timeout: 10000, done: (d) => completeResponses(d) === 1 });
    assert.deepEqual(JSON.parse(dechunk(b.data)), { length: bin.length, hex: '7f00ff8001020304' });
    const s = await exchange(httpPort, Buffer.concat([Buffer.from(`POST /stream HTTP/1.1\r\nHost: t\r\nContent-Length: ${bin.length}\r\n\r\n`), bin]),
      { timeout: 10000, done: (d) => completeResponses(d) === 1 });
    const sizes = JSON.parse(dechunk(s.data)) as number[];
    assert.equal(sizes.reduce((a, n) => a + n, 0), bin.length, 'streamRequestBodyNow saw every byte');
  });

  it('runs a program with io.exec from TS: stdin, stdout, stderr, exit status, a missing command', async function () {
    const j = JSON.parse(dechunk(await get(httpPort, '/exec'))) as Record<string, unknown>;
    assert.deepEqual(j, {
      out: 'out from-ts\n', err: 'err\n', status: 3,
      missing: 'IoError: exec: Could not execute: No such file or directory', running: null,
    });
  });

  it('connects and listens from TS (io.tcpconnect, io.tcplisten, Listener.acceptNb), errors as IoError', async function () {
    const echo = net.createServer((s) => s.on('data', (d) => s.end(`echo ${d.toString()}`)));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const p = (echo.address() as net.AddressInfo).port;
      const j = JSON.parse(dechunk(await get(httpPort, `/outward?port=${p}`))) as Record<string, unknown>;
      assert.deepEqual(j, { none: null, refused: 'IoError: tcpconnect: Connection refused', answer: 'echo ping\n', isListener: true });
    } finally {
      echo.close();
    }
  });

  it('sends binary data and reads socket addresses from TS', async function () {
    const r = await get(httpPort, '/binary');
    assert.equal(responseBody(r).toString('hex'), '00ff0a0d80');
    const s = JSON.parse(dechunk(await get(httpPort, '/socket'))) as Record<string, unknown>;
    assert.equal(s.remote, '127.0.0.1');
    assert.equal(s.local, '127.0.0.1');
    assert.equal(s.port, httpPort);
    assert.equal(typeof s.remotePort, 'number');
  });

  it('fails loudly when a handler returns a Promise: the worker ends, the log says why, the server goes on', async function () {
    const r = await exchange(httpPort, 'GET /promise HTTP/1.1\r\nHost: t\r\n\r\n', { timeout: 10000 });
    assert.equal(r.closed, true);
    assert.doesNotMatch(r.data, /^HTTP\/1\.1 200/);
    await waitFor(() => /Error in "connect" function: the HTTP request handler returned a Promise: handlers and functions called from Lua must be synchronous \(workers have no event loop/.test(server.stderr()), 5000, 'the log line');
    assert.match(dechunk(await get(httpPort, '/lua')), /^MOON-MOON-MOON$/);
  });

  it('logs a TS exception with the JS stack and the Lua traceback', async function () {
    await exchange(httpPort, 'GET /throw HTTP/1.1\r\nHost: t\r\n\r\n', { timeout: 10000 });
    await waitFor(() => /Error in "connect" function: handler failed on purpose\n.*JS stack traceback:\n.*at throw \(.*api-app\.js:\d+/s.test(server.stderr()), 5000, 'the JS stack');
    assert.match(server.stderr(), /api-app\.js[^\n]*\n(?:.*\n)*?.*stack traceback:/);
  });

  it('applies timeout() from TS: the worker is killed, the master says so', async function () {
    const r = await exchange(httpPort, 'GET /timeout HTTP/1.1\r\nHost: t\r\n\r\n', { timeout: 10000 });
    assert.equal(r.closed, true);
    await waitFor(() => /exited prematurely due to timeout/.test(server.stderr()), 5000, 'the timeout log line');
  });

  it('serves a TCP line protocol from a TS connect handler with Socket methods', async function () {
    const out = await talk(tcpPort, ['abc\n', 'nb\n', 'déf\n', 'quit\n']);
    assert.equal(out, 'hello 127.0.0.1\nABC\nnb block 0\nDÉF\nbye\n');
    assert.match(server.stderr(), /\[Pool #2, PID \d+\] api-app worker \d+ prepared/, 'the prepare handler ran in the workers');
  });
});

describe('TypeScript API: a Lua app with routes in a TS module (spec/apps/api-mixed.lua + tsroutes.js)', function () {
  let server: RunningServer;
  let port: number;

  before(async function () {
    port = await freePort();
    server = startServer([app('api-mixed.lua'), String(port)]);
    await waitUntilServing(port);
  });
  after(killAll);

  it('finds tsroutes.js next to the app with require and hands it a request', async function () {
    const r = await get(port, '/ts?name=Ada');
    assert.match(r, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(dechunk(r), 'hello from TypeScript, Ada (GET /ts)\n');
    assert.equal(dechunk(await get(port, '/elsewhere')), 'lua route elsewhere');
    assert.equal(dechunk(await get(port, '/override?name=Bo')), '[hello from TypeScript, Bo (GET /override)\n]', 'a method the app set on the request table');
  });

  it('lets TS call a Lua function it was given, with a JS object as its argument', async function () {
    assert.equal(dechunk(await get(port, '/render')), '<h1>Items</h1><ul><li>A&lt;B</li><li>C</li></ul>');
  });

  it('returns several results to Lua, and TS errors Lua can pcall', async function () {
    assert.equal(dechunk(await get(port, '/split?s=k%3Dv%3Dw')), 'k|v=w');
    assert.match(dechunk(await get(port, '/split-error')), /^false\|no "=" in "nothing"\nJS stack traceback:\n\tat split \(/);
  });

  it('gives require "js" (fengari-interop) to Lua code', async function () {
    assert.equal(dechunk(await get(port, '/js')), '8');
  });

  it('keeps require\'s message for a missing module PUC Lua\'s, and logs a hint for C modules', async function () {
    const m = dechunk(await get(port, '/cmodule'));
    assert.match(m, /^module 'lfs' not found:\n\tno field package\.preload\['lfs'\]\n\tno file '/);
    const port2 = await freePort();
    const failing = startServer([app('api-cmodule.lua'), String(port2)]);
    assert.equal(await within(failing.exited, 10000, 'exit'), 3);
    assert.match(failing.stderr(), /Error while executing "[^"]*api-cmodule\.lua": [^\n]*module 'lfs' not found:/);
    assert.match(failing.stderr(), /If "lfs" is a C module: moonbridge-lua cannot load C modules; write a replacement in JavaScript or TypeScript with defineLuaModule and put it next to the app as lfs\.js/);
    void server;
  });
});
