/**
 * The example applications as a new user runs them: each example is started
 * as a real server on a free port, and the checks are what a client sees on
 * the wire (status lines, headers, bodies, protocol replies) and what the
 * server logs.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import {
  ROOT, completeResponses, exchange, freePort, killAll, startServer, waitFor, waitUntilListening, waitUntilServing,
  within, type RunningServer,
} from './helpers/server';

// ------------------------------------------------------------------ helpers

interface Response {
  status: string;
  headers: Array<[string, string]>;
  /** The body, de-chunked, as latin1 text (one char per byte). */
  body: string;
  /** The bytes of the head as received. */
  head: string;
}

/** Splits one complete HTTP response (Content-Length, chunked or bodyless). */
function parseResponse(raw: string): Response {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end >= 0, `no complete head in ${JSON.stringify(raw)}`);
  const head = raw.slice(0, end);
  const [status, ...lines] = head.split('\r\n');
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  });
  let rest = raw.slice(end + 4);
  let body = '';
  if (headers.some(([k, v]) => k === 'transfer-encoding' && v === 'chunked')) {
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, lineEnd), 16);
      if (size === 0) break;
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
  } else {
    body = rest;
  }
  return { status, headers, body, head };
}

/** All values of a response header (lower-case name). */
function headerValues(r: Response, name: string): string[] {
  return r.headers.filter(([k]) => k === name).map(([, v]) => v);
}

/** The single value of a response header; fails if it is missing or repeated. */
function header(r: Response, name: string): string {
  const values = headerValues(r, name);
  assert.equal(values.length, 1, `expected one ${name} header in\n${r.head}`);
  return values[0];
}

/** Sends one HTTP/1.1 request (target, extra header lines, body) and parses the response. */
async function request(
  port: number, method: string, target: string, options: { headers?: string[]; body?: string; host?: string } = {},
): Promise<Response> {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: example.test', ...(options.headers ?? [])];
  if (options.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(options.body, 'latin1')}`);
  const raw = lines.join('\r\n') + '\r\n\r\n' + (options.body ?? '');
  const done = method === 'HEAD'
    ? (d: string): boolean => d.includes('\r\n\r\n')
    : (d: string): boolean => completeResponses(d) === 1;
  const r = await exchange(port, Buffer.from(raw, 'latin1'), { host: options.host, done, timeout: 5000 });
  return parseResponse(r.data);
}

const FORM = 'Content-Type: application/x-www-form-urlencoded';

/** Reads a file of the repository as latin1 text, to compare with a body byte for byte. */
function repoFile(relative: string): string {
  return fs.readFileSync(path.join(ROOT, relative)).toString('latin1');
}

// ------------------------------------------------------------------ webapp

describe('examples/webapp/app.lua', function () {
  let port: number;

  before(async function () {
    port = await freePort();
    // As the README says to run it: a path relative to the working directory.
    startServer(['examples/webapp/app.lua', String(port)]);
    await waitUntilServing(port);
  });
  after(killAll);

  it('serves the home page on 127.0.0.1 and ::1 and starts the visit counter cookie', async function () {
    for (const host of ['127.0.0.1', '::1']) {
      const r = await request(port, 'GET', '/', { host });
      assert.equal(r.status, 'HTTP/1.1 200 OK');
      assert.equal(header(r, 'content-type'), 'text/html; charset=UTF-8');
      assert.equal(header(r, 'x-content-type-options'), 'nosniff');
      assert.equal(header(r, 'set-cookie'), 'visits=1; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax');
      assert.match(r.body, /^<!DOCTYPE html>\n/);
      assert.match(r.body, /Hello, stranger\./);
      assert.match(r.body, /This is visit number 1 of this browser/);
      assert.match(r.body, /<\/html>\n$/);
    }
  });

  it('reads cookies back: counts visits and greets a remembered name, HTML-escaped', async function () {
    const r = await request(port, 'GET', '/', { headers: ['Cookie: visits=41; name=Ada%20%3cL%3e%26'] });
    assert.equal(header(r, 'set-cookie'), 'visits=42; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax');
    assert.match(r.body, /Welcome back, <strong>Ada &lt;L&gt;&amp;<\/strong>!/);
    assert.match(r.body, /This is visit number 42 /);
    const bad = await request(port, 'GET', '/', { headers: ['Cookie: visits=-5x'] });
    assert.match(header(bad, 'set-cookie'), /^visits=1;/);
  });

  it('POST /form, redirect, GET: 303 with Location and Set-Cookie, then the result page and the cookie round trip', async function () {
    const form = await request(port, 'GET', '/form');
    assert.equal(form.status, 'HTTP/1.1 200 OK');
    assert.match(form.body, /<form method="post" action="\/form">/);

    const post = await request(port, 'POST', '/form', { headers: [FORM], body: 'name=%3CAda%3E+&age=36&remember=on' });
    assert.equal(post.status, 'HTTP/1.1 303 See Other');
    assert.equal(header(post, 'location'), '/hello?name=%3cAda%3e&age=36');
    const cookie = header(post, 'set-cookie');
    assert.equal(cookie, 'name=%3cAda%3e; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax');

    const result = await request(port, 'GET', header(post, 'location'));
    assert.equal(result.status, 'HTTP/1.1 200 OK');
    assert.match(result.body, /<h1>Hello, &lt;Ada&gt;!<\/h1>/);
    assert.match(result.body, /<p>36 years young\.<\/p>/);
    assert.doesNotMatch(result.body, /<Ada>/);

    // The browser sends the cookie back: the home page knows the name.
    const home = await request(port, 'GET', '/', { headers: [`Cookie: ${cookie.split(';')[0]}`] });
    assert.match(home.body, /Welcome back, <strong>&lt;Ada&gt;<\/strong>!/);

    // POST /forget deletes it (Max-Age=0) and redirects home.
    const forget = await request(port, 'POST', '/forget', { headers: [FORM], body: '' });
    assert.equal(forget.status, 'HTTP/1.1 303 See Other');
    assert.equal(header(forget, 'location'), '/');
    assert.equal(header(forget, 'set-cookie'), 'name=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
  });

  it('sets no name cookie without "remember me" and accepts a charset parameter', async function () {
    const post = await request(port, 'POST', '/form', {
      headers: ['Content-Type: application/x-www-form-urlencoded; charset=UTF-8'], body: 'name=Grace',
    });
    assert.equal(post.status, 'HTTP/1.1 303 See Other');
    assert.equal(header(post, 'location'), '/hello?name=Grace');
    assert.deepEqual(headerValues(post, 'set-cookie'), []);
    const noName = await request(port, 'GET', '/hello');
    assert.equal(noName.status, 'HTTP/1.1 303 See Other');
    assert.equal(header(noName, 'location'), '/form');
  });

  it('answers invalid input with 422, the messages and the typed values escaped', async function () {
    const r = await request(port, 'POST', '/form', { headers: [FORM], body: 'name=%22%3E%3Cb%3E&age=200' });
    assert.equal(r.status, 'HTTP/1.1 422 Unprocessable Entity');
    assert.match(r.body, /<li>The age must be a whole number from 1 to 150\.<\/li>/);
    assert.match(r.body, /name="name" value="&quot;&gt;&lt;b&gt;"/);
    assert.match(r.body, /name="age" value="200"/);
    assert.doesNotMatch(r.body, /"><b>/);
    const empty = await request(port, 'POST', '/form', { headers: [FORM], body: 'name=++&age=' });
    assert.equal(empty.status, 'HTTP/1.1 422 Unprocessable Entity');
    assert.match(empty.body, /<li>The name is required\.<\/li>/);
  });

  it('answers a form body that is not urlencoded with 415 and keeps the connection usable', async function () {
    const multipart = '--XX\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda\r\n--XX--\r\n';
    const raw =
      `POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: ${multipart.length}\r\n\r\n${multipart}` +
      'GET /static/about.txt HTTP/1.1\r\nHost: t\r\n\r\n';
    const r = await exchange(port, raw, { done: (d) => completeResponses(d) === 2 });
    const first = parseResponse(r.data);
    assert.equal(first.status, 'HTTP/1.1 415 Unsupported Media Type');
    assert.match(first.body, /application\/x-www-form-urlencoded/);
    const second = parseResponse(r.data.slice(r.data.indexOf('HTTP/1.1 200 OK')));
    assert.equal(second.body, repoFile('examples/webapp/static/about.txt'));
    const none = await request(port, 'POST', '/form', { body: 'name=Ada' });
    assert.equal(none.status, 'HTTP/1.1 415 Unsupported Media Type');
  });

  it('answers a body over 16 KiB with 413 (request_body_size_limit)', async function () {
    const r = await request(port, 'POST', '/form', { headers: [FORM], body: 'name=' + 'a'.repeat(17 * 1024) });
    assert.match(r.status, /^HTTP\/1\.1 413 /);
  });

  it('answers 405 with an Allow header for known paths and 404 for unknown ones (path escaped)', async function () {
    const del = await request(port, 'DELETE', '/form');
    assert.equal(del.status, 'HTTP/1.1 405 Method Not Allowed');
    assert.equal(header(del, 'allow'), 'GET, HEAD, POST');
    const get = await request(port, 'GET', '/forget');
    assert.equal(get.status, 'HTTP/1.1 405 Method Not Allowed');
    assert.equal(header(get, 'allow'), 'POST');
    const put = await request(port, 'PUT', '/static/about.txt', { body: 'x' });
    assert.equal(put.status, 'HTTP/1.1 405 Method Not Allowed');
    assert.equal(header(put, 'allow'), 'GET, HEAD');
    const nf = await request(port, 'GET', '/a"b<c>&x');
    assert.equal(nf.status, 'HTTP/1.1 404 Not Found');
    assert.match(nf.body, /Nothing here: \/a&quot;b&lt;c&gt;&amp;x\./);
  });

  it('serves static files byte for byte with Content-Type and Content-Length; HEAD gets the headers only', async function () {
    const files: Array<[string, string]> = [
      ['about.txt', 'text/plain; charset=UTF-8'],
      ['style.css', 'text/css; charset=UTF-8'],
      ['moon.png', 'image/png'],
    ];
    for (const [name, type] of files) {
      const expected = repoFile(`examples/webapp/static/${name}`);
      const r = await request(port, 'GET', `/static/${name}`);
      assert.equal(r.status, 'HTTP/1.1 200 OK');
      assert.equal(header(r, 'content-type'), type);
      assert.equal(header(r, 'content-length'), String(expected.length));
      assert.ok(r.body === expected, `/static/${name} differs from the file`);
      const head = await request(port, 'HEAD', `/static/${name}`);
      assert.equal(head.status, 'HTTP/1.1 200 OK');
      assert.equal(header(head, 'content-length'), String(expected.length));
      assert.equal(head.body, '');
    }
    // The name is percent-decoded before it is looked up.
    const encoded = await request(port, 'GET', '/static/about%2etxt');
    assert.equal(encoded.body, repoFile('examples/webapp/static/about.txt'));
  });

  it('refuses every path that would leave static/ (or name a hidden file or a folder) with 404', async function () {
    const app = repoFile('examples/webapp/app.lua');
    const targets = [
      '/static/../app.lua', '/static/%2e%2e/app.lua', '/static/%2E%2E%2Fapp.lua', '/static/..%2fapp.lua',
      '/static/../../package.json', '/static/%2e%2e/%2e%2e/package.json', '/static/%2fetc%2fpasswd',
      '/static/./about.txt', '/static//about.txt', '/static/.hidden', '/static/about.txt%00.png',
      '/static/..%5capp.lua', '/static/', '/static', '/static/nothing.txt',
    ];
    for (const target of targets) {
      const r = await request(port, 'GET', target);
      assert.equal(r.status, 'HTTP/1.1 404 Not Found', `${target} was not refused`);
      assert.ok(!r.body.includes(app.slice(0, 200)), `${target} served app.lua`);
      assert.doesNotMatch(r.body, /"name":|root:/, `${target} served a file outside static/`);
    }
  });
});

describe('examples/webapp/app.lua started by an absolute path', function () {
  after(killAll);

  it('still finds static/ next to the script', async function () {
    const port = await freePort();
    startServer([path.join(ROOT, 'examples', 'webapp', 'app.lua'), String(port)]);
    await waitUntilServing(port);
    const r = await request(port, 'GET', '/static/moon.png');
    assert.equal(r.status, 'HTTP/1.1 200 OK');
    assert.ok(r.body === repoFile('examples/webapp/static/moon.png'), 'moon.png differs');
  });
});

// ------------------------------------------------------------------ tcp-lines

/** Collects what a raw connection receives until the server closes it (or resets). */
function connectLines(port: number, host = '127.0.0.1'): {
  sock: net.Socket; data(): string; ended: Promise<'fin' | 'reset'>; waitFor(re: RegExp): Promise<void>;
} {
  const sock = net.connect({ port, host });
  let data = '';
  sock.on('data', (d) => { data += d.toString('latin1'); });
  const ended = new Promise<'fin' | 'reset'>((resolve) => {
    sock.on('end', () => resolve('fin'));
    sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNRESET' ? 'reset' : 'fin'));
    sock.on('close', () => resolve('fin'));
  });
  return {
    sock, data: () => data, ended,
    waitFor: (re) => waitFor(() => re.test(data), 5000, `${re} in ${JSON.stringify(data)}`).then(() => undefined),
  };
}

const GREETING = /^\+OK tcp-lines ready, worker (\d+), type HELP\r\n/;

describe('examples/tcp-lines.lua', function () {
  let server: RunningServer;
  let port: number;

  before(async function () {
    port = await freePort();
    // idle timeout 1 s, connection limit 3 s
    server = startServer(['examples/tcp-lines.lua', String(port), '1', '3']);
    await waitUntilListening(port);
  });
  after(killAll);

  it('greets, answers each command (LF or CRLF, any case) and closes with FIN after QUIT', async function () {
    const r = await exchange(port, 'help\r\nECHO hello world\nupper abc Def\nINFO\n\nfoo bar\nQUIT\n', { timeout: 5000 });
    assert.equal(r.closed, true);
    assert.equal(r.reset, false);
    const m = /^\+OK tcp-lines ready, worker (\d+), type HELP\r\n([\s\S]*)$/.exec(r.data);
    assert.ok(m, `unexpected answer ${JSON.stringify(r.data)}`);
    const pid = m[1];
    assert.equal(m[2].replace(/port \d+/, 'port P').replace(/\d+ s left/, 'N s left'),
      '+OK commands:\r\n' +
      '  ECHO <text>   answers <text>\r\n' +
      '  UPPER <text>  answers <text> in upper case\r\n' +
      '  INFO          worker, client address, command count, time left\r\n' +
      '  HELP          this list\r\n' +
      '  QUIT          ends the connection\r\n' +
      '.\r\n' +
      '+OK hello world\r\n' +
      '+OK ABC DEF\r\n' +
      `+OK worker ${pid}, client 127.0.0.1 port P, command 4, N s left\r\n` +
      '-ERR empty line, try HELP\r\n' +
      '-ERR unknown command "FOO", try HELP\r\n' +
      '+OK bye\r\n');
    const left = Number(/(\d+) s left/.exec(m[2])![1]);
    assert.ok(left >= 1 && left <= 3, `timeout() reported ${left} s left of 3`);
  });

  it('answers line by line while the client waits, also for a line sent in pieces', async function () {
    const c = connectLines(port);
    await c.waitFor(GREETING);
    c.sock.write('ECHO one\n');
    await c.waitFor(/\+OK one\r\n$/);
    c.sock.write('ECH');
    await new Promise((r) => setTimeout(r, 100));
    c.sock.write('O two\r\n');
    await c.waitFor(/\+OK two\r\n$/);
    c.sock.write('quit\n');
    assert.equal(await within(c.ended, 5000, 'close after quit'), 'fin');
    assert.match(c.data(), /\+OK one\r\n\+OK two\r\n\+OK bye\r\n$/);
  });

  it('refuses a line longer than 1024 bytes, drops the rest of it and goes on', async function () {
    const r = await exchange(port, 'x'.repeat(3000) + '\nECHO ok\nQUIT\n', { timeout: 5000 });
    assert.match(r.data, new RegExp(GREETING.source + '-ERR line too long \\(at most 1024 bytes\\)\\r\\n\\+OK ok\\r\\n\\+OK bye\\r\\n$'));
    assert.equal(r.closed, true);
  });

  it('answers a last line without newline when the client half-closes (EOF)', async function () {
    const c = connectLines(port);
    c.sock.end('ECHO last words');
    assert.equal(await within(c.ended, 5000, 'close at EOF'), 'fin');
    assert.match(c.data(), new RegExp(GREETING.source + '\\+OK last words\\r\\n$'));
  });

  it('serves IPv6 clients on ::1', async function () {
    const r = await exchange(port, 'ECHO v6\nINFO\nQUIT\n', { host: '::1', timeout: 5000 });
    assert.match(r.data, /\+OK v6\r\n\+OK worker \d+, client ::1 port \d+, command 2, \d+ s left\r\n\+OK bye\r\n$/);
  });

  it('closes an idle connection politely after the idle time', async function () {
    const started = Date.now();
    const c = connectLines(port);
    assert.equal(await within(c.ended, 5000, 'idle close'), 'fin');
    const elapsed = Date.now() - started;
    assert.match(c.data(), new RegExp(GREETING.source + '-ERR idle timeout, closing\\r\\n$'));
    assert.ok(elapsed >= 900 && elapsed < 2900, `closed after ${elapsed} ms, idle time 1 s`);
    await waitFor(() => /\[Pool #1, PID \d+\] client 127\.0\.0\.1 idle for 1 s, closing\n/.test(server.stderr()), 5000, 'idle log line');
  });

  it('ends a connection that outlives timeout(): the worker is killed, the master replaces it', async function () {
    const started = Date.now();
    const c = connectLines(port);
    await c.waitFor(GREETING);
    const pid = GREETING.exec(c.data())![1];
    c.sock.write('ECHO never finished');  // no newline: the read waits for one
    await within(c.ended, 6000, 'connection end at the time limit');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2500, `ended after ${elapsed} ms, limit 3 s`);
    assert.equal(c.data().replace(GREETING, ''), '');
    await waitFor(() => new RegExp(`Child process in pool #1 with PID ${pid} exited prematurely due to timeout`).test(server.stderr()),
      5000, 'timeout log line');
    const again = await exchange(port, 'ECHO still here\nQUIT\n', { timeout: 5000 });
    assert.match(again.data, /\+OK still here\r\n\+OK bye\r\n$/);
  });
});

// ------------------------------------------------------------------ interval-main

/** Seconds in the log lines "<what> at <s> s" of the given text. */
function times(text: string, re: RegExp): number[] {
  return [...text.matchAll(re)].map((m) => Number(m[1]));
}

function gaps(values: number[]): number[] {
  return values.slice(1).map((v, i) => v - values[i]);
}

describe('examples/interval-main.lua', function () {
  afterEach(killAll);

  it('runs the timers (strict on a grid, non-strict after each run), serves HTTP, and shuts down when main returns', async function () {
    const port = await freePort();
    const s = startServer(['examples/interval-main.lua', String(port), '5.5']);
    await waitUntilServing(port);
    const page = await request(port, 'GET', '/');
    assert.equal(page.status, 'HTTP/1.1 200 OK');
    assert.equal(header(page, 'content-type'), 'text/plain; charset=UTF-8');
    assert.match(page.body, /^worker \d+, up \d+\.\d s, request \d+ of this worker\n$/);
    const nf = await request(port, 'GET', '/elsewhere');
    assert.equal(nf.status, 'HTTP/1.1 404 Not Found');

    assert.equal(await within(s.exited, 15000, 'server exit after the main handler returned'), 0);
    const log = s.stderr();
    const out = s.stdout();
    const line = (pool: number, text: string): RegExp =>
      new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+: \\[Pool #${pool}, PID \\d+\\] ${text}$`, 'gm');

    // prepare handlers: once per worker (at least min_fork = 2 HTTP workers: one
    // more is forked when both are busy; max_fork = 2 timer workers; the main worker)
    const httpWorkers = log.match(line(1, 'HTTP worker ready'))?.length ?? 0;
    assert.ok(httpWorkers >= 2 && httpWorkers <= 4, log);
    assert.equal(log.match(line(2, 'timer worker ready'))?.length, 2, log);
    assert.equal(log.match(line(3, 'main worker ready'))?.length, 1, log);
    assert.match(log, line(3, 'main "supervisor" started'));

    // heartbeat (delay 1, not strict, 0.3 s of work): in the log, 1.3 s apart
    const beats = times(log, line(2, 'heartbeat at (\\d+\\.\\d\\d) s \\(run \\d+ of this worker\\)'));
    assert.ok(beats.length >= 3 && beats.length <= 5, `expected 3-5 heartbeats in 5.5 s, saw ${beats.length}\n${log}`);
    for (const gap of gaps(beats)) assert.ok(gap >= 1.25 && gap < 2, `heartbeat gap ${gap.toFixed(2)} s, expected about 1.3`);

    // report (delay 2, strict, 0.5 s of work): on stdout through print, 2 s apart
    const reports = times(out, /^report at (\d+\.\d\d) s: worker \d+, \d+ KiB of Lua memory$/gm);
    assert.ok(reports.length === 2, `expected 2 reports in 5.5 s, saw ${reports.length}\n${out}`);
    for (const gap of gaps(reports)) assert.ok(gap > 1.7 && gap < 2.3, `report gap ${gap.toFixed(2)} s, expected about 2.0`);
    assert.doesNotMatch(log, /report at/, 'print goes to stdout, not to the log');
    assert.doesNotMatch(out, /heartbeat/, 'io.stderr goes to the log, not to stdout');

    // main returned: graceful shutdown, every worker's finish handler ran
    assert.match(log, /\[Pool #3, PID \d+\] main: 5\.5 s are over, returning\n[\s\S]*\[Pool #3, PID \d+\] main worker finished\n[\s\S]*Initiate shutdown\n/);
    const shutdown = log.slice(log.indexOf('Initiate shutdown'));
    const served = [...shutdown.matchAll(line(1, 'HTTP worker finished after (\\d+) requests'))].map((m) => Number(m[1]));
    assert.equal(served.length, httpWorkers, log);
    assert.ok(served.reduce((a, b) => a + b, 0) >= 2, `the workers served at least our 2 GET / (saw ${served})`);
    assert.equal(shutdown.match(line(2, 'timer worker finished after \\d+ runs'))?.length, 2, log);
    assert.match(shutdown, /All worker threads have terminated\n[\s\S]*Terminating with exit code 0\n$/);
  });

  it('without a time limit, the main handler waits until SIGTERM and the server exits 0', async function () {
    const port = await freePort();
    const s = startServer(['examples/interval-main.lua', String(port)]);
    await waitFor(() => /\[Pool #3, PID \d+\] main "supervisor" started\n/.test(s.stderr()), 10000, 'main handler start');
    await waitUntilServing(port);
    process.kill(s.pid, 'SIGTERM');
    assert.equal(await within(s.exited, 10000, 'server exit after SIGTERM'), 0);
    const log = s.stderr();
    assert.match(log, /\[Pool #3, PID \d+\] main: SIGTERM received, returning\n/);
    assert.match(log, /\[Pool #3, PID \d+\] main worker finished\n/);
    assert.match(log, /Initiate shutdown\n[\s\S]*All worker threads have terminated\n[\s\S]*Terminating with exit code 0\n$/);
  });
});

describe('examples/upload.lua', function () {
  this.timeout(30000);
  let port: number;
  let dir: string;

  before(async function () {
    port = await freePort();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-upload-'));
    startServer(['examples/upload.lua', String(port), dir]);
    await waitUntilServing(port);
  });
  after(function () {
    killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the upload form', async function () {
    const r = parseResponse((await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { done: (d) => completeResponses(d) === 1 })).data);
    assert.equal(r.status, 'HTTP/1.1 200 OK');
    assert.match(r.body, /<form method="post" action="\/upload" enctype="multipart\/form-data">/);
  });

  it('stores every uploaded file byte for byte under a safe name, and gives the other fields', async function () {
    const one = Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 7919) % 256));
    const two = Buffer.from('second file\r\n--not the boundary\r\n', 'latin1');
    const b = 'x-upload-boundary';
    const part = (headers: string, data: Buffer | string): Buffer =>
      Buffer.concat([Buffer.from(`--${b}\r\n${headers}\r\n\r\n`, 'latin1'), Buffer.from(data as string), Buffer.from('\r\n', 'latin1')]);
    const body = Buffer.concat([
      part('Content-Disposition: form-data; name="title"', 'Holiday'),
      part('Content-Disposition: form-data; name="file"; filename="photo.bin"\r\nContent-Type: application/octet-stream', one),
      part('Content-Disposition: form-data; name="file"; filename="../../etc/notes.txt"\r\nContent-Type: text/plain', two),
      Buffer.from(`--${b}--\r\n`, 'latin1'),
    ]);
    const req = Buffer.concat([Buffer.from(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${b}\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
    const r = parseResponse((await exchange(port, req, { done: (d) => completeResponses(d) === 1, timeout: 15000 })).data);
    assert.equal(r.body, `title: Holiday\nstored photo.bin (300000 bytes)\nstored notes.txt (${two.length} bytes)\n`);
    assert.ok(fs.readFileSync(path.join(dir, 'photo.bin')).equals(one));
    assert.ok(fs.readFileSync(path.join(dir, 'notes.txt')).equals(two));
  });
});
