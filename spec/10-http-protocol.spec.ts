/**
 * The HTTP/1.1 protocol core on bytes: head parsing, the checks after the
 * head, the chunked body decoder, response framing and the text helpers.
 */
import { strict as assert } from 'assert';
import { HttpError, HttpUsageError } from '../src/http/errors';
import { parseRequestHead, type RequestHead } from '../src/http/request-head';
import { checkRequest } from '../src/http/request-checks';
import { ChunkedDecoder } from '../src/http/chunked-decoder';
import { ResponseWriter, writeErrorResponse, type ResponseSink } from '../src/http/response-writer';
import { decodeUri, encodeHtml, encodeUri, parseCookies, parseQuery } from '../src/http/uri';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function head(text: string, limit = 1 << 20): { head: RequestHead; consumed: number } {
  const b = bytes(text);
  const r = parseRequestHead(b, 0, b.length, limit);
  assert.equal(r.kind, 'complete');
  return r as { kind: 'complete'; head: RequestHead; consumed: number };
}

function httpError(fn: () => unknown, status: string, text?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HttpError, `expected HttpError, got ${String(err)}`);
    assert.equal(err.status, status);
    if (text !== undefined) assert.equal(err.text, text);
    return true;
  });
}

class Capture implements ResponseSink {
  data = '';
  flushes = 0;
  write(d: Uint8Array | string): void { this.data += typeof d === 'string' ? d : Buffer.from(d).toString('latin1'); }
  flush(): void { this.flushes++; }
}

function writer(method = 'GET', version: '1.0' | '1.1' = '1.1', opts: { close?: boolean; keepAlive?: boolean; chunk?: number; statics?: string[] } = {}) {
  const sink = new Capture();
  const w = new ResponseWriter(sink, method, version,
    { staticHeaders: opts.statics ?? [], minimumOutputChunkSize: opts.chunk ?? 1024 }, opts.close ?? false, opts.keepAlive ?? false);
  return { w, sink };
}

describe('HTTP request head', function () {
  it('parses method, target, version and headers, reporting the bytes consumed', function () {
    const text = 'GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Sp:   padded value \t\r\n\r\nNEXT';
    const r = head(text);
    assert.deepEqual(r.head, { method: 'GET', target: '/a?b=1', version: '1.1', headers: [['Host', 'x'], ['X-Sp', 'padded value']] });
    assert.equal(r.consumed, text.length - 4);
  });

  it('accepts bare LF line endings, HTTP/1.0, and leading empty lines', function () {
    const r = head('\r\n\nPOST / HTTP/1.0\nA: 1\n\n');
    assert.equal(r.head.method, 'POST');
    assert.equal(r.head.version, '1.0');
    assert.deepEqual(r.head.headers, [['A', '1']]);
  });

  it('is incomplete until the blank line, byte by byte, then complete', function () {
    const text = bytes('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let end = 0; end < text.length; end++) {
      assert.deepEqual(parseRequestHead(text, 0, end, 1 << 20), { kind: 'incomplete' }, `at ${end}`);
    }
    assert.equal(parseRequestHead(text, 0, text.length, 1 << 20).kind, 'complete');
  });

  it('parses pipelined heads one after the other from an offset', function () {
    const text = bytes('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = parseRequestHead(text, 0, text.length, 1000);
    assert.equal(first.kind, 'complete');
    const consumed = (first as { consumed: number }).consumed;
    const second = parseRequestHead(text, consumed, text.length, 1000);
    assert.equal(second.kind === 'complete' && second.head.target, '/2');
  });

  it('answers 505 for other versions and a missing version', function () {
    httpError(() => head('GET / HTTP/2.0\r\n\r\n'), '505 HTTP Version Not Supported');
    httpError(() => head('GET /\r\n\r\n'), '505 HTTP Version Not Supported');
  });

  it('answers 400 for obs-fold, a space before the colon, and lines without a colon', function () {
    httpError(() => head('GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n'), '400 Bad Request');
    httpError(() => head('GET / HTTP/1.1\r\nA : 1\r\n\r\n'), '400 Bad Request');
    httpError(() => head('GET / HTTP/1.1\r\nno colon\r\n\r\n'), '400 Bad Request');
  });

  it('answers 414 when the request line exceeds the limit, 431 when the headers do', function () {
    httpError(() => parseRequestHead(bytes('GET /' + 'a'.repeat(100)), 0, 105, 64), '414 Request-URI Too Long');
    const long = bytes('GET / HTTP/1.1\r\nA: ' + 'b'.repeat(100));
    httpError(() => parseRequestHead(long, 0, long.length, 64), '431 Request Header Fields Too Large');
  });
});

describe('HTTP request checks', function () {
  const check = (text: string, limit = 1000) => checkRequest(head(text).head, limit);

  it('splits path (no leading slash, not decoded) and query (with "?")', function () {
    const info = check('GET /a%20b/c?x=1&y HTTP/1.1\r\nHost: h\r\n\r\n');
    assert.equal(info.path, 'a%20b/c');
    assert.equal(info.query, '?x=1&y');
    assert.equal(check('GET / HTTP/1.1\r\nHost: h\r\n\r\n').query, '');
  });

  it('validates Content-Length', function () {
    assert.equal(check('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0012\r\n\r\n').bodyLength, 12);
    assert.equal(check('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n').bodyLength, 5);
    httpError(() => check('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'), '400 Bad Request', 'Content-Length header(s) invalid');
    httpError(() => check('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n'), '400 Bad Request', 'Content-Length header(s) invalid');
    httpError(() => check('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n'), '413 Request Entity Too Large', 'Announced request body size is too big');
  });

  it('accepts only "chunked" as Transfer-Encoding, which wins over Content-Length', function () {
    const info = check('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\nContent-Length: 3\r\n\r\n');
    assert.equal(info.chunked, true);
    assert.equal(info.bodyLength, 0);
    httpError(() => check('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'), '400 Bad Request', 'Unexpected Transfer-Encoding');
  });

  it('accepts only 100-continue expectations', function () {
    assert.equal(check('POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n').expectContinue, true);
    httpError(() => check('GET / HTTP/1.1\r\nHost: h\r\nExpect: x\r\n\r\n'), '417 Expectation Failed', 'Unexpected Expect header');
  });

  it('requires one valid Host in HTTP/1.1, not in 1.0', function () {
    for (const bad of ['', 'Host: \r\n', 'Host: a,b\r\n', 'Host: a\r\nHost: a\r\n']) {
      httpError(() => check(`GET / HTTP/1.1\r\n${bad}\r\n`), '400 Bad Request', 'No valid host header');
    }
    assert.equal(check('GET / HTTP/1.0\r\n\r\n').host, '');
  });

  it('handles absolute-form targets and OPTIONS *', function () {
    const info = check('GET HTTP://h:8/p?q HTTP/1.1\r\nHost: h:8\r\n\r\n');
    assert.deepEqual([info.path, info.query], ['p', '?q']);
    httpError(() => check('GET http://other/ HTTP/1.1\r\nHost: h\r\n\r\n'), '400 Bad Request', 'No valid host header');
    const star = check('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n');
    assert.deepEqual([star.path, star.query], [null, null]);
    httpError(() => check('GET * HTTP/1.1\r\nHost: h\r\n\r\n'), '400 Bad Request', 'Invalid request target');
    httpError(() => check('GET x HTTP/1.1\r\nHost: h\r\n\r\n'), '400 Bad Request', 'Invalid request target');
  });

  it('reads the client\'s Connection tokens', function () {
    const info = check('GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, Close\r\n\r\n');
    assert.equal(info.closeRequested, true);
    assert.equal(info.keepAliveRequested, true);
  });
});

describe('chunked request bodies', function () {
  const body = bytes('5;ext=1\r\nhello\r\n6\r\n world\r\n00\r\nTrailer: x\r\n\r\nNEXT');

  function decodeAll(split: number, limit = 1000): { data: string; consumed: number; done: boolean } {
    const d = new ChunkedDecoder(limit);
    let data = '';
    let consumed = 0;
    for (const [from, to] of [[0, split], [split, body.length]]) {
      let pos = from;
      while (pos < to && !d.done) {
        const r = d.decode(body, pos, to);
        data += r.data.map((x) => Buffer.from(x).toString('latin1')).join('');
        pos += r.consumed;
        consumed += r.consumed;
        if (r.consumed === 0) break;
      }
    }
    return { data, consumed, done: d.done };
  }

  it('decodes with extensions, a "00" last chunk and trailers, split at every byte', function () {
    for (let split = 0; split <= body.length; split++) {
      const r = decodeAll(split);
      assert.equal(r.data, 'hello world', `split ${split}`);
      assert.equal(r.done, true);
      assert.equal(r.consumed, body.length - 4, 'stops before the next request');
    }
  });

  it('enforces the size limit and the hex digit count', function () {
    httpError(() => decodeAll(0, 8), '413 Request Entity Too Large', 'Request body size limit exceeded');
    const d = new ChunkedDecoder(1000);
    httpError(() => d.decode(bytes('12345678901234\r\n'), 0, 16), '400 Bad Request');
    const t = new ChunkedDecoder(12);
    const tb = bytes('0\r\nX-Long-Trailer: yes\r\n\r\n');
    httpError(() => t.decode(tb, 0, tb.length), '413 Request Entity Too Large',
      'Request body size limit exceeded while reading trailer section of chunked request body');
  });
});

describe('HTTP response framing', function () {
  it('frames a small body as one chunk, sent at finish', function () {
    const { w, sink } = writer();
    w.sendStatus('200 OK');
    w.sendHeader('Content-Type', 'text/plain');
    w.sendData('Hello');
    assert.equal(sink.data, '');
    w.finish();
    assert.equal(sink.data, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n0\r\n\r\n');
    w.finish(); // idempotent
    assert.equal(w.closeConnection, false);
  });

  it('puts static headers right after the status line', function () {
    const { w, sink } = writer('GET', '1.1', { statics: ['Server: t', 'X-A: b'] });
    w.sendStatus('404 Not Found');
    w.sendHeader('K', 'v');
    w.finish();
    assert.match(sink.data, /^HTTP\/1\.1 404 Not Found\r\nServer: t\r\nX-A: b\r\nK: v\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$/);
  });

  it('sends Content-Length bodies raw and checks the length', function () {
    const { w, sink } = writer();
    w.sendStatus('200 OK');
    w.sendHeader('Content-Length', '3');
    w.sendData('abc');
    w.finish();
    assert.equal(sink.data, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
    const over = writer().w;
    over.sendStatus('200 OK');
    over.sendHeader('Content-Length', '2');
    assert.throws(() => over.sendData('abc'), (e: unknown) => e instanceof HttpUsageError && e.message === 'Content length exceeded');
    const under = writer().w;
    under.sendStatus('200 OK');
    under.sendHeader('Content-Length', '2');
    under.sendData('a');
    assert.throws(() => under.finish(), /Content length not used/);
  });

  it('sends the GET headers for HEAD but no body and no terminator', function () {
    const { w, sink } = writer('HEAD');
    w.sendStatus('200 OK');
    w.sendData('ignored');
    w.finish();
    assert.equal(sink.data, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
  });

  it('sends 204 and 304 without framing, 205 with Content-Length: 0', function () {
    for (const status of ['204 No Content', '304 Not Modified']) {
      const { w, sink } = writer();
      w.sendStatus(status);
      w.finish();
      assert.equal(sink.data, `HTTP/1.1 ${status}\r\n\r\n`);
    }
    const { w, sink } = writer();
    w.sendStatus('205 Reset Content');
    w.finish();
    assert.equal(sink.data, 'HTTP/1.1 205 Reset Content\r\nContent-Length: 0\r\n\r\n');
  });

  it('sends 1xx informational responses before the final one', function () {
    const { w, sink } = writer();
    w.sendStatus('103 Early Hints');
    w.sendHeader('Link', '</a>');
    w.finishHeaders();
    assert.equal(sink.data, 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n');
    w.sendStatus('200 OK');
    w.finish();
    assert.equal(sink.data.slice(sink.data.indexOf('\r\n\r\n') + 4), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    const info = writer().w;
    info.sendStatus('102 Processing');
    assert.throws(() => info.sendHeader('Content-Length', '0'), /not allowed in informational/);
  });

  it('buffers output up to the minimum chunk size; flush() sends a small chunk', function () {
    const { w, sink } = writer('GET', '1.1', { chunk: 4 });
    w.sendStatus('200 OK');
    w.sendData('ab');
    w.flush();
    assert.equal(sink.data, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n');
    w.sendData('cdef');
    w.sendData('g');
    w.finish();
    assert.equal(sink.data.slice(sink.data.indexOf('ab\r\n') + 4), '4\r\ncdef\r\n1\r\ng\r\n0\r\n\r\n');
  });

  it('closes after the response when the client or the app asks', function () {
    const client = writer('GET', '1.1', { close: true });
    client.w.sendStatus('200 OK');
    client.w.finish();
    assert.match(client.sink.data, /Connection: close\r\n\r\n/);
    assert.equal(client.w.closeConnection, true);
    const app = writer();
    app.w.closeAfterFinish();
    app.w.sendStatus('200 OK');
    app.w.finish();
    assert.equal(app.w.closeConnection, true);
    const header = writer();
    header.w.sendStatus('200 OK');
    header.w.sendHeader('Connection', 'close');
    header.w.finish();
    assert.equal(header.w.closeConnection, true);
  });

  it('serves HTTP/1.0 unchunked, closing unless keep-alive was asked with a known length', function () {
    const plain = writer('GET', '1.0');
    plain.w.sendStatus('200 OK');
    plain.w.sendData('raw');
    plain.w.finish();
    assert.equal(plain.sink.data, 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nraw');
    const ka = writer('GET', '1.0', { keepAlive: true });
    ka.w.sendStatus('200 OK');
    ka.w.sendHeader('Content-Length', '2');
    ka.w.sendData('ok');
    ka.w.finish();
    assert.equal(ka.sink.data, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
    assert.equal(ka.w.closeConnection, false);
  });

  it('refuses misuse with clear errors', function () {
    const { w } = writer();
    assert.throws(() => w.sendHeader('A', 'b'), /HTTP status has not been sent yet/);
    assert.throws(() => w.finish(), /HTTP status has not been sent/);
    w.sendStatus('200 OK');
    assert.throws(() => w.sendStatus('200 OK'), /HTTP status has already been sent/);
    w.sendData('x');
    assert.throws(() => w.sendHeader('A', 'b'), /All HTTP headers have already been sent/);
    assert.throws(() => w.closeAfterFinish(), /headers have already been sent/);
    assert.throws(() => writer().w.sendStatus('OK'), /Invalid HTTP status/);
  });

  it('writes Moonbridge\'s built-in error response', function () {
    const sink = new Capture();
    writeErrorResponse(sink, ['Server: t'], '408 Request Timeout', 'Server shutdown');
    assert.equal(sink.data, 'HTTP/1.1 408 Request Timeout\r\nServer: t\r\nContent-Type: text/plain\r\n' +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n25\r\n408 Request Timeout\n\nServer shutdown\n\r\n0\r\n\r\n');
    assert.equal(sink.flushes, 1);
  });
});

describe('HTTP text helpers', function () {
  it('encodes HTML and URIs, decodes URIs', function () {
    assert.equal(encodeHtml('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
    assert.equal(encodeUri('a b/ü~.-_'), 'a%20b%2f%fc~.-_');
    assert.equal(decodeUri('a+b%41%zz%4'), 'a bA%zz%4');
  });

  it('parses queries and cookies the way Moonbridge does', function () {
    assert.deepEqual(parseQuery('?a=1&b&c=x+y?d=%41'), [['a', '1'], ['c', 'x y'], ['d', 'A']]);
    assert.deepEqual(parseCookies(['u=x=y; s=a%20b', 'q="a b"']), [['u', 'x'], ['', 'y'], ['s', 'a b'], ['q', '"a']]);
  });
});
