/**
 * HTTP/1.1 response framing on bytes (status line, static and automatic
 * headers, chunked, Content-Length and HTTP/1.0 bodies, 1xx responses, the
 * built-in error response, misuse errors) and the text helpers of
 * moonbridge_http.
 */
import { strict as assert } from 'assert';
import { HttpUsageError, errorResponseBody } from '../src/http/errors';
import { ResponseWriter, writeErrorResponse, type ResponseSink } from '../src/http/response-writer';
import { decodeUri, encodeHtml, encodeUri, parseCookies, parseQuery } from '../src/http/uri';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function usageError(fn: () => unknown, message: RegExp | string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HttpUsageError, `expected HttpUsageError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

class Capture implements ResponseSink {
  data = '';
  writes = 0;
  flushes = 0;
  write(d: Uint8Array | string): void {
    this.writes++;
    this.data += typeof d === 'string' ? d : Buffer.from(d.buffer, d.byteOffset, d.length).toString('latin1');
  }
  flush(): void { this.flushes++; }
}

interface WriterOpts { close?: boolean; keepAlive?: boolean; chunk?: number; statics?: string[] }
function writer(method = 'GET', version: '1.0' | '1.1' = '1.1', opts: WriterOpts = {}) {
  const sink = new Capture();
  const w = new ResponseWriter(sink, method, version,
    { staticHeaders: opts.statics ?? [], minimumOutputChunkSize: opts.chunk ?? 1024 }, opts.close ?? false, opts.keepAlive ?? false);
  return { w, sink };
}

/** A complete response with the given calls, as the client sees it. */
function respond(fn: (w: ResponseWriter) => void, method = 'GET', version: '1.0' | '1.1' = '1.1', opts: WriterOpts = {}) {
  const { w, sink } = writer(method, version, opts);
  fn(w);
  w.finish();
  return { w, sink, data: sink.data };
}

describe('HTTP response framing', function () {
  it('frames a small body as one chunk, sent at finish as a single write', function () {
    const { w, sink } = writer();
    w.sendStatus('200 OK');
    w.sendHeader('Content-Type', 'text/plain');
    w.sendData('Hel');
    w.sendData(bytes('lo'));
    assert.equal(sink.data, '');
    assert.equal(w.state, 'headers_sent');
    assert.equal(w.canSendErrorResponse, true);
    w.finish();
    assert.equal(sink.data, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n0\r\n\r\n');
    assert.deepEqual([sink.writes, sink.flushes, w.state, w.closeConnection, w.canSendErrorResponse], [1, 1, 'finished', false, false]);
    w.finish(); // idempotent
    w.flush(); // no-op after finish
    assert.deepEqual([sink.writes, sink.flushes], [1, 1]);
  });

  it('puts static headers right after the status line, then app headers, then framing', function () {
    const { data } = respond((w) => { w.closeAfterFinish(); w.sendStatus('404 Not Found'); w.sendHeader('K', 'v'); }, 'GET', '1.1',
      { statics: ['Server: t', 'X-A: b'] });
    assert.equal(data, 'HTTP/1.1 404 Not Found\r\nServer: t\r\nX-A: b\r\nK: v\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n');
  });

  it('sends Content-Length bodies raw and checks the length', function () {
    const ok = respond((w) => { w.sendStatus('200 OK'); w.sendHeader('content-length', ' 3 '); w.sendData('ab'); w.sendData('c'); });
    assert.equal(ok.data, 'HTTP/1.1 200 OK\r\ncontent-length:  3 \r\n\r\nabc');
    assert.equal(ok.sink.writes, 1);
    const over = writer().w;
    over.sendStatus('200 OK');
    over.sendHeader('Content-Length', '2');
    usageError(() => over.sendData('abc'), 'Content length exceeded');
    const under = writer();
    under.w.sendStatus('200 OK');
    under.w.sendHeader('Content-Length', '2');
    under.w.sendData('a');
    usageError(() => under.w.finish(), 'Content length not used');
    assert.equal(under.sink.data, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\na');
    assert.deepEqual([under.w.state, under.w.closeConnection], ['finished', true]);
    const twice = writer().w;
    twice.sendStatus('200 OK');
    twice.sendHeader('Content-Length', '2');
    twice.sendHeader('Content-Length', '2'); // the same length again is dropped, as in Moonbridge
    usageError(() => twice.sendHeader('Content-Length', '3'), 'Content-Length has been set multiple times with different values');
    usageError(() => twice.sendHeader('Content-Length', 'x'), /Invalid Content-Length/);
    const bad = writer().w;
    bad.sendStatus('200 OK');
    usageError(() => bad.sendHeader('Content-Length', '-1'), /Invalid Content-Length/);
  });

  it('sends the GET headers for HEAD but no body and no terminator', function () {
    const chunked = respond((w) => { w.sendStatus('200 OK'); w.sendData('ignored'); }, 'HEAD');
    assert.equal(chunked.data, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    const length = respond((w) => { w.sendStatus('200 OK'); w.sendHeader('Content-Length', '100'); w.sendData('x'); }, 'HEAD');
    assert.equal(length.data, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
    assert.equal(length.w.closeConnection, false);
  });

  it('sends 101, 204 and 304 without framing, 205 with Content-Length: 0', function () {
    for (const status of ['101 Switching Protocols', '204 No Content', '304 Not Modified']) {
      const { data, w } = respond((x) => { x.sendStatus(status); x.sendHeader('A', 'b'); x.sendData(''); });
      assert.equal(data, `HTTP/1.1 ${status}\r\nA: b\r\n\r\n`);
      assert.equal(w.closeConnection, false);
    }
    const reset = respond((w) => { w.sendStatus('205 Reset Content'); w.sendHeader('A', 'b'); }, 'GET', '1.1', { statics: ['S: 1'] });
    assert.equal(reset.data, 'HTTP/1.1 205 Reset Content\r\nS: 1\r\nContent-Length: 0\r\nA: b\r\n\r\n');
    const { w } = writer();
    w.sendStatus('204 No Content');
    assert.equal(w.state, 'bodyless_status_sent');
    usageError(() => w.sendData('x'), 'Cannot send response data for body-less status message');
  });

  it('sends 1xx informational responses before the final one', function () {
    const { w, sink } = writer('GET', '1.1', { statics: ['S: 1'] });
    w.sendStatus('103 Early Hints');
    assert.equal(w.state, 'info_status_sent');
    w.sendHeader('Link', '</a>');
    w.finishHeaders();
    assert.equal(sink.data, 'HTTP/1.1 103 Early Hints\r\nS: 1\r\nLink: </a>\r\n\r\n');
    assert.deepEqual([w.state, sink.flushes, w.canSendErrorResponse], ['init', 1, true]);
    w.sendStatus('102 Processing');
    w.sendStatus('200 OK'); // ends the 102 implicitly
    w.finish();
    assert.equal(sink.data.slice(sink.data.indexOf('\r\n\r\n') + 4),
      'HTTP/1.1 102 Processing\r\nS: 1\r\n\r\nHTTP/1.1 200 OK\r\nS: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    const info = writer().w;
    info.sendStatus('100 Continue');
    usageError(() => info.sendHeader('Content-Length', '0'), 'Cannot set Content-Length for informational status response');
    usageError(() => info.sendHeader('Connection', 'close'), 'Cannot set "Connection: close" for informational status response');
    usageError(() => info.sendData('x'), 'No (non-informational) HTTP status has been sent yet');
    usageError(() => info.finish(), 'Informational HTTP response can be finished with :finish_headers() method');
    // HTTP/1.0 clients get no 1xx responses.
    const old = respond((x) => { x.sendStatus('103 Early Hints'); x.finishHeaders(); x.sendStatus('200 OK'); x.sendHeader('Content-Length', '0'); },
      'GET', '1.0');
    assert.equal(old.data, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });

  it('buffers output up to the minimum chunk size; flush() sends a small chunk', function () {
    const { w, sink } = writer('GET', '1.1', { chunk: 4 });
    const H = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    w.sendStatus('200 OK');
    w.flush(); // the header block only: no empty chunk
    assert.equal(sink.data, H);
    assert.equal(w.canSendErrorResponse, false);
    w.sendData('ab');
    w.flush();
    w.flush();
    assert.equal(sink.data.slice(H.length), '2\r\nab\r\n');
    w.sendData('cd');
    assert.equal(sink.data.slice(H.length + 7), '');
    w.sendData(bytes('ef'));
    assert.equal(sink.data.slice(H.length + 7), '4\r\ncdef\r\n');
    w.sendData('g');
    w.finish();
    assert.equal(sink.data.slice(H.length + 7), '4\r\ncdef\r\n1\r\ng\r\n0\r\n\r\n');
    assert.equal(sink.flushes, 4);
  });

  it('sends large bodies intact', function () {
    const big = Buffer.alloc(100000, 0x61);
    const { data } = respond((w) => { w.sendStatus('200 OK'); w.sendData('<'); w.sendData(big); w.sendData('>'); }, 'GET', '1.1', { chunk: 1 << 20 });
    assert.equal(data, `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${(100002).toString(16)}\r\n<${'a'.repeat(100000)}>\r\n0\r\n\r\n`);
  });

  it('finishHeaders() sends the header block and flushes; the body follows', function () {
    const { w, sink } = writer();
    w.sendStatus('200 OK');
    w.finishHeaders();
    w.finishHeaders();
    assert.deepEqual([sink.data, sink.flushes], ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 1]);
    w.sendData('x');
    w.finish();
    assert.equal(sink.data, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n');
  });

  it('closes after the response when the client or the app asks (HTTP/1.1)', function () {
    const client = respond((w) => w.sendStatus('200 OK'), 'GET', '1.1', { close: true, keepAlive: true });
    assert.equal(client.data, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n');
    assert.equal(client.w.closeConnection, true);
    const app = writer();
    assert.equal(app.w.closeConnection, false);
    app.w.closeAfterFinish();
    assert.equal(app.w.closeConnection, true);
    app.w.sendStatus('200 OK');
    app.w.sendHeader('Content-Length', '0');
    app.w.finish();
    assert.equal(app.sink.data, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    const header = respond((w) => { w.sendStatus('200 OK'); w.sendHeader('Connection', 'Upgrade, Close'); }, 'GET', '1.1', { close: true });
    assert.equal(header.data, 'HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assert.equal(header.w.closeConnection, true);
    const ka = respond((w) => w.sendStatus('200 OK'), 'GET', '1.1', { keepAlive: true });
    assert.doesNotMatch(ka.data, /Connection/);
    assert.equal(ka.w.closeConnection, false);
  });

  it('serves HTTP/1.0 unchunked, closing unless keep-alive was asked with a known length', function () {
    const plain = respond((w) => { w.sendStatus('200 OK'); w.sendData('raw'); }, 'GET', '1.0');
    assert.equal(plain.data, 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nraw');
    assert.equal(plain.w.closeConnection, true);
    const noLength = respond((w) => { w.sendStatus('200 OK'); w.sendData('raw'); }, 'GET', '1.0', { keepAlive: true });
    assert.equal(noLength.data, 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nraw');
    const ka = respond((w) => { w.sendStatus('200 OK'); w.sendHeader('Content-Length', '2'); w.sendData('ok'); }, 'GET', '1.0', { keepAlive: true });
    assert.equal(ka.data, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
    assert.equal(ka.w.closeConnection, false);
    const empty = respond((w) => w.sendStatus('304 Not Modified'), 'GET', '1.0', { keepAlive: true });
    assert.equal(empty.data, 'HTTP/1.1 304 Not Modified\r\nConnection: keep-alive\r\n\r\n');
    const appClose = respond((w) => { w.closeAfterFinish(); w.sendStatus('200 OK'); w.sendHeader('Content-Length', '0'); }, 'GET', '1.0', { keepAlive: true });
    assert.equal(appClose.data, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    const unknown = writer('GET', '1.0', { keepAlive: true }).w;
    assert.equal(unknown.closeConnection, true, 'forecast before the length is known');
  });

  it('refuses misuse with clear errors', function () {
    const { w } = writer();
    usageError(() => w.sendHeader('A', 'b'), 'HTTP status has not been sent yet');
    usageError(() => w.finishHeaders(), 'HTTP status has not been sent yet');
    usageError(() => w.sendData('x'), /HTTP status has not been sent yet/);
    usageError(() => w.finish(), /HTTP status has not been sent yet/);
    usageError(() => w.sendStatus('OK'), /Invalid HTTP status "OK"/);
    usageError(() => w.sendStatus('20 OK'), /Invalid HTTP status/);
    usageError(() => w.sendStatus('2000 OK'), /Invalid HTTP status/);
    w.sendStatus('200 OK');
    usageError(() => w.sendStatus('200 OK'), 'HTTP status has already been sent');
    w.sendData('x');
    usageError(() => w.sendHeader('A', 'b'), 'All HTTP headers have already been sent');
    usageError(() => w.closeAfterFinish(), 'All HTTP headers have already been sent');
    w.finish();
    usageError(() => w.sendData('y'), 'Response has already been finished');
    usageError(() => w.sendStatus('200 OK'), 'HTTP status has already been sent');
    usageError(() => w.finishHeaders(), 'Response has already been finished');
  });

  it('refuses header names that are not tokens and CR, LF or NUL in header values and the status (response splitting)', function () {
    const { w, sink } = writer();
    usageError(() => w.sendStatus('200 OK\r\nX-Injected: 1'), 'Invalid character (CR, LF or NUL) in HTTP status "200 OK\\r\\nX-Injected: 1"');
    usageError(() => w.sendStatus('200 O\nK'), /Invalid character/);
    usageError(() => w.sendStatus('200 O\x00K'), /Invalid character \(CR, LF or NUL\) in HTTP status "200 O\\u0000K"/);
    assert.equal(w.state, 'init');
    w.sendStatus('200 OK');
    usageError(() => w.sendHeader('X\r\nY', 'v'), 'Invalid HTTP header name "X\\r\\nY"');
    for (const name of ['', 'X Y', 'X:', 'X\x00', 'X\x7f', '\xe9', 'X\u0100']) usageError(() => w.sendHeader(name, 'v'), /^Invalid HTTP header name "/);
    usageError(() => w.sendHeader('X', 'a\r\nSet-Cookie: s=1'), 'Invalid character (CR, LF or NUL) in value of HTTP header "X"');
    for (const value of ['\r', '\n', 'a\x00b']) usageError(() => w.sendHeader('X-V', value), /in value of HTTP header "X-V"/);
    usageError(() => w.sendHeader('Content-Length', '0\r\n\r\nHTTP/1.1 200 OK'), /in value of HTTP header "Content-Length"/);
    w.sendHeader("X_!#$%&'*+-.^`|~9", 'tab\tand \xff are fine');
    w.finish();
    assert.equal(sink.data, "HTTP/1.1 200 OK\r\nX_!#$%&'*+-.^`|~9: tab\tand \xff are fine\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  });

  it('abandon() drops the unsent response for an error response', function () {
    const { w, sink } = writer();
    w.sendStatus('200 OK');
    w.sendData('partial');
    assert.equal(w.canSendErrorResponse, true);
    w.abandon();
    w.finish();
    assert.deepEqual([sink.data, w.state, w.closeConnection, w.canSendErrorResponse], ['', 'finished', true, false]);
  });

  it('writes Moonbridge\'s built-in error response in one write', function () {
    const sink = new Capture();
    writeErrorResponse(sink, ['Server: t'], '408 Request Timeout', 'Server shutdown');
    assert.equal(sink.data, 'HTTP/1.1 408 Request Timeout\r\nServer: t\r\nContent-Type: text/plain\r\n' +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n25\r\n408 Request Timeout\n\nServer shutdown\n\r\n0\r\n\r\n');
    assert.deepEqual([sink.writes, sink.flushes], [1, 1]);
    const bare = new Capture();
    writeErrorResponse(bare, [], '400 Bad Request');
    assert.equal(bare.data, 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n' +
      'Connection: close\r\n\r\n10\r\n400 Bad Request\n\r\n0\r\n\r\n');
    assert.equal(errorResponseBody('413 Request Entity Too Large', 'x'), '413 Request Entity Too Large\n\nx\n');
  });
});

describe('HTTP text helpers', function () {
  it('encodes HTML and URIs, decodes URIs', function () {
    assert.equal(encodeHtml('<a href="x">&</a>\''), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;\'');
    assert.equal(encodeHtml('plain'), 'plain');
    assert.equal(encodeUri('a b/\xfc~.-_Z9+%\x00'), 'a%20b%2f%fc~.-_Z9%2b%25%00');
    assert.equal(decodeUri('a+b%41%zz%4%2B%e9%'), 'a bA%zz%4+\xe9%');
    assert.equal(decodeUri('plain'), 'plain');
    for (let c = 0; c < 256; c++) assert.equal(decodeUri(encodeUri(String.fromCharCode(c))), String.fromCharCode(c));
  });

  it('parses queries and cookies the way Moonbridge does', function () {
    assert.deepEqual(parseQuery('?a=1&b&c=x+y?d=%41&=e&f=&g=h=i'),
      [['a', '1'], ['c', 'x y'], ['d', 'A'], ['', 'e'], ['f', ''], ['g', 'h'], ['', 'i']]);
    assert.deepEqual(parseQuery(''), []);
    assert.deepEqual(parseCookies(['u=x=y; s=a%20b', 'q="a b"; ;x;=z; k=v']),
      [['u', 'x'], ['', 'y'], ['s', 'a b'], ['q', '"a'], ['', 'z'], ['k', 'v']]);
    assert.deepEqual(parseCookies([]), []);
  });
});
