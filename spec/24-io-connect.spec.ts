/**
 * moonbridge_io's outgoing connections and listeners: tcpconnect(_nb) and
 * localconnect(_nb) round trips to servers this test runs (TCP on 127.0.0.1
 * and ::1, a Unix socket), the real server's error messages, tcplisten and
 * locallisten with accept, accept_nb and poll, in every phase (main chunk,
 * prepare, connect, finish, interval and main handlers), and the lifetime of
 * what a handler leaves open (descriptor counts stay flat).
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import {
  app, fdCount, freePort, killAll, startServer, waitFor, waitUntilListening, within, type RunningServer,
} from './helpers/server';

/** An echo server answering each line with "<tag> <line>". */
function echoServer(tag: string): net.Server {
  return net.createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        sock.write(`${tag} ${buf.slice(0, i + 1)}`);
        buf = buf.slice(i + 1);
      }
    });
    sock.on('error', () => { /* the app may reset */ });
  });
}

function listenOn(srv: net.Server, where: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(where, () => resolve());
  });
}

/** A command connection to io-connect.lua: send a line, read answer lines. */
class Commander {
  private sock: net.Socket;
  private buf = '';
  private waiters: Array<() => void> = [];

  constructor(port: number) {
    this.sock = net.connect({ port, host: '127.0.0.1' });
    this.sock.on('data', (d) => {
      this.buf += d.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
    this.sock.on('error', () => { /* reported by a timeout */ });
  }

  async line(ms = 10000): Promise<string> {
    return within((async () => {
      for (;;) {
        const i = this.buf.indexOf('\n');
        if (i >= 0) {
          const l = this.buf.slice(0, i);
          this.buf = this.buf.slice(i + 1);
          return l;
        }
        await new Promise<void>((r) => this.waiters.push(r));
      }
    })(), ms, 'an answer line');
  }

  async command(cmd: string, ms = 10000): Promise<string> {
    this.sock.write(`${cmd}\n`);
    return this.line(ms);
  }

  close(): void {
    this.sock.end('\n');
  }
}

/** One line through a fresh TCP or Unix-socket connection. */
function talk(where: net.NetConnectOpts, line: string): Promise<string> {
  return within(new Promise<string>((resolve, reject) => {
    const sock = net.connect(where);
    let data = '';
    sock.on('connect', () => sock.write(`${line}\n`));
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('close', () => resolve(data));
    sock.on('error', reject);
  }), 10000, `an answer to ${line}`);
}

describe('moonbridge_io: tcpconnect, localconnect, tcplisten, locallisten', function () {
  let dir: string;
  let echoPath: string;
  let echo4: net.Server;
  let echo6: net.Server;
  let echoUnix: net.Server;
  let port4: number;
  let port6: number;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-io-connect-'));
    echoPath = path.join(dir, 'echo.sock');
    echo4 = echoServer('v4');
    echo6 = echoServer('v6');
    echoUnix = echoServer('unix');
    await listenOn(echo4, { host: '127.0.0.1', port: 0 });
    await listenOn(echo6, { host: '::1', port: 0, ipv6Only: true });
    await listenOn(echoUnix, { path: echoPath });
    port4 = (echo4.address() as net.AddressInfo).port;
    port6 = (echo6.address() as net.AddressInfo).port;
  });

  after(function () {
    killAll();
    for (const s of [echo4, echo6, echoUnix]) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('from a connect handler', function () {
    let server: RunningServer;
    let port: number;
    let cmd: Commander;

    before(async function () {
      port = await freePort();
      server = startServer([app('io-connect.lua'), String(port)]);
      await waitUntilListening(port);
      cmd = new Commander(port);
    });
    after(function () {
      cmd.close();
      killAll();
    });

    for (const fn of ['tcp', 'tcpnb']) {
      it(`${fn === 'tcp' ? 'tcpconnect' : 'tcpconnect_nb'} echoes a line over IPv4 and IPv6, with the address fields`, async function () {
        const a4 = (await cmd.command(`${fn}|127.0.0.1|${port4}|hello ${fn}`)).split('|');
        assert.deepEqual(a4.slice(0, 5), ['ok', `v4 hello ${fn}`, '127.0.0.1', String(port4), '127.0.0.1']);
        const a6 = (await cmd.command(`${fn}|::1|${port6}|hi6`)).split('|');
        assert.deepEqual(a6.slice(0, 5), ['ok', 'v6 hi6', '::1', String(port6), '::1']);
      });
    }

    it('resolves host names and service names (localhost, a port given as a string)', async function () {
      const a = (await cmd.command(`tcp|localhost|${port4}|named`)).split('|');
      assert.deepEqual(a.slice(0, 2), ['ok', 'v4 named']);
      const s = await cmd.command('tcp|127.0.0.1|no-such-service-name|x');
      assert.equal(s, 'nil|Servname not supported for ai_socktype');
    });

    for (const fn of ['local', 'localnb']) {
      it(`${fn === 'local' ? 'localconnect' : 'localconnect_nb'} echoes a line over a Unix socket (no address fields)`, async function () {
        const a = (await cmd.command(`${fn}|${echoPath}|over unix`)).split('|');
        assert.deepEqual(a, ['ok', 'unix over unix', 'nil', 'nil', 'nil']);
      });
    }

    it('reports a refused port as (nil, "Connection refused"), at once or on the first I/O for _nb', async function () {
      const closed = await freePort();
      assert.equal(await cmd.command(`tcp|127.0.0.1|${closed}|x`), 'nil|Connection refused');
      const nb = await cmd.command(`tcpnb|127.0.0.1|${closed}|x`);
      assert.match(nb, /^(nil|ioerr)\|Connection refused$/);
    });

    it('reports an unknown host with the resolver\'s message', async function () {
      const a = await cmd.command('tcp|no-such-host.invalid|80|x', 15000);
      assert.match(a, /^nil\|(Name or service not known|Temporary failure in name resolution|No address associated with hostname)$/);
    });

    it('reports a missing socket path, and raises for a path too long', async function () {
      for (const fn of ['local', 'localnb']) {
        assert.equal(await cmd.command(`${fn}|${path.join(dir, 'missing.sock')}|x`), 'nil|No such file or directory');
      }
      const long = await cmd.command(`local|/${'x'.repeat(120)}|x`);
      assert.match(long, /^error\|.*Path too long; only 107 characters allowed$/);
    });

    it('tcplisten: accept_nb and poll 0 before a connection, poll wakes, accept echoes; closed listeners raise', async function () {
      const lport = await freePort();
      const ready = await cmd.command(`listen|${lport}`);
      assert.equal(ready, 'ready|false No incoming connection pending|false Timeout');
      assert.equal(await talk({ port: lport, host: '127.0.0.1' }, 'knock'), 'knock\n');
      assert.equal(await cmd.line(), 'done|knock|false Attempt to use a closed listener');
    });

    it('tcplisten reports a port in use', async function () {
      assert.equal(await cmd.command(`listen|${port}`), 'nil|Address already in use');
    });

    it('locallisten replaces a stale socket file, serves, and close leaves the file', async function () {
      const sockPath = path.join(dir, 'listen.sock');
      // a socket file without a listener behind it: its process exited without closing
      const r = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sockPath)}, () => process.exit(0))`], { timeout: 10000 });
      assert.equal(r.status, 0, String(r.stderr));
      assert.ok(fs.lstatSync(sockPath).isSocket(), 'a stale socket file');
      await assert.rejects(talk({ path: sockPath }, 'nobody'), /ECONNREFUSED/);
      const ready = await cmd.command(`locallisten|${sockPath}`);
      assert.equal(ready, 'ready|false No incoming connection pending|false Timeout');
      assert.equal(await talk({ path: sockPath }, 'local knock'), 'local knock\n');
      assert.equal(await cmd.line(), 'done|local knock|false Attempt to use a closed listener');
      assert.ok(fs.lstatSync(sockPath).isSocket(), 'the socket file is still there after close');
    });

    it('closes what a handler run leaves open, and keeps the descriptor count flat over many connects', async function () {
      const pid = Number((await cmd.command('pid')).split('|')[1]);
      assert.ok(pid > 0);
      // a listener left open by a finished run is closed
      const lport = await freePort();
      const other = new Commander(port);
      // the single worker is busy with cmd: finish this command connection first
      cmd.close();
      assert.equal(await other.command(`leak|${lport}`), 'leaked');
      other.close();
      await waitFor(() => new Promise<boolean>((resolve) => {
        const s = net.connect({ port: lport, host: '127.0.0.1' });
        s.on('connect', () => { s.destroy(); resolve(false); });
        s.on('error', () => resolve(true));
      }), 5000, 'the leaked listener to be closed');
      const run = async (): Promise<void> => {
        const c = new Commander(port);
        assert.equal(await c.command(`many|127.0.0.1|${port4}|60`, 20000), 'many|60');
        c.close();
      };
      await run();
      await new Promise((r) => setTimeout(r, 300));
      const before = fdCount(pid);
      for (let i = 0; i < 3; i++) await run();
      await new Promise((r) => setTimeout(r, 300));
      const after = fdCount(pid);
      assert.ok(Math.abs(after - before) <= 2, `descriptors of the worker: ${before} before, ${after} after 180 more connects`);
      assert.equal(server.stderr().includes('Error'), false, server.stderr());
      cmd = new Commander(port);
    });
  });

  describe('in every phase', function () {
    let server: RunningServer;
    let port: number;
    let mainPort: number;
    let intervalPort: number;

    before(async function () {
      port = await freePort();
      mainPort = await freePort();
      intervalPort = await freePort();
      server = startServer([app('io-phases.lua'), String(port), String(mainPort), String(intervalPort), String(port4), echoPath]);
    });
    after(killAll);

    const expectRoundtrip = (phase: string): void => {
      const m = new RegExp(`roundtrip ${phase} (.*)`).exec(server.stderr());
      assert.ok(m, `no roundtrip line for ${phase}: ${server.stderr()}`);
      assert.equal(m[1], `tcp=v4 ${phase}-tcp tcpnb=v4 ${phase}-tcpnb local=unix ${phase}-local localnb=unix ${phase}-localnb`);
    };

    it('main chunk: connects, and serves one connection on a listener (accept_nb, poll, accept)', async function () {
      await waitFor(() => server.stderr().includes('listening main-chunk'), 10000, 'the main chunk\'s listener');
      expectRoundtrip('main-chunk');
      assert.match(server.stderr(), /listening main-chunk false No incoming connection pending false Timeout\n/);
      assert.equal(await talk({ port: mainPort, host: '127.0.0.1' }, 'from test'), 'main-chunk got from test\n');
      await waitFor(() => server.stderr().includes('served main-chunk from test'), 5000, 'served line');
    });

    it('prepare and connect handlers connect; a worker accepts on a listener the master opened', async function () {
      await waitUntilListening(port);
      await waitFor(() => server.stderr().includes('roundtrip prepare'), 10000, 'prepare');
      expectRoundtrip('prepare');
      const sock = net.connect({ port, host: '127.0.0.1' });
      let data = '';
      sock.on('data', (d) => { data += d.toString(); });
      sock.write('shared\n');
      await waitFor(() => data.includes('ok\n'), 10000, 'the connect handler');
      await waitFor(() => server.stderr().includes('listening shared'), 10000, 'the shared listener');
      assert.equal(await talk({ port: mainPort, host: '127.0.0.1' }, 'to shared'), 'shared got to shared\n');
      await waitFor(() => data.includes('bye\n'), 10000, 'bye');
      sock.destroy();
      expectRoundtrip('connect');
      // the handler returned false: the worker runs finish and exits
      await waitFor(() => server.stderr().includes('roundtrip finish'), 10000, 'finish');
      expectRoundtrip('finish');
    });

    it('interval handler: connects, and serves a connection on its own listener', async function () {
      await waitFor(() => server.stderr().includes('listening interval'), 10000, 'the interval listener');
      expectRoundtrip('interval');
      assert.match(server.stderr(), /listening interval false No incoming connection pending false Timeout\n/);
      assert.equal(await talk({ port: intervalPort, host: '127.0.0.1' }, 'tick tock'), 'interval got tick tock\n');
    });

    it('main handler: connects, and tcplisten with a nil host listens on every interface', async function () {
      await waitFor(() => server.stderr().includes('main tcplisten'), 10000, 'the main handler');
      expectRoundtrip('main');
      assert.match(server.stderr(), /main tcplisten nil host true nil\n/);
    });
  });
});
