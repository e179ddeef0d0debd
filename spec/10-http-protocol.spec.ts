/**
 * The HTTP/1.1 request side on bytes: head parsing, the checks after the
 * head, and the chunked body decoder (response framing: spec 09).
 */
import { strict as assert } from 'assert';
import { HttpError } from '../src/http/errors';
import { parseRequestHead, type RequestHead } from '../src/http/request-head';
import { checkRequest } from '../src/http/request-checks';
import { ChunkedDecoder } from '../src/http/chunked-decoder';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const MB = 1 << 20;

function head(text: string, limit = MB): { head: RequestHead; consumed: number } {
  const b = bytes(text);
  const r = parseRequestHead(b, 0, b.length, limit);
  assert.equal(r.kind, 'complete');
  return r as { kind: 'complete'; head: RequestHead; consumed: number };
}

function httpError(fn: () => unknown, status: string, text?: string | null): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HttpError, `expected HttpError, got ${String(err)}`);
    assert.equal(err.status, status);
    if (text !== undefined) assert.equal(err.text, text ?? undefined);
    return true;
  });
}

describe('HTTP request head', function () {
  it('parses method, target, version and headers, reporting the bytes consumed', function () {
    const text = 'GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Sp:   padded: value \t\r\nEmpty:\r\nlat: \xe9\xff\r\n\r\nNEXT';
    const r = head(text);
    assert.deepEqual(r.head, {
      method: 'GET', target: '/a?b=1', version: '1.1',
      headers: [['Host', 'x'], ['X-Sp', 'padded: value'], ['Empty', ''], ['lat', '\xe9\xff']],
    });
    assert.equal(r.consumed, text.length - 4);
  });

  it('accepts bare LF line endings, HTTP/1.0, tabs and runs of blanks, and skips leading empty lines', function () {
    const text = '\r\n\nget\t /x  HTTP/1.0\nA: 1\n\n';
    const r = head(text);
    assert.deepEqual(r.head, { method: 'get', target: '/x', version: '1.0', headers: [['A', '1']] });
    assert.equal(r.consumed, text.length);
    assert.deepEqual(head('GET / HTTP/1.1\n\n').head.headers, []);
  });

  it('is incomplete until the blank line, byte by byte, then complete', function () {
    const text = bytes('\r\nGET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\r\n');
    for (let end = 0; end < text.length; end++) {
      assert.deepEqual(parseRequestHead(text, 0, end, MB), { kind: 'incomplete' }, `at ${end}`);
    }
    const r = parseRequestHead(text, 0, text.length, MB);
    assert.equal(r.kind === 'complete' && r.consumed, text.length);
  });

  it('parses pipelined heads one after the other from an offset', function () {
    const one = 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\n';
    const text = bytes('junk' + one + 'POST /2 HTTP/1.1\r\nHost: y\r\nContent-Length: 0\r\n\r\nGET /3 HTTP/1.1\r\n');
    const first = parseRequestHead(text, 4, text.length, 1000);
    assert.ok(first.kind === 'complete');
    assert.equal(first.consumed, one.length);
    assert.equal(first.head.target, '/1');
    const second = parseRequestHead(text, 4 + first.consumed, text.length, 1000);
    assert.ok(second.kind === 'complete');
    assert.deepEqual([second.head.method, second.head.target, second.head.headers.length], ['POST', '/2', 2]);
    assert.equal(parseRequestHead(text, 4 + first.consumed + second.consumed, text.length, 1000).kind, 'incomplete');
  });

  it('handles many header lines', function () {
    let text = 'GET / HTTP/1.1\r\n';
    for (let i = 0; i < 300; i++) text += `H${i}: ${i}\r\n`;
    const r = head(text + '\r\n');
    assert.equal(r.head.headers.length, 300);
    assert.deepEqual(r.head.headers[299], ['H299', '299']);
  });

  it('answers 505 for other versions and a missing version', function () {
    for (const line of ['GET / HTTP/2.0', 'GET /', 'GET / HTTP/1.2', 'GET / http/1.1', 'GET / HTTP/1.10', 'GET / HTTP/1']) {
      httpError(() => head(`${line}\r\nHost: x\r\n\r\n`), '505 HTTP Version Not Supported');
    }
  });

  it('answers 400 for obs-fold, a blank before the colon, a bad name and lines without a colon', function () {
    for (const bad of ['A: 1\r\n folded', 'A: 1\r\n\tfolded', 'A : 1', 'A\t: 1', 'no colon', ': no name', 'A B: 1', 'A\rB: 1']) {
      httpError(() => head(`GET / HTTP/1.1\r\n${bad}\r\n\r\n`), '400 Bad Request', null);
    }
    httpError(() => head('GET\r\n\r\n'), '400 Bad Request');
    httpError(() => head('GET / x HTTP/1.1\r\n\r\n'), '400 Bad Request');
    httpError(() => head(' \r\n\r\n'), '400 Bad Request');
  });

  it('answers 400 for a method that is not a token, a target with control bytes, or a fourth field', function () {
    for (const line of ['G(T / HTTP/1.1', 'G\x00T / HTTP/1.1', 'GET\x01/ HTTP/1.1', 'GET /\x00 HTTP/1.1', 'GET /a\x7f HTTP/1.1',
      'GET /\x1b HTTP/1.1', 'GET / HTTP/1.1 x', 'GET / HTTP/1.1 x y', 'GET / HTTP/1.1\x00', 'GET\r/ HTTP/1.1', 'GET /\r HTTP/1.1',
      '\rGET / HTTP/1.1', 'GET / HTTP/1.1\x0b', '\xe9 / HTTP/1.1', 'GET\x0c/ HTTP/1.1', '\x00']) {
      httpError(() => head(`${line}\r\nHost: x\r\n\r\n`), '400 Bad Request', null);
    }
    // obs-text in the target and tchar punctuation in the method are let through.
    assert.deepEqual([head('M-1!~ /\xe9 HTTP/1.1\r\n\r\n').head.method, head('GET /\xe9 HTTP/1.1\r\n\r\n').head.target], ['M-1!~', '/\xe9']);
    // Trailing blanks after the version are allowed, as in Moonbridge's pattern.
    assert.equal(head('GET / HTTP/1.1 \t\r\n\r\n').head.version, '1.1');
  });

  it('answers 400 early, while the request line is incomplete, for bytes that can never be valid', function () {
    for (const partial of ['\x00', '\x16\x03\x01', 'G{', 'GET /\x00', 'GET /\x7f', 'GET / HTTP/1.1 x', 'GET\rX', '\r\n\rX', 'GET / HT\x01']) {
      const b = bytes(partial);
      httpError(() => parseRequestHead(b, 0, b.length, MB), '400 Bad Request', null);
    }
    // A CR at the end may still be followed by its LF; a valid prefix waits.
    for (const partial of ['GET / HTTP/1.1\r', '\r', '\r\n\r', 'GET', 'GET /x ', 'GET / HTTP/1.1 \t']) {
      assert.equal(parseRequestHead(bytes(partial), 0, partial.length, MB).kind, 'incomplete', JSON.stringify(partial));
    }
  });

  it('checks a request line trickled in byte by byte, resuming where it stopped', function () {
    const good = bytes('GET /path?x=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let end = 0; end < good.length; end++) assert.equal(parseRequestHead(good, 0, end, MB).kind, 'incomplete');
    assert.equal(parseRequestHead(good, 0, good.length, MB).kind, 'complete');
    const bad = bytes('xxGET /path HTTP/1.1 extra');
    let failedAt = -1;
    for (let end = 2; end <= bad.length && failedAt < 0; end++) {
      try {
        parseRequestHead(bad, 2, end, MB);
      } catch (err) {
        assert.ok(err instanceof HttpError && err.status === '400 Bad Request');
        failedAt = end;
      }
    }
    assert.equal(failedAt, bad.indexOf('extra') + 1, 'rejected at the first byte of the fourth field');
    // A different buffer with the same positions is scanned afresh (no stale state).
    const other = bytes('xxGET /a/b/c/d/e/f/g/h/i/j/k/l HTTP/1.1');
    for (let end = 2; end <= other.length; end++) assert.equal(parseRequestHead(other, 2, end, MB).kind, 'incomplete');
  });

  it('answers 400 for bare CR, control bytes or DEL in a header line, and names that are not tokens', function () {
    for (const bad of ['X-A: a\rContent-Length: 5', 'X-A: a\r', 'X-A: \x00', 'X-A: a\x7f', 'X-A: \x01', 'X-A: a\x1fb', 'X-\x00A: a',
      'X\x7f: a', '\x00: a', 'X\rA: a', 'X(A): a', 'X"A: a', 'X{}: a', 'X/A: a', 'X\xe9: a', 'Transfer-Encoding\n: chunked',
      ' Transfer-Encoding: chunked', 'Content-Length:5\x00', 'X: a\x0bb', 'X: a\x0cb', 'X@: a']) {
      httpError(() => head(`GET / HTTP/1.1\r\nHost: x\r\n${bad}\r\n\r\n`), '400 Bad Request', null);
    }
    // HTAB inside a value, obs-text, and tchar punctuation in names are valid.
    assert.deepEqual(head("GET / HTTP/1.1\r\nX_A!#$%&'*+.^`|~: a\tb \xff\r\nT:\tchunked\r\n\r\n").head.headers,
      [["X_A!#$%&'*+.^`|~", 'a\tb \xff'], ['T', 'chunked']]);
  });

  it('answers 414 when the request line exceeds the limit, 431 when the headers do', function () {
    const line = bytes('xxGET /' + 'a'.repeat(100));
    for (const end of [66, 80, line.length]) httpError(() => parseRequestHead(line, 2, end, 64), '414 Request-URI Too Long');
    assert.equal(parseRequestHead(line, 2, 65, 64).kind, 'incomplete');
    const long = bytes('GET / HTTP/1.1\r\nA: ' + 'b'.repeat(100));
    httpError(() => parseRequestHead(long, 0, long.length, 64), '431 Request Header Fields Too Large');
    // Leading empty lines count toward the limit.
    const blank = bytes('\r\n'.repeat(40));
    httpError(() => parseRequestHead(blank, 0, blank.length, 64), '414 Request-URI Too Long');
  });

  it('accepts a head of exactly the limit, even with more bytes after it', function () {
    const text = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    const b = bytes(text + 'GET /next HTTP/1.1\r\n');
    const r = parseRequestHead(b, 0, b.length, text.length);
    assert.equal(r.kind === 'complete' && r.consumed, text.length);
    httpError(() => parseRequestHead(b, 0, b.length, text.length - 1), '431 Request Header Fields Too Large');
  });
});

describe('HTTP request checks', function () {
  const req = (text: string) => head(text).head;
  const check = (text: string, limit = 1000) => checkRequest(req(text), limit);
  const get = (headers: string, target = '/', version = '1.1', method = 'GET') =>
    check(`${method} ${target} HTTP/${version}\r\n${headers}\r\n`);

  it('splits path (no leading slash, not decoded) and query (with "?")', function () {
    const info = get('Host: h\r\n', '/a%20b/c?x=1&y?z');
    assert.deepEqual([info.path, info.query, info.host], ['a%20b/c', '?x=1&y?z', 'h']);
    assert.deepEqual([get('Host: h\r\n').path, get('Host: h\r\n').query], ['', '']);
    assert.deepEqual(get('Host: h\r\n', '/?').query, '?');
  });

  it('reports body framing and the defaults', function () {
    assert.deepEqual(get('Host: h\r\n'), {
      path: '', query: '', host: 'h', bodyLength: 0, chunked: false, expectContinue: false, closeRequested: false, keepAliveRequested: false,
    });
  });

  it('validates Content-Length: plain digits, all equal, within the limit', function () {
    assert.equal(get('Host: h\r\nContent-Length: 0012\r\n').bodyLength, 12);
    assert.equal(get('Host: h\r\ncontent-length: 5, 005\r\nCONTENT-LENGTH: 5,\r\n').bodyLength, 5);
    assert.equal(get('Host: h\r\nContent-Length: 1000\r\n').bodyLength, 1000);
    assert.equal(get('Host: h\r\nContent-Length: 000\r\n').bodyLength, 0);
    for (const bad of ['5\r\nContent-Length: 6', '-5', '+5', '5 5', '0x5', '5.0', '', ' , ', 'nil', '1e3', '5, 6']) {
      httpError(() => get(`Host: h\r\nContent-Length: ${bad}\r\n`), '400 Bad Request', 'Content-Length header(s) invalid');
    }
    for (const big of ['1001', '99999999999999999999999', '9007199254740993']) {
      httpError(() => get(`Host: h\r\nContent-Length: ${big}\r\n`), '413 Request Entity Too Large', 'Announced request body size is too big');
    }
    // Compared exactly, not as floats.
    httpError(() => get('Host: h\r\nContent-Length: 99999999999999999999, 99999999999999999998\r\n'), '400 Bad Request');
  });

  it('accepts only one "chunked" as Transfer-Encoding, without Content-Length, in HTTP/1.1', function () {
    const info = get('Host: h\r\nTransfer-Encoding: Chunked\r\n');
    assert.deepEqual([info.chunked, info.bodyLength], [true, 0]);
    assert.equal(get('Host: h\r\nTransfer-Encoding: chunked,\r\n').chunked, true); // empty list items are ignored
    for (const bad of ['gzip, chunked', 'chunked, chunked', 'identity', '', '"chunked"', 'chunked, identity', 'xchunked',
      'chunked\r\nTransfer-Encoding: chunked', 'chunked\r\nTransfer-Encoding: x']) {
      httpError(() => get(`Host: h\r\nTransfer-Encoding: ${bad}\r\n`), '400 Bad Request', 'Unexpected Transfer-Encoding');
    }
    // With Content-Length (either order): rejected, not "chunked wins" (RFC 9112, 6.3; smuggling).
    for (const both of ['Transfer-Encoding: chunked\r\nContent-Length: 3', 'Content-Length: 0\r\nTransfer-Encoding: chunked']) {
      httpError(() => get(`Host: h\r\n${both}\r\n`), '400 Bad Request', 'Unexpected Transfer-Encoding');
    }
    // In HTTP/1.0 (RFC 9112, 6.1).
    httpError(() => get('Transfer-Encoding: chunked\r\n', '/', '1.0'), '400 Bad Request', 'Unexpected Transfer-Encoding');
  });

  it('accepts only 100-continue expectations', function () {
    assert.equal(get('Host: h\r\nExpect: 100-Continue\r\n').expectContinue, true);
    assert.equal(get('Expect: 100-continue\r\n', '/', '1.0').expectContinue, false);
    for (const bad of ['x', '100-continue, foo', '100-continue\r\nExpect: 200-ok']) {
      httpError(() => get(`Host: h\r\nExpect: ${bad}\r\n`), '417 Expectation Failed', 'Unexpected Expect header');
    }
  });

  it('requires one valid Host in HTTP/1.1, not in 1.0', function () {
    for (const bad of ['', 'Host: \r\n', 'Host: a,b\r\n', 'Host: a\r\nHost: a\r\n', 'Host: a\r\nhost: b\r\n']) {
      httpError(() => get(bad), '400 Bad Request', 'No valid host header');
      if (bad !== '') httpError(() => get(bad, '/', '1.0'), '400 Bad Request', 'No valid host header');
    }
    assert.equal(get('', '/', '1.0').host, '');
    assert.equal(get('HOST: example.org:81\r\n', '/', '1.0').host, 'example.org:81');
  });

  it('handles absolute-form targets', function () {
    assert.deepEqual(pick(get('Host: h:8\r\n', 'HTTP://h:8/p/q?x=1')), ['p/q', '?x=1', 'h:8']);
    assert.deepEqual(pick(get('Host: h\r\n', 'https://h')), ['', '', 'h']);
    assert.deepEqual(pick(get('Host: h\r\n', 'http://h?a')), ['', '?a', 'h']);
    assert.deepEqual(pick(get('', 'http://from-uri/x', '1.0')), ['x', '', 'from-uri']);
    httpError(() => get('Host: h\r\n', 'http://other/'), '400 Bad Request', 'No valid host header');
    httpError(() => get('Host: h\r\n', 'http://H/'), '400 Bad Request', 'No valid host header');
    httpError(() => get('', 'http://h/'), '400 Bad Request', 'No valid host header');
    for (const bad of ['ftp://h/', 'http:/h/', 'h/x', 'x', 'http//h', '*']) {
      httpError(() => get('Host: h\r\n', bad), '400 Bad Request', 'Invalid request target');
    }
    function pick(i: { path: string | null; query: string | null; host: string }) { return [i.path, i.query, i.host]; }
  });

  it('allows "*" only for OPTIONS (path and query null)', function () {
    const star = get('Host: h\r\n', '*', '1.1', 'OPTIONS');
    assert.deepEqual([star.path, star.query], [null, null]);
    assert.equal(get('Host: h\r\n', '/x', '1.1', 'OPTIONS').path, 'x');
    httpError(() => get('Host: h\r\n', '*', '1.1', 'options'), '400 Bad Request', 'Invalid request target');
  });

  it('checks in Moonbridge\'s order: Content-Length, Transfer-Encoding, Expect, Host, target', function () {
    const all = ['Content-Length: x', 'Transfer-Encoding: gzip', 'Expect: x', 'Host: a, b'];
    const expected: Array<[string, string]> = [
      ['400 Bad Request', 'Content-Length header(s) invalid'], ['400 Bad Request', 'Unexpected Transfer-Encoding'],
      ['417 Expectation Failed', 'Unexpected Expect header'], ['400 Bad Request', 'No valid host header'],
    ];
    for (let i = 0; i < all.length; i++) {
      const lines = all.slice(i).map((l) => l + '\r\n').join('');
      httpError(() => get(lines, 'bad-target'), ...expected[i]);
    }
    httpError(() => get('Host: h\r\n', 'bad-target'), '400 Bad Request', 'Invalid request target');
    httpError(() => get('Host: h\r\nContent-Length: 2000\r\nTransfer-Encoding: gzip\r\n'), '413 Request Entity Too Large');
  });

  it('reads the client\'s Connection tokens', function () {
    const both = get('Host: h\r\nConnection: Keep-Alive, Upgrade\r\nconnection: CLOSE\r\n');
    assert.deepEqual([both.closeRequested, both.keepAliveRequested], [true, true]);
    const ka = get('Host: h\r\nConnection: keep-alive\r\n');
    assert.deepEqual([ka.closeRequested, ka.keepAliveRequested], [false, true]);
    const none = get('Host: h\r\nConnection: closed, x-close\r\nX-Connection: close\r\n');
    assert.deepEqual([none.closeRequested, none.keepAliveRequested], [false, false]);
  });
});

describe('chunked request bodies', function () {
  const text = '5;ext=1\r\nhello\r\n6 ; a="b"\r\n world\r\nA\r\n0123456789\r\n00\r\nTrailer: x\r\nT2: y\r\n\r\n';
  const body = bytes(text + 'NEXT');

  /** Feeds buf in pieces cut at the given positions, as a connection would (unconsumed bytes are offered again). */
  function feed(buf: Uint8Array, cuts: number[], limit = 1000): { data: string; consumed: number; done: boolean } {
    const d = new ChunkedDecoder(limit);
    let data = '';
    let pos = 0;
    for (const cut of [...cuts, buf.length]) {
      while (pos < cut && !d.done) {
        const r = d.decode(buf, pos, cut);
        for (const x of r.data) {
          assert.equal(x.buffer, buf.buffer, 'data are views into the input');
          data += Buffer.from(x.buffer, x.byteOffset, x.length).toString('latin1');
        }
        pos += r.consumed;
        assert.equal(r.done, d.done);
        if (r.consumed === 0) break;
      }
    }
    return { data, consumed: pos, done: d.done };
  }

  it('decodes with extensions, a "00" last chunk and trailers, split at every byte', function () {
    for (let split = 0; split <= body.length; split++) {
      assert.deepEqual(feed(body, [split]), { data: 'hello world0123456789', consumed: text.length, done: true }, `split ${split}`);
    }
    const everyByte = Array.from({ length: body.length }, (_, i) => i);
    assert.deepEqual(feed(body, everyByte), { data: 'hello world0123456789', consumed: text.length, done: true });
  });

  it('accepts a lone "0" or "00" last chunk, upper-case hex and leading zeros', function () {
    for (const t of ['0\r\n\r\n', '00\r\n\r\n', '0;x\r\n\r\n', '000\r\nA: b\r\n\r\n', '0\r\nA:\r\nB: \t\xff\r\n\r\n']) {
      assert.deepEqual(feed(bytes(t + 'X'), []), { data: '', consumed: t.length, done: true }, JSON.stringify(t));
    }
    assert.deepEqual(feed(bytes('B\r\nhello world\r\n0\r\n\r\n'), []).data, 'hello world');
    assert.equal(feed(bytes('0000000000003\r\nabc\r\n0\r\n\r\n'), []).data, 'abc');
    // 13 significant digits, after any number of leading zeros.
    httpError(() => feed(bytes('00000000000000000fffffffffffff\r\n'), [], 10), '413 Request Entity Too Large');
    httpError(() => feed(bytes('000000000000000001fffffffffffff\r\n'), [], 10), '400 Bad Request');
  });

  it('accepts chunk extensions exactly as RFC 9112, 7.1.1 writes them', function () {
    for (const ext of [';a', ';a=b', ' ;a=b', '\t; a = b', ';a="q d"', ';a="x\\"y"', ';a;b=1;c="";d', ';a=b ;c', ';!#$%&\'*+-.^_`|~=x',
      ';a="\xe9\t"']) {
      assert.equal(feed(bytes(`3${ext}\r\nabc\r\n0\r\n\r\n`), []).data, 'abc', JSON.stringify(ext));
    }
  });

  it('requires CRLF everywhere in the framing (no bare LF)', function () {
    for (const bad of ['0\n\r\n', '0\r\n\n', '3\nabc\r\n0\r\n\r\n', '3\r\nabc\n0\r\n\r\n', '3;a\nabc\r\n0\r\n\r\n',
      '3;a=b\n', '3;a="b"\n', '0\r\nA: b\n\r\n', 'B\nhello world\n0\n\n', '0\r\r\n\r\n']) {
      httpError(() => feed(bytes(bad), []), '400 Bad Request', 'Encoding error while reading chunk of request body');
    }
  });

  it('rejects malformed chunk extensions and over-long size lines', function () {
    for (const ext of [' xyz', ' ', '\t', ';', '; ', ';a ', ';a=', ';a= ', ';a=b ', ';a="b" ', ';a="b', ';a="b"c', ';a=b"c"', ';=b',
      ';a==b', ';a b', ',a', ';a\x00', ';\x01', ';a=\x7f', ';a="\x00"', ';a="\x7f"', ';a=b\rX', 'g', ';a@b', ';a="\\\x01"']) {
      httpError(() => feed(bytes(`3${ext}\r\nabc\r\n0\r\n\r\n`), [], 1e9), '400 Bad Request',
        'Encoding error while reading chunk of request body');
    }
    const ok = ';' + 'a'.repeat(4094); // "3" + 4095 bytes: 4096
    assert.equal(feed(bytes(`3${ok}\r\nabc\r\n0\r\n\r\n`), [], 1e9).data, 'abc');
    httpError(() => feed(bytes(`3${ok}a\r\nabc\r\n0\r\n\r\n`), [], 1e9), '400 Bad Request',
      'Encoding error while reading chunk of request body');
    // Leading zeros count toward the line length too.
    httpError(() => feed(bytes('0'.repeat(4097) + '\r\n\r\n'), [], 1e9), '400 Bad Request');
  });

  it('rejects trailer lines that are not field lines', function () {
    for (const t of [' A: b', 'A : b', 'A', ': b', 'A\x00: b', 'A: b\x00', 'A: \x7f', 'A: b\rc', 'A: 1\r\n folded', 'A@: b']) {
      httpError(() => feed(bytes(`0\r\n${t}\r\n\r\n`), [], 1e9), '400 Bad Request', 'Encoding error while reading chunk of request body');
    }
  });

  it('waits for more input without consuming past the body', function () {
    const d = new ChunkedDecoder(100);
    const b = bytes('3\r\nab');
    const r = d.decode(b, 0, b.length);
    assert.deepEqual([r.consumed, r.done, r.data.length], [b.length, false, 1]);
    assert.equal(d.done, false);
  });

  it('rejects malformed chunks', function () {
    for (const bad of ['x\r\n', ';a\r\n0\r\n\r\n', '\r\n', '5\r\nhelloX', '5\rx', '5\r\nhello\rx', '12345678901234\r\n', '-1\r\n', ' 5\r\n',
      'fffffffffffffffff\r\n', '0x5\r\n', '+5\r\n', '5\r\nhello\n0\r\n\r\n', '5\r\nhelloo\r\n']) {
      httpError(() => feed(bytes(bad), []), '400 Bad Request', 'Encoding error while reading chunk of request body');
    }
  });

  it('enforces the size limit on data plus extensions, and on the trailer section', function () {
    assert.equal(feed(bytes('5\r\nhello\r\n0\r\n\r\n'), [], 5).data, 'hello');
    httpError(() => feed(bytes('5\r\nhello\r\n1\r\n'), [], 5), '413 Request Entity Too Large', 'Request body size limit exceeded');
    // Announced sizes are refused before the data arrive.
    httpError(() => new ChunkedDecoder(10).decode(bytes('fffffffffffff\r\n'), 0, 15), '413 Request Entity Too Large');
    httpError(() => feed(bytes('3;abc\r\nabc\r\n0\r\n\r\n'), [], 6), '413 Request Entity Too Large', 'Request body size limit exceeded');
    assert.equal(feed(bytes('3;ab\r\nabc\r\n0\r\n\r\n'), [], 6).data, 'abc');
    httpError(() => feed(bytes('0\r\nX-Long-Trailer: yes\r\n\r\n'), [], 12), '413 Request Entity Too Large',
      'Request body size limit exceeded while reading trailer section of chunked request body');
    assert.equal(feed(bytes('2\r\nab\r\n0\r\nX: 1\r\n\r\n'), [], 7).done, true);
  });
});
