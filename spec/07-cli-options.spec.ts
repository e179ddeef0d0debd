/**
 * The remaining command-line options: -p (PID file), -l (locked log file),
 * -f/-i (syslog) and -b (daemon). Real processes; a daemon left behind by a
 * failing test is killed through its PID file in afterEach.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  alive, app, childPids, exchange, freePort, killAll, readPid, startServer, waitFor, waitUntilServing, within,
} from './helpers/server';

/** Waits (bounded) until the PID file holds a pid. */
async function waitForPid(file: string): Promise<number> {
  const pid = await waitFor(() => readPid(file), 10000, `a pid in ${file}`);
  return pid as number;
}

/** SIGKILLs a daemon's process group (setsid made it the leader) and any of its children. */
function killDaemon(pid: number): void {
  for (const target of [-pid, ...childPids(pid), pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe('command-line options -p, -l, -f, -i, -b', function () {
  let dir: string;
  const daemons: number[] = [];

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-cli-options-'));
  });

  afterEach(async function () {
    killAll();
    // A daemon is outside the test's process groups: find it by its PID file.
    const pidFile = path.join(dir, 'daemon.pid');
    const pid = readPid(pidFile);
    if (pid !== null) daemons.push(pid);
    for (const d of daemons.splice(0)) {
      killDaemon(d);
      await waitFor(() => !alive(d), 5000, `daemon ${d} to die`).catch(() => undefined);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('-p writes the master pid, locks the file (second server exits 2) and removes it after SIGTERM', async function () {
    const port = await freePort();
    const pidFile = path.join(dir, 'server.pid');
    const s = startServer(['-p', pidFile, app('http.lua'), String(port)]);
    await waitUntilServing(port);
    assert.equal(fs.readFileSync(pidFile, 'ascii'), `${s.pid}\n`);
    assert.equal(fs.statSync(pidFile).mode & 0o777, 0o644 & ~process.umask());

    const second = startServer(['-p', pidFile, app('http.lua'), String(port)]);
    assert.equal(await within(second.exited, 10000, 'second server exit'), 2);
    assert.equal(second.stderr(), `PID file "${pidFile}" is already locked by process with PID: ${s.pid}\n`);
    assert.equal(fs.readFileSync(pidFile, 'ascii'), `${s.pid}\n`, 'the second server leaves the file alone');

    // Workers do not hold the PID file open.
    for (const w of childPids(s.pid)) {
      const targets = fs.readdirSync(`/proc/${w}/fd`).map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${w}/fd/${fd}`);
        } catch {
          return '';
        }
      });
      assert.ok(!targets.includes(pidFile), `worker ${w} has the PID file open`);
    }

    s.proc.kill('SIGTERM');
    assert.equal(await within(s.exited, 10000, 'master exit'), 0);
    assert.equal(fs.existsSync(pidFile), false);
  });

  it('-p is removed again when start-up fails (exit 3)', async function () {
    const pidFile = path.join(dir, 'server.pid');
    const s = startServer(['-p', pidFile, app('no-listener.lua')]);
    assert.equal(await within(s.exited, 10000, 'exit'), 3);
    assert.equal(fs.existsSync(pidFile), false);
  });

  it('-p in a directory that does not exist exits 3', async function () {
    const pidFile = path.join(dir, 'missing', 'server.pid');
    const s = startServer(['-p', pidFile, app('no-listener.lua')]);
    assert.equal(await within(s.exited, 10000, 'exit'), 3);
    assert.match(s.stderr(), /Could not open PID file ".*missing\/server\.pid": ENOENT/);
  });

  it('-l writes the log to the file, and a second server with the same -l exits 2', async function () {
    const port = await freePort();
    const logFile = path.join(dir, 'server.log');
    const s = startServer(['-l', logFile, app('http.lua'), String(port)]);
    await waitUntilServing(port);
    assert.equal(s.stderr(), '');
    const log = fs.readFileSync(logFile, 'utf8');
    assert.match(log, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+: Starting moonbridge server\n/);
    assert.match(log, /: Pool #1 created\n/);
    assert.equal(fs.statSync(logFile).mode & 0o777, 0o640 & ~process.umask());

    const second = startServer(['-l', logFile, app('http.lua'), String(port)]);
    assert.equal(await within(second.exited, 10000, 'second server exit'), 2);
    assert.equal(second.stderr(), `Logfile "${logFile}" is locked\n`);

    s.proc.kill('SIGTERM');
    assert.equal(await within(s.exited, 10000, 'master exit'), 0);
    assert.match(fs.readFileSync(logFile, 'utf8'), /: Terminating with exit code 0\n$/);
  });

  it('-f USER and -i name are accepted; the server starts and serves', async function () {
    // No syslog daemon is assumed here (/dev/log may be missing): only the
    // options and the unchanged stderr log are checked.
    const port = await freePort();
    const s = startServer(['-f', 'USER', '-i', 'mb-test', app('http.lua'), String(port)]);
    await waitUntilServing(port);
    assert.match(s.stderr(), /: Starting moonbridge server\n/);
    const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', { done: (d) => d.includes('Hello World!') });
    assert.match(r.data, /^HTTP\/1\.1 200 OK/);
    s.proc.kill('SIGTERM');
    assert.equal(await within(s.exited, 10000, 'master exit'), 0);

    const daemonFacility = startServer(['--logfacility=DAEMON', app('no-listener.lua')]);
    assert.equal(await within(daemonFacility.exited, 10000, 'exit'), 3);
    const local = startServer(['-f7', app('no-listener.lua')]);
    assert.equal(await within(local.exited, 10000, 'exit'), 3);
  });

  it('-b: the launcher exits 0 at once, the daemon serves and ends on SIGTERM removing its PID file', async function () {
    const port = await freePort();
    const pidFile = path.join(dir, 'daemon.pid');
    const logFile = path.join(dir, 'daemon.log');
    const started = Date.now();
    const s = startServer(['-b', '-p', pidFile, '-l', logFile, app('http.lua'), String(port)]);
    assert.equal(await within(s.exited, 10000, 'launcher exit'), 0);
    assert.ok(Date.now() - started < 5000, 'the launcher does not wait for the daemon');
    assert.equal(s.stdout(), '');
    assert.equal(s.stderr(), '');

    await waitUntilServing(port);
    const pid = await waitForPid(pidFile);
    daemons.push(pid);
    assert.notEqual(pid, s.pid);
    assert.ok(alive(pid));
    // A new session, stdio on /dev/null.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    assert.equal(Number(fields[3]), pid, 'session id is the daemon pid');
    for (const fd of [0, 1, 2]) assert.equal(fs.readlinkSync(`/proc/${pid}/fd/${fd}`), '/dev/null');

    const r = await exchange(port, 'GET /pid HTTP/1.1\r\nHost: t\r\n\r\n', { done: (d) => /\r\n\r\n\d+/.test(d) });
    assert.match(r.data, /^HTTP\/1\.1 200 OK/);
    assert.match(fs.readFileSync(logFile, 'utf8'), /: Pool #1 created\n/);

    process.kill(pid, 'SIGTERM');
    await waitFor(() => !alive(pid), 10000, 'the daemon to exit');
    assert.equal(fs.existsSync(pidFile), false);
    assert.match(fs.readFileSync(logFile, 'utf8'), /: Terminating with exit code 0\n$/);
  });

  it('-b without -l still starts (logging goes to syslog only)', async function () {
    const port = await freePort();
    const pidFile = path.join(dir, 'daemon.pid');
    const s = startServer(['-b', '-p', pidFile, app('http.lua'), String(port)]);
    assert.equal(await within(s.exited, 10000, 'launcher exit'), 0);
    await waitUntilServing(port);
    const pid = await waitForPid(pidFile);
    daemons.push(pid);
    process.kill(pid, 'SIGINT');
    await waitFor(() => !alive(pid), 10000, 'the daemon to exit');
    assert.equal(fs.existsSync(pidFile), false);
  });
});
