/**
 * moonbridge_io at scale, observed from outside: a Lua coroutine scheduler
 * serving two outbound connections at once with the _yield forms around
 * poll; poll over 2,000 connections (descriptors far above 1023, where
 * Moonbridge's select() stops); and 10,000 connections whose handlers leave
 * outbound connections (and children) behind, with the workers' descriptor
 * counts flat and no zombie processes.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import { app, childPids, fdCount, freePort, killAll, startServer, waitFor, waitUntilListening, type RunningServer } from './helpers/server';

function ask(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no answer to ${line}; got ${JSON.stringify(data)}`)); }, 20000);
    sock.on('connect', () => sock.write(`${line}\n`));
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('close', () => { clearTimeout(timer); resolve(data); });
    sock.on('error', reject);
  });
}

function zombies(pids: number[]): number[] {
  return pids.filter((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    } catch {
      return false;
    }
  });
}

describe('moonbridge_io at scale', function () {
  let server: RunningServer;
  let port: number;
  let peer: net.Server;
  let peerPort: number;
  const peerSockets = new Set<net.Socket>();
  let last: net.Socket | null = null;

  before(async function () {
    // the test's peer: echoes lines back in small pieces with pauses, and remembers the newest connection
    peer = net.createServer((s) => {
      peerSockets.add(s);
      last = s;
      s.on('close', () => peerSockets.delete(s));
      s.on('error', () => undefined);
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString('latin1');
        const eol = buf.indexOf('\n');
        if (eol < 0) return;
        const line = buf.slice(0, eol + 1);
        buf = buf.slice(eol + 1);
        if (line === 'last\n') {
          s.write(line); // the only connection of the 2,000 that gets data
          return;
        }
        let i = 0;
        const next = (): void => {
          if (i >= line.length || s.destroyed) return;
          s.write(line.slice(i, i + 700));
          i += 700;
          setTimeout(next, 5);
        };
        next();
      });
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    peerPort = (peer.address() as net.AddressInfo).port;
    port = await freePort();
    server = startServer([app('io-scale.lua'), String(port)]);
    await waitUntilListening(port);
  });
  after(function () {
    killAll();
    for (const s of peerSockets) s.destroy();
    peer.close();
  });

  it('serves two outbound connections at once from a coroutine scheduler (read_yield, write_yield, flush_yield)', async function () {
    const answer = await ask(port, `sched ${peerPort}`);
    assert.equal(answer, '2003:a:aaaa 2003:b:bbbb\n');
  });

  it('polls 2,000 connections at once (descriptors above 1023) and finds the one with data', async function () {
    this.timeout(60000);
    const answer = await ask(port, `poll ${peerPort} 2000`).catch((e: Error) => `${e.message}\n${server.stderr().slice(-1500)}`);
    assert.equal(answer, 'ready 2000=last\n');
    void last;
  });

  it('cleans up what 10,000 handlers left open: flat descriptor counts, no zombies', async function () {
    this.timeout(180000);
    const round = async (n: number, exec: boolean): Promise<void> => {
      for (let i = 0; i < n; i += 20) {
        const batch = Array.from({ length: Math.min(20, n - i) }, () => ask(port, `leave ${peerPort}${exec ? ' exec' : ''}`));
        for (const a of await Promise.all(batch)) assert.equal(a, 'left\n');
      }
    };
    await round(200, true);
    const workers = childPids(server.pid);
    const before = new Map(workers.map((w) => [w, fdCount(w)]));
    await round(9800, false);
    await round(300, true);
    // the last handler runs may still be ending (the client saw its answer first): settle, bounded
    const grown = (): string[] => [...before].filter(([w]) => fs.existsSync(`/proc/${w}`))
      .filter(([w, n]) => fdCount(w) > n + 2).map(([w, n]) => `worker ${w}: ${n} descriptors before, ${fdCount(w)} after`);
    await waitFor(() => grown().length === 0, 5000, 'flat descriptor counts').catch(() => undefined);
    assert.deepEqual(grown(), [], 'descriptor counts after 10,100 more connections');
    const all = [server.pid, ...childPids(server.pid), ...childPids(server.pid).flatMap(childPids)];
    assert.deepEqual(zombies(all), [], 'no zombie processes');
    const sleepers = childPids(server.pid).flatMap(childPids);
    assert.deepEqual(sleepers, [], 'the children the handlers left were killed and reaped');
    assert.ok(peerSockets.size < 50, `the peer still has ${peerSockets.size} connections from the left-open handles`);
  });
});
