/**
 * The native addon (native/*.cc) against real syscalls. Tests that change
 * process-global state (fork, signal handlers, interval timers that fire) run
 * in a separate node process.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native, isErrnoError, type ErrnoError, type NativeBinding } from '../src/native/binding';

const n: NativeBinding = native();
const C = n.constants;

/** The compiled binding module, for the subprocess scripts. */
const BINDING_JS = path.resolve(__dirname, '..', 'src', 'native', 'binding.js');

interface ScriptResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a script in a fork-safe node (single-threaded V8). The script gets `n`
 * (the binding) and `C` (its constants) and should print "CHILD <pid>" for
 * every process it forks, so that leftovers can be killed on a timeout.
 */
function runScript(body: string): ScriptResult {
  const script = `'use strict';\nconst n = require(${JSON.stringify(BINDING_JS)}).native();\nconst C = n.constants;\n${body}\n`;
  const res = spawnSync(process.execPath, ['--single-threaded', '--v8-pool-size=1', '-e', script], {
    encoding: 'utf8',
    timeout: 10000,
    killSignal: 'SIGKILL',
  });
  if (res.error !== undefined || res.signal !== null) {
    for (const m of (res.stdout ?? '').matchAll(/^CHILD (\d+)$/gm)) {
      try {
        process.kill(Number(m[1]), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  return { status: res.status, signal: res.signal, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}

/** The value printed as "RESULT <json>" by a script. */
function resultOf(res: ScriptResult): Record<string, unknown> {
  const m = /^RESULT (.*)$/m.exec(res.stdout);
  assert.ok(m, `no RESULT line (status ${res.status}, signal ${res.signal}):\n${res.stdout}\n${res.stderr}`);
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(m[1]) as Record<string, unknown>;
}

function expectErrno(fn: () => unknown, code: string, syscall?: string): ErrnoError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(isErrnoError(caught), `expected an errno error ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.ok(caught.errno > 0);
  if (syscall !== undefined) assert.equal(caught.syscall, syscall);
  return caught;
}

describe('native addon', () => {
  const open: number[] = [];
  /** Registers fds for closing after the test. */
  function track<T extends number | [number, number]>(fds: T): T {
    if (typeof fds === 'number') open.push(fds);
    else open.push(fds[0], fds[1]);
    return fds;
  }
  /** Closes a tracked fd now (so that afterEach never closes a reused number). */
  function closeFd(fd: number): void {
    const i = open.indexOf(fd);
    if (i >= 0) open.splice(i, 1);
    n.close(fd);
  }
  afterEach(() => {
    for (const fd of open.splice(0)) {
      try {
        n.close(fd);
      } catch {
        // already closed
      }
    }
  });

  /** Polls one fd; returns revents (0 on timeout). */
  function pollOne(fd: number, events: number, timeoutMs: number): number {
    // -2 is EINTR: a signal (SIGCHLD of an earlier test's child) cut the wait short.
    for (;;) {
      const revents = new Int16Array(1);
      const r = n.poll(Int32Array.of(fd), Int16Array.of(events), revents, 1, timeoutMs);
      if (r === -2) continue;
      assert.ok(r === 0 || r === 1, `poll returned ${r}`);
      return revents[0];
    }
  }

  describe('constants', () => {
    it('has every constant as a number', () => {
      const names = [
        'AF_INET', 'AF_INET6', 'AF_UNIX', 'SOCK_STREAM', 'SOCK_DGRAM', 'SOL_SOCKET', 'SO_REUSEADDR',
        'SO_KEEPALIVE', 'SO_RCVBUF', 'SO_SNDBUF', 'SO_ERROR', 'IPPROTO_TCP', 'IPPROTO_IPV6', 'IPV6_V6ONLY',
        'TCP_NODELAY', 'TCP_CORK', 'SHUT_RD', 'SHUT_WR', 'SHUT_RDWR', 'POLLIN', 'POLLOUT', 'POLLERR', 'POLLHUP',
        'POLLNVAL', 'WNOHANG', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGPIPE', 'SIGALRM', 'SIGTERM',
        'SIGCHLD', 'SIGUSR1', 'SIGUSR2', 'ITIMER_REAL', 'ITIMER_VIRTUAL', 'ITIMER_PROF', 'EAGAIN', 'EINTR',
        'EINPROGRESS', 'ECONNABORTED', 'ENOENT', 'ESRCH', 'ECHILD',
      ];
      for (const name of names) {
        assert.equal(typeof (C as Record<string, number>)[name], 'number', name);
      }
      assert.equal(C.SIGTERM, 15);
      assert.equal(C.SIGKILL, 9);
      assert.equal(C.POLLIN, 1);
    });
  });

  describe('file descriptors', () => {
    it('round-trips bytes over a socketpair, honouring offsets of Buffer slices', () => {
      const [a, b] = track(n.socketpair(C.AF_UNIX, C.SOCK_STREAM, true));
      assert.equal(n.write(a, Buffer.from('xxhello'), 2, 5), 5);
      const big = Buffer.alloc(32, 0x2e);
      const slice = big.subarray(10, 20);
      assert.equal(n.read(b, slice, 3, 7), 5);
      assert.equal(big.toString('latin1', 13, 18), 'hello');
      assert.equal(big[12], 0x2e);
      assert.equal(big[18], 0x2e);
      // A plain Uint8Array works too.
      assert.equal(n.write(b, new Uint8Array([1, 2, 3]), 0, 3), 3);
      const u = new Uint8Array(3);
      assert.equal(n.read(a, u, 0, 3), 3);
      assert.deepEqual([...u], [1, 2, 3]);
    });

    it('returns -1 when a non-blocking read would block', () => {
      const [a, b] = track(n.socketpair(C.AF_UNIX, C.SOCK_STREAM, true));
      assert.equal(n.read(b, Buffer.alloc(8), 0, 8), -1);
      assert.equal(n.recvmsg(a, Buffer.alloc(8), 0, 8).bytes, -1);
    });

    it('rejects out-of-range offsets and wrong argument types', () => {
      const [a] = track(n.socketpair(C.AF_UNIX, C.SOCK_STREAM, true));
      const buf = Buffer.alloc(8).subarray(2, 6);
      assert.throws(() => n.read(a, buf, 0, 5), RangeError);
      assert.throws(() => n.read(a, buf, 4, 1), RangeError);
      assert.throws(() => n.write(a, buf, -1, 1), RangeError);
      assert.throws(() => n.write(a, buf, 0.5, 1), RangeError);
      assert.throws(() => n.sendmsg(a, buf, 2, 3, -1), RangeError);
      assert.throws(() => n.recvmsg(a, buf, 0, 9), RangeError);
      assert.throws(() => n.read(a, [1, 2] as unknown as Uint8Array, 0, 1), TypeError);
      assert.throws(() => n.read('x' as unknown as number, buf, 0, 1), TypeError);
      assert.throws(() => n.writev(a, [new Uint16Array(2) as unknown as Uint8Array]), TypeError);
      assert.throws(() => n.socket(C.AF_INET, C.SOCK_STREAM, 1 as unknown as boolean), TypeError);
    });

    it('polls for readiness and times out', () => {
      const [a, b] = track(n.socketpair(C.AF_UNIX, C.SOCK_STREAM, true));
      const t0 = n.monotonic();
      assert.equal(pollOne(b, C.POLLIN, 60), 0);
      assert.ok(n.monotonic() - t0 >= 0.05);
      assert.equal(pollOne(a, C.POLLOUT, 0) & C.POLLOUT, C.POLLOUT);
      n.write(a, Buffer.from('!'), 0, 1);
      assert.equal(pollOne(b, C.POLLIN, 1000) & C.POLLIN, C.POLLIN);
      // n smaller than the arrays; entries past n are left alone.
      const revents = Int16Array.of(0, 77);
      assert.equal(n.poll(Int32Array.of(b, b), Int16Array.of(C.POLLIN, C.POLLIN), revents, 1, 0), 1);
      assert.equal(revents[1], 77);
      assert.throws(() => n.poll(Int32Array.of(b), Int16Array.of(C.POLLIN), new Int16Array(1), 2, 0), RangeError);
      // More entries than fit on the stack, including a closed fd.
      const count = 100;
      const fds = new Int32Array(count).fill(b);
      fds[count - 1] = 1000000;
      const many = new Int16Array(count);
      assert.equal(n.poll(fds, new Int16Array(count).fill(C.POLLIN), many, count, 0), count);
      assert.equal(many[0] & C.POLLIN, C.POLLIN);
      assert.equal(many[count - 1], C.POLLNVAL);
    });

    it('writes vectors, at most 1024 buffers at a time', () => {
      const [a, b] = track(n.socketpair(C.AF_UNIX, C.SOCK_STREAM, true));
      const parts = [Buffer.from('ab'), new Uint8Array(0), Buffer.from('__cde__').subarray(2, 5), Buffer.from('f')];
      assert.equal(n.writev(a, parts), 6);
      const buf = Buffer.alloc(16);
      assert.equal(n.read(b, buf, 0, 16), 6);
      assert.equal(buf.toString('latin1', 0, 6), 'abcdef');
      const ones = Array.from({ length: 1100 }, () => Buffer.from('x'));
      assert.equal(n.writev(a, ones), 1024);
      assert.equal(n.read(b, Buffer.alloc(2048), 0, 2048), 1024);
      assert.equal(n.writev(a, []), 0);
    });

    it('pipes, dups, flags and tty checks', () => {
      const [r, w] = track(n.pipe());
      assert.ok(n.isOpen(r) && n.isOpen(w));
      const d = track(n.dup(w));
      assert.notEqual(d, w);
      n.setNonBlocking(r, true);
      assert.equal(n.read(r, Buffer.alloc(1), 0, 1), -1);
      n.setNonBlocking(r, false);
      n.setNonBlocking(r, true);
      n.setCloexec(d, false);
      n.setCloexec(d, true);
      const [, w2] = track(n.pipe());
      assert.equal(n.dup2(d, w2), w2);
      assert.equal(n.write(w2, Buffer.from('z'), 0, 1), 1);
      const one = Buffer.alloc(1);
      assert.equal(n.read(r, one, 0, 1), 1);
      assert.equal(one.toString(), 'z');
      assert.equal(n.isatty(r), false);
      closeFd(d);
      assert.equal(n.isOpen(d), false);
      assert.equal(n.isOpen(-1), false);
      // The write ends are all closed: EOF.
      closeFd(w);
      closeFd(w2);
      assert.equal(n.read(r, one, 0, 1), 0);
    });
  });

  describe('errors', () => {
    it('carries errno, code, syscall and strerror', () => {
      const err = expectErrno(() => n.close(-1), 'EBADF', 'close');
      assert.equal(err.errno, 9);
      assert.equal(err.strerror, 'Bad file descriptor');
      assert.equal(err.message, 'close: Bad file descriptor');
      assert.ok(err instanceof Error);
      expectErrno(() => n.read(-1, Buffer.alloc(1), 0, 1), 'EBADF', 'read');
      expectErrno(() => n.kill(0x7ffffff0, 0), 'ESRCH', 'kill');
    });

    it('rejects invalid IP addresses and long Unix paths', () => {
      const fd = track(n.socket(C.AF_INET, C.SOCK_STREAM, true));
      const err = expectErrno(() => n.bindInet(fd, C.AF_INET, '999.1.1.1', 0), 'EINVAL');
      assert.equal(err.message, 'invalid IP address: 999.1.1.1');
      expectErrno(() => n.connectInet(fd, C.AF_INET, '::1', 1), 'EINVAL');
      assert.throws(() => n.bindInet(fd, C.AF_INET, '127.0.0.1', 70000), RangeError);
      const u = track(n.socket(C.AF_UNIX, C.SOCK_STREAM, true));
      expectErrno(() => n.bindUnix(u, '/tmp/' + 'x'.repeat(103)), 'ENAMETOOLONG', 'bind');
      expectErrno(() => n.connectUnix(u, '/nonexistent/moonbridge.sock'), 'ENOENT', 'connect');
    });
  });

  describe('sockets', () => {
    it('listens, connects and accepts over TCP/IPv4', () => {
      const l = track(n.socket(C.AF_INET, C.SOCK_STREAM, true));
      n.setsockoptInt(l, C.SOL_SOCKET, C.SO_REUSEADDR, 1);
      n.bindInet(l, C.AF_INET, '127.0.0.1', 0);
      n.listen(l, 16);
      const local = n.getsockname(l);
      assert.equal(local.family, 'inet');
      assert.equal(local.address, '127.0.0.1');
      assert.ok(local.port > 0);
      assert.equal(n.accept(l, true), -1);

      const c = track(n.socket(C.AF_INET, C.SOCK_STREAM, true));
      const r = n.connectInet(c, C.AF_INET, '127.0.0.1', local.port);
      assert.ok(r === 0 || r === -1, `connect returned ${r}`);
      assert.equal(pollOne(c, C.POLLOUT, 2000) & C.POLLOUT, C.POLLOUT);
      assert.equal(n.getsockoptInt(c, C.SOL_SOCKET, C.SO_ERROR), 0);
      assert.equal(pollOne(l, C.POLLIN, 2000) & C.POLLIN, C.POLLIN);
      const s = track(n.accept(l, true));
      assert.ok(s >= 0);

      const peer = n.getpeername(s);
      const mine = n.getsockname(c);
      assert.deepEqual(peer, { family: 'inet', address: '127.0.0.1', port: mine.port });
      assert.deepEqual(n.getpeername(c), local);

      assert.equal(n.write(c, Buffer.from('ping'), 0, 4), 4);
      assert.equal(pollOne(s, C.POLLIN, 2000) & C.POLLIN, C.POLLIN);
      const buf = Buffer.alloc(8);
      assert.equal(n.read(s, buf, 0, 8), 4);
      assert.equal(buf.toString('latin1', 0, 4), 'ping');
    });

    it('listens, connects and accepts over TCP/IPv6 (::1)', function (this: Mocha.Context) {
      let l: number;
      try {
        l = track(n.socket(C.AF_INET6, C.SOCK_STREAM, false));
        n.bindInet(l, C.AF_INET6, '::1', 0);
      } catch (err) {
        if (isErrnoError(err) && ['EAFNOSUPPORT', 'EADDRNOTAVAIL'].includes(err.code)) this.skip();
        throw err;
      }
      n.listen(l, 16);
      const local = n.getsockname(l);
      assert.equal(local.family, 'inet6');
      assert.equal(local.address, '::1');
      const c = track(n.socket(C.AF_INET6, C.SOCK_STREAM, false));
      assert.equal(n.connectInet(c, C.AF_INET6, '::1', local.port), 0);
      const s = track(n.accept(l, false));
      assert.deepEqual(n.getpeername(s), { family: 'inet6', address: '::1', port: n.getsockname(c).port });
      assert.deepEqual(n.getpeername(c), local);
    });

    it('listens, connects and accepts over a Unix socket', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moonbridge-native-'));
      try {
        const file = path.join(dir, 's.sock');
        const l = track(n.socket(C.AF_UNIX, C.SOCK_STREAM, false));
        n.bindUnix(l, file);
        n.listen(l, 4);
        assert.deepEqual(n.getsockname(l), { family: 'unix', address: file, port: 0 });
        const c = track(n.socket(C.AF_UNIX, C.SOCK_STREAM, false));
        assert.equal(n.connectUnix(c, file), 0);
        const s = track(n.accept(l, false));
        assert.deepEqual(n.getpeername(c), { family: 'unix', address: file, port: 0 });
        assert.deepEqual(n.getsockname(c), { family: 'unix', address: '', port: 0 });
        assert.equal(n.write(s, Buffer.from('u'), 0, 1), 1);
        assert.equal(n.read(c, Buffer.alloc(1), 0, 1), 1);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('gives EOF to the peer after shutdown(SHUT_WR)', () => {
      const [a, b] = track(n.socketpair(C.AF_UNIX, C.SOCK_STREAM, true));
      n.write(a, Buffer.from('last'), 0, 4);
      n.shutdown(a, C.SHUT_WR);
      const buf = Buffer.alloc(8);
      assert.equal(n.read(b, buf, 0, 8), 4);
      assert.equal(n.read(b, buf, 0, 8), 0);
      // The other direction still works.
      assert.equal(n.write(b, buf, 0, 1), 1);
      assert.equal(n.read(a, buf, 0, 8), 1);
    });

    it('passes a file descriptor with sendmsg/recvmsg', () => {
      const [a, b] = track(n.socketpair(C.AF_UNIX, C.SOCK_STREAM, true));
      const [r, w] = track(n.pipe());
      assert.equal(n.sendmsg(a, Buffer.from('-fd-'), 1, 2, w), 2);
      const buf = Buffer.alloc(8);
      const got = n.recvmsg(b, buf, 1, 7);
      assert.equal(got.bytes, 2);
      assert.equal(buf.toString('latin1', 1, 3), 'fd');
      assert.ok(got.fd >= 0 && got.fd !== w);
      track(got.fd);
      // The received descriptor is the pipe's write end.
      closeFd(w);
      assert.equal(n.write(got.fd, Buffer.from('via'), 0, 3), 3);
      assert.equal(n.read(r, buf, 0, 8), 3);
      assert.equal(buf.toString('latin1', 0, 3), 'via');
      // Without a descriptor.
      assert.equal(n.sendmsg(a, Buffer.from('x'), 0, 1, -1), 1);
      assert.deepEqual(n.recvmsg(b, buf, 0, 8), { bytes: 1, fd: -1 });
      // EOF.
      n.shutdown(a, C.SHUT_WR);
      assert.deepEqual(n.recvmsg(b, buf, 0, 8), { bytes: 0, fd: -1 });
    });

    it('sets and reads socket options', () => {
      const fd = track(n.socket(C.AF_INET, C.SOCK_STREAM, false));
      assert.equal(n.getsockoptInt(fd, C.IPPROTO_TCP, C.TCP_NODELAY), 0);
      n.setsockoptInt(fd, C.IPPROTO_TCP, C.TCP_NODELAY, 1);
      assert.equal(n.getsockoptInt(fd, C.IPPROTO_TCP, C.TCP_NODELAY), 1);
      n.setsockoptInt(fd, C.SOL_SOCKET, C.SO_KEEPALIVE, 1);
      assert.equal(n.getsockoptInt(fd, C.SOL_SOCKET, C.SO_KEEPALIVE), 1);
      assert.ok(n.getsockoptInt(fd, C.SOL_SOCKET, C.SO_SNDBUF) > 0);
      n.setLinger(fd, true, 0);
      n.setLinger(fd, false, 0);
      expectErrno(() => n.setsockoptInt(-1, C.SOL_SOCKET, C.SO_KEEPALIVE, 1), 'EBADF', 'setsockopt');
      const [p] = track(n.pipe());
      expectErrno(() => n.getsockname(p), 'ENOTSOCK', 'getsockname');
    });

    it('resolves numeric addresses with getaddrinfo and reports failures', () => {
      assert.deepEqual(n.getaddrinfo('127.0.0.1', '80', false, false), [
        { family: 'inet', address: '127.0.0.1', port: 80 },
      ]);
      const passive = n.getaddrinfo(null, '8080', true, false);
      assert.ok(passive.length > 0);
      for (const a of passive) {
        assert.equal(a.port, 8080);
        assert.ok(['0.0.0.0', '::'].includes(a.address), a.address);
      }
      let caught: unknown;
      try {
        n.getaddrinfo('127.0.0.1', 'no-such-service-moonbridge', false, false);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof Error);
      const e = caught as Error & { gaiCode: number; strerror: string; errno: number };
      assert.equal(typeof e.gaiCode, 'number');
      assert.notEqual(e.gaiCode, 0);
      assert.equal(typeof e.strerror, 'string');
      assert.ok(e.strerror.length > 0);
      assert.equal(e.message, `getaddrinfo: ${e.strerror}`);
      assert.equal(e.errno, 0);
    });
  });

  describe('time', () => {
    afterEach(() => {
      n.setitimer(C.ITIMER_REAL, 0, 0);
    });

    it('arms, reads and disarms an interval timer', () => {
      assert.deepEqual(n.getitimer(C.ITIMER_REAL), { value: 0, interval: 0 });
      assert.deepEqual(n.setitimer(C.ITIMER_REAL, 1000, 0.25), { value: 0, interval: 0 });
      const t = n.getitimer(C.ITIMER_REAL);
      assert.ok(t.value > 999 && t.value <= 1000, String(t.value));
      assert.equal(t.interval, 0.25);
      const old = n.setitimer(C.ITIMER_REAL, 0, 0);
      assert.ok(old.value > 999 && old.value <= 1000);
      assert.equal(old.interval, 0.25);
      assert.deepEqual(n.getitimer(C.ITIMER_REAL), { value: 0, interval: 0 });
    });

    it('has a monotonic clock and a CPU clock', () => {
      const a = n.monotonic();
      const until = Date.now() + 5;
      while (Date.now() < until) {
        // spin
      }
      const b = n.monotonic();
      assert.ok(b > a);
      assert.ok(b - a < 5);
      assert.ok(n.cpuTime() > 0);
    });

    it('formats times with strftime', () => {
      assert.equal(n.strftime('%Y', 0, true), '1970');
      assert.equal(n.strftime('%Y-%m-%d %H:%M:%S', 1e9, true), '2001-09-09 01:46:40');
      assert.equal(n.strftime('', 0, true), '');
      assert.equal(n.strftime('%Y', 0.9, true), '1970');
      assert.equal(n.strftime('%%', 0, false), '%');
      assert.equal(n.strftime('%Y'.repeat(5000), 0, true), '1970'.repeat(5000));
      expectErrno(() => n.strftime('%Y'.repeat(20000), 0, true), 'ERANGE', 'strftime');
    });
  });

  describe('processes', function () {
    this.timeout(30000);

    it('reports its pids', () => {
      assert.equal(n.getpid(), process.pid);
      assert.equal(n.getppid(), process.ppid);
    });

    it('forks 20 children in a row, each exiting with _exit(7)', () => {
      const res = runScript(`
        const [r, w] = n.pipe();
        const sp = n.signalPipe();
        const parent = n.getpid();
        const codes = [];
        for (let i = 0; i < 20; i++) {
          const pid = n.fork();
          if (pid === 0) {
            const objs = [];
            for (let j = 0; j < 20000; j++) objs.push({ j, s: 'x' + j, a: [j, j + 1] });
            let ok = objs.length === 20000 && n.getppid() === parent && n.getpid() !== parent;
            ok = ok && !n.isOpen(sp);
            n.write(w, Buffer.from([ok ? i : 100 + i]), 0, 1);
            n._exit(7);
          }
          console.log('CHILD ' + pid);
          const st = n.waitpid(pid, 0);
          codes.push(st.pid === pid && st.exited && !st.signaled ? st.exitCode : -1);
        }
        n.setNonBlocking(r, true);
        const buf = Buffer.alloc(64);
        const got = n.read(r, buf, 0, 64);
        let echild = '';
        try { n.waitpid(-1, C.WNOHANG); } catch (e) { echild = e.code; }
        console.log('RESULT ' + JSON.stringify({ codes, bytes: [...buf.subarray(0, Math.max(got, 0))], echild }));
      `);
      const result = resultOf(res);
      assert.deepEqual(result.codes, new Array(20).fill(7));
      assert.deepEqual(result.bytes, Array.from({ length: 20 }, (_, i) => i));
      assert.equal(result.echild, 'ECHILD');
    });

    it('resets caught signals to the default in a forked child', () => {
      const res = runScript(`
        const sp = n.signalPipe();
        n.signalCatch(C.SIGTERM);
        const pid = n.fork();
        if (pid === 0) {
          // Sleep (bounded); SIGTERM should end this first.
          n.poll(new Int32Array(0), new Int16Array(0), new Int16Array(0), 0, 5000);
          n._exit(0);
        }
        console.log('CHILD ' + pid);
        const early = n.waitpid(pid, C.WNOHANG);
        n.kill(pid, C.SIGTERM);
        const st = n.waitpid(pid, 0);
        const rev = new Int16Array(1);
        const parentCaught = n.poll(Int32Array.of(sp), Int16Array.of(C.POLLIN), rev, 1, 0);
        console.log('RESULT ' + JSON.stringify({ early, st, parentCaught }));
      `);
      const result = resultOf(res);
      assert.equal(result.early, null);
      const st = result.st as { signaled: boolean; signal: number; exited: boolean; coreDumped: boolean };
      assert.equal(st.signaled, true);
      assert.equal(st.signal, 15);
      assert.equal(st.exited, false);
      assert.equal(st.coreDumped, false);
      assert.equal(result.parentCaught, 0);
    });

    it('execs a new image with a clean signal state', () => {
      const res = runScript(`
        let missing = '';
        try { n.execv('/nonexistent/program', ['x']); } catch (e) { missing = e.code + ' ' + e.syscall; }
        const [r, w] = n.pipe();
        const pid = n.fork();
        if (pid === 0) {
          n.dup2(w, 1);
          try {
            n.execv('/bin/sh', ['sh', '-c', 'grep -E "^Sig(Ign|Blk)" /proc/self/status; exit 5']);
          } finally {
            n._exit(99);
          }
        }
        console.log('CHILD ' + pid);
        n.close(w);
        const chunks = [];
        const buf = Buffer.alloc(4096);
        for (;;) {
          const got = n.read(r, buf, 0, buf.length);
          if (got === -2) continue;
          if (got <= 0) break;
          chunks.push(Buffer.from(buf.subarray(0, got)));
        }
        const st = n.waitpid(pid, 0);
        console.log('RESULT ' + JSON.stringify({ missing, exitCode: st.exitCode, out: Buffer.concat(chunks).toString() }));
      `);
      const result = resultOf(res);
      assert.equal(result.missing, 'ENOENT execv');
      assert.equal(result.exitCode, 5);
      const out = String(result.out);
      const ign = /SigIgn:\s*([0-9a-f]+)/.exec(out);
      const blk = /SigBlk:\s*([0-9a-f]+)/.exec(out);
      assert.ok(ign && blk, out);
      const bit = (mask: string, sig: number): boolean => (BigInt('0x' + mask) >> BigInt(sig - 1)) % 2n === 1n;
      assert.equal(bit(ign[1], 13), false, 'SIGPIPE ignored after exec');
      assert.equal(BigInt('0x' + blk[1]), 0n, 'signals blocked after exec');
    });
  });

  describe('signals', () => {
    it('routes a caught signal through the self-pipe', () => {
      const res = runScript(`
        const sp = n.signalPipe();
        const again = n.signalPipe();
        n.signalCatch(C.SIGUSR1);
        n.kill(n.getpid(), C.SIGUSR1);
        const rev = new Int16Array(1);
        const ready = n.poll(Int32Array.of(sp), Int16Array.of(C.POLLIN), rev, 1, 2000);
        const buf = Buffer.alloc(8);
        const got = n.read(sp, buf, 0, 8);
        const empty = n.read(sp, buf, 1, 7);
        n.signalDefault(C.SIGUSR1);
        console.log('RESULT ' + JSON.stringify({ same: sp === again, ready, revents: rev[0], got, byte: buf[0], empty }));
      `);
      const result = resultOf(res);
      assert.equal(result.same, true);
      assert.equal(result.ready, 1);
      assert.equal(result.got, 1);
      assert.equal(result.byte, 10);
      assert.equal(result.empty, -1);
    });

    it('counts signals, interrupts blocking calls and arms sub-microsecond timers', () => {
      const res = runScript(`
        n.signalCount(C.SIGALRM);
        const t0 = n.monotonic();
        n.setitimer(C.ITIMER_REAL, 0.05, 0);
        const interrupted = n.poll(new Int32Array(0), new Int16Array(0), new Int16Array(0), 0, 3000);
        const waited = n.monotonic() - t0;
        const [r] = n.pipe();
        n.setitimer(C.ITIMER_REAL, 0.05, 0);
        const readInterrupted = n.read(r, Buffer.alloc(1), 0, 1);
        const count = n.signalCounter(C.SIGALRM, false);
        const reset = n.signalCounter(C.SIGALRM, true);
        const after = n.signalCounter(C.SIGALRM, false);
        // A positive value below 1 us still arms the timer.
        n.setitimer(C.ITIMER_REAL, 1e-9, 0);
        const deadline = n.monotonic() + 2;
        while (n.signalCounter(C.SIGALRM, false) === 0 && n.monotonic() < deadline) {
          n.poll(new Int32Array(0), new Int16Array(0), new Int16Array(0), 0, 10);
        }
        const tiny = n.signalCounter(C.SIGALRM, true);
        n.signalIgnore(C.SIGUSR2);
        n.kill(n.getpid(), C.SIGUSR2);
        n.signalDefault(C.SIGALRM);
        let bad = '';
        try { n.signalCount(C.SIGKILL); } catch (e) { bad = e.code; }
        console.log('RESULT ' + JSON.stringify({ interrupted, waited, readInterrupted, count, reset, after, tiny, bad }));
      `);
      const result = resultOf(res);
      assert.equal(result.interrupted, -2);
      assert.ok((result.waited as number) < 2.5);
      assert.equal(result.readInterrupted, -2);
      assert.equal(result.count, 2);
      assert.equal(result.reset, 2);
      assert.equal(result.after, 0);
      assert.equal(result.tiny, 1);
      assert.equal(result.bad, 'EINVAL');
    });
  });
});
