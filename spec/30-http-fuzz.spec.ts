/**
 * Property-based tests of the HTTP request parser of a real forked server
 * (spec/apps/fuzz.lua, small timeouts), with fast-check:
 *
 * 1. Split invariance: the same valid request stream (1-4 pipelined GET,
 *    Content-Length POST, chunked POST, multipart/form-data POST) gives
 *    byte-identical responses whether it arrives in one write or in many
 *    small writes (separate TCP segments). The expected answer is not
 *    written here: the server's answer to the one-write delivery is the
 *    reference. The parser keeps state across reads (head, chunk sizes,
 *    multipart boundaries), so a split at an unlucky byte is what breaks it.
 * 2. Robustness: random bytes, random bytes after a valid request prefix and
 *    random mutations of valid requests are answered or closed within the
 *    timeouts, the master survives, and afterwards no connection is left
 *    open and a fresh request is served at once.
 */
import { strict as assert } from 'assert';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as net from 'net';
import {
  alive, app, completeResponses, exchange, freePort, killAll, startServer, waitFor, waitUntilServing,
  type RunningServer,
} from './helpers/server';

// The app's generate_handler options (spec/apps/fuzz.lua).
const REQUEST_HEADER_TIMEOUT_MS = 2000;
const DRAIN_TIMEOUT_MS = 1000;
/** Longest a garbage connection may stay open: the header timeout (the
 *  longest of the app's timeouts that garbage can run into; idle 2 s and
 *  stall 1 s are not longer), then the drain, plus scheduling slack. */
const CLOSE_BOUND_MS = REQUEST_HEADER_TIMEOUT_MS + DRAIN_TIMEOUT_MS + 1500;
/** "Immediate" answers: closed (or answered and closed) before this. */
const IMMEDIATE_MS = 500;

// ---------------------------------------------------------------------------
// Valid requests, as data (so that property 1 can check multipart digests)
// and as bytes.

interface Part { name: string; fileName: string | null; contentType: string | null; value: Uint8Array }
type Req =
  | { kind: 'get'; target: string; headers: [string, string][] }
  | { kind: 'length'; target: string; headers: [string, string][]; body: Uint8Array }
  | {
      kind: 'chunked'; target: string; headers: [string, string][]; body: Uint8Array;
      cuts: number[]; extensions: string[]; trailers: [string, string][];
    }
  | { kind: 'multipart'; target: string; headers: [string, string][]; boundary: string; parts: Part[] };

const token = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
// No spaces at the ends (optional whitespace is stripped) and no CR/LF.
const headerValue = fc.stringMatching(/^[A-Za-z0-9,;=._\/-]{0,16}$/);
// "x-" names: Host, Content-Length, Transfer-Encoding, Connection, Expect
// and Content-Type are set by the generator itself, never at random.
const extraHeaders = fc.array(fc.tuple(token.map((t) => `x-${t}`), headerValue), { maxLength: 4 });
const target = fc
  .tuple(
    fc.array(fc.stringMatching(/^[a-zA-Z0-9._~-]{1,8}$/), { maxLength: 3 }),
    fc.array(fc.tuple(token, fc.stringMatching(/^[a-zA-Z0-9%+]{0,6}$/).filter((v) => !/%(?![0-9A-Fa-f]{2})/.test(v))), { maxLength: 3 }),
  )
  .map(([segments, query]) => '/' + segments.join('/') + (query.length > 0 ? '?' + query.map(([k, v]) => `${k}=${v}`).join('&') : ''));
const body = fc.uint8Array({ maxLength: 1500 });

const getReq = fc.record({ kind: fc.constant('get' as const), target, headers: extraHeaders });
const lengthReq = fc.record({ kind: fc.constant('length' as const), target, headers: extraHeaders, body });
const chunkedReq = fc
  .record({
    target, headers: extraHeaders, body,
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
    extensions: fc.array(fc.oneof(fc.constant(''), token.map((t) => `;${t}`), fc.tuple(token, token).map(([a, b]) => `;${a}=${b}`)), { maxLength: 8 }),
    trailers: fc.array(fc.tuple(token.map((t) => `x-t${t}`), headerValue), { maxLength: 2 }),
  })
  .map((r) => ({ kind: 'chunked' as const, ...r }));
const part: fc.Arbitrary<Part> = fc.record({
  name: token,
  fileName: fc.option(fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/), { nil: null }),
  contentType: fc.option(fc.constantFrom('text/plain', 'application/octet-stream', 'image/png'), { nil: null }),
  value: fc.uint8Array({ maxLength: 600 }),
});
const multipartReq = fc
  .record({
    target, headers: extraHeaders,
    boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,.-]{1,40}$/).map((b) => `bnd${b}`),
    parts: fc.array(part, { minLength: 1, maxLength: 3 }),
  })
  .map((r) => ({ kind: 'multipart' as const, ...r }))
  // A value that contains the delimiter would end its part early: not a valid body.
  .filter((r) => r.parts.every((p) => !Buffer.from(p.value).includes(`\r\n--${r.boundary}`)));
const request: fc.Arbitrary<Req> = fc.oneof(getReq, lengthReq, chunkedReq, multipartReq);

function headLines(headers: [string, string][]): string {
  return headers.map(([n, v]) => `${n}: ${v}\r\n`).join('');
}

function multipartBody(r: Extract<Req, { kind: 'multipart' }>): Buffer {
  const pieces: Buffer[] = [];
  for (const p of r.parts) {
    let head = `--${r.boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.fileName !== null) head += `; filename="${p.fileName}"`;
    head += '\r\n';
    if (p.contentType !== null) head += `Content-Type: ${p.contentType}\r\n`;
    pieces.push(Buffer.from(head + '\r\n', 'latin1'), Buffer.from(p.value), Buffer.from('\r\n', 'latin1'));
  }
  pieces.push(Buffer.from(`--${r.boundary}--\r\n`, 'latin1'));
  return Buffer.concat(pieces);
}

function serialize(r: Req): Buffer {
  const method = r.kind === 'get' ? 'GET' : 'POST';
  const start = `${method} ${r.target} HTTP/1.1\r\nHost: fuzz\r\n${headLines(r.headers)}`;
  switch (r.kind) {
    case 'get':
      return Buffer.from(start + '\r\n', 'latin1');
    case 'length':
      return Buffer.concat([
        Buffer.from(`${start}Content-Type: application/octet-stream\r\nContent-Length: ${r.body.length}\r\n\r\n`, 'latin1'),
        Buffer.from(r.body),
      ]);
    case 'chunked': {
      // Chunk boundaries at the (deduplicated, sorted) cut points.
      const points = [...new Set(r.cuts.map((c) => (r.body.length === 0 ? 0 : c % r.body.length)))].filter((c) => c > 0).sort((a, b) => a - b);
      const edges = [0, ...points, r.body.length];
      const pieces: Buffer[] = [Buffer.from(`${start}Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n`, 'latin1')];
      for (let i = 0; i + 1 < edges.length; i++) {
        if (edges[i + 1] === edges[i]) continue; // a 0-size chunk would end the body
        const ext = r.extensions[i % Math.max(1, r.extensions.length)] ?? '';
        pieces.push(Buffer.from(`${(edges[i + 1] - edges[i]).toString(16)}${ext}\r\n`, 'latin1'), Buffer.from(r.body.subarray(edges[i], edges[i + 1])), Buffer.from('\r\n'));
      }
      pieces.push(Buffer.from(`0\r\n${headLines(r.trailers)}\r\n`, 'latin1'));
      return Buffer.concat(pieces);
    }
    case 'multipart': {
      const b = multipartBody(r);
      return Buffer.concat([
        Buffer.from(`${start}Content-Type: multipart/form-data; boundary="${r.boundary}"\r\nContent-Length: ${b.length}\r\n\r\n`, 'latin1'),
        b,
      ]);
    }
  }
}

// ---------------------------------------------------------------------------
// Wire helpers.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes `pieces` on one new connection (noDelay, a pause between writes so
 *  that they arrive as separate TCP reads) and collects the answer until
 *  `count` complete responses arrived. */
async function deliver(port: number, pieces: Buffer[], pauseMs: number[], count: number, timeoutMs = 5000): Promise<string> {
  const sock = net.connect({ port, host: '127.0.0.1' });
  sock.setNoDelay(true);
  let data = '';
  let ended = false;
  sock.on('data', (d: Buffer) => { data += d.toString('latin1'); });
  sock.on('end', () => { ended = true; });
  sock.on('error', () => { ended = true; });
  try {
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) await sleep(pauseMs[(i - 1) % pauseMs.length] ?? 2);
      sock.write(pieces[i]);
    }
    await waitFor(() => completeResponses(data) >= count || ended, timeoutMs, `${count} responses`);
    return data;
  } finally {
    sock.destroy();
  }
}

/** The response bodies in a stream of Content-Length responses. */
function responseBodies(stream: string): string[] {
  const out: string[] = [];
  let rest = stream;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return out;
    const m = /\r\ncontent-length: *(\d+)/i.exec(rest.slice(0, end + 2));
    const len = m === null ? 0 : Number(m[1]);
    out.push(rest.slice(end + 4, end + 4 + len));
    rest = rest.slice(end + 4 + len);
  }
}

/** Server-side sockets on `port` that are still established (/proc/net/tcp). */
function openServerConnections(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const line of fs.readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // state 01 = ESTABLISHED; local address ends in the server port
    if (f.length > 3 && f[1].endsWith(hex) && f[3] === '01') n++;
  }
  return n;
}

/** Outcome of one garbage connection. */
//   immediate-answer: the first response byte came within IMMEDIATE_MS
//   answer-at-timeout: it came later (e.g. the 408 of a timeout)
//   closed-silently: closed (FIN or reset) without any response
//   still-open: neither answered nor closed within CLOSE_BOUND_MS (a failure)
type Outcome = 'immediate-answer' | 'answer-at-timeout' | 'closed-silently' | 'still-open';

function poke(port: number, bytes: Uint8Array): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = net.connect({ port, host: '127.0.0.1' });
    let firstByteMs: number | null = null;
    let done = false;
    const finish = (o: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const closed = (): void => {
      if (firstByteMs === null) finish('closed-silently');
      else finish(firstByteMs < IMMEDIATE_MS ? 'immediate-answer' : 'answer-at-timeout');
    };
    const timer = setTimeout(() => finish('still-open'), CLOSE_BOUND_MS);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', () => { firstByteMs ??= Date.now() - started; });
    // Reset (the server closed with our bytes unread) counts as closed.
    sock.on('end', closed);
    sock.on('error', closed);
    sock.on('close', closed);
  });
}

// ---------------------------------------------------------------------------

describe('HTTP parser properties (fast-check, forked server)', function () {
  this.timeout(120000);
  let server: RunningServer;
  let port: number;

  before(async function () {
    port = await freePort();
    server = startServer([app('fuzz.lua'), String(port)]);
    await waitUntilServing(port);
  });
  after(killAll);

  it('answers a pipelined stream the same in one write and split into many', async function () {
    let multipartChecked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(request, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        async (reqs, cuts, pauses) => {
          const whole = Buffer.concat(reqs.map(serialize));
          const points = [...new Set(cuts.map((c) => 1 + (c % (whole.length - 1))))].sort((a, b) => a - b);
          const pieces = [0, ...points].map((p, i, all) => whole.subarray(p, all[i + 1] ?? whole.length));
          const a = await deliver(port, [whole], [], reqs.length);
          const b = await deliver(port, pieces, pauses, reqs.length);
          // The reference itself must be sane: one 200 per request.
          assert.equal(completeResponses(a), reqs.length, `one response per request in ${JSON.stringify(a.slice(0, 400))}`);
          assert.equal([...a.matchAll(/^HTTP\/1\.1 200 OK\r\n/gm)].length, reqs.length, `all 200: ${JSON.stringify(a.slice(0, 400))}`);
          assert.equal(b, a, `split at ${points.join(',')}`);
          // The digest must show what was uploaded: equal answers could
          // still both be empty (a server that drops multipart fields).
          const bodies = responseBodies(a);
          reqs.forEach((r, i) => {
            if (r.kind !== 'multipart') return;
            multipartChecked++;
            const byName = new Map<string, Part[]>();
            for (const p of r.parts) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
            for (const [name, parts] of byName) {
              parts.forEach((p, j) => {
                // post_params_list order = order in the body; file_name is
                // the filename parameter (nil when absent).
                const line = new RegExp(`^part ${name}\\[${j + 1}\\] len=${p.value.length} sum=[0-9a-f]+ file_name=${(p.fileName ?? 'nil').replace(/[.]/g, '\\.')} `, 'm');
                assert.match(bodies[i], line, `multipart digest of part ${name}[${j + 1}] (${p.value.length} bytes)`);
              });
            }
          });
        },
      ),
      { numRuns: 150 },
    );
    console.log(`      (multipart requests whose digest was checked: ${multipartChecked})`);
  });

  it('answers or closes random, truncated and mutated input within the timeouts', async function () {
    const valid = fc.array(request, { minLength: 1, maxLength: 2 }).map((rs) => Buffer.concat(rs.map(serialize)));
    const mutation = fc.record({ pos: fc.nat(), op: fc.constantFrom('flip', 'insert', 'delete'), byte: fc.integer({ min: 0, max: 255 }) });
    const garbage = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 400 }),
      fc.tuple(valid, fc.nat(), fc.uint8Array({ maxLength: 200 }))
        .map(([v, cut, tail]) => Buffer.concat([v.subarray(0, cut % (v.length + 1)), Buffer.from(tail)])),
      fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 5 })).map(([v, ms]) => {
        const bytes = [...v];
        for (const m of ms) {
          const at = m.pos % Math.max(1, bytes.length);
          if (m.op === 'flip') bytes[at] = m.byte;
          else if (m.op === 'insert') bytes.splice(at, 0, m.byte);
          else bytes.splice(at, 1);
        }
        return Uint8Array.from(bytes);
      }),
    );
    const counts = new Map<Outcome, number>();
    // Batches of 10 connections at once: fewer than the 16 workers (max_fork),
    // so none waits in the listen queue, and a batch takes at most one bound.
    await fc.assert(
      fc.asyncProperty(fc.array(garbage, { minLength: 10, maxLength: 10 }), async (inputs) => {
        const outcomes = await Promise.all(inputs.map((bytes) => poke(port, bytes)));
        for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
        const open = outcomes.flatMap((o, i) => (o === 'still-open' ? [JSON.stringify(Buffer.from(inputs[i]).toString('latin1').slice(0, 120))] : []));
        assert.deepEqual(open, [], `connections neither answered nor closed within ${CLOSE_BOUND_MS} ms`);
        assert.ok(alive(server.pid), 'master alive');
      }),
      { numRuns: 8 },
    );
    console.log(`      outcomes: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    assert.ok(alive(server.pid), 'master alive after the run');
    // No worker hangs on a connection: all server-side connections close.
    await waitFor(() => openServerConnections(port) === 0, 3000, 'all server connections closed');
    const t0 = Date.now();
    const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n', {
      timeout: 2000, done: (d) => completeResponses(d) === 1,
    });
    assert.match(r.data, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(Date.now() - t0 < 2000, 'fresh request served within 2 s');
    // Internal JavaScript errors in a worker are parser bugs, not client errors.
    assert.doesNotMatch(server.stderr(), /\b(TypeError|RangeError|ReferenceError|Maximum call stack)\b/, server.stderr().slice(-2000));
  });
});
