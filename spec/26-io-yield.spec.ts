/**
 * The _call and _yield forms across waits: a line arriving in many small
 * segments with pauses is read intact and in order by read_call and by
 * read_yield in a coroutine, inside pcall, in nested coroutines and under
 * coroutine.wrap (Moonbridge 1.0.1 returns the pieces out of order when it
 * waits more than once; COMPATIBILITY.md).
 */
import { strict as assert } from 'assert';
import * as net from 'net';
import { app, freePort, killAll, startServer, waitUntilListening } from './helpers/server';

function sendSlowly(port: number, mode: string, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no answer; got ${JSON.stringify(data)}`)); }, 15000);
    sock.setNoDelay(true);
    sock.on('connect', () => {
      sock.write(`${mode}\n`);
      let i = 0;
      const next = (): void => {
        if (i >= payload.length) { sock.write('\n'); return; }
        sock.write(payload.slice(i, i + 3));
        i += 3;
        setTimeout(next, 4);
      };
      setTimeout(next, 20);
    });
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('close', () => { clearTimeout(timer); resolve(data); });
    sock.on('error', reject);
  });
}

describe('moonbridge_io: _call and _yield forms across many waits', function () {
  let port: number;
  const payload = Array.from({ length: 60 }, (_, i) => String.fromCharCode(65 + (i % 26)) + String(i)).join('-');

  before(async function () {
    port = await freePort();
    startServer([app('io-yield.lua'), String(port)]);
    await waitUntilListening(port);
  });
  after(killAll);

  for (const mode of ['call', 'yield', 'pcall', 'nested', 'wrap']) {
    it(`reads a line sent in ${Math.ceil(payload.length / 3)} pieces intact and in order (${mode})`, async function () {
      const answer = await sendSlowly(port, mode, payload);
      assert.equal(answer, `${mode} waited ${payload}\n`);
    });
  }

  it('keeps small writes buffered until flush (write and write_nb), then sends them at once', async function () {
    const got = await new Promise<string[]>((resolve, reject) => {
      const sock = net.connect({ port, host: '127.0.0.1' });
      let data = '';
      const seen: string[] = [];
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no answer; got ${JSON.stringify(data)}`)); }, 10000);
      sock.on('connect', () => {
        sock.write('buffer\n');
        setTimeout(() => { seen.push(data); sock.write('go\n'); }, 400);
      });
      sock.on('data', (d) => { data += d.toString('latin1'); });
      sock.on('close', () => { clearTimeout(timer); seen.push(data); resolve(seen); });
      sock.on('error', reject);
    });
    assert.deepEqual(got, ['', 'early and nb flushed']);
  });

  it('raises a Lua error in the coroutine when its handle was closed while it waited in read_yield', async function () {
    const answer = await sendSlowly(port, 'closed', '');
    assert.match(answer, /^false .*closed/);
  });
});
