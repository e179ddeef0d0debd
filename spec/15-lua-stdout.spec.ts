/**
 * Lua output that is never lost: print and io.write to a non-blocking pipe,
 * a terminal and files arrive complete and in order, also when the process
 * (the master or a worker) ends right after an unflushed write.
 */
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { native } from '../src/native/binding';
import { LAUNCHER, ROOT, app, exchange, freePort, killAll, startServer, waitFor, waitUntilListening, within } from './helpers/server';

function expectedFlood(n: number): string {
  let s = '';
  for (let i = 1; i <= n; i++) {
    s += i % 2 === 0 ? `print\t${i}\t${'p'.repeat(100)}\n` : `write ${i} ${'w'.repeat(100)}\n`;
  }
  return s + 'last words without newline';
}

describe('Lua stdout and files never lose output', function () {
  this.timeout(30000);
  afterEach(killAll);

  it('writes everything, in order, to a non-blocking pipe that is read slowly', async function () {
    const n = native();
    const [r, w] = n.pipe();
    n.setNonBlocking(w, true); // the writer sees EAGAIN whenever the pipe is full
    n.setNonBlocking(r, true);
    const proc = spawn(process.execPath, [LAUNCHER, app('stdio-flood.lua'), '20000'], {
      cwd: ROOT, stdio: ['ignore', w, 'pipe'], detached: true,
    });
    n.close(w);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const chunks: Buffer[] = [];
    const buf = Buffer.allocUnsafe(65536);
    let eof = false;
    let reads = 0;
    try {
      while (!eof) {
        // read slowly: at most one pipe-full every 5 ms
        await new Promise((res) => setTimeout(res, reads++ < 20 ? 50 : 5));
        for (let k = 0; k < 4; k++) {
          const got = n.read(r, buf, 0, buf.length);
          if (got === 0) { eof = true; break; }
          if (got < 0) break;
          chunks.push(Buffer.from(buf.subarray(0, got)));
        }
      }
    } finally {
      n.close(r);
    }
    assert.equal(await within(exited, 10000, 'exit'), 3); // no listener
    const out = Buffer.concat(chunks).toString('latin1');
    const expected = expectedFlood(20000);
    assert.equal(out.length, expected.length, 'byte count');
    assert.ok(out === expected, 'same bytes in the same order');
  });

  it('line-buffers a terminal and flushes the rest at exit', function () {
    // stdout and stderr on one terminal (script(1) makes the pty): complete
    // lines appear at once, before the log line the end of the script causes;
    // the unterminated last write comes at exit.
    const script = spawnSync('script', ['-qec', `${process.execPath} ${LAUNCHER} ${app('stdio-flood.lua')} 4`, '/dev/null'], {
      cwd: ROOT, encoding: 'latin1', timeout: 15000,
    });
    assert.equal(script.status, 3, script.stderr);
    const out = script.stdout.replace(/\r\n/g, '\n').replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+: (Starting|Loading).*\n/gm, '');
    const lines = expectedFlood(4).replace('last words without newline', '');
    assert.equal(out.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+: /, ''),
      `${lines}No listener initialized.\nlast words without newline`);
  });

  it('a worker that ends after unflushed writes has written them: stdout and its own files', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-stdio-'));
    try {
      const port = await freePort();
      const server = startServer([app('stdio-worker.lua'), String(port), dir]);
      await waitUntilListening(port);
      const once = await exchange(port, 'alpha end\n', { done: (d) => d.endsWith('\n') });
      const pid = Number(once.data.trim());
      await waitFor(() => server.stdout().includes(`worker alpha ${pid};`), 5000, 'the worker\'s stdout');
      await waitFor(() => fs.existsSync(path.join(dir, 'alpha.txt')) &&
        fs.readFileSync(path.join(dir, 'alpha.txt'), 'latin1') === `written by ${pid} ${'x'.repeat(100)}`, 5000, 'the worker\'s file');
      // a worker that stays: its output is flushed when the handler returns
      const kept = await exchange(port, 'beta keep\n', { done: (d) => d.endsWith('\n') });
      const keptPid = Number(kept.data.trim());
      await waitFor(() => server.stdout().includes(`worker beta ${keptPid};`), 5000, 'the kept worker\'s stdout');
      await waitFor(() => fs.readFileSync(path.join(dir, 'beta.txt'), 'latin1') === `written by ${keptPid} ${'x'.repeat(100)}`,
        5000, 'the kept worker\'s file');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
