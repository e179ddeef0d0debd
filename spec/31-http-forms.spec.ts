/**
 * POST forms as a user's app sees them (spec/apps/forms.lua, forked
 * workers, real sockets): multipart/form-data fields and files, the errors
 * of malformed bodies with the real server's exact responses, field and body
 * streamers (a 50 MB upload with the worker's memory measured), the
 * parameter and header tables, and a poll_function driven by a coroutine
 * scheduler.
 */
import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as net from 'net';
import { app, completeResponses, exchange, freePort, killAll, startServer, waitFor, waitUntilServing, within, type RunningServer } from './helpers/server';

const CRLF = '\r\n';

interface Part { name?: string; filename?: string; type?: string; data: string | Buffer; disposition?: string; headers?: string[] }

function multipart(boundary: string, parts: Part[], opts: { preamble?: string; epilogue?: string; final?: boolean } = {}): Buffer {
  const out: Buffer[] = [Buffer.from(opts.preamble ?? '', 'latin1')];
  parts.forEach((p, i) => {
    let head = (i === 0 && (opts.preamble ?? '') === '' ? '' : CRLF) + `--${boundary}${CRLF}`;
    const disp = p.disposition ?? `form-data${p.name === undefined ? '' : `; name="${p.name}"`}${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    head += `Content-Disposition: ${disp}${CRLF}`;
    if (p.type !== undefined) head += `Content-Type: ${p.type}${CRLF}`;
    for (const h of p.headers ?? []) head += h + CRLF;
    out.push(Buffer.from(head + CRLF, 'latin1'), typeof p.data === 'string' ? Buffer.from(p.data, 'latin1') : p.data);
  });
  if (opts.final !== false) out.push(Buffer.from(`${CRLF}--${boundary}--${opts.epilogue ?? CRLF}`, 'latin1'));
  return Buffer.concat(out);
}

function post(path: string, contentType: string, body: Buffer | string, extra = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  return Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Type: ${contentType}\r\nContent-Length: ${b.length}\r\n${extra}\r\n`, 'latin1'), b]);
}

/** The Lua app's digest(): length and a sampled checksum. */
function digest(s: Buffer | string): string {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  let sum = 0;
  for (let i = 0; i < b.length; i += 997) sum = (sum * 31 + b[i]) % 1000003;
  return `${b.length}:${sum}`;
}

function errorResponse(status: string, text?: string): string {
  const body = `${status}\n` + (text === undefined ? '' : `\n${text}\n`);
  return `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
    `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
}

/** Body lines of a Content-Length response. */
function lines(raw: string): string[] {
  assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/, raw.slice(0, 300));
  return raw.slice(raw.indexOf('\r\n\r\n') + 4).split('\n').filter((l) => l !== '');
}

describe('HTTP forms: multipart uploads, streamers, parameter tables, poll_function', function () {
  this.timeout(60000);
  let server: RunningServer;
  let port: number;
  let scheduledPort: number;

  before(async function () {
    port = await freePort();
    scheduledPort = await freePort();
    server = startServer([app('forms.lua'), String(port), String(scheduledPort)]);
    await waitUntilServing(port);
  });
  after(killAll);

  const ask = async (req: Buffer | string, p = port): Promise<string> =>
    (await exchange(p, req, { done: (d) => completeResponses(d) === 1, timeout: 10000 })).data;

  it('gives multipart fields and files in post_params(_list) and post_metadata(_list), binary content intact', async function () {
    const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const body = multipart('----WebKitFormBoundary7MA4YWxkTrZu0gW', [
      { name: 'title', data: 'Hello' },
      { name: 'files', filename: 'a.bin', type: 'application/octet-stream', data: binary },
      { name: 'files', filename: 'b.txt', type: 'text/plain', data: 'line 1\r\nline 2\r\n\r\n--not a boundary\r\n' },
      { name: 'empty', data: '' },
      { data: 'a part without a name is dropped' },
    ]);
    const out = lines(await ask(post('/fields', 'multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW', body)));
    assert.deepEqual(out, [
      'field empty #1 "" {field_name=empty,file_name=nil,content_type=nil}',
      `field files #1 ${digest(binary)} {field_name=files,file_name=a.bin,content_type=application/octet-stream}`,
      'field files #2 "line 1\\13\\nline 2\\13\\n\\13\\n--not a boundary\\13\\n" {field_name=files,file_name=b.txt,content_type=text/plain}',
      'field title #1 "Hello" {field_name=title,file_name=nil,content_type=nil}',
      'first empty 0:0',
      `first files ${digest(binary)}`,
      `first title ${digest('Hello')}`,
      'first-meta empty {field_name=empty,file_name=nil,content_type=nil}',
      'first-meta files {field_name=files,file_name=a.bin,content_type=application/octet-stream}',
      'first-meta title {field_name=title,file_name=nil,content_type=nil}',
    ]);
  });

  it('gives back a 3 MB random file byte for byte, collected and streamed, whatever the TCP segments', async function () {
    const file = crypto.randomBytes(3 * 1024 * 1024);
    // The boundary text itself and near-delimiters inside the content.
    file.write('\r\n--b0undar\r\n--b0undarX\r\n-', 1000, 'latin1');
    const body = multipart('b0undary', [{ name: 'before', data: 'x' }, { name: 'file', filename: 'r.bin', data: file }]);
    for (const path of ['/echo', '/echostream']) {
      const req = post(path, 'multipart/form-data; boundary=b0undary', body);
      const got = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const sock = net.connect(port, '127.0.0.1', async () => {
          sock.setNoDelay(true);
          // odd-sized writes so that delimiters straddle reads
          for (let off = 0; off < req.length; off += 65521) {
            if (!sock.write(req.subarray(off, off + 65521))) await new Promise((r) => sock.once('drain', r));
          }
        });
        sock.on('data', (d: Buffer) => {
          chunks.push(d);
          const all = Buffer.concat(chunks);
          const end = all.indexOf('\r\n\r\n');
          if (end >= 0 && all.length >= end + 4 + file.length) { sock.destroy(); resolve(all.subarray(end + 4)); }
        });
        sock.on('error', reject);
        setTimeout(() => reject(new Error('no complete answer')), 20000);
      });
      assert.ok(got.equals(file), `${path}: the file came back changed`);
    }
  });

  it('accepts quoted and unquoted boundaries and filenames, preamble and epilogue', async function () {
    const parts: Part[] = [
      { disposition: 'form-data; name=plain; filename=unquoted.txt', data: 'x' },
      { disposition: 'form-data; filename="a; name=trap.txt"; name="real"', data: 'y' },
    ];
    for (const [ct, boundary] of [['multipart/form-data; boundary="quoted b"', 'quoted b'], ['Multipart/Form-Data;boundary=tok-123', 'tok-123']]) {
      const body = multipart(boundary, parts, { preamble: 'This is the preamble.\r\n', epilogue: '\r\nand an epilogue\r\n' });
      const out = lines(await ask(post('/fields', ct, body)));
      assert.deepEqual(out.slice(0, 2), [
        'field plain #1 "x" {field_name=plain,file_name=unquoted.txt,content_type=nil}',
        'field real #1 "y" {field_name=real,file_name=a; name=trap.txt,content_type=nil}',
      ], ct);
    }
  });

  // The real server's error responses for malformed bodies (the worker then ends, as in Moonbridge).
  const malformed: Array<[string, string, Buffer | string, string, string]> = [
    ['no final delimiter', 'multipart/form-data; boundary=b', multipart('b', [{ name: 'a', data: 'x' }], { final: false }),
      '400 Bad Request', 'Premature end of multipart/form-data request body'],
    ['no delimiter at all', 'multipart/form-data; boundary=b', 'just text', '400 Bad Request', 'Premature end of multipart/form-data request body'],
    ['truncated part headers', 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; na', '400 Bad Request',
      'Premature end of multipart/form-data request body'],
    ['garbage after a delimiter', 'multipart/form-data; boundary=b', '--bXX\r\n', '400 Bad Request',
      'Error while parsing multipart body (expected CRLF or double minus)'],
    ['a part header without colon', 'multipart/form-data; boundary=b', '--b\r\nno colon here\r\n\r\nx\r\n--b--\r\n', '400 Bad Request',
      'Invalid header in multipart/form-data part'],
    ['Content-Transfer-Encoding', 'multipart/form-data; boundary=b',
      '--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64\r\n\r\neA==\r\n--b--\r\n', '400 Bad Request',
      'Content-transfer-encoding not supported by multipart/form-data parser'],
    ['multipart without a boundary', 'multipart/form-data', '--b\r\n\r\nx\r\n--b--\r\n', '415 Unsupported Media Type', 'Unknown Content-Type of request body'],
  ];
  for (const [name, ct, body, status, text] of malformed) {
    it(`answers a malformed multipart body (${name}) with ${status} "${text}" and closes`, async function () {
      const r = await exchange(port, post('/fields', ct, body), { timeout: 5000 });
      assert.equal(r.data, errorResponse(status, text));
      assert.ok(r.closed, 'connection closed');
    });
  }

  it('answers a body cut short by the client with 400 "Unexpected EOF"', async function () {
    const r = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.end('POST /body HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly some');
      });
      let data = '';
      sock.on('data', (d) => { data += d.toString('latin1'); });
      sock.on('close', () => resolve(data));
      sock.on('error', reject);
      setTimeout(() => { sock.destroy(); resolve(data); }, 5000);
    });
    assert.equal(r, errorResponse('400 Bad Request', 'Unexpected EOF'));
  });

  it('streams fields to stream_post_param(s) callbacks as (chunk, metadata) ... (), collecting the others', async function () {
    const big = Buffer.alloc(300000, 'z');
    const body = multipart('sep', [
      { name: 'before', data: 'kept' },
      { name: 'file', filename: 'f.dat', type: 'application/x-test', data: big },
      { name: 'big_1', data: '' },
      { name: 'big_x', data: 'no match: collected' },
      { name: 'after', data: 'kept too' },
    ]);
    const out = lines(await ask(post('/stream', 'multipart/form-data; boundary=sep', body)));
    assert.deepEqual(out, [
      `file first ${out[0].split(' ')[2]} {field_name=file,file_name=f.dat,content_type=application/x-test}`,
      'file end 300000',
      'pattern first 0 {field_name=big_1,file_name=nil,content_type=nil}',
      'pattern end 0',
      'field after #1 "kept too" {field_name=after,file_name=nil,content_type=nil}',
      'field before #1 "kept" {field_name=before,file_name=nil,content_type=nil}',
      'field big_x #1 "no match: collected" {field_name=big_x,file_name=nil,content_type=nil}',
      `first after ${digest('kept too')}`, `first before ${digest('kept')}`, `first big_x ${digest('no match: collected')}`,
      'first-meta after {field_name=after,file_name=nil,content_type=nil}',
      'first-meta before {field_name=before,file_name=nil,content_type=nil}',
      'first-meta big_x {field_name=big_x,file_name=nil,content_type=nil}',
      'body after consume: false Cannot setup request body streamer at this stage anymore',
    ]);
    assert.ok(Number(out[0].split(' ')[2]) > 0, 'the first chunk of a non-empty part is not empty');
  });

  it('streams a 50 MB upload through stream_post_param without the worker growing', async function () {
    const size = 50 * 1024 * 1024;
    const head = '--up\r\nContent-Disposition: form-data; name="file"; filename="big"\r\n\r\n';
    const tail = '\r\n--up--\r\n';
    const total = head.length + size + tail.length;
    const out = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', async () => {
        sock.write(`POST /memory HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=up\r\nContent-Length: ${total}\r\n\r\n${head}`);
        const piece = Buffer.alloc(1 << 20, 0x41);
        for (let sent = 0; sent < size; sent += piece.length) {
          if (!sock.write(piece)) await new Promise((r) => sock.once('drain', r));
        }
        sock.write(tail);
      });
      let data = '';
      sock.on('data', (d) => {
        data += d.toString('latin1');
        if (completeResponses(data) === 1) { sock.destroy(); resolve(data); }
      });
      sock.on('error', reject);
    });
    const [, streamed, growth, after8] = /total (\d+) growth_kb (-?\d+) after8_kb (-?\d+)/.exec(lines(out)[0]) ?? [];
    assert.equal(Number(streamed), size);
    console.log(`      worker RSS growth while streaming 50 MB: ${growth} kB in all, ${after8} kB after the first 8 MB`);
    // A fresh worker grows by a few MB in its first megabytes of any traffic
    // (young generation, first-touched pages); then it must stay flat.
    assert.ok(Number(after8) < 3 * 1024, `RSS grew by ${after8} kB over the last 42 MB`);
    assert.ok(Number(growth) < 16 * 1024, `RSS grew by ${growth} kB in all`);
  });

  it('cuts a client that stops reading after stall_timeout: "Client connection stalled", connection reset', async function () {
    const started = Date.now();
    const before = (server.stderr().match(/Client connection stalled/g) ?? []).length;
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write('GET /big HTTP/1.1\r\nHost: t\r\n\r\n');
      sock.pause(); // never read
    });
    const ended = new Promise<string>((resolve) => {
      sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e)));
      sock.on('close', () => resolve('closed'));
    });
    await waitFor(() => (server.stderr().match(/Client connection stalled/g) ?? []).length > before, 9000, 'the stall in the log');
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds >= 2.5, `cut after ${seconds} s (stall_timeout 3)`);
    // Reading again, the client finds the connection reset (after what was buffered).
    sock.resume();
    assert.match(await within(ended, 5000, 'the end of the connection'), /ECONNRESET|closed/);
    sock.destroy();
  });

  it('streams any body to stream_request_body, then nil; reading body after that is refused', async function () {
    const out = lines(await ask(post('/bodystream', 'application/json', '{"a": 1}'.repeat(5000))));
    assert.deepEqual(out, ['fresh false', 'streamed 40000 bytes, ended true']);
  });

  it('parses a multipart body read first as request.body too', async function () {
    const body = multipart('q', [{ name: 'a', data: '1' }]);
    const out = lines(await ask(post('/body', 'multipart/form-data; boundary=q', body)));
    assert.deepEqual(out.slice(0, 2), [`body ${digest(body)}`, 'field a #1 "1" {field_name=a,file_name=nil,content_type=nil}']);
  });

  it('refuses a streamer installed after the status, with the real server\'s message', async function () {
    const out = lines(await ask(post('/late', 'application/x-www-form-urlencoded', 'x=1&y=2')));
    assert.deepEqual(out, [
      'late streamer: false Cannot setup request body streamer at this stage anymore',
      'field x #1 "1" -', 'field y #1 "2" -', `first x ${digest('1')}`, `first y ${digest('2')}`,
    ]);
  });

  it('builds the parameter and header tables as Moonbridge does', async function () {
    const out = lines(await ask('GET /tables?a=b=c&=e&k&x=1&x=2&u=%41+b HTTP/1.1\r\nHost: t\r\nX-Flags: A, b , \t,,c\r\n' +
      'Cookie: s=1; s=2; t=x\r\n\r\n'));
    assert.deepEqual(out, [
      'get ""="c"', 'get "a"="b"', 'get "u"="A b"', 'get "x"="1"',
      'missing list: table 0', 'missing first: nil', 'list names: 4',
      'flag absent: false', 'flag present: true', 'flags of absent header: false',
      'csv string absent: ""', 'csv table: A|b| |c', 'value absent: nil',
      'cookie "s"="2"', 'cookie "t"="x"',
    ]);
  });

  it('checks the poll_function option: false is the default, a callable table works, a number is refused', async function () {
    const s = startServer([app('poll-option.lua')]);
    assert.equal(await within(s.exited, 10000, 'the app to end'), 0);
    assert.equal(s.stdout(), 'false\tbad argument #2 to \'moonbridge_http.generate_handler\' (option "poll_function" must be a function)\n');
  });

  it('waits through a poll_function that yields to a coroutine scheduler', async function () {
    // The body arrives 300 ms after the head: the HTTP code must wait for it
    // through the poll function while the scheduler runs its ticker.
    const data = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(scheduledPort, '127.0.0.1', () => {
        sock.write('POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n');
        setTimeout(() => sock.write('hello'), 300);
      });
      let d = '';
      sock.on('data', (c) => {
        d += c.toString('latin1');
        if (completeResponses(d) === 1) { sock.destroy(); resolve(d); }
      });
      sock.on('error', reject);
      setTimeout(() => reject(new Error(`no answer: ${d}`)), 5000);
    });
    const [, polls, ticks, len] = /polls (\S+) ticks (\d+) body (\d+)/.exec(lines(data)[0]) ?? [];
    assert.equal(len, '5');
    assert.ok(polls.split(',').includes('r'), `a read wait went through the poll function: ${polls}`);
    assert.ok(Number(ticks) >= 5, `the scheduler ran other coroutines meanwhile (${ticks} ticks)`);
    assert.equal(polls.split(',')[0], 'r!', 'the wait for a request wakes up on SIGTERM (wakeup argument)');
  });

  it('waits for room to write through the poll_function, and keeps the connection', async function () {
    const size = 32 * 1024 * 1024;
    const got = await new Promise<string>((resolve, reject) => {
      let received = 0;
      let text = '';
      const sock = net.connect(scheduledPort, '127.0.0.1', () => {
        sock.write('GET /big HTTP/1.1\r\nHost: t\r\n\r\n');
        sock.pause();
        setTimeout(() => sock.resume(), 500);
      });
      sock.on('data', (d: Buffer) => {
        received += d.length;
        if (received > size && text === '') {
          text = 'got';
          // a second request on the same connection reports the waits
          sock.write('POST /x HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
        } else if (text !== '') {
          text += d.toString('latin1');
          if (/body 2\n/.test(text)) { sock.destroy(); resolve(text); }
        }
      });
      sock.on('error', reject);
      setTimeout(() => reject(new Error(`no answer (${received} bytes)`)), 10000);
    });
    assert.match(got, /polls \S*w\S* /, 'a write wait went through the poll function');
  });
});
