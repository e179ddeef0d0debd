/**
 * A forked HTTP server as its clients see it: bytes on the wire over IPv4
 * and IPv6, keep-alive and pipelining, worker replacement after a handler
 * error, descriptor hygiene, and graceful shutdown.
 */
import { strict as assert } from 'assert';
import {
  alive, app, childPids, completeResponses, exchange, fdCount, freePort, killAll, startServer, waitFor,
  waitUntilServing, within, type RunningServer,
} from './helpers/server';

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;

describe('HTTP server (forked workers)', function () {
  let server: RunningServer;
  let port: number;

  before(async function () {
    port = await freePort();
    server = startServer([app('http.lua'), String(port)]);
    await waitUntilServing(port);
  });
  after(killAll);

  it('answers GET / with 200 and a chunked body', async function () {
    const r = await exchange(port, GET('/'), { done: (d) => completeResponses(d) === 1 });
    assert.equal(r.data,
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n' +
      'd\r\nHello World!\n\r\n0\r\n\r\n');
  });

  it('answers HEAD with the headers of GET and no body', async function () {
    const r = await exchange(port, `HEAD / HTTP/1.1\r\nHost: test\r\n\r\n`, { timeout: 700 });
    assert.equal(r.data, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
    assert.equal(r.closed, false, 'connection stays open after HEAD');
  });

  it('answers unknown paths with 404 and other methods with 405', async function () {
    const nf = await exchange(port, GET('/nowhere'), { done: (d) => completeResponses(d) === 1 });
    assert.match(nf.data, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.match(nf.data, /not found: nowhere\n/);
    const na = await exchange(port, 'DELETE / HTTP/1.1\r\nHost: test\r\n\r\n', { done: (d) => completeResponses(d) === 1 });
    assert.match(na.data, /^HTTP\/1\.1 405 Method Not Allowed\r\nAllow: GET, HEAD, POST\r\n/);
  });

  it('serves two requests on one keep-alive connection', async function () {
    const net = await import('net');
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    sock.on('data', (d) => { data += d.toString('latin1'); });
    await new Promise((r) => sock.on('connect', r));
    sock.write(GET('/'));
    await waitFor(() => completeResponses(data) === 1, 5000, 'first response');
    sock.write(GET('/nowhere'));
    await waitFor(() => completeResponses(data) === 2, 5000, 'second response');
    sock.destroy();
    assert.match(data, /^HTTP\/1\.1 200 OK[\s\S]*HTTP\/1\.1 404 Not Found/);
  });

  it('answers pipelined requests in order', async function () {
    const r = await exchange(port, GET('/') + GET('/pid') + GET('/nowhere'), { done: (d) => completeResponses(d) === 3 });
    const statuses = [...r.data.matchAll(/HTTP\/1\.1 (\d\d\d)/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '200', '404']);
  });

  it('serves IPv6 clients on ::1', async function () {
    const r = await exchange(port, GET('/'), { host: '::1', done: (d) => completeResponses(d) === 1 });
    assert.match(r.data, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Hello World!/);
  });

  it('reads a POST body with Content-Length', async function () {
    const body = 'x'.repeat(70000);
    const r = await exchange(port, `POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      { done: (d) => completeResponses(d) === 1 });
    assert.match(r.data, /^HTTP\/1\.1 200 OK\r\nContent-Length: 70000\r\n\r\n/);
    assert.equal(r.data.slice(r.data.indexOf('\r\n\r\n') + 4), body);
  });

  it('gives the handler path, query, GET and POST parameters and headers', async function () {
    const form = 'b=2&c=x%20y';
    const r = await exchange(port,
      `POST /params?a=1&z=%41 HTTP/1.1\r\nHost: test\r\nUser-Agent: t/1, x\r\nAccept: a\r\naccept: b\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`,
      { done: (d) => completeResponses(d) === 1 });
    const body = r.data.slice(r.data.indexOf('\r\n\r\n') + 4);
    assert.match(body, /a=1&post:b=2&post:c=x y&z=A\n/);
    assert.match(body, /query=\?a=1&z=%41\n/);
    assert.match(body, /ua=t\/1, x\n/);
    assert.match(body, /accept=a\|b\n/);
  });

  it('decodes a chunked request body', async function () {
    const r = await exchange(port,
      'POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n',
      { done: (d) => completeResponses(d) === 1 });
    assert.match(r.data, /^HTTP\/1\.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world$/);
  });

  it('answers "Expect: 100-continue" with 100 Continue once the handler reads the body', async function () {
    const net = await import('net');
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    sock.on('data', (d) => { data += d.toString('latin1'); });
    await new Promise((r) => sock.on('connect', r));
    sock.write('POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    await waitFor(() => data.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), 5000, '100 Continue');
    sock.write('ping');
    await waitFor(() => data.endsWith('ping'), 5000, 'final response');
    sock.destroy();
    assert.equal(data, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nping');
  });

  it('answers a malformed chunked body with 400 alone, even when the handler catches the error', async function () {
    const r = await exchange(port,
      'POST /catch-body-error HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      { timeout: 5000 });
    assert.match(r.data, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(completeResponses(r.data), 1);
    assert.doesNotMatch(r.data, /X-Must-Not-Be-Sent/);
    assert.equal(r.closed, true);
    await waitFor(() => /body error caught: .*Encoding error.*; faulty: true\n/.test(server.stderr()), 5000, 'handler log line');
  });

  it('honours the client\'s "Connection: close" and serves HTTP/1.0', async function () {
    const close = await exchange(port, GET('/', 'Connection: close\r\n'), { timeout: 5000 });
    assert.match(close.data, /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n/);
    assert.equal(close.closed, true);
    const old = await exchange(port, 'GET / HTTP/1.0\r\n\r\n', { timeout: 5000 });
    assert.equal(old.data, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nHello World!\n');
    assert.equal(old.closed, true);
  });

  it('answers malformed requests with Moonbridge\'s error response and closes; the worker lives on', async function () {
    const r = await exchange(port, 'GET / HTTP/1.1\r\n\r\n', { timeout: 5000 });
    assert.equal(r.data, 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n' +
      'Connection: close\r\n\r\n26\r\n400 Bad Request\n\nNo valid host header\n\r\n0\r\n\r\n');
    assert.equal(r.closed, true);
    const v = await exchange(port, 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', { timeout: 5000 });
    assert.match(v.data, /^HTTP\/1\.1 505 HTTP Version Not Supported\r\n/);
    assert.doesNotMatch(server.stderr(), /Error in "connect" function: (?!.*handler failed on purpose)/);
  });

  it('keeps serving after a handler error: the worker exits 1 with a traceback and is replaced', async function () {
    const r = await exchange(port, GET('/error'), { timeout: 5000 });
    assert.equal(r.closed, true);
    assert.equal(r.data, '', 'no response bytes for a failed handler');
    await waitFor(() => /\[Pool #1, PID \d+\] Error in "connect" function: .*http\.lua:\d+: handler failed on purpose/.test(server.stderr()), 5000, 'error log');
    // the traceback can reach stderr in a later chunk than the error line (seen under load)
    await waitFor(() => /stack traceback:/.test(server.stderr()), 5000, 'traceback log');
    await waitFor(() => /Child process in pool #1 with PID \d+ returned with exit code 1/.test(server.stderr()), 5000, 'exit log');
    for (let i = 0; i < 5; i++) {
      const ok = await exchange(port, GET('/'), { done: (d) => completeResponses(d) === 1 });
      assert.match(ok.data, /^HTTP\/1\.1 200 OK/);
    }
  });

  it('does not leak descriptors over 200 sequential connections', async function () {
    this.timeout(60000);
    const before = new Map(childPids(server.pid).map((pid) => [pid, fdCount(pid)]));
    for (let i = 0; i < 200; i++) {
      const r = await exchange(port, GET('/', 'Connection: close\r\n'), { timeout: 5000 });
      assert.match(r.data, /^HTTP\/1\.1 200 OK/);
      assert.equal(r.closed, true);
    }
    // The last connection may still be closing (the worker waits for the client's FIN).
    const grown = (): string[] => [...before].flatMap(([pid, count]) => {
      try {
        return fdCount(pid) > count ? [`worker ${pid} had ${count} descriptors, now ${fdCount(pid)}`] : [];
      } catch {
        return []; // worker exited meanwhile
      }
    });
    await waitFor(() => grown().length === 0, 3000, 'descriptor counts to settle').catch(() => undefined);
    assert.deepEqual(grown(), []);
    const compared = [...before.keys()].filter((pid) => alive(pid)).length;
    assert.ok(compared >= 1, 'at least one worker survived to compare');
  });
});

describe('HTTP server shutdown', function () {
  afterEach(killAll);

  it('SIGTERM: finish handlers run, the master exits 0', async function () {
    const port = await freePort();
    const server = startServer([app('http.lua'), String(port)]);
    await waitUntilServing(port);
    const workers = childPids(server.pid);
    assert.ok(workers.length >= 2, `expected the default 2 workers, saw ${workers.length}`);
    process.kill(server.pid, 'SIGTERM');
    assert.equal(await within(server.exited, 10000, 'master exit'), 0);
    for (const pid of workers) assert.match(server.stderr(), new RegExp(`\\[Pool #1, PID ${pid}\\] finish handler ran in ${pid}`));
    assert.match(server.stderr(), /Initiate shutdown\n[\s\S]*All worker threads have terminated\n[\s\S]*Terminating with exit code 0\n/);
  });

  it('SIGTERM: an idle keep-alive client gets 408 "Server shutdown"', async function () {
    const port = await freePort();
    const server = startServer([app('http.lua'), String(port)]);
    await waitUntilServing(port);
    const net = await import('net');
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const ended = new Promise((r) => sock.on('close', r));
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('error', () => undefined);
    await new Promise((r) => sock.on('connect', r));
    sock.write(GET('/'));
    await waitFor(() => completeResponses(data) === 1, 5000, 'response');
    process.kill(server.pid, 'SIGTERM');
    await within(ended, 10000, 'connection close');
    assert.match(data, /HTTP\/1\.1 408 Request Timeout\r\nContent-Type: text\/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n[0-9a-f]+\r\n408 Request Timeout\n\nServer shutdown\n\r\n0\r\n\r\n$/);
    assert.equal(await within(server.exited, 10000, 'master exit'), 0);
  });

  it('SIGINT: fast shutdown kills the workers and exits 0', async function () {
    const port = await freePort();
    const server = startServer([app('http.lua'), String(port)]);
    await waitUntilServing(port);
    const workers = childPids(server.pid);
    process.kill(server.pid, 'SIGINT');
    assert.equal(await within(server.exited, 10000, 'master exit'), 0);
    assert.match(server.stderr(), /Fast shutdown requested/);
    assert.doesNotMatch(server.stderr(), /finish handler ran/);
    await waitFor(() => workers.every((pid) => !alive(pid)), 5000, 'workers gone');
  });
});

describe('examples/helloworld.lua', function () {
  after(killAll);

  it('serves its page on 127.0.0.1 and ::1, 404 elsewhere, 405 for other methods', async function () {
    const port = await freePort();
    startServer([`${__dirname}/../../examples/helloworld.lua`, String(port)]);
    await waitUntilServing(port);
    for (const host of ['127.0.0.1', '::1']) {
      const ok = await exchange(port, GET('/'), { host, done: (d) => completeResponses(d) === 1 });
      assert.match(ok.data, /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/html; charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n/);
      assert.match(ok.data, /<h1>Hello World!<\/h1>/);
    }
    const nf = await exchange(port, GET('/other'), { done: (d) => completeResponses(d) === 1 });
    assert.match(nf.data, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*<h1>404 Not Found<\/h1>/);
    const na = await exchange(port, 'PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', { done: (d) => completeResponses(d) === 1 });
    assert.match(na.data, /^HTTP\/1\.1 405 Method not allowed\r\nAllow: GET, HEAD\r\n/);
  });
});
