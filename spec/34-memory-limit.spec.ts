/**
 * memory_limit (issue 11): enforced per worker against its private memory
 * (Private_Clean + Private_Dirty of /proc/self/smaps_rollup). A handler
 * that takes a worker past it fails with "not enough memory", the worker
 * exits with status 1 and the master replaces it; handlers under the limit
 * are served as usual. Both HTTP drivers check it (the native one and the
 * Lua one of a poll_function), and so does the return of a handler. Also
 * the heap flags the launcher adds for lean workers, and how a user's own
 * flags override them.
 */
import { strict as assert } from 'assert';
import { serverNodeFlags } from '../src/server/fork';
import { privateMemoryBytes } from '../src/server/memory-limit';
import {
  alive, app, completeResponses, exchange, freePort, killAll, startServer, waitFor, waitUntilListening, type RunningServer,
} from './helpers/server';

const APP = app('memory-limit.lua');
const MiB = 1024 * 1024;
/** Well above an idle worker's private memory (about 6-8 MiB), well below what /grow?mb=64 takes. */
const LIMIT = 40 * MiB;

function get(target: string, close = true): string {
  return `GET ${target} HTTP/1.1\r\nHost: x\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
}

function bodyOf(raw: string): string {
  const at = raw.indexOf('\r\n\r\n');
  assert.ok(at >= 0, `no HTTP response in ${JSON.stringify(raw.slice(0, 200))}`);
  const head = raw.slice(0, at);
  const rest = raw.slice(at + 4);
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return rest;
  let body = '';
  let pos = 0;
  for (;;) {
    const eol = rest.indexOf('\r\n', pos);
    const size = parseInt(rest.slice(pos, eol), 16);
    if (!(size > 0)) return body;
    body += rest.slice(eol + 2, eol + 2 + size);
    pos = eol + 2 + size + 2;
  }
}

describe('memory_limit', function () {
  this.timeout(60000);

  it('is measured as private memory from /proc/self/smaps_rollup', function () {
    const bytes = privateMemoryBytes();
    assert.ok(bytes > MiB && bytes < 2048 * MiB, `implausible private memory ${bytes}`);
  });

  for (const driver of ['native', 'poll'] as const) {
    describe(`in an HTTP handler (${driver} driver)`, function () {
      let server: RunningServer;
      let port: number;

      before(async function () {
        port = await freePort();
        server = startServer(['-s', APP, String(port), String(LIMIT), driver]);
        await waitUntilListening(port);
      });
      after(killAll);

      async function pid(): Promise<number> {
        const r = await exchange(port, get('/pid'), { timeout: 10000, done: (d) => completeResponses(d) >= 1 });
        const body = bodyOf(r.data);
        assert.match(body, /^\d+$/, `unexpected /pid answer ${JSON.stringify(r.data)}`);
        return Number(body);
      }

      async function failedWorker(p: number): Promise<void> {
        await waitFor(() => server.stderr().includes(`[Pool #1, PID ${p}] Error in "connect" function: not enough memory`),
          10000, `"not enough memory" from worker ${p} in the log`);
        await waitFor(() => server.stderr().includes(`Child process in pool #1 with PID ${p} returned with exit code 1`),
          10000, `exit code 1 of worker ${p} in the log`);
        await waitFor(() => !alive(p), 5000, `worker ${p} to be gone`);
      }

      it('serves handlers under the limit, the worker keeps serving', async function () {
        const r = await exchange(port, get('/pid', false) + get('/pid', false) + get('/pid'), {
          timeout: 10000, done: (d) => completeResponses(d) >= 3,
        });
        assert.equal(completeResponses(r.data), 3);
        const first = await pid();
        assert.ok(alive(first));
        assert.doesNotMatch(server.stderr(), /not enough memory/);
      });

      it('a handler past the limit: "not enough memory", exit status 1, a replacement serves the next connection', async function () {
        const r = await exchange(port, get('/grow?mb=64'), { timeout: 20000, done: (d) => completeResponses(d) >= 1 });
        const m = /^grew 64 pid (\d+)$/.exec(bodyOf(r.data));
        assert.ok(m, `unexpected /grow answer ${JSON.stringify(r.data)}`);
        const grown = Number(m[1]);
        await failedWorker(grown);
        assert.ok(alive(server.pid), 'the master keeps running');
        const next = await pid();
        assert.notEqual(next, grown, 'a new worker serves');
      });

      it('on a keep-alive connection the check inside the HTTP layer ends the handler within 16 calls', async function () {
        const requests = get('/grow?mb=64', false) + get('/pid', false).repeat(30) + get('/pid');
        const r = await exchange(port, requests, { timeout: 20000 });
        assert.equal(r.closed, true, 'the worker closed the connection');
        const answered = completeResponses(r.data);
        assert.ok(answered >= 1 && answered <= 17, `${answered} of 32 requests answered`);
        const m = /grew 64 pid (\d+)/.exec(r.data);
        assert.ok(m, `no /grow answer in ${JSON.stringify(r.data.slice(0, 300))}`);
        await failedWorker(Number(m[1]));
        assert.ok((await pid()) > 0);
      });
    });
  }

  describe('without a limit (memory_limit 0)', function () {
    let port: number;
    before(async function () {
      port = await freePort();
      startServer(['-s', APP, String(port), '0']);
      await waitUntilListening(port);
    });
    after(killAll);

    it('a handler may allocate as much as it likes', async function () {
      const r = await exchange(port, get('/grow?mb=64', false) + get('/pid'), { timeout: 20000, done: (d) => completeResponses(d) >= 2 });
      const m = /grew 64 pid (\d+)/.exec(r.data);
      assert.ok(m, `unexpected answer ${JSON.stringify(r.data.slice(0, 300))}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(alive(Number(m[1])), 'the worker lives on');
    });
  });
});

describe('heap flags of the launcher', function () {
  it('adds the lean-worker flags when the user gave none', function () {
    const flags = serverNodeFlags([], undefined);
    for (const f of ['--max-semi-space-size=1', '--no-allocation-site-pretenuring', '--no-lazy', '--no-flush-bytecode']) {
      assert.ok(flags.includes(f), `${f} missing from ${flags.join(' ')}`);
    }
    assert.deepEqual(flags.slice(-2), ['--single-threaded', '--v8-pool-size=1']);
  });

  it('lets the user\'s flag win, in either form, from execArgv or NODE_OPTIONS', function () {
    const flags = serverNodeFlags(['--lazy', '--max_semi_space_size=8'], '--allocation-site-pretenuring --no-flush_bytecode');
    assert.ok(flags.includes('--lazy') && !flags.includes('--no-lazy'));
    assert.ok(flags.includes('--max_semi_space_size=8') && !flags.includes('--max-semi-space-size=1'));
    assert.ok(!flags.includes('--no-allocation-site-pretenuring'), 'NODE_OPTIONS --allocation-site-pretenuring wins');
    assert.ok(!flags.includes('--no-flush-bytecode'), 'NODE_OPTIONS names it already');
  });
});
