/**
 * A raw TCP app (no HTTP) on forked workers: moonbridge_io reads and writes
 * on the connection socket, address fields, clean close versus reset, and a
 * crashed worker being replaced.
 */
import { strict as assert } from 'assert';
import { alive, app, exchange, freePort, killAll, startServer, waitFor, waitUntilListening, within, type RunningServer } from './helpers/server';

describe('raw TCP app', function () {
  let server: RunningServer;
  let port: number;

  before(async function () {
    port = await freePort();
    server = startServer(['-s', app('echo.lua'), String(port)]);
    await waitUntilListening(port);
  });
  after(killAll);

  it('reads lines and writes them back, then closes with FIN after the handler returns', async function () {
    const r = await exchange(port, 'hello\nworld\nquit\n', { timeout: 5000 });
    assert.equal(r.data, 'hello\nworld\nbye\n');
    assert.equal(r.closed, true);
    assert.equal(r.reset, false);
  });

  it('gives the socket its address fields as text', async function () {
    const r = await exchange(port, 'addr\nquit\n', { timeout: 5000 });
    const m = /^127\.0\.0\.1 (\d+) 127\.0\.0\.1 (\d+)\nbye\n$/.exec(r.data);
    assert.ok(m, `unexpected answer ${JSON.stringify(r.data)}`);
    assert.equal(Number(m[1]), port);
  });

  it('finish() sends FIN and still reads what the client sends afterwards', async function () {
    const net = await import('net');
    const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let data = '';
    sock.on('data', (d) => { data += d.toString(); });
    const ended = new Promise((r) => sock.on('end', r));
    await new Promise((r) => sock.on('connect', r));
    sock.write('finish\n');
    await within(ended, 5000, 'FIN from the server');
    assert.equal(data, 'finishing\n');
    sock.end('twelve bytes');
    await waitFor(() => /after finish read 12 bytes/.test(server.stderr()), 5000, 'server read after finish');
  });

  it('reset() drops unflushed output and resets the connection', async function () {
    const r = await exchange(port, 'reset\n', { timeout: 5000 });
    assert.equal(r.reset, true);
    assert.equal(r.data, '');
  });

  it('write_nb, flush_nb and read_nb return at once', async function () {
    const r = await exchange(port, 'nb\n', { done: (d) => d.includes('read_nb=') && d.endsWith('\n') });
    assert.equal(r.data, 'nb-written\nqueued=0 left=0 read_nb=block 0\n');
  });

  it('ends the worker after a connection whose handler returned non-true (finish runs, a new worker serves)', async function () {
    const first = await exchange(port, 'once\n', { timeout: 5000 });
    const m = /^pid (\d+)\n$/.exec(first.data);
    assert.ok(m, `unexpected answer ${JSON.stringify(first.data)}`);
    const pid = Number(m[1]);
    await waitFor(() => !alive(pid), 5000, `worker ${pid} to exit`);
    // A zombie already counts as gone; the master logs the exit once it has reaped it.
    await waitFor(() => new RegExp(`Child process in pool #1 with PID ${pid} exited normally`).test(server.stderr()),
      5000, `the exit of worker ${pid} in the log`);
    const again = await exchange(port, 'still serving\nquit\n', { timeout: 5000 });
    assert.equal(again.data, 'still serving\nbye\n');
  });

  it('resets the connection when the handler raises, logs the error and replaces the worker', async function () {
    const r = await exchange(port, 'crash\n', { timeout: 5000 });
    assert.equal(r.reset, true);
    await waitFor(() => /\[Pool #1, PID (\d+)\] Error in "connect" function: .*echo\.lua:\d+: crash requested/.test(server.stderr()), 5000, 'error log');
    await waitFor(() => /Child process in pool #1 with PID \d+ returned with exit code 1/.test(server.stderr()), 5000, 'exit log');
    const again = await exchange(port, 'still there\nquit\n', { timeout: 5000 });
    assert.equal(again.data, 'still there\nbye\n');
  });
});

describe('moonbridge_io _yield methods in a coroutine', function () {
  after(killAll);

  it('yields (handle, mode, first, moonbridge_io) while blocked and resumes to finish the read', async function () {
    const port = await freePort();
    startServer([app('yield-echo.lua'), String(port)]);
    await waitUntilListening(port);
    const net = await import('net');
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    sock.on('data', (d) => { data += d.toString(); });
    const closed = new Promise((r) => sock.on('close', r));
    await new Promise((r) => sock.on('connect', r));
    // Send in pieces so that the read has to wait (and yield) in the middle of a line.
    sock.write('hel');
    await new Promise((r) => setTimeout(r, 100));
    sock.write('lo\nquit\n');
    await within(closed, 5000, 'close');
    assert.equal(data, 'echo: hello\nwaits>0: true\n');
  });
});
