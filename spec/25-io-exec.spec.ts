/**
 * moonbridge_io.exec on forked workers: real programs with their stdin,
 * stdout and stderr as I/O handles (large interleaved output read with
 * poll, stdin fed and finished), kill, wait, wait_nb, wait_call and
 * wait_yield (which really wait), exit codes and signals as the reference
 * gives them, the real server's messages for programs that cannot be
 * executed, PATH search, a child in poll's input set, exec in every phase
 * (main chunk, prepare, connect, interval, finish), and no zombies or
 * leftover children after connections and workers end.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { alive, app, childPids, exchange, fdCount, freePort, killAll, startServer, waitFor, waitUntilListening, type RunningServer } from './helpers/server';

/** The process state letter from /proc (null if gone). */
function state(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Children of pid that are zombies. */
function zombies(pid: number): number[] {
  return childPids(pid).filter((p) => state(p) === 'Z');
}

/** Runs one scenario on its own connection; resolves with what the server wrote before closing. */
async function scenario(port: number, name: string, timeout = 15000): Promise<string> {
  const r = await exchange(port, `${name}\n`, { timeout, done: () => false });
  assert.ok(r.closed, `the connection of scenario ${name} was not closed within ${timeout} ms; got ${JSON.stringify(r.data)}`);
  return r.data;
}

/** A connection that stays open: lines read so far, a way to send, and the end. */
function openConnection(port: number, first: string): { lines: () => string; send: (s: string) => void; ended: Promise<void>; sock: net.Socket } {
  const sock = net.connect({ port, host: '127.0.0.1' }, () => sock.write(first));
  let data = '';
  sock.on('data', (d: Buffer) => { data += d.toString('latin1'); });
  const ended = new Promise<void>((resolve) => {
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
  return { lines: () => data, send: (s) => sock.write(s), ended, sock };
}

describe('moonbridge_io.exec', function () {
  let server: RunningServer;
  let port: number;
  let master: number;
  let binDir: string;

  before(async function () {
    port = await freePort();
    // a program only found through PATH
    binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-exec-'));
    fs.writeFileSync(path.join(binDir, 'mb-exec-test-cmd'), '#!/bin/sh\nprintf "custom[%s][%s]" "$1" "$2"\n', { mode: 0o755 });
    // no #! line: execvp (Moonbridge) runs it with /bin/sh
    fs.writeFileSync(path.join(binDir, 'mb-exec-test-plain'), 'printf "plain[%s]" "$1"\n', { mode: 0o755 });
    server = startServer(['-s', app('exec-app.lua'), String(port)], {
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    });
    await waitUntilListening(port);
    // the launcher re-executes node in place (same pid) unless it had to start a child
    const isMaster = (p: number): boolean => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('--single-threaded');
      } catch {
        return false;
      }
    };
    master = await waitFor(() => (isMaster(server.pid) ? server.pid : childPids(server.pid).find(isMaster)), 5000, 'the master process') as number;
    await waitFor(() => childPids(master).length > 0, 5000, 'the first worker');
  });
  after(function () {
    killAll();
    fs.rmSync(binDir, { recursive: true, force: true });
  });

  it('runs in the main chunk (master) and in prepare', async function () {
    const out = await scenario(port, 'phases');
    assert.match(out, /^main: 0 "main-42\\n"\nprepare: 0 "prepare\\n"\nworker \d+\n$/);
  });

  it('reads more than 1 MB of interleaved stdout and stderr with poll, without deadlock or loss', async function () {
    this.timeout(30000);
    const out = await scenario(port, 'big', 25000);
    assert.equal(out, 'out=1310720 err=1310720 bad=0 multi=true status=0\n');
  });

  it('feeds stdin (1 MiB through cat) and closes it with finish()', async function () {
    const out = await scenario(port, 'cat');
    assert.equal(out, 'written=1048576 read=1048576 same=true status=0\n');
  });

  it('gives exit codes, and minus the signal number for a child killed by a signal', async function () {
    assert.equal(await scenario(port, 'status'), 'statuses 0 7 255 -15 -9 -10\n');
  });

  it('kill() sends SIGKILL by default, returns the child, and a collected child raises', async function () {
    assert.equal(await scenario(port, 'kill'), [
      'kill returns self=true default=-9 term=-15',
      'collected kill: false Attempt to kill an already collected child process',
      'collected wait: false Attempt to wait for an already collected child process',
      '',
    ].join('\n'));
  });

  it('wait_nb() returns false and a notice while the child runs, the status after it exited', async function () {
    assert.equal(await scenario(port, 'waitnb'), [
      'running: false "Process is still running"',
      'exited: 3 nil',
      'again: false Attempt to wait for an already collected child process',
      '',
    ].join('\n'));
  });

  it('reports a program that cannot be executed as the real server does: nil, "Could not execute: ..."', async function () {
    assert.equal(await scenario(port, 'missing'), [
      '/nonexistent/program: nil "Could not execute: No such file or directory"',
      'no-such-command-mb-test: nil "Could not execute: No such file or directory"',
      '/etc/passwd: nil "Could not execute: Permission denied"',
      '/: nil "Could not execute: Permission denied"',
      '',
    ].join('\n'));
  });

  it('searches PATH for the command', async function () {
    assert.equal(await scenario(port, 'path'), 'printf: 0 "a-b"\ncustom: 0 "custom[one][two words]"\nplain: 0 "plain[x y]"\n');
  });

  it('a child in poll\'s input set is ready once it has exited (and poll does not collect it)', async function () {
    assert.equal(await scenario(port, 'poll'), [
      'before: false "Timeout" after: true waited=true status=0',
      'collected poll: false Attempt to poll an already collected child process',
      'mixed: "hi\\n" 4',
      '',
    ].join('\n'));
  });

  it('wait_yield() and wait_call() wait until the child has exited, with the documented waitfunc arguments', async function () {
    assert.equal(await scenario(port, 'yield'), [
      'wait_yield: done 0 yields>1=true',
      'yield args: true',
      'wait_call: 5 calls=1',
      'wait_call exited: 0 called=false',
      'waitfunc error: false from waitfunc',
      'resumed after collection: false Attempt to wait for an already collected child process',
      '',
    ].join('\n'));
  });

  it('gives the child only fds 0-2, handles with handle_mt, and a child_mt/child_pt object that takes fields', async function () {
    assert.equal(await scenario(port, 'fds'), [
      'fds: 0 open: 0 1 2',
      'stdin=userdata same=true handle_mt=true child_mt=true wait_pt=true',
      'extra=42 wait_nb=function',
      '',
    ].join('\n'));
  });

  it('kills and reaps a child the handler did not wait for when the connection ends', async function () {
    const conn = openConnection(port, 'leave\n');
    const worker = Number((await waitFor(() => /^worker (\d+)\n/.exec(conn.lines()), 5000, 'the worker pid'))![1]);
    const sleeper = (await waitFor(() => childPids(worker).find((p) => comm(p) === 'sleep'), 5000, 'the sleeping child')) as number;
    assert.ok(alive(sleeper));
    const zombie = zombies(worker);
    assert.equal(zombie.length, 1, 'the exited, unwaited child is a zombie while the handler runs');
    conn.send('go\n');
    await waitFor(() => conn.lines().includes('returning\n'), 5000, 'the handler to return');
    await waitFor(() => state(sleeper) === null, 5000, `child ${sleeper} to be killed and reaped`);
    await waitFor(() => state(zombie[0]) === null, 5000, `zombie ${zombie[0]} to be reaped`);
    assert.deepEqual(zombies(worker), []);
    assert.ok(alive(worker), 'the worker lives on (the handler returned true)');
    conn.sock.destroy();
  });

  it('kills and reaps the children of a worker that crashed in its handler', async function () {
    const conn = openConnection(port, 'crash\n');
    const worker = Number((await waitFor(() => /^worker (\d+)\n/.exec(conn.lines()), 5000, 'the worker pid'))![1]);
    const sleeper = (await waitFor(() => childPids(worker).find((p) => comm(p) === 'sleep'), 5000, 'the sleeping child')) as number;
    conn.send('go\n');
    await conn.ended;
    await waitFor(() => state(worker) === null, 5000, 'the crashed worker to exit');
    await waitFor(() => state(sleeper) === null, 5000, `child ${sleeper} to be gone`);
    assert.match(server.stderr(), /crash with a running child/);
  });

  it('runs in interval handlers and in finish; their leftover children are killed and reaped', async function () {
    await waitFor(() => /interval exec 0 "interval\\n"/.test(server.stderr()), 10000, 'an interval run');
    const out = await scenario(port, 'once');
    const worker = Number(/^worker (\d+)\n/.exec(out)![1]);
    await waitFor(() => state(worker) === null, 5000, 'the worker to exit after a non-true return');
    const fin = await waitFor(() => new RegExp(`\\[Pool #1, PID ${worker}\\] finish exec 0 "finish\\\\n" left (\\d+)`).exec(server.stderr()), 5000, 'the finish report');
    await waitFor(() => state(Number(fin![1])) === null, 5000, `finish's child ${fin![1]} to be killed and reaped`);
    const left = [...server.stderr().matchAll(/interval exec 0 "interval\\n" left (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(left.length > 0);
    await waitFor(() => left.every((p) => state(p) === null), 5000, `the interval runs' children ${left.join(' ')} to be gone`);
    // neither the interval runs' nor finish's sleeping children are left anywhere
    // (an interval run may be between its exec and its end right now: bounded wait)
    const sleepers = (): number[] => [master, ...childPids(master)].flatMap((p) => childPids(p)).filter((p) => comm(p) === 'sleep');
    await waitFor(() => sleepers().length === 0, 3000, 'no sleeping children left').catch(() => assert.deepEqual(sleepers(), []));
  });

  it('closes the handles of waited-for children when the run ends (no descriptor leak per connection)', async function () {
    const samples = new Map<number, number[]>();
    for (let i = 0; i < 8; i++) {
      await scenario(port, 'waitnb');
      await scenario(port, 'cat');
      const pid = Number(/worker (\d+)/.exec(await scenario(port, 'phases'))![1]);
      await new Promise((r) => setTimeout(r, 20));
      if (state(pid) !== null) samples.set(pid, [...(samples.get(pid) ?? []), fdCount(pid)]);
    }
    const series = [...samples.values()].filter((v) => v.length >= 3);
    assert.ok(series.length > 0, `a worker served several rounds: ${JSON.stringify([...samples])}`);
    // each round opens 7 descriptors per child; an interval run may hold a few at the moment of sampling
    for (const v of series) assert.ok(v[v.length - 1] <= v[0] + 3, `descriptor counts of one worker grow: ${v.join(' ')}`);
  });

  it('leaves no zombies: no Z-state children of the master or its workers', async function () {
    // a few more scenarios with waited and unwaited children first
    await scenario(port, 'status');
    await scenario(port, 'poll');
    await new Promise((r) => setTimeout(r, 300));
    const workers = childPids(master);
    assert.ok(workers.length > 0, `workers found (master ${master}, launcher ${server.pid})`);
    assert.deepEqual(zombies(master), []);
    for (const w of workers) assert.deepEqual(zombies(w), [], `zombie children of worker ${w}`);
    const leftovers = (): string[] => childPids(master).flatMap((w) => childPids(w)).map((p) => `${p} ${comm(p)} ${state(p) ?? ''}`);
    await waitFor(() => leftovers().length === 0, 3000, 'no children of workers left').catch(() => assert.deepEqual(leftovers(), []));
  });
});
