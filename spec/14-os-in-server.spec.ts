/**
 * os.exit where only a server shows its effect: in the main chunk it ends
 * the server with that code (PID file removed, daemon included); in a
 * connect handler it ends only that worker, after flushing its Lua output,
 * and the master replaces it and keeps serving.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  alive, app, exchange, freePort, killAll, readPid, startServer, waitFor, waitUntilListening, within, type RunningServer,
} from './helpers/server';

const APP = app('os-exit.lua');

describe('os.exit in the main chunk', function () {
  let dir: string;
  let daemon: number | null = null;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-os-exit-'));
  });
  afterEach(async function () {
    killAll();
    if (daemon !== null && alive(daemon)) {
      try {
        process.kill(-daemon, 'SIGKILL');
      } catch {
        // gone
      }
      process.kill(daemon, 'SIGKILL');
      await waitFor(() => !alive(daemon as number), 5000, 'the daemon to die').catch(() => undefined);
    }
    daemon = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ends the server with that code, flushing Lua output and removing the PID file', async function () {
    const pidFile = path.join(dir, 'server.pid');
    const s = startServer(['-p', pidFile, APP, 'main', '7']);
    assert.equal(await within(s.exited, 10000, 'server exit'), 7);
    assert.equal(s.stdout(), 'main chunk running\nbuffered before os.exit\n');
    assert.doesNotMatch(s.stderr(), /No listener initialized|Error/);
    assert.equal(fs.existsSync(pidFile), false, 'the PID file is removed');
  });

  it('os.exit(0) there exits 0, not 3 like a script without listeners', async function () {
    const s = startServer([APP, 'main', '0']);
    assert.equal(await within(s.exited, 10000, 'server exit'), 0);
    assert.equal(s.stdout(), 'main chunk running\nbuffered before os.exit\n');
  });

  it('ends a daemon (-b) too, removing its PID file', async function () {
    const pidFile = path.join(dir, 'daemon.pid');
    const ownPid = path.join(dir, 'main-chunk.pid');
    const s = startServer(['-b', '-p', pidFile, '-l', path.join(dir, 'daemon.log'), APP, 'main', '5', ownPid]);
    assert.equal(await within(s.exited, 10000, 'launcher exit'), 0);
    daemon = await waitFor(() => readPid(ownPid), 10000, 'the daemon to write its pid');
    assert.notEqual(daemon, s.pid);
    await waitFor(() => !alive(daemon as number), 10000, 'the daemon to end');
    assert.equal(fs.existsSync(pidFile), false, 'the PID file is removed');
  });
});

describe('os.exit in a connect handler', function () {
  let server: RunningServer;
  let port: number;

  before(async function () {
    port = await freePort();
    server = startServer(['-s', APP, 'tcp', String(port)]);
    await waitUntilListening(port);
  });
  after(killAll);

  async function pidOf(request: string): Promise<number> {
    const r = await exchange(port, request, { timeout: 5000 });
    const m = /^pid (\d+)\n$/.exec(r.data);
    assert.ok(m, `unexpected answer ${JSON.stringify(r.data)}`);
    assert.equal(r.closed, true, 'the connection is closed');
    return Number(m[1]);
  }

  it('os.exit(0) ends only that worker; the master logs it and serves the next connection', async function () {
    const pid = await pidOf('exit 0\n');
    await waitFor(() => !alive(pid), 5000, `worker ${pid} to exit`);
    await waitFor(() => new RegExp(`Child process in pool #1 with PID ${pid} exited normally`).test(server.stderr()),
      5000, 'the exit in the log');
    assert.ok(alive(server.pid), 'the master keeps running');
    await waitFor(() => server.stdout().includes(`worker ${pid} leaves with os.exit(0)\n`), 5000, "the worker's flushed output");
    const next = await pidOf('pid\n');
    assert.notEqual(next, pid, 'a new worker serves');
    assert.ok(alive(next));
  });

  it('the worker exits with os.exit\'s code, without running the finish handler', async function () {
    const before = server.stderr().split('finish handler ran').length;
    const pid = await pidOf('exit 9\n');
    await waitFor(() => new RegExp(`Child process in pool #1 with PID ${pid} returned with exit code 9`).test(server.stderr()),
      5000, 'exit code 9 in the log');
    assert.equal(server.stderr().split('finish handler ran').length, before, 'os.exit skips finish');
    assert.ok(server.stdout().includes(`worker ${pid} leaves with os.exit(9)\n`));
    const next = await pidOf('pid\n');
    assert.notEqual(next, pid);
  });

  it('ends on SIGTERM afterwards with exit code 0', async function () {
    server.proc.kill('SIGTERM');
    assert.equal(await within(server.exited, 10000, 'master exit'), 0);
  });
});
